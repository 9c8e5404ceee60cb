"""The meeting page's outputs: area list, words and maps, from one public view."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from geo import columns as c
from geo.io import neutralise_markup
from geo.maps.safe import safe_for_map, svg_html
from geo.public.area_list import MEETING_COLUMNS, meeting_table
from geo.public.areas import trend_explanation
from geo.public.maps import DEFAULT_TITLE, default_explanation, public_html, public_map
from geo.public.schema import PLACE, PublicSettings
from geo.public.view import public_view
from geo.public.words import data_source
from geo.result import PipelineResult

__all__ = ["MEETING_COLUMNS", "MeetingOutputs", "meeting_outputs"]


@dataclass(frozen=True, eq=False)
class MeetingOutputs:
    """What the meeting page shows, all built from the public view only.

    Attributes
    ----------
    table
        One row per public area: the :data:`MEETING_COLUMNS` (``area_id``, ``ward_name``,
        ``place``, ``incidents_band``, ``main_problems``, ``trend``), all text.
    source
        The data and its months in words, e.g. ``"police.uk street-level crime, June to
        November 2018"`` (:func:`geo.public.data_source`).
    trend
        What the trend words mean (:func:`geo.public.trend_explanation` of the periods
        compared).
    explanation
        Plain-English explanation of the map (:func:`geo.public.default_explanation`).
    map_html
        The map as a standalone offline page (SVG outlines) to show in the app.
    standalone
        The same map with the list of areas below it, as a standalone offline page for
        download.

    """

    table: pd.DataFrame
    source: str
    trend: str
    explanation: str
    map_html: str
    standalone: str


def meeting_outputs(
    result: PipelineResult,
    *,
    public_settings: PublicSettings | None = None,
    streets: gpd.GeoDataFrame | None = None,
    trend_months: int | None = None,
) -> MeetingOutputs:
    """The public view of ``result`` as the meeting page shows it.

    Names from uploaded files lose any markup first (:func:`geo.maps.safe_for_map`, and
    :func:`geo.io.neutralise_markup` for the place names); the areas come from
    :func:`geo.public.public_view` (allow-listed, small counts suppressed, outlines
    generalised, places from police.uk map-point names only). The map's title box names the
    data and its months (:attr:`MeetingOutputs.source`).

    Parameters
    ----------
    result
        A pipeline run (the months of its incidents are the period shown).
    public_settings
        Minimum count and rounding of the view; default ``PublicSettings()``.
    streets
        Street labels for both maps from :func:`geo.public.public_streets` of **all**
        months of the data (e.g. :func:`geo.public.streets_for_source`), so the names do
        not change with the months of ``result``; ``None`` (default): no street names.
    trend_months
        Length of each of the two periods the hotspots' trends compare, for the words that
        explain them; default the run's ``settings.trend_months``. Give it when the trends
        were made otherwise (:func:`geo.staff.window_trends` compares the whole run with as
        many months before it: the run's months).

    Returns
    -------
    MeetingOutputs

    """
    pub = public_settings or PublicSettings()
    safe = dataclasses.replace(
        result, wards=safe_for_map(result.wards), hotspots=safe_for_map(result.hotspots)
    )
    raw = public_view(safe, public=pub)
    view = gpd.GeoDataFrame(neutralise_markup(raw, [PLACE]), geometry="geometry", crs=raw.crs)
    months = result.settings.trend_months if trend_months is None else trend_months
    inc = result.incidents
    # the trends' later period ends with the last month of the run's incidents
    last_month = str(inc[c.MONTH].astype(str).max()) if len(inc) else None
    source = data_source(inc[c.SOURCE_KIND].astype(str), inc[c.MONTH].astype(str))
    m = public_map(
        safe.wards,
        view,
        title=DEFAULT_TITLE,
        source=source,
        public_settings=pub,
        streets=streets,
    )
    explanation = default_explanation(view, pub)
    standalone = public_html(
        safe.wards,
        view,
        title=DEFAULT_TITLE,
        source=source,
        explanation=explanation,
        public_settings=pub,
        trend_months=months,
        streets=streets,
        last_month=last_month,
    )
    return MeetingOutputs(
        table=meeting_table(view),
        source=source,
        trend=trend_explanation(months, last_month=last_month),
        explanation=explanation,
        map_html=svg_html(m),
        standalone=standalone,
    )

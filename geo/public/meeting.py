"""The meeting page's outputs: area table, explanation and maps, from one public view."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pandas as pd

from geo import columns as c
from geo.maps.safe import safe_for_map, svg_html
from geo.public.maps import default_explanation, public_html, public_map
from geo.public.schema import AREA_ID, INCIDENTS_BAND, MAIN_PROBLEMS, PERIOD, PublicSettings
from geo.public.view import public_view
from geo.result import PipelineResult

__all__ = ["MEETING_COLUMNS", "MeetingOutputs", "meeting_outputs"]

#: The meeting table's columns and their headings.
MEETING_COLUMNS: dict[str, str] = {
    AREA_ID: "Area",
    c.WARD_NAME: "Ward",
    INCIDENTS_BAND: "Incidents",
    MAIN_PROBLEMS: "Main problems",
    c.TREND: "Trend",
}


@dataclass(frozen=True, eq=False)
class MeetingOutputs:
    """What the meeting page shows, all built from the public view only.

    Attributes
    ----------
    table
        One row per public area: the :data:`MEETING_COLUMNS` (``area_id``, ``ward_name``,
        ``incidents_band``, ``main_problems``, ``trend``), all text.
    explanation
        Plain-English explanation of the map (:func:`geo.public.default_explanation`).
    map_html
        The map as a standalone offline page (SVG outlines) to show in the app.
    standalone
        The same map as a standalone offline page for download.

    """

    table: pd.DataFrame
    explanation: str
    map_html: str
    standalone: str


def meeting_outputs(
    result: PipelineResult, *, public_settings: PublicSettings | None = None
) -> MeetingOutputs:
    """The public view of ``result`` as the meeting page shows it.

    Names from uploaded files lose any markup first (:func:`geo.maps.safe_for_map`); the
    areas come from :func:`geo.public.public_view` (allow-listed, small counts suppressed,
    outlines generalised). The title names the period of the view, or the settings' months
    when no area is shown.

    Parameters
    ----------
    result
        A pipeline run (its ``since``/``until`` are the period shown).
    public_settings
        Minimum count and rounding of the view; default ``PublicSettings()``.

    Returns
    -------
    MeetingOutputs

    """
    pub = public_settings or PublicSettings()
    safe = dataclasses.replace(
        result, wards=safe_for_map(result.wards), hotspots=safe_for_map(result.hotspots)
    )
    view = public_view(safe, public=pub)
    s = result.settings
    period = str(view[PERIOD].iloc[0]) if len(view) else f"{s.since} to {s.until}"
    title = f"Where reported problems concentrate: {period}"
    m = public_map(safe.wards, view, title=title, public_settings=pub)
    table = pd.DataFrame(view.drop(columns="geometry"))[list(MEETING_COLUMNS)]
    standalone = public_html(
        safe.wards, view, title=title, public_settings=pub, trend_months=s.trend_months
    )
    return MeetingOutputs(
        table=table.reset_index(drop=True),
        explanation=default_explanation(view, pub, trend_months=s.trend_months),
        map_html=svg_html(m),
        standalone=standalone,
    )

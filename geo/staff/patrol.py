"""The patrol view of a run: chosen wards and months, their period in words, the headline counts."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import columns as c
from geo.dates import period_words
from geo.hotspots import trend_label
from geo.result import PipelineResult
from geo.settings import Settings, months_spanned
from geo.settings_edits import months_in_window
from geo.staff.tables import hotspots_in_wards

__all__ = [
    "PatrolView",
    "compared_months",
    "patrol_view",
    "period_caption",
    "period_text",
    "trend_words",
    "window_trends",
]


def period_text(data_months: Sequence[str], since: str, until: str, window: int) -> str:
    """``"September to November 2018 (3 months)"``: the months of the data inside the window.

    Says so when the data has fewer months than the window asked for (e.g. 12 months asked,
    the data starting 9 months before its last month), and when no month of the data is in
    the window.

    Parameters
    ----------
    data_months
        The months of the data, ``YYYY-MM``, sorted.
    since, until
        First and last month of the window, ``YYYY-MM``.
    window
        How many months the window was asked to cover.

    """
    shown = months_in_window(data_months, since, until)
    if not shown:
        return f"{period_words([since, until])} (no data in these months)"
    text = f"{period_words(shown)} ({len(shown)} month{'s' if len(shown) != 1 else ''}"
    if len(shown) < window:
        text += f" of the {window} asked for: the data start in {period_words(data_months[:1])}"
    return text + ")"


def period_caption(
    data_months: Sequence[str], settings: Settings, window: int, *, whole_window: bool = False
) -> str:
    """The patrol page's caption: the months shown, where they are counted from, the trend.

    Parameters
    ----------
    data_months
        The months of the data, ``YYYY-MM``, sorted; never empty.
    settings
        The window's settings (``since``, ``until``, ``trend_months``), e.g. from
        :func:`geo.settings_edits.window_settings`.
    window
        How many months the window was asked to cover.
    whole_window
        The trends are :func:`window_trends` (the window against as many months before it)
        rather than the last part of the window against the part before.

    """
    period = period_text(data_months, str(settings.since), str(settings.until), window)
    return (
        f"{period}, counted back from the data's last month "
        f"({period_words(data_months[-1:])}), not from today. "
        f"{trend_words(settings, window, whole_window=whole_window)}"
    )


def compared_months(settings: Settings, *, whole_window: bool) -> int:
    """How many months each of the two periods a hotspot's trend compares spans.

    The window's months when the trends are :func:`window_trends` (``whole_window``: the
    window against as many months before it), else ``settings.trend_months`` (the last
    part of the window against the part before).
    """
    if whole_window:
        return months_spanned(str(settings.since), str(settings.until))
    return settings.trend_months


def trend_words(settings: Settings, window: int, *, whole_window: bool = False) -> str:
    """What the patrol trends compare, in one sentence (see :func:`period_caption`)."""
    k = settings.trend_months
    months = "month" if k == 1 else f"{k} months"
    if whole_window:
        n = compared_months(settings, whole_window=True)
        first = pd.Period(str(settings.since), "M")
        these, span = ("this month", "month") if n == 1 else (f"these {n} months", f"{n} months")
        before = period_words([str(first - n), str(first - 1)])
        trend = (
            f"Trend: incidents inside each hotspot's area in {these} against the {span} "
            f"before ({before})."
        )
    elif window > 1:
        trend = f"Trend: the last {months} against the {months} before."
    else:
        trend = "No trend: a 1-month window has no earlier part to compare with."
    return trend


@dataclass(frozen=True, eq=False)
class PatrolView:
    """A run narrowed to the chosen wards, with the patrol page's headline counts.

    Attributes
    ----------
    result
        The run with only the chosen wards' hotspots (re-ranked 1..n,
        :func:`geo.staff.hotspots_in_wards`); its wards and incidents are the whole run's.
    wards
        The chosen wards: ``ward_code``, ``ward_name``, ``geometry`` (metric CRS of the run).
    incidents
        The used incidents in the chosen wards, columns as ``PipelineResult.incidents``.
    n_hotspots, in_hotspots, in_wards, rising
        Hotspots, incidents in them, incidents in the chosen wards, hotspots whose trend is
        ``rising`` or ``new``.

    """

    result: PipelineResult
    wards: gpd.GeoDataFrame
    incidents: gpd.GeoDataFrame
    n_hotspots: int
    in_hotspots: int
    in_wards: int
    rising: int

    @property
    def hotspots(self) -> gpd.GeoDataFrame:
        """The chosen wards' hotspots, ranked 1..n (columns of ``PipelineResult.hotspots``)."""
        return self.result.hotspots


def patrol_view(result: PipelineResult, ward_codes: Iterable[str]) -> PatrolView:
    """Narrow ``result`` to the wards in ``ward_codes`` and count what the patrol page shows.

    Parameters
    ----------
    result
        A pipeline run (metric CRS).
    ward_codes
        Codes of the chosen wards.

    Returns
    -------
    PatrolView

    """
    codes = list(ward_codes)
    hs = hotspots_in_wards(result.hotspots, codes)
    incidents = result.incidents[result.incidents[c.WARD_CODE].isin(codes).to_numpy()]
    wards = result.wards[result.wards[c.WARD_CODE].isin(codes).to_numpy()]
    return PatrolView(
        result=dataclasses.replace(result, hotspots=hs),
        wards=wards,
        incidents=incidents,
        n_hotspots=len(hs),
        in_hotspots=int(hs[c.N_INCIDENTS].sum()) if len(hs) else 0,
        in_wards=len(incidents),
        rising=int(hs[c.TREND].isin(["rising", "new"]).sum()) if len(hs) else 0,
    )


def window_trends(
    hotspots: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame, *, since: str, until: str
) -> gpd.GeoDataFrame | None:
    """Each hotspot's trend over the whole window: its area's incidents against the months before.

    A window of a few months split in two (the last month against the one before) is too
    short to show a change; here the incidents inside each hotspot's area in the window's
    months are compared with those inside it in as many months just before the window,
    with :func:`geo.hotspots.trend_label`. Both counts are of every used incident inside
    the area (outline included), in a cluster or not, so the two periods are counted alike.

    Parameters
    ----------
    hotspots
        Hotspots of the window (``recent_count``, ``previous_count``, ``trend`` and polygon
        ``geometry``), e.g. ``PipelineResult.hotspots``.
    incidents
        Used incidents of every month (``month``, ``YYYY-MM``, and point ``geometry``, the
        CRS of ``hotspots``), e.g. ``Prepared.incidents`` of the same data.
    since, until
        First and last month of the window, ``YYYY-MM``.

    Returns
    -------
    geopandas.GeoDataFrame or None
        A copy of ``hotspots`` with ``recent_count`` (incidents inside the area in the
        window), ``previous_count`` (in the months before) and ``trend`` replaced; ``None``
        when the data does not reach back over the months before (the caller keeps the
        trend inside the window).

    """
    months = months_spanned(since, until)
    first = str(pd.Period(since, "M") - months)
    month = incidents[c.MONTH].astype(str)
    if len(month) == 0 or str(month.min()) > first:
        return None
    keep = ((month >= first) & (month <= until)).to_numpy()
    points = incidents.geometry.to_numpy()[keep]
    recent_row = month.to_numpy()[keep] >= since
    tree = shapely.STRtree(hotspots.geometry.to_numpy())
    point_i, hotspot_i = tree.query(points, predicate="intersects")
    n = len(hotspots)
    recent = np.bincount(hotspot_i[recent_row[point_i]], minlength=n)
    previous = np.bincount(hotspot_i[~recent_row[point_i]], minlength=n)
    out = hotspots.copy()
    out[c.RECENT_COUNT] = recent.astype("int64")
    out[c.PREVIOUS_COUNT] = previous.astype("int64")
    out[c.TREND] = [
        trend_label(int(r), int(p), recent_months=months, previous_months=months)
        for r, p in zip(recent, previous, strict=True)
    ]
    return out


#: Ground shown around a hotspot the map is zoomed to, in metres: its nearby streets and
#: their names (with 150 m a small hotspot opened at street level, its road off screen).
FOCUS_MARGIN_M = 250.0


def focus_area(
    hotspots: gpd.GeoDataFrame, rank: int, *, margin_m: float = FOCUS_MARGIN_M
) -> gpd.GeoSeries:
    """The ground a map zoomed to hotspot ``rank`` shows: its shape and ``margin_m`` around.

    Parameters
    ----------
    hotspots
        ``rank`` (int) and polygon ``geometry`` in any CRS with one (e.g. a
        :class:`PatrolView`'s ``hotspots``, ranked as its list, or their display copy in
        lon/lat); the margin is measured in metres in a local UTM zone when the CRS is not
        in metres.
    rank
        The hotspot's rank, as the list and the map's badges show it.
    margin_m
        Metres shown around the shape.

    Returns
    -------
    geopandas.GeoSeries
        One polygon in the CRS of ``hotspots``.

    Raises
    ------
    ValueError
        When no hotspot has that rank, or the frame has no CRS.

    """
    if hotspots.crs is None:
        raise ValueError("hotspots have no CRS: the margin cannot be measured in metres")
    shape = gpd.GeoSeries(
        hotspots.geometry[hotspots[c.RANK].to_numpy() == rank].to_numpy(), crs=hotspots.crs
    )
    if len(shape) != 1:
        raise ValueError(f"no hotspot has rank {rank}")
    if hotspots.crs.is_projected:
        return shape.buffer(margin_m)
    metric = shape.estimate_utm_crs()
    return shape.to_crs(metric).buffer(margin_m).to_crs(hotspots.crs)

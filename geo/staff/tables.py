"""Patrol page tables: hotspots of chosen wards, the ranked list, category and month counts."""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import columns as c
from geo.categories import leading_categories
from geo.settings import Settings


def hotspots_in_wards(hotspots: gpd.GeoDataFrame, ward_codes: Iterable[str]) -> gpd.GeoDataFrame:
    """Hotspots of the chosen wards, re-ranked 1..n among themselves.

    Parameters
    ----------
    hotspots
        Output of :func:`geo.hotspots.summarise_hotspots` (``rank``, ``ward_code``, ...).
    ward_codes
        Codes of the wards to keep.

    Returns
    -------
    geopandas.GeoDataFrame
        Same columns and CRS; ``rank`` renumbered from 1 in the study-wide order.

    """
    keep = hotspots[c.WARD_CODE].isin(list(ward_codes)).to_numpy()
    out = hotspots.loc[keep].sort_values(c.RANK, kind="stable").reset_index(drop=True)
    out[c.RANK] = np.arange(1, len(out) + 1, dtype="int64")
    return out


_TREND_WORDS = {
    "rising": "▲ rising",
    "falling": "▼ falling",
    "no clear change": "● no clear change",
    "new": "★ new",
    "n/a": "– (too short)",
}


def patrol_table(
    hotspots: gpd.GeoDataFrame, *, top_categories: int = 3, trend_months: int | None = None
) -> pd.DataFrame:
    """The ranked hotspot list a sergeant reads: one row per hotspot, plain headings.

    Parameters
    ----------
    hotspots
        Output of :func:`geo.hotspots.summarise_hotspots` or :func:`hotspots_in_wards`.
    top_categories
        How many categories of the mix to name.
    trend_months
        Length of each trend period: the two count columns are then headed with what they
        compare (``"Last 3 months"``, ``"3 months before"``) and left out when no hotspot
        has a trend (window too short: every trend ``n/a``). When the recent period is the
        whole window (each hotspot's ``recent_count`` is its ``n_incidents`` in every row,
        as with :func:`geo.staff.window_trends` on the usual data), ``"Last 3 months"`` would
        repeat ``Incidents`` and is left out: ``Incidents`` and ``"3 months before"`` are
        then the two periods compared.

    Returns
    -------
    pandas.DataFrame
        ``Rank`` (int, the number on the maps), ``Place`` (police.uk street and place names,
        from ``place``; the ward name for hotspots without that column), ``Hotspot`` (id),
        ``Ward``, ``Incidents`` (int), ``Trend`` (with an arrow), ``Recent`` and ``Before``
        (int, incidents in the two trend periods),
        ``Kind`` (``area``/``single location``), ``Score`` (float, weighted), ``Category
        mix`` (e.g. ``"Drugs 5, Anti-social behaviour 3 (+2 more)"``), ``Months``
        (``first–last``). Sorted by rank.

    """
    h = hotspots.sort_values(c.RANK, kind="stable")
    mix = [leading_categories(text, top_categories) for text in h[c.CATEGORIES].astype(str)]
    place = h[c.PLACE] if c.PLACE in h.columns else h[c.WARD_NAME]
    table = pd.DataFrame(
        {
            "Rank": h[c.RANK].to_numpy(dtype="int64"),
            "Place": place.astype(str).to_numpy(),
            "Hotspot": h[c.HOTSPOT_ID].astype(str).to_numpy(),
            "Ward": h[c.WARD_NAME].astype(str).to_numpy(),
            "Incidents": h[c.N_INCIDENTS].to_numpy(dtype="int64"),
            "Trend": [_TREND_WORDS.get(str(t), str(t)) for t in h[c.TREND]],
            "Recent": h[c.RECENT_COUNT].to_numpy(dtype="int64"),
            "Before": h[c.PREVIOUS_COUNT].to_numpy(dtype="int64"),
            "Kind": h[c.KIND].astype(str).to_numpy(),
            "Score": h[c.SCORE].to_numpy(dtype=float).round(1),
            "Category mix": mix,
            "Months": (h[c.FIRST_MONTH].astype(str) + "–" + h[c.LAST_MONTH].astype(str)).to_numpy(),
        }
    )
    if trend_months is None:
        return table
    if len(h) and (h[c.TREND].astype(str) == "n/a").all():
        return table.drop(columns=["Recent", "Before"])
    if (table["Recent"] == table["Incidents"]).all():
        table = table.drop(columns=["Recent"])
    span = f"{trend_months} month{'s' if trend_months != 1 else ''}"
    return table.rename(columns={"Recent": f"Last {span}", "Before": f"{span} before"})


def score_words(settings: Settings) -> str:
    """What a hotspot's ``Score`` is, with the weights of ``settings``, in one sentence.

    Categories are grouped by weight, heaviest first; those that count 1 are not listed
    (``"Incidents weighted by category: Drugs and Dealing reported by residents count 3,
    Possession of weapons and Discarded needles 2, ... ; every other category 1. Ranks
    follow the score, so fewer but weightier incidents can rank higher."``).
    """
    by_weight: dict[float, list[str]] = {}
    for cat in settings.categories.values():
        if float(cat.weight) != 1.0:
            by_weight.setdefault(float(cat.weight), []).append(cat.label)
    parts = []
    for i, (weight, labels) in enumerate(sorted(by_weight.items(), reverse=True)):
        names = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
        parts.append(f"{names} {'count ' if i == 0 else ''}{weight:g}")
    listed = "; ".join(parts) + "; every other category 1" if parts else "every category counts 1"
    return (
        f"Incidents weighted by category: {listed}. Ranks follow the score, so fewer but "
        "weightier incidents can rank higher."
    )


def category_mix(hotspots: gpd.GeoDataFrame, settings: Settings, *, top: int = 10) -> pd.DataFrame:
    """Incidents per category in the ``top`` ranked hotspots (for a stacked bar chart).

    Returns
    -------
    pandas.DataFrame
        Index: hotspot id (rank order); one int column per category present, named by
        its plain-English label; categories with no incidents here are left out.

    """
    h = hotspots.sort_values(c.RANK, kind="stable").head(top)
    cols = {key: c.COUNT_PREFIX + key for key in settings.categories}
    data = {
        settings.label(key): h[col].to_numpy(dtype="int64")
        for key, col in cols.items()
        if col in h.columns and int(h[col].sum()) > 0
    }
    return pd.DataFrame(data, index=pd.Index(h[c.HOTSPOT_ID].astype(str), name="hotspot"))


def monthly_counts(
    incidents: pd.DataFrame, ward_codes: Iterable[str] | None = None
) -> pd.DataFrame:
    """Incidents per month, split into in a hotspot and not in any hotspot (staff chart).

    Parameters
    ----------
    incidents
        ``PipelineResult.incidents``: ``month`` (``YYYY-MM``), ``ward_code``,
        ``hotspot_id`` ("" for noise).
    ward_codes
        Only these wards (default all).

    Returns
    -------
    pandas.DataFrame
        Index ``month`` (every month from the first to the last, gaps filled with 0);
        columns ``In a hotspot`` and ``Not in a hotspot`` (int).

    """
    inc = incidents
    if ward_codes is not None:
        inc = inc.loc[inc[c.WARD_CODE].isin(list(ward_codes)).to_numpy()]
    cols = ["In a hotspot", "Not in a hotspot"]
    if inc.empty:
        return pd.DataFrame({k: pd.Series(dtype="int64") for k in cols}).rename_axis(c.MONTH)
    months = pd.period_range(min(inc[c.MONTH]), max(inc[c.MONTH]), freq="M").astype(str)
    in_hot = inc[c.HOTSPOT_ID].astype(str).to_numpy() != ""
    frame = pd.DataFrame(
        {
            c.MONTH: inc[c.MONTH].astype(str).to_numpy(),
            cols[0]: in_hot.astype("int64"),
            cols[1]: (~in_hot).astype("int64"),
        }
    )
    out = frame.groupby(c.MONTH).sum().reindex(list(months), fill_value=0)
    return out.rename_axis(c.MONTH).astype("int64")

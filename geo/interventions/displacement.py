"""Before/after measures of an intervention: counts per area and window, effects per group.

The statistics themselves (dispersion, relative effect, WDQ, net effect) are in
:mod:`geo.interventions.statistics`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from geo.interventions.areas import AREAS, Windows
from geo.interventions.statistics import (
    Dispersion,
    dispersion,
    relative_effect,
    total_net_effect,
    weighted_displacement_quotient,
)
from geo.settings import Settings

#: Category groups measured: the ``group`` of each category, plus everything together.
MEASURE_GROUPS: tuple[str, ...] = ("asb", "drugs", "all")

COUNT_COLUMNS: tuple[str, ...] = ("group", "area", "before", "after", "change", "change_pct")


def window_dispersion(
    monthly: pd.DataFrame, group: str, windows: Windows, *, areas: Sequence[str]
) -> Dispersion:
    """:func:`dispersion` of one group's monthly counts in ``areas`` x (before, after).

    Parameters
    ----------
    monthly
        ``month`` (str ``YYYY-MM``), ``area``, ``group``, ``count`` (int) with a row for
        every month, zeros included (see :func:`monthly_counts`).
    areas
        The areas compared, e.g. ``("target", "control")``.

    """
    sub = monthly[monthly["group"] == group]
    cells = [
        sub.loc[(sub["area"] == area) & sub["month"].isin(span), "count"].to_numpy(int)
        for area in areas
        for span in (windows.before, windows.after)
    ]
    return dispersion(cells)


def change_pct(before: float, after: float, months_before: int, months_after: int) -> float:
    """Percentage change of the monthly rate (NaN when nothing happened before)."""
    if before <= 0:
        return math.nan
    return float((after / months_after - before / months_before) / (before / months_before) * 100)


def group_of(categories: pd.Series, settings: Settings) -> np.ndarray:
    """Category group (``asb``, ``drugs``, ``other``) of each category key."""
    groups = {k: v.group for k, v in settings.categories.items()}
    return categories.astype(str).map(groups).fillna("other").to_numpy(dtype=object)


def area_counts(
    months: pd.Series,
    groups: np.ndarray,
    areas: np.ndarray,
    windows: Windows,
    *,
    present: tuple[str, ...] = AREAS,
) -> pd.DataFrame:
    """Incidents per group and area in the before and after windows.

    Parameters
    ----------
    months
        ``YYYY-MM`` of each incident.
    groups
        Category group of each incident (see :func:`group_of`).
    areas
        Area of each incident (``target``/``ring``/``control``/"" none).
    present
        Areas that exist for this intervention (area-wide events have no ring).

    Returns
    -------
    pandas.DataFrame
        :data:`COUNT_COLUMNS`: ``group`` (each of :data:`MEASURE_GROUPS`), ``area``,
        ``before``, ``after``, ``change`` (int, incidents), ``change_pct`` (float, % change
        of the monthly rate, NaN when ``before`` is 0).

    """
    m = months.astype(str).to_numpy(dtype=object)
    period = np.where(np.isin(m, windows.before), "before", "")
    period = np.where(np.isin(m, windows.after), "after", period)
    rows = []
    for group in MEASURE_GROUPS:
        in_group = np.ones(len(m), bool) if group == "all" else groups == group
        for area in present:
            sel = in_group & (areas == area)
            b = int((sel & (period == "before")).sum())
            a = int((sel & (period == "after")).sum())
            pct = change_pct(b, a, len(windows.before), len(windows.after))
            rows.append((group, area, b, a, a - b, pct))
    out = pd.DataFrame(rows, columns=list(COUNT_COLUMNS))
    for col in ("before", "after", "change"):
        out[col] = out[col].astype("int64")
    return out


def monthly_counts(
    months: pd.Series, groups: np.ndarray, areas: np.ndarray, all_months: list[str]
) -> pd.DataFrame:
    """Incidents per month, area and group (zeros included) for the series plot.

    Returns
    -------
    pandas.DataFrame
        ``month`` (str ``YYYY-MM``), ``area``, ``group``, ``count`` (int).

    """
    df = pd.DataFrame({"month": months.astype(str).to_numpy(), "area": areas, "grp": groups})
    df = df[df["area"] != ""]
    rows = []
    for group in MEASURE_GROUPS:
        sub = df if group == "all" else df[df["grp"] == group]
        present = sorted(set(areas) - {""}, key=AREAS.index)
        tab = pd.crosstab(sub["month"], sub["area"]).reindex(
            index=all_months, columns=present, fill_value=0
        )
        for month in all_months:
            for area in present:
                rows.append((month, area, group, int(tab.loc[month, area])))
    return pd.DataFrame(rows, columns=["month", "area", "group", "count"]).astype(
        {"count": "int64"}
    )


def effect_row(
    counts: pd.DataFrame,
    group: str,
    *,
    min_count: int,
    spread: Dispersion | None = None,
) -> dict[str, object]:
    """One row of measures for a group from :func:`area_counts` output.

    ``spread`` is the dispersion of the group's monthly target and control counts in the
    two windows (:func:`window_dispersion`); the relative effect's interval is widened by
    ``sqrt(phi)`` when ``phi`` > 1. Without it, or when there were too few months to
    estimate it, the interval is the plain Poisson one.

    Returns
    -------
    dict
        ``group``; ``<area>_before``, ``<area>_after`` (int or None when the area does not
        exist) and ``<area>_change_pct``; ``relative_effect``, ``rr_low``, ``rr_high``
        (float, NaN without a control), ``continuity_corrected`` (bool); ``dispersion``
        (float, the estimated phi, NaN when not estimated), ``dispersion_df`` (int),
        ``interval`` (``"quasi-Poisson"`` when widened, else ``"Poisson"``); ``success_measure``,
        ``buffer_measure``, ``wdq`` (float), ``wdq_reading`` (str);
        ``total_net_effect`` (float, incidents, positive = fewer than expected);
        ``enough_data`` (bool) and ``conclusion`` (str).

    """
    sub = counts[counts["group"] == group]
    n: dict[tuple[str, str], int] = {}
    pct: dict[str, float] = {}
    for area, b, a, p in zip(
        sub["area"], sub["before"], sub["after"], sub["change_pct"], strict=True
    ):
        n[(str(area), "before")], n[(str(area), "after")] = int(b), int(a)
        pct[str(area)] = float(p)
    row: dict[str, object] = {"group": group}
    for area in AREAS:
        row[f"{area}_before"] = n.get((area, "before"))
        row[f"{area}_after"] = n.get((area, "after"))
        row[f"{area}_change_pct"] = pct.get(area, math.nan)
    tb, ta = n.get(("target", "before"), 0), n.get(("target", "after"), 0)
    has_control, has_ring = "control" in pct, "ring" in pct
    cb, ca = n.get(("control", "before"), 0), n.get(("control", "after"), 0)
    db, da = n.get(("ring", "before"), 0), n.get(("ring", "after"), 0)
    enough = tb >= min_count and (not has_control or min(cb, ca) >= min_count)
    row.update(
        relative_effect=math.nan,
        rr_low=math.nan,
        rr_high=math.nan,
        continuity_corrected=False,
        dispersion=spread.phi if spread is not None else math.nan,
        dispersion_df=spread.df if spread is not None else 0,
        interval="Poisson",
        success_measure=math.nan,
        buffer_measure=math.nan,
        wdq=math.nan,
        wdq_reading="not applicable: an area-wide event has no displacement ring",
        total_net_effect=math.nan,
        enough_data=enough,
    )
    if not has_control:
        row["wdq_reading"] = "not applicable: no control area"
        row["conclusion"] = (
            "no comparison area: the change in the target cannot be told apart from "
            "seasonal or wider trends"
        )
        if not enough:
            row["conclusion"] = f"too few incidents to conclude anything; {row['conclusion']}"
        return row
    rr = relative_effect(tb, ta, cb, ca, dispersion=spread.scale if spread else 1.0)
    row.update(
        relative_effect=rr.ratio,
        rr_low=rr.low,
        rr_high=rr.high,
        continuity_corrected=rr.corrected,
        interval="quasi-Poisson" if rr.widened > 1 else "Poisson",
        total_net_effect=total_net_effect(tb, ta, db, da, cb, ca),
    )
    if has_ring:
        q = weighted_displacement_quotient(tb, ta, db, da, cb, ca)
        reading = q.reading
        if db + da < min_count and not math.isnan(q.wdq):
            reading += f" (ring counts {db} and {da} are too small to rely on)"
        if q.success < 0 and rr.low <= 1 <= rr.high:
            reading += "; the target's own fall is not clear (its interval includes 1)"
        row.update(
            success_measure=q.success, buffer_measure=q.buffer, wdq=q.wdq, wdq_reading=reading
        )
    ci = f"relative effect {rr.ratio:.2f}, 95% CI {rr.low:.2f} to {rr.high:.2f}"
    if round(rr.widened, 2) > 1:
        ci += f", widened x{rr.widened:.2f} for month-to-month variation"
    if not enough:
        row["conclusion"] = (
            f"too few incidents to conclude anything (fewer than {min_count} in the target "
            f"before or in the control in a window); {ci}"
        )
    elif rr.high < 1:
        row["conclusion"] = f"fell relative to the control ({ci})"
    elif rr.low > 1:
        row["conclusion"] = f"rose relative to the control ({ci})"
    else:
        row["conclusion"] = f"no clear change relative to the control ({ci}, includes 1)"
    return row


def effects(
    counts: pd.DataFrame,
    *,
    min_count: int,
    monthly: pd.DataFrame | None = None,
    windows: Windows | None = None,
) -> pd.DataFrame:
    """:func:`effect_row` for every group in :data:`MEASURE_GROUPS`, one row each.

    With ``monthly`` (:func:`monthly_counts`) and ``windows``, each group's interval
    allows for the month-to-month spread of its target and control counts
    (:func:`window_dispersion`); without them the intervals are Poisson.
    """
    rows = []
    for g in MEASURE_GROUPS:
        spread = None
        if monthly is not None and windows is not None:
            spread = window_dispersion(monthly, g, windows, areas=("target", "control"))
        rows.append(effect_row(counts, g, min_count=min_count, spread=spread))
    out = pd.DataFrame(rows)
    for area in AREAS:
        for p in ("before", "after"):
            out[f"{area}_{p}"] = out[f"{area}_{p}"].astype("Int64")
    return out

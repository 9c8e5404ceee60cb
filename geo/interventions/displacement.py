"""Before/after measures: counts per area, relative effect with a CI, WDQ and net effect."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

from geo.interventions.areas import AREAS, Windows
from geo.settings import Settings

#: Category groups measured: the ``group`` of each category, plus everything together.
MEASURE_GROUPS: tuple[str, ...] = ("asb", "drugs", "all")
#: Added to all four counts of the relative effect when any of them is zero
#: (Haldane-Anscombe correction), so the ratio and its interval stay finite.
CONTINUITY = 0.5

COUNT_COLUMNS: tuple[str, ...] = ("group", "area", "before", "after", "change", "change_pct")


@dataclass(frozen=True)
class RelativeEffect:
    """Odds-ratio style relative effect ``(Ta/Tb) / (Ca/Cb)`` with its confidence interval.

    Below 1: the target fell relative to the control; above 1: it rose. ``corrected`` says
    :data:`CONTINUITY` was added to every count because one was zero.
    """

    ratio: float
    low: float
    high: float
    corrected: bool


def relative_effect(
    target_before: float,
    target_after: float,
    control_before: float,
    control_after: float,
    *,
    confidence: float = 0.95,
) -> RelativeEffect:
    """Relative effect in the target against the control, with a log-normal interval.

    ``RR = (Ta/Tb) / (Ca/Cb)``; ``var(log RR) = 1/Ta + 1/Tb + 1/Ca + 1/Cb``; the interval
    is ``RR * exp(±z * sqrt(var))`` with ``z`` the normal quantile for ``confidence``.
    When any count is zero, :data:`CONTINUITY` (0.5) is added to all four first.
    Window lengths cancel in the ratio, so unequal windows need no adjustment.

    Raises
    ------
    ValueError
        A negative count or a confidence outside (0, 1).

    """
    counts = np.array([target_after, target_before, control_after, control_before], dtype=float)
    if (counts < 0).any() or not np.isfinite(counts).all():
        raise ValueError(f"counts must be finite and >= 0. Got {counts.tolist()}.")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1). Got {confidence!r}.")
    corrected = bool((counts == 0).any())
    if corrected:
        counts = counts + CONTINUITY
    ta, tb, ca, cb = counts
    ratio = float((ta / tb) / (ca / cb))
    se = math.sqrt(float((1.0 / counts).sum()))
    z = float(norm.ppf(0.5 + confidence / 2))
    return RelativeEffect(ratio, ratio * math.exp(-z * se), ratio * math.exp(z * se), corrected)


@dataclass(frozen=True)
class DisplacementQuotient:
    """Weighted Displacement Quotient (Bowers & Johnson 2003) and its parts.

    ``success = Ra/Ca - Rb/Cb`` (< 0: the target improved relative to the control);
    ``buffer = Da/Ca - Db/Cb``; ``wdq = buffer / success`` (NaN when undefined);
    ``reading`` says what it means in plain English.
    """

    success: float
    buffer: float
    wdq: float
    reading: str


def weighted_displacement_quotient(
    r_before: float,
    r_after: float,
    d_before: float,
    d_after: float,
    c_before: float,
    c_after: float,
) -> DisplacementQuotient:
    """WDQ for response area R (target), displacement buffer D (ring) and control C.

    ``WDQ = (Da/Ca - Db/Cb) / (Ra/Ca - Rb/Cb)``. It is read only when the target improved
    relative to the control (``success < 0``): above 0 diffusion of benefit (the ring
    improved too); 0 neither; between 0 and -1 some displacement, smaller than the gain;
    -1 displacement as large as the gain; below -1 displacement larger than the gain.
    Undefined (NaN) when the control has no incidents in a window or the target changed
    exactly like the control.
    """
    if c_before <= 0 or c_after <= 0:
        return DisplacementQuotient(
            math.nan, math.nan, math.nan, "undefined: no control incidents in a window"
        )
    success = r_after / c_after - r_before / c_before
    buffer = d_after / c_after - d_before / c_before
    if success == 0:
        return DisplacementQuotient(
            0.0, buffer, math.nan, "undefined: the target changed exactly like the control"
        )
    wdq = buffer / success
    if success > 0:
        reading = "not read: the target did not improve relative to the control"
    elif math.isclose(wdq, 0.0, abs_tol=1e-12):
        reading = "no displacement or diffusion: the ring changed like the control"
    elif wdq > 0:
        reading = "diffusion of benefit: the ring improved too"
    elif math.isclose(wdq, -1.0, abs_tol=1e-12):
        reading = "displacement as large as the gain in the target (no net benefit)"
    elif wdq > -1:
        reading = "some displacement, smaller than the gain in the target (net benefit)"
    else:
        reading = "displacement larger than the gain in the target (net harm)"
    return DisplacementQuotient(success, buffer, wdq, reading)


def total_net_effect(
    r_before: float,
    r_after: float,
    d_before: float,
    d_after: float,
    c_before: float,
    c_after: float,
) -> float:
    """Total net effect (Bowers & Johnson 2003) in incidents; positive = a net reduction.

    ``TNE = (Rb * Ca/Cb - Ra) + (Db * Ca/Cb - Da)``: incidents expected in the target and
    ring had they followed the control, minus those recorded. Pass ``d_before = d_after
    = 0`` when there is no ring. NaN when the control had no incidents before.
    """
    if c_before <= 0:
        return math.nan
    k = c_after / c_before
    return float((r_before * k - r_after) + (d_before * k - d_after))


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


def effect_row(counts: pd.DataFrame, group: str, *, min_count: int) -> dict[str, object]:
    """One row of measures for a group from :func:`area_counts` output.

    Returns
    -------
    dict
        ``group``; ``<area>_before``, ``<area>_after`` (int or None when the area does not
        exist) and ``<area>_change_pct``; ``relative_effect``, ``rr_low``, ``rr_high``
        (float, NaN without a control), ``continuity_corrected`` (bool); ``success_measure``,
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
    rr = relative_effect(tb, ta, cb, ca)
    row.update(
        relative_effect=rr.ratio,
        rr_low=rr.low,
        rr_high=rr.high,
        continuity_corrected=rr.corrected,
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


def effects(counts: pd.DataFrame, *, min_count: int) -> pd.DataFrame:
    """:func:`effect_row` for every group in :data:`MEASURE_GROUPS`, one row each."""
    out = pd.DataFrame([effect_row(counts, g, min_count=min_count) for g in MEASURE_GROUPS])
    for area in AREAS:
        for p in ("before", "after"):
            out[f"{area}_{p}"] = out[f"{area}_{p}"].astype("Int64")
    return out

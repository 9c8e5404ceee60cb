"""Paired per-month differences between two methods at the same area, with a confidence interval.

Methods are compared only where they mark the same area (DBSCAN's budget), month by month:
the difference of each test month, their mean and a t interval. The months are not
independent (consecutive fit windows share all but one month), so the interval is a guide,
not a test: read "level with" whenever it includes zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from geo import columns as c
from geo.errors import ValidationError
from geo.evaluation.schema import ALL_WARDS, DBSCAN, METHOD_LABELS

#: Largest relative gap between the two methods' mean area shares that still counts as the
#: same area (grid methods match DBSCAN's budget to within half a cell).
AREA_TOLERANCE = 0.15
#: How measures are named in sentences.
MEASURE_LABELS = {"pai": "PAI", "hit_rate": "hit rate", "pei": "PEI", "rri": "RRI"}


@dataclass(frozen=True)
class PairedDifference:
    """Result of :func:`paired_difference`.

    Attributes
    ----------
    method, against, measure
        The two methods (``method`` − ``against``) and the measure compared.
    months
        One row per test month: ``test_month`` (str), ``method`` and ``against`` (float,
        the measure of each), ``difference`` (float), ``area_share_method``,
        ``area_share_against`` (float).
    mean, low, high
        Mean difference and its ``level`` t interval (NaN with fewer than two months).
    n_ahead, n
        Months where ``method`` was ahead, and months compared.
    level
        Confidence level of the interval.

    """

    method: str
    against: str
    measure: str
    months: pd.DataFrame
    mean: float
    low: float
    high: float
    n_ahead: int
    n: int
    level: float

    @property
    def reading(self) -> str:
        """One of: ahead of, behind, level with (the interval includes zero, or no interval)."""
        if math.isnan(self.low) or self.low <= 0 <= self.high:
            return "level with"
        return "ahead of" if self.low > 0 else "behind"

    def sentence(self, *, scale: float = 1.0, unit: str = "") -> str:
        """The comparison in one plain sentence."""
        a = METHOD_LABELS.get(self.method, self.method)
        b = METHOD_LABELS.get(self.against, self.against)
        spread = (
            "no interval with one month"
            if math.isnan(self.low)
            else f"{100 * self.level:g} % interval {scale * self.low:+.1f}{unit} to "
            f"{scale * self.high:+.1f}{unit}"
        )
        return (
            f"{a} {self.reading} {b} on {MEASURE_LABELS.get(self.measure, self.measure)}: "
            "mean difference "
            f"{scale * self.mean:+.1f}{unit} over {self.n} months ({spread}; ahead in "
            f"{self.n_ahead} of {self.n}). The months overlap (consecutive fit windows share "
            "months), so the interval is optimistic."
        )


def best_baseline(
    table: pd.DataFrame,
    *,
    method: str = DBSCAN,
    measure: str = "hit_rate",
    ward_code: str = ALL_WARDS,
    same_resolution: bool = False,
) -> str:
    """The other method with the highest mean ``measure`` at ``method``'s area.

    Only methods whose mean area share is within :data:`AREA_TOLERANCE` of ``method``'s
    compete; with ``same_resolution`` only those that also mark the same kind of shape
    (``resolution`` column). Choosing the best baseline on the same months favours the
    baseline.
    """
    t = table[table[c.WARD_CODE] == ward_code]
    mine = t["method"] == method
    own = float(t.loc[mine, "area_share"].mean())
    others = t[~mine]
    if same_resolution and "resolution" in t.columns:
        others = others[others["resolution"].isin(set(t.loc[mine, "resolution"]))]
    g = others.groupby("method", sort=False)[[measure, "area_share"]].mean()
    g = g[(g["area_share"] - own).abs() <= AREA_TOLERANCE * own]
    if g.empty or g[measure].isna().all():
        raise ValidationError(f"no baseline at {method}'s area to compare with")
    return str(g[measure].idxmax())


def paired_difference(
    table: pd.DataFrame,
    *,
    method: str = DBSCAN,
    against: str | None = None,
    measure: str = "pai",
    ward_code: str = ALL_WARDS,
    same_resolution: bool = False,
    level: float = 0.95,
) -> PairedDifference:
    """Per-month differences ``method`` − ``against`` of ``measure``, with a t interval.

    Parameters
    ----------
    table
        :attr:`geo.evaluation.Evaluation.table`.
    method, against
        The two methods; ``against`` defaults to :func:`best_baseline` by ``measure``
        (among the methods at the same resolution with ``same_resolution``).
    measure
        A measure column, e.g. ``pai``, ``hit_rate``, ``pei``.
    ward_code
        Ward, or "all" (study-wide).
    level
        Confidence level of the t interval.

    Raises
    ------
    ValidationError
        When the two methods' area shares differ by more than :data:`AREA_TOLERANCE` (PAIs
        at different areas are not comparable), or a method or measure is missing.

    """
    if measure not in table.columns:
        raise ValidationError(f"The 'measure' option must be a table column. Got {measure!r}.")
    against = against or best_baseline(
        table,
        method=method,
        measure=measure,
        ward_code=ward_code,
        same_resolution=same_resolution,
    )
    t = table[table[c.WARD_CODE] == ward_code]
    a = t[t["method"] == method].set_index("test_month")
    b = t[t["method"] == against].set_index("test_month")
    if a.empty or b.empty:
        raise ValidationError(f"the table has no rows for {method!r} and {against!r}")
    months = sorted(set(a.index) & set(b.index))
    sa = a.loc[months, "area_share"].to_numpy(dtype=float)
    sb = b.loc[months, "area_share"].to_numpy(dtype=float)
    if abs(sb.mean() - sa.mean()) > AREA_TOLERANCE * sa.mean():
        raise ValidationError(
            f"{against} marks {100 * sb.mean():.2f} % of the area and {method} "
            f"{100 * sa.mean():.2f} %: compare methods only at the same area"
        )
    va = a.loc[months, measure].to_numpy(dtype=float)
    vb = b.loc[months, measure].to_numpy(dtype=float)
    d = va - vb
    ok = ~np.isnan(d)
    frame = pd.DataFrame(
        {
            "test_month": months,
            "method": va,
            "against": vb,
            "difference": d,
            "area_share_method": sa,
            "area_share_against": sb,
        }
    )
    n = int(ok.sum())
    mean = float(d[ok].mean()) if n else math.nan
    low = high = math.nan
    if n >= 2:
        half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * float(d[ok].std(ddof=1)) / math.sqrt(n)
        low, high = mean - half, mean + half
    return PairedDifference(
        method, against, measure, frame, mean, low, high, int((d[ok] > 0).sum()), n, level
    )

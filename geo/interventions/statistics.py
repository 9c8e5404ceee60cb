"""Before/after statistics: dispersion, relative effect with its interval, WDQ, net effect.

Pure functions of counts (no frames): :mod:`geo.interventions.displacement` applies them to
the counts of an intervention's target, ring and control.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

#: Added to all four counts of the relative effect when any of them is zero
#: (Haldane-Anscombe correction), so the ratio and its interval stay finite.
CONTINUITY = 0.5

#: Fewest residual degrees of freedom (months minus one per area and window, summed over
#: the target and the control) for estimating the dispersion; below it the interval is
#: the plain Poisson one (e.g. two months in each window give 4).
MIN_DISPERSION_DF = 4


@dataclass(frozen=True)
class Dispersion:
    """Quasi-Poisson dispersion of monthly counts (Pearson chi-square / residual df).

    ``phi`` is NaN when there were fewer than :data:`MIN_DISPERSION_DF` degrees of freedom
    (``df``); :attr:`scale` is what the variance of a log ratio is multiplied by.
    """

    phi: float
    df: int

    @property
    def estimated(self) -> bool:
        """Whether there were enough months to estimate ``phi``."""
        return not math.isnan(self.phi)

    @property
    def scale(self) -> float:
        """``max(1, phi)``; 1 when not estimated (fewer months never narrow an interval)."""
        return max(1.0, self.phi) if self.estimated else 1.0


def dispersion(cells: Sequence[Sequence[int] | np.ndarray]) -> Dispersion:
    """Dispersion of monthly counts around each cell's own mean (quasi-Poisson, Pearson).

    A cell is one area in one window (target before, target after, control before,
    control after), given as its monthly counts. With one mean per cell (the Poisson
    log-linear model in which the relative effect is the area x window interaction),
    ``phi = sum over cells and months of (y - mean)**2 / mean`` divided by ``df = sum of
    (months - 1)``. Cells with no incident in any month carry no information on the
    spread and are left out of both sums. Under Poisson counts ``phi`` is about 1; police.uk
    counts at map points usually vary more from month to month (repeat locations, busy
    weeks), and a seasonal drift inside a window counts as spread too, which errs towards
    wider intervals.

    Returns
    -------
    Dispersion
        ``phi`` NaN when ``df`` < :data:`MIN_DISPERSION_DF`.

    Raises
    ------
    ValueError
        A negative or non-finite count.

    """
    chi2, df = 0.0, 0
    for cell in cells:
        y = np.asarray(cell, dtype=float)
        if (y < 0).any() or not np.isfinite(y).all():
            raise ValueError(f"monthly counts must be finite and >= 0. Got {y.tolist()}.")
        if len(y) < 2 or y.sum() == 0:
            continue
        mean = float(y.mean())
        chi2 += float(((y - mean) ** 2).sum() / mean)
        df += len(y) - 1
    if df < MIN_DISPERSION_DF:
        return Dispersion(math.nan, df)
    return Dispersion(chi2 / df, df)


@dataclass(frozen=True)
class RelativeEffect:
    """Odds-ratio style relative effect ``(Ta/Tb) / (Ca/Cb)`` with its confidence interval.

    Below 1: the target fell relative to the control; above 1: it rose. ``corrected`` says
    :data:`CONTINUITY` was added to every count because one was zero; ``widened`` is the
    factor the half-width of the log interval was multiplied by (1 for Poisson counts).
    """

    ratio: float
    low: float
    high: float
    corrected: bool
    widened: float = 1.0


def relative_effect(
    target_before: float,
    target_after: float,
    control_before: float,
    control_after: float,
    *,
    confidence: float = 0.95,
    dispersion: float = 1.0,
) -> RelativeEffect:
    """Relative effect in the target against the control, with a log-normal interval.

    ``RR = (Ta/Tb) / (Ca/Cb)``; ``var(log RR) = phi * (1/Ta + 1/Tb + 1/Ca + 1/Cb)`` with
    ``phi = max(1, dispersion)``; the interval is ``RR * exp(±z * sqrt(var))`` with ``z``
    the normal quantile for ``confidence``. ``dispersion`` 1 (the default) is the Poisson
    interval; a quasi-Poisson dispersion above 1 (see :func:`dispersion`) widens the log
    interval by ``sqrt(phi)`` and leaves the ratio unchanged. When any count is zero,
    :data:`CONTINUITY` (0.5) is added to all four first. Window lengths cancel in the
    ratio, so unequal windows need no adjustment.

    Raises
    ------
    ValueError
        A negative count, a confidence outside (0, 1) or a dispersion that is not > 0.

    """
    counts = np.array([target_after, target_before, control_after, control_before], dtype=float)
    if (counts < 0).any() or not np.isfinite(counts).all():
        raise ValueError(f"counts must be finite and >= 0. Got {counts.tolist()}.")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1). Got {confidence!r}.")
    if not (math.isfinite(dispersion) and dispersion > 0):
        raise ValueError(f"dispersion must be finite and > 0. Got {dispersion!r}.")
    corrected = bool((counts == 0).any())
    if corrected:
        counts = counts + CONTINUITY
    ta, tb, ca, cb = counts
    ratio = float((ta / tb) / (ca / cb))
    widened = math.sqrt(max(1.0, dispersion))
    se = math.sqrt(float((1.0 / counts).sum())) * widened
    z = float(norm.ppf(0.5 + confidence / 2))
    low, high = ratio * math.exp(-z * se), ratio * math.exp(z * se)
    return RelativeEffect(ratio, low, high, corrected, widened)


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

"""The Analyst page's advice on eps_m: the knee as an upper limit, and red flags of a run.

The k-distance knee (:func:`geo.evaluation.suggest_eps`) is where most map points become
core points; on crime data eps_m at or above it merges whole wards into a few hotspots. So the
page offers the knee as an upper limit and applies a value below it by :func:`below_knee`.
The red flags of the settings in use (:func:`current_red_flags`) are the sweep's
(:func:`geo.evaluation.red_flags`) measured on the run shown on the map.
"""

from __future__ import annotations

import math

import pandas as pd

from geo import columns as c
from geo import evaluation as ev
from geo.errors import ValidationError
from geo.result import PipelineResult

#: Without a usable sweep, :func:`below_knee` applies this share of the knee.
FALLBACK_SHARE = 0.5
#: Values :func:`below_knee` applies are rounded down to this step (the slider's step).
STEP_M = 5.0
#: The smallest value :func:`below_knee` applies.
LOWEST_M = 10.0


def knee_text(knee_m: float) -> str:
    """The sentence beside the k-distance plot: the knee is a limit, not the value to use."""
    return (
        f"The k-distance knee is **{knee_m:.0f} m**: eps_m above it merges whole wards into a "
        "few hotspots (most map points become core points); try values below it, and "
        "compare them in the sweep on the right and the evaluation below."
    )


def below_knee(knee_m: float, sweep: pd.DataFrame | None = None) -> float:
    """The eps_m the knee button applies: a value below the knee, by a fixed rule.

    Rule: the largest swept value strictly below the knee that raises no red flag (the
    knee's upper limit made safe; PAI alone is not used, as it favours the smallest areas);
    when the sweep has none (or there is no sweep), :data:`FALLBACK_SHARE` of the knee.
    Rounded down to :data:`STEP_M`, at least :data:`LOWEST_M`.

    Parameters
    ----------
    knee_m
        The knee of the k-distance curve, metres (> 0).
    sweep
        :func:`geo.evaluation.sweep` table (``eps_m``, ``pai``, ``red_flags``) or None.

    Returns
    -------
    float
        eps_m in metres, below ``knee_m`` whenever ``knee_m`` > :data:`LOWEST_M`.

    Raises
    ------
    ValidationError
        If ``knee_m`` is not a positive number.

    """
    if not isinstance(knee_m, int | float) or not math.isfinite(knee_m) or knee_m <= 0:
        raise ValidationError(
            f"below_knee: the knee must be a positive number of metres. Got {knee_m!r}."
        )
    value = FALLBACK_SHARE * float(knee_m)
    if sweep is not None and len(sweep):
        ok = sweep[(sweep["eps_m"] < knee_m) & (sweep["red_flags"].fillna("").astype(str) == "")]
        if len(ok):
            value = float(ok["eps_m"].max())
    return max(LOWEST_M, STEP_M * math.floor(value / STEP_M))


def current_red_flags(result: PipelineResult, *, eps_m: float, min_samples: int) -> list[str]:
    """:func:`geo.evaluation.red_flags` of one run, as the sweep computes them.

    Parameters
    ----------
    result
        A run; ``incidents`` (points in a metric CRS with ``ward_code`` and ``weight``) and
        ``hotspots`` (``ward_code``, ``n_incidents``) are read.
    eps_m, min_samples
        The run's settings (per-ward overrides are not taken into account).

    Returns
    -------
    list of str
        Plain-English flags; empty when the run looks sound or has no incidents.

    """
    incidents = result.incidents
    if len(incidents) == 0:
        return []
    kd, counts = ev.k_distance_points(incidents, k=min_samples)
    share = ev.core_share(kd, eps_m, counts=counts)
    largest = 0.0
    hotspots = result.hotspots
    if len(hotspots):
        per_ward = incidents.groupby(c.WARD_CODE).size()
        biggest = hotspots.groupby(c.WARD_CODE)[c.N_INCIDENTS].max()
        largest = float((biggest / per_ward.reindex(biggest.index)).max())
    return ev.red_flags(n_hotspots=len(hotspots), core_share=share, largest_share=largest)


def flagged_sweep_rows(sweep: pd.DataFrame) -> list[str]:
    """One line per swept eps_m with red flags: ``"eps_m 250 m: one hotspot holds ..."``."""
    rows = sweep[sweep["red_flags"].fillna("").astype(str) != ""]
    return [
        f"eps_m {float(e):.0f} m: {f}"
        for e, f in zip(rows["eps_m"], rows["red_flags"], strict=True)
    ]

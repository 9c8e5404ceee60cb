"""The Analyst page's advice on eps_m: the knee as an upper limit, and red flags of a run.

The k-distance knee (:func:`geo.evaluation.suggest_eps`) is where most map points become
core points; on crime data eps_m at or above it merges whole wards into a few hotspots. It
is only an upper limit: a value merely below it is no better supported than any other, so
the page offers no value from the knee. What it offers is the evaluated default
(:func:`default_advice`: the setting ``python -m geo tune`` chose by the written rule over
nested folds) and the evaluation on later months to compare settings. The red flags of the
settings in use (:func:`current_red_flags`) are the sweep's (:func:`geo.evaluation.red_flags`)
measured on the run shown on the map, with the share of incidents and of ward area the
hotspots take.
"""

from __future__ import annotations

import pandas as pd

from geo import columns as c
from geo import evaluation as ev
from geo.result import PipelineResult
from geo.settings import Settings


def knee_text(knee_m: float, *, k: int, window_months: int) -> str:
    """The sentence beside the k-distance plot: the knee is an upper limit, not a value."""
    months = f"{window_months} month{'s' if window_months != 1 else ''}"
    return (
        f"The k-distance knee for min_samples {k} (the evaluation's {months} fit windows) is "
        f"**{knee_m:.0f} m**. It is only an **upper limit**: at or above it most map points "
        "become core points and whole wards merge into a few hotspots. Values below it are "
        "not better for being below it; compare settings on later months in the evaluation "
        "below."
    )


def default_advice(settings: Settings) -> str | None:
    """The label of the button that applies the evaluated default, or None when in use.

    The defaults (``Settings()``: ``eps_m`` and ``min_samples_per_month``) are the setting
    ``python -m geo tune`` recommends on the shipped data (README "Choosing settings, and
    the defaults"). None when ``settings`` already cluster with them.
    """
    default = Settings()
    if (
        settings.min_samples is None
        and settings.eps_m == default.eps_m
        and settings.min_samples_per_month == default.min_samples_per_month
    ):
        return None
    return (
        f"Use the evaluated default: {default.eps_m:g} m, {default.min_samples_per_month:g} a month"
    )


def current_red_flags(result: PipelineResult, *, eps_m: float, min_samples: int) -> list[str]:
    """:func:`geo.evaluation.red_flags` of one run, as the sweep computes them.

    Parameters
    ----------
    result
        A run; ``incidents`` (points in a metric CRS with ``ward_code`` and ``weight``) and
        ``hotspots`` (``ward_code``, ``n_incidents``, ``geometry``) and ``wards``
        (``geometry``, any CRS) are read.
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
    clustered = float(hotspots[c.N_INCIDENTS].sum()) / len(incidents) if len(hotspots) else 0.0
    area = 0.0
    wards = result.wards
    if len(hotspots) and len(wards):
        ward_area = float(wards.to_crs(hotspots.crs).geometry.union_all().area)
        if ward_area > 0:
            area = float(hotspots.geometry.union_all().area) / ward_area
    return ev.red_flags(
        n_hotspots=len(hotspots),
        core_share=share,
        largest_share=largest,
        clustered_share=clustered,
        area_share=area,
    )


def flagged_sweep_rows(sweep: pd.DataFrame) -> list[str]:
    """One line per swept eps_m with red flags: ``"eps_m 250 m: one hotspot holds ..."``.

    The flags are the sweep table's own ``red_flags`` column (:func:`geo.evaluation.sweep`),
    so the banner and the table say the same.
    """
    return [
        f"eps_m {float(e):.0f} m: {f}"
        for e, f in zip(sweep["eps_m"], sweep["red_flags"], strict=True)
        if isinstance(f, str) and f
    ]

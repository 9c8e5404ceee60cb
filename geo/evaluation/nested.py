"""Nested selection of DBSCAN's settings: each test month's setting is chosen on earlier folds only.

A setting chosen on the months it is then scored on looks better than it will do on the next
month. Here every candidate setting is scored on every fold (:func:`score_candidates`), and
the setting used for a test month is chosen by a written rule (:data:`SELECTION_RULE`,
:func:`choose_setting`) from the folds whose test month comes **before** it
(:func:`nested_choices`, both in :mod:`geo.evaluation.candidates`): their fit windows and
test months all lie before the test month, so nothing of the test month is read.
:func:`nested_evaluation` then scores the chosen settings on their test months against every
baseline at the same area, beside the fixed settings on the same months, and applies the same
rule to every fold for the month after the data (:func:`geo.evaluation.recommend_setting`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import columns as c
from geo.cluster import cluster_incidents
from geo.errors import ValidationError
from geo.evaluation.candidates import (
    CANDIDATE_COLUMNS,
    MAX_AREA_SHARE,
    Candidate,
    candidate_grid,
    nested_choices,
    rule_text,
)
from geo.evaluation.compare import best_baseline
from geo.evaluation.display import evaluation_csv
from geo.evaluation.evaluate import evaluate_run
from geo.evaluation.folds import Fold, inside_hotspots, prepare, union_by_ward
from geo.evaluation.measures import hit_rate, pai
from geo.evaluation.points import disc_hotspots
from geo.evaluation.recommend import Recommendation, recommend_setting
from geo.evaluation.report import per_month_text
from geo.evaluation.runs import check_options, prepare_run
from geo.evaluation.schema import DBSCAN, METHOD_LABELS, Evaluation
from geo.evaluation.tuning import hotspot_hulls
from geo.progress import ProgressFn
from geo.settings import Settings


def score_candidates(
    incidents: gpd.GeoDataFrame,
    wards: gpd.GeoDataFrame,
    base: Settings,
    *,
    candidates: Sequence[Candidate],
    folds: Sequence[Fold],
    progress: ProgressFn | None = None,
) -> pd.DataFrame:
    """Every candidate on every fold: DBSCAN fitted on the window, scored on the test month.

    Parameters
    ----------
    incidents, wards
        :func:`geo.evaluation.prepare` output (metric CRS): incidents with ``ward_code``,
        ``month``, ``weight``, point ``geometry``; wards with ``ward_code``, ``geometry``.
    base
        Weights and hull buffer (ward overrides are dropped: a candidate applies in every
        ward).
    candidates, folds
        What to score, where.

    Returns
    -------
    pandas.DataFrame
        One row per fold × candidate, :data:`CANDIDATE_COLUMNS`: ``test_month`` (str),
        ``eps_m`` (float), ``min_samples`` (int), ``shape`` (str), ``buffer_m`` (float, the
        hull buffer or disc radius used), ``n_hotspots`` (int),
        ``area_share`` (float, hotspot area / ward area), ``hit_rate`` (float, share of the
        test month's incidents inside), ``pai`` (float).

    """
    report = progress or (lambda _m, _f: None)
    settings = base.replace(ward_overrides={})
    months = incidents[c.MONTH].astype(str).to_numpy()
    study = float(wards.geometry.area.sum())
    pairs = sorted({(k.eps_m, k.min_samples) for k in candidates})
    rows: list[dict[str, Any]] = []
    steps, done = max(1, len(folds) * len(pairs)), 0
    for fold in folds:
        fit = incidents.loc[np.isin(months, fold.fit_months)]
        test = incidents.loc[months == fold.test_month]
        for eps, ms in pairs:
            report(f"eps_m {eps:g}, min_samples {ms} ({fold.test_month})", done / steps)
            done += 1
            clustered = cluster_incidents(fit, settings.replace(eps_m=eps, min_samples=ms))
            for k in candidates:
                if (k.eps_m, k.min_samples) != (eps, ms):
                    continue
                radius = settings.hull_buffer_m if k.buffer_m is None else k.buffer_m
                hs = hotspot_hulls(clustered, wards, hull_buffer_m=radius)
                if k.shape == "discs":
                    hs = disc_hotspots(hs, clustered, wards, radius_m=radius)
                rows.append(_score(fold, k, radius, hs, test, study))
    report("Scored", 1.0)
    return pd.DataFrame(rows, columns=list(CANDIDATE_COLUMNS))


def _score(
    fold: Fold,
    k: Candidate,
    radius: float,
    hotspots: gpd.GeoDataFrame,
    test: gpd.GeoDataFrame,
    study_m2: float,
) -> dict[str, Any]:
    unions = union_by_ward(hotspots)
    area = min(float(shapely.area(unions.to_numpy()).sum()), study_m2)
    hits = int(inside_hotspots(test, unions).sum())
    return {
        "test_month": fold.test_month,
        "eps_m": k.eps_m,
        "min_samples": k.min_samples,
        "shape": k.shape,
        "buffer_m": radius,
        "n_hotspots": len(hotspots),
        "area_share": area / study_m2,
        "hit_rate": hit_rate(hits, len(test)),
        "pai": pai(hits, len(test), area, study_m2),
    }


@dataclass(frozen=True)
class NestedResult:
    """Result of :func:`nested_evaluation`.

    Attributes
    ----------
    choices
        :func:`nested_choices`: the setting chosen for each test month.
    scores
        :func:`score_candidates`: every candidate on every fold.
    nested
        :class:`~geo.evaluation.Evaluation` of the test months that have a choice, DBSCAN at
        the chosen setting (``setting`` column) and every baseline at its area.
    fixed
        The same test months with DBSCAN at the fixed ``settings`` (hull shape).
    rule
        The selection rule in words.
    recommendation
        :func:`geo.evaluation.recommend_setting`: the rule applied to every fold, the setting
        for the month after the last test month (chosen on every reported month, so not
        itself tested); None when no candidate qualifies.

    """

    choices: pd.DataFrame
    scores: pd.DataFrame
    nested: Evaluation
    fixed: Evaluation
    rule: str
    recommendation: Recommendation | None = None


def nested_evaluation(
    raw: pd.DataFrame,
    wards: gpd.GeoDataFrame,
    settings: Settings | None = None,
    *,
    eps_values: Sequence[float] = (30, 40, 60, 80),
    min_samples_values: Sequence[int] = (5, 10, 15, 20),
    shapes: Sequence[str] = ("hull", "discs"),
    buffers: Sequence[float] | None = None,
    max_area_share: float = MAX_AREA_SHARE,
    min_history: int = 1,
    window_months: int = 3,
    test_months: Sequence[str] | None = None,
    fit_months: Sequence[str] | None = None,
    fine_baselines: bool = True,
    grid_m: float = 50.0,
    kernel: str = "quartic",
    bandwidth_m: float = 50.0,
    fine_grid_m: float = 25.0,
    fine_bandwidth_m: float = 25.0,
    permutations: int = 999,
    seed: int = 0,
    progress: ProgressFn | None = None,
) -> NestedResult:
    """Out-of-sample evaluation of settings chosen by the written rule on earlier folds only.

    Every candidate (:func:`candidate_grid`, with ``buffers`` the hull buffers or disc radii
    to try; default the settings' own) is scored on every fold; for each test month the
    rule (:func:`choose_setting`, area share at most ``max_area_share``) picks a setting
    from the folds before it (at least ``min_history`` of them); DBSCAN with that setting is
    then evaluated on the test month against every baseline at its area
    (:func:`geo.evaluation.evaluate_methods` options, including ``test_months`` and
    ``fit_months`` for explicit folds), beside the fixed ``settings`` on the same months.
    Last, the rule applied to every fold gives the recommendation for the month after the
    data (:attr:`NestedResult.recommendation`, ``min_samples`` stated per month over
    ``window_months``).

    Returns
    -------
    NestedResult

    """
    base = (settings or Settings()).replace(ward_overrides={})
    report = progress or (lambda _m, _f: None)
    if isinstance(min_history, bool) or not isinstance(min_history, int) or min_history < 1:
        raise ValidationError(
            f"The 'min_history' option must be a whole number >= 1. Got {min_history!r}."
        )
    if not 0 < max_area_share <= 1:
        raise ValidationError(
            f"The 'max_area_share' option must be > 0 and <= 1. Got {max_area_share!r}."
        )
    check_options(naive_months=1, window_months=window_months, shape="hull")
    candidates = candidate_grid(eps_values, min_samples_values, shapes, buffers=buffers, base=base)
    report("Checking incidents", 0.0)
    incidents, metric_wards = prepare(raw, wards, base)
    run = prepare_run(
        incidents,
        metric_wards,
        window_months=window_months,
        grid_m=grid_m,
        kernel=kernel,
        bandwidth_m=bandwidth_m,
        gi_radius_m=None,
        naive_months=1,
        permutations=permutations,
        seed=seed,
        fine_baselines=fine_baselines,
        fine_grid_m=fine_grid_m,
        fine_bandwidth_m=fine_bandwidth_m,
        hull_buffer_m=base.hull_buffer_m,
        test_months=test_months,
        fit_months=fit_months,
    )
    scores = score_candidates(
        run.incidents,
        metric_wards,
        base,
        candidates=candidates,
        folds=run.folds,
        progress=lambda m, f: report(m, 0.05 + 0.55 * f),
    )
    choices = nested_choices(
        scores, run.folds, max_area_share=max_area_share, min_history=min_history
    )
    chosen = choices.dropna(subset=["eps_m"]).set_index("test_month")
    if chosen.empty:
        raise ValidationError(
            f"no test month has a setting chosen from {min_history} earlier fold(s) with the "
            f"rule ({rule_text(max_area_share)}); use more months or a larger area share"
        )
    out_of_sample = dataclasses.replace(
        run, folds=[f for f in run.folds if f.test_month in chosen.index]
    )

    picks = {
        str(m): Candidate(float(e), int(n), str(sh), float(b))
        for m, e, n, sh, b in zip(
            chosen.index,
            chosen["eps_m"],
            chosen["min_samples"],
            chosen["shape"],
            chosen["buffer_m"],
            strict=True,
        )
    }

    def pick(fold: Fold) -> tuple[Settings, str]:
        k = picks[fold.test_month]
        return k.settings(base), k.shape

    def stage(lo: float, hi: float) -> ProgressFn:
        return lambda m, f: report(m, lo + (hi - lo) * f)

    nested = evaluate_run(out_of_sample, pick, progress=stage(0.6, 0.8))
    fixed_settings = settings or Settings()
    fixed = evaluate_run(
        out_of_sample, lambda _f: (fixed_settings, "hull"), progress=stage(0.8, 1.0)
    )
    recommendation = recommend_setting(
        scores,
        window_months=window_months,
        max_area_share=max_area_share,
        min_history=min_history,
    )
    return NestedResult(choices, scores, nested, fixed, rule_text(max_area_share), recommendation)


def nested_months(result: NestedResult, *, same_resolution: bool = True) -> pd.DataFrame:
    """Each out-of-sample test month as people read it: what was chosen, from what, and PAI.

    Parameters
    ----------
    result
        From :func:`nested_evaluation`.
    same_resolution
        Compare with the best other method that also marks the same kind of shape
        (:func:`geo.evaluation.best_baseline`); otherwise with the best at any resolution.

    Returns
    -------
    pandas.DataFrame
        One row per test month that had a choice: ``Test month``, ``Chosen from`` (the earlier
        test months the rule read, e.g. ``2018-06 to 2018-08``), ``Setting chosen``
        (``eps_m`` and ``min_samples`` per fit window), ``DBSCAN PAI`` and, when a method
        marked the same area, the PAI of the best such method (the column named after it),
        as text.

    """
    table = result.nested.table
    try:
        against: str | None = best_baseline(table, measure="pai", same_resolution=same_resolution)
    except ValidationError:  # no other method marked DBSCAN's area
        against = None
    methods = [DBSCAN] if against is None else [DBSCAN, against]
    pais = per_month_text(table, methods=methods).set_index("Month")
    months = [str(m) for m in result.choices["test_month"]]
    rows = []
    for i, row in enumerate(result.choices.to_dict(orient="records")):
        month = str(row["test_month"])
        if month not in pais.index or not isinstance(row["shape"], str):
            continue
        read = months[:i][-int(row["n_history"]) :] if int(row["n_history"]) else []
        rows.append(
            {
                "Test month": month,
                "Chosen from": read[0] if len(read) == 1 else f"{read[0]} to {read[-1]}",
                "Setting chosen": f"{row['eps_m']:g} m / {int(row['min_samples'])}",
            }
            | {
                f"{label} PAI" if m != DBSCAN else "DBSCAN PAI": str(pais.at[month, label])
                for m in methods
                for label in [METHOD_LABELS.get(m, m)]
            }
        )
    return pd.DataFrame(rows)


def write_nested(out_dir: str | Path, result: NestedResult) -> dict[str, Path]:
    """Write the nested selection's tables (CSV) into ``out_dir`` (created if needed).

    Files: ``nested_choices.csv`` (:attr:`NestedResult.choices`), ``nested_scores.csv``
    (every candidate on every fold), ``nested_evaluation.csv`` and ``nested_fixed.csv``
    (evaluation tables of the chosen and the fixed settings on the same test months) and,
    when there is one, ``recommended.toml`` (:meth:`Recommendation.toml`: the setting for the
    next month as a settings snippet, its evidence in comments). No incident-level data is
    written.
    """
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValidationError(f"{out}: cannot create output folder ({exc.strerror})") from None
    frames = {
        "nested_choices": result.choices,
        "nested_scores": result.scores,
        "nested_evaluation": result.nested.table,
        "nested_fixed": result.fixed.table,
    }
    paths = {}
    for key, frame in frames.items():
        paths[key] = out / f"{key}.csv"
        paths[key].write_text(evaluation_csv(frame), encoding="utf-8")
    if result.recommendation is not None:
        paths["recommended"] = out / "recommended.toml"
        paths["recommended"].write_text(result.recommendation.toml(), encoding="utf-8")
    return paths

"""Hotspot maps judged on later months: hit rate, PAI, PEI, RRI, baselines at equal area, stability.

Rolling-origin evaluation (Chainey, Tompson & Uhlig 2008): fit each method on a window of past
months, count how many incidents of the following month fall inside what it marked, and move
the window on by one month. Every method marks the same area as DBSCAN in each ward (the "area
budget"), so hit rates and PAIs can be compared directly.

This module runs the evaluation (:func:`evaluate_methods`). The measures and the table rows
built from them live in :mod:`geo.evaluation.measures`, folds and hotspot areas in
:mod:`geo.evaluation.folds`, method names, columns and :class:`Evaluation` in
:mod:`geo.evaluation.schema`, stability in :mod:`geo.evaluation.stability` and summaries,
plots and files in :mod:`geo.evaluation.report`; :mod:`geo.evaluation` offers them all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import columns as c
from geo.evaluation.baselines import (
    gi_star,
    kernel_density,
    select_cells,
    select_cells_study,
)
from geo.evaluation.folds import (
    Fold,
    fit_dbscan,
    hotspot_area_by_ward,
    inside_hotspots,
    prepare,
)
from geo.evaluation.measures import FoldContext
from geo.evaluation.points import MapPoints, select_discs
from geo.evaluation.report import (
    summarise_evaluation,
)
from geo.evaluation.runs import Cells, Run, check_options, prepare_run, setting_label
from geo.evaluation.schema import (
    DBSCAN,
    EVALUATION_COLUMNS,
    GI_STAR,
    KDE,
    KDE_FINE,
    KDE_FINE_STUDY,
    KDE_SHIFT,
    KDE_STUDY,
    NAIVE,
    NAIVE_SHIFT,
    POINTS,
    POINTS_STUDY,
    Evaluation,
)
from geo.evaluation.scores import with_scores
from geo.evaluation.stability import hotspot_stability
from geo.progress import ProgressFn
from geo.settings import Settings

__all__ = [
    "evaluate_methods",
    "setting_label",
]


# --- rolling-origin evaluation ------------------------------------------------------------
def evaluate_methods(
    raw: pd.DataFrame,
    wards: gpd.GeoDataFrame,
    settings: Settings | None = None,
    *,
    window_months: int = 3,
    grid_m: float = 50.0,
    kernel: str = "quartic",
    bandwidth_m: float = 50.0,
    gi_radius_m: float | None = None,
    naive_months: int = 1,
    permutations: int = 999,
    seed: int = 0,
    fine_baselines: bool = False,
    fine_grid_m: float = 25.0,
    fine_bandwidth_m: float = 25.0,
    shape: str = "hull",
    test_months: Sequence[str] | None = None,
    fit_months: Sequence[str] | None = None,
    progress: ProgressFn | None = None,
) -> Evaluation:
    """Rolling-origin evaluation of DBSCAN hotspots against baselines at the same area.

    For each fold (:func:`rolling_folds`, or ``folds``), DBSCAN is fitted on the window's
    incidents with ``settings``; its hotspot area in each ward is the budget the other methods
    match with :func:`select_cells`: kernel density at cell centres from the window's incidents
    (:func:`kernel_density`); Gi* z-scores of the window's counts per cell (:func:`gi_star`,
    neighbours within ``gi_radius_m``, default 1.5 × ``grid_m`` = queen); and the busiest
    cells of the last ``naive_months`` of the window (ties broken by the whole window's count;
    nothing when those months are empty). Every method uses the category weights, as DBSCAN
    does; hits are counted in incidents and in weights (``hit_rate``, ``hit_rate_w``).

    With ``fine_baselines`` the baselines at DBSCAN's resolution are added: kernel density on
    ``fine_grid_m`` cells (``fine_bandwidth_m``), the window's busiest map points each with
    a disc of DBSCAN's ``hull_buffer_m`` (:func:`geo.evaluation.points.select_discs`), both
    also with one study-wide area budget, kernel density with a study-wide budget on the
    coarse grid, and kernel density and busiest cells on the coarse grid shifted by half a
    cell (grid-offset sensitivity).

    Every row carries PEI against the best map of the same area and resolution (the test
    month's own busiest cells of the method's grid, or its busiest map points with discs for
    DBSCAN and the map-point baseline), named in ``resolution``.

    Parameters
    ----------
    raw, wards
        Raw incident rows and ward boundaries as for :func:`geo.pipeline.run_pipeline`.
    settings
        Clustering settings and filters (``since``/``until``/``include``); default
        ``Settings()``.
    window_months
        Months fitted before each test month.
    grid_m
        Grid cell side in metres for the grid methods (see :func:`build_grid`).
    kernel, bandwidth_m
        Kernel density kernel (``quartic`` or ``gaussian``) and bandwidth in metres on the
        ``grid_m`` grid. The 50 m quartic kernel was the strongest of 50, 100 and 150 m on
        the shipped data (chosen on the months reported, which can only favour the baseline).
    naive_months
        Months counted by the naive method (1 = the month before the test month).
    permutations, seed
        Gi* permutations and their seed.
    fine_baselines, fine_grid_m, fine_bandwidth_m
        Add the baselines at DBSCAN's resolution described above.
    shape
        DBSCAN's hotspot shape: ``"hull"`` (the pipeline's) or ``"discs"``
        (:func:`geo.evaluation.fit_dbscan`).
    test_months, fit_months
        Explicit folds instead of rolling ones (:func:`geo.evaluation.explicit_folds`): each
        of ``test_months`` fitted on the latest ``window_months`` of ``fit_months`` (default
        the months of the data) before it; for year-on-year checks.
    progress
        Called as ``progress(message, fraction_done)``.

    Returns
    -------
    Evaluation
        With ``warnings`` for folds whose fit window is empty (skipped) or whose last month
        is empty, and for stability pairs skipped because the later window adds no incidents.

    """
    settings = settings or Settings()
    report = progress or (lambda _m, _f: None)
    check_options(naive_months=naive_months, window_months=window_months, shape=shape)
    report("Checking incidents", 0.0)
    incidents, metric_wards = prepare(raw, wards, settings)
    run = prepare_run(
        incidents,
        metric_wards,
        window_months=window_months,
        grid_m=grid_m,
        kernel=kernel,
        bandwidth_m=bandwidth_m,
        gi_radius_m=gi_radius_m,
        naive_months=naive_months,
        permutations=permutations,
        seed=seed,
        fine_baselines=fine_baselines,
        fine_grid_m=fine_grid_m,
        fine_bandwidth_m=fine_bandwidth_m,
        hull_buffer_m=settings.hull_buffer_m,
        test_months=test_months,
        fit_months=fit_months,
    )
    return evaluate_run(run, lambda _fold: (settings, shape), progress=report)


def evaluate_run(
    run: Run,
    choose: Callable[[Fold], tuple[Settings, str]],
    *,
    progress: ProgressFn | None = None,
) -> Evaluation:
    """Score every fold of ``run`` with the DBSCAN setting and shape ``choose(fold)`` gives."""
    report = progress or (lambda _m, _f: None)
    rows: list[dict[str, Any]] = []
    hotspots_by_fold: dict[str, gpd.GeoDataFrame] = {}
    for i, fold in enumerate(run.folds):
        report(f"Evaluating {fold.test_month}", i / len(run.folds))
        settings, shape = choose(fold)
        fold_rows, hs = _fold_rows(run, fold, settings, shape)
        rows += fold_rows
        hotspots_by_fold[fold.test_month] = hs
    report("Summarising", 0.98)
    table = pd.DataFrame(rows, columns=list(EVALUATION_COLUMNS))
    stability, skipped = _stability(run, hotspots_by_fold)
    report("Done", 1.0)
    return Evaluation(
        table=table,
        summary=summarise_evaluation(table),
        stability=stability,
        folds=list(run.folds),
        hotspots=hotspots_by_fold,
        options=dict(run.options),
        warnings=tuple(run.warnings + skipped),
    )


# --- one fold -------------------------------------------------------------------------------
def _fold_rows(
    run: Run, fold: Fold, settings: Settings, shape: str
) -> tuple[list[dict[str, Any]], gpd.GeoDataFrame]:
    fit = np.isin(run.months, fold.fit_months)
    test = run.months == fold.test_month
    hs = fit_dbscan(run.incidents.loc[fit], run.wards, settings, shape=shape)
    budget = hotspot_area_by_ward(hs)
    budget_map = {str(k): float(v) for k, v in budget.items()}
    total = float(sum(budget_map.values()))
    ctx = FoldContext(fold, run.ward_of, fit, test, run.ward_area, run.names, budget)
    label = setting_label(settings, shape)
    points = run.points_at(settings.hull_buffer_m)
    disc_res = f"{points.radius_m:g} m discs at map points"

    def scored(
        method: str,
        inside: np.ndarray,
        area: pd.Series,
        n_areas: pd.Series,
        where: Cells | MapPoints,
        allocation: str = "ward",
        sig: pd.Series | None = None,
    ) -> list[dict[str, Any]]:
        best, best_w = _best(run, where, test, area)
        res = where.resolution if isinstance(where, Cells) else disc_res
        return with_scores(
            ctx.rows(method, inside, area, n_areas, sig),
            wards=run.ward_of,
            test=test,
            weights=run.weights,
            inside=inside,
            best=best,
            best_w=best_w,
            resolution=res,
            allocation=allocation,
            setting=label,
        )

    n_hs = hs[c.WARD_CODE].astype(str).value_counts()
    rows = scored(DBSCAN, inside_hotspots(run.incidents, hs), budget, n_hs, points)

    w = run.weights
    grids: list[tuple[Cells, dict[str, str], float]] = [
        (run.coarse, {KDE: "ward", GI_STAR: "ward", NAIVE: "ward"}, run.options["bandwidth_m"])
    ]
    if run.fine is not None and run.shifted is not None:
        grids[0][1][KDE_STUDY] = "study"
        grids.append((run.shifted, {KDE_SHIFT: "ward", NAIVE_SHIFT: "ward"}, grids[0][2]))
        grids.append(
            (run.fine, {KDE_FINE: "ward", KDE_FINE_STUDY: "study"}, run.options["fine_bandwidth_m"])
        )
    for cells, methods, bandwidth in grids:
        grid = cells.grid
        dens = kernel_density(
            run.xy[fit], w[fit], cells.cell_xy, bandwidth_m=bandwidth, kernel=run.options["kernel"]
        )
        window = _piece_sums(cells.inc_piece, fit, w, len(grid))
        recent_months = fold.fit_months[-run.options["naive_months"] :]
        recent = _piece_sums(
            cells.inc_piece, fit & np.isin(run.months, recent_months), w, len(grid)
        )
        for method, allocation in methods.items():
            sig = None
            if method == GI_STAR:
                sel = fit & (cells.inc_cell_pos >= 0)
                counts = np.bincount(
                    cells.inc_cell_pos[sel], weights=w[sel], minlength=cells.n_cells
                )
                z, p = gi_star(
                    counts,
                    run.w_gi,
                    permutations=run.options["permutations"],
                    seed=run.options["seed"],
                )
                score, tie = z[cells.grid_pos], counts[cells.grid_pos]
                hot = pd.Series(
                    (p[cells.grid_pos] <= 0.05) & (z[cells.grid_pos] > 0), index=grid.index
                )
            elif method in (NAIVE, NAIVE_SHIFT):
                score, tie = recent, window
            else:
                score, tie = dens[cells.grid_pos], None
            if method in (NAIVE, NAIVE_SHIFT) and not recent.any():
                chosen = np.zeros(len(grid), dtype=bool)  # an empty last month marks nothing
            elif allocation == "study":
                chosen = select_cells_study(grid, score, total, tie_break=tie)
            else:
                chosen = select_cells(grid, score, budget_map, tie_break=tie)
            chosen_grid = grid.loc[chosen]
            if method == GI_STAR:
                sig = hot[chosen].groupby(chosen_grid[c.WARD_CODE]).mean()
            area = chosen_grid.groupby(c.WARD_CODE)["area_m2"].sum()
            n_cells = chosen_grid[c.WARD_CODE].value_counts()
            rows += scored(method, cells.covers(chosen), area, n_cells, cells, allocation, sig)

    if run.fine is not None:
        fit_counts = points.counts(fit, w)
        for method, allocation in ((POINTS, "ward"), (POINTS_STUDY, "study")):
            budget_arg: dict[str, float] | float = budget_map if allocation == "ward" else total
            unions = select_discs(points, fit_counts, budget_arg)
            area = pd.Series({k: float(g.area) for k, g in unions.items()}, dtype=float)
            marked = _points_marked(points, unions, fit_counts)
            rows += scored(method, points.covered(unions), area, marked, points, allocation)
    return rows, hs


def _points_marked(points: MapPoints, unions: dict[str, Any], scores: np.ndarray) -> pd.Series:
    """Map points with fit-window incidents inside the marked discs, per ward."""
    out = {}
    for code, geom in unions.items():
        rows = np.flatnonzero((points.ward_code == code) & (scores > 0))
        out[code] = int(np.sum(shapely.covers(geom, shapely.points(points.xy[rows]))))
    return pd.Series(out, dtype="int64")


def _best(
    run: Run, where: Cells | MapPoints, test: np.ndarray, area: pd.Series
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Per incident: inside the best map of ``area`` at this resolution (per ward, study-wide).

    The best map is the test month's own busiest cells (or map points with discs) until the
    same area, by incidents and by weights.
    """
    area_map = {str(k): float(v) for k, v in area.items() if v > 0}
    total = float(sum(area_map.values()))
    out = []
    for weights in (np.ones(len(test)), run.weights):
        if isinstance(where, Cells):
            score = _piece_sums(where.inc_piece, test, weights, len(where.grid))
            ward = where.covers(select_cells(where.grid, score, area_map))
            study = where.covers(select_cells_study(where.grid, score, total))
        else:
            score = where.counts(test, weights)
            ward = where.covered(select_discs(where, score, area_map))
            study = where.covered(select_discs(where, score, total))
        out.append((ward, study))
    return out[0], out[1]


def _stability(run: Run, hotspots: dict[str, gpd.GeoDataFrame]) -> tuple[pd.DataFrame, list[str]]:
    """Stability between consecutive folds whose later window adds incidents."""
    have = set(run.months)
    parts, skipped = [], []
    for a, b in zip(run.folds, run.folds[1:], strict=False):
        if have.intersection(b.fit_months) <= have.intersection(a.fit_months):
            skipped.append(
                f"Stability {a.label} -> {b.label} not measured: the later window adds no "
                "incidents, so its hotspots can only repeat."
            )
            continue
        pair = [(a.label, hotspots[a.test_month]), (b.label, hotspots[b.test_month])]
        parts.append(hotspot_stability(pair, run.wards))
    if not parts:
        return hotspot_stability([], run.wards), skipped
    return pd.concat(parts, ignore_index=True), skipped


def _piece_sums(piece: np.ndarray, mask: np.ndarray, w: np.ndarray, n: int) -> np.ndarray:
    ok = mask & (piece >= 0)
    out: np.ndarray = np.bincount(piece[ok], weights=w[ok], minlength=n)
    return out

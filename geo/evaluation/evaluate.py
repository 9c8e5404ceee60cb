"""Hotspot maps judged on later months: hit rate, PAI, RRI, grid baselines at equal area, stability.

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

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import columns as c
from geo.errors import ValidationError
from geo.evaluation.baselines import (
    build_grid,
    cell_keys,
    gi_star,
    grid_weights,
    kernel_density,
    select_cells,
)
from geo.evaluation.folds import (
    fit_dbscan,
    hotspot_area_by_ward,
    inside_hotspots,
    prepare,
    rolling_folds,
)
from geo.evaluation.measures import FoldContext
from geo.evaluation.report import (
    summarise_evaluation,
)
from geo.evaluation.schema import (
    DBSCAN,
    EVALUATION_COLUMNS,
    GI_STAR,
    KDE,
    NAIVE,
    Evaluation,
)
from geo.evaluation.stability import hotspot_stability
from geo.progress import ProgressFn
from geo.settings import Settings

__all__ = [
    "evaluate_methods",
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
    progress: ProgressFn | None = None,
) -> Evaluation:
    """Rolling-origin evaluation of DBSCAN hotspots against three grid baselines.

    For each fold (:func:`rolling_folds`), DBSCAN is fitted on the window's incidents with
    ``settings``; its hotspot area in each ward is the budget the other methods match with
    :func:`select_cells`: kernel density at cell centres from the window's incidents
    (:func:`kernel_density`); Gi* z-scores of the window's counts per cell (:func:`gi_star`,
    neighbours within ``gi_radius_m``, default 1.5 × ``grid_m`` = queen); and the busiest
    cells of the last ``naive_months`` of the window (ties broken by the whole window's count).
    Every method uses the category weights, as DBSCAN does; hits count incidents.

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
        Kernel density kernel (``quartic`` or ``gaussian``) and bandwidth in metres. The
        default 50 m quartic kernel was the strongest kernel density baseline on the shipped
        data (100 m and 150 m spread the density over too much empty street).
    naive_months
        Months counted by the naive method (1 = the month before the test month).
    permutations, seed
        Gi* permutations and their seed.
    progress
        Called as ``progress(message, fraction_done)``.

    Returns
    -------
    Evaluation

    """
    settings = settings or Settings()
    report = progress or (lambda _m, _f: None)
    if isinstance(naive_months, bool) or not isinstance(naive_months, int):
        raise ValidationError(f"The 'naive_months' option must be whole. Got {naive_months!r}.")
    if not 1 <= naive_months <= window_months:
        raise ValidationError(
            f"The 'naive_months' option must be 1..window_months ({window_months}). "
            f"Got {naive_months}."
        )
    report("Checking incidents", 0.0)
    incidents, metric_wards = prepare(raw, wards, settings)
    folds = rolling_folds(incidents[c.MONTH].astype(str), window_months=window_months)
    grid = build_grid(metric_wards, grid_m=grid_m)
    radius = 1.5 * grid_m if gi_radius_m is None else gi_radius_m
    cells = grid.drop_duplicates("cell").sort_values("cell", kind="stable")
    cell_xy = cells[["centre_x", "centre_y"]].to_numpy(dtype=float)
    w_gi = grid_weights(cell_xy, radius_m=radius)
    grid_pos = pd.Index(cells["cell"].to_numpy()).get_indexer(grid["cell"].to_numpy())

    ward_area = metric_wards.set_index(c.WARD_CODE).geometry.area.astype(float)
    names = metric_wards.set_index(c.WARD_CODE)[c.WARD_NAME].astype(str)
    px, py = incidents.geometry.x.to_numpy(), incidents.geometry.y.to_numpy()
    inc_cells = cell_keys(px, py, grid_m=grid_m)
    inc_wards = incidents[c.WARD_CODE].astype(str).to_numpy()
    inc_months = incidents[c.MONTH].astype(str).to_numpy()
    inc_w = incidents[c.WEIGHT].to_numpy(dtype=float)
    piece_index = pd.MultiIndex.from_arrays([grid[c.WARD_CODE].to_numpy(), grid["cell"].to_numpy()])
    inc_piece = piece_index.get_indexer(pd.MultiIndex.from_arrays([inc_wards, inc_cells]))
    inc_cell_pos = pd.Index(cells["cell"].to_numpy()).get_indexer(inc_cells)  # -1: no cell

    slim = [c.WARD_CODE, c.WARD_NAME, c.MONTH, c.CATEGORY, c.WEIGHT, "geometry"]
    rows: list[dict[str, Any]] = []
    hotspots_by_fold: dict[str, gpd.GeoDataFrame] = {}
    for i, fold in enumerate(folds):
        report(f"Evaluating {fold.test_month}", i / len(folds))
        fit = np.isin(inc_months, fold.fit_months)
        test = inc_months == fold.test_month
        hs = fit_dbscan(incidents.loc[fit, slim], metric_wards, settings)
        hotspots_by_fold[fold.test_month] = hs
        budget = hotspot_area_by_ward(hs)
        budget_map = {str(k): float(v) for k, v in budget.items()}
        inside = inside_hotspots(incidents, hs)
        n_hs = hs[c.WARD_CODE].astype(str).value_counts()
        ctx = FoldContext(fold, inc_wards, fit, test, ward_area, names, budget)
        rows += ctx.rows(DBSCAN, inside, budget, n_hs)

        # per-cell weighted counts of the window (whole cells, every ward)
        sel = fit & (inc_cell_pos >= 0)
        counts = np.bincount(inc_cell_pos[sel], weights=inc_w[sel], minlength=len(cells))
        dens = kernel_density(
            np.column_stack([px[fit], py[fit]]),
            inc_w[fit],
            cell_xy,
            bandwidth_m=bandwidth_m,
            kernel=kernel,
        )
        z, p = gi_star(counts, w_gi, permutations=permutations, seed=seed)
        recent = np.isin(inc_months, fold.fit_months[-naive_months:])
        piece_recent = _piece_sums(inc_piece, fit & recent, inc_w, len(grid))
        piece_window = _piece_sums(inc_piece, fit, inc_w, len(grid))
        grid_scores = {
            KDE: (dens[grid_pos], None),
            GI_STAR: (z[grid_pos], counts[grid_pos]),
            NAIVE: (piece_recent, piece_window),
        }
        for method, (score, tie) in grid_scores.items():
            chosen = select_cells(grid, score, budget_map, tie_break=tie)
            inside_m = np.zeros(len(incidents), dtype=bool)
            ok = inc_piece >= 0
            inside_m[ok] = chosen[inc_piece[ok]]
            chosen_grid = grid.loc[chosen]
            area_m = chosen_grid.groupby(c.WARD_CODE)["area_m2"].sum()
            n_cells = chosen_grid[c.WARD_CODE].value_counts()
            sig = None
            if method == GI_STAR:
                hot = pd.Series((p[grid_pos] <= 0.05) & (z[grid_pos] > 0), index=grid.index)
                sig = hot[chosen].groupby(chosen_grid[c.WARD_CODE]).mean()
            rows += ctx.rows(method, inside_m, area_m, n_cells, sig)
    report("Summarising", 0.98)
    table = pd.DataFrame(rows, columns=list(EVALUATION_COLUMNS))
    stability = hotspot_stability(
        [(f.label, hotspots_by_fold[f.test_month]) for f in folds], metric_wards
    )
    report("Done", 1.0)
    return Evaluation(
        table=table,
        summary=summarise_evaluation(table),
        stability=stability,
        folds=folds,
        hotspots=hotspots_by_fold,
        options={
            "window_months": window_months,
            "grid_m": grid_m,
            "kernel": kernel,
            "bandwidth_m": bandwidth_m,
            "gi_radius_m": radius,
            "naive_months": naive_months,
            "permutations": permutations,
            "seed": seed,
        },
    )


def _piece_sums(piece: np.ndarray, mask: np.ndarray, w: np.ndarray, n: int) -> np.ndarray:
    ok = mask & (piece >= 0)
    out: np.ndarray = np.bincount(piece[ok], weights=w[ok], minlength=n)
    return out

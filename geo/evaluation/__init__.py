"""Hotspots judged on later months: folds, measures, baselines, tuning, reports."""

from geo.evaluation.baselines import (
    build_grid,
    cell_keys,
    gi_star,
    grid_weights,
    kernel_density,
    select_cells,
)
from geo.evaluation.display import (
    WARD_TABLE_COLUMNS,
    evaluation_csv,
    stability_overview,
    ward_table,
)
from geo.evaluation.evaluate import evaluate_methods
from geo.evaluation.folds import Fold, fit_dbscan, inside_hotspots, prepare, rolling_folds
from geo.evaluation.kdistance import (
    chord_knee,
    core_share,
    k_distance,
    k_distance_points,
    k_distance_table,
    red_flags,
    suggest_eps,
)
from geo.evaluation.measures import area_share, hit_rate, pai, rri
from geo.evaluation.plots import plot_k_distance, plot_sweep
from geo.evaluation.report import (
    markdown_table,
    plot_pai_by_method,
    summarise_evaluation,
    summary_text,
    write_evaluation,
)
from geo.evaluation.schema import ALL_WARDS, METHOD_LABELS, METHODS, Evaluation
from geo.evaluation.stability import hotspot_stability
from geo.evaluation.tuning import SWEEP_COLUMNS, hotspot_hulls, sweep

__all__ = [
    "ALL_WARDS",
    "METHODS",
    "METHOD_LABELS",
    "SWEEP_COLUMNS",
    "WARD_TABLE_COLUMNS",
    "Evaluation",
    "Fold",
    "area_share",
    "build_grid",
    "cell_keys",
    "chord_knee",
    "core_share",
    "evaluate_methods",
    "evaluation_csv",
    "fit_dbscan",
    "gi_star",
    "grid_weights",
    "hit_rate",
    "hotspot_hulls",
    "hotspot_stability",
    "inside_hotspots",
    "k_distance",
    "k_distance_points",
    "k_distance_table",
    "kernel_density",
    "markdown_table",
    "pai",
    "plot_k_distance",
    "plot_pai_by_method",
    "plot_sweep",
    "prepare",
    "red_flags",
    "rolling_folds",
    "rri",
    "select_cells",
    "stability_overview",
    "suggest_eps",
    "summarise_evaluation",
    "summary_text",
    "sweep",
    "ward_table",
    "write_evaluation",
]

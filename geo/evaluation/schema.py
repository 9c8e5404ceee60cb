"""Names the evaluation modules share: methods, study-wide rows, table columns, the result."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd

from geo import columns as c
from geo.evaluation.folds import Fold

DBSCAN = "dbscan"  #: this project's ward-bounded DBSCAN hotspots
KDE = "kde"  #: kernel density on a grid, top cells
GI_STAR = "gi_star"  #: Getis-Ord Gi* z-scores on a grid, top cells
NAIVE = "naive"  #: last period's busiest grid cells
METHODS: tuple[str, ...] = (DBSCAN, KDE, GI_STAR, NAIVE)
KDE_SHIFT = "kde_shift"  #: kernel density on the grid shifted by half a cell
NAIVE_SHIFT = "naive_shift"  #: last period's busiest cells of the shifted grid
KDE_STUDY = "kde_study"  #: kernel density, top cells of the whole study area
KDE_FINE = "kde_fine"  #: kernel density on fine cells (DBSCAN's resolution)
POINTS = "points"  #: the fit window's busiest map points, each with a disc
KDE_FINE_STUDY = "kde_fine_study"  #: kernel density on fine cells, study-wide budget
POINTS_STUDY = "points_study"  #: busiest map points with discs, study-wide budget
#: Baselines at DBSCAN's resolution, grid-offset sensitivity and study-wide budgets.
FINE_METHODS: tuple[str, ...] = (
    KDE_FINE,
    POINTS,
    KDE_FINE_STUDY,
    POINTS_STUDY,
    KDE_STUDY,
    KDE_SHIFT,
    NAIVE_SHIFT,
)
ALL_METHODS: tuple[str, ...] = METHODS + FINE_METHODS
METHOD_LABELS: Mapping[str, str] = {
    DBSCAN: "DBSCAN hotspots",
    KDE: "Kernel density",
    GI_STAR: "Getis-Ord Gi*",
    NAIVE: "Last month's busiest cells",
    KDE_FINE: "Kernel density, fine cells",
    POINTS: "Busiest map points, discs",
    KDE_FINE_STUDY: "Kernel density, fine cells, study-wide",
    POINTS_STUDY: "Busiest map points, discs, study-wide",
    KDE_STUDY: "Kernel density, study-wide",
    KDE_SHIFT: "Kernel density, grid shifted half a cell",
    NAIVE_SHIFT: "Last month's busiest cells, grid shifted half a cell",
}
ALL_WARDS = "all"  #: ``ward_code`` of the study-wide rows
ALL_WARDS_NAME = "All wards"

#: Columns of :attr:`Evaluation.table`, one row per test month, method and ward.
EVALUATION_COLUMNS: tuple[str, ...] = (
    "test_month",
    "fit_first",
    "fit_last",
    "method",
    c.WARD_CODE,
    c.WARD_NAME,
    "n_test",
    "n_hits",
    "hit_rate",
    "area_m2",
    "budget_m2",
    "study_area_m2",
    "area_share",
    "pai",
    "n_fit",
    "n_fit_hits",
    "rri",
    "n_areas",
    "share_significant",
    "n_test_w",
    "n_hits_w",
    "hit_rate_w",
    "pai_w",
    "resolution",
    "best_hits",
    "pei",
    "best_hits_w",
    "pei_w",
    "allocation",
    "setting",
)

#: Measures summarised per method and ward (mean, std, min, max over the test months).
SUMMARY_MEASURES: tuple[str, ...] = (
    "hit_rate",
    "pai",
    "rri",
    "area_share",
    "hit_rate_w",
    "pai_w",
    "pei",
    "pei_w",
)


@dataclass(frozen=True)
class Evaluation:
    """Result of :func:`geo.evaluation.evaluate_methods`.

    Attributes
    ----------
    table
        One row per test month × method × ward, plus study-wide rows (``ward_code`` "all"):
        ``test_month``, ``fit_first``, ``fit_last`` (str ``YYYY-MM``); ``method`` (str, one of
        :data:`METHODS`); ``ward_code``, ``ward_name`` (str); ``n_test`` (int, incidents in
        the test month, N); ``n_hits`` (int, of them inside the marked area, n);
        ``hit_rate`` (float, n/N); ``area_m2`` (float, marked area, a); ``budget_m2``
        (float, DBSCAN's area, which the other methods match); ``study_area_m2`` (float, ward
        area, A); ``area_share`` (a/A); ``pai`` (float); ``n_fit``, ``n_fit_hits`` (int,
        incidents of the fit window in total and inside the area); ``rri`` (float);
        ``n_areas`` (int, hotspots for DBSCAN, grid cells otherwise); ``share_significant``
        (float, Gi* only: share of the marked cells with pseudo p <= 0.05, else NaN);
        ``n_test_w``, ``n_hits_w`` (float, the same counts in category weights, the weights
        every method is fitted on), ``hit_rate_w``, ``pai_w`` (float, hit rate and PAI in
        weights); ``resolution`` (str, the shapes the method marks, e.g. "50 m cells" or
        "25 m discs at map points"); ``best_hits`` (int, the most test incidents any map of
        the same area and resolution could have held: the test month's own busiest cells or
        map points; study-wide on the "all" rows); ``pei`` (float, Predictive Efficiency
        Index n / best_hits); ``best_hits_w``, ``pei_w`` (the same in weights);
        ``allocation`` (str, "ward": DBSCAN's area in each ward, or "study": DBSCAN's total
        area anywhere); ``setting`` (str, DBSCAN's ``eps_m`` / ``min_samples`` and shape used
        in the fold). Ratios are NaN where undefined (no test incidents, no area). Counts
        ``n_*`` without ``_w`` are incidents (rows), not weights.
    summary
        :func:`geo.evaluation.summarise_evaluation` of ``table``.
    stability
        :func:`geo.evaluation.hotspot_stability` of DBSCAN hotspots between consecutive fit windows.
    folds
        The folds evaluated.
    hotspots
        DBSCAN hotspots per fold, keyed by test month.
    options
        The options used (window, grid, kernel, bandwidth, Gi* radius, permutations, seed).
    warnings
        Plain-English warnings about the folds (empty fit windows or last months, skipped
        stability pairs).

    """

    table: pd.DataFrame
    summary: pd.DataFrame
    stability: pd.DataFrame
    folds: list[Fold]
    hotspots: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

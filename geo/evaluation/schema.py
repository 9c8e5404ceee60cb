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
METHOD_LABELS: Mapping[str, str] = {
    DBSCAN: "DBSCAN hotspots",
    KDE: "Kernel density",
    GI_STAR: "Getis-Ord Gi*",
    NAIVE: "Last month's busiest cells",
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
        (float, Gi* only: share of the marked cells with pseudo p <= 0.05, else NaN).
        Ratios are NaN where undefined (no test incidents, no area). Counts are incidents
        (rows), not weights.
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

    """

    table: pd.DataFrame
    summary: pd.DataFrame
    stability: pd.DataFrame
    folds: list[Fold]
    hotspots: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)

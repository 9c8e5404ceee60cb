"""Hotspot maps judged on later months: hit rate, PAI, RRI, grid baselines at equal area, stability.

Rolling-origin evaluation (Chainey, Tompson & Uhlig 2008): fit each method on a window of past
months, count how many incidents of the following month fall inside what it marked, and move
the window on by one month. Every method marks the same area as DBSCAN in each ward (the "area
budget"), so hit rates and PAIs can be compared directly.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib.figure import Figure

from geo import columns as c
from geo.baselines import (
    build_grid,
    cell_keys,
    gi_star,
    grid_weights,
    kernel_density,
    select_cells,
)
from geo.cluster import cluster_incidents
from geo.errors import ValidationError
from geo.hotspots import summarise_hotspots
from geo.pipeline import PipelineResult, run_pipeline
from geo.settings import Settings

ProgressFn = Callable[[str, float], None]

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
MEASURES: tuple[str, ...] = ("hit_rate", "pai", "rri", "area_share")

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


# --- the measures -------------------------------------------------------------------------
def hit_rate(n_hits: float, n_total: float) -> float:
    """Hit rate n / N: the share of the period's incidents that fell inside the hotspots.

    Returns NaN when ``n_total`` is 0. Raises :class:`ValidationError` for negative counts or
    more hits than incidents.
    """
    if n_hits < 0 or n_total < 0 or n_hits > n_total:
        raise ValidationError(f"hit rate needs 0 <= hits <= incidents. Got {n_hits} of {n_total}.")
    return float(n_hits) / float(n_total) if n_total > 0 else math.nan


def area_share(area_m2: float, study_area_m2: float) -> float:
    """Area share a / A: the hotspots' area as a share of the study area (both m²)."""
    if study_area_m2 <= 0 or area_m2 < 0 or area_m2 > study_area_m2 * (1 + 1e-9):
        raise ValidationError(
            f"area share needs 0 <= hotspot area <= study area > 0. "
            f"Got {area_m2} m² of {study_area_m2} m²."
        )
    return float(area_m2) / float(study_area_m2)


def pai(n_hits: float, n_total: float, area_m2: float, study_area_m2: float) -> float:
    """Predictive Accuracy Index (Chainey, Tompson & Uhlig 2008): (n / N) / (a / A).

    ``n`` incidents of the test period inside hotspots of total area ``a`` m², out of ``N``
    incidents in a study area of ``A`` m². 1 = no better than marking places at random; PAI 10
    = the hotspots hold ten times their share of the area. NaN when ``N`` or ``a`` is 0.
    """
    hr = hit_rate(n_hits, n_total)
    share = area_share(area_m2, study_area_m2)
    if share == 0 or math.isnan(hr):
        return math.nan
    return hr / share


def rri(
    n_hits_before: float, n_total_before: float, n_hits_after: float, n_total_after: float
) -> float:
    """Recapture Rate Index (Levine 2008): (n_t2 / n_t1) / (N_t2 / N_t1).

    ``n_t1``/``n_t2`` are the incidents inside the hotspots in the fit and test periods,
    ``N_t1``/``N_t2`` all incidents in them. 1 = the hotspots keep their share of incidents;
    above 1 they recapture more than the overall change. Periods of different length cancel
    out. NaN when ``n_t1``, ``N_t1`` or ``N_t2`` is 0.
    """
    hit_rate(n_hits_before, n_total_before)  # checks the counts
    hit_rate(n_hits_after, n_total_after)
    if n_hits_before == 0 or n_total_before == 0 or n_total_after == 0:
        return math.nan
    return (float(n_hits_after) / n_hits_before) / (float(n_total_after) / n_total_before)


# --- folds --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Fold:
    """One rolling-origin step: fit on ``fit_months``, test on ``test_month`` (``YYYY-MM``)."""

    fit_months: tuple[str, ...]
    test_month: str

    @property
    def label(self) -> str:
        """The fit window as ``first..last``."""
        return f"{self.fit_months[0]}..{self.fit_months[-1]}"


def rolling_folds(months: Iterable[str], *, window_months: int = 3) -> list[Fold]:
    """Rolling-origin folds over the calendar months from the first to the last month given.

    Each fold fits on ``window_months`` consecutive months and tests on the month after them,
    for every month that has a full window before it (9 months, window 3: 6 folds). Months
    with no incidents inside the range still count as months.

    Raises
    ------
    ValidationError
        When ``window_months`` is not a whole number >= 1, or the data spans too few months.

    """
    if isinstance(window_months, bool) or not isinstance(window_months, int) or window_months < 1:
        raise ValidationError(
            f"The 'window_months' option must be a whole number >= 1. Got {window_months!r}."
        )
    ms = sorted(set(map(str, months)))
    if not ms:
        raise ValidationError("rolling-origin evaluation needs incidents; none were left to use")
    cal = [str(p) for p in pd.period_range(ms[0], ms[-1], freq="M")]
    if len(cal) <= window_months:
        raise ValidationError(
            f"rolling-origin evaluation with window_months={window_months} needs at least "
            f"{window_months + 1} months of data; the data spans {len(cal)} ({ms[0]}..{ms[-1]})"
        )
    return [Fold(tuple(cal[i - window_months : i]), cal[i]) for i in range(window_months, len(cal))]


# --- DBSCAN hotspots ----------------------------------------------------------------------
def prepare(
    raw: pd.DataFrame, wards: gpd.GeoDataFrame, settings: Settings
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Validated, projected, ward-assigned incidents of every month, and the metric wards.

    Runs :func:`geo.pipeline.run_pipeline` once (its ``since``/``until``/``include`` filters
    apply) and drops its clustering columns. Returns ``(incidents, wards)``: incidents as in
    :attr:`geo.pipeline.PipelineResult.incidents` without ``cluster``/``hotspot_id`` (and
    ``ward_code``, ``ward_name``, ``month``, ``category`` as object dtype); wards
    ``ward_code``, ``ward_name``, ``geometry`` in the metric CRS.
    """
    result: PipelineResult = run_pipeline(raw, wards, settings)
    inc = result.incidents.drop(columns=[c.CLUSTER, c.HOTSPOT_ID])
    for col in (c.WARD_CODE, c.WARD_NAME, c.MONTH, c.CATEGORY):
        inc[col] = inc[col].astype(object)  # plain objects: grouping them is much faster
    return gpd.GeoDataFrame(inc, geometry="geometry", crs=result.crs), result.wards


def fit_dbscan(
    incidents: gpd.GeoDataFrame, wards: gpd.GeoDataFrame, settings: Settings
) -> gpd.GeoDataFrame:
    """DBSCAN hotspots of ``incidents``: the pipeline's cluster and hotspot stages.

    The same hotspots as :func:`geo.pipeline.run_pipeline` with ``since``/``until`` set to
    the months of ``incidents`` (checked in the tests), without validating again. Columns as
    :func:`geo.hotspots.summarise_hotspots`.
    """
    return summarise_hotspots(cluster_incidents(incidents, settings), wards, settings)


def hotspot_area_by_ward(hotspots: gpd.GeoDataFrame) -> pd.Series:
    """Area in m² of the union of each ward's hotspot polygons (overlaps counted once).

    Returns a float Series indexed by ``ward_code`` (wards without hotspots are absent).
    """
    unions = union_by_ward(hotspots)
    return pd.Series(shapely.area(unions.to_numpy()), index=unions.index, dtype=float)


def inside_hotspots(points: gpd.GeoDataFrame, hotspots: gpd.GeoDataFrame | pd.Series) -> np.ndarray:
    """For each point, whether a hotspot polygon of its own ward covers it (edges count).

    ``points`` carry ``ward_code``; ``hotspots`` is a hotspot GeoDataFrame (``ward_code``,
    polygons) or its :func:`union_by_ward`, in the same metric CRS.
    """
    unions = union_by_ward(hotspots) if isinstance(hotspots, gpd.GeoDataFrame) else hotspots
    out = np.zeros(len(points), dtype=bool)
    if len(points) == 0 or len(unions) == 0:
        return out
    where = pd.Index(unions.index).get_indexer(points[c.WARD_CODE].astype(str).to_numpy())
    has = where >= 0
    geoms = unions.to_numpy(dtype=object)[where[has]]
    out[has] = shapely.covers(geoms, points.geometry.to_numpy()[has])
    return out


def union_by_ward(hotspots: gpd.GeoDataFrame) -> pd.Series:
    """Union of each ward's hotspot polygons: a Series of geometries indexed by ``ward_code``."""
    if hotspots.empty:
        return pd.Series([], index=pd.Index([], dtype=object), dtype=object)
    codes = hotspots[c.WARD_CODE].astype(str).to_numpy()
    geoms = hotspots.geometry.to_numpy()
    out = {code: shapely.union_all(geoms[codes == code]) for code in sorted(set(codes))}
    return pd.Series(out, dtype=object)


# --- rolling-origin evaluation ------------------------------------------------------------
@dataclass(frozen=True)
class Evaluation:
    """Result of :func:`evaluate_methods`.

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
        :func:`summarise_evaluation` of ``table``.
    stability
        :func:`hotspot_stability` of DBSCAN hotspots between consecutive fit windows.
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
        ctx = _Context(fold, inc_wards, fit, test, ward_area, names, budget)
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


@dataclass(frozen=True)
class _Context:
    """What every method's rows of one fold share."""

    fold: Fold
    wards: np.ndarray
    fit: np.ndarray
    test: np.ndarray
    ward_area: pd.Series
    names: pd.Series
    budget: pd.Series

    def rows(
        self,
        method: str,
        inside: np.ndarray,
        area: pd.Series,
        n_areas: pd.Series,
        significant: pd.Series | None = None,
    ) -> list[dict[str, Any]]:
        out = []
        tot = dict.fromkeys(("n_test", "n_hits", "n_fit", "n_fit_hits", "n_areas"), 0)
        tot_area = tot_budget = 0.0
        sig_num = sig_den = 0.0
        for code in self.ward_area.index:
            in_w = self.wards == code
            counts = {
                "n_test": int((in_w & self.test).sum()),
                "n_hits": int((in_w & self.test & inside).sum()),
                "n_fit": int((in_w & self.fit).sum()),
                "n_fit_hits": int((in_w & self.fit & inside).sum()),
                "n_areas": int(n_areas.get(code, 0)),
            }
            a = float(area.get(code, 0.0))
            b = float(self.budget.get(code, 0.0))
            s = float(significant.get(code, math.nan)) if significant is not None else math.nan
            out.append(self._row(method, str(code), str(self.names[code]), counts, a, b, s))
            for k in tot:
                tot[k] += counts[k]
            tot_area, tot_budget = tot_area + a, tot_budget + b
            if not math.isnan(s):
                sig_num, sig_den = sig_num + s * counts["n_areas"], sig_den + counts["n_areas"]
        s_all = sig_num / sig_den if sig_den else math.nan
        out.append(self._row(method, ALL_WARDS, ALL_WARDS_NAME, tot, tot_area, tot_budget, s_all))
        return out

    def _row(
        self,
        method: str,
        code: str,
        name: str,
        n: Mapping[str, int],
        area_m2: float,
        budget_m2: float,
        significant: float,
    ) -> dict[str, Any]:
        study = float(self.ward_area.sum()) if code == ALL_WARDS else float(self.ward_area[code])
        area_m2 = min(area_m2, study)
        return {
            "test_month": self.fold.test_month,
            "fit_first": self.fold.fit_months[0],
            "fit_last": self.fold.fit_months[-1],
            "method": method,
            c.WARD_CODE: code,
            c.WARD_NAME: name,
            **{k: n[k] for k in ("n_test", "n_hits", "n_fit", "n_fit_hits")},
            "hit_rate": hit_rate(n["n_hits"], n["n_test"]),
            "area_m2": area_m2,
            "budget_m2": budget_m2,
            "study_area_m2": study,
            "area_share": area_share(area_m2, study),
            "pai": pai(n["n_hits"], n["n_test"], area_m2, study),
            "rri": rri(n["n_fit_hits"], n["n_fit"], n["n_hits"], n["n_test"]),
            "n_areas": n["n_areas"],
            "share_significant": significant,
        }


def summarise_evaluation(table: pd.DataFrame) -> pd.DataFrame:
    """Mean and spread of each measure over the test months, per method and ward.

    Parameters
    ----------
    table
        :attr:`Evaluation.table`.

    Returns
    -------
    pandas.DataFrame
        One row per ``method`` × ward (methods in :data:`METHODS` order, wards by code with
        "all" last): ``method``, ``ward_code``, ``ward_name``, ``n_folds`` (int, test
        months), and for each of ``hit_rate``, ``pai``, ``rri``, ``area_share``:
        ``<measure>_mean``, ``<measure>_std`` (sample standard deviation over the months),
        ``<measure>_min``, ``<measure>_max`` (floats; months where the measure is undefined
        are left out).

    """
    keys = ["method", c.WARD_CODE, c.WARD_NAME]
    g = table.groupby(keys, sort=False)
    out = g.size().rename("n_folds").to_frame()
    for m in MEASURES:
        stats = g[m].agg(["mean", "std", "min", "max"])
        stats.columns = [f"{m}_{s}" for s in stats.columns]
        out = out.join(stats)
    out = out.reset_index()
    order = {m: i for i, m in enumerate(METHODS)}
    out["_m"] = out["method"].map(order)
    out["_w"] = out[c.WARD_CODE] == ALL_WARDS
    out = out.sort_values(["_m", "_w", c.WARD_CODE], kind="stable").drop(columns=["_m", "_w"])
    return out.reset_index(drop=True)


def summary_text(summary: pd.DataFrame, *, ward_code: str = ALL_WARDS) -> pd.DataFrame:
    """The summary of one ward as display text, "mean ± std" per measure.

    Columns: ``Method``, ``Hit rate``, ``PAI``, ``RRI``, ``Area share``, ``Months``.
    """
    s = summary[summary[c.WARD_CODE] == ward_code]

    def fmt(m: str, scale: float, digits: int, unit: str = "") -> list[str]:
        out = []
        for mean, std in zip(s[f"{m}_mean"], s[f"{m}_std"], strict=True):
            if pd.isna(mean):
                out.append("n/a")
            else:
                sd = 0.0 if pd.isna(std) else float(std)
                out.append(f"{scale * mean:.{digits}f}{unit} ± {scale * sd:.{digits}f}")
        return out

    return pd.DataFrame(
        {
            "Method": [METHOD_LABELS.get(m, m) for m in s["method"]],
            "Hit rate": fmt("hit_rate", 100, 1, " %"),
            "PAI": fmt("pai", 1, 1),
            "RRI": fmt("rri", 1, 2),
            "Area share": fmt("area_share", 100, 2, " %"),
            "Months": s["n_folds"].astype(int).to_numpy(),
        }
    )


def markdown_table(df: pd.DataFrame) -> str:
    """A plain Markdown (pipe) table of ``df``'s values, for README and terminal output."""
    head = "| " + " | ".join(map(str, df.columns)) + " |"
    sep = "|" + "|".join("---" for _ in df.columns) + "|"
    body = ["| " + " | ".join(map(str, r)) + " |" for r in df.itertuples(index=False)]
    return "\n".join([head, sep, *body])


# --- stability ----------------------------------------------------------------------------
#: Columns of :func:`hotspot_stability`.
STABILITY_COLUMNS: tuple[str, ...] = (
    "period_before",
    "period_after",
    c.WARD_CODE,
    c.WARD_NAME,
    "n_before",
    "n_after",
    "n_persisting",
    "share_persisting",
    "area_before_m2",
    "area_after_m2",
    "jaccard",
)


def hotspot_stability(
    periods: Sequence[tuple[str, gpd.GeoDataFrame]], wards: gpd.GeoDataFrame
) -> pd.DataFrame:
    """How much of each period's hotspots persists into the next period.

    Parameters
    ----------
    periods
        ``(label, hotspots)`` in time order; hotspots as :func:`fit_dbscan` returns
        (``ward_code``, polygon ``geometry``), all in the CRS of ``wards``.
    wards
        ``ward_code``, ``ward_name``.

    Returns
    -------
    pandas.DataFrame
        One row per consecutive pair × ward plus an "all" row per pair
        (:data:`STABILITY_COLUMNS`): ``n_before``/``n_after`` (int, hotspots),
        ``n_persisting`` (int, hotspots before whose polygon overlaps, with positive area, a
        hotspot after in the same ward), ``share_persisting`` (float, n_persisting /
        n_before, NaN with none before), ``area_before_m2``/``area_after_m2`` (float, union
        areas), ``jaccard`` (float, area of intersection / area of union of the two periods'
        hotspot areas; NaN when both are empty). Rolling windows overlap (a 3-month window
        shares 2 months with the next), which raises stability.

    """
    names = wards.set_index(c.WARD_CODE)[c.WARD_NAME].astype(str)
    rows: list[dict[str, Any]] = []
    for (lab_a, hs_a), (lab_b, hs_b) in itertools.pairwise(periods):
        ua, ub = _unions(hs_a), _unions(hs_b)
        tot = {"n_before": 0, "n_after": 0, "n_persisting": 0}
        tot_a = tot_b = tot_i = tot_u = 0.0
        for code in sorted(names.index):
            pa = hs_a.geometry.to_numpy()[hs_a[c.WARD_CODE].astype(str).to_numpy() == code]
            nb = int((hs_b[c.WARD_CODE].astype(str) == code).sum())
            ga = ua.get(code, shapely.Polygon())
            gb = ub.get(code, shapely.Polygon())
            persisting = int((shapely.area(shapely.intersection(pa, gb)) > 0).sum())
            inter = float(shapely.intersection(ga, gb).area)
            union = float(shapely.union(ga, gb).area)
            n = {"n_before": len(pa), "n_after": nb, "n_persisting": persisting}
            rows.append(
                _stab_row(lab_a, lab_b, code, names[code], n, ga.area, gb.area, inter, union)
            )
            for k in tot:
                tot[k] += n[k]
            tot_a, tot_b, tot_i, tot_u = (
                tot_a + ga.area,
                tot_b + gb.area,
                tot_i + inter,
                tot_u + union,
            )
        rows.append(
            _stab_row(lab_a, lab_b, ALL_WARDS, ALL_WARDS_NAME, tot, tot_a, tot_b, tot_i, tot_u)
        )
    return pd.DataFrame(rows, columns=list(STABILITY_COLUMNS))


def _unions(hotspots: gpd.GeoDataFrame) -> dict[str, shapely.Geometry]:
    if hotspots.empty:
        return {}
    return {str(k): v for k, v in union_by_ward(hotspots).items()}


def _stab_row(
    before: str,
    after: str,
    code: str,
    name: str,
    n: Mapping[str, int],
    area_a: float,
    area_b: float,
    inter: float,
    union: float,
) -> dict[str, Any]:
    return {
        "period_before": before,
        "period_after": after,
        c.WARD_CODE: code,
        c.WARD_NAME: name,
        **n,
        "share_persisting": n["n_persisting"] / n["n_before"] if n["n_before"] else math.nan,
        "area_before_m2": float(area_a),
        "area_after_m2": float(area_b),
        "jaccard": inter / union if union > 0 else math.nan,
    }


# --- plot ---------------------------------------------------------------------------------
def plot_pai_by_method(table: pd.DataFrame, *, current: tuple[float, int] | None = None) -> Figure:
    """PAI and hit rate of each method, study-wide: mean ± std bars and one dot per month.

    Parameters
    ----------
    table
        :attr:`Evaluation.table`.
    current
        ``(eps_m, min_samples)`` of the DBSCAN run, shown in the title.

    Returns
    -------
    matplotlib.figure.Figure
        A new figure (no pyplot state); save with ``fig.savefig(path, dpi=...)``.

    """
    t = table[table[c.WARD_CODE] == ALL_WARDS]
    methods = [m for m in METHODS if m in set(t["method"])]
    fig = Figure(figsize=(10, 4.2), layout="constrained")
    axes = fig.subplots(1, 2)
    colours = ["#1f5f8b", "#e07b39", "#5a9e4b", "#8c8c8c"]
    for ax, measure, label in zip(
        axes, ("pai", "hit_rate"), ("PAI (higher is better)", "Hit rate (%)"), strict=True
    ):
        scale = 100.0 if measure == "hit_rate" else 1.0
        for j, m in enumerate(methods):
            v = t.loc[t["method"] == m, measure].to_numpy(dtype=float) * scale
            v = v[~np.isnan(v)]
            if len(v) == 0:
                continue
            std = float(np.std(v, ddof=1)) if len(v) > 1 else 0.0
            ax.bar(j, v.mean(), yerr=std, color=colours[j % 4], alpha=0.8, capsize=4)
            jitter = np.linspace(-0.15, 0.15, len(v))
            ax.plot(j + jitter, v, "o", color="black", markersize=3)
        names = [METHOD_LABELS[m].replace("'s ", "'s\n", 1) for m in methods]
        ax.set_xticks(range(len(methods)), names, fontsize=9)
        ax.set_ylabel(label)
        ax.grid(axis="y", alpha=0.3)
    share = t.loc[t["method"] == DBSCAN, "area_share"].mean() * 100
    run = "" if current is None else f" (eps_m {current[0]:g}, min_samples {current[1]})"
    fig.suptitle(
        f"Next-month hit rate and PAI, every method on DBSCAN's area{run}: "
        f"{share:.2f} % of the wards\n{t['test_month'].nunique()} test months; "
        "bars = mean ± std, dots = single months"
    )
    return fig


# --- files --------------------------------------------------------------------------------
def write_evaluation(
    out_dir: str | Path,
    *,
    evaluation: Evaluation,
    sweep: pd.DataFrame | None = None,
    kdistance: pd.DataFrame | None = None,
    current: tuple[float, int] | None = None,
    dpi: int = 120,
) -> dict[str, Path]:
    """Write the evaluation tables (CSV) and plots (PNG) into ``out_dir`` (created if needed).

    Files: ``evaluation.csv`` (:attr:`Evaluation.table`), ``evaluation_summary.csv``,
    ``stability.csv``, ``pai_by_method.png``; with ``sweep`` (:func:`geo.tuning.sweep`)
    ``sweep.csv`` and ``sweep.png``; with ``kdistance`` (:func:`geo.tuning.k_distance_table`)
    ``kdistance.csv`` and ``kdistance.png``. ``current`` = ``(eps_m, min_samples)`` is marked
    on the plots. No incident-level data is written.

    Returns
    -------
    dict
        File key (e.g. ``"sweep_png"``) -> path written.

    """
    from geo import tuning

    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValidationError(f"{out}: cannot create output folder ({exc.strerror})") from None
    paths: dict[str, Path] = {}

    def csv(key: str, df: pd.DataFrame) -> None:
        paths[key] = out / f"{key}.csv"
        df.to_csv(paths[key], index=False, float_format="%.6g")

    def png(key: str, fig: Figure) -> None:
        paths[f"{key}_png"] = out / f"{key}.png"
        fig.savefig(paths[f"{key}_png"], dpi=dpi)

    csv("evaluation", evaluation.table)
    csv("evaluation_summary", evaluation.summary)
    csv("stability", evaluation.stability)
    png("pai_by_method", plot_pai_by_method(evaluation.table, current=current))
    if sweep is not None:
        csv("sweep", sweep)
        png("sweep", tuning.plot_sweep(sweep, current=current))
    if kdistance is not None:
        csv("kdistance", kdistance)
        png(
            "kdistance",
            tuning.plot_k_distance(kdistance, current_eps_m=current[0] if current else None),
        )
    return paths

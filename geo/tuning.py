"""Aids for choosing DBSCAN's eps_m and min_samples: weighted k-distance, knee, parameter sweep.

Everything here works like the clustering: per ward, on distinct map points (identical
coordinates merged into weights, :func:`geo.cluster.dedupe_points`), with ``min_samples``
counting category weights, the point itself included.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib.figure import Figure
from sklearn.neighbors import NearestNeighbors

from geo import columns as c
from geo.cluster import cluster_incidents, dedupe_points
from geo.errors import ValidationError
from geo.evaluate import (
    hit_rate,
    inside_hotspots,
    pai,
    prepare,
    rolling_folds,
    rri,
    union_by_ward,
)
from geo.project import require_metric
from geo.settings import Settings

ProgressFn = Callable[[str, float], None]

#: Red flag: fewer than this share of incidents sit on core points.
FEW_CORE_SHARE = 0.05
#: Red flag: more than this share of incidents sit on core points.
MANY_CORE_SHARE = 0.90
#: Red flag: one hotspot holds at least this share of a ward's incidents.
ONE_CLUSTER_SHARE = 0.80

#: Columns of :func:`sweep`.
SWEEP_COLUMNS: tuple[str, ...] = (
    "eps_m",
    "min_samples",
    "n_folds",
    "n_hotspots",
    "noise_share",
    "area_share",
    "hit_rate",
    "hit_rate_std",
    "pai",
    "pai_std",
    "rri",
    "core_share",
    "largest_share",
    "knee_eps_m",
    "red_flags",
)

#: Columns of :func:`k_distance_table`.
KDISTANCE_COLUMNS: tuple[str, ...] = ("k", "rank", "share", "k_distance_m", "suggested_eps_m")


# --- k-distance -----------------------------------------------------------------------------
def k_distance(
    points: gpd.GeoDataFrame | np.ndarray,
    weights: np.ndarray | Sequence[float] | None = None,
    *,
    k: float,
    groups: np.ndarray | Sequence[str] | None = None,
) -> np.ndarray:
    """Sorted weighted k-distances: for each distinct point, the radius that holds weight k.

    A distinct point's k-distance is the smallest distance d such that the points within d
    of it (itself included, identical coordinates merged) weigh at least ``k`` in total.
    It is a DBSCAN core point exactly when its k-distance <= ``eps_m`` with ``min_samples =
    k`` (up to floating-point rounding), so the sorted curve shows how the share of core
    points grows with ``eps_m``; its knee (:func:`suggest_eps`) is the usual choice of eps.

    Parameters
    ----------
    points
        A GeoDataFrame of Point ``geometry`` in a metric CRS (its ``weight`` and
        ``ward_code`` columns are used when present and ``weights``/``groups`` are not
        given), or an ``(n, 2)`` array of coordinates in metres.
    weights
        ``(n,)`` positive weight per row (default 1 each).
    k
        Weight to reach (``min_samples``), > 0.
    groups
        ``(n,)`` group (ward) per row; distances are computed inside each group only, as
        DBSCAN runs inside each ward. Default: one group (or ``ward_code`` of a GeoDataFrame).

    Returns
    -------
    numpy.ndarray
        Float k-distances in metres, one per distinct point per group, sorted ascending; 0
        where a point's own weight reaches ``k``, ``inf`` where its whole group weighs less
        than ``k``.

    """
    kd, _ = k_distance_points(points, weights, k=k, groups=groups)
    return np.sort(kd)


def k_distance_points(
    points: gpd.GeoDataFrame | np.ndarray,
    weights: np.ndarray | Sequence[float] | None = None,
    *,
    k: float,
    groups: np.ndarray | Sequence[str] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Unsorted k-distances of :func:`k_distance`, with the number of rows at each point.

    Returns
    -------
    tuple
        ``(k_distances, n_rows)``: one float and one int per distinct point per group,
        groups in order of first appearance, points sorted by x then y inside a group.

    """
    xy, w, g = _points(points, weights, groups)
    if isinstance(k, bool) or not isinstance(k, int | float) or not k > 0:
        raise ValidationError(f"The 'k' option of k_distance must be > 0. Got {k!r} instead.")
    kds: list[np.ndarray] = [np.empty(0)]
    counts: list[np.ndarray] = [np.empty(0, dtype=np.int64)]
    for code in pd.unique(g):
        rows = g == code
        pts, pw, inverse = dedupe_points(xy[rows], w[rows])
        kds.append(_k_distance_one(pts, pw, float(k)))
        counts.append(np.bincount(inverse, minlength=len(pts)).astype(np.int64))
    return np.concatenate(kds), np.concatenate(counts)


def _points(
    points: gpd.GeoDataFrame | np.ndarray,
    weights: np.ndarray | Sequence[float] | None,
    groups: np.ndarray | Sequence[str] | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if isinstance(points, gpd.GeoDataFrame):
        require_metric(points.crs, "points")
        xy = np.column_stack([points.geometry.x.to_numpy(), points.geometry.y.to_numpy()])
        if weights is None and c.WEIGHT in points:
            weights = points[c.WEIGHT].to_numpy(dtype=float)
        if groups is None and c.WARD_CODE in points:
            groups = points[c.WARD_CODE].astype(str).to_numpy(dtype=object)
    else:
        xy = np.asarray(points, dtype=float).reshape(-1, 2) if len(points) else np.empty((0, 2))
    n = len(xy)
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    g = np.zeros(n, dtype=object) if groups is None else np.asarray(groups, dtype=object)
    problems = []
    if not np.isfinite(xy).all():
        problems.append("k_distance: coordinates must be finite numbers")
    if w.shape != (n,) or g.shape != (n,):
        problems.append(f"k_distance: weights and groups need one value per point ({n})")
    elif n and not (np.isfinite(w).all() and (w > 0).all()):
        problems.append("k_distance: weights must be positive numbers")
    if problems:
        raise ValidationError(problems)
    return xy, w, g


def _k_distance_one(pts: np.ndarray, w: np.ndarray, k: float) -> np.ndarray:
    n = len(pts)
    if n == 0:
        return np.empty(0)
    # enough neighbours that their weight must reach k (each weighs at least w.min())
    n_nb = int(min(n, math.ceil(k / float(w.min())) + 1))
    dist, idx = NearestNeighbors(n_neighbors=n_nb, algorithm="kd_tree").fit(pts).kneighbors(pts)
    cum = np.cumsum(w[idx], axis=1)  # column 0 is the point itself at distance 0
    reached = cum >= k
    first = np.argmax(reached, axis=1)
    out: np.ndarray = np.where(reached.any(axis=1), dist[np.arange(n), first], np.inf)
    return out


def k_distance_table(incidents: gpd.GeoDataFrame, *, k_values: Sequence[float]) -> pd.DataFrame:
    """The k-distance curve of ``incidents`` for each ``k``, with its suggested eps.

    Parameters
    ----------
    incidents
        Point ``geometry`` (metric CRS), ``weight`` and ``ward_code``, e.g. a fit window of
        :func:`geo.evaluate.prepare`'s incidents.
    k_values
        The ``min_samples`` values to draw.

    Returns
    -------
    pandas.DataFrame
        :data:`KDISTANCE_COLUMNS`: ``k`` (float), ``rank`` (int, 1 = smallest), ``share``
        (float, rank / number of distinct points, 0-1], ``k_distance_m`` (float, metres,
        ``inf`` when the ward weighs less than k), ``suggested_eps_m`` (float, the knee of
        this k's curve, :func:`suggest_eps`, repeated on each row; NaN when there is none).

    """
    frames = []
    for k in k_values:
        kd = k_distance(incidents, k=k)
        n = len(kd)
        frames.append(
            pd.DataFrame(
                {
                    "k": np.full(n, float(k)),
                    "rank": np.arange(1, n + 1, dtype=np.int64),
                    "share": np.arange(1, n + 1) / max(n, 1),
                    "k_distance_m": kd,
                    "suggested_eps_m": np.full(n, suggest_eps(kd)),
                }
            )
        )
    if not frames:
        return pd.DataFrame({col: pd.Series(dtype=float) for col in KDISTANCE_COLUMNS})
    return pd.concat(frames, ignore_index=True)[list(KDISTANCE_COLUMNS)]


def suggest_eps(kdist: np.ndarray | Sequence[float]) -> float:
    """Suggested ``eps_m``: the knee of a k-distance curve.

    The curve is sorted ascending and infinite values are left out. The knee is found with
    the ``kneed`` package (Satopää et al. 2011, "Finding a 'Kneedle' in a haystack"; convex,
    increasing curve, sensitivity S = 1, first knee). When kneed finds none, the point
    farthest below the straight line (chord) from the first to the last point of the curve,
    both axes scaled to [0, 1], is used instead.

    Returns
    -------
    float
        The k-distance at the knee, in metres; the common value when the curve is flat;
        NaN for fewer than 3 finite values or a straight line (no knee).

    """
    y = np.sort(np.asarray(kdist, dtype=float))
    y = y[np.isfinite(y)]
    if len(y) < 3:
        return math.nan
    if y[0] == y[-1]:
        return float(y[0])
    from kneed import KneeLocator

    x = np.arange(len(y), dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # kneed warns when it finds no knee; handled below
        locator = KneeLocator(x, y, curve="convex", direction="increasing", S=1.0)
    if locator.knee is not None and locator.knee_y is not None:
        return float(locator.knee_y)
    return chord_knee(y)


def chord_knee(kdist: np.ndarray | Sequence[float]) -> float:
    """Knee by the max-distance-to-chord rule (the fallback of :func:`suggest_eps`).

    With the sorted finite curve scaled to [0, 1] on both axes, the chord runs from (0, 0)
    to (1, 1); the knee is the point farthest below it, i.e. with the largest x − y. NaN
    when no point lies below the chord (or fewer than 3 finite values).
    """
    y = np.sort(np.asarray(kdist, dtype=float))
    y = y[np.isfinite(y)]
    if len(y) < 3 or y[0] == y[-1]:
        return math.nan
    xs = np.arange(len(y)) / (len(y) - 1)
    ys = (y - y[0]) / (y[-1] - y[0])
    gap = xs - ys
    i = int(np.argmax(gap))
    return float(y[i]) if gap[i] > 1e-12 else math.nan


def core_share(
    kdist: np.ndarray, eps_m: float, *, counts: np.ndarray | Sequence[int] | None = None
) -> float:
    """Share of points that are DBSCAN core points at ``eps_m`` (k-distance <= ``eps_m``).

    With ``counts`` (rows at each distinct point, :func:`k_distance_points`), the share of
    incidents that sit on core points; otherwise the share of distinct points. NaN if empty.
    """
    kd = np.asarray(kdist, dtype=float)
    n = np.ones(len(kd)) if counts is None else np.asarray(counts, dtype=float)
    total = float(n.sum())
    return float(n[kd <= eps_m].sum()) / total if total > 0 else math.nan


def red_flags(*, n_hotspots: float, core_share: float, largest_share: float) -> list[str]:
    """Plain-English warnings about a parameter pair (empty when it looks sound).

    ``core_share`` is the share of incidents on core points (:func:`core_share`).
    Flags: ``no hotspots``; ``almost no core points`` (core share < :data:`FEW_CORE_SHARE`:
    min_samples too high or eps too small, hotspots rest on one or two busy map points);
    ``almost all points are core points`` (> :data:`MANY_CORE_SHARE`: eps too large or
    min_samples too small, clusters merge); ``one hotspot holds ... of a ward's incidents``
    (at least :data:`ONE_CLUSTER_SHARE`: everything one cluster).
    """
    flags = []
    if n_hotspots == 0:
        flags.append("no hotspots")
    if core_share < FEW_CORE_SHARE:
        flags.append(f"almost no core points ({100 * core_share:.0f} %)")
    if core_share > MANY_CORE_SHARE:
        flags.append(f"almost all points are core points ({100 * core_share:.0f} %)")
    if largest_share >= ONE_CLUSTER_SHARE:
        flags.append(f"one hotspot holds {100 * largest_share:.0f} % of a ward's incidents")
    return flags


# --- sweep ----------------------------------------------------------------------------------
def sweep(
    raw: pd.DataFrame,
    wards: gpd.GeoDataFrame,
    settings: Settings | None = None,
    *,
    eps_values: Sequence[float],
    min_samples_values: Sequence[int],
    window_months: int = 3,
    max_folds: int | None = None,
    progress: ProgressFn | None = None,
) -> pd.DataFrame:
    """DBSCAN over a grid of ``eps_m`` × ``min_samples``, each judged on the following months.

    For each pair and each rolling-origin fold (:func:`geo.evaluate.rolling_folds`: fit on
    ``window_months`` months, test on the next), DBSCAN is fitted with ``settings`` (ward
    overrides dropped, so the pair applies in every ward) and its hotspots are scored
    study-wide as in :func:`geo.evaluate.evaluate_methods`; the table gives the mean over
    the folds. PAIs of different pairs are at different area shares (each pair marks its
    own area): compare them together with ``area_share``.

    Parameters
    ----------
    raw, wards
        Raw incident rows and ward boundaries as for :func:`geo.pipeline.run_pipeline`.
    settings
        Weights, hull buffer and filters; default ``Settings()``.
    eps_values, min_samples_values
        The values to try (each validated as a setting).
    window_months
        Months fitted before each test month.
    max_folds
        Use only the latest ``max_folds`` folds (faster, e.g. for an interactive page);
        default all.
    progress
        Called as ``progress(message, fraction_done)``.

    Returns
    -------
    pandas.DataFrame
        One row per pair, sorted by ``min_samples`` then ``eps_m``, columns
        :data:`SWEEP_COLUMNS`: ``eps_m`` (float, m), ``min_samples`` (int), ``n_folds``
        (int); means over the folds of ``n_hotspots`` (float), ``noise_share`` (float,
        share of fit-window incidents in no hotspot), ``area_share`` (float, hotspot area /
        ward area), ``hit_rate`` (float, share of the test month's incidents inside),
        ``pai`` (float; NaN when no fold had hotspots), ``rri`` (float), ``core_share``
        (float, share of fit-window incidents on core map points), ``largest_share``
        (float, largest share of a ward's fit incidents in one hotspot); ``hit_rate_std``,
        ``pai_std`` (float, sample standard deviation over the folds); ``knee_eps_m``
        (float, :func:`suggest_eps` of the latest fit window for this ``min_samples``);
        ``red_flags`` (str, :func:`red_flags` of the means joined with "; ", "" when none).

    """
    base = (settings or Settings()).replace(ward_overrides={})
    eps_list = [float(e) for e in eps_values]
    ms_list = list(min_samples_values)
    if not eps_list or not ms_list:
        raise ValidationError("sweep needs at least one eps_m and one min_samples value")
    problems = []
    for e in eps_list:
        for m in ms_list:
            try:
                base.replace(eps_m=e, min_samples=m)
            except ValidationError as exc:
                problems += [p for p in exc.problems if p not in problems]
    if problems:
        raise ValidationError(problems)
    if max_folds is not None and (isinstance(max_folds, bool) or int(max_folds) < 1):
        raise ValidationError(f"The 'max_folds' option must be >= 1. Got {max_folds!r}.")
    report = progress or (lambda _m, _f: None)
    report("Checking incidents", 0.0)
    incidents, metric_wards = prepare(raw, wards, base)
    incidents = incidents[[c.WARD_CODE, c.WARD_NAME, c.MONTH, c.CATEGORY, c.WEIGHT, "geometry"]]
    folds = rolling_folds(incidents[c.MONTH].astype(str), window_months=window_months)
    if max_folds is not None:
        folds = folds[-int(max_folds) :]
    study = float(metric_wards.geometry.area.sum())
    months = incidents[c.MONTH].astype(str).to_numpy()
    records: list[dict[str, Any]] = []
    steps, done = len(folds) * len(ms_list) * len(eps_list), 0
    for fold in folds:
        fit = incidents.loc[np.isin(months, fold.fit_months)]
        test = incidents.loc[months == fold.test_month]
        fit_per_ward = fit[c.WARD_CODE].value_counts()
        for ms in ms_list:
            kd = k_distance_points(fit, k=ms)
            for eps in eps_list:
                report(f"eps_m {eps:g}, min_samples {ms} ({fold.test_month})", done / steps)
                s = base.replace(eps_m=eps, min_samples=ms)
                records.append(_score_pair(fit, test, fit_per_ward, metric_wards, s, kd, study))
                done += 1
    report("Summarising", 1.0)
    per_fold = pd.DataFrame(records)
    keys = ["eps_m", "min_samples"]
    g = per_fold.groupby(keys, sort=True)
    out = g.mean(numeric_only=True)
    out["n_folds"] = g.size()
    out["hit_rate_std"] = g["hit_rate"].std()
    out["pai_std"] = g["pai"].std()
    out = out.reset_index()
    last_fit = incidents.loc[np.isin(months, folds[-1].fit_months)]
    knees = {ms: suggest_eps(k_distance(last_fit, k=ms)) for ms in ms_list}
    out["knee_eps_m"] = out["min_samples"].map(knees).astype(float)
    out["red_flags"] = [
        "; ".join(red_flags(n_hotspots=n, core_share=cs, largest_share=ls))
        for n, cs, ls in zip(
            out["n_hotspots"], out["core_share"], out["largest_share"], strict=True
        )
    ]
    out["min_samples"] = out["min_samples"].astype("int64")
    out["n_folds"] = out["n_folds"].astype("int64")
    out = out.sort_values(["min_samples", "eps_m"], kind="stable").reset_index(drop=True)
    return out[list(SWEEP_COLUMNS)]


def _score_pair(
    fit: gpd.GeoDataFrame,
    test: gpd.GeoDataFrame,
    fit_per_ward: pd.Series,
    wards: gpd.GeoDataFrame,
    s: Settings,
    kd: tuple[np.ndarray, np.ndarray],
    study_m2: float,
) -> dict[str, Any]:
    clustered = cluster_incidents(fit, s)
    hulls = hotspot_hulls(clustered, wards, hull_buffer_m=s.hull_buffer_m)
    unions = union_by_ward(hulls)
    area = float(shapely.area(unions.to_numpy()).sum())
    n_test, n_fit = len(test), len(fit)
    hits = int(inside_hotspots(test, unions).sum())
    fit_hits = int(inside_hotspots(fit, unions).sum())
    largest = 0.0
    if len(hulls):
        per_ward = hulls.groupby(c.WARD_CODE)[c.N_INCIDENTS].max()
        largest = float((per_ward / fit_per_ward.reindex(per_ward.index)).max())
    return {
        "eps_m": s.eps_m,
        "min_samples": s.min_samples,
        "n_hotspots": float(len(hulls)),
        "noise_share": 1.0 - float(hulls[c.N_INCIDENTS].sum()) / n_fit if n_fit else math.nan,
        "area_share": area / study_m2,
        "hit_rate": hit_rate(hits, n_test),
        "pai": pai(hits, n_test, min(area, study_m2), study_m2),
        "rri": rri(fit_hits, n_fit, hits, n_test),
        "core_share": core_share(kd[0], s.eps_m, counts=kd[1]),
        "largest_share": largest,
    }


def hotspot_hulls(
    clustered: gpd.GeoDataFrame, wards: gpd.GeoDataFrame, *, hull_buffer_m: float
) -> gpd.GeoDataFrame:
    """Hotspot polygons of clustered incidents, without the rest of the hotspot summary.

    The polygon rule of :func:`geo.hotspots.summarise_hotspots` (convex hull of a cluster's
    distinct points, buffered by ``hull_buffer_m``, clipped to its ward; the tests check
    both give the same polygons), at a fraction of the cost, for sweeps.

    Parameters
    ----------
    clustered
        Point ``geometry`` (metric CRS), ``ward_code``, ``cluster`` (-1 noise).
    wards
        ``ward_code``, ``geometry`` in the same CRS.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per cluster, sorted by ward then label: ``ward_code`` (str), ``cluster``
        (int), ``n_incidents`` (int), ``geometry`` (Polygon).

    """
    labels = clustered[c.CLUSTER].to_numpy()
    members = clustered.loc[labels >= 0]
    df = pd.DataFrame(
        {
            c.WARD_CODE: members[c.WARD_CODE].astype(str).to_numpy(dtype=object),
            c.CLUSTER: members[c.CLUSTER].to_numpy(dtype=np.int64),
            "px": members.geometry.x.to_numpy(),
            "py": members.geometry.y.to_numpy(),
        }
    )
    key = [c.WARD_CODE, c.CLUSTER]
    if df.empty:
        empty = pd.DataFrame(
            {c.WARD_CODE: pd.Series(dtype=object), c.CLUSTER: pd.Series(dtype="int64")}
        )
        empty[c.N_INCIDENTS] = pd.Series(dtype="int64")
        return gpd.GeoDataFrame(empty, geometry=gpd.GeoSeries([], crs=clustered.crs))
    counts = df.groupby(key, sort=True).size()
    pts = df.drop_duplicates(subset=[*key, "px", "py"]).sort_values(key, kind="stable")
    group_no = pts.groupby(key, sort=True).ngroup().to_numpy()
    hulls = shapely.multipoints(np.column_stack([pts["px"], pts["py"]]), indices=group_no)
    polys = shapely.buffer(shapely.convex_hull(hulls), hull_buffer_m, quad_segs=8)
    ward_geom = wards.set_index(c.WARD_CODE).geometry
    codes = counts.index.get_level_values(c.WARD_CODE)
    polys = shapely.intersection(polys, ward_geom.reindex(codes).to_numpy())
    out = counts.rename(c.N_INCIDENTS).astype("int64").reset_index()
    return gpd.GeoDataFrame(out, geometry=polys, crs=clustered.crs)


# --- plots ----------------------------------------------------------------------------------
def plot_sweep(table: pd.DataFrame, *, current: tuple[float, int] | None = None) -> Figure:
    """Heatmaps of a :func:`sweep` table: PAI, hit rate, hotspots and noise share.

    Rows are ``min_samples``, columns ``eps_m``; each cell shows its value, "!" marks pairs
    with red flags, and a black frame marks ``current`` ``(eps_m, min_samples)``.

    Returns
    -------
    matplotlib.figure.Figure
        A new figure (no pyplot state).

    """
    eps = sorted(set(table["eps_m"].astype(float)))
    mss = sorted(set(table["min_samples"].astype(int)))
    t = table.set_index(["min_samples", "eps_m"])
    panels = [
        ("pai", "PAI next month (higher is better)", "{:.0f}", "viridis", 1.0),
        ("hit_rate", "Hit rate next month (%)", "{:.0f}", "viridis", 100.0),
        ("n_hotspots", "Hotspots (mean per window)", "{:.0f}", "cividis", 1.0),
        ("noise_share", "Noise share (%)", "{:.0f}", "magma_r", 100.0),
    ]
    fig = Figure(figsize=(11, 8.5), layout="constrained")
    axes = fig.subplots(2, 2)
    for ax, (col, title, fmt, cmap, scale) in zip(axes.ravel(), panels, strict=True):
        grid = np.array(
            [[float(t[col].get((m, e), np.nan)) * scale for e in eps] for m in mss], dtype=float
        )
        im = ax.imshow(grid, origin="lower", cmap=cmap, aspect="auto")
        fig.colorbar(im, ax=ax, shrink=0.85)
        for i, m in enumerate(mss):
            for j, e in enumerate(eps):
                v = grid[i, j]
                flag = str(t["red_flags"].get((m, e), "")) != ""
                text = ("n/a" if np.isnan(v) else fmt.format(v)) + (" !" if flag else "")
                ax.text(
                    j,
                    i,
                    text,
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white",
                    bbox={"facecolor": "black", "alpha": 0.35, "pad": 1, "linewidth": 0},
                )
        if current is not None and current[0] in eps and current[1] in mss:
            j, i = eps.index(float(current[0])), mss.index(int(current[1]))
            ax.add_patch(_frame(j, i))
        ax.set_xticks(range(len(eps)), [f"{e:g}" for e in eps])
        ax.set_yticks(range(len(mss)), [str(m) for m in mss])
        ax.set_xlabel("eps_m (metres)")
        ax.set_ylabel("min_samples (weighted)")
        ax.set_title(title, fontsize=10)
    n = int(table["n_folds"].max()) if len(table) else 0
    fig.suptitle(
        f"DBSCAN parameter sweep, mean over {n} rolling windows "
        "(! = red flag; frame = current settings)"
    )
    return fig


def _frame(j: int, i: int) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="black", linewidth=2.5)


def plot_k_distance(table: pd.DataFrame, *, current_eps_m: float | None = None) -> Figure:
    """k-distance curves of a :func:`k_distance_table`, one line per k, knees marked.

    The y axis stops a little above the largest knee (the last few isolated points would
    squash the curves); a dashed line marks ``current_eps_m``.

    Returns
    -------
    matplotlib.figure.Figure
        A new figure (no pyplot state).

    """
    fig = Figure(figsize=(8, 5), layout="constrained")
    ax = fig.subplots()
    tops = [] if current_eps_m is None else [current_eps_m]
    for k, part in table.groupby("k", sort=True):
        kd = part["k_distance_m"].to_numpy(dtype=float)
        share = part["share"].to_numpy(dtype=float)
        ok = np.isfinite(kd)
        knee = float(part["suggested_eps_m"].iloc[0])
        label = f"k = {k:g}" + ("" if math.isnan(knee) else f" (knee {knee:.0f} m)")
        (line,) = ax.plot(share[ok], kd[ok], label=label)
        if not math.isnan(knee):
            tops.append(knee)
            x = float(share[ok][np.argmax(kd[ok] >= knee)])
            ax.plot([x], [knee], "o", color=line.get_color(), markersize=7)
    if current_eps_m is not None:
        ax.axhline(
            current_eps_m,
            color="black",
            linestyle="--",
            linewidth=1,
            label=f"current eps_m = {current_eps_m:g} m",
        )
    if tops:
        ax.set_ylim(0, 1.4 * max(tops))
    ax.set_xlabel("share of distinct map points, sorted by k-distance")
    ax.set_ylabel("k-distance (m): radius that holds weight k")
    ax.set_title("Weighted k-distance inside each ward; dots = knee (suggested eps_m)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    return fig

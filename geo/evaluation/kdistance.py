"""Weighted k-distance for DBSCAN: curves, knee (upper limit for eps_m), core share, red flags.

Everything here works like the clustering: per ward, on distinct map points (identical
coordinates merged into weights, :func:`geo.cluster.dedupe_points`), with ``min_samples``
counting category weights, the point itself included.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
from sklearn.neighbors import NearestNeighbors

from geo import columns as c
from geo.cluster import dedupe_points
from geo.errors import ValidationError
from geo.project import require_metric

#: Red flag: fewer than this share of incidents sit on core points.
FEW_CORE_SHARE = 0.05
#: Red flag: more than this share of incidents sit on core points.
MANY_CORE_SHARE = 0.90
#: Red flag: one hotspot holds at least this share of a ward's incidents.
ONE_CLUSTER_SHARE = 0.80
#: Hotspots holding at least this share of the incidents are flagged (a hotspot map should
#: leave most incidents out).
MOST_INCIDENTS_SHARE = 0.50
#: Hotspots marking at least this share of the wards' area are flagged (the evaluated
#: defaults mark about 0.5 %, ``python -m geo evaluate``).
LARGE_AREA_SHARE = 0.05

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
        :func:`geo.evaluation.prepare`'s incidents.
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


def red_flags(
    *,
    n_hotspots: float,
    core_share: float,
    largest_share: float,
    clustered_share: float | None = None,
    area_share: float | None = None,
) -> list[str]:
    """Plain-English warnings about a parameter pair (empty when it looks sound).

    ``core_share`` is the share of incidents on core points (:func:`core_share`).
    Flags: ``no hotspots``; ``almost no core points`` (core share < :data:`FEW_CORE_SHARE`:
    min_samples too high or eps too small, hotspots rest on one or two busy map points);
    ``almost all points are core points`` (> :data:`MANY_CORE_SHARE`: eps too large or
    min_samples too small, clusters merge); ``one hotspot holds ... of a ward's incidents``
    (at least :data:`ONE_CLUSTER_SHARE`: everything one cluster). When given,
    ``clustered_share`` (share of incidents inside hotspots) at least
    :data:`MOST_INCIDENTS_SHARE` flags ``hotspots hold ... of incidents``, and
    ``area_share`` (hotspot area / ward area) at least :data:`LARGE_AREA_SHARE` flags
    ``hotspots mark ... of the wards' area``: a hotspot map should leave most incidents
    and almost all of the area out.
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
    if clustered_share is not None and clustered_share >= MOST_INCIDENTS_SHARE:
        flags.append(
            f"hotspots hold {100 * clustered_share:.0f} % of incidents: a hotspot map "
            "should leave most incidents out"
        )
    if area_share is not None and area_share >= LARGE_AREA_SHARE:
        flags.append(
            f"hotspots mark {100 * area_share:.0f} % of the wards' area: a hotspot map "
            "should mark a small part of it"
        )
    return flags

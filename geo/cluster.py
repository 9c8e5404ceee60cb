"""Stage 5: DBSCAN inside each ward, on distinct map points weighted by their incidents."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.spatial import KDTree
from sklearn.cluster import DBSCAN

from geo import columns as c
from geo.errors import ValidationError
from geo.progress import ProgressFn
from geo.project import distinct_points, point_xy, require_metric
from geo.settings import Settings, months_spanned


def dedupe_points(xy: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Merge identical coordinates (police.uk snap points) into weighted distinct points.

    Parameters
    ----------
    xy
        ``(n, 2)`` float coordinates in metres.
    weights
        ``(n,)`` weight of each row.

    Returns
    -------
    tuple
        ``(points, point_weights, inverse)``: distinct points sorted by x then y, the summed
        weight at each, and for every input row the index of its distinct point.

    """
    if len(xy) == 0:
        return np.empty((0, 2)), np.empty(0), np.empty(0, dtype=np.int64)
    points, inverse = np.unique(xy, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    w = np.bincount(inverse, weights=weights, minlength=len(points))
    return points, w, inverse


def dbscan_labels(
    xy: np.ndarray, weights: np.ndarray, *, eps_m: float, min_samples: float
) -> np.ndarray:
    """DBSCAN labels for rows, computed on their distinct points with ``sample_weight``.

    Gives the same partition as running DBSCAN on every row (a row repeated k times is a
    point of weight k), at a fraction of the memory. ``eps_m`` is inclusive and
    ``min_samples`` counts weights, the point's own included (scikit-learn semantics).

    Returns
    -------
    numpy.ndarray
        ``(n,)`` int labels, -1 for noise; clusters numbered in order of their first
        distinct point (sorted by x then y), so labels do not depend on row order.

    """
    if len(xy) == 0:
        return np.empty(0, dtype=np.int64)
    points, w, inverse = dedupe_points(xy, weights)
    model = DBSCAN(eps=eps_m, min_samples=min_samples, metric="euclidean")
    labels = np.asarray(model.fit(points, sample_weight=w).labels_, dtype=np.int64)
    out: np.ndarray = labels[inverse]
    return out


def months_clustered(incidents: pd.DataFrame) -> int:
    """Calendar months from the first to the last ``month`` of ``incidents`` (1 when empty).

    Parameters
    ----------
    incidents
        Any frame with ``month`` (``YYYY-MM``).

    Returns
    -------
    int
        E.g. 3 for incidents from 2018-09 to 2018-11, gaps included.

    """
    months = incidents[c.MONTH].astype(str) if len(incidents) else pd.Series([], dtype=str)
    if months.empty:
        return 1
    return months_spanned(str(months.min()), str(months.max()))


def cluster_incidents(
    incidents: gpd.GeoDataFrame,
    settings: Settings,
    *,
    months: int | None = None,
    progress: ProgressFn | None = None,
) -> gpd.GeoDataFrame:
    """Run DBSCAN separately inside each ward, so no cluster crosses a ward boundary.

    Each ward uses ``settings.params_for(ward_code, months=months)`` (study-wide
    ``eps_m``/``min_samples`` unless overridden; a ``min_samples_per_month`` rate is
    multiplied by ``months``); incident weights come from the ``weight`` column. The labels are
    those of :func:`dbscan_labels` run on each ward's incidents on their own: wards that
    share parameters are clustered in one scikit-learn DBSCAN call whose neighbourhoods
    never cross a ward boundary (one call per ward would cost thousands of calls on a
    national file). Weights that are not exact binary fractions (e.g. 0.1) can make a
    weighted count land within rounding of ``min_samples``; each point's neighbours are
    then summed in a fixed order (nearest first), so the outcome is reproducible.

    Parameters
    ----------
    incidents
        Point ``geometry`` in a metric CRS, with ``ward_code``, ``weight`` and ``month``
        (``YYYY-MM``; read only when ``months`` is not given).
    months
        Calendar months the clustered window spans (see
        :attr:`geo.prepare.Prepared.months_clustered`); default :func:`months_clustered`
        of ``incidents``.
    progress
        Called as ``progress(message, fraction_done)``.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``incidents`` plus ``cluster`` (int, label inside the ward, -1 = noise).

    """
    require_metric(incidents.crs, "incidents")
    out = incidents.copy(deep=False)  # the new column goes on the copy only (copy-on-write)
    labels = np.full(len(out), -1, dtype=np.int64)
    if len(out):
        span = months if months is not None else _months_of(out, settings)
        xy = point_xy(out)
        w = out[c.WEIGHT].to_numpy(dtype=float)
        # codes from the text column itself (no Python string per row)
        ward_of, codes = pd.factorize(out[c.WARD_CODE], sort=True)
        params: dict[tuple[float, int], list[int]] = {}
        for k, code in enumerate(codes):
            params.setdefault(settings.params_for(str(code), months=span), []).append(k)
        done = 0
        for (eps, ms), wards in params.items():
            in_group = np.zeros(len(codes), dtype=bool)
            in_group[wards] = True
            if len(params) == 1:  # every ward alike (the usual case): no copy of the rows
                labels = _ward_labels(xy, w, ward_of, eps_m=eps, min_samples=ms)
            else:
                rows = np.flatnonzero(in_group[ward_of])
                labels[rows] = _ward_labels(
                    xy[rows], w[rows], ward_of[rows], eps_m=eps, min_samples=ms
                )
            done += len(wards)
            if progress is not None:
                progress(f"Clustering ward {codes[wards[-1]]}", done / len(codes))
    out[c.CLUSTER] = labels
    return out


def _months_of(incidents: pd.DataFrame, settings: Settings) -> int:
    """:func:`months_clustered` of ``incidents``; 1 when no rule scales (months unused)."""
    scales = settings.min_samples is None or any(
        o.min_samples_per_month is not None for o in settings.ward_overrides.values()
    )
    if c.MONTH in incidents.columns:
        return months_clustered(incidents)
    if scales:
        raise ValidationError(
            "incidents lack the 'month' column that min_samples_per_month is scaled by: "
            "add it or give months="
        )
    return 1


def _ward_labels(
    xy: np.ndarray, weights: np.ndarray, ward: np.ndarray, *, eps_m: float, min_samples: float
) -> np.ndarray:
    """:func:`dbscan_labels` inside each ward (``ward``: int per row), in one DBSCAN call.

    Distinct points are ordered by ward, then x, then y (within a ward, the order
    :func:`dedupe_points` gives), so scikit-learn numbers each ward's clusters
    consecutively and in the order a run on that ward alone would; subtracting the ward's
    first label gives the per-ward labels.
    """
    # distinct (ward, x, y) by hashing (cheaper than sorting every row), then sorted
    combo_code, first = distinct_points(ward, xy[:, 0], xy[:, 1])
    combo_ward, combo_x, combo_y = ward[first].astype(np.int64), xy[first, 0], xy[first, 1]
    order = np.lexsort((combo_y, combo_x, combo_ward))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    inverse = rank[combo_code]
    points = np.column_stack([combo_x[order], combo_y[order]]).astype(float)
    point_ward = combo_ward[order]
    n = len(points)
    point_w = np.bincount(inverse, weights=weights, minlength=n)

    # neighbours within eps_m (inclusive) in the same ward
    pairs = KDTree(points).query_pairs(eps_m, output_type="ndarray")
    pairs = pairs[point_ward[pairs[:, 0]] == point_ward[pairs[:, 1]]]
    point_labels = np.full(n, -1, dtype=np.int64)
    used = _maybe_in_cluster(pairs, point_w, n, min_samples)
    if used.any():
        # DBSCAN on the points that may be in a cluster (others are noise whatever happens:
        # not core and no core neighbour), keeping their order so labels are unchanged
        new_index = np.cumsum(used) - 1
        pairs = pairs[used[pairs[:, 0]] & used[pairs[:, 1]]]
        pairs = new_index[pairs]
        m = int(used.sum())
        kept = points[used]
        dist = np.hypot(*(kept[pairs[:, 0]] - kept[pairs[:, 1]]).T)
        dist = np.minimum(dist, eps_m)  # the tree already decided; keep its decision
        self_idx = np.arange(m)  # each point is its own neighbour
        rows = np.concatenate([self_idx, pairs[:, 0], pairs[:, 1]])
        cols = np.concatenate([self_idx, pairs[:, 1], pairs[:, 0]])
        data = np.concatenate([np.zeros(m), dist, dist])
        # each row sorted by distance (as scikit-learn wants), then by point: a canonical
        # neighbour order, so weight sums do not depend on how the tree found the pairs
        by_row = np.lexsort((cols, data, rows))
        graph = sparse.csr_matrix(
            (data[by_row], cols[by_row], np.r_[0, np.cumsum(np.bincount(rows, minlength=m))]),
            shape=(m, m),
        )
        model = DBSCAN(eps=eps_m, min_samples=min_samples, metric="precomputed")
        fitted = model.fit(graph, sample_weight=point_w[used])
        point_labels[used] = np.asarray(fitted.labels_, dtype=np.int64)

    # a ward's clusters are numbered consecutively, so its smallest label is its first
    clustered = point_labels >= 0
    first = np.full(int(point_ward.max()) + 1, n, dtype=np.int64)
    np.minimum.at(first, point_ward[clustered], point_labels[clustered])
    in_ward = np.where(clustered, point_labels - first[point_ward], -1)
    out: np.ndarray = in_ward[inverse]
    return out


def _maybe_in_cluster(
    pairs: np.ndarray, weights: np.ndarray, n: int, min_samples: float
) -> np.ndarray:
    """Points that may be core or border points: those that are not are DBSCAN noise.

    A point is *possibly core* when its weight plus its neighbours' reaches ``min_samples``
    (with a tiny tolerance, so float summation order can never exclude a true core point).
    Points neither possibly core nor next to one cannot be in any cluster, and removing them
    changes no other point's core status (only non-core points neighbour them) nor any label.
    With non-positive weights nothing is excluded.
    """
    if not (weights > 0).all():
        return np.ones(n, dtype=bool)
    total = (
        weights
        + np.bincount(pairs[:, 0], weights=weights[pairs[:, 1]], minlength=n)
        + np.bincount(pairs[:, 1], weights=weights[pairs[:, 0]], minlength=n)
    )
    maybe_core: np.ndarray = total >= min_samples - 1e-9 * np.maximum(total, min_samples)
    used = maybe_core.copy()
    used[pairs[maybe_core[pairs[:, 1]], 0]] = True
    used[pairs[maybe_core[pairs[:, 0]], 1]] = True
    return used

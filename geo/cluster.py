"""Stage 5: DBSCAN inside each ward, on distinct map points weighted by their incidents."""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
from sklearn.cluster import DBSCAN

from geo import columns as c
from geo.project import require_metric
from geo.settings import Settings

ProgressFn = Callable[[str, float], None]


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


def cluster_incidents(
    incidents: gpd.GeoDataFrame,
    settings: Settings,
    *,
    progress: ProgressFn | None = None,
) -> gpd.GeoDataFrame:
    """Run DBSCAN separately inside each ward, so no cluster crosses a ward boundary.

    Each ward uses ``settings.params_for(ward_code)`` (study-wide ``eps_m``/``min_samples``
    unless overridden); incident weights come from the ``weight`` column.

    Parameters
    ----------
    incidents
        Point ``geometry`` in a metric CRS, with ``ward_code`` and ``weight``.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``incidents`` plus ``cluster`` (int, label inside the ward, -1 = noise).

    """
    require_metric(incidents.crs, "incidents")
    out = incidents.copy()
    labels = np.full(len(out), -1, dtype=np.int64)
    if len(out):
        xy = np.column_stack([out.geometry.x.to_numpy(), out.geometry.y.to_numpy()])
        w = out[c.WEIGHT].to_numpy(dtype=float)
        codes = out[c.WARD_CODE].to_numpy(dtype=object)
        groups = pd.Series(np.arange(len(out))).groupby(codes, sort=True).indices
        for i, (code, rows) in enumerate(groups.items()):
            eps, ms = settings.params_for(str(code))
            labels[rows] = dbscan_labels(xy[rows], w[rows], eps_m=eps, min_samples=ms)
            if progress is not None:
                progress(f"Clustering ward {code}", (i + 1) / len(groups))
    out[c.CLUSTER] = labels
    return out

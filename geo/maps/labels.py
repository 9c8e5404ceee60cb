"""Where the ward names go on a map: clear of the areas drawn, inside their ward."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from shapely.ops import polylabel

from geo.project import WGS84

__all__ = ["LABEL_ASPECT", "ward_label_points"]

#: A name is about this many times wider than it is high: distances across count this
#: many times less than distances up and down.
LABEL_ASPECT = 4.0


def ward_label_points(
    wards: gpd.GeoDataFrame,
    shown: gpd.GeoSeries,
    *,
    away_from: gpd.GeoSeries | None = None,
    gap_m: float = 100.0,
) -> gpd.GeoSeries:
    """One point per ward for its name, in WGS84.

    Without ``away_from`` (or with it empty) each name goes at the representative point of
    its ward as drawn (``shown``). With it, each name goes at the point of its ward
    farthest from the ward's edges and from the ``away_from`` shapes grown by ``gap_m``
    metres up and down and :data:`LABEL_ASPECT` times that sideways: the pole of
    inaccessibility of the largest free piece, in a plane squeezed :data:`LABEL_ASPECT`
    times across, or of the whole ward when nothing is free.

    Parameters
    ----------
    wards
        Ward polygons (any CRS; a geographic one is measured in its estimated UTM zone).
    shown
        The same wards as drawn (WGS84), same index as ``wards``.
    away_from
        Shapes (any CRS) the names should not cover, e.g. the areas of a public map.
    gap_m
        Margin in metres kept above and below ``away_from``.

    Returns
    -------
    geopandas.GeoSeries
        Points in EPSG:4326, index of ``shown``.

    """
    if away_from is None or not len(away_from):
        return shown.representative_point()
    crs = wards.crs
    metric = crs if crs is not None and crs.is_projected else wards.estimate_utm_crs()
    shapes = _squeeze(away_from.to_crs(metric).geometry.to_numpy())
    taken = shapely.union_all(shapely.buffer(shapes, gap_m))
    points = []
    for ward in _squeeze(wards.to_crs(metric).geometry.to_numpy()):
        free = ward.difference(taken)
        parts = shapely.get_parts(ward if free.is_empty else free)
        largest = max(parts, key=lambda part: part.area)
        best = polylabel(largest, tolerance=2.0)
        points.append(shapely.Point(best.x * LABEL_ASPECT, best.y))
    return gpd.GeoSeries(points, index=shown.index, crs=metric).to_crs(WGS84)


def _squeeze(geoms: np.ndarray) -> np.ndarray:
    """``geoms`` in a plane squeezed :data:`LABEL_ASPECT` times across.

    A circle in that plane is a wide ellipse on the map, the shape a name needs.
    """
    return np.asarray(shapely.transform(geoms, lambda xy: xy * [1 / LABEL_ASPECT, 1.0]))

"""Stage 3: turn validated coordinates into points in a metric CRS (EPSG:27700 in Great Britain)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj

from geo import columns as c
from geo.errors import ValidationError

BNG = "EPSG:27700"
WGS84 = "EPSG:4326"
#: Great Britain (with a margin) in lon/lat: inside it, British National Grid is used.
GB_BOUNDS = (-9.0, 49.0, 2.5, 61.0)


def choose_metric_crs(lon: np.ndarray, lat: np.ndarray) -> pyproj.CRS:
    """EPSG:27700 when every point is in Great Britain, else the estimated UTM zone.

    Parameters
    ----------
    lon, lat
        WGS84 coordinates in degrees (at least one finite pair).

    """
    ok = np.isfinite(lon) & np.isfinite(lat)
    if not ok.any():
        return pyproj.CRS(BNG)
    lon, lat = lon[ok], lat[ok]
    x0, y0, x1, y1 = GB_BOUNDS
    if ((lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)).all():
        return pyproj.CRS(BNG)
    pts = gpd.GeoSeries(gpd.points_from_xy([np.median(lon)], [np.median(lat)]), crs=WGS84)
    crs = pts.estimate_utm_crs()
    return pyproj.CRS(crs)


def require_metric(crs: object, what: str = "data") -> None:
    """Raise :class:`ValidationError` unless ``crs`` is a projected CRS in metres."""
    if crs is None:
        raise ValidationError(f"{what} has no CRS; a projected CRS in metres is required")
    p = pyproj.CRS(crs)
    unit = p.axis_info[0].unit_name if p.axis_info else ""
    if not p.is_projected or unit not in ("metre", "meter"):
        raise ValidationError(
            f"{what} is in {p.name}; distances need a projected CRS in metres (e.g. EPSG:27700)"
        )


def project_incidents(accepted: pd.DataFrame, crs: pyproj.CRS | str) -> gpd.GeoDataFrame:
    """Make point geometries in the metric ``crs`` from validated incidents.

    Parameters
    ----------
    accepted
        Validated rows with ``x``, ``y`` (float) and ``xy_crs`` (``EPSG:4326`` or
        ``EPSG:27700``), see :func:`geo.validate.validate_incidents`.
    crs
        Target projected CRS in metres.

    Returns
    -------
    geopandas.GeoDataFrame
        The same rows and columns, plus ``geometry`` (Point, metres, ``crs``). ``x``/``y``
        keep the coordinates as given.

    """
    require_metric(crs, "target CRS")
    target = pyproj.CRS(crs)
    px = np.empty(len(accepted))
    py = np.empty(len(accepted))
    kinds = accepted[c.XY_CRS].to_numpy(dtype=object)
    x = accepted[c.X].to_numpy(dtype=float)
    y = accepted[c.Y].to_numpy(dtype=float)
    for kind in pd.unique(kinds):
        m = kinds == kind
        if pyproj.CRS(kind) == target:
            px[m], py[m] = x[m], y[m]
        else:
            tr = pyproj.Transformer.from_crs(kind, target, always_xy=True)
            px[m], py[m] = tr.transform(x[m], y[m])
    return gpd.GeoDataFrame(accepted, geometry=gpd.points_from_xy(px, py), crs=target)


def project_wards(wards: gpd.GeoDataFrame, crs: pyproj.CRS | str) -> gpd.GeoDataFrame:
    """Reproject ward polygons (``ward_code``, ``ward_name``, ``geometry``) to ``crs``."""
    require_metric(crs, "target CRS")
    return wards.to_crs(crs)


def wgs84_bounds(wards: gpd.GeoDataFrame) -> tuple[float, float, float, float]:
    """``(min_lon, min_lat, max_lon, max_lat)`` of the wards."""
    b = wards.to_crs(WGS84).total_bounds
    return float(b[0]), float(b[1]), float(b[2]), float(b[3])

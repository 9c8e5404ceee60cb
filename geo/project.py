"""Stage 3: turn validated coordinates into points in a metric CRS (EPSG:27700 in Great Britain)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

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
    kinds = accepted[c.XY_CRS].to_numpy(dtype=object)
    x = accepted[c.X].to_numpy(dtype=float)
    y = accepted[c.Y].to_numpy(dtype=float)
    # police.uk snaps incidents to shared map points: each distinct (crs, x, y) is
    # transformed and made a Point once, and the rows share that (immutable) Point
    which = np.empty(len(accepted), dtype=np.intp)
    px_parts: list[np.ndarray] = []
    py_parts: list[np.ndarray] = []
    done = 0
    for kind in pd.unique(kinds):
        m = kinds == kind
        codes, uniq = pd.factorize(x[m] + 1j * y[m])
        which[m] = codes + done
        done += len(uniq)
        ux, uy = np.real(uniq).copy(), np.imag(uniq).copy()
        if pyproj.CRS(kind) != target:
            tr = pyproj.Transformer.from_crs(kind, target, always_xy=True)
            ux, uy = tr.transform(ux, uy)
        px_parts.append(np.asarray(ux, dtype=float))
        py_parts.append(np.asarray(uy, dtype=float))
    px = np.concatenate(px_parts) if px_parts else np.empty(0)
    py = np.concatenate(py_parts) if py_parts else np.empty(0)
    points = gpd.points_from_xy(px, py, crs=target)
    return gpd.GeoDataFrame(accepted, geometry=points.take(which), crs=target)


def project_wards(wards: gpd.GeoDataFrame, crs: pyproj.CRS | str) -> gpd.GeoDataFrame:
    """Reproject ward polygons (``ward_code``, ``ward_name``, ``geometry``) to ``crs``."""
    require_metric(crs, "target CRS")
    return wards.to_crs(crs)


def wgs84_bounds(wards: gpd.GeoDataFrame) -> tuple[float, float, float, float]:
    """``(min_lon, min_lat, max_lon, max_lat)`` of the wards."""
    # the bounds of every vertex transformed, as ``wards.to_crs(WGS84).total_bounds`` gives
    # them, without building the reprojected polygons (millions of vertices nationally)
    xy = shapely.get_coordinates(wards.geometry.to_numpy())
    if wards.crs is not None and pyproj.CRS(wards.crs) != pyproj.CRS(WGS84):
        tr = pyproj.Transformer.from_crs(wards.crs, WGS84, always_xy=True)
        lon, lat = tr.transform(xy[:, 0], xy[:, 1])
    else:
        lon, lat = xy[:, 0], xy[:, 1]
    return float(np.min(lon)), float(np.min(lat)), float(np.max(lon)), float(np.max(lat))

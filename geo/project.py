"""Stage 3: turn validated coordinates into points in a metric CRS (EPSG:27700 in Great Britain)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from geo import columns as c
from geo._arrays import MIX
from geo.errors import ValidationError

BNG = "EPSG:27700"
WGS84 = "EPSG:4326"
#: Great Britain (with a margin) in lon/lat: inside it, British National Grid is used.
GB_BOUNDS = (-9.0, 49.0, 2.5, 61.0)
#: British National Grid's false-origin extent (metres): eastings and northings inside it.
BNG_EXTENT = (0.0, 0.0, 700_000.0, 1_300_000.0)
#: Degrees outside a projected CRS's area of use that coordinates may still fall (a UTM
#: zone is used well beyond its 6 degrees).
AREA_MARGIN_DEG = 5.0


def crs_problem(bounds: tuple[float, float, float, float], crs: object) -> str | None:
    """Why coordinates with these ``bounds`` cannot be in ``crs``, or ``None`` if they can.

    Catches the usual mislabelled boundary files: metres labelled as degrees (``x`` beyond
    180 or ``y`` beyond 90 in a geographic CRS), degrees labelled as a projected CRS (a
    whole extent of a few units), and coordinates outside the area the CRS is defined for
    (e.g. a Shapefile's ``.prj`` naming a CRS for another country). The text names the CRS
    found and the likely one.

    Parameters
    ----------
    bounds
        ``(min_x, min_y, max_x, max_y)`` of the finite coordinates, in ``crs`` units.
    crs
        The CRS the file states (anything :class:`pyproj.CRS` accepts).

    """
    p = pyproj.CRS(crs)
    x0, y0, x1, y1 = bounds
    found = f"{p.name} ({p.to_string()})"
    if p.is_geographic:
        if max(abs(x0), abs(x1)) <= 180 and max(abs(y0), abs(y1)) <= 90:
            return None
        return (
            f"coordinates up to {_big(x0, x1)}, {_big(y0, y1)} cannot be degrees, but the "
            f"file states {found}; they look like metres, most likely {_metric_guess(bounds)}: "
            "correct the CRS the file states (for a Shapefile, its .prj)"
        )
    degrees = max(abs(x0), abs(x1)) <= 180 and max(abs(y0), abs(y1)) <= 90
    if degrees and x1 - x0 < 10 and y1 - y0 < 10:
        return (
            f"the coordinates ({x0:g} to {x1:g}, {y0:g} to {y1:g}) span less than 10 metres "
            f"in {found}; they look like degrees, most likely WGS84 longitude/latitude "
            f"({WGS84})"
        )
    area = p.area_of_use
    if area is None:
        return None
    try:
        tr = pyproj.Transformer.from_crs(p, WGS84, always_xy=True)
        lon, lat = tr.transform([x0, x1, x0, x1], [y0, y0, y1, y1], errcheck=True)
    except pyproj.exceptions.ProjError:
        lon, lat = [np.inf], [np.inf]
    lon_a, lat_a = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    m = AREA_MARGIN_DEG
    inside = (
        np.isfinite(lon_a).all()
        and np.isfinite(lat_a).all()
        and lon_a.max() >= area.west - m
        and lon_a.min() <= area.east + m
        and lat_a.max() >= area.south - m
        and lat_a.min() <= area.north + m
    )
    if inside:
        return None
    return (
        f"the coordinates ({_num(x0)} to {_num(x1)}, {_num(y0)} to {_num(y1)}) lie outside "
        f"the area {found} covers ({area.name.split(' - ')[0].rstrip('.')}); "
        f"{_metric_guess(bounds)} is more likely"
    )


def _num(v: float) -> str:
    return f"{v:.0f}" if abs(v) < 1e9 else f"{v:.3g}"


def _big(a: float, b: float) -> str:
    v = max(abs(a), abs(b))
    return f"{v:,.0f}" if v < 1e9 else f"{v:.3g}"


def _metric_guess(bounds: tuple[float, float, float, float]) -> str:
    """The CRS metre coordinates with ``bounds`` are most likely in."""
    x0, y0, x1, y1 = bounds
    e0, n0, e1, n1 = BNG_EXTENT
    if e0 <= x0 and x1 <= e1 and n0 <= y0 and y1 <= n1:
        return f"British National Grid ({BNG})"
    return "a projected CRS in metres such as a UTM zone"


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
    if (np.abs(lon) > 180).any() or (np.abs(lat) > 90).any():
        raise ValidationError(
            f"coordinates up to {_big(lon.min(), lon.max())}, {_big(lat.min(), lat.max())} "
            "cannot be longitude/latitude; are they metres in a file that states degrees?"
        )
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
        The same rows and columns, plus ``x_m``, ``y_m`` (float, the point's coordinates in
        metres) and ``geometry`` (Point, metres, ``crs``). ``x``/``y`` keep the
        coordinates as given.

    """
    require_metric(crs, "target CRS")
    target = pyproj.CRS(crs)
    # a code per row (not a Python string per row) for the CRS of each row's x/y
    kind_codes, kinds = pd.factorize(accepted[c.XY_CRS], use_na_sentinel=False)
    x = accepted[c.X].to_numpy(dtype=float)
    y = accepted[c.Y].to_numpy(dtype=float)
    # police.uk snaps incidents to shared map points: each distinct (crs, x, y) is
    # transformed and made a Point once, and the rows share that (immutable) Point
    which = np.empty(len(accepted), dtype=np.intp)
    px_parts: list[np.ndarray] = []
    py_parts: list[np.ndarray] = []
    done = 0
    for k, kind in enumerate(kinds):
        m = kind_codes == k
        one = len(kinds) == 1  # every row in one CRS (the usual case): no masked copies
        kx, ky = (x, y) if one else (x[m], y[m])
        codes, first = distinct_points(np.zeros(len(kx), dtype=np.int8), kx, ky)
        which[m] = codes + done
        done += len(first)
        ux, uy = kx[first], ky[first]
        if pyproj.CRS(kind) != target:
            tr = pyproj.Transformer.from_crs(kind, target, always_xy=True)
            ux, uy = tr.transform(ux, uy)
        px_parts.append(np.asarray(ux, dtype=float))
        py_parts.append(np.asarray(uy, dtype=float))
    px = np.concatenate(px_parts) if px_parts else np.empty(0)
    py = np.concatenate(py_parts) if py_parts else np.empty(0)
    points = gpd.points_from_xy(px, py, crs=target)
    out = accepted.copy(deep=False)  # the new columns go on the copy only (copy-on-write)
    out[c.X_M] = px.take(which)
    out[c.Y_M] = py.take(which)
    # copy=False: geopandas otherwise copies every column of millions of rows (and merges
    # them into blocks); copy-on-write already keeps ``accepted`` as it was
    return gpd.GeoDataFrame(out, geometry=points.take(which), crs=target, copy=False)


def point_xy(points: gpd.GeoDataFrame | gpd.GeoSeries) -> np.ndarray:
    """``(n, 2)`` float array of the points' x and y.

    Parameters
    ----------
    points
        Point ``geometry``; a frame from :func:`project_incidents` (or any frame made from
        its rows) also has ``x_m``/``y_m``, which are read instead of the millions of Point
        objects, after checking a few rows against their geometry (a frame reprojected
        since then falls back to its geometry).

    Returns
    -------
    numpy.ndarray
        What ``points.geometry.x``/``.y`` give, in one array; for geometries read one pass
        over them when every one is a non-empty Point (the usual case), instead of
        geopandas' two checked passes (which raise for geometries that are not points).

    """
    if isinstance(points, gpd.GeoDataFrame):
        carried = metre_xy(points)
        if carried is not None:
            return carried
        points = points.geometry
    geoms = points.to_numpy()
    xy: np.ndarray = shapely.get_coordinates(geoms)
    if len(xy) == len(geoms) and bool((shapely.get_type_id(geoms) == 0).all()):
        return xy
    return np.column_stack([points.x.to_numpy(), points.y.to_numpy()])


def metre_xy(points: gpd.GeoDataFrame, *, checks: int = 16) -> np.ndarray | None:
    """The ``(n, 2)`` x and y a frame carries in ``x_m``/``y_m``, or ``None``.

    ``None`` when the frame lacks those columns or they disagree with the Point geometry at
    a few rows spread over the frame (e.g. a frame reprojected since
    :func:`project_incidents`); the caller then reads the geometry.

    Parameters
    ----------
    points
        ``geometry`` and, from :func:`project_incidents`, ``x_m``, ``y_m`` (float).
    checks
        How many rows (evenly spaced, first and last included) are compared.

    """
    carried = metre_columns(points, checks=checks)
    return None if carried is None else np.column_stack(carried)


def metre_columns(
    points: gpd.GeoDataFrame, *, checks: int = 16
) -> tuple[np.ndarray, np.ndarray] | None:
    """:func:`metre_xy` as two arrays, ``x`` and ``y``, read from the frame without a copy.

    For callers that take a subset of millions of rows: they copy only the rows they keep.
    """
    if not {c.X_M, c.Y_M} <= set(points.columns):
        return None
    x, y = points[c.X_M].to_numpy(dtype=float), points[c.Y_M].to_numpy(dtype=float)
    at = np.unique(np.linspace(0, len(points) - 1, min(len(points), checks)).astype(np.intp))
    geoms = points.geometry.to_numpy()[at]
    if not bool((shapely.get_type_id(geoms) == 0).all()):
        return None
    shown = shapely.get_coordinates(geoms)
    if len(shown) != len(at) or not np.array_equal(shown, np.column_stack([x[at], y[at]])):
        return None
    return x, y


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
        # neighbouring wards share their boundary vertices: transform each vertex once
        _, first = distinct_points(np.zeros(len(xy), dtype=np.int8), xy[:, 0], xy[:, 1])
        xy = xy[first]
        tr = pyproj.Transformer.from_crs(wards.crs, WGS84, always_xy=True)
        lon, lat = tr.transform(xy[:, 0], xy[:, 1])
    else:
        lon, lat = xy[:, 0], xy[:, 1]
    return float(np.min(lon)), float(np.min(lat)), float(np.max(lon)), float(np.max(lat))


def distinct_points(
    code: np.ndarray, x: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Number the distinct ``(code, x, y)`` of rows, as ``pd.factorize`` numbers values.

    police.uk snaps millions of incidents to far fewer map points; each stage works on the
    distinct points. The three values are mixed into one 64-bit number and those are
    numbered by hashing, several times faster than hashing pairs of floats or sorting by
    three keys. Every row is then compared with the first row of its number; should two
    different points ever mix to one number, the rows are sorted by the three keys
    instead, so the answer is always exact. ``-0.0`` and ``0.0`` are one value, as ``==``
    has them.

    Parameters
    ----------
    code
        An integer per row that must also match (e.g. a ward number; zeros for none).
    x, y
        Float coordinates per row (finite).

    Returns
    -------
    tuple
        ``(number, first)``: ``number`` (int64 per row) numbers the distinct points in the
        order of their first row; ``first`` (int64, ascending) is the position of each
        one's first row, so ``x[first][number]`` is ``x``.

    """
    n = len(code)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    # contiguous (a column of an (n, 2) array is not): the gathers below are then cheaper
    x = np.ascontiguousarray(x, dtype=np.float64)
    y = np.ascontiguousarray(y, dtype=np.float64)
    mixed = _mix(code, x, y)
    number, _ = pd.factorize(mixed)
    del mixed
    # numbers are given in order of first appearance: a row is first where the highest
    # number so far goes up
    so_far = np.maximum.accumulate(number)
    new = np.ones(n, dtype=bool)
    new[1:] = so_far[1:] != so_far[:-1]
    first = np.flatnonzero(new)
    rep = first[number]
    if (code[rep] == code).all() and (x[rep] == x).all() and (y[rep] == y).all():
        return number.astype(np.int64, copy=False), first.astype(np.int64, copy=False)
    return _distinct_points_by_sorting(code, x, y)


def _mix(code: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """One 64-bit number per row from ``(code, x, y)`` (``-0.0`` as ``0.0``).

    Each float's high bits are folded into its low bits before it is multiplied, and x is
    multiplied again after y joins it: whole-metre coordinates (easting/northing in metres,
    common in local files) have their low 30 or so bits zero, and multiplying and XOR-ing
    the raw bits left those numbers colliding by the hundred (then every row was sorted,
    several times slower).
    """
    shift = np.uint64(29)
    with np.errstate(over="ignore"):  # + 0.0: -0.0 is mixed as 0.0
        a = (x + 0.0).view(np.uint64)
        b = (y + 0.0).view(np.uint64)
        a = a ^ (a >> shift)
        b ^= b >> shift
        a *= MIX[0]
        a ^= b
        del b
        a *= MIX[1]
        a ^= np.asarray(code).astype(np.uint64) * MIX[2]
        a ^= a >> np.uint64(32)
    return a


def _distinct_points_by_sorting(
    code: np.ndarray, x: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`distinct_points` by a stable sort on the three keys (exact, slower)."""
    order = np.lexsort((y, x, code))
    sc, sx, sy = code[order], x[order], y[order]
    new = np.ones(len(order), dtype=bool)
    new[1:] = (sc[1:] != sc[:-1]) | (sx[1:] != sx[:-1]) | (sy[1:] != sy[:-1])
    group = np.cumsum(new) - 1  # the sorted group of each sorted row
    group_first = order[new]  # stable sort: a group's first row comes first in it
    rank = np.empty(len(group_first), dtype=np.int64)
    rank[np.argsort(group_first, kind="stable")] = np.arange(len(group_first))
    number = np.empty(len(order), dtype=np.int64)
    number[order] = rank[group]
    return number, np.sort(group_first).astype(np.int64)

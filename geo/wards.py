"""Stage 4: assign every incident to exactly one ward; points outside every ward are rejected."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from geo import columns as c
from geo._arrays import take_text
from geo.errors import ValidationError
from geo.project import distinct_points, metre_xy
from geo.rejected import Checked, rejected_rows

OUTSIDE_REASON = "outside every ward in the boundary file"
#: When no incident lies within this distance of the wards' bounding box, the boundaries
#: are taken to be in the wrong CRS or for another place (an error, not rejected rows).
NO_OVERLAP_M = 10_000.0


def assign_wards(points: gpd.GeoDataFrame, wards: gpd.GeoDataFrame) -> Checked:
    """Give each point one ward.

    Tie rule: a point on the shared edge (or corner) of several wards goes to the ward whose
    code sorts first (e.g. ``E05006557`` before ``E05006563``). Points outside every ward are
    rejected with stage ``"outside_wards"``.

    Parameters
    ----------
    points
        Incidents with Point ``geometry`` (metric CRS) and ``source_file``, ``row``.
    wards
        ``ward_code``, ``ward_name``, ``geometry`` in the same CRS as ``points``.

    Returns
    -------
    Checked
        ``accepted``: GeoDataFrame, the input columns plus ``ward_code`` and ``ward_name``,
        input order kept; ``rejected``: ``source_file``, ``row``, ``stage``, ``reason``.

    Raises
    ------
    ValidationError
        When no point lies within :data:`NO_OVERLAP_M` of the wards' extent: the boundaries
        are in the wrong CRS or for another place (see :func:`no_overlap_problem`).

    """
    if points.crs != wards.crs:
        raise ValueError(f"points CRS {points.crs} differs from wards CRS {wards.crs}")
    order = wards.sort_values(c.WARD_CODE, kind="stable").reset_index(drop=True)
    geoms = points.geometry.to_numpy()
    xy = _point_coordinates(points) if len(geoms) else None
    if xy is not None:
        # police.uk snaps incidents to shared map points: test each distinct point once
        point_of, first = distinct_points(np.zeros(len(xy), dtype=np.int8), xy[:, 0], xy[:, 1])
        del xy
        queried = geoms[first]  # the rows' own (immutable) Points: none made again
    else:
        point_of, queried = np.arange(len(geoms)), geoms
    # a tree of the points queried with each ward polygon (prepared once) finds the same
    # point-ward pairs as querying a tree of wards point by point, several times faster
    idx_ward, idx_pt = shapely.STRtree(queried).query(
        order.geometry.to_numpy(), predicate="intersects"
    )
    ward_of_point = first_ward(idx_pt, idx_ward, len(queried))
    ward_of = ward_of_point[point_of]
    inside = ward_of >= 0
    if len(queried) and not inside.any():
        problem = no_overlap_problem(queried, order, n_incidents=len(geoms))
        if problem is not None:
            raise ValidationError(problem)
    # no copy of the columns when every point is in a ward (new columns go on the copy only)
    acc = points.copy(deep=False) if inside.all() else points.loc[inside]
    acc[c.WARD_CODE] = take_text(order[c.WARD_CODE], ward_of[inside])
    acc[c.WARD_NAME] = take_text(order[c.WARD_NAME], ward_of[inside])
    acc = acc.reset_index(drop=True)
    rej = rejected_rows(
        points.loc[~inside, [c.SOURCE_FILE, c.ROW]],
        "outside_wards",
        np.full((~inside).sum(), OUTSIDE_REASON),
    )
    return Checked(accepted=acc, rejected=rej)


def _point_coordinates(points: gpd.GeoDataFrame) -> np.ndarray | None:
    """``(n, 2)`` x and y when every geometry is a non-empty Point, else ``None``.

    Frames from :func:`geo.project.project_incidents` carry them (finite ``x_m``/``y_m``,
    see :func:`geo.project.metre_xy`): no pass over millions of Point objects.
    """
    carried = metre_xy(points)
    if carried is not None:
        return carried if bool(np.isfinite(carried).all()) else None
    geoms = points.geometry.to_numpy()
    if bool(((shapely.get_type_id(geoms) == 0) & ~shapely.is_empty(geoms)).all()):
        xy: np.ndarray = shapely.get_coordinates(geoms)
        return xy
    return None


def first_ward(idx_pt: np.ndarray, idx_ward: np.ndarray, n_points: int) -> np.ndarray:
    """Apply the tie rule to (point, ward) intersection pairs.

    Parameters
    ----------
    idx_pt, idx_ward
        Pairs from a spatial query, in any order; ward indices refer to wards sorted by
        code, so the lowest index is the lowest code.
    n_points
        Number of points queried.

    Returns
    -------
    numpy.ndarray
        ``(n_points,)`` int: each point's ward index (lowest code on shared edges), -1 for
        points outside every ward.

    """
    ward_of = np.full(n_points, -1, dtype=np.int64)
    if len(idx_pt):
        pairs = np.lexsort((idx_ward, idx_pt))
        idx_pt, idx_ward = idx_pt[pairs], idx_ward[pairs]
        first = np.r_[True, idx_pt[1:] != idx_pt[:-1]]
        ward_of[idx_pt[first]] = idx_ward[first]
    return ward_of


def no_overlap_problem(
    points: np.ndarray, wards: gpd.GeoDataFrame, *, n_incidents: int | None = None
) -> str | None:
    """Say so when no point lies within :data:`NO_OVERLAP_M` of the wards' bounding box.

    Parameters
    ----------
    points
        Point geometries in the wards' CRS (metres).
    wards
        ``ward_code``, ``geometry`` (metric CRS); ``attrs["source"]`` names the file.
    n_incidents
        The incidents at those points (several may share one); ``len(points)`` by default.

    Returns
    -------
    str or None
        A one-line message naming where the wards and the incidents are (WGS84) and how
        far apart, suggesting a wrong CRS or a boundary file for another place.

    """
    xy = shapely.get_coordinates(points)
    wx0, wy0, wx1, wy1 = wards.total_bounds
    gap_x = np.maximum(np.maximum(wx0 - xy[:, 0], xy[:, 0] - wx1), 0.0)
    gap_y = np.maximum(np.maximum(wy0 - xy[:, 1], xy[:, 1] - wy1), 0.0)
    if (np.hypot(gap_x, gap_y) <= NO_OVERLAP_M).any():
        return None
    px, py = np.median(xy[:, 0]), np.median(xy[:, 1])
    wx, wy = (wx0 + wx1) / 2, (wy0 + wy1) / 2
    km = float(np.hypot(px - wx, py - wy)) / 1000
    to_ll = gpd.GeoSeries(shapely.points([px, wx], [py, wy]), crs=wards.crs).to_crs("EPSG:4326")
    p_ll, w_ll = to_ll.iloc[0], to_ll.iloc[1]
    source = wards.attrs.get("source", "the boundary file")
    return (
        f"{source}: none of the {n_incidents or len(points):,} incidents lies within the wards: "
        f"the wards are around {w_ll.y:.3f}, {w_ll.x:.3f} and the incidents around {p_ll.y:.3f}, "
        f"{p_ll.x:.3f} (lat, lon), {km:,.0f} km apart; is the boundary file's CRS right, "
        "or is it for another place?"
    )

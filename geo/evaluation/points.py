"""Shapes at DBSCAN's resolution: discs around police.uk map points, chosen to an area budget.

police.uk moves every incident to a map point, and DBSCAN's hotspots are 25 m buffers around
such points. The baselines here mark the same kind of shape, so that a comparison with DBSCAN
is at the same resolution: a disc of ``radius_m`` around each chosen map point, clipped to
its ward (:func:`select_discs`). :func:`disc_hotspots` gives DBSCAN itself a disc shape: the
union of its member map points' discs instead of a buffered convex hull.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import columns as c
from geo.errors import ValidationError
from geo.project import require_metric


@dataclass(frozen=True)
class MapPoints:
    """The distinct map points of some incidents, each with its disc clipped to its ward.

    Attributes
    ----------
    ward_code
        Ward of each point (object array of str).
    xy
        ``(n, 2)`` metres, the points' coordinates.
    discs
        Shapely polygons: the disc of ``radius_m`` around each point, clipped to its ward.
    of_incident
        For each incident given to :func:`map_points`, the index of its point.
    radius_m
        The disc radius.

    """

    ward_code: np.ndarray
    xy: np.ndarray
    discs: np.ndarray
    of_incident: np.ndarray
    radius_m: float

    def counts(self, mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """Incidents (or their ``weights``) at each point, of the incidents where ``mask``."""
        w = None if weights is None else np.asarray(weights, dtype=float)[mask]
        out: np.ndarray = np.bincount(
            self.of_incident[mask], weights=w, minlength=len(self.ward_code)
        ).astype(float)
        return out

    def covered(self, unions: Mapping[str, shapely.Geometry]) -> np.ndarray:
        """For each incident, whether the union of its own ward covers its map point."""
        inside = np.zeros(len(self.ward_code), dtype=bool)
        for code, geom in unions.items():
            rows = np.flatnonzero(self.ward_code == code)
            if len(rows) and geom is not None and not geom.is_empty:
                pts = shapely.points(self.xy[rows])
                inside[rows] = shapely.covers(geom, pts)
        out: np.ndarray = inside[self.of_incident]
        return out


def map_points(
    incidents: gpd.GeoDataFrame, wards: gpd.GeoDataFrame, *, radius_m: float
) -> MapPoints:
    """The distinct map points of ``incidents`` (per ward) with their discs.

    Parameters
    ----------
    incidents
        Point ``geometry`` in a metric CRS, ``ward_code``.
    wards
        ``ward_code``, ``geometry`` (polygons) in the same CRS.
    radius_m
        Disc radius in metres (> 0); DBSCAN's hull buffer (25 m) for a like-for-like
        comparison. Discs are 32-gons (8 segments a quarter), as the hotspot buffers are.

    Returns
    -------
    MapPoints

    """
    require_metric(incidents.crs, "incidents")
    if not radius_m > 0:
        raise ValidationError(f"The 'radius_m' option must be > 0. Got {radius_m!r}.")
    frame = pd.DataFrame(
        {
            c.WARD_CODE: incidents[c.WARD_CODE].astype(str).to_numpy(dtype=object),
            "x": incidents.geometry.x.to_numpy(),
            "y": incidents.geometry.y.to_numpy(),
        }
    )
    keys = [c.WARD_CODE, "x", "y"]
    point_no = frame.groupby(keys, sort=True).ngroup().to_numpy()
    distinct = frame.drop_duplicates(keys).sort_values(keys, kind="stable")
    codes = distinct[c.WARD_CODE].to_numpy(dtype=object)
    xy = distinct[["x", "y"]].to_numpy(dtype=float)
    ward_geom = wards.set_index(wards[c.WARD_CODE].astype(str)).geometry
    discs = shapely.buffer(shapely.points(xy), radius_m, quad_segs=8)
    if len(discs):
        discs = shapely.intersection(discs, ward_geom.reindex(codes).to_numpy())
    return MapPoints(codes, xy, np.asarray(discs, dtype=object), point_no, float(radius_m))


def select_discs(
    points: MapPoints,
    scores: np.ndarray,
    budget_m2: Mapping[str, float] | float,
    *,
    tie_break: np.ndarray | None = None,
) -> dict[str, shapely.Geometry]:
    """Discs of the top-scoring map points, added until their union's area is nearest a budget.

    Points are ordered by ``scores`` (high first), then ``tie_break`` (high first), then
    ward and coordinates; only points with a positive score are taken (a disc around a point
    with nothing at it adds area and nothing else, so the area may fall short of the budget).
    Discs are added one at a time and the number kept is the one whose union's area is
    nearest the budget (fewer on a tie): within half a disc of it when there are enough
    points.

    Parameters
    ----------
    points
        :func:`map_points`.
    scores, tie_break
        One float per point.
    budget_m2
        Ward code -> area to mark in that ward (m²; wards not listed get none), or one float:
        the study-wide budget, spent on the best points of any ward.

    Returns
    -------
    dict
        Ward code -> union of its chosen discs (wards with none are absent).

    """
    s = np.asarray(scores, dtype=float)
    tb = np.zeros(len(s)) if tie_break is None else np.asarray(tie_break, dtype=float)
    order = np.lexsort((points.xy[:, 1], points.xy[:, 0], points.ward_code.astype(str), -tb, -s))
    order = order[s[order] > 0]
    if isinstance(budget_m2, Mapping):
        out: dict[str, shapely.Geometry] = {}
        for code, budget in budget_m2.items():
            mine = order[points.ward_code[order] == code]
            out.update(_greedy(points, mine, float(budget)))
        return out
    return _greedy(points, order, float(budget_m2))


def _greedy(points: MapPoints, order: np.ndarray, budget: float) -> dict[str, shapely.Geometry]:
    if budget <= 0 or len(order) == 0:
        return {}
    unions: dict[str, shapely.Geometry] = {}
    states: list[dict[str, shapely.Geometry]] = [{}]
    areas = [0.0]
    for i in order:
        code = str(points.ward_code[i])
        before = unions.get(code)
        disc = points.discs[i]
        unions[code] = disc if before is None else shapely.union(before, disc)
        grown = unions[code].area - (0.0 if before is None else before.area)
        areas.append(areas[-1] + grown)
        states.append(dict(unions))
        if areas[-1] >= budget:
            break
    n = int(np.argmin(np.abs(np.asarray(areas) - budget)))
    return states[n]


def disc_hotspots(
    hotspots: gpd.GeoDataFrame,
    clustered: gpd.GeoDataFrame,
    wards: gpd.GeoDataFrame,
    *,
    radius_m: float,
) -> gpd.GeoDataFrame:
    """Hotspots with the union of their member map points' discs as their shape.

    A buffered convex hull takes in the ground between a hotspot's map points, where
    police.uk puts no incident; the union of ``radius_m`` discs around the members marks only
    the map points themselves (a single-location hotspot keeps the same disc).

    Parameters
    ----------
    hotspots
        :func:`geo.evaluation.fit_dbscan` of ``clustered`` (``ward_code``, ``cluster``,
        ``geometry``, ``area_m2``, ...).
    clustered
        Point ``geometry``, ``ward_code``, ``cluster`` (-1 noise), metric CRS.
    wards
        ``ward_code``, ``geometry``, same CRS.
    radius_m
        Disc radius (DBSCAN's hull buffer for the same resolution).

    Returns
    -------
    geopandas.GeoDataFrame
        ``hotspots`` with ``geometry`` and ``area_m2`` replaced (same rows, columns, CRS).

    """
    if hotspots.empty:
        return hotspots.copy()
    members = clustered.loc[clustered[c.CLUSTER].to_numpy() >= 0]
    frame = pd.DataFrame(
        {
            c.WARD_CODE: members[c.WARD_CODE].astype(str).to_numpy(dtype=object),
            c.CLUSTER: members[c.CLUSTER].to_numpy(dtype=np.int64),
            "x": members.geometry.x.to_numpy(),
            "y": members.geometry.y.to_numpy(),
        }
    ).drop_duplicates()
    ward_geom = wards.set_index(wards[c.WARD_CODE].astype(str)).geometry
    shapes: dict[tuple[str, int], shapely.Geometry] = {}
    for (code, label), grp in frame.groupby([c.WARD_CODE, c.CLUSTER], sort=True):
        discs = shapely.buffer(shapely.points(grp[["x", "y"]].to_numpy()), radius_m, quad_segs=8)
        shapes[(str(code), int(str(label)))] = shapely.intersection(
            shapely.union_all(discs), ward_geom[str(code)]
        )
    out = hotspots.copy()
    keys = zip(out[c.WARD_CODE].astype(str), out[c.CLUSTER].astype(int), strict=True)
    geoms = [shapes[k] for k in keys]
    out = out.set_geometry(gpd.GeoSeries(geoms, index=out.index, crs=hotspots.crs))
    out[c.AREA_M2] = shapely.area(np.asarray(geoms, dtype=object))
    return out

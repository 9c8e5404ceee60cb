"""Baselines at DBSCAN's resolution: shifted grids, study-wide budgets, map-point discs."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point

from geo import columns as c
from geo.errors import ValidationError
from geo.evaluation import (
    build_grid,
    cell_keys,
    disc_hotspots,
    map_points,
    select_cells_study,
    select_discs,
)

from .builders import EAST, SPOT_AREA, WEST, X0, Y0


def test_shifted_grid_by_hand(two_wards):
    # a half-cell shift moves the cell edges to 25, 75, ... (mod 50)
    k = cell_keys(
        np.array([24.9, 25.0, 74.9]), np.array([25.0, 25.0, 25.0]), grid_m=50, offset_m=25
    )
    assert k[0] != k[1] and k[1] == k[2]
    grid = build_grid(two_wards, grid_m=50, offset_m=25)
    # the pieces still tile each ward exactly; edge cells are cut to half or quarter cells
    for code in (WEST, EAST):
        assert grid.loc[grid[c.WARD_CODE] == code, "area_m2"].sum() == pytest.approx(1_000_000)
    assert set(np.unique(grid["area_m2"].round(6))) == {625.0, 1250.0, 2500.0}
    assert ((grid["centre_x"] - 25) % 50 == 25).all()
    with pytest.raises(ValidationError, match="offset_m"):
        build_grid(two_wards, grid_m=50, offset_m=float("nan"))


def test_study_wide_budget_takes_the_best_cells_of_any_ward():
    grid = pd.DataFrame(
        {
            "cell": [1, 2, 3, 4],
            c.WARD_CODE: [WEST, WEST, EAST, EAST],
            "area_m2": [100.0, 100.0, 100.0, 100.0],
        }
    )
    scores = np.array([5.0, 1.0, 4.0, 3.0])
    # 200 m^2 anywhere: the two best cells (5 west, 4 east), whatever DBSCAN did per ward
    assert select_cells_study(grid, scores, 200).tolist() == [True, False, True, False]
    # 260 m^2: 300 is 40 away, 200 is 60 away: three cells
    assert select_cells_study(grid, scores, 260).tolist() == [True, False, True, True]
    assert not select_cells_study(grid, scores, 0).any()


def point_frame(xy: list[tuple[float, float]], wards: list[str]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {c.WARD_CODE: wards}, geometry=[Point(x, y) for x, y in xy], crs="EPSG:27700"
    )


def test_disc_selection_by_hand(two_wards):
    a, b, e = (X0 + 300, Y0 + 300), (X0 + 600, Y0 + 600), (X0 + 1500, Y0 + 500)
    inc = point_frame([a, a, a, b, e, e], [WEST, WEST, WEST, WEST, EAST, EAST])
    pts = map_points(inc, two_wards, radius_m=25)
    assert len(pts.ward_code) == 3  # three distinct map points
    counts = pts.counts(np.ones(6, dtype=bool))
    assert sorted(counts) == [1, 2, 3]
    # one disc's worth per ward: a in the west, e in the east
    unions = select_discs(pts, counts, {WEST: SPOT_AREA, EAST: SPOT_AREA})
    assert unions[WEST].area == pytest.approx(SPOT_AREA)
    assert pts.covered(unions).tolist() == [True, True, True, False, True, True]
    # study-wide, 1.4 discs: 1 disc (0.4 away) beats 2 (0.6 away); the busiest point is a
    unions = select_discs(pts, counts, 1.4 * SPOT_AREA)
    assert list(unions) == [WEST]
    assert pts.covered(unions).sum() == 3
    # a point with nothing at it is never marked
    assert select_discs(pts, np.zeros(3), 10 * SPOT_AREA) == {}


def test_disc_hotspots_mark_only_the_member_map_points(two_wards):
    a, b = (X0 + 300, Y0 + 300), (X0 + 400, Y0 + 300)  # 100 m apart
    clustered = point_frame([a, b, (X0 + 900, Y0 + 900)], [WEST, WEST, WEST])
    clustered[c.CLUSTER] = [0, 0, -1]
    hull = shapely.buffer(shapely.LineString([a, b]), 25, quad_segs=8)
    hotspots = gpd.GeoDataFrame(
        {c.WARD_CODE: [WEST], c.CLUSTER: [0], c.AREA_M2: [hull.area]},
        geometry=[hull],
        crs="EPSG:27700",
    )
    out = disc_hotspots(hotspots, clustered, two_wards, radius_m=25)
    # two separate discs instead of a 150 m capsule: 2 x 1950.9 against 5000 + 1950.9
    assert out[c.AREA_M2].iloc[0] == pytest.approx(2 * SPOT_AREA)
    assert out.geometry.iloc[0].covers(Point(a)) and out.geometry.iloc[0].covers(Point(b))
    assert not out.geometry.iloc[0].covers(Point(X0 + 350, Y0 + 300))  # the gap between
    assert list(out.columns) == list(hotspots.columns)

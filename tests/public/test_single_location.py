"""A single-location public area cannot be narrowed down by replaying the grid rule.

An attacker who knows the rule (fixed 50 m grid, squares within 25 m of the staff shape,
trimmed to the ward) can try every candidate position of the one map point and keep those
that give the published outline. The candidates left must cover at least
:data:`FLOOR_M2`; with the old rule (the grid applied to the point's own 25 m disc) they
covered a few hundred square metres.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from geo.public.areas import SINGLE_LOCATION_CELLS, generalise_polygons, single_location_cells
from tests.helpers import X0, Y0

GRID_M = 50.0
BUFFER_M = 25.0  # hull_buffer_m: a single map point's staff shape is this disc
FLOOR_M2 = 5_000.0
STEP_M = 10.0
REACH_M = 250.0
WARD = box(X0, Y0, X0 + 1000, Y0 + 1000)


def outlines(xs: np.ndarray, ys: np.ndarray, *, cells: bool) -> np.ndarray:
    """Published outline for a single map point at each (x, y)."""
    discs = shapely.buffer(shapely.points(xs, ys), BUFFER_M)
    shapes = single_location_cells(discs, [WARD] * len(xs), generalise_m=GRID_M) if cells else discs
    return generalise_polygons(shapes, [WARD] * len(xs), generalise_m=GRID_M)


def candidate_area(x: float, y: float, *, cells: bool) -> float:
    """Square metres of positions (on a 10 m lattice) giving the same outline as (x, y)."""
    target = outlines(np.array([x]), np.array([y]), cells=cells)[0]
    offsets = np.arange(-REACH_M, REACH_M + STEP_M, STEP_M)
    qx, qy = (a.ravel() for a in np.meshgrid(x + offsets, y + offsets))
    inside = shapely.covers(WARD, shapely.points(qx, qy))
    qx, qy = qx[inside], qy[inside]
    same = shapely.equals(outlines(qx, qy, cells=cells), target)
    return float(same.sum()) * STEP_M * STEP_M


@pytest.mark.parametrize(
    ("dx", "dy"),
    [(500, 500), (473, 512), (151, 149), (5, 995), (999, 1), (300, 10)],
)
def test_single_location_outline_leaves_at_least_the_floor(dx: float, dy: float) -> None:
    assert candidate_area(X0 + dx, Y0 + dy, cells=True) >= FLOOR_M2


@settings(max_examples=15, deadline=None)
@given(dx=st.floats(1, 999), dy=st.floats(1, 999))
def test_single_location_floor_holds_anywhere_in_the_ward(dx: float, dy: float) -> None:
    assert candidate_area(X0 + dx, Y0 + dy, cells=True) >= FLOOR_M2


def test_the_old_rule_narrows_a_point_below_the_floor() -> None:
    # the inference the floor guards against: the grid alone, on the point's own disc
    assert candidate_area(X0 + 473, Y0 + 512, cells=False) < FLOOR_M2


def test_single_location_cell_holds_its_point_and_is_grid_aligned() -> None:
    size = SINGLE_LOCATION_CELLS * GRID_M
    disc = shapely.buffer(shapely.points(X0 + 473.0, Y0 + 512.0), BUFFER_M)
    (cell,) = single_location_cells([disc], generalise_m=GRID_M)
    assert cell.covers(shapely.points(X0 + 473.0, Y0 + 512.0))
    minx, miny, maxx, maxy = cell.bounds
    assert (maxx - minx, maxy - miny) == (size, size)
    assert minx % size == 0 and miny % size == 0

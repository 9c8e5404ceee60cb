"""Grid baselines for hotspot evaluation: kernel density, Getis-Ord Gi*, busiest cells, area budget.

Each baseline scores square grid cells cut by the ward boundaries; :func:`select_cells` then
marks the top cells of each ward until they cover a given area (DBSCAN's hotspot area in
:func:`geo.evaluation.evaluate_methods`), so every method is judged on the same area.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sklearn.neighbors import KDTree, KernelDensity

from geo import columns as c
from geo.errors import ValidationError
from geo.project import require_metric

KERNELS: tuple[str, ...] = ("quartic", "gaussian")


def cell_keys(x: np.ndarray, y: np.ndarray, *, grid_m: float, offset_m: float = 0.0) -> np.ndarray:
    """Integer key of the grid cell holding each point.

    Cells are squares of ``grid_m`` metres aligned on multiples of ``grid_m`` plus
    ``offset_m`` (in both directions; half a cell shifts the grid by half a cell); a point on
    a cell edge belongs to the cell above/right of it (``floor``). Key = column * 2**32 + row
    + 2**31, so keys sort by column then row.
    """
    col = np.floor((np.asarray(x, dtype=float) - offset_m) / grid_m).astype(np.int64)
    row = np.floor((np.asarray(y, dtype=float) - offset_m) / grid_m).astype(np.int64)
    out: np.ndarray = col * (1 << 32) + row + (1 << 31)
    return out


def build_grid(
    wards: gpd.GeoDataFrame, *, grid_m: float = 50.0, offset_m: float = 0.0
) -> gpd.GeoDataFrame:
    """Square grid cells of ``grid_m`` metres cut by the ward boundaries.

    Parameters
    ----------
    wards
        ``ward_code``, ``geometry`` (polygons) in a metric CRS.
    grid_m
        Cell side in metres (> 0, at most 1000). 50 m is about a street block: fine enough
        to follow the shape of a hotspot, coarse enough that a month has several incidents
        in a busy cell.
    offset_m
        Shift of the grid's origin in metres, in both directions (0 = cells on multiples of
        ``grid_m``; ``grid_m / 2`` = shifted by half a cell, for offset sensitivity).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per piece of a cell inside a ward (a cell on a ward edge gives one piece per
        ward), sorted by ``ward_code`` then ``cell``: ``cell`` (int64, :func:`cell_keys`),
        ``ward_code`` (str), ``area_m2`` (float, area of the piece, > 0), ``centre_x``,
        ``centre_y`` (float, metres, centre of the whole cell), ``geometry`` (the piece,
        same CRS as ``wards``).

    """
    require_metric(wards.crs, "wards")
    if isinstance(grid_m, bool) or not isinstance(grid_m, int | float) or not 0 < grid_m <= 1000:
        raise ValidationError(f"The 'grid_m' option must be > 0 and <= 1000. Got {grid_m!r}.")
    if not math.isfinite(offset_m):
        raise ValidationError(f"The 'offset_m' option must be a finite number. Got {offset_m!r}.")
    x0, y0, x1, y1 = np.asarray(wards.total_bounds, dtype=float) - offset_m
    cols = np.arange(math.floor(x0 / grid_m), math.ceil(x1 / grid_m))
    rows = np.arange(math.floor(y0 / grid_m), math.ceil(y1 / grid_m))
    if len(cols) * len(rows) > 2_000_000:
        raise ValidationError(
            f"The 'grid_m' option {grid_m:g} gives {len(cols) * len(rows):,} cells over the "
            "wards (more than 2,000,000); use larger cells"
        )
    cc, rr = (a.ravel() for a in np.meshgrid(cols, rows, indexing="ij"))
    o = offset_m
    boxes = shapely.box(
        cc * grid_m + o, rr * grid_m + o, (cc + 1) * grid_m + o, (rr + 1) * grid_m + o
    )
    ward_geoms = wards.geometry.to_numpy()
    wi, bi = shapely.STRtree(boxes).query(ward_geoms, predicate="intersects")
    pieces = shapely.intersection(boxes[bi], ward_geoms[wi])
    area = shapely.area(pieces)
    keep = area > 0
    wi, bi, pieces, area = wi[keep], bi[keep], pieces[keep], area[keep]
    out = gpd.GeoDataFrame(
        {
            "cell": cell_keys(
                (cc[bi] + 0.5) * grid_m + o, (rr[bi] + 0.5) * grid_m + o, grid_m=grid_m, offset_m=o
            ),
            c.WARD_CODE: wards[c.WARD_CODE].astype(str).to_numpy()[wi],
            "area_m2": area,
            "centre_x": (cc[bi] + 0.5) * grid_m + o,
            "centre_y": (rr[bi] + 0.5) * grid_m + o,
        },
        geometry=pieces,
        crs=wards.crs,
    )
    return out.sort_values([c.WARD_CODE, "cell"], kind="stable").reset_index(drop=True)


def kernel_density(
    points_xy: np.ndarray,
    weights: np.ndarray,
    at_xy: np.ndarray,
    *,
    bandwidth_m: float,
    kernel: str = "quartic",
) -> np.ndarray:
    """Weighted kernel density (incidents per m²) at ``at_xy`` from points ``points_xy``.

    ``quartic`` (the crime-mapping default of CrimeStat and QGIS Heatmap):
    K(d) = 3 / (π h²) · (1 − d²/h²)² for d < h, else 0, with h = ``bandwidth_m``;
    ``gaussian``: scikit-learn's ``KernelDensity`` with standard deviation h. Both integrate
    to 1 per unit weight. Coordinates are ``(n, 2)`` metres.
    """
    if kernel not in KERNELS:
        raise ValidationError(f"The 'kernel' option must be one of {KERNELS}. Got {kernel!r}.")
    if not bandwidth_m > 0:
        raise ValidationError(f"The 'bandwidth_m' option must be > 0. Got {bandwidth_m!r}.")
    if len(points_xy) == 0 or len(at_xy) == 0:
        return np.zeros(len(at_xy))
    w = np.asarray(weights, dtype=float)
    if kernel == "gaussian":
        kd = KernelDensity(kernel="gaussian", bandwidth=bandwidth_m).fit(points_xy, sample_weight=w)
        out: np.ndarray = np.exp(kd.score_samples(at_xy)) * w.sum()
        return out
    idx, dist = KDTree(points_xy).query_radius(at_xy, r=bandwidth_m, return_distance=True)
    norm = 3.0 / (math.pi * bandwidth_m**2)
    dens = np.zeros(len(at_xy))
    for i, (ii, dd) in enumerate(zip(idx, dist, strict=True)):
        if len(ii):
            dens[i] = norm * float(np.sum(w[ii] * (1.0 - (dd / bandwidth_m) ** 2) ** 2))
    return dens


def gi_star(
    counts: np.ndarray,
    weights: Any,
    *,
    permutations: int = 999,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Getis-Ord Gi* z-scores and permutation p-values with PySAL ``esda.G_Local``.

    Parameters
    ----------
    counts
        Weighted incident count per cell.
    weights
        ``libpysal.weights.W`` over the same cells, binary with the cell itself on the
        diagonal (:func:`grid_weights`).
    permutations, seed
        Conditional permutations for the pseudo p-values, with an explicit seed.

    Returns
    -------
    tuple
        ``(z, p_sim)``: analytical z-scores (high = hot) and pseudo p-values; zeros and ones
        when every cell has the same count (Gi* is undefined then).

    """
    from esda.getisord import G_Local

    if isinstance(permutations, bool) or not isinstance(permutations, int) or permutations < 0:
        raise ValidationError(
            f"The 'permutations' option must be a whole number >= 0. Got {permutations!r}."
        )
    y = np.asarray(counts, dtype=float)
    if len(y) == 0 or np.ptp(y) == 0:
        return np.zeros(len(y)), np.ones(len(y))
    with np.errstate(divide="ignore", invalid="ignore"):
        g = G_Local(
            y,
            weights,
            transform="B",
            star=True,
            permutations=permutations,
            seed=seed,
            n_jobs=1,
            keep_simulations=False,
        )
    z = np.nan_to_num(np.asarray(g.Zs, dtype=float))
    p = np.asarray(g.p_sim, dtype=float) if permutations else np.ones(len(y))
    return z, p


def grid_weights(centres: np.ndarray, *, radius_m: float) -> Any:
    """Binary ``libpysal`` distance-band weights for Gi*: cells within ``radius_m``, and itself.

    With ``radius_m = 1.5 × grid_m`` these are the 8 queen neighbours of each cell. The
    diagonal (the cell's own weight, 1) is filled here once, so :func:`gi_star` can reuse the
    weights for every fold.
    """
    from libpysal.weights import DistanceBand, fill_diagonal

    if not radius_m > 0:
        raise ValidationError(f"The 'gi_radius_m' option must be > 0. Got {radius_m!r}.")
    with warnings.catch_warnings():
        # cells cut off from every other cell (islands) are expected at the study edge
        warnings.filterwarnings("ignore", message=".*island.*", category=UserWarning)
        warnings.filterwarnings("ignore", message=".*not fully connected.*", category=UserWarning)
        w = DistanceBand.from_array(centres, threshold=radius_m, binary=True)
        return fill_diagonal(w, 1.0)


def select_cells(
    grid: pd.DataFrame,
    scores: np.ndarray,
    budget_m2: Mapping[str, float],
    *,
    tie_break: np.ndarray | None = None,
) -> np.ndarray:
    """Top cells of each ward by score, taken until their area is closest to the ward's budget.

    Cells are ordered by ``scores`` (high first), then ``tie_break`` (high first), then
    ``cell`` key; the number taken is the one whose cumulative area is nearest the budget
    (fewer on a tie), so the area differs from the budget by at most half a cell.

    Parameters
    ----------
    grid
        :func:`build_grid` rows (``cell``, ``ward_code``, ``area_m2``).
    scores, tie_break
        One float per grid row.
    budget_m2
        Ward code -> area to mark (m²); wards not listed get 0.

    Returns
    -------
    numpy.ndarray
        Boolean mask over the grid rows.

    """
    mask = np.zeros(len(grid), dtype=bool)
    s = np.asarray(scores, dtype=float)
    tb = np.zeros(len(grid)) if tie_break is None else np.asarray(tie_break, dtype=float)
    codes = grid[c.WARD_CODE].to_numpy(dtype=object)
    keys = grid["cell"].to_numpy()
    area = grid["area_m2"].to_numpy(dtype=float)
    for code, budget in budget_m2.items():
        rows = np.flatnonzero(codes == code)
        if budget <= 0 or len(rows) == 0:
            continue
        order = rows[np.lexsort((keys[rows], -tb[rows], -s[rows]))]
        cum = np.concatenate([[0.0], np.cumsum(area[order])])
        n = int(np.argmin(np.abs(cum - budget)))
        mask[order[:n]] = True
    return mask


def select_cells_study(
    grid: pd.DataFrame,
    scores: np.ndarray,
    budget_m2: float,
    *,
    tie_break: np.ndarray | None = None,
) -> np.ndarray:
    """Top cells of the whole study area by score until their area is nearest ``budget_m2``.

    The study-wide area budget: as :func:`select_cells` with one budget for all wards
    together, so a method may put its area where it scores highest instead of following
    DBSCAN's split between wards. Returns a boolean mask over the grid rows.
    """
    mask = np.zeros(len(grid), dtype=bool)
    if budget_m2 <= 0 or len(grid) == 0:
        return mask
    s = np.asarray(scores, dtype=float)
    tb = np.zeros(len(grid)) if tie_break is None else np.asarray(tie_break, dtype=float)
    keys = grid["cell"].to_numpy()
    codes = grid[c.WARD_CODE].to_numpy(dtype=object).astype(str)
    order = np.lexsort((codes, keys, -tb, -s))
    cum = np.concatenate([[0.0], np.cumsum(grid["area_m2"].to_numpy(dtype=float)[order])])
    n = int(np.argmin(np.abs(cum - budget_m2)))
    mask[order[:n]] = True
    return mask

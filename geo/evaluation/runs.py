"""What every fold of an evaluation shares: checked options, cell grids, prepared incidents."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import columns as c
from geo.errors import ValidationError
from geo.evaluation.baselines import (
    build_grid,
    cell_keys,
    grid_weights,
)
from geo.evaluation.folds import (
    SHAPES,
    Fold,
    choose_folds,
    fold_warnings,
)
from geo.evaluation.points import MapPoints, map_points
from geo.settings import Settings

__all__ = ["Cells", "Run", "cells_for", "check_options", "prepare_run", "setting_label"]


def check_options(*, naive_months: int, window_months: int, shape: str) -> None:
    """Raise :class:`ValidationError` for a bad ``naive_months`` or ``shape``."""
    if isinstance(naive_months, bool) or not isinstance(naive_months, int):
        raise ValidationError(f"The 'naive_months' option must be whole. Got {naive_months!r}.")
    if not 1 <= naive_months <= window_months:
        raise ValidationError(
            f"The 'naive_months' option must be 1..window_months ({window_months}). "
            f"Got {naive_months}."
        )
    if shape not in SHAPES:
        raise ValidationError(f"The 'shape' option must be one of {SHAPES}. Got {shape!r}.")


def setting_label(settings: Settings, shape: str) -> str:
    """DBSCAN's setting in words, e.g. ``"60 m / 15, hull"`` or ``"60 m / 1.67 a month, hull"``.

    The buffer is named when it is not the default.
    """
    default = Settings().hull_buffer_m
    buffer = "" if settings.hull_buffer_m == default else f" {settings.hull_buffer_m:g} m"
    ms = (
        str(settings.min_samples)
        if settings.min_samples is not None
        else f"{settings.min_samples_per_month:g} a month"
    )
    return f"{settings.eps_m:g} m / {ms}, {shape}{buffer}"


# --- what every fold shares -----------------------------------------------------------------
@dataclass(frozen=True)
class Cells:
    """One grid: its pieces, its distinct cells and where each incident falls."""

    grid: gpd.GeoDataFrame
    cell_xy: np.ndarray
    grid_pos: np.ndarray
    inc_piece: np.ndarray
    inc_cell_pos: np.ndarray
    n_cells: int
    resolution: str

    def covers(self, chosen: np.ndarray) -> np.ndarray:
        """Per incident, whether a chosen grid piece holds it."""
        out = np.zeros(len(self.inc_piece), dtype=bool)
        ok = self.inc_piece >= 0
        out[ok] = chosen[self.inc_piece[ok]]
        return out


@dataclass(frozen=True)
class Run:
    """Incidents, wards, grids and options prepared once for every fold."""

    incidents: gpd.GeoDataFrame
    wards: gpd.GeoDataFrame
    folds: list[Fold]
    warnings: list[str]
    options: dict[str, Any]
    months: np.ndarray
    ward_of: np.ndarray
    weights: np.ndarray
    xy: np.ndarray
    ward_area: pd.Series
    names: pd.Series
    coarse: Cells
    shifted: Cells | None
    fine: Cells | None
    points: MapPoints
    w_gi: Any
    discs: dict[float, MapPoints] = field(default_factory=dict)

    def points_at(self, radius_m: float) -> MapPoints:
        """The map points with discs of ``radius_m`` (DBSCAN's hull buffer of the fold)."""
        if radius_m == self.points.radius_m:
            return self.points
        if radius_m not in self.discs:
            self.discs[radius_m] = map_points(self.incidents, self.wards, radius_m=radius_m)
        return self.discs[radius_m]


def cells_for(
    wards: gpd.GeoDataFrame, xy: np.ndarray, ward_of: np.ndarray, grid_m: float, offset_m: float
) -> Cells:
    """The ``grid_m`` grid (shifted by ``offset_m``) and the cell of each incident ``xy``."""
    grid = build_grid(wards, grid_m=grid_m, offset_m=offset_m)
    cells = grid.drop_duplicates("cell").sort_values("cell", kind="stable")
    keys = pd.Index(cells["cell"].to_numpy())
    inc_cells = cell_keys(xy[:, 0], xy[:, 1], grid_m=grid_m, offset_m=offset_m)
    piece_index = pd.MultiIndex.from_arrays([grid[c.WARD_CODE].to_numpy(), grid["cell"].to_numpy()])
    shift = f", shifted {offset_m:g} m" if offset_m else ""
    return Cells(
        grid=grid,
        cell_xy=cells[["centre_x", "centre_y"]].to_numpy(dtype=float),
        grid_pos=keys.get_indexer(grid["cell"].to_numpy()),
        inc_piece=piece_index.get_indexer(pd.MultiIndex.from_arrays([ward_of, inc_cells])),
        inc_cell_pos=keys.get_indexer(inc_cells),  # -1: no cell
        n_cells=len(cells),
        resolution=f"{grid_m:g} m cells{shift}",
    )


def prepare_run(
    incidents: gpd.GeoDataFrame,
    wards: gpd.GeoDataFrame,
    *,
    window_months: int,
    grid_m: float,
    kernel: str,
    bandwidth_m: float,
    gi_radius_m: float | None,
    naive_months: int,
    permutations: int,
    seed: int,
    fine_baselines: bool,
    fine_grid_m: float,
    fine_bandwidth_m: float,
    hull_buffer_m: float,
    test_months: Sequence[str] | None = None,
    fit_months: Sequence[str] | None = None,
) -> Run:
    """Grids, map points and folds for :func:`evaluate_run` (prepared incidents and wards)."""
    months = incidents[c.MONTH].astype(str).to_numpy()
    chosen = choose_folds(
        months, window_months=window_months, test_months=test_months, fit_months=fit_months
    )
    warnings = fold_warnings(chosen, months)
    have = set(months)
    kept = [f for f in chosen if have.intersection(f.fit_months)]
    if not kept:
        raise ValidationError(["no fold has incidents in its fit window", *warnings])
    xy = np.column_stack([incidents.geometry.x.to_numpy(), incidents.geometry.y.to_numpy()])
    ward_of = incidents[c.WARD_CODE].astype(str).to_numpy(dtype=object)
    radius = 1.5 * grid_m if gi_radius_m is None else gi_radius_m
    coarse = cells_for(wards, xy, ward_of, grid_m, 0.0)
    return Run(
        incidents=incidents[[c.WARD_CODE, c.WARD_NAME, c.MONTH, c.CATEGORY, c.WEIGHT, "geometry"]],
        wards=wards,
        folds=kept,
        warnings=warnings,
        options={
            "window_months": window_months,
            "grid_m": grid_m,
            "kernel": kernel,
            "bandwidth_m": bandwidth_m,
            "gi_radius_m": radius,
            "naive_months": naive_months,
            "permutations": permutations,
            "seed": seed,
            "fine_baselines": fine_baselines,
            "fine_grid_m": fine_grid_m,
            "fine_bandwidth_m": fine_bandwidth_m,
        },
        months=months,
        ward_of=ward_of,
        weights=incidents[c.WEIGHT].to_numpy(dtype=float),
        xy=xy,
        ward_area=wards.set_index(c.WARD_CODE).geometry.area.astype(float),
        names=wards.set_index(c.WARD_CODE)[c.WARD_NAME].astype(str),
        coarse=coarse,
        shifted=cells_for(wards, xy, ward_of, grid_m, grid_m / 2) if fine_baselines else None,
        fine=cells_for(wards, xy, ward_of, fine_grid_m, 0.0) if fine_baselines else None,
        points=map_points(incidents, wards, radius_m=hull_buffer_m),
        w_gi=grid_weights(coarse.cell_xy, radius_m=radius),
    )

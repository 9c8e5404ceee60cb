"""Ward-boundary checks: repair invalid polygons and merge features sharing a ward code."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import shapely

from geo import columns as c
from geo.errors import ValidationError

__all__ = ["WardCheck", "check_ward_overrides", "validate_wards"]


@dataclass(frozen=True)
class WardCheck:
    """Checked ward polygons and what was done to them (``notes``, plain English)."""

    wards: gpd.GeoDataFrame
    notes: list[str] = field(default_factory=list)


def validate_wards(wards: gpd.GeoDataFrame) -> WardCheck:
    """Repair invalid ward polygons and merge features that share a ward code.

    Parameters
    ----------
    wards
        Columns ``ward_code``, ``ward_name``, ``geometry`` (polygons, any CRS).

    Returns
    -------
    WardCheck
        ``wards``: one row per ward code, sorted by code, same columns and CRS, valid
        polygonal geometry; ``notes``: what was repaired or merged.

    Raises
    ------
    ValidationError
        When a ward has an empty or non-polygonal geometry or invalid coordinates (NaN or
        infinite), or when no wards remain.

    """
    source = str(wards.attrs.get("source", "boundaries"))
    with warnings.catch_warnings():
        # shapely warns about NaN coordinates; the message below says it in plain words
        warnings.simplefilter("ignore", RuntimeWarning)
        out, notes = _checked(wards, source)
    return WardCheck(wards=out, notes=notes)


def _checked(wards: gpd.GeoDataFrame, source: str) -> tuple[gpd.GeoDataFrame, list[str]]:
    """The repairs and merges of :func:`validate_wards`: ``(wards, notes)``."""
    notes: list[str] = []
    problems: list[str] = []
    geoms = wards.geometry.to_numpy()
    fixed: list[shapely.Geometry | None] = []
    for i, (code, geom) in enumerate(zip(wards[c.WARD_CODE], geoms, strict=True)):
        if geom is None or geom.is_empty:
            problems.append(f"{source}: feature {i + 1} (ward {code}) has no geometry")
            fixed.append(None)
            continue
        if not np.isfinite(shapely.get_coordinates(geom)).all():
            problems.append(
                f"{source}: feature {i + 1} (ward {code}) has invalid coordinates "
                "(not numbers, or infinite)"
            )
            fixed.append(None)
            continue
        if not geom.is_valid:
            why = shapely.is_valid_reason(geom)
            geom = shapely.make_valid(geom)
            notes.append(f"{source}: ward {code} had an invalid polygon ({why}); repaired")
        geom = _polygonal(geom)
        if geom is None:
            problems.append(f"{source}: feature {i + 1} (ward {code}) is not a polygon")
        fixed.append(geom)
    if problems:
        raise ValidationError(problems)
    out = gpd.GeoDataFrame(
        {c.WARD_CODE: wards[c.WARD_CODE].astype(str), c.WARD_NAME: wards[c.WARD_NAME].astype(str)},
        geometry=fixed,
        crs=wards.crs,
    )
    if out[c.WARD_CODE].duplicated().any():
        dups = sorted(set(out.loc[out[c.WARD_CODE].duplicated(), c.WARD_CODE]))
        notes.append(f"{source}: features sharing a ward code were merged: {', '.join(dups)}")
        out = out.dissolve(by=c.WARD_CODE, aggfunc="first", as_index=False)
        out = out[[c.WARD_CODE, c.WARD_NAME, "geometry"]]
    out = out.sort_values(c.WARD_CODE, kind="stable").reset_index(drop=True)
    out.attrs["source"] = source
    return out, notes


def check_ward_overrides(codes: Iterable[str], wards: gpd.GeoDataFrame) -> None:
    """Refuse ``[ward_overrides]`` entries for ward codes the boundary file does not have.

    Parameters
    ----------
    codes
        The ward codes of :attr:`geo.settings.Settings.ward_overrides`.
    wards
        ``ward_code`` (str) and any other columns.

    Raises
    ------
    ValidationError
        One problem per unknown code, naming the closest known code when there is one.

    """
    import difflib

    known = sorted(set(wards[c.WARD_CODE].astype(str)))
    problems = []
    for code in codes:
        if code in known:
            continue
        close = difflib.get_close_matches(code, known, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        shown = ", ".join(known[:8]) + (", ..." if len(known) > 8 else "")
        problems.append(
            f"settings: [ward_overrides.{code}] names a ward the boundary file does not "
            f"have{hint}; its wards are {shown}"
        )
    if problems:
        raise ValidationError(problems)


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry | None:
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    if geom.geom_type == "GeometryCollection":
        parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
        if parts:
            return shapely.union_all(parts)
    return None

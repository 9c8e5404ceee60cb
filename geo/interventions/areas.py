"""Evaluation options, before/after month windows, and target / ring / control areas."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Point

from geo import columns as c
from geo.bounds import Bound
from geo.errors import ValidationError
from geo.interventions.events import Intervention
from geo.project import require_metric

AREAS: tuple[str, ...] = ("target", "ring", "control")

#: Limits, default, unit and help of the numeric options of :class:`InterventionOptions`,
#: declared once: validation, the command-line help and the app's widgets read them, e.g.
#: ``INTERVENTION_BOUNDS["months_before"].typical``. ``ring_outer_m`` must also be above
#: ``radius_m``.
INTERVENTION_BOUNDS: Mapping[str, Bound[Any]] = MappingProxyType(
    {
        "radius_m": Bound(
            low=0.0,
            high=5000.0,
            closed="right",
            default=200.0,
            unit="m",
            help="target radius around the location (inclusive)",
            step=25.0,
            typical=(50.0, 1000.0),
        ),
        "ring_outer_m": Bound(
            low=0.0,
            high=10_000.0,
            closed="right",
            default=None,
            unit="m",
            help="outer radius of the displacement ring (default 2 x radius_m)",
        ),
        "control_gap_m": Bound(
            low=0.0,
            high=5000.0,
            default=200.0,
            unit="m",
            help="gap between the ring and the control (point events)",
            step=25.0,
            typical=(0.0, 1000.0),
        ),
        "months_before": Bound(
            low=1,
            high=24,
            whole=True,
            default=3,
            unit="months",
            help="whole police.uk months before the start",
            step=1,
            typical=(1, 12),
        ),
        "months_after": Bound(
            low=1,
            high=24,
            whole=True,
            default=3,
            unit="months",
            help="whole police.uk months after the start",
            step=1,
            typical=(1, 12),
        ),
        "min_count": Bound(
            low=1,
            high=None,
            whole=True,
            default=10,
            unit="incidents",
            help="fewer incidents = too few to conclude",
        ),
    }
)


@dataclass(frozen=True, kw_only=True)
class InterventionOptions:
    """How an intervention is evaluated (validated when built).

    Parameters
    ----------
    radius_m
        Target area: within ``radius_m`` of the location (inclusive).
    ring_outer_m
        Displacement ring: further than ``radius_m`` and at most ``ring_outer_m``
        (default ``2 * radius_m``).
    control_gap_m
        Point events: a gap between the ring and the control, in metres (default 200,
        within ``INTERVENTION_BOUNDS['control_gap_m']``). The control starts beyond ``ring_outer_m +
        control_gap_m``, so incidents pushed just past the ring do not land in the control
        and make the target look better than it did. Incidents in the gap are in no area.
        Area-wide events compare whole wards and have no gap.
    months_before, months_after
        Whole police.uk months in each window (1-24; equal lengths are usual).
    min_count
        Below this many incidents in the target before, or in the control in either
        window, a result is flagged "too few incidents to conclude anything".
    target_wards
        Area-wide events only: ward codes or names treated (default: every ward).
    control_wards
        Ward codes or names for the control (default: point events, the wards within
        ``ring_outer_m`` of the location; area-wide events, the wards not treated).

    """

    radius_m: float = INTERVENTION_BOUNDS["radius_m"].default
    ring_outer_m: float | None = INTERVENTION_BOUNDS["ring_outer_m"].default
    control_gap_m: float = INTERVENTION_BOUNDS["control_gap_m"].default
    months_before: int = INTERVENTION_BOUNDS["months_before"].default
    months_after: int = INTERVENTION_BOUNDS["months_after"].default
    min_count: int = INTERVENTION_BOUNDS["min_count"].default
    target_wards: tuple[str, ...] = field(default=())
    control_wards: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        p: list[str] = []
        for name, bound in INTERVENTION_BOUNDS.items():
            value = getattr(self, name)
            if value is None and bound.default is None:
                continue  # an optional option left unset
            problem = bound.problem(name, value, kind="option")
            if problem is not None:
                p.append(problem)
        r, o = self.radius_m, self.ring_outer_m
        if not p and o is not None and not o > r:
            p.append(f"The 'ring_outer_m' option must be > radius_m ({r:g}). Got {o!r} instead.")
        if p:
            raise ValidationError(p)
        object.__setattr__(self, "target_wards", tuple(self.target_wards))
        object.__setattr__(self, "control_wards", tuple(self.control_wards))

    @property
    def outer_m(self) -> float:
        """Outer radius of the displacement ring in metres."""
        return float(self.ring_outer_m) if self.ring_outer_m is not None else 2.0 * self.radius_m

    @property
    def control_from_m(self) -> float:
        """Distance in metres beyond which the control starts: ``outer_m + control_gap_m``."""
        return self.outer_m + float(self.control_gap_m)


# --- windows -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Windows:
    """Before/after windows of whole months (``YYYY-MM``).

    Rule: a start on the 1st makes its month the first "after" month; otherwise the start
    month is a mixed month and is excluded from both windows.
    """

    before: tuple[str, ...]
    after: tuple[str, ...]
    excluded: tuple[str, ...]


def intervention_windows(start: dt.date, *, months_before: int, months_after: int) -> Windows:
    """Windows around ``start`` (see :class:`Windows` for the rule)."""
    m = pd.Period(start, "M")
    first_after = m if start.day == 1 else m + 1
    before = tuple(
        str(first_after - (1 if start.day == 1 else 2) - i) for i in range(months_before)
    )
    after = tuple(str(first_after + i) for i in range(months_after))
    return Windows(before=before[::-1], after=after, excluded=() if start.day == 1 else (str(m),))


# --- areas ---------------------------------------------------------------------------------
def resolve_wards(wanted: tuple[str, ...], wards: gpd.GeoDataFrame, what: str) -> list[str]:
    """Ward codes for ward codes or names (any case); unknown ones raise ValidationError."""
    by = {
        str(k).lower(): str(v) for k, v in zip(wards[c.WARD_CODE], wards[c.WARD_CODE], strict=True)
    }
    by.update(
        {
            str(n).lower(): str(k)
            for k, n in zip(wards[c.WARD_CODE], wards[c.WARD_NAME], strict=True)
        }
    )
    bad = [w for w in wanted if w.strip().lower() not in by]
    if bad:
        known = ", ".join(
            f"{k} {n}" for k, n in zip(wards[c.WARD_CODE], wards[c.WARD_NAME], strict=True)
        )
        raise ValidationError(f"{what}: unknown ward(s) {', '.join(bad)} (known: {known})")
    return sorted({by[w.strip().lower()] for w in wanted})


@dataclass(frozen=True)
class AreaPlan:
    """Which wards play which part, and the location in metres.

    Attributes
    ----------
    point
        The location in the wards' metric CRS; ``None`` for an area-wide event.
    target_codes
        Area-wide: the treated wards. Point event: the wards within ``ring_outer_m`` of
        the location (the wards the target and ring lie in).
    control_codes
        The control wards (for point events the target and ring are cut out of them).

    """

    point: Point | None
    target_codes: tuple[str, ...]
    control_codes: tuple[str, ...]


def plan_areas(iv: Intervention, wards: gpd.GeoDataFrame, options: InterventionOptions) -> AreaPlan:
    """Decide the target and control wards (see :class:`InterventionOptions`).

    Raises
    ------
    ValidationError
        Location outside every ward; unknown wards; a ward both treated and control.

    """
    require_metric(wards.crs, "wards")
    codes = [str(k) for k in wards[c.WARD_CODE]]
    control = resolve_wards(options.control_wards, wards, "control_wards")
    pt = iv.point(wards.crs)
    if pt is None:
        target = resolve_wards(options.target_wards, wards, "target_wards") or codes
        both = sorted(set(target) & set(control))
        if both:
            raise ValidationError(
                f"{iv.where}: ward(s) {', '.join(both)} are both target and control"
            )
        control = control or [k for k in codes if k not in target]
        return AreaPlan(point=None, target_codes=tuple(target), control_codes=tuple(control))
    dist = wards.distance(pt).to_numpy()
    if not (dist <= 0).any():
        raise ValidationError(
            f"{iv.where}: the location is outside every ward in the boundary file"
        )
    near = [k for k, d in zip(codes, dist, strict=True) if d <= options.outer_m]
    return AreaPlan(point=pt, target_codes=tuple(near), control_codes=tuple(control or near))


def intervention_areas(
    plan: AreaPlan, wards: gpd.GeoDataFrame, options: InterventionOptions
) -> gpd.GeoDataFrame:
    """Target, ring and control polygons (for maps and areas; counting uses exact distances).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per area present, in the order of :data:`AREAS`: ``area`` (str),
        ``ward_codes``, ``ward_names`` (str, ``;``-separated), ``area_m2`` (float, m²),
        ``geometry`` (Polygon/MultiPolygon, the wards' metric CRS). Areas are clipped to
        the wards, where incidents can be counted; the control of a point event starts
        ``control_gap_m`` beyond the ring (it may be empty when the control wards end
        sooner). Staff only: shows the location.

    """
    geom = wards.set_index(c.WARD_CODE).geometry
    names = wards.set_index(c.WARD_CODE)[c.WARD_NAME]
    covered = shapely.union_all(wards.geometry.to_numpy())
    control = shapely.union_all(geom.reindex(list(plan.control_codes)).to_numpy())
    rows: list[tuple[str, tuple[str, ...], shapely.Geometry]] = []
    if plan.point is None:
        rows.append(
            (
                "target",
                plan.target_codes,
                shapely.union_all(geom.reindex(list(plan.target_codes)).to_numpy()),
            )
        )
        if plan.control_codes:
            rows.append(("control", plan.control_codes, control))
    else:
        inner = plan.point.buffer(options.radius_m, quad_segs=32)
        outer = plan.point.buffer(options.outer_m, quad_segs=32)
        dist = wards.set_index(c.WARD_CODE).distance(plan.point)
        near = tuple(str(k) for k, d in dist.items() if d <= options.radius_m)
        rows.append(("target", near, shapely.intersection(inner, covered)))
        rows.append(
            ("ring", plan.target_codes, shapely.intersection(outer.difference(inner), covered))
        )
        beyond = plan.point.buffer(options.control_from_m, quad_segs=32)
        rows.append(("control", plan.control_codes, control.difference(beyond)))
    out = gpd.GeoDataFrame(
        {
            "area": [r[0] for r in rows],
            "ward_codes": [";".join(r[1]) for r in rows],
            "ward_names": [";".join(str(names[k]) for k in r[1]) for r in rows],
        },
        geometry=[r[2] for r in rows],
        crs=wards.crs,
    )
    out["area_m2"] = out.geometry.area
    return out[["area", "ward_codes", "ward_names", "area_m2", "geometry"]]


def assign_areas(
    incidents: gpd.GeoDataFrame, plan: AreaPlan, options: InterventionOptions
) -> np.ndarray:
    """Area of each incident: ``"target"``, ``"ring"``, ``"control"`` or ``""`` (none).

    Point events use exact distances from the location: ``d <= radius_m`` is target,
    ``radius_m < d <= ring_outer_m`` ring, and control the control wards at
    ``d > ring_outer_m + control_gap_m`` (the gap between belongs to no area). Area-wide
    events use each incident's ``ward_code``.

    Parameters
    ----------
    incidents
        Point ``geometry`` in the wards' metric CRS, ``ward_code`` (str).

    Returns
    -------
    numpy.ndarray
        ``(n,)`` object array of area names.

    """
    wc = incidents[c.WARD_CODE].astype(str).to_numpy()
    out = np.full(len(incidents), "", dtype=object)
    in_control = np.isin(wc, list(plan.control_codes))
    if plan.point is None:
        out[np.isin(wc, list(plan.target_codes))] = "target"
        out[in_control & (out == "")] = "control"
        return out
    d = incidents.geometry.distance(plan.point).to_numpy()
    out[d <= options.radius_m] = "target"
    out[(d > options.radius_m) & (d <= options.outer_m)] = "ring"
    out[(d > options.control_from_m) & in_control] = "control"
    return out


def outside_coverage(
    plan: AreaPlan, wards: gpd.GeoDataFrame, options: InterventionOptions
) -> dict[str, float]:
    """Share of the target disc and of the ring that lies outside every ward.

    Incidents are only kept inside the wards of the boundary file, so any part of the
    target or ring outside them is not counted (its counts are too low, and the ring can
    miss displacement). The control of a point event is cut from the control wards and
    the area-wide target and control are whole wards, so they lie inside by construction.

    Parameters
    ----------
    wards
        ``geometry`` (Polygon/MultiPolygon) in the metric CRS of ``plan.point``.

    Returns
    -------
    dict
        ``{"target": share, "ring": share}`` (floats in [0, 1]) for a point event; ``{}``
        for an area-wide event.

    """
    if plan.point is None:
        return {}
    covered = shapely.union_all(wards.geometry.to_numpy())
    inner = plan.point.buffer(options.radius_m, quad_segs=32)
    ring = plan.point.buffer(options.outer_m, quad_segs=32).difference(inner)
    return {
        name: float(1.0 - shapely.intersection(shape, covered).area / shape.area)
        for name, shape in (("target", inner), ("ring", ring))
    }

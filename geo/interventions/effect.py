"""Evaluate interventions: windows, areas, measures and hotspot shift in one composition."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geo import columns as c
from geo.errors import ValidationError
from geo.interventions.areas import (
    AREAS,
    AreaPlan,
    InterventionOptions,
    Windows,
    assign_areas,
    intervention_areas,
    intervention_windows,
    outside_coverage,
    plan_areas,
)
from geo.interventions.displacement import area_counts, effects, group_of, monthly_counts
from geo.interventions.events import Intervention, load_interventions
from geo.interventions.shift import hotspot_shift
from geo.interventions.statistics import MIN_DISPERSION_DF
from geo.io import CsvSource, load_boundaries, load_incidents
from geo.paths import DEFAULT_BOUNDARIES, DEFAULT_INCIDENTS, EXAMPLE_INTERVENTIONS
from geo.pipeline import run_pipeline
from geo.project import WGS84
from geo.result import PipelineResult
from geo.settings import Settings


@dataclass(frozen=True)
class InterventionResult:
    """Everything measured for one intervention (staff only: holds the location).

    Attributes
    ----------
    intervention, options, windows, plan
        What was evaluated and how (see :mod:`geo.interventions.areas`).
    wards
        ``ward_code``, ``ward_name``, ``geometry`` in the metric CRS.
    areas
        See :func:`geo.interventions.areas.intervention_areas`.
    counts
        See :func:`geo.interventions.displacement.area_counts`.
    effects
        One row per group, see :func:`geo.interventions.displacement.effect_row`.
    monthly
        ``month``, ``area``, ``group``, ``count`` over every month of the data.
    hotspots_before, hotspots_after
        DBSCAN hotspots of each window with the same settings
        (:func:`geo.hotspots.summarise_hotspots` columns, metric CRS).
    shift
        See :func:`hotspot_shift`.
    warnings
        Plain-English cautions (small counts, coverage, missing months...).

    """

    intervention: Intervention
    options: InterventionOptions
    windows: Windows
    plan: AreaPlan
    wards: gpd.GeoDataFrame
    areas: gpd.GeoDataFrame
    counts: pd.DataFrame
    effects: pd.DataFrame
    monthly: pd.DataFrame
    hotspots_before: gpd.GeoDataFrame
    hotspots_after: gpd.GeoDataFrame
    shift: pd.DataFrame
    warnings: tuple[str, ...] = field(default=())

    def shift_summary(self) -> dict[str, Any]:
        """Hotspot counts before/after, persisted, vanished, appeared, nearest new one (m)."""
        s = self.shift
        appeared = s[s["status"] == "appeared"]["distance_m"].dropna()
        return {
            "before": int((s["period"] == "before").sum()),
            "after": int((s["period"] == "after").sum()),
            "persisted": int(((s["period"] == "before") & (s["status"] == "persisted")).sum()),
            "vanished": int((s["status"] == "vanished").sum()),
            "appeared": int((s["status"] == "appeared").sum()),
            "nearest_appeared_m": float(appeared.min()) if len(appeared) else None,
        }


def evaluate_intervention(
    raw: pd.DataFrame,
    wards: gpd.GeoDataFrame,
    intervention: Intervention,
    settings: Settings | None = None,
    *,
    options: InterventionOptions | None = None,
    base: PipelineResult | None = None,
) -> InterventionResult:
    """Before/after, displacement and hotspot shift for one intervention.

    Parameters
    ----------
    raw, wards, settings
        As for :func:`geo.pipeline.run_pipeline` (raw incident rows, ward polygons).
    options
        Radius, ring, windows, wards (default ``InterventionOptions()``).
    base
        A finished :func:`~geo.pipeline.run_pipeline` on the same inputs, to share across
        interventions; its settings are used.

    Raises
    ------
    ValidationError
        A window outside the months of the data, a location outside every ward, or
        unknown wards; messages name the interventions file, row and id.

    """
    options = options or InterventionOptions()
    base = base or run_pipeline(raw, wards, settings)
    settings = base.settings
    iv = intervention
    months = sorted(set(base.incidents[c.MONTH].astype(str)))
    if not months:
        raise ValidationError(f"{iv.where}: no incidents to evaluate")
    windows = intervention_windows(
        iv.start_date, months_before=options.months_before, months_after=options.months_after
    )
    first, last = windows.before[0], windows.after[-1]
    if first < months[0] or last > months[-1]:
        raise ValidationError(
            f"{iv.where}: the windows need months {first} to {last} but the data covers "
            f"{months[0]} to {months[-1]}; use fewer --months-before/--months-after or "
            "load more months"
        )
    plan = plan_areas(iv, base.wards, options)
    areas = intervention_areas(plan, base.wards, options)
    inc = base.incidents
    labels = assign_areas(inc, plan, options)
    groups = group_of(inc[c.CATEGORY], settings)
    present = tuple(a for a in AREAS if a in set(areas["area"]))
    counts = area_counts(inc[c.MONTH], groups, labels, windows, present=present)
    all_months = [str(p) for p in pd.period_range(months[0], months[-1], freq="M")]
    monthly = monthly_counts(inc[c.MONTH], groups, labels, all_months)
    table = effects(counts, min_count=options.min_count, monthly=monthly, windows=windows)
    hot = {}
    for name, span in (("before", windows.before), ("after", windows.after)):
        run = run_pipeline(raw, wards, settings.replace(since=span[0], until=span[-1]))
        hot[name] = run.hotspots
    shift = hotspot_shift(hot["before"], hot["after"], plan, options)
    return InterventionResult(
        intervention=iv,
        options=options,
        windows=windows,
        plan=plan,
        wards=base.wards,
        areas=areas,
        counts=counts,
        effects=table,
        monthly=monthly,
        hotspots_before=hot["before"],
        hotspots_after=hot["after"],
        shift=shift,
        warnings=tuple(_warnings(iv, options, windows, plan, base, table, months, areas)),
    )


def evaluate_interventions(
    raw: pd.DataFrame,
    wards: gpd.GeoDataFrame,
    interventions: Sequence[Intervention],
    settings: Settings | None = None,
    *,
    options: InterventionOptions | None = None,
    ids: Sequence[str] = (),
) -> list[InterventionResult]:
    """:func:`evaluate_intervention` for each intervention, sharing one pipeline run.

    ``ids`` limits the run to those intervention ids; unknown ones raise
    :class:`ValidationError`.
    """
    known = [iv.intervention_id for iv in interventions]
    bad = [i for i in ids if i not in known]
    if bad:
        raise ValidationError(
            f"unknown intervention id(s) {', '.join(bad)} (known: {', '.join(known)})"
        )
    chosen = [iv for iv in interventions if not ids or iv.intervention_id in ids]
    base = run_pipeline(raw, wards, settings)
    return [evaluate_intervention(raw, wards, iv, options=options, base=base) for iv in chosen]


def _warnings(
    iv: Intervention,
    options: InterventionOptions,
    windows: Windows,
    plan: AreaPlan,
    base: PipelineResult,
    table: pd.DataFrame,
    months: list[str],
    areas: gpd.GeoDataFrame,
) -> list[str]:
    out: list[str] = []
    if len(windows.before) != len(windows.after):
        out.append(
            f"the windows differ in length ({len(windows.before)} and {len(windows.after)} "
            "months): changes are compared per month"
        )
    missing = [m for m in (*windows.before, *windows.after) if m not in months]
    if missing:
        out.append(f"no incidents at all in {', '.join(missing)}: is a monthly file missing?")
    small = table.loc[~table["enough_data"].astype(bool), "group"].tolist()
    if small:
        out.append(
            f"too few incidents to conclude anything for {', '.join(small)} (fewer than "
            f"{options.min_count} in the target before or in the control in a window)"
        )
    if not plan.control_codes:
        out.append(
            "no comparison area: every ward is treated; choose target wards or load data "
            "for a wider area (e.g. the force) to compare"
        )
    out += _coverage_warnings(plan, options, base, areas)
    out += _interval_warnings(table)
    if iv.end_date is not None and str(pd.Period(iv.end_date, "M")) < windows.after[-1]:
        out.append(
            f"the intervention ended on {iv.end_date}, before the after window ends "
            f"({windows.after[-1]}): the after window mixes during and after"
        )
    out.append(
        "police.uk gives months only and moves each incident to a nearby snap point: "
        "effects smaller than a month or a street cannot be seen"
    )
    return out


def _coverage_warnings(
    plan: AreaPlan, options: InterventionOptions, base: PipelineResult, areas: gpd.GeoDataFrame
) -> list[str]:
    """Parts of the target or ring outside the wards; wards with no data; an empty control."""
    out: list[str] = []
    for name, share in outside_coverage(plan, base.wards, options).items():
        if share > 0.01:
            seen = "displacement there cannot be seen" if name == "ring" else "it looks quieter"
            out.append(
                f"{share:.0%} of the {name} lies outside the wards of the boundary file: "
                f"incidents there are not counted ({seen})"
            )
    with_data = set(base.incidents[c.WARD_CODE].astype(str))
    names = dict(zip(base.wards[c.WARD_CODE].astype(str), base.wards[c.WARD_NAME], strict=True))
    roles = [("control", plan.control_codes)]
    if plan.point is None:
        roles.insert(0, ("target", plan.target_codes))
    for role, codes in roles:
        empty = [f"{k} {names.get(k, '')}".strip() for k in codes if k not in with_data]
        if empty:
            out.append(
                f"{role} ward(s) {', '.join(empty)} have no incidents in any month of the "
                "data: they may lie outside the data's coverage (e.g. another force's area), "
                f"which would make the {role} look quieter than it is"
            )
    control = areas.loc[areas["area"] == "control", "area_m2"]
    if plan.point is not None and plan.control_codes and float(control.sum()) <= 0:
        out.append(
            f"the control area is empty: the control wards end within "
            f"{options.control_from_m:g} m of the location (ring plus a "
            f"{options.control_gap_m:g} m gap); choose control wards further away or a "
            "smaller control_gap_m"
        )
    return out


def _interval_warnings(table: pd.DataFrame) -> list[str]:
    """Which groups' intervals allow for month-to-month spread, and which could not."""
    out: list[str] = []
    compared = table[table["relative_effect"].notna()]
    if compared.empty:
        return out
    phi = compared["dispersion"].astype(float)
    few = compared.loc[phi.isna()]
    if len(few):
        out.append(
            "too few months to estimate how much the monthly counts vary for "
            f"{', '.join(map(str, few['group']))} (at most {int(few['dispersion_df'].max())} "
            f"degrees of freedom from months with incidents, at least {MIN_DISPERSION_DF} "
            "needed, e.g. 2 months in each window): their intervals assume Poisson counts "
            "and may be too narrow"
        )
    wide = compared.loc[phi.round(2) > 1]  # as printed: 1.003 is not "more"
    if len(wide):
        parts = ", ".join(
            f"{g} (dispersion {p:.2f})"
            for g, p in zip(wide["group"], wide["dispersion"].astype(float), strict=True)
        )
        out.append(
            f"monthly counts vary more than chance alone would give for {parts}: their "
            "intervals are widened by the square root of the dispersion (quasi-Poisson)"
        )
    return out


def location_lonlat(result: InterventionResult) -> tuple[float, float] | None:
    """The intervention location as ``(lon, lat)`` (staff only), or ``None``."""
    if result.plan.point is None:
        return None
    p = gpd.GeoSeries([result.plan.point], crs=result.wards.crs).to_crs(WGS84).iloc[0]
    return float(p.x), float(p.y)


def evaluate_files(
    interventions: CsvSource | None = None,
    incident_sources: Sequence[CsvSource] | None = None,
    boundaries: str | Path | tuple[str, bytes] | None = None,
    settings: Settings | None = None,
    *,
    options: InterventionOptions | None = None,
    ids: Sequence[str] = (),
    code_col: str | None = None,
    name_col: str | None = None,
) -> tuple[list[InterventionResult], dict[str, Any]]:
    """Load files (the shipped data and example interventions by default) and evaluate.

    Returns
    -------
    tuple
        The results (see :func:`evaluate_interventions`) and ``inputs``: the names of the
        interventions file, incident files and boundary file read.

    """
    iv_src = interventions if interventions is not None else EXAMPLE_INTERVENTIONS
    ivs = load_interventions(iv_src)
    raw = load_incidents(list(incident_sources) if incident_sources else [DEFAULT_INCIDENTS])
    bsrc = boundaries if boundaries is not None else DEFAULT_BOUNDARIES
    wards = load_boundaries(bsrc, code_col=code_col, name_col=name_col)
    results = evaluate_interventions(raw, wards, ivs, settings, options=options, ids=ids)
    inputs = {
        "interventions": iv_src[0] if isinstance(iv_src, tuple) else Path(iv_src).name,
        "incident_files": sorted(set(raw[c.SOURCE_FILE])),
        "boundaries": bsrc[0] if isinstance(bsrc, tuple) else Path(bsrc).name,
    }
    return results, inputs

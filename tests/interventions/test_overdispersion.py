"""Interventions: the ring-control gap, overdispersion-aware intervals and coverage warnings.

Geometry as in ``tests/test_interventions.py``: the ``two_wards`` fixture (West = [450000,
451000] x [200000, 201000], East beside it, EPSG:27700), the location P at the centre of
West, ``radius_m=100`` (ring to 200 m), default gap 200 m (control beyond 400 m); windows
April-May before and July-August after (a start on 15 June excludes June).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import pytest

from geo.errors import ValidationError
from geo.interventions import Intervention, InterventionOptions, evaluate_intervention
from geo.interventions.areas import AreaPlan, outside_coverage
from geo.interventions.statistics import MIN_DISPERSION_DF, Dispersion, dispersion, relative_effect
from geo.settings import Settings
from tests.helpers import EAST, local_csv

PX, PY = 450_500, 200_500
OPTS = InterventionOptions(radius_m=100, months_before=2, months_after=2)
RAID = Intervention("R1", "warrant", dt.date(2018, 6, 15), x=PX, y=PY, xy_crs="EPSG:27700")
UNIT = Settings(eps_m=20, min_samples=5).replace(
    categories={k: v.__class__(v.label, 1.0, v.group) for k, v in Settings().categories.items()}
)
TARGET, GAP, CONTROL = (PX, PY), (PX + 300, PY), (450_100, 200_100)  # 0 m, 300 m, 566 m


def at(n: int, xy: tuple[float, float], month: str, tag: str, cat: str = "asb") -> list[dict]:
    """``n`` incidents at one point in one month."""
    return [
        dict(id=f"{tag}{i}", date=f"{month}-10", category=cat, easting=xy[0], northing=xy[1])
        for i in range(n)
    ]


def months(xy: tuple[float, float], counts: dict[str, int], tag: str) -> list[dict]:
    return [row for m, n in counts.items() for row in at(n, xy, m, f"{tag}{m}")]


def asb(result) -> dict:
    return result.effects.set_index("group").loc["asb"].to_dict()


# --- the gap between ring and control ----------------------------------------------------
def test_control_gap_is_declared_with_bounds_and_validated():
    assert InterventionOptions().control_gap_m == 200.0
    assert OPTS.control_from_m == 400.0  # ring to 200 m, then 200 m of gap
    assert InterventionOptions(radius_m=100, control_gap_m=0).control_from_m == 200.0
    for bad in (-1, 5000.5, True, "200"):
        with pytest.raises(
            ValidationError, match=r"'control_gap_m' option must be in \[0, 5000\] m"
        ):
            InterventionOptions(control_gap_m=bad)  # type: ignore[arg-type]


def test_displacement_into_the_gap_does_not_flatter_the_target(two_wards):
    # target 20 -> 10; 10 incidents move 300 m away after; the control beyond stays 20 -> 20
    rows = (
        months(TARGET, {"2018-04": 10, "2018-05": 10, "2018-07": 5, "2018-08": 5}, "t")
        + months(GAP, {"2018-07": 5, "2018-08": 5}, "g")
        + months(CONTROL, {"2018-04": 10, "2018-05": 10, "2018-07": 10, "2018-08": 10}, "c")
    )
    with_gap = asb(evaluate_intervention(local_csv(rows), two_wards, RAID, options=OPTS))
    # the 300 m incidents are in the gap: control 20 -> 20, RR = (10/20) / (20/20) = 0.5
    assert (with_gap["control_before"], with_gap["control_after"]) == (20, 20)
    assert with_gap["relative_effect"] == pytest.approx(0.5)
    no_gap = dataclasses.replace(OPTS, control_gap_m=0)
    without = asb(evaluate_intervention(local_csv(rows), two_wards, RAID, options=no_gap))
    # without a gap they land in the control: 20 -> 30, RR = 0.5 / 1.5 = 1/3
    assert (without["control_before"], without["control_after"]) == (20, 30)
    assert without["relative_effect"] == pytest.approx(1 / 3)


def test_hotspot_centroids_in_the_gap_are_not_control(two_wards):
    rows = months(GAP, {"2018-04": 6, "2018-08": 6}, "g") + months(
        CONTROL, {"2018-04": 6, "2018-08": 6}, "c"
    )
    r = evaluate_intervention(local_csv(rows), two_wards, RAID, UNIT, options=OPTS)
    where = dict(zip(r.shift["centroid_distance_m"].round(), r.shift["area"], strict=True))
    assert where == {300.0: "elsewhere", 566.0: "control"}


# --- overdispersion ----------------------------------------------------------------------
def test_dispersion_worked_out_by_hand():
    # target before 12, 0, 6 (mean 6): (36 + 36 + 0) / 6 = 12; the other cells are flat
    d = dispersion([[12, 0, 6], [3, 3, 3], [6, 6, 6], [6, 6, 6]])
    assert d == Dispersion(phi=12 / 8, df=8)
    assert d.estimated and d.scale == 1.5
    # flat months: no spread at all; the scale never drops below 1
    flat = dispersion([[6, 6, 6], [3, 3, 3], [6, 6, 6], [6, 6, 6]])
    assert flat.phi == 0.0 and flat.scale == 1.0
    # a cell with no incidents tells nothing about the spread: left out of both sums
    assert dispersion([[12, 0, 6], [0, 0, 0], [6, 6, 6], [6, 6, 6]]).df == 6
    # one month per window: no degrees of freedom, not estimated
    few = dispersion([[9], [3], [6], [6]])
    assert few.df == 0 < MIN_DISPERSION_DF and math.isnan(few.phi) and few.scale == 1.0
    with pytest.raises(ValueError, match="monthly counts must be finite and >= 0"):
        dispersion([[1, -1]])


def test_relative_effect_interval_widens_by_the_square_root_of_the_dispersion():
    # Tb 18, Ta 9, Cb 18, Ca 18: RR 0.5; var(log) = 1/9 + 1/18 + 2/18 = 0.2778
    plain = relative_effect(18, 9, 18, 18)
    assert (plain.low, plain.high) == pytest.approx((0.177970, 1.404729), rel=1e-5)
    wide = relative_effect(18, 9, 18, 18, dispersion=1.5)  # se x sqrt(1.5)
    assert wide.ratio == plain.ratio
    assert (wide.low, wide.high) == pytest.approx((0.141098, 1.771814), rel=1e-5)
    assert wide.widened == pytest.approx(math.sqrt(1.5))
    # under-dispersion never narrows the interval
    assert relative_effect(18, 9, 18, 18, dispersion=0.4) == plain
    with pytest.raises(ValueError, match="dispersion must be finite and > 0"):
        relative_effect(18, 9, 18, 18, dispersion=0)


def _spread_rows(target_before: dict[str, int]) -> list[dict]:
    return months(TARGET, {**target_before, "2018-07": 6, "2018-08": 6}, "t") + months(
        CONTROL, {"2018-04": 20, "2018-05": 20, "2018-07": 20, "2018-08": 20}, "c"
    )


def test_overdispersed_months_widen_the_interval_and_even_months_do_not(two_wards):
    # same totals: target 24 -> 12, control 40 -> 40, RR 0.5, var(log) = 1/12 + 1/24 + 2/40
    bumpy = evaluate_intervention(
        local_csv(_spread_rows({"2018-04": 20, "2018-05": 4})), two_wards, RAID, options=OPTS
    )
    even = evaluate_intervention(
        local_csv(_spread_rows({"2018-04": 12, "2018-05": 12})), two_wards, RAID, options=OPTS
    )
    b, e = asb(bumpy), asb(even)
    assert b["relative_effect"] == e["relative_effect"] == pytest.approx(0.5)
    # even months: no spread beyond Poisson, the Poisson interval exactly
    assert e["dispersion"] == 0.0 and e["dispersion_df"] == 4 and e["interval"] == "Poisson"
    assert (e["rr_low"], e["rr_high"]) == pytest.approx((0.220235, 1.135150), rel=1e-5)
    # 20 and 4 around a mean of 12: (64 + 64) / 12 over 4 df, phi = 8/3
    assert b["dispersion"] == pytest.approx(8 / 3) and b["interval"] == "quasi-Poisson"
    assert (b["rr_low"], b["rr_high"]) == pytest.approx((0.131066, 1.907442), rel=1e-5)
    assert "widened x1.63 for month-to-month variation" in b["conclusion"]
    assert any(w.startswith("monthly counts vary more") and "asb (dispersion 2.67)" in w
               for w in bumpy.warnings)  # fmt: skip
    assert not any("vary more" in w for w in even.warnings)


def test_too_few_months_keep_the_poisson_interval_and_say_so(two_wards):
    one = dataclasses.replace(OPTS, months_before=1, months_after=1)  # May against July
    rows = months(TARGET, {"2018-05": 20, "2018-07": 8}, "t") + months(
        CONTROL, {"2018-05": 20, "2018-07": 20}, "c"
    )
    r = evaluate_intervention(local_csv(rows), two_wards, RAID, options=one)
    e = asb(r)
    assert math.isnan(e["dispersion"]) and e["dispersion_df"] == 0
    assert e["interval"] == "Poisson"
    assert (e["rr_low"], e["rr_high"]) == pytest.approx(
        (relative_effect(20, 8, 20, 20).low, relative_effect(20, 8, 20, 20).high)
    )
    assert any(
        w.startswith("too few months to estimate how much the monthly counts vary for asb")
        and "assume Poisson counts" in w
        for w in r.warnings
    )


# --- coverage ----------------------------------------------------------------------------
def test_ring_and_target_outside_the_wards_are_measured_and_warned(two_wards):
    # 50 m from the west edge of West: a circular segment of each disc lies outside
    edge = Intervention("E", "warrant", dt.date(2018, 6, 15), x=450_050, y=PY, xy_crs="EPSG:27700")
    plan = AreaPlan(point=edge.point(two_wards.crs), target_codes=(), control_codes=())
    shares = outside_coverage(plan, two_wards, OPTS)
    # segment beyond a chord 50 m from the centre: r**2 acos(50/r) - 50 sqrt(r**2 - 50**2)
    seg100 = 100**2 * math.acos(0.5) - 50 * math.sqrt(100**2 - 50**2)
    seg200 = 200**2 * math.acos(0.25) - 50 * math.sqrt(200**2 - 50**2)
    assert shares["target"] == pytest.approx(seg100 / (math.pi * 100**2), rel=1e-3)
    ring = (seg200 - seg100) / (math.pi * (200**2 - 100**2))
    assert shares["ring"] == pytest.approx(ring, rel=1e-3)  # 39 %
    rows = months((450_060, PY), {"2018-04": 3, "2018-08": 3}, "t")
    r = evaluate_intervention(local_csv(rows), two_wards, edge, options=OPTS)
    assert any(w.startswith("20% of the target lies outside the wards") for w in r.warnings)
    assert any(
        w.startswith("39% of the ring lies outside the wards of the boundary file")
        and "displacement there cannot be seen" in w
        for w in r.warnings
    )
    # in the middle of West nothing lies outside
    centre = AreaPlan(point=RAID.point(two_wards.crs), target_codes=(), control_codes=())
    inside = outside_coverage(centre, two_wards, OPTS)
    assert inside == pytest.approx({"target": 0.0, "ring": 0.0}, abs=1e-9)


def test_a_control_ward_without_any_data_is_warned_about(two_wards):
    rows = months(TARGET, {"2018-04": 3, "2018-08": 3}, "t")
    with_east = dataclasses.replace(OPTS, control_wards=("West", EAST))
    r = evaluate_intervention(local_csv(rows), two_wards, RAID, options=with_east)
    assert any(
        w.startswith(f"control ward(s) {EAST} East have no incidents in any month")
        and "outside the data's coverage" in w
        for w in r.warnings
    )
    # West has data: no such warning with West alone
    r_west = evaluate_intervention(local_csv(rows), two_wards, RAID, options=OPTS)
    assert not any("have no incidents in any month" in w for w in r_west.warnings)


def test_a_gap_that_swallows_the_control_is_warned_about(two_wards):
    # West's corners are 707 m from P: a control beyond 300 + 500 m is empty
    far = InterventionOptions(radius_m=100, ring_outer_m=300, control_gap_m=500,
                              months_before=2, months_after=2)  # fmt: skip
    rows = months(TARGET, {"2018-04": 3, "2018-08": 3}, "t")
    r = evaluate_intervention(local_csv(rows), two_wards, RAID, options=far)
    assert r.areas.set_index("area").at["control", "area_m2"] == 0.0
    assert any(w.startswith("the control area is empty") and "800 m" in w for w in r.warnings)

"""Interventions: file checks, windows, areas, measures worked out by hand, hotspot shift, CLI.

Geometry: the ``two_wards`` fixture (``tests.helpers.make_two_wards``), West =
[450000, 451000] x [200000, 201000] and East = [451000, 452000] x the same, EPSG:27700.
The intervention point P is the centre of West, (450500, 200500); with ``radius_m=100`` the
target is d <= 100 m, the ring 100 m < d <= 200 m, and the control is the rest of West (East
is 500 m away, so it is not an involved ward unless chosen).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats.contingency import odds_ratio

from geo import columns as c
from geo.cli import main
from geo.errors import ValidationError
from geo.interventions import (
    Intervention,
    InterventionOptions,
    effects_table,
    evaluate_intervention,
    intervention_map,
    intervention_windows,
    load_interventions,
    read_interventions_csv,
    relative_effect,
    series_figure,
    series_png,
    total_net_effect,
    validate_interventions,
    weighted_displacement_quotient,
    write_intervention_outputs,
)
from geo.interventions.report import card_view
from geo.maps import offline_html
from tests.helpers import DATA, EAST, WEST, local_csv, unit_settings

PX, PY = 450_500, 200_500
OPTS = InterventionOptions(radius_m=100, months_before=2, months_after=2)
# start mid-June: June is excluded; before = Apr, May; after = Jul, Aug
RAID = Intervention("R1", "warrant", dt.date(2018, 6, 15), x=PX, y=PY, xy_crs="EPSG:27700")
UNIT = unit_settings(eps_m=20, min_samples=5)


def pile(n: int, x: float, y: float, months: tuple[str, ...], cat: str, tag: str) -> list[dict]:
    """``n`` incidents at one point, spread over ``months`` in turn (round robin)."""
    return [
        dict(
            id=f"{tag}{i}",
            date=f"{months[i % len(months)]}-10",
            category=cat,
            easting=x,
            northing=y,
        )
        for i in range(n)
    ]


BEFORE, AFTER = ("2018-04", "2018-05"), ("2018-07", "2018-08")
TARGET_XY, RING_XY, CONTROL_XY = (PX, PY), (PX + 150, PY), (450_100, 200_100)


def scenario_rows() -> list[dict]:
    rows: list[dict] = []
    # ASB, displacement, control unchanged: target 10 -> 4, ring 4 -> 12, control 20 -> 20
    for n, xy, months, tag in [
        (10, TARGET_XY, BEFORE, "at_b"),
        (4, TARGET_XY, AFTER, "at_a"),
        (4, RING_XY, BEFORE, "ar_b"),
        (12, RING_XY, AFTER, "ar_a"),
        (20, CONTROL_XY, BEFORE, "ac_b"),
        (20, CONTROL_XY, AFTER, "ac_a"),
    ]:
        rows += pile(n, *xy, months, "asb", tag)
    # drugs, diffusion of benefit: target 40 -> 10, ring 20 -> 10, control 40 -> 40
    for n, xy, months, tag in [
        (40, TARGET_XY, BEFORE, "dt_b"),
        (10, TARGET_XY, AFTER, "dt_a"),
        (20, RING_XY, BEFORE, "dr_b"),
        (10, RING_XY, AFTER, "dr_a"),
        (40, CONTROL_XY, BEFORE, "dc_b"),
        (40, CONTROL_XY, AFTER, "dc_a"),
    ]:
        rows += pile(n, *xy, months, "drugs", tag)
    # never counted: the excluded month (June), outside the windows (March, September),
    # and the East ward (not a control ward unless chosen)
    rows += pile(3, *TARGET_XY, ("2018-06",), "asb", "x_jun")
    rows += pile(2, *TARGET_XY, ("2018-03", "2018-09"), "asb", "x_out")
    rows += pile(5, 451_500, 200_500, BEFORE + AFTER, "asb", "x_east")
    return rows


@pytest.fixture
def scenario(two_wards):
    return evaluate_intervention(local_csv(scenario_rows()), two_wards, RAID, options=OPTS)


def effect(result, group: str) -> dict:
    return result.effects.set_index("group").loc[group].to_dict()


# --- measures worked out by hand -------------------------------------------------------------
def test_counts_per_area_and_window(scenario):
    n = scenario.counts.set_index(["group", "area"])
    assert n.loc[("asb", "target"), ["before", "after"]].tolist() == [10, 4]
    assert n.loc[("asb", "ring"), ["before", "after"]].tolist() == [4, 12]
    assert n.loc[("asb", "control"), ["before", "after"]].tolist() == [20, 20]
    assert n.loc[("drugs", "target"), ["before", "after"]].tolist() == [40, 10]
    # all = asb + drugs: target 50 -> 14, ring 24 -> 22, control 60 -> 60
    assert n.loc[("all", "target"), ["before", "after"]].tolist() == [50, 14]
    assert n.loc[("all", "ring"), ["before", "after"]].tolist() == [24, 22]
    assert n.loc[("all", "control"), ["before", "after"]].tolist() == [60, 60]
    # change of the monthly rate: asb target (4/2 - 10/2) / (10/2) = -60 %, ring +200 %
    assert n.loc[("asb", "target"), "change_pct"] == pytest.approx(-60.0)
    assert n.loc[("asb", "ring"), "change_pct"] == pytest.approx(200.0)
    assert n.loc[("asb", "control"), "change_pct"] == 0.0
    assert scenario.windows.excluded == ("2018-06",)


def test_displacement_asb_with_unchanged_control(scenario):
    e = effect(scenario, "asb")
    # RR = (4/10) / (20/20) = 0.4; var(log) = 1/4 + 1/10 + 1/20 + 1/20 = 0.45
    # CI = 0.4 * exp(-/+ 1.95996 * 0.670820) = 0.107413 .. 1.489578 (includes 1)
    assert e["relative_effect"] == pytest.approx(0.4)
    assert e["rr_low"] == pytest.approx(0.107413, rel=1e-5)
    assert e["rr_high"] == pytest.approx(1.489578, rel=1e-5)
    assert not e["continuity_corrected"]
    # success = 4/20 - 10/20 = -0.3; buffer = 12/20 - 4/20 = 0.4; WDQ = 0.4 / -0.3
    assert e["success_measure"] == pytest.approx(-0.3)
    assert e["buffer_measure"] == pytest.approx(0.4)
    assert e["wdq"] == pytest.approx(-4 / 3)
    assert e["wdq_reading"].startswith("displacement larger than the gain")
    assert e["wdq_reading"].endswith("the target's own fall is not clear (its interval includes 1)")
    # TNE = (10 * 20/20 - 4) + (4 * 20/20 - 12) = 6 - 8 = -2 (net harm of 2 incidents)
    assert e["total_net_effect"] == pytest.approx(-2.0)
    assert e["enough_data"]  # 10 in the target before, 20 in the control each window
    assert e["conclusion"].startswith("no clear change relative to the control")


def test_diffusion_of_benefit_drugs(scenario):
    e = effect(scenario, "drugs")
    # RR = (10/40) / (40/40) = 0.25; var = 1/10 + 3/40 = 0.175; CI 0.110118 .. 0.567575
    assert e["relative_effect"] == pytest.approx(0.25)
    assert e["rr_low"] == pytest.approx(0.110118, rel=1e-5)
    assert e["rr_high"] == pytest.approx(0.567575, rel=1e-5)
    assert e["conclusion"].startswith("fell relative to the control")
    # success = 10/40 - 40/40 = -0.75; buffer = 10/40 - 20/40 = -0.25; WDQ = 1/3
    assert e["wdq"] == pytest.approx(1 / 3)
    assert e["wdq_reading"] == "diffusion of benefit: the ring improved too"  # CI below 1
    # TNE = (40 - 10) + (20 - 10) = 40
    assert e["total_net_effect"] == pytest.approx(40.0)


def test_all_group_sums_the_groups(scenario):
    e = effect(scenario, "all")
    # RR = (14/50) / (60/60) = 0.28; var = 1/14 + 1/50 + 2/60; CI 0.140120 .. 0.559521
    assert e["relative_effect"] == pytest.approx(0.28)
    assert e["rr_low"] == pytest.approx(0.140120, rel=1e-5)
    assert e["rr_high"] == pytest.approx(0.559521, rel=1e-5)
    # success = 14/60 - 50/60 = -0.6; buffer = 22/60 - 24/60 = -1/30; WDQ = 1/18
    assert e["wdq"] == pytest.approx(1 / 18)
    assert e["total_net_effect"] == pytest.approx(38.0)  # (50 - 14) + (24 - 22)


def test_zero_counts_use_the_continuity_correction(two_wards):
    rows = (
        pile(6, *TARGET_XY, BEFORE, "asb", "t")  # target 6 -> 0
        + pile(2, *RING_XY, BEFORE, "asb", "rb")
        + pile(2, *RING_XY, AFTER, "asb", "ra")
        + pile(10, *CONTROL_XY, BEFORE, "asb", "cb")
        + pile(10, *CONTROL_XY, AFTER, "asb", "ca")
    )
    r = evaluate_intervention(local_csv(rows), two_wards, RAID, options=OPTS)
    e = effect(r, "asb")
    # a zero: add 0.5 to all four -> RR = (0.5/6.5) / (10.5/10.5) = 0.076923
    # var = 1/0.5 + 1/6.5 + 2/10.5 = 2.344322; CI 0.0038262 .. 1.546488
    assert e["continuity_corrected"]
    assert e["relative_effect"] == pytest.approx(0.5 / 6.5)
    assert e["rr_low"] == pytest.approx(0.0038262, rel=1e-4)
    assert e["rr_high"] == pytest.approx(1.546488, rel=1e-5)
    # WDQ uses the raw counts: success = 0/10 - 6/10 = -0.6, buffer = 2/10 - 2/10 = 0
    assert e["wdq"] == 0.0
    assert e["wdq_reading"].startswith("no displacement or diffusion")
    assert e["total_net_effect"] == pytest.approx(6.0)
    # only 6 in the target before (< min_count 10): too few to conclude anything
    assert not e["enough_data"]
    assert e["conclusion"].startswith("too few incidents to conclude anything")
    assert any("too few incidents" in w and "asb" in w for w in r.warnings)
    # no drugs at all: every count zero, corrected ratio 1, still flagged
    d = effect(r, "drugs")
    assert d["relative_effect"] == pytest.approx(1.0) and d["continuity_corrected"]
    assert not d["enough_data"]


def test_control_with_no_incidents_leaves_wdq_undefined():
    q = weighted_displacement_quotient(10, 5, 4, 4, 0, 3)
    assert math.isnan(q.wdq) and q.reading.startswith("undefined: no control incidents")
    assert math.isnan(total_net_effect(10, 5, 4, 4, 0, 3))


@pytest.mark.parametrize(
    ("counts", "wdq", "reading"),
    [
        # success = 5/10 - 10/10 = -0.5; buffer = 10/10 - 5/10 = 0.5 -> -1
        ((10, 5, 5, 10, 10, 10), -1.0, "displacement as large as the gain"),
        # buffer = 6/10 - 5/10 = 0.1 -> -0.2
        ((10, 5, 5, 6, 10, 10), -0.2, "some displacement, smaller than the gain"),
        # success = 10/10 - 5/10 = +0.5 (target got worse): not read
        ((5, 10, 5, 5, 10, 10), 0.0, "not read: the target did not improve"),
    ],
)
def test_wdq_readings(counts, wdq, reading):
    q = weighted_displacement_quotient(*counts)
    assert q.wdq == pytest.approx(wdq)
    assert q.reading.startswith(reading)


def test_wdq_undefined_when_target_changes_like_control():
    q = weighted_displacement_quotient(10, 20, 4, 8, 10, 20)  # success = 20/20 - 10/10 = 0
    assert math.isnan(q.wdq) and q.reading.startswith("undefined: the target changed exactly")


@given(st.lists(st.integers(1, 500), min_size=4, max_size=4))
def test_relative_effect_matches_scipy_sample_odds_ratio(n):
    ta, tb, ca, cb = n
    ours = relative_effect(tb, ta, cb, ca)
    ref = odds_ratio([[ta, tb], [ca, cb]], kind="sample")
    ci = ref.confidence_interval(0.95)
    assert ours.ratio == pytest.approx(ref.statistic)
    assert (ours.low, ours.high) == pytest.approx((ci.low, ci.high))


@given(
    st.lists(st.integers(0, 200), min_size=4, max_size=4),
    st.integers(1, 200),
    st.integers(1, 200),
    st.integers(2, 9),
)
def test_wdq_unchanged_when_control_is_scaled(rd, cb, ca, k):
    rb, ra, db, da = rd
    a = weighted_displacement_quotient(rb, ra, db, da, cb, ca)
    b = weighted_displacement_quotient(rb, ra, db, da, cb * k, ca * k)
    assert (math.isnan(a.wdq) and math.isnan(b.wdq)) or a.wdq == pytest.approx(b.wdq)
    assert a.reading == b.reading


# --- areas and windows -----------------------------------------------------------------------
def test_area_boundaries_are_inclusive(two_wards):
    rows = [
        dict(id="d100", date="2018-04-10", category="asb", easting=PX + 100, northing=PY),
        dict(id="d200", date="2018-04-10", category="asb", easting=PX + 200, northing=PY),
        dict(id="d201", date="2018-04-10", category="asb", easting=PX + 201, northing=PY),
        dict(id="d400", date="2018-04-10", category="asb", easting=PX + 400, northing=PY),
        dict(id="d401", date="2018-04-10", category="asb", easting=PX + 401, northing=PY),
        dict(id="east", date="2018-04-10", category="asb", easting=451_500, northing=PY),
        dict(id="aug", date="2018-08-10", category="asb", easting=450_050, northing=200_050),
    ]
    r = evaluate_intervention(local_csv(rows), two_wards, RAID, options=OPTS)
    n = r.counts.set_index(["group", "area"])["before"]
    # 100 m: target; 200 m: ring; 201 and 400 m: the 200 m gap (no area); 401 m: control;
    # the East point is in no area
    assert (n[("all", "target")], n[("all", "ring")], n[("all", "control")]) == (1, 1, 1)
    no_gap = dataclasses.replace(OPTS, control_gap_m=0)
    r0 = evaluate_intervention(local_csv(rows), two_wards, RAID, options=no_gap)
    assert r0.counts.set_index(["group", "area"]).at[("all", "control"), "before"] == 3
    chosen = dataclasses.replace(OPTS, control_wards=("West", EAST))
    r2 = evaluate_intervention(local_csv(rows), two_wards, RAID, options=chosen)
    assert r2.counts.set_index(["group", "area"]).at[("all", "control"), "before"] == 2
    areas = r.areas.set_index("area")
    assert list(areas.index) == ["target", "ring", "control"]
    assert areas.at["target", "area_m2"] == pytest.approx(math.pi * 100**2, rel=0.01)
    assert areas.at["ring", "area_m2"] == pytest.approx(math.pi * (200**2 - 100**2), rel=0.01)
    assert areas.at["control", "area_m2"] == pytest.approx(1e6 - math.pi * 400**2, rel=0.01)
    assert areas.at["control", "ward_codes"] == WEST
    control0 = r0.areas.set_index("area").at["control", "area_m2"]
    assert control0 == pytest.approx(1e6 - math.pi * 200**2, rel=0.01)


def test_window_rule():
    # a start on the 1st: that month is the first after month, nothing excluded
    w = intervention_windows(dt.date(2018, 6, 1), months_before=3, months_after=3)
    assert w.before == ("2018-03", "2018-04", "2018-05")
    assert w.after == ("2018-06", "2018-07", "2018-08") and w.excluded == ()
    # any other day: its month is mixed and excluded
    w = intervention_windows(dt.date(2018, 1, 15), months_before=2, months_after=1)
    assert w.before == ("2017-11", "2017-12")
    assert w.after == ("2018-02",) and w.excluded == ("2018-01",)


def test_windows_outside_the_data_are_refused(two_wards):
    rows = pile(4, *TARGET_XY, BEFORE + AFTER, "asb", "a")
    opts = InterventionOptions(radius_m=100, months_before=2, months_after=3)
    with pytest.raises(
        ValidationError,
        match=r"row 0 \(id R1\): the windows need months "
        r"2018-04 to 2018-09 but the data covers 2018-04 to 2018-08",
    ):
        evaluate_intervention(local_csv(rows), two_wards, RAID, options=opts)


def test_location_outside_every_ward_is_refused(two_wards):
    far = Intervention(
        "F",
        "warrant",
        dt.date(2018, 6, 15),
        x=460_000,
        y=PY,
        xy_crs="EPSG:27700",
        source_file="iv.csv",
        row=3,
    )
    with pytest.raises(ValidationError, match=r"iv.csv row 3 \(id F\): the location is outside"):
        evaluate_intervention(local_csv(scenario_rows()), two_wards, far, options=OPTS)


def test_area_wide_event_chosen_wards_against_the_rest(two_wards):
    rows = (
        pile(20, 450_300, 200_300, BEFORE, "asb", "wb")
        + pile(15, 450_300, 200_300, AFTER, "asb", "wa")
        + pile(10, 451_700, 200_300, BEFORE, "asb", "eb")
        + pile(20, 451_700, 200_300, AFTER, "asb", "ea")
    )
    team = Intervention("T", "team_start", dt.date(2018, 6, 15))
    opts = InterventionOptions(months_before=2, months_after=2, target_wards=("west",))
    r = evaluate_intervention(local_csv(rows), two_wards, team, options=opts)
    e = effect(r, "asb")
    # West 20 -> 15 against East 10 -> 20: RR = (15/20) / (20/10) = 0.375
    # var = 1/15 + 1/20 + 1/20 + 1/10; CI 0.136293 .. 1.031787 (includes 1)
    assert (e["target_before"], e["target_after"]) == (20, 15)
    assert (e["control_before"], e["control_after"]) == (10, 20)
    assert e["relative_effect"] == pytest.approx(0.375)
    assert e["rr_low"] == pytest.approx(0.136293, rel=1e-5)
    assert e["rr_high"] == pytest.approx(1.031787, rel=1e-5)
    assert pd.isna(e["ring_before"]) and math.isnan(e["wdq"])
    assert e["wdq_reading"].startswith("not applicable: an area-wide event")
    assert e["total_net_effect"] == pytest.approx(25.0)  # 20 * 20/10 - 15
    # every ward treated: no comparison area, said plainly
    r_all = evaluate_intervention(
        local_csv(rows),
        two_wards,
        team,
        options=InterventionOptions(months_before=2, months_after=2),
    )
    e_all = effect(r_all, "asb")
    assert (e_all["target_before"], e_all["target_after"]) == (30, 35)
    assert math.isnan(e_all["relative_effect"])
    assert e_all["conclusion"].startswith("no comparison area")
    assert any(w.startswith("no comparison area") for w in r_all.warnings)


def test_options_are_validated(two_wards):
    with pytest.raises(ValidationError) as err:
        InterventionOptions(radius_m=0, ring_outer_m=-1, months_before=0, min_count=0)
    text = str(err.value)
    for opt in ("radius_m", "ring_outer_m", "months_before", "min_count"):
        assert f"'{opt}'" in text
    with pytest.raises(ValidationError, match="control_wards: unknown ward"):
        evaluate_intervention(
            local_csv(scenario_rows()),
            two_wards,
            RAID,
            options=InterventionOptions(control_wards=("Nowhere",)),
        )
    team = Intervention("T", "team_start", dt.date(2018, 6, 15))
    both = InterventionOptions(
        months_before=2, months_after=2, target_wards=(WEST,), control_wards=("West",)
    )
    with pytest.raises(ValidationError, match="both target and control"):
        evaluate_intervention(local_csv(scenario_rows()), two_wards, team, options=both)


# --- hotspot shift ---------------------------------------------------------------------------
def square(base_x: float, base_y: float, months: tuple[str, ...], tag: str) -> list[dict]:
    """Five drugs incidents on a 10 m square (centroid base + (5, 5)) in each month."""
    return [
        dict(
            id=f"{tag}{m}{i}",
            date=f"{m}-10",
            category="drugs",
            easting=base_x + dx,
            northing=base_y + dy,
        )
        for m in months
        for i, (dx, dy) in enumerate([(0, 0), (10, 0), (0, 10), (10, 10), (5, 5)])
    ]


def test_hotspot_shift_persisted_vanished_appeared(two_wards):
    rows = (
        square(PX - 5, PY - 5, ("2018-04",), "g1")  # at the target before only
        + square(450_795, 200_895, ("2018-07",), "g2")  # 500 m away (300, 400) after only
        + square(450_095, 200_095, ("2018-04", "2018-07"), "g3")  # both windows
        + pile(2, 451_500, 200_500, ("2018-05", "2018-08"), "asb", "n")
    )
    r = evaluate_intervention(local_csv(rows), two_wards, RAID, UNIT, options=OPTS)
    s = r.shift.set_index(["period", "status"])
    g1 = s.loc[("before", "vanished")]
    assert g1["centroid_distance_m"] == pytest.approx(0.0) and g1["area"] == "target"
    assert g1["distance_m"] == 0.0  # its polygon covers the location
    g2 = s.loc[("after", "appeared")]
    assert g2["centroid_distance_m"] == pytest.approx(500.0)  # 3-4-5 triangle
    # to the polygon: corner (450795, 200895) is 493.03 m away, minus the 25 m hull buffer
    assert g2["distance_m"] == pytest.approx(math.hypot(295, 395) - 25, abs=0.2)
    assert g2["area"] == "control"
    persisted = r.shift[r.shift["status"] == "persisted"]
    assert sorted(persisted["period"]) == ["after", "before"]
    assert set(persisted["overlaps"]) == set(persisted[c.HOTSPOT_ID])
    summary = r.shift_summary()
    assert (summary["before"], summary["after"]) == (2, 2)
    assert (summary["persisted"], summary["vanished"], summary["appeared"]) == (1, 1, 1)
    assert summary["nearest_appeared_m"] == pytest.approx(math.hypot(295, 395) - 25, abs=0.2)
    html = offline_html(intervention_map(r))
    for text in (
        "Target area",
        "Ring area",
        "Comparison area",
        "Hotspots before",
        "Hotspots after",
    ):
        assert text in html
    # what a sergeant reads calls the control area the comparison area
    assert "Control area" not in html and '"area": "control"' not in html
    assert "comparison area</div>" in html  # the legend row
    assert '"collapsed": false' in html and 'class="intervention-legend"' in html
    small = offline_html(intervention_map(r, compact=True))
    assert '"collapsed": true' in small and "intervention-legend" not in small
    assert "Comparison area" in small
    # the small map's first view reaches into the comparison area, which its key names
    view = card_view(r)
    control = r.areas[r.areas["area"] == "control"].geometry.iloc[0]
    assert view.union_all().intersects(control)
    ring = r.areas[r.areas["area"] == "ring"].geometry.iloc[0]
    assert view.union_all().contains(ring)


# --- the interventions file ------------------------------------------------------------------
HEADER = "id,kind,start_date,end_date,longitude,latitude,easting,northing,notes\n"


def check(body: str):
    return validate_interventions(read_interventions_csv(("iv.csv", (HEADER + body).encode())))


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (",warrant,2018-06-15,,,,453000,203000,", "missing id"),
        ("B,,2018-06-15,,,,,,", "missing kind (one of warrant, closure_order, team_start"),
        ("B,raid,2018-06-15,,,,,,", "unknown kind 'raid' (expected one of warrant"),
        ("B,other,,,,,,,", "missing start_date"),
        ("B,other,2018-13-01,,,,,,", "start_date '2018-13-01' is not a valid date"),
        ("B,other,2018-06,,,,,,", "start_date '2018-06' has no day (use YYYY-MM-DD"),
        ("B,other,2018-06-15,soon,,,,,", "end_date 'soon' is not a valid date"),
        ("B,other,2018-06-15,2018-06-01,,,,,", "end_date 2018-06-01 is before start_date"),
        ("B,other,2018-06-15,,-1.2,,,,", "longitude given without latitude"),
        ("B,other,2018-06-15,,,,,203000,", "northing given without easting"),
        ("B,other,2018-06-15,,-1.2,51.7,453000,203000,", "not both"),
        ("B,other,2018-06-15,,abc,51.7,,,", "longitude 'abc' is not a number"),
        ("B,other,2018-06-15,,-1.2,151.2,,,", "latitude 151.2 is outside [-90, 90]"),
        ("B,other,2018-06-15,,200,51.7,,,", "longitude 200 is outside [-180, 180]"),
        ("B,other,2018-06-15,,51.72,-1.22,,,", "longitude 51.72 and latitude -1.22 look swapped"),
        ("B,other,2018-06-15,,,,800000,203000,", "easting 800000 is outside [0, 700000]"),
        ("B,other,2018-06-15,,,,453000,-5,", "northing -5 is outside [0, 1300000]"),
        ("B,warrant,2018-06-15,,,,,,", "a warrant needs a location"),
        ("B,closure_order,2018-06-15,,,,,,", "a closure_order needs a location"),
        ("A,other,2018-06-15,,,,,,", "duplicate id 'A' (first seen in row 2)"),
    ],
)
def test_every_bad_row_is_rejected_with_its_reason(line, reason):
    checked = check("A,team_start,2018-06-01,,,,,,\n" + line + "\n")
    assert [iv.intervention_id for iv in checked.accepted] == ["A"]
    assert checked.rejected[[c.SOURCE_FILE, c.ROW, c.STAGE]].values.tolist() == [
        ["iv.csv", 3, "invalid"]
    ]
    assert reason in checked.rejected[c.REASON].iloc[0]


def test_good_rows_in_every_accepted_form():
    checked = check(
        "T,Team start,01/06/2018,,,,,,new team\n"
        "W,warrant,2018-08-15,,-1.215246,51.719306,,,staff only\n"
        "C,Closure-Order,2018-07-20,2018-10-19,,,453721,203281,\n"
    )
    assert checked.rejected.empty
    t, w, co = checked.accepted
    assert (t.kind, t.start_date, t.has_location, t.notes) == (
        "team_start",
        dt.date(2018, 6, 1),
        False,
        "new team",
    )
    assert (w.x, w.y, w.xy_crs) == (-1.215246, 51.719306, "EPSG:4326")
    assert (co.kind, co.end_date, co.xy_crs, co.row) == (
        "closure_order",
        dt.date(2018, 10, 19),
        "EPSG:27700",
        4,
    )


def test_a_row_with_several_problems_reports_them_all_and_nothing_is_lost():
    raw = read_interventions_csv(
        ("iv.csv", (HEADER + ",raid,,,,,,,\nA,other,2018-06-15,,,,,,\n").encode())
    )
    checked = validate_interventions(raw)
    assert len(raw) == len(checked.accepted) + len(checked.rejected)
    assert checked.rejected[c.REASON].iloc[0] == (
        "missing id; unknown kind 'raid' (expected one of warrant, closure_order, team_start, "
        "patrol_operation, other); missing start_date"
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "iv.csv: the file is empty"),
        (b"id,kind\nA,warrant\n", "iv.csv: missing column 'start_date'"),
        (b"id,kind,start_date,lattitude\n", "iv.csv: unknown column 'lattitude'"),
        (b"\x00\x01binary", "not a CSV text file"),
        (b"id,kind,start_date\n", "iv.csv: the file has no interventions"),
    ],
)
def test_bad_files(data, message):
    with pytest.raises(ValidationError, match=message.replace("(", r"\(")):
        load_interventions(("iv.csv", data))


def test_load_lists_every_bad_row_with_file_and_row():
    body = (
        HEADER + "A,raid,2018-06-15,,,,,,\nB,warrant,2018-06-15,,,,,,\nC,other,2018-06-15,,,,,,\n"
    )
    with pytest.raises(ValidationError) as err:
        load_interventions(("iv.csv", body.encode()))
    assert [p.split(":")[0] for p in err.value.problems] == ["iv.csv row 2", "iv.csv row 3"]


def test_shipped_example_file():
    ivs = load_interventions()
    assert [(iv.intervention_id, iv.kind, iv.start_date.isoformat()) for iv in ivs] == [
        ("EX-TEAM-START", "team_start", "2018-06-01"),
        ("EX-PRIORY-RD", "warrant", "2018-08-15"),
        ("EX-OXFORD-RD", "closure_order", "2018-07-20"),
    ]
    # the street-level points are police.uk snap points in the shipped data
    shipped = pd.concat(
        pd.read_csv(f, dtype=str) for f in sorted((DATA / "incidents").glob("*.csv"))
    )
    for iv, street in zip(ivs[1:], ("Priory Road", "Oxford Road"), strict=True):
        at = shipped[
            (shipped["Longitude"].astype(float) == iv.x)
            & (shipped["Latitude"].astype(float) == iv.y)
        ]
        assert set(at["Location"]) == {f"On or near {street}"}


# --- CLI on the shipped data -----------------------------------------------------------------
def test_cli_runs_on_shipped_data_with_no_arguments(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["intervention", "--no-progress"]) == 0
    out = tmp_path / "out"
    table = pd.read_csv(out / "intervention.csv")
    assert list(zip(table["intervention_id"], table["group"], strict=True)) == [
        (i, g)
        for i in ("EX-TEAM-START", "EX-PRIORY-RD", "EX-OXFORD-RD")
        for g in ("asb", "drugs", "all")
    ]
    # independent check: incidents within 200 m of the Priory Road point, May-July 2018
    import pyproj

    raw = pd.concat(pd.read_csv(f) for f in sorted((DATA / "incidents").glob("*.csv")))
    raw = raw.dropna(subset=["Longitude"])
    tr = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    x, y = tr.transform(raw["Longitude"].to_numpy(), raw["Latitude"].to_numpy())
    px, py = tr.transform(-1.215246, 51.719306)
    near = (np.hypot(x - px, y - py) <= 200) & raw["Month"].isin(["2018-05", "2018-06", "2018-07"])
    row = table[(table["intervention_id"] == "EX-PRIORY-RD") & (table["group"] == "all")]
    assert int(row["target_before"].iloc[0]) == int(near.sum())
    doc = json.loads((out / "intervention.json").read_text())
    assert doc["audience"].startswith("staff only")
    assert [d["windows"]["excluded"] for d in doc["interventions"]] == [
        [],
        ["2018-08"],
        ["2018-07"],
    ]
    for name in ("intervention.json", "intervention.csv"):
        assert "EXAMPLE ONLY" not in (out / name).read_text()  # notes never leave the file
    assert (out / "intervention.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    printed = capsys.readouterr().out
    assert "example interventions file (placeholder dates" in printed
    assert (
        "EX-PRIORY-RD (warrant, 2018-08-15): before 2018-05..2018-07, after 2018-09..2018-11"
        in printed
    )


def test_cli_bad_options_exit_2(tmp_path, capsys):
    assert main(["intervention", "--id", "NOPE", "--out", str(tmp_path)]) == 2
    assert "unknown intervention id(s) NOPE" in capsys.readouterr().err
    args = ["intervention", "--id", "EX-PRIORY-RD", "--months-after", "4", "--out", str(tmp_path)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "example_interventions.csv row 3 (id EX-PRIORY-RD): the windows need months" in err
    assert main(["intervention", "--radius-m", "-5", "--out", str(tmp_path)]) == 2


def test_effects_table_and_plot_for_one_result(scenario):
    t = effects_table([scenario])
    assert t[["intervention_id", "before_months", "after_months", "excluded_month"]].iloc[
        0
    ].tolist() == ["R1", "2018-04..2018-05", "2018-07..2018-08", "2018-06"]
    assert series_png([scenario])[:4] == b"\x89PNG"


def test_the_plot_key_names_only_what_is_drawn(scenario):
    """An area-wide event (no ring, no control, no excluded month) is not given their keys."""
    import matplotlib.pyplot as plt

    def keys(results) -> list[str]:
        fig = series_figure(results)
        try:
            return [t.get_text() for t in fig.legends[0].get_texts()]
        finally:
            plt.close(fig)

    drawn = set(scenario.monthly["area"])
    got = keys([scenario])
    for area in ("target", "ring", "control"):
        assert any(k.startswith(area) for k in got) == (area in drawn), (area, got)
    assert ("excluded month" in got) == bool(scenario.windows.excluded)
    wide = dataclasses.replace(
        scenario,
        monthly=scenario.monthly[scenario.monthly["area"] == "target"],
        windows=dataclasses.replace(scenario.windows, excluded=()),
    )
    assert keys([wide]) == ["target (left axis)", "start date", "before window", "after window"]


def test_notes_never_reach_the_map_or_the_output_files(two_wards, tmp_path):
    secret = dataclasses.replace(RAID, notes="informant lives at no. 4")
    r = evaluate_intervention(local_csv(scenario_rows()), two_wards, secret, options=OPTS)
    paths = write_intervention_outputs([r], tmp_path, inputs={})
    html = offline_html(intervention_map(r))
    assert "informant" not in html
    for name in ("intervention.csv", "intervention.json"):
        assert "informant" not in paths[name].read_text()
    # the staff map does show the location (so it must never be used for a public view)
    assert "R1 (warrant)" in html

"""Postbox siting: candidate sites, scores worked out by hand, the k-week plan, map and CLI."""

from __future__ import annotations

import re
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal
from shapely.geometry import box

from geo.cli import main
from geo.errors import ValidationError
from geo.maps import offline_html
from geo.paths import DEFAULT_SITES
from geo.postbox import (
    PLAN_COLUMNS,
    RANKED_COLUMNS,
    PostboxSettings,
    add_placement,
    data_end_date,
    demand_points,
    load_sites,
    placement_from_text,
    postbox_map,
    postbox_settings_from_toml,
    read_placements,
    recommend,
    rotation_plan,
)
from tests.helpers import DATA, EAST, WEST

REF = date(2018, 11, 30)
CRS = "EPSG:27700"
NO_HOTSPOTS = gpd.GeoDataFrame({"hotspot_id": []}, geometry=gpd.GeoSeries([], crs=CRS))


def incidents(rows: list[tuple[float, float, str, float, str]]) -> gpd.GeoDataFrame:
    """``(x, y, date, weight, hotspot_id)`` rows as pipeline-shaped incidents in EPSG:27700."""
    return gpd.GeoDataFrame(
        {
            "date": pd.to_datetime([r[2] for r in rows]).astype("datetime64[ns]"),
            "category": ["drugs"] * len(rows),
            "weight": [float(r[3]) for r in rows],
            "hotspot_id": [r[4] for r in rows],
        },
        geometry=gpd.points_from_xy([r[0] for r in rows], [r[1] for r in rows]),
        crs=CRS,
    )


def group(x: float, y: float, n: int, day: str = "2018-11-30", hot: str = "", w: float = 1.0):
    return [(x, y, day, w, hot)] * n


def sites(spec: dict[str, tuple[float, float]], **extra: list[object]) -> gpd.GeoDataFrame:
    ids = list(spec)
    return gpd.GeoDataFrame(
        {"site_id": ids, "name": [f"Site {i}" for i in ids], "kind": ["shop"] * len(ids), **extra},
        geometry=gpd.points_from_xy([spec[i][0] for i in ids], [spec[i][1] for i in ids]),
        crs=CRS,
    )


def log(*entries: tuple[str, str, str, int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "site_id": [e[0] for e in entries],
            "from_date": pd.to_datetime([e[1] for e in entries]).astype("datetime64[ns]"),
            "to_date": pd.to_datetime([e[2] for e in entries]).astype("datetime64[ns]"),
            "slips": [e[3] for e in entries],
        }
    )


def by_id(ranked: pd.DataFrame) -> pd.DataFrame:
    return ranked.set_index("site_id")


# --- hand-made cases -----------------------------------------------------------------------
def test_site_covering_the_big_hotspot_wins():
    hot = gpd.GeoDataFrame({"hotspot_id": ["E1-01"]}, geometry=[box(990, 990, 1010, 1010)], crs=CRS)
    inc = incidents(group(1000, 1000, 30, hot="E1-01") + group(3000, 1000, 5))
    cand = sites({"near-hotspot": (1100, 1000), "near-few": (3000, 1100), "far": (6000, 6000)})
    r = recommend(inc, hot, cand, data_end=REF)
    assert list(r.columns) == [*RANKED_COLUMNS, "geometry"]
    assert list(r["site_id"]) == ["near-hotspot", "near-few", "far"]
    assert list(r["rank"]) == [1, 2, 3]
    top = r.iloc[0]
    # 30 incidents of weight 1 dated on the reference date (recency 1), all in the hotspot
    assert top["incident_score"] == 30.0
    assert top["hotspot_score"] == 30.0  # hotspot_bonus 1: they count double
    assert top["score"] == top["demand_score"] == 60.0
    assert (top["n_incidents"], top["n_recent"], top["n_hotspots"]) == (30, 30, 1)
    assert top["hotspot_ids"] == "E1-01"
    assert top["reason"] == "covers 1 hotspot with 30 incidents; never visited"
    assert by_id(r).loc["near-few", "score"] == 5.0
    assert by_id(r).loc["far", "reason"] == "covers 0 incidents; never visited"
    assert r.crs == inc.crs


def test_category_recency_lookback_and_hotspot_weights_by_hand():
    rows = [
        (0, 0, "2018-09-01", 3.0, "H"),  # 90 days old: 3 x 0.5 = 1.5, + 1.5 hotspot bonus
        (0, 0, "2018-06-03", 2.0, ""),  # 180 days old: 2 x 0.25 = 0.5
        (0, 0, "2017-11-29", 9.0, ""),  # 366 days old: outside the 365-day lookback
        (0, 0, "2018-12-01", 9.0, ""),  # after the reference date: not counted
    ]
    r = by_id(recommend(incidents(rows), NO_HOTSPOTS, sites({"s": (0, 0)}), data_end=REF))
    assert r.loc["s", "incident_score"] == pytest.approx(2.0, abs=1e-12)
    assert r.loc["s", "hotspot_score"] == pytest.approx(1.5, abs=1e-12)
    assert r.loc["s", "score"] == pytest.approx(3.5, abs=1e-12)
    assert r.loc["s", "n_incidents"] == 2
    assert r.loc["s", "n_recent"] == 1  # only the 90-day-old one is within recent_days=90
    s = PostboxSettings(half_life_days=180, hotspot_bonus=0.0, lookback_days=400)
    r2 = by_id(
        recommend(incidents(rows), NO_HOTSPOTS, sites({"s": (0, 0)}), settings=s, data_end=REF)
    )
    # 3 x 0.5**0.5 + 2 x 0.5 + 9 x 0.5**(366/180)
    expected = 3 * 0.5**0.5 + 2 * 0.5 + 9 * 0.5 ** (366 / 180)
    assert r2.loc["s", "score"] == pytest.approx(expected, rel=1e-12)


def test_walking_radius_is_inclusive():
    inc = incidents(group(400, 0, 1) + group(400.01, 10, 1))
    r = by_id(recommend(inc, NO_HOTSPOTS, sites({"s": (0, 0)}), data_end=REF))
    assert r.loc["s", "n_incidents"] == 1  # (400, 0) is exactly radius_m away


def cooldown_case():
    inc = incidents(group(0, 0, 30, day="2018-11-25") + group(3000, 0, 5, day="2018-11-25"))
    cand = sites({"a": (0, 0), "b": (3000, 0)})
    # the box stood at a until 12 days before the reference date; the incidents came after
    placed = log(("a", "2018-11-12", "2018-11-18", 1))
    return inc, cand, placed


def test_cooldown_moves_the_choice():
    inc, cand, placed = cooldown_case()
    prior = PostboxSettings(prior_slips_per_week=1.0)  # 1 slip in 1 week: yield factor 1
    r = recommend(inc, NO_HOTSPOTS, cand, placed, settings=prior, data_end=REF)
    assert list(r["site_id"]) == ["b", "a"]
    a = by_id(r).loc["a"]
    five_days = 0.5 ** (5 / 90)  # the incidents are 5 days old at the reference date
    assert (a["status"], bool(a["eligible"]), a["score"]) == ("cooling down", False, 0.0)
    assert a["demand_score"] == pytest.approx(30 * five_days)
    assert a["days_since_visit"] == 12
    assert a["reason"] == (
        "covers 30 incidents; visited until 2018-11-18, within the "
        "56-day cooldown, so it is left out; 1 slip in 1 week there (about the usual yield)"
    )
    short = prior.replace(cooldown_days=12)  # 12 days since: no longer cooling
    r2 = recommend(inc, NO_HOTSPOTS, cand, placed, settings=short, data_end=REF)
    assert list(r2["site_id"]) == ["a", "b"]
    assert by_id(r2).loc["a", "status"] == "available"
    half = prior.replace(cooldown_factor=0.5)  # down-weighted instead of excluded
    r3 = by_id(recommend(inc, NO_HOTSPOTS, cand, placed, settings=half, data_end=REF))
    assert r3.loc["a", "score"] == pytest.approx(15 * five_days)
    assert r3.loc["b", "score"] == pytest.approx(5 * five_days)
    assert r3.loc["a", "rank"] == 1
    assert "so its score is multiplied by 0.5" in r3.loc["a", "reason"]


def test_demand_already_covered_by_earlier_placements_is_subtracted():
    # half_life 30: 30 days old counts 0.5
    inc = incidents(group(0, 0, 4, day="2018-10-31") + group(0, 0, 3, day="2018-11-30"))
    placed = log(("a", "2018-11-04", "2018-11-10", 0))  # covered the October incidents only
    s = PostboxSettings(half_life_days=30, cooldown_days=0, prior_slips_per_week=1.0)
    r = by_id(recommend(inc, NO_HOTSPOTS, sites({"a": (0, 0)}), placed, settings=s, data_end=REF))
    assert r.loc["a", "incident_score"] == 5.0  # 4 x 0.5 + 3 x 1
    assert r.loc["a", "covered_score"] == 2.0
    assert r.loc["a", "demand_score"] == 3.0
    # 0 slips in 1 week against a prior of 1 a week worth 2 weeks: (2 + 0) / (2 + 1)
    assert r.loc["a", "yield_factor"] == pytest.approx(2 / 3)
    assert r.loc["a", "score"] == pytest.approx(2.0)
    assert r.loc["a", "reason"] == (
        "covers 7 incidents; not visited since 2018-11; 0 slips in 1 week "
        "there (below the usual yield); 40% of its demand was already covered by earlier "
        "placements"
    )
    dem = demand_points(inc, sites({"a": (0, 0)}), placed, settings=s, data_end=REF)
    assert list(dem["n_incidents"]) == [3]
    assert list(dem["demand"]) == [3.0]


def test_slip_yield_is_shrunk_towards_the_prior_so_new_sites_are_tried():
    inc = incidents(group(0, 0, 10) + group(2000, 0, 10) + group(4000, 0, 10))
    cand = sites({"new": (0, 0), "good": (2000, 0), "poor": (4000, 0)})
    placed = log(("good", "2018-01-01", "2018-01-14", 8), ("poor", "2018-02-01", "2018-02-14", 0))
    s = PostboxSettings(prior_slips_per_week=1.0, prior_weeks=2.0)
    r = by_id(recommend(inc, NO_HOTSPOTS, cand, placed, settings=s, data_end=REF))
    assert r.loc["good", "yield_factor"] == pytest.approx((2 + 8) / (2 + 2))  # 2.5
    assert r.loc["new", "yield_factor"] == 1.0
    assert r.loc["poor", "yield_factor"] == pytest.approx(2 / 4)
    assert list(r.sort_values("rank").index) == ["good", "new", "poor"]
    assert r.loc["good", "weeks_placed"] == 2.0
    # pooled prior: 8 slips in 4 weeks = 2 a week, worth 2 weeks: Gamma(4, 2)
    pooled = by_id(
        recommend(inc, NO_HOTSPOTS, cand, placed, settings=PostboxSettings(), data_end=REF)
    )
    assert pooled.loc["good", "slips_per_week"] == pytest.approx((4 + 8) / (2 + 2))
    assert pooled.loc["good", "yield_factor"] == pytest.approx(1.5)
    assert pooled.loc["poor", "yield_factor"] == pytest.approx(0.5)
    assert pooled.loc["new", "yield_factor"] == 1.0


def test_site_not_available_next_week_is_not_eligible():
    inc = incidents(group(0, 0, 10) + group(3000, 0, 2))
    cand = sites(
        {"school": (0, 0), "shop": (3000, 0)},
        available_from=pd.to_datetime(["2018-12-05", None]).astype("datetime64[ns]"),
        available_to=pd.to_datetime([None, None]).astype("datetime64[ns]"),
    )
    r = recommend(inc, NO_HOTSPOTS, cand, data_end=REF)
    assert list(r["site_id"]) == ["shop", "school"]
    school = by_id(r).loc["school"]
    assert (school["status"], school["score"]) == ("not available", 0.0)
    assert school["reason"].endswith(
        "not available for the next 1 week (available from 2018-12-05)"
    )


def test_plan_covers_more_distinct_incidents_than_repeating_the_top_site():
    inc = incidents(group(0, 0, 20) + group(5000, 0, 10))
    cand = sites({"a": (0, 0), "a-twin": (100, 0), "b": (5000, 0)})
    s = PostboxSettings(plan_weeks=2)
    ranked = recommend(inc, NO_HOTSPOTS, cand, settings=s, data_end=REF)
    assert list(ranked["site_id"][:2]) == ["a", "a-twin"]  # the top two cover the same 20
    plan = rotation_plan(inc, NO_HOTSPOTS, cand, settings=s, data_end=REF)
    assert list(plan.columns) == [*PLAN_COLUMNS, "geometry"]
    assert list(plan["site_id"]) == ["a", "b"]
    assert list(plan["new_incidents"]) == [20, 10]
    assert plan["new_incidents"].sum() == 30 > ranked["n_incidents"].iloc[0]
    assert list(plan["covered_share"]) == [pytest.approx(20 / 30), pytest.approx(1.0)]
    assert list(plan["start_date"]) == [pd.Timestamp("2018-12-01"), pd.Timestamp("2018-12-08")]
    assert list(plan["end_date"]) == [pd.Timestamp("2018-12-07"), pd.Timestamp("2018-12-14")]


def test_mclp_beats_greedy_where_greedy_is_short_sighted():
    # radius 100: L covers p1+p2 (7), M covers p2+p3 (8), R covers p3+p4 (7)
    inc = incidents(group(0, 0, 3) + group(150, 0, 4) + group(250, 0, 4) + group(400, 0, 3))
    cand = sites({"L": (75, 0), "M": (200, 0), "R": (325, 0)})
    s = PostboxSettings(radius_m=100, plan_weeks=2)
    mclp = rotation_plan(inc, NO_HOTSPOTS, cand, settings=s, data_end=REF)
    greedy = rotation_plan(inc, NO_HOTSPOTS, cand, settings=s, data_end=REF, method="greedy")
    assert list(mclp["site_id"]) == ["L", "R"]  # equal new demand: site id order
    assert mclp["new_incidents"].sum() == 14
    assert list(greedy["site_id"]) == ["M", "L"]
    assert greedy["new_incidents"].sum() == 11
    assert mclp["covered_demand"].iloc[-1] == 14.0 > greedy["covered_demand"].iloc[-1] == 11.0


def test_plan_skips_sites_not_available_for_the_whole_plan():
    inc = incidents(group(0, 0, 10) + group(3000, 0, 5) + group(6000, 0, 1))
    cand = sites(
        {"a": (0, 0), "b": (3000, 0), "c": (6000, 0)},
        available_to=pd.to_datetime(["2018-12-10", None, None]).astype("datetime64[ns]"),
    )
    s = PostboxSettings(plan_weeks=2)
    assert recommend(inc, NO_HOTSPOTS, cand, settings=s, data_end=REF)["site_id"][0] == "a"
    plan = rotation_plan(inc, NO_HOTSPOTS, cand, settings=s, data_end=REF)
    assert list(plan["site_id"]) == ["b", "c"]  # a leaves on 2018-12-10, before week 2 ends


def test_no_eligible_site_gives_an_empty_plan_with_columns():
    inc, cand, placed = cooldown_case()
    only_a = cand.iloc[[0]]
    plan = rotation_plan(inc, NO_HOTSPOTS, only_a, placed, data_end=REF)
    assert len(plan) == 0
    assert list(plan.columns) == [*PLAN_COLUMNS, "geometry"]
    assert plan.crs == inc.crs


def test_distances_need_a_metric_crs_and_placements_the_right_columns():
    inc = incidents(group(0, 0, 1)).to_crs("EPSG:4326")
    with pytest.raises(ValidationError, match="distances need a projected CRS in metres"):
        recommend(inc, NO_HOTSPOTS, sites({"s": (0, 0)}), data_end=REF)
    with pytest.raises(ValidationError, match="placements lack column"):
        recommend(
            incidents(group(0, 0, 1)),
            NO_HOTSPOTS,
            sites({"s": (0, 0)}),
            pd.DataFrame({"site_id": ["s"]}),
            data_end=REF,
        )


def test_data_end_is_the_end_of_the_last_month_not_today():
    inc = incidents(group(0, 0, 1, day="2018-11-01") + group(0, 0, 1, day="2018-03-01"))
    assert data_end_date(inc) == REF
    with pytest.raises(ValidationError, match="give the data.s end date"):
        data_end_date(inc.iloc[:0])


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(radius_m=0), "The 'radius_m' setting must be in (0, 5000] m. Got 0 instead."),
        (dict(half_life_days=-1), "The 'half_life_days' setting must be in (0, 3650] days"),
        (dict(cooldown_factor=1.5), "The 'cooldown_factor' setting must be in [0, 1]."),
        (
            dict(plan_weeks=0),
            "The 'plan_weeks' setting must be a whole number in [1, 52] weeks. Got 0 instead.",
        ),
        (dict(prior_weeks=0), "The 'prior_weeks' setting must be in (0, 520] weeks"),
        (dict(cooldown_days=2.5), "The 'cooldown_days' setting must be a whole number"),
    ],
)
def test_settings_are_validated(change, message):
    with pytest.raises(ValidationError) as err:
        PostboxSettings(**change)
    assert err.value.problems[0].startswith(message)


def test_settings_round_trip_through_toml_and_refuse_typos():
    s = PostboxSettings(radius_m=300.0, cooldown_days=28, prior_slips_per_week=2.5)
    assert postbox_settings_from_toml(s.to_toml()) == s
    with pytest.raises(ValidationError, match="unknown key postbox.radius"):
        postbox_settings_from_toml("[postbox]\nradius = 300\n")


# --- properties ----------------------------------------------------------------------------
coords = st.integers(0, 40).map(lambda v: float(v * 50))


@st.composite
def instances(draw):
    n_inc = draw(st.integers(0, 25))
    rows = [
        (
            draw(coords),
            draw(coords),
            str((pd.Timestamp(REF) - pd.Timedelta(days=draw(st.integers(0, 500)))).date()),
            draw(st.sampled_from([0.5, 1.0, 1.5, 3.0])),
            draw(st.sampled_from(["", "", "H"])),
        )
        for _ in range(n_inc)
    ]
    n_sites = draw(st.integers(1, 7))
    spec = {f"s{i}": (draw(coords), draw(coords)) for i in range(n_sites)}
    visits = [
        (
            f"s{draw(st.integers(0, n_sites - 1))}",
            str((pd.Timestamp(REF) - pd.Timedelta(days=d)).date()),
            str((pd.Timestamp(REF) - pd.Timedelta(days=d - 6)).date()),
            draw(st.integers(0, 20)),
        )
        for d in draw(st.lists(st.integers(6, 200), max_size=3))
    ]
    s = PostboxSettings(
        radius_m=draw(st.sampled_from([100.0, 400.0, 800.0])),
        plan_weeks=draw(st.integers(1, 4)),
        cooldown_factor=draw(st.sampled_from([0.0, 0.5])),
    )
    inc = incidents(rows) if rows else incidents([(0.0, 0.0, "2018-11-30", 1.0, "")]).iloc[:0]
    return inc, sites(spec), log(*visits) if visits else None, s


# each plan solves an integer programme with CBC: few examples for plans, more for rankings
prop = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
prop_plan = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@prop
@given(instances())
def test_recommendations_come_from_the_candidates(case):
    inc, cand, placed, s = case
    r = recommend(inc, NO_HOTSPOTS, cand, placed, settings=s, data_end=REF)
    assert sorted(r["site_id"]) == sorted(cand["site_id"])
    assert list(r["rank"]) == list(range(1, len(cand) + 1))
    assert (r["score"] >= 0).all()
    assert (r.loc[~r["eligible"], "score"] == 0).all()
    eligible_first = r["eligible"].to_numpy()
    assert (eligible_first[:-1] >= eligible_first[1:]).all()
    assert (np.diff(r.loc[r["eligible"], "score"].to_numpy()) <= 0).all()


@prop_plan
@given(instances())
def test_plans_come_from_the_eligible_candidates_without_repeats(case):
    inc, cand, placed, s = case
    plan = rotation_plan(inc, NO_HOTSPOTS, cand, placed, settings=s, data_end=REF)
    r = recommend(inc, NO_HOTSPOTS, cand, placed, settings=s, data_end=REF)
    eligible = set(r.loc[r["eligible"], "site_id"])  # no availability limits here
    assert set(plan["site_id"]) <= eligible
    assert plan["site_id"].is_unique
    assert len(plan) == min(s.plan_weeks, len(eligible))
    assert list(plan["week"]) == list(range(1, len(plan) + 1))
    assert (np.diff(plan["covered_demand"].to_numpy()) >= -1e-9).all()


@prop
@given(instances(), st.randoms(use_true_random=False))
def test_rankings_are_deterministic_and_ignore_row_order(case, rnd):
    inc, cand, placed, s = case
    r1 = recommend(inc, NO_HOTSPOTS, cand, placed, settings=s, data_end=REF)
    order_i, order_s = list(range(len(inc))), list(range(len(cand)))
    rnd.shuffle(order_i)
    rnd.shuffle(order_s)
    r2 = recommend(
        inc.iloc[order_i], NO_HOTSPOTS, cand.iloc[order_s], placed, settings=s, data_end=REF
    )
    assert_frame_equal(
        r1.drop(columns="geometry"),
        r2.drop(columns="geometry"),
        check_exact=False,
        rtol=1e-9,
        atol=1e-9,
    )


@prop_plan
@given(instances(), st.randoms(use_true_random=False))
def test_plans_are_deterministic_and_ignore_row_order(case, rnd):
    inc, cand, placed, s = case
    p1 = rotation_plan(inc, NO_HOTSPOTS, cand, placed, settings=s, data_end=REF)
    order_i, order_s = list(range(len(inc))), list(range(len(cand)))
    rnd.shuffle(order_i)
    rnd.shuffle(order_s)
    p2 = rotation_plan(
        inc.iloc[order_i], NO_HOTSPOTS, cand.iloc[order_s], placed, settings=s, data_end=REF
    )
    assert_frame_equal(
        p1.drop(columns="geometry"),
        p2.drop(columns="geometry"),
        check_exact=False,
        rtol=1e-9,
        atol=1e-9,
    )


@prop_plan
@given(instances())
def test_mclp_covers_at_least_as_much_demand_as_greedy(case):
    inc, cand, placed, s = case
    kw = dict(settings=s, data_end=REF)
    mclp = rotation_plan(inc, NO_HOTSPOTS, cand, placed, **kw)
    greedy = rotation_plan(inc, NO_HOTSPOTS, cand, placed, method="greedy", **kw)
    assert len(mclp) == len(greedy)
    if len(mclp):
        best = mclp["covered_demand"].iloc[-1]
        assert best >= greedy["covered_demand"].iloc[-1] - 1e-6 * max(1.0, best)
        total = demand_points(inc, cand, placed, **kw)["demand"].sum()
        assert best <= total + 1e-9


# --- candidate sites CSV -------------------------------------------------------------------
HEADER = "site_id,name,kind,longitude,latitude,available_from,available_to\n"


def csv(text: str) -> tuple[str, bytes]:
    return ("sites.csv", (HEADER + text).encode())


def test_sites_rows_that_cannot_be_used_are_reported_with_reasons():
    rows = (
        "ok,Library,library,-1.22,51.73,,\n"
        ",No id,shop,-1.22,51.73,,\n"
        "bad id!,Bad id,shop,-1.22,51.73,,\n"
        "no-name,,shop,-1.22,51.73,,\n"
        "no-coords,Shop,shop,,51.73,,\n"
        "text,Shop,shop,west,51.73,,\n"
        "swapped,Shop,shop,51.73,-120,,\n"
        "far,Shop,shop,120,95,,\n"
        "bad-date,School,school,-1.22,51.73,2018-02-30,\n"
        "backwards,School,school,-1.22,51.73,2018-09-01,2018-07-20\n"
        "window,School,school,-1.22,51.73,2018-09-01,2018-12-20\n"
    )
    checked = load_sites(csv(rows))
    assert list(checked.sites["site_id"]) == ["ok", "window"]
    assert checked.sites.crs == "EPSG:4326"
    w = checked.sites.set_index("site_id").loc["window"]
    assert (w["available_from"], w["available_to"]) == (
        pd.Timestamp("2018-09-01"),
        pd.Timestamp("2018-12-20"),
    )
    rej = checked.rejected
    assert list(rej["row"]) == list(range(3, 12))
    assert list(rej["reason"]) == [
        "missing site_id",
        "site_id 'bad id!' may only hold letters, digits, '-', '_' and '.' (at most 40 "
        "characters, starting with a letter or digit)",
        "missing name",
        "missing longitude or latitude",
        "longitude 'west' is not a number",
        "longitude 51.73 and latitude -120 look swapped",
        "latitude 95 is outside [-90, 90]",
        "available_from '2018-02-30' is not a date YYYY-MM-DD",
        "available_to 2018-07-20 is before available_from 2018-09-01",
    ]
    assert set(rej["source_file"]) == {"sites.csv"}
    assert len(checked.sites) + len(rej) == 11


def test_duplicate_site_ids_are_refused_naming_the_rows():
    rows = "a,A,shop,-1.22,51.73,,\nb,B,shop,-1.22,51.73,,\na,A again,shop,-1.2,51.7,,\n"
    with pytest.raises(ValidationError) as err:
        load_sites(csv(rows))
    assert err.value.problems == ["sites.csv row 4: duplicate site_id 'a' (first in row 2)"]


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "site_id,name,kind,longitude\nx,y,z,1\n",
            "sites.csv: sites CSV is missing column(s) latitude",
        ),
        (
            "site_id,name,kind,longitude,latitude,availabe_from\n",
            "unknown column(s) 'availabe_from'",
        ),
        ("", "sites.csv: the sites file is empty"),
    ],
)
def test_sites_file_problems_are_refused(text, message):
    with pytest.raises(ValidationError, match=re.escape(message)):
        load_sites(("sites.csv", text.encode()))


def test_sites_get_their_ward_and_far_away_sites_are_set_aside(two_wards):
    to_ll = pyproj.Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)
    pts = {
        "in-west": (450500, 200500),
        "in-east": (451500, 200500),
        "near": (452500, 200500),
        "far": (455000, 200500),
    }
    lonlat = {k: to_ll.transform(*xy) for k, xy in pts.items()}
    lonlat["swapped"] = lonlat["in-west"][::-1]  # latitude typed in the longitude column
    text = "".join(f"{k},{k},shop,{lon:.8f},{lat:.8f},,\n" for k, (lon, lat) in lonlat.items())
    checked = load_sites(csv(text), wards=two_wards)
    s = checked.sites.set_index("site_id")
    assert list(s.index) == ["in-east", "in-west", "near"]
    assert s.loc["in-west", "ward_code"] == WEST
    assert s.loc["in-west", "ward_name"] == "West"
    assert s.loc["in-east", "ward_code"] == EAST
    assert s.loc["near", "ward_code"] == ""
    assert s.loc["near", "outside_m"] == pytest.approx(500, abs=0.5)
    lon, lat = lonlat["in-west"]
    assert list(checked.rejected["reason"]) == [
        "3,000 m outside every ward (more than 1000 m)",
        f"longitude {float(f'{lat:.8f}'):g} and latitude {float(f'{lon:.8f}'):g} look swapped",
    ]
    assert list(checked.rejected["stage"]) == ["outside_wards", "outside_wards"]


def test_shipped_sites_are_police_uk_public_places_inside_the_wards():
    from geo.io import load_boundaries

    wards = load_boundaries(DATA / "boundaries" / "se_oxford_wards_WD13.geojson")
    checked = load_sites(wards=wards)
    assert checked.rejected.empty
    assert len(checked.sites) >= 20
    assert (checked.sites["outside_m"] == 0).all()
    assert checked.sites["ward_name"].isin(wards["ward_name"]).all()
    raw = pd.concat(
        [
            pd.read_csv(f, dtype=str, keep_default_na=False)
            for f in sorted((DATA / "incidents").glob("*.csv"))
        ]
    )
    snaps = set(
        zip(
            raw["Location"],
            raw["Longitude"].astype(float).round(6),
            raw["Latitude"].astype(float).round(6),
            strict=True,
        )
    )
    sheet = pd.read_csv(DEFAULT_SITES, dtype=str, keep_default_na=False)
    for row in sheet.itertuples(index=False):
        location = re.search(r"'([^']+)'", row.source).group(1)
        key = (location, round(float(row.longitude), 6), round(float(row.latitude), 6))
        assert key in snaps, f"{row.site_id}: not a police.uk snap point {key}"


# --- map and command line --------------------------------------------------------------------
def test_map_draws_the_recommended_site_with_its_circle_offline(two_wards):
    hot = gpd.GeoDataFrame(
        {"hotspot_id": ["H"]}, geometry=[box(450490, 200490, 450510, 200510)], crs=CRS
    )
    inc = incidents(group(450500, 200500, 12, hot="H") + group(451500, 200500, 3))
    cand = sites({"library": (450550, 200500), "shop": (451500, 200550)})
    s = PostboxSettings(radius_m=250, plan_weeks=2)
    ranked = recommend(inc, hot, cand, settings=s, data_end=REF)
    plan = rotation_plan(inc, hot, cand, settings=s, data_end=REF)
    html = offline_html(postbox_map(two_wards, ranked, plan=plan, radius_m=s.radius_m))
    assert html.count('"radius": 250.0') == 3  # the recommended circle and two plan circles
    assert "Next (week 1 of the plan): Site library" in html  # the circle's hover label
    assert "covers 1 hotspot with 12 incidents; never visited" in html
    # the legend explains the circles and dots, not only the hotspot scores
    legend = re.search(r'<div class="postbox-legend".*?</div></div>', html)
    assert legend is not None
    # the legend names the next site; the map tags it with a short "Next"
    assert "Next site: Site library, and the 250 m walking radius it covers" in legend.group(0)
    assert '<span class="postbox-next">Next</span>' in html
    assert "Plan: week 1, 2, ... (numbered), its site&#x27;s 250 m radius" in legend.group(0)
    assert "Candidate site (grey: not available or cooling down)" in legend.group(0)
    no_plan = offline_html(postbox_map(two_wards, ranked, radius_m=s.radius_m))
    assert "postbox-legend" in no_plan and "Plan: week" not in no_plan
    assert "$(" not in html  # no jQuery: folium popups would break offline
    assert "https://" not in re.sub(r"https://(leafletjs\.com|bugzilla[^\s\"']*)", "", html)


def test_cli_next_ranks_plans_and_writes_files_on_shipped_data(tmp_path, capsys):
    db = tmp_path / "placements.sqlite"
    add_placement(
        db,
        placement_from_text(
            site_id="cowley-supermarket", from_date="2018-11-19", to_date="2018-11-25", slips="6"
        ),
    )
    out = tmp_path / "out"
    code = main(
        [
            "postbox",
            "next",
            "--data-dir",
            str(tmp_path),
            "--out",
            str(out),
            "--no-progress",
            "--top",
            "25",
            "--date",
            "2018-11-30",
        ]
    )
    text = capsys.readouterr().out
    assert code == 0
    assert (
        "25 candidate sites from se_oxford_sites.csv (0 set aside); placement log "
        "placements.sqlite: 1 placement(s)" in text
    )
    assert (
        "Incidents aged to the data's end 2018-11-30; planning date 2018-11-30; walking "
        "radius 400 m" in text
    )
    assert re.search(r"cowley-supermarket\s+cooling down\s+score\s+0\.0", text)
    weeks = re.findall(r"week (\d)  (\S+) to (\S+)  (\S+)", text)
    assert [w[:3] for w in weeks] == [
        ("1", "2018-12-01", "2018-12-07"),
        ("2", "2018-12-08", "2018-12-14"),
        ("3", "2018-12-15", "2018-12-21"),
        ("4", "2018-12-22", "2018-12-28"),
    ]
    assert "cowley-supermarket" not in {w[3] for w in weeks}
    ranking = pd.read_csv(out / "postbox_ranking.csv")
    assert len(ranking) == 25
    top = re.search(r"Next placement: .* \(([a-z-]+)\), score", text)
    assert top is not None
    # the next placement is the plan's week 1, even where the one-week ranking differs
    assert top.group(1) == weeks[0][3]
    assert ranking.loc[0, "status"] == "available"
    plan = pd.read_csv(out / "postbox_plan.csv")
    assert list(plan["site_id"]) == [w[3] for w in weeks]
    assert "L.circle(" in (out / "postbox_map.html").read_text()
    assert len(read_placements(db)) == 1


def test_generic_sites_are_named_after_the_nearest_police_uk_street():
    """Each police.uk public place is named after its nearest named street (the script's rule)."""
    from geo.paths import DEFAULT_INCIDENTS, DEFAULT_SITES
    from geo.postbox.sites import findable_name, nearest_street

    cols = ["Longitude", "Latitude", "Location"]
    files = sorted(DEFAULT_INCIDENTS.glob("*.csv"))
    locations = pd.concat([pd.read_csv(f, usecols=cols) for f in files], ignore_index=True)
    raw = pd.read_csv(DEFAULT_SITES, dtype=str, keep_default_na=False)
    public = raw.loc[raw["notes"].str.startswith("police.uk public place")]
    assert len(public) == 10
    for row in public.itertuples(index=False):
        street = nearest_street(float(row.longitude), float(row.latitude), locations)
        assert street and " near " + street + ", " in row.name, (row.site_id, row.name)
        assert row.name.startswith(findable_name(row.kind, street, "").rstrip(", "))
    assert "Supermarket near Templars Square Shopping Centre, Cowley" in set(raw["name"])


def test_nearest_street_skips_kinds_of_place_and_far_streets():
    from geo.postbox.sites import findable_name, nearest_street

    rows = pd.DataFrame(
        {
            "Longitude": [-1.2160, -1.2170, -1.2300],
            "Latitude": [51.7320, 51.7320, 51.7320],
            "Location": ["On or near Supermarket", "On or near Crowell Road", "On or near Far Way"],
        }
    )
    assert nearest_street(-1.2160, 51.7320, rows) == "Crowell Road"  # the kind is skipped
    assert nearest_street(-1.2300, 51.7320, rows, max_m=10) == "Far Way"
    assert nearest_street(-1.2600, 51.7320, rows) == ""  # nothing within 400 m
    assert findable_name("supermarket", "Crowell Road", "Cowley") == (
        "Supermarket near Crowell Road, Cowley"
    )
    assert findable_name("sports_area", "", "Lye Valley") == "Sports ground, Lye Valley"

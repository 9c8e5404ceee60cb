"""The postbox on today's calendar: ages to the data's end, placements on the planning date."""

from __future__ import annotations

from datetime import date, timedelta

import geopandas as gpd
import pandas as pd
import pytest

from geo import postbox as pb
from geo.errors import ValidationError
from geo.pipeline import run_files
from geo.settings import Settings
from geo.settings_edits import window_settings
from tests.postbox.test_postbox import NO_HOTSPOTS, REF, group, incidents, log, sites

TODAY = date(2025, 6, 13)  # a Friday, long after the data's end (police.uk arrives late)


def three_sites() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """a covers 30 incidents, b 20, c 10, all on the data's last day, 3 km apart."""
    inc = incidents(group(0, 0, 30) + group(3000, 0, 20) + group(6000, 0, 10))
    return inc, sites({"a": (0, 0), "b": (3000, 0), "c": (6000, 0)})


def test_incident_ages_count_to_the_data_end_whatever_the_planning_date():
    inc, cand = three_sites()
    at_end = pb.recommend(inc, NO_HOTSPOTS, cand, data_end=REF)
    today = pb.recommend(inc, NO_HOTSPOTS, cand, data_end=REF, planning_date=TODAY)
    cols = ["site_id", "incident_score", "demand_score", "score", "n_incidents"]
    pd.testing.assert_frame_equal(at_end[cols], today[cols])
    assert today["demand_score"].tolist() == [30.0, 20.0, 10.0]  # age 0: recency 1
    # aged to the planning date instead, 6.5 years of half-lives would leave nothing
    aged = pb.recommend(inc, NO_HOTSPOTS, cand, data_end=TODAY)
    assert aged["demand_score"].sum() == 0.0


def test_the_plan_runs_on_the_planning_date_not_the_data_end():
    inc, cand = three_sites()
    plan = pb.rotation_plan(inc, NO_HOTSPOTS, cand, data_end=REF, planning_date=TODAY)
    first = TODAY + timedelta(days=1)
    assert plan["start_date"].dt.date.tolist() == [first + timedelta(days=7 * k) for k in range(3)]
    assert plan["site_id"].tolist() == ["a", "b", "c"]
    assert pb.plan_start(None, TODAY) == first


def test_logging_the_recommended_week_changes_the_recommendation_and_plan_at_once():
    inc, cand = three_sites()
    kw = {"data_end": REF, "planning_date": TODAY}
    before = pb.recommend(inc, NO_HOTSPOTS, cand, **kw)
    plan_before = pb.rotation_plan(inc, NO_HOTSPOTS, cand, **kw)
    start = pb.plan_start(None, TODAY)
    assert before["site_id"].iloc[0] == plan_before["site_id"].iloc[0] == "a"
    # the panel's form offers exactly this week: the plan's first week
    booked = log(("a", start.isoformat(), (start + timedelta(days=6)).isoformat(), 0))
    after = pb.recommend(inc, NO_HOTSPOTS, cand, booked, **kw)
    a = after.set_index("site_id").loc["a"]
    assert after["site_id"].iloc[0] == "b"
    assert (a["status"], bool(a["eligible"])) == ("cooling down", False)
    assert a["covered_score"] == 30.0  # the booked week reaches a's incidents
    assert a["reason"].startswith("covers 30 incidents; the box is booked there until ")
    assert a["days_since_visit"] == -7  # the booking ends a week after the planning date
    plan_after = pb.rotation_plan(inc, NO_HOTSPOTS, cand, booked, **kw)
    assert plan_after["site_id"].tolist() == ["b", "c"]
    assert plan_after["start_date"].iloc[0].date() == start + timedelta(days=7)
    assert pb.plan_start(booked, TODAY) == start + timedelta(days=7)
    note = pb.log_notes(booked, cand, TODAY)
    assert note == [
        f"1 logged placement(s) run past the planning date {TODAY.isoformat()} (the box at a "
        f"from {start.isoformat()} to {(start + timedelta(days=6)).isoformat()}): the next "
        f"placement is planned from {(start + timedelta(days=7)).isoformat()}; their slips "
        "count once they have ended"
    ]


def test_slips_of_a_booked_week_count_only_once_it_has_ended():
    inc, cand = three_sites()
    settings = pb.PostboxSettings(prior_slips_per_week=1.0, cooldown_days=0)
    booked = log(("b", "2025-06-14", "2025-06-20", 0))
    during = pb.recommend(
        inc, NO_HOTSPOTS, cand, booked, settings=settings, data_end=REF, planning_date=TODAY
    ).set_index("site_id")
    assert (during.loc["b", "weeks_placed"], during.loc["b", "yield_factor"]) == (0.0, 1.0)
    assert during.loc["b", "n_placements"] == 1
    later = pb.recommend(
        inc,
        NO_HOTSPOTS,
        cand,
        booked,
        settings=settings,
        data_end=REF,
        planning_date=date(2025, 6, 20),
    ).set_index("site_id")
    assert later.loc["b", "weeks_placed"] == 1.0
    assert later.loc["b", "yield_factor"] == pytest.approx(2 / 3)  # (1 x 2 + 0) / (2 + 1)


def test_dates_must_be_dates():
    inc, cand = three_sites()
    with pytest.raises(ValidationError, match="planning_date must be a date"):
        pb.recommend(inc, NO_HOTSPOTS, cand, data_end=REF, planning_date="2025-06-13")  # type: ignore[arg-type]


def test_public_plan_lists_booked_and_coming_weeks_from_today_only():
    plan = pd.DataFrame(
        {
            pb.START_DATE: pd.to_datetime(["2025-06-21", "2025-06-28"]),
            pb.END_DATE: pd.to_datetime(["2025-06-27", "2025-07-04"]),
            pb.NAME: ["Site b", "Site c"],
            "ward_name": ["Littlemore", "Cowley"],
        }
    )
    booked = pd.DataFrame(
        {
            pb.START_DATE: pd.to_datetime(["2025-06-01", "2025-06-14"]),
            pb.END_DATE: pd.to_datetime(["2025-06-07", "2025-06-20"]),
            pb.NAME: ["Site x", "Site a"],
            "ward_name": ["Rose Hill", "Blackbird Leys"],
        }
    )
    table = pb.public_plan(plan, booked=booked, today=TODAY)
    assert table[pb.WEEK].tolist() == [1, 2, 3]
    assert table[pb.NAME].tolist() == ["Site a", "Site b", "Site c"]  # the past week is gone
    assert table[pb.START_DATE].tolist() == [
        "Sat 14 Jun 2025",
        "Sat 21 Jun 2025",
        "Sat 28 Jun 2025",
    ]
    assert list(table.columns) == list(pb.PUBLIC_PLAN_LABELS)


def test_booked_weeks_name_their_sites():
    cand = sites({"a": (0, 0), "b": (3000, 0)}, ward_name=["West", "East"])
    placed = log(("a", "2025-06-01", "2025-06-07", 3), ("b", "2025-06-14", "2025-06-20", 0))
    booked = pb.booked_weeks(placed, cand, TODAY)
    assert booked[["site_id", "name", "ward_name"]].values.tolist() == [["b", "Site b", "East"]]
    assert pb.booked_weeks(None, cand, TODAY).empty


def test_time_frame_states_the_window_or_the_lookback():
    s = pb.PostboxSettings()
    inc = incidents(group(0, 0, 3, day="2018-09-04") + group(0, 0, 2, day="2018-11-30"))
    assert pb.time_frame(inc, s, REF) == (
        "incidents from the last 3 months of the data, 1 September to 30 November 2018"
    )
    old = incidents(group(0, 0, 3, day="2016-01-04") + group(0, 0, 2, day="2018-11-30"))
    assert pb.time_frame(old, s, REF) == (
        "incidents from the last 365 days of the data, 30 November 2017 to 30 November 2018"
    )


def test_shipped_panel_in_a_3_month_window_states_one_time_frame():
    base = Settings()
    ws = window_settings(base, last_month="2018-11", months=3)
    out = pb.postbox_outputs(run_files(settings=ws), planning_date=TODAY)
    assert out.time_frame == (
        "incidents from the last 3 months of the data, 1 September to 30 November 2018"
    )
    assert (out.data_end, out.planning_date) == (REF, TODAY)
    assert out.plan["start_date"].min().date() == TODAY + timedelta(days=1)
    # every count in the reasons and the plan is of those months' incidents
    in_window = len(run_files(settings=ws).incidents)
    assert out.ranked["n_incidents"].max() <= in_window
    assert out.plan["new_incidents"].sum() <= in_window

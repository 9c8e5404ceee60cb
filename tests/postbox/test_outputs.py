"""The postbox panels' outputs from one run, and the public plan (places and dates only)."""

from __future__ import annotations

import pandas as pd

from geo import postbox as pb
from geo.pipeline import run_files


def test_postbox_outputs_rank_plan_and_map_the_sites():
    r = run_files()
    out = pb.postbox_outputs(r)
    sites = pb.load_sites(wards=r.wards).sites
    expected = pb.recommend(r.incidents, r.hotspots, sites)
    assert list(out.ranked[pb.SITE_ID]) == list(expected[pb.SITE_ID])
    assert len(out.plan) == pb.PostboxSettings().plan_weeks
    assert out.data_end == out.planning_date == pb.data_end_date(r.incidents)  # no date given
    assert out.plan_start.isoformat() == "2018-12-01"
    assert out.time_frame == (
        "incidents from the last 9 months of the data, 1 March to 30 November 2018"
    )
    assert out.notes == []  # no placement logged
    assert "L.circle(" in out.map_html and '"preferCanvas": false' in out.map_html


def test_public_plan_keeps_places_and_dates_only():
    plan = pd.DataFrame(
        {
            pb.WEEK: [1, 2],
            pb.START_DATE: pd.to_datetime(["2018-12-01", "2018-12-08"]),
            pb.END_DATE: pd.to_datetime(["2018-12-07", "2018-12-14"]),
            pb.SITE_ID: ["S1", "S2"],
            pb.NAME: ["Supermarket", "Shopping area"],
            "ward_name": ["Blackbird Leys", "Littlemore"],
            pb.REASON: ["most incidents", "next most"],
        }
    )
    table = pb.public_plan(plan)
    assert list(table.columns) == list(pb.PUBLIC_PLAN_LABELS)
    assert table[pb.START_DATE].tolist() == ["Sat 01 Dec 2018", "Sat 08 Dec 2018"]
    assert table[pb.END_DATE].tolist() == ["Fri 07 Dec 2018", "Fri 14 Dec 2018"]
    assert plan[pb.START_DATE].dtype.kind == "M"  # input unchanged

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


def test_next_site_is_week_one_of_the_plan_in_the_outputs_and_on_the_map():
    """The best-ranked site free for one week only is left out of the plan: the panel's
    and the map's "next site" are then week 1 of the plan, not the ranking's first."""
    r = run_files()
    sites = pb.load_sites(wards=r.wards).sites.copy()
    first = pb.postbox_outputs(r, sites=sites)
    best = first.ranked.iloc[0]
    free_to = pd.Timestamp(first.plan_start) + pd.Timedelta(days=10)
    sites.loc[sites[pb.SITE_ID] == best[pb.SITE_ID], "available_to"] = free_to
    out = pb.postbox_outputs(r, sites=sites)
    assert out.ranked.iloc[0][pb.SITE_ID] == best[pb.SITE_ID]  # still ranked first
    week1 = out.plan.loc[out.plan[pb.WEEK] == 1].iloc[0]
    assert week1[pb.SITE_ID] != best[pb.SITE_ID]  # but not in the plan
    nxt = pb.next_site(out.ranked, out.plan)
    assert nxt is not None and nxt[pb.SITE_ID] == week1[pb.SITE_ID]
    assert f"Next site: {week1[pb.NAME]}, and" in out.map_html  # the legend names it
    assert f"Next site: {best[pb.NAME]}" not in out.map_html
    # with no plan, the best-ranked eligible site
    alone = pb.next_site(out.ranked, None)
    assert alone is not None and alone[pb.SITE_ID] == best[pb.SITE_ID]
    assert pb.next_site(out.ranked.assign(eligible=False), out.plan.iloc[:0]) is None

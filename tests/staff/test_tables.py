"""Patrol tables on hand-made data: the ranked list, the static map, months and category mix."""

from __future__ import annotations

import pandas as pd

from geo import columns as c
from geo.pipeline import run_pipeline
from geo.staff import (
    category_mix,
    hotspots_in_wards,
    monthly_counts,
    patrol_sheet_html,
    patrol_table,
    svg_map,
)
from tests.helpers import EAST, WEST, group_rows, local_csv, unit_settings

UNIT = unit_settings(eps_m=20, min_samples=5)


def test_patrol_table_sheet_and_svg_on_hand_made_data(two_wards):
    r = run_pipeline(local_csv(group_rows()), two_wards, UNIT)
    hs = hotspots_in_wards(r.hotspots, [WEST])
    table = patrol_table(hs)
    assert table.to_dict("records") == [
        {
            "Rank": 1,
            "Place": "West",  # local reports only: the ward name stands in
            "Hotspot": f"{WEST}-01",
            "Ward": "West",
            "Incidents": 5,
            "Trend": "– (too short)",
            "Recent": 0,
            "Before": 0,
            "Kind": "area",
            "Score": 5.0,
            "Category mix": "Drugs 5",
            "Months": "2018-06–2018-06",
        }
    ]
    assert len(hotspots_in_wards(r.hotspots, [EAST])) == 0
    svg = svg_map(r.wards, hs)
    assert svg.count('class="hotspot"') == 1
    assert svg.count('<g class="rank">') == 1 and ">1</text></g>" in svg
    assert ">West</text>" in svg and ">East</text>" in svg
    sheet = patrol_sheet_html(hs, r.wards, period="June 2018", data_label="hand-made")
    assert f"<td>{WEST}-01</td>" in sheet and "Staff only" in sheet and "<script" not in sheet
    assert "seen at no. 4" not in sheet and "resident" not in sheet


def test_monthly_counts_fill_gaps_and_split_hotspots():
    inc = pd.DataFrame(
        {
            c.MONTH: ["2018-01", "2018-01", "2018-03", "2018-03", "2018-03"],
            c.WARD_CODE: ["A", "A", "A", "B", "A"],
            c.HOTSPOT_ID: ["A-01", "", "", "B-01", "A-01"],
        }
    )
    out = monthly_counts(inc)
    assert list(out.index) == ["2018-01", "2018-02", "2018-03"]
    assert out["In a hotspot"].tolist() == [1, 0, 2]
    assert out["Not in a hotspot"].tolist() == [1, 0, 1]
    only_a = monthly_counts(inc, ["A"])
    assert only_a["In a hotspot"].tolist() == [1, 0, 1]


def test_category_mix_uses_labels_and_drops_empty_categories(two_wards):
    r = run_pipeline(local_csv(group_rows()), two_wards, UNIT)
    mix = category_mix(r.hotspots, UNIT)
    assert mix.to_dict("index") == {f"{WEST}-01": {"Drugs": 5}}


def test_score_words_name_each_weight_heaviest_first():
    from geo.settings import Settings
    from geo.settings_edits import with_weights
    from geo.staff import score_words

    base = Settings()
    flat = with_weights(base, dict.fromkeys(base.categories, 1.0))
    assert "every category counts 1" in score_words(flat)
    weights = {"drugs": 3.0, "weapons": 3.0, "asb": 1.5, "shoplifting": 0.5}
    words = score_words(with_weights(flat, weights))
    assert words.startswith(
        "Incidents weighted by category: Drugs and Possession of weapons count 3; "
        "Anti-social behaviour 1.5; Shoplifting 0.5; every other category 1."
    )
    assert "Ranks follow the score" in words


def test_patrol_table_leaves_out_a_recent_count_that_repeats_incidents(two_wards):
    r = run_pipeline(local_csv(group_rows()), two_wards, UNIT)
    hs = r.hotspots.copy()
    hs[c.TREND] = "rising"
    hs[c.PREVIOUS_COUNT] = 2
    # the window is the recent period: its count is the hotspot's incidents
    hs[c.RECENT_COUNT] = hs[c.N_INCIDENTS]
    table = patrol_table(hs, trend_months=3)
    assert "Last 3 months" not in table.columns
    assert table[["Incidents", "3 months before"]].to_dict("records") == [
        {"Incidents": 5, "3 months before": 2}
    ]
    # an area holding an incident of no hotspot counts it: both numbers are shown
    hs[c.RECENT_COUNT] = hs[c.N_INCIDENTS] + 1
    table = patrol_table(hs, trend_months=3)
    assert table[["Incidents", "Last 3 months", "3 months before"]].to_dict("records") == [
        {"Incidents": 5, "Last 3 months": 6, "3 months before": 2}
    ]


def test_leading_categories_name_the_first_few_and_count_the_rest():
    from geo.categories import leading_categories

    mix = "Bicycle theft 10, Other theft 8, Shoplifting 8, Violence and sexual offences 6"
    assert leading_categories(mix) == "Bicycle theft 10, Other theft 8, Shoplifting 8 (+1 more)"
    assert leading_categories(mix, top=4) == mix
    assert leading_categories("Drugs 5") == "Drugs 5"
    assert leading_categories("") == ""

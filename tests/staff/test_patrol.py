"""The patrol view: the period in words, the caption, and the counts for chosen wards."""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from geo import columns as c
from geo.pipeline import run_pipeline
from geo.settings import Settings
from geo.staff import patrol_view, period_caption, period_text, window_trends
from tests.helpers import EAST, WEST, group_rows, local_csv, unit_settings

MONTHS = [f"2018-{m:02d}" for m in range(3, 12)]  # 2018-03 .. 2018-11


@pytest.mark.parametrize(
    ("since", "until", "window", "expected"),
    [
        ("2018-09", "2018-11", 3, "September to November 2018 (3 months)"),
        ("2018-11", "2018-11", 1, "November 2018 (1 month)"),
        (
            "2017-12",
            "2018-11",
            12,
            "March to November 2018 (9 months of the 12 asked for: the data start in March 2018)",
        ),
        ("2019-01", "2019-03", 3, "January to March 2019 (no data in these months)"),
    ],
)
def test_period_text_names_the_months_of_the_data_in_the_window(since, until, window, expected):
    assert period_text(MONTHS, since, until, window) == expected


def test_period_caption_counts_back_from_the_data_and_explains_the_trend():
    s = Settings(since="2018-09", until="2018-11", trend_months=1)
    assert period_caption(MONTHS, s, 3) == (
        "September to November 2018 (3 months), counted back from the data's last month "
        "(November 2018), not from today. Trend: the last month against the month before."
    )
    one = Settings(since="2018-11", until="2018-11", trend_months=1)
    assert period_caption(MONTHS, one, 1).endswith(
        "No trend: a 1-month window has no earlier part to compare with."
    )


UNIT = unit_settings(eps_m=20, min_samples=5)


def test_patrol_view_counts_the_chosen_wards_only(two_wards):
    r = run_pipeline(local_csv(group_rows()), two_wards, UNIT)
    west = patrol_view(r, [WEST])
    # five grouped drugs incidents and one noise point in the west ward (the edge point goes
    # to the west ward: its code sorts first)
    assert (west.n_hotspots, west.in_hotspots, west.in_wards) == (1, 5, 7)
    assert west.rising == 0  # one month of data: no trend
    for trend, rising in (("new", 1), ("rising", 1), ("falling", 0), ("steady", 0)):
        marked = dataclasses.replace(r, hotspots=r.hotspots.assign(**{c.TREND: trend}))
        assert patrol_view(marked, [WEST]).rising == rising
    assert list(west.hotspots[c.HOTSPOT_ID]) == [f"{WEST}-01"]
    assert list(west.wards[c.WARD_CODE]) == [WEST]
    assert set(west.incidents[c.WARD_CODE]) == {WEST}
    assert west.result.counts == r.counts  # the run is the same; only its hotspots narrowed
    east = patrol_view(r, [EAST])
    assert (east.n_hotspots, east.in_hotspots, east.in_wards, east.rising) == (0, 0, 1, 0)
    assert len(east.hotspots) == 0 and list(east.hotspots.columns) == list(r.hotspots.columns)
    both = patrol_view(r, [EAST, WEST])
    assert both.in_wards == r.counts.accepted


def _trend_frames(
    rows: list[tuple[str, float, float]],
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Two hotspots (100 m squares, 1 km apart) and incidents ``(month, x, y)`` in metres."""
    hotspots = gpd.GeoDataFrame(
        {c.RECENT_COUNT: [0, 0], c.PREVIOUS_COUNT: [0, 0], c.TREND: ["n/a", "n/a"]},
        geometry=[box(0, 0, 100, 100), box(1000, 0, 1100, 100)],
        crs="EPSG:27700",
    )
    incidents = gpd.GeoDataFrame(
        {c.MONTH: [m for m, _, _ in rows]},
        geometry=[Point(x, y) for _, x, y in rows],
        crs="EPSG:27700",
    )
    return hotspots, incidents


def test_window_trends_count_each_area_in_the_window_and_as_many_months_before():
    rows = (
        [("2018-09", 50, 50)] * 12  # in the window, inside the first area
        + [("2018-11", 100, 50)] * 3  # on its outline: inside
        + [("2018-07", 50, 50)] * 2  # the months before
        + [("2018-05", 50, 50)] * 9  # before those: not counted
        + [("2018-10", 500, 50)] * 7  # between the areas: in neither
        + [("2018-08", 1050, 50)] * 20  # the second area: only before
        + [("2018-06", 1050, 50)] * 5  # the first of the months before
    )
    hotspots, incidents = _trend_frames(rows)
    out = window_trends(hotspots, incidents, since="2018-09", until="2018-11")
    assert out is not None
    assert list(out[c.RECENT_COUNT]) == [15, 0]
    assert list(out[c.PREVIOUS_COUNT]) == [2, 25]
    assert list(out[c.TREND]) == ["rising", "falling"]
    assert list(hotspots[c.TREND]) == ["n/a", "n/a"]  # the input is left as it was
    # one month: the month before only
    one = window_trends(hotspots, incidents, since="2018-08", until="2018-08")
    assert one is not None
    assert list(one[c.RECENT_COUNT]) == [0, 20] and list(one[c.PREVIOUS_COUNT]) == [2, 0]


def test_window_trends_need_the_data_to_reach_back_over_the_months_before():
    hotspots, incidents = _trend_frames([("2018-07", 50, 50), ("2018-11", 50, 50)])
    # June to August would be needed before September to November: the data starts in July
    assert window_trends(hotspots, incidents, since="2018-09", until="2018-11") is None
    assert window_trends(hotspots, incidents.iloc[:0], since="2018-09", until="2018-11") is None
    assert window_trends(hotspots, incidents, since="2018-10", until="2018-11") is not None


def test_the_caption_names_the_months_a_whole_window_trend_compares():
    s = Settings(since="2018-09", until="2018-11", trend_months=1)
    assert period_caption(MONTHS, s, 3, whole_window=True).endswith(
        "Trend: incidents inside each hotspot's area in these 3 months against the 3 months "
        "before (June to August 2018)."
    )
    one = Settings(since="2018-11", until="2018-11", trend_months=1)
    assert period_caption(MONTHS, one, 1, whole_window=True).endswith(
        "in this month against the month before (October 2018)."
    )


def test_compared_months_is_the_window_for_whole_window_trends():
    from geo.staff import compared_months

    s = Settings(since="2018-09", until="2018-11", trend_months=1)
    assert compared_months(s, whole_window=True) == 3
    assert compared_months(s, whole_window=False) == 1

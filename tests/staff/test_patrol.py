"""The patrol view: the period in words, the caption, and the counts for chosen wards."""

from __future__ import annotations

import dataclasses

import pytest

from geo import columns as c
from geo.pipeline import run_pipeline
from geo.settings import Settings
from geo.staff import patrol_view, period_caption, period_text
from tests.helpers import EAST, WEST, group_rows, local_csv, unit_settings

MONTHS = [f"2018-{m:02d}" for m in range(3, 12)]  # 2018-03 .. 2018-11


@pytest.mark.parametrize(
    ("since", "until", "window", "expected"),
    [
        ("2018-09", "2018-11", 3, "2018-09 to 2018-11 (3 months)"),
        ("2018-11", "2018-11", 1, "2018-11 to 2018-11 (1 month)"),
        (
            "2017-12",
            "2018-11",
            12,
            "2018-03 to 2018-11 (9 months of the 12 asked for: the data starts in 2018-03)",
        ),
        ("2019-01", "2019-03", 3, "2019-01 to 2019-03 (no data in these months)"),
    ],
)
def test_period_text_names_the_months_of_the_data_in_the_window(since, until, window, expected):
    assert period_text(MONTHS, since, until, window) == expected


def test_period_caption_counts_back_from_the_data_and_explains_the_trend():
    s = Settings(since="2018-09", until="2018-11", trend_months=1)
    assert period_caption(MONTHS, s, 3) == (
        "Months 2018-09 to 2018-11 (3 months), counted back from the data's last month "
        "(2018-11), not from today. Trend: the last month against the month before."
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

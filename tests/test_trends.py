"""Trend labels: a conditional binomial test on two counts, worked out by hand, and its words."""

from __future__ import annotations

import geopandas as gpd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import binom

from geo.errors import ValidationError
from geo.hotspots import (
    TREND_ALPHA,
    TREND_LABELS,
    TREND_NEW_MIN,
    trend_label,
    trend_p_value,
)
from geo.public import (
    TREND_WORDS,
    PublicSettings,
    default_explanation,
    public_html,
    trend_explanation,
)


@pytest.mark.parametrize(
    ("previous", "recent", "label"),
    [
        (3, 5, "no clear change"),  # p = 2 * P(X >= 5 | 8, 0.5) = 2 * 93/256 = 0.727
        (2, 20, "rising"),
        (20, 2, "falling"),
        (0, 1, "no clear change"),  # a single incident is not a new hotspot
        (0, 5, "no clear change"),  # p = 2 * 0.5**5 = 0.0625
        (0, 6, "new"),  # p = 2 * 0.5**6 = 0.031
        (6, 0, "falling"),
        (0, 0, "no clear change"),
        (2, 9, "no clear change"),  # p = 0.0654 (shipped data, E05006549-06)
        (2, 10, "rising"),  # p = 0.0386 (shipped data, E05006549-09)
        (8, 8, "no clear change"),
    ],
)
def test_labels_on_hand_made_counts(previous, recent, label):
    assert trend_label(recent, previous) == label


def test_p_values_worked_out_by_hand():
    # equal periods: n = 8, p = 0.5; the outcomes as unlikely as 5 are 0-3 and 5-8
    assert trend_p_value(5, 3) == pytest.approx(2 * (1 + 8 + 28 + 56) / 256)
    assert trend_p_value(6, 0) == pytest.approx(2 * 0.5**6)
    assert trend_p_value(0, 0) == 1.0
    # 1 month against 3 months: p = 1/4; 4 out of 4 recent has probability 1/256, and no
    # other outcome is as unlikely
    assert trend_p_value(4, 0, recent_months=1, previous_months=3) == pytest.approx(1 / 256)


def test_unequal_periods_compare_monthly_rates():
    # 2 in 1 month against 10 in 5 months: the same rate, no change at all
    assert trend_label(2, 10, recent_months=1, previous_months=5) == "no clear change"
    # the same counts over equal periods are a clear fall (p = 0.039)
    assert trend_label(2, 10) == "falling"
    # 12 in 1 month against 12 in 6 months (12 against 2 a month): n = 24, p = 1/7; no
    # outcome below the mean is as unlikely as 12 (P(X = 0) = (6/7)**24 = 0.025), so the
    # p-value is the upper tail alone
    assert trend_p_value(12, 12, recent_months=1, previous_months=6) == pytest.approx(
        binom.sf(11, 24, 1 / 7)
    )
    assert trend_label(12, 12, recent_months=1, previous_months=6) == "rising"


def test_new_needs_the_minimum_count_even_when_the_test_agrees():
    # 1 month against 12 months with nothing before: 3 now is unlikely by chance
    # (p = (1/13)**3), but fewer than TREND_NEW_MIN incidents are not a new hotspot
    assert trend_p_value(3, 0, recent_months=1, previous_months=12) < TREND_ALPHA
    assert TREND_NEW_MIN == 5
    assert trend_label(3, 0, recent_months=1, previous_months=12) == "no clear change"
    assert trend_label(5, 0, recent_months=1, previous_months=12) == "new"


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"recent": -1, "previous": 2}, "recent"),
        ({"recent": 1, "previous": 2.5}, "previous"),
        ({"recent": 1, "previous": 2, "recent_months": 0}, "recent_months"),
        ({"recent": 1, "previous": 2, "previous_months": True}, "previous_months"),
    ],
)
def test_bad_counts_are_refused_by_name(kwargs, name):
    with pytest.raises(ValidationError, match=f"trend: {name} must be a whole number"):
        trend_label(**kwargs)


_SWAPPED = {"rising": "falling", "falling": "rising", "no clear change": "no clear change"}


@given(
    st.integers(1, 300),
    st.integers(1, 300),
    st.integers(1, 12),
    st.integers(1, 12),
)
def test_swapping_recent_and_previous_swaps_rising_and_falling(a, b, ma, mb):
    forward = trend_label(a, b, recent_months=ma, previous_months=mb)
    back = trend_label(b, a, recent_months=mb, previous_months=ma)
    assert back == _SWAPPED[forward]


@given(st.integers(0, 300), st.integers(0, 300), st.integers(1, 12), st.integers(1, 12))
def test_a_trend_is_called_only_when_the_test_says_so(a, b, ma, mb):
    label = trend_label(a, b, recent_months=ma, previous_months=mb)
    p = trend_p_value(a, b, recent_months=ma, previous_months=mb)
    assert label in TREND_LABELS and label != "n/a"
    assert (label != "no clear change") <= (p < TREND_ALPHA)
    swapped = trend_p_value(b, a, recent_months=mb, previous_months=ma)
    assert swapped == pytest.approx(p, rel=1e-9)
    if label == "rising":
        assert a * mb > b * ma
    if label == "new":
        assert b == 0 and a >= TREND_NEW_MIN


# --- the public words ---------------------------------------------------------------------
def test_every_label_has_public_words():
    assert set(TREND_WORDS) == set(TREND_LABELS)
    assert TREND_WORDS["no clear change"] == "No clear change"
    assert "About the same" not in TREND_WORDS.values()


def test_trend_explanation_says_what_the_words_mean():
    text = trend_explanation(3)
    assert text.startswith(
        "Going up or Going down: more or fewer reports in the last 3 months than the 3 "
        "before, more than chance would explain."
    )
    assert "No clear change: the difference could be chance." in text
    assert "the last month than the month before" in trend_explanation(1)
    assert "the latest months" in trend_explanation()
    # the earlier period is not on the map: both are named when the last month is known
    named = trend_explanation(3, last_month="2018-02")
    assert "the last 3 months (December 2017 to February 2018) than the 3 before " in named
    assert "(September to November 2017)" in named
    assert "the last month (November 2018) than the month before (October 2018)" in (
        trend_explanation(1, last_month="2018-11")
    )


def test_the_explanation_under_the_map_leaves_the_trends_to_the_list(two_wards):
    shown = gpd.GeoDataFrame(
        {"period": ["March 2018"]}, geometry=[two_wards.geometry.iloc[0]], crs=two_wards.crs
    )
    text = default_explanation(shown, PublicSettings())
    # the list of areas explains the trend words right above itself: not twice
    assert "Trends" not in text and "chance" not in text
    assert "numbered afresh for the months shown" in text  # last meeting's numbers differ
    empty = default_explanation(shown.iloc[:0], PublicSettings())
    assert "Trends" not in empty and "chance" not in empty and "numbered" not in empty


def test_the_standalone_public_page_names_the_trend_months(two_wards):
    view = gpd.GeoDataFrame(
        {
            "area_id": ["Area 1"],
            "ward_name": ["West"],
            "incidents_band": ["5-9"],
            "band_rank": [1],
            "main_problems": ["Burglary"],
            "trend": [TREND_WORDS["no clear change"]],
            "period": ["March 2018 to August 2018"],
        },
        geometry=[two_wards.geometry.iloc[0].buffer(-400)],
        crs=two_wards.crs,
    )
    page = public_html(two_wards, view, trend_months=3)
    assert "more or fewer reports in the last 3 months than the 3 before" in page
    assert "the latest months" in public_html(two_wards, view)


def test_summary_trend_periods_follow_the_period_given():
    from shapely.geometry import Point

    from geo.hotspots import summarise_hotspots
    from tests.helpers import make_two_wards

    wards = make_two_wards()
    ward = wards.iloc[0]
    at = ward.geometry.representative_point()
    months = ["2018-01"] * 2 + ["2018-04"] * 2 + ["2018-05"] * 3 + ["2018-06"] * 5
    clustered = gpd.GeoDataFrame(
        {
            "ward_code": ward["ward_code"],
            "ward_name": ward["ward_name"],
            "cluster": 0,
            "weight": 1.0,
            "category": "asb",
            "month": months,
        },
        geometry=[Point(at.x, at.y)] * len(months),
        crs=wards.crs,
    )
    from geo.settings import Settings

    s = Settings(min_samples=3)
    own = summarise_hotspots(clustered, wards, s).iloc[0]
    # the data's own months, 2018-01 to 2018-06: the last 3 months against the 3 before
    assert (own["recent_count"], own["previous_count"]) == (10, 2)
    wider = summarise_hotspots(clustered, wards, s, period=("2018-01", "2018-12")).iloc[0]
    # the whole run's months reach 2018-12: nothing in Oct-Dec, 0 in Jul-Sep
    assert (wider["recent_count"], wider["previous_count"]) == (0, 0)
    assert wider["trend"] == "no clear change"
    short = summarise_hotspots(clustered, wards, s, period=("2018-04", "2018-06")).iloc[0]
    assert short["trend"] == "n/a"

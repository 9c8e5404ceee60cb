"""Settings edits: month windows counted back from the data, ward overrides and weights."""

from __future__ import annotations

import pytest

from geo.errors import ValidationError
from geo.settings import Settings, WardOverride
from geo.settings_edits import (
    month_window,
    period_file_name,
    settings_changes,
    ward_overrides,
    window_settings,
    with_weights,
)


@pytest.mark.parametrize(
    ("last", "months", "expected"),
    [
        ("2018-11", 1, ("2018-11", "2018-11")),
        ("2018-11", 3, ("2018-09", "2018-11")),
        ("2018-11", 6, ("2018-06", "2018-11")),
        ("2018-11", 12, ("2017-12", "2018-11")),
        ("2018-02", 3, ("2017-12", "2018-02")),
    ],
)
def test_month_window_counts_back_from_the_data_not_today(last, months, expected):
    assert month_window(last, months) == expected


@pytest.mark.parametrize(("last", "months"), [("2018-13", 3), ("Nov 2018", 3), ("2018-11", 0)])
def test_month_window_refuses_bad_input(last, months):
    with pytest.raises(ValidationError):
        month_window(last, months)


@pytest.mark.parametrize(("months", "trend"), [(1, 1), (3, 1), (6, 3), (12, 3)])
def test_window_settings_sets_months_and_trend(months, trend):
    s = window_settings(Settings(), last_month="2018-11", months=months)
    assert (s.since, s.until) == month_window("2018-11", months)
    assert s.trend_months == trend
    assert s.eps_m == Settings().eps_m


def test_ward_overrides_and_weights():
    wo = ward_overrides({"E1": (60.0, None), "E2": (None, None), "E3": (None, 7)})
    assert set(wo) == {"E1", "E3"}
    assert (wo["E1"].eps_m, wo["E1"].min_samples) == (60.0, None)
    assert (wo["E3"].eps_m, wo["E3"].min_samples) == (None, 7)
    s = with_weights(Settings(), {"drugs": 5.0})
    assert s.categories["drugs"].weight == 5.0
    assert s.categories["asb"].weight == Settings().categories["asb"].weight
    with pytest.raises(ValidationError, match="Unknown category"):
        with_weights(Settings(), {"nope": 1.0})
    with pytest.raises(ValidationError, match="weight"):
        with_weights(Settings(), {"drugs": 0.0})


def test_settings_changes_name_each_change_against_the_usual_settings():
    usual = Settings()
    assert settings_changes(usual, usual) == []
    # the meeting view's minimum count has a control of its own: not a change here
    assert settings_changes(usual, usual.replace(public_min_count=20)) == []
    tried = with_weights(usual.replace(eps_m=150.0, min_samples=12), {"drugs": 1.0})
    assert settings_changes(usual, tried) == [
        "eps_m 150 m (usual 40 m)",
        "min_samples 12 (fixed) (usual 3.33 a month)",
        "Drugs weight 1 (usual 3)",
    ]
    more = usual.replace(
        hull_buffer_m=5.0,
        trend_months=2,
        since="2018-06",
        include=("drugs",),
        ward_overrides={"E05006546": WardOverride(eps_m=60.0)},
    )
    assert settings_changes(usual, more) == [
        "hull buffer 5 m (usual 25 m)",
        "trend over 2 months (usual 3)",
        "months 2018-06 to the last (usual all)",
        "categories shown: Drugs (usual all)",
        "settings of their own for 1 ward (usual 0)",
    ]
    # compared the other way round, the usual value is the tried one
    assert settings_changes(tried, usual)[0] == "eps_m 40 m (usual 150 m)"


def test_download_names_say_the_months_of_the_data_they_hold():
    months = ["2018-03", "2018-04", "2018-05"]
    assert period_file_name("hotspots", months, "2018-04", "2018-05", "csv") == (
        "hotspots_2018-04_to_2018-05.csv"
    )
    # a window reaching before the data names the data's months; one month once
    assert period_file_name("x", months, "2017-12", "2018-03", "html") == "x_2018-03.html"
    # no data in the window: the window's own months
    assert period_file_name("x", months, "2019-01", "2019-02", "csv") == "x_2019-01_to_2019-02.csv"

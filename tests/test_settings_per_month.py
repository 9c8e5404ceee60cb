"""min_samples stated per month: scaling, floor, migration of fixed counts, the both-given error."""

from __future__ import annotations

import argparse

import pytest

from geo.cli.common import Parser, add_data_options, settings_from_args
from geo.errors import ValidationError
from geo.settings import MIN_SAMPLES_FLOOR, Settings, WardOverride, months_spanned
from geo.settings_bounds import BOUNDS
from geo.settings_edits import ward_overrides
from geo.settings_toml import settings_from_toml

BOTH = (
    "sets both 'min_samples' (a fixed count) and 'min_samples_per_month' (scaled by the "
    "months clustered); keep one of them"
)


# --- scaling and the floor ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("months", "expected"),
    [(1, 4), (2, 7), (3, 10), (6, 20), (9, 30), (12, 40), (24, 80)],
)
def test_default_rate_scales_with_the_months_and_gives_10_on_3_months(months, expected):
    # 3.33 a month: tune's recommendation on the shipped data, 10 per 3-month window; one
    # month is lifted from 3 to the floor of 4
    assert Settings().min_samples_per_month == 3.33
    assert Settings().min_samples_for(months) == expected


def test_rounding_is_to_the_nearest_whole_number_halves_up():
    s = Settings(min_samples_per_month=2.5)
    assert [s.min_samples_for(m) for m in (2, 3, 5)] == [5, 8, 13]
    assert Settings(min_samples_per_month=4.49).min_samples_for(1) == 4
    assert Settings(min_samples_per_month=4.5).min_samples_for(1) == 5


def test_floor_applies_to_the_scaled_count_only():
    assert MIN_SAMPLES_FLOOR == 4
    assert Settings(min_samples_per_month=0.5).min_samples_for(1) == MIN_SAMPLES_FLOOR
    assert Settings(min_samples_per_month=0.5).min_samples_for(7) == MIN_SAMPLES_FLOOR
    assert Settings(min_samples_per_month=0.5).min_samples_for(10) == 5
    # a fixed count is used as given, even below the floor and whatever the months
    assert [Settings(min_samples=1).min_samples_for(m) for m in (1, 12)] == [1, 1]


def test_months_must_be_a_whole_number_of_at_least_one():
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValidationError, match="whole number >= 1"):
            Settings().min_samples_for(bad)  # type: ignore[arg-type]
        with pytest.raises(ValidationError, match="whole number >= 1"):
            Settings(min_samples=4).min_samples_for(bad)  # type: ignore[arg-type]


def test_months_spanned_counts_calendar_months_both_ends_included():
    assert months_spanned("2018-09", "2018-11") == 3
    assert months_spanned("2017-12", "2018-01") == 2
    assert months_spanned("2018-11", "2018-11") == 1
    with pytest.raises(ValidationError, match="before first month"):
        months_spanned("2018-11", "2018-10")
    with pytest.raises(ValidationError, match="YYYY-MM"):
        months_spanned("2018-13", "2018-12")


def test_rule_in_words():
    assert Settings().min_samples_text(3) == "3.33 a month x 3 months = 10"
    assert Settings().min_samples_text(1) == "3.33 a month x 1 month = 4 (the floor of 4)"
    slow = Settings(min_samples_per_month=1.67)
    assert slow.min_samples_text(1) == "1.67 a month x 1 month = 4 (the floor of 4)"
    assert slow.min_samples_text(2) == "1.67 a month x 2 months = 4 (the floor of 4)"
    assert Settings(min_samples=15).min_samples_text(3) == "15 (fixed)"


def test_ward_overrides_follow_the_same_rule():
    s = Settings(
        ward_overrides={
            "W1": WardOverride(min_samples=4),
            "W2": WardOverride(min_samples_per_month=4.0),
            "W3": WardOverride(eps_m=30.0),
        }
    )
    assert s.params_for("W1", months=6) == (40.0, 4)  # fixed
    assert s.params_for("W2", months=6) == (40.0, 24)  # scaled
    assert s.params_for("W3", months=6) == (30.0, 20)  # the study-wide rate
    fixed = Settings(min_samples=7, ward_overrides={"W2": WardOverride(min_samples_per_month=1.0)})
    assert (fixed.min_samples_for(6, "W2"), fixed.min_samples_for(6, "W9")) == (6, 7)


# --- the dataclass: one of the two, replace switches -----------------------------------------
def test_neither_given_means_the_default_rate_and_fixed_given_means_no_rate():
    assert (Settings().min_samples, Settings().min_samples_per_month) == (
        None,
        BOUNDS["min_samples_per_month"].default,
    )
    s = Settings(min_samples=15)
    assert (s.min_samples, s.min_samples_per_month, s.scales_min_samples) == (15, None, False)


def test_both_at_once_is_an_error_naming_both():
    with pytest.raises(ValidationError) as err:
        Settings(min_samples=15, min_samples_per_month=2.0)
    assert err.value.problems == [f"The settings {BOTH}."]
    with pytest.raises(ValidationError) as err:
        Settings(ward_overrides={"E1": WardOverride(min_samples=3, min_samples_per_month=1.0)})
    assert err.value.problems == [f"The override of ward E1 {BOTH}."]


def test_replace_with_one_clears_the_other():
    rate = Settings()
    fixed = rate.replace(min_samples=12)
    assert (fixed.min_samples, fixed.min_samples_per_month) == (12, None)
    back = fixed.replace(min_samples_per_month=2.0)
    assert (back.min_samples, back.min_samples_per_month) == (None, 2.0)
    assert fixed.replace(eps_m=80.0).min_samples == 12  # other changes keep the rule
    with pytest.raises(ValidationError, match="sets both"):
        rate.replace(min_samples=12, min_samples_per_month=2.0)


def test_rate_is_checked_against_its_bounds():
    for bad in (0.0, -1.0, 100_001.0, float("nan")):
        with pytest.raises(ValidationError, match="'min_samples_per_month' setting"):
            Settings(min_samples_per_month=bad)


# --- migration of existing settings files ---------------------------------------------------
def test_an_old_file_with_min_samples_keeps_a_fixed_count():
    s = settings_from_toml("[clustering]\neps_m = 60.0\nmin_samples = 15\n")
    assert (s.min_samples, s.min_samples_per_month) == (15, None)
    assert [s.min_samples_for(m) for m in (1, 3, 9)] == [15, 15, 15]


def test_a_file_stating_neither_gets_the_current_defaults():
    # files written before the defaults moved keep what they state, nothing else
    s = settings_from_toml("[clustering]\nhull_buffer_m = 25.0\n")
    assert (s.eps_m, s.min_samples, s.min_samples_per_month) == (40.0, None, 3.33)
    old = settings_from_toml("[clustering]\neps_m = 60.0\nmin_samples_per_month = 1.67\n")
    assert (old.eps_m, old.min_samples_per_month) == (60.0, 1.67)
    assert [old.min_samples_for(m) for m in (1, 3, 9)] == [4, 5, 15]


def test_a_file_with_a_rate_scales():
    s = settings_from_toml("[clustering]\nmin_samples_per_month = 2.0\n")
    assert [s.min_samples_for(m) for m in (1, 3, 9)] == [4, 6, 18]


def test_a_file_with_both_is_refused_naming_both():
    with pytest.raises(ValidationError) as err:
        settings_from_toml(
            "[clustering]\nmin_samples = 15\nmin_samples_per_month = 1.67\n", source="old.toml"
        )
    assert err.value.problems == [f"old.toml: The settings {BOTH}."]
    with pytest.raises(ValidationError) as err:
        settings_from_toml(
            "[ward_overrides.E05006549]\nmin_samples = 4\nmin_samples_per_month = 1.0\n",
            source="old.toml",
        )
    assert err.value.problems == [f"old.toml: The override of ward E05006549 {BOTH}."]


def test_saved_files_state_the_rule_and_read_back_equal():
    for s in (
        Settings(),
        Settings(min_samples=15),
        Settings(
            min_samples_per_month=2.5,
            ward_overrides={"E1": WardOverride(min_samples=4), "E2": WardOverride(eps_m=40.0)},
            public_min_count=8,
        ),
    ):
        text = s.to_toml()
        assert ("min_samples_per_month = " in text) == s.scales_min_samples
        assert settings_from_toml(text) == s
    assert "[public]\nmin_count = 5\n" in Settings().to_toml()


def test_public_min_count_is_saved_and_bounded():
    s = settings_from_toml("[public]\nmin_count = 12\n")
    assert s.public_min_count == 12
    with pytest.raises(ValidationError) as err:
        settings_from_toml("[public]\nmin_count = 2\n", source="team.toml")
    assert err.value.problems == [
        "team.toml: The 'public.min_count' setting must be a whole number in [3, 10000] "
        "incidents (smaller groups could point at one household). Got 2 instead."
    ]
    with pytest.raises(ValidationError, match="unknown key public.minimum"):
        settings_from_toml("[public]\nminimum = 12\n")


def test_the_public_bound_is_the_one_declared_for_the_settings():
    from geo.public import PUBLIC_BOUNDS

    assert PUBLIC_BOUNDS["min_count"] is BOUNDS["public_min_count"]


def test_ward_override_widgets_take_a_rate_too():
    got = ward_overrides({"E1": (None, None, 2.0), "E2": (None, 5), "E3": (None, None, None)})
    assert got == {
        "E1": WardOverride(min_samples_per_month=2.0),
        "E2": WardOverride(min_samples=5),
    }


# --- the command line ---------------------------------------------------------------------
def parse(*argv: str) -> argparse.Namespace:
    p = Parser(prog="geo hotspots")
    add_data_options(p)
    return p.parse_args(list(argv))


def test_cli_min_samples_is_fixed_and_per_month_scales(tmp_path):
    assert settings_from_args(parse("--min-samples", "15")).min_samples_for(1) == 15
    assert settings_from_args(parse("--min-samples-per-month", "2")).min_samples_for(3) == 6
    config = tmp_path / "old.toml"
    config.write_text("[clustering]\nmin_samples = 15\n")
    # an option of the other kind replaces the file's rule
    s = settings_from_args(parse("--config", str(config), "--min-samples-per-month", "2"))
    assert (s.min_samples, s.min_samples_per_month) == (None, 2.0)


def test_cli_both_options_is_an_error_naming_both():
    with pytest.raises(ValidationError) as err:
        settings_from_args(parse("--min-samples", "15", "--min-samples-per-month", "1.5"))
    message = str(err.value)
    assert "--min-samples 15" in message and "--min-samples-per-month 1.5" in message

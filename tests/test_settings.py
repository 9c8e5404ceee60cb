"""Settings: validation messages and the TOML round trip."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.categories import Category
from geo.errors import ValidationError
from geo.settings import Settings, WardOverride
from geo.settings_toml import load_settings, settings_from_toml


def test_defaults_round_trip_through_toml():
    s = Settings()
    assert settings_from_toml(s.to_toml()) == s


@settings(max_examples=50, deadline=None)
@given(
    eps=st.floats(0.5, 5000, allow_nan=False),
    ms=st.integers(1, 500),
    since=st.sampled_from([None, "2018-03", "2018-06"]),
    include=st.lists(st.sampled_from(["drugs", "asb", "needle_find"]), unique=True),
    weight=st.floats(0.1, 10, allow_nan=False),
    ward_eps=st.one_of(st.none(), st.floats(1, 500, allow_nan=False)),
)
def test_any_valid_settings_round_trip(eps, ms, since, include, weight, ward_eps):
    base = Settings()
    cats = dict(base.categories)
    cats["drugs"] = Category("Drugs", weight, "drugs")
    s = Settings(
        eps_m=eps,
        min_samples=ms,
        since=since,
        include=tuple(include),
        categories=cats,
        ward_overrides={"E05006563": WardOverride(eps_m=ward_eps, min_samples=3)},
    )
    assert settings_from_toml(s.to_toml()) == s


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"eps_m": -5}, "The 'eps_m' setting must be in (0, 5000] m. Got -5 instead."),
        (
            {"min_samples": 0},
            "The 'min_samples' setting must be a whole number in [1, 1000000]. Got 0",
        ),
        ({"min_samples": 2.5}, "must be a whole number in [1, 1000000]. Got 2.5"),
        ({"since": "2018-13"}, "The 'since' setting must be a month YYYY-MM. Got '2018-13'"),
        ({"since": "2018-09", "until": "2018-06"}, "'since' (2018-09) is after 'until' (2018-06)"),
        ({"include": ("nope",)}, "Unknown category 'nope' in 'include'"),
        (
            {"trend_months": 0},
            "The 'trend_months' setting must be a whole number in [1, 24] months",
        ),
    ],
)
def test_bad_settings_say_what_and_got(kwargs, message):
    with pytest.raises(ValidationError) as info:
        Settings(**kwargs)
    assert message in str(info.value)


def test_toml_by_hand_changes_defaults_and_refuses_typos(tmp_path):
    text = """
[clustering]
eps_m = 60
min_samples = 8

[filters]
since = "2018-06"
include = ["drugs", "needle_find"]

[categories.drugs]
weight = 5.0

[categories.cuckooing_report]
label = "Cuckooing reported by residents"
weight = 4.0
group = "drugs"

[aliases]
"cuckooing" = "cuckooing_report"
"""
    s = settings_from_toml(text)
    assert (s.eps_m, s.min_samples, s.since) == (60, 8, "2018-06")
    assert s.categories["drugs"].weight == 5.0
    assert s.categories["asb"].weight == 1.5  # untouched default kept
    assert s.category_key("Cuckooing") == "cuckooing_report"
    assert s.category_key("Anti-social behaviour") == "asb"
    p = tmp_path / "bad.toml"
    p.write_text("[clustering]\neps = 60\n")
    with pytest.raises(ValidationError, match="bad.toml: unknown key clustering.eps"):
        load_settings(p)
    p.write_text("[clustering\n")
    with pytest.raises(ValidationError, match="bad.toml: not valid TOML"):
        load_settings(p)
    with pytest.raises(ValidationError, match="missing.toml: cannot read settings file"):
        load_settings(tmp_path / "missing.toml")


def test_params_for_applies_ward_override():
    s = Settings(eps_m=80, min_samples=20, ward_overrides={"W1": WardOverride(min_samples=5)})
    assert s.params_for("W1", months=9) == (80, 5)
    assert s.params_for("W2", months=9) == (80, 20)

"""Limits declared once: Bound, and the bounds every settings class reads."""

from __future__ import annotations

import dataclasses
import math

import pytest

from geo.bounds import Bound
from geo.cli.main import build_parser
from geo.errors import ValidationError
from geo.interventions import INTERVENTION_BOUNDS, InterventionOptions
from geo.postbox import POSTBOX_BOUNDS, PostboxSettings
from geo.public import MIN_COUNT_FLOOR, PUBLIC_BOUNDS, PublicSettings
from geo.settings import Settings, WardOverride
from geo.settings_bounds import BOUNDS

EPS = BOUNDS["eps_m"]


@pytest.mark.parametrize(
    "value, ok",
    [
        (0, False),  # open at 0
        (0.0, False),
        (1e-9, True),
        (5000, True),  # closed at 5000
        (5000.000001, False),
        (-5, False),
        (math.nan, False),
        (True, False),  # a bool is not a number here
        ("60", False),
        (None, False),
    ],
)
def test_eps_m_interval_ends(value, ok):
    assert EPS.contains(value) is ok
    assert (EPS.problem("eps_m", value) is None) is ok


def test_message_names_setting_interval_unit_and_value():
    assert EPS.problem("eps_m", -5) == "The 'eps_m' setting must be in (0, 5000] m. Got -5 instead."
    whole = BOUNDS["min_samples"]
    assert whole.problem("min_samples", 2.5) == (
        "The 'min_samples' setting must be a whole number in [1, 1000000]. Got 2.5 instead."
    )
    assert whole.problem("min_samples", 1_000_000) is None
    assert whole.problem("min_samples", 1_000_001) is not None


def test_unbounded_high_and_kind_in_message():
    b = INTERVENTION_BOUNDS["min_count"]
    assert b.high is None and b.contains(10**9)
    assert b.problem("min_count", 0, kind="option") == (
        "The 'min_count' option must be a whole number >= 1 incidents. Got 0 instead."
    )


def test_open_both_ends():
    b = Bound(low=0.0, high=1.0, closed="neither", default=0.5, help="x")
    assert [b.contains(v) for v in (0.0, 0.5, 1.0)] == [False, True, False]
    assert b.interval == "(0, 1)"


def test_why_is_added_to_the_message():
    msg = PUBLIC_BOUNDS["min_count"].problem("min_count", 2)
    assert msg == (
        "The 'min_count' setting must be a whole number in [3, 10000] incidents (smaller "
        "groups could point at one household). Got 2 instead."
    )


@pytest.mark.parametrize(
    "cls, bounds",
    [
        (Settings, BOUNDS),
        (PublicSettings, PUBLIC_BOUNDS),
        (PostboxSettings, POSTBOX_BOUNDS),
        (InterventionOptions, INTERVENTION_BOUNDS),
    ],
)
def test_defaults_come_from_the_bounds_and_lie_inside_them(cls, bounds):
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for name, bound in bounds.items():
        if name == "weight":
            continue  # a per-category bound, not a field
        # a field may default to None and take the bound's default when built (the
        # min_samples_per_month rate, unless a fixed min_samples is given)
        assert getattr(cls(), name) == bound.default, name
        assert fields[name].default in (bound.default, None), name
        assert bound.default is None or bound.contains(bound.default), name
        if bound.typical is not None:
            lo, hi = bound.typical
            assert bound.contains(lo) and bound.contains(hi), name


@pytest.mark.parametrize(
    "cls, bounds",
    [
        (Settings, BOUNDS),
        (PublicSettings, PUBLIC_BOUNDS),
        (PostboxSettings, POSTBOX_BOUNDS),
        (InterventionOptions, INTERVENTION_BOUNDS),
    ],
)
def test_validation_reads_the_bounds_at_both_ends(cls, bounds):
    for name, bound in bounds.items():
        if name in ("weight", "ring_outer_m"):
            continue
        if bound.high is not None and bound.closed in ("both", "right"):
            cls(**{name: bound.high})  # the high end itself is allowed
            over = bound.high + 1
            with pytest.raises(ValidationError, match=f"'{TOML_NAMES.get(name, name)}'"):
                cls(**{name: over})
        below = bound.low if bound.closed in ("neither", "right") else bound.low - 1
        with pytest.raises(ValidationError) as err:
            cls(**{name: below})
        shown = TOML_NAMES.get(name, name)
        assert err.value.problems == [bound.problem(shown, below, kind=_kind(cls))]


#: Settings whose messages name them as written in a settings file.
TOML_NAMES = {"public_min_count": "public.min_count"}


def _kind(cls: type) -> str:
    return "option" if cls is InterventionOptions else "setting"


def test_category_weight_and_ward_overrides_share_the_bounds():
    s = Settings()
    cats = dict(s.categories)
    cats["drugs"] = dataclasses.replace(cats["drugs"], weight=0)
    with pytest.raises(ValidationError) as err:
        s.replace(categories=cats)
    assert err.value.problems == [BOUNDS["weight"].problem("categories.drugs.weight", 0)]
    with pytest.raises(ValidationError) as err:
        s.replace(ward_overrides={"E1": WardOverride(eps_m=6000.0, min_samples=0)})
    assert err.value.problems == [
        EPS.problem("ward_overrides.E1.eps_m", 6000.0),
        BOUNDS["min_samples"].problem("ward_overrides.E1.min_samples", 0),
    ]


def test_floor_of_three_is_the_declared_low():
    assert MIN_COUNT_FLOOR == PUBLIC_BOUNDS["min_count"].low == 3
    PublicSettings(min_count=3)
    with pytest.raises(ValidationError):
        PublicSettings(min_count=2)


@pytest.mark.parametrize(
    "cls", [Settings, WardOverride, PublicSettings, PostboxSettings, InterventionOptions]
)
def test_settings_are_keyword_only(cls):
    with pytest.raises(TypeError):
        cls(1)


def test_cli_help_shows_the_declared_limits(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["hotspots", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "DBSCAN radius ((0, 5000] m, default 40)" in out
    assert "clustered (rounded, at least 3) ((0, 100000], default 3.33)" in out
    with pytest.raises(SystemExit):
        build_parser().parse_args(["postbox", "next", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "walking radius around a site (inclusive) ((0, 5000] m, default 400)" in out

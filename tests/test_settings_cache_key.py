"""``Settings.cache_key``: hashable, equal exactly when the settings are equal."""

from __future__ import annotations

import pytest

from geo.settings import Settings, WardOverride
from geo.settings_toml import settings_from_toml


def test_equal_settings_have_equal_hashable_keys():
    a = Settings()
    b = settings_from_toml(Settings().to_toml())
    assert a.cache_key() == b.cache_key()
    assert hash(a.cache_key()) == hash(b.cache_key())
    assert {a.cache_key(): 1}[b.cache_key()] == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"eps_m": 61.0},
        {"min_samples": 16},
        {"hull_buffer_m": 30.0},
        {"trend_months": 2},
        {"since": "2018-04"},
        {"until": "2018-10"},
        {"include": ("drugs",)},
        {"ward_overrides": {"E05006549": WardOverride(eps_m=80.0)}},
        {"aliases": {**Settings().aliases, "needles": "drugs"}},
    ],
)
def test_any_change_changes_the_key(changes):
    assert Settings().replace(**changes).cache_key() != Settings().cache_key()


def test_a_category_weight_changes_the_key():
    cats = dict(Settings().categories)
    drugs = cats["drugs"]
    cats["drugs"] = drugs.__class__(drugs.label, drugs.weight + 1, drugs.group)
    assert Settings(categories=cats).cache_key() != Settings().cache_key()

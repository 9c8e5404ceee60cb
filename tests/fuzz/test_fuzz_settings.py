"""Fuzzing the settings loader with hostile TOML documents and text."""

from __future__ import annotations

import math

import pytest
import tomli_w
from hypothesis import example, given
from hypothesis import strategies as st

from geo.errors import ValidationError
from geo.settings import Settings
from geo.settings_toml import settings_from_toml
from tests.fuzz.contract import fuzz_settings
from tests.fuzz.strategies import TOML_DOC


def _load(text: str) -> Settings | None:
    try:
        return settings_from_toml(text, source="fuzz.toml")
    except ValidationError as exc:
        assert exc.first_line.startswith("fuzz.toml"), exc.first_line
        assert "Traceback" not in str(exc)
        return None


def _sane(s: Settings) -> None:
    """Loaded settings hold numbers that are numbers and round-trip through TOML."""
    for name in ("eps_m", "hull_buffer_m"):
        value = getattr(s, name)
        assert not isinstance(value, bool) and math.isfinite(value)
    assert isinstance(s.trend_months, int) and not isinstance(s.trend_months, bool)
    assert settings_from_toml(s.to_toml()) == s


@fuzz_settings()
@given(TOML_DOC)
@example({"clustering": {"trend_months": True}})
@example({"ward_overrides": {" ": {"eps_m": 100.0}}})
def test_any_toml_document_loads_or_is_refused(doc: dict):
    try:
        text = tomli_w.dumps(doc)
    except (TypeError, ValueError):  # not representable as TOML (e.g. an empty key path)
        return
    loaded = _load(text)
    if loaded is not None:
        _sane(loaded)


@fuzz_settings()
@given(st.text(max_size=200))
@example("[clustering]\neps_m = nan\n")
@example("[clustering\n")
def test_any_text_loads_or_is_refused(text: str):
    loaded = _load(text)
    if loaded is not None:
        _sane(loaded)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[clustering]\ntrend_months = true\n", "Got True instead"),
        ("[clustering]\nmin_samples = false\n", "Got False instead"),
        ('[ward_overrides." E05000001"]\neps_m = 100\n', "must be a ward code"),
    ],
)
def test_booleans_and_blank_ward_codes_are_refused(text: str, fragment: str):
    with pytest.raises(ValidationError, match=fragment):
        settings_from_toml(text, source="s.toml")

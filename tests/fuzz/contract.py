"""The contract every fuzz test checks, and the hypothesis settings profiles they run under.

Either a result whose counts reconcile, or a :class:`geo.errors.ValidationError` (exit code 2
on the command line) whose message is one line; never another exception.

Profiles: ``fuzz-quick`` (the default, a few minutes for the whole folder on two cores) and
``fuzz-deep`` (many more examples), chosen with ``HOTSPOTS_FUZZ_PROFILE=fuzz-deep``. Only the
fuzz tests use them; other property tests keep their own settings.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

from geo.errors import ValidationError
from geo.prepare import Prepared

settings.register_profile(
    "fuzz-quick",
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)
settings.register_profile(
    "fuzz-deep",
    max_examples=2_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = os.environ.get("HOTSPOTS_FUZZ_PROFILE", "fuzz-quick")


def fuzz_settings(*, scale: float = 1.0) -> settings:
    """The active profile, with ``scale`` times its examples (slow targets use fewer)."""
    base = settings.get_profile(PROFILE)
    return settings(base, max_examples=max(5, int(base.max_examples * scale)))


def assert_one_line(exc: ValidationError) -> None:
    """A refusal a person can read: a non-empty first line with no line break or traceback."""
    text = exc.first_line
    assert text.strip(), "empty message"
    assert "\n" not in text, text
    assert "Traceback" not in text, text


def assert_reconciles(prepared: Prepared) -> None:
    """Every row read is kept or set aside once, and rejected (file, row) pairs are unique."""
    kept = len(prepared.incidents)
    aside = [prepared.invalid, prepared.outside_wards, prepared.filtered_out]
    assert prepared.rows_read == kept + sum(len(f) for f in aside)
    import pandas as pd

    rejected = pd.concat(aside, ignore_index=True)
    assert not rejected.duplicated(["source_file", "row"]).any()
    assert rejected["reason"].astype(str).str.len().gt(0).all()

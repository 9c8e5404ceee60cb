"""The Analyst page's eps_m advice: a value below the knee by a fixed rule, and red flags."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.errors import ValidationError
from geo.pipeline import run_files
from geo.settings import Settings
from ui import tuning_advice as ta


def sweep(eps: list[float], flags: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"eps_m": eps, "pai": [9.0] * len(eps), "red_flags": flags})


def test_below_knee_applies_the_largest_unflagged_swept_value_under_the_knee():
    table = sweep([20.0, 60.0, 150.0, 200.0, 250.0], ["", "", "", "many core points", ""])
    # 250 m has no flag but is above the knee; 200 m is flagged: 150 m
    assert ta.below_knee(230.0, table) == 150.0
    assert ta.below_knee(150.0, table) == 60.0  # strictly below the knee
    assert ta.below_knee(230.0, table) < 230.0


def test_below_knee_falls_back_to_half_the_knee_rounded_down_to_the_slider_step():
    assert ta.below_knee(233.0) == 115.0  # 116.5 rounded down to 5 m
    assert ta.below_knee(233.0, sweep([20.0, 40.0], ["no hotspots", "no hotspots"])) == 115.0
    assert ta.below_knee(12.0) == ta.LOWEST_M
    for bad in (0.0, -5.0, float("nan"), float("inf")):
        with pytest.raises(ValidationError, match="positive number of metres"):
            ta.below_knee(bad)


def test_knee_text_calls_the_knee_an_upper_limit():
    text = ta.knee_text(231.4)
    assert "knee is **231 m**" in text
    assert "merges whole wards" in text and "below it" in text


def test_red_flags_of_a_run_match_the_sweep_rules():
    assert ta.current_red_flags(run_files(settings=Settings()), eps_m=60.0, min_samples=15) == []
    wide = Settings().replace(eps_m=300.0)
    flags = ta.current_red_flags(run_files(settings=wide), eps_m=300.0, min_samples=15)
    assert any(f.startswith("almost all points are core points") for f in flags)
    assert any(f.startswith("one hotspot holds") for f in flags)


def test_flagged_sweep_rows_name_their_eps():
    rows = ta.flagged_sweep_rows(sweep([60.0, 250.0], ["", "no hotspots"]))
    assert rows == ["eps_m 250 m: no hotspots"]

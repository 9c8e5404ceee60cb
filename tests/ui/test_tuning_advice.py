"""The Analyst page's eps_m advice: the knee as an upper limit, the evaluated default, red flags."""

from __future__ import annotations

import pandas as pd

from geo.pipeline import run_files
from geo.settings import Settings
from ui import tuning_advice as ta


def sweep(eps: list[float], flags: list[str], noise: list[float] | None = None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "eps_m": eps,
            "pai": [9.0] * len(eps),
            "red_flags": flags,
            "noise_share": noise if noise is not None else [0.8] * len(eps),
        }
    )


def test_knee_text_calls_the_knee_an_upper_limit_and_names_its_min_samples():
    text = ta.knee_text(231.4, k=10, window_months=3)
    assert "min_samples 10" in text and "3 months" in text
    assert "**231 m**" in text and "upper limit" in text
    assert "evaluation below" in text


def test_default_advice_offers_the_evaluated_default_only_when_not_in_use():
    default = Settings()
    assert ta.default_advice(default) is None
    label = ta.default_advice(default.replace(eps_m=150.0))
    assert label == (
        f"Use the evaluated default: {default.eps_m:g} m, {default.min_samples_per_month:g} a month"
    )
    assert ta.default_advice(default.replace(min_samples_per_month=1.67)) == label
    fixed = Settings(eps_m=default.eps_m, min_samples=10)
    assert ta.default_advice(fixed) == label


def test_red_flags_of_a_run_match_the_sweep_rules():
    default = Settings()
    assert ta.current_red_flags(run_files(settings=default), eps_m=40.0, min_samples=30) == []
    # 150 m: the hotspots hold most incidents and mark much of the wards
    wide_150 = default.replace(eps_m=150.0)
    flags = ta.current_red_flags(run_files(settings=wide_150), eps_m=150.0, min_samples=30)
    held = [f for f in flags if f.startswith("hotspots hold")]
    assert len(held) == 1 and "should leave most incidents out" in held[0]
    assert int(held[0].split()[2]) >= 50
    assert any(f.startswith("hotspots mark") for f in flags)
    wide = Settings().replace(eps_m=300.0)
    flags = ta.current_red_flags(run_files(settings=wide), eps_m=300.0, min_samples=15)
    assert any(f.startswith("almost all points are core points") for f in flags)
    assert any(f.startswith("one hotspot holds") for f in flags)


def test_flagged_sweep_rows_name_their_eps():
    rows = ta.flagged_sweep_rows(sweep([60.0, 250.0], ["", "no hotspots"]))
    assert rows == ["eps_m 250 m: no hotspots"]


def test_flagged_sweep_rows_are_the_tables_own_flags():
    # the banner repeats the table's red_flags column word for word: nothing added from
    # noise_share (the sweep puts those flags in the column itself)
    flags = ["", "hotspots hold 80 % of incidents: a hotspot map should leave most incidents out"]
    rows = ta.flagged_sweep_rows(sweep([40.0, 150.0], flags, noise=[0.2, 0.2]))
    assert rows == [f"eps_m 150 m: {flags[1]}"]

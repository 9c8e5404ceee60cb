"""``python -m geo tune`` on the shipped data: choices from earlier months, out-of-sample table."""

from __future__ import annotations

import pandas as pd

from geo.cli import main
from geo.evaluation import choose_setting
from geo.settings_toml import settings_from_toml


def test_tune_prints_choices_and_out_of_sample_results(tmp_path, capsys):
    code = main(
        [
            "tune",
            "--out",
            str(tmp_path),
            "--eps-values",
            "30,60",
            "--min-samples-values",
            "10,15",
            "--shapes",
            "hull,discs",
            "--permutations",
            "0",
            "--no-progress",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "Selection rule: highest mean hit rate over the folds before the test month" in out
    assert "2018-06: no choice (0 earlier folds)" in out
    assert "Out of sample, 5 test months 2018-07..2018-11" in out
    assert "The fixed settings on the same test months" in out
    assert "PEI" in out and "25 m discs at map points" in out
    choices = pd.read_csv(tmp_path / "nested_choices.csv")
    assert choices["test_month"].tolist() == [f"2018-{m:02d}" for m in range(6, 12)]
    assert choices["n_history"].tolist() == [0, 1, 2, 3, 4, 5]
    chosen = choices.dropna(subset=["eps_m"])
    assert (chosen["history_area_share"] <= 0.005).all()
    scores = pd.read_csv(tmp_path / "nested_scores.csv")
    assert len(scores) == 6 * 2 * 2 * 2  # folds x eps x min_samples x shapes
    nested = pd.read_csv(tmp_path / "nested_evaluation.csv")
    d = nested[(nested["method"] == "dbscan") & (nested["ward_code"] == "all")]
    for month, setting in zip(d["test_month"], d["setting"], strict=True):
        row = chosen[chosen["test_month"] == month].iloc[0]
        assert setting == f"{row['eps_m']:g} m / {int(row['min_samples'])}, {row['shape']}"
    # the recommendation for the next month: the rule on all six folds, printed last
    assert "Recommended for 2018-12 (the rule on all 6 folds" in out
    assert out.index("Recommended for 2018-12") > out.index("The fixed settings")
    rec = settings_from_toml((tmp_path / "recommended.toml").read_text(encoding="utf-8"))
    best = choose_setting(scores)
    assert best is not None
    assert rec.eps_m == best.eps_m
    assert rec.min_samples_for(3) == best.min_samples
    assert f"min_samples {best.min_samples} per 3-month window" in out
    assert "[clustering]" in out


def test_tune_and_evaluate_refuse_bad_fold_options(tmp_path, capsys):
    assert main(["tune", "--out", str(tmp_path), "--test-months", "2018-6"]) == 2
    assert "--test-months: '2018-6' is not a month" in capsys.readouterr().err
    assert main(["tune", "--out", str(tmp_path), "--shapes", "square"]) == 2
    assert "shape" in capsys.readouterr().err
    assert main(["evaluate", "--out", str(tmp_path), "--fit-months", "2018-05"]) == 2
    assert "'fit_months' option needs 'test_months'" in capsys.readouterr().err

"""Honest windows: test months with incidents only, empty windows warned about, no fake spread."""

from __future__ import annotations

import pytest

from geo import columns as c
from geo.errors import ValidationError
from geo.evaluation import (
    ALL_WARDS,
    Fold,
    evaluate_methods,
    explicit_folds,
    fold_warnings,
    rolling_folds,
    summary_text,
)

from .builders import X0, Y0, rows, unit_settings

GROUP = (X0 + 325, Y0 + 325)
LONER = (X0 + 800, Y0 + 800)
S = unit_settings(eps_m=20, min_samples=3)


def test_year_on_year_files_give_one_test_month_a_year():
    # one month a year and a 12-month window: 2 test months, not 24 mostly empty ones
    assert rolling_folds(["2016-06", "2017-06", "2018-06"], window_months=12) == [
        Fold(tuple(f"{y}-{m:02d}" for y, m in _months(2016, 6, 12)), "2017-06"),
        Fold(tuple(f"{y}-{m:02d}" for y, m in _months(2017, 6, 12)), "2018-06"),
    ]
    # a gap inside the data: April has no incidents, so it is no test month
    assert [
        f.test_month for f in rolling_folds(["2018-01", "2018-03", "2018-05"], window_months=1)
    ] == [
        "2018-03",
        "2018-05",
    ]


def _months(year: int, month: int, n: int) -> list[tuple[int, int]]:
    out = []
    for _ in range(n):
        out.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def test_explicit_folds_for_year_on_year_checks():
    folds = explicit_folds(
        ["2017-06", "2018-06"],
        fit_months=["2016-06", "2017-06"],
        months=["2016-06", "2017-06", "2018-06"],
        window_months=1,
    )
    assert folds == [Fold(("2016-06",), "2017-06"), Fold(("2017-06",), "2018-06")]
    # default fit months: the months of the data
    assert explicit_folds(
        ["2018-06"], months=["2016-06", "2017-06", "2018-06"], window_months=2
    ) == [Fold(("2016-06", "2017-06"), "2018-06")]
    with pytest.raises(ValidationError, match="'2018-6' is not a month YYYY-MM"):
        explicit_folds(["2018-6"], months=["2018-06"])
    with pytest.raises(ValidationError, match="test month 2018-07 has no incidents"):
        explicit_folds(["2018-07"], months=["2018-05", "2018-06"])
    with pytest.raises(ValidationError, match="test month 2018-05 has no fit month before it"):
        explicit_folds(["2018-05"], months=["2018-05", "2018-06"])


def test_empty_fit_window_is_warned_about_and_skipped(two_wards):
    # January and February have incidents, then nothing until June: the June fold's window
    # (May) is empty
    raw = rows(
        [
            ("2018-01", GROUP, 3, "drugs"),
            ("2018-02", GROUP, 3, "drugs"),
            ("2018-06", GROUP, 2, "drugs"),
            ("2018-06", LONER, 1, "drugs"),
        ]
    )
    ev = evaluate_methods(raw, two_wards, S, window_months=1, permutations=0)
    assert ev.folds == [Fold(("2018-01",), "2018-02")]
    assert any("2018-05..2018-05 (for 2018-06) has no incidents" in w for w in ev.warnings)
    assert set(ev.table["test_month"]) == {"2018-02"}
    months = ["2018-01", "2018-02", "2018-06"]
    assert fold_warnings([Fold(("2018-05",), "2018-06")], months) == [
        "Fit window 2018-05..2018-05 (for 2018-06) has no incidents: no method can mark "
        "anything for that month."
    ]
    only_empty = rows([("2018-01", GROUP, 3, "drugs"), ("2018-06", GROUP, 3, "drugs")])
    with pytest.raises(ValidationError, match="no fold has incidents in its fit window"):
        evaluate_methods(only_empty, two_wards, S, window_months=1, permutations=0)


def test_empty_last_month_is_warned_about_and_marks_nothing(two_wards):
    # window 2 for March: January has incidents, February none
    raw = rows(
        [
            ("2018-01", GROUP, 3, "drugs"),
            ("2018-01", LONER, 1, "drugs"),
            ("2018-03", GROUP, 2, "drugs"),
            ("2018-03", LONER, 1, "drugs"),
        ]
    )
    ev = evaluate_methods(raw, two_wards, S, window_months=2, permutations=0)
    assert ev.folds == [Fold(("2018-01", "2018-02"), "2018-03")]
    assert any("last month of fit window 2018-01..2018-02" in w for w in ev.warnings)
    t = ev.table.set_index(["method", c.WARD_CODE])
    naive = t.loc[("naive", ALL_WARDS)]
    # not silently replaced by the whole window's busiest cells: nothing marked
    assert (naive["area_m2"], naive["n_hits"], naive["n_areas"]) == (0, 0, 0)
    kde = t.loc[("kde", ALL_WARDS)]
    assert kde["area_m2"] == 2500 and kde["n_hits"] == 2  # the window itself still counts


def test_one_fold_has_no_spread(two_wards):
    raw = rows([("2018-01", GROUP, 3, "drugs"), ("2018-02", GROUP, 2, "drugs")])
    ev = evaluate_methods(raw, two_wards, S, window_months=1, permutations=0)
    text = summary_text(ev.summary)
    assert text["PAI"].str.endswith("± n/a").all()
    assert not text["Hit rate"].str.contains("± 0.0").any()


def test_stability_skipped_for_windows_with_no_new_data(two_wards):
    raw = rows(
        [
            ("2018-01", GROUP, 3, "drugs"),
            ("2018-02", GROUP, 2, "drugs"),
            ("2018-03", GROUP, 2, "drugs"),
        ]
    )
    # both test months fitted on January alone: the second window adds nothing
    ev = evaluate_methods(
        raw,
        two_wards,
        S,
        window_months=1,
        permutations=0,
        test_months=["2018-02", "2018-03"],
        fit_months=["2018-01"],
    )
    assert [f.fit_months for f in ev.folds] == [("2018-01",), ("2018-01",)]
    assert ev.stability.empty
    assert any("not measured: the later window adds no incidents" in w for w in ev.warnings)
    # rolling windows that do add incidents are measured
    rolled = evaluate_methods(raw, two_wards, S, window_months=1, permutations=0)
    assert len(rolled.stability[rolled.stability[c.WARD_CODE] == ALL_WARDS]) == 1
    assert not any("not measured" in w for w in rolled.warnings)

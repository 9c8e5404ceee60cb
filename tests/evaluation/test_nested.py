"""Nested selection: the written rule, and a choice that never reads its own test month."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from geo import columns as c
from geo.errors import ValidationError
from geo.evaluation import (
    ALL_WARDS,
    Candidate,
    Fold,
    candidate_grid,
    choose_setting,
    nested_choices,
    nested_evaluation,
    rule_text,
)

from .builders import X0, Y0, rows, unit_settings

A = (X0 + 300, Y0 + 300)
B = (X0 + 350, Y0 + 300)  # 50 m east of A: inside eps 60, outside eps 20


def history(*cands: tuple[float, int, str, float, float], month: str = "2018-02") -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"test_month": month, "eps_m": e, "min_samples": m, "shape": s, "buffer_m": 25.0}
            | {"hit_rate": h, "area_share": a, "n_hotspots": 1, "pai": h / a}
            for e, m, s, h, a in cands
        ]
    )


def test_rule_picks_highest_hit_rate_within_the_area_share():
    h = history(
        (60, 5, "hull", 0.40, 0.0060),  # the best hit rate, but over 0.5 % of the area
        (40, 10, "hull", 0.25, 0.0040),
        (30, 10, "discs", 0.25, 0.0030),  # same hit rate, smaller area: wins the tie
        (30, 15, "hull", 0.20, 0.0010),
    )
    assert choose_setting(h) == Candidate(30, 10, "discs", 25)
    assert choose_setting(h, max_area_share=0.007) == Candidate(60, 5, "hull", 25)
    assert choose_setting(h, max_area_share=0.0005) is None
    assert choose_setting(h.iloc[:0]) is None
    # means over the folds read: (0.1 + 0.5) / 2 = 0.3 beats 0.25
    two = pd.concat([h, history((40, 10, "hull", 0.1, 0.004), month="2018-03")])
    two.loc[(two["eps_m"] == 40) & (two["test_month"] == "2018-02"), "hit_rate"] = 0.5
    assert choose_setting(two) == Candidate(40, 10, "hull", 25)
    assert "at most 0.5 %" in rule_text()


def test_choices_read_only_earlier_folds():
    folds = [Fold((f"2018-0{i}",), f"2018-0{i + 1}") for i in range(1, 6)]
    scores = pd.concat(
        [history((30, 10, "hull", 0.1 * i, 0.001), month=f.test_month) for i, f in enumerate(folds)]
    )
    seen: list[tuple[str, set[str]]] = []

    def spy(h: pd.DataFrame, **kw: float) -> Candidate | None:
        seen.append((current[0], set(h["test_month"])))
        return choose_setting(h, **kw)

    current = [""]
    for f in folds:
        current[0] = f.test_month
        out = nested_choices(scores, [f], rule=spy, min_history=1)
        assert out["n_history"].iloc[0] == sum(g.test_month < f.test_month for g in folds)
    assert seen  # the rule was called
    for test_month, months in seen:
        assert months and max(months) < test_month
    out = nested_choices(scores, folds, min_history=2)
    assert list(out["n_history"]) == [0, 1, 2, 3, 4]
    assert out["eps_m"].isna().tolist() == [True, True, False, False, False]


def poison_rows(poisoned: bool) -> pd.DataFrame:
    """Jan: A x3, B x1. Feb: A x3. Mar: A x3, B x1. Apr: A x3 (+ B x20 when poisoned).

    Window 1. Feb and Mar as test months tie eps 20 and eps 60 on hit rate, and eps 20 marks
    less area, so the rule picks eps 20 for April. Twenty incidents at B in April, which only
    eps 60's hotspot (A and B, fitted on March) covers, would make eps 60 the choice of anyone
    who read April.
    """
    spec = [("2018-01", A, 3, "drugs"), ("2018-01", B, 1, "drugs"), ("2018-02", A, 3, "drugs")]
    spec += [("2018-03", A, 3, "drugs"), ("2018-03", B, 1, "drugs"), ("2018-04", A, 3, "drugs")]
    if poisoned:
        spec.append(("2018-04", B, 20, "drugs"))
    return rows(spec)


def small_nested(two_wards, *, poisoned: bool):
    """The nested selection of two eps_m on the two-ward rows (fast: no fine baselines)."""
    return nested_evaluation(
        poison_rows(poisoned),
        two_wards,
        unit_settings(eps_m=20, min_samples=3),
        eps_values=[20, 60],
        min_samples_values=[3],
        shapes=["hull"],
        max_area_share=1.0,
        window_months=1,
        fine_baselines=False,
        permutations=0,
    )


@pytest.mark.parametrize("poisoned", [False, True])
def test_poisoned_test_month_does_not_change_its_choice(two_wards, poisoned):
    result = small_nested(two_wards, poisoned=poisoned)
    ch = result.choices.set_index("test_month")
    assert ch.loc["2018-04", "eps_m"] == 20  # chosen on February and March only
    assert ch.loc["2018-04", "n_history"] == 2
    assert math.isnan(ch.loc["2018-02", "eps_m"])  # nothing before the first fold
    t = result.nested.table
    d = t[(t["method"] == "dbscan") & (t[c.WARD_CODE] == ALL_WARDS)].set_index("test_month")
    assert d.loc["2018-04", "setting"] == "20 m / 3, hull"
    # the poison is strong enough to change a choice that reads April
    in_sample = choose_setting(result.scores, max_area_share=1.0)
    assert in_sample == Candidate(60 if poisoned else 20, 3, "hull", 25)
    # the recommendation for May reads every fold, April included
    r = result.recommendation
    assert r is not None
    assert (r.next_month, r.n_history, r.candidate) == ("2018-05", 3, in_sample)
    assert r.min_samples_per_month == 3  # 3 per 1-month window
    # the fixed settings are scored on the same test months
    assert [f.test_month for f in result.fixed.folds] == ["2018-03", "2018-04"]


def test_candidate_grid_checks_every_value():
    assert candidate_grid([30, 60], [10], ["hull", "discs"]) == [
        Candidate(30, 10, "hull"),
        Candidate(30, 10, "discs"),
        Candidate(60, 10, "hull"),
        Candidate(60, 10, "discs"),
    ]
    with pytest.raises(ValidationError, match="shape"):
        candidate_grid([30], [10], ["square"])
    with pytest.raises(ValidationError, match="eps_m"):
        candidate_grid([-5], [10])
    assert candidate_grid([30], [10], ["discs"], buffers=[10, 25]) == [
        Candidate(30, 10, "discs", 10),
        Candidate(30, 10, "discs", 25),
    ]
    assert Candidate(30, 10, "discs", 10).label == "30 m / 10, discs 10 m"
    with pytest.raises(ValidationError, match="hull_buffer_m"):
        candidate_grid([30], [10], buffers=[0])


def test_nested_months_name_what_each_choice_read(two_wards):
    from geo.evaluation import nested_months, per_month_text

    result = small_nested(two_wards, poisoned=False)
    table = nested_months(result)
    # February has no earlier fold: no choice, no row
    assert table["Test month"].tolist() == ["2018-03", "2018-04"]
    assert table["Chosen from"].tolist() == ["2018-02", "2018-02 to 2018-03"]
    assert table["Setting chosen"].tolist() == ["20 m / 3", "20 m / 3"]
    pais = per_month_text(result.nested.table).set_index("Month")
    want = pais.loc[["2018-03", "2018-04"], "DBSCAN hotspots"].tolist()
    assert table["DBSCAN PAI"].tolist() == want
    # no other method marked this tiny area: no column to compare with
    assert list(table.columns) == [
        "Test month",
        "Chosen from",
        "Setting chosen",
        "DBSCAN PAI",
    ]

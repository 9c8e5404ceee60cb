"""The recommendation for the next month: the written rule applied to every fold."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.evaluation import (
    Candidate,
    Fold,
    choose_setting,
    month_after,
    nested_choices,
    per_month_rate,
    recommend_setting,
)
from geo.settings import MIN_SAMPLES_FLOOR, Settings, scaled_min_samples
from geo.settings_toml import settings_from_toml


def scores(*rows: tuple[str, float, int, str, float, float]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"test_month": m, "eps_m": e, "min_samples": n, "shape": s, "buffer_m": 25.0}
            | {"n_hotspots": 1, "area_share": a, "hit_rate": h, "pai": h / a}
            for m, e, n, s, h, a in rows
        ]
    )


# 40 m / 10 marks 0.6 % in February (over the 0.5 % limit), 0.3 % in March: its mean is
# 0.45 % once March is read, and its hit rate beats 30 m / 10 in both months.
HAND = scores(
    ("2018-02", 30, 10, "hull", 0.20, 0.004),
    ("2018-02", 40, 10, "hull", 0.30, 0.006),
    ("2018-03", 30, 10, "hull", 0.22, 0.004),
    ("2018-03", 40, 10, "hull", 0.30, 0.003),
    ("2018-03", 60, 5, "hull", 0.60, 0.020),
)


def test_hand_made_scores_give_the_known_answer():
    r = recommend_setting(HAND, window_months=3)
    assert r is not None
    assert r.candidate == Candidate(40, 10, "hull", 25)
    assert (r.next_month, r.n_history, r.first_month, r.last_month) == (
        "2018-04",
        2,
        "2018-02",
        "2018-03",
    )
    assert r.history_hit_rate == pytest.approx(0.30)
    assert r.history_area_share == pytest.approx(0.0045)
    assert r.min_samples_per_month == 3.33
    # March's own choice read February only, where 40 m marked too much: 30 m
    march = nested_choices(HAND, [Fold(("2018-02",), "2018-03")]).iloc[0]
    assert (march["eps_m"], march["min_samples"]) == (30, 10)
    # a stricter limit leaves 30 m; a looser one lets 60 m / 5 in
    tight = recommend_setting(HAND, window_months=3, max_area_share=0.004)
    assert tight is not None and tight.candidate == Candidate(30, 10, "hull", 25)
    loose = recommend_setting(HAND, window_months=1, max_area_share=0.05)
    assert loose is not None and loose.candidate == Candidate(60, 5, "hull", 25)
    assert loose.min_samples_per_month == 5


def test_it_is_the_rule_on_every_fold_and_a_later_test_months_choice():
    months = [f"2018-{m:02d}" for m in range(2, 9)]
    rows = []
    for i, m in enumerate(months):  # the best setting changes from month to month
        rows += [
            (m, 30, 10, "hull", 0.2 + 0.01 * (i % 3), 0.004),
            (m, 40, 10, "hull", 0.21 + 0.02 * (i % 2), 0.0048 + 0.0001 * i),
            (m, 40, 10, "discs", 0.21 + 0.02 * (i % 2), 0.004),
            (m, 60, 15, "hull", 0.25, 0.0052 if i < 6 else 0.0035),
        ]
    s = scores(*rows)
    r = recommend_setting(s, window_months=3)
    assert r is not None
    assert r.candidate == choose_setting(s)  # every fold read
    folds = [Fold((), m) for m in months] + [Fold((), "2018-09")]
    later = nested_choices(s, folds).iloc[-1]  # a test month after the last fold
    assert later["n_history"] == r.n_history == len(months)
    assert (
        Candidate(later["eps_m"], int(later["min_samples"]), later["shape"], later["buffer_m"])
        == r.candidate
    )
    assert later["history_hit_rate"] == pytest.approx(r.history_hit_rate)
    # the last month brings 60 m / 15 within the limit (mean 0.50 % over 7 months, 0.52 %
    # over 6): the last fold, which could not read its own month, was given 40 m / 10 discs
    assert r.candidate == Candidate(60, 15, "hull", 25)
    assert choose_setting(s[s["test_month"] < "2018-08"]) == Candidate(40, 10, "discs", 25)
    # the rule it applies is the one passed
    seen: list[set[str]] = []

    def spy(h: pd.DataFrame, **kw: float) -> Candidate | None:
        seen.append(set(h["test_month"]))
        return choose_setting(h, **kw)

    assert recommend_setting(s, window_months=3, rule=spy) == r
    assert seen == [set(months)]


def test_no_recommendation_without_a_qualifying_setting_or_history():
    assert recommend_setting(HAND.iloc[:0], window_months=3) is None
    assert recommend_setting(HAND, window_months=3, max_area_share=0.001) is None
    assert recommend_setting(HAND, window_months=3, min_history=3) is None
    assert recommend_setting(HAND, window_months=3, min_history=2) is not None


def test_per_month_rate_gives_the_count_back():
    assert per_month_rate(10, 3) == 3.33
    assert per_month_rate(15, 9) == 1.67
    assert per_month_rate(20, 6) == 3.33
    assert per_month_rate(10, 1) == 10
    assert per_month_rate(2, 3) == 0.67  # below the floor: no rate gives 2 back
    for window in range(1, 25):
        for count in range(MIN_SAMPLES_FLOOR, 120):
            assert scaled_min_samples(per_month_rate(count, window), window) == count


def test_month_after():
    assert month_after("2018-11") == "2018-12"
    assert month_after("2018-12") == "2019-01"
    assert month_after("2019-01") == "2019-02"


def test_the_snippet_reads_back_as_the_recommended_settings():
    r = recommend_setting(HAND, window_months=3)
    assert r is not None
    text = r.toml()
    assert "[clustering]" in text and "at most 0.5 %" in text
    s = settings_from_toml(text)
    assert (s.eps_m, s.min_samples, s.min_samples_per_month) == (40, None, 3.33)
    assert s.hull_buffer_m == 25
    assert s.min_samples_for(3) == 10
    assert r.settings() == s
    assert r.settings(Settings(trend_months=2)).trend_months == 2
    assert "eps_m 40, min_samples 10 per 3-month window" in r.sentence
    assert "not itself tested" in r.sentence
    discs = recommend_setting(
        scores(("2018-02", 30, 10, "discs", 0.3, 0.003), ("2018-02", 30, 10, "hull", 0.3, 0.004)),
        window_months=3,
    )
    assert discs is not None and discs.candidate.shape == "discs"
    assert "the pipeline draws buffered hulls" in discs.toml()
    assert settings_from_toml(discs.toml()).eps_m == 30

"""The setting recommended for the next month: the written rule applied to every fold.

The nested selection (:mod:`geo.evaluation.nested`) chooses each test month's setting from
the folds before it. For the month after the data there are no test incidents yet, so every
fold is history: the same rule (:data:`~geo.evaluation.SELECTION_RULE`) applied to all of
them gives the setting to use next (:func:`recommend_setting`). That choice reads every
reported month, so it is not itself tested; the nested per-month figures are the evidence
for the rule that produced it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from geo.evaluation.candidates import (
    MAX_AREA_SHARE,
    Candidate,
    choose_setting,
    nested_choices,
    rule_text,
)
from geo.evaluation.folds import Fold
from geo.settings import MIN_SAMPLES_FLOOR, Settings, scaled_min_samples

__all__ = ["Recommendation", "month_after", "per_month_rate", "recommend_setting"]


def month_after(month: str) -> str:
    """The calendar month after ``YYYY-MM``: ``month_after("2018-12") == "2019-01"``."""
    year, mon = int(month[:4]), int(month[5:7])
    return f"{year + mon // 12:04d}-{mon % 12 + 1:02d}"


def per_month_rate(min_samples: int, window_months: int) -> float:
    """``min_samples`` over a ``window_months`` window stated per month, as short as it can be.

    The fewest decimals (2 to 6) whose rate gives ``min_samples`` back over ``window_months``
    (:func:`geo.settings.scaled_min_samples`): ``per_month_rate(10, 3) == 3.33`` (3.33 x 3 =
    9.99, rounded 10). Below :data:`geo.settings.MIN_SAMPLES_FLOOR` no rate gives the count
    back; the rate is then ``min_samples / window_months`` to 2 decimals.
    """
    exact = min_samples / window_months
    if min_samples >= MIN_SAMPLES_FLOOR:
        for decimals in range(2, 7):
            rate = round(exact, decimals)
            if rate > 0 and scaled_min_samples(rate, window_months) == min_samples:
                return rate
    return round(exact, 2) if round(exact, 2) > 0 else exact


@dataclass(frozen=True)
class Recommendation:
    """The setting the written rule picks from every fold, for the month after the last one.

    Attributes
    ----------
    next_month
        The month after the last test month (``YYYY-MM``), the first month no fold has seen.
    n_history
        Folds the rule read (all of them).
    first_month, last_month
        The first and the last test month read.
    candidate
        The chosen ``eps_m``, ``min_samples`` (a count over one fit window), shape and buffer.
    window_months
        Months of each fit window, which ``min_samples`` was counted over.
    min_samples_per_month
        :attr:`candidate` ``.min_samples`` stated per month (:func:`per_month_rate`).
    history_hit_rate, history_area_share
        The choice's mean hit rate and area share over the folds read (in sample).
    rule
        The selection rule in words.

    """

    next_month: str
    n_history: int
    first_month: str
    last_month: str
    candidate: Candidate
    window_months: int
    min_samples_per_month: float
    history_hit_rate: float
    history_area_share: float
    rule: str

    def settings(self, base: Settings | None = None) -> Settings:
        """``base`` (default :class:`Settings`) with the recommended eps_m, rate and buffer."""
        k = self.candidate
        s = (base or Settings()).replace(
            eps_m=k.eps_m, min_samples_per_month=self.min_samples_per_month
        )
        return s if k.buffer_m is None else s.replace(hull_buffer_m=k.buffer_m)

    @property
    def sentence(self) -> str:
        """The recommendation in words, with the evidence it rests on."""
        k = self.candidate
        buffer = "" if k.buffer_m is None else f", buffer {k.buffer_m:g} m"
        return (
            f"Recommended for {self.next_month} (the rule on all {self.n_history} folds, "
            f"test months {self.first_month}..{self.last_month}): eps_m {k.eps_m:g}, "
            f"min_samples {k.min_samples} per {self.window_months}-month window = "
            f"min_samples_per_month {self.min_samples_per_month:g}, {k.shape}{buffer} "
            f"(mean hit rate {100 * self.history_hit_rate:.1f} %, area share "
            f"{100 * self.history_area_share:.2f} % on those folds; chosen on every reported "
            "month, so not itself tested: the nested per-month figures are its evidence)."
        )

    def toml(self) -> str:
        """A settings TOML snippet (``[clustering]``) to paste into a settings file."""
        k = self.candidate
        lines = [
            f"# Recommended for {self.next_month} by the selection rule on all "
            f"{self.n_history} folds ({self.first_month}..{self.last_month}):",
            f"# {self.rule}.",
            f"# eps_m {k.eps_m:g}, min_samples {k.min_samples} per {self.window_months}-month "
            f"window, {k.shape}; mean hit rate {100 * self.history_hit_rate:.1f} %, area share "
            f"{100 * self.history_area_share:.2f} % on those folds (in sample).",
        ]
        if k.shape != "hull":
            lines.append(
                f"# The {k.shape} shape is an evaluation option: the pipeline draws buffered "
                "hulls (tune --shapes hull gives a setting it draws as evaluated)."
            )
        lines += [
            "[clustering]",
            f"eps_m = {float(k.eps_m)!r}",
            f"min_samples_per_month = {self.min_samples_per_month!r}  "
            f"# {k.min_samples} per {self.window_months} months",
        ]
        if k.buffer_m is not None:
            lines.append(f"hull_buffer_m = {float(k.buffer_m)!r}")
        return "\n".join(lines) + "\n"


def recommend_setting(
    scores: pd.DataFrame,
    *,
    window_months: int,
    max_area_share: float = MAX_AREA_SHARE,
    min_history: int = 1,
    rule: Callable[..., Candidate | None] | None = None,
) -> Recommendation | None:
    """The rule's choice for the month after the last fold, every fold being history.

    Exactly the choice :func:`geo.evaluation.nested_choices` makes for a test month after
    the last fold of ``scores`` (it is computed that way), so it reads every scored month.
    ``min_samples`` is stated per month (:func:`per_month_rate`) so the recommendation can
    be used on windows of any length.

    Parameters
    ----------
    scores
        :func:`geo.evaluation.score_candidates` rows (``test_month``, ``eps_m``,
        ``min_samples``, ``shape``, ``buffer_m``, ``hit_rate``, ``area_share``, ...).
    window_months
        Months of each fit window, to state ``min_samples`` per month.
    max_area_share, min_history, rule
        As for :func:`geo.evaluation.nested_choices` (default rule
        :func:`geo.evaluation.choose_setting`).

    Returns
    -------
    Recommendation or None
        None when ``scores`` is empty, has fewer than ``min_history`` folds, or no
        candidate qualifies.

    """
    if scores.empty:
        return None
    months = sorted(scores["test_month"].astype(str).unique())
    nxt = month_after(months[-1])
    row = nested_choices(
        scores,
        [Fold((), nxt)],
        max_area_share=max_area_share,
        min_history=min_history,
        rule=rule or choose_setting,
    ).iloc[0]
    if not isinstance(row["shape"], str) or math.isnan(float(row["eps_m"])):
        return None
    ms = int(row["min_samples"])
    return Recommendation(
        next_month=nxt,
        n_history=int(row["n_history"]),
        first_month=months[0],
        last_month=months[-1],
        candidate=Candidate(float(row["eps_m"]), ms, str(row["shape"]), float(row["buffer_m"])),
        window_months=window_months,
        min_samples_per_month=per_month_rate(ms, window_months),
        history_hit_rate=float(row["history_hit_rate"]),
        history_area_share=float(row["history_area_share"]),
        rule=rule_text(max_area_share),
    )

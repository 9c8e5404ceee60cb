"""The candidate settings of the nested selection and the written rule that chooses among them."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from geo.errors import ValidationError
from geo.evaluation.folds import SHAPES, Fold
from geo.settings import Settings

__all__ = [
    "CANDIDATE_COLUMNS",
    "CHOICE_COLUMNS",
    "MAX_AREA_SHARE",
    "SELECTION_RULE",
    "Candidate",
    "candidate_grid",
    "choose_setting",
    "nested_choices",
    "rule_text",
]


#: The largest mean area share a chosen setting may mark on the earlier folds.
MAX_AREA_SHARE = 0.005

#: The selection rule, in words (README and command output quote it).
SELECTION_RULE = (
    "highest mean hit rate over the folds before the test month, among the settings whose "
    "mean area share on those folds is at most {share}; ties go to the smaller area share, "
    "then the smaller eps_m, the larger min_samples, the hull shape and the larger buffer"
)

#: Columns of :func:`score_candidates`.
CANDIDATE_COLUMNS: tuple[str, ...] = (
    "test_month",
    "eps_m",
    "min_samples",
    "shape",
    "buffer_m",
    "n_hotspots",
    "area_share",
    "hit_rate",
    "pai",
)

#: Columns of :attr:`NestedResult.choices`.
CHOICE_COLUMNS: tuple[str, ...] = (
    "test_month",
    "n_history",
    "eps_m",
    "min_samples",
    "shape",
    "buffer_m",
    "history_hit_rate",
    "history_area_share",
)


@dataclass(frozen=True)
class Candidate:
    """One DBSCAN setting to try: ``eps_m``, ``min_samples``, the hotspot shape and buffer.

    ``buffer_m`` is the hotspots' ``hull_buffer_m`` (the disc radius for ``"discs"``); None
    keeps the settings' own.
    """

    eps_m: float
    min_samples: int
    shape: str = "hull"
    buffer_m: float | None = None

    @property
    def label(self) -> str:
        """E.g. ``"30 m / 10, hull"`` or ``"30 m / 10, discs 15 m"``."""
        buffer = "" if self.buffer_m is None else f" {self.buffer_m:g} m"
        return f"{self.eps_m:g} m / {self.min_samples}, {self.shape}{buffer}"

    def settings(self, base: Settings) -> Settings:
        """``base`` with this candidate's values (ward overrides dropped)."""
        s = base.replace(ward_overrides={}, eps_m=self.eps_m, min_samples=self.min_samples)
        return s if self.buffer_m is None else s.replace(hull_buffer_m=self.buffer_m)


def rule_text(max_area_share: float = MAX_AREA_SHARE) -> str:
    """:data:`SELECTION_RULE` with its area-share limit filled in."""
    return SELECTION_RULE.format(share=f"{100 * max_area_share:g} %")


def candidate_grid(
    eps_values: Sequence[float],
    min_samples_values: Sequence[int],
    shapes: Sequence[str] = ("hull",),
    *,
    buffers: Sequence[float] | None = None,
    base: Settings | None = None,
) -> list[Candidate]:
    """Every ``eps_m`` × ``min_samples`` × shape (× ``buffers``), each checked as a setting."""
    settings = base or Settings()
    problems: list[str] = []
    if not eps_values or not min_samples_values or not shapes:
        problems.append("tuning needs at least one eps_m, one min_samples and one shape")
    for shape in shapes:
        if shape not in SHAPES:
            problems.append(f"The 'shape' option must be one of {SHAPES}. Got {shape!r}.")
    out = []
    buffer_list: list[float | None] = [None] if not buffers else [float(b) for b in buffers]
    for e in eps_values:
        for m in min_samples_values:
            for b in buffer_list:
                try:
                    Candidate(float(e), int(m), "hull", b).settings(settings)
                except ValidationError as exc:
                    problems += [p for p in exc.problems if p not in problems]
                out += [Candidate(float(e), int(m), s, b) for s in shapes]
    if problems:
        raise ValidationError(problems)
    return out


def choose_setting(
    history: pd.DataFrame, *, max_area_share: float = MAX_AREA_SHARE
) -> Candidate | None:
    """The setting the written rule (:data:`SELECTION_RULE`) picks from ``history``.

    ``history`` holds :func:`score_candidates` rows of the folds the choice may read. The
    mean hit rate and area share of each candidate are taken over those folds; candidates
    over ``max_area_share`` are out; the highest mean hit rate wins, ties to the smaller
    area share, the smaller ``eps_m``, the larger ``min_samples``, "hull", then the larger
    buffer. ``None`` when no candidate qualifies.
    """
    if history.empty:
        return None
    g = history.groupby(["eps_m", "min_samples", "shape", "buffer_m"], sort=True)[
        ["hit_rate", "area_share"]
    ].mean()
    g = g[(g["area_share"] <= max_area_share) & g["hit_rate"].notna()].reset_index()
    if g.empty:
        return None
    g["_shape"] = g["shape"].map({s: i for i, s in enumerate(SHAPES)})
    g = g.sort_values(
        ["hit_rate", "area_share", "eps_m", "min_samples", "_shape", "buffer_m"],
        ascending=[False, True, True, False, True, False],
        kind="stable",
    )
    top = g.iloc[0]
    return Candidate(
        float(top["eps_m"]), int(top["min_samples"]), str(top["shape"]), float(top["buffer_m"])
    )


def nested_choices(
    scores: pd.DataFrame,
    folds: Sequence[Fold],
    *,
    max_area_share: float = MAX_AREA_SHARE,
    min_history: int = 1,
    rule: Callable[..., Candidate | None] = choose_setting,
) -> pd.DataFrame:
    """For each fold, the setting ``rule`` picks from the folds whose test month is earlier.

    Only rows of ``scores`` with ``test_month`` before the fold's test month reach ``rule``
    (their fit windows are earlier still); folds with fewer than ``min_history`` earlier
    folds get no choice.

    Returns
    -------
    pandas.DataFrame
        One row per fold, :data:`CHOICE_COLUMNS`: ``test_month``, ``n_history`` (int, earlier
        folds read), ``eps_m``, ``min_samples``, ``shape``, ``buffer_m`` (the choice;
        NaN/None when none),
        ``history_hit_rate``, ``history_area_share`` (float, the choice's means over the
        earlier folds).

    """
    rows = []
    for fold in folds:
        history = scores.loc[scores["test_month"].astype(str) < fold.test_month]
        n = int(history["test_month"].nunique())
        pick = rule(history, max_area_share=max_area_share) if n >= min_history else None
        row: dict[str, Any] = {"test_month": fold.test_month, "n_history": n}
        if pick is None:
            row |= dict.fromkeys(CHOICE_COLUMNS[2:], math.nan) | {"shape": None}
        else:
            mine = history[
                (history["eps_m"] == pick.eps_m)
                & (history["min_samples"] == pick.min_samples)
                & (history["shape"] == pick.shape)
                & (history["buffer_m"] == pick.buffer_m)
            ]
            row |= {
                "eps_m": pick.eps_m,
                "min_samples": pick.min_samples,
                "shape": pick.shape,
                "buffer_m": pick.buffer_m,
                "history_hit_rate": float(mine["hit_rate"].mean()),
                "history_area_share": float(mine["area_share"].mean()),
            }
        rows.append(row)
    return pd.DataFrame(rows, columns=list(CHOICE_COLUMNS))

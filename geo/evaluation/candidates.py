"""The candidate settings of the nested selection and the written rule that chooses among them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from geo.errors import ValidationError
from geo.evaluation.folds import SHAPES
from geo.settings import Settings

__all__ = [
    "CANDIDATE_COLUMNS",
    "CHOICE_COLUMNS",
    "MAX_AREA_SHARE",
    "SELECTION_RULE",
    "Candidate",
    "candidate_grid",
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

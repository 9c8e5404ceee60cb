"""Per-row rejection messages, formatted lazily (used by :mod:`geo.validate` only)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def per_row(template: str, *cols: object) -> LazyMessages:
    """Format a message per row lazily (only rows that end up rejected are formatted)."""
    return LazyMessages(template, cols)


class LazyMessages:
    """Array-like of messages formatted only where indexed (keeps the 6M-row path cheap).

    Columns are arrays, Series, or :class:`Choice`/:class:`ByCode`; only the indexed
    rows are ever turned into Python objects.
    """

    def __init__(self, template: str, cols: tuple[object, ...]) -> None:
        self.template = template
        self.cols = cols

    def __getitem__(self, mask: np.ndarray) -> np.ndarray:
        idx = np.flatnonzero(mask)
        cols = [_take(col, idx) for col in self.cols]
        out = np.empty(len(idx), dtype=object)
        for j in range(len(idx)):
            out[j] = self.template.format(*(_show(col[j]) for col in cols))
        return out


class Choice:
    """Per row ``yes`` where ``mask`` else ``no``, built only for the rows asked for."""

    def __init__(self, mask: np.ndarray, yes: str, no: str) -> None:
        self.mask, self.yes, self.no = mask, yes, no

    def take(self, idx: np.ndarray) -> np.ndarray:
        return np.where(self.mask[idx], self.yes, self.no)


class ByCode:
    """Per row ``values[codes]`` (distinct values and a code per row), built on demand."""

    def __init__(self, values: np.ndarray, codes: np.ndarray) -> None:
        self.values, self.codes = values, codes

    def take(self, idx: np.ndarray) -> np.ndarray:
        out: np.ndarray = self.values[self.codes[idx]]
        return out


def _take(col: object, idx: np.ndarray) -> np.ndarray:
    if isinstance(col, Choice | ByCode):
        return col.take(idx)
    if isinstance(col, pd.Series):
        return col.iloc[idx].to_numpy(dtype=object)
    out: np.ndarray = np.asarray(col)[idx]
    return out


def _show(v: object) -> object:
    if isinstance(v, float | np.floating):
        return np.format_float_positional(float(v), trim="-")
    return v

"""Array helpers the stages share: the frame's text dtype, text taken by position, 64-bit mixing.

Millions of incidents carry a few thousand distinct texts (wards, months, categories); these
helpers keep such columns in pandas' Arrow-backed text without a Python string per row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from pandas.arrays import ArrowStringArray

__all__ = ["MIX", "TEXT_DTYPE", "column_values", "take_text"]

#: The dtype a new frame gives a column of Python strings (``str`` in pandas 3).
TEXT_DTYPE = pd.Series(np.array([""], dtype=object)).dtype

#: Odd 64-bit multipliers that mix several 64-bit values into one number (hash keys).
MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9))


def column_values(s: pd.Series) -> object:
    """Column values for a new frame, as ``s.to_numpy(dtype=object)`` would give them.

    Text columns already of the frame's text dtype, and categorical columns, are passed on
    as they are (no round trip through millions of Python strings).
    """
    if len(s) and s.dtype == TEXT_DTYPE and not s.hasnans:
        return s.array
    if isinstance(s.dtype, pd.CategoricalDtype):  # repeated text stays a code per row
        return s.array
    return s.to_numpy(dtype=object)


def take_text(values: np.ndarray | pd.Series, at: np.ndarray) -> object:
    """``values[at]`` as a frame column: a few distinct texts repeated over many rows.

    Taken by pyarrow into Arrow text (the frame's ``str``) when ``values`` are all text or
    Arrow-backed text; otherwise (e.g. a missing value among Python objects) as an object
    array, which is what the frame would be given from ``values[at]``.
    """
    if len(at):
        if isinstance(values, pd.Series) and isinstance(values.array, ArrowStringArray):
            arrow = pa.array(values.array)
        elif not isinstance(values, pd.Series) and all(isinstance(v, str) for v in values):
            arrow = pa.array(values, type=pa.large_string())
        else:
            arrow = None
        if arrow is not None:
            return pd.array(arrow.take(pa.array(at)), dtype=TEXT_DTYPE)
    out: np.ndarray = np.asarray(values, dtype=object)[at]
    return out

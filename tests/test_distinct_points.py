"""Numbering distinct map points (geo.project.distinct_points) against plain sorting."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import geo.project as project
from geo.project import distinct_points

ROWS = st.lists(
    st.tuples(
        st.integers(0, 4),
        st.sampled_from([0.0, -0.0, 1.5, 2.0, 1e6, -3.25, 451234.5]),
        st.sampled_from([0.0, 7.0, -0.0, 2.5, 207001.25]),
    ),
    max_size=60,
)


def arrays(rows):
    code = np.array([r[0] for r in rows], dtype=np.int64)
    x = np.array([r[1] for r in rows], dtype=float)
    y = np.array([r[2] for r in rows], dtype=float)
    return code, x, y


def plain(code, x, y):
    """What pd.factorize of the (code, x, y) triples gives (-0.0 and 0.0 as one value)."""
    keys = [(int(k), float(a) + 0.0, float(b) + 0.0) for k, a, b in zip(code, x, y, strict=True)]
    number, _ = pd.factorize(pd.Series(keys, dtype=object))
    first = [keys.index(k) for k in dict.fromkeys(keys)]
    return number.tolist(), first


@settings(max_examples=150, deadline=None)
@given(rows=ROWS)
def test_distinct_points_number_as_factorize_would(rows):
    code, x, y = arrays(rows)
    number, first = distinct_points(code, x, y)
    assert (number.tolist(), first.tolist()) == plain(code, x, y)
    assert number.dtype == np.int64 and first.dtype == np.int64


@settings(max_examples=80, deadline=None)
@given(rows=ROWS)
def test_distinct_points_stay_exact_when_every_point_mixes_to_one_number(rows):
    """Mixed numbers that collide (here all of them) fall back to sorting: never merged."""
    code, x, y = arrays(rows)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(project, "MIX", (np.uint64(0),) * 3)
        number, first = distinct_points(code, x, y)
    assert (number.tolist(), first.tolist()) == plain(code, x, y)


def test_whole_metre_points_are_numbered_without_the_sorting_fallback(monkeypatch):
    """Eastings/northings in whole metres mix to distinct numbers (the fast path).

    Their floats' low bits are all zero; a mix that kept them so collided hundreds of times
    at this size and sorted every row instead.
    """

    def refuse(*_args):
        raise AssertionError("mixed numbers collided: fell back to sorting")

    monkeypatch.setattr(project, "_distinct_points_by_sorting", refuse)
    gx, gy = np.meshgrid(np.arange(400_000, 408_000, 10), np.arange(150_000, 158_000, 10))
    x, y = gx.ravel().astype(float), gy.ravel().astype(float)
    rows = np.random.default_rng(1).integers(0, len(x), 2 * len(x))
    code = np.zeros(len(rows), dtype=np.int8)
    number, first = distinct_points(code, x[rows], y[rows])
    assert len(first) == len(np.unique(rows))
    assert np.array_equal(x[rows][first][number], x[rows])

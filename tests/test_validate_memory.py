"""Validation's low-memory paths give what the plain computations give.

The duplicate-id search sorts Arrow text instead of factorizing every id; ids and dates are
only stripped when some value has surrounding space; raw columns are dropped from
validation's own shallow copy as they are used, never from the caller's frame.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo import columns as c
from geo.io import read_incident_csv
from geo.settings import Settings
from geo.validate import _duplicates, _duplicates_by_factorize, _stripped, validate_incidents

HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
    "Crime type,Last outcome category,Context\n"
)


def _text(values: list[str]) -> pd.Series:
    return pd.Series(pd.array(values, dtype="str"))


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("n_kinds", [1, 2])
def test_duplicates_match_a_factorized_search(seed: int, n_kinds: int) -> None:
    rng = np.random.default_rng(seed)
    n = 3000
    ids = _text([f"id{v}" if v else "" for v in rng.integers(0, 400, n)])
    kind = _text(list(np.array(["police.uk", "local"])[rng.integers(0, n_kinds, n)]))
    has_id = (ids != "").to_numpy() & (rng.random(n) > 0.2)  # some rows already rejected
    got_pos, got_first = _duplicates(kind, ids, has_id)
    want_pos, want_first = _duplicates_by_factorize(kind, ids, has_id)
    assert len(want_pos) > 100
    np.testing.assert_array_equal(got_pos, want_pos)
    np.testing.assert_array_equal(got_first, want_first)
    # each repeated row names an earlier (or its own) row with the same kind and id
    assert (got_first <= got_pos).all()
    assert (ids.to_numpy()[got_first] == ids.to_numpy()[got_pos]).all()
    assert (kind.to_numpy()[got_first] == kind.to_numpy()[got_pos]).all()


def test_duplicates_without_repeats_and_with_missing_ids() -> None:
    ids = _text(["a", "b", "c"])
    kind = _text(["local"] * 3)
    pos, first = _duplicates(kind, ids, np.ones(3, dtype=bool))
    assert len(pos) == 0 and len(first) == 0
    with_missing = pd.Series(pd.array(["a", None, "a", None], dtype="str"))
    has_id = (with_missing != "").to_numpy()
    got = _duplicates(_text(["local"] * 4), with_missing, has_id)
    want = _duplicates_by_factorize(_text(["local"] * 4), with_missing, has_id)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize(
    "values",
    [["a", "b"], [" a", "b"], ["a", "b\t"], ["a", "\u00a0b"], ["", "  "], ["a", None]],
)
def test_stripped_is_str_strip(values: list[str | None]) -> None:
    s = pd.Series(pd.array(values, dtype="str"))
    pd.testing.assert_series_equal(_stripped(s), s.astype(str).str.strip())
    obj = pd.Series(np.array(values, dtype=object))
    pd.testing.assert_series_equal(_stripped(obj), obj.astype(str).str.strip())


def test_stripped_keeps_text_that_needs_no_strip() -> None:
    s = pd.Series(pd.array(["abc", "def"], dtype="str"))
    assert _stripped(s).array is s.array


def test_validation_leaves_the_callers_frame_as_it_was() -> None:
    lines = [
        "a,2024-01,T,T,-1.25,51.75,On or near X,E01,O 1,Burglary,,",
        "a,2024-01,T,T,-1.25,51.75,On or near X,E01,O 1,Burglary,,",
        "b,2024-02,T,T,,,On or near X,E01,O 1,Burglary,,",
        ",2024-02,T,T,-1.24,51.74,On or near Y,E01,O 1,Anti-social behaviour,,",
    ]
    raw = read_incident_csv(("p.csv", (HEADER + "\n".join(lines) + "\n").encode()))
    before = raw.copy(deep=True)
    checked = validate_incidents(raw, Settings(), expected_bounds=(-1.3, 51.7, -1.15, 51.8))
    pd.testing.assert_frame_equal(raw, before)
    assert list(checked.accepted[c.INCIDENT_ID]) == ["a", "p.csv#5"]
    assert dict(zip(checked.rejected[c.ROW], checked.rejected[c.REASON], strict=True)) == {
        3: "duplicate id 'a' (first seen in p.csv row 2)",
        4: "missing coordinates (the incident could not be mapped)",
    }
    # handed over (no other reference): the same result
    again = validate_incidents(
        [before].pop(), Settings(), expected_bounds=(-1.3, 51.7, -1.15, 51.8)
    )
    pd.testing.assert_frame_equal(again.accepted, checked.accepted)
    pd.testing.assert_frame_equal(again.rejected, checked.rejected)

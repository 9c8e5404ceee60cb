"""Paired per-month differences with a t interval, only at the same area."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from geo import columns as c
from geo.errors import ValidationError
from geo.evaluation import ALL_WARDS, best_baseline, paired_difference


def table(values: dict[str, list[float]], shares: dict[str, float] | None = None) -> pd.DataFrame:
    rows = []
    for method, vs in values.items():
        for i, v in enumerate(vs):
            rows.append(
                {
                    "test_month": f"2018-0{i + 1}",
                    "method": method,
                    c.WARD_CODE: ALL_WARDS,
                    "pai": v,
                    "hit_rate": v / 100,
                    "area_share": (shares or {}).get(method, 0.01),
                    "resolution": "25 m discs at map points" if method != "kde" else "50 m cells",
                }
            )
    return pd.DataFrame(rows)


def test_paired_difference_by_hand():
    t = table({"dbscan": [10, 12, 14], "kde": [11, 11, 11], "naive": [9, 9, 9]})
    d = paired_difference(t, measure="pai")
    assert d.against == "kde"  # the best baseline by mean PAI
    assert d.months["difference"].tolist() == [-1, 1, 3]
    # mean 1, sd 2, n 3: half-width t(0.975, 2) * 2 / sqrt(3) = 4.302653 * 1.154701 = 4.968275
    assert d.mean == pytest.approx(1)
    assert d.low == pytest.approx(1 - 4.968275, abs=1e-5)
    assert d.high == pytest.approx(1 + 4.968275, abs=1e-5)
    assert (d.n_ahead, d.n) == (2, 3)
    assert d.reading == "level with"
    assert "level with Kernel density" in d.sentence()
    behind = paired_difference(table({"dbscan": [5, 6, 7], "kde": [11, 11, 12]}))
    assert behind.reading == "behind"
    # same resolution only: the map-point baseline, not kde
    assert best_baseline(t, measure="pai", same_resolution=True) == "naive"


def test_one_month_has_no_interval():
    d = paired_difference(table({"dbscan": [10], "kde": [8]}))
    assert math.isnan(d.low) and d.reading == "level with"
    assert "no interval with one month" in d.sentence()


def test_different_areas_are_not_compared():
    t = table({"dbscan": [10, 12], "kde": [20, 21]}, shares={"kde": 0.02})
    with pytest.raises(ValidationError, match="compare methods only at the same area"):
        paired_difference(t, against="kde")
    with pytest.raises(ValidationError, match="no baseline at dbscan's area"):
        best_baseline(t)

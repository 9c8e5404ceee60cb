"""Regression on the shipped real data: counts and hotspots stay as recorded."""

from __future__ import annotations

import pandas as pd
import pytest

from geo import columns as c
from geo.paths import FORCE_MONTH
from geo.pipeline import run_files
from geo.settings import Settings
from tests.helpers import DATA, ROOT

EXPECTED = ROOT / "tests" / "expected" / "shipped_hotspots_eps80_ms20.csv"
COLS = [
    "hotspot_id", "rank", "ward_code", "place", "n_incidents", "score", "n_locations", "kind",
    "first_month", "last_month", "recent_count", "previous_count", "trend",
]  # fmt: skip


@pytest.fixture(scope="module")
def shipped():
    return run_files(settings=Settings(eps_m=80, min_samples=20))


def test_shipped_counts_reconcile(shipped):
    assert shipped.counts.as_dict() == {
        "rows_read": 3707,
        "accepted": 3697,
        "rejected": 10,
        "invalid": 0,
        "outside_wards": 10,
        "filtered": 0,
        "clustered": 1990,
        "noise": 1707,
        "hotspots": 53,
    }
    # SOURCE.md: points inside the 7 wards per month
    per_month = shipped.incidents.groupby(c.MONTH).size().tolist()
    assert per_month == [378, 388, 447, 431, 436, 387, 397, 433, 400]


def test_shipped_hotspots_match_recorded_table(shipped):
    expected = pd.read_csv(EXPECTED, dtype={"first_month": str, "last_month": str})
    got = shipped.hotspots[COLS].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    assert set(shipped.hotspots[c.WARD_CODE]) <= set(shipped.wards[c.WARD_CODE])
    assert shipped.crs.to_epsg() == 27700


def test_force_month_outside_oxford_is_rejected_with_reasons():
    r = run_files(
        [FORCE_MONTH],
        DATA / "boundaries" / "oxford_wards_WD13_E07000178.geojson",
        Settings(eps_m=80, min_samples=20),
    )
    k = r.counts
    assert k.rows_read == 18188
    assert k.rows_read == k.accepted + k.rejected
    assert k.invalid == 1697  # police.uk rows with no coordinates
    assert k.outside_wards == 14976
    assert set(r.rejected[c.REASON]) == {
        "missing coordinates (the incident could not be mapped)",
        "outside every ward in the boundary file",
    }

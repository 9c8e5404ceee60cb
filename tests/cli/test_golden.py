"""Golden test: ``python -m geo hotspots`` on the shipped data writes what was recorded.

The expectations in ``tests/expected/cli_hotspots/`` come from ``scripts/record_expected.py``
(see its docstring for when to rerun it). A restructuring must leave every hotspot, count
and rejected row as it was.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from geo.cli import main
from tests.helpers import ROOT

EXPECTED = ROOT / "tests" / "expected" / "cli_hotspots"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("golden") / "out"
    assert main(["hotspots", "--out", str(folder), "--no-progress"]) == 0
    return folder


def test_hotspots_csv_is_as_recorded(out):
    got = pd.read_csv(out / "hotspots.csv", dtype={"first_month": str, "last_month": str})
    want = pd.read_csv(EXPECTED / "hotspots.csv", dtype={"first_month": str, "last_month": str})
    assert list(got.columns) == list(want.columns)
    assert len(want) > 0
    # IDs, ranks, wards, counts, categories and trends exactly; floats (scores, centroids,
    # areas) to 1e-9 relative (under a millimetre): GEOS/PROJ builds differ in the last bits
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-9, atol=1e-9)
    exact = [col for col in want.columns if want[col].dtype.kind not in "f"]
    pd.testing.assert_frame_equal(got[exact], want[exact], check_exact=True)


def test_summary_counts_are_as_recorded(out):
    got = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    want = json.loads((EXPECTED / "summary.json").read_text(encoding="utf-8"))
    assert want["counts"]["rows_read"] == 3707
    assert {key: got[key] for key in want} == want


def test_rejected_rows_are_as_recorded(out):
    def read(path: Path) -> pd.DataFrame:
        return pd.read_csv(path, dtype=str, keep_default_na=False)

    want = read(EXPECTED / "rejected.csv")
    assert len(want) == 10
    pd.testing.assert_frame_equal(read(out / "rejected.csv"), want)

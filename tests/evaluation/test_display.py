"""An evaluation as people read it: the per-ward table, stability in brief, CSV text."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from geo import columns as c
from geo import evaluation as ev


def summary() -> pd.DataFrame:
    nan = float("nan")
    return pd.DataFrame(
        {
            c.WARD_CODE: ["all", "E2", "E1", "E1"],
            c.WARD_NAME: ["All wards", "Cowley", "Blackbird Leys", "Blackbird Leys"],
            "method": ["dbscan", "dbscan", "kde", "dbscan"],
            "hit_rate_mean": [0.5, 0.25, 0.1, nan],
            "pai_mean": [10.0, 5.0, 2.0, nan],
            "pai_std": [1.0, 0.5, 0.25, nan],
            "rri_mean": [1.5, 1.25, 0.75, nan],
            "area_share_mean": [0.05, 0.02, 0.01, nan],
            "n_folds": [3, 3, 3, 0],
        }
    )


def test_ward_table_leaves_out_the_study_wide_rows_and_sorts_by_ward():
    table = ev.ward_table(summary())
    assert list(table.columns) == list(ev.WARD_TABLE_COLUMNS)
    assert list(table["Ward"]) == ["Blackbird Leys", "Blackbird Leys", "Cowley"]
    assert list(table["Method"]) == ["Kernel density", "DBSCAN hotspots", "DBSCAN hotspots"]
    assert table["Hit rate (%)"].tolist()[::2] == [10.0, 25.0]
    assert table["Area share (%)"].tolist()[::2] == [1.0, 2.0]
    assert table["PAI (mean)"].tolist()[::2] == [2.0, 5.0]
    assert np.isnan(table["PAI (std)"].iloc[1])  # nothing to test in that ward: left empty
    assert table["Months"].tolist() == [3, 0, 3]


def test_stability_overview_averages_the_study_wide_pairs():
    stability = pd.DataFrame(
        {
            c.WARD_CODE: ["all", "all", "E1"],
            "share_persisting": [0.5, 1.0, 0.0],
            "jaccard": [0.25, 0.5, 0.0],
        }
    )
    assert ev.stability_overview(stability) == ("75%", "0.38")
    assert ev.stability_overview(stability[stability[c.WARD_CODE] != "all"]) is None
    undefined = stability.assign(share_persisting=float("nan"), jaccard=float("nan"))
    assert ev.stability_overview(undefined) == ("n/a", "n/a")


def test_evaluation_csv_is_what_the_command_writes(tmp_path):
    frame = pd.DataFrame({"method": ["kde"], "pai": [1 / 3], "n": [7]})
    text = ev.evaluation_csv(frame)
    assert text == "method,pai,n\nkde,0.333333,7\n"
    assert pd.read_csv(io.StringIO(text))["n"].tolist() == [7]

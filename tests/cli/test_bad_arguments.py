"""Option values argparse lets through are refused with one line and exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.cli import main as cli_main


def test_negative_top_is_refused(capsys: pytest.CaptureFixture[str]):
    assert cli_main(["postbox", "next", "--top", "-1"]) == 2
    err = capsys.readouterr().err
    assert err == "error: --top must be a whole number >= 0. Got -1 instead.\n"


def test_ward_code_col_geometry_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path):
    code = cli_main(
        ["hotspots", "--no-progress", "--out", str(tmp_path), "--ward-code-col", "geometry"]
    )
    err = capsys.readouterr().err
    assert code == 2 and "the geometry column" in err and err.count("\n") == 1


def test_several_layers_need_layer(capsys: pytest.CaptureFixture[str], tmp_path: Path):
    import geopandas as gpd

    from geo.paths import DEFAULT_BOUNDARIES

    wards = gpd.read_file(DEFAULT_BOUNDARIES)
    gpkg = tmp_path / "w.gpkg"
    wards.iloc[:2].to_file(gpkg, layer="stale", driver="GPKG")
    wards.to_file(gpkg, layer="wards", driver="GPKG")
    base = ["hotspots", "--no-progress", "--out", str(tmp_path / "o"), "--boundaries", str(gpkg)]
    assert cli_main(base) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "'stale', 'wards'" in err and err.count("\n") == 1
    assert "UserWarning" not in err
    assert cli_main([*base, "--layer", "wards"]) == 0
    assert capsys.readouterr().out.startswith("3,707 rows read = 3,697 used")

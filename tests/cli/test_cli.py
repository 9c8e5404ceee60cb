"""The command line: outputs on shipped data and every error path (exit 2, one line)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import geopandas as gpd
import pandas as pd
import pytest

from geo.cli import main
from tests.helpers import DATA, ROOT


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "geo", *args], capture_output=True, text=True, cwd=ROOT, timeout=300
    )


def test_hotspots_on_shipped_data_writes_five_outputs(tmp_path):
    proc = run_cli("hotspots", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "3,707 rows read = 3,697 used + 10 set aside" in proc.stdout
    for name in ("hotspots.geojson", "hotspots.csv", "rejected.csv", "summary.json", "map.html"):
        assert (tmp_path / name).stat().st_size > 0
    summary = json.loads((tmp_path / "summary.json").read_text())
    k = summary["counts"]
    assert k["rows_read"] == k["accepted"] + k["rejected"] == 3707
    assert k["accepted"] == k["clustered"] + k["noise"]
    assert summary["settings"]["clustering"]["eps_m"] == 40.0
    gj = gpd.read_file(tmp_path / "hotspots.geojson")
    assert gj.crs.to_epsg() == 4326
    assert len(gj) == k["hotspots"] > 0
    assert set(gj.geom_type) <= {"Polygon", "MultiPolygon"}
    rej = pd.read_csv(tmp_path / "rejected.csv")
    assert list(rej.columns) == ["source_file", "row", "stage", "reason"]
    assert len(rej) == k["rejected"] == 10
    html = (tmp_path / "map.html").read_text()
    assert re.findall(r'<(?:script src|link rel="stylesheet" href)="https?://', html) == []
    assert "<script>" in html and "L.map(" in html
    assert html.count('"rank"') >= 1 and '"place"' in html  # the hotspot popups


def test_options_and_config_file(tmp_path):
    cfg = tmp_path / "s.toml"
    cfg.write_text('[clustering]\neps_m = 60\nmin_samples = 10\n[filters]\ninclude = ["asb"]\n')
    code = main(
        [
            "hotspots",
            str(DATA / "incidents" / "2018-06-thames-valley-street_se-oxford.csv"),
            "--config",
            str(cfg),
            "--eps-m",
            "70",
            "--since",
            "2018-06",
            "--out",
            str(tmp_path / "o"),
            "--no-progress",
        ]
    )
    assert code == 0
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["settings"]["clustering"]["eps_m"] == 70.0  # command line wins
    assert summary["settings"]["clustering"]["min_samples"] == 10  # from the file
    assert summary["settings"]["filters"]["include"] == ["asb"]
    assert summary["counts"]["rows_read"] == 431
    assert summary["inputs"]["incident_files"] == ["2018-06-thames-valley-street_se-oxford.csv"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["hotspots", "--eps-m", "-5"], "error: The 'eps_m' setting must be in (0, 5000] m"),
        (["hotspots", "--eps-m", "abc"], "argument --eps-m: invalid float value: 'abc'"),
        (["hotspots", "--since", "June"], "The 'since' setting must be a month YYYY-MM"),
        (["hotspots", "--categories", "drugz"], "Unknown category 'drugz'"),
        (["hotspots", "missing.csv"], "missing.csv: no such file or folder"),
        (["hotspots", "--boundaries", "nowhere.geojson"], "nowhere.geojson: no such boundary"),
        (["hotspots", "--config", "nowhere.toml"], "nowhere.toml: cannot read settings file"),
        (["nonsense"], "invalid choice: 'nonsense'"),
    ],
)
def test_error_paths_exit_2_with_one_line(args, message, capsys):
    with pytest.raises(SystemExit) as info:
        sys.exit(main(args))
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_bad_rows_file_names_file_and_row(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,value\nx,1\n")
    assert main(["hotspots", str(bad), "--out", str(tmp_path / "o")]) == 2
    assert "bad.csv: not a police.uk or local incident CSV" in capsys.readouterr().err
    nopoly = tmp_path / "pts.geojson"
    nopoly.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
        '{"WD13CD":"A"},"geometry":{"type":"Point","coordinates":[-1.2,51.7]}}]}'
    )
    assert main(["hotspots", "--boundaries", str(nopoly), "--out", str(tmp_path / "o")]) == 2
    assert "no polygon features (found Point)" in capsys.readouterr().err


def test_invalid_rows_are_reported_with_file_and_row(tmp_path):
    csv = tmp_path / "local.csv"
    csv.write_text(
        "id,date,category,easting,northing\n"
        "a,2018-07-01,needle_find,453300,203100\n"
        "b,2018-07-01,needle_find,,\n"
        "c,2018-07-01,teleporting,453300,203100\n"
    )
    assert main(["hotspots", str(csv), "--out", str(tmp_path / "o"), "--no-progress"]) == 0
    rej = pd.read_csv(tmp_path / "o" / "rejected.csv")
    assert rej.to_dict(orient="records") == [
        {
            "source_file": "local.csv",
            "row": 3,
            "stage": "invalid",
            "reason": "missing coordinates (the incident could not be mapped)",
        },
        {
            "source_file": "local.csv",
            "row": 4,
            "stage": "invalid",
            "reason": "unknown category 'teleporting'",
        },
    ]

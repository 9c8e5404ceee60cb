"""The same input given twice is read once, with a note saying so."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from geo.cli.main import main
from geo.io import incident_uploads, load_incidents
from geo.io.sources import READ_NOTES, unique_sources
from geo.pipeline import run_files

#: Two anti-social behaviour rows without a Crime ID (police.uk leaves it empty) and a crime.
POLICE = (
    "Crime ID,Month,Longitude,Latitude,Crime type\n"
    ",2018-06,-1.2150,51.7190,Anti-social behaviour\n"
    ",2018-06,-1.2151,51.7191,Anti-social behaviour\n"
    "abc123,2018-06,-1.2152,51.7192,Drugs\n"
)
LOCAL = "id,date,category,longitude,latitude\nL1,2018-06-01,drugs,-1.2150,51.7190\n"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "in"
    folder.mkdir()
    a = folder / "a.csv"
    a.write_text(POLICE, encoding="utf-8")
    b = folder / "b.csv"
    b.write_text(LOCAL, encoding="utf-8")
    copy = tmp_path / "copy_of_a.csv"
    shutil.copyfile(a, copy)
    return {"folder": folder, "a": a, "b": b, "copy": copy}


def test_a_file_given_twice_is_read_once(files):
    raw = load_incidents([files["a"], files["a"]])
    assert len(raw) == 3
    assert raw.attrs[READ_NOTES] == [f"{files['a']} given twice: read once"]


def test_three_times_says_so(files):
    raw = load_incidents([files["a"]] * 3)
    assert len(raw) == 3
    assert raw.attrs[READ_NOTES] == [f"{files['a']} given 3 times: read once"]


def test_a_folder_and_a_file_inside_it(files):
    raw = load_incidents([files["folder"], files["a"]])
    assert len(raw) == 4  # a.csv (3 rows) and b.csv (1 row), each once
    assert sorted(raw["source_file"].unique()) == ["a.csv", "b.csv"]
    assert raw.attrs[READ_NOTES] == [f"{files['a']} given twice: read once"]


def test_the_same_path_written_differently(files, monkeypatch):
    monkeypatch.chdir(files["folder"])
    raw = load_incidents(["a.csv", "./a.csv", str(files["a"])])
    assert len(raw) == 3
    assert raw.attrs[READ_NOTES] == ["a.csv given 3 times: read once"]


def test_a_copy_under_another_name_is_read_once(files):
    raw = load_incidents([files["a"], files["copy"]])
    assert len(raw) == 3
    assert raw.attrs[READ_NOTES] == [
        f"{files['copy']} has the same contents as {files['a']}: read once"
    ]


def test_the_same_bytes_uploaded_twice(files):
    data = files["a"].read_bytes()
    uploads = incident_uploads([("a.csv", data), ("a.csv", data), ("b.csv", LOCAL.encode())])
    raw = load_incidents(uploads)
    assert len(raw) == 4
    assert raw.attrs[READ_NOTES] == ["a-2.csv has the same contents as a.csv: read once"]


def test_different_files_of_equal_size_are_all_read(tmp_path):
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    one.write_text(POLICE, encoding="utf-8")
    two.write_text(POLICE.replace("abc123", "xyz789"), encoding="utf-8")
    assert one.stat().st_size == two.stat().st_size
    raw = load_incidents([one, two])
    assert len(raw) == 6
    assert raw.attrs[READ_NOTES] == []


def test_unique_sources_keeps_order_and_first(files):
    kept, notes = unique_sources(
        [files["b"], files["a"], files["b"], files["copy"]], [("up.csv", LOCAL.encode())]
    )
    assert kept == [files["b"], files["a"]]
    assert len(notes) == 3


def test_run_counts_each_row_once_and_notes_it(files):
    once = run_files([files["a"]])
    twice = run_files([files["a"], files["a"], files["copy"]])
    assert twice.counts.rows_read == once.counts.rows_read == 3
    assert twice.counts == once.counts
    assert len(twice.rejected) == len(once.rejected)
    assert twice.notes[:2] == [
        f"{files['a']} given twice: read once",
        f"{files['copy']} has the same contents as {files['a']}: read once",
    ]
    assert not any("read once" in note for note in once.notes)


def test_cli_prints_the_note_and_writes_it_to_the_summary(files, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["hotspots", str(files["a"]), str(files["a"]), "--no-progress", "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0
    assert f"note: {files['a']} given twice: read once" in printed
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert f"{files['a']} given twice: read once" in summary["notes"]
    assert summary["counts"]["rows_read"] == 3

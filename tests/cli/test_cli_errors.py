"""Inputs that used to abort or end in an internal error now get one line and exit code 2."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest

from geo.cli.main import main
from geo.errors import ValidationError
from geo.io import load_incidents
from geo.paths import DEFAULT_BOUNDARIES
from geo.postbox import placement_from_text
from tests.helpers import ROOT

ROW = "L{i},2018-06-01,drugs,-1.2150,51.7190,“quoted” café\n"
HEADER = "id,date,category,longitude,latitude,notes\n"


def _cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "geo", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        timeout=300,
        check=False,
    )


def _non_utf8_files(folder: Path) -> dict[str, bytes]:
    """Files of bytes that are not UTF-8 and hold no NUL, small and over pyarrow's block."""
    rows = "".join(ROW.format(i=i) for i in range(40_000))  # about 2 MB
    rng = random.Random(7)
    return {
        "cp1252.csv": (HEADER + rows[:2000]).encode("cp1252"),
        "late.csv": (HEADER + rows).encode("utf-8") + "L9,2018-06-01,dr\xfcgs\n".encode("latin-1"),
        "header.csv": HEADER.replace("notes", "n\xf6tes").encode("latin-1") + rows.encode(),
        "random.csv": bytes(rng.randrange(1, 256) for _ in range(300_000)),
    }


@pytest.mark.parametrize("name", ["cp1252.csv", "late.csv", "header.csv", "random.csv"])
def test_non_utf8_csv_exits_2_with_one_line(tmp_path, name):
    data = _non_utf8_files(tmp_path)[name]
    assert b"\x00" not in data
    path = tmp_path / name
    path.write_bytes(data)
    done = _cli("hotspots", str(path), "--no-progress", "--out", str(tmp_path / "out"))
    assert done.returncode == 2, done.stderr.decode(errors="replace")  # not -6 (abort)
    assert done.stderr.decode() == f"error: {name}: not a CSV text file (it is not UTF-8 text)\n"
    assert not (tmp_path / "out").exists()


def test_non_utf8_upload_is_refused_before_parsing():
    data = (HEADER + ROW.format(i=1)).encode("cp1252")
    with pytest.raises(ValidationError, match=r"^up.csv: not a CSV text file \(it is not UTF-8"):
        load_incidents([("up.csv", data)])


def _one_line_error(capsys: pytest.CaptureFixture[str], code: int) -> str:
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error: "), err
    assert "unexpected failure" not in err
    return err


def test_out_is_an_existing_file(tmp_path, capsys):
    target = tmp_path / "taken.txt"
    target.write_text("keep me", encoding="utf-8")
    err = _one_line_error(capsys, main(["hotspots", "--no-progress", "--out", str(target)]))
    assert f"--out {target}: is a file, not a folder" in err
    assert target.read_text(encoding="utf-8") == "keep me"


def test_out_under_a_file(tmp_path, capsys):
    target = tmp_path / "taken.txt"
    target.write_text("", encoding="utf-8")
    out = target / "sub" / "out"
    err = _one_line_error(capsys, main(["export-public", "--no-progress", "--out", str(out)]))
    assert f"{target} is a file, not a folder" in err


def test_out_in_a_folder_not_writable(tmp_path, capsys, monkeypatch):
    # the tests may run as root, who may write anywhere: the check asks the system
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != tmp_path)
    code = main(["hotspots", "--no-progress", "--out", str(tmp_path / "out")])
    err = _one_line_error(capsys, code)
    assert f"cannot write in {tmp_path} (permission denied)" in err


def test_out_where_nothing_can_be_written(capsys):
    # /proc takes no new folders, even from root
    code = main(["hotspots", "--no-progress", "--out", "/proc/geo-out"])
    err = _one_line_error(capsys, code)
    assert "/proc/geo-out" in err


@pytest.mark.parametrize("slips", ["²", "٣", "３", "-1", "1.5", ""])
def test_slips_accept_ascii_digits_only(slips):
    with pytest.raises(ValidationError, match="slips must be a whole number >= 0"):
        placement_from_text(
            site_id="a-site", from_date="2018-11-01", to_date="2018-11-07", slips=slips
        )


def test_slips_ascii_digits_are_read():
    p = placement_from_text(
        site_id="a-site", from_date="2018-11-01", to_date="2018-11-07", slips=" 12 "
    )
    assert p.slips == 12


def test_postbox_log_unicode_digit_exits_2(tmp_path, capsys):
    args = ["postbox", "log", "--data-dir", str(tmp_path), "--site", "rose-hill-primary"]
    args += ["--from", "2018-11-01", "--to", "2018-11-07", "--slips", "²"]
    err = _one_line_error(capsys, main(args))
    assert "slips must be a whole number >= 0. Got '²'." in err
    assert not list(tmp_path.iterdir())  # nothing logged


def test_evaluate_negative_seed_exits_2(tmp_path, capsys):
    code = main(["evaluate", "--seed", "-1", "--no-progress", "--out", str(tmp_path / "o")])
    err = _one_line_error(capsys, code)
    assert "--seed must be a whole number >= 0. Got -1 instead." in err


def test_hash_password_stdin_not_utf8():
    done = _cli("hash-password", "--stdin", stdin=b"p\xe4ssword 123 long\n")
    assert done.returncode == 2
    assert done.stdout == b""
    assert done.stderr == b"error: --stdin: the password is not UTF-8 text; nothing was printed\n"


def test_hash_password_stdin_utf8_bytes():
    done = _cli("hash-password", "--stdin", stdin="pässword 123 long\n".encode())
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(b"scrypt:")


@pytest.mark.parametrize("code", ["", "  ", None])
def test_ward_without_code_exits_2(tmp_path, capsys, code):
    wards = gpd.read_file(DEFAULT_BOUNDARIES)
    col = next(col for col in wards.columns if col.upper().endswith("CD"))
    wards[col] = wards[col].astype(object)
    wards.loc[1, col] = code
    path = tmp_path / "wards.geojson"
    wards.to_file(path, driver="GeoJSON")
    args = ["hotspots", "--boundaries", str(path), "--no-progress", "--out", str(tmp_path / "o")]
    err = _one_line_error(capsys, main(args))
    assert f"wards.geojson: 1 feature(s) have no ward code in column {col!r} (feature 2)" in err

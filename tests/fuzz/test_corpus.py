"""The nasty files found so far (tests/corpus/), each with what it must get, as regressions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from geo.cli import main as cli_main
from tests.helpers import ROOT

CORPUS = ROOT / "tests" / "corpus"

#: file, option it goes to (None: an incident file), exit code, start of stderr or stdout.
CASES = [
    ("future_date.csv", None, 0, "2 rows read = 1 used + 1 set aside (1 invalid"),
    ("bom_crlf_datetime.csv", None, 0, "1 row read = 1 used + 0 set aside"),
    ("police_zero_coordinates.csv", None, 0, "2 rows read = 1 used + 1 set aside (1 invalid"),
    ("nasty_coordinates.csv", None, 0, "4 rows read = 0 used + 4 set aside (4 invalid"),
    ("duplicate_header.csv", None, 2, "error: duplicate_header.csv: the header names column"),
    ("not_utf8.csv", None, 2, "error: not_utf8.csv: not a CSV text file (it is not UTF-8"),
    ("nul_byte.csv", None, 2, "error: nul_byte.csv: not a CSV text file (it contains binary"),
    ("open_quote.csv", None, 2, 'error: open_quote.csv: not a readable CSV: a quote (")'),
    ("ragged.csv", None, 2, "error: ragged.csv: not a readable CSV: every data line has 6"),
    ("metres_labelled_wgs84.geojson", "--boundaries", 2, "cannot be degrees"),
    ("wrong_prj_shapefile.zip", "--boundaries", 2, "cannot be degrees"),
    ("degrees_labelled_bng.geojson", "--boundaries", 2, "they look like degrees"),
    ("trend_months_bool.toml", "--config", 2, "error: "),
    ("unknown_ward_override.toml", "--config", 2, "error: settings: [ward_overrides.E09999999]"),
]


@pytest.mark.parametrize(("name", "option", "code", "start"), CASES, ids=[c[0] for c in CASES])
def test_corpus_file_gets_what_it_must(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    name: str,
    option: str | None,
    code: int,
    start: str,
):
    path = str(CORPUS / name)
    given = [option, path] if option else [path]
    got = cli_main(["hotspots", "--no-progress", "--out", str(tmp_path), *given])
    out, err = capsys.readouterr()
    assert got == code
    text = err if code else out
    assert start in text.splitlines()[0], text
    if code:
        assert text.count("\n") == 1, text


def test_every_corpus_file_has_a_case():
    assert sorted(p.name for p in CORPUS.iterdir()) == sorted(c[0] for c in CASES)


@pytest.mark.parametrize("name", ["not_utf8.csv", "nul_byte.csv"])
def test_a_refused_file_ends_the_process_with_2_not_a_signal(tmp_path: Path, name: str):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "geo",
            "hotspots",
            "--no-progress",
            "--out",
            str(tmp_path),
            str(CORPUS / name),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1

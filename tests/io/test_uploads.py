"""Uploads checked before reading (names, types, sizes, formats), cache digests, markup, and
the refusal of an upload with no usable row."""

from __future__ import annotations

import io
import re
import zipfile

import geopandas as gpd
import pandas as pd
import pytest

from geo import columns as c
from geo.errors import ValidationError
from geo.io import (
    UploadLimits,
    boundary_upload,
    incident_uploads,
    neutralise_markup,
    nothing_usable,
    safe_upload_name,
    settings_upload,
    sources_digest,
)
from geo.paths import DEFAULT_BOUNDARIES
from geo.pipeline import run_pipeline
from geo.settings import Settings
from tests.helpers import group_rows, local_csv


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("2018-09-street.csv", "2018-09-street.csv"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\my file.csv", "my_file.csv"),
        ("<script>alert(1)</script>.csv", "script_.csv"),
        ("..", "upload"),
    ],
)
def test_upload_names_are_never_paths(name, safe):
    assert safe_upload_name(name) == safe


def test_incident_uploads_are_checked_before_reading():
    ok = incident_uploads([("a.csv", b"x,y\n1,2\n"), ("dir/a.csv", b"x,y\n3,4\n")])
    assert [n for n, _ in ok] == ["a.csv", "a-2.csv"]
    small = UploadLimits(max_file_mb=0.00001, max_files=2)
    with pytest.raises(ValidationError) as exc:
        incident_uploads(
            [
                ("notes.txt", b"x"),
                ("empty.csv", b"  \n"),
                ("big.csv", b"x" * 100),
                ("pic.csv", b"\x89PNG\r\n\x1a\n\x00\x00"),
            ],
            limits=small,
        )
    assert exc.value.problems == [
        "4 files uploaded; at most 2 at a time.",
        "notes.txt: not a CSV file (only .csv incident files are read)",
        "empty.csv: the file is empty",
        "big.csv: 0.0 MB is over the 1e-05 MB limit",
        "pic.csv: not a CSV text file (it contains binary data)",
    ]
    with pytest.raises(ValidationError, match="No incident files"):
        incident_uploads([])


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "wards.csv",
            b"a,b",
            "wards.csv: not a boundary file (expected .geojson, .json, .gpkg, .zip)",
        ),
        ("wards.geojson", b"", "wards.geojson: the file is empty"),
        ("wards.geojson", b"hello", "wards.geojson: not GeoJSON"),
        ("wards.gpkg", b"{}", "wards.gpkg: not a GeoPackage"),
        ("wards.zip", b"PK not really", "wards.zip: not a zip file"),
        ("wards.zip", _zip({"readme.txt": b"x"}), "wards.zip: the zip holds no Shapefile"),
        ("wards.zip", _zip({"w.shp": b"\x00" * 3_000_000}), "unpacks to 3.0 MB, over the 2 MB"),
    ],
)
def test_boundary_uploads_are_checked_before_reading(name, data, message):
    with pytest.raises(ValidationError, match=re.escape(message)):
        boundary_upload(name, data, limits=UploadLimits(max_unzipped_mb=2))


def test_boundary_upload_accepts_the_three_formats(tmp_path):
    src = gpd.read_file(DEFAULT_BOUNDARIES)
    src.to_file(tmp_path / "w.gpkg", driver="GPKG")
    src.to_file(tmp_path / "w.shp")
    shp = _zip({p.name: p.read_bytes() for p in tmp_path.glob("w.*") if p.suffix != ".gpkg"})
    for name, data in [
        ("w.geojson", (DEFAULT_BOUNDARIES).read_bytes()),
        ("w.gpkg", (tmp_path / "w.gpkg").read_bytes()),
        ("w.zip", shp),
    ]:
        assert boundary_upload(name, data) == (name, data)


def test_settings_upload_checks():
    assert settings_upload("s.toml", b"[clustering]\neps_m = 60.0\n") == (
        "[clustering]\neps_m = 60.0\n"
    )
    for name, data, msg in [
        ("s.txt", b"x", "not a settings file (expected .toml)"),
        ("s.toml", b"", "the file is empty"),
        ("s.toml", b"\xff\xfe\x00", "not UTF-8 text"),
    ]:
        with pytest.raises(ValidationError, match=re.escape(msg)):
            settings_upload(name, data)


def test_sources_digest_changes_with_any_byte():
    a = sources_digest([("a.csv", b"1")], None)
    assert a != sources_digest([("a.csv", b"2")], None)
    assert a != sources_digest([("b.csv", b"1")], None)
    assert a != sources_digest([("a.csv", b"1")], ("w.geojson", b"{}"))
    assert a == sources_digest([("a.csv", b"1")], None)
    assert sources_digest(None, None) == "shipped"


def test_neutralise_markup_leaves_no_tags():
    df = pd.DataFrame({c.WARD_NAME: ["<img src=x onerror=alert(1)>", "Cowley"], "n": [1, 2]})
    out = neutralise_markup(df, [c.WARD_NAME, "missing"])
    assert list(out[c.WARD_NAME]) == ["‹img src=x onerror=alert(1)›", "Cowley"]
    assert df[c.WARD_NAME][0].startswith("<")  # input not changed


def test_nothing_usable_names_the_counts_then_the_first_rows_set_aside(two_wards):
    rows = [r for r in group_rows() if r["id"] == "out"]  # outside both wards
    rows += [dict(r, id=f"bad{i}", date="2018-13-01") for i, r in enumerate(group_rows()[:6])]
    r = run_pipeline(local_csv(rows), two_wards, Settings())
    assert r.counts.accepted == 0
    lines = nothing_usable(r, shown=2)
    assert lines[0] == (
        "No row can be used: 7 rows read, 6 invalid, 1 outside the wards, 0 filtered out by "
        "the settings."
    )
    first = r.rejected.head(2)
    assert lines[1:3] == [
        f"local.csv, row {n}: {why}" for n, why in zip(first[c.ROW], first[c.REASON], strict=True)
    ]
    assert lines[3:] == ["… and 5 more rows set aside"]
    assert len(nothing_usable(r)) == 1 + 5 + 1
    assert nothing_usable(r, shown=7)[-1].startswith("local.csv, row")


def test_nothing_usable_says_1_row_not_1_rows(two_wards):
    r = run_pipeline(local_csv([group_rows()[-1]]), two_wards, Settings())
    assert nothing_usable(r) == [
        "No row can be used: 1 row read, 0 invalid, 1 outside the wards, 0 filtered out by "
        "the settings.",
        "local.csv, row 2: outside every ward in the boundary file",
    ]

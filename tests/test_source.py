"""DataSource: a frozen, hashable description of a run's files, loaded one way for app and CLI."""

from __future__ import annotations

import pytest

from geo import columns as c
from geo.errors import ValidationError
from geo.paths import DEFAULT_BOUNDARIES, DEFAULT_INCIDENTS
from geo.pipeline import run_files, run_source
from geo.source import SHIPPED_LABEL, DataSource, load_source
from tests.helpers import group_rows, local_csv_bytes


def local_upload() -> tuple[str, bytes]:
    return "mine.csv", local_csv_bytes(group_rows())


def test_the_shipped_source_and_its_key():
    s = DataSource.shipped()
    assert s == DataSource() == DataSource.from_files()
    assert (s.incidents, s.boundaries, s.label) == (
        (DEFAULT_INCIDENTS,),
        DEFAULT_BOUNDARIES,
        SHIPPED_LABEL,
    )
    assert s.key == "shipped" and s.is_shipped
    assert hash(s) == hash(DataSource.from_files(None, None))


def test_uploads_are_labelled_and_keyed_on_their_bytes():
    name, data = local_upload()
    a = DataSource.from_files([(name, data)])
    assert a.label == "Uploaded: mine.csv; wards: shipped wards"
    assert a.boundaries == DEFAULT_BOUNDARIES and not a.is_shipped
    assert a.key == DataSource.from_files([(name, data)]).key
    assert a.key != DataSource.from_files([(name, data + b"\n")]).key
    assert a.key != DataSource.from_files([("other.csv", data)]).key
    wards = ("w.geojson", DEFAULT_BOUNDARIES.read_bytes())
    b = DataSource.from_files(None, wards)
    assert b.label == "Uploaded: shipped incidents; wards: w.geojson"
    assert len({a.key, b.key, DataSource.from_files([(name, data)], wards).key}) == 3
    assert {a: 1}[DataSource.from_files([(name, data)])] == 1  # hashable, equal by value


def test_paths_and_ward_columns_change_the_key():
    a = DataSource.from_files([str(DEFAULT_INCIDENTS)], code_col="WD13CD")
    assert a.key not in ("shipped", DataSource.from_files([str(DEFAULT_INCIDENTS)]).key)
    assert a.label == "Files: incidents; wards: shipped wards"


def test_bad_sources_are_refused():
    with pytest.raises(ValidationError, match="at least one incident file"):
        DataSource(incidents=())
    with pytest.raises(ValidationError, match="a path or a \\(name, bytes\\) upload. Got int"):
        DataSource(incidents=(3,))  # type: ignore[arg-type]


def test_load_source_reads_rows_wards_and_names():
    raw, wards, inputs = load_source(DataSource.from_files([local_upload()]))
    assert len(raw) == len(group_rows())
    assert set(raw[c.SOURCE_FILE]) == {"mine.csv"}
    assert len(wards) == 7 and {c.WARD_CODE, c.WARD_NAME, "geometry"} <= set(wards.columns)
    assert inputs == {"incident_files": ["mine.csv"], "boundaries": DEFAULT_BOUNDARIES.name}


def test_run_files_is_run_source_of_the_same_files():
    a, b = run_files(), run_source(DataSource.shipped())
    assert a.counts == b.counts and a.inputs == b.inputs
    assert list(a.hotspots[c.HOTSPOT_ID]) == list(b.hotspots[c.HOTSPOT_ID])
    assert len(a.inputs["incident_files"]) == 9

"""Reading police.uk and local CSVs and boundary files, and their error messages."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geo import columns as c
from geo.errors import ValidationError
from geo.io import (
    REPEATED_TEXT,
    concat_raw,
    incident_files,
    load_boundaries,
    load_incidents,
    read_incident_csv,
)
from tests.helpers import DATA

POLICE_HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
    "Crime type,Last outcome category,Context\r\n"
)


def test_police_uk_csv_as_published():
    text = POLICE_HEADER + (
        ",2018-06,Thames Valley Police,Thames Valley Police,-1.199165,51.742153,"
        "On or near Meyseys Road,E01028556,Oxford 013D,Anti-social behaviour,,\r\n"
        "abc123,2018-06,Thames Valley Police,Thames Valley Police,-1.2,51.74,"
        "On or near Fletcher Road,E01028556,Oxford 013D,Drugs,Under investigation,\r\n"
    )
    raw = read_incident_csv(("2018-06-test.csv", text.encode()))
    assert list(raw.columns) == list(c.RAW_COLUMNS)
    assert list(raw[c.ROW]) == [2, 3]
    assert list(raw[c.SOURCE_KIND]) == ["police.uk", "police.uk"]
    assert list(raw[c.RAW_ID]) == ["", "abc123"]
    assert list(raw[c.RAW_CATEGORY]) == ["Anti-social behaviour", "Drugs"]
    assert list(raw[c.XY_CRS]) == ["EPSG:4326"] * 2
    assert raw[c.LOCATION].iloc[1] == "On or near Fletcher Road"
    assert raw[c.OUTCOME].iloc[1] == "Under investigation"


def test_local_csv_with_easting_northing_and_lon_lat():
    text = (
        "id,date,category,longitude,latitude,easting,northing,source,notes\n"
        "a,2018-07-01,needle_find,-1.2,51.74,,,council,two needles\n"
        "b,2018-07-02,dealing_report,,,453300,203100,postbox,car seen\n"
    )
    raw = read_incident_csv(("local.csv", text.encode()))
    assert list(raw[c.XY_CRS]) == ["EPSG:4326", "EPSG:27700"]
    assert list(raw[c.RAW_X]) == ["-1.2", "453300"]
    assert list(raw[c.REPORT_SOURCE]) == ["council", "postbox"]
    assert list(raw[c.NOTES]) == ["two needles", "car seen"]


def test_local_header_is_case_insensitive():
    text = "ID,Date,Category,Easting,Northing\nx,2018-07-01,asb,453300,203100\n"
    raw = read_incident_csv(("l.csv", text.encode()))
    assert raw[c.RAW_ID].iloc[0] == "x"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "l.csv: the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "l.csv: not a CSV text file (it contains binary data)"),
        (b"\xff\xfe\xfa bad", "l.csv: not a CSV text file (it is not UTF-8 text)"),
        (b"name,value\nx,1\n", "l.csv: not a police.uk or local incident CSV: missing column(s)"),
        (b"id,date,category\nx,2018-01-01,asb\n", "needs longitude and latitude columns"),
        (
            b"Crime ID,Month,Longitude,Latitude\nx,2018-01,1,2\n",
            "l.csv: police.uk CSV is missing column(s) Crime type",
        ),
    ],
)
def test_bad_files_name_the_file_and_problem(data, message):
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_incident_csv(("l.csv", data))


def test_every_bad_file_is_named_not_only_the_first():
    good = (DATA / "incidents").glob("*.csv").__next__()
    files = [
        ("a.csv", b"name,value\nx,1\n"),
        (good.name, good.read_bytes()),
        ("b.csv", b"Crime ID,Month,Longitude,Latitude\nx,2018-01,1,2\n"),
    ]
    with pytest.raises(ValidationError) as caught:
        load_incidents(files)
    problems = caught.value.problems
    assert len(problems) == 2, problems
    assert problems[0].startswith("a.csv: not a police.uk or local incident CSV")
    assert problems[1].startswith("b.csv: police.uk CSV is missing column(s) Crime type")


def test_folder_expands_to_sorted_csvs_and_missing_paths_are_named(tmp_path):
    files = incident_files([DATA / "incidents"])
    assert len(files) == 9
    assert files == sorted(files)
    with pytest.raises(ValidationError, match="nope.csv: no such file or folder"):
        incident_files([tmp_path / "nope.csv"])
    with pytest.raises(ValidationError, match="folder holds no .csv files"):
        incident_files([tmp_path])


def test_shipped_incidents_load_with_every_row():
    raw = load_incidents([DATA / "incidents"])
    assert len(raw) == 3707
    assert raw[c.SOURCE_FILE].nunique() == 9


def test_boundaries_detect_ons_columns():
    wards = load_boundaries(DATA / "boundaries" / "se_oxford_wards_WD13.geojson")
    assert list(wards.columns) == [c.WARD_CODE, c.WARD_NAME, "geometry"]
    assert len(wards) == 7
    assert "Rose Hill and Iffley" in set(wards[c.WARD_NAME])
    assert wards.crs.to_epsg() == 4326


def test_boundaries_named_columns_gpkg_any_crs(tmp_path):
    g = gpd.GeoDataFrame(
        {"code": ["A", "B"], "label": ["Alpha", "Beta"]},
        geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)],
        crs="EPSG:32630",
    )
    path = tmp_path / "w.gpkg"
    g.to_file(path)
    wards = load_boundaries(path, code_col="code", name_col="label")
    assert list(wards[c.WARD_NAME]) == ["Alpha", "Beta"]
    assert wards.crs.to_epsg() == 32630
    with pytest.raises(ValidationError, match="ward code column 'WDyyCD' not found|not found"):
        load_boundaries(path)


def test_boundaries_without_polygons_are_refused(tmp_path):
    g = gpd.GeoDataFrame({"WD13CD": ["A"]}, geometry=[Point(0, 0)], crs="EPSG:27700")
    path = tmp_path / "pts.geojson"
    g.to_file(path, driver="GeoJSON")
    with pytest.raises(ValidationError, match="no polygon features \\(found Point\\)"):
        load_boundaries(path)


def test_boundary_bytes_upload_and_garbage():
    text = (DATA / "boundaries" / "se_oxford_wards_WD13.geojson").read_bytes()
    assert len(load_boundaries(("up.geojson", text))) == 7
    with pytest.raises(ValidationError, match="up.geojson: not a readable boundary file"):
        load_boundaries(("up.geojson", b"not json at all"))
    empty = json.dumps({"type": "FeatureCollection", "features": []}).encode()
    with pytest.raises(ValidationError, match="up.geojson: "):
        load_boundaries(("up.geojson", empty))


def test_repeated_text_is_held_once_per_distinct_value_across_files():
    def month(m: str, places: list[str]) -> tuple[str, bytes]:
        rows = "".join(
            f"id{m}{i},2018-{m},TVP,TVP,-1.2,51.74,On or near {p},E01,Oxford 1,Drugs,,\r\n"
            for i, p in enumerate(places)
        )
        return (f"2018-{m}-street.csv", (POLICE_HEADER + rows).encode())

    # each file has place names the other has not
    raw = load_incidents(
        [month("06", ["Oxford Road", "Cowley Road"]), month("07", ["Iffley Road"])]
    )
    for col in REPEATED_TEXT:
        assert isinstance(raw[col].dtype, pd.CategoricalDtype), col
        cats = list(raw[col].cat.categories)
        assert cats == sorted(cats), col  # sorting the codes sorts the text
    assert list(raw[c.LOCATION].cat.categories) == [
        "On or near Cowley Road",
        "On or near Iffley Road",
        "On or near Oxford Road",
    ]
    # the same values as reading the files as plain text and joining them
    assert raw[c.LOCATION].astype(str).tolist() == [
        "On or near Oxford Road",
        "On or near Cowley Road",
        "On or near Iffley Road",
    ]
    assert raw[c.SOURCE_FILE].astype(str).tolist() == ["2018-06-street.csv"] * 2 + [
        "2018-07-street.csv"
    ]
    assert raw[c.RAW_ID].dtype == "str"  # ids are not repeated: plain text
    # joining keeps the codes: a million rows of one name cost a byte each, not the name
    many = concat_raw([raw] * 3)
    assert isinstance(many[c.LOCATION].dtype, pd.CategoricalDtype)
    assert many[c.LOCATION].astype(str).tolist() == raw[c.LOCATION].astype(str).tolist() * 3


def test_joining_arrow_and_categorical_parts_matches_pandas_union():
    """Files parsed by pyarrow (dictionary-encoded text) and categoricals join as pandas would.

    The union of the parts' categories, sorted as Python sorts text (accents and case
    included), an empty part's categories kept, a missing value kept missing.
    """
    from pandas.api.types import union_categoricals

    from geo.io.incident_csv import read_incident_csv_encoded

    def month(m: str, places: list[str]) -> tuple[str, bytes]:
        rows = "".join(
            f"id{m}{i},2018-{m},TVP,TVP,-1.2,51.74,{p},E01,Oxford 1,Drugs,,\r\n"
            for i, p in enumerate(places)
        )
        return (f"2018-{m}-street.csv", (POLICE_HEADER + rows).encode())

    a = read_incident_csv_encoded(month("06", ["Zeta Road", "Église Lane", "", "Zeta Road"]))
    b = read_incident_csv(month("07", ["alpha Close", "Zeta Road"]))
    empty = read_incident_csv(month("08", []))
    assert isinstance(a[c.LOCATION].dtype, pd.ArrowDtype)  # as pyarrow parsed it
    assert isinstance(b[c.LOCATION].dtype, pd.CategoricalDtype)
    b.loc[1, c.LOCATION] = np.nan  # a missing value stays missing
    joined = concat_raw([a, empty, b])
    plain = union_categoricals(
        [pd.Categorical(a[c.LOCATION].astype(str)), b[c.LOCATION].array], sort_categories=True
    )
    assert list(joined[c.LOCATION].cat.categories) == list(plain.categories)
    assert list(joined[c.LOCATION].cat.categories) == sorted(plain.categories)
    assert joined[c.LOCATION].isna().tolist() == [False] * 5 + [True]
    assert joined[c.LOCATION].astype(object).fillna("<na>").tolist() == [
        "Zeta Road",
        "Église Lane",
        "",
        "Zeta Road",
        "alpha Close",
        "<na>",
    ]
    assert len(joined) == 6 and joined[c.ROW].tolist() == [2, 3, 4, 5, 2, 3]
    # one file on its own: categoricals too, as read_incident_csv gives them
    alone = concat_raw([a])
    assert (
        alone[c.LOCATION].astype(str).tolist()
        == read_incident_csv(month("06", ["Zeta Road", "Église Lane", "", "Zeta Road"]))[c.LOCATION]
        .astype(str)
        .tolist()
    )
    for col in REPEATED_TEXT:
        assert isinstance(alone[col].dtype, pd.CategoricalDtype), col


def test_police_uk_text_that_is_not_utf8_is_refused_whichever_reader_meets_it():
    """pyarrow reads police.uk files; a byte that is not UTF-8 in a column it reads (the
    place name, late in a large file) hands the file to the check, which names it."""
    good = "".join(
        f"id{i},2018-06,TVP,TVP,-1.2,51.74,On or near Cowley Road,E01,Oxford 1,Drugs,,\r\n"
        for i in range(60_000)
    )
    bad = "idX,2018-06,TVP,TVP,-1.2,51.74,On or near Caf\xe9 Road,E01,Oxford 1,Drugs,,\r\n"
    data = (POLICE_HEADER + good).encode() + bad.encode("latin-1")
    with pytest.raises(ValidationError, match=r"^late\.csv: not a CSV text file \(it is not UTF-8"):
        load_incidents([("late.csv", data)])


def test_joining_keeps_the_categories_of_empty_parts():
    """A file or part with no rows left still adds its categories (as pandas' union does),
    so engines that drop rows at different times agree on the categories."""
    from geo.io.incident_csv import _joined_categorical

    empty = pd.Categorical([], categories=["2018-01.csv", "2018-02.csv"])
    full = pd.Categorical(["2018-03.csv", "2018-02.csv", None])
    joined = _joined_categorical([empty, full])
    assert list(joined.categories) == ["2018-01.csv", "2018-02.csv", "2018-03.csv"]
    assert joined.astype(object).tolist()[:2] == ["2018-03.csv", "2018-02.csv"]
    assert pd.isna(joined[2])
    only_empty = _joined_categorical([empty])
    assert list(only_empty.categories) == ["2018-01.csv", "2018-02.csv"] and len(only_empty) == 0


def test_joining_categoricals_that_are_not_text_keeps_their_values():
    """Only text is joined through pyarrow's string dictionaries; numbers stay numbers."""
    a = pd.DataFrame({"k": pd.Categorical([3, 1])})
    b = pd.DataFrame({"k": pd.Categorical([2])})
    joined = concat_raw([a, b])["k"]
    assert joined.tolist() == [3, 1, 2]
    assert joined.cat.categories.tolist() == [1, 2, 3]

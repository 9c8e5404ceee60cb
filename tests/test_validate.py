"""Every rejection reason, exactly; ward polygon repair."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Polygon, box

from geo import columns as c
from geo.errors import ValidationError
from geo.io import read_incident_csv
from geo.rejected import summarise_reasons
from geo.settings import Settings
from geo.validate import validate_incidents
from geo.validate_wards import validate_wards

HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
    "Crime type,Last outcome category,Context\n"
)
OXFORD = (-1.30, 51.70, -1.15, 51.80)


def police(rows: list[tuple[str, str, str, str, str]]) -> pd.DataFrame:
    lines = [
        f"{i},{m},TVP,TVP,{lon},{lat},On or near X,E01,Oxford 1,{t},," for i, m, lon, lat, t in rows
    ]
    return read_incident_csv(("p.csv", (HEADER + "\n".join(lines) + "\n").encode()))


def reasons(raw: pd.DataFrame) -> dict[int, str]:
    checked = validate_incidents(raw, Settings(), expected_bounds=OXFORD)
    assert len(checked.accepted) + len(checked.rejected) == len(raw)
    return dict(zip(checked.rejected[c.ROW], checked.rejected[c.REASON], strict=True))


def test_each_police_uk_rejection_reason():
    raw = police(
        [
            ("a", "2018-06", "-1.2", "51.74", "Drugs"),  # row 2 ok
            ("", "2018-06", "-1.2", "51.74", "Anti-social behaviour"),  # 3 ok: ASB, no id
            ("b", "2018-06", "", "", "Drugs"),  # 4 missing coordinates
            ("c", "2018-06", "abc", "51.74", "Drugs"),  # 5 not a number
            ("d", "2018-06", "-1.2", "151.2", "Drugs"),  # 6 latitude out of range
            ("e", "2018-06", "51.74", "-1.2", "Drugs"),  # 7 swapped
            ("f", "2018-13", "-1.2", "51.74", "Drugs"),  # 8 bad date
            ("g", "", "-1.2", "51.74", "Drugs"),  # 9 missing date
            ("h", "2018-06", "-1.2", "51.74", "Jaywalking"),  # 10 unknown category
            ("a", "2018-07", "-1.2", "51.74", "Drugs"),  # 11 duplicate of row 2
            ("", "2018-06", "-1.2", "51.74", "Anti-social behaviour"),  # 12 ok: ASB again
            ("i", "2018-06", "-200", "51.74", "Drugs"),  # 13 longitude out of range
        ]
    )
    assert reasons(raw) == {
        4: "missing coordinates (the incident could not be mapped)",
        5: "longitude 'abc' is not a number",
        6: "latitude 151.2 is outside [-90, 90]",
        7: "longitude 51.74 and latitude -1.2 look swapped",
        8: "date '2018-13' is not a valid date",
        9: "missing date",
        10: "unknown category 'Jaywalking'",
        11: "duplicate id 'a' (first seen in p.csv row 2)",
        13: "longitude -200 is outside [-180, 180]",
    }


def test_local_rejections_and_easting_northing():
    text = (
        "id,date,category,easting,northing,source,notes\n"
        "a,2018-07-01,needle_find,453300,203100,council,x\n"  # 2 ok
        ",2018-07-01,needle_find,453300,203100,council,x\n"  # 3 missing id
        "b,2018-07-01,needle_find,-5,203100,,\n"  # 4 easting out of range
        "c,2018-07-01,needle_find,453300,2000000,,\n"  # 5 northing out of range
        "d,2018-07-01,needle_find,1203100,453300,,\n"  # 6 swapped
        "e,14/07/2018,dealing_report,453300,203100,,\n"  # 7 ok UK date
        "f,yesterday,dealing_report,453300,203100,,\n"  # 8 bad date
    )
    raw = read_incident_csv(("l.csv", text.encode()))
    checked = validate_incidents(raw, Settings())
    got = dict(zip(checked.rejected[c.ROW], checked.rejected[c.REASON], strict=True))
    assert got == {
        3: "missing id",
        4: "easting -5 is outside [0, 700000]",
        5: "northing 2000000 is outside [0, 1300000]",
        6: "easting 1203100 and northing 453300 look swapped",
        8: "date 'yesterday' is not a valid date",
    }
    acc = checked.accepted.set_index(c.INCIDENT_ID)
    assert str(acc.loc["e", c.DATE].date()) == "2018-07-14"
    assert acc.loc["e", c.MONTH] == "2018-07"
    assert acc.loc["a", c.WEIGHT] == 2.0
    assert acc.loc["a", c.NOTES] == "x"


def test_accepted_ids_fall_back_to_file_and_row_for_asb():
    raw = police([("", "2018-06", "-1.2", "51.74", "Anti-social behaviour")])
    acc = validate_incidents(raw, Settings()).accepted
    assert list(acc[c.INCIDENT_ID]) == ["p.csv#2"]
    assert list(acc[c.CATEGORY]) == ["asb"]


def test_summarise_reasons_folds_values():
    raw = police(
        [
            ("a", "2018-06", "-1.2", "51.74", "Drugs"),
            ("a", "2018-06", "-1.2", "51.74", "Drugs"),
            ("b", "2018-06", "-1.2", "151", "Drugs"),
            ("c", "2018-06", "-1.2", "152", "Drugs"),
        ]
    )
    table = summarise_reasons(validate_incidents(raw, Settings()).rejected)
    assert table.to_dict(orient="records") == [
        {"stage": "invalid", "reason": "latitude … is outside [-90, 90]", "rows": 2},
        {"stage": "invalid", "reason": "duplicate id '…'", "rows": 1},
    ]


def test_invalid_ward_polygon_is_repaired_and_reported():
    bowtie = Polygon([(0, 0), (10, 10), (10, 0), (0, 10), (0, 0)])
    wards = gpd.GeoDataFrame(
        {c.WARD_CODE: ["B", "A"], c.WARD_NAME: ["Bow", "Box"]},
        geometry=[bowtie, box(20, 0, 30, 10)],
        crs="EPSG:27700",
    )
    check = validate_wards(wards)
    assert list(check.wards[c.WARD_CODE]) == ["A", "B"]  # sorted by code
    assert check.wards.geometry.is_valid.all()
    assert len(check.notes) == 1 and "ward B had an invalid polygon" in check.notes[0]
    assert check.wards.geometry.iloc[1].area == pytest.approx(50.0)


def test_ward_without_geometry_is_an_error():
    wards = gpd.GeoDataFrame(
        {c.WARD_CODE: ["A"], c.WARD_NAME: ["A"]}, geometry=[Polygon()], crs="EPSG:27700"
    )
    with pytest.raises(ValidationError, match="feature 1 \\(ward A\\) has no geometry"):
        validate_wards(wards)


def test_features_sharing_a_code_are_merged():
    wards = gpd.GeoDataFrame(
        {c.WARD_CODE: ["A", "A"], c.WARD_NAME: ["A", "A"]},
        geometry=[box(0, 0, 1, 1), box(5, 5, 6, 6)],
        crs="EPSG:27700",
    )
    check = validate_wards(wards)
    assert len(check.wards) == 1
    assert check.wards.geometry.iloc[0].area == pytest.approx(2.0)
    assert "merged" in check.notes[0]


def test_plain_coordinates_read_in_one_pass_give_the_reasons_of_the_text_by_text_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import geo.validate as validate

    # every value is a number pyarrow reads or empty, so the one-pass parse is used
    raw = police(
        [
            ("a", "2018-06", "-1.2", "51.74", "Drugs"),
            ("b", "2018-06", "nan", "51.74", "Drugs"),
            ("c", "2018-06", "-1.2", "inf", "Drugs"),
            ("d", "2018-06", "", "51.74", "Drugs"),
            ("e", "2018-06", "-0", "0", "Drugs"),
            ("f", "2018-06", "1e400", "51.74", "Drugs"),
            ("g", "2018-06", "+51.74", "-1.2", "Drugs"),
        ]
    )
    assert validate._plain_numbers(raw[c.RAW_X]) is not None
    fast = validate_incidents(raw, Settings(), expected_bounds=OXFORD)
    want = {
        3: "longitude 'nan' is not a number",
        4: "latitude 'inf' is not a number",
        5: "missing coordinates (the incident could not be mapped)",
        6: "no location (coordinates 0, 0: the incident could not be mapped)",
        7: "longitude '1e400' is not a number",
        8: "longitude 51.74 and latitude -1.2 look swapped",
    }
    assert dict(zip(fast.rejected[c.ROW], fast.rejected[c.REASON], strict=True)) == want
    monkeypatch.setattr(validate, "_plain_numbers", lambda col: None)
    slow = validate_incidents(raw, Settings(), expected_bounds=OXFORD)
    pd.testing.assert_frame_equal(fast.accepted, slow.accepted)
    pd.testing.assert_frame_equal(fast.rejected, slow.rejected)
    # one value that is not a plain number sends the whole column the text-by-text way
    padded = police([("a", "2018-06", " -1.2", "51.74", "Drugs")])
    assert validate._plain_numbers(padded[c.RAW_X]) is None


_ID_PARTS = ["", "a", "AB", "12345678", "xxxxxxxx-", "é", "0" * 64, "1" * 64]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["police.uk", "local"]),
            st.sampled_from(_ID_PARTS),
            st.sampled_from(["", "m", "middle", "MIDDLE!!"]),
            st.sampled_from(_ID_PARTS),
            st.booleans(),
        ),
        max_size=40,
    )
)
def test_repeated_ids_found_by_fingerprint_are_those_found_by_factorising(rows) -> None:
    import geo.validate as validate

    # ids built from a few parts, so many share their first and last bytes and length
    # (fingerprints shared by chance) while differing in the middle
    kind = pd.Series([k for k, *_ in rows], dtype="str")
    rid = pd.Series([a + m + b for _, a, m, b, _ in rows], dtype="str")
    has_id = np.array([bool(a + m + b) and keep for _, a, m, b, keep in rows], dtype=bool)
    got = validate._duplicates(kind, rid, has_id)
    want = validate._duplicates_by_factorize(kind, rid, has_id)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])


@settings(max_examples=100, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["", "", "abc", "x" * 70, "Ü-1"]),
            st.sampled_from(["2018-06-street.csv", "notes é.csv"]),
            st.integers(2, 10**9),
        ),
        max_size=40,
    ),
    chunk=st.integers(1, 7),
)
def test_fallback_ids_from_arrow_match_the_plain_text_path(rows, chunk):
    """Ids of rows without one ("<file>#<row>") are the same whichever path fills them."""
    import pyarrow as pa

    from geo.validate import _with_fallback_ids

    ids_text = [r[0] for r in rows]
    # Arrow text in several chunks, as a national file is read
    parts = [
        pa.array(ids_text[i : i + chunk], type=pa.large_string())
        for i in range(0, len(rows), chunk)
    ]
    arrow_ids = pd.Series(
        pd.array(pa.chunked_array(parts, type=pa.large_string()), dtype="str"), name="raw_id"
    )
    plain_ids = pd.Series(np.array(ids_text, dtype=object), name="raw_id")
    no_id = np.array([r[0] == "" for r in rows], dtype=bool)
    files = pd.Series(pd.Categorical([r[1] for r in rows]))[no_id]
    numbers = pd.Series([r[2] for r in rows], dtype="int64")[no_id]
    fast = _with_fallback_ids(arrow_ids, files, numbers, no_id)
    slow = _with_fallback_ids(plain_ids, files.astype(str), numbers, no_id)
    expected = [r[0] or f"{r[1]}#{r[2]}" for r in rows]
    assert fast.tolist() == expected
    assert slow.tolist() == expected
    assert fast.dtype == "str"


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.binary(max_size=20), min_size=1, max_size=30))
def test_eight_bytes_read_from_the_arrow_buffer_match_slicing_each_value(values):
    """Ids' first and last 8 bytes (the duplicate-id fingerprint) as read from the buffer,
    including values that end exactly at the buffer's end."""
    import pyarrow as pa

    from geo.validate import _eight_bytes

    arr = pa.array(values, type=pa.large_binary())
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[: len(values) + 1]
    buf = arr.buffers()[2]
    data = np.zeros(0, dtype=np.uint8) if buf is None else np.frombuffer(buf, dtype=np.uint8)
    data = data[: offsets[-1]]  # no slack after the last value
    begin = offsets[:-1].astype(np.int64)
    length = offsets[1:] - begin
    for start in (begin, begin + np.maximum(length - 8, 0)):
        expected = [
            int.from_bytes(bytes(data[s : s + min(n, 8)]), "little")
            for s, n in zip(start, length, strict=True)
        ]
        assert _eight_bytes(data, start, length).tolist() == expected

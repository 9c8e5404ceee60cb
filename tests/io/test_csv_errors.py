"""A file the CSV parsers refuse gets a plain-English message naming the file and line."""

from __future__ import annotations

import io
import re

import pandas as pd
import pyarrow.csv as pacsv
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.errors import ValidationError
from geo.interventions import read_interventions_csv
from geo.io import read_incident_csv, read_text_csv
from geo.io.csv_reader import parser_reason

COMMA_HINT = (
    "(is it really a comma-separated file? A value that contains a comma must be in double quotes)"
)

# A README saved as .csv: its first line has 2 commas (a 3-field "header"), lines 2-30
# have at most 2, and line 31 has 4 commas (5 fields).
README = (
    "Hotspot maps, South East Oxford, how to use them\n"
    + "".join(f"Step {n}: read the notes, then the map\n" for n in range(2, 31))
    + "Wards: Cowley, Cowley Marsh, Lye Valley, Temple Cowley, Rose Hill\n"
    + "The end\n"
).encode()


def refused(source, **kw) -> str:
    with pytest.raises(ValidationError) as info:
        read_text_csv(source, **kw)
    assert len(info.value.problems) == 1
    return info.value.problems[0]


@pytest.mark.parametrize("fast", [True, False])
def test_renamed_text_file_names_the_line_and_the_field_counts(fast):
    assert README.decode().splitlines()[30].count(",") == 4  # line 31 as described
    assert refused(("readme_renamed.csv", README), fast=fast) == (
        "readme_renamed.csv: not a readable CSV: line 31 has 5 fields but the header has 3 "
        + COMMA_HINT
    )


def test_renamed_text_file_on_disk_and_through_the_incident_reader(tmp_path):
    path = tmp_path / "readme_renamed.csv"
    path.write_bytes(README)
    expected = (
        "readme_renamed.csv: not a readable CSV: line 31 has 5 fields but the header has 3 "
        + COMMA_HINT
    )
    assert refused(path) == expected
    with pytest.raises(ValidationError, match=f"^{re.escape(expected)}$"):
        read_incident_csv(path)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        # an unquoted comma in a notes value: one field too many on line 3
        (
            b"id,date,category,easting,northing,notes\n"
            b"a,2018-07-01,asb,453300,203100,quiet\n"
            b"b,2018-07-02,asb,453310,203110,loud, late\n",
            "x.csv: not a readable CSV: line 3 has 7 fields but the header has 6 " + COMMA_HINT,
        ),
        # blank lines count as lines, as in a text editor
        (
            b"a,b,c\n\n\n1,2,3\n1,2,3,4,5\n",
            "x.csv: not a readable CSV: line 5 has 5 fields but the header has 3 " + COMMA_HINT,
        ),
        # a byte-order mark and Windows line ends change nothing
        (
            b"\xef\xbb\xbfa,b\r\n1,2\r\n4,5,6\r\n",
            "x.csv: not a readable CSV: line 3 has 3 fields but the header has 2 " + COMMA_HINT,
        ),
        # a quoted header field holding a comma is one field
        (
            b'"a,b",c\n1,2\n3,4,5\n',
            "x.csv: not a readable CSV: line 3 has 3 fields but the header has 2 " + COMMA_HINT,
        ),
        # line 2 has one field more than the header, so pandas expects 3 from then on
        (
            b"a,b\n1,2,3\n4,5,6,7\n",
            "x.csv: not a readable CSV: line 3 has 4 fields but 3 were expected and the header "
            "has 2 " + COMMA_HINT,
        ),
        # a quote opened on line 4 and never closed
        (
            b'a,b,c\n1,2,3\n4,5,6\n7,"8,9\n',
            'x.csv: not a readable CSV: a quote (") opened on line 4 is never closed',
        ),
        (
            b'a,b,c\n\n1,2,3\n\n7,"8,9\n',
            'x.csv: not a readable CSV: a quote (") opened on line 5 is never closed',
        ),
    ],
)
def test_parser_errors_in_plain_english(data, message):
    assert refused(("x.csv", data), fast=True) == message
    assert refused(("x.csv", data), fast=False) == message


def test_row_text_is_never_repeated():
    data = b"id,date,category,notes\na,2018-07-01,asb,x\nb,2018-07-02,asb,14 Secret Road, OX4\n"
    message = refused(("x.csv", data), fast=True)
    assert message == (
        "x.csv: not a readable CSV: line 3 has 5 fields but the header has 4 " + COMMA_HINT
    )
    assert "Secret" not in message


def test_the_other_readers_give_the_same_message():
    bad = b"date,kind,longitude,latitude\n2018-07-01,patrol,-1.2,51.74,extra\n"
    # line 2 has one field more than the header: pandas reads it with row labels, so this
    # is not a parser error; a field more on line 3 is.
    bad += b"2018-07-02,patrol,-1.2,51.74,extra,more\n"
    with pytest.raises(ValidationError) as info:
        read_interventions_csv(("plan.csv", bad))
    assert info.value.problems == [
        "plan.csv: not a readable CSV: line 3 has 6 fields but 5 were expected and the header "
        "has 4 " + COMMA_HINT
    ]


def _arrow_error(data: bytes, *, use_threads: bool) -> Exception:
    try:
        pacsv.read_csv(io.BytesIO(data), read_options=pacsv.ReadOptions(use_threads=use_threads))
    except Exception as exc:  # pyarrow.lib.ArrowInvalid
        return exc
    raise AssertionError("pyarrow read the file")


def test_pyarrow_messages_in_plain_english():
    data = b"a,b,c\n1,2,3\n1,2,3,4,5\n"
    # pyarrow names the row only when it parses on one thread; it never names it through pandas
    one_thread = _arrow_error(data, use_threads=False)
    assert str(one_thread) == "CSV parse error: Row #3: Expected 3 columns, got 5: 1,2,3,4,5"
    assert parser_reason(one_thread) == ": line 3 has 5 fields but the header has 3 " + COMMA_HINT
    with pytest.raises(pd.errors.ParserError) as info:
        pd.read_csv(io.BytesIO(data), engine="pyarrow", dtype=str)
    assert str(info.value) == "CSV parse error: Expected 3 columns, got 5: 1,2,3,4,5"
    assert parser_reason(info.value) == (": a line has 5 fields but the header has 3 " + COMMA_HINT)
    # too few fields: pyarrow refuses (pandas fills them with blanks); no comma hint
    short = _arrow_error(b"a,b,c\n1,2\n", use_threads=True)
    assert parser_reason(short, header_fields=3) == (
        ": a line has 2 fields but the header has 3 (is it really a comma-separated file?)"
    )
    single = _arrow_error(b"a,b,c\n1\n", use_threads=False)
    assert parser_reason(single) == (
        ": line 2 has 1 field but the header has 3 (is it really a comma-separated file?)"
    )


def test_pandas_python_engine_message():
    with pytest.raises(pd.errors.ParserError) as info:
        pd.read_csv(io.BytesIO(b"a,b,c\n1,2,3\n1,2,3,4,5\n"), engine="python")
    assert parser_reason(info.value) == ": line 3 has 5 fields but the header has 3 " + COMMA_HINT


def test_unknown_parser_errors_keep_only_the_short_reason(monkeypatch):
    def fail(*args, **kwargs):
        raise pd.errors.ParserError(
            "Error tokenizing data. C error: Buffer overflow caught - possible malformed "
            "input file.\nsecond line of library detail\n"
        )

    monkeypatch.setattr(pd, "read_csv", fail)
    assert refused(("x.csv", b"a,b\n1,2\n"), fast=True) == (
        "x.csv: not a readable CSV (Buffer overflow caught - possible malformed input file)"
    )
    arrow = pd.errors.ParserError("CSV parse error: Empty CSV file or block")
    assert parser_reason(arrow) == " (Empty CSV file or block)"


@settings(max_examples=40, deadline=None)
@given(
    header=st.integers(min_value=1, max_value=6),
    extra=st.integers(min_value=1, max_value=4),
    good_lines=st.integers(min_value=1, max_value=40),
)
def test_ragged_line_is_named_with_its_counts(header, extra, good_lines):
    row = ",".join("v" * header) + "\n"
    data = (",".join(f"h{i}" for i in range(header)) + "\n" + row * good_lines).encode()
    data += (",".join("w" * (header + extra)) + "\n").encode() + row.encode()
    line = good_lines + 2
    assert refused(("r.csv", data), fast=True) == (
        f"r.csv: not a readable CSV: line {line} has {header + extra} fields but the header "
        f"has {header} " + COMMA_HINT
    )


@pytest.mark.parametrize("fast", [True, False])
def test_a_comma_at_the_end_of_every_data_line_is_read_as_the_header_says(fast):
    data = b"Crime ID,Month,Longitude\nabc,2018-07,-1.2,\ndef,2018-08,-1.3,\n"
    name, df = read_text_csv(("trailing.csv", data), fast=fast)
    assert name == "trailing.csv"
    assert list(df.columns) == ["Crime ID", "Month", "Longitude"]
    assert df.to_dict("records") == [
        {"Crime ID": "abc", "Month": "2018-07", "Longitude": "-1.2"},
        {"Crime ID": "def", "Month": "2018-08", "Longitude": "-1.3"},
    ]
    assert isinstance(df.index, pd.RangeIndex)


@pytest.mark.parametrize("fast", [True, False])
def test_a_field_more_on_every_data_line_is_refused_not_shifted(fast):
    data = b"Month,Longitude,Latitude\nabc,2018-07,-1.2,51.7\ndef,2018-08,-1.3,51.8\n"
    assert refused(("shifted.csv", data), fast=fast) == (
        "shifted.csv: not a readable CSV: every data line has 4 fields but the header has 3 "
        "(a column name missing from the first line?)"
    )

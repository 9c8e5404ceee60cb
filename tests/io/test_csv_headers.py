"""CSV headers that name a column twice are refused instead of silently using the first."""

from __future__ import annotations

import pytest

from geo.errors import ValidationError
from geo.io import read_incident_csv, read_text_csv


@pytest.mark.parametrize(
    ("header", "shown", "where"),
    [
        ("id,date,category,longitude,latitude,date", "date", "columns 2 and 6"),
        ("id,Date,category,longitude,latitude, date ", "date", "columns 2 and 6"),
        ("\ufeffid,date,id,category,longitude,latitude", "id", "columns 1 and 3"),
    ],
)
def test_a_column_named_twice_is_refused(header: str, shown: str, where: str):
    data = (header + "\nL1,2018-01-01,drugs,-1.2,51.74,2018-02-01\n").encode()
    with pytest.raises(ValidationError) as err:
        read_incident_csv(("dup.csv", data))
    assert str(err.value) == (
        f"dup.csv: the header names column {shown!r} twice ({where}); each column name must "
        "appear once"
    )


def test_empty_header_names_may_repeat():
    name, df = read_text_csv(("a.csv", b"a,,b,\n1,,2,\n"))
    assert name == "a.csv" and len(df.columns) == 4

"""Fuzzing the incident reader and the stages before clustering with hostile CSV bytes."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import example, given
from hypothesis import strategies as st

from geo.errors import ValidationError
from geo.io import load_incidents
from geo.prepare import prepare_incidents
from geo.settings import Settings
from geo.validate import validate_incidents
from tests.fuzz.contract import assert_one_line, assert_reconciles, fuzz_settings
from tests.fuzz.strategies import COORD, DATE, csv_bytes
from tests.helpers import local_csv_bytes, make_two_wards


def _run(data: bytes) -> None:
    """The contract: reconciled counts, or a one-line ValidationError."""
    try:
        raw = load_incidents([("fuzz.csv", data)])
        prepared = prepare_incidents(raw, make_two_wards(), Settings())
    except ValidationError as exc:
        assert_one_line(exc)
        return
    assert_reconciles(prepared)


@fuzz_settings()
@given(csv_bytes())
@example(b"id,date,category,longitude,latitude\n1,2018-01-01,drugs,\xff\xfe,51.7\n")
@example(b"\x00\x00\x00")
@example(b"\xef\xbb\xbfid,date,category,easting,northing\r\n1,2018-01-01,drugs,450100,200100")
def test_any_csv_bytes_reconcile_or_give_one_line(data: bytes):
    _run(data)


@fuzz_settings()
@given(
    st.lists(st.tuples(COORD, COORD, DATE, st.booleans()), min_size=1, max_size=12),
)
def test_any_coordinates_and_dates_reconcile(rows: list[tuple[str, str, str, bool]]):
    records = []
    for i, (x, y, date, metres) in enumerate(rows):
        xy = dict(easting=x, northing=y) if metres else dict(longitude=x, latitude=y)
        records.append(dict(id=f"r{i}", date=date, category="drugs", **xy))
    columns = ["id", "date", "category", "longitude", "latitude", "easting", "northing"]
    _run(local_csv_bytes(records, columns=columns))


@fuzz_settings()
@given(st.lists(DATE, min_size=1, max_size=30), st.dates(min_value=dt.date(1990, 1, 1)))
def test_validation_reconciles_for_any_dates_and_any_today(dates: list[str], today: dt.date):
    data = local_csv_bytes(
        [
            dict(id=f"r{i}", date=d, category="drugs", easting=450_100, northing=200_100)
            for i, d in enumerate(dates)
        ]
    )
    try:
        raw = load_incidents([("dates.csv", data)])
    except ValidationError as exc:
        assert_one_line(exc)
        return
    checked = validate_incidents(raw, Settings(), today=today)
    assert len(checked.accepted) + len(checked.rejected) == len(raw)
    kept = pd.to_datetime(checked.accepted["date"])
    assert (kept < pd.Timestamp(today) + pd.Timedelta(days=1)).all()

"""Dates in validation: future dates set aside, vectorised parsing, zeroed coordinates."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import columns as c
from geo.dates import DATE_FORMATS, parse_dates
from geo.rejected import summarise_reasons
from geo.settings import Settings
from geo.validate import CHECKS, POLICE_UK_GRACE_DAYS, validate_incidents
from tests.helpers import X0, Y0, local_csv

TODAY = dt.date(2024, 5, 10)


def _row(i: int, date: str, **extra: object) -> dict[str, object]:
    row: dict[str, object] = dict(
        id=f"r{i}", date=date, category="drugs", easting=X0 + 100, northing=Y0 + 100
    )
    row.update(extra)
    return row


def _police(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """A raw police.uk frame: (crime id, month, "lon,lat") per row."""
    from geo.io import POLICE_UK_COLUMNS, read_incident_csv

    lines = [",".join(POLICE_UK_COLUMNS)]
    for cid, month, lonlat in rows:
        lines.append(f"{cid},{month},TVP,TVP,{lonlat},On or near X,,,Burglary,,")
    return read_incident_csv(("police.csv", ("\n".join(lines) + "\n").encode()))


def test_a_date_after_today_is_set_aside_with_its_own_reason():
    raw = local_csv([_row(0, "2024-05-10"), _row(1, "2081-07-14"), _row(2, "2024-05-11")])
    checked = validate_incidents(raw, Settings(), today=TODAY)
    assert list(checked.accepted[c.INCIDENT_ID]) == ["r0"]
    reasons = dict(zip(checked.rejected[c.ROW], checked.rejected[c.REASON], strict=True))
    assert reasons == {
        3: "date '2081-07-14' is in the future (after 2024-05-10)",
        4: "date '2024-05-11' is in the future (after 2024-05-10)",
    }
    summary = summarise_reasons(checked.rejected)
    assert summary.to_dict("records") == [
        {"stage": "invalid", "reason": "date '…' is in the future (after 2024-05-10)", "rows": 2}
    ]


def test_a_date_time_later_today_is_kept():
    raw = local_csv([_row(0, "2024-05-10 23:59:59")])
    assert len(validate_incidents(raw, Settings(), today=TODAY).accepted) == 1


def test_local_dates_well_after_the_latest_police_uk_month_are_set_aside():
    police = _police([("a", "2018-11", "-1.2,51.74"), ("b", "2018-10", "-1.2,51.74")])
    last_ok = (pd.Timestamp("2018-11-30") + pd.Timedelta(days=POLICE_UK_GRACE_DAYS)).date()
    too_late = last_ok + dt.timedelta(days=1)
    local = local_csv([_row(0, str(last_ok)), _row(1, str(too_late)), _row(2, "2019-07-14")])
    raw = pd.concat([police, local], ignore_index=True)
    checked = validate_incidents(raw, Settings(), today=TODAY)
    assert sorted(checked.accepted[c.INCIDENT_ID]) == ["a", "b", "r0"]
    assert list(checked.rejected[c.REASON]) == [
        f"date '{too_late}' is more than {POLICE_UK_GRACE_DAYS} days after the latest "
        "police.uk month in the data (2018-11)",
        f"date '2019-07-14' is more than {POLICE_UK_GRACE_DAYS} days after the latest "
        "police.uk month in the data (2018-11)",
    ]


def test_a_future_police_uk_month_does_not_move_the_latest_month():
    police = _police([("a", "2018-11", "-1.2,51.74"), ("b", "2081-07", "-1.2,51.74")])
    checked = validate_incidents(police, Settings(), today=TODAY)
    assert list(checked.accepted[c.INCIDENT_ID]) == ["a"]
    assert list(checked.rejected[c.REASON]) == [
        "date '2081-07' is in the future (after 2024-05-10)"
    ]


def test_without_police_uk_rows_only_today_limits_local_dates():
    raw = local_csv([_row(0, "2018-01-01"), _row(1, "2024-05-01")])
    assert len(validate_incidents(raw, Settings(), today=TODAY).accepted) == 2


def test_the_future_date_check_is_in_the_declared_table():
    names = [check.__name__ for check in CHECKS]
    assert names.index("_check_future_dates") == names.index("_check_dates") + 1


def test_zeroed_coordinates_are_no_location_not_outside_the_wards():
    police = _police([("a", "2018-11", "0,0"), ("b", "2018-11", "0.000000,0.000000")])
    checked = validate_incidents(police, Settings(), today=TODAY)
    assert checked.accepted.empty
    assert set(checked.rejected[c.REASON]) == {
        "no location (coordinates 0, 0: the incident could not be mapped)"
    }


def _one_by_one(value: str) -> pd.Timestamp | None:
    """The reference: each format tried in turn on one value (the former implementation)."""
    for fmt in DATE_FORMATS:
        try:
            ts = pd.Timestamp(pd.to_datetime(value, format=fmt))
        except (ValueError, OverflowError):
            continue
        if 1900 <= ts.year <= 2100:
            return ts
    return None


_DIGITS = st.sampled_from(["1", "01", "12", "2018", "1899", "2100", "31", "0", "٣", "99999"])
_SEPS = st.sampled_from(["-", "/", " ", "T", ":", "", "x"])
_DATE_TEXT = st.one_of(
    st.lists(st.one_of(_DIGITS, _SEPS), max_size=11).map("".join),
    st.datetimes(min_value=dt.datetime(1890, 1, 1), max_value=dt.datetime(2110, 1, 1)).flatmap(
        lambda d: st.sampled_from(
            [
                d.strftime("%Y-%m"),
                d.strftime("%Y-%m-%d"),
                d.strftime("%d/%m/%Y"),
                d.strftime("%Y/%m/%d"),
                d.strftime("%Y-%m-%dT%H:%M:%S"),
                d.strftime("%Y-%m-%d %H:%M:%S"),
                f"{d.year}-{d.month}-{d.day}",
            ]
        )
    ),
    st.text(max_size=12),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_DATE_TEXT, min_size=1, max_size=20))
def test_vectorised_dates_equal_trying_each_format_in_turn(values: list[str]):
    got = parse_dates(pd.Series(values, dtype=object))
    for value, parsed in zip(values, got, strict=True):
        want = _one_by_one(value)
        if want is None:
            assert pd.isna(parsed), value
        else:
            assert parsed == want, value


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("2018-03", "2018-03-01"),
        ("2018-03-18 15:54:04", "2018-03-18 15:54:04"),
        ("2018-03-18T15:54:04", "2018-03-18 15:54:04"),
        ("18/03/2018", "2018-03-18"),
        ("1899-12-31", None),
        ("2018-02-30", None),
    ],
)
def test_date_formats(text: str, want: str | None):
    got = parse_dates(pd.Series([text], dtype=object)).iloc[0]
    assert (pd.isna(got) and want is None) or got == pd.Timestamp(want)

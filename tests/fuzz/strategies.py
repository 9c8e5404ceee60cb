"""Hypothesis strategies for hostile input: CSV bytes, coordinates, dates, TOML, CLI lists."""

from __future__ import annotations

import math

from hypothesis import strategies as st

from geo.io import POLICE_UK_COLUMNS
from tests.helpers import X0, Y0

#: Lon/lat near the two test wards (EPSG:27700 450000-452000, 200000-201000).
NEAR_LON, NEAR_LAT = -1.276, 51.70

_FLOATS = st.sampled_from(
    [
        0.0,
        -0.0,
        math.nan,
        math.inf,
        -math.inf,
        1e308,
        -1e308,
        5e-324,
        NEAR_LON,
        NEAR_LAT,
        X0 + 10.0,
        Y0 + 10.0,
        X0 + 1000.0,
        180.0,
        -90.000001,
    ]
)


def _number_text(value: float) -> st.SearchStrategy[str]:
    return st.sampled_from([repr(value), f"{value:.6f}" if math.isfinite(value) else "nan"])


#: Text without NUL (NUL bytes come from their own sample and byte-level accidents).
_TEXT = st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=30)

#: Coordinate texts: NaN, inf, 1e308, zero, the wards' place in degrees and metres, junk.
COORD = st.one_of(
    _FLOATS.flatmap(_number_text),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["", " ", "NaN", "-", "1,5", "١٢", "0x10", "1e999", "51.7N", "  -1.2  "]),
)

#: Date texts: every accepted format, the future, the distant past, impossible days, junk.
DATE = st.one_of(
    st.sampled_from(
        [
            "2018-03",
            "2018-03-18",
            "2018-03-18 15:54:04",
            "2018-03-18T15:54:04",
            "18/03/2018",
            "2081-07-14",
            "1850-01-01",
            "2018-02-30",
            "0000-00-00",
            "",
            "2018-13",
            "٢٠١٨-03",
            "9999-12-31 23:59:59",
        ]
    ),
    st.dates().map(str),
    _TEXT,
)

CATEGORY = st.sampled_from(
    ["Drugs", "drugs", "Anti-social behaviour", "Burglary", "needles", "", "unknown", "DRUGS "]
)


#: Any field text: quotes, commas, newlines, NUL, control characters, a huge value.
FIELD = st.one_of(
    _TEXT,
    st.text(alphabet="abc ,;", max_size=10),
    st.sampled_from(['"', '""', 'a,"b"', "line\nbreak", "\r", "=cmd|' /C calc'!A0"]),
    st.integers(min_value=1_000, max_value=200_000).map(lambda n: "x" * n),
)

HEADERS = st.sampled_from(
    [
        list(POLICE_UK_COLUMNS),
        ["id", "date", "category", "longitude", "latitude", "source", "notes"],
        ["id", "date", "category", "easting", "northing"],
        ["id", "date", "category", "longitude", "latitude", "easting", "northing"],
        ["id", "date", "category", "longitude", "latitude", "date"],
        ["Crime ID", "Month", "Longitude", "Latitude"],
        ["a"],
        [],
    ]
)


def _cell(name: str) -> st.SearchStrategy[str]:
    low = name.lower()
    if low in ("longitude", "latitude", "easting", "northing"):
        return COORD
    if low in ("date", "month"):
        return DATE
    if low in ("category", "crime type"):
        return CATEGORY
    if low in ("id", "crime id"):
        return st.one_of(st.sampled_from(["", "a", "a", "b"]), st.text(max_size=8))
    return FIELD


_GOOD = {
    "longitude": st.floats(NEAR_LON - 0.01, NEAR_LON + 0.03).map(lambda v: f"{v:.6f}"),
    "latitude": st.floats(NEAR_LAT - 0.005, NEAR_LAT + 0.01).map(lambda v: f"{v:.6f}"),
    "easting": st.integers(X0 - 100, X0 + 2_100).map(str),
    "northing": st.integers(Y0 - 100, Y0 + 1_100).map(str),
    "date": st.sampled_from(["2018-03-18", "2018-04", "2018-05-02 10:00:00"]),
    "month": st.sampled_from(["2018-03", "2018-04"]),
    "category": st.sampled_from(["drugs", "Anti-social behaviour", "Burglary"]),
    "crime type": st.sampled_from(["Drugs", "Anti-social behaviour", "Burglary"]),
    "id": st.uuids().map(str),
    "crime id": st.one_of(st.just(""), st.uuids().map(str)),
}


def _good_cell(name: str) -> st.SearchStrategy[str]:
    return _GOOD.get(name.lower(), st.text(alphabet="abc ;", max_size=5))


def _quote(value: str) -> str:
    if any(ch in value for ch in ',"\n\r') or value != value.strip():
        return '"' + value.replace('"', '""') + '"'
    return value


@st.composite
def csv_text(draw: st.DrawFn) -> str:
    """A CSV document: a known or odd header, rows of hostile cells, some rows ragged."""
    header = draw(HEADERS)
    lines = [",".join(header)] if header or draw(st.booleans()) else []
    for _ in range(draw(st.integers(0, 8))):
        good = draw(st.integers(0, 2)) > 0  # most rows plausible, so later stages run too
        row = [draw(_good_cell(n) if good else _cell(n)) for n in header]
        if draw(st.integers(0, 9)) == 0:  # ragged: a field more or fewer
            row = row[:-1] if row and draw(st.booleans()) else [*row, "extra"]
        raw = draw(st.booleans())
        lines.append(",".join(row if raw else [_quote(v) for v in row]))
    eol = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return eol.join(lines) + draw(st.sampled_from(["", eol]))


ENCODINGS = st.sampled_from(["utf-8"] * 6 + ["utf-8-sig", "cp1252", "utf-16", "latin-1"])


@st.composite
def csv_bytes(draw: st.DrawFn) -> bytes:
    """:func:`csv_text` in some encoding, sometimes with a byte-level accident."""
    text = draw(csv_text())
    data = text.encode(draw(ENCODINGS), errors="replace")
    accident = draw(st.sampled_from([""] * 8 + ["nul", "truncate", "bom2", "junk"]))
    if accident == "nul":
        data = data[: len(data) // 2] + b"\x00" + data[len(data) // 2 :]
    elif accident == "truncate":
        data = data[: draw(st.integers(0, max(0, len(data))))]
    elif accident == "bom2":
        data = b"\xef\xbb\xbf\xef\xbb\xbf" + data
    elif accident == "junk":
        data += draw(st.binary(max_size=16))
    return data


_TOML_VALUES = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=10),
    st.lists(st.text(max_size=6), max_size=3),
    st.dates(),
)
_KEYS = st.sampled_from(
    [
        "eps_m",
        "min_samples",
        "hull_buffer_m",
        "trend_months",
        "since",
        "until",
        "include",
        "label",
        "weight",
        "group",
        "drugs",
        "E05000001",
        "E09999999",
        "",
        " ",
        "épsilon",
    ]
)
_SECTIONS = st.sampled_from(
    ["clustering", "filters", "categories", "aliases", "ward_overrides", "nope", ""]
)

#: TOML documents as dicts: sections of hostile keys, values and nested tables.
TOML_DOC = st.dictionaries(
    _SECTIONS,
    st.one_of(
        _TOML_VALUES,
        st.dictionaries(
            _KEYS,
            st.one_of(_TOML_VALUES, st.dictionaries(_KEYS, _TOML_VALUES, max_size=3)),
            max_size=4,
        ),
    ),
    max_size=4,
)

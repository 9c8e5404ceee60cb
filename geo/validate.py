"""Stage 2: check raw incident rows and split them into accepted and rejected rows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.arrays import ArrowStringArray

from geo import columns as c
from geo._arrays import MIX, TEXT_DTYPE, column_values, take_text
from geo._row_messages import ByCode, Choice, LazyMessages, per_row
from geo.dates import parse_dates_coded
from geo.rejected import Checked, rejected_rows
from geo.settings import Settings

# Ward checks (geo.validate_wards), the month/category filters (geo.filters) and the
# rejected-rows table (geo.rejected) live in their own modules.
__all__ = [
    "ACCEPTED_COLUMNS",
    "CHECKS",
    "POLICE_UK_GRACE_DAYS",
    "validate_incidents",
]

#: Accepted incident columns, in order (see :func:`validate_incidents`).
ACCEPTED_COLUMNS: tuple[str, ...] = (
    c.INCIDENT_ID,
    c.SOURCE_FILE,
    c.ROW,
    c.SOURCE_KIND,
    c.X,
    c.Y,
    c.XY_CRS,
    c.DATE,
    c.MONTH,
    c.CATEGORY,
    c.WEIGHT,
    c.LOCATION,
    c.LSOA_CODE,
    c.OUTCOME,
    c.REPORT_SOURCE,
    c.NOTES,
)

# Great Britain national grid extent (EPSG:27700), metres.
_EN_MAX_E, _EN_MAX_N = 700_000.0, 1_300_000.0
_SWAP_MARGIN_DEG = 0.5


def validate_incidents(
    raw: pd.DataFrame,
    settings: Settings,
    *,
    expected_bounds: tuple[float, float, float, float] | None = None,
    today: date | None = None,
) -> Checked:
    """Check every raw row; nothing is dropped without a reason.

    A row is rejected (first failing check wins) for: missing coordinates, coordinates that
    are not numbers, no location (police.uk writes ``0, 0`` for crimes it could not place),
    coordinates outside the valid range, longitude and latitude (or easting and northing)
    that look swapped, a missing or unparsable date, a date in the future (after ``today``)
    or more than :data:`POLICE_UK_GRACE_DAYS` days after the end of the latest police.uk
    month in the data, an unknown category, a local row without id, or an id seen earlier
    (police.uk ASB rows have no Crime ID and are never rejected for it). The checks and
    their order are :data:`CHECKS`.

    Parameters
    ----------
    raw
        Raw rows, columns :data:`geo.columns.RAW_COLUMNS` (see :func:`geo.io.read_incident_csv`).
    settings
        Supplies the category aliases and weights.
    expected_bounds
        ``(min_lon, min_lat, max_lon, max_lat)`` of the study area; with it, lon/lat pairs
        that only fall inside the area when swapped are reported as swapped.
    today
        The last day a date may fall on; the local date today by default.

    Returns
    -------
    Checked
        ``accepted``: columns :data:`ACCEPTED_COLUMNS` (``x``/``y`` float in ``xy_crs``,
        ``date`` datetime64, ``month`` ``YYYY-MM``, ``category`` key, ``weight`` float);
        ``rejected``: ``source_file``, ``row``, ``stage`` (``"invalid"``), ``reason``.
        ``len(raw) == len(accepted) + len(rejected)``.

    """
    n = len(raw)
    # The checks work on a shallow copy and drop each raw column from it once it is used:
    # when the caller hands over its only reference to ``raw``
    # (``validate_incidents(held.pop(), ...)``), each column's memory is freed as soon as the
    # accepted rows have their copy of it; otherwise ``raw`` stays as it was.
    rows = _Rows(raw.copy(deep=False), settings, expected_bounds, today or date.today())
    del raw
    for check in CHECKS:
        check(rows)
    ok = rows.open_rows
    rejected = rejected_rows(rows.raw.loc[~ok, [c.SOURCE_FILE, c.ROW]], "invalid", rows.reason[~ok])
    rows.reason = np.empty(0, dtype=object)
    accepted = _accepted(rows)
    if len(accepted) + len(rejected) != n:
        raise RuntimeError(
            f"validation lost rows: {n} raw rows but {len(accepted)} accepted and "
            f"{len(rejected)} rejected"
        )
    return Checked(accepted=accepted, rejected=rejected)


class _Rows:
    """The raw rows under check: each row's first reason and the values parsed so far.

    Each distinct text is parsed once: police.uk repeats coordinates (shared map points),
    months and categories across millions of rows. The checks fill in ``x``/``y``, the
    dates, the category keys and the ids in turn.
    """

    def __init__(
        self,
        raw: pd.DataFrame,
        settings: Settings,
        expected_bounds: tuple[float, float, float, float] | None,
        today: date,
    ) -> None:
        n = len(raw)
        self.raw, self.settings, self.expected_bounds = raw, settings, expected_bounds
        self.today = today
        self.date_text = pd.Series(dtype=object)
        self.reason = np.full(n, "", dtype=object)
        self.open_rows = np.ones(n, dtype=bool)  # rows with no reason yet
        self.is_ll = (raw[c.XY_CRS] == "EPSG:4326").to_numpy()
        self.x = self.y = np.full(n, np.nan)
        self.date_codes = np.zeros(n, dtype=np.intp)
        self.date_values = pd.Series(dtype="datetime64[ns]")
        self.dates = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
        self.cat_codes = np.zeros(n, dtype=np.intp)
        self.cat_keys = np.empty(0, dtype=object)
        self.rid = _stripped(raw[c.RAW_ID])

    def release(self, *names: str) -> None:
        """Drop raw columns no later step reads (from this object's own shallow copy)."""
        for name in names:
            if name in self.raw.columns:
                del self.raw[name]

    def reject(self, mask: np.ndarray, text: np.ndarray | LazyMessages | str) -> None:
        """Give the rows of ``mask`` that have no reason yet the reason ``text``."""
        todo = mask & self.open_rows
        if not todo.any():
            return
        if isinstance(text, str):
            self.reason[todo] = text
        else:
            self.reason[todo] = text[todo]
        self.open_rows[todo] = False


def _check_coordinates(rows: _Rows) -> None:
    """Missing coordinates, and coordinates that are not numbers (parses ``x``, ``y``)."""
    raw = rows.raw
    xname = Choice(rows.is_ll, "longitude", "easting")
    yname = Choice(rows.is_ll, "latitude", "northing")
    plain_x, plain_y = _plain_numbers(raw[c.RAW_X]), _plain_numbers(raw[c.RAW_Y])
    if plain_x is not None and plain_y is not None:
        # every text is a plain number or empty (police.uk's): parsed in one pass, no table
        # of distinct texts; the texts are shown as written (none has surrounding space)
        (rows.x, x_empty), (rows.y, y_empty) = plain_x, plain_y
        rows.reject(x_empty | y_empty, "missing coordinates (the incident could not be mapped)")
        x_text, y_text = raw[c.RAW_X], raw[c.RAW_Y]
        rows.reject(~np.isfinite(rows.x), per_row("{} {!r} is not a number", xname, x_text))
        rows.reject(~np.isfinite(rows.y), per_row("{} {!r} is not a number", yname, y_text))
    else:
        _parse_coordinates(rows, xname, yname)
    with np.errstate(invalid="ignore"):
        zero = (rows.x == 0) & (rows.y == 0)
    rows.reject(zero, "no location (coordinates 0, 0: the incident could not be mapped)")
    rows.release(c.RAW_X, c.RAW_Y)


def _parse_coordinates(rows: _Rows, xname: Choice, yname: Choice) -> None:
    """Missing and non-numeric coordinates, each distinct text stripped and parsed once."""
    raw = rows.raw
    # police.uk repeats its map points: far fewer distinct texts than rows
    x_codes, x_texts = _distinct_stripped(raw[c.RAW_X])
    y_codes, y_texts = _distinct_stripped(raw[c.RAW_Y])
    missing = _equals(x_texts, "")[x_codes] | _equals(y_texts, "")[y_codes]
    rows.reject(missing, "missing coordinates (the incident could not be mapped)")
    rows.x = _distinct_numbers(x_texts)[x_codes]
    rows.y = _distinct_numbers(y_texts)[y_codes]
    x_shown = ByCode(x_texts.to_numpy(dtype=object), x_codes)
    y_shown = ByCode(y_texts.to_numpy(dtype=object), y_codes)
    rows.reject(~np.isfinite(rows.x), per_row("{} {!r} is not a number", xname, x_shown))
    rows.reject(~np.isfinite(rows.y), per_row("{} {!r} is not a number", yname, y_shown))


def _plain_numbers(col: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """Arrow text of plain numbers or empty values as ``(floats, empty)``; ``None`` otherwise.

    pyarrow parses the whole column at once. Any value it does not read as a number
    (surrounding space, ``1,5``, text) gives ``None``, and the caller parses the distinct
    texts as pandas does. Empty values are NaN in ``floats`` and True in ``empty``; ``-0``
    is read as ``0``, as pandas reads it.
    """
    if not isinstance(col.array, ArrowStringArray) or col.hasnans:
        return None
    text = pa.chunked_array(pa.array(col.array))
    empty = pc.equal(pc.binary_length(text), 0)
    try:
        values = pc.cast(pc.if_else(empty, pa.scalar(None, text.type), text), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    floats = values.to_numpy(zero_copy_only=False).astype(float, copy=False) + 0.0
    return floats, empty.to_numpy(zero_copy_only=False).astype(bool, copy=False)


def _check_coordinate_ranges(rows: _Rows) -> None:
    """Swapped coordinates, then latitude/longitude or easting/northing out of range."""
    x, y, is_ll = rows.x, rows.y, rows.is_ll
    with np.errstate(invalid="ignore"):
        lat_bad = is_ll & (np.abs(y) > 90)
        lon_bad = is_ll & (np.abs(x) > 180)
        swapped = np.zeros(len(x), dtype=bool)
        if rows.expected_bounds is not None:
            x0, y0, x1, y1 = rows.expected_bounds
            m = _SWAP_MARGIN_DEG
            inside = (x >= x0 - m) & (x <= x1 + m) & (y >= y0 - m) & (y <= y1 + m)
            inside_sw = (y >= x0 - m) & (y <= x1 + m) & (x >= y0 - m) & (x <= y1 + m)
            swapped |= is_ll & ~inside & inside_sw
        en_bad_e = ~is_ll & ((x < 0) | (x > _EN_MAX_E))
        en_bad_n = ~is_ll & ((y < 0) | (y > _EN_MAX_N))
        swapped_en = ~is_ll & (x > _EN_MAX_E) & (x <= _EN_MAX_N) & (y >= 0) & (y <= _EN_MAX_E)
    rows.reject(swapped, per_row("longitude {} and latitude {} look swapped", x, y))
    rows.reject(swapped_en, per_row("easting {} and northing {} look swapped", x, y))
    rows.reject(lat_bad, per_row("latitude {} is outside [-90, 90]", y))
    rows.reject(lon_bad, per_row("longitude {} is outside [-180, 180]", x))
    rows.reject(en_bad_e, per_row("easting {} is outside [0, 700000]", x))
    rows.reject(en_bad_n, per_row("northing {} is outside [0, 1300000]", y))


def _check_dates(rows: _Rows) -> None:
    """Missing and unparsable dates (parses the dates)."""
    rows.date_codes, rows.date_values = parse_dates_coded(rows.raw)
    rows.dates = rows.date_values.to_numpy(dtype="datetime64[ns]")[rows.date_codes]
    rd = rows.date_text = _stripped(rows.raw[c.RAW_DATE])
    rows.release(c.RAW_DATE)
    rows.reject((rd == "").to_numpy(), "missing date")
    rows.reject(np.isnat(rows.dates), per_row("date {!r} is not a valid date", rd))


#: Days after the end of the latest police.uk month in the data a date may still fall on.
#: police.uk publishes a month about two months after it ends, so local reports (kept up to
#: date by the team) may rightly run that far ahead of it; a mistyped year does not.
POLICE_UK_GRACE_DAYS = 92


def _check_future_dates(rows: _Rows) -> None:
    """Dates after today, or well after the latest police.uk month (a mistyped year).

    One row dated 2081 would otherwise stretch every period to 2081: trends compare empty
    months, the public period ends in 2081 and the postbox follows.
    """
    dates, rd = rows.dates, rows.date_text
    today = pd.Timestamp(rows.today).normalize()
    tomorrow = np.datetime64(today + pd.Timedelta(days=1), "ns")
    future = ~np.isnat(dates) & (dates >= tomorrow)
    shown = today.strftime("%Y-%m-%d")
    rows.reject(future, per_row("date {!r} is in the future (after " + shown + ")", rd))
    police = (rows.raw[c.SOURCE_KIND] == "police.uk").to_numpy() & ~np.isnat(dates) & ~future
    if not police.any():
        rows.date_text = pd.Series(dtype=object)
        return
    latest = pd.Timestamp(dates[police].max()).to_period("M")
    limit = latest.end_time.normalize() + pd.Timedelta(days=POLICE_UK_GRACE_DAYS + 1)
    late = ~np.isnat(dates) & (dates >= np.datetime64(limit, "ns"))
    text = (
        "date {!r} is more than "
        f"{POLICE_UK_GRACE_DAYS} days after the latest police.uk month in the data ({latest})"
    )
    rows.reject(late, per_row(text, rd))
    rows.date_text = pd.Series(dtype=object)


def _check_categories(rows: _Rows) -> None:
    """Categories the settings do not know (maps each distinct text to a key once)."""
    rc = rows.raw[c.RAW_CATEGORY].astype(str)
    cat_codes, cat_texts = pd.factorize(rc, use_na_sentinel=False)
    rows.cat_codes = cat_codes
    rows.cat_keys = np.array([rows.settings.category_key(v) for v in cat_texts], dtype=object)
    cat_shown = np.asarray(pd.Index(cat_texts).str.strip(), dtype=object)
    unknown = pd.isna(rows.cat_keys)[cat_codes]
    rows.reject(unknown, per_row("unknown category {!r}", ByCode(cat_shown, cat_codes)))
    rows.release(c.RAW_CATEGORY)


def _check_local_ids(rows: _Rows) -> None:
    """Local rows need an id (police.uk ASB rows have none and are never rejected for it)."""
    is_local = (rows.raw[c.SOURCE_KIND] == "local").to_numpy()
    rows.reject(is_local & (rows.rid == "").to_numpy(), "missing id")


def _check_duplicate_ids(rows: _Rows) -> None:
    """An id seen earlier (per source kind), naming where it was first seen."""
    raw, rid = rows.raw, rows.rid
    has_id = (rid != "").to_numpy() & rows.open_rows
    dup_pos, first = _duplicates(raw[c.SOURCE_KIND], rid, has_id)
    if not len(dup_pos):
        return
    dup = np.zeros(len(rid), dtype=bool)
    dup[dup_pos] = True
    texts = rows.reason.copy()
    ids = rid.iloc[dup_pos].to_numpy(dtype=object)
    files = raw[c.SOURCE_FILE].iloc[first].to_numpy(dtype=object)
    row_numbers = raw[c.ROW].iloc[first].to_numpy()
    for j, i in enumerate(dup_pos):
        ident = str(ids[j])
        short = ident if len(ident) <= 16 else ident[:12] + "…"
        texts[i] = f"duplicate id {short!r} (first seen in {files[j]} row {row_numbers[j]})"
    rows.reject(dup, texts)


def _duplicates(
    kind: pd.Series, rid: pd.Series, has_id: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``has_id`` whose (source kind, id) an earlier row has, and where each was first.

    Returns the positions of those rows (ascending) and, for each, the first position among
    the ``has_id`` rows with the same kind and id. Arrow text is sorted (a stable sort, so
    each run of equal keys starts at its earliest row) and neighbours compared a block at a
    time: no table of millions of distinct ids is built.
    """
    if not isinstance(rid.array, ArrowStringArray) or rid.hasnans or kind.hasnans:
        return _duplicates_by_factorize(kind, rid, has_id)
    ids = pa.chunked_array(pa.array(rid.array))
    kind_codes, kinds = pd.factorize(kind)
    # only rows whose (kind, id) fingerprint another row shares can repeat an id: the exact
    # comparison below runs on those alone (usually a few, when ids are unique)
    cand = _shared_fingerprints(ids, kind_codes)
    if len(cand) == len(kind_codes):
        return _sorted_duplicates(kind_codes, len(kinds), ids, has_id)
    if not len(cand):
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    dup_pos, first = _sorted_duplicates(
        kind_codes[cand], len(kinds), ids.take(pa.array(cand)), has_id[cand]
    )
    return cand[dup_pos], cand[first]


def _sorted_duplicates(
    kind_codes: np.ndarray, n_kinds: int, ids: pa.ChunkedArray, has_id: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_duplicates` on Arrow ids by sorting them (``kind_codes``: a code per row)."""
    if n_kinds > 1:
        keys = pa.table({"kind": kind_codes, "id": ids})
        by = [("kind", "ascending"), ("id", "ascending")]
        order = pc.sort_indices(keys, sort_keys=by).to_numpy().astype(np.intp)
    else:
        order = pc.sort_indices(ids).to_numpy().astype(np.intp)
    n = len(order)
    same = np.zeros(n, dtype=bool)  # same[t]: sorted row t has the key of sorted row t - 1
    step = 1 << 20
    for start in range(1, n, step):
        stop = min(start + step, n)
        block = pc.take(ids, order[start - 1 : stop])
        equal = pc.equal(block.slice(1), block.slice(0, len(block) - 1))
        same[start:stop] = equal.to_numpy()
    if n_kinds > 1:
        same[1:] &= kind_codes[order[1:]] == kind_codes[order[:-1]]
    slots = np.flatnonzero(same & has_id[order])  # sorted places of the repeated rows
    if not len(slots):
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    starts = np.flatnonzero(~same)  # where each run of equal keys begins (same[0] is False)
    first_in_run = np.minimum.reduceat(np.where(has_id[order], order, n), starts)
    dup_pos = order[slots]
    first = first_in_run[np.searchsorted(starts, slots, side="right") - 1]
    by_row = np.argsort(dup_pos, kind="stable")
    return dup_pos[by_row], first[by_row]


def _shared_fingerprints(ids: pa.ChunkedArray, kind_codes: np.ndarray) -> np.ndarray:
    """Positions (ascending) of the non-empty ids whose fingerprint another such row has.

    The fingerprint mixes the kind, the length and the first and last 8 bytes of the id:
    rows with equal (kind, id) always share it, so no repeated id is missed; rows that
    share it by chance are only compared exactly. Read straight from the Arrow buffers.
    """
    fingerprint = np.empty(len(kind_codes), dtype=np.uint64)
    nonempty = np.empty(len(kind_codes), dtype=bool)
    done = 0
    for chunk in ids.chunks:
        width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        bufs = chunk.buffers()
        offsets = np.frombuffer(bufs[1], dtype=width)[chunk.offset : chunk.offset + len(chunk) + 1]
        data = np.zeros(0, dtype=np.uint8)  # no text at all: nothing is read from it
        if bufs[2] is not None and bufs[2].size:
            data = np.frombuffer(bufs[2], dtype=np.uint8)
        begin = offsets[:-1].astype(np.int64)
        length = offsets[1:].astype(np.int64) - begin
        head = _eight_bytes(data, begin, length)
        tail = _eight_bytes(data, begin + np.maximum(length - 8, 0), length)
        rows = slice(done, done + len(chunk))
        kinds = kind_codes[rows].astype(np.uint64)
        mixed = head * MIX[0] + tail * MIX[1] + (length.astype(np.uint64) << np.uint64(8))
        fingerprint[rows] = mixed + kinds * MIX[2]
        nonempty[rows] = length > 0
        done += len(chunk)
    # fingerprints that repeat among the rows with an id (sorted values, no sort of rows)
    with_id = fingerprint[nonempty]
    by_value = np.sort(with_id)
    repeated = np.unique(by_value[1:][by_value[1:] == by_value[:-1]])
    if not len(repeated):
        return np.empty(0, dtype=np.intp)
    shared = pd.Index(repeated).get_indexer(fingerprint) >= 0
    return np.flatnonzero(shared & nonempty)


def _eight_bytes(data: np.ndarray, start: np.ndarray, length: np.ndarray) -> np.ndarray:
    """The (up to) 8 bytes of each value from ``start`` as one uint64, zero past its end.

    ``data`` is the values' byte buffer, ``start`` where the bytes are taken from and
    ``length`` each value's length (``min(length, 8)`` bytes are taken: from its beginning,
    or from 8 bytes before its end). Read as overlapping 8-byte windows of the buffer (no
    copy); the few values that start in the buffer's last 7 bytes are read from a padded
    copy of them.
    """
    take = np.minimum(length, 8).astype(np.uint64)
    out = np.zeros(len(start), dtype=np.uint64)
    some = take > 0
    if len(data) == 0 or not some.any():
        return out
    windows = len(data) - 7  # 8-byte windows that start inside the buffer
    inside = some & (start < windows)
    if inside.any():
        every = np.ndarray((windows,), dtype=np.uint64, buffer=data, strides=(1,))
        out[inside] = every[start[inside]]
    if (near_end := some & ~inside).any():
        first = max(len(data) - 8, 0)
        padded = np.zeros(16, dtype=np.uint8)
        padded[: len(data) - first] = data[first:]
        out[near_end] = [padded[a : a + 8].view(np.uint64)[0] for a in start[near_end] - first]
    full = np.uint64(0xFFFFFFFFFFFFFFFF)
    short = (np.uint64(1) << (np.minimum(take, 7) * np.uint64(8))) - np.uint64(1)
    out &= np.where(take >= 8, full, short)
    return out


def _duplicates_by_factorize(
    kind: pd.Series, rid: pd.Series, has_id: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_duplicates` for text that is not Arrow-backed or has missing values."""
    key = _id_keys(kind, rid)
    dup = pd.Series(key).duplicated(keep="first").to_numpy() & has_id
    if not dup.any():
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    candidates = pd.DataFrame({"key": key[has_id], "pos": np.flatnonzero(has_id)})
    first_pos = candidates.groupby("key", sort=False)["pos"].min()
    dup_pos = np.flatnonzero(dup)
    first: np.ndarray = first_pos.reindex(key[dup_pos]).to_numpy()
    return dup_pos, first


#: The checks in the order they run: a row is rejected for the first one it fails.
CHECKS: tuple[Callable[[_Rows], None], ...] = (
    _check_coordinates,
    _check_coordinate_ranges,
    _check_dates,
    _check_future_dates,
    _check_categories,
    _check_local_ids,
    _check_duplicate_ids,
)


def _accepted(rows: _Rows) -> pd.DataFrame:
    """The rows that passed every check, columns :data:`ACCEPTED_COLUMNS`.

    Built column by column; each raw column is dropped (:meth:`_Rows.release`) as soon as
    its accepted copy exists, and each parsed array once taken, so the raw and the accepted
    rows are never held in full at the same time.
    """
    raw, ok = rows.raw, rows.open_rows
    keep: np.ndarray | slice = slice(None) if ok.all() else ok
    weights = {k: float(v.weight) for k, v in rows.settings.categories.items()}
    cat_weights = np.array(
        [weights.get(k, np.nan) if isinstance(k, str) else np.nan for k in rows.cat_keys],
        dtype=float,
    )
    acc_cat_codes = rows.cat_codes[ok]
    acc_date_codes = rows.date_codes[ok]
    rows.cat_codes = rows.date_codes = np.empty(0, dtype=np.intp)
    months = np.datetime_as_string(
        rows.date_values.to_numpy(dtype="datetime64[ns]").astype("datetime64[M]")
    ).astype(object)
    acc_ids = rows.rid[keep]
    rows.rid = pd.Series(dtype=object)
    rows.release(c.RAW_ID)
    no_id = (acc_ids == "").to_numpy()
    if no_id.any():
        acc_ids = _with_fallback_ids(
            acc_ids, raw[c.SOURCE_FILE][keep][no_id], raw[c.ROW][keep][no_id], no_id
        )
    data: dict[str, object] = {c.INCIDENT_ID: column_values(acc_ids)}
    del acc_ids
    for name in ACCEPTED_COLUMNS[1:]:
        if name == c.ROW:
            data[name] = raw[c.ROW].to_numpy(dtype="int64")[ok]
        elif name in (c.X, c.Y):
            data[name] = rows.x[ok] if name == c.X else rows.y[ok]
        elif name == c.DATE:
            data[name] = rows.dates[ok]
            rows.dates = np.empty(0, dtype="datetime64[ns]")
        elif name == c.MONTH:
            data[name] = take_text(months, acc_date_codes)
        elif name == c.CATEGORY:
            data[name] = take_text(rows.cat_keys, acc_cat_codes)
        elif name == c.WEIGHT:
            data[name] = cat_weights[acc_cat_codes]
        else:
            data[name] = column_values(raw[name][keep])
            rows.release(name)
    rows.x = rows.y = np.empty(0)
    return pd.DataFrame(data)


def _with_fallback_ids(
    ids: pd.Series, files: pd.Series, row_numbers: pd.Series, no_id: np.ndarray
) -> pd.Series:
    """``ids`` with each empty id replaced by ``"<source_file>#<row>"`` of its row.

    ``files`` and ``row_numbers`` are the ``source_file`` and ``row`` of the rows where
    ``no_id`` is true, in order. Arrow text is filled in by pyarrow a chunk at a time (a
    national year has millions of anti-social behaviour rows without a Crime ID), without
    a Python string per row.
    """
    if not isinstance(ids.array, ArrowStringArray):
        fallback = files.astype(str) + "#" + row_numbers.astype(str)
        return ids.mask(pd.Series(no_id, index=ids.index), fallback)
    values = pa.chunked_array(pa.array(ids.array))
    kind = values.type
    if isinstance(files.dtype, pd.CategoricalDtype):
        file_text = pa.array(files.array).dictionary_decode()
    else:
        file_text = pa.array(files.astype(str).array)
    text = pa.large_string()
    fallback = pc.binary_join_element_wise(
        file_text.cast(text),
        pc.cast(pa.array(row_numbers.to_numpy(dtype=np.int64)), text),
        pa.scalar("#", type=text),
    ).cast(kind)
    chunks = []
    done = used = 0
    for chunk in values.chunks:
        mask = no_id[done : done + len(chunk)]
        n = int(mask.sum())
        done += len(chunk)
        if n:
            chunk = pc.replace_with_mask(chunk, pa.array(mask), fallback.slice(used, n))
            used += n
        chunks.append(chunk)
    filled: ArrowStringArray = pd.array(pa.chunked_array(chunks, type=kind), dtype=TEXT_DTYPE)
    return pd.Series(filled, index=ids.index, name=ids.name)


def _stripped(col: pd.Series) -> pd.Series:
    """``col.astype(str).str.strip()``: the text itself when no value has surrounding space.

    Checked a slice at a time on the Arrow text, so a column of millions of ids that need
    no stripping (police.uk's) is not copied.
    """
    text = col.astype(str)
    if not _pads(text):
        return text
    out: pd.Series = text.str.strip()
    return out


def _pads(text: pd.Series) -> bool:
    """Whether stripping would change any value of ``text`` (``True`` when not Arrow text)."""
    if not isinstance(text.array, ArrowStringArray):
        return True
    values = pa.chunked_array(pa.array(text.array))
    step = 1 << 20
    for chunk in values.chunks:
        for start in range(0, len(chunk), step):
            part = chunk.slice(start, step)
            trimmed = pc.binary_length(pc.utf8_trim_whitespace(part))
            if pc.any(pc.not_equal(trimmed, pc.binary_length(part))).as_py():
                return True
    return False


def _distinct_stripped(col: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """``col.astype(str).str.strip()`` as a code per row and the distinct texts stripped.

    ``texts.iloc[codes]`` is that column (missing values stay missing); only the distinct
    texts are stripped.
    """
    text = col.astype(str)
    codes, distinct = pd.factorize(text, use_na_sentinel=False)
    texts = pd.Series(distinct, dtype=text.dtype).str.strip()
    return codes, texts


def _equals(texts: pd.Series, value: str) -> np.ndarray:
    """``texts == value`` as a bool array (missing texts: False)."""
    out: np.ndarray = (texts == value).to_numpy(dtype=bool)
    return out


def _distinct_numbers(texts: pd.Series) -> np.ndarray:
    """``pd.to_numeric(texts, errors="coerce")`` as floats (missing texts: NaN)."""
    values = pd.to_numeric(texts, errors="coerce")
    out: np.ndarray = values.to_numpy(dtype=float, na_value=np.nan)
    return out


def _id_keys(kind: pd.Series, rid: pd.Series) -> np.ndarray:
    """One int per row, equal exactly when source kind and id are equal (missing ids: one key)."""
    kind_codes, _ = pd.factorize(kind)  # missing values: code -1, overridden below
    id_codes, ids = pd.factorize(rid)
    key = kind_codes.astype(np.int64) * (len(ids) + 1) + id_codes
    missing = (kind.isna() | rid.isna()).to_numpy()
    out: np.ndarray = np.where(missing, -1, key)
    return out

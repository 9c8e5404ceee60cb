"""Stage 2: check raw incident rows and ward polygons; split rows into accepted and rejected."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import columns as c
from geo.errors import ValidationError
from geo.settings import Settings

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


@dataclass(frozen=True)
class Checked:
    """Rows split by a check: ``accepted`` rows and ``rejected`` rows with a reason.

    ``rejected`` has columns ``source_file``, ``row``, ``stage``, ``reason``.
    """

    accepted: pd.DataFrame
    rejected: pd.DataFrame


@dataclass(frozen=True)
class WardCheck:
    """Checked ward polygons and what was done to them (``notes``, plain English)."""

    wards: gpd.GeoDataFrame
    notes: list[str] = field(default_factory=list)


def empty_rejected() -> pd.DataFrame:
    """A rejected-rows table with no rows (``source_file``, ``row``, ``stage``, ``reason``)."""
    return pd.DataFrame(
        {
            c.SOURCE_FILE: pd.Series(dtype=object),
            c.ROW: pd.Series(dtype="int64"),
            c.STAGE: pd.Series(dtype=object),
            c.REASON: pd.Series(dtype=object),
        }
    )


def rejected_rows(rows: pd.DataFrame, stage: str, reasons: pd.Series | np.ndarray) -> pd.DataFrame:
    """Build a rejected-rows table from rows of any frame holding ``source_file`` and ``row``."""
    return pd.DataFrame(
        {
            c.SOURCE_FILE: rows[c.SOURCE_FILE].to_numpy(dtype=object),
            c.ROW: rows[c.ROW].to_numpy(dtype="int64"),
            c.STAGE: np.full(len(rows), stage, dtype=object),
            c.REASON: np.asarray(reasons, dtype=object),
        }
    )


def validate_incidents(
    raw: pd.DataFrame,
    settings: Settings,
    *,
    expected_bounds: tuple[float, float, float, float] | None = None,
) -> Checked:
    """Check every raw row; nothing is dropped without a reason.

    A row is rejected (first failing check wins) for: missing coordinates, coordinates that
    are not numbers, coordinates outside the valid range, longitude and latitude (or easting
    and northing) that look swapped, a missing or unparsable date, an unknown category, a
    local row without id, or an id seen earlier (police.uk ASB rows have no Crime ID and are
    never rejected for it).

    Parameters
    ----------
    raw
        Raw rows, columns :data:`geo.columns.RAW_COLUMNS` (see :func:`geo.load.read_incident_csv`).
    settings
        Supplies the category aliases and weights.
    expected_bounds
        ``(min_lon, min_lat, max_lon, max_lat)`` of the study area; with it, lon/lat pairs
        that only fall inside the area when swapped are reported as swapped.

    Returns
    -------
    Checked
        ``accepted``: columns :data:`ACCEPTED_COLUMNS` (``x``/``y`` float in ``xy_crs``,
        ``date`` datetime64, ``month`` ``YYYY-MM``, ``category`` key, ``weight`` float);
        ``rejected``: ``source_file``, ``row``, ``stage`` (``"invalid"``), ``reason``.
        ``len(raw) == len(accepted) + len(rejected)``.

    """
    n = len(raw)
    reason = np.full(n, "", dtype=object)
    open_rows = np.ones(n, dtype=bool)  # rows with no reason yet

    def reject(mask: np.ndarray, text: np.ndarray | str) -> None:
        todo = mask & open_rows
        if not todo.any():
            return
        if isinstance(text, str):
            reason[todo] = text
        else:
            reason[todo] = text[todo]
        open_rows[todo] = False

    # Each distinct text is parsed once: police.uk repeats coordinates (shared map points),
    # months and categories across millions of rows.
    rx = raw[c.RAW_X].astype(str).str.strip()
    ry = raw[c.RAW_Y].astype(str).str.strip()
    is_ll = (raw[c.XY_CRS] == "EPSG:4326").to_numpy()
    xname = _Choice(is_ll, "longitude", "easting")
    yname = _Choice(is_ll, "latitude", "northing")
    missing = ((rx == "") | (ry == "")).to_numpy()
    reject(missing, "missing coordinates (the incident could not be mapped)")
    x = _numbers(rx)
    y = _numbers(ry)
    bad_x = ~np.isfinite(x)
    bad_y = ~np.isfinite(y)
    reject(bad_x, _fmt("{} {!r} is not a number", xname, rx))
    reject(bad_y, _fmt("{} {!r} is not a number", yname, ry))
    del rx, ry  # text no longer needed (keeps the peak down on national files)

    with np.errstate(invalid="ignore"):
        lat_bad = is_ll & (np.abs(y) > 90)
        lon_bad = is_ll & (np.abs(x) > 180)
        swapped = np.zeros(n, dtype=bool)
        if expected_bounds is not None:
            x0, y0, x1, y1 = expected_bounds
            m = _SWAP_MARGIN_DEG
            inside = (x >= x0 - m) & (x <= x1 + m) & (y >= y0 - m) & (y <= y1 + m)
            inside_sw = (y >= x0 - m) & (y <= x1 + m) & (x >= y0 - m) & (x <= y1 + m)
            swapped |= is_ll & ~inside & inside_sw
        en_bad_e = ~is_ll & ((x < 0) | (x > _EN_MAX_E))
        en_bad_n = ~is_ll & ((y < 0) | (y > _EN_MAX_N))
        swapped_en = ~is_ll & (x > _EN_MAX_E) & (x <= _EN_MAX_N) & (y >= 0) & (y <= _EN_MAX_E)
    reject(swapped, _fmt("longitude {} and latitude {} look swapped", x, y))
    reject(swapped_en, _fmt("easting {} and northing {} look swapped", x, y))
    reject(lat_bad, _fmt("latitude {} is outside [-90, 90]", y))
    reject(lon_bad, _fmt("longitude {} is outside [-180, 180]", x))
    reject(en_bad_e, _fmt("easting {} is outside [0, 700000]", x))
    reject(en_bad_n, _fmt("northing {} is outside [0, 1300000]", y))

    date_codes, date_values = _parse_dates_coded(raw)
    dates = date_values.to_numpy(dtype="datetime64[ns]")[date_codes]
    rd = raw[c.RAW_DATE].astype(str).str.strip()
    reject((rd == "").to_numpy(), "missing date")
    reject(np.isnat(dates), _fmt("date {!r} is not a valid date", rd))
    del rd

    rc = raw[c.RAW_CATEGORY].astype(str)
    cat_codes, cat_texts = pd.factorize(rc, use_na_sentinel=False)
    cat_keys = np.array([settings.category_key(v) for v in cat_texts], dtype=object)
    cat_shown = np.asarray(pd.Index(cat_texts).str.strip(), dtype=object)
    unknown = pd.isna(cat_keys)[cat_codes]
    reject(unknown, _fmt("unknown category {!r}", _ByCode(cat_shown, cat_codes)))

    rid = raw[c.RAW_ID].astype(str).str.strip()
    is_local = (raw[c.SOURCE_KIND] == "local").to_numpy()
    reject(is_local & (rid == "").to_numpy(), "missing id")

    has_id = (rid != "").to_numpy() & open_rows
    key = _id_keys(raw[c.SOURCE_KIND], rid)
    dup = pd.Series(key).duplicated(keep="first").to_numpy() & has_id
    if dup.any():
        candidates = pd.DataFrame({"key": key[has_id], "pos": np.flatnonzero(has_id)})
        first_pos = candidates.groupby("key", sort=False)["pos"].min()
        dup_pos = np.flatnonzero(dup)
        first = first_pos.reindex(key[dup_pos]).to_numpy()
        texts = reason.copy()
        ids = rid.iloc[dup_pos].to_numpy(dtype=object)
        files = raw[c.SOURCE_FILE].iloc[first].to_numpy(dtype=object)
        rows = raw[c.ROW].iloc[first].to_numpy()
        for j, i in enumerate(dup_pos):
            ident = str(ids[j])
            short = ident if len(ident) <= 16 else ident[:12] + "…"
            texts[i] = f"duplicate id {short!r} (first seen in {files[j]} row {rows[j]})"
        reject(dup, texts)

    ok = open_rows
    keep: np.ndarray | slice = slice(None) if ok.all() else ok
    weights = {k: float(v.weight) for k, v in settings.categories.items()}
    cat_weights = np.array(
        [weights.get(k, np.nan) if isinstance(k, str) else np.nan for k in cat_keys], dtype=float
    )
    acc_cat_codes = cat_codes[ok]
    acc_date_codes = date_codes[ok]
    months = date_values.dt.strftime("%Y-%m").to_numpy(dtype=object)
    acc_ids = rid[keep]
    no_id = (acc_ids == "").to_numpy()
    fallback = (
        raw[c.SOURCE_FILE][keep][no_id].astype(str) + "#" + raw[c.ROW][keep][no_id].astype(str)
    )
    acc_ids = acc_ids.mask(pd.Series(no_id, index=acc_ids.index), fallback)
    accepted = pd.DataFrame(
        {
            c.INCIDENT_ID: _text(acc_ids),
            c.SOURCE_FILE: _text(raw[c.SOURCE_FILE][keep]),
            c.ROW: raw[c.ROW].to_numpy(dtype="int64")[ok],
            c.SOURCE_KIND: _text(raw[c.SOURCE_KIND][keep]),
            c.X: x[ok],
            c.Y: y[ok],
            c.XY_CRS: _text(raw[c.XY_CRS][keep]),
            c.DATE: dates[ok],
            c.MONTH: _take_text(months, acc_date_codes),
            c.CATEGORY: _take_text(cat_keys, acc_cat_codes),
            c.WEIGHT: cat_weights[acc_cat_codes],
            c.LOCATION: _text(raw[c.LOCATION][keep]),
            c.LSOA_CODE: _text(raw[c.LSOA_CODE][keep]),
            c.OUTCOME: _text(raw[c.OUTCOME][keep]),
            c.REPORT_SOURCE: _text(raw[c.REPORT_SOURCE][keep]),
            c.NOTES: _text(raw[c.NOTES][keep]),
        }
    )
    rejected = rejected_rows(raw.loc[~ok, [c.SOURCE_FILE, c.ROW]], "invalid", reason[~ok])
    assert len(accepted) + len(rejected) == n, "validation lost rows"
    return Checked(accepted=accepted, rejected=rejected)


_VALUE_RE = re.compile(r"\b(latitude|longitude|easting|northing) -?[0-9.eE+-]+|'[^']*'")
_FIRST_SEEN_RE = re.compile(r" \(first seen in [^)]*\)")


def summarise_reasons(rejected: pd.DataFrame) -> pd.DataFrame:
    """Count rejected rows by stage and kind of reason (quoted values folded into "…").

    Parameters
    ----------
    rejected
        ``source_file``, ``row``, ``stage``, ``reason``.

    Returns
    -------
    pandas.DataFrame
        ``stage``, ``reason`` (e.g. ``"duplicate id '…'"``), ``rows`` (int), most rows first.

    """
    if rejected.empty:
        return pd.DataFrame({c.STAGE: [], c.REASON: [], "rows": pd.Series(dtype="int64")})
    fam = rejected[c.REASON].astype(str).str.replace(_FIRST_SEEN_RE, "", regex=True)
    fam = fam.str.replace(_VALUE_RE, _fold_value, regex=True)
    out = (
        pd.DataFrame({c.STAGE: rejected[c.STAGE].astype(str), c.REASON: fam})
        .groupby([c.STAGE, c.REASON], sort=True)
        .size()
        .rename("rows")
        .reset_index()
        .sort_values("rows", ascending=False, kind="stable")
        .reset_index(drop=True)
    )
    out["rows"] = out["rows"].astype("int64")
    return out


def _fold_value(m: re.Match[str]) -> str:
    return f"{m.group(1)} …" if m.group(1) else "'…'"


def apply_filters(accepted: pd.DataFrame, settings: Settings) -> Checked:
    """Keep rows inside ``settings.since``/``until`` and ``settings.include``.

    Parameters
    ----------
    accepted
        Any frame with ``month``, ``category``, ``source_file`` and ``row`` columns.

    Returns
    -------
    Checked
        ``accepted``: the rows kept, same columns; ``rejected``: rows set aside with stage
        ``"filtered"`` and the reason (e.g. ``"before the chosen months (since 2018-06)"``).

    """
    reason = np.full(len(accepted), "", dtype=object)
    if settings.since or settings.until:
        # compare each distinct month once
        codes, months = pd.factorize(accepted[c.MONTH].astype(str), use_na_sentinel=False)
        distinct = np.asarray(months, dtype=object)
        if settings.since:
            before = (distinct < settings.since)[codes]
            reason[before & (reason == "")] = f"before the chosen months (since {settings.since})"
        if settings.until:
            after = (distinct > settings.until)[codes]
            reason[after & (reason == "")] = f"after the chosen months (until {settings.until})"
    if settings.include:
        out = ~accepted[c.CATEGORY].isin(settings.include).to_numpy()
        reason[out & (reason == "")] = "category not chosen"
    keep = reason == ""
    kept = accepted if keep.all() else accepted.loc[keep]  # no copy when nothing is set aside
    return Checked(
        accepted=kept.reset_index(drop=True),
        rejected=rejected_rows(accepted.loc[~keep], "filtered", reason[~keep]),
    )


def validate_wards(wards: gpd.GeoDataFrame) -> WardCheck:
    """Repair invalid ward polygons and merge features that share a ward code.

    Parameters
    ----------
    wards
        Columns ``ward_code``, ``ward_name``, ``geometry`` (polygons, any CRS).

    Returns
    -------
    WardCheck
        ``wards``: one row per ward code, sorted by code, same columns and CRS, valid
        polygonal geometry; ``notes``: what was repaired or merged.

    Raises
    ------
    ValidationError
        When a ward has an empty or non-polygonal geometry, or no wards remain.

    """
    source = str(wards.attrs.get("source", "boundaries"))
    notes: list[str] = []
    problems: list[str] = []
    geoms = wards.geometry.to_numpy()
    fixed: list[shapely.Geometry | None] = []
    for i, (code, geom) in enumerate(zip(wards[c.WARD_CODE], geoms, strict=True)):
        if geom is None or geom.is_empty:
            problems.append(f"{source}: feature {i + 1} (ward {code}) has no geometry")
            fixed.append(None)
            continue
        if not geom.is_valid:
            why = shapely.is_valid_reason(geom)
            geom = shapely.make_valid(geom)
            notes.append(f"{source}: ward {code} had an invalid polygon ({why}); repaired")
        geom = _polygonal(geom)
        if geom is None:
            problems.append(f"{source}: feature {i + 1} (ward {code}) is not a polygon")
        fixed.append(geom)
    if problems:
        raise ValidationError(problems)
    out = gpd.GeoDataFrame(
        {c.WARD_CODE: wards[c.WARD_CODE].astype(str), c.WARD_NAME: wards[c.WARD_NAME].astype(str)},
        geometry=fixed,
        crs=wards.crs,
    )
    if out[c.WARD_CODE].duplicated().any():
        dups = sorted(set(out.loc[out[c.WARD_CODE].duplicated(), c.WARD_CODE]))
        notes.append(f"{source}: features sharing a ward code were merged: {', '.join(dups)}")
        out = out.dissolve(by=c.WARD_CODE, aggfunc="first", as_index=False)
        out = out[[c.WARD_CODE, c.WARD_NAME, "geometry"]]
    out = out.sort_values(c.WARD_CODE, kind="stable").reset_index(drop=True)
    out.attrs["source"] = source
    return WardCheck(wards=out, notes=notes)


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry | None:
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    if geom.geom_type == "GeometryCollection":
        parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
        if parts:
            return shapely.union_all(parts)
    return None


def _fmt(template: str, *cols: object) -> np.ndarray:
    """Format a message per row lazily (only rows that end up rejected are formatted)."""
    return _LazyMessages(template, cols)  # type: ignore[return-value]


class _LazyMessages:
    """Array-like of messages formatted only where indexed (keeps the 6M-row path cheap).

    Columns are arrays, Series, or :class:`_Choice`/:class:`_ByCode`; only the indexed
    rows are ever turned into Python objects.
    """

    def __init__(self, template: str, cols: tuple[object, ...]) -> None:
        self.template = template
        self.cols = cols

    def __getitem__(self, mask: np.ndarray) -> np.ndarray:
        idx = np.flatnonzero(mask)
        cols = [_take(col, idx) for col in self.cols]
        out = np.empty(len(idx), dtype=object)
        for j in range(len(idx)):
            out[j] = self.template.format(*(_show(col[j]) for col in cols))
        return out


class _Choice:
    """Per row ``yes`` where ``mask`` else ``no``, built only for the rows asked for."""

    def __init__(self, mask: np.ndarray, yes: str, no: str) -> None:
        self.mask, self.yes, self.no = mask, yes, no

    def take(self, idx: np.ndarray) -> np.ndarray:
        return np.where(self.mask[idx], self.yes, self.no)


class _ByCode:
    """Per row ``values[codes]`` (distinct values and a code per row), built on demand."""

    def __init__(self, values: np.ndarray, codes: np.ndarray) -> None:
        self.values, self.codes = values, codes

    def take(self, idx: np.ndarray) -> np.ndarray:
        out: np.ndarray = self.values[self.codes[idx]]
        return out


def _take(col: object, idx: np.ndarray) -> np.ndarray:
    if isinstance(col, _Choice | _ByCode):
        return col.take(idx)
    if isinstance(col, pd.Series):
        return col.iloc[idx].to_numpy(dtype=object)
    out: np.ndarray = np.asarray(col)[idx]
    return out


def _numbers(text: pd.Series) -> np.ndarray:
    """``pd.to_numeric(text, errors="coerce")`` as floats, converting each distinct text once."""
    codes, uniq = pd.factorize(text)  # missing text gets code -1, and NaN
    values = pd.to_numeric(pd.Series(uniq, dtype=text.dtype), errors="coerce")
    out: np.ndarray = np.append(values.to_numpy(dtype=float), np.nan)[codes]
    return out


def _id_keys(kind: pd.Series, rid: pd.Series) -> np.ndarray:
    """One int per row, equal exactly when source kind and id are equal (missing ids: one key)."""
    kind_codes, _ = pd.factorize(kind)  # missing values: code -1, overridden below
    id_codes, ids = pd.factorize(rid)
    key = kind_codes.astype(np.int64) * (len(ids) + 1) + id_codes
    missing = (kind.isna() | rid.isna()).to_numpy()
    out: np.ndarray = np.where(missing, -1, key)
    return out


#: The dtype a new frame gives a column of Python strings (``str`` in pandas 3).
_TEXT_DTYPE = pd.Series(np.array([""], dtype=object)).dtype


def _text(s: pd.Series) -> object:
    """Column values for a new frame, as ``s.to_numpy(dtype=object)`` would give them.

    Text columns already of the inferred text dtype are passed on as they are (no round
    trip through millions of Python strings).
    """
    if len(s) and s.dtype == _TEXT_DTYPE and not s.hasnans:
        return s.array
    return s.to_numpy(dtype=object)


def _take_text(values: np.ndarray, codes: np.ndarray) -> object:
    """``values[codes]`` (Python strings) as a frame column, without a Python string per row."""
    if len(codes) == 0:
        return np.empty(0, dtype=object)
    return _text(pd.Series(values).take(codes))


def _show(v: object) -> object:
    if isinstance(v, float | np.floating):
        return np.format_float_positional(float(v), trim="-")
    return v


def _parse_dates(raw: pd.DataFrame) -> pd.Series:
    """Parse each distinct date text once (``YYYY-MM``, ISO 8601, or ``DD/MM/YYYY``)."""
    codes, parsed = _parse_dates_coded(raw)
    text = raw[c.RAW_DATE]
    return pd.Series(parsed.to_numpy()[codes], index=text.index, name=text.name)


def _parse_dates_coded(raw: pd.DataFrame) -> tuple[np.ndarray, pd.Series]:
    """Parse each distinct stripped date text once.

    Returns ``(codes, dates)``: for every row the index of its text, and the parsed date of
    each distinct text (datetime64[ns], NaT when unparsable).
    """
    text = raw[c.RAW_DATE].astype(str).str.strip()
    codes, uniq = pd.factorize(text, use_na_sentinel=False)
    parsed = pd.to_datetime(pd.Series([_parse_one(str(v)) for v in uniq], dtype=object))
    return codes, parsed.astype("datetime64[ns]")


_DATE_FORMATS = (
    "%Y-%m",
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%Y/%m/%d",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
)


def _parse_one(value: str) -> pd.Timestamp | None:
    for fmt in _DATE_FORMATS:
        try:
            ts = pd.Timestamp(pd.to_datetime(value, format=fmt))
        except (ValueError, OverflowError):
            continue
        if 1900 <= ts.year <= 2100:
            return ts
    return None

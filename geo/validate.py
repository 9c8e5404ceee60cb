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

    def reject(mask: np.ndarray, text: np.ndarray | str) -> None:
        todo = mask & (reason == "")
        if isinstance(text, str):
            reason[todo] = text
        else:
            reason[todo] = text[todo]

    rx = raw[c.RAW_X].astype(str).str.strip()
    ry = raw[c.RAW_Y].astype(str).str.strip()
    is_ll = (raw[c.XY_CRS] == "EPSG:4326").to_numpy()
    xname = np.where(is_ll, "longitude", "easting")
    yname = np.where(is_ll, "latitude", "northing")
    missing = ((rx == "") | (ry == "")).to_numpy()
    reject(missing, "missing coordinates (the incident could not be mapped)")
    x = pd.to_numeric(rx, errors="coerce").to_numpy(dtype=float)
    y = pd.to_numeric(ry, errors="coerce").to_numpy(dtype=float)
    bad_x = ~np.isfinite(x)
    bad_y = ~np.isfinite(y)
    reject(bad_x, _fmt("{} {!r} is not a number", xname, rx.to_numpy()))
    reject(bad_y, _fmt("{} {!r} is not a number", yname, ry.to_numpy()))

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
    reject(
        swapped,
        _fmt("longitude {} and latitude {} look swapped", x.astype(object), y.astype(object)),
    )
    reject(swapped_en, _fmt("easting {} and northing {} look swapped", x, y))
    reject(lat_bad, _fmt("latitude {} is outside [-90, 90]", y.astype(object)))
    reject(lon_bad, _fmt("longitude {} is outside [-180, 180]", x.astype(object)))
    reject(en_bad_e, _fmt("easting {} is outside [0, 700000]", x.astype(object)))
    reject(en_bad_n, _fmt("northing {} is outside [0, 1300000]", y.astype(object)))

    dates = _parse_dates(raw)
    rd = raw[c.RAW_DATE].astype(str).str.strip()
    reject((rd == "").to_numpy(), "missing date")
    reject(dates.isna().to_numpy(), _fmt("date {!r} is not a valid date", rd.to_numpy()))

    rc = raw[c.RAW_CATEGORY].astype(str)
    mapping = {v: settings.category_key(v) for v in pd.unique(rc)}
    cats = rc.map(mapping)
    reject(cats.isna().to_numpy(), _fmt("unknown category {!r}", rc.str.strip().to_numpy()))

    rid = raw[c.RAW_ID].astype(str).str.strip()
    is_local = (raw[c.SOURCE_KIND] == "local").to_numpy()
    reject(is_local & (rid == "").to_numpy(), "missing id")

    ok_so_far = reason == ""
    has_id = (rid != "").to_numpy() & ok_so_far
    key = raw[c.SOURCE_KIND].astype(str) + "\x1f" + rid
    dup = key.duplicated(keep="first").to_numpy() & has_id
    if dup.any():
        candidates = pd.DataFrame({"key": key[has_id], "pos": np.flatnonzero(has_id)})
        first_pos = candidates.groupby("key", sort=False)["pos"].min()
        dup_pos = np.flatnonzero(dup)
        first = first_pos.reindex(key.iloc[dup_pos]).to_numpy()
        texts = reason.copy()
        ids = rid.to_numpy(dtype=object)
        files = raw[c.SOURCE_FILE].to_numpy(dtype=object)
        rows = raw[c.ROW].to_numpy()
        for i, f in zip(dup_pos, first, strict=True):
            ident = str(ids[i])
            short = ident if len(ident) <= 16 else ident[:12] + "…"
            texts[i] = f"duplicate id {short!r} (first seen in {files[f]} row {rows[f]})"
        reject(dup, texts)

    ok = reason == ""
    acc = raw.loc[ok]
    weights = {k: float(v.weight) for k, v in settings.categories.items()}
    acc_cats = cats[ok].astype(str)
    acc_ids = rid[ok]
    fallback = acc[c.SOURCE_FILE].astype(str) + "#" + acc[c.ROW].astype(str)
    accepted = pd.DataFrame(
        {
            c.INCIDENT_ID: np.where(acc_ids == "", fallback, acc_ids).astype(object),
            c.SOURCE_FILE: acc[c.SOURCE_FILE].to_numpy(dtype=object),
            c.ROW: acc[c.ROW].to_numpy(dtype="int64"),
            c.SOURCE_KIND: acc[c.SOURCE_KIND].to_numpy(dtype=object),
            c.X: x[ok],
            c.Y: y[ok],
            c.XY_CRS: acc[c.XY_CRS].to_numpy(dtype=object),
            c.DATE: dates[ok].to_numpy(dtype="datetime64[ns]"),
            c.MONTH: dates[ok].dt.strftime("%Y-%m").to_numpy(dtype=object),
            c.CATEGORY: acc_cats.to_numpy(dtype=object),
            c.WEIGHT: acc_cats.map(weights).to_numpy(dtype=float),
            c.LOCATION: acc[c.LOCATION].to_numpy(dtype=object),
            c.LSOA_CODE: acc[c.LSOA_CODE].to_numpy(dtype=object),
            c.OUTCOME: acc[c.OUTCOME].to_numpy(dtype=object),
            c.REPORT_SOURCE: acc[c.REPORT_SOURCE].to_numpy(dtype=object),
            c.NOTES: acc[c.NOTES].to_numpy(dtype=object),
        }
    )
    rejected = rejected_rows(raw.loc[~ok], "invalid", reason[~ok])
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
    month = accepted[c.MONTH].astype(str).to_numpy()
    if settings.since:
        reason[(month < settings.since) & (reason == "")] = (
            f"before the chosen months (since {settings.since})"
        )
    if settings.until:
        reason[(month > settings.until) & (reason == "")] = (
            f"after the chosen months (until {settings.until})"
        )
    if settings.include:
        out = ~accepted[c.CATEGORY].isin(settings.include).to_numpy()
        reason[out & (reason == "")] = "category not chosen"
    keep = reason == ""
    return Checked(
        accepted=accepted.loc[keep].reset_index(drop=True),
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


def _fmt(template: str, *cols: np.ndarray) -> np.ndarray:
    """Format a message per row lazily (only rows that end up rejected are formatted)."""
    return _LazyMessages(template, cols)  # type: ignore[return-value]


class _LazyMessages:
    """Array-like of messages formatted only where indexed (keeps the 6M-row path cheap)."""

    def __init__(self, template: str, cols: tuple[np.ndarray, ...]) -> None:
        self.template = template
        self.cols = cols

    def __getitem__(self, mask: np.ndarray) -> np.ndarray:
        idx = np.flatnonzero(mask)
        out = np.empty(len(idx), dtype=object)
        for j, i in enumerate(idx):
            out[j] = self.template.format(*(_show(col[i]) for col in self.cols))
        return out


def _show(v: object) -> object:
    if isinstance(v, float | np.floating):
        return np.format_float_positional(float(v), trim="-")
    return v


def _parse_dates(raw: pd.DataFrame) -> pd.Series:
    """Parse each distinct date text once (``YYYY-MM``, ISO 8601, or ``DD/MM/YYYY``)."""
    text = raw[c.RAW_DATE].astype(str).str.strip()
    uniq = pd.unique(text)
    parsed = {v: _parse_one(str(v)) for v in uniq}
    return pd.to_datetime(text.map(parsed)).astype("datetime64[ns]")


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

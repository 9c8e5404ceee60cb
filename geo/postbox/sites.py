"""Candidate postbox sites: read and check the sites CSV (public places, WGS84 lon/lat)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj

from geo import columns as c
from geo.errors import ValidationError
from geo.io import read_text_csv
from geo.paths import DEFAULT_SITES
from geo.project import WGS84, choose_metric_crs
from geo.rejected import rejected_rows
from geo.wards import first_ward

#: The shipped candidate sites in and around Rose Hill, Iffley and Littlemore.

SITE_ID = "site_id"  #: str, stable id of a site, e.g. ``"rose-hill-community-centre"``
NAME = "name"  #: str, plain-English name of the place
SITE_KIND = "kind"  #: str, e.g. ``"library"``, ``"school"``, ``"supermarket"``
LONGITUDE = "longitude"  #: float, WGS84 degrees
LATITUDE = "latitude"  #: float, WGS84 degrees
AVAILABLE_FROM = "available_from"  #: datetime64[ns], first day the box may stand there (NaT = open)
AVAILABLE_TO = "available_to"  #: datetime64[ns], last day the box may stand there (NaT = open)
SITE_SOURCE = "source"  #: str, where the coordinate came from (free text, may be "")
SITE_NOTES = "notes"  #: str, free text for the team (may be "")
OUTSIDE_M = "outside_m"  #: float, metres outside every ward (0 inside a ward)

REQUIRED_COLUMNS: tuple[str, ...] = (SITE_ID, NAME, SITE_KIND, LONGITUDE, LATITUDE)
OPTIONAL_COLUMNS: tuple[str, ...] = (AVAILABLE_FROM, AVAILABLE_TO, SITE_SOURCE, SITE_NOTES)

#: Columns of a checked sites table, in order (plus ``geometry``).
SITE_COLUMNS: tuple[str, ...] = (
    SITE_ID,
    NAME,
    SITE_KIND,
    LONGITUDE,
    LATITUDE,
    AVAILABLE_FROM,
    AVAILABLE_TO,
    SITE_SOURCE,
    SITE_NOTES,
    c.SOURCE_FILE,
    c.ROW,
    c.WARD_CODE,
    c.WARD_NAME,
    OUTSIDE_M,
)

#: What a site id may look like (also used for box ids in the placement log).
SITE_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

SitesSource = str | Path | tuple[str, bytes]
"""A sites CSV path, or ``(display name, file bytes)`` for an upload."""


@dataclass(frozen=True)
class SiteCheck:
    """Checked sites and the rows that could not be used.

    Attributes
    ----------
    sites
        GeoDataFrame, columns :data:`SITE_COLUMNS` and Point ``geometry`` in EPSG:4326,
        sorted by ``site_id``.
    rejected
        ``source_file``, ``row``, ``stage`` (``"invalid"`` or ``"outside_wards"``), ``reason``.
        ``len(sites) + len(rejected)`` is the number of data rows in the file.

    """

    sites: gpd.GeoDataFrame
    rejected: pd.DataFrame


def load_sites(
    source: SitesSource | None = None,
    *,
    wards: gpd.GeoDataFrame | None = None,
    max_outside_m: float = 1000.0,
) -> SiteCheck:
    """Read and check a candidate sites CSV.

    Columns (header names are matched without regard to case): ``site_id``, ``name``,
    ``kind``, ``longitude``, ``latitude`` (WGS84 degrees), and optionally ``available_from``
    and ``available_to`` (``YYYY-MM-DD``, inclusive, empty = open), ``source`` and ``notes``
    (free text). Any other column is refused, so a misspelt column is not silently ignored.

    A row is rejected with a reason (first failing check wins) for: a missing or malformed
    ``site_id``, a missing name or kind, missing, non-numeric, out-of-range or swapped
    coordinates, an unreadable availability date, ``available_to`` before
    ``available_from``, or (when ``wards`` is given) lying more than ``max_outside_m``
    metres outside every ward.

    Parameters
    ----------
    source
        A path or ``(name, bytes)``; default :data:`DEFAULT_SITES`.
    wards
        Optional ``ward_code``, ``ward_name``, ``geometry`` polygons (any CRS): each site gets
        the ward it lies in (a site on a shared edge goes to the ward whose code sorts first).
    max_outside_m
        How far outside every ward (metres) a site may lie and still be used.

    Returns
    -------
    SiteCheck

    Raises
    ------
    ValidationError
        When the file cannot be read, lacks or has unknown columns, or holds a site id twice
        (every repeat is named with its row and the row it repeats).

    """
    src: SitesSource = DEFAULT_SITES if source is None else source
    if isinstance(max_outside_m, bool) or not isinstance(max_outside_m, int | float):
        raise ValidationError(f"max_outside_m must be a number of metres. Got {max_outside_m!r}.")
    if not 0 <= max_outside_m <= 50_000:
        raise ValidationError(f"max_outside_m must be >= 0 and <= 50000. Got {max_outside_m!r}.")
    name, raw = _read(src)
    n = len(raw)
    _refuse_duplicates(raw, name)
    reason = np.full(n, "", dtype=object)

    def reject(mask: np.ndarray, texts: np.ndarray | str) -> None:
        todo = mask & (reason == "")
        reason[todo] = texts if isinstance(texts, str) else texts[todo]

    sid = raw[SITE_ID].str.strip()
    reject((sid == "").to_numpy(), "missing site_id")
    bad_id = ~sid.map(lambda s: bool(SITE_ID_RE.match(s))).to_numpy(dtype=bool)
    reject(
        bad_id,
        np.array(
            [
                f"site_id {s!r} may only hold letters, digits, '-', '_' and '.' "
                "(at most 40 characters, starting with a letter or digit)"
                for s in sid
            ],
            dtype=object,
        ),
    )
    for col in (NAME, SITE_KIND):
        reject((raw[col].str.strip() == "").to_numpy(), f"missing {col}")
    lon_t, lat_t = raw[LONGITUDE].str.strip(), raw[LATITUDE].str.strip()
    reject(((lon_t == "") | (lat_t == "")).to_numpy(), "missing longitude or latitude")
    lon = pd.to_numeric(lon_t, errors="coerce").to_numpy(dtype=float)
    lat = pd.to_numeric(lat_t, errors="coerce").to_numpy(dtype=float)
    reject(~np.isfinite(lon), _texts("longitude {!r} is not a number", lon_t))
    reject(~np.isfinite(lat), _texts("latitude {!r} is not a number", lat_t))
    with np.errstate(invalid="ignore"):
        swapped = (np.abs(lat) > 90) & (np.abs(lon) <= 90)
        reject(swapped, _texts2("longitude {} and latitude {} look swapped", lon_t, lat_t))
        reject(np.abs(lat) > 90, _texts("latitude {} is outside [-90, 90]", lat_t))
        reject(np.abs(lon) > 180, _texts("longitude {} is outside [-180, 180]", lon_t))
    dates: dict[str, pd.Series] = {}
    for col in (AVAILABLE_FROM, AVAILABLE_TO):
        text = raw[col].str.strip()
        parsed = pd.to_datetime(
            text.where(text.str.match(_DATE_RE), ""), format="%Y-%m-%d", errors="coerce"
        )
        parsed = parsed.astype("datetime64[ns]")
        reject(
            ((text != "") & parsed.isna()).to_numpy(),
            _texts(f"{col} {{!r}} is not a date YYYY-MM-DD", text),
        )
        dates[col] = parsed
    late = (dates[AVAILABLE_TO] < dates[AVAILABLE_FROM]).to_numpy(dtype=bool)
    reject(
        late,
        _texts2(
            "available_to {} is before available_from {}", raw[AVAILABLE_TO], raw[AVAILABLE_FROM]
        ),
    )
    lon = np.where(np.isfinite(lon), lon, 0.0)
    lat = np.where(np.isfinite(lat), lat, 0.0)
    sites = gpd.GeoDataFrame(
        {
            SITE_ID: sid.to_numpy(dtype=object),
            NAME: raw[NAME].str.strip().to_numpy(dtype=object),
            SITE_KIND: raw[SITE_KIND].str.strip().to_numpy(dtype=object),
            LONGITUDE: lon,
            LATITUDE: lat,
            AVAILABLE_FROM: dates[AVAILABLE_FROM].to_numpy(dtype="datetime64[ns]"),
            AVAILABLE_TO: dates[AVAILABLE_TO].to_numpy(dtype="datetime64[ns]"),
            SITE_SOURCE: raw[SITE_SOURCE].str.strip().to_numpy(dtype=object),
            SITE_NOTES: raw[SITE_NOTES].str.strip().to_numpy(dtype=object),
            c.SOURCE_FILE: np.full(n, name, dtype=object),
            c.ROW: raw[c.ROW].to_numpy(dtype="int64"),
            c.WARD_CODE: np.full(n, "", dtype=object),
            c.WARD_NAME: np.full(n, "", dtype=object),
            OUTSIDE_M: np.zeros(n),
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs=WGS84,
    )
    rejected = [rejected_rows(sites.loc[reason != ""], "invalid", reason[reason != ""])]
    sites = sites.loc[reason == ""].reset_index(drop=True)
    if wards is not None and len(sites):
        sites, outside = _with_wards(sites, wards, max_outside_m)
        rejected.append(outside)
    sites = sites.sort_values(SITE_ID, kind="stable").reset_index(drop=True)
    rej = pd.concat(rejected, ignore_index=True).sort_values(c.ROW, kind="stable")
    rej = rej.reset_index(drop=True)
    if len(sites) + len(rej) != n:
        raise RuntimeError(
            f"site validation lost rows: {n} rows but {len(sites)} sites and {len(rej)} rejected"
        )
    out = gpd.GeoDataFrame(sites[[*SITE_COLUMNS, "geometry"]], geometry="geometry", crs=WGS84)
    out.attrs["source"] = name
    return SiteCheck(sites=out, rejected=rej)


def _read(source: SitesSource) -> tuple[str, pd.DataFrame]:
    name, df = read_text_csv(source, what="sites file", empty_what="sites file")
    cols = [str(col).strip().lower() for col in df.columns]
    missing = [col for col in REQUIRED_COLUMNS if col not in cols]
    if missing:
        raise ValidationError(
            f"{name}: sites CSV is missing column(s) {', '.join(missing)} "
            f"(expected {', '.join(REQUIRED_COLUMNS)})"
        )
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
    unknown = [col for col in cols if col not in known]
    if unknown:
        raise ValidationError(
            f"{name}: unknown column(s) {', '.join(map(repr, unknown))} in the sites CSV "
            f"(allowed: {', '.join([*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS])})"
        )
    if len(set(cols)) != len(cols):
        raise ValidationError(f"{name}: a column appears twice in the sites CSV header")
    df.columns = cols
    for col in OPTIONAL_COLUMNS:
        if col not in df.columns:
            df[col] = ""
    df = df.astype(str)
    df[c.ROW] = np.arange(2, len(df) + 2, dtype="int64")
    return name, df


def _refuse_duplicates(raw: pd.DataFrame, name: str) -> None:
    sid = raw[SITE_ID].str.strip()
    has = sid != ""
    dup = sid.duplicated(keep="first") & has
    if not dup.any():
        return
    first_row = raw.loc[has].groupby(sid[has], sort=False)[c.ROW].min()
    problems = [
        f"{name} row {row}: duplicate site_id {s!r} (first in row {first_row[s]})"
        for s, row in zip(sid[dup], raw.loc[dup, c.ROW], strict=True)
    ]
    raise ValidationError(problems)


def _with_wards(
    sites: gpd.GeoDataFrame, wards: gpd.GeoDataFrame, max_outside_m: float
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Give sites their ward (lowest code on shared edges); reject those too far outside."""
    if wards.crs is None:
        raise ValidationError("wards have no CRS; cannot place the sites in wards")
    crs = pyproj.CRS(wards.crs)
    if not crs.is_projected:
        lonlat = wards.to_crs(WGS84).total_bounds
        crs = choose_metric_crs(lonlat[[0, 2]], lonlat[[1, 3]])
    order = wards.to_crs(crs).sort_values(c.WARD_CODE, kind="stable").reset_index(drop=True)
    pts = sites.to_crs(crs).geometry.to_numpy()
    idx_site, idx_ward = order.sindex.query(pts, predicate="intersects")
    ward_of = first_ward(idx_site, idx_ward, len(sites))
    inside = ward_of >= 0
    out = sites.copy()
    out.loc[inside, c.WARD_CODE] = order[c.WARD_CODE].to_numpy(dtype=object)[ward_of[inside]]
    out.loc[inside, c.WARD_NAME] = order[c.WARD_NAME].to_numpy(dtype=object)[ward_of[inside]]
    dist = np.zeros(len(sites))
    if (~inside).any():
        union = order.geometry.union_all()
        dist[~inside] = gpd.GeoSeries(pts[~inside], crs=crs).distance(union).to_numpy()
    out[OUTSIDE_M] = np.round(dist, 1)
    far = dist > max_outside_m
    texts = [f"{d:,.0f} m outside every ward (more than {max_outside_m:g} m)" for d in dist[far]]
    if far.any():  # would the site be in the area with longitude and latitude swapped?
        lon, lat = out.loc[far, LONGITUDE].to_numpy(), out.loc[far, LATITUDE].to_numpy()
        ok = (np.abs(lon) <= 90) & (np.abs(lat) <= 180)
        swapped = gpd.GeoSeries(
            gpd.points_from_xy(np.where(ok, lat, 0.0), np.where(ok, lon, 0.0)), crs=WGS84
        ).to_crs(crs)
        near = ok & (swapped.distance(order.geometry.union_all()).to_numpy() <= max_outside_m)
        texts = [
            f"longitude {x:g} and latitude {y:g} look swapped" if n else t
            for t, n, x, y in zip(texts, near, lon, lat, strict=True)
        ]
    rejected = rejected_rows(out.loc[far], "outside_wards", np.array(texts, dtype=object))
    return out.loc[~far].reset_index(drop=True), rejected


def _texts(template: str, values: pd.Series) -> np.ndarray:
    return np.array([template.format(v) for v in values.astype(str)], dtype=object)


def _texts2(template: str, a: pd.Series, b: pd.Series) -> np.ndarray:
    return np.array(
        [template.format(x, y) for x, y in zip(a.astype(str), b.astype(str), strict=True)],
        dtype=object,
    )


#: Plain words for the kinds of police.uk public place used as sites.
KIND_WORDS: dict[str, str] = {
    "supermarket": "Supermarket",
    "shopping_area": "Shopping area",
    "college": "College building",
    "sports_area": "Sports ground",
}


def nearest_street(
    longitude: float, latitude: float, locations: pd.DataFrame, *, max_m: float = 400.0
) -> str:
    """The police.uk street name nearest a point: what makes a generic place findable.

    Parameters
    ----------
    longitude, latitude
        The site, WGS84 degrees.
    locations
        police.uk rows: ``Longitude``, ``Latitude`` (WGS84 degrees), ``Location``
        (``"On or near Between Towns Road"``). Kinds of place (``"On or near
        Supermarket"``, :func:`geo.places.is_generic`) and empty values are skipped.
    max_m
        Streets further away than this are not used.

    Returns
    -------
    str
        The nearest street's name (ties: the alphabetically first), or ``""`` when none is
        within ``max_m``.

    """
    from geo.places import is_generic, place_name

    for col in ("Longitude", "Latitude", "Location"):
        if col not in locations.columns:
            raise ValidationError(f"police.uk rows lack column {col!r} (expected Location, ...)")
    names = locations["Location"].map(place_name)
    keep = (names != "") & ~names.map(is_generic) & locations["Longitude"].notna()
    pts = locations.loc[keep, ["Longitude", "Latitude"]].astype(float)
    if not len(pts):
        return ""
    crs = choose_metric_crs(pts["Longitude"].to_numpy(), pts["Latitude"].to_numpy())
    to_m = pyproj.Transformer.from_crs(WGS84, crs, always_xy=True)
    x, y = to_m.transform(pts["Longitude"].to_numpy(), pts["Latitude"].to_numpy())
    sx, sy = to_m.transform(longitude, latitude)
    d = np.round(np.hypot(np.asarray(x) - sx, np.asarray(y) - sy), 3)
    frame = pd.DataFrame({"d": d, "name": names[keep].to_numpy()})
    frame = frame.loc[frame["d"] <= max_m].sort_values(["d", "name"], kind="stable")
    return str(frame["name"].iloc[0]) if len(frame) else ""


def findable_name(kind: str, street: str, area: str) -> str:
    """``"Supermarket near Between Towns Road, Cowley"``: a generic place someone can find."""
    words = KIND_WORDS.get(kind, kind.replace("_", " ").capitalize())
    return f"{words} near {street}, {area}" if street else f"{words}, {area}"

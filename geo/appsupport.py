"""Pure helpers behind the app: staff passwords, uploads, month windows and the patrol sheet."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import html as html_lib
import io
import os
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import columns as c
from geo.errors import ValidationError
from geo.settings import Category, Settings, WardOverride

# --- staff passwords --------------------------------------------------------------------

#: Shortest staff password :func:`hash_password` accepts.
PASSWORD_MIN_CHARS = 10
_SCRYPT = "scrypt"
_HASH_RE = re.compile(r"^scrypt:(\d+):(\d+):(\d+):([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$")


def hash_password(
    password: str, *, salt: bytes | None = None, n: int = 2**14, r: int = 8, p: int = 1
) -> str:
    """A salted scrypt hash of a staff password, as one line of text.

    Format: ``scrypt:<n>:<r>:<p>:<salt, base64>:<key, base64>`` (no ``$``, so it is safe
    in shells and ``.env`` files); store it as
    ``staff_password_hash`` in ``.streamlit/secrets.toml`` or in the environment variable
    ``HOTSPOTS_STAFF_PASSWORD_HASH``. The password itself is never stored.

    Parameters
    ----------
    password
        At least :data:`PASSWORD_MIN_CHARS` characters.
    salt
        16 random bytes by default (tests may pass their own).
    n, r, p
        scrypt cost parameters (``n`` a power of two).

    Raises
    ------
    ValidationError
        When the password is too short or the cost parameters are unusable.

    """
    if len(password) < PASSWORD_MIN_CHARS:
        raise ValidationError(
            f"The staff password must be at least {PASSWORD_MIN_CHARS} characters. "
            f"Got {len(password)}."
        )
    if n < 2 or n & (n - 1) or r < 1 or p < 1:
        raise ValidationError(
            f"scrypt needs n a power of two >= 2, r >= 1, p >= 1. Got {n}, {r}, {p}."
        )
    salt = os.urandom(16) if salt is None else salt
    key = _scrypt(password, salt, n, r, p)
    b64 = base64.b64encode
    return f"{_SCRYPT}:{n}:{r}:{p}:{b64(salt).decode()}:{b64(key).decode()}"


def check_password_hash(stored: str) -> None:
    """Raise :class:`ValidationError` unless ``stored`` is a hash made by :func:`hash_password`."""
    _parse_hash(stored)


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored`` (constant-time comparison).

    Raises
    ------
    ValidationError
        When ``stored`` is not a hash made by :func:`hash_password` (a configuration error,
        not a wrong password).

    """
    n, r, p, salt, key = _parse_hash(stored)
    got = _scrypt(password, salt, n, r, p, dklen=len(key))
    return hmac.compare_digest(got, key)


def _parse_hash(stored: str) -> tuple[int, int, int, bytes, bytes]:
    m = _HASH_RE.match(stored.strip())
    problem = (
        "The configured staff password hash is not valid: expected "
        "'scrypt:<n>:<r>:<p>:<salt>:<key>' as printed by 'python -m geo hash-password'."
    )
    if m is None:
        raise ValidationError(problem)
    n, r, p = int(m.group(1)), int(m.group(2)), int(m.group(3))
    try:
        salt = base64.b64decode(m.group(4), validate=True)
        key = base64.b64decode(m.group(5), validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(problem) from None
    if n < 2 or n & (n - 1) or n > 2**20 or not 1 <= r <= 32 or not 1 <= p <= 16 or len(key) < 16:
        raise ValidationError(problem)
    return n, r, p, salt, key


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, dklen: int = 32) -> bytes:
    maxmem = 128 * r * (n + p + 2) + 1024 * 1024
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=dklen
    )


# --- uploads ----------------------------------------------------------------------------

#: File name endings read as incident CSVs and as ward boundaries.
INCIDENT_TYPES: tuple[str, ...] = ("csv",)
BOUNDARY_TYPES: tuple[str, ...] = ("geojson", "json", "gpkg", "zip")
SETTINGS_TYPES: tuple[str, ...] = ("toml",)
_SAFE_NAME_RE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class UploadLimits:
    """Size limits for uploaded files, in megabytes (MB = 1,000,000 bytes).

    Parameters
    ----------
    max_file_mb
        Largest single file.
    max_total_mb
        Largest total of all incident files in one upload.
    max_files
        Most incident files in one upload.
    max_unzipped_mb
        Largest total size of the files inside a zipped Shapefile.
    max_settings_kb
        Largest settings TOML file, in kilobytes.

    """

    max_file_mb: float = 20.0
    max_total_mb: float = 100.0
    max_files: int = 60
    max_unzipped_mb: float = 200.0
    max_settings_kb: float = 256.0

    def __post_init__(self) -> None:
        for name in ("max_file_mb", "max_total_mb", "max_unzipped_mb", "max_settings_kb"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not value > 0:
                raise ValidationError(f"The '{name}' limit must be > 0. Got {value!r}.")
        if not isinstance(self.max_files, int) or self.max_files < 1:
            raise ValidationError(f"The 'max_files' limit must be >= 1. Got {self.max_files!r}.")


def safe_upload_name(name: str) -> str:
    """A display name for an uploaded file: its last path part, safe characters only.

    Uploaded names are only ever shown in messages and tables, never used as paths; this
    also keeps odd characters out of the page. ``"../../etc/x y.csv"`` -> ``"x_y.csv"``.
    """
    base = re.split(r"[\\/]", str(name))[-1].strip()
    cleaned = _SAFE_NAME_RE.sub("_", base).strip("._") or "upload"
    return cleaned[:80]


def _ending(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _mb(n_bytes: int) -> str:
    return f"{n_bytes / 1e6:.1f} MB"


def incident_uploads(
    files: Sequence[tuple[str, bytes]], *, limits: UploadLimits | None = None
) -> list[tuple[str, bytes]]:
    """Check uploaded incident CSVs before they are read.

    Parameters
    ----------
    files
        ``(name as uploaded, bytes)`` pairs.
    limits
        Size limits (default :class:`UploadLimits`).

    Returns
    -------
    list of (str, bytes)
        ``(safe display name, bytes)`` in upload order, ready for
        :func:`geo.pipeline.run_files`; repeated names get ``-2``, ``-3`` suffixes.

    Raises
    ------
    ValidationError
        Naming every file that is not ``.csv``, is empty, too large or binary, or when
        there are too many files or too many bytes in total.

    """
    lim = limits or UploadLimits()
    problems: list[str] = []
    if not files:
        raise ValidationError("No incident files were uploaded.")
    if len(files) > lim.max_files:
        problems.append(f"{len(files)} files uploaded; at most {lim.max_files} at a time.")
    total = sum(len(data) for _, data in files)
    if total > lim.max_total_mb * 1e6:
        problems.append(f"The files add up to {_mb(total)}; the limit is {lim.max_total_mb:g} MB.")
    out: list[tuple[str, bytes]] = []
    seen: dict[str, int] = {}
    for raw_name, data in files:
        name = safe_upload_name(raw_name)
        if _ending(name) not in INCIDENT_TYPES:
            problems.append(f"{name}: not a CSV file (only .csv incident files are read)")
        elif not data.strip():
            problems.append(f"{name}: the file is empty")
        elif len(data) > lim.max_file_mb * 1e6:
            problems.append(f"{name}: {_mb(len(data))} is over the {lim.max_file_mb:g} MB limit")
        elif b"\x00" in data[:4096]:
            problems.append(f"{name}: not a CSV text file (it contains binary data)")
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            stem, _, ext = name.rpartition(".")
            name = f"{stem}-{seen[name]}.{ext}"
        out.append((name, data))
    if problems:
        raise ValidationError(problems)
    return out


def boundary_upload(
    name: str, data: bytes, *, limits: UploadLimits | None = None
) -> tuple[str, bytes]:
    """Check an uploaded ward boundary file before it is read.

    Accepts GeoJSON (``.geojson``/``.json``, UTF-8 JSON text), GeoPackage (``.gpkg``,
    an SQLite file) and zipped Shapefile (``.zip`` holding one ``.shp``). Whether the
    features are polygons with ward codes is checked when the file is read
    (:func:`geo.load.load_boundaries`).

    Returns
    -------
    tuple of (str, bytes)
        ``(safe display name, bytes)``.

    Raises
    ------
    ValidationError
        Wrong type, empty, too large, contents not matching the name, a zip that holds
        no Shapefile, or one that unpacks to more than the limit.

    """
    lim = limits or UploadLimits()
    safe = safe_upload_name(name)
    ending = _ending(safe)
    kinds = ", ".join(f".{t}" for t in BOUNDARY_TYPES)
    if ending not in BOUNDARY_TYPES:
        raise ValidationError(f"{safe}: not a boundary file (expected {kinds})")
    if not data.strip():
        raise ValidationError(f"{safe}: the file is empty")
    if len(data) > lim.max_file_mb * 1e6:
        raise ValidationError(f"{safe}: {_mb(len(data))} is over the {lim.max_file_mb:g} MB limit")
    if ending in ("geojson", "json"):
        head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
        if not head.startswith(b"{") or b"\x00" in data[:4096]:
            raise ValidationError(
                f"{safe}: not GeoJSON (a GeoJSON file is JSON text starting with '{{')"
            )
    elif ending == "gpkg":
        if not data.startswith(b"SQLite format 3\x00"):
            raise ValidationError(f"{safe}: not a GeoPackage (it is not an SQLite database)")
    else:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                infos = z.infolist()
        except zipfile.BadZipFile:
            raise ValidationError(f"{safe}: not a zip file") from None
        if not any(i.filename.lower().endswith(".shp") for i in infos):
            raise ValidationError(f"{safe}: the zip holds no Shapefile (.shp)")
        unpacked = sum(i.file_size for i in infos)
        if unpacked > lim.max_unzipped_mb * 1e6:
            raise ValidationError(
                f"{safe}: unpacks to {_mb(unpacked)}, over the {lim.max_unzipped_mb:g} MB limit"
            )
    return safe, data


def settings_upload(name: str, data: bytes, *, limits: UploadLimits | None = None) -> str:
    """Check an uploaded settings file and return its text.

    Parse the text with :func:`geo.settings.settings_from_toml`.

    Raises
    ------
    ValidationError
        Not ``.toml``, empty, too large or not UTF-8 text.

    """
    lim = limits or UploadLimits()
    safe = safe_upload_name(name)
    if _ending(safe) not in SETTINGS_TYPES:
        raise ValidationError(f"{safe}: not a settings file (expected .toml)")
    if not data.strip():
        raise ValidationError(f"{safe}: the file is empty")
    if len(data) > lim.max_settings_kb * 1e3:
        raise ValidationError(f"{safe}: over the {lim.max_settings_kb:g} kB limit for settings")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(f"{safe}: not a settings file (it is not UTF-8 text)") from None


def sources_digest(
    incidents: Sequence[tuple[str, bytes]] | None, boundaries: tuple[str, bytes] | None
) -> str:
    """SHA-256 of uploaded names and bytes: a cache key that changes when any file does.

    ``"shipped"`` when nothing is uploaded (the shipped data).
    """
    if not incidents and boundaries is None:
        return "shipped"
    h = hashlib.sha256()
    for label, items in (
        ("incidents", incidents or []),
        ("boundaries", [boundaries] if boundaries else []),
    ):
        h.update(label.encode())
        for name, data in items:
            h.update(name.encode("utf-8"))
            h.update(len(data).to_bytes(8, "big"))
            h.update(hashlib.sha256(data).digest())
    return h.hexdigest()


def neutralise_markup(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """Copy of ``frame`` with ``<`` and ``>`` in text ``columns`` replaced by ``‹`` and ``›``.

    Map popups and tooltips insert values as HTML; names from uploaded files must not be
    able to add markup or scripts to a page. Geometry and other columns are unchanged.
    """
    out = frame.copy()
    for col in columns:
        if col in out.columns:
            out[col] = out[col].astype(str).str.replace("<", "‹").str.replace(">", "›")
    return out


# --- month windows and settings edits ---------------------------------------------------

#: Patrol look-back windows offered, in months.
WINDOW_MONTHS: tuple[int, ...] = (1, 3, 6, 12)
_MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def month_window(last_month: str, months: int) -> tuple[str, str]:
    """``(since, until)`` of the ``months`` calendar months ending with ``last_month``.

    Months count back from the data's last month, not from today:
    ``month_window("2018-11", 3) == ("2018-09", "2018-11")``.

    Raises
    ------
    ValidationError
        ``last_month`` is not ``YYYY-MM`` or ``months`` is not a whole number >= 1.

    """
    if not isinstance(last_month, str) or not _MONTH_RE.match(last_month):
        raise ValidationError(f"The last month must be YYYY-MM. Got {last_month!r}.")
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise ValidationError(f"The window must be a whole number of months >= 1. Got {months!r}.")
    last = pd.Period(last_month, "M")
    return str(last - (months - 1)), last_month


def window_settings(settings: Settings, *, last_month: str, months: int) -> Settings:
    """``settings`` restricted to the last ``months`` months of the data.

    ``since``/``until`` are replaced by :func:`month_window`; ``trend_months`` is cut to
    half the window (at least 1) so the trend compares the latest part of the window with
    the part before it (a 1-month window has no trend).
    """
    since, until = month_window(last_month, months)
    trend = min(settings.trend_months, max(1, months // 2))
    return settings.replace(since=since, until=until, trend_months=trend)


def with_weights(settings: Settings, weights: Mapping[str, float]) -> Settings:
    """``settings`` with the weight of each category in ``weights`` changed (validated)."""
    unknown = sorted(set(weights) - set(settings.categories))
    if unknown:
        raise ValidationError(f"Unknown category key(s): {', '.join(unknown)}.")
    cats = {
        k: Category(cat.label, float(weights.get(k, cat.weight)), cat.group)
        for k, cat in settings.categories.items()
    }
    return settings.replace(categories=cats)


def ward_overrides(
    values: Mapping[str, tuple[float | None, int | None]],
) -> dict[str, WardOverride]:
    """Ward code -> :class:`~geo.settings.WardOverride` for the wards with any value set.

    ``values`` maps a ward code to ``(eps_m or None, min_samples or None)``; wards with
    neither are left out (they use the study-wide parameters).
    """
    out: dict[str, WardOverride] = {}
    for code, (eps, ms) in sorted(values.items()):
        eps_v = None if eps is None or pd.isna(eps) else float(eps)
        ms_v = None if ms is None or pd.isna(ms) else int(ms)
        if eps_v is not None or ms_v is not None:
            out[code] = WardOverride(eps_m=eps_v, min_samples=ms_v)
    return out


# --- patrol views -----------------------------------------------------------------------


def hotspots_in_wards(hotspots: gpd.GeoDataFrame, ward_codes: Iterable[str]) -> gpd.GeoDataFrame:
    """Hotspots of the chosen wards, re-ranked 1..n among themselves.

    Parameters
    ----------
    hotspots
        Output of :func:`geo.hotspots.summarise_hotspots` (``rank``, ``ward_code``, ...).
    ward_codes
        Codes of the wards to keep.

    Returns
    -------
    geopandas.GeoDataFrame
        Same columns and CRS; ``rank`` renumbered from 1 in the study-wide order.

    """
    keep = hotspots[c.WARD_CODE].isin(list(ward_codes)).to_numpy()
    out = hotspots.loc[keep].sort_values(c.RANK, kind="stable").reset_index(drop=True)
    out[c.RANK] = np.arange(1, len(out) + 1, dtype="int64")
    return out


_TREND_WORDS = {
    "rising": "▲ rising",
    "falling": "▼ falling",
    "steady": "● steady",
    "new": "★ new",
    "n/a": "– (window too short)",
}


def patrol_table(hotspots: gpd.GeoDataFrame, *, top_categories: int = 3) -> pd.DataFrame:
    """The ranked hotspot list a sergeant reads: one row per hotspot, plain headings.

    Parameters
    ----------
    hotspots
        Output of :func:`geo.hotspots.summarise_hotspots` or :func:`hotspots_in_wards`.
    top_categories
        How many categories of the mix to name.

    Returns
    -------
    pandas.DataFrame
        ``Rank`` (int), ``Hotspot`` (id), ``Ward``, ``Incidents`` (int), ``Trend`` (with an
        arrow), ``Recent`` and ``Before`` (int, incidents in the two trend periods),
        ``Kind`` (``area``/``single location``), ``Score`` (float, weighted), ``Category
        mix`` (e.g. ``"Drugs 5, Anti-social behaviour 3 (+2 more)"``), ``Months``
        (``first–last``). Sorted by rank.

    """
    h = hotspots.sort_values(c.RANK, kind="stable")
    mix = []
    for text in h[c.CATEGORIES].astype(str):
        parts = [p for p in text.split(", ") if p]
        more = len(parts) - top_categories
        mix.append(", ".join(parts[:top_categories]) + (f" (+{more} more)" if more > 0 else ""))
    return pd.DataFrame(
        {
            "Rank": h[c.RANK].to_numpy(dtype="int64"),
            "Hotspot": h[c.HOTSPOT_ID].astype(str).to_numpy(),
            "Ward": h[c.WARD_NAME].astype(str).to_numpy(),
            "Incidents": h[c.N_INCIDENTS].to_numpy(dtype="int64"),
            "Trend": [_TREND_WORDS.get(str(t), str(t)) for t in h[c.TREND]],
            "Recent": h[c.RECENT_COUNT].to_numpy(dtype="int64"),
            "Before": h[c.PREVIOUS_COUNT].to_numpy(dtype="int64"),
            "Kind": h[c.KIND].astype(str).to_numpy(),
            "Score": h[c.SCORE].to_numpy(dtype=float).round(1),
            "Category mix": mix,
            "Months": (h[c.FIRST_MONTH].astype(str) + "–" + h[c.LAST_MONTH].astype(str)).to_numpy(),
        }
    )


def category_mix(hotspots: gpd.GeoDataFrame, settings: Settings, *, top: int = 10) -> pd.DataFrame:
    """Incidents per category in the ``top`` ranked hotspots (for a stacked bar chart).

    Returns
    -------
    pandas.DataFrame
        Index: hotspot id (rank order); one int column per category present, named by
        its plain-English label; categories with no incidents here are left out.

    """
    h = hotspots.sort_values(c.RANK, kind="stable").head(top)
    cols = {key: c.COUNT_PREFIX + key for key in settings.categories}
    data = {
        settings.label(key): h[col].to_numpy(dtype="int64")
        for key, col in cols.items()
        if col in h.columns and int(h[col].sum()) > 0
    }
    return pd.DataFrame(data, index=pd.Index(h[c.HOTSPOT_ID].astype(str), name="hotspot"))


def monthly_counts(
    incidents: pd.DataFrame, ward_codes: Iterable[str] | None = None
) -> pd.DataFrame:
    """Incidents per month, split into in a hotspot and not in any hotspot (staff chart).

    Parameters
    ----------
    incidents
        ``PipelineResult.incidents``: ``month`` (``YYYY-MM``), ``ward_code``,
        ``hotspot_id`` ("" for noise).
    ward_codes
        Only these wards (default all).

    Returns
    -------
    pandas.DataFrame
        Index ``month`` (every month from the first to the last, gaps filled with 0);
        columns ``In a hotspot`` and ``Not in a hotspot`` (int).

    """
    inc = incidents
    if ward_codes is not None:
        inc = inc.loc[inc[c.WARD_CODE].isin(list(ward_codes)).to_numpy()]
    cols = ["In a hotspot", "Not in a hotspot"]
    if inc.empty:
        return pd.DataFrame({k: pd.Series(dtype="int64") for k in cols}).rename_axis(c.MONTH)
    months = pd.period_range(min(inc[c.MONTH]), max(inc[c.MONTH]), freq="M").astype(str)
    in_hot = inc[c.HOTSPOT_ID].astype(str).to_numpy() != ""
    frame = pd.DataFrame(
        {
            c.MONTH: inc[c.MONTH].astype(str).to_numpy(),
            cols[0]: in_hot.astype("int64"),
            cols[1]: (~in_hot).astype("int64"),
        }
    )
    out = frame.groupby(c.MONTH).sum().reindex(list(months), fill_value=0)
    return out.rename_axis(c.MONTH).astype("int64")


# --- the one-page patrol sheet ----------------------------------------------------------


def svg_map(
    wards: gpd.GeoDataFrame,
    hotspots: gpd.GeoDataFrame,
    *,
    width_px: int = 640,
    height_px: int = 420,
) -> str:
    """A small static map as inline SVG: ward outlines and names, hotspots numbered by rank.

    Prints crisply and needs no script or network.

    Parameters
    ----------
    wards
        ``ward_name``, ``geometry`` (Polygon/MultiPolygon, projected CRS in metres).
    hotspots
        ``rank``, ``geometry`` (Polygon) in the same CRS.

    Returns
    -------
    str
        An ``<svg>`` element.

    """
    if wards.empty:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width_px} {height_px}"></svg>'
        )
    minx, miny, maxx, maxy = (float(v) for v in wards.total_bounds)
    pad = 0.03 * max(maxx - minx, maxy - miny, 1.0)
    minx, miny, maxx, maxy = minx - pad, miny - pad, maxx + pad, maxy + pad
    scale = min(width_px / (maxx - minx), height_px / (maxy - miny))

    def path(geom: shapely.Geometry) -> str:
        polys = list(geom.geoms) if hasattr(geom, "geoms") else [geom]
        parts = []
        for poly in polys:
            if poly.geom_type != "Polygon":
                continue
            for ring in [poly.exterior, *poly.interiors]:
                xy = np.asarray(ring.coords)[:, :2]
                px = (xy[:, 0] - minx) * scale
                py = (maxy - xy[:, 1]) * scale
                pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(px, py, strict=True))
                parts.append(f"M{pts}Z")
        return " ".join(parts)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width_px} {height_px}" '
        f'width="{width_px}" height="{height_px}" role="img" aria-label="Hotspot map">',
        f'<rect width="{width_px}" height="{height_px}" fill="#f4f1ea"/>',
    ]
    for geom in wards.geometry:
        out.append(f'<path d="{path(geom)}" fill="#dfe7f0" stroke="#2b4a6f" stroke-width="1.2"/>')
    for name, pt in zip(wards[c.WARD_NAME], wards.geometry.representative_point(), strict=True):
        x, y = (pt.x - minx) * scale, (maxy - pt.y) * scale
        out.append(
            f'<text x="{x:.1f}" y="{y:.1f}" font-size="11" fill="#1d3550" text-anchor="middle" '
            f'font-family="sans-serif" opacity="0.8">{html_lib.escape(str(name))}</text>'
        )
    for rank, geom in zip(hotspots[c.RANK], hotspots.geometry, strict=True):
        out.append(
            f'<path class="hotspot" d="{path(geom)}" fill="#f03b20" fill-opacity="0.6" '
            'stroke="#7a0019" stroke-width="1"/>'
        )
        pt = geom.representative_point()
        x, y = (pt.x - minx) * scale, (maxy - pt.y) * scale
        out.append(
            f'<text x="{x:.1f}" y="{y + 4:.1f}" font-size="12" font-weight="700" '
            f'text-anchor="middle" font-family="sans-serif" fill="#000" stroke="#fff" '
            f'stroke-width="3" paint-order="stroke">{int(rank)}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def patrol_sheet_html(
    hotspots: gpd.GeoDataFrame,
    wards: gpd.GeoDataFrame,
    *,
    period: str,
    data_label: str,
    max_rows: int = 15,
) -> str:
    """A one-page printable patrol sheet: the ranked hotspot list and a small map.

    Parameters
    ----------
    hotspots
        The hotspots to brief on (``rank`` 1..n, e.g. from :func:`hotspots_in_wards`), in
        the projected CRS of ``wards``.
    wards
        The wards patrolled (``ward_name``, ``geometry``).
    period
        Plain-English period, e.g. ``"2018-09 to 2018-11 (3 months)"``.
    data_label
        Where the data came from, e.g. ``"police.uk, shipped data"``.
    max_rows
        Most hotspots listed; the rest are counted in a note (the CSV has them all).

    Returns
    -------
    str
        A standalone HTML page (no scripts, no network) sized for A4 portrait.

    """
    esc = html_lib.escape
    table = patrol_table(hotspots)
    shown = table.head(max_rows)
    top = hotspots.sort_values(c.RANK, kind="stable").head(max_rows)
    heads = ["#", "Hotspot", "Ward", "Incidents", "Kind", "Category mix", "Trend"]
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{esc(str(v))}</td>"
            for v in (
                r["Rank"],
                r["Hotspot"],
                r["Ward"],
                r["Incidents"],
                r["Kind"],
                r["Category mix"],
                r["Trend"],
            )
        )
        + "</tr>"
        for _, r in shown.iterrows()
    )
    if table.empty:
        rows = f'<tr><td colspan="{len(heads)}">No hotspots in these wards and months.</td></tr>'
    more = len(table) - len(shown)
    note = f"<p>{more} more hotspot(s) are in the CSV download.</p>" if more > 0 else ""
    ward_names = ", ".join(sorted(map(str, wards[c.WARD_NAME])))
    total = int(hotspots[c.N_INCIDENTS].sum()) if len(hotspots) else 0
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Patrol sheet</title><style>"
        "@page{size:A4 portrait;margin:12mm}"
        "body{font:12px/1.35 sans-serif;color:#111;margin:0 auto;max-width:190mm}"
        "h1{font-size:18px;margin:0 0 4px}p{margin:2px 0 6px}"
        "table{border-collapse:collapse;width:100%;margin-top:6px}"
        "th,td{border:1px solid #999;padding:2px 4px;text-align:left;vertical-align:top}"
        "th{background:#eee}td:nth-child(2),td:nth-child(7){white-space:nowrap}svg{width:100%;height:auto;max-height:105mm;display:block;"
        "margin-top:6px;border:1px solid #999}.staff{font-weight:700;color:#7a0019}"
        "</style></head><body>"
        "<h1>Patrol sheet: hotspots to visit</h1>"
        f"<p><b>Wards:</b> {esc(ward_names)}<br><b>Months:</b> {esc(period)}<br>"
        f"<b>Data:</b> {esc(data_label)}<br><b>Hotspots:</b> {len(table)} "
        f"({total} incidents)</p>"
        '<p class="staff">Staff only: not for public display.</p>'
        + svg_map(wards, top)
        + "<table><thead><tr>"
        + "".join(f"<th>{h}</th>" for h in heads)
        + f"</tr></thead><tbody>{rows}</tbody></table>{note}"
        "<p>Numbers on the map are the ranks in the list. Trend: the latest part of the "
        "window against the part before it.</p></body></html>"
    )

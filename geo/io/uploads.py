"""Uploaded files checked before they are read: types, sizes, safe names, cache keys, markup."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from geo.errors import ValidationError
from geo.result import PipelineResult

#: File name endings read as incident files (CSVs, police.uk zip archives) and as ward boundaries.
INCIDENT_TYPES: tuple[str, ...] = ("csv", "zip")
BOUNDARY_TYPES: tuple[str, ...] = ("geojson", "json", "gpkg", "zip")
SETTINGS_TYPES: tuple[str, ...] = ("toml",)
_SAFE_NAME_RE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True, kw_only=True)
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
        elif _ending(name) == "zip":
            if not zipfile.is_zipfile(io.BytesIO(data)):
                problems.append(f"{name}: not a zip archive")
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
    (:func:`geo.io.load_boundaries`).

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

    Parse the text with :func:`geo.settings_toml.settings_from_toml`.

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


def nothing_usable(result: PipelineResult, *, shown: int = 5) -> list[str]:
    """Why no row of ``result`` can be used: a summary, then the first rows set aside.

    The problems to refuse an upload with (``ValidationError(nothing_usable(result))``)
    when its run used no row at all.

    Parameters
    ----------
    result
        A pipeline run; its ``counts`` and ``rejected`` (``source_file``, ``row``,
        ``reason``) are read.
    shown
        How many set-aside rows to name before "… and N more".

    Returns
    -------
    list of str
        ``"No row can be used: 1 row read, 1 invalid, 0 outside the wards, 0 filtered out by
        the settings."``, then ``"<file>, row <n>: <reason>"`` for the first ``shown`` rows
        set aside, then how many more there are (if any).

    """
    n = result.counts
    first = [
        f"{r.source_file}, row {r.row}: {r.reason}"
        for r in result.rejected.head(shown).itertuples(index=False)
    ]
    more = [f"… and {n.rejected - shown:,} more rows set aside"] if n.rejected > shown else []
    return [
        f"No row can be used: {n.rows_read:,} row{'s' if n.rows_read != 1 else ''} read, "
        f"{n.invalid:,} invalid, {n.outside_wards:,} outside the wards, {n.filtered:,} "
        "filtered out by the settings.",
        *first,
        *more,
    ]

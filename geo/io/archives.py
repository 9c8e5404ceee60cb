"""police.uk zip archives read as they are downloaded: street-level members, straight from the zip.

police.uk publishes a monthly archive of every force and custom downloads for chosen forces
and months. Both hold one folder a month, ``YYYY-MM/YYYY-MM-<force>-street.csv`` beside
``YYYY-MM-<force>-outcomes.csv`` and ``YYYY-MM-<force>-stop-and-search.csv``. Only the
``-street.csv`` members are street-level crime: they are read one at a time from the zip
(nothing is unpacked to disk), the other members are skipped and named.

Rows of a member whose coordinates lie far outside the ward boundaries' extent (further than
:data:`FAR_MARGIN_DEG` beyond it) are set aside as soon as they are read, each with its file,
row and the reason :data:`FAR_REASON` (stage ``outside_wards``), so a national archive read
for one neighbourhood's wards is quick and still reconciles: rows read = used + set aside.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj

from geo import columns as c
from geo.errors import ValidationError
from geo.io.csv_reader import CsvSource
from geo.io.incident_csv import read_incident_csv
from geo.io.sources import LooseFiles
from geo.rejected import empty_rejected, rejected_rows

__all__ = [
    "ARCHIVE_MAX_BYTES",
    "FAR_MARGIN_DEG",
    "FAR_REASON",
    "READ_SET_ASIDE",
    "READ_SKIPPED",
    "ArchiveListing",
    "ArchiveReader",
    "SetAside",
    "is_archive",
    "list_archive",
    "lonlat_extent",
    "normalise_forces",
    "set_aside_rows",
]

#: Largest total size the members of one archive may unpack to (declared sizes; bytes).
#: A year of police.uk's all-forces archives unpacks to about 3 GB; a zip claiming far more
#: is refused before anything is read.
ARCHIVE_MAX_BYTES = 32 * 1024**3
#: Rows further than this beyond the wards' lon/lat extent (degrees) are set aside when read.
FAR_MARGIN_DEG = 0.1
#: The reason given to those rows (stage ``outside_wards``).
FAR_REASON = "far outside the ward boundaries (set aside when read from the archive)"
#: Key in ``DataFrame.attrs`` of :func:`geo.io.load_incidents`'s frame: the rows set aside
#: when read (a :class:`SetAside`), added to the run's ``outside_wards`` rows.
READ_SET_ASIDE = "read_set_aside"
#: Key in ``DataFrame.attrs``: the archive members not read, ``"<archive>: <member> (<why>)"``.
READ_SKIPPED = "read_skipped"

#: police.uk member names: ``2024-01-thames-valley-street.csv``.
_MEMBER_RE = re.compile(r"^(\d{4}-\d{2})-([a-z0-9-]+?)-(street|outcomes|stop-and-search)\.csv$")
_FORCE_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_WHY = {
    "outcomes": "outcomes, not street-level crime",
    "stop-and-search": "stop and search, not street-level crime",
}
#: Files some zip tools add beside the contents (macOS resource forks, folder settings).
_SYSTEM_FILES = ("__MACOSX/", ".DS_Store", "Thumbs.db", "desktop.ini")


@dataclass(frozen=True, eq=False)
class SetAside:
    """Rows set aside while reading: ``source_file``, ``row``, ``stage``, ``reason``.

    Kept in ``DataFrame.attrs``, which pandas copies deeply after most operations: copying
    returns this same (read-only) value, so a national file's set-aside rows are not copied
    at every step. Compared by identity.
    """

    rejected: pd.DataFrame

    def __deepcopy__(self, memo: dict[int, Any]) -> SetAside:
        return self


def set_aside_rows(raw: pd.DataFrame) -> pd.DataFrame:
    """The rows :func:`geo.io.load_incidents` set aside when reading ``raw`` (often none).

    Returns
    -------
    pandas.DataFrame
        ``source_file``, ``row``, ``stage`` (``outside_wards``), ``reason``.

    """
    held = raw.attrs.get(READ_SET_ASIDE)
    return held.rejected if isinstance(held, SetAside) else empty_rejected()


def is_archive(source: CsvSource) -> bool:
    """Whether an incident source is a zip archive (by its name ending in ``.zip``)."""
    name = source[0] if isinstance(source, tuple) else str(source)
    return name.lower().endswith(".zip")


def normalise_forces(forces: Sequence[str]) -> tuple[str, ...]:
    """police.uk force slugs from what people type: ``"Thames Valley"`` -> ``"thames-valley"``.

    Raises
    ------
    ValidationError
        A name that is not letters, digits, spaces and hyphens.

    """
    out: list[str] = []
    for given in forces:
        slug = "-".join(str(given).strip().lower().replace("_", " ").split())
        if not _FORCE_RE.match(slug):
            raise ValidationError(
                f"--force {given!r}: expected a police.uk force name such as thames-valley "
                "(letters, digits and hyphens)"
            )
        if slug not in out:
            out.append(slug)
    return tuple(out)


def lonlat_extent(wards: gpd.GeoDataFrame) -> tuple[float, float, float, float] | None:
    """``(min_lon, min_lat, max_lon, max_lat)`` of ward polygons in any CRS (edges densified).

    ``None`` when the wards have no CRS or no extent (nothing is then set aside when read).
    """
    if wards.crs is None or wards.empty:
        return None
    x0, y0, x1, y1 = (float(v) for v in wards.total_bounds)
    tr = pyproj.Transformer.from_crs(wards.crs, "EPSG:4326", always_xy=True)
    b = tr.transform_bounds(x0, y0, x1, y1, densify_pts=21)
    return float(b[0]), float(b[1]), float(b[2]), float(b[3])


@dataclass(frozen=True)
class ArchiveListing:
    """What an archive holds: the street-level members to read and the members skipped.

    Attributes
    ----------
    name
        The archive's file name (or upload name).
    street
        ``zipfile.ZipInfo`` of each ``-street.csv`` member to read, in name order.
    skipped
        ``(member, why)`` for every other file member (outcomes, stop and search, other
        forces, system files).

    """

    name: str
    street: tuple[zipfile.ZipInfo, ...]
    skipped: tuple[tuple[str, str], ...]


def _open_zip(source: CsvSource) -> tuple[str, zipfile.ZipFile]:
    """Open an archive path or ``(name, bytes)`` upload; a clear error when it is not a zip."""
    import io

    if isinstance(source, tuple):
        name, data = source
        handle: str | IO[bytes] = io.BytesIO(data)
    else:
        p = Path(source)
        name, handle = p.name, str(p)
        if not p.is_file():
            raise ValidationError(f"{p}: no such file")
    try:
        return name, zipfile.ZipFile(handle)
    except zipfile.BadZipFile as exc:
        raise ValidationError(f"{name}: not a zip archive ({exc})") from None
    except OSError as exc:
        raise ValidationError(f"{name}: cannot read ({exc.strerror or exc})") from None


def _unsafe(member: str) -> bool:
    path = PurePosixPath(member.replace("\\", "/"))
    return path.is_absolute() or ".." in path.parts or bool(re.match(r"^[A-Za-z]:", member))


def list_archive(
    zf: zipfile.ZipFile,
    name: str,
    *,
    forces: Sequence[str] = (),
    max_bytes: int | None = None,
) -> ArchiveListing:
    """Check an open archive and list its street-level members.

    Parameters
    ----------
    zf
        The open archive.
    name
        Its name, for messages.
    forces
        Force slugs to keep (see :func:`normalise_forces`); empty keeps every force.
    max_bytes
        Largest total the members may unpack to (their declared sizes); ``None``:
        :data:`ARCHIVE_MAX_BYTES`.

    Returns
    -------
    ArchiveListing

    Raises
    ------
    ValidationError
        Naming the archive and the member: a path that leaves the archive (``..``, an
        absolute path), a member that is not a CSV file, an encrypted member, members that
        would unpack beyond ``max_bytes``, or no street-level file (for the forces asked).

    """
    infos = [i for i in zf.infolist() if not i.is_dir()]
    problems: list[str] = []
    for info in infos:
        if _unsafe(info.filename):
            problems.append(
                f"{name}: member {info.filename!r} has a path outside the archive "
                "('..' or an absolute path); the archive is refused"
            )
    if problems:
        raise ValidationError(problems)
    total = sum(i.file_size for i in infos)
    max_bytes = ARCHIVE_MAX_BYTES if max_bytes is None else max_bytes
    if total > max_bytes:
        raise ValidationError(
            f"{name}: the members would unpack to {_size(total)}, over the "
            f"{_size(max_bytes)} limit for one archive"
        )
    street: list[zipfile.ZipInfo] = []
    skipped: list[tuple[str, str]] = []
    seen_forces: set[str] = set()
    for info in sorted(infos, key=lambda i: i.filename):
        member = info.filename
        base = PurePosixPath(member).name
        if member.startswith(_SYSTEM_FILES[0]) or base in _SYSTEM_FILES[1:]:
            skipped.append((member, "a zip tool's system file"))
            continue
        if not base.lower().endswith(".csv"):
            problems.append(
                f"{name}: member {member!r} is not a CSV file (a police.uk archive holds only "
                "CSV files)"
            )
            continue
        if info.flag_bits & 0x1:
            problems.append(f"{name}: member {member!r} is encrypted and cannot be read")
            continue
        m = _MEMBER_RE.match(base)
        if m is None:
            skipped.append((member, "not a police.uk file name (YYYY-MM-<force>-street.csv)"))
            continue
        force, kind = m.group(2), m.group(3)
        if kind != "street":
            skipped.append((member, _WHY[kind]))
            continue
        seen_forces.add(force)
        if forces and force not in forces:
            skipped.append((member, "force not selected"))
            continue
        street.append(info)
    if problems:
        raise ValidationError(problems)
    if not street:
        if forces and seen_forces:
            raise ValidationError(
                f"{name}: no street-level files for force {', '.join(forces)} (forces in the "
                f"archive: {', '.join(sorted(seen_forces))})"
            )
        raise ValidationError(
            f"{name}: no street-level crime files (YYYY-MM/YYYY-MM-<force>-street.csv) in the "
            f"archive ({len(infos)} member(s){', e.g. ' + infos[0].filename if infos else ''})"
        )
    return ArchiveListing(name=name, street=tuple(street), skipped=tuple(skipped))


@dataclass
class ArchiveReader:
    """Reads the street-level members of one or more archives, keeping what was set aside.

    One reader serves a whole :func:`geo.io.load_incidents` call: a member found again in a
    later archive (same name, size and checksum, e.g. overlapping custom downloads) is read
    once, with a note.

    Parameters
    ----------
    forces
        Force slugs to keep; empty keeps every force.
    extent
        ``(min_lon, min_lat, max_lon, max_lat)`` of the ward boundaries; rows further than
        :data:`FAR_MARGIN_DEG` beyond it are set aside. ``None`` keeps every row.
    max_bytes
        Largest total one archive's members may unpack to; ``None``:
        :data:`ARCHIVE_MAX_BYTES`.
    loose
        The CSV files and uploads read beside the archives: a member with exactly the bytes
        of one of them is not read again (that file is), with a note.

    """

    forces: tuple[str, ...] = ()
    extent: tuple[float, float, float, float] | None = None
    max_bytes: int | None = None
    loose: LooseFiles | None = None
    notes: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    set_aside: list[pd.DataFrame] = field(default_factory=list)
    _seen: dict[tuple[str, int, int], str] = field(default_factory=dict)

    def read(self, source: CsvSource) -> Iterator[pd.DataFrame]:
        """Raw frames (:func:`geo.io.read_incident_csv` schema), one per street member read.

        ``source_file`` is the member's file name (as when the archive is unpacked).

        Raises
        ------
        ValidationError
            As :func:`list_archive`, or a member that cannot be read as a CSV (naming the
            archive and the member).

        """
        name, zf = _open_zip(source)
        with zf:
            limit = ARCHIVE_MAX_BYTES if self.max_bytes is None else self.max_bytes
            listing = list_archive(zf, name, forces=self.forces, max_bytes=limit)
            self.skipped += [f"{name}: {m} ({why})" for m, why in listing.skipped]
            if listing.skipped:
                self.notes.append(_skipped_note(listing))
            for info in listing.street:
                base = PurePosixPath(info.filename).name
                key = (base, info.file_size, info.CRC)
                if key in self._seen:
                    self.notes.append(
                        f"{name}: {info.filename} is also in {self._seen[key]}: read once"
                    )
                    continue
                self._seen[key] = name
                try:
                    data = zf.read(info)
                except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
                    raise ValidationError(
                        f"{name}: member {info.filename!r} cannot be unpacked ({exc})"
                    ) from None
                if self.loose is not None and (same := self.loose.same_as(data)) is not None:
                    self.notes.append(
                        f"{name}: {info.filename} has the same contents as {same}: read once"
                    )
                    continue
                try:
                    raw = read_incident_csv((base, data))
                except ValidationError as exc:
                    raise ValidationError(
                        [
                            f"{name}: member {info.filename!r}: {p.removeprefix(base + ': ')}"
                            for p in exc.problems
                        ]
                    ) from None
                del data
                yield self._keep_near(raw)

    def _keep_near(self, raw: pd.DataFrame) -> pd.DataFrame:
        """``raw`` without the rows far outside the extent (those go to :attr:`set_aside`)."""
        if self.extent is None or raw.empty:
            return raw
        x = _degrees(raw[c.RAW_X])
        y = _degrees(raw[c.RAW_Y])
        x0, y0, x1, y1 = self.extent
        m = FAR_MARGIN_DEG
        with np.errstate(invalid="ignore"):
            near = (x >= x0 - m) & (x <= x1 + m) & (y >= y0 - m) & (y <= y1 + m)
            # swapped pairs stay, so validation can say they look swapped
            near_swapped = (y >= x0 - m) & (y <= x1 + m) & (x >= y0 - m) & (x <= y1 + m)
        lonlat = (raw[c.XY_CRS] == "EPSG:4326").to_numpy()
        far = lonlat & np.isfinite(x) & np.isfinite(y) & ~near & ~near_swapped
        if not far.any():
            return raw
        self.set_aside.append(
            rejected_rows(
                raw.loc[far, [c.SOURCE_FILE, c.ROW]],
                "outside_wards",
                np.full(int(far.sum()), FAR_REASON, dtype=object),
            )
        )
        near_rows: pd.DataFrame = raw.loc[~far].reset_index(drop=True)
        return near_rows

    def set_aside_frame(self) -> SetAside | None:
        """Every row set aside so far, or ``None`` when there is none."""
        frames = [f for f in self.set_aside if len(f)]
        if not frames:
            return None
        return SetAside(pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0])


def _degrees(text: pd.Series) -> np.ndarray:
    """Numbers from coordinate text (NaN where not a number), each distinct text parsed once."""
    codes, uniq = pd.factorize(text)
    values = pd.to_numeric(pd.Series(uniq, dtype=object).astype(str).str.strip(), errors="coerce")
    out: np.ndarray = np.append(values.to_numpy(dtype=float), np.nan)[codes]
    return out


def _size(n_bytes: int) -> str:
    """``"1.2 GB"``, ``"35.0 MB"``, ``"100.4 kB"`` (decimal units)."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:.1f} {unit}"
    return f"{n_bytes / 1e3:.1f} kB"


def _skipped_note(listing: ArchiveListing) -> str:
    """``"a.zip: 4 members skipped (2 outcomes, not street-level crime; ...)"``."""
    counts: dict[str, int] = {}
    for _, why in listing.skipped:
        counts[why] = counts.get(why, 0) + 1
    parts = "; ".join(f"{n} {why}" for why, n in counts.items())
    n = len(listing.skipped)
    return (
        f"{listing.name}: {len(listing.street)} street-level file(s) read, {n} member"
        f"{'s' if n != 1 else ''} skipped ({parts}); the skipped members are listed in the summary"
    )

"""Stage 1: find incident files and archives and load them, each read once, into one raw frame."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from geo.errors import ValidationError
from geo.io.archives import READ_SET_ASIDE, READ_SKIPPED, ArchiveReader, is_archive
from geo.io.csv_reader import CsvSource
from geo.io.incident_csv import concat_raw, read_incident_csv_encoded
from geo.io.sources import READ_NOTES, LooseFiles, unique_sources

__all__ = [
    "incident_files",
    "load_incidents",
]

_READ = (".csv", ".zip")


def incident_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand files and folders into a sorted list of CSV files and police.uk zip archives.

    Raises
    ------
    ValidationError
        When a path does not exist, or a folder holds no ``.csv`` or ``.zip`` file.

    """
    out: list[Path] = []
    problems: list[str] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(q for q in p.iterdir() if q.suffix.lower() in _READ and q.is_file())
            if not found:
                problems.append(f"{p}: folder holds no .csv files (or .zip archives)")
            out.extend(found)
        elif p.is_file():
            out.append(p)
        else:
            problems.append(f"{p}: no such file or folder")
    if problems:
        raise ValidationError(problems)
    if not out:
        raise ValidationError("no incident files given")
    return out


def load_incidents(
    sources: Sequence[CsvSource],
    *,
    forces: Sequence[str] = (),
    extent: tuple[float, float, float, float] | None = None,
) -> pd.DataFrame:
    """Read many incident CSVs (see :func:`read_incident_csv`) into one raw frame.

    Paths that are folders are expanded to their ``.csv`` and ``.zip`` files. A file given
    twice (or a folder and a file inside it) and a file or upload with the same bytes as an
    earlier one are read once (:func:`geo.io.sources.unique_sources`); the notes saying so
    are in ``frame.attrs[READ_NOTES]`` (a list of str, empty when nothing repeated). Columns
    as in :func:`read_incident_csv`; rows keep file order.

    police.uk zip archives (``.zip`` paths or uploads) are read member by member without
    unpacking (:class:`geo.io.archives.ArchiveReader`): only ``-street.csv`` members, of the
    ``forces`` given (all when empty); the members skipped are in
    ``frame.attrs[READ_SKIPPED]`` and a note; a member with exactly the bytes of a CSV file
    or upload also given is not read again (the file is), with a note. With ``extent``
    (lon/lat of the wards, see :func:`geo.io.archives.lonlat_extent`) archive rows far
    outside it are set aside when read: :func:`geo.io.archives.set_aside_rows` gives them,
    with file, row and reason.

    Raises
    ------
    ValidationError
        With the problems of every file that cannot be read (each named), once all files
        have been tried.

    """
    paths = [Path(s) for s in sources if not isinstance(s, tuple)]
    uploads = [s for s in sources if isinstance(s, tuple)]
    expanded, notes = unique_sources(incident_files(paths) if paths else [], uploads)
    if not expanded:
        raise ValidationError("no incident files given")
    loose = LooseFiles([s for s in expanded if not is_archive(s)])
    zips = ArchiveReader(forces=tuple(forces), extent=extent, loose=loose)
    frames: list[pd.DataFrame] = []
    problems: list[str] = []  # every file's problems, not only the first file's
    for s in expanded:
        try:
            frames.extend(zips.read(s) if is_archive(s) else [read_incident_csv_encoded(s)])
        except ValidationError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ValidationError(problems)
    out = concat_raw(frames)
    out.attrs[READ_NOTES] = notes + zips.notes
    out.attrs[READ_SKIPPED] = zips.skipped
    if (held := zips.set_aside_frame()) is not None:
        out.attrs[READ_SET_ASIDE] = held
    return out


#: File endings a folder of incident files is expanded to.

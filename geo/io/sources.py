"""Incident sources read once: the same file or the same bytes given twice are read once."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from geo.io.csv_reader import CsvSource

__all__ = ["READ_NOTES", "LooseFiles", "unique_sources"]

#: Key in ``DataFrame.attrs`` of :func:`geo.io.load_incidents`'s frame holding the notes
#: of :func:`unique_sources` (a list of str), carried into the run's notes.
READ_NOTES = "read_notes"

_CHUNK = 1 << 20


def unique_sources(
    files: Sequence[Path], uploads: Sequence[tuple[str, bytes]] = ()
) -> tuple[list[CsvSource], list[str]]:
    """Drop sources that repeat an earlier one, and say which were dropped.

    A file given more than once (``a.csv a.csv``, or a folder and a file inside it) is
    kept once, by its resolved path; then a file or upload whose bytes are those of an
    earlier source (a copy under another name, the same file uploaded twice) is dropped.
    Without this the rows would be read twice, and rows without an incident id (e.g.
    police.uk anti-social behaviour) would be counted twice.

    Parameters
    ----------
    files
        Incident CSV paths (folders already expanded, see :func:`geo.io.incident_files`).
    uploads
        ``(name, bytes)`` uploads, after the files.

    Returns
    -------
    tuple
        ``(sources to read, in the order given, first of each kept; notes)``, one
        plain-English note per dropped source, e.g. ``"a.csv given twice: read once"``.

    """
    notes: list[str] = []
    resolved = [p.resolve() for p in files]
    times = Counter(resolved)
    first: dict[Path, Path] = {}
    for given, real in zip(files, resolved, strict=True):
        if real in first:
            continue
        first[real] = given
        if times[real] > 1:
            said = "twice" if times[real] == 2 else f"{times[real]} times"
            notes.append(f"{given} given {said}: read once")
    candidates: list[tuple[str, CsvSource, int]] = [
        (str(p), p, p.stat().st_size) for p in first.values()
    ]
    candidates += [(name, (name, data), len(data)) for name, data in uploads]
    sizes = Counter(size for _, _, size in candidates)
    kept: list[CsvSource] = []
    by_digest: dict[tuple[int, bytes], str] = {}
    for label, source, size in candidates:
        digest = content_digest(source) if sizes[size] > 1 else None  # equal bytes, equal size
        if digest is not None:
            key = (size, digest)
            if key in by_digest:
                notes.append(f"{label} has the same contents as {by_digest[key]}: read once")
                continue
            by_digest[key] = label
        kept.append(source)
    return kept, notes


class LooseFiles:
    """The CSV files and uploads of a read, to find a zip member that repeats one of them.

    A police.uk file downloaded on its own and again inside an archive would otherwise be
    read twice (its anti-social behaviour rows have no id, so nothing else would notice).
    Only sources of the member's size are hashed, each once.
    """

    def __init__(self, sources: Sequence[CsvSource]) -> None:
        self._by_size: dict[int, list[tuple[str, CsvSource]]] = {}
        for s in sources:
            label, size = (s[0], len(s[1])) if isinstance(s, tuple) else (str(s), _size(s))
            if size is not None:
                self._by_size.setdefault(size, []).append((label, s))
        self._digests: dict[str, bytes | None] = {}

    def same_as(self, data: bytes) -> str | None:
        """The label of a source holding exactly ``data``, or ``None``."""
        candidates = self._by_size.get(len(data), [])
        if not candidates:
            return None
        wanted = hashlib.sha256(data).digest()
        for label, source in candidates:
            if label not in self._digests:
                self._digests[label] = content_digest(source)
            if self._digests[label] == wanted:
                return label
        return None


def _size(path: str | Path) -> int | None:
    try:
        return Path(path).stat().st_size
    except OSError:
        return None


def content_digest(source: CsvSource) -> bytes | None:
    """SHA-256 of a source's bytes; ``None`` when unreadable (the reader says why)."""
    h = hashlib.sha256()
    if isinstance(source, tuple):
        h.update(source[1])
        return h.digest()
    try:
        with open(source, "rb") as fh:
            while chunk := fh.read(_CHUNK):
                h.update(chunk)
    except OSError:
        return None
    return h.digest()

"""The data a run reads: incident and boundary sources as one frozen value, and loading it."""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import geopandas as gpd
import pandas as pd

from geo import columns as c
from geo.errors import ValidationError
from geo.io import (
    READ_SKIPPED,
    CsvSource,
    load_boundaries,
    load_incidents,
    lonlat_extent,
    normalise_forces,
    sources_digest,
)
from geo.paths import DEFAULT_BOUNDARIES, DEFAULT_INCIDENTS

__all__ = [
    "SHIPPED_LABEL",
    "BoundarySource",
    "DataSource",
    "LoadedSource",
    "load_source",
    "load_source_wards",
]

#: A ward boundary file: a path, or ``(display name, file bytes)`` for an upload.
BoundarySource = str | Path | tuple[str, bytes]

#: How the shipped data is described to people.
SHIPPED_LABEL = (
    "Shipped data: police.uk street-level crime for South East Oxford, "
    "March to November 2018, and the ONS 2013 ward boundaries"
)


@dataclass(frozen=True, kw_only=True)
class DataSource:
    """The incident and boundary files of a run, as a frozen, hashable value.

    The app and the command line describe their inputs with one of these and load it with
    :func:`load_source`; :attr:`key` identifies the inputs' contents for caches.

    Parameters
    ----------
    incidents
        Incident CSV files or folders (paths), or ``(display name, bytes)`` uploads; never
        empty.
    boundaries
        The ward boundary file: a path or a ``(display name, bytes)`` upload.
    label
        What the data is, in words, for the people who use it.
    code_col, name_col
        Ward code/name columns of the boundary file when not ONS ``WDyyCD``/``WDyyNM``.
    layer
        The boundary file's layer, for a file with several polygon layers.
    forces
        police.uk force slugs (``thames-valley``) whose members of a zip archive are read;
        empty reads every force.

    Attributes
    ----------
    key
        ``"shipped"`` for the shipped data; otherwise a SHA-256 hex digest of the uploaded
        names and bytes and of the paths named (a cache key: it changes when any upload does).

    """

    incidents: tuple[CsvSource, ...] = (DEFAULT_INCIDENTS,)
    boundaries: BoundarySource = DEFAULT_BOUNDARIES
    label: str = SHIPPED_LABEL
    code_col: str | None = None
    name_col: str | None = None
    layer: str | None = None
    forces: tuple[str, ...] = ()
    key: str = field(init=False, compare=False)

    def __post_init__(self) -> None:
        incidents = tuple(self.incidents)
        if not incidents:
            raise ValidationError("A data source needs at least one incident file. Got none.")
        for item in (*incidents, self.boundaries):
            ok = isinstance(item, str | Path) or (
                isinstance(item, tuple)
                and len(item) == 2
                and isinstance(item[0], str)
                and isinstance(item[1], bytes)
            )
            if not ok:
                raise ValidationError(
                    "A data source file must be a path or a (name, bytes) upload. "
                    f"Got {type(item).__name__}."
                )
        object.__setattr__(self, "incidents", incidents)
        object.__setattr__(self, "forces", normalise_forces(self.forces))
        object.__setattr__(self, "key", _source_key(self))

    @classmethod
    def shipped(cls) -> DataSource:
        """The shipped data: South East Oxford, March to November 2018, ONS 2013 wards."""
        return cls()

    @classmethod
    def from_files(
        cls,
        incidents: Sequence[CsvSource] | None = None,
        boundaries: BoundarySource | None = None,
        *,
        code_col: str | None = None,
        name_col: str | None = None,
        layer: str | None = None,
        forces: Sequence[str] = (),
    ) -> DataSource:
        """Paths or uploads, the shipped file standing in for any that is ``None`` or empty.

        The label names the files (uploads by their display names).
        """
        inc = tuple(incidents) if incidents else (DEFAULT_INCIDENTS,)
        bnd = boundaries if boundaries is not None else DEFAULT_BOUNDARIES
        plain = not (code_col or name_col or layer or forces)
        if inc == (DEFAULT_INCIDENTS,) and bnd == DEFAULT_BOUNDARIES and plain:
            return cls.shipped()
        uploaded = any(isinstance(s, tuple) for s in (*inc, bnd))
        names = [_name(s) for s in inc] if incidents else ["shipped incidents"]
        wards = _name(bnd) if boundaries is not None else "shipped wards"
        label = ("Uploaded: " if uploaded else "Files: ") + ", ".join(names) + "; wards: " + wards
        return cls(
            incidents=inc,
            boundaries=bnd,
            label=label,
            code_col=code_col,
            name_col=name_col,
            layer=layer,
            forces=tuple(forces),
        )

    @property
    def is_shipped(self) -> bool:
        """Whether this is the shipped data."""
        return self.key == "shipped"


class LoadedSource(NamedTuple):
    """A :class:`DataSource` read into memory (see :func:`load_source`)."""

    raw: pd.DataFrame
    wards: gpd.GeoDataFrame
    inputs: dict[str, Any]


def load_source_wards(source: DataSource) -> gpd.GeoDataFrame:
    """The ward polygons of a data source: ``ward_code``, ``ward_name``, ``geometry``.

    Read with :func:`geo.io.load_boundaries` (the source's columns and layer), in the
    file's CRS.

    Raises
    ------
    ValidationError
        When the boundary file cannot be read (naming the file and the problem).

    """
    with warnings.catch_warnings():
        # GDAL notes that a GeoPackage read from memory has no .gpkg file name
        warnings.filterwarnings("ignore", message=".*non conformant file extension")
        return load_boundaries(
            source.boundaries,
            code_col=source.code_col,
            name_col=source.name_col,
            layer=source.layer,
        )


def load_source(source: DataSource) -> LoadedSource:
    """Read a data source: raw incident rows, ward polygons, and what was read.

    Parameters
    ----------
    source
        The files to read.

    Returns
    -------
    LoadedSource
        ``raw``: raw incident rows (:data:`geo.columns.RAW_COLUMNS`, every value as text,
        from :func:`geo.io.load_incidents`); ``wards``: ``ward_code`` (str), ``ward_name``
        (str), ``geometry`` (Polygon/MultiPolygon) in the file's CRS (from
        :func:`geo.io.load_boundaries`); ``inputs``: ``incident_files`` (the file names read,
        sorted), ``boundaries`` (the boundary file's name) and, when a zip archive was read,
        ``skipped_members`` (``"<archive>: <member> (<why>)"``), recorded in every result.

    Raises
    ------
    ValidationError
        When a file cannot be read (naming the file and the problem).

    """
    wards = load_source_wards(source)
    # rows of police.uk archives far outside the wards are set aside as they are read
    raw = load_incidents(list(source.incidents), forces=source.forces, extent=lonlat_extent(wards))
    inputs: dict[str, Any] = {
        "incident_files": sorted(set(raw[c.SOURCE_FILE].unique())),
        "boundaries": _name(source.boundaries),
    }
    if raw.attrs.get(READ_SKIPPED):
        inputs["skipped_members"] = list(raw.attrs[READ_SKIPPED])
    return LoadedSource(raw, wards, inputs)


def _name(item: CsvSource) -> str:
    return item[0] if isinstance(item, tuple) else Path(item).name


def _source_key(source: DataSource) -> str:
    """``"shipped"``, or a SHA-256 of the uploads' names and bytes and of the paths named."""
    shipped = (source.incidents, source.boundaries) == ((DEFAULT_INCIDENTS,), DEFAULT_BOUNDARIES)
    if shipped and source.code_col is None and source.name_col is None and source.layer is None:
        return "shipped"
    uploads = [s for s in source.incidents if isinstance(s, tuple)]
    bnd = source.boundaries
    h = hashlib.sha256(sources_digest(uploads, bnd if isinstance(bnd, tuple) else None).encode())
    paths = [str(s) for s in source.incidents if not isinstance(s, tuple)]
    for text in (*paths, "" if isinstance(bnd, tuple) else str(bnd)):
        h.update(b"\0" + text.encode("utf-8"))
    h.update(f"\0{source.code_col}\0{source.name_col}\0{','.join(source.forces)}".encode())
    if source.layer is not None:
        h.update(f"\0layer\0{source.layer}".encode())
    return h.hexdigest()

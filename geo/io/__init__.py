"""Reading and writing files: incident CSVs, ward boundaries, uploads, text outputs."""

from geo.io.archives import (
    READ_SKIPPED,
    is_archive,
    lonlat_extent,
    normalise_forces,
    set_aside_rows,
)
from geo.io.boundaries import load_boundaries
from geo.io.csv_reader import CsvSource, read_text_csv
from geo.io.incident_csv import POLICE_UK_COLUMNS, REPEATED_TEXT, concat_raw, read_incident_csv
from geo.io.incidents import incident_files, load_incidents
from geo.io.uploads import (
    BOUNDARY_TYPES,
    INCIDENT_TYPES,
    SETTINGS_TYPES,
    UploadLimits,
    boundary_upload,
    incident_uploads,
    neutralise_markup,
    nothing_usable,
    safe_upload_name,
    settings_upload,
    sources_digest,
)

__all__ = [
    "BOUNDARY_TYPES",
    "INCIDENT_TYPES",
    "POLICE_UK_COLUMNS",
    "READ_SKIPPED",
    "REPEATED_TEXT",
    "SETTINGS_TYPES",
    "CsvSource",
    "UploadLimits",
    "boundary_upload",
    "concat_raw",
    "incident_files",
    "incident_uploads",
    "is_archive",
    "load_boundaries",
    "load_incidents",
    "lonlat_extent",
    "neutralise_markup",
    "normalise_forces",
    "nothing_usable",
    "read_incident_csv",
    "read_text_csv",
    "safe_upload_name",
    "set_aside_rows",
    "settings_upload",
    "sources_digest",
]

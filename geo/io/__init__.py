"""Reading and writing files: incident CSVs, ward boundaries, uploads, text outputs."""

from geo.io.boundaries import load_boundaries
from geo.io.csv_reader import CsvSource, read_text_csv
from geo.io.incidents import POLICE_UK_COLUMNS, incident_files, load_incidents, read_incident_csv
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
    "SETTINGS_TYPES",
    "CsvSource",
    "UploadLimits",
    "boundary_upload",
    "incident_files",
    "incident_uploads",
    "load_boundaries",
    "load_incidents",
    "neutralise_markup",
    "nothing_usable",
    "read_incident_csv",
    "read_text_csv",
    "safe_upload_name",
    "settings_upload",
    "sources_digest",
]

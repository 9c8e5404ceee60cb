"""Ward-bounded DBSCAN hotspot mapping for neighbourhood policing.

Data flows one way: load → validate → project to metres → assign wards → cluster →
hotspots → maps/exports. :func:`run_files` and :func:`run_pipeline` compose the stages.
"""

from geo.errors import ValidationError
from geo.load import load_boundaries, load_incidents, read_incident_csv
from geo.pipeline import (
    DEFAULT_BOUNDARIES,
    DEFAULT_INCIDENTS,
    Counts,
    PipelineResult,
    run_files,
    run_pipeline,
)
from geo.settings import Category, Settings, WardOverride, load_settings, settings_from_toml

__all__ = [
    "DEFAULT_BOUNDARIES",
    "DEFAULT_INCIDENTS",
    "Category",
    "Counts",
    "PipelineResult",
    "Settings",
    "ValidationError",
    "WardOverride",
    "load_boundaries",
    "load_incidents",
    "load_settings",
    "read_incident_csv",
    "run_files",
    "run_pipeline",
    "settings_from_toml",
]

"""Ward-bounded DBSCAN hotspot mapping for neighbourhood policing.

Data flows one way: load → validate → project to metres → assign wards → cluster →
hotspots → postbox siting → maps/exports. :func:`run_files` and :func:`run_pipeline` compose
the stages (:func:`prepare_incidents` then :func:`cluster_prepared` split them, so only the
clustering is rerun when a clustering setting changes); this package exports only that core.
The rest of the package is one subpackage per wing, each importable on its own (some pull in
heavier libraries); its ``__init__`` lists what it offers:

- ``geo.io``: incident CSVs, ward boundaries, uploads, text outputs.
- ``geo.maps``: staff hotspot maps, legends, Leaflet served or inlined with no network.
- ``geo.staff``: patrol tables, the printable patrol sheet, a run's staff files.
- ``geo.public``: the public-safe meeting view (allow-list, minimum count, generalised areas).
- ``geo.postbox``: postbox sites, scores, rotation plan and the placement log.
- ``geo.evaluation``: evaluation on later months, baselines, k-distance, parameter sweep.
- ``geo.interventions``: before/after and displacement around warrants, closure orders and
  team starts.
- ``geo.cli``: ``python -m geo``.
"""

from geo.categories import Category
from geo.errors import ValidationError
from geo.io import load_boundaries, load_incidents, read_incident_csv
from geo.paths import DEFAULT_BOUNDARIES, DEFAULT_INCIDENTS
from geo.pipeline import cluster_prepared, run_files, run_pipeline, run_source
from geo.prepare import Prepared, preparation_settings, prepare_incidents
from geo.result import Counts, PipelineResult
from geo.settings import Settings, WardOverride
from geo.settings_toml import load_settings, settings_from_toml
from geo.source import DataSource, LoadedSource, load_source

__all__ = [
    "DEFAULT_BOUNDARIES",
    "DEFAULT_INCIDENTS",
    "Category",
    "Counts",
    "DataSource",
    "LoadedSource",
    "PipelineResult",
    "Prepared",
    "Settings",
    "ValidationError",
    "WardOverride",
    "cluster_prepared",
    "load_boundaries",
    "load_incidents",
    "load_settings",
    "load_source",
    "preparation_settings",
    "prepare_incidents",
    "read_incident_csv",
    "run_files",
    "run_pipeline",
    "run_source",
    "settings_from_toml",
]

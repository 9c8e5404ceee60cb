"""Ward-bounded DBSCAN hotspot mapping for neighbourhood policing.

Data flows one way: load → validate → project to metres → assign wards → cluster →
hotspots → postbox siting → maps/exports. :func:`run_files` and :func:`run_pipeline` compose
the stages (:func:`prepare_incidents` then :func:`cluster_prepared` split them, so only the
clustering is rerun when a clustering setting changes); this package exports only that core.
The rest lives in its own modules, imported where needed (some pull in heavier libraries):

- ``geo.public``: the public-safe meeting view (allow-list, minimum count, generalised areas).
- ``geo.postbox``, ``geo.sites``, ``geo.placements``: postbox siting, rotation plan, log.
- ``geo.evaluate``, ``geo.tuning``, ``geo.baselines``: evaluation on later months, k-distance,
  parameter sweep, KDE / Gi* / naive baselines.
- ``geo.interventions``, ``geo.intervention_effect``, ``geo.displacement``: before/after and
  displacement around warrants, closure orders and other interventions.
- ``geo.maps``, ``geo.offline``, ``geo.export``: staff maps and outputs that work offline.
"""

from geo.errors import ValidationError
from geo.load import load_boundaries, load_incidents, read_incident_csv
from geo.pipeline import (
    DEFAULT_BOUNDARIES,
    DEFAULT_INCIDENTS,
    Counts,
    PipelineResult,
    Prepared,
    cluster_prepared,
    preparation_settings,
    prepare_incidents,
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
    "Prepared",
    "Settings",
    "ValidationError",
    "WardOverride",
    "cluster_prepared",
    "load_boundaries",
    "load_incidents",
    "load_settings",
    "preparation_settings",
    "prepare_incidents",
    "read_incident_csv",
    "run_files",
    "run_pipeline",
    "settings_from_toml",
]

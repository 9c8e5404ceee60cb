"""Pure helpers behind the app: staff passwords, uploads, month windows and the patrol sheet.

The helpers live in one-concern modules: staff passwords in :mod:`geo.auth`, upload checks
in :mod:`geo.uploads`, month windows and settings edits in :mod:`geo.settings_edits`, the
patrol tables in :mod:`geo.patrol_tables` and the printable sheet with its map in
:mod:`geo.patrol_sheet`. Every public name of those modules is importable from here.
"""

from __future__ import annotations

from geo.auth import PASSWORD_MIN_CHARS, check_password_hash, hash_password, verify_password
from geo.patrol_sheet import patrol_sheet_html, svg_map
from geo.patrol_tables import category_mix, hotspots_in_wards, monthly_counts, patrol_table
from geo.settings_edits import (
    WINDOW_MONTHS,
    month_window,
    ward_overrides,
    window_settings,
    with_weights,
)
from geo.uploads import (
    BOUNDARY_TYPES,
    INCIDENT_TYPES,
    SETTINGS_TYPES,
    UploadLimits,
    boundary_upload,
    incident_uploads,
    neutralise_markup,
    safe_upload_name,
    settings_upload,
    sources_digest,
)

__all__ = [
    "BOUNDARY_TYPES",
    "INCIDENT_TYPES",
    "PASSWORD_MIN_CHARS",
    "SETTINGS_TYPES",
    "WINDOW_MONTHS",
    "UploadLimits",
    "boundary_upload",
    "category_mix",
    "check_password_hash",
    "hash_password",
    "hotspots_in_wards",
    "incident_uploads",
    "month_window",
    "monthly_counts",
    "neutralise_markup",
    "patrol_sheet_html",
    "patrol_table",
    "safe_upload_name",
    "settings_upload",
    "sources_digest",
    "svg_map",
    "verify_password",
    "ward_overrides",
    "window_settings",
    "with_weights",
]

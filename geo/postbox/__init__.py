"""Where the "have your say" postbox goes next: sites, scores, plan, placement log."""

from geo.postbox.demand import default_reference_date, demand_points
from geo.postbox.log_db import data_path, open_log
from geo.postbox.maps import postbox_map, write_postbox_outputs
from geo.postbox.outputs import PUBLIC_PLAN_LABELS, PostboxOutputs, postbox_outputs, public_plan
from geo.postbox.placements import add_placement, add_placements, delete_placement, read_placements
from geo.postbox.plan import rotation_plan
from geo.postbox.recommendation import log_notes, recommend
from geo.postbox.records import (
    DEFAULT_BOX,
    PLACEMENT_COLUMNS,
    Placement,
    parse_date,
    placement_from_text,
)
from geo.postbox.settings import (
    COOLDOWN_FACTOR,
    COVERED_SCORE,
    COVERED_SHARE,
    END_DATE,
    HOTSPOT_SCORE,
    INCIDENT_SCORE,
    N_RECENT,
    NEW_INCIDENTS,
    PLAN_COLUMNS,
    POSTBOX_BOUNDS,
    POSTBOX_SCORE,
    RANKED_COLUMNS,
    REASON,
    SLIPS_PER_WEEK,
    START_DATE,
    STATUS,
    WEEK,
    YIELD_FACTOR,
    PostboxSettings,
    load_postbox_settings,
    postbox_settings_from_toml,
)
from geo.postbox.sites import NAME, SITE_ID, load_sites

__all__ = [
    "COOLDOWN_FACTOR",
    "COVERED_SCORE",
    "COVERED_SHARE",
    "DEFAULT_BOX",
    "END_DATE",
    "HOTSPOT_SCORE",
    "INCIDENT_SCORE",
    "NAME",
    "NEW_INCIDENTS",
    "N_RECENT",
    "PLACEMENT_COLUMNS",
    "PLAN_COLUMNS",
    "POSTBOX_BOUNDS",
    "POSTBOX_SCORE",
    "PUBLIC_PLAN_LABELS",
    "RANKED_COLUMNS",
    "REASON",
    "SITE_ID",
    "SLIPS_PER_WEEK",
    "START_DATE",
    "STATUS",
    "WEEK",
    "YIELD_FACTOR",
    "Placement",
    "PostboxOutputs",
    "PostboxSettings",
    "add_placement",
    "add_placements",
    "data_path",
    "default_reference_date",
    "delete_placement",
    "demand_points",
    "load_postbox_settings",
    "load_sites",
    "log_notes",
    "open_log",
    "parse_date",
    "placement_from_text",
    "postbox_map",
    "postbox_outputs",
    "postbox_settings_from_toml",
    "public_plan",
    "read_placements",
    "recommend",
    "rotation_plan",
    "write_postbox_outputs",
]

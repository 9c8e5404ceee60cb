"""Staff maps that render with no network: hotspot maps, legends, offline Leaflet."""

from geo.maps.density import density_layer, incident_heat_points
from geo.maps.elements import GiveWayToPopups, add_css, add_html
from geo.maps.escape import escape_html, escape_properties, escape_template_literal, safe_tooltip
from geo.maps.hotspot_map import (
    DISPLAY_GRID_DEG,
    RANK_Z_STEP,
    STAFF_BOXES,
    STAFF_POPUP,
    add_hotspot_layer,
    add_rank_labels,
    base_map,
    for_display,
    hotspot_layer,
    hotspot_map,
    rank_label_points,
    rank_z_offset,
    score_breaks,
    score_colour,
    staff_layers,
)
from geo.maps.labels import ward_label_points
from geo.maps.legend import add_legend, legend_box, swatch
from geo.maps.offline import ASSET_FILES, asset_folders, offline_html, use_served_resources
from geo.maps.safe import MAP_TEXT, safe_for_map, svg_html
from geo.maps.streets import (
    STREET_MIN_ZOOM,
    StreetLayer,
    hide_below_css,
    street_labels,
    street_layer,
    tile_layer,
)

__all__ = [
    "ASSET_FILES",
    "DISPLAY_GRID_DEG",
    "MAP_TEXT",
    "RANK_Z_STEP",
    "STAFF_BOXES",
    "STAFF_POPUP",
    "STREET_MIN_ZOOM",
    "GiveWayToPopups",
    "StreetLayer",
    "add_css",
    "add_hotspot_layer",
    "add_html",
    "add_legend",
    "add_rank_labels",
    "asset_folders",
    "base_map",
    "density_layer",
    "escape_html",
    "escape_properties",
    "escape_template_literal",
    "for_display",
    "hide_below_css",
    "hotspot_layer",
    "hotspot_map",
    "incident_heat_points",
    "legend_box",
    "offline_html",
    "rank_label_points",
    "rank_z_offset",
    "safe_for_map",
    "safe_tooltip",
    "score_breaks",
    "score_colour",
    "staff_layers",
    "street_labels",
    "street_layer",
    "svg_html",
    "swatch",
    "tile_layer",
    "use_served_resources",
    "ward_label_points",
]

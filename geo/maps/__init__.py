"""Staff maps that render with no network: hotspot maps, legends, offline Leaflet."""

from geo.maps.elements import add_css, add_html
from geo.maps.escape import escape_html, escape_properties, escape_template_literal, safe_tooltip
from geo.maps.hotspot_map import (
    DISPLAY_GRID_DEG,
    add_hotspot_layer,
    base_map,
    density_layer,
    for_display,
    hotspot_layer,
    hotspot_map,
    incident_heat_points,
    score_breaks,
    score_colour,
    staff_layers,
)
from geo.maps.labels import ward_label_points
from geo.maps.legend import add_legend, legend_box, swatch
from geo.maps.offline import ASSET_FILES, asset_folders, offline_html, use_served_resources
from geo.maps.safe import MAP_TEXT, safe_for_map, svg_html

__all__ = [
    "ASSET_FILES",
    "DISPLAY_GRID_DEG",
    "MAP_TEXT",
    "add_css",
    "add_hotspot_layer",
    "add_html",
    "add_legend",
    "asset_folders",
    "base_map",
    "density_layer",
    "escape_html",
    "escape_properties",
    "escape_template_literal",
    "for_display",
    "hotspot_layer",
    "hotspot_map",
    "incident_heat_points",
    "legend_box",
    "offline_html",
    "safe_for_map",
    "safe_tooltip",
    "score_breaks",
    "score_colour",
    "staff_layers",
    "svg_html",
    "swatch",
    "use_served_resources",
    "ward_label_points",
]

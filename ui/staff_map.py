"""The staff hotspot map: a streamlit-folium component whose hotspot layer is swapped in place."""

from __future__ import annotations

import os
from collections.abc import Hashable, Sequence

import folium
import geopandas as gpd
import streamlit as st
import streamlit.components.v1 as components
from streamlit_folium import st_folium

from geo import columns as c
from geo.maps import (
    STAFF_BOXES,
    GiveWayToPopups,
    asset_folders,
    base_map,
    density_layer,
    for_display,
    hotspot_layer,
    safe_for_map,
    street_layer,
    use_served_resources,
)
from geo.places import street_points
from geo.prepare import preparation_settings
from geo.project import WGS84
from geo.settings import Settings
from geo.source import DataSource
from geo.staff import focus_area, hotspots_in_wards
from ui import cache, state


def map_asset_urls() -> dict[str, str]:
    """Where this server serves Leaflet's files, relative to the map component's page.

    Each package folder of :func:`geo.maps.asset_folders` is declared as the file folder
    of a component that is never drawn: Streamlit then serves its files at
    ``/component/<name>/<file>`` (cached by the browser), next to streamlit-folium's own
    ``/component/streamlit_folium.st_folium/index.html``. Leaflet is then loaded once per
    map frame instead of being sent inline with every redraw.
    """
    return {
        key: f"../{components.declare_component(f'assets_{key}', path=folder).name}/"
        for key, folder in asset_folders().items()
    }


@st.cache_resource(show_spinner=False, max_entries=24)
def staff_map_frames(
    key: str,
    settings_key: Hashable,
    ward_codes: tuple[str, ...] | None,
    _source: DataSource,
    _settings: Settings,
    patrol: bool = False,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame | None]:
    """``(wards, hotspots, incidents or None)`` of a staff map, ready to draw.

    In WGS84 with outlines simplified for display (:func:`geo.maps.for_display`) and
    markup stripped from names; the chosen wards only, with their incidents (``weight``,
    ``geometry``) for the density layer, when ``ward_codes`` is given. With ``patrol`` the
    hotspots carry the Patrol list's trends (:func:`ui.cache.window_run`). Shared read-only
    between reruns.
    """
    if patrol:
        result = cache.window_run(key, settings_key, _source, _settings)[0]
    else:
        result = cache.run(key, settings_key, _source, _settings)
    wards, hotspots, incidents = result.wards, result.hotspots, None
    if ward_codes is not None:
        hotspots = hotspots_in_wards(hotspots, ward_codes)
        wards = wards[wards[c.WARD_CODE].isin(ward_codes).to_numpy()]
        incidents = result.incidents[result.incidents[c.WARD_CODE].isin(ward_codes).to_numpy()]
        incidents = incidents[[c.WEIGHT, "geometry"]].to_crs(WGS84)
    return for_display(safe_for_map(wards)), for_display(safe_for_map(hotspots)), incidents


#: Environment variables (or ``.streamlit/secrets.toml`` keys in lower case) naming a basemap
#: tile URL and its credit. Unset (the default), the staff maps have no tiles and need no
#: network; set, e.g. to a force's own tile server, the tiles are drawn under the wards.
TILES_ENV, ATTRIBUTION_ENV = "HOTSPOTS_TILES_URL", "HOTSPOTS_TILES_ATTRIBUTION"


def basemap_setting() -> tuple[str | None, str]:
    """``(tile URL or None, attribution)`` from the environment, else the app's secrets."""

    def read(name: str) -> str:
        value = os.environ.get(name, "").strip()
        if not value and st.secrets.load_if_toml_exists():
            value = str(st.secrets.get(name.lower(), "") or "").strip()
        return value

    url = read(TILES_ENV)
    return (url or None), read(ATTRIBUTION_ENV)


@st.cache_resource(show_spinner=False, max_entries=6)
def street_frame(key: str, _source: DataSource, _settings: Settings) -> gpd.GeoDataFrame:
    """The named police.uk map points of all the data (:func:`geo.places.street_points`).

    From the prepared incidents with the month and category filters lifted, so the street
    names stay the same whatever window or slider position is shown.
    """
    unfiltered = preparation_settings(_settings.replace(since=None, until=None, include=()))
    prep = cache.prepared(key, unfiltered.cache_key(), _source, unfiltered)
    return street_points(prep.incidents)


def frames_for(
    settings: Settings,
    ward_codes: Sequence[str] | None,
    source: DataSource | None = None,
    *,
    patrol: bool = False,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame | None]:
    """:func:`staff_map_frames` of ``settings`` on ``source`` (default: the data in use)."""
    src = source or state.data_source()
    codes = None if ward_codes is None else tuple(sorted(ward_codes))
    return staff_map_frames(src.key, settings.cache_key(), codes, src, settings, patrol)


def show_staff_map(
    settings: Settings,
    ward_codes: Sequence[str] | None,
    *,
    key: str,
    height: int,
    names_clear_of_hotspots: bool = False,
    focus_rank: int | None = None,
    patrol: bool = False,
) -> None:
    """Draw the staff map: the wards (all, or the chosen ones) with hotspot layers over them.

    ``streamlit-folium`` keeps the map (and the viewer's pan and zoom) while only its layer
    groups change, so a slider that changes the hotspots redraws just them; Leaflet is
    loaded once from this server (:func:`map_asset_urls`). The wards are the fixed base;
    with chosen wards an incident density layer (off at first) joins the base. A fresh
    folium map is built every run (a folium map must not be rendered twice).

    The base also holds the street and place names of the data's police.uk map points
    (shown from zoom 15, a layer the viewer can switch off) and, only when
    :func:`basemap_setting` names a tile URL, a basemap; hotspots carry their rank numbers.
    The first view fits the wards beside the legend and the layer switcher
    (:data:`geo.maps.STAFF_BOXES`). With ``names_clear_of_hotspots`` the ward names are
    placed away from the hotspots and their rank badges; only for a page whose hotspots
    change only with the base (Patrol: wards and months), since moving the names redraws
    the whole map. Otherwise (Analyst) a ward name that a rank badge would cover moves a
    little (up, down or sideways) in the browser, or is hidden while covered. With
    ``focus_rank`` the map opens on that hotspot and the streets around it
    (:func:`geo.staff.focus_area`); give each focus its own ``key``, so the map is drawn
    afresh with that first view. With ``patrol`` the hotspots' trends are the Patrol
    list's (the window against the months before it, :func:`ui.cache.window_run`).
    """
    wards, hotspots, incidents = frames_for(settings, ward_codes, patrol=patrol)
    src = state.data_source()
    tiles, attribution = basemap_setting()
    away = hotspots.geometry if names_clear_of_hotspots and len(hotspots) else None
    focus = None
    if focus_rank is not None and (hotspots[c.RANK] == focus_rank).any():
        focus = focus_area(hotspots, focus_rank)
    m = base_map(
        wards,
        tiles=tiles,
        attribution=attribution,
        keep_clear=STAFF_BOXES,
        labels_away_from=away,
        fit_to=focus,
        labels_avoid=(".rank-label",),  # a name under a badge reads as "Li[3]more"
    )
    m.add_child(GiveWayToPopups((".hotspot-legend",)))  # an open popup is read whole
    m.options["prefer_canvas"] = False  # SVG, as in geo.maps.svg_html: crisp when printed
    street_layer(street_frame(src.key, src, settings)).add_to(m)
    if incidents is not None and len(incidents):
        # part of the fixed base: streamlit-folium shows every swapped layer group, and the
        # density layer should start switched off
        density_layer(incidents).add_to(m)
    urls = map_asset_urls()
    use_served_resources(m, urls)
    hotspots_layer = use_served_resources(hotspot_layer(hotspots), urls)
    st_folium(
        m,
        key=key,
        height=height,
        use_container_width=True,
        feature_group_to_add=hotspots_layer,
        layer_control=folium.LayerControl(collapsed=False),
        returned_objects=[],
        render=False,  # rendered once inside st_folium; a second pass repeats statements
    )

"""Hotspot maps as fresh ``folium.Map`` objects that render with no network access."""

from __future__ import annotations

import html as html_lib
from collections.abc import Sequence

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element
from folium.plugins import HeatMap

from geo import columns as c
from geo.legend import SCORE_COLOURS, LegendLayer, legend_html
from geo.project import WGS84

WARD_STYLE = {"color": "#2b4a6f", "weight": 2, "fillColor": "#dfe7f0", "fillOpacity": 0.35}
BACKGROUND = "#f4f1ea"

#: Staff popup fields: (column, label).
STAFF_POPUP: tuple[tuple[str, str], ...] = (
    (c.HOTSPOT_ID, "Hotspot"),
    (c.WARD_NAME, "Ward"),
    (c.N_INCIDENTS, "Incidents"),
    (c.SCORE, "Weighted score"),
    (c.KIND, "Kind"),
    (c.CATEGORIES, "Categories"),
    (c.TREND, "Trend"),
    (c.FIRST_MONTH, "First month"),
    (c.LAST_MONTH, "Last month"),
)


#: Outlines drawn on maps are simplified by this many metres (invisible at street scale)...
DISPLAY_TOLERANCE_M = 0.5
#: ...and their longitudes and latitudes rounded to this grid (about 0.1 m).
DISPLAY_GRID_DEG = 1e-6


def for_display(
    frame: gpd.GeoDataFrame, *, tolerance_m: float = DISPLAY_TOLERANCE_M
) -> gpd.GeoDataFrame:
    """A WGS84 copy for drawing: the same picture in about half the bytes.

    Outlines are simplified by ``tolerance_m`` (topology kept) when ``frame`` is in a
    metric CRS, and coordinates are rounded to :data:`DISPLAY_GRID_DEG`; a shape smaller
    than that grid (which rounding would erase) is kept exactly. Every other column is kept
    as it is.

    Parameters
    ----------
    frame
        Any GeoDataFrame with a CRS.

    """
    geom = frame.geometry
    crs = frame.crs
    if crs is not None and crs.is_projected and crs.axis_info[0].unit_name in ("metre", "meter"):
        geom = geom.simplify(tolerance_m)
    out = gpd.GeoDataFrame(frame.drop(columns=frame.geometry.name), geometry=geom, crs=crs)
    out = out.to_crs(WGS84)
    rounded = shapely.set_precision(out.geometry.to_numpy(), DISPLAY_GRID_DEG)
    lost = shapely.is_empty(rounded) & ~frame.geometry.is_empty.to_numpy()
    if lost.any():
        rounded[lost] = frame.geometry[lost].to_crs(WGS84).to_numpy()
    return out.set_geometry(gpd.GeoSeries(rounded, index=out.index, crs=WGS84))


def score_breaks(scores: Sequence[float] | np.ndarray, n: int = len(SCORE_COLOURS)) -> list[float]:
    """Upper bounds of ``n`` classes (quantiles of the scores; the last is the maximum)."""
    s = np.asarray(scores, dtype=float)
    if s.size == 0:
        return [0.0] * n
    qs = np.quantile(s, np.linspace(0, 1, n + 1)[1:])
    return [float(q) for q in qs]


def score_colour(score: float, breaks: Sequence[float]) -> str:
    """Colour of ``score`` for the given class ``breaks`` (see :func:`score_breaks`)."""
    for colour, upper in zip(SCORE_COLOURS, breaks, strict=False):
        if score <= upper:
            return colour
    return SCORE_COLOURS[-1]


def base_map(
    wards: gpd.GeoDataFrame, *, tiles: str | None = None, height: str = "100%"
) -> folium.Map:
    """A fresh map fitted to the wards, with ward outlines and name labels.

    Parameters
    ----------
    wards
        ``ward_code``, ``ward_name``, ``geometry`` (any CRS).
    tiles
        A folium tile name (e.g. ``"OpenStreetMap"``) when online; ``None`` draws a plain
        background, which is all that works with no network.

    """
    w = for_display(wards)
    minx, miny, maxx, maxy = w.total_bounds
    m = folium.Map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        tiles=tiles,
        prefer_canvas=True,
        control_scale=True,
        height=height,
        zoom_snap=0.25,
    )
    m.options["max_zoom"] = 18
    m.get_root().header.add_child(  # type: ignore[attr-defined]
        folium.Element(
            f"<style>.leaflet-container{{background:{BACKGROUND} !important;}}"
            ".ward-label{font:600 13px/1.2 sans-serif;color:#1d3550;text-align:center;"
            "text-shadow:0 0 3px #fff,0 0 3px #fff;white-space:nowrap;}</style>"
        )
    )
    layer = folium.FeatureGroup(name="Wards", show=True)
    labels = w[[c.WARD_CODE, c.WARD_NAME, "geometry"]].copy()
    labels[c.WARD_NAME] = labels[c.WARD_NAME].astype(str).map(html_lib.escape)
    folium.GeoJson(
        labels.to_json(),
        name="Ward outlines",
        style_function=lambda _f: WARD_STYLE,
        tooltip=folium.GeoJsonTooltip(fields=[c.WARD_NAME], aliases=["Ward"]),
    ).add_to(layer)
    for name, point in zip(w[c.WARD_NAME], w.geometry.representative_point(), strict=True):
        folium.Marker(
            [point.y, point.x],
            icon=folium.DivIcon(
                html=f'<div class="ward-label">{html_lib.escape(str(name))}</div>',
                icon_size=(160, 20),
                icon_anchor=(80, 10),
                class_name="ward-label-icon",
            ),
        ).add_to(layer)
    layer.add_to(m)
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    return m


def add_hotspot_layer(
    m: Element,
    hotspots: gpd.GeoDataFrame,
    *,
    fields: Sequence[tuple[str, str]] = STAFF_POPUP,
    name: str = "Hotspots",
    value_col: str = c.SCORE,
) -> list[float]:
    """Draw hotspot polygons coloured by ``value_col`` with popups; returns the class breaks.

    Parameters
    ----------
    m
        The map, or a layer group on it.
    hotspots
        Polygons (any CRS) with ``value_col`` and the ``fields`` columns.
    fields
        ``(column, label)`` pairs shown in the popup and tooltip.

    """
    breaks = score_breaks(hotspots[value_col].to_numpy(dtype=float)) if len(hotspots) else []
    if len(hotspots) == 0:
        return breaks
    cols = [col for col, _ in fields]
    h = for_display(hotspots)[[*dict.fromkeys([*cols, value_col]), "geometry"]].copy()
    for col in h.columns:
        if col != "geometry" and h[col].dtype.kind == "f":
            h[col] = h[col].round(1)
        elif col != "geometry" and h[col].dtype.kind in "OSUT":
            # folium puts popup and tooltip values into the page as HTML: escape text
            h[col] = h[col].astype(str).map(html_lib.escape)
    h["_colour"] = [score_colour(float(s), breaks) for s in hotspots[value_col]]
    folium.GeoJson(
        h.to_json(),
        name=name,
        style_function=lambda f: {
            "color": "#7a0019",
            "weight": 1.5,
            "fillColor": f["properties"]["_colour"],
            "fillOpacity": 0.7,
        },
        highlight_function=lambda _f: {"weight": 3, "fillOpacity": 0.85},
        popup=folium.GeoJsonPopup(fields=cols, aliases=[a for _, a in fields], max_width=360),
        tooltip=folium.GeoJsonTooltip(fields=cols[:3], aliases=[a for _, a in fields][:3]),
    ).add_to(m)
    return breaks


def hotspot_layer(hotspots: gpd.GeoDataFrame) -> folium.FeatureGroup:
    """A "Hotspots" layer group: polygons coloured by weighted score, popups and a legend.

    Parameters
    ----------
    hotspots
        Output of :func:`geo.hotspots.summarise_hotspots` (staff columns, any CRS).

    """
    group = folium.FeatureGroup(name="Hotspots", show=True)
    breaks = add_hotspot_layer(group, hotspots)
    note = f"{len(hotspots)} hotspots; darker = more (weighted) incidents"
    LegendLayer(legend_html("Hotspot weighted score", breaks, note)).add_to(group)
    return group


def density_layer(incidents: gpd.GeoDataFrame) -> folium.FeatureGroup:
    """An "Incident density" layer group (off at first): a heat layer of distinct map points.

    Parameters
    ----------
    incidents
        Point ``geometry`` (any CRS) and ``weight``; aggregated by
        :func:`incident_heat_points`, never drawn as individual markers.

    """
    group = folium.FeatureGroup(name="Incident density", show=False)
    if len(incidents):
        HeatMap(  # type: ignore[no-untyped-call]
            incident_heat_points(incidents), radius=18, blur=14, min_opacity=0.25
        ).add_to(group)
    return group


def staff_layers(
    hotspots: gpd.GeoDataFrame, *, incidents: gpd.GeoDataFrame | None = None
) -> list[folium.FeatureGroup]:
    """The layer groups a staff map draws over :func:`base_map`: density (if given), hotspots.

    Parameters
    ----------
    hotspots
        As in :func:`hotspot_layer`.
    incidents
        As in :func:`density_layer`; ``None`` or empty leaves the density layer out.

    """
    layers = [density_layer(incidents)] if incidents is not None and len(incidents) else []
    return [*layers, hotspot_layer(hotspots)]


def hotspot_map(
    wards: gpd.GeoDataFrame,
    hotspots: gpd.GeoDataFrame,
    *,
    incidents: gpd.GeoDataFrame | None = None,
    tiles: str | None = None,
) -> folium.Map:
    """Staff map: wards, hotspots coloured by score, optional incident density layer.

    :func:`base_map` with :func:`staff_layers` added and a layer switcher.

    Parameters
    ----------
    wards
        ``ward_code``, ``ward_name``, ``geometry``.
    hotspots
        Output of :func:`geo.hotspots.summarise_hotspots` (staff columns).
    incidents
        Optional incidents (Point ``geometry``, ``weight``); drawn as an aggregated heat
        layer of their distinct map points, never as individual markers.
    tiles
        Tile layer name when online; ``None`` (default) needs no network.

    Returns
    -------
    folium.Map
        A new map each call; render it with :func:`geo.offline.offline_html`.

    """
    m = base_map(wards, tiles=tiles)
    for layer in staff_layers(hotspots, incidents=incidents):
        layer.add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def incident_heat_points(incidents: gpd.GeoDataFrame) -> list[list[float]]:
    """``[lat, lon, weight]`` per distinct map point (incidents aggregated by location).

    Parameters
    ----------
    incidents
        Point ``geometry`` (any CRS) and ``weight``.

    """
    pts = incidents.to_crs(WGS84)
    df = pd.DataFrame(
        {
            "lat": pts.geometry.y.round(6).to_numpy(),
            "lon": pts.geometry.x.round(6).to_numpy(),
            "w": pts[c.WEIGHT].to_numpy(dtype=float),
        }
    )
    agg = df.groupby(["lat", "lon"], sort=True)["w"].sum().reset_index()
    top = float(agg["w"].max()) if len(agg) else 1.0
    return [[float(a), float(b), float(w) / top] for a, b, w in agg.itertuples(index=False)]

"""Hotspot maps as fresh ``folium.Map`` objects that render with no network access."""

from __future__ import annotations

from collections.abc import Sequence

import folium
import geopandas as gpd
import numpy as np
import shapely
from branca.element import Element
from folium.template import Template

from geo import columns as c
from geo.categories import leading_categories
from geo.dates import period_words
from geo.maps.density import density_layer
from geo.maps.elements import (
    FitBesideBoxes,
    GiveWayToPopups,
    MapScript,
    ScaleBar,
    SpreadLabels,
    add_css,
)
from geo.maps.escape import escape_html
from geo.maps.labels import ward_label_points
from geo.maps.legend import SCORE_COLOURS, LegendLayer, legend_html, score_classes
from geo.maps.streets import street_layer, tile_layer
from geo.project import WGS84

WARD_STYLE = {"color": "#2b4a6f", "weight": 2, "fillColor": "#dfe7f0", "fillOpacity": 0.35}
BACKGROUND = "#f4f1ea"

#: Popup column made by :func:`add_hotspot_layer`: the leading categories of ``categories``
#: (:func:`geo.categories.leading_categories`).
MAIN_PROBLEMS = "main_problems"
#: Popup column made by :func:`add_hotspot_layer`: the months from ``first_month`` to
#: ``last_month`` in words (``"September to November 2018"``).
MONTHS = "months"
#: Staff popup fields: (column, label); the first :data:`TOOLTIP_FIELDS` are the tooltip.
#: What a sergeant reads on the ground, short enough to fit the map: the hotspot's id, kind
#: and whole category mix are in the list and the downloads.
STAFF_POPUP: tuple[tuple[str, str], ...] = (
    (c.RANK, "Rank"),
    (c.PLACE, "Place"),
    (c.WARD_NAME, "Ward"),
    (c.TREND, "Trend"),
    (c.N_INCIDENTS, "Incidents"),
    (c.SCORE, "Weighted score"),
    (MAIN_PROBLEMS, "Main problems"),
    (MONTHS, "Months"),
)
#: Tallest a popup grows (px) before its text scrolls: well inside a 600 px map.
POPUP_MAX_HEIGHT_PX = 320
#: Room an opened popup keeps at the top of the map (the layer list is about 120 px high).
POPUP_CLEAR_TOP_PX = 150
#: How many of the popup fields the tooltip shows.
TOOLTIP_FIELDS = 4

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
    """Upper bounds of at most ``n`` score classes, each one of the scores, increasing.

    The ``n``-quantiles of the scores taken as scores that occur (``inverted_cdf``), with
    ties merged: tied scores give fewer classes rather than an empty class such as
    "12–12". The last bound is the highest score. No scores gives ``[]``.
    """
    s = np.asarray(scores, dtype=float)
    s = s[np.isfinite(s)]
    if s.size == 0:
        return []
    s = np.sort(s)
    # the inverted-CDF quantile, with k/n worked out exactly (np.quantile's float levels can
    # land just past a whole rank, e.g. 3/5 x 5 = 3.0000000000000004)
    ranks = [max(0, min(s.size - 1, -(-k * s.size // n) - 1)) for k in range(1, n + 1)]
    return sorted({float(s[r]) for r in ranks})


def score_colour(score: float, breaks: Sequence[float]) -> str:
    """Colour of ``score``: that of the first class whose upper bound it does not exceed.

    ``breaks`` as from :func:`score_breaks`; the colours are
    those of :func:`geo.maps.legend.score_classes`, as in the legend.
    """
    for colour, upper in score_classes(breaks):
        if score <= upper:
            return colour
    return SCORE_COLOURS[-1]


def base_map(
    wards: gpd.GeoDataFrame,
    *,
    tiles: str | None = None,
    attribution: str = "",
    height: str = "100%",
    keep_clear: Sequence[str] = (),
    labels_away_from: gpd.GeoSeries | None = None,
    label_gap_m: float = 100.0,
    fit_to: gpd.GeoSeries | None = None,
    labels_avoid: Sequence[str] = (),
) -> folium.Map:
    """A fresh map fitted to the wards, with ward outlines, name labels and a metric scale.

    Names of wards close together are nudged apart until they do not overlap at any zoom,
    and a name under a map button, a ``keep_clear`` box or a mark of ``labels_avoid``
    moves a little or is hidden until the map moves it clear
    (:class:`geo.maps.elements.SpreadLabels`).

    The scale bar (metres and kilometres only) sits at the lower right, above Leaflet's
    attribution, where no legend or title box of these maps is drawn.

    Parameters
    ----------
    wards
        ``ward_code``, ``ward_name``, ``geometry`` (any CRS).
    tiles
        A tile URL template (``https://.../{z}/{x}/{y}.png``: public tiles when online, or a
        force's own tile server) drawn under the wards; ``None`` (default) draws a plain
        background and adds no tile layer, which is all that works with no network.
    attribution
        The tile provider's credit; required with ``tiles`` (see
        :func:`geo.maps.streets.tile_layer`).
    height
        CSS height of the map.
    keep_clear
        CSS selectors of boxes drawn over the map (a title, a legend): when the page opens,
        the wards are fitted into the space the boxes leave free. Each box keeps clear
        either the strip above or below it (whichever side of the map it is on) or the
        strip beside it (not for a box across the middle, such as a centred title); of
        these choices the one that shows the wards largest is used. Boxes that are not on
        the page are ignored, and the plain fit is used when every choice leaves less than
        40 % of the width or height. Empty (default): the wards fill the whole map.
    labels_away_from
        Shapes (any CRS) the ward names should not cover, e.g. the areas of a public map:
        each name then goes at the point of its ward farthest from the ward's edges and
        from these shapes grown by ``label_gap_m`` metres up and down and four times that
        sideways (a name is wide and low); that is the pole of inaccessibility of the
        largest free piece, in a plane squeezed four times across, or of the whole ward
        when nothing is free. ``None`` (default): each name goes at its ward's
        representative point.
    label_gap_m
        Margin in metres kept above and below ``labels_away_from`` (four times it beside);
        see :func:`geo.maps.labels.ward_label_points`.
    fit_to
        Shapes (any CRS) the first view fits instead of the wards, e.g. an intervention's
        target and ring on a small map; ``None`` or empty (default): the wards. One fit
        only: Leaflet drops a second fit asked for while the first is still zooming.
    labels_avoid
        CSS selectors of marks drawn later that ward names should not sit under, such as
        hotspot rank badges (``".rank-label"``): a name under one moves a little (up,
        down or sideways), or is hidden while it would be covered. Map buttons and the
        ``keep_clear`` boxes are always avoided.

    """
    w = for_display(wards)
    minx, miny, maxx, maxy = w.total_bounds
    m = folium.Map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        tiles=None,
        prefer_canvas=True,
        control_scale=False,
        height=height,
        zoom_snap=0.25,
    )
    m.options["max_zoom"] = 18
    if tiles is not None:
        tile_layer(tiles, attribution=attribution).add_to(m)
    add_css(
        m,
        f".leaflet-container{{background:{BACKGROUND} !important;}}"
        # a clicked shape takes the browser's focus ring: a black box round a whole ward on
        # a projector; shapes cannot be reached by keyboard, so the ring helps no one
        ".leaflet-interactive:focus{outline:none;}"
        ".ward-label{font:600 13px/1.2 sans-serif;color:#1d3550;text-align:center;"
        "text-shadow:0 0 3px #fff,0 0 3px #fff;white-space:nowrap;}",
    )
    layer = folium.FeatureGroup(name="Wards", show=True)
    labels = w[[c.WARD_CODE, c.WARD_NAME, "geometry"]].copy()
    labels[c.WARD_NAME] = labels[c.WARD_NAME].astype(str).map(escape_html)
    folium.GeoJson(
        labels.to_json(),
        name="Ward outlines",
        style_function=lambda _f: WARD_STYLE,
        tooltip=folium.GeoJsonTooltip(fields=[c.WARD_NAME], aliases=["Ward"]),
    ).add_to(layer)
    points = ward_label_points(wards, w.geometry, away_from=labels_away_from, gap_m=label_gap_m)
    for name, point in zip(w[c.WARD_NAME], points, strict=True):
        folium.Marker(
            [point.y, point.x],
            icon=folium.DivIcon(
                html=f'<div class="ward-label">{escape_html(name)}</div>',
                icon_size=(240, 24),
                icon_anchor=(120, 12),
                class_name="ward-label-icon",
            ),
            interactive=False,  # a label only: clicks reach the outlines and areas under it
            keyboard=False,
        ).add_to(layer)
    layer.add_to(m)
    # close wards' names never overlap, nor show half under a button or a box over the map
    m.add_child(SpreadLabels(".ward-label", avoid=(".leaflet-control", *keep_clear, *labels_avoid)))
    m.add_child(ScaleBar())
    if fit_to is not None and len(fit_to):
        minx, miny, maxx, maxy = fit_to.to_crs(WGS84).total_bounds
    bounds = [[float(miny), float(minx)], [float(maxy), float(maxx)]]
    if keep_clear:
        m.add_child(FitBesideBoxes(bounds, keep_clear))
    else:
        m.fit_bounds(bounds)
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
        Polygons (any CRS) with ``value_col`` and the ``fields`` columns (fields whose
        column is missing, e.g. ``place`` on hotspots not from the pipeline, are left out).
    fields
        ``(column, label)`` pairs shown in the popup; the first :data:`TOOLTIP_FIELDS` are
        the tooltip. Text values are escaped (:func:`geo.maps.escape_html`).

    """
    breaks = score_breaks(hotspots[value_col].to_numpy(dtype=float)) if len(hotspots) else []
    if len(hotspots) == 0:
        return breaks
    hotspots = _with_popup_columns(hotspots)
    fields = [(col, label) for col, label in fields if col in hotspots.columns]
    cols = [col for col, _ in fields]
    labels = [label for _, label in fields]
    h = for_display(hotspots)[[*dict.fromkeys([*cols, value_col]), "geometry"]].copy()
    for col in h.columns:
        if col != "geometry" and h[col].dtype.kind == "f":
            h[col] = h[col].round(1)
        elif col != "geometry" and h[col].dtype.kind in "OSUT":
            # folium puts popup and tooltip values into the page as HTML: escape text
            h[col] = h[col].astype(str).map(escape_html)
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
        # an opened popup is moved clear of the layer list in the top corner
        popup=folium.GeoJsonPopup(
            fields=cols,
            aliases=labels,
            max_width=360,
            maxHeight=POPUP_MAX_HEIGHT_PX,
            autoPanPaddingTopLeft=[20, POPUP_CLEAR_TOP_PX],
        ),
        tooltip=folium.GeoJsonTooltip(
            fields=cols[:TOOLTIP_FIELDS], aliases=labels[:TOOLTIP_FIELDS]
        ),
    ).add_to(m)
    return breaks


def _with_popup_columns(hotspots: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``hotspots`` with :data:`MAIN_PROBLEMS` and :data:`MONTHS` where their sources exist."""
    out = hotspots.copy()
    if c.CATEGORIES in out.columns:
        out[MAIN_PROBLEMS] = [leading_categories(t) for t in out[c.CATEGORIES].astype(str)]
    if c.FIRST_MONTH in out.columns and c.LAST_MONTH in out.columns:
        spans = zip(out[c.FIRST_MONTH].astype(str), out[c.LAST_MONTH].astype(str), strict=True)
        out[MONTHS] = [period_words([first, last]) for first, last in spans]
    return out


#: The rank badge, written inline (a swapped layer group brings no stylesheet with it): its
#: lower-left corner, the one not rounded, touches the shape.
RANK_STYLE = (
    "position:absolute;left:1px;bottom:1px;min-width:14px;padding:1px 3px;"
    "font:700 11px/13px sans-serif;color:#fff;background:#7a0019;text-align:center;"
    "border:1px solid #fff;border-radius:7px 7px 7px 0;box-shadow:0 0 2px rgba(0,0,0,.5);"
    "white-space:nowrap;pointer-events:auto;cursor:pointer;"
)


def rank_label_points(hotspots: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """Where each hotspot's rank number goes: its north-easternmost corner, in WGS84.

    The vertex of the outline (as drawn, WGS84) with the largest longitude + latitude. No
    point of the shape lies both east and north of it, so a label drawn up and to the right
    of it never covers the shape, however small the shape is on screen.

    Parameters
    ----------
    hotspots
        Polygons (any CRS).

    Returns
    -------
    geopandas.GeoSeries
        Points in EPSG:4326, index of ``hotspots``.

    """
    shown = for_display(hotspots).geometry
    points = []
    for geom in shown:
        xy = shapely.get_coordinates(geom)
        best = xy[int(np.argmax(xy[:, 0] + xy[:, 1]))] if len(xy) else (np.nan, np.nan)
        points.append(shapely.Point(best))
    return gpd.GeoSeries(points, index=shown.index, crs=WGS84)


def badge_style(colour: str | None = None) -> str:
    """:data:`RANK_STYLE` on ``colour`` (a ``#rrggbb`` score class), with legible text.

    Dark text on the light classes, white on the dark ones (by the colour's luminance);
    without a colour, the usual dark red badge.
    """
    if colour is None:
        return RANK_STYLE
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    text = "#222" if 0.299 * r + 0.587 * g + 0.114 * b > 150 else "#fff"
    return RANK_STYLE.replace(
        "color:#fff;background:#7a0019;", f"color:{text};background:{colour};"
    )


def add_rank_labels(
    m: Element, hotspots: gpd.GeoDataFrame, colours: Sequence[str] | None = None
) -> None:
    """Put each hotspot's ``rank`` in a small badge at its north-east corner.

    The badge sits up and to the right of :func:`rank_label_points`, touching the shape
    with its square corner, so a tiny hotspot stays visible under its number. The numbers
    are the ``rank`` column, the same as the tables' ``Rank``. Where badges overlap, the
    lower rank is drawn on top (:func:`rank_z_offset`), so badge 1 is never covered.

    Parameters
    ----------
    m
        The map, or a layer group on it (the badges go with the hotspots' layer).
    hotspots
        ``rank`` and polygon ``geometry`` (any CRS).
    colours
        One badge colour per hotspot (its score class, as its shape is filled), so how
        serious each is shows even where the shapes are a few pixels across; default the
        one dark red of every badge.

    """
    if not len(hotspots):
        return
    points = rank_label_points(hotspots)
    styles = (
        [badge_style(x) for x in colours] if colours is not None else [RANK_STYLE] * len(points)
    )
    for rank, point, style in zip(hotspots[c.RANK], points, styles, strict=True):
        folium.Marker(
            [point.y, point.x],
            icon=folium.DivIcon(
                html=f'<div class="rank-label" style="{style}">{int(rank)}</div>',
                icon_size=(0, 0),
                icon_anchor=(0, 0),
                class_name="rank-label-icon",
            ),
            interactive=False,  # BadgesOpenPopups answers a click on the badge itself
            keyboard=False,
            z_index_offset=rank_z_offset(int(rank), len(hotspots)),
        ).add_to(m)
    m.add_child(StackRankBadges())
    m.add_child(BadgesOpenPopups())


class BadgesOpenPopups(MapScript):
    """A click on a rank badge opens the popup of its hotspot, as a click on the shape does.

    At the whole-area view a hotspot is a few pixels across and its badge is what a person
    aims at. Added to the layer group of the badges and the hotspots' GeoJson layer (whose
    features carry ``rank``); the popup opens where the badge was clicked.
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (group) {
            function on() { return group instanceof L.Map ? group : group._map; }
            function shape(rank) {
                var found = null;
                group.eachLayer(function (layer) {
                    if (found || layer.feature || !layer.eachLayer) { return; }
                    layer.eachLayer(function (f) {
                        var p = f.feature && f.feature.properties;
                        if (!found && p && String(p.rank) === rank) { found = f; }
                    });
                });
                return found;
            }
            function click(e) {
                var badge = e.target.closest && e.target.closest(".rank-label");
                var f = badge && shape(badge.textContent.trim());
                if (!f) { return; }  // another group's badge, or a hotspot drawn elsewhere
                L.DomEvent.stop(e);
                f.fire("click", {latlng: on().mouseEventToLatLng(e)}, true);
            }
            function start() { L.DomEvent.on(on().getPane("markerPane"), "click", click); }
            function stop() {
                if (on()) { L.DomEvent.off(on().getPane("markerPane"), "click", click); }
            }
            group.on("add", start);
            group.on("remove", stop);
            if (on()) { start(); }
        })({{ this._parent.get_name() }});
        {% endmacro %}"""
    )

    def __init__(self) -> None:
        super().__init__("BadgesOpenPopups")


class StackRankBadges(MapScript):
    """Lift rank badges that would overlap a lower rank's badge, with a line down to the shape.

    Added to the layer group of the badges; at every zoom, in rank order, a badge that
    overlaps a badge already placed moves straight up just clear of it (at most
    :data:`MAX_LIFT_PX`), and a thin line joins it to its shape's corner. Badge 1 never
    moves.
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (group, maxLift) {
            function on() { return group instanceof L.Map ? group : group._map; }
            function layout() {
                var map = on();
                if (!map) { return; }
                var badges = Array.prototype.slice.call(
                    map.getPane("markerPane").querySelectorAll(".rank-label-icon .rank-label")
                );
                badges.forEach(function (b) {
                    b.style.bottom = "1px";
                    var line = b.parentNode.querySelector(".rank-leader");
                    if (line) { line.remove(); }
                });
                badges.sort(function (a, b) {
                    return parseInt(a.textContent, 10) - parseInt(b.textContent, 10);
                });
                var placed = [];
                badges.forEach(function (b) {
                    var r = b.getBoundingClientRect(), lift = 0, moved = true;
                    while (moved && lift <= maxLift) {
                        moved = false;
                        placed.forEach(function (p) {
                            var top = r.top - lift, bottom = r.bottom - lift;
                            if (r.left < p.right && p.left < r.right && top < p.bottom
                                && p.top < bottom) {
                                lift += bottom - p.top + 1;
                                moved = true;
                            }
                        });
                    }
                    if (lift > maxLift) { lift = 0; }
                    if (lift > 0) {
                        b.style.bottom = (1 + lift) + "px";
                        var line = document.createElement("div");
                        line.className = "rank-leader";
                        // thin and grey: thick dark-red leaders read as map features
                        line.style.cssText = "position:absolute;left:0;bottom:0;width:1px;"
                            + "height:" + (lift + 2) + "px;background:#555;opacity:0.8;";
                        b.parentNode.insertBefore(line, b);
                    }
                    placed.push({left: r.left, right: r.right, top: r.top - lift,
                                 bottom: r.bottom - lift});
                });
            }
            function later() { window.requestAnimationFrame(layout); }
            function start() { on().on("zoomend viewreset", later); later(); }
            function stop() { if (on()) { on().off("zoomend viewreset", later); } }
            group.on("add", start);
            group.on("remove", stop);
            if (on()) { start(); }
        })({{ this._parent.get_name() }}, {{ this.max_lift }});
        {% endmacro %}"""
    )

    def __init__(self) -> None:
        super().__init__("StackRankBadges")
        self.max_lift = MAX_LIFT_PX


#: Highest a rank badge is lifted clear of others (pixels); a badge that would need more
#: stays at its shape, under the lower ranks' badges.
MAX_LIFT_PX = 80

#: Step between the ``zIndexOffset`` of consecutive ranks: more than any map's height in
#: pixels, since Leaflet adds a marker's screen y to its offset.
RANK_Z_STEP = 100_000


def rank_z_offset(rank: int, n_ranks: int) -> int:
    """Leaflet ``zIndexOffset`` of the badge of ``rank`` among ``n_ranks``: lower ranks on top.

    Also above the ward names (markers with no offset), whatever the badges' positions.
    """
    return (max(n_ranks, rank) - rank + 1) * RANK_Z_STEP


#: Boxes over a staff map that its first view keeps clear of the wards (see :func:`base_map`):
#: the hotspot legend (drawn with the hotspot layer) and the layer switcher.
STAFF_BOXES: tuple[str, ...] = (".hotspot-legend", ".leaflet-control-layers")


def hotspot_layer(hotspots: gpd.GeoDataFrame) -> folium.FeatureGroup:
    """A "Hotspots" layer group: polygons coloured by weighted score, rank numbers, a legend.

    Parameters
    ----------
    hotspots
        Output of :func:`geo.hotspots.summarise_hotspots` (staff columns, any CRS).

    """
    group = folium.FeatureGroup(name="Hotspots", show=True)
    breaks = add_hotspot_layer(group, hotspots)
    scores = hotspots[c.SCORE].to_numpy(dtype=float)
    add_rank_labels(group, hotspots, [score_colour(float(x), breaks) for x in scores])
    note = f"{len(hotspots)} hotspots; darker = more (weighted) incidents; numbers = rank"
    LegendLayer(legend_html("Hotspot weighted score", breaks, note, scores=scores)).add_to(group)
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
    streets: gpd.GeoDataFrame | None = None,
    tiles: str | None = None,
    attribution: str = "",
) -> folium.Map:
    """Staff map: wards, street names, numbered hotspots coloured by score, density layer.

    :func:`base_map` (its first view clear of :data:`STAFF_BOXES`) with a street-name layer
    (:func:`geo.maps.streets.street_layer`, shown from zoom 15), :func:`staff_layers` and a
    layer switcher.

    Parameters
    ----------
    wards
        ``ward_code``, ``ward_name``, ``geometry``.
    hotspots
        Output of :func:`geo.hotspots.summarise_hotspots` (staff columns), with ``place``.
    incidents
        Optional incidents (Point ``geometry``, ``weight``); drawn as an aggregated heat
        layer of their distinct map points, never as individual markers.
    streets
        Optional named map points from :func:`geo.places.street_points` (metric CRS);
        ``None`` or empty leaves the street-name layer out.
    tiles, attribution
        A basemap tile URL and its credit (see :func:`base_map`); ``None`` (default) adds
        no tile layer and needs no network.

    Returns
    -------
    folium.Map
        A new map each call; render it with :func:`geo.maps.offline_html`.

    """
    m = base_map(wards, tiles=tiles, attribution=attribution, keep_clear=STAFF_BOXES)
    m.add_child(GiveWayToPopups((".hotspot-legend",)))  # an open popup is read whole
    if streets is not None and len(streets):
        street_layer(streets).add_to(m)
    for layer in staff_layers(hotspots, incidents=incidents):
        layer.add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return m

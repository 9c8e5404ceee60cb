"""The public meeting map, its standalone offline HTML page and the public GeoJSON."""

from __future__ import annotations

import re
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import shapely

from geo import columns as c
from geo.errors import ValidationError
from geo.maps import (
    GiveWayToPopups,
    add_css,
    add_html,
    base_map,
    escape_html,
    escape_properties,
    legend_box,
    offline_html,
    swatch,
)
from geo.project import WGS84
from geo.public.area_list import area_list_html
from geo.public.fullscreen import FullScreenButton, WholeAreaButton
from geo.public.schema import (
    AREA_ID,
    BAND_RANK,
    DEFAULT_PUBLIC,
    INCIDENTS_BAND,
    MAIN_PROBLEMS,
    PERIOD,
    PLACE,
    PublicSettings,
    check_public,
)
from geo.public.streets import public_street_layer

#: Attribution for the shipped data (police.uk and ONS, Open Government Licence v3.0).
ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0. "
    "Ward boundaries: Office for National Statistics licensed under the Open Government "
    "Licence v.3.0; contains OS data © Crown copyright and database right."
)
#: Room an opened popup keeps at the top of the map (the title box, up to three lines).
POPUP_CLEAR_TOP_PX = 110
#: Default title of the public map.
DEFAULT_TITLE = "Where reported problems concentrate"
#: Sequential band colours, lowest band first (ColorBrewer YlOrRd without its two palest):
#: the default four bands take every other one (yellow, orange, red, dark red), about 20
#: lightness steps apart, so they stay apart on a washed-out projector.
BAND_COLOURS: tuple[str, ...] = (
    "#fed976",
    "#feb24c",
    "#fd8d3c",
    "#fc4e2a",
    "#e31a1c",
    "#bd0026",
    "#800026",
)
#: Fill opacity of the areas: close to the solid legend swatches over the pale wards.
AREA_FILL_OPACITY = 0.8
#: Widest the legend box gets (pixels): narrow, so the wards keep most of a small map.
_LEGEND_WIDTH_PX = 250
#: Boxes over the public map that the first view keeps clear of areas.
_BOXES = (".public-title", ".public-legend")
_PUBLIC_CSS = (
    ".ward-label{font-size:16px;}"
    ".area-label{font:700 15px/18px sans-serif;color:#1a1a1a;white-space:nowrap;"
    "text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 2px #fff;}"
)


def band_colour(rank: int, public: PublicSettings) -> str:
    """Fixed colour of a band (light = lowest band, dark = highest), the same on every map."""
    n = len(public.bands())
    if n <= 1:
        return BAND_COLOURS[-1]
    idx = round((min(max(rank, 1), n) - 1) * (len(BAND_COLOURS) - 1) / (n - 1))
    return BAND_COLOURS[idx]


#: Popup fields of the public map: (column, label).
PUBLIC_POPUP: tuple[tuple[str, str], ...] = (
    (AREA_ID, "Area"),
    (c.WARD_NAME, "Ward"),
    (PLACE, "Where"),
    (INCIDENTS_BAND, "Incidents"),
    (MAIN_PROBLEMS, "Main problems"),
    (c.TREND, "Trend"),
    (PERIOD, "Period"),
)


def public_map(
    wards: gpd.GeoDataFrame,
    public: gpd.GeoDataFrame,
    *,
    title: str,
    source: str | None = None,
    public_settings: PublicSettings = DEFAULT_PUBLIC,
    tiles: str | None = None,
    height: str = "100%",
    streets: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """The public map: wards, the public areas coloured by band and numbered, a plain legend.

    Built only from a public view (checked with :func:`check_public`); never draws an
    incident. Each area carries its number (``"Area 3"`` is labelled ``3``, see
    :func:`area_label_points`), so the map can be read against the list of areas; its
    tooltip and popup name its streets, places and trend. The legend explains the bands and
    the numbers, and says a click shows an area's trend (the trend words are explained
    under the map, :func:`geo.public.trend_explanation`); a button
    at the top left shows the map full screen (offline, see
    :class:`geo.public.fullscreen.FullScreenButton`), and one under it brings back the first
    view after the map was dragged or panned (:class:`geo.public.fullscreen.WholeAreaButton`).
    The first view fits the wards beside
    the title and legend boxes, not under them. With ``streets``, a "Street names (zoom
    in)" layer writes them from zoom 15 (:func:`geo.public.public_street_layer`) and a
    collapsed layer switcher at the top right can hide it.

    Parameters
    ----------
    wards
        ``ward_code``, ``ward_name``, ``geometry`` (any CRS), drawn as outlines with names.
    public
        Output of :func:`geo.public.public_hotspots` (any CRS).
    title
        Plain-English title shown at the top of the map.
    source
        The data and its months in words (:func:`geo.public.data_source`), shown under the
        title as "Data: ..."; ``None`` (default): no such line.
    public_settings
        The settings the view was made with (for the bands and the legend text).
    tiles
        Tile layer name when online; ``None`` (default) needs no network.
    height
        CSS height of the map (``"100%"`` fills its frame; ``"100vh"`` one screen, with
        room below it on the page).
    streets
        Street labels from :func:`geo.public.public_streets` (``name``, ``min_zoom``, point
        ``geometry``, any CRS), built from all months of the data so they do not change
        with the months shown; ``None`` (default): no street names.

    Returns
    -------
    folium.Map
        A new map each call; render it with :func:`geo.maps.offline_html`.

    Raises
    ------
    ValidationError
        If ``public`` is not a public view (e.g. the staff hotspots), or ``streets`` are
        not public street labels.

    """
    check_public(public, public=public_settings)
    street_layer = None if streets is None else public_street_layer(streets)
    m = base_map(
        wards, tiles=tiles, height=height, keep_clear=_BOXES, labels_away_from=public.geometry
    )
    add_css(m, _PUBLIC_CSS)
    m.add_child(FullScreenButton())
    m.add_child(WholeAreaButton())
    m.add_child(GiveWayToPopups((".public-legend",)))  # an open popup is read whole
    if street_layer is not None:
        street_layer.add_to(m)
    if len(public):
        fields = [col for col, _ in PUBLIC_POPUP if col in public.columns]
        aliases = [label for col, label in PUBLIC_POPUP if col in public.columns]
        colours = {r: band_colour(r, public_settings) for r in range(1, 7)}

        def style(feature: dict[str, Any]) -> dict[str, Any]:
            rank = int(feature["properties"].get(BAND_RANK, 1))
            return {
                "color": "#7a0019",
                "weight": 1.5,
                "fillColor": colours.get(rank, BAND_COLOURS[-1]),
                "fillOpacity": AREA_FILL_OPACITY,
            }

        # lowest band first, so the areas with most incidents are drawn on top
        order = np.argsort(public[BAND_RANK].to_numpy(dtype="int64"), kind="stable")
        folium.GeoJson(
            # popups and tooltips insert values as HTML: ward names and labels are text
            _lonlat_json(escape_properties(public.iloc[order], fields)),
            name="Areas where problems concentrate",
            style_function=style,
            highlight_function=lambda _f: {"weight": 3, "fillOpacity": 0.95},
            # an opened popup is moved clear of the title box at the top
            popup=folium.GeoJsonPopup(
                fields=fields,
                aliases=aliases,
                max_width=360,
                autoPanPaddingTopLeft=[20, POPUP_CLEAR_TOP_PX],
            ),
            tooltip=folium.GeoJsonTooltip(fields=fields[:3], aliases=aliases[:3]),
        ).add_to(m)
        _area_number_layer(public).add_to(m)
    if street_layer is not None:
        folium.LayerControl(collapsed=True, position="topright").add_to(m)
    _add_band_legend(m, public_settings, shown=len(public))
    line = (
        f'<div class="public-source" style="font:400 13px/1.3 sans-serif;color:#333">'
        f"Data: {escape_html(source)}</div>"
        if source
        else ""
    )
    box = (
        '<div class="public-title" style="position:absolute;top:10px;left:50%;'
        "transform:translateX(-50%);width:max-content;max-width:calc(100% - 120px);"
        "z-index:9999;background:#fff;text-align:center;"
        "padding:5px 14px;border:1px solid #999;border-radius:4px;box-sizing:border-box;"
        f'font:600 18px/1.3 sans-serif;color:#1d3550">{escape_html(title)}{line}</div>'
    )
    add_html(m, box)
    return m


def area_number(area_id: str) -> str:
    """The number shown on the map for an area: ``"Area 12"`` -> ``"12"`` (else the ID)."""
    found = re.fullmatch(r"Area (\d+)", str(area_id).strip())
    return found.group(1) if found else str(area_id)


def area_label_points(public: gpd.GeoDataFrame, *, decimals: int = 5) -> list[tuple[float, float]]:
    """``(latitude, longitude)`` where each area's number goes: its north-west corner.

    The corner is a vertex of the area's own outline: the northernmost vertex (the
    westernmost of those), in the view's CRS when it is projected (on the generalisation
    grid that is the top-left corner of a grid square, with the area below and to the right
    of it). It is rounded exactly as the outline drawn on the map, so it is one of that
    outline's points and adds nothing to what the outline shows. Unlike a middle point it
    does not mark the spot an area was drawn around: the outline keeps at least half a grid
    square from the incidents it stands for, except where it follows a ward boundary.

    Parameters
    ----------
    public
        Output of :func:`geo.public.public_hotspots` (Polygon or MultiPolygon
        ``geometry``, any CRS).
    decimals
        Decimal places of longitude/latitude, as in :func:`public_geojson`.

    Returns
    -------
    list of tuple of float
        One ``(latitude, longitude)`` (EPSG:4326) per row of ``public``, in its order.

    """
    crs = public.crs
    frame = public if crs is not None and crs.is_projected else public.to_crs(WGS84)
    corners = []
    for geom in frame.geometry:
        rings = [part.exterior for part in shapely.get_parts(geom)]
        xy = np.vstack([shapely.get_coordinates(ring) for ring in rings])
        first = np.lexsort((xy[:, 0], -xy[:, 1]))[0]  # largest y, then smallest x
        corners.append(shapely.Point(xy[first]))
    pts = gpd.GeoDataFrame(geometry=corners, crs=frame.crs)
    out = _rounded_lonlat(pts, decimals=decimals).geometry
    return [(float(p.y), float(p.x)) for p in out]


def _area_number_layer(public: gpd.GeoDataFrame) -> folium.FeatureGroup:
    # one number per area at its north-west corner, inside the area; built only from the
    # public area ID and outline, and not clickable (a click reaches the area's popup)
    layer = folium.FeatureGroup(name="Area numbers", show=True)
    points = area_label_points(public)
    for area_id, (lat, lon) in zip(public[AREA_ID], points, strict=True):
        folium.Marker(
            [lat, lon],
            icon=folium.DivIcon(
                html=f'<div class="area-label">{escape_html(area_number(area_id))}</div>',
                icon_size=(40, 18),
                icon_anchor=(-2, -1),
                class_name="area-label-icon",
            ),
            interactive=False,
            keyboard=False,
            zIndexOffset=1000,  # over the ward names
        ).add_to(layer)
    return layer


def _add_band_legend(m: folium.Map, public: PublicSettings, *, shown: int) -> None:
    rows = [
        swatch(f"{escape_html(label)} incidents", band_colour(rank, public))
        for rank, (_lo, _hi, label) in enumerate(public.bands(), start=1)
    ]
    if shown:
        rows.append(
            '<div><span class="area-label" style="display:inline-block;width:14px;'
            'margin-right:6px;text-align:center">1</span>Area number</div>'
        )
        # one line: the trend is in each area's popup, its words explained under the map (a
        # paragraph here took a third of the map on a projector)
        rows.append(
            '<div class="public-trend" style="margin-top:5px;font-size:12px;line-height:1.3">'
            "<b>Trend</b>: click an area to see if reports there are going up or down</div>"
        )
    else:
        rows.insert(0, f"<div>No area has {public.min_count} or more incidents</div>")
    note = (
        f"Areas with fewer than {public.min_count} incidents are not shown. "
        f"Outlines follow a {public.generalise_m:g} m grid."
    )
    box = legend_box(
        "Incidents in each area",
        rows,
        note=note,
        css_class="public-legend",
        bottom_px=20,
        max_width_px=_LEGEND_WIDTH_PX,
    )
    add_html(m, box)


def default_explanation(public: gpd.GeoDataFrame, public_settings: PublicSettings) -> str:
    """The plain-English text under a public map: what it shows and what it hides.

    With areas shown it also says that area numbers belong to the months shown. The trend
    words are not explained here: the list of areas says what they mean right above itself
    (:func:`geo.public.areas.trend_explanation`), once.
    """
    period = str(public[PERIOD].iloc[0]) if len(public) else "the chosen months"
    when = f"from {period}" if " to " in period else f"in {period}"  # "from June to November"
    bands = ", ".join(lab for _lo, _hi, lab in public_settings.bands())
    text = (
        f"Each shaded area is a place where {public_settings.min_count} or more incidents "
        f"were recorded close together {when}; darker means more (bands: {bands}). "
        "To protect the people who report problems, this map never shows single incidents, "
        "addresses, dates, notes or who reported something, and outlines are drawn on a "
        f"{public_settings.generalise_m:g} m grid so they cannot pick out a building."
    )
    if len(public):
        # a forum member may bring last meeting's handout: its numbers are not these
        text += (
            " Areas are numbered afresh for the months shown, so an area number can mean "
            "another place on a map of other months."
        )
    return text


def public_html(
    wards: gpd.GeoDataFrame,
    public: gpd.GeoDataFrame,
    *,
    title: str = DEFAULT_TITLE,
    source: str | None = None,
    explanation: str | None = None,
    public_settings: PublicSettings = DEFAULT_PUBLIC,
    trend_months: int | None = None,
    streets: gpd.GeoDataFrame | None = None,
    last_month: str | None = None,
) -> str:
    """The public map and its list of areas as one standalone HTML page that opens offline.

    The map fills the first screen (with its full-screen button); below it, the list of
    areas with their place names, what the trend words mean, the explanation and the
    attribution (:func:`geo.public.area_list.area_list_html`), so the page can be shown at
    a meeting and printed as a handout.

    Parameters
    ----------
    wards, public, title, source, public_settings, trend_months, streets
        As for :func:`public_map`.
    explanation
        Text under the list; default :func:`default_explanation`.
    last_month
        The last month of the trends' later period (``YYYY-MM``): the list names both
        periods (:func:`geo.public.trend_explanation`).

    Returns
    -------
    str
        HTML with Leaflet inlined, a page title, the list of areas, the explanation and the
        Open Government Licence attribution.

    """
    text = explanation if explanation is not None else default_explanation(public, public_settings)
    m = public_map(
        wards,
        public,
        title=title,
        source=source,
        public_settings=public_settings,
        height="100vh",
        streets=streets,
    )
    page_title = f"{title} – {source}" if source else title
    add_html(m, f"<title>{escape_html(page_title)}</title>", where="head")
    add_html(
        m,
        area_list_html(
            public,
            source=source,
            trend_months=trend_months,
            explanation=text,
            note=ATTRIBUTION,
            last_month=last_month,
        ),
    )
    return offline_html(m)


def public_geojson(public: gpd.GeoDataFrame, *, decimals: int = 5) -> str:
    """The public areas as GeoJSON text (EPSG:4326, allow-listed properties only).

    Parameters
    ----------
    public
        Output of :func:`geo.public.public_hotspots`.
    decimals
        Decimal places of longitude/latitude (5 is about 1 m; at most 6).

    """
    check_public(public)
    return _lonlat_json(public, decimals=decimals)


def _rounded_lonlat(frame: gpd.GeoDataFrame, *, decimals: int) -> gpd.GeoDataFrame:
    if not 1 <= decimals <= 6:
        raise ValidationError(f"decimals must be 1-6. Got {decimals!r} instead.")
    out = frame.to_crs(WGS84)
    geoms = shapely.set_precision(out.geometry.to_numpy(), 10.0**-decimals)
    geoms = shapely.transform(geoms, lambda xy: np.round(xy, decimals))
    return out.set_geometry(gpd.GeoSeries(geoms, index=out.index, crs=WGS84))


def _lonlat_json(public: gpd.GeoDataFrame, *, decimals: int = 5) -> str:
    out = _rounded_lonlat(public, decimals=decimals)
    return str(out.to_json(drop_id=True, ensure_ascii=False))

"""The public meeting map, its standalone offline HTML page and the public GeoJSON."""

from __future__ import annotations

import html as html_lib
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import shapely

from geo import columns as c
from geo.errors import ValidationError
from geo.legend import SCORE_COLOURS, legend_box, swatch
from geo.maps import base_map
from geo.offline import offline_html
from geo.project import WGS84
from geo.public_schema import (
    AREA_ID,
    BAND_RANK,
    DEFAULT_PUBLIC,
    INCIDENTS_BAND,
    MAIN_PROBLEMS,
    PERIOD,
    PublicSettings,
    check_public,
)

#: Attribution for the shipped data (police.uk and ONS, Open Government Licence v3.0).
ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0. "
    "Ward boundaries: Office for National Statistics licensed under the Open Government "
    "Licence v.3.0; contains OS data © Crown copyright and database right."
)
#: Default title of the public map.
DEFAULT_TITLE = "Where reported problems concentrate"


def band_colour(rank: int, public: PublicSettings) -> str:
    """Fixed colour of a band (light = lowest band, dark = highest), the same on every map."""
    n = len(public.bands())
    if n <= 1:
        return SCORE_COLOURS[-1]
    idx = round((min(max(rank, 1), n) - 1) * (len(SCORE_COLOURS) - 1) / (n - 1))
    return SCORE_COLOURS[idx]


#: Popup fields of the public map: (column, label).
PUBLIC_POPUP: tuple[tuple[str, str], ...] = (
    (AREA_ID, "Area"),
    (c.WARD_NAME, "Ward"),
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
    public_settings: PublicSettings = DEFAULT_PUBLIC,
    tiles: str | None = None,
) -> folium.Map:
    """The public map: wards and the public areas coloured by band, with a plain legend.

    Built only from a public view (checked with :func:`check_public`); never draws an
    incident.

    Parameters
    ----------
    wards
        ``ward_code``, ``ward_name``, ``geometry`` (any CRS), drawn as outlines with names.
    public
        Output of :func:`geo.public.public_hotspots` (any CRS).
    title
        Plain-English title shown at the top of the map.
    public_settings
        The settings the view was made with (for the bands and the legend text).
    tiles
        Tile layer name when online; ``None`` (default) needs no network.

    Returns
    -------
    folium.Map
        A new map each call; render it with :func:`geo.offline.offline_html`.

    Raises
    ------
    ValidationError
        If ``public`` is not a public view (e.g. the staff hotspots).

    """
    check_public(public, public=public_settings)
    m = base_map(wards, tiles=tiles)
    if len(public):
        fields = [col for col, _ in PUBLIC_POPUP if col in public.columns]
        aliases = [label for col, label in PUBLIC_POPUP if col in public.columns]
        colours = {r: band_colour(r, public_settings) for r in range(1, 7)}

        def style(feature: dict[str, Any]) -> dict[str, Any]:
            rank = int(feature["properties"].get(BAND_RANK, 1))
            return {
                "color": "#7a0019",
                "weight": 1.5,
                "fillColor": colours.get(rank, SCORE_COLOURS[-1]),
                "fillOpacity": 0.65,
            }

        # lowest band first, so the areas with most incidents are drawn on top
        order = np.argsort(public[BAND_RANK].to_numpy(dtype="int64"), kind="stable")
        folium.GeoJson(
            _lonlat_json(public.iloc[order]),
            name="Areas where problems concentrate",
            style_function=style,
            highlight_function=lambda _f: {"weight": 3, "fillOpacity": 0.85},
            popup=folium.GeoJsonPopup(fields=fields, aliases=aliases, max_width=360),
            tooltip=folium.GeoJsonTooltip(fields=fields[:3], aliases=aliases[:3]),
        ).add_to(m)
    _add_band_legend(m, public_settings, shown=len(public))
    box = (
        '<div class="public-title" style="position:absolute;top:10px;left:50%;'
        "transform:translateX(-50%);z-index:9999;background:rgba(255,255,255,.92);"
        "padding:6px 14px;border:1px solid #999;border-radius:4px;"
        f'font:600 18px/1.3 sans-serif;color:#1d3550">{html_lib.escape(title)}</div>'
    )
    m.get_root().html.add_child(folium.Element(box))  # type: ignore[attr-defined]
    return m


def _add_band_legend(m: folium.Map, public: PublicSettings, *, shown: int) -> None:
    rows = [
        swatch(f"{html_lib.escape(label)} incidents", band_colour(rank, public))
        for rank, (_lo, _hi, label) in enumerate(public.bands(), start=1)
    ]
    if not shown:
        rows.insert(0, f"<div>No area has {public.min_count} or more incidents</div>")
    note = (
        f"Areas with fewer than {public.min_count} incidents are not shown. "
        f"Outlines follow a {public.generalise_m:g} m grid."
    )
    box = legend_box("Incidents in each area", rows, note=note, bottom_px=40)
    m.get_root().html.add_child(folium.Element(box))  # type: ignore[attr-defined]


def default_explanation(public: gpd.GeoDataFrame, public_settings: PublicSettings) -> str:
    """The plain-English text under a public map: what it shows and what it hides."""
    period = str(public[PERIOD].iloc[0]) if len(public) else "the chosen months"
    bands = ", ".join(lab for _lo, _hi, lab in public_settings.bands())
    return (
        f"Each shaded area is a place where {public_settings.min_count} or more incidents "
        f"were recorded close together in {period}; darker means more (bands: {bands}). "
        "To protect the people who report problems, this map never shows single incidents, "
        "addresses, dates, notes or who reported something, and outlines are drawn on a "
        f"{public_settings.generalise_m:g} m grid so they cannot pick out a building."
    )


def public_html(
    wards: gpd.GeoDataFrame,
    public: gpd.GeoDataFrame,
    *,
    title: str = DEFAULT_TITLE,
    explanation: str | None = None,
    public_settings: PublicSettings = DEFAULT_PUBLIC,
) -> str:
    """The public map as one standalone HTML page that opens offline (e.g. at a meeting).

    Parameters
    ----------
    wards, public, title, public_settings
        As for :func:`public_map`.
    explanation
        Text under the title; default :func:`default_explanation`.

    Returns
    -------
    str
        HTML with Leaflet inlined, a page title, the explanation and the Open Government
        Licence attribution.

    """
    m = public_map(wards, public, title=title, public_settings=public_settings)
    text = explanation if explanation is not None else default_explanation(public, public_settings)
    root = m.get_root()
    root.header.add_child(  # type: ignore[attr-defined]
        folium.Element(f"<title>{html_lib.escape(title)}</title>")
    )
    box = (
        '<div class="public-explanation" style="position:absolute;bottom:24px;right:12px;'
        "z-index:9999;background:rgba(255,255,255,.92);padding:8px 10px;border:1px solid #999;"
        'border-radius:4px;font:13px/1.4 sans-serif;max-width:340px">'
        f"<div>{html_lib.escape(text)}</div>"
        f'<div style="margin-top:6px;color:#555;font-size:11px">{html_lib.escape(ATTRIBUTION)}'
        "</div></div>"
    )
    root.html.add_child(folium.Element(box))  # type: ignore[attr-defined]
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


def _lonlat_json(public: gpd.GeoDataFrame, *, decimals: int = 5) -> str:
    if not 1 <= decimals <= 6:
        raise ValidationError(f"decimals must be 1-6. Got {decimals!r} instead.")
    out = public.to_crs(WGS84)
    geoms = shapely.set_precision(out.geometry.to_numpy(), 10.0**-decimals)
    geoms = shapely.transform(geoms, lambda xy: np.round(xy, decimals))
    out = out.set_geometry(gpd.GeoSeries(geoms, index=out.index, crs=WGS84))
    return str(out.to_json(drop_id=True, ensure_ascii=False))

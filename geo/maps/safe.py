"""Map frames safe to draw (no markup in names) and maps as crisp offline pages."""

from __future__ import annotations

import folium
import geopandas as gpd

from geo import columns as c
from geo.io import neutralise_markup
from geo.maps.offline import offline_html

__all__ = ["MAP_TEXT", "safe_for_map", "svg_html"]

#: Text columns that reach map popups and tooltips (names may come from uploaded files).
MAP_TEXT: tuple[str, ...] = (
    c.WARD_NAME,
    c.PLACE,
    c.HOTSPOT_ID,
    c.CATEGORIES,
    c.KIND,
    c.TREND,
    c.FIRST_MONTH,
    c.LAST_MONTH,
)


def safe_for_map(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Copy of ``frame`` with markup stripped from the text that popups insert as HTML.

    Parameters
    ----------
    frame
        Any GeoDataFrame (wards, hotspots, ...), any CRS; the :data:`MAP_TEXT` columns it
        has lose ``<`` and ``>`` (:func:`geo.io.neutralise_markup`).

    Returns
    -------
    geopandas.GeoDataFrame
        The same columns, rows and CRS; ``frame`` is not changed.

    """
    out = neutralise_markup(frame, MAP_TEXT)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=frame.crs)


def svg_html(m: folium.Map) -> str:
    """Standalone offline HTML of a fresh folium map, vector layers drawn as SVG.

    SVG rather than canvas keeps the outlines crisp when the page is printed or zoomed.
    The map must not have been rendered before (a folium map renders once).
    """
    m.options["prefer_canvas"] = False
    return offline_html(m)

"""Postbox maps and files: the site layer, the staff map, and the ranking/plan/map outputs."""

from __future__ import annotations

from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd

from geo import columns as c
from geo.maps.escape import escape_html, safe_tooltip
from geo.postbox.plan import next_site
from geo.postbox.settings import POSTBOX_BOUNDS, POSTBOX_SCORE, REASON
from geo.postbox.sites import LATITUDE, LONGITUDE, NAME

SITE_STYLE = {"color": "#35557a", "fill_color": "#ffffff"}
TOP_COLOUR = "#0b6e4f"
PLAN_COLOUR = "#6a3d9a"


def _key(shape_css: str, label: str) -> str:
    """One legend row: a 14-pixel round symbol (``shape_css``) and its plain-text label."""
    return (
        '<div style="margin-top:2px"><span style="display:inline-block;width:14px;'
        f"height:14px;border-radius:50%;margin-right:6px;vertical-align:middle;{shape_css}"
        f'"></span>{escape_html(label)}</div>'
    )


def postbox_legend_rows(
    *, radius_m: float, with_plan: bool, next_name: str | None = None
) -> list[str]:
    """Legend rows of the postbox layer: next site's circle, the plan's circles, site dots.

    Parameters
    ----------
    radius_m
        The walking radius drawn (metres).
    with_plan
        Whether the map shows the plan's numbered dashed circles.
    next_name
        The next site's name: the legend names it, and the map marks it with a short
        "Next" tag that covers little of what the site is meant to cover.

    Returns
    -------
    list of str
        HTML rows for :func:`geo.maps.legend_box` (labels escaped).

    """
    rows = [
        _key(
            f"background:{TOP_COLOUR}33;border:2.5px solid {TOP_COLOUR}",
            f"Next site: {next_name}, and the {radius_m:g} m walking radius it covers"
            if next_name
            else f"Next site: the {radius_m:g} m walking radius it covers",
        )
    ]
    if with_plan:
        rows.append(
            _key(
                f"border:2px dashed {PLAN_COLOUR}",
                f"Plan: week 1, 2, ... (numbered), its site's {radius_m:g} m radius",
            )
        )
    rows.append(
        _key(
            f"background:{SITE_STYLE['fill_color']};border:1.5px solid {SITE_STYLE['color']}",
            "Candidate site (grey: not available or cooling down)",
        )
    )
    return rows


def add_postbox_layer(
    m: folium.Map,
    ranked: gpd.GeoDataFrame,
    *,
    plan: gpd.GeoDataFrame | None = None,
    radius_m: float = POSTBOX_BOUNDS["radius_m"].default,
    name: str = "Postbox sites",
) -> None:
    """Draw candidate sites, the recommended site with its coverage circle, and the plan.

    Parameters
    ----------
    m
        A map from :func:`geo.maps.base_map`.
    ranked
        Output of :func:`geo.postbox.recommend` (``longitude``, ``latitude``, ``rank``, ``name``,
        ``status``, ``eligible``, ``score``, ``reason``).
    plan
        Optional output of :func:`geo.postbox.rotation_plan`: each week's site gets a
        dashed circle and its week number.
    radius_m
        The walking radius the scores used (the circle's radius, metres).

    """
    layer = folium.FeatureGroup(name=name, show=True)
    for row in ranked.itertuples(index=False):
        tip = (
            f"#{row.rank} {row.name} ({row.status}), score {row.score:.1f}"
            if row.eligible
            else f"{row.name} ({row.status})"
        )
        folium.CircleMarker(
            [row.latitude, row.longitude],
            radius=5,
            color=SITE_STYLE["color"],
            weight=1.5,
            fill=True,
            fill_color=SITE_STYLE["fill_color"] if row.eligible else "#bbbbbb",
            fill_opacity=0.9,
            tooltip=safe_tooltip(escape_html(tip)),
        ).add_to(layer)
    if plan is not None:
        for row in plan.itertuples(index=False):
            folium.Circle(
                [row.latitude, row.longitude],
                radius=float(radius_m),
                color=PLAN_COLOUR,
                weight=1.5,
                dash_array="6 6",
                fill=False,
                tooltip=safe_tooltip(
                    escape_html(
                        f"Week {row.week} ({row.start_date:%d %b}): {row.name}; "
                        f"{row.new_incidents} incidents not yet covered"
                    )
                ),
            ).add_to(layer)
            folium.Marker(
                [row.latitude, row.longitude],
                icon=folium.DivIcon(
                    html=(
                        f'<div class="postbox-week" style="font:700 12px/18px sans-serif;'
                        f"color:#fff;background:{PLAN_COLOUR};border-radius:9px;width:18px;"
                        f'text-align:center">{int(row.week)}</div>'
                    ),
                    icon_size=(18, 18),
                    icon_anchor=(-4, 22),
                    class_name="postbox-week-icon",
                ),
            ).add_to(layer)
    top = next_site(ranked, plan)
    if top is not None:
        name, lat, lon = str(top[NAME]), float(top[LATITUDE]), float(top[LONGITUDE])
        week = " (week 1 of the plan)" if plan is not None and len(plan) else ""
        # tooltips, not popups: folium popups need jQuery, which offline maps do not load
        detail = (
            f"<b>Next{week}: {escape_html(name)}</b><br>"
            f"{escape_html(str(top[REASON]))}<br>score {float(top[POSTBOX_SCORE]):.1f}; "
            f"walking radius {radius_m:g} m"
        )
        folium.Circle(
            [lat, lon],
            radius=float(radius_m),
            color=TOP_COLOUR,
            weight=2.5,
            fill=True,
            fill_color=TOP_COLOUR,
            fill_opacity=0.12,
            tooltip=safe_tooltip(detail, sticky=True, style="max-width:320px;white-space:normal"),
        ).add_to(layer)
        folium.CircleMarker(
            [lat, lon],
            radius=8,
            color=TOP_COLOUR,
            weight=3,
            fill=True,
            fill_color=TOP_COLOUR,
            fill_opacity=1.0,
            # a short tag on the side of the marker facing the map's middle ("auto"): a
            # whole site name covered the hotspots the site is meant to cover, and the
            # legend and the list beside the map name it
            tooltip=safe_tooltip(
                '<span class="postbox-next">Next</span>',
                permanent=True,
                direction="auto",
                style="width:max-content;font-weight:700",
            ),
        ).add_to(layer)
    layer.add_to(m)


def postbox_map(
    wards: gpd.GeoDataFrame,
    ranked: gpd.GeoDataFrame,
    *,
    plan: gpd.GeoDataFrame | None = None,
    hotspots: gpd.GeoDataFrame | None = None,
    radius_m: float = POSTBOX_BOUNDS["radius_m"].default,
    tiles: str | None = None,
) -> folium.Map:
    """Staff map: wards, optional hotspots, candidate sites, the recommended site's circle.

    Parameters
    ----------
    wards
        ``ward_code``, ``ward_name``, ``geometry``.
    ranked, plan, radius_m
        As in :func:`add_postbox_layer`.
    hotspots
        Optional output of :func:`geo.hotspots.summarise_hotspots`.
    tiles
        Tile layer name when online; ``None`` (default) needs no network.

    Returns
    -------
    folium.Map
        A new map; render it with :func:`geo.maps.offline_html`.

    """
    from geo.maps import add_hotspot_layer, add_html, add_legend, base_map, legend_box

    # the wards are fitted beside the legends and the layer list, not under them
    m = base_map(
        wards,
        tiles=tiles,
        keep_clear=(".postbox-legend", ".hotspot-legend", ".leaflet-control-layers"),
        labels_avoid=(".postbox-week",),  # a ward name moves off the plan's week numbers
    )
    bottom = 24
    if hotspots is not None and len(hotspots):
        breaks = add_hotspot_layer(m, hotspots)
        scores = hotspots[c.SCORE].to_numpy(dtype=float)
        add_legend(m, title="Hotspot weighted score", breaks=breaks, scores=scores)
        # stack the postbox legend above the hotspot legend (a row is about 19 px high)
        bottom += 19 * (max(1, len(set(breaks))) + 1) + 30
    top = next_site(ranked, plan)
    rows = postbox_legend_rows(
        radius_m=radius_m,
        with_plan=plan is not None and len(plan) > 0,
        next_name=None if top is None else str(top[NAME]),
    )
    add_html(m, legend_box("Postbox", rows, css_class="postbox-legend", bottom_px=bottom))
    add_postbox_layer(m, ranked, plan=plan, radius_m=radius_m)
    folium.LayerControl(collapsed=False).add_to(m)
    return m


#: Files written by :func:`write_postbox_outputs`.
POSTBOX_FILES: tuple[str, ...] = ("postbox_ranking.csv", "postbox_plan.csv", "postbox_map.html")


def write_postbox_outputs(
    out_dir: str | Path,
    ranked: gpd.GeoDataFrame,
    plan: gpd.GeoDataFrame,
    wards: gpd.GeoDataFrame,
    *,
    hotspots: gpd.GeoDataFrame | None = None,
    radius_m: float = POSTBOX_BOUNDS["radius_m"].default,
) -> dict[str, Path]:
    """Write the ranking and plan as CSV (no geometry) and the map as offline HTML.

    Returns the paths by file name (:data:`POSTBOX_FILES`). Staff outputs: the ranking
    counts incidents near each site.
    """
    from geo.maps import offline_html
    from geo.staff import write_texts

    m = postbox_map(wards, ranked, plan=plan, hotspots=hotspots, radius_m=radius_m)
    texts = {
        "postbox_ranking.csv": _csv(ranked),
        "postbox_plan.csv": _csv(plan),
        "postbox_map.html": offline_html(m),
    }
    return write_texts(out_dir, texts, POSTBOX_FILES)


def _csv(gdf: gpd.GeoDataFrame) -> str:
    """CSV text without geometry: scores to 4 decimals, coordinates to 6, dates as days."""
    df = pd.DataFrame(gdf.drop(columns="geometry"))
    for col in df.columns:
        if df[col].dtype.kind == "f":
            df[col] = df[col].round(6 if col in (LONGITUDE, LATITUDE) else 4)
    return str(df.to_csv(index=False, date_format="%Y-%m-%d"))

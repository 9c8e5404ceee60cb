"""Map frames safe to draw: markup stripped from names; maps as SVG offline pages."""

from __future__ import annotations

import re

import geopandas as gpd
from shapely.geometry import Point

from geo import columns as c
from geo.maps import MAP_TEXT, base_map, safe_for_map, svg_html


def test_safe_for_map_strips_markup_and_keeps_the_frame():
    frame = gpd.GeoDataFrame(
        {c.WARD_NAME: ["<script>x</script>", "Cowley"], "notes": ["<b>kept</b>", ""]},
        geometry=[Point(0, 0), Point(1, 1)],
        crs="EPSG:27700",
    )
    out = safe_for_map(frame)
    assert c.WARD_NAME in MAP_TEXT
    assert list(out[c.WARD_NAME]) == ["‹script›x‹/script›", "Cowley"]
    assert list(out["notes"]) == ["<b>kept</b>", ""]  # not a map text column
    assert out.crs == frame.crs and list(out.columns) == list(frame.columns)
    assert frame[c.WARD_NAME][0] == "<script>x</script>"  # input unchanged


def test_svg_html_is_an_offline_page_drawn_as_svg(two_wards):
    html = svg_html(base_map(two_wards.to_crs(4326)))
    assert '"preferCanvas": false' in html
    assert not re.findall(r'<(?:script src|link rel="stylesheet" href)="https?://', html)
    assert "L.map(" in html

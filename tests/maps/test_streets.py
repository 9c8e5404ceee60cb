"""Ground context on staff maps: street names, rank badges, and no tiles unless asked for."""

from __future__ import annotations

import re
from itertools import pairwise

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Polygon, box

from geo import columns as c
from geo.errors import ValidationError
from geo.maps import (
    RANK_Z_STEP,
    STREET_MIN_ZOOM,
    for_display,
    hotspot_map,
    offline_html,
    rank_label_points,
    street_labels,
    tile_layer,
)
from geo.pipeline import run_pipeline
from geo.project import WGS84
from geo.settings import Settings
from tests.helpers import X0, Y0, group_rows, local_csv

TILES = "https://tiles.example.org/{z}/{x}/{y}.png"


def points(rows: list[tuple[str, bool, int, float, float]]) -> gpd.GeoDataFrame:
    """Street points from (name, generic, n_incidents, dx, dy) in EPSG:27700."""
    return gpd.GeoDataFrame(
        {
            "name": [r[0] for r in rows],
            "generic": [r[1] for r in rows],
            c.N_INCIDENTS: [r[2] for r in rows],
        },
        geometry=gpd.points_from_xy([X0 + r[3] for r in rows], [Y0 + r[4] for r in rows]),
        crs="EPSG:27700",
    )


@pytest.fixture
def result(two_wards):
    return run_pipeline(local_csv(group_rows()), two_wards, Settings(eps_m=20, min_samples=5))


def test_street_labels_thin_names_and_tier_crowded_ones():
    pts = points(
        [
            ("Oxford Road", False, 9, 0, 0),
            ("Oxford Road", False, 5, 200, 0),  # same name within 250 m: dropped
            ("Oxford Road", False, 4, 300, 0),  # same name 300 m on: kept
            ("Ash Close", False, 3, 0, 60),  # 60 m from a label: only when zoomed closer
            ("Birch Close", False, 2, 20, 0),  # 20 m from a label: never
            ("Supermarket", True, 1, 600, 0),
        ]
    )
    got = street_labels(pts)
    assert [(g[2], g[3], g[4]) for g in got] == [
        ("Oxford Road", False, STREET_MIN_ZOOM),
        ("Oxford Road", False, STREET_MIN_ZOOM),
        ("Ash Close", False, 17),
        ("Supermarket", True, STREET_MIN_ZOOM),
    ]
    lat, lon = got[0][:2]
    back = gpd.GeoSeries(gpd.points_from_xy([lon], [lat]), crs=WGS84).to_crs(27700)
    assert back.x[0] == pytest.approx(X0, abs=0.2) and back.y[0] == pytest.approx(Y0, abs=0.2)
    named_only = street_labels(pts, include_generic=False)
    assert "Supermarket" not in [g[2] for g in named_only]
    assert street_labels(pts.iloc[:0]) == []


def test_rank_badge_sits_at_the_north_east_corner_of_any_shape():
    shapes = gpd.GeoDataFrame(
        {c.RANK: [1, 2]},
        geometry=[
            box(X0, Y0, X0 + 30, Y0 + 20),
            Polygon([(X0 + 100, Y0), (X0 + 140, Y0 + 10), (X0 + 110, Y0 + 50)]),
        ],
        crs="EPSG:27700",
    )
    got = rank_label_points(shapes)
    shown = for_display(shapes)  # the outlines as drawn
    for geom, pt in zip(shown.geometry, got, strict=True):
        xy = np.asarray(geom.exterior.coords)
        # no corner of the shape lies both east and north of the badge's anchor
        assert not ((xy[:, 0] > pt.x + 1e-9) & (xy[:, 1] > pt.y + 1e-9)).any()
    corner = gpd.GeoSeries([got.iloc[0]], crs=WGS84).to_crs(27700)
    assert corner.x[0] == pytest.approx(X0 + 30, abs=0.2)
    assert corner.y[0] == pytest.approx(Y0 + 20, abs=0.2)


def test_staff_map_has_rank_badges_and_place_in_tooltip(result):
    html = offline_html(hotspot_map(result.wards, result.hotspots))
    badges = re.findall(r'class=\\"rank-label\\" style=\\"[^"]*\\"\\u003e(\d+)\\u003c', html)
    assert badges == [str(r) for r in result.hotspots[c.RANK]]
    assert '"place": "West"' in html  # local reports only: the ward name stands in
    assert '"Place"' in html


def test_lower_rank_badges_are_drawn_on_top(result):
    html = offline_html(hotspot_map(result.wards, result.hotspots))
    found = re.findall(
        r'"zIndexOffset": (\d+).*?class=\\"rank-label\\" style=\\"[^"]*\\"\\u003e(\d+)\\u003c',
        html,
        flags=re.S,
    )
    by_rank = {int(rank): int(z) for z, rank in found}
    assert sorted(by_rank) == sorted(result.hotspots[c.RANK])
    ordered = [by_rank[r] for r in sorted(by_rank)]
    # Leaflet adds the screen y (under RANK_Z_STEP pixels) to the offset: rank 1 stays on top
    assert all(a - b >= RANK_Z_STEP for a, b in pairwise(ordered))
    assert ordered[-1] >= RANK_Z_STEP  # above the ward names (offset 0)
    # at every zoom, badges that would overlap are lifted clear, in rank order, with a line
    # down to their shape
    layout = html[html.index("function layout()") :]
    assert '"zoomend viewreset"' in layout and "rank-leader" in layout
    assert "parseInt(a.textContent, 10) - parseInt(b.textContent, 10)" in layout


def test_staff_map_first_view_keeps_clear_of_legend_and_switcher(result):
    html = offline_html(hotspot_map(result.wards, result.hotspots))
    assert '[".hotspot-legend", ".leaflet-control-layers"]' in html
    assert "getBoundsZoom" in html and "MutationObserver" in html  # refit once they appear
    assert 'class="hotspot-legend"' in html.replace('\\"', '"')


def test_street_layer_is_switchable_zoom_gated_and_inert(result):
    pts = points(
        [
            ("Oxford Road", False, 3, 300, 300),
            ("</script><img src=x onerror=alert(1)>", False, 1, 700, 700),
        ]
    )
    html = offline_html(hotspot_map(result.wards, result.hotspots, streets=pts))
    assert '"Street names (zoom in)"' in html  # an entry in the layer switcher
    assert "Oxford Road" in html
    assert "</script><img" not in html and "<img src=x" not in html
    assert "span.textContent = l[2]" in html  # names are set as text, never parsed as HTML
    assert f".streets-below-{STREET_MIN_ZOOM} .street-z{STREET_MIN_ZOOM}" in html
    plain = offline_html(hotspot_map(result.wards, result.hotspots))
    assert "Street names" not in plain


def test_no_tile_layer_unless_a_tile_url_is_given(result):
    plain = offline_html(hotspot_map(result.wards, result.hotspots))
    assert "L.tileLayer" not in plain and "tile.openstreetmap" not in plain
    tiled = offline_html(
        hotspot_map(result.wards, result.hotspots, tiles=TILES, attribution="© Example tiles")
    )
    assert tiled.count("L.tileLayer(") == 1
    assert TILES.replace("/", "\\/") in tiled or TILES in tiled
    assert "Example tiles" in tiled  # the credit is shown


@pytest.mark.parametrize(
    ("url", "attribution", "message"),
    [
        ("https://tiles.example.org/{z}/{x}.png", "x", "got none for {y}"),
        ("tiles.example.org/{z}/{x}/{y}.png", "x", "starting https://"),
        (TILES, " ", "expected an attribution"),
    ],
)
def test_bad_tile_settings_are_refused(url, attribution, message):
    with pytest.raises(ValidationError, match=re.escape(message)):
        tile_layer(url, attribution=attribution)


def test_named_places_win_over_busier_kinds_of_place_nearby():
    pts = points([("Parking Area", True, 50, 0, 0), ("Hockmore Street", False, 1, 0, 50)])
    got = [(g[2], g[4]) for g in street_labels(pts)]
    # the kind of place in plain words, as the hotspots' place names are
    assert got == [("Hockmore Street", STREET_MIN_ZOOM), ("Car park", 17)]

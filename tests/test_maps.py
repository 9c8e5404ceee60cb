"""Maps render offline with wards, hotspots, legend and no individual incident markers."""

from __future__ import annotations

import json
import re

import pytest
from conftest import group_rows, local_csv

from geo.maps import hotspot_map, incident_heat_points, score_breaks, score_colour
from geo.offline import offline_html
from geo.pipeline import run_pipeline
from geo.settings import Settings


@pytest.fixture
def result(two_wards):
    return run_pipeline(local_csv(group_rows()), two_wards, Settings(eps_m=20, min_samples=5))


def test_map_html_is_offline_and_has_wards_hotspots_legend(result):
    html = offline_html(hotspot_map(result.wards, result.hotspots, incidents=result.incidents))
    assert re.findall(r'<(?:script src|link rel="stylesheet" href)="https?://', html) == []
    assert "L.map(" in html and "L.heatLayer" in html and "L.control.layers" in html
    assert html.count('class=\\"ward-label\\"') == 2
    assert "\\u003eWest\\u003c" in html and "\\u003eEast\\u003c" in html
    assert "Hotspot weighted score" in html
    assert '"hotspot_id": "E05000001-01"' in html
    assert "L.marker" in html  # ward name labels only
    assert html.count("L.marker(") == 2
    # notes and sources of the local incidents never reach the map
    assert "seen at no. 4" not in html and "resident" not in html


def test_each_call_returns_a_fresh_map(result):
    a = offline_html(hotspot_map(result.wards, result.hotspots))
    b = offline_html(hotspot_map(result.wards, result.hotspots))
    count = a.count("geo_json_")
    assert count > 0
    assert b.count("geo_json_") == count


def test_heat_points_aggregate_shared_locations(result):
    pts = incident_heat_points(result.incidents)
    assert len(pts) == len({(round(p.y, 3), round(p.x, 3)) for p in result.incidents.geometry})
    assert max(p[2] for p in pts) == 1.0


def test_score_classes():
    breaks = score_breaks([1, 2, 3, 4, 5])
    assert breaks == pytest.approx([1.8, 2.6, 3.4, 4.2, 5.0])
    assert score_colour(1, breaks) == "#fed976"
    assert score_colour(5, breaks) == "#bd0026"


def test_unknown_remote_resource_is_refused(result):
    import folium

    m = hotspot_map(result.wards, result.hotspots)
    el = folium.plugins.Fullscreen()
    el.add_to(m)
    with pytest.raises(ValueError, match="has no offline copy"):
        offline_html(m)


def test_hotspot_geojson_properties_round_trip(result):
    from geo.export import hotspots_geojson

    gj = json.loads(hotspots_geojson(result))
    assert gj["features"][0]["properties"]["n_incidents"] == 5
    lon, lat = gj["features"][0]["geometry"]["coordinates"][0][0]
    assert -8 < lon < 2 and 49 < lat < 61


def test_text_in_popups_and_labels_is_escaped(two_wards):
    wards = two_wards.copy()
    wards.loc[0, "ward_name"] = "<img src=x onerror=alert(1)>"
    r = run_pipeline(local_csv(group_rows()), wards, Settings(eps_m=20, min_samples=5))
    html = offline_html(hotspot_map(r.wards, r.hotspots))
    assert "<img src=x" not in html
    assert "onerror=alert(1)" in html  # present only in escaped form
    # escaped once (&lt; &gt;), then written as JSON (\u0026 is "&")
    assert html.count("\\u0026lt;img src=x onerror=alert(1)\\u0026gt;") == 3

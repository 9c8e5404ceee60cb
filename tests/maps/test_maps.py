"""Maps render offline with wards, hotspots, legend and no individual incident markers."""

from __future__ import annotations

import json
import re

import folium
import folium.plugins
import numpy as np
import pytest

from geo import columns as c
from geo.maps import hotspot_map, incident_heat_points, offline_html, score_breaks, score_colour
from geo.pipeline import run_pipeline
from geo.settings import Settings
from tests.helpers import group_rows, local_csv


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
    # the popup says what a sergeant needs on the ground, short enough to fit the map
    assert '"place": ' in html and '"trend": ' in html
    assert '"main_problems": "Drugs 5"' in html and '"months": "June 2018"' in html
    assert '"maxHeight": 320' in html
    assert '"hotspot_id"' not in html and '"kind"' not in html  # in the list and downloads
    # markers are labels only: two ward names and the one hotspot's rank badge
    assert html.count("L.marker(") == 2 + 1
    assert html.count('class=\\"rank-label\\"') == 1
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
    assert breaks == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert score_colour(1, breaks) == "#fed976"
    assert score_colour(5, breaks) == "#bd0026"
    assert score_breaks([]) == []


def test_tied_scores_give_fewer_classes_never_an_empty_one():
    from geo.maps.legend import class_colours, legend_html

    scores = [12, 12, 12, 12, 15, 36]
    breaks = score_breaks(scores)
    assert breaks == [12.0, 15.0, 36.0]
    # the colours spread over the scale: lightest for the lowest class, darkest for the top
    assert class_colours(3) == ("#fed976", "#fd8d3c", "#bd0026")
    assert [score_colour(x, breaks) for x in (12, 15, 36)] == list(class_colours(3))
    html = legend_html("Hotspot weighted score", breaks)
    assert "up to 12" in html and "13–15" in html and "16–36" in html
    assert "12–12" not in html and "0–" not in html
    # every colour on the map is in the legend, and the other way round
    assert {score_colour(x, breaks) for x in scores} == {
        col for col in class_colours(3) if col in html
    }


def test_legend_labels_each_class_by_the_scores_it_holds_in_one_style():
    from geo.maps.legend import legend_html, scores_label

    scores = [10, 11.5, 12, 12.5, 13, 15, 16, 17, 18, 36]
    breaks = score_breaks(scores)
    html = legend_html("Hotspot weighted score", breaks, scores=scores)
    labels = re.findall(r"</span>([^<]*)</div>", html)
    # the same form for whole and fractional scores: lowest–highest, never "over … to …"
    assert labels == ["10–11.5", "12–12.5", "13–15", "16–17", "18–36"]
    assert "over" not in html and "up to" not in html
    assert scores_label(12, 12) == "12" and scores_label(2.25, 12.3333) == "2.2–12.3"


def test_staff_map_legend_names_the_scores_of_its_hotspots(result):
    from geo.maps import hotspot_layer
    from geo.maps.legend import legend_html

    group = hotspot_layer(result.hotspots)
    page = folium.Map().add_child(group).get_root().render()
    scores = result.hotspots[c.SCORE].to_numpy()
    box = legend_html("Hotspot weighted score", score_breaks(scores), scores=scores)
    rows = re.findall(r"</span>([^<]*)</div>", box)
    assert rows[-1].split("–")[-1] == f"{scores.max():g}" and "over" not in box
    # the box drawn with the layer is that one (embedded as a JSON string)
    assert json.dumps(rows[-1])[1:-1] in page


def test_class_labels():
    from geo.maps.legend import class_colours, class_label

    assert class_label(None, 12) == "up to 12"
    assert class_label(12, 13) == "13"
    assert class_label(12, 20) == "13–20"
    assert class_label(2.5, 4) == "over 2.5 to 4"
    assert class_colours(1) == ("#bd0026",) and class_colours(0) == ()
    assert len(set(class_colours(5))) == 5


def test_unknown_remote_resource_is_refused(result):
    m = hotspot_map(result.wards, result.hotspots)
    el = folium.plugins.Fullscreen()
    el.add_to(m)
    with pytest.raises(ValueError, match="has no offline copy"):
        offline_html(m)


def test_hotspot_geojson_properties_round_trip(result):
    from geo.staff import hotspots_geojson

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
    # escaped once (&lt; &gt;), then written as JSON (\u0026 is "&"): the ward outline, the
    # hotspot's ward, and its place (only local reports: the ward name stands in for it)
    assert html.count("\\u0026lt;img src=x onerror=alert(1)\\u0026gt;") == 4


# --- maps whose layers a renderer swaps (the app's staff map) ------------------------------
def _links(m) -> list[tuple[str, str]]:
    from geo.maps.offline import _resources

    return [(name, url) for _kind, name, url in _resources(m)]


def test_served_resources_point_at_the_package_folders(result):
    from geo.maps import ASSET_FILES, asset_folders, use_served_resources

    m = hotspot_map(result.wards, result.hotspots, incidents=result.incidents)
    urls = {key: f"../served-{key}/" for key in asset_folders()}
    assert use_served_resources(m, urls) is m
    links = _links(m)
    names = {name for name, _ in links}
    assert {"leaflet", "leaflet_css", "leaflet-heat.js"} <= names
    assert "jquery" not in names and "bootstrap" not in names  # dropped, never needed
    for name, url in links:
        _kind, folder, file = ASSET_FILES[name]
        assert url == f"../served-{folder}/{file}"
        assert (asset_folders()[folder] / file).is_file()  # the server has the file
    # the images leaflet.css refers to are in the served folder too
    css = (asset_folders()["leaflet"] / "leaflet.css").read_text()
    for image in re.findall(r"url\((images/[\w.-]+)\)", css):
        assert (asset_folders()["leaflet"] / image).is_file()
    # only this map's elements changed, never folium's classes
    assert folium.Map.default_js[0][1].startswith("https://")


def test_unknown_resource_is_refused_when_served(result):
    from geo.maps import asset_folders, use_served_resources

    m = hotspot_map(result.wards, result.hotspots)
    folium.plugins.Fullscreen().add_to(m)
    with pytest.raises(ValueError, match="has no offline copy"):
        use_served_resources(m, {key: "x/" for key in asset_folders()})


def test_staff_layers_carry_the_hotspots_legend_and_density(result):
    from geo.maps import staff_layers

    density, hotspots = staff_layers(result.hotspots, incidents=result.incidents)
    assert (density.layer_name, density.show) == ("Incident density", False)
    assert (hotspots.layer_name, hotspots.show) == ("Hotspots", True)
    assert [type(ch).__name__ for ch in density._children.values()] == ["HeatMap"]
    kinds = [type(ch).__name__ for ch in hotspots._children.values()]
    # the marker: the rank badge, laid out clear of the others by StackRankBadges and
    # opening its hotspot's popup when clicked (BadgesOpenPopups)
    assert kinds == ["GeoJson", "Marker", "StackRankBadges", "BadgesOpenPopups", "LegendLayer"]
    assert len(staff_layers(result.hotspots)) == 1  # no incidents: no density layer
    # the legend is a layer of the hotspot group: it goes when the group is swapped
    m = hotspot_map(result.wards, result.hotspots)
    html = offline_html(m)
    legend = re.search(r"var (legend_layer_\w+) = new \(L\.Layer\.extend", html)
    assert legend is not None
    assert f".addLayer({legend.group(1)});" in html
    assert "hotspot-legend" in html and "1 hotspots; darker" in html


def test_display_frames_are_simplified_rounded_and_keep_columns(result):
    import shapely

    from geo.maps import DISPLAY_GRID_DEG, for_display

    shown = for_display(result.hotspots)
    assert shown.crs.to_epsg() == 4326
    assert list(shown.columns) == list(result.hotspots.columns)
    assert (shown.index == result.hotspots.index).all()
    coords = shapely.get_coordinates(shown.geometry.to_numpy())
    snapped = np.round(coords / DISPLAY_GRID_DEG) * DISPLAY_GRID_DEG
    assert np.allclose(coords, snapped, rtol=0, atol=1e-9)
    before = shapely.get_num_coordinates(result.hotspots.geometry.to_numpy()).sum()
    after = shapely.get_num_coordinates(shown.geometry.to_numpy()).sum()
    assert after < before  # buffered hulls lose vertices that change nothing on screen
    # the outline moves by well under a metre
    back = shown.to_crs(result.hotspots.crs)
    moved = back.geometry.hausdorff_distance(result.hotspots.geometry, align=False)
    assert float(moved.max()) < 0.7
    assert shown.geometry.is_valid.all()
    # a frame already in degrees is only rounded
    again = for_display(shown)
    assert shapely.get_num_coordinates(again.geometry.to_numpy()).sum() == after


def test_a_ward_smaller_than_the_display_grid_is_still_drawn(two_wards):
    from shapely.geometry import box

    from geo.maps import base_map, for_display

    tiny = two_wards.iloc[:1].copy()
    x, y = tiny.geometry.iloc[0].representative_point().coords[0]
    tiny["geometry"] = [box(x, y, x + 0.05, y + 0.05)]  # 5 cm: rounding to 0.1 m erases it
    shown = for_display(tiny)
    assert not shown.geometry.is_empty.any()
    assert shown.geometry.iloc[0].area > 0
    html = offline_html(base_map(tiny))
    assert html.count('class=\\"ward-label\\"') == 1


def _scales(html: str) -> list[dict]:
    return [json.loads(s) for s in re.findall(r"L\.control\.scale\((\{.*?\})\)\.addTo\(", html)]


@pytest.mark.parametrize("kind", ["base", "staff", "postbox"])
def test_scale_is_metric_only_and_away_from_the_lower_left_legends(result, kind):
    import pandas as pd

    from geo.maps import base_map
    from geo.postbox import postbox_map

    if kind == "base":
        m = base_map(result.wards)
    elif kind == "staff":
        m = hotspot_map(result.wards, result.hotspots, incidents=result.incidents)
    else:
        site = result.wards.to_crs("EPSG:4326").geometry.iloc[0].representative_point()
        ranked = pd.DataFrame(
            {
                "longitude": [site.x],
                "latitude": [site.y],
                "rank": [1],
                "name": ["library"],
                "status": ["candidate"],
                "eligible": [True],
                "score": [12.0],
                "reason": ["covers 1 hotspot"],
            }
        )
        m = postbox_map(result.wards, ranked, hotspots=result.hotspots)
    html = offline_html(m)
    # one scale bar, metres and kilometres only, at the lower right above the attribution
    assert _scales(html) == [
        {"metric": True, "imperial": False, "position": "bottomright", "maxWidth": 150}
    ]
    assert "L.control.scale()" not in html  # folium's own (metric and imperial, lower left)
    # every legend box of these maps sits at the lower left, where no scale is
    legends = re.findall(
        r'class=\\?"hotspot-legend\\?" style=\\?"position:absolute;([^"\\]*)', html
    )
    if kind == "base":
        assert legends == []
    else:
        assert legends and all("left:12px" in style and "right" not in style for style in legends)
    # the staff map fits the wards beside its legend and layer switcher, the postbox map
    # beside its two legends and layer switcher; the others to the whole map
    fits = len(re.findall(r"\bmap_[0-9a-f]+\.fitBounds\(", html))
    if kind == "staff":
        assert fits == 0 and '[".hotspot-legend", ".leaflet-control-layers"]' in html
    elif kind == "postbox":
        boxes = '[".postbox-legend", ".hotspot-legend", ".leaflet-control-layers"]'
        assert fits == 0 and boxes in html
    else:
        assert fits == 1 and 'hotspot-legend", ".leaflet-control-layers' not in html


def test_ward_labels_let_clicks_through(result):
    html = offline_html(hotspot_map(result.wards, result.hotspots))
    options = re.findall(r"L\.marker\(\s*\[[-\d.]+, [-\d.]+\],\s*(\{.*?\})\s*\)", html, flags=re.S)
    assert len(options) == 2 + 1  # two ward names, one rank badge
    assert all('"interactive": false' in o and '"keyboard": false' in o for o in options)


def test_rank_badges_take_their_hotspots_score_colour_with_legible_text():
    from geo.maps.hotspot_map import RANK_STYLE, badge_style

    assert badge_style() == RANK_STYLE
    light, dark = badge_style("#fed976"), badge_style("#bd0026")
    assert "background:#fed976" in light and "color:#222" in light
    assert "background:#bd0026" in dark and "color:#fff" in dark
    assert "background:#7a0019" not in light + dark


def test_the_staff_maps_badges_follow_the_legend_classes(result):
    from geo.maps.hotspot_map import score_breaks, score_colour

    html = offline_html(hotspot_map(result.wards, result.hotspots))
    breaks = score_breaks(result.hotspots["score"].to_numpy(dtype=float))
    colour = score_colour(float(result.hotspots["score"].iloc[0]), breaks)
    assert f"background:{colour}" in html

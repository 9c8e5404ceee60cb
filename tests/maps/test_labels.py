"""Ward name placement and the page helpers of geo.maps."""

from __future__ import annotations

import folium
import geopandas as gpd
import pytest
from shapely.geometry import box

from geo import columns as c
from geo.maps import add_css, add_html, base_map, for_display, ward_label_points
from geo.maps.elements import FitBesideBoxes, ScaleBar
from geo.project import WGS84

BNG = "EPSG:27700"


@pytest.fixture
def wards() -> gpd.GeoDataFrame:
    """Two adjacent 1 km wards."""
    return gpd.GeoDataFrame(
        {c.WARD_CODE: ["W", "E"], c.WARD_NAME: ["West", "East"]},
        geometry=[box(450_000, 200_000, 451_000, 201_000), box(451_000, 200_000, 452_000, 201_000)],
        crs=BNG,
    )


def test_without_shapes_names_go_at_the_representative_point(wards):
    shown = for_display(wards).geometry
    points = ward_label_points(wards, shown)
    assert points.crs == WGS84
    assert list(points.index) == list(shown.index)
    assert points.geom_equals(shown.representative_point()).all()
    empty = gpd.GeoSeries([], crs=BNG)
    assert ward_label_points(wards, shown, away_from=empty).geom_equals(points).all()


def test_names_keep_clear_of_the_areas_and_stay_in_their_ward(wards):
    # an area over the middle of the west ward, 200 m wide and 200 m high
    area = gpd.GeoSeries([box(450_400, 200_400, 450_600, 200_600)], crs=BNG)
    points = ward_label_points(wards, for_display(wards).geometry, away_from=area, gap_m=50)
    p = points.to_crs(BNG)
    assert p.within(wards.geometry).tolist() == [True, True]
    west = p.iloc[0]
    # the area grown 50 m up and down and 200 m sideways does not hold the name
    dx = max(450_400 - west.x, west.x - 450_600, 0)
    dy = max(200_400 - west.y, west.y - 200_600, 0)
    assert dx >= 200 - 1 or dy >= 50 - 1
    # the east ward is free: in the plane squeezed four times across it is 250 m wide and
    # 1 km high, so its name goes on its middle line (any height at least 125 m from the top
    # and bottom is as far from the edges)
    east = p.iloc[1]
    assert abs(east.x - 451_500) < 5
    assert 200_125 - 5 <= east.y <= 200_875 + 5


def test_a_ward_covered_everywhere_still_gets_its_name_inside(wards):
    area = gpd.GeoSeries([box(449_000, 199_000, 453_000, 202_000)], crs=BNG)
    points = ward_label_points(wards, for_display(wards).geometry, away_from=area)
    assert points.to_crs(BNG).within(wards.geometry).all()


def test_add_css_and_add_html_put_text_into_head_and_body():
    m = folium.Map(tiles=None)
    add_css(m, ".x{color:red}")
    add_html(m, "<div id='box'>hello</div>")
    add_html(m, "<title>T</title>", where="head")
    page = m.get_root().render()
    head, body = page.split("</head>", 1)
    assert "<style>.x{color:red}</style>" in head
    assert "<title>T</title>" in head
    assert "<div id='box'>hello</div>" in body and "hello" not in head


def test_add_html_refuses_an_element_not_on_a_page():
    with pytest.raises(TypeError, match="not on a page"):
        add_html(folium.FeatureGroup(name="loose"), "<div></div>")


def test_base_map_scripts_render(wards):
    page = base_map(wards, keep_clear=(".legend",)).get_root().render()
    assert '"imperial": false, "position": "bottomright"' in page
    assert '[".legend"]' in page and "getBoundsZoom" in page
    plain = base_map(wards).get_root().render()
    assert "getBoundsZoom" not in plain and "fitBounds" in plain


def test_scripts_carry_their_values():
    fit = FitBesideBoxes([[1.0, 2.0], [3.0, 4.0]], (".a", ".b"))
    assert fit.bounds == [[1.0, 2.0], [3.0, 4.0]] and fit.selectors == [".a", ".b"]
    assert ScaleBar().get_name().startswith("scale_control_")

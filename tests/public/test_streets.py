"""Street names on the public map: police.uk names only, at generalised spots, any window."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import pytest
from geopandas.testing import assert_geodataframe_equal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from geo import columns as c
from geo.cli import main
from geo.errors import ValidationError
from geo.io import load_incidents
from geo.pipeline import run_files, run_pipeline
from geo.places import place_name
from geo.project import WGS84
from geo.public import (
    PUBLIC_STREET_TIERS,
    PublicSettings,
    check_public_streets,
    is_street_name,
    meeting_outputs,
    public_html,
    public_map,
    public_streets,
    public_view,
    streets_for_source,
)
from geo.public.streets import CLEAR_M, STREET_GRID_M
from geo.settings import Settings
from geo.settings_edits import window_settings
from geo.source import DataSource
from tests.helpers import LOCAL_COLUMNS, X0, Y0, local_csv_bytes, make_two_wards
from tests.public.test_public import police_uk_bytes

WARDS = make_two_wards()


def incidents(
    police: list[tuple[str, float, float]], local: list[tuple[str, float, float]] = ()
) -> gpd.GeoDataFrame:
    """Incidents as the pipeline holds them: ``(location, dx, dy)`` rows from X0, Y0."""
    rows = [("police.uk", *r) for r in police] + [("local", *r) for r in local]
    return gpd.GeoDataFrame(
        {
            c.SOURCE_KIND: [r[0] for r in rows],
            c.LOCATION: [r[1] for r in rows],
        },
        geometry=gpd.points_from_xy([X0 + r[2] for r in rows], [Y0 + r[3] for r in rows]),
        crs="EPSG:27700",
    )


def street(name: str, n: int, dx: float, dy: float) -> list[tuple[str, float, float]]:
    """``n`` police.uk incidents at one map point named ``name``."""
    return [(f"On or near {name}", dx, dy)] * n


def layer_labels(html: str) -> list[list[object]]:
    """The labels of the street layer of a rendered map (``[lat, lon, name, generic, zoom]``)."""
    found = re.findall(
        r"\(street_layer_[0-9a-f]+, map_[0-9a-f]+,\s*(\[.*?\]),\s*\[[\d, ]+\]\);", html, re.S
    )
    assert len(found) == 1, "expected one street layer"
    return list(json.loads(found[0]))


def lonlat4(frame: gpd.GeoDataFrame) -> set[tuple[float, float]]:
    ll = frame.to_crs(WGS84).geometry
    return {(round(p.x, 4), round(p.y, 4)) for p in ll}


# --- names ---------------------------------------------------------------------------------
def test_names_come_from_police_uk_rows_only_and_local_reports_change_nothing():
    police = street("Oxford Road", 5, 300, 300)
    got = public_streets(incidents(police), WARDS)
    assert list(got["name"]) == ["Oxford Road"]
    # local reports with their own location, even exactly at the label, change nothing
    spot = got.geometry.iloc[0]
    local = [
        *street("Secret Close", 20, 600, 600),
        ("Secret Close", spot.x - X0, spot.y - Y0),
        ("On or near Oxford Road", spot.x - X0 + 1, spot.y - Y0),
    ]
    with_local = public_streets(incidents(police, local), WARDS)
    assert_geodataframe_equal(with_local, got)
    assert "Secret" not in " ".join(with_local["name"])


def test_kinds_of_place_and_non_names_are_dropped():
    police = [
        *street("Supermarket", 9, 100, 100),
        *street("Parking Area", 9, 300, 100),
        *street("12 Secret Close", 9, 500, 100),
        *street("<img src=x onerror=alert(1)> Road", 9, 700, 100),
        *street("Templars Square Shopping Centre", 9, 100, 700),
        *street("St. Mary's Road", 9, 600, 700),
    ]
    got = public_streets(incidents(police), WARDS)
    assert sorted(got["name"]) == ["St. Mary's Road", "Templars Square Shopping Centre"]
    assert not is_street_name("Supermarket")
    assert not is_street_name("Flat 2 Oxford Road")
    assert not is_street_name("")
    assert is_street_name("Barn's Road")


def test_fewer_incidents_than_the_minimum_give_no_label():
    four = street("Oxford Road", 4, 300, 300)
    assert public_streets(incidents(four), WARDS).empty
    # five over the whole data (at two map points of the street) name it...
    five = [*four, *street("Oxford Road", 1, 360, 300)]
    assert list(public_streets(incidents(five), WARDS)["name"]) == ["Oxford Road"]
    # ...unless the public minimum is higher
    assert public_streets(incidents(five), WARDS, min_incidents=6).empty
    with pytest.raises(ValidationError, match="must be at least 3. Got 2 instead"):
        public_streets(incidents(five), WARDS, min_incidents=2)
    empty = public_streets(incidents([]), WARDS)
    assert list(empty.columns) == ["name", "min_zoom", "geometry"]
    assert empty.crs == "EPSG:27700"


def test_the_same_name_far_apart_is_two_streets_each_named_near_itself():
    police = [*street("Church Street", 5, 100, 100), *street("Church Street", 5, 1500, 800)]
    got = public_streets(incidents(police), WARDS)
    assert list(got["name"]) == ["Church Street", "Church Street"]
    xy = sorted((p.x - X0, p.y - Y0) for p in got.geometry)
    assert np.hypot(xy[0][0] - 100, xy[0][1] - 100) < 60
    assert np.hypot(xy[1][0] - 1500, xy[1][1] - 800) < 60


# --- positions ---------------------------------------------------------------------------
def test_a_label_is_never_on_a_map_point_but_on_the_grid_nearby():
    # the map point is exactly a grid square's centre: the label moves to the next clear one
    g = STREET_GRID_M
    police = street("Oxford Road", 5, 5 * g + g / 2, 5 * g + g / 2)
    (spot,) = public_streets(incidents(police), WARDS).geometry
    d = np.hypot(spot.x - (X0 + 5.5 * g), spot.y - (Y0 + 5.5 * g))
    assert d == pytest.approx(g)  # the nearest centre at least CLEAR_M away
    assert ((spot.x - X0) / g) % 1 == 0.5 and ((spot.y - Y0) / g) % 1 == 0.5


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["Oxford Road", "Mill Lane", "Rose Hill", "Church Street"]),
            st.floats(50, 1950),
            st.floats(50, 950),
            st.integers(1, 6),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_no_label_lies_within_clear_m_of_any_police_uk_map_point(rows):
    police = [r for name, x, y, n in rows for r in street(name, n, x, y)]
    inc = incidents(police)
    got = public_streets(inc, WARDS)
    pts = np.column_stack([inc.geometry.x, inc.geometry.y])
    for p in got.geometry:
        assert np.hypot(pts[:, 0] - p.x, pts[:, 1] - p.y).min() >= CLEAR_M
    assert not lonlat4(got) & lonlat4(inc)  # nor the same at 4 decimal places
    assert got.geometry.within(WARDS.union_all()).all()


def test_a_label_whose_spot_is_outside_the_wards_is_dropped():
    police = street("Oxford Road", 5, 300, 300)
    small = gpd.GeoDataFrame(geometry=[box(X0 + 292, Y0 + 292, X0 + 310, Y0 + 310)], crs=27700)
    assert public_streets(incidents(police), WARDS).shape[0] == 1
    assert public_streets(incidents(police), small).empty


def test_crowded_names_wait_for_a_closer_zoom_far_ones_show_first():
    police = [
        *street("Alpha Road", 5, 300, 300),
        *street("Beta Road", 5, 320, 300),  # beside Alpha: its box overlaps at zoom 15
        *street("Gamma Road", 5, 1700, 700),  # far away
    ]
    got = public_streets(incidents(police), WARDS).set_index("name")["min_zoom"].to_dict()
    assert got["Alpha Road"] == got["Gamma Road"] == PUBLIC_STREET_TIERS[0]
    assert got["Beta Road"] > PUBLIC_STREET_TIERS[0]


def test_check_public_streets_refuses_anything_else():
    good = public_streets(incidents(street("Oxford Road", 5, 300, 300)), WARDS)
    check_public_streets(good)
    with pytest.raises(ValidationError, match="expected exactly the columns"):
        check_public_streets(good.assign(n_incidents=5))
    with pytest.raises(ValidationError, match="expected point labels, got Polygon"):
        check_public_streets(good.set_geometry(good.buffer(5)))
    with pytest.raises(ValidationError, match="not street or place names"):
        check_public_streets(good.assign(name="12 Secret Close"))
    with pytest.raises(ValidationError, match="min_zoom must be one of"):
        check_public_streets(good.assign(min_zoom=3))


# --- the shipped data --------------------------------------------------------------------
@pytest.fixture(scope="module")
def shipped_streets() -> gpd.GeoDataFrame:
    return streets_for_source(DataSource.shipped(), Settings())


def test_shipped_labels_are_real_streets_clear_of_every_map_point(shipped_streets):
    full = run_files()
    police = full.incidents[full.incidents[c.SOURCE_KIND] == "police.uk"]
    names = set(shipped_streets["name"])
    assert {"Oxford Road", "Templars Square Shopping Centre", "Astrop Lane"} <= names
    # every named street of the whole data with at least the minimum, less any dropped
    counts = police[c.LOCATION].map(place_name).value_counts()
    eligible = {n for n, k in counts.items() if k >= PublicSettings().min_count}
    assert names <= eligible
    assert len(names) >= 0.9 * len({n for n in eligible if is_street_name(n)})
    pts = np.column_stack([police.geometry.x, police.geometry.y])
    for p in shipped_streets.geometry:
        assert np.hypot(pts[:, 0] - p.x, pts[:, 1] - p.y).min() >= CLEAR_M
    assert not lonlat4(shipped_streets) & lonlat4(full.incidents)
    assert shipped_streets.geometry.within(full.wards.union_all()).all()
    assert set(shipped_streets["min_zoom"]) <= set(PUBLIC_STREET_TIERS)


def test_the_labels_do_not_change_with_the_months_shown(shipped_streets):
    for months in (1, 3, 12):
        ws = window_settings(Settings(), last_month="2018-11", months=months)
        assert_geodataframe_equal(streets_for_source(DataSource.shipped(), ws), shipped_streets)
    seen = []
    for months in (3, 6):
        ws = window_settings(Settings(), last_month="2018-11", months=months)
        out = meeting_outputs(run_files(settings=ws), streets=shipped_streets)
        assert layer_labels(out.map_html) == layer_labels(out.standalone)
        seen.append(layer_labels(out.map_html))
    assert seen[0] == seen[1]
    assert len(seen[0]) == len(shipped_streets)
    assert {label[2] for label in seen[0]} == set(shipped_streets["name"])
    assert {label[4] for label in seen[0]} <= set(PUBLIC_STREET_TIERS)


def test_the_map_has_a_switchable_layer_hidden_at_the_whole_area_view(shipped_streets):
    full = run_files()
    view = public_view(full)
    html = public_html(full.wards, view, streets=shipped_streets)
    labels = layer_labels(html)
    assert len(labels) == len(shipped_streets)
    assert all(label[3] is False for label in labels)  # no kinds of place
    assert '"Street names (zoom in)"' in html  # in the layer switcher...
    assert "L.control.layers" in html
    for t in PUBLIC_STREET_TIERS:  # ...and each tier hidden below its zoom
        assert f".streets-below-{t} .street-z{t}" in html
    # the positions in the page are the generalised ones, 5 decimals
    expected = shipped_streets.to_crs(WGS84).geometry
    assert {(label[0], label[1]) for label in labels} == {
        (round(p.y, 5), round(p.x, 5)) for p in expected
    }
    # without streets, no layer and no switcher (as before)
    plain = public_html(full.wards, view)
    assert "street_layer_" not in plain and "L.control.layers" not in plain
    with pytest.raises(ValidationError, match="expected exactly the columns"):
        public_map(full.wards, view, title="t", streets=shipped_streets.assign(n=1))


# --- through the whole pipeline, with hostile local reports ------------------------------
def test_through_the_pipeline_local_reports_never_reach_the_street_layer():
    x, y = X0 + 318, Y0 + 318
    police = police_uk_bytes(
        [("On or near Astrop Road", x, y)] * 5
        + [("On or near Chapel Lane", x + 200, y + 400)] * 4
        + [("On or near 12 Secret Close", x + 300, y + 420)] * 6
    )
    local_rows = [
        {
            "id": f"INC-{i}",
            "date": f"2018-06-0{1 + i % 9}",
            "category": "Needle find",
            "easting": x + 3 * i,
            "northing": y,
            "source": f"SRC-{i}",
            "notes": f"NOTE-{i} behind Secret Close",
            "location": "Secret Close",
        }
        for i in range(8)
    ]
    local = local_csv_bytes(local_rows, columns=[*LOCAL_COLUMNS, "location"])
    raw = load_incidents([("reports.csv", local), ("police.csv", police)])
    result = run_pipeline(raw, WARDS, Settings(eps_m=20, min_samples=3))
    assert (result.incidents[c.SOURCE_KIND] == "local").sum() == 8
    streets = public_streets(result.incidents, result.wards)
    assert list(streets["name"]) == ["Astrop Road"]  # Chapel Lane has 4, Secret Close a number
    out = meeting_outputs(result, streets=streets)
    for page in (out.map_html, out.standalone):
        labels = layer_labels(page)
        assert [label[2] for label in labels] == ["Astrop Road"]
        assert "Secret Close" not in page and "NOTE-" not in page and "SRC-" not in page
        shown = {(round(float(a[1]), 4), round(float(a[0]), 4)) for a in labels}
        assert not shown & lonlat4(result.incidents)
    police_only = result.incidents[result.incidents[c.SOURCE_KIND] == "police.uk"]
    assert_geodataframe_equal(public_streets(police_only, result.wards), streets)


def test_export_public_writes_the_same_street_names_for_any_months(tmp_path, capsys):
    expected = streets_for_source(DataSource.shipped(), Settings())
    pages = {}
    for name, months in {"all": [], "one": ["--since", "2018-11", "--until", "2018-11"]}.items():
        out = tmp_path / name
        assert main(["export-public", *months, "--out", str(out), "--no-progress"]) == 0
        pages[name] = (out / "public_map.html").read_text(encoding="utf-8")
        printed = capsys.readouterr().out
        assert f"\n{len(expected)} street names (zoom in), streets with 5 or more" in printed
    assert "Data: police.uk street-level crime, November 2018" in pages["one"]
    for page in pages.values():
        labels = layer_labels(page)
        assert [label[2] for label in labels] == list(expected["name"])
    assert layer_labels(pages["all"]) == layer_labels(pages["one"])
    gj = (tmp_path / "one" / "public_hotspots.geojson").read_text(encoding="utf-8")
    features = json.loads(gj)["features"]  # the areas file holds areas only, no labels
    assert features and {f["geometry"]["type"] for f in features} <= {"Polygon", "MultiPolygon"}

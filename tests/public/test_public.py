"""The public view hides every individual incident: allow-list, minimum count, generalisation.

Every public artefact (the view, the map HTML, the GeoJSON, the CLI files) is built from
incidents that carry IDs, notes, sources and street locations, and parsed to prove that
none of them, and no incident coordinate, comes out.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from geo import columns as c
from geo.cli import main
from geo.errors import ValidationError
from geo.io import POLICE_UK_COLUMNS, load_incidents, read_incident_csv
from geo.maps import offline_html
from geo.pipeline import run_files, run_pipeline
from geo.project import WGS84
from geo.public import (
    PublicSettings,
    check_public,
    generalise_polygons,
    meeting_outputs,
    monthly_counts_public,
    public_fields,
    public_geojson,
    public_hotspots,
    public_html,
    public_map,
    public_view,
)
from geo.result import PipelineResult
from geo.settings import Settings
from tests.helpers import (
    EAST,
    LOCAL_COLUMNS,
    X0,
    Y0,
    local_csv,
    local_csv_bytes,
    make_two_wards,
)

#: Written out by hand, not read from the module: the test fails if the module grows a field.
ALLOWED = {
    "area_id",
    "ward_name",
    "place",
    "incidents_band",
    "band_rank",
    "main_problems",
    "trend",
    "period",
    "geometry",
}
ALLOWED_MONTHLY = {"ward_name", "month", "month_label", "incidents", "incidents_text", "suppressed"}
RUN = Settings(eps_m=20, min_samples=3)
COLS = [*LOCAL_COLUMNS, "location"]


def _row(i: str, date: str, cat: str, x: float, y: float) -> dict[str, object]:
    return dict(
        id=f"INC-{i}",
        date=date,
        category=cat,
        easting=x,
        northing=y,
        source=f"SRC-{i} resident at number 7",
        notes=f"NOTE-{i} seen from the flat above",
        location=f"On or near Secret Close {i}",
    )


def fixture_rows() -> list[dict[str, object]]:
    """Worked out by hand (50 m grid, default weights, eps 20 m, min_samples 3):

    A  West, 6 incidents in a 10 m square around (450320, 200320): 5 violence, 1 drugs;
       3 in Mar-Apr, 3 in Jun-Aug -> public 3 x 3 squares [450250, 450400] x [200250, 200400].
    B  West, 5 burglaries at one map point (450612, 200738), all Jul-Aug ("single location")
       -> 3 x 3 squares around it minus the south-east one (that square is 28.7 m from the
       hotspot polygon, more than 25 m): 8 squares, 20 000 m^2.
    C  East, 3 public-order incidents within 7 m: a hotspot, but below the minimum of 5.
    E  East next to the ward edge, 5 incidents (3 ASB, 2 robbery), 4 in Mar-May, 1 in Aug
       -> squares [450950, 451100] x [200450, 200600] trimmed to East: [451000, 451100] x
       [200450, 200600], 15 000 m^2.
    Noise: one isolated incident in each ward (May).
    """
    rows = []
    a_pts = [(315, 315), (325, 315), (315, 325), (325, 325), (320, 320), (320, 322)]
    a_dates = ["2018-03-02", "2018-03-17", "2018-04-09", "2018-06-11", "2018-07-21", "2018-08-30"]
    for k, ((dx, dy), d) in enumerate(zip(a_pts, a_dates, strict=True)):
        rows.append(_row(f"A{k}", d, "drugs" if k == 5 else "violence", X0 + dx, Y0 + dy))
    for k, d in enumerate(["2018-07-03", "2018-07-19", "2018-08-01", "2018-08-13", "2018-08-27"]):
        rows.append(_row(f"B{k}", d, "burglary", X0 + 612, Y0 + 738))
    for k, (dx, dy) in enumerate([(1512, 312), (1517, 312), (1512, 317)]):
        rows.append(_row(f"C{k}", "2018-04-05", "public_order", X0 + dx, Y0 + dy))
    e_pts = [(1015, 515), (1025, 515), (1015, 525), (1025, 525), (1020, 520)]
    e_dates = ["2018-03-08", "2018-04-12", "2018-05-06", "2018-05-28", "2018-08-04"]
    e_cats = ["asb", "asb", "asb", "robbery", "robbery"]
    for k, ((dx, dy), d, cat) in enumerate(zip(e_pts, e_dates, e_cats, strict=True)):
        rows.append(_row(f"E{k}", d, cat, X0 + dx, Y0 + dy))
    rows.append(_row("N0", "2018-05-15", "shoplifting", X0 + 137, Y0 + 863))
    rows.append(_row("N1", "2018-05-16", "shoplifting", X0 + 1811, Y0 + 788))
    return rows


WARDS = make_two_wards()  # shared by module-scoped fixtures


@pytest.fixture(scope="module")
def result() -> PipelineResult:
    raw = local_csv(fixture_rows(), "reports.csv", columns=COLS)
    return run_pipeline(raw, WARDS, RUN)


# --- helpers that read artefacts -------------------------------------------------------
def lonlat4(incidents: gpd.GeoDataFrame) -> set[tuple[float, float]]:
    return lonlat(incidents, 4)


def lonlat(incidents: gpd.GeoDataFrame, places: int) -> set[tuple[float, float]]:
    """Incident positions in WGS84, rounded to ``places`` decimals."""
    ll = incidents.to_crs(WGS84).geometry
    return set(zip(ll.x.round(places), ll.y.round(places), strict=True))


def coordinate_pairs(text: str, places: int = 4) -> set[tuple[float, float]]:
    """Every ``[a, b]`` number pair in the text, rounded to ``places``, in both orders."""
    out: set[tuple[float, float]] = set()
    for a, b in re.findall(r"\[\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*\]", text):
        x, y = round(float(a), places), round(float(b), places)
        out |= {(x, y), (y, x)}
    return out


def html_geojson_layers(html: str) -> list[dict]:
    """The GeoJSON objects folium embeds in the page (``geo_json_<id>_add({...})``)."""
    dec = json.JSONDecoder()
    layers = []
    for m in re.finditer(r"geo_json_[0-9a-f]+_add\(\{", html):
        obj, _end = dec.raw_decode(html, m.end() - 1)
        layers.append(obj)
    return layers


def html_markers(html: str) -> list[dict]:
    """Every ``L.marker`` of a rendered folium page with its icon: ``lat``, ``lon``,
    ``options`` (script text), ``icon_html`` and ``icon_class``."""
    markers = {
        name: {"lat": float(lat), "lon": float(lon), "options": opts}
        for name, lat, lon, opts in re.findall(
            r"var (marker_[0-9a-f]+) = L\.marker\(\s*\[(-?[\d.]+), (-?[\d.]+)\],\s*(\{.*?\})\s*\)",
            html,
            flags=re.S,
        )
    }
    icons = {
        name: (json.loads(f'"{body}"'), cls)
        for name, body, cls in re.findall(
            r'var (div_icon_[0-9a-f]+) = L\.divIcon\(\{\s*"html": "((?:[^"\\]|\\.)*)",'
            r'.*?"className": "([^"]*)"',
            html,
            flags=re.S,
        )
    }
    for marker, icon in re.findall(r"(marker_[0-9a-f]+)\.setIcon\((div_icon_[0-9a-f]+)\)", html):
        markers[marker]["icon_html"], markers[marker]["icon_class"] = icons[icon]
    return list(markers.values())


def assert_no_leak(text: str, result: PipelineResult) -> None:
    inc = result.incidents
    assert not (coordinate_pairs(text) & lonlat4(inc)), "an incident coordinate is shown"
    for col in (c.INCIDENT_ID, c.NOTES, c.REPORT_SOURCE, c.LOCATION):
        values = [v for v in inc[col].astype(str) if v]
        assert values, col  # the fixture really has them
        leaked = [v for v in values if v in text]
        assert not leaked, f"{col} shown: {leaked[:3]}"
    days = {f"{d:%Y-%m-%d}" for d in inc[c.DATE]} | {f"{d:%d/%m/%Y}" for d in inc[c.DATE]}
    assert "2018-03-02" in days
    assert not [d for d in days if d in text], "a date of an incident is shown"
    for v in result.hotspots[c.HOTSPOT_ID]:
        assert v not in text  # staff hotspot IDs
    assert "INC-" not in text and "NOTE-" not in text and "SRC-" not in text
    assert "Secret Close" not in text


# --- the view ---------------------------------------------------------------------------
def test_fixture_has_the_staff_hotspots_worked_out_by_hand(result):
    h = result.hotspots.set_index(c.HOTSPOT_ID)
    assert sorted(h[c.N_INCIDENTS].tolist()) == [3, 5, 5, 6]
    assert h.loc[f"{EAST}-02", c.N_INCIDENTS] == 3  # C: a hotspot, but small
    assert (h[c.KIND] == "single location").sum() == 1
    assert result.counts.noise == 2


def test_public_view_of_the_fixture_is_exactly_as_worked_out(result):
    view = public_view(result)
    assert list(view.columns) == [
        "area_id",
        "ward_name",
        "place",
        "incidents_band",
        "band_rank",
        "main_problems",
        "trend",
        "period",
        "geometry",
    ]
    rows = view.drop(columns="geometry").to_dict(orient="records")
    period = "March to August 2018"
    assert rows == [
        dict(
            area_id="Area 1",
            ward_name="East",
            place="",  # local reports only: no police.uk name
            incidents_band="5-9",
            band_rank=1,
            main_problems="A mix of problems",  # 3 ASB + 2 robbery: neither reaches 5
            trend="No clear change",  # 1 in Jun-Aug against 4 in Mar-May: p = 0.375
            period=period,
        ),
        dict(
            area_id="Area 2",
            ward_name="West",
            place="",
            incidents_band="5-9",
            band_rank=1,
            main_problems="Burglary",
            trend="No clear change",  # 5 against none in Mar-May: p = 0.0625
            period=period,
        ),
        dict(
            area_id="Area 3",
            ward_name="West",
            place="",
            incidents_band="5-9",
            band_rank=1,
            main_problems="Violence and sexual offences",  # the single drugs incident is not named
            trend="No clear change",  # 3 and 3
            period=period,
        ),
    ]
    g = view.geometry
    assert g.iloc[0].equals(box(X0 + 1000, Y0 + 450, X0 + 1100, Y0 + 600))
    # the single map point (612, 738) is drawn from its 150 m square [600, 750] x [700, 850],
    # whose 50 m squares within 25 m make [550, 800] x [650, 900]
    single = box(X0 + 550, Y0 + 650, X0 + 800, Y0 + 900)
    assert g.iloc[1].equals(single)
    assert g.iloc[1].area == pytest.approx(62_500)
    assert g.iloc[2].equals(box(X0 + 250, Y0 + 250, X0 + 400, Y0 + 400))
    assert view.crs == result.hotspots.crs


def test_without_wards_areas_are_not_trimmed_and_the_period_comes_from_the_hotspots(result):
    view = public_hotspots(result.hotspots, result.settings)
    assert view.geometry.iloc[0].equals(box(X0 + 950, Y0 + 450, X0 + 1100, Y0 + 600))
    assert view["period"].tolist() == ["March to August 2018"] * 3
    later = result.settings.replace(since="2018-05")
    assert public_hotspots(result.hotspots, later)["period"].iloc[0] == "May to August 2018"


def test_single_location_becomes_an_area_that_covers_it_with_margin(result):
    view = public_view(result)
    point = shapely.Point(X0 + 612, Y0 + 738)
    area = view.geometry.iloc[1]
    assert area.geom_type == "Polygon"
    assert area.contains(point)
    # nearest outline: the west edge of the square around its 150 m square, 62 m away
    assert area.exterior.distance(point) == pytest.approx(62)
    staff = result.hotspots.loc[result.hotspots[c.KIND] == "single location"].geometry.iloc[0]
    assert staff.within(area)
    assert area.exterior.distance(staff) >= 25  # half the 50 m grid
    assert area.centroid.distance(point) > 9  # the middle of the shape is not the point


def test_hotspot_below_the_minimum_is_not_shown(result):
    view = public_view(result)
    small = result.incidents[result.incidents[c.HOTSPOT_ID] == f"{EAST}-02"]
    assert len(small) == 3
    assert not view.geometry.intersects(shapely.union_all(small.geometry.to_numpy())).any()
    assert len(public_view(result, public=PublicSettings(min_count=6))) == 1  # only A (6)
    assert len(public_view(result, public=PublicSettings(min_count=3))) == 4


def test_every_shown_incident_lies_in_its_area(result):
    view = public_view(result)
    shown = result.incidents[
        result.incidents[c.HOTSPOT_ID].isin(
            result.hotspots.loc[result.hotspots[c.N_INCIDENTS] >= 5, c.HOTSPOT_ID]
        )
    ]
    assert len(shown) == 16
    areas = shapely.union_all(view.geometry.to_numpy())
    assert all(areas.contains(p) for p in shown.geometry)


def test_overlapping_areas_in_a_ward_are_merged_with_summed_counts(two_wards):
    # two groups 60 m apart: separate hotspots (eps 20 m) whose 50 m squares overlap
    rows = [_row(f"P{k}", "2018-06-01", "violence", X0 + 300 + k, Y0 + 300) for k in range(6)]
    rows += [_row(f"Q{k}", "2018-06-01", "violence", X0 + 360 + k, Y0 + 300) for k in range(5)]
    r = run_pipeline(local_csv(rows, "m.csv", columns=COLS), two_wards, RUN)
    assert len(r.hotspots) == 2
    view = public_view(r)
    assert len(view) == 1
    assert view[c.WARD_NAME].tolist() == ["West"]
    assert view["incidents_band"].tolist() == ["10-19"]  # 6 + 5
    assert view["main_problems"].tolist() == ["Violence and sexual offences"]
    assert view["trend"].tolist() == ["Not enough months to tell"]  # one month of data
    assert view["period"].tolist() == ["June 2018"]


def test_no_hotspot_gives_an_empty_view_with_the_allowed_columns(result):
    view = public_view(result, public=PublicSettings(min_count=7))
    assert len(view) == 0
    assert set(view.columns) == ALLOWED
    assert view.crs == result.hotspots.crs
    html = public_html(result.wards, view, public_settings=PublicSettings(min_count=7))
    assert "No area has 7 or more incidents" in html
    assert json.loads(public_geojson(view))["features"] == []


# --- artefacts --------------------------------------------------------------------------
def test_public_geojson_holds_only_areas_and_allowed_fields(result):
    text = public_geojson(public_view(result))
    data = json.loads(text)
    assert len(data["features"]) == 3
    for f in data["features"]:
        assert f["geometry"]["type"] in {"Polygon", "MultiPolygon"}
        assert set(f["properties"]) <= ALLOWED
        assert "id" not in f
    assert re.search(r"\d\.\d{6,}", text) is None  # coordinates rounded to 5 places
    assert re.search(r"20\d\d-\d\d", text) is None  # no dates or months of incidents
    assert_no_leak(text, result)


def test_public_html_shows_areas_and_hides_every_incident(result):
    view = public_view(result)
    html = public_html(result.wards, view, title="Rose Hill forum, March")
    layers = html_geojson_layers(html)
    assert len(layers) == 2  # ward outlines, public areas
    areas = layers[1]["features"]
    assert sorted(f["properties"]["area_id"] for f in areas) == ["Area 1", "Area 2", "Area 3"]
    for layer in layers:
        for f in layer["features"]:
            assert f["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    for f in areas:
        assert set(f["properties"]) <= ALLOWED
    assert not re.search(r'"type":\s*"(Multi)?(Point|LineString)"', html)
    # the only markers: one name label per ward and one number label per area
    assert html.count("L.marker(") == len(result.wards) + len(view)
    assert html.count("L.divIcon(") == len(result.wards) + len(view)
    assert "circleMarker(" not in html and "heatLayer(" not in html
    assert_no_leak(html, result)
    assert "<title>Rose Hill forum, March</title>" in html
    assert "Open Government Licence" in html
    assert "fewer than 5 incidents are not shown" in html
    assert "March to August 2018" in html
    assert not re.search(r'<(script src|link rel="stylesheet" href)="https?://', html)


# --- place names --------------------------------------------------------------------------
def police_uk_bytes(rows: list[tuple[str, float, float]]) -> bytes:
    """A police.uk street-level file of drugs crimes in June 2018: ``(location, x, y)`` rows,
    ``x, y`` in EPSG:27700 written as longitude/latitude with police.uk's 6 decimals."""
    pts = gpd.GeoSeries([shapely.Point(x, y) for _n, x, y in rows], crs="EPSG:27700")
    ll = pts.to_crs(WGS84)
    frame = pd.DataFrame(
        {
            "Crime ID": [f"{i:064x}" for i in range(1, len(rows) + 1)],
            "Month": "2018-06",
            "Reported by": "Thames Valley Police",
            "Falls within": "Thames Valley Police",
            "Longitude": ll.x.round(6).to_numpy(),
            "Latitude": ll.y.round(6).to_numpy(),
            "Location": [n for n, _x, _y in rows],
            "LSOA code": "E01028556",
            "LSOA name": "Oxford 013D",
            "Crime type": "Drugs",
            "Last outcome category": "",
            "Context": "",
        },
        columns=list(POLICE_UK_COLUMNS),
    )
    return frame.to_csv(index=False).encode()


@pytest.fixture(scope="module")
def mixed() -> PipelineResult:
    """The hand-made fixture (local reports at "Secret Close" with notes and sources) plus
    police.uk rows: three in hotspot A (two map points) and one at hotspot B's single map
    point named like a house ("12 Secret Close", which police.uk never does)."""
    police = police_uk_bytes(
        [
            ("On or near Astrop Road", X0 + 318, Y0 + 318),
            ("On or near Astrop Road", X0 + 318, Y0 + 318),
            ("On or near Chapel Lane", X0 + 322, Y0 + 318),
            ("On or near 12 Secret Close", X0 + 612, Y0 + 738),
        ]
    )
    local = local_csv_bytes(fixture_rows(), columns=COLS)
    raw = load_incidents([("reports.csv", local), ("police.csv", police)])
    return run_pipeline(raw, WARDS, RUN)


def test_place_names_come_from_police_uk_map_points_only(mixed):
    view = public_view(mixed)
    h = mixed.incidents.set_index(c.INCIDENT_ID)[c.HOTSPOT_ID]
    assert h["INC-A0"] == h[f"{1:064x}"] == h[f"{3:064x}"] != ""  # police.uk rows are in A
    assert h["INC-B0"] == h[f"{4:064x}"] != ""  # and B
    places = dict(zip(view[c.WARD_NAME] + " " + view["main_problems"], view["place"], strict=True))
    assert places == {
        "West Violence and sexual offences": "Astrop Road / Chapel Lane",  # A, busiest first
        "West Burglary": "",  # B: its only police.uk name starts with a house number
        "East A mix of problems": "",  # E: local reports only
    }
    out = meeting_outputs(mixed)
    html = public_html(mixed.wards, view, source=out.source)
    texts = {
        "place": " ".join(view["place"]),
        "geojson": public_geojson(view),
        "html": html,
        "meeting table": out.table.to_csv(index=False),
        "meeting map": out.map_html,
        "meeting download": out.standalone,
    }
    for name, text in texts.items():
        assert "Astrop Road / Chapel Lane" in text, name
        assert "Secret" not in text, name
        assert_no_leak(text, mixed)
    assert out.source == "police.uk street-level crime and local reports, March to August 2018"


def test_place_names_from_an_uploaded_file_lose_their_markup(mixed):
    inc = mixed.incidents.copy()
    police = inc[c.SOURCE_KIND] == "police.uk"
    inc[c.LOCATION] = inc[c.LOCATION].astype(str)  # categorical: a new text needs plain text
    inc.loc[police, c.LOCATION] = "On or near <img src=x onerror=alert(1)> Road"
    out = meeting_outputs(dataclasses.replace(mixed, incidents=inc))
    assert "‹img src=x onerror=alert(1)› Road" in set(out.table["place"])
    for page in (out.map_html, out.standalone):
        assert "<img src=x" not in page


def _bng_to_lonlat5(x: float, y: float) -> tuple[float, float]:
    p = gpd.GeoSeries([shapely.Point(x, y)], crs="EPSG:27700").to_crs(WGS84).iloc[0]
    return round(p.x, 5), round(p.y, 5)


def test_each_area_has_one_number_label_at_its_north_west_corner(result):
    view = public_view(result)
    html = public_html(result.wards, view)
    markers = html_markers(html)
    kinds = sorted(m["icon_class"] for m in markers)
    assert kinds == ["area-label-icon"] * 3 + ["ward-label-icon"] * 2  # nothing else
    labels = {}
    for m in markers:
        if m["icon_class"] == "area-label-icon":
            number = re.fullmatch(r'<div class="area-label">(\d+)</div>', m["icon_html"])
            assert number, m["icon_html"]
            assert number.group(1) not in labels  # one label per area
            labels[number.group(1)] = (m["lon"], m["lat"])
            # not clickable: a click goes through to the area and opens its popup
            assert '"interactive": false' in m["options"]
    assert {f"Area {n}" for n in labels} == set(view["area_id"])
    # worked out by hand: the northernmost outline corner (westernmost of those) of each area
    assert labels == {
        "1": _bng_to_lonlat5(X0 + 1000, Y0 + 600),  # East, trimmed to [1000, 1100] x [450, 600]
        "2": _bng_to_lonlat5(X0 + 550, Y0 + 900),  # B, 5 x 5 squares around its 150 m square
        "3": _bng_to_lonlat5(X0 + 250, Y0 + 400),  # A, [250, 400] x [250, 400]
    }
    # each label sits on a point of its own drawn outline: it shows nothing the outline doesn't
    areas = {f["properties"]["area_id"]: f for f in html_geojson_layers(html)[1]["features"]}
    for n, (lon, lat) in labels.items():
        outline = {
            tuple(xy)
            for xy in shapely.get_coordinates(
                shapely.geometry.shape(areas[f"Area {n}"]["geometry"])
            )
        }
        assert (lon, lat) in outline


def test_area_labels_use_the_area_number_only():
    from geo.public import area_number

    assert area_number("Area 12") == "12"
    assert area_number("Area 3") == "3"
    assert area_number("Zone B") == "Zone B"  # anything else is shown as it is


def test_ward_names_keep_clear_of_the_areas(result):
    view = public_view(result)
    markers = [
        m for m in html_markers(public_html(result.wards, view)) if "ward-label" in m["icon_class"]
    ]
    assert len(markers) == 2
    names = [
        re.fullmatch(r'<div class="ward-label">(\w+)</div>', m["icon_html"]).group(1)
        for m in markers
    ]
    pts = gpd.GeoSeries([shapely.Point(m["lon"], m["lat"]) for m in markers], crs=WGS84).to_crs(
        "EPSG:27700"
    )
    areas = view.geometry.to_numpy()
    for name, p in zip(names, pts, strict=True):
        assert WARDS.loc[WARDS["ward_name"] == name].geometry.iloc[0].contains(p)
        # at least 100 m above or below every area, 400 m beside it (a name is wide)
        squeezed = shapely.transform(areas, lambda xy: xy / [4.0, 1.0])
        assert shapely.distance(shapely.Point(p.x / 4, p.y), squeezed).min() >= 100 - 1e-6
    # the staff maps keep their names at the wards' representative points
    from geo.maps import base_map

    staff = html_markers(offline_html(base_map(WARDS)))
    rep = WARDS.to_crs(WGS84).geometry.representative_point()
    assert [m["lat"] for m in staff] == pytest.approx(list(rep.y), abs=1e-5)
    assert [m["lon"] for m in staff] == pytest.approx(list(rep.x), abs=1e-5)


def _lightness(colour: str) -> float:
    """CIE L* of an sRGB colour (D65)."""
    rgb = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in rgb]
    y = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return 116 * y ** (1 / 3) - 16 if y > 216 / 24389 else 24389 / 27 * y


def test_band_colours_stand_apart_and_match_the_legend(result):
    from geo.public import band_colour

    default = PublicSettings()
    colours = [band_colour(rank, default) for rank in range(1, 5)]
    assert colours == ["#fed976", "#fd8d3c", "#e31a1c", "#800026"]  # yellow to dark red
    # lightness (worked out by hand: 88.0, 69.7, 48.5, 25.9) falls by about 20 each band
    lightness = [_lightness(col) for col in colours]
    assert lightness == pytest.approx([88.0, 69.7, 48.5, 25.9], abs=0.1)
    assert (-np.diff(lightness) >= 18).all()
    view = public_view(result, public=PublicSettings(min_count=3))
    html = public_html(result.wards, view, public_settings=PublicSettings(min_count=3))
    # the legend shows the same colours, lowest band first, and the areas are filled with
    # them at 0.8 opacity (close to the solid swatches over the pale wards)
    swatches = re.findall(r"background:(#[0-9a-f]{6});border:1px solid #7a0019", html)
    three = PublicSettings(min_count=3)
    assert swatches == [band_colour(rank, three) for rank in range(1, len(three.bands()) + 1)]
    assert len(view) == 4
    assert set(re.findall(r'"fillOpacity": ([\d.]+)', html)) == {"0.35", "0.8", "0.95"}
    # (wards, areas, an area under the pointer); every area here is in the 3-9 band
    assert set(re.findall(r'"fillColor": "(#\w+)", "fillOpacity": 0.8', html)) == {"#fed976"}


def test_public_map_fits_beside_its_title_and_legend_and_has_a_metric_scale(result):
    view = public_view(result)
    html = public_html(result.wards, view)
    # the first view is fitted into the space the title and legend boxes leave free...
    fit = re.search(r'\}\)\((map_[0-9a-f]+), (\[\[.*?\]\]), (\[".*?"\])\);', html)
    assert fit is not None
    assert json.loads(fit.group(3)) == [".public-title", ".public-legend"]
    assert 'class="public-title"' in html and 'class="public-legend"' in html
    assert html.count('class="public-legend"') == 1  # the explanation is inside the legend
    assert "Each shaded area is a place where 5 or more incidents" in html
    # ...in place of folium's plain fit of the whole map
    assert not re.search(r"\bmap_[0-9a-f]+\.fitBounds\(", html)
    (lat0, lon0), (lat1, lon1) = json.loads(fit.group(2))
    w = WARDS.to_crs(WGS84).total_bounds
    assert (lon0, lat0, lon1, lat1) == pytest.approx(tuple(w), abs=1e-6)
    # a metric-only scale at the lower right: the legend is at the lower left
    scales = re.findall(r"L\.control\.scale\((\{.*?\})\)\.addTo\(", html)
    assert [json.loads(s) for s in scales] == [
        {"metric": True, "imperial": False, "position": "bottomright", "maxWidth": 150}
    ]
    assert re.search(r'class="public-legend" style="position:absolute;bottom:\d+px;left:12px', html)
    assert "L.control.scale()" not in html
    # ward names are larger on the public map than on staff maps
    assert ".ward-label{font-size:16px;}" in html


def test_public_map_refuses_the_staff_hotspots(result):
    with pytest.raises(ValidationError, match="not allowed: hotspot_id"):
        public_map(result.wards, result.hotspots, title="x")
    with pytest.raises(ValidationError, match="not allowed"):
        public_geojson(result.hotspots)


def test_check_public_refuses_points_and_extra_columns():
    pts = gpd.GeoDataFrame(
        {"area_id": ["Area 1"]}, geometry=[shapely.Point(450000, 200000)], crs="EPSG:27700"
    )
    with pytest.raises(ValidationError, match="only polygons"):
        check_public(pts)
    extra = gpd.GeoDataFrame(
        {"area_id": ["Area 1"], "notes": ["x"]},
        geometry=[box(0, 0, 50, 50)],
        crs="EPSG:27700",
    )
    with pytest.raises(ValidationError, match="not allowed: notes"):
        check_public(extra)
    check_public(extra.drop(columns="notes"))  # a clean one passes
    with pytest.raises(ValidationError, match="not allowed: date"):
        check_public(pd.DataFrame({"month": ["2018-03"], "date": ["2018-03-04"]}))


def test_public_fields_lists_the_allow_list():
    assert set(public_fields()) == ALLOWED
    assert set(public_fields("monthly")) == ALLOWED_MONTHLY
    assert all(isinstance(v, str) and v for v in public_fields().values())


# --- settings ---------------------------------------------------------------------------
@pytest.mark.parametrize("bad", [2, 0, -5, 2.5, True, "5"])
def test_min_count_below_three_is_refused(bad):
    with pytest.raises(
        ValidationError, match=r"'min_count' setting must be a whole number in \[3, 10000\]"
    ):
        PublicSettings(min_count=bad)


@pytest.mark.parametrize("bad", [49.9, 0, -50, 1001])
def test_generalisation_below_50_m_is_refused(bad):
    with pytest.raises(ValidationError, match="'generalise_m'"):
        PublicSettings(generalise_m=bad)


def test_bands_start_at_the_minimum_and_never_hold_one_value():
    assert PublicSettings().bands() == [
        (5, 9, "5-9"),
        (10, 19, "10-19"),
        (20, 49, "20-49"),
        (50, None, "50 or more"),
    ]
    # minimum 9: the edge 10 would make a band of one value, so it is not used
    assert [lab for _lo, _hi, lab in PublicSettings(min_count=9).bands()] == [
        "9-19",
        "20-49",
        "50 or more",
    ]
    p = PublicSettings(min_count=3, band_edges=(5,))
    assert [p.band_of(n) for n in (3, 4, 5, 99)] == [
        (1, "3-4"),
        (1, "3-4"),
        (2, "5 or more"),
        (2, "5 or more"),
    ]
    with pytest.raises(ValidationError, match="below the public minimum"):
        PublicSettings().band_of(4)
    with pytest.raises(ValidationError, match="band_edges"):
        PublicSettings(band_edges=(20, 10))


# --- generalisation ---------------------------------------------------------------------
def test_generalise_drops_trimmed_pieces_that_hold_no_whole_square():
    geom = box(60, 60, 90, 90)  # squares within 25 m: [0, 150] x [0, 150]
    ward = shapely.union_all([box(0, 0, 100, 150), box(130, 0, 140, 150)])
    (out,) = generalise_polygons([geom], None, generalise_m=50)
    assert out.equals(box(0, 0, 150, 150))
    (out,) = generalise_polygons([geom], [ward], generalise_m=50)
    assert out.equals(box(0, 0, 100, 150))  # the 10 m strip is dropped
    # a ward too narrow to hold a square: the squares are kept untrimmed
    (out,) = generalise_polygons([geom], [box(130, 0, 140, 150)], generalise_m=50)
    assert out.equals(box(0, 0, 150, 150))


def test_generalise_on_a_coarser_grid():
    (out,) = generalise_polygons([box(60, 60, 90, 90)], None, generalise_m=100)
    # 100 m squares within 50 m of [60, 90]^2: [0, 100] and [100, 200] (10 m away) in x and
    # y; [-100, 0] is 60 m away
    assert out.equals(box(0, 0, 200, 200))
    (out,) = generalise_polygons([box(20, 20, 30, 30)], None, generalise_m=100)
    # [-100, 0] is 20 m away, [100, 200] is 70 m away: x and y squares [-100, 100]
    assert out.equals(box(-100, -100, 100, 100))


# --- month by month ---------------------------------------------------------------------
def test_monthly_counts_hide_small_months_and_round_the_rest():
    months = ["2018-03"] * 6 + ["2018-04"] * 2 + ["2018-06"] * 12
    df = pd.DataFrame({c.MONTH: months, c.WARD_NAME: ["West"] * 8 + ["East"] * 12})
    out = monthly_counts_public(df)
    assert out[c.MONTH].tolist() == ["2018-03", "2018-04", "2018-05", "2018-06"]
    assert out["month_label"].tolist() == ["Mar 2018", "Apr 2018", "May 2018", "Jun 2018"]
    assert out["incidents"].tolist() == [5, pd.NA, pd.NA, 10]
    assert out["incidents_text"].tolist() == ["about 5", "fewer than 5", "fewer than 5", "about 10"]
    assert out["suppressed"].tolist() == [False, True, True, False]
    exact = monthly_counts_public(df, public=PublicSettings(round_to=1))
    assert exact["incidents"].tolist() == [6, pd.NA, pd.NA, 12]
    assert exact["incidents_text"].tolist() == ["6", "fewer than 5", "fewer than 5", "12"]
    wards = monthly_counts_public(df, by_ward=True, public=PublicSettings(round_to=1))
    assert list(wards.columns) == [
        "ward_name",
        "month",
        "month_label",
        "incidents",
        "incidents_text",
        "suppressed",
    ]
    assert wards["ward_name"].tolist() == ["East"] * 4 + ["West"] * 4
    assert wards["incidents"].tolist() == [pd.NA, pd.NA, pd.NA, 12, 6, pd.NA, pd.NA, pd.NA]


def test_monthly_counts_of_a_run_show_no_dates_of_single_incidents(result):
    out = monthly_counts_public(result.incidents, by_ward=True)
    assert set(out.columns) == ALLOWED_MONTHLY
    text = out.to_csv(index=False)
    assert "2018-03-02" not in text and "INC-" not in text
    # West: A (6) + B (5) + noise (1): Mar 2, Apr 1, May 1, Jun 1, Jul 3, Aug 4 -> all hidden
    west = out[out[c.WARD_NAME] == "West"]
    assert west["suppressed"].all()
    with pytest.raises(ValidationError, match="month"):
        monthly_counts_public(pd.DataFrame({"date": ["2018-03-02"]}))


# --- CLI ----------------------------------------------------------------------------------
def test_cli_export_public_writes_safe_html_and_geojson(tmp_path, two_wards, capsys):
    csv = tmp_path / "reports.csv"
    csv.write_bytes(local_csv_bytes(fixture_rows(), columns=COLS))
    bounds = tmp_path / "wards.gpkg"
    two_wards.rename(columns={c.WARD_CODE: "WD13CD", c.WARD_NAME: "WD13NM"}).to_file(bounds)
    out = tmp_path / "public"
    argv = ["export-public", str(csv), "--boundaries", str(bounds), "--eps-m", "20"]
    code = main([*argv, "--min-samples", "3", "--out", str(out), "--no-progress"])
    assert code == 0
    assert "3 public areas with 5 or more incidents" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == ["public_hotspots.geojson", "public_map.html"]
    raw = read_incident_csv(("reports.csv", csv.read_bytes()))
    r = run_pipeline(raw, two_wards, RUN)
    gj = (out / "public_hotspots.geojson").read_text(encoding="utf-8")
    html = (out / "public_map.html").read_text(encoding="utf-8")
    features = json.loads(gj)["features"]
    assert len(features) == 3
    assert {f["geometry"]["type"] for f in features} <= {"Polygon", "MultiPolygon"}
    assert all(set(f["properties"]) <= ALLOWED for f in features)
    assert_no_leak(gj, r)
    assert_no_leak(html, r)


def test_cli_refuses_a_minimum_below_three(tmp_path, capsys):
    code = main(["export-public", "--min-count", "2", "--out", str(tmp_path / "o")])
    assert code == 2
    assert (
        "'min_count' setting must be a whole number in [3, 10000] incidents"
        in capsys.readouterr().err
    )
    assert not (tmp_path / "o").exists()


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> tuple[PipelineResult, Path]:
    out = tmp_path_factory.mktemp("shipped")
    assert main(["export-public", "--out", str(out), "--no-progress", "--min-count", "40"]) == 0
    return run_files(), out


def test_cli_on_the_shipped_data_hides_every_hotspot_incident(shipped):
    r, out = shipped
    gj = (out / "public_hotspots.geojson").read_text(encoding="utf-8")
    html = (out / "public_map.html").read_text(encoding="utf-8")
    features = json.loads(gj)["features"]
    n = r.hotspots[c.N_INCIDENTS]
    assert (n < 40).any() and (n >= 40).any()  # some hotspots are hidden, some shown
    assert 0 < len(features) <= int((n >= 40).sum())
    assert {f["geometry"]["type"] for f in features} <= {"Polygon", "MultiPolygon"}
    assert all(set(f["properties"]) <= ALLOWED for f in features)
    bands = {f["properties"]["incidents_band"] for f in features}
    assert bands <= {"40-49", "50 or more"}
    members = r.incidents[r.incidents[c.HOTSPOT_ID] != ""]
    for text in (gj, html):
        assert not (coordinate_pairs(text) & lonlat4(members))
        assert "On or near" not in text
        assert not any(code in text for code in set(r.incidents[c.LSOA_CODE]))
        crime_ids = {i for i in r.incidents[c.INCIDENT_ID] if re.fullmatch(r"[0-9a-f]{64}", i)}
        assert crime_ids and not (set(re.findall(r"[0-9a-f]{64}", text)) & crime_ids)
        assert "thames-valley-street" not in text  # IDs of rows without a Crime ID


# --- properties over random incident sets -----------------------------------------------
@st.composite
def incident_sets(draw: st.DrawFn) -> list[dict[str, object]]:
    """Groups of 1-9 incidents (some at one point) and isolated ones, kept 20 m inside the
    two 1 km wards so no incident sits on a ward boundary."""
    rows: list[dict[str, object]] = []
    months = ["2018-03-01", "2018-05-01", "2018-07-01", "2018-09-01"]
    cats = ["violence", "burglary", "robbery", "public_order"]
    for g in range(draw(st.integers(0, 6))):
        cx = draw(st.integers(X0 + 40, X0 + 1960))
        cy = draw(st.integers(Y0 + 40, Y0 + 960))
        spread = draw(st.sampled_from([0, 3, 12]))
        for k in range(draw(st.integers(1, 9))):
            dx = draw(st.integers(-spread, spread))
            dy = draw(st.integers(-spread, spread))
            x = min(max(cx + dx, X0 + 20), X0 + 1980)
            if abs(x - (X0 + 1000)) < 20:
                x = X0 + 1000 + (20 if x >= X0 + 1000 else -20)
            rows.append(
                _row(
                    f"G{g}-{k}",
                    draw(st.sampled_from(months)),
                    draw(st.sampled_from(cats)),
                    x,
                    min(max(cy + dy, Y0 + 20), Y0 + 980),
                )
            )
    return rows


def _run(rows: list[dict[str, object]], wards: gpd.GeoDataFrame, min_samples: int):
    raw = local_csv(rows, "p.csv", columns=COLS)
    return run_pipeline(raw, wards, Settings(eps_m=20, min_samples=min_samples))


PROPS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(
    rows=incident_sets(),
    min_samples=st.integers(1, 4),
    min_count=st.integers(3, 8),
    grid=st.sampled_from([50.0, 75.0, 130.0]),
)
def test_public_views_never_contain_points_or_small_counts(rows, min_samples, min_count, grid):
    r = _run(rows, WARDS, min_samples)
    ps = PublicSettings(min_count=min_count, generalise_m=grid)
    view = public_view(r, public=ps)
    geoms = view.geometry.to_numpy()
    assert all(g.geom_type in {"Polygon", "MultiPolygon"} and not g.is_empty for g in geoms)
    assert not any(g.geom_type in {"Point", "MultiPoint"} for g in shapely.get_parts(geoms))
    # bands: none starts below the minimum, and the shown bands add up to the kept incidents
    bands = {lab: (lo, hi) for lo, hi, lab in ps.bands()}
    assert all(lo >= min_count for lo, _hi in bands.values())
    kept = int(r.hotspots.loc[r.hotspots[c.N_INCIDENTS] >= min_count, c.N_INCIDENTS].sum())
    lows = sum(bands[b][0] for b in view["incidents_band"])
    highs = sum(
        float("inf") if bands[b][1] is None else bands[b][1] for b in view["incidents_band"]
    )
    assert lows <= kept <= highs
    assert (len(view) == 0) == (kept == 0)
    monthly = monthly_counts_public(r.incidents, by_ward=True, public=ps)
    shown = monthly["incidents"].dropna()
    assert (shown >= min_count).all()
    # every area stands for at least the minimum number of incidents of shown hotspots
    shown = r.hotspots.loc[r.hotspots[c.N_INCIDENTS] >= min_count, c.HOTSPOT_ID]
    members = r.incidents.loc[r.incidents[c.HOTSPOT_ID].isin(shown)].geometry.to_numpy()
    for area in view.geometry:
        assert shapely.covers(area, members).sum() >= min_count


@PROPS
@given(rows=incident_sets(), min_samples=st.integers(1, 4), min_count=st.integers(3, 8))
def test_public_outputs_hold_only_allow_listed_fields(rows, min_samples, min_count):
    r = _run(rows, WARDS, min_samples)
    ps = PublicSettings(min_count=min_count)
    view = public_view(r, public=ps)
    assert set(view.columns) == ALLOWED
    features = json.loads(public_geojson(view))["features"]
    assert len(features) == len(view)
    assert all(set(f["properties"]) <= ALLOWED and "id" not in f for f in features)
    monthly = monthly_counts_public(r.incidents, public=ps)
    assert set(monthly.columns) <= ALLOWED_MONTHLY
    text = public_geojson(view) + monthly.to_csv(index=False)
    assert "INC-" not in text and "NOTE-" not in text and "SRC-" not in text
    assert "Secret Close" not in text
    members = r.incidents[r.incidents[c.HOTSPOT_ID] != ""]
    # A leak is an incident's own position written out. Outline corners sit on the fixed
    # generalisation grid (or a ward edge), so an incident within a metre or two of a grid
    # corner may share its rounded coordinates by chance: that corner reveals nothing.
    g = ps.generalise_m
    off = np.abs(np.stack([members.geometry.x, members.geometry.y], axis=1) / g)
    on_corner = (np.abs(off - np.round(off)) * g <= 2.0).all(axis=1)
    away = members[~on_corner]
    assert not (coordinate_pairs(public_geojson(view), 5) & lonlat(away, 5))


@PROPS
@given(
    rows=incident_sets(),
    min_samples=st.integers(1, 3),
    grid=st.sampled_from([50.0, 60.0, 75.0, 130.0]),
)
def test_public_outlines_are_generalised_and_keep_away_from_incidents(rows, min_samples, grid):
    r = _run(rows, WARDS, min_samples)
    view = public_view(r, public=PublicSettings(min_count=3, generalise_m=grid))
    shown = r.hotspots.loc[r.hotspots[c.N_INCIDENTS] >= 3, c.HOTSPOT_ID]
    members = r.incidents.loc[r.incidents[c.HOTSPOT_ID].isin(shown)]
    ward_lines = shapely.union_all(WARDS.boundary.to_numpy())
    near_ward = ward_lines.buffer(1e-3)
    for area, ward in zip(view.geometry, view[c.WARD_NAME], strict=True):
        own = members.loc[members[c.WARD_NAME] == ward].geometry.to_numpy()
        for part in shapely.get_parts(area):
            # every piece is at least one grid square wide and large
            assert part.area >= grid * grid - 1e-6
            rect = part.minimum_rotated_rectangle
            xs, ys = rect.exterior.xy
            sides = [np.hypot(xs[i + 1] - xs[i], ys[i + 1] - ys[i]) for i in range(2)]
            assert min(sides) >= grid - 1e-6
            assert not part.buffer(-0.49 * grid).is_empty
        # every corner is a grid corner, or on a ward boundary
        for x, y in shapely.get_coordinates(area.boundary):
            on_grid = (
                abs(x / grid - round(x / grid)) < 1e-9 and abs(y / grid - round(y / grid)) < 1e-9
            )
            assert on_grid or shapely.Point(x, y).distance(ward_lines) < 1e-6, (x, y)
        # away from ward boundaries, no outline comes within grid/2 of a shown incident
        free = area.boundary.difference(near_ward)
        assert len(own)
        if not free.is_empty:
            assert shapely.distance(free, own).min() >= grid / 2 - 1e-6
    # and the areas still cover every incident they stand for
    areas = shapely.union_all(view.geometry.to_numpy())
    assert shapely.covers(areas, members.geometry.to_numpy()).all()


@settings(max_examples=60, deadline=None)
@given(
    counts=st.lists(st.integers(0, 40), min_size=1, max_size=8),
    min_count=st.integers(3, 9),
    round_to=st.sampled_from([1, 2, 5, 10]),
)
def test_monthly_counts_never_show_a_count_below_the_minimum(counts, min_count, round_to):
    months = [str(pd.Period("2018-01", "M") + i) for i in range(len(counts))]
    df = pd.DataFrame({c.MONTH: [m for m, k in zip(months, counts, strict=True) for _ in range(k)]})
    ps = PublicSettings(min_count=min_count, round_to=round_to)
    out = monthly_counts_public(df, public=ps, months=months)
    assert out[c.MONTH].tolist() == months
    for true, shown, hidden in zip(counts, out["incidents"], out["suppressed"], strict=True):
        assert hidden == (true < min_count)
        if hidden:
            assert shown is pd.NA
        else:
            assert shown >= min_count
            assert abs(shown - true) <= round_to / 2

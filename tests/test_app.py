"""The Streamlit app through AppTest: every page, the password gate, uploads, settings, maps.

Pages are opened as the sidebar does (``at.switch_page``) or by an old ``?page=`` link."""

from __future__ import annotations

import io
import json
import math
import re
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import streamlit.testing.v1.app_test as app_test_module
from shapely.geometry import Point
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from geo import columns as c
from geo import public
from geo.auth import hash_password
from geo.interventions import (
    InterventionOptions,
    effect_card,
    evaluate_intervention,
    load_interventions,
)
from geo.paths import DATA_DIR as DATA
from geo.paths import EXAMPLE_INTERVENTIONS
from geo.pipeline import run_files
from geo.settings import Settings
from geo.settings_edits import ward_overrides, window_settings, with_weights
from geo.settings_toml import settings_from_toml
from geo.source import DataSource, load_source
from geo.staff import window_trends
from ui.effect_cards import BADGES
from ui.evaluation import VERDICT
from ui.tuning_advice import current_red_flags

APP = str(Path(__file__).resolve().parent.parent / "app.py")
HASH_ENV = "HOTSPOTS_STAFF_PASSWORD_HASH"
PASSWORD = "correct horse battery staple"
# n=2**10 keeps verification fast in tests; the CLI uses 2**14
HASH = hash_password(PASSWORD, salt=b"fixed test salt!", n=2**10)
N_WARDS = 7


# --- helpers ------------------------------------------------------------------------------
@pytest.fixture
def downloads(monkeypatch):
    """Bytes of every download button, by file id (AppTest keeps media in memory)."""
    store: dict[str, bytes] = {}

    class Recording(MemoryMediaFileStorage):
        def load_and_get_id(self, path_or_data, mimetype, kind, filename=None):
            fid = super().load_and_get_id(path_or_data, mimetype, kind, filename)
            store[fid] = self.get_file(fid).content
            return fid

    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", Recording)
    return store


def download(at: AppTest, store: dict[str, bytes], label: str) -> bytes:
    buttons = [b for b in at.get("download_button") if b.proto.label == label]
    assert len(buttons) == 1, [b.proto.label for b in at.get("download_button")]
    fid = buttons[0].proto.url.rsplit("/", 1)[-1].split(".")[0]
    return store[fid]


def new_app(
    monkeypatch,
    *,
    hash_env: str | None = None,
    secrets: dict | None = None,
    page: str | None = None,
) -> AppTest:
    """A fresh browser session (opened at ``?page=<page>``); never reads a real secrets.toml."""
    if hash_env is None:
        monkeypatch.delenv(HASH_ENV, raising=False)
    else:
        monkeypatch.setenv(HASH_ENV, hash_env)
    at = AppTest.from_file(APP, default_timeout=90)
    at.secrets = secrets if secrets is not None else {"unrelated": "no password here"}
    if page:
        at.query_params["page"] = page.lower()
    return at


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not [e.value for e in at.error if "Something went wrong" in e.value]
    return at


def go(at: AppTest, page: str) -> AppTest:
    """Open ``page`` as the sidebar navigation does."""
    at.switch_page(f"ui/pages/{page.lower()}.py")
    return run(at)


def sign_in(at: AppTest, password: str = PASSWORD) -> AppTest:
    at.text_input(key="password").set_value(password)
    next(b for b in at.button if b.label == "Sign in").click()
    return run(at)


def staff_app(monkeypatch, page: str) -> AppTest:
    at = run(new_app(monkeypatch, hash_env=HASH, page=page))
    assert titles(at) == [f"{page}: staff only"]
    return sign_in(at)


def frame_with(at: AppTest, column: str) -> pd.DataFrame:
    """The one table on the page that has ``column``."""
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(found) == 1, [list(d.value.columns) for d in at.dataframe]
    return found[0]


def titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def errors(at: AppTest) -> str:
    return "\n".join(e.value for e in at.error)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def iframe_html(at: AppTest) -> str:
    frames = at.get("iframe")
    assert len(frames) == 1
    return str(frames[0].proto.srcdoc)


def staff_map_js(at: AppTest) -> str:
    """The Leaflet script of the one staff map (a streamlit-folium component): base + layers."""
    maps = at.get("component_instance")
    assert len(maps) == 1
    assert maps[0].proto.component_name == "streamlit_folium.st_folium"
    args = json.loads(maps[0].proto.json_args)
    # Leaflet and its plugins come from this server (package folders), never from a CDN
    links = [*args["js_links"], *args["css_links"]]
    assert links and all(link.startswith("../ui.staff_map.assets_") for link in links)
    return "\n".join(args[k] or "" for k in ("script", "feature_group", "layer_control"))


def feature_collections(html: str) -> list[dict]:
    """Every GeoJSON FeatureCollection a folium map adds to itself."""
    dec = json.JSONDecoder()
    return [dec.raw_decode(html, m.end())[0] for m in re.finditer(r"geo_json_\w+_add\(", html)]


def area_features(html: str) -> list[dict]:
    """Hotspot / public area features (ward outline features carry ``ward_code``)."""
    return [
        f
        for fc in feature_collections(html)
        for f in fc["features"]
        if "ward_code" not in f["properties"]
    ]


def ward_features(html: str) -> list[dict]:
    return [
        f
        for fc in feature_collections(html)
        for f in fc["features"]
        if "ward_code" in f["properties"]
    ]


# --- synthetic upload (labelled synthetic; generated here) ---------------------------------
def synthetic_local_csv() -> bytes:
    """SYNTHETIC local incident CSV in EPSG:27700 inside the shipped SE Oxford wards.

    A: 12 dealing reports within 20 m (Rose Hill and Iffley), B: 7 drugs incidents within
    10 m (Lye Valley), C: 4 drugs incidents within 10 m (Blackbird Leys; weight 12, so a
    hotspot only when min_samples <= 12, as with the default 3.33 a month over these 3
    months: 10), four isolated ASB reports more than 100 m from
    any ward edge and label, and one row with an unknown category. Every row carries a note
    and a source that must never reach a public artefact.
    """
    rows = []

    def add(i, prefix, cat, x, y, month):
        rows.append(
            {
                "id": f"SYN-{prefix}-{i}",
                "date": f"2018-{month:02d}-1{i % 9}",
                "category": cat,
                "easting": x,
                "northing": y,
                "source": f"SYN-SOURCE-{prefix}{i}",
                "notes": f"SYN-NOTE-{prefix}{i} seen at no. {i}",
            }
        )

    for i in range(12):
        add(i, "A", "dealing_report", 453125 + (i % 4) * 5, 203625 + (i // 4) * 5, 9 + i % 3)
    for i in range(7):
        add(i, "B", "drugs", 455323 + (i % 3) * 4, 204719 + (i // 3) * 4, 9 + i % 3)
    for i in range(4):
        add(i, "C", "drugs", 455472 + i * 3, 203114, 10 + i % 2)
    for i, (x, y) in enumerate(ISOLATED_EN):
        add(i, "I", "asb", x, y, 11)
    add(0, "X", "unicorn", 453900, 202600, 11)
    return pd.DataFrame(rows).to_csv(index=False).encode()


ISOLATED_EN = [(453950, 202500), (455100, 202400), (454300, 204100), (452650, 204950)]


def isolated_lonlat() -> list[tuple[float, float]]:
    pts = gpd.GeoSeries([Point(x, y) for x, y in ISOLATED_EN], crs="EPSG:27700").to_crs(4326)
    return [(round(p.x, 4), round(p.y, 4)) for p in pts]


def all_vertices(html: str) -> set[tuple[float, float]]:
    out: set[tuple[float, float]] = set()

    def walk(coords):
        if coords and isinstance(coords[0], int | float):
            out.add((round(coords[0], 4), round(coords[1], 4)))
        else:
            for part in coords:
                walk(part)

    for fc in feature_collections(html):
        for f in fc["features"]:
            walk(f["geometry"]["coordinates"])
    for lat, lon in re.findall(r"L\.marker\(\s*\[([-\d.]+),\s*([-\d.]+)\]", html):
        out.add((round(float(lon), 4), round(float(lat), 4)))
    return out


def points_geojson() -> bytes:
    pts = gpd.GeoDataFrame(
        {"WD13CD": ["E05006563"], "WD13NM": ["Rose Hill and Iffley"]},
        geometry=[Point(-1.23, 51.73)],
        crs="EPSG:4326",
    )
    return pts.to_json().encode()


def far_wards_geojson() -> bytes:
    """One ward in Edinburgh: no shipped South East Oxford incident falls inside it."""
    from shapely.geometry import box

    far = gpd.GeoDataFrame(
        {"WD13CD": ["S13002925"], "WD13NM": ["Far away"]},
        geometry=[box(-3.25, 55.90, -3.15, 55.98)],
        crs="EPSG:4326",
    )
    return far.to_json().encode()


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


# ==========================================================================================
# The app: Meeting page (public)
# ==========================================================================================
def meeting_expected(months: int) -> gpd.GeoDataFrame:
    s = window_settings(Settings(), last_month="2018-11", months=months)
    return public.public_view(run_files(settings=s))


def test_meeting_is_the_default_page_and_needs_no_password(monkeypatch, downloads):
    at = run(new_app(monkeypatch))
    assert titles(at) == ["Where problems concentrate in South East Oxford"]
    assert not at.error
    assert not at.text_input  # no password box
    html = iframe_html(at)
    assert len(ward_features(html)) == N_WARDS
    expected = meeting_expected(6)
    areas = area_features(html)
    assert len(areas) == len(expected) > 0
    assert {f["properties"]["area_id"] for f in areas} == set(expected[public.AREA_ID])
    # a plain table (wraps within the page), the trend and band before the problems
    table = at.table[0].value
    assert list(table.columns) == ["Area", "Ward", "Where", "Trend", "Incidents", "Main problems"]
    assert len(table) == len(expected)
    # every area in the table carries its number on the map, exactly once
    numbers = re.findall(r'\\u003cdiv class=\\"area-label\\"\\u003e(\d+)\\u003c/div\\u003e', html)
    assert sorted(numbers, key=int) == [str(i) for i in range(1, len(table) + 1)]
    assert sorted(f"Area\u00a0{n}" for n in numbers) == sorted(table["Area"])  # no-break
    text = " ".join(m.value for m in at.markdown)
    assert "never shows single incidents" in text
    # the standalone download is the same public view, offline
    page = download(at, downloads, "Download this map for the meeting (HTML, opens offline)")
    dl = page.decode()
    assert len(area_features(dl)) == len(expected)
    assert not re.findall(r'<(?:script src|link rel="stylesheet" href)="https?://', dl)
    assert "Open Government Licence" in dl


def test_meeting_map_shows_no_incident_detail_on_shipped_data(monkeypatch):
    at = run(new_app(monkeypatch))
    html = iframe_html(at)
    allowed = set(public.public_fields("areas")) - {"geometry"}
    for f in area_features(html):
        assert f["geometry"]["type"] in ("Polygon", "MultiPolygon")
        assert set(f["properties"]) <= allowed
    for fc in feature_collections(html):
        assert all(f["geometry"]["type"] != "Point" for f in fc["features"])
    # the only markers are the ward name labels, one number label per public area and the
    # street names (one L.marker call in the street layer's loop, tests/public/test_streets.py)
    n_areas = len(area_features(html))
    assert n_areas > 0
    assert html.count("L.marker(") == N_WARDS + n_areas + 1
    assert html.count("L.divIcon(") == N_WARDS + n_areas + 1
    assert len(set(re.findall(r"street_layer_[0-9a-f]+", html))) == 1  # one street layer
    classes = re.findall(r'L\.divIcon\(\{[^}]*"className": "([^"]*)"', html)
    assert sorted(classes) == sorted(["ward-label-icon"] * N_WARDS + ["area-label-icon"] * n_areas)
    labels = re.findall(
        r'"html": "\\u003cdiv class=\\"area-label\\"\\u003e([^"]*)\\u003c/div', html
    )
    assert sorted(labels, key=int) == [str(i) for i in range(1, n_areas + 1)]  # numbers only
    assert "L.circleMarker" not in html and "L.heatLayer" not in html
    raw = pd.concat(
        pd.read_csv(p, dtype=str, keep_default_na=False)
        for p in sorted((DATA / "incidents").glob("*.csv"))
    )
    ids = [i for i in raw["Crime ID"] if i]
    assert ids and not [i for i in ids if i in html]
    assert "On or near" not in html and "hotspot_id" not in html
    assert not re.search(r"E050065\d\d-\d\d", html)  # no staff hotspot IDs


def test_meeting_period_control_redraws_the_map(monkeypatch):
    at = run(new_app(monkeypatch))
    at.radio(key="meeting_window").set_value("Last 3 months")
    run(at)
    html = iframe_html(at)
    expected = meeting_expected(3)
    assert len(area_features(html)) == len(expected)
    assert "September to November 2018" in html
    assert len(expected) != len(meeting_expected(6))
    assert not [x for x in at.caption if "cover only" in x.value]
    # a period longer than the data says so, rather than quietly showing fewer months
    at.radio(key="meeting_window").set_value("Last 12 months")
    run(at)
    notes = [x.value for x in at.caption if "cover only" in x.value]
    assert notes == ["The data in use cover only 9 months: the map shows all of them."]
    assert "March to November 2018" in iframe_html(at)


def chart_data(at: AppTest) -> pd.DataFrame:
    import pyarrow as pa

    charts = at.get("vega_lite_chart")
    assert len(charts) == 1
    proto = charts[0].proto
    data = proto.datasets[0].data.data if len(proto.datasets) else proto.data.data
    return pa.ipc.open_stream(data).read_all().to_pandas()


def axis_titles(spec: dict) -> tuple[object, object]:
    """The x and y axis titles of a Vega-Lite ``spec`` (None where there is none)."""
    enc = spec.get("encoding", {})

    def title(k: str) -> object:
        return enc.get(k, {}).get("axis", {}).get("title", enc.get(k, {}).get("title"))

    return title("x"), title("y")


def test_meeting_month_chart_is_rounded_and_complete(monkeypatch):
    at = run(new_app(monkeypatch))
    data = chart_data(at)
    (chart,) = at.get("vega_lite_chart")
    assert axis_titles(json.loads(chart.proto.spec)) == ("Month", "Reports (rounded to 5)")
    used = run_files().incidents[c.MONTH].value_counts().sort_index()
    assert list(used.index) == [f"2018-{m:02d}" for m in range(3, 12)]
    expected = [int(n // 5 + (n % 5 >= 2.5)) * 5 for n in used]  # nearest 5, halves up
    labels = [f"{m} 2018" for m in ("Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov")]
    assert data.iloc[:, 0].tolist() == labels
    assert data["Reports (rounded)"].tolist() == expected
    # the months the map shows (the last 6, the page's default) are told apart
    assert data["Period"].tolist() == ["Earlier months"] * 3 + ["On the map"] * 6
    assert "darker bars are the months the map shows" in " ".join(x.value for x in at.caption)
    assert "Reports per month, whole area" in [h.value for h in at.subheader]
    assert "rounded to the nearest 5" in " ".join(x.value for x in at.caption)


# ==========================================================================================
# Password gate
# ==========================================================================================
@pytest.mark.parametrize("page", ["Patrol", "Analyst"])
def test_staff_pages_refused_when_no_password_is_configured(monkeypatch, page):
    at = run(new_app(monkeypatch))
    go(at, page)
    assert titles(at) == [f"{page}: staff only"]
    assert "no staff password has been set" in errors(at)
    assert "python -m geo hash-password" in " ".join(m.value for m in at.markdown)
    assert not at.text_input and not at.metric and not at.get("iframe")
    assert not at.get("component_instance")
    go(at, "Meeting")
    assert titles(at) == ["Where problems concentrate in South East Oxford"]
    assert len(at.get("iframe")) == 1


@pytest.mark.parametrize("page", ["Patrol", "Analyst"])
def test_staff_pages_refuse_a_wrong_password(monkeypatch, page):
    at = run(new_app(monkeypatch, hash_env=HASH))
    go(at, page)
    assert not at.error
    sign_in(at, "correct horse battery stapler")
    assert "Wrong password" in errors(at)
    assert titles(at) == [f"{page}: staff only"]
    assert not at.metric and not at.get("iframe") and not at.get("component_instance")
    sign_in(at, "")
    assert "Wrong password" in errors(at)


@pytest.mark.parametrize(
    ("page", "title"), [("Patrol", "Patrol planning"), ("Analyst", "Tune the clustering")]
)
def test_staff_pages_open_with_the_right_password(monkeypatch, page, title):
    at = staff_app(monkeypatch, page)
    assert titles(at) == [title]
    assert not at.error
    assert metrics(at)["Hotspots"]
    # the hotspot map is a component; Patrol's only frames are its three "did it work?" maps
    assert len(at.get("iframe")) == (3 if page == "Patrol" else 0)
    assert "L.map(" in staff_map_js(at)
    assert at.sidebar.success[0].value == "Signed in as staff."
    go(at, "Meeting")  # still open, and the same session keeps the sign-in
    # a screen that may be in front of a meeting says to sign out, with the button at hand
    assert not at.sidebar.success
    assert "Sign out before this screen is shown in public" in at.sidebar.warning[0].value
    assert [b.label for b in at.sidebar.button] == ["Sign out"]
    # ...and above the map too, where the presenter sees it before the room does
    assert len([w for w in at.warning if "Sign out before this screen" in w.value]) == 2
    go(at, page)
    assert titles(at) == [title]
    next(b for b in at.sidebar.button if b.label == "Sign out").click()
    run(at)
    assert titles(at) == [f"{page}: staff only"]
    go(at, "Meeting")
    assert not [w for w in at.warning if "Sign out before this screen" in w.value]


def test_the_meeting_page_signs_staff_out_from_above_the_map(monkeypatch):
    at = staff_app(monkeypatch, "Patrol")
    go(at, "Meeting")
    at.button(key="meeting_sign_out").click()
    run(at)
    assert not [w for w in at.warning if "Sign out before this screen" in w.value]
    go(at, "Patrol")
    assert titles(at) == ["Patrol: staff only"]


def test_password_hash_can_come_from_secrets_toml(monkeypatch):
    at = new_app(monkeypatch, secrets={"staff_password_hash": HASH})
    run(at)
    go(at, "Patrol")
    assert not at.error
    sign_in(at, "not it at all")
    assert "Wrong password" in errors(at)
    sign_in(at)
    assert titles(at) == ["Patrol planning"]


def test_environment_hash_wins_over_secrets(monkeypatch):
    other = hash_password("another staff password", n=2**10)
    at = new_app(monkeypatch, hash_env=HASH, secrets={"staff_password_hash": other})
    run(at)
    go(at, "Patrol")
    sign_in(at, "another staff password")
    assert "Wrong password" in errors(at)
    sign_in(at)
    assert titles(at) == ["Patrol planning"]


def test_a_malformed_configured_hash_keeps_the_pages_closed(monkeypatch):
    at = new_app(monkeypatch, hash_env="my password in clear")
    run(at)
    go(at, "Analyst")
    text = errors(at)
    assert "no staff password has been set" in text and "hash is not valid" in text
    assert not at.text_input


def test_repeated_wrong_passwords_lock_the_form(monkeypatch):
    at = run(new_app(monkeypatch, hash_env=HASH))
    go(at, "Patrol")
    for _ in range(5):
        sign_in(at, "guess guess guess")
    sign_in(at)  # right, but locked
    assert "Too many wrong passwords" in errors(at)
    assert titles(at) == ["Patrol: staff only"]


def test_changing_the_configured_password_signs_staff_out(monkeypatch):
    at = staff_app(monkeypatch, "Patrol")
    monkeypatch.setenv(HASH_ENV, hash_password("the new staff password", n=2**10))
    run(at)
    assert titles(at) == ["Patrol: staff only"]


# ==========================================================================================
# Patrol page
# ==========================================================================================
def test_patrol_ranks_hotspots_for_the_last_three_months(monkeypatch, downloads):
    at = staff_app(monkeypatch, "Patrol")
    caption = " ".join(x.value for x in at.caption)
    assert "September to November 2018 (3 months)" in caption
    assert "last month (November 2018), not from today" in caption
    expected = run_files(settings=window_settings(Settings(), last_month="2018-11", months=3))
    m = metrics(at)
    assert m["Hotspots"] == str(len(expected.hotspots))
    assert m["Incidents in hotspots"] == str(int(expected.hotspots[c.N_INCIDENTS].sum()))
    assert m["Incidents in wards"] == str(len(expected.incidents))
    table = at.dataframe[0].value
    # shown in the order a sergeant reads: the rank and the score it follows, where, going
    # which way, how many, in which ward; the ID and kind only in the table's data and the
    # downloads
    order = list(at.dataframe[0].proto.column_order)
    assert order[:6] == ["Rank", "Score", "Place", "Trend", "Incidents", "Ward"]
    assert "Hotspot" not in order and "Kind" not in order
    assert list(table["Score"]) == sorted(table["Score"], reverse=True)  # ranks follow it
    assert "Drugs and Dealing reported by residents count 3" in caption
    assert list(table["Rank"]) == list(range(1, len(expected.hotspots) + 1))
    assert list(table["Hotspot"]) == list(expected.hotspots[c.HOTSPOT_ID])
    # where each hotspot is, in police.uk place names a sergeant can look for
    assert list(table["Place"]) == list(expected.hotspots[c.PLACE])
    assert "Templars Square Shopping Centre" in table["Place"][0]
    js = staff_map_js(at)
    assert len(area_features(js)) == len(table)
    assert "L.heatLayer" in js  # aggregated density layer, not markers
    # markers are labels: ward names, one rank badge per hotspot (the table's Rank), and the
    # street-name layer's one loop of labels; no tile layer unless a tile URL is set
    badges = re.findall(r'class=\\"rank-label\\" style=\\"[^"]*\\"\\u003e(\d+)\\u003c', js)
    assert badges == [str(r) for r in table["Rank"]]
    assert js.count("L.marker(") == N_WARDS + len(table) + 1
    assert "Street names (zoom in)" in js and "L.tileLayer" not in js
    # the first view keeps the wards clear of the legend and the layer switcher
    assert re.search(r'\[\\*"\.hotspot-legend\\*", \\*"\.leaflet-control-layers\\*"\]', js)
    sheet = download(at, downloads, "Patrol sheet (printable HTML)").decode()
    listed = re.findall(r"<tr><td>(\d+)</td><td>(.*?)</td>", sheet)
    # every hotspot of the page's list is on the sheet, none left to the CSV
    assert [int(r) for r, _ in listed] == list(table["Rank"])
    assert "in the CSV download" not in sheet
    assert "Templars Square Shopping Centre" in listed[0][1]
    assert set(re.findall(r'<g class="rank">.*?>(\d+)</text></g>', sheet)) == {r for r, _ in listed}
    assert f"<td>{table['Hotspot'][0]}</td>" in sheet
    assert "September to November 2018 (3 months)" in sheet
    gj = json.loads(download(at, downloads, "Hotspots (GeoJSON)"))
    assert [f["properties"][c.HOTSPOT_ID] for f in gj["features"]] == list(table["Hotspot"])
    csv = pd.read_csv(io.BytesIO(download(at, downloads, "Hotspots (CSV)")))
    assert list(csv[c.HOTSPOT_ID]) == list(table["Hotspot"])


def test_category_mix_chart_keeps_rank_order_and_colours(monkeypatch):
    at = staff_app(monkeypatch, "Patrol")
    at.pills(key="patrol_wards").set_value(["E05006549", "E05006557"])  # Cowley, Littlemore
    run(at)
    charts = [json.loads(ch.proto.spec) for ch in at.get("vega_lite_chart")]
    (mix,) = [ch for ch in charts if ch.get("encoding", {}).get("y", {}).get("field") == "hotspot"]
    # the month chart's axes say what they count
    assert ("Month", "Incidents") in [axis_titles(ch) for ch in charts]
    table = at.dataframe[0].value
    # rows named as the table names them: rank, then place
    rows = mix["encoding"]["y"]["sort"]
    top = table.head(10)
    assert len(rows) == len(top)
    for label, rank, place in zip(rows, top["Rank"], top["Place"], strict=True):
        assert label.startswith(f"{rank}. ")
        assert place.startswith(label[len(f"{rank}. ") :].rstrip("…"))
    assert not [r for r in rows if r.startswith("E05")]
    colour = mix["encoding"]["color"]
    assert colour["legend"]["labelLimit"] == 0
    s = Settings()
    assert colour["scale"]["domain"] == [s.label(k) for k in s.categories]  # fixed colours
    assert len(set(colour["scale"]["range"])) == len(s.categories)  # one colour each


def test_patrol_trends_compare_the_window_with_as_many_months_before_it(monkeypatch):
    at = staff_app(monkeypatch, "Patrol")
    # 3 months (the default): September to November against June to August
    caption = " ".join(x.value for x in at.caption)
    assert (
        "Trend: incidents inside each hotspot's area in these 3 months against the 3 months "
        "before (June to August 2018)."
    ) in caption
    ws = window_settings(Settings(), last_month="2018-11", months=3)
    expected = window_trends(
        run_files(settings=ws).hotspots, run_files().incidents, since="2018-09", until="2018-11"
    )
    table = at.dataframe[0].value
    # the window's count is the hotspot's incidents: one column, not the same number twice
    assert list(table["Incidents"]) == list(expected[c.RECENT_COUNT])
    assert list(table["3 months before"]) == list(expected[c.PREVIOUS_COUNT])
    assert "Last 3 months" not in table.columns
    # the list shows what a sergeant reads; the id and kind stay in the downloads
    assert list(at.dataframe[0].proto.column_order) == [
        "Rank", "Score", "Place", "Trend", "Incidents", "Ward", "3 months before",
        "Category mix", "Months",
    ]  # fmt: skip
    assert {"▲ rising", "▼ falling"} <= set(table["Trend"])  # not all "no clear change"
    rising = int(expected[c.TREND].isin(["rising", "new"]).sum())
    assert metrics(at)["Rising or new"] == str(rising) != "0"
    # the map's popups carry the same trends as the list
    js = staff_map_js(at)
    for trend in set(expected[c.TREND]):
        assert f'"trend": "{trend}"' in js
    # 1 month: November against October
    at.radio(key="patrol_window").set_value(1)
    run(at)
    caption = " ".join(x.value for x in at.caption)
    assert "November 2018 (1 month)" in caption
    assert "area in this month against the month before (October 2018)." in caption
    assert "1 month before" in set(at.dataframe[0].value.columns)
    # 6 months reach back before the data (March): the trend stays inside the window
    at.radio(key="patrol_window").set_value(6)
    run(at)
    caption = " ".join(x.value for x in at.caption)
    assert "Trend: the last 3 months against the 3 months before." in caption
    assert {"Last 3 months", "3 months before"} <= set(at.dataframe[0].value.columns)


#: The first view the staff map fits: ``[[south, west], [north, east]]`` (FitBesideBoxes).
FIT = re.compile(r"\}\)\(map_\w+, (\[\[[^\]]+\], \[[^\]]+\]\]), \[")


def test_patrol_map_opens_on_a_listed_hotspot(monkeypatch):
    at = staff_app(monkeypatch, "Patrol")
    table = at.dataframe[0].value
    (whole,) = [json.loads(b) for b in FIT.findall(staff_map_js(at))]
    focus = at.selectbox(key="patrol_focus")
    assert focus.value == 0  # every chosen ward at first
    rank, place = int(table["Rank"][2]), str(table["Place"][2])
    assert f"{rank}. {place}" in focus.options
    focus.set_value(rank)
    run(at)
    (near,) = [json.loads(b) for b in FIT.findall(staff_map_js(at))]
    (south, west), (north, east) = near
    # the map opens on that hotspot and its streets: its centre inside, a few hundred metres
    result = run_files(settings=window_settings(Settings(), last_month="2018-11", months=3))
    shape = result.hotspots[result.hotspots[c.HOTSPOT_ID] == table["Hotspot"][2]]
    centre = shape.geometry.centroid.to_crs("EPSG:4326").iloc[0]
    assert south < centre.y < north and west < centre.x < east
    assert 0 < (north - south) * 111_000 < 1_000, near
    assert (north - south) < (whole[1][0] - whole[0][0]) / 4  # much closer than all wards
    # back to every ward
    at.selectbox(key="patrol_focus").set_value(0)
    run(at)
    assert [json.loads(b) for b in FIT.findall(staff_map_js(at))] == [whole]


def test_patrol_map_puts_ward_names_clear_of_the_hotspots(monkeypatch):
    from geo.maps import for_display, ward_label_points

    at = staff_app(monkeypatch, "Patrol")
    js = staff_map_js(at)
    result = run_files(settings=window_settings(Settings(), last_month="2018-11", months=3))
    # as the page draws them: wards and hotspots in display form (WGS84, simplified)
    wards, hotspots = for_display(result.wards), for_display(result.hotspots)
    shown = for_display(wards).geometry
    clear = ward_label_points(wards, shown, away_from=hotspots.geometry)
    plain = ward_label_points(wards, shown)
    marked = {(round(float(a), 9), round(float(b), 9)) for a, b in MARKER.findall(js)}
    assert {(round(p.y, 9), round(p.x, 9)) for p in clear.to_crs("EPSG:4326")} <= marked
    # at the representative points, badges and shapes covered some names (e.g. Littlemore)
    moved = [
        str(name)
        for name, a, b in zip(wards[c.WARD_NAME], clear.to_crs("EPSG:4326"), plain, strict=True)
        if not a.equals(b)
    ]
    assert moved
    # each name's point keeps away from every hotspot
    metres = clear.to_crs(result.wards.crs)
    for point in metres:
        assert result.hotspots.geometry.distance(point).min() > 50


MARKER = re.compile(r"L\.marker\(\s*\[([-0-9.e]+),\s*([-0-9.e]+)\]")


def test_patrol_ward_and_window_choices(monkeypatch):
    at = staff_app(monkeypatch, "Patrol")
    at.pills(key="patrol_wards").set_value(["E05006549"])  # Cowley
    at.radio(key="patrol_window").set_value(12)
    run(at)
    caption = " ".join(x.value for x in at.caption)
    # the data has 9 of the 12 months asked for, and says so
    assert (
        "March to November 2018 (9 months of the 12 asked for: the data start in March 2018)"
        in (caption)
    )
    assert "Trend: the last 3 months against the 3 months before." in caption
    # ...and the hotspot threshold is that of the 9 months clustered, as the Analyst page says
    assert "A hotspot is 30 or more weighted incidents within 40 m of each other" in caption
    assert "(set on the Analyst page)" in caption and "min_samples" not in caption
    expected = run_files(settings=window_settings(Settings(), last_month="2018-11", months=12))
    cowley = expected.hotspots[expected.hotspots[c.WARD_CODE] == "E05006549"]
    table = at.dataframe[0].value
    assert set(table["Ward"]) == {"Cowley"}
    assert list(table["Hotspot"]) == list(cowley[c.HOTSPOT_ID])
    html = staff_map_js(at)
    assert len(area_features(html)) == len(cowley)
    assert [f["properties"]["ward_name"] for f in ward_features(html)] == ["Cowley"]
    at.pills(key="patrol_wards").set_value([])
    run(at)
    assert "Pick at least one ward" in at.warning[0].value


# ==========================================================================================
# Analyst page
# ==========================================================================================
def test_eps_slider_changes_the_hotspot_polygons(monkeypatch):
    at = staff_app(monkeypatch, "Analyst")
    before = len(area_features(staff_map_js(at)))
    assert before == len(run_files().hotspots)
    at.slider(key="a_eps").set_value(150.0)
    run(at)
    expected = len(run_files(settings=Settings(eps_m=150.0)).hotspots)
    assert expected != before
    assert len(area_features(staff_map_js(at))) == expected
    assert metrics(at)["Hotspots"] == str(expected)
    at.slider(key="a_ms_month").set_value(4.5)  # 9 months: min_samples 41
    run(at)
    expected = run_files(settings=Settings(eps_m=150.0, min_samples_per_month=4.5))
    assert len(area_features(staff_map_js(at))) == len(expected.hotspots)
    share = expected.counts.noise / expected.counts.accepted
    assert metrics(at)["Noise (in no hotspot)"] == f"{share:.0%}"


def test_next_eps_steps_are_computed_ahead(monkeypatch):
    import threading

    import ui.cache

    calls: list[tuple[float, float | None]] = []
    real = ui.cache.cluster_prepared

    def recording(prepared, settings=None, **kwargs):
        calls.append((settings.eps_m, settings.min_samples_per_month))
        return real(prepared, settings, **kwargs)

    def prefetch_done() -> None:
        for t in threading.enumerate():
            if t.name == "prefetch-eps":
                t.join(timeout=60)
                assert not t.is_alive()

    monkeypatch.setattr(ui.cache, "cluster_prepared", recording)
    at = staff_app(monkeypatch, "Analyst")
    at.slider(key="a_ms_month").set_value(1.37)  # a rate no other test uses: nothing cached
    run(at)
    prefetch_done()
    d = Settings().eps_m
    assert {(d - 5, 1.37), (d, 1.37), (d + 5, 1.37)} <= set(calls)
    # one step on is served from the cache: no clustering for it in the page's own run
    calls.clear()
    at.slider(key="a_eps").set_value(d + 5)
    run(at)
    prefetch_done()
    assert (d + 5, 1.37) not in calls
    assert (d + 10, 1.37) in calls  # and the next step after that is computed ahead
    assert len(area_features(staff_map_js(at))) == len(
        run_files(settings=Settings(eps_m=d + 5, min_samples_per_month=1.37)).hotspots
    )


def test_weights_and_ward_overrides_change_the_run(monkeypatch):
    at = staff_app(monkeypatch, "Analyst")
    at.number_input(key="a_w_shoplifting").set_value(3.0)
    at.number_input(key="a_oe_E05006557").set_value(200.0)  # Littlemore
    run(at)
    s = with_weights(Settings(), {"shoplifting": 3.0}).replace(
        ward_overrides=ward_overrides({"E05006557": (200.0, None)})
    )
    expected = run_files(settings=s)
    features = area_features(staff_map_js(at))
    assert len(features) == len(expected.hotspots)
    by_ward = pd.Series([f["properties"]["ward_name"] for f in features]).value_counts()
    assert by_ward.to_dict() == expected.hotspots[c.WARD_NAME].value_counts().to_dict()
    code = " ".join(x.value for x in at.code)
    assert "[ward_overrides.E05006557]" in code and "eps_m = 200.0" in code


def test_settings_save_and_load_round_trip(monkeypatch, downloads):
    at = staff_app(monkeypatch, "Analyst")
    at.slider(key="a_eps").set_value(120.0)
    run(at)
    saved = download(at, downloads, "Save settings (TOML)").decode()
    assert settings_from_toml(saved).eps_m == 120.0
    # load a file written by hand: the widgets and the run follow it
    text = "[clustering]\neps_m = 60.0\nmin_samples = 10\n[categories.drugs]\nweight = 4.0\n"
    at.file_uploader(key="settings_upload").set_value(("mine.toml", text.encode(), "text/plain"))
    next(b for b in at.button if b.label == "Load settings").click()
    run(at)
    assert [x for x in at.success if "Loaded settings from mine.toml." in x.value]
    assert at.slider(key="a_eps").value == 60.0
    assert at.toggle(key="a_ms_fixed").value is True  # an old file's min_samples: fixed
    assert at.slider(key="a_ms").value == 10
    assert at.number_input(key="a_w_drugs").value == 4.0
    expected = run_files(settings=settings_from_toml(text))
    assert metrics(at)["Hotspots"] == str(len(expected.hotspots))
    # and the page uses them: saving again gives the loaded settings back
    again = settings_from_toml(download(at, downloads, "Save settings (TOML)").decode())
    assert again.to_dict() == settings_from_toml(text).to_dict()
    # the other pages use the same settings
    go(at, "Patrol")
    go(at, "Analyst")
    assert at.slider(key="a_eps").value == 60.0


def test_settings_tried_on_the_analyst_page_are_named_on_meeting_and_patrol(monkeypatch):
    at = staff_app(monkeypatch, "Analyst")
    at.slider(key="a_eps").set_value(150.0)
    run(at)
    # the public map says it is not drawn with the usual settings, and how it differs
    go(at, "Meeting")
    notes = [w.value for w in at.warning if "not the usual ones" in w.value]
    assert notes == [
        "This map uses settings tried on the Analyst page, not the usual ones (the defaults): "
        "eps_m 150 m (usual 40 m)."
    ]
    tried = len(area_features(iframe_html(at)))
    go(at, "Patrol")
    assert [w.value for w in at.warning if "eps_m 150 m (usual 40 m)" in w.value]
    # one click goes back to the usual settings on every page, the analyst's sliders too
    next(b for b in at.button if b.label == "Use the usual settings").click()
    run(at)
    assert not [w.value for w in at.warning if "not the usual ones" in w.value]
    expected = run_files(settings=window_settings(Settings(), last_month="2018-11", months=3))
    assert metrics(at)["Hotspots"] == str(len(expected.hotspots))
    go(at, "Meeting")
    assert not [w.value for w in at.warning if "not the usual ones" in w.value]
    assert len(area_features(iframe_html(at))) == len(meeting_expected(6)) != tried
    go(at, "Analyst")
    assert at.slider(key="a_eps").value == 40.0
    # settings loaded from a file are the usual ones from then on
    text = "[clustering]\neps_m = 60.0\n"
    at.file_uploader(key="settings_upload").set_value(("agreed.toml", text.encode(), "text/plain"))
    next(b for b in at.button if b.label == "Load settings").click()
    run(at)
    go(at, "Patrol")
    assert not [w.value for w in at.warning if "not the usual ones" in w.value]
    go(at, "Analyst")
    at.slider(key="a_eps").set_value(80.0)
    run(at)
    go(at, "Patrol")
    assert [
        w.value
        for w in at.warning
        if "not the usual ones (loaded from agreed.toml): eps_m 80 m (usual 60 m)" in w.value
    ]


BAD_SETTINGS = [
    ("bad.toml", b"[clustering\neps_m = 1", "bad.toml: not valid TOML"),
    ("bad.toml", b"[clustering]\nepsilon = 60.0\n", "bad.toml: unknown key clustering.epsilon"),
    ("bad.toml", b"[clustering]\neps_m = -5.0\n", "The 'eps_m' setting must be in (0, 5000] m"),
    ("bad.toml", b"", "bad.toml: the file is empty"),
]


def test_bad_settings_files_are_refused_and_change_nothing(monkeypatch):
    at = staff_app(monkeypatch, "Analyst")
    at.slider(key="a_eps").set_value(100.0)
    run(at)
    for name, data, message in BAD_SETTINGS:
        at.file_uploader(key="settings_upload").set_value((name, data, "text/plain"))
        next(b for b in at.button if b.label == "Load settings").click()
        run(at)
        text = errors(at)
        assert "Could not load the settings file" in text, name
        assert message in text, (message, text)
        assert "The settings in use did not change." in text
        assert at.slider(key="a_eps").value == 100.0


# ==========================================================================================
# Data page: uploads and reconciled counts
# ==========================================================================================
SHIPPED_METRICS = {"Rows read": "3,707", "Used": "3,697", "Set aside": "10"}


def upload(at: AppTest, incidents=(), boundaries=None) -> AppTest:
    if incidents:
        at.file_uploader(key="up_incidents").set_value(list(incidents))
    if boundaries:
        at.file_uploader(key="up_boundaries").set_value(boundaries)
    next(b for b in at.button if b.label == "Use these files").click()
    return run(at)


def test_data_page_shows_reconciled_counts_and_reasons(monkeypatch):
    at = run(new_app(monkeypatch, page="Data"))
    m = metrics(at)
    assert {k: m[k] for k in SHIPPED_METRICS} == SHIPPED_METRICS
    assert m["Hotspots"] == str(len(run_files().hotspots))
    assert any("3,707 rows read = 3,697 used + 10 set aside" in x.value for x in at.markdown)
    reasons = at.dataframe[0].value
    assert reasons.to_dict("records") == [
        {
            "Set aside as": "outside the wards",
            "Reason": "outside every ward in the boundary file",
            "Rows": 10,
        }
    ]
    assert len(at.dataframe) == 1  # row-by-row table is for staff only


BAD_UPLOADS = [
    (
        [("wrong.csv", b"name,value\nx,1\n", "text/csv")],
        None,
        "wrong.csv: not a police.uk or local incident CSV: missing column(s) id, date, category",
    ),
    (
        [("police.csv", b"Crime ID,Month,Latitude\n1,2018-01,51.7\n", "text/csv")],
        None,
        "police.csv: police.uk CSV is missing column(s) Longitude, Crime type",
    ),
    (
        [("sheet.csv", b"PK\x03\x04\x14\x00\x00\x00\x08\x00", "text/csv")],
        None,
        "sheet.csv: not a CSV text file (it contains binary data)",
    ),
    (
        [
            (
                "latin.csv",
                "id,date,category\nx,2018-01-01,caf\xe9\n".encode("latin-1"),
                "text/csv",
            )
        ],
        None,
        "latin.csv: not a CSV text file (it is not UTF-8 text)",
    ),
    ([("empty.csv", b"", "text/csv")], None, "empty.csv: the file is empty"),
    ([("blank.csv", b"\n\n", "text/csv")], None, "blank.csv: the file is empty"),
    (
        None,
        ("points.geojson", points_geojson(), "application/geo+json"),
        "points.geojson: no polygon features (found Point); wards must be areas",
    ),
    (
        None,
        ("wards.geojson", b"not json at all", "application/geo+json"),
        "wards.geojson: not GeoJSON",
    ),
    (
        None,
        ("wards.zip", _zip({"readme.txt": b"x"}), "application/zip"),
        "wards.zip: the zip holds no Shapefile (.shp)",
    ),
    (None, None, "Choose at least one file to upload first."),
    # readable files with no usable row: refused too, naming the file, row and reason
    (
        [
            (
                "badrows.csv",
                b"Crime ID,Month,Longitude,Latitude,Crime type\nabc,2018-13,-1.2,51.7,Burglary\n",
                "text/csv",
            )
        ],
        None,
        "No row can be used: 1 row read, 1 invalid, 0 outside the wards, 0 filtered out by "
        "the settings.\n- badrows.csv, row 2: date '2018-13' is not a valid date",
    ),
    (
        None,
        ("far.geojson", far_wards_geojson(), "application/geo+json"),
        "far.geojson: none of the 3,707 incidents lies within the wards",
    ),
]


def test_bad_uploads_show_a_plain_error_and_keep_the_data(monkeypatch):
    at = run(new_app(monkeypatch, page="Data"))
    for incidents, boundaries, message in BAD_UPLOADS:
        at.file_uploader(key="up_incidents").set_value(None)
        at.file_uploader(key="up_boundaries").set_value(None)
        upload(at, incidents or (), boundaries)
        text = errors(at)
        assert "The uploaded files could not be used" in text, message
        assert message in text, (message, text)
        assert "Nothing changed: the app still uses the previous data (Shipped data" in text
        assert "Traceback" not in text
        m = metrics(at)
        assert {k: m[k] for k in SHIPPED_METRICS} == SHIPPED_METRICS
    go(at, "Meeting")
    assert len(area_features(iframe_html(at))) == len(meeting_expected(6))


def test_uploaded_local_incidents_are_used_and_meeting_view_stays_safe(monkeypatch):
    at = run(new_app(monkeypatch, hash_env=HASH, page="Data"))
    upload(at, [("../../synthetic local.csv", synthetic_local_csv(), "text/csv")])
    assert "Now using the uploaded files" in at.success[0].value
    assert "synthetic_local.csv" in at.success[0].value
    m = metrics(at)
    # 12 + 7 + 4 + 4 rows used, 1 unknown category; A (12), B (7) and C (4) are hotspots
    # (3 months of data: min_samples 3.33 x 3 = 10)
    assert (m["Rows read"], m["Used"], m["Set aside"]) == ("28", "27", "1")
    assert (m["In hotspots"], m["Hotspots"]) == ("23", "3")
    assert at.dataframe[0].value.to_dict("records") == [
        {"Set aside as": "invalid", "Reason": "unknown category '…'", "Rows": 1}
    ]
    # a later bad upload keeps these files in use
    upload(at, [("empty.csv", b"", "text/csv")])
    assert "still uses the previous data (Uploaded: synthetic_local.csv" in errors(at)
    assert metrics(at)["Rows read"] == "28"

    go(at, "Meeting")
    html = iframe_html(at)
    areas = area_features(html)
    assert sorted(f["properties"]["incidents_band"] for f in areas) == ["10-19", "5-9"]
    for secret in ("SYN-", "SYN-NOTE", "SYN-SOURCE", "seen at no.", "unicorn"):
        assert secret not in html
    vertices = all_vertices(html)
    assert not set(isolated_lonlat()) & vertices

    # C (4 incidents) is a staff hotspot, never a public area; a fixed min_samples of 15
    # (weight 12 < 15) leaves it out of the staff hotspots too
    go(at, "Analyst")
    sign_in(at)
    assert metrics(at)["Hotspots"] == "3"
    at.toggle(key="a_ms_fixed").set_value(True)
    run(at)
    at.slider(key="a_ms").set_value(15)
    run(at)
    assert metrics(at)["Hotspots"] == "2"
    go(at, "Meeting")
    html = iframe_html(at)
    assert len(area_features(html)) == 2
    assert "SYN-" not in html

    go(at, "Data")  # signed in: every set-aside row, with file and row number
    rows = at.dataframe[1].value
    assert rows.to_dict("records") == [
        {
            "File": "synthetic_local.csv",
            "Spreadsheet row": 29,
            "Set aside as": "invalid",
            "Reason": "unknown category 'unicorn'",
        }
    ]
    next(b for b in at.button if b.label == "Go back to the shipped data").click()
    run(at)
    m = metrics(at)
    assert {k: m[k] for k in SHIPPED_METRICS} == SHIPPED_METRICS


def test_uploaded_boundaries_replace_the_wards(monkeypatch):
    wards = gpd.read_file(DATA / "boundaries" / "se_oxford_wards_WD13.geojson")
    two = wards[wards["WD13NM"].isin(["Cowley", "Littlemore"])]
    at = run(new_app(monkeypatch, page="Data"))
    upload(at, boundaries=("<b>two</b> wards.geojson", two.to_json().encode(), "application/json"))
    expected = run_files(boundaries=("two.geojson", two.to_json().encode()))
    m = metrics(at)
    assert m["Used"] == f"{expected.counts.accepted:,}"
    assert m["Set aside"] == f"{expected.counts.rejected:,}"
    assert "wards: b_wards.geojson" in at.success[0].value
    go(at, "Meeting")
    assert len(ward_features(iframe_html(at))) == 2


# ==========================================================================================
# Postbox and intervention panels
# ==========================================================================================
def test_patrol_postbox_panel_recommends_plans_and_logs(monkeypatch, tmp_path):
    from geo import postbox as pb
    from geo.postbox import load_sites, read_placements

    log = tmp_path / "placements.sqlite"
    monkeypatch.setenv("HOTSPOTS_PLACEMENT_LOG", str(log))
    at = staff_app(monkeypatch, "Patrol")
    at.toggle(key="patrol_postbox").set_value(True)
    run(at)
    r = run_files()
    ranked = pb.recommend(r.incidents, r.hotspots, load_sites(wards=r.wards).sites)
    top = ranked.iloc[0]
    assert any(f"**Next site: {top['name']}**" in m.value for m in at.markdown)
    assert len(at.get("component_instance")) == 1  # the hotspot map
    # three "did it work?" card maps, then the postbox map
    assert len(at.get("iframe")) == 4
    postbox_html = str(at.get("iframe")[-1].proto.srcdoc)
    assert "L.circle(" in postbox_html  # the coverage circle(s)
    # the card tables (one "value" column each) come before the postbox tables
    tables = [d for d in at.dataframe if list(d.value.columns) != ["value"]]
    plan = tables[1].value
    assert len(plan) == pb.PostboxSettings().plan_weeks
    assert plan[pb.WEEK].tolist() == [1, 2, 3, 4]
    assert plan["name"].is_unique
    # the next site says from when, and names its ward once ("..., Cowley", not "(Cowley)")
    start = plan[pb.START_DATE].iloc[0]
    assert str(top["name"]).endswith(", Cowley")
    assert any(
        m.value.startswith(
            f"**Next site: {top['name']}**, from {start:%A} {start.day} {start:%B %Y}:"
        )
        for m in at.markdown
    ), [m.value for m in at.markdown if "Next site" in m.value]
    breakdown = tables[2].value
    assert breakdown[c.RANK].tolist() == list(range(1, 11))
    assert breakdown["name"].iloc[0] == top["name"]
    # log the recommended week with the form's own dates: the panel moves on at once
    assert at.selectbox(key="pb_site").value == top["site_id"]
    next(b for b in at.button if b.label == "Log this placement").click()
    run(at)
    week = f"from {plan[pb.START_DATE].iloc[0]:%A} {plan[pb.START_DATE].iloc[0].day}"
    assert any(
        f"Logged placement #1: the box at {top['name']} {week}" in x.value for x in at.success
    ), [x.value for x in at.success]
    logged = read_placements(log)
    assert len(logged) == 1
    assert logged["site_id"].iloc[0] == top["site_id"]
    assert logged["from_date"].iloc[0] == plan[pb.START_DATE].iloc[0]  # the plan's week 1
    new_plan = next(d.value for d in at.dataframe if pb.START_DATE in d.value.columns)
    assert new_plan[pb.START_DATE].iloc[0] == plan[pb.START_DATE].iloc[0] + pd.Timedelta(days=7)
    assert top["name"] not in set(new_plan["name"])
    assert not any(f"**Next site: {top['name']}**" in m.value for m in at.markdown)
    assert any("run past the planning date" in i.value for i in at.info)


def test_meeting_postbox_shows_places_and_dates_only(monkeypatch, tmp_path):
    monkeypatch.setenv("HOTSPOTS_PLACEMENT_LOG", str(tmp_path / "placements.sqlite"))
    at = run(new_app(monkeypatch))
    at.toggle(key="meeting_postbox").set_value(True)
    run(at)
    # a plain table whose long place names wrap, as the list of areas: every column is on
    # a 1024-pixel projector's screen
    table = at.table[-1].value
    assert list(table.columns) == ["Week", "From", "To", "Place", "Ward"]
    tomorrow = pd.Timestamp.today().normalize() + pd.Timedelta(days=1)
    assert table["From"].iloc[0] == f"{tomorrow:%a %d %b %Y}"  # from today, not 2018
    assert not (tmp_path / "placements.sqlite").exists()  # reading never creates the log


def test_staff_and_public_are_given_the_same_postbox_plan(monkeypatch, tmp_path):
    """Patrol at 1, 3 and 12 months and the Meeting page: one plan, one stated period."""
    monkeypatch.setenv("HOTSPOTS_PLACEMENT_LOG", str(tmp_path / "placements.sqlite"))
    at = staff_app(monkeypatch, "Patrol")
    at.toggle(key="patrol_postbox").set_value(True)
    plans, captions = [], []
    for months in (1, 3, 12):
        at.radio(key="patrol_window").set_value(months)
        run(at)
        plan = next(d.value for d in at.dataframe if "start_date" in d.value.columns)
        plans.append([(w, n) for w, n in zip(plan["week"], plan["name"], strict=True)])
        captions.append(next(x.value for x in at.caption if x.value.startswith("Planned on")))
    meeting = run(new_app(monkeypatch))
    meeting.toggle(key="meeting_postbox").set_value(True)
    run(meeting)
    public = meeting.table[-1].value
    plans.append([(w, n) for w, n in zip(public["Week"], public["Place"], strict=True)])
    captions.append(next(x.value for x in meeting.caption if x.value.startswith("Planned on")))
    assert len(plans[0]) == 4
    assert all(p == plans[0] for p in plans), plans
    assert all(x.startswith(captions[-1].rstrip(".")) for x in captions), captions
    # all the data's months (within the 365-day lookback), not the Patrol window's
    assert "from the last 9 months of the data, 1 March to 30 November 2018" in captions[0]


def test_analyst_intervention_panel(monkeypatch):
    at = staff_app(monkeypatch, "Analyst")
    at.toggle(key="analyst_interventions").set_value(True)
    run(at)
    ivs = frame_with(at, "area_wide")
    assert list(ivs["intervention_id"]) == ["EX-TEAM-START", "EX-PRIORY-RD", "EX-OXFORD-RD"]
    at.selectbox(key="iv_id").set_value("EX-PRIORY-RD")
    run(at)
    effects = frame_with(at, "before_months")
    assert set(effects["intervention_id"]) == {"EX-PRIORY-RD"}
    assert len(at.get("iframe")) == 1  # the intervention map (the hotspot map is a component)
    assert "notes" not in " ".join(map(str, effects.columns))
    # an area-wide event has no radius or ring: a dash, not "None"
    at.selectbox(key="iv_id").set_value("EX-TEAM-START")
    run(at)
    team = frame_with(at, "before_months")
    assert len(team) and set(team["radius_m"]) == set(team["ring_outer_m"]) == {"–"}
    assert not team.isna().to_numpy().any()
    at.file_uploader(key="iv_upload").set_value(("iv.csv", b"id,kind\nx,warrant\n", "text/csv"))
    run(at)
    assert "The interventions file could not be used" in errors(at)


def beside_the_map(at: AppTest) -> list[str]:
    """Warnings and notes in the column beside the Analyst map (never in an expander)."""
    found = [
        col
        for col in at.columns
        if any(m.value == "**Red flags for these settings**" for m in col.markdown)
    ]
    assert len(found) == 1
    return [w.value for w in found[0].warning] + [x.value for x in found[0].success]


def test_analyst_knee_is_an_upper_limit_and_red_flags_sit_beside_the_map(monkeypatch):
    at = staff_app(monkeypatch, "Analyst")
    knee_lines = [m.value for m in at.markdown if "k-distance knee for" in m.value]
    assert len(knee_lines) == 1 and "upper limit" in knee_lines[0]
    # computed as the evaluation fits: 3-month windows, min_samples 10
    assert "min_samples 10 (the evaluation's 3 months fit windows)" in knee_lines[0]
    assert any("k-distance for min_samples = 10" in m.value for m in at.markdown)
    # the sweep's caption speaks of what its panels show, at the min_samples it used
    sweep_notes = [x.value for x in at.caption if x.value.startswith("Each eps_m clustered")]
    assert len(sweep_notes) == 1 and "min_samples 27" in sweep_notes[0]
    # the three min_samples (map 30, k-distance 10, sweep 27) are explained once, up front
    (rule,) = [x.value for x in at.caption if x.value.startswith("min_samples grows")]
    assert "= 30 on the map above" in rule and "= 10 for the k-distance" in rule
    assert "= 27 for the sweep" in rule
    assert "hotspots and the share of incidents in none (noise)" in sweep_notes[0]
    assert "PAI = " not in sweep_notes[0]
    # nothing applies a value merely below the knee; at the defaults nothing to apply
    assert not [b.label for b in at.button if "knee" in b.label]
    assert not [b for b in at.button if b.key == "use_evaluated_default"]
    assert [w for w in beside_the_map(at) if w.startswith("None")]
    at.slider(key="a_eps").set_value(150.0)
    run(at)
    flags = beside_the_map(at)
    held = [f for f in flags if f.startswith("Hotspots hold")]
    assert len(held) == 1 and int(held[0].split()[2]) >= 50
    assert any(f.startswith("Hotspots mark") for f in flags)
    assert not [f for f in flags if f.startswith("None")]
    default = Settings()
    button = at.button(key="use_evaluated_default")
    assert button.label == (
        f"Use the evaluated default: {default.eps_m:g} m, {default.min_samples_per_month:g} a month"
    )
    knee = float(re.search(r"is \*\*(\d+) m\*\*", knee_lines[0]).group(1))
    at.slider(key="a_eps").set_value(5 * math.ceil(knee / 5))
    run(at)
    assert any("at or above the knee" in w.value for w in at.warning)
    assert any("Red flags in the sweep" in w.value for w in at.warning)
    at.button(key="use_evaluated_default").click()
    run(at)
    assert at.slider(key="a_eps").value == default.eps_m
    assert at.slider(key="a_ms_month").value == default.min_samples_per_month
    assert not [b for b in at.button if b.key == "use_evaluated_default"]
    expected = run_files(settings=default)
    flags = [
        f"{f[:1].upper()}{f[1:]}."
        for f in current_red_flags(expected, eps_m=default.eps_m, min_samples=30)
    ]
    assert flags == []
    assert [w for w in beside_the_map(at) if w.startswith("None")]


def card_texts(at: AppTest, title: str) -> str:
    """Everything written in the one "did it work?" card whose title contains ``title``."""
    found = [
        col
        for col in at.columns
        if any(title in m.value for m in col.markdown if m.value.startswith("**"))
    ]
    assert len(found) == 1, [m.value for m in at.markdown]
    col = found[0]
    parts = [m.value for m in col.markdown] + [x.value for x in col.caption]
    parts += [d.value.to_csv() for d in col.dataframe]
    return "\n".join(parts)


def test_patrol_says_in_words_whether_each_intervention_worked(monkeypatch):
    at = staff_app(monkeypatch, "Patrol")
    assert "Did it work?" in [s.value for s in at.subheader]
    titles_seen = [m.value for m in at.markdown if m.value.startswith("**") and "20" in m.value]
    # newest first: the warrant a sergeant asks about leads
    # each titled with the police.uk street nearest its location (the team start is area-wide)
    assert titles_seen == [
        "**Warrant EX-PRIORY-RD near Priory Road, 15 August 2018**",
        "**Closure order EX-OXFORD-RD near Oxford Road, 20 July 2018**",
        "**Team start EX-TEAM-START, 1 June 2018**",
    ]
    warrant = card_texts(at, "EX-PRIORY-RD")
    headlines = [m.value for m in at.markdown if m.value.startswith("###### ")]
    assert headlines[0].startswith("###### Too few drug incidents to tell")
    assert "Too few incidents to tell]" in warrant  # the badge says it in words
    assert "In the target:" in warrant and "in the comparison area:" in warrant
    for claim in ("diffusion of benefit", "moved there", "It looks like it worked"):
        assert claim not in warrant
    # every card says what geo's card says, for the evaluation the Analyst panel makes
    raw, wards, _ = load_source(DataSource.shipped())
    base = run_files()
    for iv in load_interventions(EXAMPLE_INTERVENTIONS):
        result = evaluate_intervention(raw, wards, iv, options=InterventionOptions(), base=base)
        card = effect_card(result)
        text = card_texts(at, iv.intervention_id)
        for sentence in (card.headline, card.target, card.ring, card.certainty):
            assert sentence in text
        assert f"{BADGES[card.verdict].label}]" in text
        # a month is said to be left out only when one is (a start on the 1st leaves none)
        assert ("(the month it started is left out)" in text) == bool(result.windows.excluded)
    # one small offline before/after map per card, each with its three areas
    maps = [str(f.proto.srcdoc) for f in at.get("iframe")]
    assert len(maps) == 3
    assert all(not re.search(r'<(script|link)[^>]+(src|href)="https?:', m) for m in maps)
    assert all('"area": "target area"' in m and '"area": "ring area"' in m for m in maps[:2])
    # small maps: the layer list is a button, no legend box over the map, no "control"
    assert all('"collapsed": true' in m and "intervention-legend" not in m for m in maps)
    assert all('"area": "control"' not in m and "Control area" not in m for m in maps)
    assert len(at.expander) >= 3 and all(e.label != "" for e in at.expander)


def test_patrol_cards_use_the_interventions_file_uploaded_on_the_analyst_page(monkeypatch):
    at = staff_app(monkeypatch, "Analyst")
    at.toggle(key="analyst_interventions").set_value(True)
    run(at)
    csv = (
        b"id,kind,start_date,end_date,longitude,latitude,notes\n"
        b"MY-WARRANT,warrant,2018-08-15,,-1.215246,51.719306,\n"
    )
    at.file_uploader(key="iv_upload").set_value(("mine.csv", csv, "text/csv"))
    run(at)
    go(at, "Patrol")
    assert [m.value for m in at.markdown if m.value.startswith("**Warrant")] == [
        "**Warrant MY-WARRANT near Priory Road, 15 August 2018**"
    ]
    assert "Your interventions file" in " ".join(x.value for x in at.caption)


# ==========================================================================================
# Analyst page: evaluation on later months
# ==========================================================================================
EVAL_METHODS = ["DBSCAN hotspots", "Kernel density", "Getis-Ord Gi*", "Last month's busiest cells"]
MEAN_STD = re.compile(r"^(\d+\.\d) ± (\d+\.\d)$")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def evaluate_button(at: AppTest):
    return next(b for b in at.button if b.label == "Evaluate these settings")


def frames_with(at: AppTest, column: str) -> list[pd.DataFrame]:
    return [d.value for d in at.dataframe if column in d.value.columns]


def test_analyst_evaluation_on_later_months(monkeypatch, downloads):
    at = staff_app(monkeypatch, "Analyst")
    assert frames_with(at, "PAI") == [] and len(at.image) == 0  # nothing runs unasked
    # shipped data 2018-03..2018-11 (9 months), window 6: test months 09, 10 and 11
    at.select_slider(key="eval_window").set_value(6)
    at.slider(key="a_eps").set_value(80.0)  # the analyst's settings, not the defaults
    run(at)
    assert any("3 test months (2018-09 to 2018-11)" in x.value for x in at.caption)
    evaluate_button(at).click()
    run(at)

    table = frame_with(at, "PAI")
    assert list(table["Method"]) == EVAL_METHODS
    assert list(table["Months"]) == [3, 3, 3, 3]
    assert "**All wards: mean ± standard deviation over 3 test months**" in [
        m.value for m in at.markdown
    ]
    summary = pd.read_csv(io.BytesIO(download(at, downloads, "Evaluation summary (CSV)")))
    overall = summary[summary[c.WARD_CODE] == "all"]
    assert list(overall["method"]) == ["dbscan", "kde", "gi_star", "naive"]
    for shown, mean, std in zip(table["PAI"], overall["pai_mean"], overall["pai_std"], strict=True):
        found = MEAN_STD.match(shown)
        assert found, shown
        assert float(found[1]) == pytest.approx(mean, abs=0.051)
        assert float(found[2]) == pytest.approx(std, abs=0.051)
        assert mean > 0
    assert all(re.match(r"^\d+\.\d % ± \d+\.\d$", x) for x in table["Hit rate"])

    # the app evaluated the shipped data with the settings in use and the chosen window
    rows = pd.read_csv(
        io.BytesIO(download(at, downloads, "Evaluation by month, method and ward (CSV)")),
        dtype={"test_month": str, "fit_first": str, "fit_last": str},
    )
    assert sorted(set(rows["test_month"])) == ["2018-09", "2018-10", "2018-11"]
    first = rows[(rows["test_month"] == "2018-09") & (rows[c.WARD_CODE] == "all")]
    assert set(first["method"]) == {"dbscan", "kde", "gi_star", "naive"}
    assert set(first["fit_first"]) == {"2018-03"} and set(first["fit_last"]) == {"2018-08"}
    fitted = run_files(settings=Settings(eps_m=80.0, since="2018-03", until="2018-08")).hotspots
    area = float(fitted.dissolve(c.WARD_CODE).geometry.area.sum())  # overlaps once
    dbscan = first[first["method"] == "dbscan"].iloc[0]
    assert dbscan["area_m2"] == pytest.approx(area, rel=1e-5)
    september = run_files().incidents[c.MONTH].astype(str) == "2018-09"
    assert set(first["n_test"]) == {int(september.sum())}

    # a verdict against the best other method at DBSCAN's area, read from the same months
    verdicts = [m.value for m in at.markdown if m.value.startswith(VERDICT)]
    assert len(verdicts) == 1, verdicts
    assert re.search(
        r"DBSCAN hotspots (ahead of|level with|behind) (Kernel density|Getis-Ord Gi\*|"
        r"Last month's busiest cells) on PAI: mean difference [+-]\d+\.\d over 3 months",
        verdicts[0],
    ), verdicts[0]

    # the PAI plot is a PNG image
    assert len(at.image) == 1
    fid = at.image[0].proto.imgs[0].url.rsplit("/", 1)[-1].split(".")[0]
    assert downloads[fid].startswith(PNG_MAGIC)

    # stability: two pairs of consecutive windows, averaged over the study-wide rows
    stability = pd.read_csv(io.BytesIO(download(at, downloads, "Hotspot stability (CSV)")))
    pairs = stability[stability[c.WARD_CODE] == "all"]
    assert len(pairs) == 2
    shown = metrics(at)
    assert shown["Hotspots persisting into the next window"] == (
        f"{pairs['share_persisting'].mean():.0%}"
    )
    assert shown["Mean area overlap (Jaccard)"] == f"{pairs['jaccard'].mean():.2f}"
    assert any(
        "Consecutive 6-month windows share 5 months, which raises both numbers." in x.value
        for x in at.caption
    )

    # per-ward breakdown: every ward and method
    per_ward = frame_with(at, "PAI (std)")
    assert len(per_ward) == 4 * N_WARDS
    assert per_ward["Ward"].nunique() == N_WARDS
    assert set(per_ward["Method"]) == set(EVAL_METHODS)

    # other settings hide the results until asked; going back shows them (cached) again
    at.slider(key="a_eps").set_value(150.0)
    run(at)
    assert frames_with(at, "PAI") == [] and len(at.image) == 0
    assert any("changed since the last evaluation" in x.value for x in at.caption)
    at.slider(key="a_eps").set_value(80.0)
    run(at)
    assert list(frame_with(at, "PAI")["Method"]) == EVAL_METHODS


def test_analyst_nested_check_chooses_on_earlier_months_only(monkeypatch, downloads):
    at = staff_app(monkeypatch, "Analyst")
    at.slider(key="a_eps").set_value(80.0)  # the analyst's settings, not the recommended ones
    run(at)
    assert frames_with(at, "Setting chosen") == []  # nothing runs unasked
    next(b for b in at.button if b.label == "Run the nested check").click()
    run(at)
    table = frame_with(at, "Setting chosen")
    # 3-month windows: test months 2018-06..2018-11; June has no earlier test month
    months = ["2018-07", "2018-08", "2018-09", "2018-10", "2018-11"]
    assert table["Test month"].tolist() == months
    assert table["Chosen from"].tolist() == ["2018-06"] + [f"2018-06 to {m}" for m in months[:-1]]
    # as `python -m geo tune --shapes hull` chooses on the shipped data (README)
    assert set(table["Setting chosen"]) == {"30 m / 10"}
    assert all(re.match(r"^\d+\.\d$", x) for x in table["DBSCAN PAI"])
    said = [m.value for m in at.markdown]
    chosen = [m for m in said if m.startswith("**Chosen on earlier months only")]
    assert len(chosen) == 2 and all("DBSCAN hotspots" in m for m in chosen)
    # the table's comparison is the first verdict's: the best method at the same resolution
    assert f"{table.columns[-1].removesuffix(' PAI')} on PAI" in chosen[0]
    assert any(m.startswith("**The settings in use (eps_m 80 m") for m in said)
    assert any("**For 2018-12**" in m and "eps_m **40 m**" in m for m in said)
    assert not any("(the settings in use)" in m for m in said)  # 80 m is in use here
    toml = download(at, downloads, "Recommended settings (TOML)").decode()
    assert "eps_m = 40.0" in toml and "min_samples_per_month = 3.33" in toml

    next(b for b in at.button if b.label == "Use 40 m and 3.33 a month").click()
    run(at)
    assert at.slider(key="a_eps").value == 40.0
    assert at.slider(key="a_ms_month").value == pytest.approx(3.33)


def test_analyst_evaluation_needs_two_months(monkeypatch):
    at = staff_app(monkeypatch, "Analyst")
    at.select_slider(key="a_months").set_value(("2018-11", "2018-11"))
    run(at)
    assert "The evaluation needs at least two months of data." in [x.value for x in at.info]
    assert not [b for b in at.button if b.label == "Evaluate these settings"]


# ==========================================================================================
# Navigation: old ?page= links
# ==========================================================================================
@pytest.mark.parametrize(
    ("link", "title"),
    [
        ("PATROL", "Patrol: staff only"),
        ("Analyst", "Analyst: staff only"),
        ("data", "Data in use"),
        ("meeting", "Where problems concentrate in South East Oxford"),
        ("no-such-page", "Where problems concentrate in South East Oxford"),
    ],
)
def test_old_page_links_open_their_page(monkeypatch, link, title):
    at = new_app(monkeypatch, hash_env=HASH)
    at.query_params["page"] = link  # as written in the link, any case
    run(at)
    assert titles(at) == [title]
    assert "page" not in at.query_params  # followed once; the page's own address remains

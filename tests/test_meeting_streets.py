"""Street names on the public meeting map, in headless Chromium: hidden at first, read zoomed in.

The exported page (``python -m geo export-public``) opened from a file and the app's meeting
page both show the public street labels only when zoomed in, with no request leaving the
machine; the zoomed-in export is saved as ``tests/artifacts/meeting_streets.png`` (the
README's screenshot). Uses the server and Chromium of :mod:`tests.test_browser`; fails,
never skips, without Chromium.
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import pytest
from playwright.sync_api import expect

from geo.pipeline import run_files
from geo.project import WGS84
from geo.public import public_view, streets_for_source, write_public
from geo.settings import Settings
from geo.source import DataSource
from tests.test_browser import (
    AREA_STROKE,
    ARTIFACTS,
    N_WARDS,
    PAGE_MAP,
    PROJECTOR,
    WARD_STROKE,
    browser,
    server,
    wait_idle,
    wait_paths,
)

pytestmark = pytest.mark.browser

__all__ = ["browser", "server"]  # the fixtures, used by name

#: Where the screenshot looks: Cowley, around Templars Square, at zoom 16.
CENTRE = (51.7318, -1.2170)
ZOOM = 16

#: Puts the folium map of the page (a global ``map_<id>``) at a view, with no animation.
SET_VIEW = """(b, [lat, lon, z]) => {
    const w = b.ownerDocument.defaultView;
    const m = Object.keys(w).filter((k) => k.startsWith("map_"))
        .map((k) => w[k]).find((v) => v instanceof w.L.Map);
    m.setView([lat, lon], z, {animate: false});
    return m.getZoom();
}"""
#: The texts of the street labels drawn inside the map's visible box.
VISIBLE = """(b) => {
    const d = b.ownerDocument, map = d.querySelector(".leaflet-container");
    const box = map.getBoundingClientRect();
    return [...d.querySelectorAll(".street-label")].filter((e) => {
        if (e.offsetParent === null) return false;
        const r = e.getBoundingClientRect();
        return r.left >= box.left && r.right <= box.right
            && r.top >= box.top && r.bottom <= box.bottom;
    }).map((e) => e.textContent);
}"""
#: Ward names shown (not hidden) whose text touches a map button or the legend.
UNDER_BOXES = """(b) => {
    const d = b.ownerDocument;
    const boxes = [...d.querySelectorAll(".leaflet-control, .public-legend, .public-title")]
        .map((e) => e.getBoundingClientRect()).filter((r) => r.width && r.height);
    return [...d.querySelectorAll(".ward-label")].filter((e) => {
        if (getComputedStyle(e).visibility === "hidden") return false;
        const range = d.createRange();
        range.selectNodeContents(e);
        const r = range.getBoundingClientRect();
        return boxes.some((x) => r.left < x.right && x.left < r.right
            && r.top < x.bottom && x.top < r.bottom);
    }).map((e) => e.textContent);
}"""


@pytest.fixture(scope="module")
def streets() -> gpd.GeoDataFrame:
    return streets_for_source(DataSource.shipped(), Settings())


def expected_at(streets: gpd.GeoDataFrame, zoom: int, *, only: int | None = None) -> set[str]:
    """Names a 1024x768 view at ``zoom`` around :data:`CENTRE` must show: those shown from
    ``zoom`` or before (from exactly ``only``, if given) whose label fits well inside."""
    ll = streets.to_crs(WGS84).geometry
    m_per_px = 156543.03392 * math.cos(math.radians(CENTRE[0])) / 2**zoom
    deg_lat = m_per_px / 111_320
    deg_lon = deg_lat / math.cos(math.radians(CENTRE[0]))
    near = (abs(ll.y - CENTRE[0]) < (768 / 2 - 60) * deg_lat) & (
        abs(ll.x - CENTRE[1]) < (1024 / 2 - 150) * deg_lon
    )
    tier = streets["min_zoom"] <= zoom if only is None else streets["min_zoom"] == only
    return set(streets.loc[near.to_numpy() & tier.to_numpy(), "name"])


def test_exported_map_shows_street_names_only_when_zoomed_in(browser, streets, tmp_path: Path):
    result = run_files()
    write_public(result, tmp_path, view=public_view(result), streets=streets)
    page = browser.new_page(viewport=PROJECTOR)
    failed: list[str] = []
    remote: list[str] = []
    page.on("requestfailed", lambda r: failed.append(f"{r.url} {r.failure}"))
    page.on(
        "request",
        lambda r: None if r.url.startswith(("file:", "data:", "blob:")) else remote.append(r.url),
    )
    page.goto((tmp_path / "public_map.html").as_uri())
    page.locator(".ward-label").first.wait_for()
    page.wait_for_timeout(800)  # the first fit of the map
    body = page.locator("body")
    assert page.locator(".street-label").count() == len(streets)
    assert body.evaluate(VISIBLE) == []  # the whole-area view: no street names at all
    assert body.evaluate(SET_VIEW, [*CENTRE, ZOOM]) == ZOOM
    page.wait_for_timeout(400)
    shown = set(body.evaluate(VISIBLE))
    want = expected_at(streets, ZOOM)
    assert len(want) >= 5, want
    assert want <= shown
    # names crowded out at zoom 16 appear one step closer in
    later = expected_at(streets, ZOOM + 1, only=ZOOM + 1)
    assert later and not later & shown
    assert page.locator(".area-label").first.is_visible()  # area numbers stay on top
    # a ward name half under a button or the legend is hidden, not read as another word
    assert body.evaluate(UNDER_BOXES) == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "meeting_streets.png"))
    assert body.evaluate(SET_VIEW, [*CENTRE, ZOOM + 1]) == ZOOM + 1
    page.wait_for_timeout(400)
    assert expected_at(streets, ZOOM + 1) <= set(body.evaluate(VISIBLE))
    # the layer switcher turns them off
    assert body.evaluate(SET_VIEW, [*CENTRE, ZOOM]) == ZOOM
    page.locator(".leaflet-control-layers").hover()
    switch = page.get_by_label("Street names (zoom in)")
    assert switch.is_checked()
    switch.uncheck()
    assert page.locator(".street-label").count() == 0
    assert failed == [] and remote == []
    page.close()


def test_meeting_page_shows_street_names_when_zoomed_in(server, browser, streets):
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(f"{r.url} {r.failure}"))
    page.goto(server)
    wait_idle(page)
    wait_paths(page, WARD_STROKE, N_WARDS)
    frame = page.frame_locator(PAGE_MAP).first
    frame.locator(f'path.leaflet-interactive[stroke="{AREA_STROKE}"]').first.wait_for()
    body = frame.locator("body")
    assert frame.locator(".street-label").count() == len(streets)
    assert body.evaluate(VISIBLE) == []
    assert body.evaluate(SET_VIEW, [*CENTRE, ZOOM]) == ZOOM
    page.wait_for_timeout(400)
    assert expected_at(streets, ZOOM) <= set(body.evaluate(VISIBLE))
    # another period: the same names at the same places
    page.get_by_text("Last 3 months", exact=True).click()
    wait_idle(page)
    # the map is redrawn in a new frame: wait for it rather than count the old one
    frame = page.frame_locator(PAGE_MAP).first
    expect(frame.locator(".street-label")).to_have_count(len(streets), timeout=30_000)
    assert failed == []
    page.close()

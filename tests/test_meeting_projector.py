"""The Meeting page on a 1024x768 projector, in headless Chromium against the real server.

At that size the map, its legend and all seven ward names are on the first screen with no
scrolling, the map has a full-screen button that works with no network, and no request
fails or leaves the machine. Uses the server and Chromium of :mod:`tests.test_browser`;
fails, never skips, without Chromium.
"""

from __future__ import annotations

import pytest

from geo import public
from geo.pipeline import run_files
from geo.settings import Settings
from geo.settings_edits import window_settings
from tests.test_browser import (
    AREA_STROKE,
    ARTIFACTS,
    N_WARDS,
    PAGE_MAP,
    PROJECTOR,
    WARD_STROKE,
    browser,
    open_top_popup,
    server,
    wait_idle,
    wait_paths,
)

pytestmark = pytest.mark.browser

__all__ = ["browser", "server"]  # the fixtures, used by name


#: Boxes (in the page's coordinates) of what must be on the first screen: the map's frame,
#: its legend, every ward name and the full-screen button.
LAYOUT = """(frameSel) => {
    const frame = document.querySelector(frameSel);
    const at = frame.getBoundingClientRect();
    const d = frame.contentDocument;
    const box = (el) => {
        // a ward name's label box is wider than its text: measure the text itself
        const range = d.createRange();
        range.selectNodeContents(el);
        const r = el.classList.contains("ward-label")
            ? range.getBoundingClientRect() : el.getBoundingClientRect();
        return {left: at.left + r.left, top: at.top + r.top,
                right: at.left + r.right, bottom: at.top + r.bottom};
    };
    return {
        frame: {left: at.left, top: at.top, right: at.right, bottom: at.bottom},
        legend: [...d.querySelectorAll(".public-legend")].map(box),
        wards: [...d.querySelectorAll(".ward-label")].map((el) => [el.textContent, box(el)]),
        button: [...d.querySelectorAll(".leaflet-control-fullscreen a")].map(box),
        viewport: [window.innerWidth, window.innerHeight],
    };
}"""


def on_screen(r: dict[str, float]) -> bool:
    return (
        r["left"] >= 0
        and r["top"] >= 0
        and r["right"] <= PROJECTOR["width"]
        and r["bottom"] <= PROJECTOR["height"]
    )


def overlaps(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and (b["top"] < a["bottom"])
    )


def assert_apart(wards: list[list[object]], gap: float = 2.0) -> None:
    """No two ward names' texts overlap or come closer than ``gap`` pixels."""
    for i, (name_a, a) in enumerate(wards):
        for name_b, b in wards[i + 1 :]:
            grown = {k: v + (gap if k in ("right", "bottom") else -gap) for k, v in a.items()}
            assert not overlaps(grown, b), (name_a, a, name_b, b)


#: The list of areas below the map: its box, and each "Where" cell's text width against
#: the width it has (a cut or scrolled cell is wider than its box).
LIST = """() => {
    const table = document.querySelector("[data-testid='stTable'] table");
    const wrap = table.closest("[data-testid='stTable']");
    const heads = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
    const where = heads.indexOf("Where");
    const cells = [...table.querySelectorAll("tbody tr")].map((tr) => tr.children[where]);
    const r = table.getBoundingClientRect();
    return {
        heads: heads,
        right: r.right,
        scrolled: wrap.scrollWidth > wrap.clientWidth + 1,
        rows: cells.length,
        cut: cells.filter((td) => td.scrollWidth > td.clientWidth + 1).map((td) => td.textContent),
    };
}"""


def test_meeting_page_fits_a_1024_by_768_projector_and_goes_full_screen(server, browser):
    page = browser.new_page(viewport=PROJECTOR)
    failed: list[str] = []
    remote: list[str] = []
    page.on("requestfailed", lambda r: failed.append(f"{r.url} {r.failure}"))
    page.on(
        "request",
        lambda r: (
            None if r.url.startswith((server, "data:", "blob:", "about:")) else remote.append(r.url)
        ),
    )
    page.goto(server)
    wait_idle(page)
    expected = public.public_view(
        run_files(settings=window_settings(Settings(), last_month="2018-11", months=6))
    )
    wait_paths(page, WARD_STROKE, N_WARDS)
    wait_paths(page, AREA_STROKE, len(expected))
    page.wait_for_timeout(600)  # the first fit of the map

    layout = page.evaluate(LAYOUT, PAGE_MAP)
    assert layout["viewport"] == [PROJECTOR["width"], PROJECTOR["height"]]
    assert on_screen(layout["frame"]), layout["frame"]  # the whole map
    # opened on the public page, the sidebar (the staff pages' links) starts closed and the
    # map has the screen's width
    sidebar = page.locator("[data-testid='stSidebar']")
    assert sidebar.evaluate("e => e.getBoundingClientRect().width") == 0
    frame_box = page.locator(PAGE_MAP).bounding_box()
    assert frame_box is not None and frame_box["width"] >= PROJECTOR["width"] - 60, frame_box
    # the map's box is as high as the map: no empty band between it and its caption
    gap = page.evaluate(
        """(sel) => {
        const f = document.querySelector(sel);
        const box = f.closest('[data-testid="stElementContainer"]');
        return box.getBoundingClientRect().height - f.getBoundingClientRect().height;
    }""",
        PAGE_MAP,
    )
    assert abs(gap) <= 1, gap
    (legend,) = layout["legend"]
    assert on_screen(legend), legend
    assert len(layout["wards"]) == N_WARDS
    for name, r in layout["wards"]:
        assert on_screen(r), (name, r)
        assert not overlaps(r, legend), name  # no ward name hides under the legend
    assert_apart(layout["wards"])  # names of wards close together are nudged apart
    (button,) = layout["button"]
    assert on_screen(button)
    frame = page.frame_locator(PAGE_MAP).first
    legend_text = frame.locator(".public-legend").inner_text()
    assert "Trend: click an area to see if reports there are going up or down" in legend_text
    title = frame.locator(".public-title").inner_text()
    assert "Data: police.uk street-level crime, June to November 2018" in title
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "meeting-projector.png"))
    # below the map: the data source, the trend sentence and the list of areas with places
    page.get_by_role("heading", name="The areas on the map").evaluate(
        "h => h.scrollIntoView({block: 'start'})"
    )
    page.wait_for_timeout(600)
    page.screenshot(path=str(ARTIFACTS / "meeting-projector-list.png"))
    # every column on the screen, and each place name read whole (long ones wrap)
    listed = page.evaluate(LIST)
    assert listed["heads"] == ["Area", "Ward", "Where", "Trend", "Incidents", "Main problems"]
    assert listed["rows"] == len(expected)
    assert listed["right"] <= PROJECTOR["width"]
    assert not listed["scrolled"]
    assert listed["cut"] == []
    page.get_by_role("heading", name="Where problems concentrate in South East Oxford").evaluate(
        "h => h.scrollIntoView({block: 'start'})"
    )

    # the full-screen button: the map fills the screen, with its legend and every ward
    control = frame.locator(".leaflet-control-fullscreen a")
    assert control.get_attribute("aria-label") == "Show the map full screen"
    control.click()
    frame.locator('.leaflet-control-fullscreen a[aria-pressed="true"]').wait_for()
    in_frame = frame.locator("body")
    assert in_frame.evaluate("b => document.fullscreenElement === document.documentElement")
    page.wait_for_timeout(600)  # the refit after the new size
    full = page.evaluate(LAYOUT, PAGE_MAP)
    assert full["frame"] == {"left": 0, "top": 0, "right": 1024, "bottom": 768}
    assert all(on_screen(r) for _name, r in full["wards"])
    assert_apart(full["wards"])
    assert on_screen(full["legend"][0])
    assert control.get_attribute("aria-label") == "Leave full screen (Esc)"
    page.screenshot(path=str(ARTIFACTS / "meeting-projector-full-screen.png"))
    control.click()
    frame.locator('.leaflet-control-fullscreen a[aria-pressed="false"]').wait_for()
    assert in_frame.evaluate("b => document.fullscreenElement === null")
    page.wait_for_timeout(600)
    back = page.evaluate(LAYOUT, PAGE_MAP)
    assert back["frame"] == layout["frame"]
    assert all(on_screen(r) for _name, r in back["wards"])
    assert_apart(back["wards"])

    # dragged aside at a meeting, the map comes back whole with the button under it
    home = frame.locator(".leaflet-control-whole-area a")
    assert home.get_attribute("aria-label") == "Show the whole area again"
    before = page.evaluate(LAYOUT, PAGE_MAP)["wards"]
    f = back["frame"]
    page.mouse.move(f["left"] + 500, f["top"] + 300)
    page.mouse.down()
    page.mouse.move(f["left"] + 200, f["top"] + 120, steps=8)
    page.mouse.up()
    page.wait_for_timeout(400)
    moved = page.evaluate(LAYOUT, PAGE_MAP)["wards"]
    assert moved[0][1]["left"] < before[0][1]["left"] - 100  # the drag moved the map
    home.click()
    page.wait_for_timeout(400)
    again = page.evaluate(LAYOUT, PAGE_MAP)["wards"]
    for (name, a), (_, b) in zip(again, before, strict=True):
        assert abs(a["left"] - b["left"]) <= 1 and abs(a["top"] - b["top"]) <= 1, name
    # the 3-month view puts ward names closest together: still apart
    page.get_by_text("Last 3 months", exact=True).click()
    wait_idle(page)
    three = public.public_view(
        run_files(settings=window_settings(Settings(), last_month="2018-11", months=3))
    )
    wait_paths(page, AREA_STROKE, len(three))
    page.wait_for_timeout(600)
    assert_apart(page.evaluate(LAYOUT, PAGE_MAP)["wards"])

    # a click on the area nearest the top opens its popup clear of the title box (its
    # first line, "Area N", was under the title), the legend giving way while it is open
    # (it covered the popup's last line)
    popup, title_box = open_top_popup(page, frame, ".public-title", ".public-legend")
    assert popup["top"] >= title_box["bottom"], (popup, title_box)

    assert failed == []
    assert remote == []
    page.close()

"""The staff postbox map in headless Chromium: the next site's tag, and the wards beside the boxes.

Opens the map page the Patrol panel shows (:attr:`geo.postbox.PostboxOutputs.map_html`)
as a file, at the widths the panel gets; fails, never skips, without Chromium.
"""

from __future__ import annotations

import pytest

from geo import postbox as pb
from geo.pipeline import run_files
from tests.browser_support import chromium

pytestmark = pytest.mark.browser

#: The label's box, the map's box and the label's text, in the map page's pixels.
LABEL = """() => {
    const box = (el) => {
        const r = el.getBoundingClientRect();
        return {left: r.left, top: r.top, right: r.right, bottom: r.bottom};
    };
    const label = document.querySelector(".postbox-next");
    const boxes = [...document.querySelectorAll(
        ".postbox-legend, .hotspot-legend, .leaflet-control-layers")].map(box);
    const hit = (a, r) =>
        a.left < r.right && r.left < a.right && a.top < r.bottom && r.top < a.bottom;
    // the text of the ward names shown (a name a box would cover is moved or hidden; the
    // name's element is wider than its text)
    const text = (el) => { const r = document.createRange(); r.selectNodeContents(el); return r; };
    const wards = [...document.querySelectorAll(".ward-label")]
        .filter((w) => getComputedStyle(w).visibility !== "hidden" && w.offsetParent)
        .map((w) => box(text(w)));
    return {
        label: box(label.closest(".leaflet-tooltip")),
        map: box(document.querySelector(".leaflet-container")),
        text: label.textContent,
        legend: document.querySelector(".postbox-legend div:nth-child(2)").textContent,
        boxes: boxes,
        wards_covered: wards.filter((w) => boxes.some((r) => hit(w, r))).length,
        // ward names over the plan's week numbers ("Bla[2]kbird Leys")
        weeks_covered: wards.filter((w) => [...document.querySelectorAll(".postbox-week")]
            .map(box).some((r) => hit(w, r))).length,
    };
}"""


def hit(a: dict, r: dict) -> bool:
    return (
        a["left"] < r["right"]
        and r["left"] < a["right"]
        and a["top"] < r["bottom"]
        and r["top"] < a["bottom"]
    )


def test_next_site_tag_and_the_wards_clear_of_the_boxes_on_a_narrow_map(tmp_path):
    out = pb.postbox_outputs(run_files())
    nxt = pb.next_site(out.ranked, out.plan)
    assert nxt is not None
    page_file = tmp_path / "postbox.html"
    page_file.write_text(out.map_html, encoding="utf-8")
    with chromium() as browser:
        for width in (1300, 800, 560):
            page = browser.new_page(viewport={"width": width, "height": 520})
            page.goto(page_file.as_uri())
            page.locator(".postbox-next").wait_for()
            page.wait_for_timeout(400)  # the first fit of the map
            got = page.evaluate(LABEL)
            page.close()
            assert got["text"] == "Next"
            assert got["legend"].startswith(f"Next site: {nxt[pb.NAME]}, and the")
            # the tag is not under a legend, and the wards are fitted beside the boxes
            assert not any(hit(got["label"], box) for box in got["boxes"]), (width, got)
            assert got["wards_covered"] == 0, (width, got)
            assert got["weeks_covered"] == 0, (width, got)
            label, m = got["label"], got["map"]
            assert label["left"] >= m["left"] and label["right"] <= m["right"], (width, got)
            assert label["top"] >= m["top"] and label["bottom"] <= m["bottom"], (width, got)

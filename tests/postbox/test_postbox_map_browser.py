"""The staff postbox map in headless Chromium: the next site's label is whole on a narrow map.

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
    return {
        label: box(label.closest(".leaflet-tooltip")),
        map: box(document.querySelector(".leaflet-container")),
        text: label.textContent,
    };
}"""


def test_next_site_label_is_whole_inside_a_narrow_map(tmp_path):
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
            assert got["text"] == f"Next: {nxt[pb.NAME]}"
            label, m = got["label"], got["map"]
            assert label["left"] >= m["left"] and label["right"] <= m["right"], (width, got)
            assert label["top"] >= m["top"] and label["bottom"] <= m["bottom"], (width, got)

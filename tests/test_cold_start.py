"""A cold server in headless Chromium: the title and a loading message come first, fast.

Starts a fresh ``streamlit run app.py`` (nothing of :mod:`geo` imported yet), opens ``/`` and
records how long the Meeting page's title and then its map take to appear. Both figures are
printed (run with ``-s`` to see them); the title must come within :data:`TITLE_BOUND_S`, a
generous bound since test machines vary (measured figures: README, "Cold start").
"""

from __future__ import annotations

import time

import pytest

from tests.browser_support import chromium, running_server

pytestmark = pytest.mark.browser

HEADING = "Where problems concentrate in South East Oxford"
WARD_STROKE = "#2b4a6f"  # the ward outlines of the meeting map
N_WARDS = 7
#: The title must be visible this many seconds after the address is opened.
TITLE_BOUND_S = 5.0


def test_cold_server_paints_the_title_and_a_loading_message_first(tmp_path):
    log_path = tmp_path / "streamlit.log"
    with running_server(log_path) as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1024, "height": 768})
        t0 = time.monotonic()
        page.goto(url + "/", wait_until="commit")
        page.get_by_role("heading", name=HEADING).first.wait_for(timeout=120_000)
        title_s = time.monotonic() - t0
        page.get_by_text("Loading the map tools").first.wait_for(timeout=10_000)
        loading_s = time.monotonic() - t0
        page.wait_for_function(
            """([stroke, n]) => {
                const f = document.querySelector("iframe[srcdoc]");
                const d = f && f.contentDocument;
                if (!d) return false;
                const sel = `path.leaflet-interactive[stroke="${stroke}"]`;
                return d.querySelectorAll(sel).length === n;
            }""",
            arg=[WARD_STROKE, N_WARDS],
            timeout=240_000,
            polling=100,
        )
        map_s = time.monotonic() - t0
    print(
        f"\ncold start: title after {title_s:.1f} s, loading message after {loading_s:.1f} s, "
        f"map drawn after {map_s:.1f} s"
    )
    assert title_s < TITLE_BOUND_S, f"title after {title_s:.1f} s"
    assert loading_s < TITLE_BOUND_S, f"loading message after {loading_s:.1f} s"
    assert map_s > loading_s

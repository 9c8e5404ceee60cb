"""A cold server in headless Chromium: the title and a loading message come first, fast.

Starts a fresh ``streamlit run app.py`` (nothing of :mod:`geo` imported yet), opens ``/`` and
records how long the Meeting page's title and then its map take to appear. Both figures are
printed (run with ``-s`` to see them); the title must come within :data:`TITLE_BOUND_S`, a
generous bound since test machines vary (measured figures: README, "Cold start").
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
HEADING = "Where problems concentrate in South East Oxford"
WARD_STROKE = "#2b4a6f"  # the ward outlines of the meeting map
N_WARDS = 7
#: The title must be visible this many seconds after the address is opened.
TITLE_BOUND_S = 5.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, log_path: Path) -> subprocess.Popen[bytes]:
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
    ]
    with log_path.open("wb") as log:
        return subprocess.Popen(cmd, cwd=ROOT, env=dict(os.environ), stdout=log, stderr=log)


def wait_healthy(proc: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    deadline = time.monotonic() + 120
    while True:
        if proc.poll() is not None:
            pytest.fail(f"streamlit exited early:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read() == b"ok":
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"streamlit did not become healthy:\n{log_path.read_text()}")
        time.sleep(0.2)


def test_cold_server_paints_the_title_and_a_loading_message_first(tmp_path):
    assert Path(CHROMIUM).is_file(), f"Debian chromium is required at {CHROMIUM}"
    from playwright.sync_api import sync_playwright

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "streamlit.log"
    proc = start_server(port, log_path)
    try:
        wait_healthy(proc, url, log_path)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
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
            finally:
                browser.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=20)
    print(
        f"\ncold start: title after {title_s:.1f} s, loading message after {loading_s:.1f} s, "
        f"map drawn after {map_s:.1f} s"
    )
    assert title_s < TITLE_BOUND_S, f"title after {title_s:.1f} s"
    assert loading_s < TITLE_BOUND_S, f"loading message after {loading_s:.1f} s"
    assert map_s > loading_s

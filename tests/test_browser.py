"""The real app in headless Chromium: maps draw offline, the eps_m slider redraws the map.

Starts ``streamlit run app.py`` on a free port with a staff password set through the
environment, drives Debian's Chromium with playwright (no browser download), and saves a
screenshot of every page under ``tests/artifacts/``. Fails, never skips, without Chromium.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo import appsupport as aps
from geo import public
from geo.pipeline import run_files
from geo.settings import Settings

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PASSWORD = "browser test staff password"
WARD_STROKE = "#2b4a6f"  # geo.maps.WARD_STYLE
AREA_STROKE = "#7a0019"  # hotspot and public area outlines
N_WARDS = 7
VIEWPORT = {"width": 1400, "height": 2300}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    port = free_port()
    log_path = tmp_path_factory.mktemp("server") / "streamlit.log"
    env = dict(os.environ, HOTSPOTS_STAFF_PASSWORD_HASH=aps.hash_password(PASSWORD, n=2**12))
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
    url = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 120
            while True:
                if proc.poll() is not None:
                    pytest.fail(f"streamlit exited early:\n{log_path.read_text()}")
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                        if r.read() == b"ok":
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"streamlit did not become healthy:\n{log_path.read_text()}")
                time.sleep(0.5)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    # never skip: a missing Chromium is a failure of this machine's setup
    assert Path(CHROMIUM).is_file(), (
        f"Debian chromium is required at {CHROMIUM} (apt-get install chromium); "
        "the browser test fails rather than skips without it"
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


class Watched:
    """A page whose failed and off-machine requests are recorded."""

    def __init__(self, browser, base: str) -> None:
        self.page = browser.new_page(viewport=VIEWPORT)
        self.failed: list[str] = []
        self.remote: list[str] = []
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.url} {r.failure}"))

        def check(r) -> None:
            if not r.url.startswith((base, "data:", "blob:", "about:")):
                self.remote.append(r.url)

        self.page.on("request", check)

    def assert_clean(self) -> None:
        assert self.failed == []
        assert self.remote == []


def wait_idle(page, timeout_ms: int = 120_000) -> None:
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout_ms
    )


def wait_paths(page, stroke: str, n: int, timeout_ms: int = 60_000) -> None:
    """Wait until the map iframe has drawn exactly ``n`` interactive paths with ``stroke``."""
    page.wait_for_function(
        """([stroke, n]) => {
            const f = document.querySelector('iframe[srcdoc]');
            const d = f && f.contentDocument;
            if (!d) return false;
            return d.querySelectorAll(`path.leaflet-interactive[stroke="${stroke}"]`).length === n;
        }""",
        arg=[stroke, n],
        timeout=timeout_ms,
    )


def count_paths(page, stroke: str) -> int:
    frame = page.frame_locator("iframe[srcdoc]").first
    return int(frame.locator(f'path.leaflet-interactive[stroke="{stroke}"]').count())


def sign_in(page) -> None:
    page.get_by_label("Staff password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def shot(page, name: str, height: int) -> Path:
    """Screenshot of the top ``height`` pixels once the map has stopped zooming."""
    page.wait_for_function(
        """() => {
            const f = document.querySelector('iframe[srcdoc]');
            const d = f && f.contentDocument;
            return !d || !d.querySelector('.leaflet-zoom-anim');
        }"""
    )
    page.wait_for_timeout(600)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(
        path=str(path), clip={"x": 0, "y": 0, "width": VIEWPORT["width"], "height": height}
    )
    return path


def test_meeting_page_draws_wards_and_public_areas_offline(server, browser):
    w = Watched(browser, server)
    page = w.page
    page.goto(server)
    wait_idle(page)
    expected = public.public_view(
        run_files(settings=aps.window_settings(Settings(), last_month="2018-11", months=6))
    )
    wait_paths(page, WARD_STROKE, N_WARDS)
    wait_paths(page, AREA_STROKE, len(expected))
    frame = page.frame_locator("iframe[srcdoc]").first
    assert frame.locator(".ward-label").count() == N_WARDS
    assert frame.locator(".leaflet-marker-icon:not(.ward-label-icon)").count() == 0
    assert frame.locator(".leaflet-tile").count() == 0  # no tile server needed
    # a meeting-page control redraws the map
    page.get_by_text("Last 3 months").click()
    wait_idle(page)
    three = public.public_view(
        run_files(settings=aps.window_settings(Settings(), last_month="2018-11", months=3))
    )
    wait_paths(page, AREA_STROKE, len(three))
    page.get_by_text("Last 6 months").click()
    wait_idle(page)
    wait_paths(page, AREA_STROKE, len(expected))
    assert shot(page, "meeting.png", 2050).stat().st_size > 10_000
    w.assert_clean()


def test_eps_slider_redraws_the_staff_map(server, browser):
    w = Watched(browser, server)
    page = w.page
    page.goto(f"{server}/?page=analyst")
    wait_idle(page)
    sign_in(page)
    page.get_by_role("heading", name="Tune the clustering").wait_for(timeout=120_000)
    wait_idle(page)
    before = len(run_files().hotspots)
    wait_paths(page, WARD_STROKE, N_WARDS)
    wait_paths(page, AREA_STROKE, before)
    # one keyboard step of the slider: the default eps_m -> 5 m more
    default = Settings().eps_m
    target = default + 5.0
    after = len(run_files(settings=Settings(eps_m=target)).hotspots)
    assert after != before
    thumb = page.locator("input[type=range][aria-label^='eps_m']")
    assert thumb.input_value() == f"{default:g}"
    timings = []
    # the first step computes a new run; stepping back and forth again is served from the cache
    steps = (("ArrowRight", target, after), ("ArrowLeft", default, before)) * 2
    for key, value, n_expected in steps:
        thumb.focus()
        start = time.perf_counter()
        thumb.press(key)
        wait_paths(page, AREA_STROKE, n_expected)
        timings.append(time.perf_counter() - start)
        wait_idle(page)
        assert thumb.input_value() == f"{value:g}"
    assert count_paths(page, AREA_STROKE) == before
    print(
        "eps_m slider redraw (key press to new map drawn; first uncached, then cached): "
        + ", ".join(f"{t:.2f} s" for t in timings)
    )
    assert shot(page, "analyst.png", 2300).stat().st_size > 10_000
    w.assert_clean()


def test_patrol_and_data_pages_render(server, browser):
    w = Watched(browser, server)
    page = w.page
    page.goto(f"{server}/?page=patrol")
    wait_idle(page)
    assert page.get_by_text("Patrol: staff only").count() == 1
    sign_in(page)
    page.get_by_role("heading", name="Patrol planning").wait_for(timeout=120_000)
    wait_idle(page)
    expected = run_files(settings=aps.window_settings(Settings(), last_month="2018-11", months=3))
    wait_paths(page, AREA_STROKE, len(expected.hotspots))
    assert shot(page, "patrol.png", 1900).stat().st_size > 10_000
    page.goto(f"{server}/?page=data")
    wait_idle(page)
    page.get_by_text("3,707 rows read = 3,697 used + 10 set aside").wait_for()
    page.get_by_text("Use other data (upload files)").click()
    page.get_by_text("Incident CSV files").wait_for()
    assert shot(page, "data.png", 1150).stat().st_size > 10_000
    w.assert_clean()

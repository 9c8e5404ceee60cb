"""Shared pieces of the browser tests: Debian's Chromium, the real server, health polling.

Every browser test drives ``/usr/bin/chromium`` through playwright (no browser download)
with the flags this project's machines need, and fails, never skips, when it is missing.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
#: How long a starting server may take to answer its health check.
HEALTH_TIMEOUT_S = 120.0


def free_port() -> int:
    """A free TCP port on the loopback address."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    port: int, log_path: Path, env: Mapping[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """``streamlit run app.py`` on ``port`` (headless, no file watcher), output to ``log_path``."""
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
        return subprocess.Popen(
            cmd, cwd=ROOT, env=dict(env or os.environ), stdout=log, stderr=subprocess.STDOUT
        )


def wait_healthy(proc: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    """Poll ``/_stcore/health`` until it answers ``ok``; fail with the server log otherwise."""
    deadline = time.monotonic() + HEALTH_TIMEOUT_S
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
        time.sleep(0.5)


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    """Terminate the server, killing it if it does not stop within 20 s."""
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=20)


@contextmanager
def running_server(log_path: Path, env: Mapping[str, str] | None = None) -> Iterator[str]:
    """A healthy server for the duration of the block; yields its base URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start_server(port, log_path, env)
    try:
        wait_healthy(proc, url, log_path)
        yield url
    finally:
        stop_server(proc)


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's headless Chromium through playwright; a missing binary fails the test."""
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

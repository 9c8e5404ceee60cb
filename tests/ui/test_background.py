"""The background worker runs one job at a time and only the newest waiting job."""

from __future__ import annotations

import threading

from ui.background import LatestJobWorker


def test_a_newer_waiting_job_replaces_an_older_one():
    worker = LatestJobWorker("test-worker")
    release = threading.Event()
    started = threading.Event()
    ran: list[str] = []

    def first() -> None:
        started.set()
        release.wait(10)
        ran.append("first")

    worker.submit(first)
    assert started.wait(10)
    worker.submit(lambda: ran.append("second"))  # waiting...
    worker.submit(lambda: ran.append("third"))  # ...replaced by this one
    assert [t.name for t in threading.enumerate()].count("test-worker") == 1
    release.set()
    assert worker.wait(10)
    assert ran == ["first", "third"]
    # idle again: the next job starts a new thread
    worker.submit(lambda: ran.append("fourth"))
    assert worker.wait(10)
    assert ran == ["first", "third", "fourth"]
    assert "test-worker" not in [t.name for t in threading.enumerate()]


def test_jobs_never_overlap():
    worker = LatestJobWorker("test-overlap")
    busy = threading.Lock()
    overlaps: list[int] = []
    done = threading.Event()

    def job() -> None:
        if not busy.acquire(blocking=False):
            overlaps.append(1)
            return
        try:
            threading.Event().wait(0.01)
        finally:
            busy.release()

    for _ in range(20):
        worker.submit(job)
    worker.submit(done.set)
    assert worker.wait(10)
    assert done.is_set() and overlaps == []

"""One background worker whose newest waiting job replaces any older waiting job."""

from __future__ import annotations

import threading
from collections.abc import Callable


class LatestJobWorker:
    """Runs jobs one at a time on a daemon thread; a job still waiting is replaced by a newer one.

    For work ahead of a user (such as computing the next slider positions): when requests
    come faster than they are done, only the latest is worth doing, and nothing piles up.
    The thread exists only while there is work; jobs report their own failures.

    Parameters
    ----------
    name
        Name of the worker thread (shown in logs and thread listings).

    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._lock = threading.Lock()
        self._pending: Callable[[], None] | None = None
        self._thread: threading.Thread | None = None

    def submit(self, job: Callable[[], None]) -> None:
        """Run ``job`` after the one running now, replacing any job still waiting."""
        with self._lock:
            self._pending = job
            if self._thread is not None:
                return
            self._thread = threading.Thread(target=self._drain, name=self.name, daemon=True)
            self._thread.start()

    def wait(self, timeout_s: float | None = None) -> bool:
        """Wait until no job is running or waiting; False if ``timeout_s`` ran out first."""
        with self._lock:
            thread = self._thread
        if thread is None:
            return True
        thread.join(timeout_s)
        return not thread.is_alive()

    def _drain(self) -> None:
        while True:
            with self._lock:
                job, self._pending = self._pending, None
                if job is None:
                    self._thread = None
                    return
            job()

"""First paint before the heavy work: the page title and a loading message come first.

On a cold server, importing :mod:`geo` (geopandas, scikit-learn, folium, ...) and preparing
the shipped data take tens of seconds. The entry point imports only Streamlit and this module;
:func:`first_paint` draws the page's title and a loading message, while one background
thread per server process imports the heavy modules and prepares the shipped data with the
default settings (filling the same caches the pages read). Later sessions find it done.
"""

from __future__ import annotations

import importlib
import logging
import threading

import streamlit as st

log = logging.getLogger("hotspots.app")

#: Imported by the warm-up thread, in this order, before any page runs.
HEAVY_MODULES: tuple[str, ...] = (
    "geo",
    "geo.maps",
    "geo.public",
    "geo.staff",
    "ui.cache",
    "ui.gate",
    "ui.postbox",
)
# Not ``ui.staff_map``: a custom component (streamlit-folium) must be declared by the script
# thread, or its files are not served.
#: Shown under the title while the warm-up runs.
LOADING = (
    "Loading the map tools and the incidents… The first opening after the app starts takes "
    "up to a minute; later visits open at once."
)


class WarmUp:
    """The server's one warm-up: heavy imports, then the shipped data prepared and cached."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the warm-up thread unless it was started before (in this process)."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="warm-up", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        try:
            for name in HEAVY_MODULES:
                importlib.import_module(name)
            prepare_shipped_data()
        except Exception:  # only a head start is lost: the page does the work and reports it
            log.exception("warming up failed")
        finally:
            self.done.set()


def prepare_shipped_data() -> None:
    """Read and prepare the shipped data with the default settings, into the app's cache.

    The same call as :func:`ui.cache.data_months` makes for a session that has not changed
    the data or the settings, so the first page finds the prepared incidents cached.
    """
    from geo.prepare import preparation_settings
    from geo.settings import Settings
    from geo.source import DataSource
    from ui import cache

    src = DataSource.shipped()
    unfiltered = preparation_settings(Settings().replace(since=None, until=None, include=()))
    cache.prepared(src.key, unfiltered.cache_key(), src, unfiltered)


#: One per server process (a module is imported once), shared by every session.
WARM_UP = WarmUp()


def first_paint(heading: str, *, timeout_s: float = 600.0) -> None:
    """Draw ``heading`` and :data:`LOADING` until the warm-up is done; nothing once it is.

    The title and message go into one placeholder that is emptied afterwards, so the page
    then draws itself as usual (its own title in the same place).
    """
    WARM_UP.start()
    if WARM_UP.done.is_set():
        return
    holder = st.empty()
    with holder.container():
        st.title(heading)
        with st.spinner(LOADING, show_time=True):
            WARM_UP.done.wait(timeout_s)
    holder.empty()

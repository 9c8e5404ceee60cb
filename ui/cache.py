"""Cached loading, preparation and runs, keyed on values: the source's key and the settings'.

Each function takes the hashable keys (:attr:`geo.source.DataSource.key`,
:meth:`geo.settings.Settings.cache_key`) that Streamlit hashes, and the values themselves as
``_``-prefixed arguments that it does not hash. The composition is :mod:`geo`'s own:
:func:`geo.source.load_source` → :func:`geo.prepare.prepare_incidents` →
:func:`geo.pipeline.cluster_prepared`, the stages :func:`geo.pipeline.run_source` runs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable

import streamlit as st

from geo import columns as c
from geo.pipeline import cluster_prepared
from geo.prepare import Prepared, preparation_settings, prepare_incidents
from geo.result import PipelineResult
from geo.settings import Settings
from geo.source import DataSource, LoadedSource, load_source
from geo.staff import window_trends
from ui import state


@st.cache_data(show_spinner=False, max_entries=6)
def load(key: str, _source: DataSource) -> LoadedSource:
    """Raw incident rows, ward polygons and file names of ``_source`` (``key`` = its key)."""
    return load_source(_source)


@st.cache_resource(show_spinner=False, max_entries=8)
def prepared(
    key: str, settings_key: Hashable, _source: DataSource, _settings: Settings
) -> Prepared:
    """Checked, filtered, projected, ward-assigned incidents per (source, settings).

    Called with :func:`geo.prepare.preparation_settings` only, so moving a clustering slider
    reuses them and only clustering runs again. Shared read-only: ``cluster_prepared`` never
    changes it.
    """
    raw, wards, inputs = load(key, _source)
    return prepare_incidents(raw, wards, _settings, inputs=inputs)


@st.cache_resource(show_spinner=False, max_entries=24)
def run(
    key: str, settings_key: Hashable, _source: DataSource, _settings: Settings
) -> PipelineResult:
    """One pipeline run per (source, settings), shared read-only between reruns.

    A resource cache rather than ``st.cache_data``: unpickling four GeoDataFrames on every
    rerun costs ~0.1 s each; nothing in this app modifies a result (pandas copy-on-write
    protects derived frames). Each result holds its own copy of the used incidents, hence
    the modest number of entries (a large upload costs some hundreds of megabytes a result).
    """
    prep = preparation_settings(_settings)
    return cluster_prepared(prepared(key, prep.cache_key(), _source, prep), _settings)


def result(settings: Settings, source: DataSource | None = None) -> PipelineResult:
    """Run (or fetch from the cache) the pipeline on ``source`` (default: the data in use)."""
    src = source or state.data_source()
    return run(src.key, settings.cache_key(), src, settings)


@st.cache_resource(show_spinner=False, max_entries=12)
def window_run(
    key: str, settings_key: Hashable, _source: DataSource, _settings: Settings
) -> tuple[PipelineResult, bool]:
    """:func:`run` of a month window, with each hotspot's trend over the whole window.

    ``(result, True)`` with the hotspots' trends from :func:`geo.staff.window_trends` (the
    window against as many months before it, read from the prepared incidents of every
    month) when the data reaches back that far; otherwise ``(result, False)``, the trends
    inside the window as the run made them.
    """
    window = run(key, settings_key, _source, _settings)
    if _settings.since is None or _settings.until is None:
        return window, False
    every = preparation_settings(_settings.replace(since=None, until=None))
    full = prepared(key, every.cache_key(), _source, every)
    trends = window_trends(
        window.hotspots, full.incidents, since=str(_settings.since), until=str(_settings.until)
    )
    if trends is None:
        return window, False
    return dataclasses.replace(window, hotspots=trends), True


def window_result(
    settings: Settings, source: DataSource | None = None
) -> tuple[PipelineResult, bool]:
    """:func:`window_run` on ``source`` (default: the data in use)."""
    src = source or state.data_source()
    return window_run(src.key, settings.cache_key(), src, settings)


def loaded(source: DataSource | None = None) -> LoadedSource:
    """The raw rows and wards of ``source`` (default: the data in use), cached."""
    src = source or state.data_source()
    return load(src.key, src)


def data_months(settings: Settings) -> list[str]:
    """Months present in the data in use (every category, no month filter).

    Read from the prepared incidents, with the month and category filters lifted: no
    clustering is needed, and every position of the clustering sliders shares them.
    """
    src = state.data_source()
    unfiltered = preparation_settings(settings.replace(since=None, until=None, include=()))
    prep = prepared(src.key, unfiltered.cache_key(), src, unfiltered)
    return sorted(set(prep.incidents[c.MONTH].astype(str)))

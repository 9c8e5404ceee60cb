"""The one composition of the stages: load → validate → project → wards → cluster → hotspots."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj

from geo import columns as c
from geo.cluster import cluster_incidents
from geo.hotspots import label_incidents, summarise_hotspots
from geo.io import CsvSource
from geo.places import with_places
from geo.prepare import (
    CLUSTERING_FIELDS,
    Prepared,
    preparation_settings,
    prepare_incidents,
    release_memory,
)
from geo.progress import ProgressFn
from geo.result import Counts, PipelineResult
from geo.settings import Settings
from geo.source import DataSource, load_source
from geo.validate_wards import check_ward_overrides

# Counts and PipelineResult live in geo.result and the preparation stage in geo.prepare; both
# are re-exported here so ``from geo.pipeline import ...`` keeps working.
__all__ = [
    "cluster_prepared",
    "run_files",
    "run_pipeline",
    "run_source",
]


def cluster_prepared(
    prepared: Prepared,
    settings: Settings | None = None,
    *,
    progress: ProgressFn | None = None,
) -> PipelineResult:
    """Run cluster → hotspots on prepared incidents, leaving ``prepared`` unchanged.

    Parameters
    ----------
    prepared
        From :func:`~geo.prepare.prepare_incidents`. Nothing in it is modified, so one value
        can serve any number of runs. A caller that hands over its only reference (as
        :func:`run_pipeline` does) gets the incidents' memory back once they are clustered.
    settings
        Defaults to ``prepared.settings``. Only the fields in
        :data:`~geo.prepare.CLUSTERING_FIELDS` may differ from ``prepared.settings``.
    progress
        Called as ``progress(message, fraction_done)``, fractions 0.45 to 1.0 (the share of
        a whole :func:`run_pipeline` run).

    Returns
    -------
    PipelineResult
        As :func:`run_pipeline` with ``settings`` would give it; every frame in it is new
        (none is shared with ``prepared``).

    Raises
    ------
    ValueError
        When ``settings`` differs from ``prepared.settings`` in a field that preparation
        uses (the result would not be what those settings ask for).
    ValidationError
        When ``settings.ward_overrides`` names a ward the boundaries do not have.

    """
    settings = settings or prepared.settings
    _check_same_preparation(prepared.settings, settings)
    check_ward_overrides(settings.ward_overrides, prepared.wards)
    report = progress or (lambda _m, _f: None)
    crs = prepared.crs
    metric_wards = prepared.wards
    invalid, outside, filtered_out = prepared.invalid, prepared.outside_wards, prepared.filtered_out
    rows_read, notes, inputs = prepared.rows_read, prepared.notes, prepared.inputs

    def cluster_progress(msg: str, frac: float) -> None:
        report(msg, 0.45 + 0.45 * frac)

    report("Clustering incidents", 0.45)
    clustered = cluster_incidents(
        prepared.incidents,
        settings,
        months=prepared.months_clustered,
        progress=cluster_progress,
    )
    # the caller's reference (if any) keeps the prepared incidents; otherwise they go now
    del prepared
    release_memory()
    report("Summarising hotspots", 0.92)
    hotspots = summarise_hotspots(clustered, metric_wards, settings)
    incidents = label_incidents(clustered, hotspots)
    del clustered
    hotspots = with_places(hotspots, incidents)  # "place" right after "ward_name"
    rejected = _in_file_order(pd.concat([invalid, outside, filtered_out], ignore_index=True))
    n_clustered = int((incidents[c.CLUSTER].to_numpy() >= 0).sum())
    counts = Counts(
        rows_read=rows_read,
        invalid=len(invalid),
        outside_wards=len(outside),
        filtered=len(filtered_out),
        clustered=n_clustered,
        noise=len(incidents) - n_clustered,
        hotspots=len(hotspots),
    )
    report("Done", 1.0)
    return PipelineResult(
        settings=settings,
        crs=pyproj.CRS(crs),
        wards=metric_wards.copy(),
        incidents=incidents,
        rejected=rejected,
        hotspots=hotspots,
        counts=counts,
        notes=list(notes),
        inputs=copy.deepcopy(dict(inputs)),
    )


def run_pipeline(
    raw: pd.DataFrame,
    wards: gpd.GeoDataFrame,
    settings: Settings | None = None,
    *,
    progress: ProgressFn | None = None,
    inputs: dict[str, Any] | None = None,
) -> PipelineResult:
    """Run validate → filter → project → assign wards → cluster → hotspots on loaded data.

    The same as :func:`cluster_prepared` on :func:`~geo.prepare.prepare_incidents`; call those
    two directly to rerun only the clustering when a :data:`~geo.prepare.CLUSTERING_FIELDS`
    setting changes.

    Parameters
    ----------
    raw
        Raw incident rows (:data:`geo.columns.RAW_COLUMNS`, from :func:`geo.io.load_incidents`).
    wards
        ``ward_code``, ``ward_name``, ``geometry`` in any CRS (from
        :func:`geo.io.load_boundaries`).
    settings
        Defaults to ``Settings()``.
    progress
        Called as ``progress(message, fraction_done)``.

    Returns
    -------
    PipelineResult

    """
    settings = settings or Settings()
    # hand on the only references (to the raw rows, then to the prepared incidents), so
    # each is freed as soon as the stage after it has what it needs
    held = [raw]
    del raw
    return cluster_prepared(
        prepare_incidents(held.pop(), wards, settings, progress=progress, inputs=inputs),
        settings,
        progress=progress,
    )


def run_source(
    source: DataSource | None = None,
    settings: Settings | None = None,
    *,
    progress: ProgressFn | None = None,
) -> PipelineResult:
    """Load a data source (:func:`geo.source.load_source`) and run :func:`run_pipeline`.

    The one path from files to a result, shared by :func:`run_files`, the command line and
    the app (which caches the loading and preparation stages on the source's key).

    Parameters
    ----------
    source
        The incident and boundary files; default the shipped data.
    settings
        Defaults to ``Settings()``.
    progress
        Called as ``progress(message, fraction_done)``.

    Returns
    -------
    PipelineResult

    """
    if progress:
        progress("Reading incident files", 0.0)
    loaded = [load_source(source or DataSource.shipped())]
    wards, inputs = loaded[0].wards, loaded[0].inputs
    # pass on the only reference, so the raw rows are freed once they are validated
    return run_pipeline(loaded.pop().raw, wards, settings, progress=progress, inputs=inputs)


def run_files(
    incident_sources: Sequence[CsvSource] | None = None,
    boundaries: str | Path | tuple[str, bytes] | None = None,
    settings: Settings | None = None,
    *,
    code_col: str | None = None,
    name_col: str | None = None,
    progress: ProgressFn | None = None,
) -> PipelineResult:
    """Load files (the shipped data by default) and run :func:`run_pipeline`.

    :func:`run_source` on :meth:`DataSource.from_files <geo.source.DataSource.from_files>`.

    Parameters
    ----------
    incident_sources
        CSV files, folders or ``(name, bytes)`` uploads; default :data:`DEFAULT_INCIDENTS`.
    boundaries
        Ward boundary file; default :data:`DEFAULT_BOUNDARIES`.
    code_col, name_col
        Ward code/name columns when not ONS ``WDyyCD``/``WDyyNM``.

    """
    source = DataSource.from_files(
        incident_sources, boundaries, code_col=code_col, name_col=name_col
    )
    return run_source(source, settings, progress=progress)


def _in_file_order(rejected: pd.DataFrame) -> pd.DataFrame:
    """Rejected rows sorted by ``source_file`` then ``row`` (stable), index renumbered.

    ``sort_values([source_file, row], kind="stable")`` on integer keys: each distinct file
    name is ranked once rather than compared row by row.
    """
    files, _ = pd.factorize(rejected[c.SOURCE_FILE], sort=True, use_na_sentinel=False)
    order = np.lexsort((rejected[c.ROW].to_numpy(), files))
    return rejected.take(order).reset_index(drop=True)


def _check_same_preparation(prepared_with: Settings, settings: Settings) -> None:
    """Raise ``ValueError`` unless both settings prepare incidents the same way."""
    before, now = preparation_settings(prepared_with), preparation_settings(settings)
    if before == now:
        return
    differ = [
        f.name
        for f in dataclasses.fields(Settings)
        if getattr(before, f.name) != getattr(now, f.name)
    ]
    raise ValueError(
        "The settings differ from those the incidents were prepared with in "
        f"{', '.join(differ)}; prepare the incidents again with these settings (only "
        f"{', '.join(CLUSTERING_FIELDS)} can change between clustering runs)."
    )

"""The preparation stage: validate → filter → project → assign wards, before clustering."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow
import pyproj

from geo import columns as c
from geo.filters import apply_filters
from geo.io import set_aside_rows
from geo.io.sources import READ_NOTES
from geo.progress import ProgressFn
from geo.project import choose_metric_crs, project_incidents, project_wards, wgs84_bounds
from geo.settings import Settings, months_spanned
from geo.validate import validate_incidents
from geo.validate_wards import validate_wards
from geo.wards import assign_wards

__all__ = [
    "CLUSTERING_FIELDS",
    "Prepared",
    "StudyWards",
    "preparation_settings",
    "prepare_incidents",
    "prepare_wards",
    "window_months",
]

#: Called as ``progress(message, fraction_done)``, ``fraction_done`` from 0 to 1.

#: Settings fields read only by clustering and the hotspot summaries (geo/cluster.py via
#: ``Settings.params_for``; geo/hotspots.py). Every other field is read while preparing the
#: incidents (categories, aliases and weights in geo/validate.py ``validate_incidents``;
#: since/until/include in ``apply_filters``), so a change to it needs a new preparation.
#: (The summaries also read ``categories``, for labels and column order: a preparation
#: field, so it is the same in both stages.)
CLUSTERING_FIELDS: tuple[str, ...] = (
    "eps_m",
    "min_samples",
    "min_samples_per_month",
    "ward_overrides",
    "hull_buffer_m",
    "trend_months",
)
#: Settings fields that no stage of a run reads: they are saved with the settings for the
#: views that use them (``public_min_count``: the meeting view's minimum count).
VIEW_FIELDS: tuple[str, ...] = ("public_min_count",)


@dataclass(frozen=True, eq=False)
class Prepared:
    """Incidents checked, filtered, projected and assigned to wards, ready to cluster.

    The expensive part of a run that no clustering setting changes: build it once with
    :func:`prepare_incidents`, then call :func:`~geo.pipeline.cluster_prepared` for each
    ``eps_m``/``min_samples``/``ward_overrides``/``hull_buffer_m``/``trend_months`` to try.
    Treat it as read-only (it may be shared between many runs);
    :func:`~geo.pipeline.cluster_prepared` never changes it. Compared by identity (frames have
    no plain ``==``).

    Attributes
    ----------
    settings
        The settings passed to :func:`prepare_incidents`; only their
        :func:`preparation_settings` part decided what is here.
    crs
        The metric CRS of ``wards`` and ``incidents``.
    wards
        ``ward_code`` (str), ``ward_name`` (str), ``geometry`` (Polygon/MultiPolygon, metric
        CRS), sorted by code, repaired and merged as in :func:`geo.validate.validate_wards`.
    incidents
        Incidents that will be clustered, input order kept: :data:`geo.validate.ACCEPTED_COLUMNS`
        (``x``/``y`` float as given in ``xy_crs``, ``date`` datetime64, ``month``
        ``YYYY-MM``, ``category`` key, ``weight`` float), then ``x_m``, ``y_m`` (float, the
        point in metres), ``geometry`` (Point, metres, metric CRS), ``ward_code`` (str),
        ``ward_name`` (str). Holds confidential columns
        (``location``, ``notes``, ``report_source``): staff only.
    invalid, outside_wards, filtered_out
        Rows set aside by validation, for lying outside every ward, and by the
        ``since``/``until``/``include`` filters: ``source_file`` (str), ``row`` (int64),
        ``stage`` (``invalid``/``outside_wards``/``filtered``), ``reason`` (str).
    rows_read
        Raw rows read; equals ``len(incidents)`` plus the three rejected tables.
    notes
        Plain-English notes about the inputs (e.g. repaired ward polygons).
    inputs
        Names of the incident files read and the boundary file.
    data_months
        ``(first, last)`` month (``YYYY-MM``) of the valid incidents before the month and
        category filters (``None`` when there are none): the data's own months.

    """

    settings: Settings
    crs: pyproj.CRS
    wards: gpd.GeoDataFrame
    incidents: gpd.GeoDataFrame
    invalid: pd.DataFrame
    outside_wards: pd.DataFrame
    filtered_out: pd.DataFrame
    rows_read: int
    notes: tuple[str, ...] = ()
    inputs: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    data_months: tuple[str, str] | None = None

    @property
    def months_clustered(self) -> int:
        """Calendar months of the window clustered: the filter's months within the data's.

        ``since``/``until`` where the settings give them, the data's first/last month
        otherwise, each clipped to :attr:`data_months`; at least 1. A ``since = "2010-01"``
        on data from 2018-03 to 2018-11 spans 9 months, not 107. A
        ``min_samples_per_month`` rate is multiplied by this
        (:meth:`geo.settings.Settings.min_samples_for`).
        """
        return window_months(self.data_months, self.settings)

    def __post_init__(self) -> None:
        kept = len(self.incidents)
        set_aside = len(self.invalid) + len(self.outside_wards) + len(self.filtered_out)
        if self.rows_read != kept + set_aside:
            raise AssertionError(
                f"prepared rows do not reconcile: {self.rows_read} read, {kept} kept, "
                f"{set_aside} set aside"
            )


def window_months(data_months: tuple[str, str] | None, settings: Settings) -> int:
    """:attr:`Prepared.months_clustered` for the data's ``(first, last)`` month.

    For runs that prepare their incidents in parts (one per file) and combine the parts'
    :attr:`Prepared.data_months` before clustering.
    """
    if data_months is None:
        return 1
    first, last = data_months
    since = max(first, settings.since) if settings.since else first
    until = min(last, settings.until) if settings.until else last
    return months_spanned(since, until) if since <= until else 1


def preparation_settings(settings: Settings) -> Settings:
    """The part of ``settings`` that :func:`prepare_incidents` uses.

    Parameters
    ----------
    settings
        Any settings.

    Returns
    -------
    Settings
        ``settings`` with every field in :data:`CLUSTERING_FIELDS` and
        :data:`VIEW_FIELDS` reset to its
        ``Settings()`` default. Two settings with equal preparation settings give the same
        :class:`Prepared`, so ``preparation_settings(s).to_toml()`` serves as a cache key
        (``Settings`` itself is not hashable).

    """
    defaults = Settings()
    reset = (*CLUSTERING_FIELDS, *VIEW_FIELDS)
    return settings.replace(**{name: getattr(defaults, name) for name in reset})


class StudyWards(NamedTuple):
    """Ward boundaries checked and projected once, for a run prepared in parts.

    From :func:`prepare_wards`; :func:`prepare_incidents` takes it in place of the
    boundaries, so parts of one run (e.g. one per incident file) share the work.

    Attributes
    ----------
    bounds
        ``(min_lon, min_lat, max_lon, max_lat)`` of the checked wards.
    crs
        The metric CRS chosen for them.
    metric
        The checked wards (see :attr:`Prepared.wards`) in ``crs``.
    notes
        What checking the wards repaired or merged.

    """

    bounds: tuple[float, float, float, float]
    crs: pyproj.CRS
    metric: gpd.GeoDataFrame
    notes: tuple[str, ...]


def prepare_wards(wards: gpd.GeoDataFrame) -> StudyWards:
    """Check the ward boundaries and project them to the metric CRS of their extent.

    Parameters
    ----------
    wards
        ``ward_code``, ``ward_name``, ``geometry`` in any CRS.

    Returns
    -------
    StudyWards

    Raises
    ------
    ValidationError
        When a ward has an empty or non-polygonal geometry, or no wards remain.

    """
    ward_check = validate_wards(wards)
    bounds = wgs84_bounds(ward_check.wards)
    crs = _metric_crs(bounds)
    return StudyWards(bounds, crs, project_wards(ward_check.wards, crs), tuple(ward_check.notes))


def prepare_incidents(
    raw: pd.DataFrame,
    wards: gpd.GeoDataFrame | StudyWards,
    settings: Settings | None = None,
    *,
    progress: ProgressFn | None = None,
    inputs: dict[str, Any] | None = None,
) -> Prepared:
    """Run validate → filter → project → assign wards: everything before clustering.

    Parameters
    ----------
    raw
        Raw incident rows (:data:`geo.columns.RAW_COLUMNS`, from :func:`geo.io.load_incidents`).
        Not changed; a caller that hands over its only reference (``prepare_incidents(
        frames.pop(), ...)``) gets its memory back once the rows are validated.
    wards
        ``ward_code``, ``ward_name``, ``geometry`` in any CRS (from
        :func:`geo.io.load_boundaries`), or those boundaries already through
        :func:`prepare_wards`.
    settings
        Defaults to ``Settings()``. Only :func:`preparation_settings` of it is used here
        (categories, aliases, weights, ``since``/``until``/``include``).
    progress
        Called as ``progress(message, fraction_done)``, fractions 0.05 to 0.4 (the share of
        a whole :func:`~geo.pipeline.run_pipeline` run).
    inputs
        Names of the input files, kept for the result.

    Returns
    -------
    Prepared

    Raises
    ------
    ValidationError
        When a ward has an empty or non-polygonal geometry, or no wards remain.

    """
    settings = settings or Settings()
    report = progress or (lambda _m, _f: None)
    report("Checking ward boundaries", 0.05)
    area = wards if isinstance(wards, StudyWards) else prepare_wards(wards)
    lon_lat_bounds = area.bounds
    report("Checking incident rows", 0.15)
    read_aside = set_aside_rows(raw)  # archive rows far outside the wards, set aside when read
    rows_read = len(raw) + len(read_aside)
    read_notes = tuple(raw.attrs.get(READ_NOTES, ()))  # inputs given twice, read once
    # Frames are let go as soon as the next stage has what it needs, so a national file
    # (millions of rows) never holds every intermediate copy at once; a caller that hands
    # over its only reference to ``raw`` (as run_files does) gets that memory back too,
    # column by column while the accepted rows are built (see validate_incidents).
    held = [raw]
    del raw
    checked = validate_incidents(held.pop(), settings, expected_bounds=lon_lat_bounds)
    invalid = checked.rejected
    data_months = _month_range(checked.accepted)
    filtered = apply_filters(checked.accepted, settings)
    del checked
    release_memory()
    report("Projecting to metres", 0.3)
    crs = area.crs
    metric_wards = area.metric
    points = project_incidents(filtered.accepted, crs)
    filtered_out = filtered.rejected
    del filtered
    report("Assigning wards", 0.4)
    assigned = assign_wards(points, metric_wards)
    del points
    return Prepared(
        settings=settings,
        crs=pyproj.CRS(crs),
        wards=metric_wards,
        incidents=assigned.accepted,
        invalid=invalid,
        outside_wards=(
            pd.concat([assigned.rejected, read_aside], ignore_index=True)
            if len(read_aside)
            else assigned.rejected
        ),
        filtered_out=filtered_out,
        rows_read=rows_read,
        notes=(*read_notes, *area.notes),
        inputs=MappingProxyType(copy.deepcopy(dict(inputs or {}))),
        data_months=data_months,
    )


def _month_range(incidents: pd.DataFrame) -> tuple[str, str] | None:
    """``(first, last)`` ``month`` of ``incidents``, or ``None`` when there are none."""
    if len(incidents) == 0:
        return None
    months = incidents[c.MONTH].astype(str)
    return str(months.min()), str(months.max())


def release_memory() -> None:
    """Hand memory freed by Arrow-backed text columns back to the operating system.

    pyarrow's allocator keeps freed memory for reuse; after the raw rows are dropped that is
    gigabytes on a national file, which the geometry stages (which allocate elsewhere)
    could not use.
    """
    pyarrow.default_memory_pool().release_unused()


def _metric_crs(bounds: tuple[float, float, float, float]) -> pyproj.CRS:
    """Metric CRS from the wards' extent (every used incident lies in a ward)."""
    return choose_metric_crs(np.array([bounds[0], bounds[2]]), np.array([bounds[1], bounds[3]]))

"""The one composition of the stages: load → validate → project → wards → cluster → hotspots."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow
import pyproj

from geo import columns as c
from geo.cluster import cluster_incidents
from geo.hotspots import label_incidents, summarise_hotspots
from geo.load import CsvSource, load_boundaries, load_incidents
from geo.project import choose_metric_crs, project_incidents, project_wards, wgs84_bounds
from geo.settings import Settings
from geo.validate import apply_filters, summarise_reasons, validate_incidents, validate_wards
from geo.wards import assign_wards

ProgressFn = Callable[[str, float], None]

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
#: Shipped police.uk street-level crime for South East Oxford, March-November 2018.
DEFAULT_INCIDENTS = DATA_DIR / "incidents"
#: Shipped ONS 2013 wards of South East Oxford.
DEFAULT_BOUNDARIES = DATA_DIR / "boundaries" / "se_oxford_wards_WD13.geojson"


@dataclass(frozen=True)
class Counts:
    """How every input row was used.

    ``rows_read == accepted + rejected`` and ``accepted == clustered + noise`` always hold
    (checked when built).
    """

    rows_read: int
    invalid: int
    outside_wards: int
    filtered: int
    clustered: int
    noise: int
    hotspots: int

    @property
    def rejected(self) -> int:
        """Rows set aside for any reason (invalid, outside every ward, filtered out)."""
        return self.invalid + self.outside_wards + self.filtered

    @property
    def accepted(self) -> int:
        """Rows that reached clustering."""
        return self.clustered + self.noise

    def __post_init__(self) -> None:
        if self.rows_read != self.accepted + self.rejected:
            raise AssertionError(f"counts do not reconcile: {self}")

    def as_dict(self) -> dict[str, int]:
        """All counts, including the derived ``accepted`` and ``rejected``."""
        return {
            "rows_read": self.rows_read,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "invalid": self.invalid,
            "outside_wards": self.outside_wards,
            "filtered": self.filtered,
            "clustered": self.clustered,
            "noise": self.noise,
            "hotspots": self.hotspots,
        }

    def sentence(self) -> str:
        """One plain-English line, e.g. for a CLI or a page caption."""
        return (
            f"{self.rows_read:,} rows read = {self.accepted:,} used + {self.rejected:,} set aside "
            f"({self.invalid:,} invalid, {self.outside_wards:,} outside the wards, "
            f"{self.filtered:,} filtered out); {self.accepted:,} used = {self.clustered:,} in "
            f"{self.hotspots:,} hotspots + {self.noise:,} not in any hotspot"
        )


@dataclass(frozen=True)
class PipelineResult:
    """Everything a run produced.

    Attributes
    ----------
    settings
        The settings used.
    crs
        The metric CRS of ``wards``, ``incidents`` and ``hotspots``.
    wards
        ``ward_code``, ``ward_name``, ``geometry`` (metric CRS), sorted by code.
    incidents
        Used incidents: :data:`geo.validate.ACCEPTED_COLUMNS` plus ``geometry`` (Point),
        ``ward_code``, ``ward_name``, ``cluster`` (-1 noise), ``hotspot_id`` ("" noise).
        Holds confidential columns (``location``, ``notes``, ``report_source``): staff only.
    rejected
        ``source_file``, ``row``, ``stage`` (``invalid``/``outside_wards``/``filtered``),
        ``reason``; sorted by file and row.
    hotspots
        See :func:`geo.hotspots.summarise_hotspots`.
    counts
        Reconciled counts.
    notes
        Plain-English notes about the inputs (e.g. repaired ward polygons).
    inputs
        Names of the incident files read and the boundary file.

    """

    settings: Settings
    crs: pyproj.CRS
    wards: gpd.GeoDataFrame
    incidents: gpd.GeoDataFrame
    rejected: pd.DataFrame
    hotspots: gpd.GeoDataFrame
    counts: Counts
    notes: list[str] = field(default_factory=list)
    inputs: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """JSON-ready summary: counts, rejection reasons, settings, inputs, CRS."""
        months = sorted(set(self.incidents[c.MONTH])) if len(self.incidents) else []
        return {
            "counts": self.counts.as_dict(),
            "rejected_by_reason": summarise_reasons(self.rejected).to_dict(orient="records"),
            "months": {
                "first": months[0] if months else None,
                "last": months[-1] if months else None,
            },
            "crs": self.crs.to_string(),
            "inputs": self.inputs,
            "notes": list(self.notes),
            "settings": self.settings.to_dict(),
        }


#: Settings fields read only by clustering and the hotspot summaries (geo/cluster.py via
#: ``Settings.params_for``; geo/hotspots.py). Every other field is read while preparing the
#: incidents (categories, aliases and weights in geo/validate.py ``validate_incidents``;
#: since/until/include in ``apply_filters``), so a change to it needs a new preparation.
#: (The summaries also read ``categories``, for labels and column order: a preparation
#: field, so it is the same in both stages.)
CLUSTERING_FIELDS: tuple[str, ...] = (
    "eps_m",
    "min_samples",
    "ward_overrides",
    "hull_buffer_m",
    "trend_months",
)


@dataclass(frozen=True, eq=False)
class Prepared:
    """Incidents checked, filtered, projected and assigned to wards, ready to cluster.

    The expensive part of a run that no clustering setting changes: build it once with
    :func:`prepare_incidents`, then call :func:`cluster_prepared` for each
    ``eps_m``/``min_samples``/``ward_overrides``/``hull_buffer_m``/``trend_months`` to try.
    Treat it as read-only (it may be shared between many runs); :func:`cluster_prepared`
    never changes it. Compared by identity (frames have no plain ``==``).

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
        ``YYYY-MM``, ``category`` key, ``weight`` float), then ``geometry`` (Point, metres,
        metric CRS), ``ward_code`` (str), ``ward_name`` (str). Holds confidential columns
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

    def __post_init__(self) -> None:
        kept = len(self.incidents)
        set_aside = len(self.invalid) + len(self.outside_wards) + len(self.filtered_out)
        if self.rows_read != kept + set_aside:
            raise AssertionError(
                f"prepared rows do not reconcile: {self.rows_read} read, {kept} kept, "
                f"{set_aside} set aside"
            )


def preparation_settings(settings: Settings) -> Settings:
    """The part of ``settings`` that :func:`prepare_incidents` uses.

    Parameters
    ----------
    settings
        Any settings.

    Returns
    -------
    Settings
        ``settings`` with every field in :data:`CLUSTERING_FIELDS` reset to its
        ``Settings()`` default. Two settings with equal preparation settings give the same
        :class:`Prepared`, so ``preparation_settings(s).to_toml()`` serves as a cache key
        (``Settings`` itself is not hashable).

    """
    defaults = Settings()
    return settings.replace(**{name: getattr(defaults, name) for name in CLUSTERING_FIELDS})


def prepare_incidents(
    raw: pd.DataFrame,
    wards: gpd.GeoDataFrame,
    settings: Settings | None = None,
    *,
    progress: ProgressFn | None = None,
    inputs: dict[str, Any] | None = None,
) -> Prepared:
    """Run validate → filter → project → assign wards: everything before clustering.

    Parameters
    ----------
    raw
        Raw incident rows (:data:`geo.columns.RAW_COLUMNS`, from :func:`geo.load.load_incidents`).
        Not changed; a caller that hands over its only reference (``prepare_incidents(
        frames.pop(), ...)``) gets its memory back once the rows are validated.
    wards
        ``ward_code``, ``ward_name``, ``geometry`` in any CRS (from
        :func:`geo.load.load_boundaries`).
    settings
        Defaults to ``Settings()``. Only :func:`preparation_settings` of it is used here
        (categories, aliases, weights, ``since``/``until``/``include``).
    progress
        Called as ``progress(message, fraction_done)``, fractions 0.05 to 0.4 (the share of
        a whole :func:`run_pipeline` run).
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
    ward_check = validate_wards(wards)
    lon_lat_bounds = wgs84_bounds(ward_check.wards)
    report("Checking incident rows", 0.15)
    rows_read = len(raw)
    checked = validate_incidents(raw, settings, expected_bounds=lon_lat_bounds)
    # Frames are let go as soon as the next stage has what it needs, so a national file
    # (millions of rows) never holds every intermediate copy at once; a caller that hands
    # over its only reference to ``raw`` (as run_files does) gets that memory back too.
    del raw
    invalid = checked.rejected
    filtered = apply_filters(checked.accepted, settings)
    del checked
    _release_memory()
    report("Projecting to metres", 0.3)
    crs = _metric_crs(lon_lat_bounds)
    metric_wards = project_wards(ward_check.wards, crs)
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
        outside_wards=assigned.rejected,
        filtered_out=filtered_out,
        rows_read=rows_read,
        notes=tuple(ward_check.notes),
        inputs=MappingProxyType(copy.deepcopy(dict(inputs or {}))),
    )


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
        From :func:`prepare_incidents`. Nothing in it is modified, so one value can serve
        any number of runs. A caller that hands over its only reference (as
        :func:`run_pipeline` does) gets the incidents' memory back once they are clustered.
    settings
        Defaults to ``prepared.settings``. Only the fields in :data:`CLUSTERING_FIELDS`
        may differ from ``prepared.settings``.
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

    """
    settings = settings or prepared.settings
    _check_same_preparation(prepared.settings, settings)
    report = progress or (lambda _m, _f: None)
    crs = prepared.crs
    metric_wards = prepared.wards
    invalid, outside, filtered_out = prepared.invalid, prepared.outside_wards, prepared.filtered_out
    rows_read, notes, inputs = prepared.rows_read, prepared.notes, prepared.inputs

    def cluster_progress(msg: str, frac: float) -> None:
        report(msg, 0.45 + 0.45 * frac)

    report("Clustering incidents", 0.45)
    clustered = cluster_incidents(prepared.incidents, settings, progress=cluster_progress)
    # the caller's reference (if any) keeps the prepared incidents; otherwise they go now
    del prepared
    _release_memory()
    report("Summarising hotspots", 0.92)
    hotspots = summarise_hotspots(clustered, metric_wards, settings)
    incidents = label_incidents(clustered, hotspots)
    del clustered
    rejected = (
        pd.concat([invalid, outside, filtered_out], ignore_index=True)
        .sort_values([c.SOURCE_FILE, c.ROW], kind="stable")
        .reset_index(drop=True)
    )
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

    The same as :func:`cluster_prepared` on :func:`prepare_incidents`; call those two
    directly to rerun only the clustering when a :data:`CLUSTERING_FIELDS` setting changes.

    Parameters
    ----------
    raw
        Raw incident rows (:data:`geo.columns.RAW_COLUMNS`, from :func:`geo.load.load_incidents`).
    wards
        ``ward_code``, ``ward_name``, ``geometry`` in any CRS (from
        :func:`geo.load.load_boundaries`).
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

    Parameters
    ----------
    incident_sources
        CSV files, folders or ``(name, bytes)`` uploads; default :data:`DEFAULT_INCIDENTS`.
    boundaries
        Ward boundary file; default :data:`DEFAULT_BOUNDARIES`.
    code_col, name_col
        Ward code/name columns when not ONS ``WDyyCD``/``WDyyNM``.

    """
    sources = list(incident_sources) if incident_sources else [DEFAULT_INCIDENTS]
    bsrc = boundaries if boundaries is not None else DEFAULT_BOUNDARIES
    if progress:
        progress("Reading incident files", 0.0)
    loaded = [load_incidents(sources)]
    wards = load_boundaries(bsrc, code_col=code_col, name_col=name_col)
    inputs = {
        "incident_files": sorted(set(loaded[0][c.SOURCE_FILE].unique())),
        "boundaries": bsrc[0] if isinstance(bsrc, tuple) else Path(bsrc).name,
    }
    # pass on the only reference, so the raw rows are freed once they are validated
    return run_pipeline(loaded.pop(), wards, settings, progress=progress, inputs=inputs)


def _release_memory() -> None:
    """Hand memory freed by Arrow-backed text columns back to the operating system.

    pyarrow's allocator keeps freed memory for reuse; after the raw rows are dropped that is
    gigabytes on a national file, which the geometry stages (which allocate elsewhere)
    could not use.
    """
    pyarrow.default_memory_pool().release_unused()


def _metric_crs(bounds: tuple[float, float, float, float]) -> pyproj.CRS:
    """Metric CRS from the wards' extent (every used incident lies in a ward)."""
    return choose_metric_crs(np.array([bounds[0], bounds[2]]), np.array([bounds[1], bounds[3]]))


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

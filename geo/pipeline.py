"""The one composition of the stages: load → validate → project → wards → cluster → hotspots."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
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


def run_pipeline(
    raw: pd.DataFrame,
    wards: gpd.GeoDataFrame,
    settings: Settings | None = None,
    *,
    progress: ProgressFn | None = None,
    inputs: dict[str, Any] | None = None,
) -> PipelineResult:
    """Run validate → filter → project → assign wards → cluster → hotspots on loaded data.

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

    def cluster_progress(msg: str, frac: float) -> None:
        report(msg, 0.45 + 0.45 * frac)

    report("Clustering incidents", 0.45)
    clustered = cluster_incidents(assigned.accepted, settings, progress=cluster_progress)
    outside = assigned.rejected
    del assigned
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
        wards=metric_wards,
        incidents=incidents,
        rejected=rejected,
        hotspots=hotspots,
        counts=counts,
        notes=list(ward_check.notes),
        inputs=dict(inputs or {}),
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

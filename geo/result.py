"""What a run produced: reconciled counts and the result frames."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd
import pyproj

from geo import columns as c
from geo.rejected import summarise_reasons
from geo.settings import Settings

__all__ = ["Counts", "PipelineResult"]


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
            f"{self.rows_read:,} row{'s' if self.rows_read != 1 else ''} read = "
            f"{self.accepted:,} used + {self.rejected:,} set aside "
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

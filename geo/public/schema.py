"""What a public artefact may show: the allow-list of fields, the public settings and the check."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import columns as c
from geo.bounds import Bound
from geo.errors import ValidationError
from geo.settings_bounds import BOUNDS as SETTINGS_BOUNDS

#: Limits, default, unit and help of every numeric setting of :class:`PublicSettings`,
#: declared once: validation, the command-line help and the app's widgets read them, e.g.
#: ``PUBLIC_BOUNDS["min_count"].low`` (the floor of 3).
PUBLIC_BOUNDS: Mapping[str, Bound[Any]] = MappingProxyType(
    {
        # declared once, with the settings that save it ([public] min_count)
        "min_count": SETTINGS_BOUNDS["public_min_count"],
        "generalise_m": Bound(
            low=50.0,
            high=1000.0,
            default=50.0,
            unit="m",
            help="grid size public outlines are drawn on",
        ),
        "round_to": Bound(
            low=1,
            high=1000,
            whole=True,
            default=5,
            help="monthly counts are rounded to the nearest multiple of this (1 = exact)",
        ),
        "max_problems": Bound(
            low=1,
            high=5,
            whole=True,
            default=3,
            help="most kinds of incident named per area",
        ),
    }
)
#: Smallest ``min_count`` allowed: fewer incidents could point at one household.
MIN_COUNT_FLOOR: int = PUBLIC_BOUNDS["min_count"].low
#: Default lower bounds of the count bands above the first one.
DEFAULT_BAND_EDGES: tuple[int, ...] = (10, 20, 50)

# --- public column names (the allow-list) ----------------------------------------------
AREA_ID = "area_id"  #: str, "Area 1", "Area 2", ... (a label for this map, not the staff ID)
INCIDENTS_BAND = "incidents_band"  #: str, e.g. "10-19" or "50 or more"
PLACE = "place"  #: str, police.uk map-point names, e.g. "Astrop Road / Chapel Lane"
BAND_RANK = "band_rank"  #: int, 1 = lowest band (drives the colour)
MAIN_PROBLEMS = "main_problems"  #: str, plain-English category labels
PERIOD = "period"  #: str, months of the whole view, e.g. "March 2018 to November 2018"
MONTH_LABEL = "month_label"  #: str, e.g. "Mar 2018"
INCIDENTS = "incidents"  #: Int64, rounded monthly count, <NA> when below the minimum
INCIDENTS_TEXT = "incidents_text"  #: str, "about 25" or "fewer than 5"
SUPPRESSED = "suppressed"  #: bool, the month's count is below the minimum

#: The allow-list of the public areas: column -> meaning (see :func:`public_fields`).
AREA_FIELDS: Mapping[str, str] = MappingProxyType(
    {
        AREA_ID: "label of the area on this map ('Area 1', 'Area 2', ...), numbered by band "
        "(highest first), ward and position; not the staff hotspot ID",
        c.WARD_NAME: "ward the area lies in",
        PLACE: "streets and public places the area stands for, busiest first: the names "
        "police.uk itself publishes for its map points ('Astrop Road / Chapel Lane', "
        "'Supermarket near Oxford Road'); never the location, notes or source of a local "
        "report; '' when the area holds no police.uk incident",
        INCIDENTS_BAND: "number of incidents as a band, e.g. '10-19' or '50 or more'",
        BAND_RANK: "1 for the lowest band, 2 for the next, ... (sets the colour)",
        MAIN_PROBLEMS: "up to a few kinds of incident, most common first; a kind is named only "
        "when it alone reaches the minimum count",
        c.TREND: "'Going up', 'Going down', 'No clear change', 'New in recent months' or "
        "'Not enough months to tell' (up or down only when more than chance would explain)",
        PERIOD: "months the whole map covers (not the dates of any incident)",
        "geometry": "Polygon or MultiPolygon made of grid squares, trimmed to the ward",
    }
)

#: The allow-list of the public monthly counts: column -> meaning.
MONTHLY_FIELDS: Mapping[str, str] = MappingProxyType(
    {
        c.WARD_NAME: "ward (only when counted per ward)",
        c.MONTH: "calendar month YYYY-MM",
        MONTH_LABEL: "month in words, e.g. 'Mar 2018'",
        INCIDENTS: "incidents that month, rounded; empty when below the minimum",
        INCIDENTS_TEXT: "'about 25', '25' or 'fewer than 5'",
        SUPPRESSED: "true when the month's count is below the minimum",
    }
)


@dataclass(frozen=True, kw_only=True)
class PublicSettings:
    """How much the public view hides. Frozen and validated; limits in :data:`PUBLIC_BOUNDS`.

    Parameters
    ----------
    min_count
        Hotspots with fewer incidents are not shown, and months with fewer incidents are
        shown as "fewer than ``min_count``" (never below 3).
    generalise_m
        Grid size in metres that public outlines are drawn on: every
        outline moves in steps of this size, so it cannot trace a building.
    band_edges
        Lower bounds of the count bands above the first one (strictly increasing whole
        numbers). The first band starts at ``min_count``; an edge less than two above the
        previous band's start is not used, so no band holds a single value. Default
        ``(10, 20, 50)`` gives "5-9", "10-19", "20-49", "50 or more".
    round_to
        Monthly counts are rounded to the nearest multiple of this (1 = exact, default 5)
        and never shown below ``min_count``.
    max_problems
        Most kinds of incident named per area.

    Raises
    ------
    ValidationError
        Naming every setting that is out of range.

    """

    min_count: int = PUBLIC_BOUNDS["min_count"].default
    generalise_m: float = PUBLIC_BOUNDS["generalise_m"].default
    band_edges: tuple[int, ...] = DEFAULT_BAND_EDGES
    round_to: int = PUBLIC_BOUNDS["round_to"].default
    max_problems: int = PUBLIC_BOUNDS["max_problems"].default

    def __post_init__(self) -> None:
        p = [
            problem
            for name, bound in PUBLIC_BOUNDS.items()
            if (problem := bound.problem(name, getattr(self, name))) is not None
        ]
        edges = self.band_edges
        if not isinstance(edges, tuple | list) or not all(_is_int(e) for e in edges):
            p.append(f"The 'band_edges' setting must be whole numbers. Got {edges!r} instead.")
        elif any(b <= a for a, b in itertools.pairwise(edges)) or any(
            e < MIN_COUNT_FLOOR for e in edges
        ):
            p.append(
                f"The 'band_edges' setting must be strictly increasing whole numbers >= "
                f"{MIN_COUNT_FLOOR}. Got {edges!r} instead."
            )
        else:
            object.__setattr__(self, "band_edges", tuple(int(e) for e in edges))
        if p:
            raise ValidationError(p)

    def bands(self) -> list[tuple[int, int | None, str]]:
        """``(lowest, highest or None, label)`` of every count band, lowest first."""
        starts = [self.min_count]
        for e in self.band_edges:
            if e >= starts[-1] + 2:
                starts.append(e)
        out: list[tuple[int, int | None, str]] = []
        for i, lo in enumerate(starts):
            if i + 1 < len(starts):
                hi = starts[i + 1] - 1
                out.append((lo, hi, f"{lo}-{hi}"))
            else:
                out.append((lo, None, f"{lo} or more"))
        return out

    def band_of(self, n: int) -> tuple[int, str]:
        """``(rank, label)`` of the band holding ``n`` (rank 1 = lowest band).

        Raises
        ------
        ValidationError
            If ``n`` is below ``min_count`` (such counts are never shown).

        """
        if n < self.min_count:
            raise ValidationError(
                f"A count of {n} is below the public minimum of {self.min_count}; "
                "it must not be shown."
            )
        rank, label = 1, ""
        for i, (lo, _hi, lab) in enumerate(self.bands(), start=1):
            if n >= lo:
                rank, label = i, lab
        return rank, label

    def shown_count(self, n: int) -> int | None:
        """A monthly count as shown (``None`` when below ``min_count``).

        Counts from ``min_count`` up are rounded to the nearest multiple of ``round_to``
        (halves up) and never shown below ``min_count``.
        """
        if n < self.min_count:
            return None
        rounded = math.floor(n / self.round_to + 0.5) * self.round_to
        return max(rounded, self.min_count)


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


#: The default settings, shared by every function that takes ``PublicSettings``.
DEFAULT_PUBLIC = PublicSettings()


def public_fields(kind: Literal["areas", "monthly"] = "areas") -> dict[str, str]:
    """The allow-list: every column a public artefact may carry, with its meaning.

    Parameters
    ----------
    kind
        ``"areas"`` for :func:`geo.public.public_hotspots` (and the map and GeoJSON made from it),
        ``"monthly"`` for :func:`geo.public.monthly_counts_public`.

    """
    if kind == "areas":
        return dict(AREA_FIELDS)
    if kind == "monthly":
        return dict(MONTHLY_FIELDS)
    raise ValidationError(f"kind must be 'areas' or 'monthly'. Got {kind!r} instead.")


def check_public(frame: pd.DataFrame, *, public: PublicSettings | None = None) -> None:
    """Raise unless ``frame`` is safe to show in public.

    A GeoDataFrame is checked against the ``"areas"`` allow-list: no other column, a CRS,
    and every geometry a non-empty Polygon or MultiPolygon. A plain DataFrame is checked
    against the ``"monthly"`` allow-list. With ``public``, band labels must be bands of
    those settings and no shown monthly count may be below ``public.min_count``.

    Raises
    ------
    ValidationError
        Naming every problem (columns not allowed, point or empty geometries, counts).

    """
    problems: list[str] = []
    is_geo = isinstance(frame, gpd.GeoDataFrame)
    allowed = AREA_FIELDS if is_geo else MONTHLY_FIELDS
    extra = [str(col) for col in frame.columns if col not in allowed]
    if extra:
        problems.append(f"public view has columns that are not allowed: {', '.join(extra)}")
    if is_geo:
        problems += _check_areas(frame, public)
    else:
        problems += _check_monthly(frame, public)
    if problems:
        raise ValidationError(problems)


def _check_areas(gdf: gpd.GeoDataFrame, public: PublicSettings | None) -> list[str]:
    problems: list[str] = []
    if gdf.geometry.name != "geometry":
        problems.append(f"public view geometry column must be 'geometry', not {gdf.geometry.name}")
    if gdf.crs is None:
        problems.append("public view has no CRS")
    geoms = gdf.geometry.to_numpy()
    types = shapely.get_type_id(geoms)
    bad = ~np.isin(types, (3, 6)) | shapely.is_empty(geoms)  # Polygon, MultiPolygon
    if bad.any():
        kinds = sorted({"missing" if g is None else str(g.geom_type) for g in geoms[bad]})
        problems.append(
            f"public view has {int(bad.sum())} geometries that are not areas "
            f"({', '.join(kinds)}); only polygons may be shown"
        )
    if public is not None and INCIDENTS_BAND in gdf.columns:
        labels = {lab for _lo, _hi, lab in public.bands()}
        unknown = sorted(set(map(str, gdf[INCIDENTS_BAND])) - labels)
        if unknown:
            problems.append(
                f"public view has counts outside the bands from {public.min_count}: "
                f"{', '.join(unknown)}"
            )
    return problems


def _check_monthly(df: pd.DataFrame, public: PublicSettings | None) -> list[str]:
    problems: list[str] = []
    if public is not None and INCIDENTS in df.columns:
        shown = pd.to_numeric(df[INCIDENTS], errors="coerce")
        low = shown.notna() & (shown < public.min_count)
        if low.any():
            problems.append(
                f"public monthly counts has {int(low.sum())} count(s) below the minimum of "
                f"{public.min_count}"
            )
    return problems

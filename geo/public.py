"""The public view of a run: allow-listed, aggregated, generalised areas and their exports.

Everything shown in a public room (the meeting page, its HTML download, the
``python -m geo export-public`` files) is built from :func:`public_hotspots` and checked by
:func:`check_public`. The public view never carries point geometries, incident IDs, dates of
single incidents, notes, sources, locations, LSOAs, centroids or staff hotspot IDs: only the
fields listed by :func:`public_fields`.
"""

from __future__ import annotations

import html as html_lib
import itertools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import columns as c
from geo.errors import ValidationError
from geo.hotspots import trend_label
from geo.maps import SCORE_COLOURS, base_map
from geo.offline import offline_html
from geo.project import WGS84, require_metric
from geo.settings import Settings

if TYPE_CHECKING:
    from geo.pipeline import PipelineResult

#: Smallest ``min_count`` allowed: fewer incidents could point at one household.
MIN_COUNT_FLOOR = 3
#: Smallest ``generalise_m`` allowed, in metres.
MIN_GENERALISE_M = 50.0

# --- public column names (the allow-list) ----------------------------------------------
AREA_ID = "area_id"  #: str, "Area 1", "Area 2", ... (a label for this map, not the staff ID)
INCIDENTS_BAND = "incidents_band"  #: str, e.g. "10-19" or "50 or more"
BAND_RANK = "band_rank"  #: int, 1 = lowest band (drives the colour)
MAIN_PROBLEMS = "main_problems"  #: str, plain-English category labels
PERIOD = "period"  #: str, months of the whole view, e.g. "March 2018 to November 2018"
MONTH_LABEL = "month_label"  #: str, e.g. "Mar 2018"
INCIDENTS = "incidents"  #: Int64, rounded monthly count, <NA> when below the minimum
INCIDENTS_TEXT = "incidents_text"  #: str, "about 25" or "fewer than 5"
SUPPRESSED = "suppressed"  #: bool, the month's count is below the minimum

_AREA_FIELDS: Mapping[str, str] = MappingProxyType(
    {
        AREA_ID: "label of the area on this map ('Area 1', 'Area 2', ...), numbered by band "
        "(highest first), ward and position; not the staff hotspot ID",
        c.WARD_NAME: "ward the area lies in",
        INCIDENTS_BAND: "number of incidents as a band, e.g. '10-19' or '50 or more'",
        BAND_RANK: "1 for the lowest band, 2 for the next, ... (sets the colour)",
        MAIN_PROBLEMS: "up to a few kinds of incident, most common first; a kind is named only "
        "when it alone reaches the minimum count",
        c.TREND: "'Going up', 'Going down', 'About the same', 'New in recent months' or "
        "'Not enough months to tell'",
        PERIOD: "months the whole map covers (not the dates of any incident)",
        "geometry": "Polygon or MultiPolygon made of grid squares, trimmed to the ward",
    }
)

_MONTHLY_FIELDS: Mapping[str, str] = MappingProxyType(
    {
        c.WARD_NAME: "ward (only when counted per ward)",
        c.MONTH: "calendar month YYYY-MM",
        MONTH_LABEL: "month in words, e.g. 'Mar 2018'",
        INCIDENTS: "incidents that month, rounded; empty when below the minimum",
        INCIDENTS_TEXT: "'about 25', '25' or 'fewer than 5'",
        SUPPRESSED: "true when the month's count is below the minimum",
    }
)

#: Staff trend labels (:func:`geo.hotspots.trend_label`) in plain words.
TREND_WORDS: Mapping[str, str] = MappingProxyType(
    {
        "rising": "Going up",
        "falling": "Going down",
        "steady": "About the same",
        "new": "New in recent months",
        "n/a": "Not enough months to tell",
    }
)

#: Shown when no single kind of incident reaches the minimum count in an area.
MIXED_PROBLEMS = "A mix of problems"
#: Attribution for the shipped data (police.uk and ONS, Open Government Licence v3.0).
ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0. "
    "Ward boundaries: Office for National Statistics licensed under the Open Government "
    "Licence v.3.0; contains OS data © Crown copyright and database right."
)
#: Default title of the public map.
DEFAULT_TITLE = "Where reported problems concentrate"
#: Files written by :func:`write_public`.
PUBLIC_FILES: tuple[str, ...] = ("public_map.html", "public_hotspots.geojson")

_MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class PublicSettings:
    """How much the public view hides. Frozen and validated.

    Parameters
    ----------
    min_count
        Hotspots with fewer incidents are not shown, and months with fewer incidents are
        shown as "fewer than ``min_count``" (whole number >= 3, default 5).
    generalise_m
        Grid size in metres that public outlines are drawn on (>= 50, at most 1000): every
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
        Most kinds of incident named per area (1-5).

    Raises
    ------
    ValidationError
        Naming every setting that is out of range.

    """

    min_count: int = 5
    generalise_m: float = 50.0
    band_edges: tuple[int, ...] = (10, 20, 50)
    round_to: int = 5
    max_problems: int = 3

    def __post_init__(self) -> None:
        p: list[str] = []
        if not _is_int(self.min_count) or not MIN_COUNT_FLOOR <= self.min_count <= 10_000:
            p.append(
                f"The 'min_count' setting must be a whole number >= {MIN_COUNT_FLOOR} (smaller "
                f"groups could point at one household). Got {self.min_count!r} instead."
            )
        g = self.generalise_m
        if (
            isinstance(g, bool)
            or not isinstance(g, int | float)
            or not MIN_GENERALISE_M <= g <= 1000
        ):
            p.append(
                f"The 'generalise_m' setting must be a number >= {MIN_GENERALISE_M:g} and "
                f"<= 1000 (metres). Got {g!r} instead."
            )
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
        if not _is_int(self.round_to) or not 1 <= self.round_to <= 1000:
            p.append(
                f"The 'round_to' setting must be a whole number 1-1000. Got {self.round_to!r}."
            )
        if not _is_int(self.max_problems) or not 1 <= self.max_problems <= 5:
            p.append(
                f"The 'max_problems' setting must be a whole number 1-5. Got {self.max_problems!r}."
            )
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


def public_fields(kind: Literal["areas", "monthly"] = "areas") -> dict[str, str]:
    """The allow-list: every column a public artefact may carry, with its meaning.

    Parameters
    ----------
    kind
        ``"areas"`` for :func:`public_hotspots` (and the map and GeoJSON made from it),
        ``"monthly"`` for :func:`monthly_counts_public`.

    """
    if kind == "areas":
        return dict(_AREA_FIELDS)
    if kind == "monthly":
        return dict(_MONTHLY_FIELDS)
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
    allowed = _AREA_FIELDS if is_geo else _MONTHLY_FIELDS
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


# --- the public view -------------------------------------------------------------------
def public_hotspots(
    hotspots: gpd.GeoDataFrame,
    settings: Settings,
    *,
    public: PublicSettings = PublicSettings(),
    wards: gpd.GeoDataFrame | None = None,
    months: Iterable[str] | None = None,
) -> gpd.GeoDataFrame:
    """The public view of a run's hotspots: the one source of every public artefact.

    Hotspots with fewer than ``public.min_count`` incidents are left out. Each remaining
    hotspot becomes the union of the ``generalise_m`` grid squares (a fixed grid anchored
    at the CRS origin) that come within ``generalise_m / 2`` of its staff polygon, trimmed
    to its ward: the piece holding the hotspot is kept, other pieces are dropped; if that
    piece holds no whole grid square, the squares are kept untrimmed (see
    :func:`generalise_polygons`). So every outline runs along grid lines or the ward
    boundary, never closer than ``generalise_m / 2`` to any of its incidents away from the
    ward boundary, every area covers its incidents and holds a whole square; a "single location"
    hotspot (one busy map point) becomes an area of several squares, never a point.
    Areas in one ward that overlap are merged into one area (counts added, trend
    recomputed from the summed ``recent_count``/``previous_count``).

    Parameters
    ----------
    hotspots
        Staff summary from :func:`geo.hotspots.summarise_hotspots` (metric CRS): uses
        ``n_incidents``, ``recent_count``, ``previous_count`` (int), ``ward_code``,
        ``ward_name``, ``trend``, ``first_month``, ``last_month`` (str), the
        ``n_<category>`` (int) columns and ``geometry`` (Polygon).
    settings
        Category labels for the ``n_<category>`` columns; ``since``/``until`` for the period
        when ``months`` is not given.
    public
        Minimum count, grid size, bands.
    wards
        ``ward_code``, ``geometry`` (any CRS): the areas are trimmed to their ward. Without
        it they are not trimmed and may cross a ward boundary by up to a square.
    months
        Months ``YYYY-MM`` of every incident in the view (e.g. ``result.incidents["month"]``);
        the period is their first to last month. Default: ``settings.since``/``until``,
        else the first and last month over all hotspots.

    Returns
    -------
    geopandas.GeoDataFrame
        Exactly the columns of :func:`public_fields` (``"areas"``): ``area_id``,
        ``ward_name``, ``incidents_band``, ``main_problems``, ``trend``, ``period`` (str),
        ``band_rank`` (int64), ``geometry`` (Polygon/MultiPolygon, the CRS of ``hotspots``);
        one row per public area. Sorted by band (highest first), ward name, then north to
        south; ``area_id`` numbers that order. Empty (same columns and CRS) when no
        hotspot reaches the minimum.

    Raises
    ------
    ValidationError
        When columns are missing, the CRS is not metric, or a hotspot has no polygon.

    """
    need = [
        c.N_INCIDENTS,
        c.WARD_CODE,
        c.WARD_NAME,
        c.TREND,
        c.RECENT_COUNT,
        c.PREVIOUS_COUNT,
        c.FIRST_MONTH,
        c.LAST_MONTH,
    ]
    missing = [col for col in need if col not in hotspots.columns]
    if missing:
        raise ValidationError(
            f"hotspots: columns {', '.join(missing)} are missing (expected the staff hotspot "
            "summary from geo.hotspots.summarise_hotspots)"
        )
    require_metric(hotspots.crs, "hotspots")
    period = _period_text(hotspots, settings, months)
    n = hotspots[c.N_INCIDENTS].to_numpy(dtype="int64")
    kept = hotspots.loc[n >= public.min_count]
    if kept.empty:
        return _empty_public(hotspots.crs)

    staff_geoms = kept.geometry.to_numpy()
    no_area = shapely.is_empty(staff_geoms) | pd.isna(staff_geoms)
    if no_area.any():
        ward = kept[c.WARD_NAME].to_numpy()[no_area][0]
        raise ValidationError(f"hotspots: a hotspot in {ward} has no polygon")
    clip = None
    if wards is not None:
        w = wards.to_crs(hotspots.crs).set_index(c.WARD_CODE).geometry
        codes = kept[c.WARD_CODE].astype(str)
        unknown = sorted(set(codes) - set(w.index.astype(str)))
        if unknown:
            raise ValidationError(f"wards: no boundary for ward(s) {', '.join(unknown)}")
        clip = w.reindex(codes.to_numpy()).to_numpy()
    geoms = generalise_polygons(staff_geoms, clip, generalise_m=float(public.generalise_m))

    groups = _overlap_groups(geoms, kept[c.WARD_CODE].astype(str).to_numpy())
    merged = _merge(kept, geoms, groups, settings)
    bands = [public.band_of(int(k)) for k in merged[c.N_INCIDENTS]]
    trend = [TREND_WORDS.get(str(t), TREND_WORDS["n/a"]) for t in merged[c.TREND]]
    out = gpd.GeoDataFrame(
        {
            AREA_ID: "",
            c.WARD_NAME: merged[c.WARD_NAME].astype(str).to_numpy(dtype=object),
            INCIDENTS_BAND: [lab for _r, lab in bands],
            BAND_RANK: np.array([r for r, _lab in bands], dtype="int64"),
            MAIN_PROBLEMS: _main_problems(merged, settings, public),
            c.TREND: trend,
            PERIOD: period,
        },
        geometry=gpd.GeoSeries(merged["geometry"].to_numpy(), crs=hotspots.crs),
        crs=hotspots.crs,
    )
    # order by band, ward, then north to south and west to east of the public shape only
    rep = out.geometry.representative_point()
    out["_y"] = -np.round(rep.y.to_numpy(), 0)
    out["_x"] = np.round(rep.x.to_numpy(), 0)
    out = out.sort_values(
        [BAND_RANK, c.WARD_NAME, "_y", "_x"], ascending=[False, True, True, True], kind="stable"
    ).reset_index(drop=True)
    out[AREA_ID] = [f"Area {i}" for i in range(1, len(out) + 1)]
    out = gpd.GeoDataFrame(out[list(_AREA_FIELDS)], geometry="geometry", crs=hotspots.crs)
    check_public(out, public=public)
    return out


def public_view(
    result: PipelineResult,
    *,
    public: PublicSettings = PublicSettings(),
) -> gpd.GeoDataFrame:
    """:func:`public_hotspots` of a pipeline result, trimmed to its wards, period from its data."""
    return public_hotspots(
        result.hotspots,
        result.settings,
        public=public,
        wards=result.wards,
        months=result.incidents[c.MONTH].astype(str) if len(result.incidents) else None,
    )


def generalise_polygons(
    geoms: Sequence[shapely.Geometry] | np.ndarray,
    clip: Sequence[shapely.Geometry | None] | np.ndarray | None = None,
    *,
    generalise_m: float,
) -> np.ndarray:
    """Redraw polygons on a fixed square grid so their outlines cannot trace buildings.

    Each polygon becomes the union of the grid squares of side ``generalise_m`` (corners
    at whole multiples of ``generalise_m`` in the metric CRS) that come within
    ``generalise_m / 2`` of it. With ``clip`` (one polygon per input, e.g. its ward), the
    union is trimmed to it, keeping the one piece that holds the input polygon; when that
    piece holds no whole square (the input lies outside ``clip``, or ``clip`` is too narrow
    there), the union is kept untrimmed instead. Either way every output piece holds a
    whole square and every outline runs along grid lines or the ``clip`` boundary.

    Parameters
    ----------
    geoms
        Non-empty polygons in a metric CRS (metres).
    clip
        Optional polygon per input (same CRS); ``None`` entries are not trimmed.
    generalise_m
        Grid size in metres (> 0).

    Returns
    -------
    numpy.ndarray
        Polygon or MultiPolygon per input (object array).

    """
    if not generalise_m > 0:
        raise ValidationError(f"generalise_m must be > 0. Got {generalise_m!r} instead.")
    g = float(generalise_m)
    arr = np.asarray(geoms, dtype=object)
    out = np.empty(len(arr), dtype=object)
    for i, geom in enumerate(arr):
        minx, miny, maxx, maxy = shapely.bounds(geom)
        ix = np.arange(math.floor((minx - g / 2) / g), math.ceil((maxx + g / 2) / g))
        iy = np.arange(math.floor((miny - g / 2) / g), math.ceil((maxy + g / 2) / g))
        gx, gy = (a.ravel() for a in np.meshgrid(ix, iy))
        # neighbouring squares share exactly the same corner coordinates
        cells = shapely.box(gx * g, gy * g, (gx + 1) * g, (gy + 1) * g)
        near = cells[shapely.dwithin(cells, geom, g / 2)]
        block = shapely.coverage_union_all(near)  # squares never overlap
        ward = None if clip is None else clip[i]
        out[i] = _simplify(block if ward is None else _trim(block, near, ward, geom))
    return out


def _overlap_groups(geoms: np.ndarray, wards: np.ndarray) -> list[list[int]]:
    """Positions of areas that overlap (directly or through others) within one ward."""
    parent = list(range(len(geoms)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i < j and wards[i] == wards[j] and shapely.intersection(geoms[i], geoms[j]).area > 0:
            parent[root(j)] = root(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(geoms)):
        groups.setdefault(root(i), []).append(i)
    return sorted(groups.values())


def _merge(
    kept: gpd.GeoDataFrame, geoms: np.ndarray, groups: list[list[int]], settings: Settings
) -> pd.DataFrame:
    """One row per group: summed counts, recomputed trend, union of the areas."""
    count_cols = [c.COUNT_PREFIX + k for k in settings.categories if c.COUNT_PREFIX + k in kept]
    sums = [c.N_INCIDENTS, c.RECENT_COUNT, c.PREVIOUS_COUNT, *count_cols]
    group_of = np.empty(len(kept), dtype="int64")
    for k, g in enumerate(groups):
        group_of[g] = k
    totals = np.zeros((len(groups), len(sums)), dtype="int64")
    np.add.at(totals, group_of, kept[sums].to_numpy(dtype="int64"))
    out = pd.DataFrame(totals, columns=sums)
    first = [g[0] for g in groups]
    out[c.WARD_NAME] = kept[c.WARD_NAME].astype(str).to_numpy(dtype=object)[first]
    staff_trend = kept[c.TREND].astype(str).to_numpy(dtype=object)
    trends: list[str] = []
    shapes: list[shapely.Geometry] = []
    for k, g in enumerate(groups):
        if len(g) == 1:
            trends.append(str(staff_trend[g[0]]))
            shapes.append(geoms[g[0]])
            continue
        if all(staff_trend[i] == "n/a" for i in g):
            trends.append("n/a")
        else:
            recent, previous = totals[k, 1], totals[k, 2]
            trends.append(trend_label(int(recent), int(previous)))
        shapes.append(_simplify(shapely.union_all(geoms[g])))
    out[c.TREND] = trends
    out["geometry"] = np.array(shapes, dtype=object)
    return out


def _trim(
    block: shapely.Geometry, cells: np.ndarray, ward: shapely.Geometry, geom: shapely.Geometry
) -> shapely.Geometry:
    """The piece of ``block`` inside ``ward`` that holds ``geom``, if it holds a whole cell.

    Otherwise (``geom`` outside ``ward``, or the ward too narrow there) ``block`` untrimmed.
    """
    whole = cells[shapely.covers(ward, cells)]
    if len(whole) == 0:
        return block
    anchor = shapely.point_on_surface(geom)
    for piece in shapely.get_parts(shapely.intersection(block, ward)):
        if piece.geom_type == "Polygon" and piece.covers(anchor):
            return piece if shapely.contains(piece, shapely.centroid(whole)).any() else block
    return block


def _simplify(geom: shapely.Geometry) -> shapely.Geometry:
    """Drop repeated and collinear vertices, orient rings as GeoJSON expects."""
    return shapely.orient_polygons(shapely.simplify(geom, 0.0))


def _empty_public(crs: Any) -> gpd.GeoDataFrame:
    cols: dict[str, pd.Series] = {
        col: pd.Series(dtype="int64" if col == BAND_RANK else object)
        for col in _AREA_FIELDS
        if col != "geometry"
    }
    return gpd.GeoDataFrame(cols, geometry=gpd.GeoSeries([], crs=crs), crs=crs)


def _main_problems(kept: pd.DataFrame, settings: Settings, public: PublicSettings) -> list[str]:
    """Up to ``max_problems`` labels per row, each kind with at least ``min_count`` incidents."""
    keys = [k for k in settings.categories if c.COUNT_PREFIX + k in kept.columns]
    if not keys:
        return [MIXED_PROBLEMS] * len(kept)
    counts = kept[[c.COUNT_PREFIX + k for k in keys]].to_numpy(dtype="int64")
    out: list[str] = []
    for row in counts:
        order = sorted(
            (i for i in range(len(keys)) if row[i] >= public.min_count),
            key=lambda i: (-int(row[i]), keys[i]),
        )[: public.max_problems]
        out.append(", ".join(settings.label(keys[i]) for i in order) or MIXED_PROBLEMS)
    return out


def _period_text(
    hotspots: gpd.GeoDataFrame, settings: Settings, months: Iterable[str] | None
) -> str:
    ms: list[str] = []
    if months is not None:
        series = months if isinstance(months, pd.Series) else pd.Series(list(months), dtype=object)
        ms = sorted(str(m) for m in series.unique())
    bad = [m for m in ms if not _MONTH_RE.match(m)]
    if bad:
        raise ValidationError(f"months must be YYYY-MM. Got {bad[0]!r}.")
    if ms:
        first, last = ms[0], ms[-1]
    else:
        firsts = [str(m) for m in hotspots[c.FIRST_MONTH] if _MONTH_RE.match(str(m))]
        lasts = [str(m) for m in hotspots[c.LAST_MONTH] if _MONTH_RE.match(str(m))]
        first = settings.since or (min(firsts) if firsts else "")
        last = settings.until or (max(lasts) if lasts else "")
    if not first or not last:
        return "the chosen months"
    a = pd.Period(first, "M").strftime("%B %Y")
    b = pd.Period(last, "M").strftime("%B %Y")
    return a if a == b else f"{a} to {b}"


# --- maps and exports ------------------------------------------------------------------
def band_colour(rank: int, public: PublicSettings) -> str:
    """Fixed colour of a band (light = lowest band, dark = highest), the same on every map."""
    n = len(public.bands())
    if n <= 1:
        return SCORE_COLOURS[-1]
    idx = round((min(max(rank, 1), n) - 1) * (len(SCORE_COLOURS) - 1) / (n - 1))
    return SCORE_COLOURS[idx]


#: Popup fields of the public map: (column, label).
PUBLIC_POPUP: tuple[tuple[str, str], ...] = (
    (AREA_ID, "Area"),
    (c.WARD_NAME, "Ward"),
    (INCIDENTS_BAND, "Incidents"),
    (MAIN_PROBLEMS, "Main problems"),
    (c.TREND, "Trend"),
    (PERIOD, "Period"),
)


def public_map(
    wards: gpd.GeoDataFrame,
    public: gpd.GeoDataFrame,
    *,
    title: str,
    public_settings: PublicSettings = PublicSettings(),
    tiles: str | None = None,
) -> folium.Map:
    """The public map: wards and the public areas coloured by band, with a plain legend.

    Built only from a public view (checked with :func:`check_public`); never draws an
    incident.

    Parameters
    ----------
    wards
        ``ward_code``, ``ward_name``, ``geometry`` (any CRS), drawn as outlines with names.
    public
        Output of :func:`public_hotspots` (any CRS).
    title
        Plain-English title shown at the top of the map.
    public_settings
        The settings the view was made with (for the bands and the legend text).
    tiles
        Tile layer name when online; ``None`` (default) needs no network.

    Returns
    -------
    folium.Map
        A new map each call; render it with :func:`geo.offline.offline_html`.

    Raises
    ------
    ValidationError
        If ``public`` is not a public view (e.g. the staff hotspots).

    """
    check_public(public, public=public_settings)
    m = base_map(wards, tiles=tiles)
    if len(public):
        fields = [col for col, _ in PUBLIC_POPUP if col in public.columns]
        aliases = [label for col, label in PUBLIC_POPUP if col in public.columns]
        colours = {r: band_colour(r, public_settings) for r in range(1, 7)}

        def style(feature: dict[str, Any]) -> dict[str, Any]:
            rank = int(feature["properties"].get(BAND_RANK, 1))
            return {
                "color": "#7a0019",
                "weight": 1.5,
                "fillColor": colours.get(rank, SCORE_COLOURS[-1]),
                "fillOpacity": 0.65,
            }

        # lowest band first, so the areas with most incidents are drawn on top
        order = np.argsort(public[BAND_RANK].to_numpy(dtype="int64"), kind="stable")
        folium.GeoJson(
            _lonlat_json(public.iloc[order]),
            name="Areas where problems concentrate",
            style_function=style,
            highlight_function=lambda _f: {"weight": 3, "fillOpacity": 0.85},
            popup=folium.GeoJsonPopup(fields=fields, aliases=aliases, max_width=360),
            tooltip=folium.GeoJsonTooltip(fields=fields[:3], aliases=aliases[:3]),
        ).add_to(m)
    _add_band_legend(m, public_settings, shown=len(public))
    box = (
        '<div class="public-title" style="position:absolute;top:10px;left:50%;'
        "transform:translateX(-50%);z-index:9999;background:rgba(255,255,255,.92);"
        "padding:6px 14px;border:1px solid #999;border-radius:4px;"
        f'font:600 18px/1.3 sans-serif;color:#1d3550">{html_lib.escape(title)}</div>'
    )
    m.get_root().html.add_child(folium.Element(box))  # type: ignore[attr-defined]
    return m


def _add_band_legend(m: folium.Map, public: PublicSettings, *, shown: int) -> None:
    rows = [
        f'<div><span style="display:inline-block;width:14px;height:14px;'
        f"background:{band_colour(rank, public)};border:1px solid #7a0019;margin-right:6px;"
        f'vertical-align:middle"></span>{html_lib.escape(label)} incidents</div>'
        for rank, (_lo, _hi, label) in enumerate(public.bands(), start=1)
    ]
    if not shown:
        rows.insert(0, f"<div>No area has {public.min_count} or more incidents</div>")
    note = (
        f"Areas with fewer than {public.min_count} incidents are not shown. "
        f"Outlines follow a {public.generalise_m:g} m grid."
    )
    box = (
        '<div class="hotspot-legend" style="position:absolute;bottom:40px;left:12px;'
        "z-index:9999;background:rgba(255,255,255,.92);padding:8px 10px;border:1px solid #999;"
        'border-radius:4px;font:13px/1.4 sans-serif;max-width:240px">'
        f"<b>Incidents in each area</b>{''.join(rows)}"
        f'<div style="margin-top:4px;color:#444">{html_lib.escape(note)}</div></div>'
    )
    m.get_root().html.add_child(folium.Element(box))  # type: ignore[attr-defined]


def default_explanation(public: gpd.GeoDataFrame, public_settings: PublicSettings) -> str:
    """The plain-English text under a public map: what it shows and what it hides."""
    period = str(public[PERIOD].iloc[0]) if len(public) else "the chosen months"
    bands = ", ".join(lab for _lo, _hi, lab in public_settings.bands())
    return (
        f"Each shaded area is a place where {public_settings.min_count} or more incidents "
        f"were recorded close together in {period}; darker means more (bands: {bands}). "
        "To protect the people who report problems, this map never shows single incidents, "
        "addresses, dates, notes or who reported something, and outlines are drawn on a "
        f"{public_settings.generalise_m:g} m grid so they cannot pick out a building."
    )


def public_html(
    wards: gpd.GeoDataFrame,
    public: gpd.GeoDataFrame,
    *,
    title: str = DEFAULT_TITLE,
    explanation: str | None = None,
    public_settings: PublicSettings = PublicSettings(),
) -> str:
    """The public map as one standalone HTML page that opens offline (e.g. at a meeting).

    Parameters
    ----------
    wards, public, title, public_settings
        As for :func:`public_map`.
    explanation
        Text under the title; default :func:`default_explanation`.

    Returns
    -------
    str
        HTML with Leaflet inlined, a page title, the explanation and the Open Government
        Licence attribution.

    """
    m = public_map(wards, public, title=title, public_settings=public_settings)
    text = explanation if explanation is not None else default_explanation(public, public_settings)
    root = m.get_root()
    root.header.add_child(  # type: ignore[attr-defined]
        folium.Element(f"<title>{html_lib.escape(title)}</title>")
    )
    box = (
        '<div class="public-explanation" style="position:absolute;bottom:24px;right:12px;'
        "z-index:9999;background:rgba(255,255,255,.92);padding:8px 10px;border:1px solid #999;"
        'border-radius:4px;font:13px/1.4 sans-serif;max-width:340px">'
        f"<div>{html_lib.escape(text)}</div>"
        f'<div style="margin-top:6px;color:#555;font-size:11px">{html_lib.escape(ATTRIBUTION)}'
        "</div></div>"
    )
    root.html.add_child(folium.Element(box))  # type: ignore[attr-defined]
    return offline_html(m)


def public_geojson(public: gpd.GeoDataFrame, *, decimals: int = 5) -> str:
    """The public areas as GeoJSON text (EPSG:4326, allow-listed properties only).

    Parameters
    ----------
    public
        Output of :func:`public_hotspots`.
    decimals
        Decimal places of longitude/latitude (5 is about 1 m; at most 6).

    """
    check_public(public)
    return _lonlat_json(public, decimals=decimals)


def _lonlat_json(public: gpd.GeoDataFrame, *, decimals: int = 5) -> str:
    if not 1 <= decimals <= 6:
        raise ValidationError(f"decimals must be 1-6. Got {decimals!r} instead.")
    out = public.to_crs(WGS84)
    geoms = shapely.set_precision(out.geometry.to_numpy(), 10.0**-decimals)
    geoms = shapely.transform(geoms, lambda xy: np.round(xy, decimals))
    out = out.set_geometry(gpd.GeoSeries(geoms, index=out.index, crs=WGS84))
    return str(out.to_json(drop_id=True, ensure_ascii=False))


def write_public(
    result: PipelineResult,
    out_dir: str | Path,
    *,
    public: PublicSettings = PublicSettings(),
    title: str = DEFAULT_TITLE,
    view: gpd.GeoDataFrame | None = None,
) -> dict[str, Path]:
    """Write the public map (``public_map.html``) and areas (``public_hotspots.geojson``).

    Both are built from :func:`public_view` only (pass ``view`` when it has already been
    computed with the same ``public`` settings; it is checked again). Returns the paths by
    file name.
    """
    if view is None:
        view = public_view(result, public=public)
    texts = {
        "public_map.html": public_html(result.wards, view, title=title, public_settings=public),
        "public_hotspots.geojson": public_geojson(view),
    }
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for name in PUBLIC_FILES:
        p = out / name
        p.write_text(texts[name], encoding="utf-8")
        paths[name] = p
    return paths


# --- month-by-month counts -------------------------------------------------------------
def monthly_counts_public(
    incidents: pd.DataFrame,
    *,
    public: PublicSettings = PublicSettings(),
    by_ward: bool = False,
    months: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Month-by-month incident counts that are safe to show (for the meeting chart).

    Every month from the first to the last is listed (months with no incident too). A
    count below ``public.min_count`` (zero included) is shown as "fewer than N" with no
    number; the others are rounded to ``public.round_to`` (never below the minimum).

    Parameters
    ----------
    incidents
        Any frame with ``month`` (``YYYY-MM``) and, when ``by_ward``, ``ward_name``; one
        row per incident (e.g. ``result.incidents``). Only these columns are read.
    by_ward
        One series per ward instead of the whole area.
    months
        Months to list (``YYYY-MM``); default the first to the last month in
        ``incidents``. Incidents in other months are not counted.

    Returns
    -------
    pandas.DataFrame
        Columns of :func:`public_fields` (``"monthly"``): ``ward_name`` (str, only when
        ``by_ward``), ``month`` (str), ``month_label`` (str), ``incidents`` (Int64, <NA>
        when suppressed), ``incidents_text`` (str), ``suppressed`` (bool); sorted by ward
        then month.

    """
    need = [c.MONTH, *([c.WARD_NAME] if by_ward else [])]
    missing = [col for col in need if col not in incidents.columns]
    if missing:
        raise ValidationError(f"incidents: columns {', '.join(missing)} are missing")
    data_months = incidents[c.MONTH].astype(str)
    bad = sorted({m for m in (months or []) if not _MONTH_RE.match(str(m))})
    bad += sorted({m for m in data_months.unique() if not _MONTH_RE.match(m)})
    if bad:
        raise ValidationError(f"months must be YYYY-MM. Got {bad[0]!r}.")
    if months is not None:
        ms = sorted({str(m) for m in months})
    elif len(data_months):
        first, last = pd.Period(data_months.min(), "M"), pd.Period(data_months.max(), "M")
        ms = [str(first + i) for i in range((last - first).n + 1)]
    else:
        ms = []
    keys = [c.WARD_NAME] if by_ward else []
    cols = [*keys, c.MONTH, MONTH_LABEL, INCIDENTS, INCIDENTS_TEXT, SUPPRESSED]
    if not ms:
        return pd.DataFrame({col: pd.Series(dtype=object) for col in cols})
    if by_ward:
        wards = sorted(set(incidents[c.WARD_NAME].astype(str)))
        index = pd.MultiIndex.from_product([wards, ms], names=[c.WARD_NAME, c.MONTH])
        counts = (
            pd.DataFrame({c.WARD_NAME: incidents[c.WARD_NAME].astype(str), c.MONTH: data_months})
            .groupby([c.WARD_NAME, c.MONTH])
            .size()
            .reindex(index, fill_value=0)
        )
        frame = counts.reset_index(name="_n")
    else:
        counts = data_months.value_counts().reindex(ms, fill_value=0)
        frame = pd.DataFrame({c.MONTH: ms, "_n": counts.to_numpy()})
    shown = [public.shown_count(int(k)) for k in frame["_n"]]
    rounded = public.round_to > 1
    frame[MONTH_LABEL] = [pd.Period(m, "M").strftime("%b %Y") for m in frame[c.MONTH]]
    frame[INCIDENTS] = pd.array(shown, dtype="Int64")
    frame[INCIDENTS_TEXT] = [
        f"fewer than {public.min_count}" if s is None else (f"about {s}" if rounded else str(s))
        for s in shown
    ]
    frame[SUPPRESSED] = np.array([s is None for s in shown], dtype=bool)
    out = frame[cols].reset_index(drop=True)
    check_public(out, public=public)
    return out

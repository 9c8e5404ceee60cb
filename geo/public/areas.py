"""Public area shapes and labels: grid-generalised outlines, merged overlaps, plain words."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import columns as c
from geo.dates import period_words
from geo.errors import ValidationError
from geo.hotspots import trend_label
from geo.public.schema import PublicSettings
from geo.settings import MONTH_RE, Settings

#: Staff trend labels (:func:`geo.hotspots.trend_label`) in plain words.
TREND_WORDS: Mapping[str, str] = MappingProxyType(
    {
        "rising": "Going up",
        "falling": "Going down",
        "no clear change": "No clear change",
        "new": "New in recent months",
        "n/a": "Not enough months to tell",
    }
)


def trend_explanation(trend_months: int | None = None, *, last_month: str | None = None) -> str:
    """What each public trend word means, in plain words, for a legend or a handout.

    Parameters
    ----------
    trend_months
        Length of the two periods compared (``Settings.trend_months``); without it the
        text says "the latest months" and "the same number of months before".
    last_month
        ``YYYY-MM``, the last month of the later period (the data's last month shown): the
        two periods are then named, "the last 3 months (September to November 2018) than
        the 3 before (June to August 2018)", since the earlier one is not on the map.

    """
    if trend_months is None:
        recent, before = "the latest months", "as many months before"
    else:
        n = int(trend_months)
        recent = "the last month" if n == 1 else f"the last {n} months"
        before = "the month before" if n == 1 else f"the {n} before"
        if last_month is not None:
            end = pd.Period(last_month, "M")
            recent += f" ({period_words([str(end - n + 1), str(end)])})"
            before += f" ({period_words([str(end - 2 * n + 1), str(end - n)])})"
    up, down = TREND_WORDS["rising"], TREND_WORDS["falling"]
    return (
        f"{up} or {down}: more or fewer reports in {recent} than {before}, more than chance "
        f"would explain. {TREND_WORDS['no clear change']}: the difference could be chance. "
        f"{TREND_WORDS['new']}: none in {before}, and more since than chance would explain."
    )


#: Shown when no single kind of incident reaches the minimum count in an area.
MIXED_PROBLEMS = "A mix of problems"


#: A single-location hotspot (one busy map point) is drawn from the square of this many grid
#: cells a side that holds its map point, not from the point itself, so its public outline
#: is the same wherever the point lies in that square (with the 50 m grid: 150 m, 22,500 m²).
SINGLE_LOCATION_CELLS = 3


def single_location_cells(
    geoms: Sequence[shapely.Geometry] | np.ndarray,
    clip: Sequence[shapely.Geometry | None] | np.ndarray | None = None,
    *,
    generalise_m: float,
) -> np.ndarray:
    """The coarse square holding each shape's centre: what a single-location area is drawn from.

    A fixed grid generalises an area's outline, but a hotspot of one map point is a small
    disc: replaying the grid rule over candidate positions would narrow the point down to a
    few hundred square metres inside its published outline. Drawing it from the square of
    :data:`SINGLE_LOCATION_CELLS` grid cells a side (corners at whole multiples of that size
    in the metric CRS) that holds its centre makes the outline depend only on that square,
    so the point can be anywhere in it.

    Parameters
    ----------
    geoms
        Non-empty polygons in a metric CRS (the staff shapes of single-location hotspots).
    clip
        Optional polygon per input (its ward, same CRS): the square is cut to it, so the
        area is drawn on the ward's side (the cut depends on the square, not on the point).
    generalise_m
        The public grid size in metres (> 0).

    Returns
    -------
    numpy.ndarray
        One Polygon (or MultiPolygon where a ward boundary cuts the square) per input
        (object array), same CRS.

    """
    if not generalise_m > 0:
        raise ValidationError(f"generalise_m must be > 0. Got {generalise_m!r} instead.")
    size = SINGLE_LOCATION_CELLS * float(generalise_m)
    centres = shapely.centroid(np.asarray(geoms, dtype=object))
    x0 = np.floor(shapely.get_x(centres) / size) * size
    y0 = np.floor(shapely.get_y(centres) / size) * size
    cells = np.asarray(shapely.box(x0, y0, x0 + size, y0 + size), dtype=object)
    if clip is None:
        return cells
    for i, ward in enumerate(clip):
        if ward is not None:
            cut = shapely.intersection(cells[i], ward)
            if not cut.is_empty and cut.area > 0:
                cells[i] = cut
    return cells


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


def overlap_groups(geoms: np.ndarray, wards: np.ndarray) -> list[list[int]]:
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


def merge_groups(
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


def main_problems(kept: pd.DataFrame, settings: Settings, public: PublicSettings) -> list[str]:
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


def public_period(
    hotspots: gpd.GeoDataFrame, settings: Settings, months: Iterable[str] | None
) -> str:
    """The months a public view covers in words, e.g. ``"March to November 2018"``.

    From ``months`` (the data's months, ``YYYY-MM``) when given, else from the settings'
    ``since``/``until`` and the hotspots' ``first_month``/``last_month``.

    Raises
    ------
    ValidationError
        If a month of ``months`` is not ``YYYY-MM``.

    """
    ms: list[str] = []
    if months is not None:
        series = months if isinstance(months, pd.Series) else pd.Series(list(months), dtype=object)
        ms = sorted(str(m) for m in series.unique())
    bad = [m for m in ms if not MONTH_RE.match(m)]
    if bad:
        raise ValidationError(f"months must be YYYY-MM. Got {bad[0]!r}.")
    if ms:
        first, last = ms[0], ms[-1]
    else:
        firsts = [str(m) for m in hotspots[c.FIRST_MONTH] if MONTH_RE.match(str(m))]
        lasts = [str(m) for m in hotspots[c.LAST_MONTH] if MONTH_RE.match(str(m))]
        first = settings.since or (min(firsts) if firsts else "")
        last = settings.until or (max(lasts) if lasts else "")
    if not first or not last:
        return "the chosen months"
    return period_words([first, last])

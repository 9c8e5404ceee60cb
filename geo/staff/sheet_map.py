"""Static SVG maps for the printed patrol sheet: an overview and one inset per group of hotspots.

Each map is a plain ``<svg>`` (no script, no network) in metres of the run's projected CRS,
north up, with a metric scale bar and a north arrow. Insets are drawn at a street scale so
a hotspot of a few tens of metres is visible; each hotspot carries its rank (the list's
``#``) in a badge beside its north-east corner, joined to it by a short leader line, so the
number never hides a small shape, and always inside the panel; the insets also show the
street and place names of the police.uk map points (:func:`geo.places.street_points`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from scipy.cluster.hierarchy import fcluster, linkage

from geo import columns as c
from geo.maps.escape import escape_html
from geo.project import require_metric

__all__ = ["INSET_SPAN_M", "MAX_INSETS", "group_bounds", "inset_groups", "svg_map"]

#: Hotspots whose centres are at most this far apart (complete linkage) share an inset.
INSET_SPAN_M = 1000.0
#: At most this many insets; more groups are merged (the nearest first).
MAX_INSETS = 5
#: An inset shows at least this many metres across.
MIN_INSET_M = 600.0
#: Margin around an inset's hotspots (metres).
INSET_PAD_M = 90.0

_NICE_M = (10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000)
_FONT = "font-family='Arial,Helvetica,sans-serif'"

Bounds = tuple[float, float, float, float]


def inset_groups(hotspots: gpd.GeoDataFrame, *, max_insets: int = MAX_INSETS) -> list[list[int]]:
    """Which hotspots share an inset: positions in ``hotspots``, groups in rank order.

    Complete-linkage clustering of the hotspot centres: a group's centres lie within
    :data:`INSET_SPAN_M` of each other; when that gives more than ``max_insets`` groups,
    the nearest groups merge until there are ``max_insets``. Groups are ordered by their
    best (lowest) rank, positions inside a group by rank.

    Parameters
    ----------
    hotspots
        ``rank`` and polygon ``geometry`` in a metric CRS.

    """
    require_metric(hotspots.crs, "inset_groups")
    n = len(hotspots)
    if n == 0:
        return []
    if n == 1:
        return [[0]]
    centres = shapely.get_coordinates(hotspots.geometry.centroid.to_numpy())
    tree = linkage(centres, method="complete")
    labels = fcluster(tree, t=INSET_SPAN_M, criterion="distance")
    if labels.max() > max_insets:
        labels = fcluster(tree, t=max_insets, criterion="maxclust")
    ranks = hotspots[c.RANK].to_numpy(dtype="int64")
    groups: dict[int, list[int]] = {}
    for pos in np.argsort(ranks, kind="stable"):
        groups.setdefault(int(labels[pos]), []).append(int(pos))
    return sorted(groups.values(), key=lambda g: int(ranks[g[0]]))


def group_bounds(hotspots: gpd.GeoDataFrame, aspect: float) -> Bounds:
    """Bounds (metres) around ``hotspots``, padded, at least :data:`MIN_INSET_M` across.

    Padded by :data:`INSET_PAD_M`, then widened or heightened to ``aspect`` (width / height).
    """
    minx, miny, maxx, maxy = (float(v) for v in hotspots.total_bounds)
    minx, miny, maxx, maxy = (
        minx - INSET_PAD_M,
        miny - INSET_PAD_M,
        maxx + INSET_PAD_M,
        maxy + INSET_PAD_M,
    )
    return _fit(minx, miny, maxx, maxy, aspect, MIN_INSET_M)


def _fit(minx: float, miny: float, maxx: float, maxy: float, aspect: float, least: float) -> Bounds:
    w, h = max(maxx - minx, least), max(maxy - miny, least / aspect)
    w, h = max(w, h * aspect), max(h, w / aspect)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


@dataclass(frozen=True)
class _View:
    """Metres to SVG pixels: ``x_px = (x - minx) * scale``, ``y_px = (maxy - y) * scale``."""

    minx: float
    maxy: float
    scale: float

    def xy(self, x: float, y: float) -> tuple[float, float]:
        return (x - self.minx) * self.scale, (self.maxy - y) * self.scale

    def path(self, geom: shapely.Geometry) -> str:
        parts = []
        for poly in shapely.get_parts(geom):
            if poly.geom_type != "Polygon":
                continue
            for ring in [poly.exterior, *poly.interiors]:
                xy = np.asarray(ring.coords)[:, :2]
                px = (xy[:, 0] - self.minx) * self.scale
                py = (self.maxy - xy[:, 1]) * self.scale
                parts.append(
                    "M" + " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(px, py, strict=True)) + "Z"
                )
        return " ".join(parts)


def svg_map(
    wards: gpd.GeoDataFrame,
    hotspots: gpd.GeoDataFrame,
    *,
    bounds: Bounds | None = None,
    streets: gpd.GeoDataFrame | None = None,
    boxes: Sequence[tuple[str, Bounds]] = (),
    numbers: bool = True,
    width_px: int = 300,
    height_px: int = 240,
    label: str = "Hotspot map",
) -> str:
    """A static map as inline SVG: wards, hotspots, rank badges, scale bar and north arrow.

    Prints crisply and needs no script or network.

    Parameters
    ----------
    wards
        ``ward_name``, ``geometry`` (Polygon/MultiPolygon, projected CRS in metres).
    hotspots
        ``rank``, ``geometry`` (Polygon) in the same CRS.
    bounds
        ``(minx, miny, maxx, maxy)`` in metres to show (fitted to the panel's shape);
        ``None``: the wards.
    streets
        Named map points (:func:`geo.places.street_points`, same CRS): their names are
        written where they fit (named streets and places only, each name once, busiest
        first); ``None`` writes none.
    boxes
        ``(letter, bounds)`` rectangles to outline and letter, e.g. the insets on an overview.
    numbers
        Draw each hotspot's rank in a badge beside its north-east corner.
    width_px, height_px
        Size of the SVG's coordinate space.
    label
        Its accessible name.

    Returns
    -------
    str
        An ``<svg>`` element.

    """
    require_metric(wards.crs, "svg_map")
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width_px} {height_px}" '
        f'width="{width_px}" height="{height_px}" role="img" aria-label="{escape_html(label)}">'
    )
    if wards.empty and bounds is None:
        return head + "</svg>"
    aspect = width_px / height_px
    if bounds is None:
        minx, miny, maxx, maxy = (float(v) for v in wards.total_bounds)
        pad = 0.03 * max(maxx - minx, maxy - miny, 1.0)
        bounds = _fit(minx - pad, miny - pad, maxx + pad, maxy + pad, aspect, 1.0)
    view = _View(bounds[0], bounds[3], width_px / (bounds[2] - bounds[0]))
    out = [head, f'<rect width="{width_px}" height="{height_px}" fill="#f4f1ea"/>']
    for geom in wards.geometry:
        out.append(
            f'<path d="{view.path(geom)}" fill="#dfe7f0" stroke="#2b4a6f" stroke-width="1.2"/>'
        )
    for name, pt in zip(wards[c.WARD_NAME], wards.geometry.representative_point(), strict=True):
        x, y = view.xy(pt.x, pt.y)
        half = 2.9 * len(str(name))  # about half the name's width at 10 px
        if half <= x <= width_px - half and 12 <= y <= height_px - 2:
            out.append(
                f'<text x="{x:.1f}" y="{y:.1f}" font-size="10" fill="#1d3550" text-anchor="middle" '
                f'{_FONT} opacity="0.75">{escape_html(name)}</text>'
            )
    frame = shapely.box(*bounds)
    hotspots = hotspots[hotspots.geometry.intersects(frame).to_numpy()]
    for geom in hotspots.geometry:
        out.append(
            f'<path class="hotspot" d="{view.path(geom)}" fill="#f03b20" fill-opacity="0.65" '
            'stroke="#7a0019" stroke-width="1"/>'
        )
    # the scale bar (lower left) and the north arrow (top right) keep their corners clear
    taken: list[tuple[float, float, float, float]] = [
        (0.0, height_px - 26.0, width_px / 4 + 45.0, float(height_px)),
        (width_px - 24.0, 0.0, float(width_px), 36.0),
    ]
    if numbers:
        out.extend(_rank_badges(hotspots, view, taken, (width_px, height_px)))
    if streets is not None and len(streets):
        out.extend(_street_names(streets, view, width_px, height_px, taken))
    for letter, (bx0, by0, bx1, by1) in boxes:
        x0, y0 = view.xy(bx0, by1)
        x1, y1 = view.xy(bx1, by0)
        out.append(
            f'<rect class="inset-box" x="{x0:.1f}" y="{y0:.1f}" width="{x1 - x0:.1f}" '
            f'height="{y1 - y0:.1f}" fill="none" stroke="#111" stroke-width="1.2"/>'
            f'<text x="{x0 + 2:.1f}" y="{y0 - 2:.1f}" font-size="11" font-weight="700" {_FONT} '
            f'fill="#111" stroke="#fff" stroke-width="3" paint-order="stroke">'
            f"{escape_html(letter)}</text>"
        )
    out.append(_scale_bar(view.scale, width_px, height_px))
    out.append(_north_arrow(width_px))
    out.append("</svg>")
    return "".join(out)


def _rank_badges(
    hotspots: gpd.GeoDataFrame,
    view: _View,
    taken: list[tuple[float, float, float, float]],
    size: tuple[int, int],
) -> list[str]:
    """A rank badge beside each shape's north-east corner, with a leader, inside the panel.

    The badge goes up and to the right of that corner (no point of the shape lies both east
    and north of it, so the badge never covers its own shape); one that would overlap a
    badge, name or corner box already placed moves further up. Where that leaves the panel
    (a shape near its top or right edge) the badge goes below the corner, then to its left,
    in the same way; with no free place inside, the first place is pulled inside the panel.
    """
    width, height = size
    out = []
    order = np.argsort(hotspots[c.RANK].to_numpy(dtype="int64"), kind="stable")
    for pos in order:
        rank = int(hotspots[c.RANK].iloc[pos])
        xy = shapely.get_coordinates(hotspots.geometry.iloc[pos])
        vx, vy = xy[int(np.argmax(xy[:, 0] + xy[:, 1]))]
        px, py = view.xy(float(vx), float(vy))
        w, h = 7.0 + 6.0 * len(str(rank)), 13.0
        step = h + 2
        tries = [
            (x, y0 + sign * k * step)
            for x, y0, sign in (
                (px + 5, py - 5 - h, -1),  # up and right, then further up
                (px + 5, py + 5, 1),  # down and right, then further down
                (px - 5 - w, py - 5 - h, -1),  # up and left
                (px - 5 - w, py + 5, 1),  # down and left
            )
            for k in range(6)
        ]

        free = [
            (x, y)
            for x, y in tries
            if 1 <= x <= width - w - 1
            and 1 <= y <= height - h - 1
            and not any(_overlap((x, y, x + w, y + h), t) for t in taken)
        ]
        if free:
            bx, by = free[0]
        else:
            bx = min(max(tries[0][0], 1.0), width - w - 1)
            by = min(max(tries[0][1], 1.0), height - h - 1)
        taken.append((bx, by, bx + w, by + h))
        # the leader joins the corner to the badge's nearest corner
        lx = bx if bx >= px else bx + w
        ly = by + h if by + h <= py else by
        out.append(
            f'<g class="rank"><line x1="{px:.1f}" y1="{py:.1f}" x2="{lx:.1f}" y2="{ly:.1f}" '
            'stroke="#7a0019" stroke-width="1"/>'
            f'<rect x="{bx:.1f}" y="{by:.1f}" width="{w:.1f}" height="{h:.1f}" rx="3" '
            'fill="#7a0019" stroke="#fff" stroke-width="0.8"/>'
            f'<text x="{bx + w / 2:.1f}" y="{by + h - 3:.1f}" font-size="10" font-weight="700" '
            f'text-anchor="middle" {_FONT} fill="#fff">{rank}</text></g>'
        )
    return out


def _street_names(
    streets: gpd.GeoDataFrame,
    view: _View,
    width_px: int,
    height_px: int,
    taken: list[tuple[float, float, float, float]],
) -> list[str]:
    """Names of named map points inside the panel, each once, busiest first, none overlapping."""
    named = streets[~streets["generic"].astype(bool)]
    order = sorted(
        range(len(named)),
        key=lambda i: (-int(named[c.N_INCIDENTS].iloc[i]), str(named["name"].iloc[i])),
    )
    out, seen = [], set()
    for i in order:
        name = str(named["name"].iloc[i])
        if name in seen:
            continue
        pt = named.geometry.iloc[i]
        x, y = view.xy(pt.x, pt.y)
        w = 4.4 * len(name)
        if not (0 <= x <= width_px and 9 <= y <= height_px - 2):
            continue
        x = min(max(x, w / 2 + 2), width_px - w / 2 - 2)  # a name near an edge moves inside
        box = (x - w / 2, y - 7, x + w / 2, y + 2)
        if any(_overlap(box, t) for t in taken):
            continue
        seen.add(name)
        taken.append(box)
        out.append(
            f'<text class="street" x="{x:.1f}" y="{y:.1f}" font-size="8" text-anchor="middle" '
            f'{_FONT} fill="#444" stroke="#fff" stroke-width="2.5" paint-order="stroke">'
            f"{escape_html(name)}</text>"
        )
    return out


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _scale_bar(scale: float, width_px: int, height_px: int) -> str:
    """A metric scale bar at the lower left: the longest round length up to a quarter width."""
    fits = [m for m in _NICE_M if m * scale <= width_px / 4] or [_NICE_M[0]]
    metres = fits[-1]
    length = metres * scale
    text = f"{metres // 1000} km" if metres >= 1000 and metres % 1000 == 0 else f"{metres} m"
    if metres >= 1000 and metres % 1000:
        text = f"{metres / 1000:g} km"
    x, y = 8.0, height_px - 10.0
    half = length / 2
    return (
        f'<g class="scale-bar"><rect x="{x - 3:.1f}" y="{y - 14:.1f}" width="{length + 40:.1f}" '
        'height="20" fill="#fff" fill-opacity="0.8"/>'
        f'<rect x="{x:.1f}" y="{y - 4:.1f}" width="{half:.1f}" height="4" fill="#111"/>'
        f'<rect x="{x + half:.1f}" y="{y - 4:.1f}" width="{half:.1f}" height="4" fill="#fff" '
        'stroke="#111" stroke-width="0.6"/>'
        f'<text x="{x:.1f}" y="{y - 6:.1f}" font-size="8" {_FONT} fill="#111">0</text>'
        f'<text x="{x + length + 3:.1f}" y="{y:.1f}" font-size="8" {_FONT} fill="#111">'
        f"{text}</text></g>"
    )


def _north_arrow(width_px: int) -> str:
    """A north arrow at the top right (grid north of the projected CRS, up the page)."""
    x = width_px - 14.0
    return (
        f'<g class="north-arrow"><path d="M{x:.1f},6 L{x + 6:.1f},22 L{x:.1f},18 '
        f'L{x - 6:.1f},22 Z" fill="#111" stroke="#fff" stroke-width="0.8"/>'
        f'<text x="{x:.1f}" y="32" font-size="9" font-weight="700" text-anchor="middle" {_FONT} '
        'fill="#111" stroke="#fff" stroke-width="2.5" paint-order="stroke">N</text></g>'
    )

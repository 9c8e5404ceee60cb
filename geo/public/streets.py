"""Street names for the public map, safe by construction: police.uk names at generalised spots.

The staff maps write every police.uk map-point name at its map point. The public map must
not: a name drawn exactly at a map point of the months shown would say "something happened
here in these months", the only point-level content of the public view. So the public street
layer is built differently (:func:`public_streets`):

* **Names from police.uk only.** Only police.uk rows are read (their ``Location``, "On or
  near Oxford Road"); local reports (needle finds, dealing reports, postbox slips) are never
  read, so their location, notes and sources cannot reach the map, and adding or moving one
  changes nothing. Kinds of place (``Supermarket``, :data:`geo.places.GENERIC_PLACES`) and
  anything that is not a name (digits, as in a house number; no letters) are dropped.
* **Independent of the months shown.** The caller passes the incidents of all months of the
  data (:func:`streets_for_source` does it for a data source), so the same streets are named
  whatever window the map shows.
* **Only streets that clear the public minimum.** A street is named only when its map points
  hold at least ``min_incidents`` police.uk incidents over all those months (the public
  minimum count, never below :data:`geo.public.MIN_COUNT_FLOOR`): the presence of a name
  says no more than a public area does. (Most streets have a single map point, so a rule on
  the number of map points would name almost none.)
* **Generalised positions.** The label goes at the middle of the street's map points, moved
  to the centre of the :data:`STREET_GRID_M` grid square it falls in (a fixed grid anchored
  at the CRS origin), or to the nearest square centre at least :data:`CLEAR_M` from every
  police.uk map point of the data; never on a map point, and only inside the wards.
* **Readable, not cluttered.** Labels are thinned by their size on screen: a label is shown
  from the first zoom of :data:`PUBLIC_STREET_TIERS` at which its box overlaps no label
  kept before it (streets with more map points first, then by name), else not at all.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from geo import columns as c
from geo.errors import ValidationError
from geo.io import neutralise_markup
from geo.maps import StreetLayer, hide_below_css
from geo.places import is_generic, street_points
from geo.project import WGS84, require_metric
from geo.public.schema import DEFAULT_PUBLIC, MIN_COUNT_FLOOR

if TYPE_CHECKING:
    from geo.settings import Settings
    from geo.source import DataSource

__all__ = [
    "CLEAR_M",
    "PUBLIC_STREET_TIERS",
    "STREET_FIELDS",
    "STREET_GRID_M",
    "check_public_streets",
    "is_street_name",
    "public_street_layer",
    "public_streets",
    "streets_for_source",
]

#: The columns of the public street labels, and nothing else.
STREET_FIELDS: tuple[str, ...] = ("name", "min_zoom", "geometry")
#: Labels go at the centre of a square of this grid (metres, anchored at the CRS origin).
STREET_GRID_M = 25.0
#: No label is closer than this to any police.uk map point (metres): more than the 13.2 m
#: within which two points can share longitude and latitude rounded to 4 decimals.
CLEAR_M = 15.0
#: A label moves at most this far from the middle of its map points to find a clear square.
MAX_SHIFT_M = 60.0
#: Map points of one name further apart than this (metres) are different streets (say two
#: Church Streets), each named on its own.
SAME_STREET_M = 400.0
#: Zoom levels the labels appear from, closest last: none on the first whole-area view.
PUBLIC_STREET_TIERS: tuple[int, ...] = (15, 16, 17, 18)
#: Font size of a label (pixels), bold, for a projector; the box is estimated from it.
FONT_PX = 13
_CHAR_PX = 0.62 * FONT_PX  # mean width of a character of bold sans-serif
_BOX_PAD_PX = 6.0  # kept free around each label
_CSS = (
    ".street-label-icon{width:0 !important;height:0 !important;pointer-events:none;}"
    ".street-label{position:absolute;transform:translate(-50%,-50%);white-space:nowrap;"
    f"font:600 {FONT_PX}px/1.15 sans-serif;color:#333;letter-spacing:.2px;"
    "text-shadow:0 0 2px #fff,0 0 3px #fff,0 0 4px #fff;}" + hide_below_css(PUBLIC_STREET_TIERS)
)
_NAME_OK = re.compile(r"^[^\W\d_]+(?:[ '’./&-]+[^\W\d_]+)*$")


def is_street_name(name: str) -> bool:
    """True for a police.uk name of a street or named place the public map may show.

    A kind of place (``Supermarket``) is not a name; neither is text holding a digit (a
    house number, which police.uk never uses) or anything but words of letters joined by
    spaces, apostrophes, full stops, slashes, ``&`` or hyphens.
    """
    text = name.strip()
    return bool(text) and not is_generic(text) and bool(_NAME_OK.fullmatch(text))


def public_streets(
    incidents: gpd.GeoDataFrame,
    wards: gpd.GeoDataFrame,
    *,
    min_incidents: int = DEFAULT_PUBLIC.min_count,
) -> gpd.GeoDataFrame:
    """The street names of the public map and where they go (see the module's rules).

    Parameters
    ----------
    incidents
        Incidents of **all months** of the data (not only those shown), metric CRS, with
        ``source_kind``, ``location`` and point ``geometry`` (e.g. ``Prepared.incidents``
        with the month and category filters lifted). Only police.uk rows are read.
    wards
        ``geometry`` (any CRS): labels outside every ward are dropped.
    min_incidents
        A street is named when its map points hold at least this many police.uk incidents
        (at least :data:`geo.public.MIN_COUNT_FLOOR`).

    Returns
    -------
    geopandas.GeoDataFrame
        Exactly :data:`STREET_FIELDS`: ``name`` (str, markup neutralised), ``min_zoom``
        (int64, one of :data:`PUBLIC_STREET_TIERS`) and point ``geometry`` (the label's
        position, in the CRS of ``incidents``); sorted by name, then west to east. Empty
        (same columns and CRS) when no street qualifies.

    Raises
    ------
    ValidationError
        When the CRS is not metric or ``min_incidents`` is below the floor.

    """
    require_metric(incidents.crs, "public_streets")
    if min_incidents < MIN_COUNT_FLOOR:
        raise ValidationError(
            f"The 'min_incidents' argument of public_streets must be at least "
            f"{MIN_COUNT_FLOOR}. Got {min_incidents} instead."
        )
    points = street_points(incidents)  # police.uk rows only: local reports are never read
    police = incidents[(incidents[c.SOURCE_KIND].astype(str) == "police.uk").to_numpy()]
    every = np.unique(np.column_stack([police.geometry.x, police.geometry.y]), axis=0)
    named = points[points["name"].astype(str).map(is_street_name).to_numpy(dtype=bool)]
    rows = _streets(named, min_incidents=min_incidents)
    area = shapely.union_all(wards.to_crs(incidents.crs).geometry.to_numpy())
    tree = cKDTree(every) if len(every) else None
    kept: list[tuple[str, int, float, float]] = []
    for name, n_points, x, y in rows:
        spot = _clear_spot(x, y, tree)
        if spot is not None and area.contains(shapely.Point(spot)):
            kept.append((name, n_points, *spot))
    return _tiered(kept, incidents.crs)


def _streets(named: gpd.GeoDataFrame, *, min_incidents: int) -> list[tuple[str, int, float, float]]:
    """``(name, map points, x, y of their middle)`` of each street with enough incidents.

    A name's map points more than :data:`SAME_STREET_M` apart from all the others are
    separate streets (single linkage: linked points of one name form one street).
    """
    names = named["name"].astype(str).to_numpy(dtype=object)
    xy = np.column_stack([named.geometry.x.to_numpy(), named.geometry.y.to_numpy()])
    n = named[c.N_INCIDENTS].to_numpy(dtype="int64")
    codes, uniques = pd.factorize(names, sort=True)
    # points of one name within SAME_STREET_M of each other are linked; a part is a
    # connected group of links
    pairs = cKDTree(xy).query_pairs(SAME_STREET_M, output_type="ndarray") if len(xy) else None
    if pairs is None or not len(pairs):
        part = np.arange(len(names))
    else:
        pairs = pairs[codes[pairs[:, 0]] == codes[pairs[:, 1]]]
        links = coo_matrix(
            (np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(len(xy), len(xy))
        )
        part = connected_components(links, directed=False)[1]
    frame = pd.DataFrame(
        {"code": codes, "part": part, "n": n, "x": xy[:, 0], "y": xy[:, 1], "points": 1}
    )
    agg = frame.groupby(["code", "part"], sort=True).agg(
        n=("n", "sum"), points=("points", "sum"), x=("x", "mean"), y=("y", "mean")
    )
    agg = agg[agg["n"].to_numpy() >= min_incidents]
    codes_kept = agg.index.get_level_values("code").to_numpy()
    return [
        (str(uniques[k]), int(p), float(x), float(y))
        for k, p, x, y in zip(codes_kept, agg["points"], agg["x"], agg["y"], strict=True)
    ]


def _clear_spot(x: float, y: float, tree: cKDTree | None) -> tuple[float, float] | None:
    """The grid-square centre nearest ``(x, y)`` that is CLEAR_M from every map point."""
    g = STREET_GRID_M
    cx, cy = (math.floor(x / g) + 0.5) * g, (math.floor(y / g) + 0.5) * g
    reach = math.ceil(MAX_SHIFT_M / g)
    steps = np.arange(-reach, reach + 1) * g
    cand = np.array([(cx + dx, cy + dy) for dx in steps for dy in steps])
    shift = np.hypot(cand[:, 0] - x, cand[:, 1] - y)
    order = np.lexsort((cand[:, 1], cand[:, 0], shift))  # nearest, then west, then south
    for i in order:
        if shift[i] > MAX_SHIFT_M:
            break
        if tree is None or tree.query(cand[i])[0] >= CLEAR_M:
            return float(cand[i, 0]), float(cand[i, 1])
    return None


def _box_m(name: str, zoom: int, lat: float) -> tuple[float, float]:
    """Half width and half height (metres on the ground) of a label's box at ``zoom``."""
    m_per_px = 156543.03392 * math.cos(math.radians(lat)) / 2**zoom
    w = len(name) * _CHAR_PX + 2 * _BOX_PAD_PX
    h = FONT_PX * 1.15 + 2 * _BOX_PAD_PX
    return w / 2 * m_per_px, h / 2 * m_per_px


def _tiered(rows: list[tuple[str, int, float, float]], crs: object) -> gpd.GeoDataFrame:
    """The labels of ``rows`` that fit, each with the first zoom at which it overlaps none.

    Labels present at each tier are kept in a grid of squares at least as wide as two of
    the widest labels, so only the squares around a label need looking at.
    """
    pts = gpd.GeoSeries([shapely.Point(x, y) for _n, _k, x, y in rows], crs=crs)
    lat = pts.to_crs(WGS84).y.to_numpy() if len(rows) else np.array([])
    order = sorted(range(len(rows)), key=lambda i: (-rows[i][1], rows[i][0], rows[i][2]))
    boxes = {
        t: [_box_m(rows[i][0], t, float(lat[i])) for i in range(len(rows))]
        for t in PUBLIC_STREET_TIERS
    }
    cell = {t: 2 * max((max(b) for b in boxes[t]), default=1.0) for t in PUBLIC_STREET_TIERS}
    present: dict[int, dict[tuple[int, int], list[int]]] = {t: {} for t in PUBLIC_STREET_TIERS}
    kept: list[tuple[int, int]] = []  # (row, min zoom)
    for i in order:
        _name, _k, x, y = rows[i]
        for zoom in PUBLIC_STREET_TIERS:
            hw, hh = boxes[zoom][i]
            gx, gy = math.floor(x / cell[zoom]), math.floor(y / cell[zoom])
            near = (
                j
                for dx in (-1, 0, 1)
                for dy in (-1, 0, 1)
                for j in present[zoom].get((gx + dx, gy + dy), ())
            )
            if any(
                abs(rows[j][2] - x) < hw + boxes[zoom][j][0]
                and abs(rows[j][3] - y) < hh + boxes[zoom][j][1]
                for j in near
            ):
                continue
            kept.append((i, zoom))
            for t in PUBLIC_STREET_TIERS:
                if t >= zoom:
                    key = (math.floor(x / cell[t]), math.floor(y / cell[t]))
                    present[t].setdefault(key, []).append(i)
            break
    kept.sort(key=lambda k: (rows[k[0]][0], rows[k[0]][2], rows[k[0]][3]))
    frame = pd.DataFrame(
        {
            "name": [rows[i][0] for i, _z in kept],
            "min_zoom": np.array([z for _i, z in kept], dtype="int64"),
        }
    )
    frame = neutralise_markup(frame, ["name"])
    geoms = [shapely.Point(rows[i][2], rows[i][3]) for i, _z in kept]
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=crs), crs=crs)


def check_public_streets(streets: gpd.GeoDataFrame) -> None:
    """Refuse anything but public street labels: :data:`STREET_FIELDS`, points, names.

    Raises
    ------
    ValidationError
        Naming every problem: other columns, a geometry that is not a point, a ``name``
        that :func:`is_street_name` refuses, a ``min_zoom`` outside the tiers.

    """
    problems = []
    extra = [col for col in streets.columns if col not in STREET_FIELDS]
    missing = [col for col in STREET_FIELDS if col not in streets.columns]
    if extra or missing:
        problems.append(
            f"public streets: expected exactly the columns {', '.join(STREET_FIELDS)}, "
            f"got extra {extra or 'none'} and missing {missing or 'none'}"
        )
    else:
        kinds = sorted(set(streets.geometry.geom_type) - {"Point"})
        if kinds:
            problems.append(f"public streets: expected point labels, got {', '.join(kinds)}")
        bad = [n for n in streets["name"].astype(str) if not is_street_name(n)]
        if bad:
            problems.append(f"public streets: {bad[:3]} are not street or place names")
        zooms = sorted(set(streets["min_zoom"].astype(int)) - set(PUBLIC_STREET_TIERS))
        if zooms:
            problems.append(
                f"public streets: min_zoom must be one of {PUBLIC_STREET_TIERS}, got {zooms}"
            )
    if problems:
        raise ValidationError(problems)


def public_street_layer(
    streets: gpd.GeoDataFrame, *, name: str = "Street names (zoom in)"
) -> StreetLayer:
    """The public street labels as a switchable map layer, hidden until zoomed in.

    Parameters
    ----------
    streets
        From :func:`public_streets` (checked with :func:`check_public_streets`), any CRS.
    name
        Its name in the layer switcher.

    Returns
    -------
    geo.maps.StreetLayer
        Non-interactive labels whose text is set as text, never read as HTML; positions in
        WGS84 rounded to 5 decimal places (about 1 m).

    """
    check_public_streets(streets)
    ll = streets.to_crs(WGS84).geometry if len(streets) else streets.geometry
    labels = [
        [round(float(p.y), 5), round(float(p.x), 5), str(n), False, int(z)]
        for n, z, p in zip(streets["name"], streets["min_zoom"], ll, strict=True)
    ]
    return StreetLayer(labels, name=name, tiers=PUBLIC_STREET_TIERS, css=_CSS)


def streets_for_source(
    source: DataSource,
    settings: Settings,
    *,
    min_incidents: int = DEFAULT_PUBLIC.min_count,
) -> gpd.GeoDataFrame:
    """:func:`public_streets` of every month and category of a data source.

    Parameters
    ----------
    source
        The data (e.g. ``DataSource.shipped()``), read with :func:`geo.source.load_source`.
    settings
        The run's settings; their month and category filters are lifted.
    min_incidents
        As for :func:`public_streets`.

    Returns
    -------
    geopandas.GeoDataFrame
        As :func:`public_streets` (metric CRS of the prepared incidents).

    """
    from geo.prepare import preparation_settings, prepare_incidents
    from geo.source import load_source

    raw, wards, inputs = load_source(source)
    unfiltered = preparation_settings(settings.replace(since=None, until=None, include=()))
    prep = prepare_incidents(raw, wards, unfiltered, inputs=inputs)
    return public_streets(prep.incidents, prep.wards, min_incidents=min_incidents)

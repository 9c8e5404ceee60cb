"""Place names people recognise: hotspot descriptions and street points from police.uk locations.

Every police.uk row carries a public ``Location`` such as ``On or near Oxford Road`` or
``On or near Supermarket``: the name of the map point the incident was moved to. Those names are
published by police.uk for every map point, so they are safe to show; the ``location`` text of
local reports (needle finds, postbox slips) can point at a home and is never used here.

Two kinds of name occur. Streets and named places (``Templars Square Shopping Centre``) say
where on their own; generic kinds (``Supermarket``, ``Parking Area``) do not, so a generic kind
is paired with the nearest named map point (``Supermarket near Between Towns Road``).
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy.spatial import cKDTree

from geo import columns as c
from geo.project import distinct_points, metre_columns, point_xy, require_metric

__all__ = [
    "GENERIC_PLACES",
    "NEAR_MAX_M",
    "PLACE",
    "PLAIN_PLACES",
    "describe_places",
    "is_generic",
    "place_name",
    "plain_place_words",
    "street_points",
    "with_places",
]

#: Column of the hotspot table: plain description of where the hotspot is.
PLACE = c.PLACE

#: The kinds of public place police.uk uses as map-point names (no name of their own).
GENERIC_PLACES: frozenset[str] = frozenset(
    {
        "Airport/Airfield",
        "Bus/Coach Station",
        "Conference/Exhibition Centre",
        "Further/Higher Educational Building",
        "Hospital",
        "Nightclub",
        "Park/Open Space",
        "Parking Area",
        "Pedestrian Subway",
        "Petrol Station",
        "Police Station",
        "Prison",
        "Race Track",
        "Shopping Area",
        "Sports/Recreation Area",
        "Supermarket",
        "Theatre/Concert Hall",
        "Theme/Adventure Park",
    }
)

#: Each kind of place in plain words ("Sports/Recreation Area" read aloud is map jargon):
#: the hotspots' place names, the map labels and the meeting's area names all use them.
PLAIN_PLACES: dict[str, str] = {
    "Airport/Airfield": "airfield",
    "Bus/Coach Station": "bus station",
    "Conference/Exhibition Centre": "conference centre",
    "Further/Higher Educational Building": "college building",
    "Hospital": "hospital",
    "Nightclub": "nightclub",
    "Park/Open Space": "park",
    "Parking Area": "car park",
    "Pedestrian Subway": "subway",
    "Petrol Station": "petrol station",
    "Police Station": "police station",
    "Prison": "prison",
    "Race Track": "race track",
    "Shopping Area": "shops",
    "Sports/Recreation Area": "sports ground",
    "Supermarket": "supermarket",
    "Theatre/Concert Hall": "theatre",
    "Theme/Adventure Park": "theme park",
}
_PLAIN_RE = re.compile("|".join(re.escape(k) for k in sorted(PLAIN_PLACES, key=len, reverse=True)))


def plain_place_words(description: str) -> str:
    """A place description with police.uk's kinds of place in plain words.

    ``"Sports/Recreation Area and Further/Higher Educational Building near Pegasus Road"``
    becomes ``"Sports ground and college building near Pegasus Road"``; street and place
    names are left as they are, and the first letter is a capital.

    Parameters
    ----------
    description
        From :func:`describe_places` (or any text).

    """
    text = _PLAIN_RE.sub(lambda m: PLAIN_PLACES[m.group(0)], description)
    return text[:1].upper() + text[1:]


#: A generic kind is only paired with a named map point at most this far away (metres).
NEAR_MAX_M = 400.0
#: Named map points looked at when several are equally near a kind (the first name wins).
_TIES = 8

_PREFIX = "on or near "


def place_name(location: object) -> str:
    """The map point's name from a police.uk ``Location`` value ("" when there is none).

    ``"On or near Barn'S Road"`` gives ``"Barn's Road"`` (police.uk capitalises after an
    apostrophe); runs of spaces shrink to one; a value without the prefix is kept as written.
    """
    if not isinstance(location, str):
        return ""
    text = " ".join(location.split())
    if text.lower().startswith(_PREFIX):
        text = text[len(_PREFIX) :]
    return text.replace("'S ", "'s ").strip()


#: What ``str.split()`` splits ASCII text on (Python's whitespace below 128).
_ASCII_SPACE = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"


def place_names(locations: object) -> np.ndarray:
    """:func:`place_name` of each value, as an object array of str.

    ASCII text (police.uk's) is handled by pyarrow's string functions in one pass over all
    values; any other value goes through :func:`place_name` itself, so the result is
    always what it gives.
    """
    values = np.asarray(locations, dtype=object)
    out = np.full(len(values), "", dtype=object)
    is_text = np.fromiter((isinstance(v, str) for v in values), dtype=bool, count=len(values))
    if not is_text.any():
        return out
    text = pa.array(values[is_text], type=pa.string())
    ascii_only = pc.string_is_ascii(text).to_numpy(zero_copy_only=False)
    quick = pc.filter(text, pa.array(ascii_only))
    quick = pc.replace_substring_regex(quick, f"[{_regex_class(_ASCII_SPACE)}]+", " ")
    quick = pc.utf8_trim(quick, characters=_ASCII_SPACE)
    prefixed = pc.starts_with(quick, _PREFIX, ignore_case=True)
    quick = pc.if_else(prefixed, pc.utf8_slice_codeunits(quick, len(_PREFIX)), quick)
    quick = pc.utf8_trim(pc.replace_substring(quick, "'S ", "'s "), characters=_ASCII_SPACE)
    names = np.empty(int(is_text.sum()), dtype=object)
    names[ascii_only] = quick.to_numpy(zero_copy_only=False)
    others = np.flatnonzero(~ascii_only)
    texts = text.to_numpy(zero_copy_only=False)
    names[others] = [place_name(texts[i]) for i in others]
    out[is_text] = names
    return out


def _regex_class(characters: str) -> str:
    """``characters`` written for a regular-expression character class."""
    return "".join(f"\\x{ord(ch):02x}" for ch in characters)


def is_generic(name: str) -> bool:
    """True for a police.uk kind of place (``Supermarket``) rather than a name (``Oxford Road``)."""
    return name in GENERIC_PLACES


class _NamedRows:
    """police.uk rows with a place name, as integer codes (no Python string per row).

    ``pos``: each row's position in the frame; ``code``: its name's number in ``names``
    (sorted, so comparing codes compares names); ``x``, ``y``: its point (metres).
    """

    def __init__(self, incidents: gpd.GeoDataFrame) -> None:
        is_police = (incidents[c.SOURCE_KIND] == "police.uk").to_numpy(dtype=bool)
        # each distinct location text is turned into a name once (millions of rows, far
        # fewer texts), then the names are numbered in sorted order; a categorical column's
        # own codes serve (no copy of millions of rows)
        location = incidents[c.LOCATION]
        if isinstance(location.dtype, pd.CategoricalDtype):
            codes = location.cat.codes.to_numpy()
            texts = location.cat.categories
        else:
            codes, texts = pd.factorize(location)
        name_of = np.append(place_names(texts), "")  # code -1 (missing): no name
        name_no, names = pd.factorize(name_of, sort=True)
        # 32-bit numbers: a national year has millions of rows (and far fewer names)
        name_no = name_no.astype(np.int32 if len(names) < 2**31 else np.int64)
        keep = is_police & (name_of != "")[codes]
        self.pos = np.flatnonzero(keep).astype(np.int32 if len(incidents) < 2**31 else np.int64)
        del keep
        self.code = name_no[codes[self.pos]]
        self.names = np.asarray(names, dtype=object)
        carried = metre_columns(incidents)  # the rows kept are copied, not all rows twice
        if carried is None:  # no usable metre columns: read the points themselves
            xy = point_xy(incidents.geometry)
            carried = xy[:, 0], xy[:, 1]
        x, y = carried
        subset = len(self.pos) < len(incidents)
        self.x = x[self.pos] if subset else x
        self.y = y[self.pos] if subset else y

    def frame(self, incidents: gpd.GeoDataFrame, rows: np.ndarray | slice) -> pd.DataFrame:
        """``name``, ``x``, ``y`` of ``rows`` (of these rows), indexed as in ``incidents``."""
        return pd.DataFrame(
            {
                "name": pd.Series(self.names).array.take(self.code[rows]),
                "x": self.x[rows],
                "y": self.y[rows],
            },
            index=incidents.index[self.pos[rows]],
        )


def _named(incidents: gpd.GeoDataFrame) -> pd.DataFrame:
    """police.uk rows with a place name: ``name``, ``x``, ``y`` (metres), the frame's index."""
    return _NamedRows(incidents).frame(incidents, slice(None))


def street_points(incidents: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One row per named police.uk map point: where street and place names can be shown.

    Parameters
    ----------
    incidents
        Incidents in a metric CRS with ``source_kind``, ``location`` and point ``geometry``
        (e.g. ``Prepared.incidents`` or ``PipelineResult.incidents``). Local reports are ignored.

    Returns
    -------
    geopandas.GeoDataFrame
        ``name`` (str, e.g. ``Oxford Road``), ``generic`` (bool, a kind such as
        ``Supermarket``), ``n_incidents`` (int, at that map point) and point ``geometry`` in
        the input CRS; busiest first, then by name. Empty (same columns and CRS) when no row
        has a name.

    """
    require_metric(incidents.crs, "street_points")
    named = _named(incidents)
    pts = (
        named.groupby(["name", "x", "y"], sort=True)
        .size()
        .rename(c.N_INCIDENTS)
        .reset_index()
        .sort_values([c.N_INCIDENTS, "name", "x", "y"], ascending=[False, True, True, True])
        .reset_index(drop=True)
    )
    pts["generic"] = pts["name"].map(is_generic).astype(bool)
    return gpd.GeoDataFrame(
        pts[["name", "generic", c.N_INCIDENTS]],
        geometry=gpd.points_from_xy(pts["x"], pts["y"]),
        crs=incidents.crs,
    )


def _words(items: list[tuple[str, str]]) -> str:
    """``[(name, nearest named point or "")]`` as one phrase, names joined with `` / ``.

    Kinds near the same named point share it: ``Supermarket and Parking Area near X Road``.
    """
    parts: list[str] = []
    done: set[int] = set()
    for i, (name, near) in enumerate(items):
        if i in done:
            continue
        if not near:
            parts.append(name)
            continue
        same = [j for j in range(i, len(items)) if items[j][1] == near]
        done.update(same)
        parts.append(" and ".join(items[j][0] for j in same) + f" near {near}")
    return " / ".join(parts)


def describe_places(
    incidents: gpd.GeoDataFrame,
    *,
    group_col: str = c.HOTSPOT_ID,
    max_names: int = 2,
) -> pd.Series:
    """A plain description of where each group of incidents is, from its police.uk place names.

    The busiest names of the group's police.uk rows, busiest first, joined with `` / ``
    (``Templars Square Shopping Centre / Between Towns Road``). A generic kind is written with
    the nearest named map point of the whole frame (``Supermarket near Oxford Road``) when one
    lies within :data:`NEAR_MAX_M` and is not already among the names shown; otherwise the kind
    alone. Ties go to the name that sorts first, so the same data always gives the same words.

    Parameters
    ----------
    incidents
        Incidents in a metric CRS with ``group_col`` (e.g. ``hotspot_id``; "" or missing for
        incidents in no group), ``source_kind``, ``location`` and point ``geometry``. All rows
        (grouped or not) serve to find the nearest named map point.
    group_col
        Column naming each row's group.
    max_names
        At most this many names per group (at least 1).

    Returns
    -------
    pandas.Series
        Indexed by group (every non-empty value of ``group_col``, sorted), named
        :data:`PLACE`, str; "" for a group with no police.uk place name (only local reports).

    """
    require_metric(incidents.crs, "describe_places")
    if max_names < 1:
        raise ValueError(f"The 'max_names' argument must be at least 1. Got {max_names} instead.")
    # groups and names as integer codes in sorted order; text only for the few rows kept
    group_text = incidents[group_col]
    if group_text.hasnans or not pd.api.types.is_string_dtype(group_text.dtype):
        group_text = group_text.astype("string").fillna("")
    group_no, group_names = pd.factorize(group_text, sort=True)
    group_names = np.asarray(group_names, dtype=object)
    wanted = [str(g) for g in group_names if g != ""]
    out = pd.Series("", index=pd.Index(wanted, name=group_col), name=PLACE, dtype=object)
    rows = _NamedRows(incidents)
    generic_code = np.isin(rows.names, list(GENERIC_PLACES))
    row_group = group_no[rows.pos]
    in_group = group_names[row_group] != ""
    if not in_group.any():
        return out
    n_names = len(rows.names) + 1
    pair_key = row_group[in_group].astype(np.int64) * n_names + rows.code[in_group]
    pairs, pair_n = np.unique(pair_key, return_counts=True)  # sorted by group, then name
    counts = pd.DataFrame(
        {
            "group": group_names[pairs // n_names],
            "name": rows.names[pairs % n_names],
            "n": pair_n.astype(np.int64),
        }
    )
    # the busiest names of each group, ties to the name that sorts first
    counts = counts.sort_values(["group", "n", "name"], ascending=[True, False, True])
    top = counts[counts.groupby("group", sort=False).cumcount().to_numpy() < max_names]
    top = top.reset_index(drop=True)
    top["near"] = _nearest_names(rows, row_group, group_names, top, ~generic_code)
    # a kind's nearest named point is not repeated when it is already among the names shown
    shown = set(zip(top["group"], top["name"], strict=True))
    top.loc[[(g, n) in shown for g, n in zip(top["group"], top["near"], strict=True)], "near"] = ""
    items: dict[str, list[tuple[str, str]]] = {}
    for g, name, near in zip(top["group"], top["name"], top["near"], strict=True):
        items.setdefault(g, []).append((name, near))
    words = pd.Series({g: _words(v) for g, v in items.items()}, dtype=object)
    out.loc[words.index] = words.to_numpy()
    return out


def with_places(hotspots: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A copy of ``hotspots`` with a ``place`` column right after ``ward_name``.

    ``place`` is :func:`describe_places` of each hotspot's members with police.uk's kinds
    of place in plain words (:func:`plain_place_words`: ``"Car park near Banjo Road"``, as
    the meeting map says it); a hotspot with no
    police.uk place name among them (only local reports) gets its ward name instead, so
    every hotspot has words a sergeant can look for.

    Parameters
    ----------
    hotspots
        Output of :func:`geo.hotspots.summarise_hotspots`: ``hotspot_id``, ``ward_name``, ...
        (any CRS; ``hotspots`` is not changed).
    incidents
        The same run's incidents labelled with ``hotspot_id`` ("" for noise), with
        ``source_kind``, ``location`` and point ``geometry`` in a metric CRS (from
        :func:`geo.hotspots.label_incidents`).

    Returns
    -------
    geopandas.GeoDataFrame
        The columns of ``hotspots`` with ``place`` (str) inserted after ``ward_name``; same
        rows, order and CRS. Empty hotspots get an empty ``place`` column.

    """
    out = hotspots.copy()
    if PLACE in out.columns:
        out = out.drop(columns=PLACE)
    ward = out[c.WARD_NAME].astype(str)
    if len(out):
        places = describe_places(incidents, group_col=c.HOTSPOT_ID)
        found = out[c.HOTSPOT_ID].astype(str).map(places).fillna("").astype(str)
        # police.uk's kinds of place in plain words, the same on every page and download
        plain = found.map(plain_place_words)  # "" stays ""
        values = plain.where(found != "", ward).to_numpy(dtype=object)
    else:
        values = np.array([], dtype=object)
    out.insert(int(out.columns.get_loc(c.WARD_NAME)) + 1, PLACE, values)
    return out


def _specific_points(rows: _NamedRows, at: np.ndarray) -> pd.DataFrame:
    """Each named map point among rows ``at`` once: ``name``, ``x``, ``y``, sorted by name, x, y."""
    code, x, y = rows.code[at], rows.x[at], rows.y[at]
    _, first = distinct_points(code, x, y)
    code, x, y = code[first], x[first], y[first]
    order = np.lexsort((y, x, code))  # distinct points only: far fewer than rows
    return pd.DataFrame(
        {"name": rows.names[code[order]], "x": x[order], "y": y[order]}
    ).reset_index(drop=True)


def _rows_near(rows: _NamedRows, candidate: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """Positions of the rows of ``candidate`` (bool per row) that may lie near a point of ``xy``.

    Squares of NEAR_MAX_M side: a row is kept when its square is one of the 3 x 3 squares
    around a point of ``xy``, which holds every point within NEAR_MAX_M of it (and some
    farther, which the distance test drops). Rows are looked at a block at a time, so the
    search holds little memory beside millions of rows.
    """
    if not len(xy) or not candidate.any():
        return np.zeros(0, dtype=np.int64)
    size = NEAR_MAX_M
    around = np.array([(dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)], dtype=np.int64)
    cx = np.floor(xy[:, 0] / size).astype(np.int64)[:, None] + around[:, 0]
    cy = np.floor(xy[:, 1] / size).astype(np.int64)[:, None] + around[:, 1]
    wanted = pd.Index(np.unique(cx.ravel() * _SQUARES + cy.ravel()))
    kept: list[np.ndarray] = []
    step = 1 << 20
    for start in range(0, len(candidate), step):
        block = start + np.flatnonzero(candidate[start : start + step])
        rx = np.floor(rows.x[block] / size).astype(np.int64)
        ry = np.floor(rows.y[block] / size).astype(np.int64)
        kept.append(block[wanted.get_indexer(rx * _SQUARES + ry) >= 0])
    out: np.ndarray = np.concatenate(kept)
    return out


#: Squares per row of the grid in :func:`_rows_near` (any extent on Earth in metres fits).
_SQUARES = np.int64(1 << 31)


def _nearest_names(
    named: _NamedRows,
    row_group: np.ndarray,
    group_names: np.ndarray,
    top: pd.DataFrame,
    specific_name: np.ndarray,
) -> np.ndarray:
    """For each generic name in ``top``, the nearest named map point within NEAR_MAX_M.

    The kind is placed at its busiest map point in the group (ties to the lowest ``x``, then
    ``y``); "" for names that are not generic or have no named point near enough.
    ``row_group`` numbers each named row's group in ``group_names``; ``specific_name`` is
    true for the codes of names that are not generic. Only the named map points near a
    kind's spot are looked at (:func:`_rows_near`), each once (:func:`_specific_points`).
    """
    near = np.full(len(top), "", dtype=object)
    is_kind = top["name"].isin(GENERIC_PLACES).to_numpy()
    if not is_kind.any():
        return near
    wanted = top.loc[is_kind, ["group", "name"]]
    # the rows of those (group, name) pairs, found on integer keys
    n_names = len(named.names) + 1
    group_of = pd.Index(group_names).get_indexer(wanted["group"])
    name_of = pd.Index(named.names).get_indexer(wanted["name"])
    keys = group_of.astype(np.int64) * n_names + name_of
    # rows named by one of those kinds first (few), then those in the wanted groups
    hit = np.flatnonzero(np.isin(named.code, np.unique(name_of)))
    hit = hit[np.isin(row_group[hit].astype(np.int64) * n_names + named.code[hit], keys)]
    # group and name numbers sort as their texts do (both numbered in sorted order)
    rows = pd.DataFrame(
        {"g": row_group[hit], "k": named.code[hit], "x": named.x[hit], "y": named.y[hit]}
    )
    spots = rows.groupby(["g", "k", "x", "y"], sort=True).size().rename("n").reset_index()
    del rows
    spots = spots.sort_values(
        ["g", "k", "n", "x", "y"], ascending=[True, True, False, True, True], kind="stable"
    )
    at = spots.drop_duplicates(["g", "k"], keep="first")
    at = at.assign(group=group_names[at["g"].to_numpy()], name=named.names[at["k"].to_numpy()])
    # each named map point near a spot once; equally near points go to the name that
    # sorts first
    spot_xy = at[["x", "y"]].to_numpy(dtype=float)
    points = _specific_points(named, _rows_near(named, specific_name[named.code], spot_xy))
    if points.empty:
        return near
    names = points["name"].to_numpy(dtype=object)
    tree = cKDTree(points[["x", "y"]].to_numpy())
    k = min(_TIES, len(points))
    dist, i = tree.query(spot_xy, k=k)
    dist, i = dist.reshape(len(at), k), i.reshape(len(at), k)
    tied = dist == dist[:, :1]
    first = np.where(tied, i, len(points)).min(axis=1)  # lowest position = first name
    ok = np.isfinite(dist[:, 0]) & (dist[:, 0] <= NEAR_MAX_M)
    found = np.where(ok, names[np.where(ok, first, 0)], "")
    lookup = pd.Series(found, index=pd.MultiIndex.from_frame(at[["group", "name"]]), dtype=object)
    keys = pd.MultiIndex.from_frame(top.loc[is_kind, ["group", "name"]])
    near[is_kind] = lookup.reindex(keys).to_numpy(dtype=object)
    return near

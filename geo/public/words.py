"""Plain words of the public view: where each area is, and where its data comes from.

Place names come only from police.uk's own ``Location`` values (``On or near Astrop Road``):
police.uk publishes that name for every map point it moves incidents to, and its map points
(street centres, public places, commercial premises) are chosen so that each one's catchment
holds at least 8 postal addresses or none, never one house.
The ``location``, notes and source of local reports (needle finds, postbox slips) can point
at a home: they never reach these functions' output.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import geopandas as gpd

from geo import columns as c
from geo.dates import period_words
from geo.errors import ValidationError
from geo.places import describe_places, place_name, plain_place_words

__all__ = [
    "SOURCE_WORDS",
    "area_places",
    "data_source",
]

#: Each kind of input in words, as the public page names its data source.
SOURCE_WORDS: Mapping[str, str] = {
    "police.uk": "police.uk street-level crime",
    "local": "local reports",
}

#: A name that starts with a number reads like a house address ("12 Secret Close"); police.uk
#: never names a map point so, and such a name is never shown.
_HOUSE_NUMBER = re.compile(r"^\d")


def area_places(
    incidents: gpd.GeoDataFrame | None,
    area_of: Mapping[str, int],
    n_areas: int,
    *,
    max_names: int = 2,
) -> list[str]:
    """Where each public area is in words, from the police.uk names of its incidents' map points.

    Only police.uk rows are read, and only their ``location``: local reports are dropped
    before anything else, so their location, notes and source cannot reach the words. A
    name that starts with a number (a house address, which police.uk never uses) is left
    out. The words are :func:`geo.places.describe_places` of the incidents of the hotspots
    each area stands for: the busiest names first, a kind of place such as ``Supermarket``
    with the nearest named police.uk map point, the kinds in plain words
    (:func:`geo.places.plain_place_words`: "Sports/Recreation Area" is "sports ground").

    Parameters
    ----------
    incidents
        Incidents in a metric CRS with ``hotspot_id``, ``source_kind``, ``location`` (str)
        and point ``geometry`` (e.g. ``PipelineResult.incidents``); ``None``: no names.
    area_of
        Staff hotspot ID -> position of the public area it is part of (0 to ``n_areas - 1``);
        incidents of other hotspots (e.g. below the minimum count) name no area.
    n_areas
        Number of public areas.
    max_names
        At most this many names per area.

    Returns
    -------
    list of str
        One description per area position, e.g. ``"Astrop Road / Chapel Lane"``; ``""``
        for an area with no named police.uk incident.

    Raises
    ------
    ValidationError
        When ``incidents`` lacks a column or is not in metres.

    """
    if incidents is None or n_areas == 0:
        return [""] * n_areas
    need = [c.HOTSPOT_ID, c.SOURCE_KIND, c.LOCATION]
    missing = [col for col in need if col not in incidents.columns]
    if missing:
        raise ValidationError(
            f"incidents: columns {', '.join(missing)} are missing (expected the pipeline's "
            "incidents with hotspot_id, source_kind and location)"
        )
    police = incidents.loc[(incidents[c.SOURCE_KIND] == "police.uk").to_numpy(dtype=bool)]
    texts = police[c.LOCATION].astype(str)  # plain text (the column may be categorical)
    names = texts.map(place_name)
    location = texts.where(~names.str.match(_HOUSE_NUMBER), "")
    width = len(str(max(n_areas - 1, 0)))
    keys = {hid: f"{k:0{width}d}" for hid, k in area_of.items()}
    frame = gpd.GeoDataFrame(
        {
            "area": police[c.HOTSPOT_ID].astype(str).map(keys).fillna("").to_numpy(),
            c.SOURCE_KIND: "police.uk",
            c.LOCATION: location.to_numpy(dtype=object),
        },
        geometry=police.geometry.to_numpy(),
        crs=incidents.crs,
    )
    places = describe_places(frame, group_col="area", max_names=max_names)
    return [plain_place_words(str(places.get(f"{k:0{width}d}", ""))) for k in range(n_areas)]


def data_source(source_kinds: Iterable[str], months: Iterable[str]) -> str:
    """The data behind a public view and its months, in words.

    ``"police.uk street-level crime, June to November 2018"``; with local reports too,
    ``"police.uk street-level crime and local reports, June to November 2018"``.

    Parameters
    ----------
    source_kinds
        The ``source_kind`` of every incident in the view (``"police.uk"``, ``"local"``).
    months
        The ``month`` (``YYYY-MM``) of every incident in the view.

    """
    kinds = {str(k) for k in source_kinds}
    named = [words for kind, words in SOURCE_WORDS.items() if kind in kinds]
    what = " and ".join(named) if named else "incident reports"
    return f"{what}, {period_words(months)}"

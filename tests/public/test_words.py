"""The public view's words: the months and data source, and where each area is."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point

from geo import columns as c
from geo.errors import ValidationError
from geo.places import GENERIC_PLACES, PLAIN_PLACES, plain_place_words
from geo.public import area_places, data_source, period_words
from tests.helpers import X0, Y0


@pytest.mark.parametrize(
    ("months", "words"),
    [
        (["2018-06", "2018-11", "2018-08"], "June to November 2018"),
        (["2017-11", "2018-02"], "November 2017 to February 2018"),
        (["2018-11", "2018-11"], "November 2018"),
        ([], "the chosen months"),
    ],
)
def test_period_words_say_the_year_once_when_it_is_the_same(months, words):
    assert period_words(months) == words


def test_period_words_refuse_a_month_that_is_not_yyyy_mm():
    with pytest.raises(ValidationError, match="months must be YYYY-MM. Got '2018-6'"):
        period_words(["2018-06", "2018-6"])


def test_data_source_names_each_kind_of_data_and_the_months():
    months = ["2018-06", "2018-11"]
    assert data_source(["police.uk"] * 2, months) == (
        "police.uk street-level crime, June to November 2018"
    )
    assert data_source(["local", "police.uk"], months) == (
        "police.uk street-level crime and local reports, June to November 2018"
    )
    assert data_source(["local"], ["2018-11"]) == "local reports, November 2018"
    assert data_source([], []) == "incident reports, the chosen months"


def incidents(rows: list[tuple[str, str, str, float, float]]) -> gpd.GeoDataFrame:
    """``(hotspot_id, source_kind, location, dx, dy)`` rows at ``X0 + dx, Y0 + dy``."""
    return gpd.GeoDataFrame(
        {
            c.HOTSPOT_ID: [r[0] for r in rows],
            c.SOURCE_KIND: [r[1] for r in rows],
            c.LOCATION: [r[2] for r in rows],
            c.NOTES: ["NOTE seen from the flat above"] * len(rows),
        },
        geometry=[Point(X0 + r[3], Y0 + r[4]) for r in rows],
        crs="EPSG:27700",
    )


def test_area_places_name_police_uk_map_points_busiest_first():
    inc = incidents(
        [
            ("H-01", "police.uk", "On or near Chapel Lane", 0, 0),
            ("H-01", "police.uk", "On or near Astrop Road", 10, 0),
            ("H-01", "police.uk", "On or near Astrop Road", 10, 0),
            ("H-02", "police.uk", "On or near Supermarket", 500, 0),
            ("H-03", "police.uk", "On or near Oxford Road", 900, 0),
            ("", "police.uk", "On or near Rose Hill", 560, 0),
        ]
    )
    # H-01 and H-03 make one merged area; H-02 another; a third area has no incident
    got = area_places(inc, {"H-01": 0, "H-03": 0, "H-02": 1}, 3)
    assert got == ["Astrop Road / Chapel Lane", "Supermarket near Rose Hill", ""]
    # a meeting hears kinds of place in plain words, not police.uk's map names
    inc.loc[inc[c.HOTSPOT_ID] == "H-02", c.LOCATION] = "On or near Sports/Recreation Area"
    assert area_places(inc, {"H-02": 0}, 1) == ["Sports ground near Rose Hill"]
    assert area_places(inc, {"H-01": 0}, 1, max_names=1) == ["Astrop Road"]
    assert area_places(None, {"H-01": 0}, 2) == ["", ""]


def test_area_places_never_read_local_reports_or_house_numbers():
    inc = incidents(
        [
            ("H-01", "local", "On or near Secret Close 4", 0, 0),
            ("H-01", "local", "On or near Secret Close 4", 0, 0),
            ("H-01", "police.uk", "On or near Astrop Road", 5, 0),
            ("H-02", "police.uk", "On or near 12 Secret Close", 400, 0),
            ("H-02", "local", "Secret Close", 400, 0),
        ]
    )
    got = area_places(inc, {"H-01": 0, "H-02": 1}, 2)
    assert got == ["Astrop Road", ""]
    assert not any("Secret" in p for p in got)


def test_area_places_refuse_incidents_without_the_columns_they_need():
    inc = incidents([("H-01", "police.uk", "On or near Astrop Road", 0, 0)])
    with pytest.raises(ValidationError, match="columns location are missing"):
        area_places(inc.drop(columns=c.LOCATION), {"H-01": 0}, 1)


def test_plain_place_words_keep_names_and_plain_the_kinds():
    assert (
        plain_place_words(
            "Sports/Recreation Area and Further/Higher Educational Building near Pegasus Road"
        )
        == "Sports ground and college building near Pegasus Road"
    )
    assert plain_place_words("Chester Street / Further/Higher Educational Building") == (
        "Chester Street / college building"
    )
    assert plain_place_words("Parking Area near Banjo Road") == "Car park near Banjo Road"
    assert plain_place_words("Templars Square Shopping Centre") == "Templars Square Shopping Centre"
    assert plain_place_words("") == ""
    assert set(PLAIN_PLACES) == set(GENERIC_PLACES)  # every kind has its words

"""Place descriptions and street points from police.uk ``Location`` names."""

from __future__ import annotations

import geopandas as gpd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import columns as c
from geo.errors import ValidationError
from geo.places import (
    GENERIC_PLACES,
    describe_places,
    is_generic,
    place_name,
    street_points,
    with_places,
)
from tests.helpers import X0, Y0


def frame(rows: list[tuple[str, str, str, float, float]]) -> gpd.GeoDataFrame:
    """Incidents from (hotspot_id, source_kind, location, dx, dy) in EPSG:27700."""
    return gpd.GeoDataFrame(
        {
            c.HOTSPOT_ID: [r[0] for r in rows],
            c.SOURCE_KIND: [r[1] for r in rows],
            c.LOCATION: [r[2] for r in rows],
        },
        geometry=gpd.points_from_xy([X0 + r[3] for r in rows], [Y0 + r[4] for r in rows]),
        crs="EPSG:27700",
    )


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("On or near Oxford Road", "Oxford Road"),
        ("On or near Barn'S Road", "Barn's Road"),
        ("  on or near   Templars Square Shopping Centre ", "Templars Square Shopping Centre"),
        ("Rose Hill", "Rose Hill"),
        ("", ""),
        (float("nan"), ""),
        (None, ""),
    ],
)
def test_place_name_strips_the_police_uk_prefix(raw: object, name: str) -> None:
    assert place_name(raw) == name


def test_generic_kinds_are_not_names() -> None:
    assert is_generic("Supermarket")
    assert is_generic("Further/Higher Educational Building")
    assert not is_generic("Oxford Road")
    assert all("/" in g or " " in g or g.isalpha() for g in GENERIC_PLACES)


def test_busiest_names_first_ties_by_name() -> None:
    rows = [("H-01", "police.uk", "On or near Oxford Road", 0, 0)] * 3
    rows += [("H-01", "police.uk", "On or near Ash Close", 10, 0)] * 2
    rows += [("H-01", "police.uk", "On or near Birch Close", 20, 0)] * 2
    rows += [("H-01", "police.uk", "On or near Cedar Way", 30, 0)]
    got = describe_places(frame(rows))
    assert got.to_dict() == {"H-01": "Oxford Road / Ash Close"}
    assert describe_places(frame(rows), max_names=1)["H-01"] == "Oxford Road"


def test_generic_kind_paired_with_nearest_named_point_even_outside_the_group() -> None:
    rows = [("H-01", "police.uk", "On or near Supermarket", 0, 0)] * 4
    rows += [("", "police.uk", "On or near Far Lane", 300, 0)]  # noise, but nearest named point
    rows += [("", "police.uk", "On or near Further Street", 390, 0)]
    got = describe_places(frame(rows))
    assert got["H-01"] == "Supermarket near Far Lane"


def test_generic_kind_alone_when_no_named_point_is_near() -> None:
    rows = [("H-01", "police.uk", "On or near Parking Area", 0, 0)]
    rows += [("", "police.uk", "On or near Distant Road", 401, 0)]
    assert describe_places(frame(rows))["H-01"] == "Parking Area"


def test_generic_kind_not_repeated_when_its_street_is_listed() -> None:
    rows = [("H-01", "police.uk", "On or near Supermarket", 0, 0)] * 3
    rows += [("H-01", "police.uk", "On or near Oxford Road", 50, 0)] * 2
    assert describe_places(frame(rows))["H-01"] == "Supermarket / Oxford Road"


def test_local_report_locations_are_never_used() -> None:
    rows = [("H-01", "local", "12 Secret Street, flat 3", 0, 0)] * 5
    rows += [("H-02", "local", "behind the garages", 500, 0)]
    rows += [("H-02", "police.uk", "On or near Iffley Road", 510, 0)]
    got = describe_places(frame(rows))
    assert got.to_dict() == {"H-01": "", "H-02": "Iffley Road"}
    assert "Secret" not in " ".join(street_points(frame(rows))["name"])


def test_every_group_present_noise_left_out() -> None:
    rows = [("", "police.uk", "On or near Oxford Road", 0, 0), ("H-09", "local", "", 5, 5)]
    got = describe_places(frame(rows))
    assert list(got.index) == ["H-09"]
    assert got.name == "place"


def test_street_points_one_row_per_named_map_point() -> None:
    rows = [("", "police.uk", "On or near Oxford Road", 0, 0)] * 3
    rows += [("", "police.uk", "On or near Oxford Road", 100, 0)]
    rows += [("", "police.uk", "On or near Supermarket", 50, 50)] * 2
    rows += [("", "police.uk", "", 70, 70)]
    pts = street_points(frame(rows))
    assert list(pts["name"]) == ["Oxford Road", "Supermarket", "Oxford Road"]
    assert list(pts[c.N_INCIDENTS]) == [3, 2, 1]
    assert list(pts["generic"]) == [False, True, False]
    assert pts.crs.to_epsg() == 27700
    empty = street_points(frame([("", "local", "x", 0, 0)]))
    assert len(empty) == 0 and list(empty.columns) == ["name", "generic", c.N_INCIDENTS, "geometry"]


def test_geographic_crs_is_refused() -> None:
    f = frame([("H-01", "police.uk", "On or near Oxford Road", 0, 0)]).set_crs(
        "EPSG:4326", allow_override=True
    )
    with pytest.raises(ValidationError):
        describe_places(f)


def test_kinds_near_the_same_street_share_it() -> None:
    rows = [("H-01", "police.uk", "On or near Parking Area", 0, 0)] * 3
    rows += [("H-01", "police.uk", "On or near Shopping Area", 20, 0)] * 2
    rows += [("", "police.uk", "On or near Crowell Road", 60, 0)]
    got = describe_places(frame(rows))["H-01"]
    assert got == "Parking Area and Shopping Area near Crowell Road"


def test_with_places_inserts_place_after_ward_name_with_ward_fallback() -> None:
    from shapely.geometry import Point

    hotspots = gpd.GeoDataFrame(
        {
            c.HOTSPOT_ID: ["H-01", "H-02"],
            c.RANK: [1, 2],
            c.WARD_NAME: ["West", "East"],
            c.KIND: ["area", "area"],
        },
        geometry=[Point(X0, Y0), Point(X0 + 500, Y0)],
        crs="EPSG:27700",
    )
    rows = [("H-01", "police.uk", "On or near Oxford Road", 0, 0)]
    rows += [("H-02", "local", "12 Secret Street", 500, 0)]
    got = with_places(hotspots, frame(rows))
    assert list(got.columns) == [c.HOTSPOT_ID, c.RANK, c.WARD_NAME, c.PLACE, c.KIND, "geometry"]
    assert list(got[c.PLACE]) == ["Oxford Road", "East"]
    assert c.PLACE not in hotspots.columns  # the input is not changed
    empty = with_places(hotspots.iloc[:0], frame(rows))
    assert len(empty) == 0 and c.PLACE in empty.columns and empty.crs == hotspots.crs


def test_every_shipped_hotspot_has_a_real_place_name() -> None:
    from geo.pipeline import run_files

    r = run_files()
    places = r.hotspots[c.PLACE].astype(str)
    assert (places != "").all()
    assert places.str.contains("Templars Square Shopping Centre").any()
    # every shipped hotspot holds police.uk rows, so none falls back to its ward name
    assert (places != r.hotspots[c.WARD_NAME].astype(str)).all()


@settings(max_examples=100, deadline=None)
@given(
    points=st.lists(
        st.tuples(st.floats(-2000, 2000), st.floats(-2000, 2000)), min_size=1, max_size=40
    ),
    spots=st.lists(
        st.tuples(st.floats(-2000, 2000), st.floats(-2000, 2000)), min_size=1, max_size=5
    ),
)
def test_rows_near_keeps_every_point_within_reach_of_a_spot(points, spots):
    """The grid filter before the nearest-name search never drops a point near enough."""
    import numpy as np

    from geo.places import NEAR_MAX_M, _rows_near

    class Rows:
        x = np.array([p[0] for p in points])
        y = np.array([p[1] for p in points])

    xy = np.array(spots, dtype=float)
    every = np.ones(len(points), dtype=bool)
    kept = set(_rows_near(Rows, every, xy).tolist())  # type: ignore[arg-type]
    for i, (x, y) in enumerate(points):
        if np.hypot(xy[:, 0] - x, xy[:, 1] - y).min() <= NEAR_MAX_M:
            assert i in kept


@settings(max_examples=300, deadline=None)
@given(
    texts=st.lists(
        st.one_of(
            st.none(),
            st.text(alphabet=" \t\x0b\x1cOoNnRrEeAa'Sséx\u00a0\u2003-/", max_size=30),
            st.builds(
                lambda a, b: a + b,
                st.sampled_from(["On or near ", "ON OR NEAR  ", "on or near", " On or near\t", ""]),
                st.sampled_from(["Barn'S Road", "St Mary'S  Close ", "Église Lane", "", "x'S"]),
            ),
        ),
        max_size=30,
    )
)
def test_place_names_of_many_values_match_place_name(texts):
    """The vectorised names are exactly :func:`place_name` of each value (None: "")."""
    from geo.places import place_names

    assert place_names(texts).tolist() == [place_name(t) for t in texts]

"""The "did it work?" card: verdicts and sentences on hand-made counts."""

from __future__ import annotations

import datetime as dt

import pytest

from geo.interventions.areas import Windows
from geo.interventions.card import card_from_row, card_group
from geo.interventions.events import Intervention
from geo.interventions.statistics import relative_effect

WARRANT = Intervention(
    intervention_id="W-1",
    kind="warrant",
    start_date=dt.date(2018, 8, 15),
    end_date=None,
    x=451_000.0,
    y=200_500.0,
    xy_crs="EPSG:27700",
    notes="",
    source_file="interventions.csv",
    row=2,
)
WINDOWS = Windows(
    before=("2018-05", "2018-06", "2018-07"),
    after=("2018-09", "2018-10", "2018-11"),
    excluded=("2018-08",),
)


def row(
    tb: int,
    ta: int,
    cb: int | None,
    ca: int | None,
    db: int | None = None,
    da: int | None = None,
    *,
    min_count: int = 10,
    group: str = "drugs",
) -> dict[str, object]:
    """An effect row as :func:`geo.interventions.displacement.effect_row` writes it."""
    r: dict[str, object] = {
        "group": group,
        "target_before": tb,
        "target_after": ta,
        "ring_before": db,
        "ring_after": da,
        "control_before": cb,
        "control_after": ca,
        "enough_data": tb >= min_count and (cb is None or min(cb, ca or 0) >= min_count),
    }
    if cb is not None and ca is not None:
        rr = relative_effect(tb, ta, cb, ca)
        r.update(relative_effect=rr.ratio, rr_low=rr.low, rr_high=rr.high)
    else:
        r.update(relative_effect=float("nan"), rr_low=float("nan"), rr_high=float("nan"))
    return r


def test_clear_fall_against_the_control_reads_as_worked() -> None:
    card = card_from_row(row(60, 20, 200, 200, 40, 38), WARRANT, WINDOWS, min_count=10)
    assert card.verdict == "fell"
    assert card.headline.startswith("It looks like it worked")
    assert "60 → 20 (down 67%)" in card.target
    assert "200 → 200 (no change)" in card.target
    assert "no sign it moved there" in card.ring
    assert "includes no change" not in card.certainty
    assert card.title == "Warrant W-1, 15 August 2018"
    assert card.windows == "May to July 2018 against September to November 2018"


def test_ring_that_rises_is_read_as_possible_displacement() -> None:
    card = card_from_row(row(60, 20, 200, 200, 30, 90), WARRANT, WINDOWS, min_count=10)
    assert "may have moved there" in card.ring


def test_ring_that_falls_too_is_read_as_spread_of_benefit() -> None:
    card = card_from_row(row(60, 20, 200, 200, 90, 30), WARRANT, WINDOWS, min_count=10)
    assert "the benefit spread" in card.ring


def test_small_counts_decide_the_headline_and_silence_the_ring() -> None:
    # the ratios alone would read as a big fall and a ring that fell too
    card = card_from_row(row(5, 0, 15, 6, 30, 2), WARRANT, WINDOWS, min_count=10)
    assert card.verdict == "too few"
    assert card.headline.startswith("Too few drug incidents to tell")
    assert "spread" not in card.ring and "moved there" not in card.ring
    assert "too few to read" in card.ring


def test_interval_including_one_is_no_clear_change() -> None:
    card = card_from_row(row(35, 20, 333, 276, 83, 51), WARRANT, WINDOWS, min_count=10)
    assert card.verdict == "no clear change"
    assert "includes no change" in card.certainty


def test_rise_against_control() -> None:
    card = card_from_row(row(20, 80, 200, 200), WARRANT, WINDOWS, min_count=10)
    assert card.verdict == "rose"
    assert card.ring == ""


def test_no_control_says_it_cannot_be_told_apart() -> None:
    card = card_from_row(row(1213, 1254, None, None, group="all"), WARRANT, WINDOWS, min_count=10)
    assert card.verdict == "no comparison"
    assert "cannot be told apart" in card.headline


@pytest.mark.parametrize(
    ("kind", "group"), [("warrant", "drugs"), ("closure_order", "all"), ("team_start", "all")]
)
def test_card_group_follows_kind(kind: str, group: str) -> None:
    assert card_group(kind) == group


def test_cards_on_the_shipped_example_interventions() -> None:
    from geo.interventions import evaluate_files
    from geo.interventions.card import effect_card

    results, _ = evaluate_files()
    cards = {r.intervention.intervention_id: effect_card(r) for r in results}
    # the example warrant has 5 drug incidents before: the card must not read the ring
    assert cards["EX-PRIORY-RD"].verdict == "too few"
    assert cards["EX-TEAM-START"].verdict == "no comparison"
    assert cards["EX-OXFORD-RD"].verdict == "no clear change"


def test_place_near_names_the_closest_street_not_a_kind_of_place() -> None:
    import geopandas as gpd
    import shapely

    from geo.interventions.card import place_near

    x0, y0 = 452_000.0, 203_000.0
    streets = gpd.GeoDataFrame(
        {
            "name": ["Supermarket", "Oxford Road", "Priory Road"],
            "generic": [True, False, False],
        },
        geometry=[
            shapely.Point(x0 + 5, y0),  # closest, but a kind of place
            shapely.Point(x0 + 120, y0),
            shapely.Point(x0 + 60, y0),
        ],
        crs="EPSG:27700",
    )
    at = Intervention("W1", "warrant", dt.date(2018, 8, 15), x=x0, y=y0, xy_crs="EPSG:27700")
    assert place_near(at, streets) == "Priory Road"
    assert place_near(at, streets, max_m=50) == ""  # too far to say "near"
    # lon/lat locations are projected to the streets' CRS first
    lon, lat = (
        gpd.GeoSeries([shapely.Point(x0, y0)], crs="EPSG:27700").to_crs(4326).iloc[0].coords[0]
    )
    ll = Intervention("W2", "warrant", dt.date(2018, 8, 15), x=lon, y=lat, xy_crs="EPSG:4326")
    assert place_near(ll, streets) == "Priory Road"
    area_wide = Intervention("T", "team_start", dt.date(2018, 6, 1))
    assert place_near(area_wide, streets) == ""
    card = card_from_row(row(20, 10, 40, 40), at, WINDOWS, min_count=10, place="Priory Road")
    assert card.title == "Warrant W1 near Priory Road, 15 August 2018"
    plain = card_from_row(row(20, 10, 40, 40), at, WINDOWS, min_count=10)
    assert plain.title == "Warrant W1, 15 August 2018"

"""The Patrol page's "did it work?" cards: badges in words, the full table, order, map zoom."""

from __future__ import annotations

import re

import pytest

from geo import DataSource, load_source
from geo.errors import ValidationError
from geo.interventions import (
    InterventionOptions,
    InterventionResult,
    evaluate_intervention,
    load_interventions,
)
from geo.interventions.card import VERDICTS
from geo.interventions.report import card_view
from geo.paths import EXAMPLE_INTERVENTIONS
from tests.browser_support import chromium
from ui import effect_cards as ec


@pytest.fixture(scope="module")
def results() -> dict[str, InterventionResult]:
    """The shipped example interventions evaluated at the cards' options, by id."""
    raw, wards, _ = load_source(DataSource.shipped())
    return {
        iv.intervention_id: evaluate_intervention(raw, wards, iv, options=InterventionOptions())
        for iv in load_interventions(EXAMPLE_INTERVENTIONS)
    }


def test_every_verdict_has_a_badge_that_says_it_in_words():
    labels = [ec.badge(v).label for v in VERDICTS]
    assert len(set(labels)) == len(VERDICTS)
    assert all(len(label.split()) >= 2 for label in labels)  # words, not a colour alone
    assert len({ec.badge(v).color for v in VERDICTS}) >= 3
    with pytest.raises(ValidationError, match="'maybe' has no badge"):
        ec.badge("maybe")


def test_full_table_never_reads_displacement_into_too_few_incidents(results):
    warrant = ec.full_table(results["EX-PRIORY-RD"], group="drugs")
    assert len(warrant) == 1 and not bool(warrant["enough_data"].iloc[0])
    assert warrant["wdq_reading"].iloc[0] == ec.TOO_FEW_READING
    assert int(warrant["target_before"].iloc[0]) == 5  # the figures themselves stay
    closure = ec.full_table(results["EX-OXFORD-RD"], group="all")
    assert bool(closure["enough_data"].iloc[0])
    assert closure["wdq_reading"].iloc[0] != ec.TOO_FEW_READING
    with pytest.raises(ValidationError, match="group 'bikes' was not measured"):
        ec.full_table(results["EX-OXFORD-RD"], group="bikes")


def test_cards_come_newest_first(results):
    ordered = ec.newest_first(list(results.values()))
    assert [r.intervention.intervention_id for r in ordered] == [
        "EX-PRIORY-RD",
        "EX-OXFORD-RD",
        "EX-TEAM-START",
    ]


def bounds(html: str) -> list[list[float]]:
    num = r"([-\d.]+)"
    found = re.findall(rf"fitBounds\(\s*\[\[{num}, {num}\], \[{num}, {num}\]\]", html)
    return [[float(v) for v in b] for b in found]


def test_card_map_zooms_to_the_target_and_ring_of_a_point_event(results):
    point = bounds(ec.card_map(results["EX-PRIORY-RD"]))
    wide = bounds(ec.card_map(results["EX-TEAM-START"]))
    # one fit each: a second, after the wards' own, is dropped by Leaflet mid-zoom
    assert len(point) == len(wide) == 1
    y0, x0, y1, x1 = point[0]
    assert y1 - y0 < 0.02 and x1 - x0 < 0.03  # about 800 m across: the ring, not the wards
    assert y0 < 51.719306 < y1 and x0 < -1.215246 < x1  # around the warrant's location
    assert wide[0][2] - wide[0][0] > 0.035  # an area-wide event keeps the wards


#: The map's view once drawn: ``[south, west, north, east]`` in degrees.
VIEW = """() => {
    const m = Object.keys(window).filter((k) => k.startsWith("map_")).map((k) => window[k])
        .find((v) => v && v.getBounds);
    const b = m.getBounds();
    return [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()];
}"""


@pytest.mark.browser
def test_card_map_opens_on_the_target_and_its_ring_in_the_browser(results, tmp_path):
    """Drawn at the card's size, a point event's map shows its target, ring and the edge of
    the comparison area, not the whole wards (a second fit used to be dropped while the
    first was still zooming)."""
    with chromium() as browser:
        for iv_id in ("EX-PRIORY-RD", "EX-OXFORD-RD"):
            result = results[iv_id]
            page_file = tmp_path / f"{iv_id}.html"
            page_file.write_text(ec.card_map(result), encoding="utf-8")
            page = browser.new_page(viewport={"width": 300, "height": ec.CARD_MAP_HEIGHT})
            page.goto(page_file.as_uri())
            page.wait_for_timeout(800)
            south, west, north, east = page.evaluate(VIEW)
            page.close()
            near = result.areas[result.areas["area"].astype(str) != "control"]
            x0, y0, x1, y1 = near.to_crs("EPSG:4326").total_bounds
            # the whole ring is in view...
            assert west <= x0 and east >= x1 and south <= y0 and north >= y1, iv_id
            # ...with the inner edge of the comparison area round it, and no more: the view
            # is less than twice that ground across, either way
            x0, y0, x1, y1 = card_view(result).to_crs("EPSG:4326").total_bounds
            assert west <= x0 and east >= x1 and south <= y0 and north >= y1, iv_id
            assert east - west < 2 * (x1 - x0) or north - south < 2 * (y1 - y0), iv_id


def test_card_map_leaves_the_small_map_to_the_areas(results):
    html = ec.card_map(results["EX-PRIORY-RD"])
    # the layer list is a button and the colours are explained under the map, not over it
    assert '"collapsed": true' in html and '"collapsed": false' not in html
    assert "intervention-legend" not in html
    assert "Comparison area" in html and "Control area" not in html


def test_map_key_names_only_what_the_card_map_shows(results):
    point = ec.map_key(results["EX-PRIORY-RD"])
    assert point == (
        "Black dot: the location. Red: target; orange: round the corner (ring); blue: "
        "comparison area. Hotspots: green dashed before, purple after."
    )
    # a team start covers the whole area: no location, no ring, no comparison area
    wide = ec.map_key(results["EX-TEAM-START"])
    assert wide == "Red: target. Hotspots: green dashed before, purple after."

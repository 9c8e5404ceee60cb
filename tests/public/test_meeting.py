"""The meeting page's outputs: only the public view, in the meeting table's columns."""

from __future__ import annotations

import dataclasses
import re

import pytest

from geo import columns as c
from geo import public
from geo.maps import escape_html
from geo.pipeline import run_files
from geo.places import plain_place_words
from geo.settings import Settings
from geo.settings_edits import window_settings


@pytest.fixture(scope="module")
def six_months():
    return run_files(settings=window_settings(Settings(), last_month="2018-11", months=6))


def test_meeting_outputs_are_the_public_view_as_a_table_and_maps(six_months):
    out = public.meeting_outputs(six_months)
    view = public.public_view(six_months)
    assert len(view) > 0
    assert list(out.table.columns) == list(public.MEETING_COLUMNS)
    assert list(out.table[public.AREA_ID]) == list(view[public.AREA_ID])
    assert list(out.table[c.WARD_NAME]) == list(view[c.WARD_NAME])
    months = six_months.settings.trend_months
    assert out.explanation == public.default_explanation(view, public.PublicSettings())
    assert "chance" not in out.explanation  # the trend words are explained once, by the list
    assert out.source == "police.uk street-level crime, June to November 2018"
    assert out.trend == public.trend_explanation(months, last_month="2018-11")
    assert "(September to November 2018) than the 3 before (June to August 2018)" in out.trend
    for page in (out.map_html, out.standalone):
        assert "Where reported problems concentrate" in page
        assert "Data: police.uk street-level crime, June to November 2018" in page
        assert public.FULLSCREEN_CLASS in page
        assert not re.findall(r'<(?:script src|link rel="stylesheet" href)="https?://', page)
        assert not re.search(r"E050065\d\d-\d\d", page)  # no staff hotspot IDs
    assert "Open Government Licence" in out.standalone  # the download names its sources
    assert '"preferCanvas": false' in out.map_html  # SVG outlines on the page


def test_a_higher_minimum_count_shows_fewer_areas(six_months):
    low = public.meeting_outputs(six_months, public_settings=public.PublicSettings(min_count=5))
    high = public.meeting_outputs(six_months, public_settings=public.PublicSettings(min_count=40))
    assert 0 < len(high.table) < len(low.table)
    expected = public.public_view(six_months, public=public.PublicSettings(min_count=40))
    assert list(high.table[public.AREA_ID]) == list(expected[public.AREA_ID])


def test_uploaded_names_lose_their_markup(six_months):
    wards = six_months.wards.assign(**{c.WARD_NAME: "<b>Cowley</b>"})
    hotspots = six_months.hotspots.assign(**{c.WARD_NAME: "<b>Cowley</b>"})
    marked = dataclasses.replace(six_months, wards=wards, hotspots=hotspots)
    out = public.meeting_outputs(marked)
    assert set(out.table[c.WARD_NAME]) == {"‹b›Cowley‹/b›"}
    assert "<b>Cowley" not in out.map_html and "<b>Cowley" not in out.standalone


def test_no_area_to_show_still_names_the_data_and_its_month():
    r = run_files(settings=Settings(since="2018-11", until="2018-11", min_samples=10_000))
    out = public.meeting_outputs(r)
    assert len(out.table) == 0 and list(out.table.columns) == list(public.MEETING_COLUMNS)
    assert out.source == "police.uk street-level crime, November 2018"
    assert "Data: police.uk street-level crime, November 2018" in out.map_html
    assert "No area has 5 or more incidents" in out.map_html
    assert "No area is shown for these months." in out.standalone


def test_every_area_on_the_shipped_data_names_its_streets_or_places(six_months):
    out = public.meeting_outputs(six_months)
    view = public.public_view(six_months)
    assert list(out.table[public.PLACE]) == list(view[public.PLACE])
    assert (out.table[public.PLACE] != "").all()
    assert "On or near" not in " ".join(out.table[public.PLACE])
    inc = six_months.incidents

    def names(rows):
        # a kind of place is said in plain words (geo.places.plain_place_words)
        return {
            plain_place_words(n.removeprefix("On or near ").replace("'S ", "'s "))
            for n in rows[c.LOCATION]
        }

    in_areas, anywhere = names(inc[inc[c.HOTSPOT_ID] != ""]), names(inc)
    for place in out.table[public.PLACE]:
        for part in place.split(" / "):
            # names of the areas' map points; kinds of place with a named map point near them
            kinds, _, near = part.partition(" near ")
            assert {plain_place_words(k) for k in kinds.split(" and ")} <= in_areas, part
            assert not near or near in anywhere, part


def test_legend_points_to_the_trend_and_its_words_are_explained_below_the_map(six_months):
    out = public.meeting_outputs(six_months)
    for page in (out.map_html, out.standalone):
        legend = page[page.index('<div class="public-legend"') :]
        legend = legend[: legend.index("</div></div>") + 12]
        # one line in the legend (a paragraph took a third of a projected map) ...
        assert "<b>Trend</b>: click an area to see if reports there are going up or down" in legend
        assert out.trend not in legend
        # ... each area's popup has its trend
        assert '"Trend"' in page or ">Trend<" in page
    # ... and the words are explained under the map, on the page (see the meeting page
    # tests) and in the download
    assert "Going up or Going down: more or fewer reports in the last 3 months" in out.trend
    below = out.standalone[out.standalone.index("</div></div>") :]
    assert out.trend in below


def test_the_download_lists_every_area_with_its_place_below_the_map(six_months):
    out = public.meeting_outputs(six_months)
    page = out.standalone
    start = page.index(f'<section class="{public.AREA_LIST_CLASS}">')
    # the map fills the first screen and the list starts below it
    assert "height: 100.0vh;" in page
    assert f".{public.AREA_LIST_CLASS}{{position:absolute;top:100vh;" in page
    section = page[start : page.index("</section>", start)]
    assert "<b>Data:</b> police.uk street-level crime, June to November 2018" in section
    assert f"<b>Trend:</b> {out.trend}" in section
    heads = re.findall(r"<th>(.*?)</th>", section)
    assert heads == ["Area", "Ward", "Where", "Incidents", "Main problems", "Trend"]
    rows = [re.findall(r"<td>(.*?)</td>", r) for r in re.findall(r"<tr>(.*?)</tr>", section)]
    assert rows == [[escape_html(v) for v in r] for r in out.table.itertuples(index=False)]
    assert "Open Government Licence" in section

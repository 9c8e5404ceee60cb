"""The meeting page's outputs: only the public view, in the meeting table's columns."""

from __future__ import annotations

import dataclasses
import re

import pytest

from geo import columns as c
from geo import public
from geo.pipeline import run_files
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
    assert out.explanation == public.default_explanation(
        view, public.PublicSettings(), trend_months=months
    )
    assert f"last {months} months" in out.explanation
    period = str(view[public.PERIOD].iloc[0])
    for page in (out.map_html, out.standalone):
        assert f"Where reported problems concentrate: {period}" in page
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


def test_no_area_to_show_names_the_months_asked_for():
    r = run_files(settings=Settings(since="2018-11", until="2018-11", min_samples=10_000))
    out = public.meeting_outputs(r)
    assert len(out.table) == 0 and list(out.table.columns) == list(public.MEETING_COLUMNS)
    assert "Where reported problems concentrate: 2018-11 to 2018-11" in out.map_html

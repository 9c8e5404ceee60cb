"""The Meeting page through AppTest: what a forum member reads on the shipped data."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import public
from geo.pipeline import run_files
from geo.settings import Settings
from geo.settings_edits import window_settings
from geo.source import DataSource

APP = str(Path(__file__).resolve().parents[2] / "app.py")
SOURCE = "police.uk street-level crime, June to November 2018"


@pytest.fixture(scope="module")
def view() -> object:
    """The public view of the page's default window: the last 6 months of the shipped data."""
    return public.public_view(
        run_files(settings=window_settings(Settings(), last_month="2018-11", months=6))
    )


@pytest.fixture
def meeting(monkeypatch) -> AppTest:
    """The app as a member of the public opens it (no staff password configured)."""
    monkeypatch.delenv("HOTSPOTS_STAFF_PASSWORD_HASH", raising=False)
    at = AppTest.from_file(APP, default_timeout=90)
    at.secrets = {"unrelated": "no password here"}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error
    return at


def test_the_page_names_the_data_source_and_its_months(meeting):
    captions = [x.value for x in meeting.caption]
    data = [x for x in captions if x.startswith("Data: ")]
    assert len(data) == 1
    assert data[0].startswith(f"Data: {SOURCE}, the latest months in the data in use")
    assert "Open Government Licence" in data[0]
    srcdoc = str(meeting.get("iframe")[0].proto.srcdoc)
    assert f"Data: {SOURCE}" in srcdoc  # on the map itself too


def test_the_trend_words_are_explained_beside_the_list(meeting):
    texts = [m.value for m in meeting.markdown]
    trend = public.trend_explanation(Settings().trend_months, last_month="2018-11")
    assert f"**Trend:** {trend}" in texts
    assert "Going up or Going down: more or fewer reports in the last 3 months" in trend
    assert "The areas on the map" in [h.value for h in meeting.subheader]
    # the sentence sits right above the list: the next element is the table
    blocks = list(meeting.main)
    at_trend = next(
        i for i, b in enumerate(blocks) if getattr(b, "value", None) == f"**Trend:** {trend}"
    )
    assert blocks[at_trend + 1].type == "table"


def test_the_list_names_each_areas_streets_and_places(meeting, view):
    table = meeting.table[0].value
    assert list(table["Area"]) == [a.replace(" ", "\u00a0") for a in view[public.AREA_ID]]
    assert list(table["Where"]) == list(view[public.PLACE])
    assert (table["Where"] != "").all()
    where = dict(zip(table["Area"], table["Where"], strict=True))
    # real police.uk map-point names of the shipped data, e.g. Littlemore's Astrop Lane
    assert any("Astrop Lane" in p for p in where.values())
    assert any("Templars Square Shopping Centre" in p for p in where.values())


def test_a_shorter_window_names_its_own_months(meeting):
    meeting.radio(key="meeting_window").set_value("Last 3 months")
    meeting.run()
    data = [x.value for x in meeting.caption if x.value.startswith("Data: ")]
    assert data[0].startswith("Data: police.uk street-level crime, September to November 2018")


def street_layer_labels(at: AppTest) -> list[list[object]]:
    srcdoc = str(at.get("iframe")[0].proto.srcdoc)
    found = re.findall(
        r"\(street_layer_[0-9a-f]+, map_[0-9a-f]+,\s*(\[.*?\]),\s*\[[\d, ]+\]\);", srcdoc, re.S
    )
    assert len(found) == 1, "expected one street layer on the map"
    assert '"Street names (zoom in)"' in srcdoc  # in the map's layer switcher
    return list(json.loads(found[0]))


def test_the_map_names_streets_the_same_for_every_period(meeting):
    expected = public.streets_for_source(DataSource.shipped(), Settings())
    six = street_layer_labels(meeting)
    assert [label[2] for label in six] == list(expected["name"])
    assert "Templars Square Shopping Centre" in [label[2] for label in six]
    for window in ("Last 3 months", "Last 12 months"):
        meeting.radio(key="meeting_window").set_value(window)
        meeting.run()
        assert not meeting.exception
        assert street_layer_labels(meeting) == six


def test_the_last_3_months_trends_compare_them_with_the_3_months_before(meeting):
    """As on the Patrol page: September to November against June to August, not n/a."""
    from geo import columns as c
    from geo.staff import window_trends

    meeting.radio(key="meeting_window").set_value("Last 3 months")
    meeting.run()
    ws = window_settings(Settings(), last_month="2018-11", months=3)
    window = run_files(settings=ws)
    hotspots = window_trends(
        window.hotspots, run_files().incidents, since="2018-09", until="2018-11"
    )
    assert hotspots is not None
    expected = public.public_view(dataclasses.replace(window, hotspots=hotspots))
    table = meeting.table[0].value
    assert list(table["Trend"]) == list(expected[c.TREND])
    assert {"Going up", "Going down"} & set(table["Trend"])  # not every area "no clear change"
    # ...and the words say so: the 3 months shown against the 3 before, not "the last month"
    trend = public.trend_explanation(3, last_month="2018-11")
    assert [m.value for m in meeting.markdown if m.value.startswith("**Trend:**")] == [
        f"**Trend:** {trend}"
    ]
    assert "the last 3 months (September to November 2018) than the 3 before (June to" in trend
    page_text = " ".join(m.value for m in meeting.markdown)
    assert "the last month than the month before" not in page_text

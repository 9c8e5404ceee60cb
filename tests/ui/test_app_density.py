"""AppTest: min_samples per month on the Analyst and Patrol pages, the meeting view's shared
minimum count, and the postbox panel's planning date."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from geo import public
from geo.pipeline import run_files
from geo.settings import Settings
from geo.settings_edits import window_settings
from geo.settings_toml import settings_from_toml
from tests.test_app import (
    HASH,
    area_features,
    download,
    downloads,  # noqa: F401 (a fixture)
    iframe_html,
    metrics,
    new_app,
    run,
    staff_app,
)


@pytest.fixture(autouse=True)
def fresh_server_settings():
    """Every test starts, and leaves the server, with the default meeting minimum count."""
    from ui.state import server_settings

    server_settings.clear()
    yield
    server_settings.clear()


def captions(at) -> str:
    return "\n".join(x.value for x in at.caption)


def test_analyst_slider_is_per_month_and_shows_the_effective_count(monkeypatch):
    at = staff_app(monkeypatch, "Analyst")
    assert at.slider(key="a_ms_month").value == 3.33
    assert "Effective min_samples: **3.33 a month x 9 months = 30**" in captions(at)
    at.select_slider(key="a_months").set_value(("2018-09", "2018-11"))
    run(at)
    assert "Effective min_samples: **3.33 a month x 3 months = 10**" in captions(at)
    expected = run_files(settings=Settings(since="2018-09", until="2018-11"))
    assert metrics(at)["Hotspots"] == str(expected.counts.hotspots) == "16"
    at.slider(key="a_ms_month").set_value(3.0)
    run(at)
    assert "Effective min_samples: **3 a month x 3 months = 9**" in captions(at)
    code = " ".join(x.value for x in at.code)
    assert "min_samples_per_month = 3.0" in code and "min_samples = " not in code


def test_patrol_one_month_view_finds_the_months_concentrations(monkeypatch):
    at = staff_app(monkeypatch, "Patrol")
    counts = {}
    for months in (1, 3):
        at.radio(key="patrol_window").set_value(months)
        run(at)
        counts[months] = int(metrics(at)["Hotspots"])
        table = at.dataframe[0].value
        # the count columns say what they compare: the window and as many months before
        if months == 1:  # November against October
            assert "1 month before" in set(table.columns)
            assert "– (too short)" not in set(table["Trend"])
            assert "A hotspot is 4 or more weighted incidents within 40 m" in captions(at)
        else:
            assert "3 months before" in set(table.columns)
            assert "A hotspot is 10 or more weighted incidents within 40 m" in captions(at)
    # the 1-month view needs 4 (the floor) and finds as many hotspots as 3 months (10)
    assert counts == {1: 16, 3: 16}


def test_meeting_minimum_count_is_saved_and_applies_to_every_viewer(monkeypatch, downloads):  # noqa: F811
    ws = window_settings(Settings(), last_month="2018-11", months=6)
    run6 = run_files(settings=ws)
    at_40 = public.meeting_outputs(run6, public_settings=public.PublicSettings(min_count=40))
    at_5 = public.meeting_outputs(run6, public_settings=public.PublicSettings(min_count=5))
    assert len(area_features(at_40.map_html)) < len(area_features(at_5.map_html))

    # a member of the public, already on the page (the server has a staff password set)
    viewer = run(new_app(monkeypatch, hash_env=HASH))
    assert len(area_features(iframe_html(viewer))) == len(area_features(at_5.map_html))

    analyst = staff_app(monkeypatch, "Analyst")
    analyst.number_input(key="a_public_min").set_value(40)
    run(analyst)
    saved = settings_from_toml(download(analyst, downloads, "Save settings (TOML)").decode())
    assert saved.public_min_count == 40

    # another browser, never on the Analyst page, and the viewer who was already there
    other = run(new_app(monkeypatch, hash_env=HASH))
    assert len(area_features(iframe_html(other))) == len(area_features(at_40.map_html))
    run(viewer)
    assert len(area_features(iframe_html(viewer))) == len(area_features(at_40.map_html))

    # loading a settings file sets it for everyone too
    text = "[clustering]\nmin_samples_per_month = 1.67\n[public]\nmin_count = 5\n"
    analyst.file_uploader(key="settings_upload").set_value(("t.toml", text.encode(), "text/plain"))
    next(b for b in analyst.button if b.label == "Load settings").click()
    run(analyst)
    assert analyst.number_input(key="a_public_min").value == 5
    run(viewer)
    assert len(area_features(iframe_html(viewer))) == len(area_features(at_5.map_html))


def test_postbox_planning_date_moves_the_plan(monkeypatch, tmp_path):
    from geo import postbox as pb

    monkeypatch.setenv("HOTSPOTS_PLACEMENT_LOG", str(tmp_path / "placements.sqlite"))
    at = staff_app(monkeypatch, "Patrol")
    at.toggle(key="patrol_postbox").set_value(True)
    run(at)
    assert at.date_input(key="pb_planning_date").value == date.today()
    plan = next(d.value for d in at.dataframe if pb.START_DATE in d.value.columns)
    assert plan[pb.START_DATE].iloc[0].date() == date.today() + timedelta(days=1)
    # the panel states its one time frame: the postbox's own period (all the data's months
    # within the 365-day lookback), not the page's 3 months
    assert (
        "Planned on incidents from the last 9 months of the data, 1 March to 30 November 2018"
        in captions(at)
    )
    ahead = date.today() + timedelta(days=30)
    at.date_input(key="pb_planning_date").set_value(ahead)
    run(at)
    plan = next(d.value for d in at.dataframe if pb.START_DATE in d.value.columns)
    assert plan[pb.START_DATE].iloc[0].date() == ahead + timedelta(days=1)
    assert pd.Timestamp(at.date_input(key=f"pb_from_{ahead + timedelta(days=1)}").value) == (
        pd.Timestamp(ahead + timedelta(days=1))
    )

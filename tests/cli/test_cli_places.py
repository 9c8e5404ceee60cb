"""``python -m geo hotspots``: places in the printed list, street names and optional tiles."""

from __future__ import annotations

import re

import pandas as pd

from geo.cli import main

TILES = "https://tiles.example.org/{z}/{x}/{y}.png"


def test_top_hotspots_printed_with_their_places_and_map_has_street_names(tmp_path, capsys):
    assert main(["hotspots", "--out", str(tmp_path), "--no-progress"]) == 0
    out = capsys.readouterr().out
    csv = pd.read_csv(tmp_path / "hotspots.csv")
    first = csv.iloc[0]
    assert f"  #1 {first['place']} ({first['ward_name']}, {first['hotspot_id']}): " in out
    assert "Templars Square Shopping Centre" in out
    assert csv["place"].notna().all() and (csv["place"] != "").all()
    html = (tmp_path / "map.html").read_text(encoding="utf-8")
    assert "Street names (zoom in)" in html
    assert re.search(r"\[[-\d.]+, [-\d.]+, \"Templars Square Shopping Centre\", false, 15\]", html)
    assert "L.tileLayer" not in html  # no basemap unless asked for: works offline


def test_tiles_need_an_attribution_and_are_checked_before_the_run(tmp_path, capsys):
    assert main(["hotspots", "--out", str(tmp_path / "a"), "--tiles", TILES]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: tile URL") and "expected an attribution" in err
    assert not (tmp_path / "a").exists()
    assert main(["hotspots", "--out", str(tmp_path / "b"), "--attribution", "x"]) == 2
    assert "--attribution: given without --tiles" in capsys.readouterr().err


def test_tiles_with_attribution_give_a_basemap(tmp_path):
    args = ["hotspots", "--out", str(tmp_path), "--no-progress", "--since", "2018-11"]
    assert main([*args, "--tiles", TILES, "--attribution", "Example tiles"]) == 0
    html = (tmp_path / "map.html").read_text(encoding="utf-8")
    assert html.count("L.tileLayer(") == 1 and "Example tiles" in html

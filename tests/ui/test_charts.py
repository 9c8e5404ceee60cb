"""The Vega-Lite specifications of the staff pages, built by pure functions."""

from __future__ import annotations

import math

import pandas as pd

from geo.settings import Settings
from ui import charts


def test_category_mix_keeps_rank_order_fixed_colours_and_leaves_out_zeros():
    mix = pd.DataFrame(
        {"Drugs": [5, 0], "Shoplifting": [1, 2]},
        index=pd.Index(["E1-02", "E1-01"], name="hotspot"),
    )
    s = Settings()
    spec = charts.category_mix_spec(mix, s)
    assert spec["encoding"]["y"]["sort"] == ["E1-02", "E1-01"]
    colour = spec["encoding"]["color"]
    assert colour["scale"] == {
        "domain": [s.label(k) for k in s.categories],
        "range": charts.category_colours(list(s.categories)),
    }
    assert colour["scale"]["range"][list(s.categories).index("drugs")] == "#b2182b"
    assert colour["legend"]["values"] == ["Drugs", "Shoplifting"]
    assert spec["data"]["values"] == [
        {"hotspot": "E1-02", "hotspot_id": "E1-02", "category": "Drugs", "n": 5},
        {"hotspot": "E1-02", "hotspot_id": "E1-02", "category": "Shoplifting", "n": 1},
        {"hotspot": "E1-01", "hotspot_id": "E1-01", "category": "Shoplifting", "n": 2},
    ]
    assert colour["legend"]["labelLimit"] == 0  # full category names


def test_every_category_has_a_colour_of_its_own():
    keys = list(Settings().categories)
    assert set(keys) <= set(charts.CATEGORY_COLOURS)
    colours = charts.category_colours([*keys, "mine", "yours"])
    assert len(set(colours)) == len(colours)  # added categories too
    assert colours[-2:] == list(charts.EXTRA_COLOURS[:2])


def test_category_mix_rows_are_named_by_rank_and_place():
    hotspots = pd.DataFrame(
        {
            "hotspot_id": ["E1-02", "E1-01", "E1-03"],
            "rank": [1, 2, 3],
            "place": [
                "Supermarket / Templars Square Shopping Centre / Pound Way / Between Towns Road",
                "Nightclub",
                None,
            ],
            "ward_name": ["Cowley", "Cowley", "Littlemore"],
        }
    )
    labels = charts.hotspot_row_labels(hotspots)
    first = labels["E1-02"]
    assert first.startswith("1. Supermarket / Templars Square") and first.endswith("…")
    assert len(first) <= charts.ROW_LABEL_CHARS
    assert labels["E1-01"] == "2. Nightclub"
    assert labels["E1-03"] == "3. Littlemore"  # no place: the ward
    mix = pd.DataFrame({"Drugs": [5, 1]}, index=pd.Index(["E1-02", "E1-01"], name="hotspot"))
    spec = charts.category_mix_spec(mix, Settings(), labels=labels)
    assert spec["encoding"]["y"]["sort"] == [first, "2. Nightclub"]
    assert [v["hotspot"] for v in spec["data"]["values"]] == [first, "2. Nightclub"]
    assert [v["hotspot_id"] for v in spec["data"]["values"]] == ["E1-02", "E1-01"]


def test_k_distance_scale_follows_eps_only_when_its_line_would_leave_the_chart():
    assert charts.k_distance_top(100.0, 60.0) == 400.0
    assert charts.k_distance_top(100.0, 360.0) == 400.0  # exactly 90 %: stays
    assert charts.k_distance_top(100.0, 361.0) == 722.0
    assert charts.k_distance_top(5.0, 20.0) == 50.0  # at least 50 m
    assert charts.k_distance_top(float("nan"), 60.0) == 120.0


def test_k_distance_spec_draws_the_finite_curve_and_both_lines():
    curve = pd.DataFrame({"share": [0.0, 0.5, 1.0], "k_distance_m": [1.23456, 20.0, math.inf]})
    spec = charts.k_distance_spec(curve, 40.0, eps_m=60.0, k=15)
    assert spec["datasets"]["curve"].to_dict("list") == {
        "share": [0.0, 0.5],
        "k_distance_m": [1.2346, 20.0],
    }
    assert spec["datasets"]["rules"].to_dict("records") == [
        {"metres": 60.0, "line": "current eps_m 60 m"},
        {"metres": 40.0, "line": "knee: upper limit 40 m"},
    ]
    y = spec["layer"][0]["encoding"]["y"]
    assert y["title"] == "distance holding weight 15 (m)"
    scale = {"type": "symlog", "constant": 10, "domain": [0, 160.0], "clamp": True}
    assert y["scale"] == scale
    assert spec["layer"][1]["encoding"]["y"]["scale"] == scale  # the lines on the same scale
    assert y["axis"]["values"] == [0, 10, 20, 50, 100]  # read in metres up to the top
    no_knee = charts.k_distance_spec(curve, float("nan"), eps_m=60.0, k=15)
    assert len(no_knee["datasets"]["rules"]) == 1
    # the two lines' names stacked, so neither runs off a half-width chart at 1024 px
    legend = spec["layer"][1]["encoding"]["color"]["legend"]
    assert (legend["direction"], legend["columns"], legend["labelLimit"]) == ("vertical", 1, 320)


def test_a_slider_move_changes_only_the_data_of_the_charts():
    curve = pd.DataFrame({"share": [0.0, 1.0], "k_distance_m": [10.0, 30.0]})
    a = charts.k_distance_spec(curve, 40.0, eps_m=60.0, k=15)
    b = charts.k_distance_spec(curve, 40.0, eps_m=65.0, k=15)
    assert {k: v for k, v in a.items() if k != "datasets"} == {
        k: v for k, v in b.items() if k != "datasets"
    }
    points = charts.sweep_points(
        pd.DataFrame({"eps_m": [20.0, 40.0], "n_hotspots": [3.0, 5.0], "noise_share": [0.5, 0.25]})
    )
    assert points.to_dict("list") == {
        "eps_m": [20.0, 40.0],
        "hotspots": [3.0, 5.0],
        "noise_pct": [50.0, 25.0],
    }
    p = charts.sweep_spec(points, 60.0, "noise_pct", "noise share (%)")
    q = charts.sweep_spec(points, 65.0, "noise_pct", "noise share (%)")
    assert p["layer"] == q["layer"]
    assert q["datasets"]["current"]["eps_m"].tolist() == [65.0]
    assert p["layer"][0]["encoding"]["y"]["field"] == "noise_pct"
    # each panel keeps a real plot height (only the width is fitted) and readable ticks
    assert p["height"] == charts.SWEEP_PANEL_HEIGHT >= 120
    assert p["autosize"] == {"type": "fit-x", "contains": "padding"}
    axis = p["layer"][0]["encoding"]["y"]["axis"]
    assert axis["tickCount"] >= 4 and axis["titleLimit"] >= 120

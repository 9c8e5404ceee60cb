"""Hotspot evaluation: hit rate, PAI and RRI by hand, folds, area budget, shipped-data run."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from geo import columns as c
from geo.cli import main
from geo.errors import ValidationError
from geo.evaluation import (
    ALL_METHODS,
    ALL_WARDS,
    METHODS,
    Fold,
    area_share,
    build_grid,
    cell_keys,
    evaluate_methods,
    fit_dbscan,
    gi_star,
    grid_weights,
    hit_rate,
    hotspot_stability,
    inside_hotspots,
    kernel_density,
    pai,
    prepare,
    rolling_folds,
    rri,
    select_cells,
)
from geo.pipeline import run_pipeline
from geo.settings import Settings
from tests.helpers import (
    EAST,
    SPOT_AREA,
    WEST,
    X0,
    Y0,
    hand_rows,
    local_csv,
    shipped_inputs,
    unit_settings,
)

UNIT = unit_settings(eps_m=20, min_samples=5)


# --- the measures, by hand ------------------------------------------------------------------
def test_hit_rate_and_pai_hand_case():
    # 12 incidents next month, 3 inside the hotspots: hit rate 3 / 12 = 0.25
    assert hit_rate(3, 12) == 0.25
    # hotspots of 500 m^2 in a 10,000 m^2 study area: area share 500 / 10000 = 0.05
    assert area_share(500, 10_000) == 0.05
    # PAI = 0.25 / 0.05 = 5
    assert pai(3, 12, 500, 10_000) == pytest.approx(5.0)
    # 50 of 200 incidents in 2 % of the area: (50/200) / 0.02 = 0.25 / 0.02 = 12.5
    assert pai(50, 200, 2, 100) == pytest.approx(12.5)
    # marking everything catches everything: (12/12) / (1/1) = 1, no better than chance
    assert pai(12, 12, 10_000, 10_000) == pytest.approx(1.0)


def test_rri_hand_case():
    # fit: 10 of 100 incidents inside; test: 6 of 40 inside
    # RRI = (6 / 10) / (40 / 100) = 0.6 / 0.4 = 1.5
    assert rri(10, 100, 6, 40) == pytest.approx(1.5)
    # 3 fit months against 1 test month: 90 of 300, then 30 of 100
    # (30 / 90) / (100 / 300) = (1/3) / (1/3) = 1: period lengths cancel
    assert rri(90, 300, 30, 100) == pytest.approx(1.0)


def test_undefined_measures_are_nan_and_bad_counts_raise():
    assert math.isnan(hit_rate(0, 0))
    assert math.isnan(pai(0, 0, 10, 100))
    assert math.isnan(pai(3, 10, 0, 100))  # no area marked
    assert math.isnan(rri(0, 10, 3, 10))  # nothing inside in the fit period
    assert math.isnan(rri(2, 10, 0, 0))  # no test incidents
    with pytest.raises(ValidationError, match="hits <= incidents"):
        hit_rate(5, 4)
    with pytest.raises(ValidationError, match="hit rate"):
        hit_rate(-1, 4)
    with pytest.raises(ValidationError, match="area share"):
        area_share(200, 100)
    with pytest.raises(ValidationError, match="area share"):
        pai(1, 2, 10, 0)


# --- folds ----------------------------------------------------------------------------------
def test_rolling_folds_cover_every_month_after_the_window():
    months = ["2018-03", "2018-05", "2018-04", "2018-07", "2018-06", "2018-05"]
    assert rolling_folds(months, window_months=3) == [
        Fold(("2018-03", "2018-04", "2018-05"), "2018-06"),
        Fold(("2018-04", "2018-05", "2018-06"), "2018-07"),
    ]
    # a month with no incidents is never a test month, but still a month of a fit window
    assert rolling_folds(["2018-01", "2018-03"], window_months=1) == [
        Fold(("2018-02",), "2018-03"),
    ]
    assert Fold(("2018-01", "2018-02", "2018-03"), "2018-04").label == "2018-01..2018-03"


def test_rolling_folds_reject_short_data_and_bad_windows():
    with pytest.raises(ValidationError, match=r"at least 4 months.*spans 3 \(2018-01..2018-03\)"):
        rolling_folds(["2018-01", "2018-02", "2018-03"], window_months=3)
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValidationError, match="window_months"):
            rolling_folds(["2018-01", "2018-09"], window_months=bad)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="needs incidents"):
        rolling_folds([], window_months=1)


# --- grid baselines -------------------------------------------------------------------------
def test_cell_keys_follow_floor_rule():
    # x = 100 lies on the edge between columns 1 and 2 of a 50 m grid: it belongs to column 2
    k = cell_keys(np.array([100.0, 99.9, 149.9]), np.array([0.0, 0.0, 49.9]), grid_m=50)
    assert k[0] == k[2]
    assert k[1] != k[0]
    assert k[0] - k[1] == 1 << 32  # next column, same row


def test_grid_pieces_tile_each_ward(two_wards):
    # 300 m cells do not line up with the ward edge at x = 451000 (451000 / 300 = 1503.33)
    grid = build_grid(two_wards, grid_m=300)
    per_ward = grid.groupby(c.WARD_CODE)["area_m2"].sum()
    assert per_ward[WEST] == pytest.approx(1_000_000)
    assert per_ward[EAST] == pytest.approx(1_000_000)
    assert (grid["area_m2"] <= 300 * 300 + 1e-6).all()
    # the cell 450900-451200 is cut in two by the shared edge: one piece per ward
    edge = cell_keys(np.array([451_050.0]), np.array([Y0 + 10.0]), grid_m=300)[0]
    pieces = grid[grid["cell"] == edge].set_index(c.WARD_CODE)["area_m2"]
    # y range of that cell is 199800-200100, of which 100 m is inside the wards
    assert pieces[WEST] == pytest.approx(100 * 100)
    assert pieces[EAST] == pytest.approx(200 * 100)
    with pytest.raises(ValidationError, match="grid_m"):
        build_grid(two_wards, grid_m=0)


def test_select_cells_takes_top_cells_nearest_the_budget():
    grid = pd.DataFrame({"cell": [10, 11, 12, 13], c.WARD_CODE: ["A"] * 4, "area_m2": [2500.0] * 4})
    scores = np.array([5.0, 1.0, 3.0, 3.0])
    # cumulative areas in score order: 0, 2500, 5000, 7500, 10000; 6000 is nearest 5000
    # (|6000-5000| = 1000 < |7500-6000| = 1500): take 2 cells, score 5 then the tie at 3
    # broken by the lower cell key (12)
    assert select_cells(grid, scores, {"A": 6000}).tolist() == [True, False, True, False]
    # a tie-break score puts cell 13 before cell 12
    tb = np.array([0.0, 0.0, 1.0, 2.0])
    assert select_cells(grid, scores, {"A": 6000}, tie_break=tb).tolist() == [
        True,
        False,
        False,
        True,
    ]
    assert not select_cells(grid, scores, {"A": 0}).any()
    assert not select_cells(grid, scores, {}).any()
    assert select_cells(grid, scores, {"A": 1e9}).all()
    # 1000 m^2 is nearer 0 than 2500: no cell; 1300 is nearer 2500: one cell
    assert select_cells(grid, scores, {"A": 1000}).sum() == 0
    assert select_cells(grid, scores, {"A": 1300}).tolist() == [True, False, False, False]


def test_quartic_kernel_by_hand():
    pts = np.array([[0.0, 0.0]])
    at = np.array([[0.0, 0.0], [50.0, 0.0], [0.0, 100.0], [150.0, 0.0]])
    dens = kernel_density(pts, np.array([2.0]), at, bandwidth_m=100, kernel="quartic")
    peak = 2 * 3 / (math.pi * 100**2)  # weight 2 x 3 / (pi h^2) = 1.9099e-4 per m^2
    # at d = 50: (1 - (50/100)^2)^2 = 0.75^2 = 0.5625 of the peak; 0 at and beyond h
    assert dens == pytest.approx([peak, 0.5625 * peak, 0.0, 0.0])


@pytest.mark.parametrize("kernel", ["quartic", "gaussian"])
def test_kernels_integrate_to_total_weight(kernel):
    pts = np.array([[0.0, 0.0], [30.0, 40.0]])
    g = np.arange(-600, 601, 5.0)
    xx, yy = np.meshgrid(g, g)
    at = np.column_stack([xx.ravel(), yy.ravel()])
    dens = kernel_density(pts, np.array([1.0, 2.0]), at, bandwidth_m=80, kernel=kernel)
    assert dens.sum() * 25 == pytest.approx(3.0, rel=0.01)  # 5 m x 5 m cells


def test_gi_star_ranks_the_hot_cell_first_and_is_seeded():
    # 7 x 7 cells of 50 m; the middle cell holds 9, its 4 rook neighbours 1 each
    xy = np.array([(25 + 50 * i, 25 + 50 * j) for i in range(7) for j in range(7)], float)
    counts = np.zeros(49)
    mid = 3 * 7 + 3
    counts[mid] = 9.0
    counts[[mid - 7, mid + 7, mid - 1, mid + 1]] = 1.0
    w = grid_weights(xy, radius_m=75)  # queen neighbours and the cell itself
    z1, p1 = gi_star(counts, w, permutations=99, seed=7)
    z2, p2 = gi_star(counts, w, permutations=99, seed=7)
    assert np.array_equal(p1, p2)
    assert np.array_equal(z1, z2)
    # window sums: middle 9 + 4 = 13; a rook neighbour 1 + 9 + 2 = 12; a diagonal neighbour
    # 9 + 2 = 11; cells two steps away at most 1: the middle cell is the hottest
    assert int(np.argmax(z1)) == mid
    assert z1[mid + 1] > z1[mid + 8] > z1[0]
    assert p1[mid] <= 0.05
    flat_z, flat_p = gi_star(np.ones(49), w, permutations=99, seed=7)
    assert (flat_z == 0).all() and (flat_p == 1).all()


# --- evaluation by hand ---------------------------------------------------------------------
def test_evaluation_hand_case(two_wards):
    ev = evaluate_methods(local_csv(hand_rows()), two_wards, UNIT, grid_m=50, permutations=99)
    assert ev.folds == [Fold(("2018-01", "2018-02", "2018-03"), "2018-04")]
    t = ev.table.set_index(["method", c.WARD_CODE])
    # DBSCAN (eps 20, min_samples 5): the GROUP point weighs 6 >= 5 and is a single-location
    # hotspot, a 32-gon of SPOT_AREA = 1950.9 m^2. LONER (3) and the east point (1) are noise.
    d = t.loc[("dbscan", ALL_WARDS)]
    assert (d["n_test"], d["n_hits"], d["n_fit"], d["n_fit_hits"]) == (4, 2, 10, 6)
    assert d["area_m2"] == pytest.approx(SPOT_AREA)
    assert d["study_area_m2"] == pytest.approx(2_000_000)
    assert d["hit_rate"] == 0.5  # 2 of 4
    # PAI = 0.5 / (1950.9 / 2,000,000) = 0.5 / 0.000975452 = 512.59
    assert d["pai"] == pytest.approx(0.5 / (SPOT_AREA / 2_000_000))
    assert d["pai"] == pytest.approx(512.59, abs=0.01)
    # RRI = (2 / 6) / (4 / 10) = 0.3333 / 0.4 = 0.8333
    assert d["rri"] == pytest.approx(5 / 6)
    assert d["n_areas"] == 1
    w = t.loc[("dbscan", WEST)]
    # west ward alone: 2 of 3 test incidents, 1950.9 m^2 of 1,000,000
    assert w["hit_rate"] == pytest.approx(2 / 3)
    assert w["pai"] == pytest.approx((2 / 3) / (SPOT_AREA / 1_000_000))  # = 341.72
    assert w["rri"] == pytest.approx((2 / 6) / (3 / 9))  # = 1.0
    e = t.loc[("dbscan", EAST)]
    assert e["area_m2"] == 0 and e["n_hits"] == 0 and math.isnan(e["pai"])
    # every grid method marks one 50 m cell (2500 m^2 is nearer 1950.9 than 0 is): the one
    # holding GROUP, which is the busiest, densest and hottest cell
    for method in ("kde", "gi_star", "naive"):
        g = t.loc[(method, ALL_WARDS)]
        assert g["n_areas"] == 1
        assert g["area_m2"] == pytest.approx(2500)
        assert g["budget_m2"] == pytest.approx(SPOT_AREA)
        assert g["n_hits"] == 2
        # PAI = 0.5 / (2500 / 2,000,000) = 400
        assert g["pai"] == pytest.approx(400)
        assert g["rri"] == pytest.approx(5 / 6)
    assert t.loc[("gi_star", WEST), "share_significant"] >= 0
    assert math.isnan(t.loc[("kde", WEST), "share_significant"])
    s = ev.summary.set_index(["method", c.WARD_CODE])
    assert s.loc[("dbscan", ALL_WARDS), "pai_mean"] == pytest.approx(d["pai"])
    assert s.loc[("dbscan", ALL_WARDS), "n_folds"] == 1
    assert list(ev.summary["method"].drop_duplicates()) == list(METHODS)


def test_evaluation_rejects_bad_options(two_wards):
    raw = local_csv(hand_rows())
    with pytest.raises(ValidationError, match="kernel"):
        evaluate_methods(raw, two_wards, UNIT, kernel="box")
    with pytest.raises(ValidationError, match="naive_months"):
        evaluate_methods(raw, two_wards, UNIT, naive_months=4)
    with pytest.raises(ValidationError, match="window_months=4 needs at least 5 months"):
        evaluate_methods(raw, two_wards, UNIT, window_months=4)


def test_inside_hotspots_needs_the_same_ward(two_wards):
    spot = gpd.GeoDataFrame(
        {c.WARD_CODE: [WEST]}, geometry=[Point(X0 + 1000, Y0 + 500).buffer(30)], crs=27700
    )
    pts = gpd.GeoDataFrame(
        {c.WARD_CODE: [WEST, EAST, WEST]},
        geometry=[
            Point(X0 + 990, Y0 + 500),
            Point(X0 + 1010, Y0 + 500),
            Point(X0 + 1030, Y0 + 500),
        ],
        crs=27700,
    )
    # the east point lies inside the polygon but is in another ward; the last is on its edge
    assert inside_hotspots(pts, spot).tolist() == [True, False, True]


def test_stability_by_hand(two_wards):
    def spots(*xy: tuple[float, float]) -> gpd.GeoDataFrame:
        return gpd.GeoDataFrame(
            {c.WARD_CODE: [WEST] * len(xy)},
            geometry=[Point(x, y).buffer(10, quad_segs=64) for x, y in xy],
            crs=27700,
        )

    a = spots((X0 + 100, Y0 + 100), (X0 + 500, Y0 + 500))
    b = spots((X0 + 100, Y0 + 100))
    t = hotspot_stability([("p1", a), ("p2", b), ("p3", b)], two_wards).set_index(
        ["period_before", c.WARD_CODE]
    )
    r = t.loc[("p1", WEST)]
    # 1 of 2 hotspots persists; Jaccard = one circle / two circles = 0.5
    assert (r["n_before"], r["n_after"], r["n_persisting"]) == (2, 1, 1)
    assert r["share_persisting"] == 0.5
    assert r["jaccard"] == pytest.approx(0.5)
    assert t.loc[("p2", WEST), "jaccard"] == pytest.approx(1.0)
    assert math.isnan(t.loc[("p1", EAST), "jaccard"])  # nothing in either period
    assert t.loc[("p1", ALL_WARDS), "n_persisting"] == 1


# --- shipped data ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def shipped():
    return shipped_inputs()


def test_fit_dbscan_is_the_pipeline_with_since_until(shipped):
    raw, wards = shipped
    s = Settings()
    incidents, metric_wards = prepare(raw, wards, s)
    months = ["2018-06", "2018-07", "2018-08"]
    ours = fit_dbscan(incidents[incidents[c.MONTH].isin(months)], metric_wards, s)
    theirs = run_pipeline(raw, wards, s.replace(since=months[0], until=months[-1])).hotspots
    assert len(ours) > 0
    assert list(ours[c.HOTSPOT_ID]) == list(theirs[c.HOTSPOT_ID])
    assert list(ours[c.N_INCIDENTS]) == list(theirs[c.N_INCIDENTS])
    assert all(ours.geometry.geom_equals_exact(theirs.geometry, tolerance=1e-6))


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("evaluate")
    code = main(
        [
            "evaluate",
            "--out",
            str(out),
            "--window-months",
            "2",
            "--eps-values",
            "60,80",
            "--min-samples-values",
            "15,20",
            "--eps-m",  # a swept eps_m and a fixed count, so the sweep holds the evaluated setting
            "60",
            "--min-samples",
            "15",
            "--permutations",
            "99",
            "--no-progress",
        ]
    )
    assert code == 0
    return out


def test_cli_evaluates_every_method_and_month_on_shipped_data(cli_run, capsys):
    t = pd.read_csv(cli_run / "evaluation.csv", dtype={c.WARD_CODE: str})
    # window 2 on March-November: test months May-November
    months = [f"2018-{m:02d}" for m in range(5, 12)]
    assert sorted(t["test_month"].unique()) == months
    assert set(t["method"]) == set(ALL_METHODS)
    per = t.groupby(["method", "test_month"]).size()
    assert len(per) == len(ALL_METHODS) * len(months)
    assert (per == 8).all()  # the 7 shipped wards and "all"
    summary = pd.read_csv(cli_run / "evaluation_summary.csv")
    assert len(summary) == len(ALL_METHODS) * 8
    assert (summary["n_folds"] == len(months)).all()
    for name in ("pai_by_method", "sweep", "kdistance"):
        assert (cli_run / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    sweep = pd.read_csv(cli_run / "sweep.csv")
    assert sorted(zip(sweep["eps_m"], sweep["min_samples"], strict=True)) == [
        (60, 15),
        (60, 20),
        (80, 15),
        (80, 20),
    ]
    kd = pd.read_csv(cli_run / "kdistance.csv")
    assert sorted(kd["k"].unique()) == [15, 20]
    stab = pd.read_csv(cli_run / "stability.csv")
    assert len(stab) == (len(months) - 1) * 8


def test_area_budget_matches_across_methods_on_shipped_data(cli_run):
    t = pd.read_csv(cli_run / "evaluation.csv", dtype={c.WARD_CODE: str})
    wards = t[t[c.WARD_CODE] != ALL_WARDS]
    dbscan = wards[wards["method"] == "dbscan"]
    assert (dbscan["area_m2"] == dbscan["budget_m2"]).all()
    assert dbscan["area_m2"].sum() > 0
    # per-ward budgets: within half a 50 m cell of DBSCAN's area in every ward and month
    grid = wards[(wards["method"] != "dbscan") & (wards["allocation"] == "ward")]
    assert (np.abs(grid["area_m2"] - grid["budget_m2"]) <= 0.5 * 50 * 50 + 1e-6).all()
    # study-wide: within one cell per ward
    study = t[t[c.WARD_CODE] == ALL_WARDS]
    assert (np.abs(study["area_m2"] - study["budget_m2"]) <= 7 * 0.5 * 2500 + 1e-6).all()


def test_sweep_row_at_current_settings_equals_the_evaluation(cli_run):
    summary = pd.read_csv(cli_run / "evaluation_summary.csv")
    d = summary[(summary["method"] == "dbscan") & (summary[c.WARD_CODE] == ALL_WARDS)].iloc[0]
    sweep = pd.read_csv(cli_run / "sweep.csv")
    now = Settings(eps_m=60, min_samples=15)  # the evaluated setting: 60 m, a fixed 15
    row = sweep[(sweep["eps_m"] == now.eps_m) & (sweep["min_samples"] == now.min_samples)].iloc[0]
    assert row["pai"] == pytest.approx(d["pai_mean"], rel=1e-5)
    assert row["hit_rate"] == pytest.approx(d["hit_rate_mean"], rel=1e-5)
    assert row["area_share"] == pytest.approx(d["area_share_mean"], rel=1e-5)


def test_cli_bad_options_exit_2(tmp_path, capsys):
    assert main(["evaluate", "--out", str(tmp_path), "--eps-values", "40,abc"]) == 2
    assert "--eps-values: 'abc' is not a number" in capsys.readouterr().err
    assert main(["evaluate", "--out", str(tmp_path), "--min-samples-values", "2.5"]) == 2
    assert "--min-samples-values: '2.5' is not a whole number" in capsys.readouterr().err
    assert main(["evaluate", "--out", str(tmp_path), "--window-months", "9"]) == 2
    assert "needs at least 10 months" in capsys.readouterr().err

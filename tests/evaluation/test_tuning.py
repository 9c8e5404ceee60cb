"""DBSCAN parameter aids: weighted k-distance, knee, red flags and the eps x min_samples sweep."""

from __future__ import annotations

import io
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point
from sklearn.cluster import DBSCAN

from geo import columns as c
from geo.cluster import cluster_incidents, dedupe_points
from geo.errors import ValidationError
from geo.evaluation import (
    SWEEP_COLUMNS,
    chord_knee,
    core_share,
    hotspot_hulls,
    k_distance,
    k_distance_points,
    k_distance_table,
    plot_k_distance,
    plot_sweep,
    prepare,
    red_flags,
    suggest_eps,
    sweep,
)
from geo.hotspots import summarise_hotspots
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

LINE = np.array([[0.0, 0.0], [10.0, 0.0], [20.0, 0.0], [30.0, 0.0], [40.0, 0.0]])


# --- k-distance -----------------------------------------------------------------------------
def test_k_distance_on_a_line_10_m_apart():
    # k counts the point itself: k=1 is always 0
    assert k_distance(LINE, k=1).tolist() == [0, 0, 0, 0, 0]
    # k=2: the nearest other point is 10 m away for every point
    assert k_distance(LINE, k=2).tolist() == [10, 10, 10, 10, 10]
    # k=3: inner points reach two others at 10 m; the end points need the one 20 m away
    assert k_distance(LINE, k=3).tolist() == [10, 10, 10, 20, 20]
    # k=5: the end points need the far end (40 m), the middle point 20 m
    assert k_distance(LINE, k=5).tolist() == [20, 30, 30, 40, 40]
    # k=6: the whole line weighs 5 < 6: never a core point
    assert np.isinf(k_distance(LINE, k=6)).all()


def test_k_distance_counts_weights_like_min_samples():
    xy = np.array([[0.0, 0.0], [10.0, 0.0]])
    # A weighs 3: its own weight reaches k=3 (distance 0); B (1) needs A, 10 m away (1+3=4)
    assert k_distance(xy, [3, 1], k=3).tolist() == [0, 10]
    assert k_distance(xy, [3, 1], k=4).tolist() == [10, 10]
    assert np.isinf(k_distance(xy, [3, 1], k=5)).all()
    # weights may be fractions: 0.5 + 0.5 reaches 1 at 10 m
    assert k_distance(xy, [0.5, 0.5], k=1).tolist() == [10, 10]


def test_identical_coordinates_are_merged_first():
    rows = np.array([[0.0, 0.0], [0.0, 0.0], [10.0, 0.0]])
    # two rows at the origin are one point of weight 2: 0 for k=2; the other point 10 m
    assert k_distance(rows, k=2).tolist() == [0, 10]
    assert k_distance(rows, k=2).tolist() == k_distance(rows[1:], [2, 1], k=2).tolist()
    kd, n = k_distance_points(rows, k=2)
    assert kd.tolist() == [0, 10]
    assert n.tolist() == [2, 1]  # rows at each distinct point


def test_k_distance_stays_inside_each_ward():
    xy = np.array([[990.0, 0.0], [1010.0, 0.0]])
    assert k_distance(xy, k=2).tolist() == [20, 20]
    # in different wards they never see each other
    assert np.isinf(k_distance(xy, k=2, groups=[WEST, EAST])).all()


def test_k_distance_reads_a_geodataframe(two_wards):
    gdf = gpd.GeoDataFrame(
        {c.WEIGHT: [3.0, 1.0, 1.0], c.WARD_CODE: [WEST, WEST, EAST]},
        geometry=[Point(X0 + 990, Y0), Point(X0 + 980, Y0), Point(X0 + 1010, Y0)],
        crs=27700,
    )
    # west: (990) weighs 3 -> 0; (980) 1 + 3 at 10 m; east (1010) alone weighs 1 < 3
    assert k_distance(gdf, k=3).tolist()[:2] == [0, 10]
    assert np.isinf(k_distance(gdf, k=3)[2])
    with pytest.raises(ValidationError, match="projected CRS in metres"):
        k_distance(gdf.to_crs(4326), k=3)


def test_k_distance_rejects_bad_input():
    with pytest.raises(ValidationError, match="'k' option"):
        k_distance(LINE, k=0)
    with pytest.raises(ValidationError, match="positive"):
        k_distance(LINE, [1, 1, 0, 1, 1], k=2)
    with pytest.raises(ValidationError, match="one value per point"):
        k_distance(LINE, [1, 1], k=2)
    with pytest.raises(ValidationError, match="finite"):
        k_distance(np.array([[0.0, np.nan]]), k=1)
    assert k_distance(np.empty((0, 2)), k=3).tolist() == []


@settings(max_examples=60, deadline=None)
@given(
    pts=st.lists(
        st.tuples(st.integers(0, 60), st.integers(0, 60), st.integers(1, 4)),
        min_size=1,
        max_size=40,
    ),
    k=st.integers(1, 12),
    eps=st.integers(1, 40),
)
def test_k_distance_at_most_eps_iff_dbscan_core_point(pts, k, eps):
    xy = np.array([(x, y) for x, y, _ in pts], dtype=float)
    w = np.array([wt for _, _, wt in pts], dtype=float)
    kd, _ = k_distance_points(xy, w, k=k)
    points, pw, _ = dedupe_points(xy, w)  # the same distinct points, in the same order
    model = DBSCAN(eps=eps, min_samples=k).fit(points, sample_weight=pw)
    core = np.zeros(len(points), dtype=bool)
    core[model.core_sample_indices_] = True
    assert ((kd <= eps) == core).all()


# --- knee -----------------------------------------------------------------------------------
KNEE_CURVE = [0, 0, 0, 1, 2, 3, 4, 5, 20, 50]


def test_suggest_eps_hand_case():
    # chord rule by hand: x_i = i / 9, y scaled = y / 50; x - y at
    #   i=5: 0.556 - 0.06 = 0.496, i=6: 0.667 - 0.08 = 0.587, i=7: 0.778 - 0.10 = 0.678,
    #   i=8: 0.889 - 0.40 = 0.489 -> the knee is i=7, y = 5 m
    assert chord_knee(KNEE_CURVE) == 5
    # kneed (the method suggest_eps uses first) finds the same knee
    assert suggest_eps(KNEE_CURVE) == 5
    # order does not matter, infinite values (wards too light for k) are left out
    assert suggest_eps([50, np.inf, *KNEE_CURVE[::-1][1:]]) == 5


def test_suggest_eps_without_a_knee():
    assert math.isnan(suggest_eps([1.0, 2.0]))  # too short
    assert math.isnan(suggest_eps([0.0, 10.0, 20.0, 30.0, 40.0]))  # straight line
    assert math.isnan(chord_knee([0.0, 10.0, 20.0, 30.0]))
    assert suggest_eps([10.0, 10.0, 10.0, 10.0]) == 10  # flat: every point at 10 m
    assert suggest_eps(k_distance(LINE, k=2)) == 10


def test_core_share_and_red_flags_by_hand():
    kd = np.array([0.0, 10.0, 20.0, np.inf])
    assert core_share(kd, 10) == 0.5  # 2 of 4 distinct points
    # weighted by rows: (5 + 1) of (5 + 1 + 1 + 3) = 6 / 10
    assert core_share(kd, 10, counts=[5, 1, 1, 3]) == pytest.approx(0.6)
    assert math.isnan(core_share(np.empty(0), 10))
    assert red_flags(n_hotspots=0, core_share=0.0, largest_share=0.0) == [
        "no hotspots",
        "almost no core points (0 %)",
    ]
    assert red_flags(n_hotspots=5, core_share=0.5, largest_share=0.3) == []
    assert (
        red_flags(
            n_hotspots=5, core_share=0.5, largest_share=0.3, clustered_share=0.49, area_share=0.04
        )
        == []
    )
    assert red_flags(
        n_hotspots=5, core_share=0.5, largest_share=0.3, clustered_share=0.84, area_share=0.29
    ) == [
        "hotspots hold 84 % of incidents: a hotspot map should leave most incidents out",
        "hotspots mark 29 % of the wards' area: a hotspot map should mark a small part of it",
    ]
    assert red_flags(n_hotspots=1, core_share=0.95, largest_share=0.9) == [
        "almost all points are core points (95 %)",
        "one hotspot holds 90 % of a ward's incidents",
    ]


# --- sweep ----------------------------------------------------------------------------------
def test_sweep_hand_case(two_wards):
    # the fixture of test_evaluate: fit Jan-Mar (GROUP 6, LONER 3 in the west ward, 1 east),
    # test April (2 at GROUP, 1 at LONER, 1 east)
    t = sweep(
        local_csv(hand_rows()),
        two_wards,
        UNIT,
        eps_values=[20],
        min_samples_values=[5, 7],
    )
    assert list(t.columns) == list(SWEEP_COLUMNS)
    assert t[["eps_m", "min_samples"]].to_numpy().tolist() == [[20, 5], [20, 7]]
    a = t.iloc[0]
    # min_samples 5: GROUP (weight 6) is one hotspot; 4 of 10 fit incidents are noise
    assert (a["n_folds"], a["n_hotspots"]) == (1, 1)
    assert a["noise_share"] == pytest.approx(0.4)
    # area share = 1950.9 / 2,000,000; hit rate 2 / 4; PAI = 0.5 / 0.000975 = 512.59
    assert a["area_share"] == pytest.approx(SPOT_AREA / 2_000_000)
    assert a["hit_rate"] == 0.5
    assert a["pai"] == pytest.approx(0.5 / (SPOT_AREA / 2_000_000))
    assert a["rri"] == pytest.approx((2 / 6) / (4 / 10))
    # core points: GROUP only (k-distance 0); LONER needs GROUP 672 m away, east weighs 1:
    # 6 of 10 incidents sit on core points
    assert a["core_share"] == pytest.approx(0.6)
    # the hotspot holds 6 of the west ward's 9 fit incidents
    assert a["largest_share"] == pytest.approx(6 / 9)
    # the hotspot holds 6 of the 10 fit incidents: flagged as on the Analyst page's banner
    assert a["red_flags"] == (
        "hotspots hold 60 % of incidents: a hotspot map should leave most incidents out"
    )
    # knee of the only fit window: finite k-distances [0, 672]: too few for a knee
    assert math.isnan(a["knee_eps_m"])
    b = t.iloc[1]
    # min_samples 7: GROUP weighs 6 < 7 and has nothing within 20 m: no hotspot at all
    assert (b["n_hotspots"], b["noise_share"], b["area_share"], b["hit_rate"]) == (0, 1, 0, 0)
    assert math.isnan(b["pai"]) and math.isnan(b["rri"])
    assert b["core_share"] == 0
    assert b["red_flags"] == "no hotspots; almost no core points (0 %)"


def test_sweep_flags_are_those_of_the_run_on_the_map():
    """One source of truth: a swept pair carries every flag :func:`red_flags` knows,
    including the share of incidents in hotspots and of the wards' area they mark."""
    from geo import DataSource, load_source

    raw, wards, _ = load_source(DataSource.shipped())
    t = sweep(raw, wards, Settings(), eps_values=[40, 150], min_samples_values=[10], max_folds=1)
    tight, wide = (str(f).split("; ") for f in t["red_flags"])
    assert tight == [""]
    row = t.iloc[1]
    assert wide == red_flags(
        n_hotspots=row["n_hotspots"],
        core_share=row["core_share"],
        largest_share=row["largest_share"],
        clustered_share=1 - row["noise_share"],
        area_share=row["area_share"],
    )
    assert any(f.startswith("hotspots hold") for f in wide)
    assert any(f.startswith("hotspots mark") for f in wide)


def test_sweep_rejects_bad_values(two_wards):
    raw = local_csv(hand_rows())
    with pytest.raises(ValidationError, match=r"'eps_m' setting must be in \(0, 5000\] m"):
        sweep(raw, two_wards, UNIT, eps_values=[-5, 20], min_samples_values=[5])
    with pytest.raises(ValidationError, match="'min_samples' setting must be a whole number"):
        sweep(raw, two_wards, UNIT, eps_values=[20], min_samples_values=[2.5])  # type: ignore[list-item]
    with pytest.raises(ValidationError, match="at least one"):
        sweep(raw, two_wards, UNIT, eps_values=[], min_samples_values=[5])
    with pytest.raises(ValidationError, match="max_folds"):
        sweep(raw, two_wards, UNIT, eps_values=[20], min_samples_values=[5], max_folds=0)


def test_sweep_plots_render(two_wards):
    t = sweep(
        local_csv(hand_rows()), two_wards, UNIT, eps_values=[10, 20], min_samples_values=[5, 7]
    )
    incidents, _ = prepare(local_csv(hand_rows()), two_wards, UNIT)
    kd = k_distance_table(incidents, k_values=[1, 2])
    assert set(kd["k"]) == {1.0, 2.0}
    # k=1: every point is core at 0 m; 3 distinct points
    assert kd.loc[kd["k"] == 1, "k_distance_m"].tolist() == [0, 0, 0]
    for fig in (plot_sweep(t, current=(20, 5)), plot_k_distance(kd, current_eps_m=20)):
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        assert buf.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"


# --- shipped data ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def shipped_fit():
    raw, wards = shipped_inputs()
    incidents, metric_wards = prepare(raw, wards, Settings())
    fit = incidents[incidents[c.MONTH].isin(["2018-06", "2018-07", "2018-08"])]
    return fit, metric_wards


@pytest.mark.parametrize(("eps_m", "min_samples"), [(80, 20), (40, 5), (150, 10)])
def test_hotspot_hulls_are_the_hotspot_polygons(shipped_fit, eps_m, min_samples):
    fit, wards = shipped_fit
    s = Settings(eps_m=eps_m, min_samples=min_samples)
    clustered = cluster_incidents(fit, s)
    full = summarise_hotspots(clustered, wards, s).sort_values([c.WARD_CODE, c.CLUSTER])
    hulls = hotspot_hulls(clustered, wards, hull_buffer_m=s.hull_buffer_m)
    assert len(hulls) == len(full) > 0
    assert hulls[c.N_INCIDENTS].tolist() == full[c.N_INCIDENTS].tolist()
    assert all(hulls.geometry.geom_equals_exact(full.geometry.reset_index(drop=True), 1e-6))


def test_k_distance_table_on_shipped_data(shipped_fit):
    fit, _ = shipped_fit
    t = k_distance_table(fit, k_values=[20])
    n_points = sum(
        len(dedupe_points(np.column_stack([g.geometry.x, g.geometry.y]), g[c.WEIGHT].to_numpy())[0])
        for _, g in fit.groupby(c.WARD_CODE)
    )
    assert len(t) == n_points
    assert t["k_distance_m"].is_monotonic_increasing
    assert t["share"].iloc[-1] == 1.0
    knee = t["suggested_eps_m"].iloc[0]
    # the knee is a point of the curve
    assert knee in set(t["k_distance_m"])
    assert isinstance(t, pd.DataFrame)

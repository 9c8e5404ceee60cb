"""Exact DBSCAN outcomes and boundary cases."""

from __future__ import annotations

import numpy as np
import pytest

from geo.cluster import dbscan_labels, dedupe_points


def test_point_exactly_eps_away_is_a_neighbour():
    xy = np.array([[0.0, 0.0], [10.0, 0.0]])
    assert list(dbscan_labels(xy, np.ones(2), eps_m=10.0, min_samples=2)) == [0, 0]
    assert list(dbscan_labels(xy, np.ones(2), eps_m=9.999, min_samples=2)) == [-1, -1]


def test_min_samples_counts_the_point_itself_and_weights():
    xy = np.array([[0.0, 0.0]])
    assert list(dbscan_labels(xy, np.array([3.0]), eps_m=1, min_samples=3)) == [0]
    assert list(dbscan_labels(xy, np.array([2.0]), eps_m=1, min_samples=3)) == [-1]


def test_border_point_joins_cluster_but_is_not_core():
    # a core at 0 (weight 3) and a lone point 10 m away: border, same cluster
    xy = np.array([[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [10.0, 0.0], [25.0, 0.0]])
    labels = dbscan_labels(xy, np.ones(5), eps_m=10, min_samples=3)
    assert list(labels) == [0, 0, 0, 0, -1]


def test_dedupe_merges_identical_coordinates():
    xy = np.array([[5.0, 1.0], [0.0, 0.0], [5.0, 1.0]])
    pts, w, inv = dedupe_points(xy, np.array([1.0, 2.0, 3.0]))
    assert pts.tolist() == [[0.0, 0.0], [5.0, 1.0]]
    assert w.tolist() == [2.0, 4.0]
    assert inv.tolist() == [1, 0, 1]


def test_labels_do_not_depend_on_row_order():
    rng = np.random.default_rng(7)
    xy = rng.integers(0, 20, size=(200, 2)).astype(float) * 5
    a = dbscan_labels(xy, np.ones(200), eps_m=7, min_samples=5)
    perm = rng.permutation(200)
    b = dbscan_labels(xy[perm], np.ones(200), eps_m=7, min_samples=5)
    assert np.array_equal(a[perm], b)


def test_empty_input():
    assert dbscan_labels(np.empty((0, 2)), np.empty(0), eps_m=5, min_samples=2).shape == (0,)


@pytest.mark.parametrize("eps", [0.0, -5.0])
def test_bad_eps_is_refused_by_settings(eps):
    from geo.errors import ValidationError
    from geo.settings import Settings

    with pytest.raises(ValidationError, match=r"The 'eps_m' setting must be in \(0, 5000\] m"):
        Settings(eps_m=eps)


# --- min_samples per month: the months clustered ------------------------------------------
def _months_case() -> tuple[object, object]:
    """Five unit-weight incidents at one map point in 2018-06 and one 2 km away in 2018-08."""
    from tests.helpers import X0, Y0, local_csv, make_two_wards

    rows = [
        dict(id=f"g{i}", date="2018-06-01", category="asb", easting=X0 + 300, northing=Y0 + 300)
        for i in range(5)
    ]
    rows.append(
        dict(id="late", date="2018-08-15", category="asb", easting=X0 + 1500, northing=Y0 + 500)
    )
    return local_csv(rows), make_two_wards()


def test_months_clustered_spans_the_data_or_the_filter_within_it():
    from geo.cluster import months_clustered
    from geo.prepare import prepare_incidents
    from tests.helpers import unit_settings

    raw, wards = _months_case()
    s = unit_settings(eps_m=20, min_samples=5).replace(min_samples_per_month=2.0)
    whole = prepare_incidents(raw, wards, s)
    assert whole.data_months == ("2018-06", "2018-08")
    assert whole.months_clustered == months_clustered(whole.incidents) == 3  # gap included
    # a filter reaching far outside the data is clipped to the data's months
    wide = prepare_incidents(raw, wards, s.replace(since="2010-01", until="2030-12"))
    assert wide.months_clustered == 3
    # a filter inside the data counts its own months, even where a month has no incident
    june_july = prepare_incidents(raw, wards, s.replace(since="2018-06", until="2018-07"))
    assert months_clustered(june_july.incidents) == 1
    assert june_july.months_clustered == 2
    assert prepare_incidents(raw, wards, s.replace(since="2019-01")).months_clustered == 1


def test_rate_times_months_decides_the_hotspot():
    from geo.pipeline import cluster_prepared
    from geo.prepare import prepare_incidents
    from tests.helpers import unit_settings

    raw, wards = _months_case()
    base = unit_settings(eps_m=20, min_samples=5)
    june = prepare_incidents(raw, wards, base.replace(since="2018-06", until="2018-06"))
    whole = prepare_incidents(raw, wards, base)
    # 5 incidents: a hotspot in 1 month at 2.0 a month (min_samples 3 by the floor)...
    rate = base.replace(min_samples_per_month=2.0)
    assert (
        cluster_prepared(june, rate.replace(since="2018-06", until="2018-06")).counts.hotspots == 1
    )
    # ...and over 3 months (min_samples 6) the same 5 are not
    assert cluster_prepared(whole, rate).counts.hotspots == 0
    # a fixed count ignores the months
    assert cluster_prepared(whole, base).counts.hotspots == 1


def test_cluster_incidents_scales_by_the_months_given():
    from geo.cluster import cluster_incidents
    from geo.prepare import prepare_incidents
    from tests.helpers import unit_settings

    raw, wards = _months_case()
    s = unit_settings(eps_m=20, min_samples=5).replace(min_samples_per_month=2.0)
    inc = prepare_incidents(raw, wards, s).incidents
    assert (cluster_incidents(inc, s, months=2)["cluster"] >= 0).sum() == 5  # needs 4
    assert (cluster_incidents(inc, s, months=3)["cluster"] >= 0).sum() == 0  # needs 6
    assert (cluster_incidents(inc, s)["cluster"] >= 0).sum() == 0  # the data's 3 months


# --- on the shipped data ------------------------------------------------------------------
@pytest.fixture(scope="module")
def shipped_source():
    from tests.helpers import shipped_inputs

    return shipped_inputs()


def _hotspots(source, months: int, **changes) -> int:
    from geo.pipeline import run_pipeline
    from geo.settings import Settings
    from geo.settings_edits import window_settings

    s = window_settings(Settings(**changes), last_month="2018-11", months=months)
    return run_pipeline(source[0], source[1], s).counts.hotspots


def test_shipped_windows_at_the_default_rate(shipped_source):
    counts = {m: _hotspots(shipped_source, m) for m in (1, 3, 6, 12)}
    assert counts == {1: 16, 3: 16, 6: 13, 12: 16}
    # 1, 3, 6 and 12 months (4 by the floor, 10, 20 and 30 weighted incidents) find
    # comparable hotspots
    assert max(counts.values()) / min(counts.values()) < 2
    # without the floor of 4 the 1-month view (3, the rate rounded: one drugs incident at a
    # map point) finds more than twice as many
    assert _hotspots(shipped_source, 1, min_samples=3) == 42
    # a fixed count leaves the 1-month view nearly empty
    fixed = {m: _hotspots(shipped_source, m, eps_m=60, min_samples=15) for m in (1, 3)}
    assert fixed == {1: 2, 3: 9}


def test_shipped_default_rate_gives_the_hotspots_of_a_fixed_30_on_9_months(shipped_source):
    from geopandas.testing import assert_geodataframe_equal

    from geo.pipeline import run_pipeline
    from geo.settings import Settings

    raw, wards = shipped_source
    rate = run_pipeline(raw, wards, Settings())
    fixed = run_pipeline(raw, wards, Settings(min_samples=30))
    assert rate.counts.hotspots == 16
    assert (rate.hotspots["kind"] == "single location").sum() == 13
    assert_geodataframe_equal(rate.hotspots, fixed.hotspots)


def test_a_fixed_count_needs_no_month_column_but_a_rate_does():
    import geopandas as gpd

    from geo.cluster import cluster_incidents
    from geo.errors import ValidationError
    from geo.settings import Settings

    inc = gpd.GeoDataFrame(
        {"ward_code": ["W"] * 3, "weight": [1.0] * 3},
        geometry=gpd.points_from_xy([0.0, 1.0, 2.0], [0.0, 0.0, 0.0]),
        crs="EPSG:27700",
    )
    fixed = cluster_incidents(inc, Settings(eps_m=5, min_samples=3))
    assert fixed["cluster"].tolist() == [0, 0, 0]
    with pytest.raises(ValidationError, match="lack the 'month' column"):
        cluster_incidents(inc, Settings(eps_m=5))
    rate = cluster_incidents(inc, Settings(eps_m=5, min_samples_per_month=1.0), months=4)
    assert rate["cluster"].tolist() == [-1, -1, -1]  # needs 4

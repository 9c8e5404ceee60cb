"""Preparing incidents once and clustering many times gives exactly what run_pipeline gives."""

from __future__ import annotations

import dataclasses
import functools
import weakref

import geopandas as gpd
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo import columns as c
from geo.categories import Category
from geo.pipeline import cluster_prepared, run_pipeline
from geo.prepare import (
    CLUSTERING_FIELDS,
    VIEW_FIELDS,
    Prepared,
    preparation_settings,
    prepare_incidents,
)
from geo.result import PipelineResult
from geo.settings import Settings, WardOverride
from geo.validate import ACCEPTED_COLUMNS
from tests.helpers import (
    EAST,
    WEST,
    X0,
    Y0,
    group_rows,
    local_csv,
    make_two_wards,
    shipped_inputs,
    unit_settings,
)

UNIT = unit_settings(eps_m=20, min_samples=5)
BLACKBIRD_LEYS, COWLEY = "E05006546", "E05006549"
FRAMES = ("wards", "incidents", "invalid", "outside_wards", "filtered_out")


def assert_same_result(got: PipelineResult, want: PipelineResult) -> None:
    assert_geodataframe_equal(got.hotspots, want.hotspots)
    assert_geodataframe_equal(got.incidents, want.incidents)
    assert_geodataframe_equal(got.wards, want.wards)
    pd.testing.assert_frame_equal(got.rejected, want.rejected)
    assert got.counts == want.counts
    assert got.settings == want.settings
    assert got.crs == want.crs
    assert got.notes == want.notes
    assert got.inputs == want.inputs


def snapshot(p: Prepared) -> dict[str, pd.DataFrame]:
    return {name: getattr(p, name).copy(deep=True) for name in FRAMES}


def assert_unchanged(p: Prepared, before: dict[str, pd.DataFrame]) -> None:
    for name in FRAMES:
        frame, old = getattr(p, name), before[name]
        if isinstance(old, gpd.GeoDataFrame):
            assert_geodataframe_equal(frame, old)
        else:
            pd.testing.assert_frame_equal(frame, old)
        assert frame.attrs == old.attrs


def small_rows() -> list[dict[str, object]]:
    """group_rows (5 in a group, 3 noise, 1 outside), a bad date, a month after 2018-08, one
    more drugs incident 10 m from the group, one asb 20 m from n2 and an unknown category."""
    return [
        *group_rows(),
        dict(id="bad", date="not a date", category="asb", easting=X0 + 100, northing=Y0 + 100),
        dict(id="late", date="2018-09-01", category="asb", easting=X0 + 305, northing=Y0 + 305),
        dict(id="dup1", date="2018-07-01", category="drugs", easting=X0 + 310, northing=Y0 + 320),
        dict(id="e1", date="2018-08-01", category="asb", easting=X0 + 1500, northing=Y0 + 520),
        dict(id="nd", date="2018-07-01", category="Needle", easting=X0 + 700, northing=Y0 + 200),
    ]


SMALL = UNIT.replace(until="2018-08")


@functools.cache
def small_prepared() -> Prepared:
    return prepare_incidents(local_csv(small_rows()), make_two_wards(), SMALL)


# --- the shipped data ------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    return shipped_inputs()


@pytest.fixture(scope="module")
def shipped_prepared(shipped) -> Prepared:
    raw, wards = shipped
    return prepare_incidents(raw, wards, Settings())


SHIPPED_RUNS = [
    Settings(),
    Settings(eps_m=100, min_samples=8, hull_buffer_m=40),
    Settings(
        eps_m=40,
        min_samples=20,
        trend_months=2,
        ward_overrides={
            BLACKBIRD_LEYS: WardOverride(eps_m=80, min_samples=10),
            COWLEY: WardOverride(min_samples=5),
        },
    ),
]


@pytest.mark.parametrize("run", SHIPPED_RUNS, ids=["defaults", "eps100-ms8", "eps40-ms20-override"])
def test_split_equals_run_pipeline_on_shipped_data(shipped, shipped_prepared, run):
    raw, wards = shipped
    raw_before = raw.copy(deep=True)
    got = cluster_prepared(shipped_prepared, run)
    want = run_pipeline(raw, wards, run)
    assert_same_result(got, want)
    pd.testing.assert_frame_equal(raw, raw_before)  # the raw rows are never changed
    assert got.counts.rows_read == 3707
    assert got.counts.outside_wards == 10


def test_shipped_runs_differ_and_the_override_acts_only_on_its_wards(shipped_prepared):
    results = [cluster_prepared(shipped_prepared, s) for s in SHIPPED_RUNS]
    assert [r.counts.hotspots for r in results] == [16, 104, 75]
    no_override = cluster_prepared(shipped_prepared, SHIPPED_RUNS[2].replace(ward_overrides={}))
    by_ward = no_override.hotspots.groupby(c.WARD_CODE).size()
    with_override = results[2].hotspots.groupby(c.WARD_CODE).size()
    assert (by_ward[BLACKBIRD_LEYS], by_ward[COWLEY]) == (7, 9)
    assert (with_override[BLACKBIRD_LEYS], with_override[COWLEY]) == (26, 29)
    others = [w for w in by_ward.index if w not in (BLACKBIRD_LEYS, COWLEY)]
    pd.testing.assert_series_equal(by_ward[others], with_override[others])


@pytest.mark.parametrize("eps_m, min_samples", [(60.0, 15), (90.0, 10)])
def test_split_equals_run_pipeline_with_filters(shipped, eps_m, min_samples):
    raw, wards = shipped
    filters = Settings(since="2018-06", include=("asb", "drugs", "violence"))
    prepared = prepare_incidents(raw, wards, filters)
    run = filters.replace(eps_m=eps_m, min_samples=min_samples)
    got = cluster_prepared(prepared, run)
    assert_same_result(got, run_pipeline(raw, wards, run))
    assert (got.counts.filtered, got.counts.outside_wards) == (2567, 3)
    assert len(prepared.filtered_out) == 2567


# --- prepared values are shared, never changed --------------------------------------------


def test_clustering_twice_leaves_prepared_unchanged(shipped):
    raw, wards = shipped
    prepared = prepare_incidents(raw, wards, Settings(), inputs={"boundaries": "w.geojson"})
    before = snapshot(prepared)
    first = cluster_prepared(prepared, Settings(eps_m=60))
    assert_unchanged(prepared, before)
    second = cluster_prepared(prepared, Settings(eps_m=120))
    assert_unchanged(prepared, before)
    assert first.counts.hotspots != second.counts.hotspots
    want = run_pipeline(raw, wards, Settings(eps_m=120), inputs={"boundaries": "w.geojson"})
    assert_same_result(second, want)
    # nothing in a result is shared with the prepared value: changing it changes only it
    second.wards["extra"] = 1
    second.wards.loc[0, c.WARD_NAME] = "changed"
    second.incidents.loc[0, c.WARD_NAME] = "changed"
    second.rejected.loc[0, c.REASON] = "changed"
    second.notes.append("changed")
    second.inputs["boundaries"] = "changed"
    assert_unchanged(prepared, before)
    assert prepared.notes == ()
    assert dict(prepared.inputs) == {"boundaries": "w.geojson"}
    assert prepared.settings == Settings()


def test_prepared_columns_and_reconciliation():
    p = small_prepared()
    assert list(p.incidents.columns) == [
        *ACCEPTED_COLUMNS,
        c.X_M,
        c.Y_M,
        "geometry",
        c.WARD_CODE,
        c.WARD_NAME,
    ]
    # the metre columns are the points' coordinates
    assert p.incidents[c.X_M].tolist() == p.incidents.geometry.x.tolist()
    assert p.incidents[c.Y_M].tolist() == p.incidents.geometry.y.tolist()
    assert p.incidents.crs == p.wards.crs == p.crs == "EPSG:27700"
    assert list(p.wards[c.WARD_CODE]) == [WEST, EAST]
    assert p.rows_read == 14
    assert list(p.invalid[c.ROW]) == [11, 15]  # "bad" and "nd": header is row 1
    assert list(p.invalid[c.REASON]) == [
        "date 'not a date' is not a valid date",
        "unknown category 'Needle'",
    ]
    assert list(p.filtered_out[c.ROW]) == [12]  # "late": after until 2018-08
    assert list(p.outside_wards[c.ROW]) == [10]
    assert list(p.invalid[c.STAGE]) == ["invalid", "invalid"]
    assert list(p.filtered_out[c.STAGE]) == ["filtered"]
    assert list(p.outside_wards[c.STAGE]) == ["outside_wards"]
    assert len(p.incidents) == 10
    with pytest.raises(AssertionError, match="do not reconcile"):
        dataclasses.replace(p, rows_read=12)


# --- which settings belong to which stage --------------------------------------------------


def test_preparation_settings_resets_exactly_the_clustering_fields():
    s = Settings(
        eps_m=100,
        min_samples=3,
        hull_buffer_m=50,
        trend_months=6,
        ward_overrides={WEST: WardOverride(eps_m=5)},
        since="2018-05",
        include=("asb",),
    )
    assert preparation_settings(s) == Settings(since="2018-05", include=("asb",))
    assert preparation_settings(preparation_settings(s)) == preparation_settings(s)
    assert preparation_settings(UNIT) == UNIT.replace(eps_m=40.0, min_samples_per_month=3.33)
    assert preparation_settings(UNIT.replace(public_min_count=9)) == preparation_settings(UNIT)


CLUSTERING_CHANGES = {
    "eps_m": 5.0,
    "min_samples": 2,
    "min_samples_per_month": 10.0,
    "ward_overrides": {WEST: WardOverride(eps_m=5, min_samples=1)},
    "hull_buffer_m": 80.0,
    "trend_months": 1,
}
PREPARATION_CHANGES = {
    "since": "2018-07",
    "until": "2018-06",
    "include": ("drugs",),
    "categories": {**UNIT.categories, "asb": Category("Anti-social behaviour", 2.0, "asb")},
    "aliases": {**UNIT.aliases, "needle": "needle_find"},
}


def test_every_settings_field_belongs_to_one_stage():
    fields = {f.name for f in dataclasses.fields(Settings)}
    assert set(CLUSTERING_FIELDS) == set(CLUSTERING_CHANGES)
    assert fields == set(CLUSTERING_CHANGES) | set(PREPARATION_CHANGES) | set(VIEW_FIELDS)


def test_view_fields_change_neither_preparation_nor_clustering():
    changed = SMALL.replace(public_min_count=40)
    p = prepare_incidents(local_csv(small_rows()), make_two_wards(), changed)
    assert_unchanged(p, snapshot(small_prepared()))
    a = cluster_prepared(small_prepared(), SMALL)
    b = cluster_prepared(small_prepared(), changed)
    assert_geodataframe_equal(a.hotspots, b.hotspots)


@pytest.mark.parametrize("name", sorted(CLUSTERING_CHANGES))
def test_clustering_fields_do_not_change_preparation(name):
    changed = SMALL.replace(**{name: CLUSTERING_CHANGES[name]})
    p = prepare_incidents(local_csv(small_rows()), make_two_wards(), changed)
    assert_unchanged(p, snapshot(small_prepared()))
    # and the clustering does read it: the hotspots change
    a = cluster_prepared(small_prepared(), SMALL)
    b = cluster_prepared(small_prepared(), changed)
    assert not a.hotspots.equals(b.hotspots)


@pytest.mark.parametrize("name", sorted(PREPARATION_CHANGES))
def test_preparation_fields_change_preparation_and_refuse_clustering(name):
    changed = SMALL.replace(**{name: PREPARATION_CHANGES[name]})
    p = prepare_incidents(local_csv(small_rows()), make_two_wards(), changed)
    kept = small_prepared()
    assert not (
        p.incidents[[c.INCIDENT_ID, c.CATEGORY, c.WEIGHT]].equals(
            kept.incidents[[c.INCIDENT_ID, c.CATEGORY, c.WEIGHT]]
        )
    )
    with pytest.raises(ValueError, match=rf"prepared with in {name}; prepare the incidents again"):
        cluster_prepared(kept, changed)


def test_mismatch_message_names_every_differing_field():
    with pytest.raises(ValueError) as err:
        cluster_prepared(small_prepared(), SMALL.replace(since="2018-06", include=("asb",)))
    assert str(err.value) == (
        "The settings differ from those the incidents were prepared with in since, include; "
        "prepare the incidents again with these settings (only eps_m, min_samples, "
        "min_samples_per_month, ward_overrides, hull_buffer_m, trend_months can change "
        "between clustering runs)."
    )
    # SMALL has until=2018-08: plain UNIT differs in until only
    with pytest.raises(ValueError, match="prepared with in until;"):
        cluster_prepared(small_prepared(), UNIT)


def test_default_settings_are_the_prepared_ones():
    p = prepare_incidents(local_csv(small_rows()), make_two_wards(), SMALL.replace(eps_m=30))
    r = cluster_prepared(p)
    assert r.settings == SMALL.replace(eps_m=30)
    assert_same_result(
        r, run_pipeline(local_csv(small_rows()), make_two_wards(), SMALL.replace(eps_m=30))
    )


# --- progress and memory --------------------------------------------------------------------

PREPARE_STEPS = [
    ("Checking ward boundaries", 0.05),
    ("Checking incident rows", 0.15),
    ("Projecting to metres", 0.3),
    ("Assigning wards", 0.4),
]
CLUSTER_STEPS = [
    ("Clustering incidents", 0.45),
    (f"Clustering ward {EAST}", 0.9),  # both wards share eps_m/min_samples: one DBSCAN call
    ("Summarising hotspots", 0.92),
    ("Done", 1.0),
]


def test_progress_fractions_split_at_045():
    seen: list[tuple[str, float]] = []
    run_pipeline(
        local_csv(small_rows()), make_two_wards(), SMALL, progress=lambda m, f: seen.append((m, f))
    )
    assert seen == PREPARE_STEPS + CLUSTER_STEPS
    seen.clear()
    p = prepare_incidents(
        local_csv(small_rows()), make_two_wards(), SMALL, progress=lambda m, f: seen.append((m, f))
    )
    assert seen == PREPARE_STEPS
    seen.clear()
    cluster_prepared(p, progress=lambda m, f: seen.append((m, f)))
    assert seen == CLUSTER_STEPS


def _freed_at(call, first: object, make_ref) -> dict[str, bool]:
    """Whether ``make_ref(first)`` was freed at each step of ``call``, which is handed the
    only reference to ``first`` (in a list, to pop straight into the function under test)."""
    held = [first]
    ref = weakref.ref(make_ref(first))
    del first
    freed: dict[str, bool] = {}
    call(held, lambda m, _f: freed.setdefault(m, ref() is None))
    return freed


def test_raw_rows_are_freed_once_validated():
    for call in (
        lambda held, pr: prepare_incidents(held.pop(), make_two_wards(), SMALL, progress=pr),
        lambda held, pr: run_pipeline(held.pop(), make_two_wards(), SMALL, progress=pr),
    ):
        freed = _freed_at(call, local_csv(small_rows()), lambda raw: raw)
        assert freed["Checking incident rows"] is False
        assert freed["Projecting to metres"] is True


def test_prepared_incidents_are_freed_after_clustering_only_when_handed_over():
    freed = _freed_at(
        lambda held, pr: cluster_prepared(held.pop(), progress=pr),
        prepare_incidents(local_csv(small_rows()), make_two_wards(), SMALL),
        lambda p: p.incidents,
    )
    assert freed["Clustering incidents"] is False
    assert freed["Summarising hotspots"] is True
    kept = small_prepared()
    cluster_prepared(kept)
    assert len(kept.incidents) == 10


# --- property ----------------------------------------------------------------------------------


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    eps_m=st.floats(1.0, 800.0, allow_nan=False),
    min_samples=st.integers(1, 8),
    west_eps_m=st.none() | st.floats(1.0, 800.0, allow_nan=False),
    hull_buffer_m=st.floats(1.0, 100.0, allow_nan=False),
    trend_months=st.integers(1, 3),
)
def test_prepared_then_clustered_equals_run_pipeline(
    eps_m, min_samples, west_eps_m, hull_buffer_m, trend_months
):
    overrides = {} if west_eps_m is None else {WEST: WardOverride(eps_m=west_eps_m)}
    s = SMALL.replace(
        eps_m=eps_m,
        min_samples=min_samples,
        ward_overrides=overrides,
        hull_buffer_m=hull_buffer_m,
        trend_months=trend_months,
    )
    before = snapshot(small_prepared())
    got = cluster_prepared(small_prepared(), s)
    assert_same_result(got, run_pipeline(local_csv(small_rows()), make_two_wards(), s))
    assert_unchanged(small_prepared(), before)

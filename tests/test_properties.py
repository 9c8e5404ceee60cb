"""Hypothesis properties of the pipeline, named after the invariant they protect."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.cluster import DBSCAN

from geo import columns as c
from geo.cluster import dbscan_labels
from geo.io import read_incident_csv
from geo.pipeline import run_pipeline
from geo.settings import Settings
from geo.validate import validate_incidents
from tests.helpers import EAST, WEST, X0, Y0, local_csv, make_two_wards, unit_settings

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
UNIT = unit_settings(eps_m=60, min_samples=3)

# integer metre offsets inside (and a little outside) the two 1 km wards, on a coarse lattice
# so that duplicates (shared snap points) are common
coords = st.tuples(
    st.integers(-5, 45).map(lambda v: v * 50), st.integers(0, 20).map(lambda v: v * 50)
)
point_lists = st.lists(coords, min_size=1, max_size=60)


def rows_from(points: list[tuple[int, int]], cats: list[str] | None = None) -> list[dict]:
    cats = cats or ["asb"] * len(points)
    return [
        dict(
            id=f"i{i}",
            date=f"2018-0{3 + i % 6}-01",
            category=cat,
            easting=X0 + dx,
            northing=Y0 + dy,
        )
        for i, ((dx, dy), cat) in enumerate(zip(points, cats, strict=True))
    ]


def partition(labels: np.ndarray) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for i, lab in enumerate(labels):
        if lab >= 0:
            groups.setdefault(int(lab), set()).add(i)
    return {frozenset(g) for g in groups.values()}


cells = st.text(alphabet='0123456789.-ab ,"', max_size=8)


@FAST
@given(st.lists(st.tuples(cells, cells, cells, cells, cells), max_size=30))
def test_validation_reconciles(rows):
    lines = ["id,date,category,longitude,latitude"]
    for r in rows:
        lines.append(",".join('"' + v.replace('"', '""') + '"' for v in r))
    raw = read_incident_csv(("fuzz.csv", ("\n".join(lines) + "\n").encode()))
    checked = validate_incidents(raw, Settings())
    assert len(raw) == len(rows)
    assert len(checked.accepted) + len(checked.rejected) == len(raw)
    assert set(checked.rejected[c.ROW]).isdisjoint(set(checked.accepted[c.ROW]))


@FAST
@given(point_lists)
def test_rows_reconcile_through_the_whole_pipeline(points):
    r = run_pipeline(local_csv(rows_from(points)), make_two_wards(), UNIT)
    k = r.counts
    assert k.rows_read == len(points) == k.accepted + k.rejected
    assert k.accepted == k.clustered + k.noise == len(r.incidents)
    assert k.outside_wards == sum(1 for dx, _ in points if dx < 0 or dx > 2000)


@FAST
@given(point_lists)
def test_no_hotspot_spans_two_wards(points):
    r = run_pipeline(local_csv(rows_from(points)), make_two_wards(), UNIT)
    members = r.incidents[r.incidents[c.HOTSPOT_ID] != ""]
    wards_per_hotspot = members.groupby(c.HOTSPOT_ID)[c.WARD_CODE].nunique()
    assert (wards_per_hotspot == 1).all()
    ward_geom = r.wards.set_index(c.WARD_CODE).geometry
    for code, poly in zip(r.hotspots[c.WARD_CODE], r.hotspots.geometry, strict=True):
        assert ward_geom[code].buffer(1e-6).covers(poly)
        assert code in (WEST, EAST)


@FAST
@given(point_lists)
def test_hull_covers_its_members(points):
    r = run_pipeline(local_csv(rows_from(points)), make_two_wards(), UNIT)
    polys = r.hotspots.set_index(c.HOTSPOT_ID).geometry
    members = r.incidents[r.incidents[c.HOTSPOT_ID] != ""]
    for hid, pt in zip(members[c.HOTSPOT_ID], members.geometry, strict=True):
        assert polys[hid].buffer(1e-6).covers(pt)
    counts = members.groupby(c.HOTSPOT_ID).size()
    assert dict(counts) == dict(
        zip(r.hotspots[c.HOTSPOT_ID], r.hotspots[c.N_INCIDENTS], strict=True)
    )


@FAST
@given(point_lists, st.randoms(use_true_random=False))
def test_same_input_any_row_order_gives_same_hotspot_ids(points, rnd):
    rows = rows_from(points)
    a = run_pipeline(local_csv(rows), make_two_wards(), UNIT)
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    b = run_pipeline(local_csv(shuffled), make_two_wards(), UNIT)
    cols = [c.HOTSPOT_ID, c.N_INCIDENTS, c.SCORE, c.RANK]
    pd.testing.assert_frame_equal(a.hotspots[cols], b.hotspots[cols])
    ida = dict(zip(a.incidents[c.INCIDENT_ID], a.incidents[c.HOTSPOT_ID], strict=True))
    idb = dict(zip(b.incidents[c.INCIDENT_ID], b.incidents[c.HOTSPOT_ID], strict=True))
    assert ida == idb


@FAST
@given(
    st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), min_size=1, max_size=40),
    st.lists(st.integers(1, 4), min_size=40, max_size=40),
    st.integers(-10_000, 10_000),
    st.integers(-10_000, 10_000),
)
def test_weights_equal_repetition_and_translation(points, reps, dx, dy):
    # distinct points on a 10 m lattice, each repeated reps[i] times as separate rows
    uniq = sorted(set(points))
    xy = np.array([p for p, r in zip(uniq, reps, strict=False) for _ in range(r)], float) * 10
    eps, ms = 15.0, 4
    ours = dbscan_labels(xy, np.ones(len(xy)), eps_m=eps, min_samples=ms)
    plain = DBSCAN(eps=eps, min_samples=ms).fit(xy)
    core = np.zeros(len(xy), bool)
    core[plain.core_sample_indices_] = True
    # same core points, same partition of core points, same noise
    assert partition(np.where(core, ours, -1)) == partition(np.where(core, plain.labels_, -1))
    assert set(np.flatnonzero(ours < 0)) == set(np.flatnonzero(plain.labels_ < 0))
    moved = dbscan_labels(
        xy + np.array([dx * 10, dy * 10]), np.ones(len(xy)), eps_m=eps, min_samples=ms
    )
    assert partition(moved) == partition(ours)

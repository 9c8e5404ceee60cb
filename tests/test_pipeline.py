"""The pipeline end to end on tiny hand-made data, where every outcome is known."""

from __future__ import annotations

import pytest

from geo import columns as c
from geo.pipeline import run_pipeline
from geo.settings import Settings
from tests.helpers import EAST, WEST, group_rows, local_csv, unit_settings

UNIT = unit_settings(eps_m=20, min_samples=5)


def test_tight_group_is_one_hotspot_and_counts_reconcile(two_wards):
    raw = local_csv(group_rows())
    r = run_pipeline(raw, two_wards, UNIT)
    assert r.counts.rows_read == 9
    assert r.counts.outside_wards == 1
    assert r.counts.invalid == 0
    assert r.counts.clustered == 5
    assert r.counts.noise == 3
    assert r.counts.rows_read == r.counts.accepted + r.counts.rejected
    assert len(r.hotspots) == 1
    h = r.hotspots.iloc[0]
    assert h[c.HOTSPOT_ID] == f"{WEST}-01"
    assert h[c.WARD_NAME] == "West"
    assert h[c.N_INCIDENTS] == 5
    assert h[c.N_LOCATIONS] == 5
    assert h[c.KIND] == "area"
    assert h[c.CATEGORIES] == "Drugs 5"
    assert h["n_drugs"] == 5
    assert h[c.FIRST_MONTH] == h[c.LAST_MONTH] == "2018-06"
    rej = r.rejected
    assert list(rej[c.STAGE]) == ["outside_wards"]
    assert list(rej[c.ROW]) == [10]  # spreadsheet row: header is row 1


def test_point_on_shared_edge_goes_to_lowest_ward_code(two_wards):
    r = run_pipeline(local_csv(group_rows()), two_wards, UNIT)
    edge = r.incidents[r.incidents[c.INCIDENT_ID] == "edge"]
    assert list(edge[c.WARD_CODE]) == [WEST]
    other = r.incidents[r.incidents[c.INCIDENT_ID] == "n2"]
    assert list(other[c.WARD_CODE]) == [EAST]


def test_hotspot_polygon_covers_members_and_stays_in_ward(two_wards):
    r = run_pipeline(local_csv(group_rows()), two_wards, UNIT)
    poly = r.hotspots.geometry.iloc[0]
    members = r.incidents[r.incidents[c.HOTSPOT_ID] == r.hotspots[c.HOTSPOT_ID].iloc[0]]
    assert len(members) == 5
    assert all(poly.covers(p) for p in members.geometry)
    ward = two_wards.set_index(c.WARD_CODE).geometry[WEST]
    assert ward.buffer(1e-6).covers(poly)
    # hull of a 10 m square buffered by 25 m: (10+50)^2 minus rounded corners
    assert 3000 < poly.area < 60 * 60


def test_min_samples_above_group_size_gives_no_hotspot(two_wards):
    r = run_pipeline(local_csv(group_rows()), two_wards, UNIT.replace(min_samples=6))
    assert len(r.hotspots) == 0
    assert r.counts.clustered == 0
    assert r.counts.noise == 8
    assert r.hotspots.crs == two_wards.crs
    assert c.HOTSPOT_ID in r.hotspots.columns


def test_category_weights_count_towards_min_samples(two_wards):
    # default weights: drugs = 3, so three drugs incidents at one point reach min_samples 9
    rows = [
        dict(id=f"d{i}", date="2018-06-01", category="drugs", easting=450500, northing=200500)
        for i in range(3)
    ]
    r = run_pipeline(local_csv(rows), two_wards, Settings(eps_m=10, min_samples=9))
    assert len(r.hotspots) == 1
    assert r.hotspots[c.SCORE].iloc[0] == 9.0
    assert r.hotspots[c.KIND].iloc[0] == "single location"
    r2 = run_pipeline(local_csv(rows), two_wards, Settings(eps_m=10, min_samples=10))
    assert len(r2.hotspots) == 0


def test_filters_are_reported_not_lost(two_wards):
    r = run_pipeline(local_csv(group_rows()), two_wards, UNIT.replace(since="2018-07"))
    assert r.counts.filtered == 5
    assert r.counts.rows_read == r.counts.accepted + r.counts.rejected
    reasons = set(r.rejected.loc[r.rejected[c.STAGE] == "filtered", c.REASON])
    assert reasons == {"before the chosen months (since 2018-07)"}
    r2 = run_pipeline(local_csv(group_rows()), two_wards, UNIT.replace(include=("asb",)))
    assert r2.counts.filtered == 5
    assert set(r2.rejected.loc[r2.rejected[c.STAGE] == "filtered", c.REASON]) == {
        "category not chosen"
    }


@pytest.mark.parametrize("ward_eps, expected", [(20, 1), (5, 0)])
def test_ward_override_changes_only_that_ward(two_wards, ward_eps, expected):
    from geo.settings import WardOverride

    s = UNIT.replace(ward_overrides={WEST: WardOverride(eps_m=ward_eps)})
    r = run_pipeline(local_csv(group_rows()), two_wards, s)
    assert len(r.hotspots) == expected


def test_group_straddling_ward_edge_is_not_joined_across_it(two_wards):
    # three incidents each side of x = 451000, all within 20 m: DBSCAN over both wards would
    # find one cluster of 6; inside each ward there are only 3 (< min_samples 5), so none.
    rows = [
        dict(id=f"s{i}", date="2018-06-01", category="asb", easting=451000 + dx, northing=200500)
        for i, dx in enumerate([-15, -10, -5, 5, 10, 15])
    ]
    r = run_pipeline(local_csv(rows), two_wards, UNIT)
    assert sorted(r.incidents[c.WARD_CODE]) == [WEST] * 3 + [EAST] * 3
    assert len(r.hotspots) == 0
    assert r.counts.noise == 6
    r2 = run_pipeline(local_csv(rows), two_wards, UNIT.replace(min_samples=3))
    assert sorted(r2.hotspots[c.HOTSPOT_ID]) == [f"{WEST}-01", f"{EAST}-01"]


def test_counts_sentence_says_row_for_one_row():
    from geo.result import Counts

    one = Counts(
        rows_read=1, invalid=1, outside_wards=0, filtered=0, clustered=0, noise=0, hotspots=0
    )
    assert one.sentence().startswith("1 row read = 0 used + 1 set aside (1 invalid, ")

"""The fast paths give what the plain computations give: hulls, trends, categories, projection."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

from geo import columns as c
from geo.hotspots import _clip_to_wards, summarise_hotspots, trend_label, trend_periods
from geo.project import project_incidents, wgs84_bounds
from geo.settings import Settings
from tests.helpers import X0, Y0, make_two_wards


def clustered_frame(seed: int, n: int = 400) -> gpd.GeoDataFrame:
    """Random clustered incidents in the two 1 km wards, many sharing map points."""
    rng = np.random.default_rng(seed)
    snap = np.column_stack([rng.uniform(0, 2000, 60), rng.uniform(0, 1000, 60)]).round(1)
    pick = rng.integers(0, len(snap), n)
    x, y = X0 + snap[pick, 0], Y0 + snap[pick, 1]
    ward = np.where(x < X0 + 1000, "E05000001", "E05000002")
    cats = list(Settings().categories)[:5]
    months = [f"2018-{m:02d}" for m in range(1, 13)]
    return gpd.GeoDataFrame(
        {
            c.WARD_CODE: ward,
            c.WARD_NAME: np.where(ward == "E05000001", "West", "East"),
            c.CLUSTER: rng.integers(-1, 6, n),
            c.WEIGHT: rng.choice([1.0, 1.5, 3.0], n),
            c.CATEGORY: rng.choice(cats, n),
            c.MONTH: rng.choice(months, n),
        },
        geometry=gpd.points_from_xy(x, y),
        crs="EPSG:27700",
    )


def plain_summary_columns(clustered: gpd.GeoDataFrame, settings: Settings) -> pd.DataFrame:
    """Trend and categories of each hotspot computed one hotspot at a time."""
    members = clustered[clustered[c.CLUSTER] >= 0]
    recent, previous = trend_periods(clustered[c.MONTH], settings.trend_months)
    rows = []
    for (ward, cluster), g in members.groupby([c.WARD_CODE, c.CLUSTER]):
        r = int(g[c.MONTH].isin(recent).sum())
        p = int(g[c.MONTH].isin(previous).sum())
        counts = g[c.CATEGORY].value_counts()
        top = max(
            (k for k in settings.categories if k in counts.index),
            key=lambda k: (counts[k], -list(settings.categories).index(k)),
        )
        rows.append((ward, cluster, r, p, trend_label(r, p), top))
    return pd.DataFrame(
        rows, columns=[c.WARD_CODE, c.CLUSTER, "recent", "previous", "trend", "top"]
    ).sort_values([c.WARD_CODE, c.CLUSTER], ignore_index=True)


@pytest.mark.parametrize("seed", range(6))
def test_trend_and_top_category_match_one_hotspot_at_a_time(seed):
    settings = Settings().replace(trend_months=3)
    clustered = clustered_frame(seed)
    got = summarise_hotspots(clustered, make_two_wards(), settings)
    got = got.sort_values([c.WARD_CODE, c.CLUSTER], ignore_index=True)
    want = plain_summary_columns(clustered, settings)
    assert len(got) == len(want) > 0
    assert list(got[c.RECENT_COUNT]) == list(want["recent"])
    assert list(got[c.PREVIOUS_COUNT]) == list(want["previous"])
    assert list(got[c.TREND]) == list(want["trend"])
    assert list(got[c.TOP_CATEGORY]) == list(want["top"])


@pytest.mark.parametrize("seed", range(6))
def test_hull_polygons_are_exactly_the_overlay_with_the_ward(seed):
    settings = Settings()
    clustered = clustered_frame(seed)
    wards = make_two_wards()
    got = summarise_hotspots(clustered, wards, settings)
    clip = wards.set_index(c.WARD_CODE).geometry.reindex(got[c.WARD_CODE]).to_numpy()
    members = clustered[clustered[c.CLUSTER] >= 0]
    hulls = []
    for ward, cluster in zip(got[c.WARD_CODE], got[c.CLUSTER], strict=True):
        g = members[(members[c.WARD_CODE] == ward) & (members[c.CLUSTER] == cluster)]
        hull = shapely.convex_hull(shapely.multipoints(g.geometry.get_coordinates().to_numpy()))
        hulls.append(shapely.buffer(hull, settings.hull_buffer_m, quad_segs=8))
    want = shapely.intersection(np.array(hulls, dtype=object), clip)
    assert (shapely.to_wkb(got.geometry.to_numpy()) == shapely.to_wkb(want)).all()


def test_clip_shortcut_is_the_overlay_for_inside_crossing_and_outside_polygons(monkeypatch):
    ward = box(0, 0, 1000, 1000)
    prepared: list[object] = []
    prepare = shapely.prepare

    def record(geoms, **kwargs):
        prepared.extend(np.atleast_1d(geoms).tolist())
        return prepare(geoms, **kwargs)

    monkeypatch.setattr(shapely, "prepare", record)
    polys = np.array(
        [
            shapely.buffer(shapely.Point(500, 500), 50, quad_segs=8),  # well inside
            shapely.buffer(shapely.Point(990, 500), 50, quad_segs=8),  # crosses the edge
            shapely.buffer(shapely.Point(2000, 500), 50, quad_segs=8),  # outside
            shapely.buffer(shapely.LineString([(100, 100), (300, 200)]), 10, quad_segs=8),
            shapely.buffer(shapely.Point(950, 500), 50, quad_segs=8),  # touches the edge
        ],
        dtype=object,
    )
    clip = np.array([ward] * len(polys), dtype=object)
    got = _clip_to_wards(polys, np.zeros(len(polys), dtype=np.intp), np.array([ward]))
    want = shapely.intersection(polys, clip)
    assert (shapely.to_wkb(got) == shapely.to_wkb(want)).all()
    assert not shapely.is_prepared(ward)  # the caller's polygon is left as it was
    # ...and never prepared on the way: another thread may be using it at the same time
    assert all(g is not ward for g in prepared)


def test_projection_of_distinct_points_equals_projecting_every_row():
    rng = np.random.default_rng(3)
    pick = rng.integers(0, 50, 500)  # 50 map points shared by 500 rows
    lon = np.round(rng.uniform(-1.3, -1.1, 50), 6)[pick]
    lat = np.round(rng.uniform(51.6, 51.8, 50), 6)[pick]
    east = np.round(rng.uniform(450_000, 452_000, 500), 1)
    north = np.round(rng.uniform(200_000, 201_000, 500), 1)
    local = rng.random(500) < 0.3
    accepted = pd.DataFrame(
        {
            c.X: np.where(local, east, lon),
            c.Y: np.where(local, north, lat),
            c.XY_CRS: np.where(local, "EPSG:27700", "EPSG:4326").astype(object),
            "other": np.arange(500),
        }
    )
    got = project_incidents(accepted, "EPSG:27700")
    import pyproj

    tr = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    px, py = tr.transform(accepted[c.X].to_numpy(), accepted[c.Y].to_numpy())
    px = np.where(local, accepted[c.X], px)
    py = np.where(local, accepted[c.Y], py)
    assert (got.geometry.x.to_numpy() == px).all()
    assert (got.geometry.y.to_numpy() == py).all()
    assert list(got["other"]) == list(range(500))
    assert len({id(g) for g in got.geometry.to_numpy()[~local]}) <= 50  # one Point a map point


def test_ward_bounds_equal_those_of_the_reprojected_polygons():
    wards = make_two_wards()
    assert wgs84_bounds(wards) == tuple(float(v) for v in wards.to_crs(4326).total_bounds)

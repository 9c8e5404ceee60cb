"""The national-scale fast paths give what the plain computations give.

Trend labels decided in one vectorised pass, hotspot IDs joined on integer keys, distinct
points found on one integer key, coordinates read in one pass, place descriptions counted on
integer codes, coordinates and ids stripped once per distinct text, and police.uk files read
with only the columns used.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import columns as c
from geo.hotspots import (
    _distinct_points,
    _trend_labels,
    label_incidents,
    summarise_hotspots,
    trend_label,
)
from geo.io import read_incident_csv, read_text_csv
from geo.pipeline import _in_file_order
from geo.places import GENERIC_PLACES, describe_places, place_name
from geo.project import point_xy, project_incidents, wgs84_bounds
from geo.settings import Settings
from geo.validate import validate_incidents
from geo.wards import assign_wards
from tests.helpers import X0, Y0, make_two_wards


def test_trend_labels_match_the_test_pair_by_pair() -> None:
    rng = np.random.default_rng(7)
    small = np.array([(r, p) for r in range(60) for p in range(60)])
    large = rng.integers(0, 3000, (400, 2))
    near = np.column_stack([large[:, 0], large[:, 0] + rng.integers(-150, 150, 400)])
    pairs = np.abs(np.concatenate([small, large, near]))
    got = _trend_labels(pairs[:, 0], pairs[:, 1])
    want = [trend_label(int(r), int(p)) for r, p in pairs]
    assert list(got) == want
    assert {"rising", "falling", "new", "no clear change"} <= set(want)


def test_trend_labels_of_nothing() -> None:
    assert len(_trend_labels(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64))) == 0


def _clustered(seed: int, n: int = 500) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    snap = np.column_stack([rng.uniform(0, 2000, 50), rng.uniform(0, 1000, 50)]).round(1)
    pick = rng.integers(0, len(snap), n)
    x, y = X0 + snap[pick, 0], Y0 + snap[pick, 1]
    ward = np.where(x < X0 + 1000, "E05000001", "E05000002")
    names = ["Oxford Road", "Supermarket", "Barn'S Road", "Parking Area", "High Street"]
    return gpd.GeoDataFrame(
        {
            c.SOURCE_KIND: rng.choice(["police.uk", "police.uk", "local"], n),
            c.LOCATION: ["On or near " + names[i % len(names)] for i in pick],
            c.WARD_CODE: ward,
            c.WARD_NAME: np.where(ward == "E05000001", "West", "East"),
            c.CLUSTER: rng.integers(-1, 5, n),
            c.WEIGHT: rng.choice([1.0, 2.0], n),
            c.CATEGORY: rng.choice(list(Settings().categories)[:4], n),
            c.MONTH: rng.choice([f"2018-{m:02d}" for m in range(1, 13)], n),
        },
        geometry=gpd.points_from_xy(x, y),
        crs="EPSG:27700",
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_label_incidents_matches_a_plain_lookup(seed: int) -> None:
    clustered = _clustered(seed)
    hotspots = summarise_hotspots(clustered, make_two_wards(), Settings())
    labelled = label_incidents(clustered, hotspots)
    keys = zip(hotspots[c.WARD_CODE], hotspots[c.CLUSTER], strict=True)
    ids = dict(zip(keys, hotspots[c.HOTSPOT_ID], strict=True))
    want = [
        ids.get((w, k), "")
        for w, k in zip(clustered[c.WARD_CODE], clustered[c.CLUSTER], strict=True)
    ]
    assert list(labelled[c.HOTSPOT_ID]) == want
    assert (labelled[c.HOTSPOT_ID] != "").any() and (labelled[c.HOTSPOT_ID] == "").any()
    assert c.HOTSPOT_ID not in clustered.columns  # the input is left as it was


def test_distinct_points_match_drop_duplicates() -> None:
    rng = np.random.default_rng(3)
    df = pd.DataFrame(
        {
            "hotspot": rng.integers(0, 20, 2000),
            "px": rng.integers(0, 15, 2000).astype(float) * 1.5,
            "py": rng.integers(0, 15, 2000).astype(float) * 2.5,
        }
    )
    want = df.drop_duplicates(subset=["hotspot", "px", "py"]).sort_values("hotspot", kind="stable")
    pd.testing.assert_frame_equal(_distinct_points(df), want)


def test_point_xy_matches_x_and_y_and_refuses_what_they_refuse() -> None:
    points = gpd.GeoSeries(gpd.points_from_xy([1.5, 2.0, -3.0], [4.0, 5.5, 6.0]))
    np.testing.assert_array_equal(point_xy(points), np.column_stack([points.x, points.y]))
    with_empty = gpd.GeoSeries([shapely.Point(1, 2), shapely.Point()])
    got = point_xy(with_empty)
    assert got[0].tolist() == [1.0, 2.0] and np.isnan(got[1]).all()
    with pytest.raises(ValueError, match="Point"):
        point_xy(gpd.GeoSeries([shapely.Point(1, 2), shapely.LineString([(0, 0), (1, 1)])]))


def test_point_xy_reads_the_metre_columns_of_projected_incidents_unless_reprojected() -> None:
    accepted = pd.DataFrame(
        {
            c.X: [-1.2, -1.21, -1.2],
            c.Y: [51.73, 51.74, 51.73],
            c.XY_CRS: ["EPSG:4326"] * 3,
        }
    )
    projected = project_incidents(accepted, "EPSG:27700")
    want = np.column_stack([projected.geometry.x, projected.geometry.y])
    np.testing.assert_array_equal(projected[[c.X_M, c.Y_M]].to_numpy(), want)
    np.testing.assert_array_equal(point_xy(projected), want)
    # the columns are what is read: a frame whose columns were changed where the check
    # does not look shows it
    many = pd.concat([projected] * 10, ignore_index=True)
    many.loc[2, c.X_M] = 0.0  # rows 0, 1, 3, 5, ... 29 are checked
    assert point_xy(many)[2, 0] == 0.0
    # a frame reprojected since: its geometry, not the stale metre columns
    wgs = projected.to_crs("EPSG:4326")
    np.testing.assert_allclose(point_xy(wgs), accepted[[c.X, c.Y]].to_numpy(), atol=1e-9)
    assert wards_assigned_from_columns(projected)


def wards_assigned_from_columns(points: gpd.GeoDataFrame) -> bool:
    """Ward assignment gives the same wards from the metre columns as from the geometry."""
    box = shapely.box(*points.total_bounds).buffer(10)
    wards = gpd.GeoDataFrame(
        {c.WARD_CODE: ["W1"], c.WARD_NAME: ["One"]}, geometry=[box], crs=points.crs
    )
    points = points.assign(**{c.SOURCE_FILE: "f.csv", c.ROW: [2, 3, 4]})
    with_cols = assign_wards(points, wards).accepted
    without = assign_wards(points.drop(columns=[c.X_M, c.Y_M]), wards).accepted
    return with_cols[c.WARD_CODE].tolist() == without[c.WARD_CODE].tolist() == ["W1"] * 3


def _plain_describe(incidents: gpd.GeoDataFrame, max_names: int = 2) -> dict[str, list[str]]:
    """The busiest names per group, as plain Python (the words' first part only)."""
    out: dict[str, dict[str, int]] = {}
    for g, kind, loc in zip(
        incidents[c.HOTSPOT_ID], incidents[c.SOURCE_KIND], incidents[c.LOCATION], strict=True
    ):
        name = place_name(loc)
        if g and kind == "police.uk" and name:
            out.setdefault(g, {})
            out[g][name] = out[g].get(name, 0) + 1
    return {
        g: [n for n, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:max_names]]
        for g, counts in out.items()
    }


@pytest.mark.parametrize("seed", [4, 5])
def test_describe_places_names_the_busiest_names_of_each_group(seed: int) -> None:
    clustered = _clustered(seed)
    hotspots = summarise_hotspots(clustered, make_two_wards(), Settings())
    incidents = label_incidents(clustered, hotspots)
    words = describe_places(incidents)
    plain = _plain_describe(incidents)
    assert sorted(words.index) == sorted(set(incidents[c.HOTSPOT_ID]) - {""})
    for group, text in words.items():
        shown = [part.split(" near ")[0] for part in text.split(" / ")] if text else []
        names = [n for part in shown for n in part.split(" and ")]
        assert names == plain.get(group, []), (group, text)
        for part in text.split(" / ") if text else []:
            if " near " in part:  # a generic kind with its nearest named point
                kinds, near = part.split(" near ")
                assert set(kinds.split(" and ")) <= GENERIC_PLACES
                assert near not in GENERIC_PLACES


def test_validation_strips_each_distinct_text_as_the_rows_would_be() -> None:
    raw = pd.DataFrame(
        {
            c.SOURCE_FILE: "a.csv",
            c.ROW: np.arange(2, 8),
            c.SOURCE_KIND: "police.uk",
            c.RAW_ID: [" abc", "abc ", "", "  ", "def", "abc"],
            c.RAW_DATE: "2018-03",
            c.RAW_CATEGORY: "Drugs",
            c.RAW_X: [" -1.25", "-1.25", "-1.25 ", "x1", "  ", "-1.3"],
            c.RAW_Y: ["51.75", " 51.75", "51.75", "51.7", "51.7", "51.8"],
            c.XY_CRS: "EPSG:4326",
            c.LOCATION: "",
            c.LSOA_CODE: "",
            c.OUTCOME: "",
            c.REPORT_SOURCE: "",
            c.NOTES: "",
        }
    )
    checked = validate_incidents(raw, Settings())
    reasons = dict(zip(checked.rejected[c.ROW], checked.rejected[c.REASON], strict=True))
    assert reasons[5] == "longitude 'x1' is not a number"
    assert reasons[6] == "missing coordinates (the incident could not be mapped)"
    assert reasons[3].startswith("duplicate id 'abc' (first seen in a.csv row 2)")
    assert reasons[7].startswith("duplicate id 'abc' (first seen in a.csv row 2)")
    acc = checked.accepted
    assert list(acc[c.ROW]) == [2, 4]
    assert list(acc[c.INCIDENT_ID]) == ["abc", "a.csv#4"]
    assert list(acc[c.X]) == [-1.25, -1.25]


def test_police_uk_files_are_read_with_only_the_columns_used(tmp_path) -> None:
    header = (
        "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
        "LSOA name,Crime type,Last outcome category,Context"
    )
    row = "id1,2018-03,Force,Force,-1.25,51.75,On or near X,E01,Name,Drugs,Under investigation,"
    path = tmp_path / "2018-03-force-street.csv"
    path.write_text(f"{header}\n{row}\n")
    _, whole = read_text_csv(path, fast=True)
    _, part = read_text_csv(path, fast=True, fast_columns=lambda names: names[:2])
    assert list(part.columns) == ["Crime ID", "Month"]
    pd.testing.assert_frame_equal(part, whole[["Crime ID", "Month"]])
    raw = read_incident_csv(path)
    assert raw[c.RAW_X].tolist() == ["-1.25"] and raw[c.OUTCOME].tolist() == ["Under investigation"]
    # a ragged file goes to the C parser whole, which names the line
    path.write_text(f"{header}\n{row}\n{row},extra\n")
    with pytest.raises(Exception, match="line 3"):
        read_incident_csv(path)


def test_rejected_rows_in_file_order() -> None:
    rejected = pd.DataFrame(
        {
            c.SOURCE_FILE: ["b.csv", "a.csv", "b.csv", "a.csv", "a.csv"],
            c.ROW: [5, 9, 2, 3, 9],
            c.STAGE: ["invalid", "filtered", "invalid", "outside_wards", "invalid"],
            c.REASON: ["r1", "r2", "r3", "r4", "r5"],
        }
    )
    want = rejected.sort_values([c.SOURCE_FILE, c.ROW], kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(_in_file_order(rejected), want)


def test_ward_bounds_from_shared_vertices() -> None:
    wards = make_two_wards()  # two squares sharing an edge
    assert wgs84_bounds(wards) == tuple(float(v) for v in wards.to_crs(4326).total_bounds)

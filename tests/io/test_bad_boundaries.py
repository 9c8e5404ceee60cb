"""Boundary files that were silently accepted or failed inside a library: clear refusals."""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import box

from geo import columns as c
from geo.errors import ValidationError
from geo.io import load_boundaries, load_incidents
from geo.project import crs_problem
from geo.settings import Settings
from geo.source import DataSource, load_source
from geo.validate_wards import check_ward_overrides, validate_wards
from geo.wards import assign_wards, no_overlap_problem
from tests.helpers import EAST, WEST, X0, Y0, local_csv, make_two_wards


def _ons(wards: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return wards.rename(columns={c.WARD_CODE: "WD23CD", c.WARD_NAME: "WD23NM"})


def test_the_only_polygon_layer_is_read_without_a_warning(tmp_path: Path):
    path = tmp_path / "w.gpkg"
    _ons(make_two_wards()).to_file(path, layer="wards", driver="GPKG")
    pts = gpd.GeoDataFrame({"n": [1]}, geometry=[shapely.Point(X0, Y0)], crs="EPSG:27700")
    pts.to_file(path, layer="points", driver="GPKG")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        wards = load_boundaries(path)
    assert list(wards[c.WARD_CODE]) == [WEST, EAST]


def test_several_polygon_layers_are_listed_and_one_is_chosen_with_layer(tmp_path: Path):
    path = tmp_path / "w.gpkg"
    _ons(make_two_wards().iloc[:1]).to_file(path, layer="stale", driver="GPKG")
    _ons(make_two_wards()).to_file(path, layer="wards", driver="GPKG")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValidationError) as err:
            load_boundaries(path)
    assert "2 polygon layers ('stale', 'wards')" in str(err.value)
    assert "--layer" in str(err.value) and "\n" not in str(err.value)
    assert list(load_boundaries(path, layer="wards")[c.WARD_CODE]) == [WEST, EAST]
    assert list(load_boundaries(path, layer="stale")[c.WARD_CODE]) == [WEST]
    with pytest.raises(ValidationError, match="no layer 'nope'; the file's layers are 'stale'"):
        load_boundaries(path, layer="nope")


def test_layer_reaches_the_reader_through_a_data_source(tmp_path: Path):
    path = tmp_path / "w.gpkg"
    _ons(make_two_wards().iloc[:1]).to_file(path, layer="stale", driver="GPKG")
    _ons(make_two_wards()).to_file(path, layer="wards", driver="GPKG")
    csv = tmp_path / "a.csv"
    csv.write_text("id,date,category,easting,northing\na,2018-01-01,drugs,450100,200100\n")
    plain = DataSource.from_files([csv], path)
    chosen = DataSource.from_files([csv], path, layer="wards")
    assert plain.key != chosen.key
    assert len(load_source(chosen).wards) == 2


@pytest.mark.parametrize("option", ["code_col", "name_col"])
def test_the_geometry_column_is_not_a_ward_code_or_name(tmp_path: Path, option: str):
    path = tmp_path / "w.geojson"
    _ons(make_two_wards()).to_file(path, driver="GeoJSON")
    with pytest.raises(ValidationError, match="cannot be 'geometry', the geometry column"):
        load_boundaries(path, **{option: "geometry"})


def test_metres_labelled_as_degrees_name_both_crs(tmp_path: Path):
    path = tmp_path / "w.geojson"
    _ons(make_two_wards()).set_crs("EPSG:4326", allow_override=True).to_file(path)
    with pytest.raises(ValidationError) as err:
        load_boundaries(path)
    text = str(err.value)
    assert "cannot be degrees" in text and "EPSG:4326" in text and "EPSG:27700" in text


def test_a_zipped_shapefile_with_the_wrong_prj_is_refused(tmp_path: Path):
    folder = tmp_path / "shp"
    folder.mkdir()
    _ons(make_two_wards()).set_crs("EPSG:4326", allow_override=True).to_file(folder / "w.shp")
    archive = tmp_path / "w.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for f in folder.iterdir():
            z.write(f, f.name)
    with pytest.raises(ValidationError, match=r"they look like metres.*EPSG:27700.*\.prj"):
        load_boundaries(archive)


def test_degrees_labelled_as_british_national_grid_are_refused(tmp_path: Path):
    wards = gpd.GeoDataFrame(
        {"WD23CD": [WEST]}, geometry=[box(-1.25, 51.70, -1.17, 51.76)], crs="EPSG:27700"
    )
    path = tmp_path / "w.gpkg"
    wards.to_file(path, driver="GPKG")
    with pytest.raises(ValidationError, match=r"look like degrees.*EPSG:4326"):
        load_boundaries(path)


@pytest.mark.parametrize(
    ("bounds", "crs", "fits"),
    [
        ((-1.3, 51.7, -1.1, 51.8), "EPSG:4326", True),
        ((450_000, 200_000, 460_000, 210_000), "EPSG:27700", True),
        ((450_000, 200_000, 460_000, 210_000), "EPSG:4326", False),
        ((-1.3, 51.7, -1.1, 51.8), "EPSG:27700", False),
        ((450_000, 5_700_000, 460_000, 5_710_000), "EPSG:27700", False),
        ((450_000, 200_000, 460_000, 210_000), "EPSG:2154", False),
    ],
)
def test_crs_problem_accept_reject_table(bounds, crs, fits):
    assert (crs_problem(bounds, crs) is None) is fits


def test_a_boundary_with_nan_coordinates_has_invalid_coordinates(tmp_path: Path):
    wards = make_two_wards()
    xy = shapely.get_coordinates(wards.geometry.iloc[0])
    xy[2] = [np.nan, np.nan]
    wards.loc[0, "geometry"] = shapely.set_coordinates(wards.geometry.iloc[0], xy)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValidationError) as err:
            validate_wards(wards)
    assert str(err.value) == (
        f"boundaries: feature 1 (ward {WEST}) has invalid coordinates (not numbers, or infinite)"
    )


def test_boundaries_far_from_every_incident_say_so(two_wards):
    far = two_wards.copy()
    far["geometry"] = far.translate(0, 400_000)
    far.attrs["source"] = "far.gpkg"
    raw = local_csv(
        [dict(id="a", date="2018-01-01", category="drugs", easting=X0 + 10, northing=Y0 + 10)]
    )
    points = gpd.GeoDataFrame(
        raw, geometry=gpd.points_from_xy([X0 + 10], [Y0 + 10]), crs="EPSG:27700"
    )
    with pytest.raises(ValidationError) as err:
        assign_wards(points, far)
    text = str(err.value)
    assert text.startswith("far.gpkg: none of the 1 incidents lies within the wards")
    assert "400 km apart" in text and "CRS" in text
    # a point just outside the wards is an ordinary rejected row
    near = two_wards.copy()
    near["geometry"] = near.translate(0, 2_000)
    assert len(assign_wards(points, near).rejected) == 1
    assert no_overlap_problem(points.geometry.to_numpy(), near) is None


def test_unknown_ward_override_codes_are_refused(two_wards):
    check_ward_overrides([WEST], two_wards)
    with pytest.raises(ValidationError) as err:
        check_ward_overrides([WEST, "E05000091"], two_wards)
    assert str(err.value) == (
        "settings: [ward_overrides.E05000091] names a ward the boundary file does not have "
        f"(did you mean '{WEST}'?); its wards are {WEST}, {EAST}"
    )


def test_unknown_ward_override_codes_stop_a_run(two_wards):
    from geo.pipeline import run_pipeline
    from geo.settings import WardOverride

    raw = local_csv(
        [dict(id="a", date="2018-01-01", category="drugs", easting=X0 + 10, northing=Y0 + 10)]
    )
    settings = Settings(ward_overrides={"E09999999": WardOverride(eps_m=100.0)})
    with pytest.raises(ValidationError, match=r"\[ward_overrides.E09999999\] names a ward"):
        run_pipeline(raw, two_wards, settings)


def test_a_loaded_frame_keeps_local_text_columns_as_text():
    raw = load_incidents(
        [
            (
                "a.csv",
                b"id,date,category,longitude,latitude,easting,northing\n"
                b"1,2018-01-01,drugs,-1.2,51.7,,\n2,2018-01-01,drugs,,,450000,200000\n",
            )
        ]
    )
    assert list(raw[c.RAW_X]) == ["-1.2", "450000"]
    assert list(raw[c.XY_CRS]) == ["EPSG:4326", "EPSG:27700"]
    assert raw[c.RAW_X].dtype == raw[c.RAW_DATE].dtype != object

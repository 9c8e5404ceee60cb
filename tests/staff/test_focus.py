"""geo.staff.focus_area: the ground a map zoomed to one listed hotspot shows."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import box

from geo import columns as c
from geo.staff import focus_area


def hotspots(crs: str = "EPSG:27700") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {c.RANK: [1, 2]},
        geometry=[box(452000, 203000, 452040, 203030), box(453000, 204000, 453010, 204010)],
        crs=crs,
    )


def test_the_hotspot_and_250_metres_round_it():
    area = focus_area(hotspots(), 2)
    assert len(area) == 1 and area.crs == "EPSG:27700"
    minx, miny, maxx, maxy = area.total_bounds
    assert (minx, miny, maxx, maxy) == pytest.approx((452750, 203750, 453260, 204260))
    assert not area.iloc[0].intersects(hotspots().geometry.iloc[0])  # not rank 1's ground


def test_lon_lat_hotspots_get_the_margin_in_metres():
    lonlat = hotspots().to_crs("EPSG:4326")
    area = focus_area(lonlat, 1, margin_m=100)
    assert area.crs == "EPSG:4326"
    back = area.to_crs("EPSG:27700").total_bounds
    assert back == pytest.approx((451900, 202900, 452140, 203130), abs=0.5)


def test_an_unknown_rank_or_a_missing_crs_is_refused():
    with pytest.raises(ValueError, match="no hotspot has rank 3"):
        focus_area(hotspots(), 3)
    with pytest.raises(ValueError, match="no CRS"):
        focus_area(hotspots().set_crs(None, allow_override=True), 1)

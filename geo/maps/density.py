"""The incident density layer of the staff maps: a heat layer of distinct map points."""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd
from folium.plugins import HeatMap

from geo import columns as c
from geo.project import WGS84

__all__ = ["density_layer", "incident_heat_points"]


def density_layer(incidents: gpd.GeoDataFrame) -> folium.FeatureGroup:
    """An "Incident density" layer group (off at first): a heat layer of distinct map points.

    Parameters
    ----------
    incidents
        Point ``geometry`` (any CRS) and ``weight``; aggregated by
        :func:`incident_heat_points`, never drawn as individual markers.

    """
    group = folium.FeatureGroup(name="Incident density", show=False)
    if len(incidents):
        HeatMap(  # type: ignore[no-untyped-call]
            incident_heat_points(incidents), radius=18, blur=14, min_opacity=0.25
        ).add_to(group)
    return group


def incident_heat_points(incidents: gpd.GeoDataFrame) -> list[list[float]]:
    """``[lat, lon, weight]`` per distinct map point (incidents aggregated by location).

    Parameters
    ----------
    incidents
        Point ``geometry`` (any CRS) and ``weight``.

    """
    pts = incidents.to_crs(WGS84)
    df = pd.DataFrame(
        {
            "lat": pts.geometry.y.round(6).to_numpy(),
            "lon": pts.geometry.x.round(6).to_numpy(),
            "w": pts[c.WEIGHT].to_numpy(dtype=float),
        }
    )
    agg = df.groupby(["lat", "lon"], sort=True)["w"].sum().reset_index()
    top = float(agg["w"].max()) if len(agg) else 1.0
    return [[float(a), float(b), float(w) / top] for a, b, w in agg.itertuples(index=False)]

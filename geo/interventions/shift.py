"""Hotspot shift: which hotspots persisted, vanished or appeared across an intervention."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import columns as c
from geo.interventions.areas import AreaPlan, InterventionOptions

__all__ = ["SHIFT_COLUMNS", "hotspot_shift"]

#: Columns of :func:`hotspot_shift`.
SHIFT_COLUMNS: tuple[str, ...] = (
    "period",
    c.HOTSPOT_ID,
    c.WARD_NAME,
    c.KIND,
    c.N_INCIDENTS,
    c.SCORE,
    "status",
    "overlaps",
    "distance_m",
    "centroid_distance_m",
    "area",
)


def hotspot_shift(
    before: gpd.GeoDataFrame,
    after: gpd.GeoDataFrame,
    plan: AreaPlan,
    options: InterventionOptions,
) -> pd.DataFrame:
    """Match hotspots of the two windows by overlap.

    A before hotspot whose polygon overlaps (shares area with) an after hotspot
    ``persisted``; without one it ``vanished``; an after hotspot overlapping no before
    hotspot ``appeared``. IDs are numbered per run, so the same ID in both windows need
    not be the same place: only overlap links them.

    Parameters
    ----------
    before, after
        Hotspot polygons (:func:`geo.hotspots.summarise_hotspots`) in the metric CRS.

    Returns
    -------
    pandas.DataFrame
        :data:`SHIFT_COLUMNS`: ``period`` (``before``/``after``), ``hotspot_id``,
        ``ward_name``, ``kind``, ``n_incidents`` (int), ``score`` (float), ``status``,
        ``overlaps`` (``;``-joined IDs in the other window), ``distance_m`` (float, metres
        from the location to the polygon, 0 if it covers it; NaN for area-wide events),
        ``centroid_distance_m`` (float), ``area`` (``target``/``ring``/``control``/
        ``elsewhere``, by centroid distance, or by ward for area-wide events; a centroid
        in the gap between ring and control is ``elsewhere``).

    """
    gb, ga = before.geometry.to_numpy(), after.geometry.to_numpy()
    if len(gb) and len(ga):
        inter = shapely.area(shapely.intersection(gb[:, None], ga[None, :])) > 0
    else:
        inter = np.zeros((len(gb), len(ga)), dtype=bool)
    frames = []
    for period, hs, hit, other in (
        ("before", before, inter.any(axis=1), (inter, after)),
        ("after", after, inter.any(axis=0), (inter.T, before)),
    ):
        matrix, o = other
        ids = o[c.HOTSPOT_ID].astype(str).to_numpy()
        status = np.where(hit, "persisted", "vanished" if period == "before" else "appeared")
        cx, cy = hs[c.CENTROID_X].to_numpy(float), hs[c.CENTROID_Y].to_numpy(float)
        if plan.point is None:
            dist = np.full(len(hs), math.nan)
            cdist = np.full(len(hs), math.nan)
            wc = hs[c.WARD_CODE].astype(str).to_numpy()
            area = np.where(np.isin(wc, plan.target_codes), "target", "elsewhere")
            area = np.where(np.isin(wc, plan.control_codes), "control", area)
        else:
            dist = hs.geometry.distance(plan.point).to_numpy(float)
            cdist = np.hypot(cx - plan.point.x, cy - plan.point.y)
            wc = hs[c.WARD_CODE].astype(str).to_numpy()
            in_control = np.isin(wc, plan.control_codes) & (cdist > options.control_from_m)
            area = np.where(in_control, "control", "elsewhere")
            area = np.where(cdist <= options.outer_m, "ring", area)
            area = np.where(cdist <= options.radius_m, "target", area)
        frames.append(
            pd.DataFrame(
                {
                    "period": period,
                    c.HOTSPOT_ID: hs[c.HOTSPOT_ID].astype(str).to_numpy(),
                    c.WARD_NAME: hs[c.WARD_NAME].astype(str).to_numpy(),
                    c.KIND: hs[c.KIND].astype(str).to_numpy(),
                    c.N_INCIDENTS: hs[c.N_INCIDENTS].to_numpy("int64"),
                    c.SCORE: hs[c.SCORE].to_numpy(float),
                    "status": status,
                    "overlaps": [";".join(ids[row]) for row in matrix],
                    "distance_m": dist,
                    "centroid_distance_m": cdist,
                    "area": area,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)[list(SHIFT_COLUMNS)]

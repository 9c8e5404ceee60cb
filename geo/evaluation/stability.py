"""Hotspot stability: how much of one period's hotspots persists into the next."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from geo import columns as c
from geo.evaluation.folds import union_by_ward
from geo.evaluation.schema import ALL_WARDS, ALL_WARDS_NAME

#: Columns of :func:`hotspot_stability`.
STABILITY_COLUMNS: tuple[str, ...] = (
    "period_before",
    "period_after",
    c.WARD_CODE,
    c.WARD_NAME,
    "n_before",
    "n_after",
    "n_persisting",
    "share_persisting",
    "area_before_m2",
    "area_after_m2",
    "jaccard",
)


def hotspot_stability(
    periods: Sequence[tuple[str, gpd.GeoDataFrame]], wards: gpd.GeoDataFrame
) -> pd.DataFrame:
    """How much of each period's hotspots persists into the next period.

    Parameters
    ----------
    periods
        ``(label, hotspots)`` in time order; hotspots as
        :func:`geo.evaluation.fit_dbscan` returns (``ward_code``, polygon ``geometry``),
        all in the CRS of ``wards``.
    wards
        ``ward_code``, ``ward_name``.

    Returns
    -------
    pandas.DataFrame
        One row per consecutive pair × ward plus an "all" row per pair
        (:data:`STABILITY_COLUMNS`): ``n_before``/``n_after`` (int, hotspots),
        ``n_persisting`` (int, hotspots before whose polygon overlaps, with positive area, a
        hotspot after in the same ward), ``share_persisting`` (float, n_persisting /
        n_before, NaN with none before), ``area_before_m2``/``area_after_m2`` (float, union
        areas), ``jaccard`` (float, area of intersection / area of union of the two periods'
        hotspot areas; NaN when both are empty). Rolling windows overlap (a 3-month window
        shares 2 months with the next), which raises stability.

    """
    names = wards.set_index(c.WARD_CODE)[c.WARD_NAME].astype(str)
    rows: list[dict[str, Any]] = []
    for (lab_a, hs_a), (lab_b, hs_b) in itertools.pairwise(periods):
        ua, ub = _unions(hs_a), _unions(hs_b)
        tot = {"n_before": 0, "n_after": 0, "n_persisting": 0}
        tot_a = tot_b = tot_i = tot_u = 0.0
        for code in sorted(names.index):
            pa = hs_a.geometry.to_numpy()[hs_a[c.WARD_CODE].astype(str).to_numpy() == code]
            nb = int((hs_b[c.WARD_CODE].astype(str) == code).sum())
            ga = ua.get(code, shapely.Polygon())
            gb = ub.get(code, shapely.Polygon())
            persisting = int((shapely.area(shapely.intersection(pa, gb)) > 0).sum())
            inter = float(shapely.intersection(ga, gb).area)
            union = float(shapely.union(ga, gb).area)
            n = {"n_before": len(pa), "n_after": nb, "n_persisting": persisting}
            rows.append(
                _stab_row(lab_a, lab_b, code, names[code], n, ga.area, gb.area, inter, union)
            )
            for k in tot:
                tot[k] += n[k]
            tot_a, tot_b, tot_i, tot_u = (
                tot_a + ga.area,
                tot_b + gb.area,
                tot_i + inter,
                tot_u + union,
            )
        rows.append(
            _stab_row(lab_a, lab_b, ALL_WARDS, ALL_WARDS_NAME, tot, tot_a, tot_b, tot_i, tot_u)
        )
    return pd.DataFrame(rows, columns=list(STABILITY_COLUMNS))


def _unions(hotspots: gpd.GeoDataFrame) -> dict[str, shapely.Geometry]:
    if hotspots.empty:
        return {}
    return {str(k): v for k, v in union_by_ward(hotspots).items()}


def _stab_row(
    before: str,
    after: str,
    code: str,
    name: str,
    n: Mapping[str, int],
    area_a: float,
    area_b: float,
    inter: float,
    union: float,
) -> dict[str, Any]:
    return {
        "period_before": before,
        "period_after": after,
        c.WARD_CODE: code,
        c.WARD_NAME: name,
        **n,
        "share_persisting": n["n_persisting"] / n["n_before"] if n["n_before"] else math.nan,
        "area_before_m2": float(area_a),
        "area_after_m2": float(area_b),
        "jaccard": inter / union if union > 0 else math.nan,
    }

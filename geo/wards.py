"""Stage 4: assign every incident to exactly one ward; points outside every ward are rejected."""

from __future__ import annotations

import geopandas as gpd
import numpy as np

from geo import columns as c
from geo.validate import Checked, rejected_rows

OUTSIDE_REASON = "outside every ward in the boundary file"


def assign_wards(points: gpd.GeoDataFrame, wards: gpd.GeoDataFrame) -> Checked:
    """Give each point one ward.

    Tie rule: a point on the shared edge (or corner) of several wards goes to the ward whose
    code sorts first (e.g. ``E05006557`` before ``E05006563``). Points outside every ward are
    rejected with stage ``"outside_wards"``.

    Parameters
    ----------
    points
        Incidents with Point ``geometry`` (metric CRS) and ``source_file``, ``row``.
    wards
        ``ward_code``, ``ward_name``, ``geometry`` in the same CRS as ``points``.

    Returns
    -------
    Checked
        ``accepted``: GeoDataFrame, the input columns plus ``ward_code`` and ``ward_name``,
        input order kept; ``rejected``: ``source_file``, ``row``, ``stage``, ``reason``.

    """
    if points.crs != wards.crs:
        raise ValueError(f"points CRS {points.crs} differs from wards CRS {wards.crs}")
    order = wards.sort_values(c.WARD_CODE, kind="stable").reset_index(drop=True)
    idx_pt, idx_ward = order.sindex.query(points.geometry.to_numpy(), predicate="intersects")
    # query returns pairs sorted by point; the lowest ward index is the lowest code
    ward_of = np.full(len(points), -1, dtype=np.int64)
    if len(idx_pt):
        pairs = np.lexsort((idx_ward, idx_pt))
        idx_pt, idx_ward = idx_pt[pairs], idx_ward[pairs]
        first = np.r_[True, idx_pt[1:] != idx_pt[:-1]]
        ward_of[idx_pt[first]] = idx_ward[first]
    inside = ward_of >= 0
    acc = points.loc[inside].copy()
    acc[c.WARD_CODE] = order[c.WARD_CODE].to_numpy()[ward_of[inside]]
    acc[c.WARD_NAME] = order[c.WARD_NAME].to_numpy()[ward_of[inside]]
    acc = acc.reset_index(drop=True)
    rej = rejected_rows(
        points.loc[~inside], "outside_wards", np.full((~inside).sum(), OUTSIDE_REASON)
    )
    return Checked(accepted=acc, rejected=rej)

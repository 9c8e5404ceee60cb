"""Weighted hit rates and PEI added to the rows of the evaluation table."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from geo import columns as c
from geo.evaluation.measures import hit_rate, pei
from geo.evaluation.schema import ALL_WARDS


def with_scores(
    rows: list[dict[str, Any]],
    *,
    wards: np.ndarray,
    test: np.ndarray,
    weights: np.ndarray,
    inside: np.ndarray,
    best: tuple[np.ndarray, np.ndarray],
    best_w: tuple[np.ndarray, np.ndarray],
    resolution: str,
    allocation: str,
    setting: str,
) -> list[dict[str, Any]]:
    """``rows`` of one method and fold with weighted counts, PEI and labels added.

    Parameters
    ----------
    rows
        Evaluation-table rows (one per ward plus "all") with ``ward_code``, ``n_hits``,
        ``area_share``.
    wards, test, weights, inside
        Per incident: ward code, whether it is in the test month, its category weight, and
        whether the method's area covers it.
    best, best_w
        Per incident, whether the best map of the same area and resolution covers it:
        ``(per-ward best, study-wide best)``, by incidents and by weights.
    resolution, allocation, setting
        Labels copied into every row.

    Returns
    -------
    list of dict
        New rows with ``n_test_w``, ``n_hits_w``, ``hit_rate_w``, ``pai_w``, ``resolution``,
        ``best_hits``, ``pei``, ``best_hits_w``, ``pei_w``, ``allocation``, ``setting``.

    """
    w = np.asarray(weights, dtype=float)
    out = []
    for row in rows:
        code = row[c.WARD_CODE]
        everywhere = code == ALL_WARDS
        in_w = test if everywhere else test & (wards == code)
        b = best[1] if everywhere else best[0]
        bw = best_w[1] if everywhere else best_w[0]
        n_test_w = float(w[in_w].sum())
        n_hits_w = float(w[in_w & inside].sum())
        best_hits = int((in_w & b).sum())
        best_hits_w = float(w[in_w & bw].sum())
        hr_w = hit_rate(n_hits_w, n_test_w) if n_hits_w <= n_test_w else math.nan
        share = float(row["area_share"])
        out.append(
            {
                **row,
                "n_test_w": n_test_w,
                "n_hits_w": n_hits_w,
                "hit_rate_w": hr_w,
                "pai_w": hr_w / share if share > 0 else math.nan,
                "resolution": resolution,
                "best_hits": best_hits,
                "pei": pei(row["n_hits"], best_hits),
                "best_hits_w": best_hits_w,
                "pei_w": pei(n_hits_w, best_hits_w),
                "allocation": allocation,
                "setting": setting,
            }
        )
    return out

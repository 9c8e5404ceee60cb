"""Hotspot measures (hit rate, area share, PAI, RRI) and the evaluation-table rows of them."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from geo import columns as c
from geo.errors import ValidationError
from geo.evaluation.folds import Fold
from geo.evaluation.schema import ALL_WARDS, ALL_WARDS_NAME

#: Measures summarised per method and ward (:func:`geo.evaluation.summarise_evaluation`).
MEASURES: tuple[str, ...] = ("hit_rate", "pai", "rri", "area_share")


# --- the measures -------------------------------------------------------------------------
def hit_rate(n_hits: float, n_total: float) -> float:
    """Hit rate n / N: the share of the period's incidents that fell inside the hotspots.

    Returns NaN when ``n_total`` is 0. Raises :class:`ValidationError` for negative counts or
    more hits than incidents.
    """
    if n_hits < 0 or n_total < 0 or n_hits > n_total:
        raise ValidationError(f"hit rate needs 0 <= hits <= incidents. Got {n_hits} of {n_total}.")
    return float(n_hits) / float(n_total) if n_total > 0 else math.nan


def area_share(area_m2: float, study_area_m2: float) -> float:
    """Area share a / A: the hotspots' area as a share of the study area (both m²)."""
    if study_area_m2 <= 0 or area_m2 < 0 or area_m2 > study_area_m2 * (1 + 1e-9):
        raise ValidationError(
            f"area share needs 0 <= hotspot area <= study area > 0. "
            f"Got {area_m2} m² of {study_area_m2} m²."
        )
    return float(area_m2) / float(study_area_m2)


def pai(n_hits: float, n_total: float, area_m2: float, study_area_m2: float) -> float:
    """Predictive Accuracy Index (Chainey, Tompson & Uhlig 2008): (n / N) / (a / A).

    ``n`` incidents of the test period inside hotspots of total area ``a`` m², out of ``N``
    incidents in a study area of ``A`` m². 1 = no better than marking places at random; PAI 10
    = the hotspots hold ten times their share of the area. NaN when ``N`` or ``a`` is 0.
    """
    hr = hit_rate(n_hits, n_total)
    share = area_share(area_m2, study_area_m2)
    if share == 0 or math.isnan(hr):
        return math.nan
    return hr / share


def rri(
    n_hits_before: float, n_total_before: float, n_hits_after: float, n_total_after: float
) -> float:
    """Recapture Rate Index (Levine 2008): (n_t2 / n_t1) / (N_t2 / N_t1).

    ``n_t1``/``n_t2`` are the incidents inside the hotspots in the fit and test periods,
    ``N_t1``/``N_t2`` all incidents in them. 1 = the hotspots keep their share of incidents;
    above 1 they recapture more than the overall change. Periods of different length cancel
    out. NaN when ``n_t1``, ``N_t1`` or ``N_t2`` is 0.
    """
    hit_rate(n_hits_before, n_total_before)  # checks the counts
    hit_rate(n_hits_after, n_total_after)
    if n_hits_before == 0 or n_total_before == 0 or n_total_after == 0:
        return math.nan
    return (float(n_hits_after) / n_hits_before) / (float(n_total_after) / n_total_before)


def pei(n_hits: float, n_best: float) -> float:
    """Predictive Efficiency Index (Hunt 2016): n / n*, hits over the best possible hits.

    ``n*`` is the most test-period incidents any map of the same area and resolution could
    have held (the test period's own busiest cells, or map points). 1 = as good as hindsight;
    NaN when ``n_best`` is 0. Raises :class:`ValidationError` for negative counts.
    """
    if n_hits < 0 or n_best < 0:
        raise ValidationError(f"PEI needs counts >= 0. Got {n_hits} hits of best {n_best}.")
    return float(n_hits) / float(n_best) if n_best > 0 else math.nan


# --- rows of the evaluation table -------------------------------------------------------
@dataclass(frozen=True)
class FoldContext:
    """What every method's rows of one fold share (used by :mod:`geo.evaluation.evaluate`).

    ``wards``, ``fit`` and ``test`` are per-incident arrays (ward code, in the fitting
    months, in the test month); ``ward_area``, ``names`` and ``budget`` are per ward code.
    """

    fold: Fold
    wards: np.ndarray
    fit: np.ndarray
    test: np.ndarray
    ward_area: pd.Series
    names: pd.Series
    budget: pd.Series

    def rows(
        self,
        method: str,
        inside: np.ndarray,
        area: pd.Series,
        n_areas: pd.Series,
        significant: pd.Series | None = None,
    ) -> list[dict[str, Any]]:
        """One evaluation row per ward and one for all wards, for ``method`` on this fold.

        ``inside`` marks the incidents inside the method's areas; ``area`` (m²),
        ``n_areas`` and ``significant`` (share of areas found significant) are per ward.
        """
        out = []
        tot = dict.fromkeys(("n_test", "n_hits", "n_fit", "n_fit_hits", "n_areas"), 0)
        tot_area = tot_budget = 0.0
        sig_num = sig_den = 0.0
        for code in self.ward_area.index:
            in_w = self.wards == code
            counts = {
                "n_test": int((in_w & self.test).sum()),
                "n_hits": int((in_w & self.test & inside).sum()),
                "n_fit": int((in_w & self.fit).sum()),
                "n_fit_hits": int((in_w & self.fit & inside).sum()),
                "n_areas": int(n_areas.get(code, 0)),
            }
            a = float(area.get(code, 0.0))
            b = float(self.budget.get(code, 0.0))
            s = float(significant.get(code, math.nan)) if significant is not None else math.nan
            out.append(self._row(method, str(code), str(self.names[code]), counts, a, b, s))
            for k in tot:
                tot[k] += counts[k]
            tot_area, tot_budget = tot_area + a, tot_budget + b
            if not math.isnan(s):
                sig_num, sig_den = sig_num + s * counts["n_areas"], sig_den + counts["n_areas"]
        s_all = sig_num / sig_den if sig_den else math.nan
        out.append(self._row(method, ALL_WARDS, ALL_WARDS_NAME, tot, tot_area, tot_budget, s_all))
        return out

    def _row(
        self,
        method: str,
        code: str,
        name: str,
        n: Mapping[str, int],
        area_m2: float,
        budget_m2: float,
        significant: float,
    ) -> dict[str, Any]:
        study = float(self.ward_area.sum()) if code == ALL_WARDS else float(self.ward_area[code])
        area_m2 = min(area_m2, study)
        return {
            "test_month": self.fold.test_month,
            "fit_first": self.fold.fit_months[0],
            "fit_last": self.fold.fit_months[-1],
            "method": method,
            c.WARD_CODE: code,
            c.WARD_NAME: name,
            **{k: n[k] for k in ("n_test", "n_hits", "n_fit", "n_fit_hits")},
            "hit_rate": hit_rate(n["n_hits"], n["n_test"]),
            "area_m2": area_m2,
            "budget_m2": budget_m2,
            "study_area_m2": study,
            "area_share": area_share(area_m2, study),
            "pai": pai(n["n_hits"], n["n_test"], area_m2, study),
            "rri": rri(n["n_fit_hits"], n["n_fit"], n["n_hits"], n["n_test"]),
            "n_areas": n["n_areas"],
            "share_significant": significant,
        }

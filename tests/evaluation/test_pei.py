"""PEI and weighted hit rates by hand: the best map of the same area and resolution."""

from __future__ import annotations

import math

import pytest

from geo import columns as c
from geo.errors import ValidationError
from geo.evaluation import ALL_WARDS, evaluate_methods, pei

from .builders import EAST, SPOT_AREA, WEST, X0, Y0, rows, weighted_settings

GROUP = (X0 + 325, Y0 + 325)  # west ward
LONER = (X0 + 800, Y0 + 800)  # west ward, 670 m from GROUP
EASTER = (X0 + 1500, Y0 + 500)  # east ward


def test_pei_by_hand():
    # 6 hits where the best map of the same area holds 8: 6 / 8 = 0.75
    assert pei(6, 8) == 0.75
    assert pei(8, 8) == 1.0
    assert math.isnan(pei(0, 0))
    with pytest.raises(ValidationError, match="PEI needs counts >= 0"):
        pei(-1, 3)


def pei_rows():
    """Fit Jan-Mar: 2 drugs a month at GROUP (weight 2 each: 12 in all), 1 ASB a month at
    LONER (3), 1 drugs in January in the east ward. Test April: 1 drugs at GROUP, 3 ASB at
    LONER, 1 drugs in the east ward."""
    spec = []
    for m in ("2018-01", "2018-02", "2018-03"):
        spec += [(m, GROUP, 2, "drugs"), (m, LONER, 1, "asb")]
    spec += [("2018-01", EASTER, 1, "drugs")]
    spec += [("2018-04", GROUP, 1, "drugs"), ("2018-04", LONER, 3, "asb")]
    spec += [("2018-04", EASTER, 1, "drugs")]
    return rows(spec)


def test_evaluation_pei_and_weighted_hit_rate_by_hand(two_wards):
    # eps 20, min_samples 5: GROUP weighs 12 and is a one-point hotspot (a 25 m 32-gon of
    # SPOT_AREA); LONER (3) and the east point (2) are noise.
    s = weighted_settings(eps_m=20, min_samples=5)
    ev = evaluate_methods(pei_rows(), two_wards, s, permutations=0, fine_baselines=True)
    t = ev.table.set_index(["method", c.WARD_CODE])
    d = t.loc[("dbscan", ALL_WARDS)]
    assert d["area_m2"] == pytest.approx(SPOT_AREA)
    assert d["resolution"] == "25 m discs at map points"
    # incidents: 1 of 5 test incidents inside; weights: 2 of 2 + 3 + 2 = 7
    assert (d["n_hits"], d["n_test"]) == (1, 5)
    assert d["hit_rate"] == pytest.approx(0.2)
    assert (d["n_hits_w"], d["n_test_w"]) == (2.0, 7.0)
    assert d["hit_rate_w"] == pytest.approx(2 / 7)
    assert d["pai_w"] == pytest.approx((2 / 7) / (SPOT_AREA / 2_000_000))
    # the best one-disc map of April is LONER's disc: 3 incidents (weight 3)
    assert d["best_hits"] == 3
    assert d["pei"] == pytest.approx(1 / 3)
    assert d["best_hits_w"] == 3.0
    assert d["pei_w"] == pytest.approx(2 / 3)
    w = t.loc[("dbscan", WEST)]
    assert (w["best_hits"], w["pei"]) == (3, pytest.approx(1 / 3))
    e = t.loc[("dbscan", EAST)]
    assert e["best_hits"] == 0 and math.isnan(e["pei"])  # no area there: no best map either
    # the busiest map point of the fit window, with the same disc: the same place as DBSCAN
    for method in ("points", "points_study"):
        p = t.loc[(method, ALL_WARDS)]
        assert p["area_m2"] == pytest.approx(SPOT_AREA)
        assert (p["n_hits"], p["best_hits"]) == (1, 3)
    # 50 m cells: one cell (2500 m^2 is nearer SPOT_AREA than 0); the best April cell is
    # LONER's, 3 incidents
    k = t.loc[("kde", ALL_WARDS)]
    assert k["resolution"] == "50 m cells"
    assert (k["area_m2"], k["n_hits"], k["best_hits"]) == (2500, 1, 3)
    # 25 m cells: 3 cells (1875 m^2 is the nearest multiple of 625 to 1950.9)
    f = t.loc[("kde_fine", ALL_WARDS)]
    assert f["resolution"] == "25 m cells"
    assert f["area_m2"] == pytest.approx(1875)
    # three 25 m cells anywhere hold all 5 April incidents (LONER's, GROUP's, the east one);
    # in the west ward alone, LONER's and GROUP's hold 4
    assert f["best_hits"] == 5
    assert t.loc[("kde_fine", WEST), "best_hits"] == 4
    assert f["pei"] == pytest.approx(f["n_hits"] / 5)
    s50 = t.loc[("kde_shift", ALL_WARDS)]
    assert s50["resolution"] == "50 m cells, shifted 25 m"
    assert set(ev.table["allocation"]) == {"ward", "study"}
    assert set(ev.table.loc[ev.table["method"].str.endswith("_study"), "allocation"]) == {"study"}

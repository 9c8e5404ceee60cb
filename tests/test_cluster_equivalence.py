"""The production clustering path is scikit-learn's DBSCAN run on each ward alone.

``cluster_incidents`` clusters every ward in one DBSCAN call per parameter set, on distinct
points, after pruning points that cannot be in any cluster (``cluster._ward_labels``). Here
random incidents in several wards (which deliberately overlap in space, so a neighbourhood
that leaked across a ward would show), with per-ward overrides and fractional weights, are
clustered both ways: by ``cluster_incidents`` and by ``sklearn.cluster.DBSCAN`` fitted on
each ward's rows alone, duplicates left as separate rows with their own ``sample_weight``.

Partitions are compared as scikit-learn's own tests compare DBSCAN runs: core points
exactly (same core points, same grouping of them, up to relabelling), noise exactly, and
a border point, which DBSCAN gives to whichever neighbouring cluster reaches it first, only
as far as that is determined: it must join a cluster that has a core point within ``eps_m``
of it.

Weights are multiples of 1/4, exact in binary floating point, so a weighted count never
lands within rounding of ``min_samples`` and both ways sum to the same value whatever the
order (with weights such as 0.1 a count of exactly ``min_samples`` depends on summation
order, in scikit-learn too).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.cluster import DBSCAN

from geo import columns as c
from geo.cluster import cluster_incidents
from geo.settings import Settings, WardOverride
from tests.helpers import X0, Y0

WARD_CODES = ("E05000001", "E05000002", "E05000003", "E05000004")
#: multiples of 1/4: exact in binary, so weight sums do not depend on their order
WEIGHTS = (0.25, 0.5, 0.75, 1.0, 1.0, 1.25, 1.5, 2.0, 3.0)
#: radii on and off the 5 m lattice: 10 and 25 m give points exactly eps_m apart (3-4-5)
EPS_M = (5.0, 7.5, 10.0, 12.5, 25.0)
STEP_M = 5


@dataclass(frozen=True)
class Case:
    """Incidents as plain arrays, and the settings to cluster them with."""

    x: np.ndarray
    y: np.ndarray
    ward: np.ndarray
    weight: np.ndarray
    settings: Settings

    def frame(self) -> gpd.GeoDataFrame:
        """``ward_code``, ``weight`` and point ``geometry`` in EPSG:27700."""
        return gpd.GeoDataFrame(
            {c.WARD_CODE: self.ward, c.WEIGHT: self.weight},
            geometry=gpd.points_from_xy(self.x, self.y),
            crs="EPSG:27700",
        )


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """Up to 90 incidents on a 5 m lattice (so duplicates and exact-eps pairs are common)
    in 1-4 wards that share the same ground, study-wide parameters and per-ward overrides."""
    codes = WARD_CODES[: draw(st.integers(1, len(WARD_CODES)))]
    span = draw(st.sampled_from([4, 10, 20]))  # lattice cells per side: denser when small
    rows = draw(
        st.lists(
            st.tuples(
                st.integers(0, span),
                st.integers(0, span),
                st.sampled_from(codes),
                st.sampled_from(WEIGHTS),
            ),
            max_size=90,
        )
    )
    overridden = draw(st.lists(st.sampled_from(codes), unique=True))
    overrides = {
        code: WardOverride(
            eps_m=draw(st.none() | st.sampled_from(EPS_M)),
            min_samples=draw(st.none() | st.integers(1, 10)),
        )
        for code in overridden
    }
    s = Settings(
        eps_m=draw(st.sampled_from(EPS_M)),
        min_samples=draw(st.integers(1, 10)),
        ward_overrides=overrides,
    )
    return Case(
        x=np.array([X0 + STEP_M * r[0] for r in rows], dtype=float),
        y=np.array([Y0 + STEP_M * r[1] for r in rows], dtype=float),
        ward=np.array([r[2] for r in rows], dtype=object),
        weight=np.array([r[3] for r in rows], dtype=float),
        settings=s,
    )


def ward_params(s: Settings, code: str) -> tuple[float, int]:
    """``(eps_m, min_samples)`` of a ward, worked out here rather than by ``params_for``."""
    o = s.ward_overrides.get(code, WardOverride())
    eps = s.eps_m if o.eps_m is None else o.eps_m
    ms = s.min_samples if o.min_samples is None else o.min_samples
    return float(eps), int(ms)


def assert_same_dbscan(
    ours: np.ndarray, xy: np.ndarray, weight: np.ndarray, *, eps_m: float, min_samples: int
) -> None:
    """``ours`` (labels of one ward's rows) is scikit-learn's DBSCAN of those rows."""
    ref = DBSCAN(eps=eps_m, min_samples=min_samples).fit(xy, sample_weight=weight)
    core = np.zeros(len(xy), dtype=bool)
    core[ref.core_sample_indices_] = True
    theirs = ref.labels_

    # noise exactly
    np.testing.assert_array_equal(ours < 0, theirs < 0)
    # core points exactly, up to relabelling: the label pairs are a one-to-one map
    pairs = set(zip(theirs[core].tolist(), ours[core].tolist(), strict=True))
    assert len(pairs) == len({a for a, _ in pairs}) == len({b for _, b in pairs})
    # labels inside the ward are 0..k-1, numbered by their first core point in (x, y) order
    n_clusters = len(pairs)
    assert set(ours[ours >= 0].tolist()) == set(range(n_clusters))
    order = np.lexsort((xy[:, 1], xy[:, 0]))
    first_seen = dict.fromkeys(ours[order][core[order]].tolist())
    assert list(first_seen) == list(range(n_clusters))
    # a border point joins a cluster with a core point within eps_m of it
    for i in np.flatnonzero(~core & (ours >= 0)):
        near = core & (((xy - xy[i]) ** 2).sum(axis=1) <= eps_m**2)
        assert near.any()
        assert ours[i] in set(ours[near].tolist())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_cluster_incidents_is_dbscan_on_each_ward_alone(case):
    incidents = case.frame()
    out = cluster_incidents(incidents, case.settings)
    labels = out[c.CLUSTER].to_numpy()
    assert len(out) == len(incidents)
    xy = np.column_stack([case.x, case.y])
    for code in np.unique(case.ward.astype(str)):
        rows = case.ward == code
        eps_m, min_samples = ward_params(case.settings, code)
        assert_same_dbscan(
            labels[rows], xy[rows], case.weight[rows], eps_m=eps_m, min_samples=min_samples
        )


def test_a_border_point_between_two_clusters_may_join_either():
    # eps 10, min_samples 3, on a line: cores at 0 (0.5 + 2 + 1) and 20 (0.5 + 1 + 2); the
    # point at 10 weighs 1 + 0.5 + 0.5 = 2, so it is a border point of both clusters
    xy = np.array([[-10.0, 0.0], [0.0, 0.0], [10.0, 0.0], [20.0, 0.0], [30.0, 0.0]])
    w = np.array([2.0, 0.5, 1.0, 0.5, 2.0])

    def check(labels: list[int]) -> None:
        assert_same_dbscan(np.array(labels), xy, w, eps_m=10, min_samples=3)

    check([0, 0, 0, 1, 1])
    check([0, 0, 1, 1, 1])
    # but it must join one of them, the two clusters stay apart, numbered in (x, y) order
    for wrong in ([0, 0, -1, 1, 1], [0, 0, 0, 0, 0], [1, 1, 1, 0, 0], [0, 0, 0, 1, -1]):
        with pytest.raises(AssertionError):
            check(wrong)

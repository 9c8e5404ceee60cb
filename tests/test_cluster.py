"""Exact DBSCAN outcomes and boundary cases."""

from __future__ import annotations

import numpy as np
import pytest

from geo.cluster import dbscan_labels, dedupe_points


def test_point_exactly_eps_away_is_a_neighbour():
    xy = np.array([[0.0, 0.0], [10.0, 0.0]])
    assert list(dbscan_labels(xy, np.ones(2), eps_m=10.0, min_samples=2)) == [0, 0]
    assert list(dbscan_labels(xy, np.ones(2), eps_m=9.999, min_samples=2)) == [-1, -1]


def test_min_samples_counts_the_point_itself_and_weights():
    xy = np.array([[0.0, 0.0]])
    assert list(dbscan_labels(xy, np.array([3.0]), eps_m=1, min_samples=3)) == [0]
    assert list(dbscan_labels(xy, np.array([2.0]), eps_m=1, min_samples=3)) == [-1]


def test_border_point_joins_cluster_but_is_not_core():
    # a core at 0 (weight 3) and a lone point 10 m away: border, same cluster
    xy = np.array([[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [10.0, 0.0], [25.0, 0.0]])
    labels = dbscan_labels(xy, np.ones(5), eps_m=10, min_samples=3)
    assert list(labels) == [0, 0, 0, 0, -1]


def test_dedupe_merges_identical_coordinates():
    xy = np.array([[5.0, 1.0], [0.0, 0.0], [5.0, 1.0]])
    pts, w, inv = dedupe_points(xy, np.array([1.0, 2.0, 3.0]))
    assert pts.tolist() == [[0.0, 0.0], [5.0, 1.0]]
    assert w.tolist() == [2.0, 4.0]
    assert inv.tolist() == [1, 0, 1]


def test_labels_do_not_depend_on_row_order():
    rng = np.random.default_rng(7)
    xy = rng.integers(0, 20, size=(200, 2)).astype(float) * 5
    a = dbscan_labels(xy, np.ones(200), eps_m=7, min_samples=5)
    perm = rng.permutation(200)
    b = dbscan_labels(xy[perm], np.ones(200), eps_m=7, min_samples=5)
    assert np.array_equal(a[perm], b)


def test_empty_input():
    assert dbscan_labels(np.empty((0, 2)), np.empty(0), eps_m=5, min_samples=2).shape == (0,)


@pytest.mark.parametrize("eps", [0.0, -5.0])
def test_bad_eps_is_refused_by_settings(eps):
    from geo.errors import ValidationError
    from geo.settings import Settings

    with pytest.raises(ValidationError, match=r"The 'eps_m' setting must be in \(0, 5000\] m"):
        Settings(eps_m=eps)

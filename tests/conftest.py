"""Shared fixtures; they call the builders in :mod:`tests.helpers`."""

from __future__ import annotations

import geopandas as gpd
import pytest

from tests.helpers import make_two_wards


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A skipped test counts as a failure: every test must run here and in CI."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and reporter.stats.get("skipped") and exitstatus == 0:
        session.exitstatus = 1


@pytest.fixture
def two_wards() -> gpd.GeoDataFrame:
    """West ward [450000, 451000] x [200000, 201000], east ward [451000, 452000] x same."""
    return make_two_wards()

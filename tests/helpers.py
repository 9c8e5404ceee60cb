"""Builders shared by the tests: two hand-made 1 km wards, local CSV rows, the shipped data.

Everything is in EPSG:27700 with round numbers. Fixtures in ``conftest.py`` call these
builders; tests import them from ``tests.helpers`` (never from ``conftest``).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

from geo import columns as c
from geo.io import load_boundaries, load_incidents, read_incident_csv
from geo.paths import DEFAULT_BOUNDARIES, DEFAULT_INCIDENTS
from geo.settings import Settings

#: The repository root and its shipped ``data/`` folder.
ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"

#: South-west corner of the two wards; they share the edge x = X0 + 1000.
X0, Y0 = 450_000, 200_000
WEST, EAST = "E05000001", "E05000002"

#: Columns of a local-format incident file (easting/northing in EPSG:27700).
LOCAL_COLUMNS = ("id", "date", "category", "easting", "northing", "source", "notes")


def make_two_wards() -> gpd.GeoDataFrame:
    """Two adjacent 1 km square wards, a fresh frame on every call.

    Returns
    -------
    geopandas.GeoDataFrame
        ``ward_code``, ``ward_name`` and polygon ``geometry`` in EPSG:27700: West
        ``[450000, 451000] x [200000, 201000]``, East ``[451000, 452000] x`` the same.

    """
    return gpd.GeoDataFrame(
        {c.WARD_CODE: [WEST, EAST], c.WARD_NAME: ["West", "East"]},
        geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000), box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000)],
        crs="EPSG:27700",
    )


def local_csv_bytes(
    rows: Sequence[dict[str, object]], *, columns: Sequence[str] = LOCAL_COLUMNS
) -> bytes:
    """The bytes of a local-format CSV file holding ``rows`` (missing cells left empty)."""
    df = pd.DataFrame(list(rows), columns=list(columns)).astype(object).fillna("")
    return df.to_csv(index=False).encode()


def local_csv(
    rows: Sequence[dict[str, object]],
    name: str = "local.csv",
    *,
    columns: Sequence[str] = LOCAL_COLUMNS,
) -> pd.DataFrame:
    """Raw frame from local-format rows (easting/northing), read through the real loader."""
    return read_incident_csv((name, local_csv_bytes(rows, columns=columns)))


def unit_settings(*, eps_m: float, min_samples: int) -> Settings:
    """Settings where every category weighs 1, so ``min_samples`` counts incidents."""
    base = Settings()
    ones = {k: dataclasses.replace(v, weight=1.0) for k, v in base.categories.items()}
    return Settings(eps_m=eps_m, min_samples=min_samples).replace(categories=ones)


def group_rows() -> list[dict[str, object]]:
    """Local rows: a tight group, noise, a point on the shared edge and one outside.

    Five drugs incidents within 20 m in the west ward (around ``X0 + 300, Y0 + 300``), two
    isolated noise points (one per ward), one point exactly on the shared edge and one
    outside both wards.
    """
    rows: list[dict[str, object]] = []
    for i, (dx, dy) in enumerate([(0, 0), (10, 0), (0, 10), (10, 10), (5, 5)]):
        rows.append(
            dict(
                id=f"g{i}",
                date="2018-06-01",
                category="drugs",
                easting=X0 + 300 + dx,
                northing=Y0 + 300 + dy,
                source="resident",
                notes="seen at no. 4",
            )
        )
    rows.append(
        dict(id="n1", date="2018-07-01", category="asb", easting=X0 + 800, northing=Y0 + 800)
    )
    rows.append(
        dict(id="n2", date="2018-07-01", category="asb", easting=X0 + 1500, northing=Y0 + 500)
    )
    rows.append(
        dict(id="edge", date="2018-07-01", category="asb", easting=X0 + 1000, northing=Y0 + 500)
    )
    rows.append(
        dict(id="out", date="2018-07-01", category="asb", easting=X0 + 5000, northing=Y0 + 500)
    )
    return rows


def shipped_inputs() -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    """The shipped incidents (raw, as read) and the shipped wards (as read, EPSG:4326)."""
    return load_incidents([DEFAULT_INCIDENTS]), load_boundaries(DEFAULT_BOUNDARIES)


# --- the evaluation hand case (evaluation and tuning tests) -------------------------------
#: Area of a point buffered by 25 m with 8 segments a quarter (a regular 32-gon):
#: (1/2) * 32 * 25^2 * sin(2*pi/32) = 10000 * sin(pi/16) = 1950.903 m^2.
SPOT_AREA = 10_000 * math.sin(math.pi / 16)
GROUP = (X0 + 325, Y0 + 325)  # centre of a 50 m cell in the west ward
LONER = (X0 + 800, Y0 + 800)  # west ward, far from the group
EASTER = (X0 + 1500, Y0 + 500)  # east ward


def hand_rows() -> list[dict[str, object]]:
    """Local drugs rows over four months at GROUP, LONER and EASTER.

    Jan-Mar 2018: 2 incidents a month at GROUP, 1 a month at LONER, 1 in January in the
    east ward (fit: 6 + 3 + 1 = 10). April: 2 at GROUP, 1 at LONER, 1 east (test: 4).
    """
    rows: list[dict[str, object]] = []

    def add(month: str, xy: tuple[int, int], n: int) -> None:
        for _ in range(n):
            rows.append(
                dict(
                    id=f"r{len(rows)}",
                    date=f"{month}-15",
                    category="drugs",
                    easting=xy[0],
                    northing=xy[1],
                )
            )

    for m in ("2018-01", "2018-02", "2018-03"):
        add(m, GROUP, 2)
        add(m, LONER, 1)
    add("2018-01", EASTER, 1)
    add("2018-04", GROUP, 2)
    add("2018-04", LONER, 1)
    add("2018-04", EASTER, 1)
    return rows

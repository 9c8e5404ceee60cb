"""Builders for the evaluation tests: hand-made incidents in two 1 km wards (EPSG:27700)."""

from __future__ import annotations

import math

import pandas as pd

from geo.categories import Category
from geo.io import read_incident_csv
from geo.settings import Settings

X0, Y0 = 450_000, 200_000  # south-west corner of the west ward (the two_wards fixture)
WEST, EAST = "E05000001", "E05000002"

#: Area of a point buffered by 25 m with 8 segments a quarter (a regular 32-gon):
#: (1/2) * 32 * 25^2 * sin(2 pi / 32) = 10000 * sin(pi / 16) = 1950.903 m^2.
SPOT_AREA = 10_000 * math.sin(math.pi / 16)


def unit_settings(**changes: object) -> Settings:
    """Settings where every category weighs 1, so min_samples counts incidents."""
    cats = {k: Category(v.label, 1.0, v.group) for k, v in Settings().categories.items()}
    return Settings().replace(categories=cats, **changes)


def weighted_settings(**changes: object) -> Settings:
    """Drugs weigh 2, every other category 1."""
    cats = {
        k: Category(v.label, 2.0 if k == "drugs" else 1.0, v.group)
        for k, v in Settings().categories.items()
    }
    return Settings().replace(categories=cats, **changes)


def rows(spec: list[tuple[str, tuple[float, float], int, str]]) -> pd.DataFrame:
    """Raw incidents from ``(month, (easting, northing), count, category)`` through the loader."""
    out: list[dict[str, object]] = []
    for month, (x, y), n, category in spec:
        for _ in range(n):
            out.append(
                {
                    "id": f"r{len(out)}",
                    "date": f"{month}-15",
                    "category": category,
                    "easting": x,
                    "northing": y,
                    "source": "",
                    "notes": "",
                }
            )
    frame = pd.DataFrame(out, columns=["id", "date", "category", "easting", "northing"])
    return read_incident_csv(("local.csv", frame.to_csv(index=False).encode()))

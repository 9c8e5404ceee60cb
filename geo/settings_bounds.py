"""The limits, defaults, units and help of every numeric clustering setting, declared once."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from geo.bounds import Bound

__all__ = ["BOUNDS"]

#: Limits, default, unit and help of every numeric setting of :class:`geo.settings.Settings`,
#: declared once: validation, the command-line help and the app's widgets read them, e.g.
#: ``BOUNDS["eps_m"].low``. ``weight`` bounds every category's weight; the ward overrides
#: share the bounds of ``eps_m``, ``min_samples`` and ``min_samples_per_month``;
#: ``public_min_count`` is also :data:`geo.public.PUBLIC_BOUNDS` ``["min_count"]``.
#: The defaults of ``eps_m`` (40 m) and ``min_samples_per_month`` (3.33: 10 over a 3-month
#: window) are what ``python -m geo tune --shapes hull`` recommends on the shipped data (the
#: written selection rule applied to every fold; README, "Choosing settings, and the
#: defaults").
BOUNDS: Mapping[str, Bound[Any]] = MappingProxyType(
    {
        "eps_m": Bound(
            low=0.0,
            high=5000.0,
            closed="right",
            default=40.0,
            unit="m",
            help="DBSCAN neighbourhood radius (inclusive)",
            step=5.0,
            typical=(10.0, 500.0),
        ),
        "min_samples": Bound(
            low=1,
            high=1_000_000,
            whole=True,
            default=None,
            help=(
                "a fixed count of weighted incidents within eps_m (the point itself included) "
                "for a core point, whatever the months clustered"
            ),
            step=1,
            typical=(1, 100),
        ),
        "min_samples_per_month": Bound(
            low=0.0,
            high=100_000.0,
            closed="right",
            default=3.33,
            help=(
                "weighted incidents a month within eps_m for a core point: min_samples is this "
                "x the calendar months clustered (rounded, at least 3)"
            ),
            step=0.01,
            typical=(0.1, 20.0),
        ),
        "hull_buffer_m": Bound(
            low=1.0,
            high=1000.0,
            default=25.0,
            unit="m",
            help="buffer around a hotspot's hull, so one- or two-point hotspots have an area",
        ),
        "trend_months": Bound(
            low=1,
            high=24,
            whole=True,
            default=3,
            unit="months",
            help="length of each of the two periods the trend compares",
        ),
        "weight": Bound(
            low=0.0,
            high=100.0,
            closed="right",
            default=1.0,
            help="weight of one incident of a category in DBSCAN and in hotspot scores",
            step=0.5,
            typical=(0.1, 100.0),
        ),
        "public_min_count": Bound(
            low=3,
            high=10_000,
            whole=True,
            default=5,
            unit="incidents",
            help="smallest number of incidents an area or a month needs to be shown",
            why="smaller groups could point at one household",
            step=1,
            typical=(3, 1000),
        ),
    }
)

"""Settings the app derives from its controls: month windows, category weights, ward overrides."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from geo.categories import Category
from geo.errors import ValidationError
from geo.settings import MONTH_RE, Settings, WardOverride

#: Patrol look-back windows offered, in months.
WINDOW_MONTHS: tuple[int, ...] = (1, 3, 6, 12)


def month_window(last_month: str, months: int) -> tuple[str, str]:
    """``(since, until)`` of the ``months`` calendar months ending with ``last_month``.

    Months count back from the data's last month, not from today:
    ``month_window("2018-11", 3) == ("2018-09", "2018-11")``.

    Raises
    ------
    ValidationError
        ``last_month`` is not ``YYYY-MM`` or ``months`` is not a whole number >= 1.

    """
    if not isinstance(last_month, str) or not MONTH_RE.match(last_month):
        raise ValidationError(f"The last month must be YYYY-MM. Got {last_month!r}.")
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise ValidationError(f"The window must be a whole number of months >= 1. Got {months!r}.")
    last = pd.Period(last_month, "M")
    return str(last - (months - 1)), last_month


def window_settings(settings: Settings, *, last_month: str, months: int) -> Settings:
    """``settings`` restricted to the last ``months`` months of the data.

    ``since``/``until`` are replaced by :func:`month_window`; ``trend_months`` is cut to
    half the window (at least 1) so the trend compares the latest part of the window with
    the part before it (a 1-month window has no trend).
    """
    since, until = month_window(last_month, months)
    trend = min(settings.trend_months, max(1, months // 2))
    return settings.replace(since=since, until=until, trend_months=trend)


def with_weights(settings: Settings, weights: Mapping[str, float]) -> Settings:
    """``settings`` with the weight of each category in ``weights`` changed (validated)."""
    unknown = sorted(set(weights) - set(settings.categories))
    if unknown:
        raise ValidationError(f"Unknown category key(s): {', '.join(unknown)}.")
    cats = {
        k: Category(label=cat.label, weight=float(weights.get(k, cat.weight)), group=cat.group)
        for k, cat in settings.categories.items()
    }
    return settings.replace(categories=cats)


def ward_overrides(
    values: Mapping[
        str, tuple[float | None, int | None] | tuple[float | None, int | None, float | None]
    ],
) -> dict[str, WardOverride]:
    """Ward code -> :class:`~geo.settings.WardOverride` for the wards with any value set.

    ``values`` maps a ward code to ``(eps_m, min_samples, min_samples_per_month)`` (the
    last may be left out), each ``None`` (or NaN) when not set; wards with none are left
    out (they use the study-wide parameters). A fixed ``min_samples`` and a per-month rate
    for the same ward are refused when the settings are built
    (:class:`~geo.settings.Settings`).
    """
    out: dict[str, WardOverride] = {}
    for code, given in sorted(values.items()):
        eps, ms, rate = (*given, None)[:3]
        eps_v = None if eps is None or pd.isna(eps) else float(eps)
        ms_v = None if ms is None or pd.isna(ms) else int(ms)
        rate_v = None if rate is None or pd.isna(rate) else float(rate)
        if eps_v is not None or ms_v is not None or rate_v is not None:
            out[code] = WardOverride(eps_m=eps_v, min_samples=ms_v, min_samples_per_month=rate_v)
    return out

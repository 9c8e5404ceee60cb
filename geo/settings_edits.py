"""Settings the app derives from its controls: month windows, category weights, ward overrides."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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


def months_in_window(data_months: Sequence[str], since: str, until: str) -> list[str]:
    """The months of the data (``YYYY-MM``, sorted) from ``since`` to ``until``, in order."""
    return [m for m in data_months if since <= m <= until]


def period_file_name(
    stem: str, data_months: Sequence[str], since: str, until: str, ext: str
) -> str:
    """A download's file name that says its months: ``"hotspots_2018-09_to_2018-11.csv"``.

    The months are those of the data inside the window (as :func:`geo.staff.period_text`
    gives them), so files saved from different periods neither overwrite nor get mixed up.

    Parameters
    ----------
    stem
        What the file holds (``"hotspots"``).
    data_months
        The months of the data, ``YYYY-MM``, sorted.
    since, until
        First and last month of the window, ``YYYY-MM``.
    ext
        The extension, without the dot.

    """
    shown = months_in_window(data_months, since, until) or [since, until]
    first, last = shown[0], shown[-1]
    months = first if first == last else f"{first}_to_{last}"
    return f"{stem}_{months}.{ext}"


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


def settings_changes(usual: Settings, now: Settings) -> list[str]:
    """What ``now`` changes from ``usual``, in short words, one item per setting changed.

    For a notice on the pages that show hotspots: settings tried on the Analyst page are
    named before anyone plans patrols from them or shows them at a meeting. The meeting
    view's minimum count (``public_min_count``) is left out: it has a control of its own.

    Parameters
    ----------
    usual
        The settings agreed on (the defaults, or those loaded from a settings file).
    now
        The settings in use.

    Returns
    -------
    list of str
        e.g. ``["eps_m 150 m (usual 40 m)", "Drugs weight 1 (usual 3)"]``; empty when
        the two cluster, score and filter incidents alike.

    """
    out: list[str] = []
    if now.eps_m != usual.eps_m:
        out.append(f"eps_m {now.eps_m:g} m (usual {usual.eps_m:g} m)")
    if (now.min_samples, now.min_samples_per_month) != (
        usual.min_samples,
        usual.min_samples_per_month,
    ):
        out.append(f"min_samples {now.min_samples_text()} (usual {usual.min_samples_text()})")
    if now.hull_buffer_m != usual.hull_buffer_m:
        out.append(f"hull buffer {now.hull_buffer_m:g} m (usual {usual.hull_buffer_m:g} m)")
    if now.trend_months != usual.trend_months:
        out.append(f"trend over {now.trend_months} months (usual {usual.trend_months})")
    if (now.since, now.until) != (usual.since, usual.until):
        out.append(
            f"months {_span(now.since, now.until)} (usual {_span(usual.since, usual.until)})"
        )
    if now.include != usual.include:
        out.append(f"categories shown: {_included(now)} (usual {_included(usual)})")
    if list(now.categories) != list(usual.categories):
        out.append("a different list of categories")
    else:
        for key, cat in now.categories.items():
            was = usual.categories[key]
            if cat.weight != was.weight:
                out.append(f"{cat.label} weight {cat.weight:g} (usual {was.weight:g})")
            elif (cat.label, cat.group) != (was.label, was.group):
                out.append(f"{cat.label}: label or group changed")
    if dict(now.aliases) != dict(usual.aliases):
        out.append("category names in the files read differently")
    if dict(now.ward_overrides) != dict(usual.ward_overrides):
        n, before = len(now.ward_overrides), len(usual.ward_overrides)
        out.append(f"settings of their own for {n} ward{'s' if n != 1 else ''} (usual {before})")
    return out


def _span(since: str | None, until: str | None) -> str:
    if since is None and until is None:
        return "all"
    return f"{since or 'the first'} to {until or 'the last'}"


def _included(settings: Settings) -> str:
    if not settings.include:
        return "all"
    return ", ".join(settings.label(key) for key in settings.include)

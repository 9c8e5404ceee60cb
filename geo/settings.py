"""Validated, frozen settings (clustering, categories, filters) that round-trip to TOML."""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import tomli_w

from geo.categories import DEFAULT_ALIASES, DEFAULT_CATEGORIES, GROUPS, Category
from geo.errors import ValidationError
from geo.settings_bounds import BOUNDS

__all__ = [
    "MIN_SAMPLES_FLOOR",
    "MONTH_RE",
    "Settings",
    "WardOverride",
    "months_spanned",
]

#: A month as written in settings and files: ``YYYY-MM``.
MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_RESERVED_KEYS = frozenset({"incidents", "locations"})

#: Smallest ``min_samples`` a per-month rate gives, whatever the window. At the default
#: 3.33 a month a 1-month window would otherwise need only 3 weighted incidents, so one
#: drugs incident (weight 3) at a map point would be a hotspot: on the shipped data the
#: 1-month view then finds 42 hotspots, 41 of them single map points, against 16 over 3
#: months. With the floor of 4 it finds 16, as many as 3 months (README, Settings). Windows
#: of 2 months or more are above the floor at the default rate. A fixed ``min_samples`` is
#: used as given.
MIN_SAMPLES_FLOOR = 4

_BOTH_MIN_SAMPLES = (
    "sets both 'min_samples' (a fixed count) and 'min_samples_per_month' (scaled by the "
    "months clustered); keep one of them"
)


def months_spanned(first: str, last: str) -> int:
    """Calendar months from ``first`` to ``last`` (``YYYY-MM``), both included.

    ``months_spanned("2018-09", "2018-11") == 3``.

    Raises
    ------
    ValidationError
        When a month is not ``YYYY-MM`` or ``last`` is before ``first``.

    """
    for name, value in (("first", first), ("last", last)):
        if not isinstance(value, str) or not MONTH_RE.match(value):
            raise ValidationError(f"months_spanned: {name} month must be YYYY-MM. Got {value!r}.")
    if last < first:
        raise ValidationError(f"months_spanned: last month {last} is before first month {first}.")
    y0, m0 = int(first[:4]), int(first[5:])
    y1, m1 = int(last[:4]), int(last[5:])
    return (y1 - y0) * 12 + (m1 - m0) + 1


def scaled_min_samples(per_month: float, months: int) -> int:
    """``min_samples`` for ``months`` calendar months at ``per_month`` weighted incidents a month.

    ``per_month x months`` rounded to the nearest whole number (halves up), and never below
    :data:`MIN_SAMPLES_FLOOR`: ``scaled_min_samples(1.67, 9) == 15``,
    ``scaled_min_samples(1.67, 3) == 5``, ``scaled_min_samples(1.67, 1) == 4``.

    Raises
    ------
    ValidationError
        When ``months`` is not a whole number >= 1.

    """
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise ValidationError(
            f"The number of months clustered must be a whole number >= 1. Got {months!r} instead."
        )
    return max(MIN_SAMPLES_FLOOR, math.floor(float(per_month) * months + 0.5))


@dataclass(frozen=True, kw_only=True)
class WardOverride:
    """Clustering parameters for one ward that differ from the study-wide ones.

    ``None`` keeps the study-wide value; the limits are those of :data:`BOUNDS`. As in
    :class:`Settings`, ``min_samples`` is a fixed count and ``min_samples_per_month`` is
    scaled by the months clustered; an override sets at most one of them (either replaces
    the study-wide rule for this ward).
    """

    eps_m: float | None = None
    min_samples: int | None = None
    min_samples_per_month: float | None = None


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Everything that decides a run's result, so a run can be saved and reproduced.

    All options are keyword-only and carry their unit in the name. The limits and defaults
    of the numeric ones are declared in :data:`BOUNDS`.

    Parameters
    ----------
    eps_m
        DBSCAN neighbourhood radius in metres. Inclusive.
    min_samples
        A fixed count: weighted incidents within ``eps_m`` (the point itself included) for
        a core point (whole number), whatever the months clustered. Weights come from the
        categories, so one drugs incident (weight 3) counts 3. ``None`` (the default) uses
        ``min_samples_per_month``.
    min_samples_per_month
        The same count stated per month: the effective ``min_samples`` is this x the
        calendar months clustered, rounded, at least :data:`MIN_SAMPLES_FLOOR` (see
        :meth:`min_samples_for`), so 1-, 3- and 12-month windows find comparable
        hotspots. Default 3.33 (10 over 3 months, 30 over the shipped 9). Setting both
        ``min_samples`` and ``min_samples_per_month`` is an error; with neither the
        default rate applies. :meth:`replace` with one of them clears the other.
    hull_buffer_m
        Buffer around a hotspot's hull so one- or two-point hotspots still have an area.
    trend_months
        Length of the trend periods: the last ``trend_months`` months of the data against
        the ``trend_months`` before them.
    since, until
        Inclusive month filter ``YYYY-MM`` (``None`` = open).
    include
        Category keys to keep (empty = all).
    categories
        Category key -> :class:`Category`.
    aliases
        Raw category text (lower case) -> category key.
    ward_overrides
        Ward code -> :class:`WardOverride`.
    public_min_count
        Smallest number of incidents an area or a month needs to be shown at meetings
        (the public view's ``min_count``, never below 3; its limits are also
        :data:`geo.public.PUBLIC_BOUNDS` ``["min_count"]``). Saved in the ``[public]``
        section.

    """

    eps_m: float = BOUNDS["eps_m"].default
    min_samples: int | None = None
    min_samples_per_month: float | None = None
    hull_buffer_m: float = BOUNDS["hull_buffer_m"].default
    trend_months: int = BOUNDS["trend_months"].default
    since: str | None = None
    until: str | None = None
    include: tuple[str, ...] = ()
    categories: Mapping[str, Category] = field(default_factory=lambda: DEFAULT_CATEGORIES)
    aliases: Mapping[str, str] = field(default_factory=lambda: DEFAULT_ALIASES)
    ward_overrides: Mapping[str, WardOverride] = field(default_factory=dict)
    public_min_count: int = BOUNDS["public_min_count"].default

    def __post_init__(self) -> None:
        problems = _problems(self)
        if problems:
            raise ValidationError(problems)
        if self.min_samples is None and self.min_samples_per_month is None:
            object.__setattr__(
                self, "min_samples_per_month", BOUNDS["min_samples_per_month"].default
            )
        # freeze the mappings so a Settings value cannot change after validation
        object.__setattr__(self, "categories", MappingProxyType(dict(self.categories)))
        lowered = {k.strip().lower(): v for k, v in self.aliases.items()}
        object.__setattr__(self, "aliases", MappingProxyType(lowered))
        object.__setattr__(self, "ward_overrides", MappingProxyType(dict(self.ward_overrides)))
        object.__setattr__(self, "include", tuple(self.include))

    def replace(self, **changes: Any) -> Settings:
        """Return a copy with ``changes`` applied (validated again).

        ``min_samples`` and ``min_samples_per_month`` are two ways to state one setting:
        giving one of them (not ``None``) clears the other unless both are given.
        """
        for given, other in (
            ("min_samples", "min_samples_per_month"),
            ("min_samples_per_month", "min_samples"),
        ):
            if changes.get(given) is not None and other not in changes:
                changes[other] = None
        return dataclasses.replace(self, **changes)

    def category_key(self, raw: str) -> str | None:
        """Map raw category text to a category key, or ``None`` when it is unknown."""
        text = raw.strip()
        if text in self.categories:
            return text
        return self.aliases.get(text.lower())

    @property
    def scales_min_samples(self) -> bool:
        """Whether the study-wide ``min_samples`` is a per-month rate (not a fixed count)."""
        return self.min_samples is None

    def min_samples_for(self, months: int, ward_code: str | None = None) -> int:
        """The effective ``min_samples`` for ``months`` calendar months clustered.

        A ward's override (either kind) replaces the study-wide rule for that ward. A
        fixed ``min_samples`` is returned as it is; a ``min_samples_per_month`` rate gives
        :func:`scaled_min_samples` (rate x months, rounded, at least
        :data:`MIN_SAMPLES_FLOOR`).

        Raises
        ------
        ValidationError
            When ``months`` is not a whole number >= 1.

        """
        o = self.ward_overrides.get(ward_code) if ward_code is not None else None
        fixed, rate = self.min_samples, self.min_samples_per_month
        if o is not None and (o.min_samples is not None or o.min_samples_per_month is not None):
            fixed, rate = o.min_samples, o.min_samples_per_month
        # checks months whatever the rule, so a bad call fails the same way for both
        scaled = scaled_min_samples(rate if rate is not None else 0.0, months)
        return int(fixed) if fixed is not None else scaled

    def params_for(self, ward_code: str, *, months: int) -> tuple[float, int]:
        """``(eps_m, min_samples)`` for a ward and ``months`` months clustered, override applied."""
        o = self.ward_overrides.get(ward_code)
        eps = o.eps_m if o is not None and o.eps_m is not None else self.eps_m
        return eps, self.min_samples_for(months, ward_code)

    def min_samples_text(self, months: int | None = None) -> str:
        """The study-wide rule in words: ``"1.67 a month x 3 months = 5"``, ``"15 (fixed)"``."""
        if self.min_samples is not None:
            return f"{self.min_samples} (fixed)"
        rate = f"{self.min_samples_per_month:g} a month"
        if months is None:
            return rate
        eff = self.min_samples_for(months)
        span = f"{months} month{'s' if months != 1 else ''}"
        exact = math.floor(float(self.min_samples_per_month or 0) * months + 0.5)
        floor = f" (the floor of {MIN_SAMPLES_FLOOR})" if eff > exact else ""
        return f"{rate} x {span} = {eff}{floor}"

    def label(self, key: str) -> str:
        """Plain-English label of a category key."""
        cat = self.categories.get(key)
        return cat.label if cat is not None else key

    def cache_key(self) -> tuple[Any, ...]:
        """A hashable value, equal for equal settings: a key for caching results.

        Every field in declaration order, mappings and dataclasses (categories, ward
        overrides) turned into nested tuples of plain values; mapping order is kept, since
        the order of the categories is the order of the output columns.
        """

        def plain(value: Any) -> Any:
            if isinstance(value, Mapping):
                return tuple((k, plain(v)) for k, v in value.items())
            if dataclasses.is_dataclass(value) and not isinstance(value, type):
                return tuple(
                    (f.name, plain(getattr(value, f.name))) for f in dataclasses.fields(value)
                )
            if isinstance(value, list | tuple):
                return tuple(plain(v) for v in value)
            return value

        key: tuple[Any, ...] = plain(self)
        return key

    # --- TOML ---------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain dict in the TOML layout (see :func:`settings_from_dict`)."""
        filters: dict[str, Any] = {"include": list(self.include)}
        if self.since:
            filters["since"] = self.since
        if self.until:
            filters["until"] = self.until
        clustering: dict[str, Any] = {"eps_m": float(self.eps_m)}
        if self.min_samples is not None:
            clustering["min_samples"] = int(self.min_samples)
        else:
            clustering["min_samples_per_month"] = float(self.min_samples_per_month or 0.0)
        clustering["hull_buffer_m"] = float(self.hull_buffer_m)
        clustering["trend_months"] = int(self.trend_months)
        return {
            "clustering": clustering,
            "filters": filters,
            "categories": {
                k: {"label": c.label, "weight": float(c.weight), "group": c.group}
                for k, c in self.categories.items()
            },
            "aliases": dict(self.aliases),
            "ward_overrides": {
                code: {k: v for k, v in dataclasses.asdict(o).items() if v is not None}
                for code, o in self.ward_overrides.items()
            },
            "public": {"min_count": int(self.public_min_count)},
        }

    def to_toml(self) -> str:
        """The settings as TOML text; :func:`settings_from_toml` reads it back."""
        return tomli_w.dumps(self.to_dict())


def _problems(s: Settings) -> list[str]:
    p: list[str] = []

    def check(name: str, value: object, bound: str) -> None:
        problem = BOUNDS[bound].problem(name, value)
        if problem is not None:
            p.append(problem)

    for name in ("eps_m", "hull_buffer_m", "trend_months"):
        check(name, getattr(s, name), name)
    check("public.min_count", s.public_min_count, "public_min_count")
    for name in ("min_samples", "min_samples_per_month"):
        if getattr(s, name) is not None:
            check(name, getattr(s, name), name)
    if s.min_samples is not None and s.min_samples_per_month is not None:
        p.append(f"The settings {_BOTH_MIN_SAMPLES}.")
    for name in ("since", "until"):
        v = getattr(s, name)
        if v is not None and (not isinstance(v, str) or not MONTH_RE.match(v)):
            p.append(f"The '{name}' setting must be a month YYYY-MM. Got {v!r} instead.")
    if (
        isinstance(s.since, str)
        and isinstance(s.until, str)
        and MONTH_RE.match(s.since)
        and MONTH_RE.match(s.until)
        and s.since > s.until
    ):
        p.append(f"'since' ({s.since}) is after 'until' ({s.until}).")
    if not s.categories:
        p.append("At least one category must be defined.")
    for key, cat in s.categories.items():
        if not isinstance(key, str) or not _KEY_RE.match(key) or key in _RESERVED_KEYS:
            p.append(f"Category key {key!r} must be lower_case_with_underscores (not 'incidents').")
        if not isinstance(cat, Category):
            p.append(f"Category {key!r} must be a Category. Got {type(cat).__name__}.")
            continue
        check(f"categories.{key}.weight", cat.weight, "weight")
        if cat.group not in GROUPS:
            p.append(f"Category {key!r} group must be one of {GROUPS}. Got {cat.group!r}.")
        if not cat.label.strip():
            p.append(f"Category {key!r} needs a label.")
    for raw, key in s.aliases.items():
        if key not in s.categories:
            p.append(f"Alias {raw!r} points to unknown category {key!r}.")
    for key in s.include:
        if key not in s.categories:
            known = ", ".join(sorted(s.categories))
            p.append(f"Unknown category {key!r} in 'include'. Known: {known}.")
    for code, o in s.ward_overrides.items():
        if not isinstance(code, str) or not code.strip() or code != code.strip():
            p.append(f"Ward override code {code!r} must be a ward code such as 'E05006549'.")
        if not isinstance(o, WardOverride):
            p.append(f"Ward override {code!r} must be a WardOverride.")
            continue
        for name in ("eps_m", "min_samples", "min_samples_per_month"):
            value = getattr(o, name)
            if value is not None:
                check(f"ward_overrides.{code}.{name}", value, name)
        if o.min_samples is not None and o.min_samples_per_month is not None:
            p.append(f"The override of ward {code} {_BOTH_MIN_SAMPLES}.")
    return p

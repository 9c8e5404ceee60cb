"""Validated, frozen settings (clustering, categories, filters) that round-trip to TOML."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import tomli_w

from geo.categories import DEFAULT_ALIASES, DEFAULT_CATEGORIES, GROUPS, Category
from geo.errors import ValidationError
from geo.settings_layout import _SECTION_KEYS, _layout_problems

__all__ = [
    "Settings",
    "WardOverride",
    "load_settings",
    "parse_toml",
    "read_settings_text",
    "save_settings",
    "settings_from_dict",
    "settings_from_toml",
]

_MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_RESERVED_KEYS = frozenset({"incidents", "locations"})


@dataclass(frozen=True)
class WardOverride:
    """Clustering parameters for one ward that differ from the study-wide ones."""

    eps_m: float | None = None
    min_samples: int | None = None


@dataclass(frozen=True)
class Settings:
    """Everything that decides a run's result, so a run can be saved and reproduced.

    All options are keyword-only and carry their unit in the name.

    Parameters
    ----------
    eps_m
        DBSCAN neighbourhood radius in metres (> 0, at most 5000). Inclusive.
    min_samples
        Weighted incidents within ``eps_m`` (the point itself included) for a core point
        (whole number >= 1). Weights come from the categories, so one drugs incident
        (weight 3) counts 3.
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

    """

    eps_m: float = 60.0
    min_samples: int = 15
    hull_buffer_m: float = 25.0
    trend_months: int = 3
    since: str | None = None
    until: str | None = None
    include: tuple[str, ...] = ()
    categories: Mapping[str, Category] = field(default_factory=lambda: DEFAULT_CATEGORIES)
    aliases: Mapping[str, str] = field(default_factory=lambda: DEFAULT_ALIASES)
    ward_overrides: Mapping[str, WardOverride] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems = _problems(self)
        if problems:
            raise ValidationError(problems)
        # freeze the mappings so a Settings value cannot change after validation
        object.__setattr__(self, "categories", MappingProxyType(dict(self.categories)))
        lowered = {k.strip().lower(): v for k, v in self.aliases.items()}
        object.__setattr__(self, "aliases", MappingProxyType(lowered))
        object.__setattr__(self, "ward_overrides", MappingProxyType(dict(self.ward_overrides)))
        object.__setattr__(self, "include", tuple(self.include))

    def replace(self, **changes: Any) -> Settings:
        """Return a copy with ``changes`` applied (validated again)."""
        return dataclasses.replace(self, **changes)

    def category_key(self, raw: str) -> str | None:
        """Map raw category text to a category key, or ``None`` when it is unknown."""
        text = raw.strip()
        if text in self.categories:
            return text
        return self.aliases.get(text.lower())

    def params_for(self, ward_code: str) -> tuple[float, int]:
        """``(eps_m, min_samples)`` for a ward, with its override applied."""
        o = self.ward_overrides.get(ward_code)
        eps = o.eps_m if o is not None and o.eps_m is not None else self.eps_m
        ms = o.min_samples if o is not None and o.min_samples is not None else self.min_samples
        return eps, ms

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
        return {
            "clustering": {
                "eps_m": float(self.eps_m),
                "min_samples": int(self.min_samples),
                "hull_buffer_m": float(self.hull_buffer_m),
                "trend_months": int(self.trend_months),
            },
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
        }

    def to_toml(self) -> str:
        """The settings as TOML text; :func:`settings_from_toml` reads it back."""
        return tomli_w.dumps(self.to_dict())


def _problems(s: Settings) -> list[str]:
    p: list[str] = []

    def num(name: str, value: object, lo: float, hi: float, lo_open: bool = False) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            p.append(f"The '{name}' setting must be a number. Got {value!r} instead.")
        elif (value <= lo if lo_open else value < lo) or value > hi or value != value:
            sign = ">" if lo_open else ">="
            p.append(f"The '{name}' setting must be {sign} {lo:g} and <= {hi:g}. Got {value!r}.")

    num("eps_m", s.eps_m, 0, 5000, lo_open=True)
    _whole(p, "min_samples", s.min_samples)
    num("hull_buffer_m", s.hull_buffer_m, 1, 1000)
    if not isinstance(s.trend_months, int) or not 1 <= s.trend_months <= 24:
        p.append(f"The 'trend_months' setting must be a whole number 1-24. Got {s.trend_months!r}.")
    for name in ("since", "until"):
        v = getattr(s, name)
        if v is not None and (not isinstance(v, str) or not _MONTH_RE.match(v)):
            p.append(f"The '{name}' setting must be a month YYYY-MM. Got {v!r} instead.")
    if (
        isinstance(s.since, str)
        and isinstance(s.until, str)
        and _MONTH_RE.match(s.since)
        and _MONTH_RE.match(s.until)
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
        num(f"categories.{key}.weight", cat.weight, 0, 100, lo_open=True)
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
        if not isinstance(o, WardOverride):
            p.append(f"Ward override {code!r} must be a WardOverride.")
            continue
        if o.eps_m is not None:
            num(f"ward_overrides.{code}.eps_m", o.eps_m, 0, 5000, lo_open=True)
        if o.min_samples is not None:
            _whole(p, f"ward_overrides.{code}.min_samples", o.min_samples)
    return p


def _whole(p: list[str], name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1_000_000:
        p.append(f"The '{name}' setting must be a whole number >= 1. Got {value!r} instead.")


def settings_from_dict(data: Mapping[str, Any], *, source: str = "settings") -> Settings:
    """Build :class:`Settings` from the TOML layout.

    Layout: ``[clustering]`` (eps_m, min_samples, hull_buffer_m, trend_months),
    ``[filters]`` (since, until, include), ``[categories.<key>]`` (label, weight, group),
    ``[aliases]`` (raw text = key), ``[ward_overrides.<ward code>]`` (eps_m, min_samples).
    Missing sections and keys keep their defaults; ``[categories]`` and ``[aliases]`` add to
    or change the defaults. Unknown sections and keys are refused so typos are not silently
    ignored; the message says where a misplaced setting belongs and suggests the closest
    known name.

    Raises
    ------
    ValidationError
        Naming ``source`` and every problem found.

    """
    problems = _layout_problems(data, source)
    if problems:
        raise ValidationError(problems)
    kw: dict[str, Any] = {}
    clustering = dict(data.get("clustering", {}))
    for k in _SECTION_KEYS["clustering"]:
        if k in clustering:
            kw[k] = clustering[k]
    filters = dict(data.get("filters", {}))
    for k in ("since", "until"):
        if k in filters:
            kw[k] = filters[k] or None
    if "include" in filters:
        kw["include"] = tuple(filters["include"])
    cats: dict[str, Category] = dict(DEFAULT_CATEGORIES)
    for key, spec in dict(data.get("categories", {})).items():
        base = cats.get(key, Category(label=str(key)))
        cats[str(key)] = Category(
            label=str(spec.get("label", base.label)),
            weight=spec.get("weight", base.weight),
            group=str(spec.get("group", base.group)),
        )
    kw["categories"] = cats
    aliases = {k: v for k, v in DEFAULT_ALIASES.items() if v in cats}
    aliases.update({str(k): str(v) for k, v in dict(data.get("aliases", {})).items()})
    kw["aliases"] = aliases
    if "ward_overrides" in data:
        kw["ward_overrides"] = {
            str(code): WardOverride(spec.get("eps_m"), spec.get("min_samples"))
            for code, spec in dict(data["ward_overrides"]).items()
        }
    try:
        return Settings(**kw)
    except ValidationError as exc:
        raise ValidationError([f"{source}: {p}" for p in exc.problems]) from None


def parse_toml(text: str, *, source: str) -> dict[str, Any]:
    """Parse TOML text; a syntax error becomes a :class:`ValidationError` naming ``source``."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(f"{source}: not valid TOML ({exc})") from None


def read_settings_text(path: str | Path) -> str:
    """Text of a settings file; unreadable or non-UTF-8 files raise naming the file."""
    p = Path(path)
    try:
        return p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValidationError(f"{p}: cannot read settings file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise ValidationError(f"{p}: settings file is not UTF-8 text") from None


def settings_from_toml(text: str, *, source: str = "settings.toml") -> Settings:
    """Parse TOML text written by :meth:`Settings.to_toml` (or by hand)."""
    return settings_from_dict(parse_toml(text, source=source), source=source)


def load_settings(path: str | Path) -> Settings:
    """Read settings from a TOML file; errors name the file."""
    return settings_from_toml(read_settings_text(path), source=str(Path(path)))


def save_settings(settings: Settings, path: str | Path) -> Path:
    """Write settings as TOML and return the path."""
    p = Path(path)
    p.write_text(settings.to_toml(), encoding="utf-8")
    return p

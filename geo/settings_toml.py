"""Settings from TOML: the file's layout checked, its values read into :class:`Settings`.

The layout is ``[clustering]``, ``[filters]``, ``[categories.<key>]``, ``[aliases]``,
``[ward_overrides.<ward code>]`` and ``[public]`` (see :meth:`Settings.to_dict`); unknown or
misplaced keys are refused with suggestions (:mod:`geo._settings_layout`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from geo._settings_layout import SECTION_KEYS, layout_problems
from geo.categories import DEFAULT_ALIASES, DEFAULT_CATEGORIES, Category
from geo.errors import ValidationError
from geo.settings import Settings, WardOverride

__all__ = [
    "load_settings",
    "parse_toml",
    "read_settings_text",
    "settings_from_dict",
    "settings_from_toml",
]


def settings_from_dict(data: Mapping[str, Any], *, source: str = "settings") -> Settings:
    """Build :class:`Settings` from the TOML layout.

    Layout: ``[clustering]`` (eps_m, min_samples *or* min_samples_per_month, hull_buffer_m,
    trend_months), ``[filters]`` (since, until, include), ``[categories.<key>]`` (label,
    weight, group), ``[aliases]`` (raw text = key), ``[ward_overrides.<ward code>]`` (eps_m,
    min_samples or min_samples_per_month), ``[public]`` (min_count). A ``min_samples`` in a
    file is a fixed count, as in files written before ``min_samples_per_month`` existed;
    ``min_samples_per_month`` scales with the months clustered; a file with both (in one
    section) is refused naming both. Missing sections and keys keep their defaults;
    ``[categories]`` and ``[aliases]`` add to or change the defaults. Unknown sections and
    keys are refused so typos are not silently ignored; the message says where a misplaced
    setting belongs and suggests the closest known name.

    Raises
    ------
    ValidationError
        Naming ``source`` and every problem found.

    """
    problems = layout_problems(data, source)
    if problems:
        raise ValidationError(problems)
    kw: dict[str, Any] = {}
    clustering = dict(data.get("clustering", {}))
    for k in SECTION_KEYS["clustering"]:
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
            str(code): WardOverride(
                eps_m=spec.get("eps_m"),
                min_samples=spec.get("min_samples"),
                min_samples_per_month=spec.get("min_samples_per_month"),
            )
            for code, spec in dict(data["ward_overrides"]).items()
        }
    public = dict(data.get("public", {}))
    if "min_count" in public:
        kw["public_min_count"] = public["min_count"]
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

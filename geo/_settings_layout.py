"""Layout checks for settings TOML (misplaced sections and keys); used by :mod:`geo.settings`."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import tomli_w

from geo.categories import DEFAULT_CATEGORIES

#: The sections of a settings file and the keys each takes directly.
SECTION_KEYS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "clustering": (
            "eps_m",
            "min_samples",
            "min_samples_per_month",
            "hull_buffer_m",
            "trend_months",
        ),
        "filters": ("since", "until", "include"),
        "categories": (),
        "aliases": (),
        "ward_overrides": (),
        "public": ("min_count",),
    }
)
#: Setting name -> the section it belongs in.
_HOME = MappingProxyType({k: sec for sec, keys in SECTION_KEYS.items() for k in keys})
_CATEGORY_KEYS = ("label", "weight", "group")
_OVERRIDE_KEYS = ("eps_m", "min_samples", "min_samples_per_month")
#: DBSCAN's usual names for the settings, suggested when written instead of ours.
_SYNONYMS = MappingProxyType(
    {"epsilon": "eps_m", "minpts": "min_samples", "min_pts": "min_samples"}
)
_SECTIONS_TEXT = (
    "The sections are [clustering], [filters], [categories.<key>], [aliases], "
    "[ward_overrides.<ward code>] and [public]."
)


def _closest(name: str, choices: Iterable[str]) -> str | None:
    """The known name ``name`` was most likely meant to be (case ignored), or ``None``."""
    low = name.strip().lower()
    options = list(choices)
    if _SYNONYMS.get(low) in options:
        return _SYNONYMS[low]
    hits = difflib.get_close_matches(low, options, n=1)
    return hits[0] if hits else None


def _toml_value(value: object) -> str:
    """``value`` as TOML on one line (arrays inline)."""
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return tomli_w.dumps({"x": value}).strip()[len("x = ") :]


def _misplaced(source: str, key: str, value: object, data: Mapping[str, Any]) -> str:
    """A top-level ``key = value`` whose key is a setting of a section."""
    sec = _HOME[key]
    line = f"{key} = {_toml_value(value)}"
    where = f"{source}: {key} belongs under [{sec}]"
    if not isinstance(data.get(sec), Mapping):
        return f"{where}: write it as\n[{sec}]\n{line}"
    if key in data[sec]:
        return f"{where}, which already sets it: delete the line '{line}' at the top of the file"
    return f"{where}: move the line '{line}' into the [{sec}] section"


def _top_level_problem(source: str, key: str, value: object, data: Mapping[str, Any]) -> str:
    """What is wrong with a top-level entry that is not one of the sections."""
    if not isinstance(value, Mapping):
        if key in _HOME:
            return _misplaced(source, key, value, data)
        guess = _closest(key, _HOME)
        if guess is None:
            return f"{source}: unknown setting '{key}' outside any section. {_SECTIONS_TEXT}"
        sec = _HOME[guess]
        return (
            f"{source}: unknown setting '{key}'; did you mean '{guess}'? It belongs under "
            f"[{sec}]: write it as\n[{sec}]\n{guess} = {_toml_value(value)}"
        )
    categories = data.get("categories")
    guess = _closest(key, SECTION_KEYS)
    if key in _HOME:
        hint = f"; {key} is a setting under [{_HOME[key]}], not a section."
    elif key in DEFAULT_CATEGORIES or (isinstance(categories, Mapping) and key in categories):
        hint = f"; did you mean [categories.{key}]?"
    else:
        hint = f"; did you mean [{guess}]?" if guess else "."
    return f"{source}: unknown section [{key}]{hint} {_SECTIONS_TEXT}"


def _unknown_key(where: str, key: str, known: tuple[str, ...], takes: str) -> str:
    """``where.key`` is not one of ``known``: say where it belongs or suggest the closest."""
    home = _HOME.get(key)
    if home is not None and home != where:
        return f"unknown key {where}.{key}; {key} belongs under [{home}]. {takes}"
    guess = _closest(key, known)
    hint = f"; did you mean '{guess}'?" if guess else "."
    return f"unknown key {where}.{key}{hint} {takes}"


def _takes(what: str, keys: Iterable[str]) -> str:
    """``"<what> takes a, b and c."``."""
    *first, last = keys
    return f"{what} takes " + (f"{', '.join(first)} and {last}." if first else f"{last}.")


def layout_problems(data: Mapping[str, Any], source: str) -> list[str]:
    """Every problem with the layout of settings ``data`` (sections, keys, tables)."""
    p: list[str] = []
    for key, value in data.items():
        if key not in SECTION_KEYS:
            p.append(_top_level_problem(source, str(key), value, data))
        elif not isinstance(value, Mapping):
            p.append(f"{source}: {key} must be a section: write [{key}] on a line of its own")
        elif key in ("clustering", "filters", "public"):
            known = SECTION_KEYS[key]
            takes = _takes(f"[{key}]", known)
            p += [
                f"{source}: {_unknown_key(key, k, known, takes)}" for k in value if k not in known
            ]
        elif key in ("categories", "ward_overrides"):
            fields = _CATEGORY_KEYS if key == "categories" else _OVERRIDE_KEYS
            takes = _takes("A category" if key == "categories" else "A ward override", fields)
            for name, spec in value.items():
                if not isinstance(spec, Mapping):
                    p.append(f"{source}: {key}.{name} must be a section [{key}.{name}]. {takes}")
                    continue
                p += [
                    f"{source}: {_unknown_key(f'{key}.{name}', k, fields, takes)}"
                    for k in spec
                    if k not in fields
                ]
    filters = data.get("filters")
    include = filters.get("include", []) if isinstance(filters, Mapping) else []
    if not isinstance(include, list):
        p.append(
            f"{source}: filters.include must be a list of category keys, "
            f'e.g. include = ["drugs", "asb"]. Got {include!r}.'
        )
    return p

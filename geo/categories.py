"""Incident categories: the Category record and the default category and alias tables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["DEFAULT_ALIASES", "DEFAULT_CATEGORIES", "GROUPS", "Category", "leading_categories"]

GROUPS = ("asb", "drugs", "other")


@dataclass(frozen=True)
class Category:
    """One incident category.

    Parameters
    ----------
    label
        Plain-English name shown to people ("Drugs", "Discarded needles").
    weight
        Weight of one incident of this category in DBSCAN and in hotspot scores (> 0).
    group
        Coarse group for before/after analysis: ``"asb"``, ``"drugs"`` or ``"other"``.

    """

    label: str
    weight: float = 1.0  # limits: geo.settings_bounds.BOUNDS["weight"]
    group: str = "other"


def _cat(label: str, weight: float, group: str = "other") -> Category:
    return Category(label=label, weight=weight, group=group)


#: Default categories: the 14 police.uk crime types and the team's local report types.
#: Weights favour what the neighbourhood team targets (Class A dealing, needles, ASB).
DEFAULT_CATEGORIES: Mapping[str, Category] = MappingProxyType(
    {
        "asb": _cat("Anti-social behaviour", 1.5, "asb"),
        "drugs": _cat("Drugs", 3.0, "drugs"),
        "weapons": _cat("Possession of weapons", 2.0),
        "violence": _cat("Violence and sexual offences", 1.0),
        "robbery": _cat("Robbery", 1.0),
        "burglary": _cat("Burglary", 1.0),
        "criminal_damage": _cat("Criminal damage and arson", 1.0),
        "public_order": _cat("Public order", 1.0),
        "shoplifting": _cat("Shoplifting", 0.5),
        "bicycle_theft": _cat("Bicycle theft", 0.5),
        "theft_from_person": _cat("Theft from the person", 0.5),
        "other_theft": _cat("Other theft", 0.5),
        "vehicle_crime": _cat("Vehicle crime", 0.5),
        "other_crime": _cat("Other crime", 0.5),
        "needle_find": _cat("Discarded needles", 2.0, "drugs"),
        "dealing_report": _cat("Dealing reported by residents", 3.0, "drugs"),
        "asb_report": _cat("Anti-social behaviour reported by residents", 1.5, "asb"),
        "postbox_slip": _cat("Postbox slip", 1.0),
    }
)

#: Raw category text (police.uk ``Crime type``, local ``category``) -> category key.
#: Matching ignores case and surrounding spaces; keys themselves always match.
DEFAULT_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "anti-social behaviour": "asb",
        "drugs": "drugs",
        "possession of weapons": "weapons",
        "violence and sexual offences": "violence",
        "violent crime": "violence",
        "robbery": "robbery",
        "burglary": "burglary",
        "criminal damage and arson": "criminal_damage",
        "public order": "public_order",
        "public disorder and weapons": "public_order",
        "shoplifting": "shoplifting",
        "bicycle theft": "bicycle_theft",
        "theft from the person": "theft_from_person",
        "other theft": "other_theft",
        "vehicle crime": "vehicle_crime",
        "other crime": "other_crime",
        "needle find": "needle_find",
        "needles": "needle_find",
        "dealing report": "dealing_report",
        "asb report": "asb_report",
        "postbox slip": "postbox_slip",
    }
)


def leading_categories(mix: str, top: int = 3) -> str:
    """The first ``top`` entries of a hotspot's category mix, and how many more there are.

    ``mix`` is a hotspot's ``categories`` text (``"Drugs 5, Anti-social behaviour 3, ..."``,
    largest first, from :func:`geo.hotspots.summarise_hotspots`): ``"Drugs 5,
    Anti-social behaviour 3, Burglary 2 (+4 more)"``. What a list row or a map popup has room
    for; the whole mix stays in the downloads.
    """
    parts = [p for p in str(mix).split(", ") if p]
    more = len(parts) - top
    return ", ".join(parts[:top]) + (f" (+{more} more)" if more > 0 else "")

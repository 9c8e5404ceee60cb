"""Did it work? In plain English: one card per intervention for the sergeant planning patrols.

The card reads the measures of :func:`geo.interventions.effect.evaluate_intervention` for one
category group and says, in this order: what happened in the target compared with the control,
whether the problem moved round the corner (the ring) or the ring improved too, and how sure we
can be. The small-count rule decides the headline: when the target or the control holds fewer
than ``min_count`` incidents in a window, the card says "too few incidents to tell" and makes no
claim about displacement or diffusion, whatever the ratios say.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import shapely

from geo.dates import period_words
from geo.interventions.areas import Windows
from geo.interventions.effect import InterventionResult
from geo.interventions.events import Intervention
from geo.interventions.statistics import relative_effect
from geo.places import NEAR_MAX_M

__all__ = [
    "GROUP_WORDS",
    "KIND_WORDS",
    "VERDICTS",
    "EffectCard",
    "card_from_row",
    "card_group",
    "effect_card",
    "place_near",
]

#: Short verdicts, one per card, in the order a reader scans them.
VERDICTS: tuple[str, ...] = ("fell", "rose", "no clear change", "no comparison", "too few")

#: How each kind of intervention is named on a card.
KIND_WORDS: dict[str, str] = {
    "warrant": "Warrant",
    "closure_order": "Closure order",
    "team_start": "Team start",
    "patrol_operation": "Patrol operation",
    "other": "Intervention",
}

#: How each measured group of categories is named on a card.
GROUP_WORDS: dict[str, str] = {"drugs": "drug", "asb": "anti-social behaviour", "all": "recorded"}


@dataclass(frozen=True)
class EffectCard:
    """One intervention's result in words.

    Attributes
    ----------
    intervention_id, title
        The id as written, and e.g. ``"Warrant EX-PRIORY-RD, 15 August 2018"``.
    group
        The category group measured (``"drugs"``, ``"asb"`` or ``"all"``).
    verdict
        One of :data:`VERDICTS`.
    headline
        One sentence a sergeant reads first.
    target, ring, certainty
        One sentence each: the target against the control; round the corner (the ring; ""
        for an area-wide event); how sure we can be.
    windows
        ``"May to July 2018 against September to November 2018"``.

    """

    intervention_id: str
    title: str
    group: str
    verdict: str
    headline: str
    target: str
    ring: str
    certainty: str
    windows: str


def card_group(kind: str) -> str:
    """The group a card leads with: drugs for a warrant, everything recorded otherwise."""
    return "drugs" if kind == "warrant" else "all"


def _change(before: int, after: int) -> str:
    """``"54 → 28 (down 48%)"``."""
    if before == 0:
        return f"{before} → {after}"
    pct = round(100 * (after - before) / before)
    if pct == 0:
        return f"{before} → {after} (no change)"
    return f"{before} → {after} ({'down' if pct < 0 else 'up'} {abs(pct)}%)"


def _num(row: dict[str, object], key: str) -> float:
    """``row[key]`` as a float; NaN when missing, None or not a number."""
    v = row.get(key)
    try:
        return float(v) if v is not None else math.nan  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def _count(row: dict[str, object], area: str, when: str) -> int | None:
    """An area's count in a window; None when the area does not exist."""
    v = _num(row, f"{area}_{when}")
    return None if math.isnan(v) else int(v)


def place_near(iv: Intervention, streets: gpd.GeoDataFrame, *, max_m: float = NEAR_MAX_M) -> str:
    """The police.uk street or place name nearest an intervention's location, or "".

    Parameters
    ----------
    iv
        The intervention; an area-wide one (no location) gets "".
    streets
        Named police.uk map points, as :func:`geo.places.street_points` gives them:
        ``name`` (str), ``generic`` (bool, a kind such as ``Supermarket``), point
        ``geometry`` in a metric CRS; busiest first.
    max_m
        Names further than this (metres) from the location are not used.

    Returns
    -------
    str
        The nearest name that is not a generic kind (ties: the busiest point), "" when
        none lies within ``max_m``. Staff only: it tells where the intervention was.

    """
    if iv.x is None or iv.y is None or iv.xy_crs is None or streets.empty:
        return ""
    named = streets[~streets["generic"].to_numpy(dtype=bool)]
    if named.empty or named.crs is None:
        return ""
    where = gpd.GeoSeries([shapely.Point(iv.x, iv.y)], crs=iv.xy_crs).to_crs(named.crs)
    distance = named.geometry.distance(where.iloc[0]).to_numpy()
    nearest = int(distance.argmin())  # the first of equals: the busiest point
    return str(named["name"].iloc[nearest]) if distance[nearest] <= max_m else ""


def effect_card(
    result: InterventionResult, *, group: str | None = None, place: str = ""
) -> EffectCard:
    """The plain-English card of one evaluated intervention.

    Parameters
    ----------
    result
        One :class:`geo.interventions.effect.InterventionResult`; its ``effects`` table holds
        one row per group with ``target_before``/``after``, ``ring_*``, ``control_*`` counts
        (None where the area does not exist), ``relative_effect``, ``rr_low``, ``rr_high`` and
        ``enough_data``.
    group
        The group to describe; default :func:`card_group` of the intervention's kind.
    place
        Where it was in words (e.g. :func:`place_near`), put in the title: "Warrant
        EX-PRIORY-RD near Priory Road, 15 August 2018"; "" leaves it out.

    Returns
    -------
    EffectCard
        The verdict and its sentences.

    """
    iv = result.intervention
    group = group or card_group(iv.kind)
    rows = result.effects[result.effects["group"] == group]
    if rows.empty:
        raise ValueError(f"The 'group' argument must be one of the measured groups. Got {group!r}.")
    row = {str(k): v for k, v in rows.iloc[0].to_dict().items()}
    return card_from_row(row, iv, result.windows, min_count=result.options.min_count, place=place)


def card_from_row(
    row: dict[str, object],
    iv: Intervention,
    windows: Windows,
    *,
    min_count: int,
    place: str = "",
) -> EffectCard:
    """The card from one row of :func:`geo.interventions.displacement.effect_row`.

    ``row`` holds ``group``, ``<area>_before``/``_after`` for ``target``, ``ring`` and
    ``control`` (None where the area does not exist), ``relative_effect``, ``rr_low``,
    ``rr_high`` and ``enough_data``; ``min_count`` is the small-count rule it was built with;
    ``place`` as in :func:`effect_card`.
    """
    group = str(row["group"])
    what = f"{GROUP_WORDS.get(group, group)} incidents"
    tb, ta = _count(row, "target", "before") or 0, _count(row, "target", "after") or 0
    cb, ca = _count(row, "control", "before"), _count(row, "control", "after")
    db, da = _count(row, "ring", "before"), _count(row, "ring", "after")
    title = f"{KIND_WORDS.get(iv.kind, 'Intervention')} {iv.intervention_id}"
    title += f" near {place}, " if place else ", "
    title += f"{iv.start_date.day} {iv.start_date:%B %Y}"
    period = f"{period_words(windows.before)} against {period_words(windows.after)}"
    target = f"In the target: {_change(tb, ta)} {what}"
    if cb is not None and ca is not None:
        target += f"; in the comparison area: {_change(cb, ca)}."
    else:
        target += "; there is no comparison area."
    enough = bool(row.get("enough_data"))
    low, high = _num(row, "rr_low"), _num(row, "rr_high")
    ring = ""
    if not enough:
        verdict = "too few"
        headline = (
            f"Too few {what} to tell: at least {min_count} are needed in the target before "
            "and in the comparison area in each window."
        )
        certainty = "Not enough incidents for any conclusion; treat the counts as a description."
        if db is not None and da is not None:
            ring = f"Round the corner: {_change(db, da)} {what} (too few to read)."
    elif cb is None or ca is None:
        verdict = "no comparison"
        headline = (
            f"{what[0].upper()}{what[1:]} in the target went {_change(tb, ta)}, but with no "
            "comparison area this cannot be told apart from seasonal or wider trends."
        )
        certainty = (
            "No comparison area: every ward of the data is in the target. On the Analyst "
            "page (Interventions) choose target wards, or load data for a wider area, to "
            "compare."
        )
    else:
        if high < 1:
            verdict = "fell"
            headline = f"It looks like it worked: {what} fell more than in the comparison area."
        elif low > 1:
            verdict = "rose"
            headline = f"{what[0].upper()}{what[1:]} rose compared with the comparison area."
        else:
            verdict = "no clear change"
            headline = f"No clear change in {what} compared with the comparison area."
        certainty = (
            f"Relative to the comparison area the target changed by a factor of "
            f"{_num(row, 'relative_effect'):.2f} (95% interval {low:.2f} to {high:.2f}"
            f"{', which includes no change' if low <= 1 <= high else ''})."
        )
        if db is not None and da is not None:
            ring = _ring_sentence(db, da, cb, ca, what, min_count=min_count)
    return EffectCard(
        intervention_id=iv.intervention_id,
        title=title,
        group=group,
        verdict=verdict,
        headline=headline,
        target=target,
        ring=ring,
        certainty=certainty,
        windows=period,
    )


def _ring_sentence(db: int, da: int, cb: int, ca: int, what: str, *, min_count: int) -> str:
    """Did the problem move round the corner? The ring against the control, with its interval."""
    head = f"Round the corner: {_change(db, da)} {what}"
    if max(db, da) < min_count:
        return f"{head}: too few to tell whether it moved there."
    rr = relative_effect(db, da, cb, ca)
    if rr.low > 1:
        return f"{head}: rose more than the comparison area; the problem may have moved there."
    if rr.high < 1:
        return f"{head}: fell more than the comparison area too; the benefit spread."
    return f"{head}: no clear change against the comparison area; no sign it moved there."

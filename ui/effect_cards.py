"""The Patrol page's "did it work?": one plain-English card per intervention, newest first.

Each card is :func:`geo.interventions.effect_card` of the same cached evaluation the Analyst
panel shows (:func:`ui.interventions.evaluate`, at the panel's default options): a badge with
the verdict in words (its colour and icon repeat the words, never replace them), the headline
decided by the small-count rule, what happened in the target, round the corner and how sure
we can be, a small before/after map, and the full table behind an expander.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Literal

import pandas as pd
import streamlit as st

from geo.errors import ValidationError
from geo.interventions import (
    EffectCard,
    InterventionResult,
    effect_card,
    effects_table,
    intervention_map,
    place_near,
)
from geo.maps import svg_html
from geo.settings import Settings
from ui import interventions as ivs
from ui import state
from ui.staff_map import street_frame
from ui.widgets import show_problem, stacked

#: Cards side by side in one row.
PER_ROW = 3
#: Height of each card's map, in pixels.
CARD_MAP_HEIGHT = 280
#: Key of the container holding the cards (Streamlit gives it the class ``st-key-<key>``).
CARDS_KEY = "effect_cards"
#: A verdict badge wraps onto a second line in a narrow card (three cards side by side on a
#: 1024-pixel screen) instead of being cut short with an ellipsis.
CARDS_CSS = f"""<style>
.st-key-{CARDS_KEY} .stMarkdownBadge {{white-space: normal !important;}}
</style>"""
#: Columns of the full table whose reading must not outrun the small-count rule.
READINGS = ("wdq_reading",)
#: Reading shown instead when a row has too few incidents to read.
TOO_FEW_READING = "too few incidents to read the ring or the target"


@dataclass(frozen=True)
class Badge:
    """How a verdict is shown: words first, then an icon and a colour that repeat them."""

    label: str
    icon: str
    color: Literal["green", "red", "orange", "gray"]


#: One badge per :data:`geo.interventions.card.VERDICTS` value.
BADGES: dict[str, Badge] = {
    "fell": Badge("Worked: fell more than the comparison area", ":material/check_circle:", "green"),
    "rose": Badge("Rose more than the comparison area", ":material/trending_up:", "red"),
    "no clear change": Badge("No clear change", ":material/drag_handle:", "orange"),
    "no comparison": Badge("No comparison area: cannot tell", ":material/help:", "gray"),
    "too few": Badge("Too few incidents to tell", ":material/hourglass_empty:", "gray"),
}


def badge(verdict: str) -> Badge:
    """The badge of ``verdict`` (one of :data:`geo.interventions.card.VERDICTS`).

    Raises
    ------
    ValidationError
        For a verdict with no badge.

    """
    if verdict not in BADGES:
        raise ValidationError(
            f"effect card: verdict {verdict!r} has no badge; expected one of {sorted(BADGES)}"
        )
    return BADGES[verdict]


def full_table(result: InterventionResult, *, group: str) -> pd.DataFrame:
    """Every figure behind one card: the ``group`` row of :func:`geo.interventions.effects_table`.

    Parameters
    ----------
    result
        One evaluated intervention.
    group
        The category group the card describes (:attr:`geo.interventions.EffectCard.group`);
        the other groups are on the Analyst page.

    Returns
    -------
    pandas.DataFrame
        One row with every column of the effects table, as it is, except that when its
        ``enough_data`` is False the :data:`READINGS` columns say :data:`TOO_FEW_READING`:
        the table never reads a displacement or a diffusion into counts the card calls too
        few.

    Raises
    ------
    ValidationError
        If ``group`` was not measured.

    """
    table = effects_table([result])
    table = table[table["group"].astype(str) == group].reset_index(drop=True)
    if table.empty:
        raise ValidationError(
            f"effect card of {result.intervention.intervention_id}: group {group!r} was not "
            "measured"
        )
    too_few = ~table["enough_data"].astype(bool)
    for col in READINGS:
        if col in table.columns:
            table[col] = table[col].astype(object)
            table.loc[too_few, col] = TOO_FEW_READING
    return table


def newest_first(results: list[InterventionResult]) -> list[InterventionResult]:
    """``results`` by start date, the most recent intervention first (stable for ties)."""
    return sorted(results, key=lambda r: r.intervention.start_date, reverse=True)


def card_map(result: InterventionResult) -> str:
    """Offline HTML of the card's map, zoomed to the target and ring of a point event.

    The map is the compact :func:`geo.interventions.intervention_map` (wards; target, ring
    and comparison areas; hotspots before, dashed, and after), with no legend box (the
    card's caption under the map says what the colours are) and its layer list collapsed,
    so the small map shows the areas; an area-wide event keeps the ward view.
    """
    return svg_html(intervention_map(result, compact=True))


@st.cache_data(show_spinner=False, max_entries=24)
def card_map_cached(
    key: str, settings_key: Hashable, iv_key: str, iv_id: str, _result: InterventionResult
) -> str:
    """:func:`card_map` of one cached evaluation (the keys are the evaluation's)."""
    return card_map(_result)


def map_key(result: InterventionResult) -> str:
    """The caption under a card's map: what each colour is, naming only what the map shows.

    An area-wide event (a team start) has no location, ring or comparison area, so its key
    names none of them; a point event's key names the dot, the target, the ring and the
    comparison area it has (``result.areas``' ``area`` column: ``target``, ``ring``,
    ``control``).
    """
    present = set(result.areas["area"].astype(str))
    parts = ["Red: target"]
    if "ring" in present:
        parts.append("orange: round the corner (ring)")
    if "control" in present:
        parts.append("blue: comparison area")
    first = "Black dot: the location. " if result.intervention.has_location else ""
    return f"{first}{'; '.join(parts)}. Hotspots: green dashed before, purple after."


def show_card(card: EffectCard, result: InterventionResult, map_html: str) -> None:
    """One bordered card: verdict badge, headline, sentences, map, full table on request."""
    b = badge(card.verdict)
    with st.container(border=True):
        st.markdown(f"**{card.title}**")
        st.badge(b.label, icon=b.icon, color=b.color)
        # a heading of body size: larger type ran to a dozen lines in a third of 1024 px
        st.markdown(f"###### {card.headline}")
        st.markdown(card.target)
        if card.ring:
            st.markdown(card.ring)
        st.markdown(card.certainty)
        # a start on the 1st leaves no month out (a team start on 1 June: June is "after")
        left_out = " (the month it started is left out)" if result.windows.excluded else ""
        st.caption(f"Compared: {card.windows}{left_out}.")
        st.iframe(map_html, height=CARD_MAP_HEIGHT)
        st.caption(map_key(result))
        with st.expander("Full table"):
            table = full_table(result, group=card.group)
            st.dataframe(table.T.set_axis(["value"], axis=1).astype(str), width="stretch")
            st.caption("Every figure behind this card; other category groups: Analyst page.")


def effect_cards_section(settings: Settings) -> None:
    """Did the last warrant, closure order or team start work? One card each, newest first."""
    st.subheader("Did it work?")
    try:
        events, source = ivs.current_interventions()
    except ValidationError as exc:
        show_problem("The interventions file could not be used:", exc)
        return
    if not events:
        st.info("No interventions recorded yet.")
        return
    try:
        with st.spinner("Comparing before and after each intervention…"):
            results = [ivs.evaluate(settings, iv.intervention_id, source) for iv in events]
    except ValidationError as exc:
        show_problem("The interventions cannot be evaluated with this data:", exc)
        return
    st.caption(
        f"{'Your interventions file' if source else 'The example interventions file'}; "
        f"within {ivs.CARD_OPTIONS.radius_m:.0f} m of each location, "
        f"{ivs.CARD_OPTIONS.months_before} months before against "
        f"{ivs.CARD_OPTIONS.months_after} after. Details and other settings: Analyst page."
    )
    src = state.data_source()
    src_key = src.key
    iv_key = ivs.file_key(source)
    streets = street_frame(src_key, src, settings)  # to name where each one was
    ordered = newest_first(results)
    st.html(CARDS_CSS)
    # on a narrow screen (1024 px with the sidebar open) the cards go one under the other:
    # three side by side left each map about 185 px wide, ward names running together
    with st.container(key=CARDS_KEY), stacked("effect_card_rows"):
        for start in range(0, len(ordered), PER_ROW):
            row = ordered[start : start + PER_ROW]
            for col, result in zip(st.columns(PER_ROW), row, strict=False):
                iv_id = result.intervention.intervention_id
                html = card_map_cached(src_key, settings.cache_key(), iv_key, iv_id, result)
                with col:
                    place = place_near(result.intervention, streets)
                    show_card(effect_card(result, place=place), result, html)

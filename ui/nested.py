"""The nested check of the Analyst page: settings chosen on earlier months only, on request."""

from __future__ import annotations

import streamlit as st

from geo import columns as c
from geo import evaluation as ev
from geo.errors import ValidationError
from geo.result import PipelineResult
from geo.settings import Settings
from ui.evaluation import NESTED_EPS_M, NESTED_MIN_SAMPLES, WINDOW, on_request, run_nested
from ui.settings_form import use_eps_and_rate

REQUEST = "nested_request"


def nested_section(settings: Settings, result: PipelineResult) -> None:
    """On request: each test month's setting chosen from the months before it, then scored."""
    months = sorted(set(result.incidents[c.MONTH].astype(str)))
    window = st.session_state.get(WINDOW)
    if not isinstance(window, int):
        return  # the evaluation section above said why it cannot run
    try:
        folds = ev.rolling_folds(months, window_months=window)
    except ValidationError:
        return
    st.markdown("**Settings chosen on earlier months only (the nested check)**")
    st.write(
        "The figures above score the settings in use. If those settings were picked by "
        "looking at these same months (the defaults were), the figures are in sample and "
        "flatter them. This check picks a setting for each test month by a written rule "
        "from the test months **before** it only, then scores it on that month, which it "
        "never read: that is the evidence to quote for a setting."
    )
    if len(folds) < 2:
        st.info("The nested check needs at least two test months: use a shorter window.")
        return
    st.caption(
        f"Rule: {ev.rule_text()}. Candidates: eps_m "
        f"{', '.join(f'{e:g}' for e in NESTED_EPS_M)} m × min_samples "
        f"{', '.join(map(str, NESTED_MIN_SAMPLES))} per {window}-month window, drawn as the "
        "maps draw hotspots. "
        f"{folds[0].test_month} has no earlier test month, so {len(folds) - 1} months are "
        "scored. This takes about half a minute."
    )
    nested = on_request(
        settings,
        window,
        run_nested,
        button="Run the nested check",
        key="nested_run",
        state_key=REQUEST,
        what="nested check",
        again="run it again",
    )
    if nested is not None:
        show_nested(nested, settings, window)


def show_nested(nested: ev.NestedResult, settings: Settings, window: int) -> None:
    """The choice and score of each month, both verdicts, and the next month's setting."""
    st.dataframe(ev.nested_months(nested), hide_index=True, width="stretch")
    st.caption(
        "Setting chosen: eps_m / min_samples per fit window. PAI: the test month's share of "
        "incidents inside the marked areas ÷ the share of the wards' area they mark. The "
        "other column is the best other method that marks the same area with the same kind "
        "of shape; finer maps (25 m cells) are compared below. 'Busiest map points, discs' "
        "marks 25 m discs round the fitted months' busiest map points, 'Kernel density, fine "
        "cells' the densest 25 m cells; 'study-wide' methods may put their area in any ward."
    )
    fixed = (
        f"The settings in use (eps_m {settings.eps_m:g} m, min_samples "
        f"{settings.min_samples_text(window)}) on the same months, in sample if they were "
        "picked by looking at them"
    )
    verdicts = (
        ("Chosen on earlier months only, against the same kind of map", nested.nested, True),
        ("Chosen on earlier months only, against any map", nested.nested, False),
        (f"{fixed}, against the same kind of map", nested.fixed, True),
    )
    for label, evaluation, same in verdicts:
        try:
            d = ev.paired_difference(evaluation.table, measure="pai", same_resolution=same)
            sentence = d.sentence()
        except ValidationError as exc:
            sentence = f"no method to compare with ({exc.first_line})"
        st.markdown(f"**{label}:** {sentence}")
    rec = nested.recommendation
    if rec is None:
        st.write("No setting meets the rule on every month, so none is recommended.")
        return
    k = rec.candidate
    in_use = (
        " (the settings in use)"
        if settings.min_samples is None
        and settings.eps_m == k.eps_m
        and settings.min_samples_for(window) == k.min_samples
        else ""
    )
    st.markdown(
        f"**For {rec.next_month}** the same rule, reading every test month "
        f"({rec.first_month} to {rec.last_month}), picks eps_m **{k.eps_m:g} m** and "
        f"min_samples **{k.min_samples} per {rec.window_months} months** "
        f"({rec.min_samples_per_month:g} a month){in_use}. That pick read every month, so it "
        "is not itself tested: the months above test the rule that made it, not this pick "
        f"(its mean area share over those months is {100 * rec.history_area_share:.2f} %, "
        "against the rule's cap)."
    )
    b1, b2 = st.columns(2)
    b1.button(
        f"Use {k.eps_m:g} m and {rec.min_samples_per_month:g} a month",
        on_click=use_eps_and_rate,
        args=(k.eps_m, rec.min_samples_per_month),
        key="use_recommended",
    )
    b2.download_button(
        "Recommended settings (TOML)",
        rec.toml(),
        "recommended.toml",
        "application/toml",
        key="recommended_toml",
    )

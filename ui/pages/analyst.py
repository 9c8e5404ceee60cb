"""Analyst (staff): tune the clustering, choose eps_m, evaluate, save and load the settings."""

from __future__ import annotations

import logging
from collections.abc import Hashable

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo import columns as c
from geo import evaluation as ev
from geo import public
from geo.cluster import months_clustered
from geo.errors import ValidationError
from geo.io import SETTINGS_TYPES
from geo.result import PipelineResult
from geo.settings import Settings
from geo.source import DataSource
from ui import cache, charts, state
from ui import settings_form as form
from ui.background import LatestJobWorker
from ui.evaluation import WINDOW as EVAL_WINDOW
from ui.evaluation import evaluation_section
from ui.gate import staff_gate
from ui.interventions import intervention_panel
from ui.nested import nested_section
from ui.staff_map import frames_for, show_staff_map
from ui.tuning_advice import current_red_flags, default_advice, flagged_sweep_rows, knee_text
from ui.widgets import NO_INCIDENTS, narrow_margins, show_problem, stacked

log = logging.getLogger("hotspots.app")

SWEEP_EPS = (20.0, 40.0, 60.0, 80.0, 100.0, 120.0, 150.0, 200.0, 250.0, 300.0)
#: Data with more used incidents than this gets no background runs (each would take long).
PREFETCH_MAX_INCIDENTS = 100_000


@st.cache_resource(show_spinner=False)
def prefetch_worker() -> LatestJobWorker:
    """The one worker for background runs, shared by every session of this server."""
    return LatestJobWorker("prefetch-eps")


def prefetch_next_steps(settings: Settings, result: PipelineResult) -> None:
    """Compute, in the background, the runs one eps_m slider step either side.

    Moving the slider by a step (an arrow key, a short drag) then finds its run and its
    map layers in the cache, as for a value seen before. Only fills the shared caches
    (nothing is drawn); skipped for data with more than :data:`PREFETCH_MAX_INCIDENTS`.
    """
    if result.counts.accepted > PREFETCH_MAX_INCIDENTS:
        return
    source = state.data_source()
    lo, hi = form.eps_range(settings)
    neighbours = [
        settings.replace(eps_m=eps)
        for eps in (settings.eps_m + form.EPS_STEP_M, settings.eps_m - form.EPS_STEP_M)
        if lo <= eps <= hi
    ]

    def work() -> None:
        for s in neighbours:
            try:
                frames_for(s, None, source)
            except Exception:  # a failure here only means no head start; the page reports it
                log.exception("prefetching eps_m %s failed", s.eps_m)
                return

    prefetch_worker().submit(work)


@st.cache_data(show_spinner=False, max_entries=16)
def red_flags_cached(
    key: str, settings_key: Hashable, eps_m: float, min_samples: int, _result: PipelineResult
) -> list[str]:
    """:func:`ui.tuning_advice.current_red_flags` of the run of (source, settings)."""
    return current_red_flags(_result, eps_m=eps_m, min_samples=min_samples)


def red_flags_box(settings: Settings, result: PipelineResult) -> None:
    """Beside the map: the red flags of the settings in use, each a visible warning."""
    st.markdown("**Red flags for these settings**")
    src = state.data_source()
    min_samples = settings.min_samples_for(months_clustered(result.incidents))
    flags = red_flags_cached(src.key, settings.cache_key(), settings.eps_m, min_samples, result)
    if not flags:
        st.success(
            "None: hotspots rest on enough core points, no ward is one hotspot, and they "
            "leave most incidents and almost all of the area out."
        )
    for flag in flags:
        st.warning(f"{flag[:1].upper()}{flag[1:]}.", icon=":material/flag:")
    st.caption(
        "Measured on the run on the map, at eps_m and min_samples above (per-ward "
        "overrides aside), as in the sweep."
    )


def use_evaluated_defaults() -> None:
    """Button callback: move the eps_m and min_samples controls to the evaluated defaults."""
    default = Settings()
    form.use_eps_and_rate(default.eps_m, default.min_samples_per_month or 0)


def evaluation_window(span: int) -> int:
    """Months of the evaluation's fit windows: the section's slider, else its default (3)."""
    chosen = st.session_state.get(EVAL_WINDOW)
    longest = max(span - 1, 1)
    if isinstance(chosen, int) and 1 <= chosen <= longest:
        return chosen
    return min(3, longest)


def eps_free(settings: Settings) -> Settings:
    """``settings`` with ``eps_m`` fixed: the k-distance and the sweep do not depend on it."""
    return settings.replace(eps_m=Settings().eps_m)


@st.cache_data(show_spinner=False, max_entries=16)
def k_distance_curve(
    key: str, settings_key: Hashable, k: int, _incidents: gpd.GeoDataFrame
) -> tuple[pd.DataFrame, float]:
    """The weighted k-distance curve (``share``, ``k_distance_m``) and its knee, in metres."""
    table = ev.k_distance_table(_incidents, k_values=[k])
    knee = float(table["suggested_eps_m"].iloc[0]) if len(table) else float("nan")
    return table[["share", "k_distance_m"]].reset_index(drop=True), knee


@st.cache_data(show_spinner=False, max_entries=16)
def eps_sweep(
    key: str, settings_key: Hashable, window_months: int, _source: DataSource, _settings: Settings
) -> pd.DataFrame:
    """Hotspots, noise share, hit rate and PAI for each of :data:`SWEEP_EPS`."""
    raw, wards, _ = cache.load(key, _source)
    return ev.sweep(
        raw,
        wards,
        _settings,
        eps_values=SWEEP_EPS,
        min_samples_values=[_settings.min_samples_for(window_months)],
        window_months=window_months,
        max_folds=1,
    )


def choosing_eps(settings: Settings, result: PipelineResult) -> None:
    """k-distance plot with its knee (an upper limit), and hotspots / noise against eps_m.

    The k-distance is computed as the evaluation below fits: on the last months of one of
    its windows, with the min_samples of that window. Charts are plain Vega-Lite
    specifications (:mod:`ui.charts`) whose data are named datasets. Moving the eps_m
    slider changes only the datasets (the current-eps_m line), not the specification, so
    the browser updates the drawn charts in place.
    """
    st.subheader("Choosing eps_m")
    src = state.data_source()
    fixed = eps_free(settings)
    months = sorted(set(result.incidents[c.MONTH].astype(str)))
    span = (pd.Period(months[-1], "M") - pd.Period(months[0], "M")).n + 1 if months else 0
    window = evaluation_window(span)
    k = settings.min_samples_for(window)
    last = [str(p) for p in pd.period_range(end=months[-1], periods=window, freq="M")]
    recent = result.incidents[result.incidents[c.MONTH].astype(str).isin(last)]
    table: pd.DataFrame | None = None
    if settings.min_samples is None and span >= 2:
        # three figures below come from one rule: say so once, before they appear
        st.caption(
            "min_samples grows with the months clustered, so the figures below differ from "
            f"the map's: {settings.min_samples_text(span)} on the map above, "
            f"{settings.min_samples_text(window)} for the k-distance, and "
            f"{settings.min_samples_text(span - 1)} for the sweep."
        )
    if span >= 2:
        with st.spinner("Trying eps_m from 20 to 300 m…"):
            table = eps_sweep(src.key, fixed.cache_key(), span - 1, src, fixed)
    advice = default_advice(settings)
    if advice is not None:
        st.button(
            advice,
            on_click=use_evaluated_defaults,
            key="use_evaluated_default",
            help=(
                "The defaults are the setting `python -m geo tune` chose by the written rule "
                "over nested folds (README, 'Choosing settings, and the defaults'). Compare "
                "any other setting on later months in the evaluation below."
            ),
        )
    left, right = st.columns(2)
    with left, st.spinner("Computing the k-distance curve…"):
        curve, knee = k_distance_curve(src.key, (fixed.cache_key(), tuple(last)), k, recent)
        st.markdown(
            f"**k-distance for min_samples = {k}** (per ward, weighted; the last {window} "
            f"month{'s' if window != 1 else ''}, as each fit window of the evaluation below)"
        )
        spec = charts.k_distance_spec(curve, knee, eps_m=settings.eps_m, k=k)
        st.vega_lite_chart(spec=spec, width="stretch")
        if knee == knee and knee > 0:
            st.markdown(knee_text(knee, k=k, window_months=window))
            if settings.eps_m >= knee:
                st.warning(
                    f"eps_m {settings.eps_m:.0f} m is at or above the knee ({knee:.0f} m): "
                    "expect a few ward-sized hotspots."
                )
        else:
            st.write("No knee: too few map points for this min_samples.")
    with right:
        if table is None:
            st.info("The sweep needs at least two months of data.")
            return
        points = charts.sweep_points(table)
        swept = settings.min_samples_for(span - 1)
        st.markdown(f"**Hotspots and noise against eps_m** (min_samples = {swept})")
        for field, title in (("hotspots", "hotspots"), ("noise_pct", "noise (%)")):
            spec = charts.sweep_spec(points, settings.eps_m, field, title)
            st.vega_lite_chart(spec=spec, width="stretch")
        st.caption(
            f"Each eps_m clustered on {months[0]} to the month before {months[-1]} at "
            f"min_samples {swept}: the number of hotspots and the share of incidents in none "
            "(noise). Dashed line: the current eps_m. The sweep table below also gives the "
            f"hit rate ({months[-1]}'s incidents inside those hotspots) and PAI."
        )
    # under both columns, full width: in the right column alone the flags ran a screen and a
    # half beside an empty left column, and the table's flags were cut
    flagged = flagged_sweep_rows(table)
    if flagged:
        st.warning("**Red flags in the sweep**\n\n" + "\n".join(f"- {f}" for f in flagged))
    with st.expander("Sweep table"):
        st.dataframe(
            # shares as percentages to one decimal, all alike ("79.1%", "76.6%")
            table[["eps_m", "n_hotspots", "noise_share", "hit_rate", "pai", "red_flags"]].assign(
                noise_share=100 * table["noise_share"], hit_rate=100 * table["hit_rate"]
            ),
            hide_index=True,
            width="stretch",
            column_config={
                "eps_m": st.column_config.NumberColumn("eps_m (m)", format="%d"),
                "n_hotspots": st.column_config.NumberColumn("Hotspots", format="%d"),
                "noise_share": st.column_config.NumberColumn("Noise", format="%.1f%%"),
                "hit_rate": st.column_config.NumberColumn("Hit rate", format="%.1f%%"),
                "pai": st.column_config.NumberColumn("PAI", format="%.1f"),
                "red_flags": st.column_config.TextColumn("Red flags", width="large"),
            },
        )


def save_and_load(settings: Settings) -> None:
    """Download the settings as TOML, load a TOML file, or go back to the defaults."""
    st.subheader("Save or load these settings")
    msg = st.session_state.pop(form.MESSAGE, None)
    if msg and msg[0] == "error":
        show_problem(
            "Could not load the settings file:", msg[1], "The settings in use did not change."
        )
    elif msg:
        st.success(msg[1])
    f1, f2 = st.columns(2)
    f1.download_button(
        "Save settings (TOML)", settings.to_toml(), "settings.toml", "application/toml"
    )
    f1.caption(
        "The same file the command line reads: `python -m geo hotspots --config settings.toml`."
    )
    f1.button("Back to the default settings", on_click=form.reset_settings)
    f2.file_uploader("Settings file (.toml)", type=list(SETTINGS_TYPES), key="settings_upload")
    f2.button("Load settings", on_click=form.load_settings_file)
    with st.expander("Settings in use (TOML)"):
        st.code(settings.to_toml(), language="toml")


def page() -> None:
    """Draw the analyst page (after the staff sign-in)."""
    if not staff_gate("Analyst"):
        return
    narrow_margins()
    st.title("Tune the clustering")
    base = state.settings()
    months = cache.data_months(base)
    if not months:
        st.warning(NO_INCIDENTS)
        return
    base_result = cache.result(base)
    try:
        settings = form.analyst_settings(base, base_result.wards, months)
    except ValidationError as exc:
        show_problem("These settings cannot be used:", exc, "The previous settings stay in use.")
        settings = base
    state.use_settings(settings)
    with st.spinner("Clustering…"):
        result = cache.result(settings)
    n = result.counts
    noise_share = n.noise / n.accepted if n.accepted else 0.0
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Hotspots", n.hotspots)
    m2.metric("Incidents in hotspots", n.clustered)
    m3.metric("Noise (in no hotspot)", f"{noise_share:.0%}")
    m4.metric("Incidents used", n.accepted)
    with stacked("analyst_map"):  # at 1024 px the red flags go under the map
        on_map, beside = st.columns([4, 1])
        with on_map:
            show_staff_map(settings, None, key="analyst_map", height=560)
        with beside:
            red_flags_box(settings, result)
    choosing_eps(settings, result)
    evaluation_section(settings, result)
    nested_section(settings, result)

    st.subheader("Interventions")
    if st.toggle("Evaluate a warrant, closure order or team start", key="analyst_interventions"):
        intervention_panel(settings)

    st.subheader("Meeting view")
    st.session_state["a_public_min"] = state.public_min_count()  # another tab may have set it
    bound = public.PUBLIC_BOUNDS["min_count"]
    st.number_input(
        "Smallest number of incidents an area needs to be shown at meetings",
        min_value=bound.low,
        max_value=bound.high,
        step=bound.step,
        key="a_public_min",
        on_change=form.use_public_min_count,
        help=(
            "Never below 3: smaller groups could point at one household. Applies to every "
            "viewer of this server and is saved with the settings ([public] min_count)."
        ),
    )

    save_and_load(state.settings())
    prefetch_next_steps(settings, result)


page()

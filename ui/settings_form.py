"""The Analyst page's settings widgets, and loading or resetting the settings in use."""

from __future__ import annotations

import geopandas as gpd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from geo import columns as c
from geo.errors import ValidationError
from geo.io import safe_upload_name, settings_upload
from geo.settings import Settings, months_spanned
from geo.settings_bounds import BOUNDS
from geo.settings_edits import settings_changes, ward_overrides, with_weights
from geo.settings_toml import settings_from_toml
from ui import state
from ui.widgets import LIMITS, init_widget

#: Session-state keys of the analyst widgets start with this.
PREFIX = "a_"
#: One step of the eps_m slider (arrow keys move it by one step).
EPS_STEP_M = 5.0
MESSAGE = "settings_message"


def eps_range(base: Settings) -> tuple[float, float]:
    """``(lowest, highest)`` position of the eps_m slider."""
    return min(10.0, float(base.eps_m)), max(500.0, float(base.eps_m))


def suggested_slider_eps(value: float) -> float:
    """A suggested ``eps_m`` as the slider can show it: to the nearest 5 m, in 10-5000 m."""
    return float(min(max(5 * round(value / 5), 10), 5000))


def use_eps_and_rate(eps_m: float, per_month: float) -> None:
    """Button callback: move the eps_m and per-month min_samples controls to these values."""
    st.session_state["a_eps"] = float(eps_m)
    st.session_state["a_ms_fixed"] = False
    st.session_state["a_ms_month"] = float(per_month)


def use_suggested_eps(value: float) -> None:
    """Button callback: move the eps_m slider to the suggested value (nearest 5 m)."""
    st.session_state["a_eps"] = suggested_slider_eps(value)


def reset_widgets() -> None:
    """Forget the analyst widgets so they show the settings in use on the next run."""
    for key in [k for k in st.session_state if str(k).startswith(PREFIX)]:
        del st.session_state[key]


def load_settings_file() -> None:
    """Button callback: read the uploaded TOML into the settings in use."""
    upload = st.session_state.get("settings_upload")
    try:
        if upload is None:
            raise ValidationError("Choose a settings .toml file first.")
        text = settings_upload(upload.name, upload.getvalue(), limits=LIMITS)
        loaded = settings_from_toml(text, source=safe_upload_name(upload.name))
    except ValidationError as exc:
        st.session_state[MESSAGE] = ("error", exc)
        return
    state.use_settings(
        loaded, share_public=True, usual=f"loaded from {safe_upload_name(upload.name)}"
    )
    reset_widgets()
    st.session_state[MESSAGE] = ("ok", f"Loaded settings from {safe_upload_name(upload.name)}.")


def use_usual_settings() -> None:
    """Button callback: back to the usual settings (:func:`ui.state.usual_settings`)."""
    usual, described = state.usual_settings()
    state.use_settings(usual)
    reset_widgets()
    st.session_state[MESSAGE] = ("ok", f"Back to the usual settings ({described}).")


def settings_notice(what: str, key: str) -> None:
    """A warning when the settings in use are not the usual ones, and a button back.

    Settings tried on the Analyst page stay in use on every page of the session; a page
    that shows hotspots names each change (``"eps_m 150 m (usual 40 m)"``) before anyone
    plans patrols from them or shows them at a meeting.

    Parameters
    ----------
    what
        What the page shows, to begin the sentence (``"This map"``).
    key
        Widget key of the button (one per page).

    """
    usual, described = state.usual_settings()
    changes = settings_changes(usual, state.settings())
    if not changes:
        return
    st.warning(
        f"{what} uses settings tried on the Analyst page, not the usual ones ({described}): "
        f"{'; '.join(changes)}.",
        icon=":material/tune:",
    )
    st.button("Use the usual settings", key=key, on_click=use_usual_settings)


def use_public_min_count() -> None:
    """Callback: the meeting view's minimum count from its widget, for every viewer."""
    state.use_public_min_count(int(st.session_state["a_public_min"]))


def reset_settings() -> None:
    """Button callback: back to the default settings."""
    state.use_settings(Settings(), share_public=True, usual="the defaults")
    reset_widgets()
    st.session_state[MESSAGE] = ("ok", "Back to the default settings.")


def per_month_range(base: Settings) -> tuple[float, float]:
    """``(lowest, highest)`` position of the min_samples-per-month slider."""
    lo, hi = BOUNDS["min_samples_per_month"].typical or (0.1, 20.0)
    value = float(base.min_samples_per_month or lo)
    return min(float(lo), value), max(float(hi), value)


def min_samples_widgets(base: Settings, column: DeltaGenerator) -> tuple[bool, float]:
    """The min_samples control: a per-month rate (default) or a fixed count.

    Returns ``(fixed, value)``: a fixed count (whole number) or weighted incidents a month.
    """
    init_widget("a_ms_fixed", base.min_samples is not None)
    init_widget("a_ms", int(base.min_samples) if base.min_samples is not None else 15)
    default_rate = float(BOUNDS["min_samples_per_month"].default)
    init_widget("a_ms_month", float(base.min_samples_per_month or 0) or default_rate)
    fixed = column.toggle(
        "Fixed count, whatever the months shown",
        key="a_ms_fixed",
        help=(
            "Off (the default): min_samples is stated per month and scaled by the months "
            "clustered, so 1, 3 and 12-month views find comparable hotspots."
        ),
    )
    if fixed:
        value = column.slider(
            "min_samples: weighted incidents needed near a core point",
            min_value=1,
            max_value=max(100, int(st.session_state["a_ms"])),
            key="a_ms",
        )
        return True, float(value)
    lo, hi = per_month_range(base)
    rate = column.slider(
        "min_samples per month: weighted incidents a month near a core point",
        min_value=lo,
        max_value=hi,
        step=BOUNDS["min_samples_per_month"].step,
        format="%.2f",
        key="a_ms_month",
    )
    return False, float(rate)


def analyst_settings(base: Settings, wards: gpd.GeoDataFrame, months: list[str]) -> Settings:
    """Widgets for every setting; returns the settings they describe (validated)."""
    init_widget("a_eps", float(base.eps_m))
    s1, s2 = st.columns(2)
    lo, hi = eps_range(base)
    eps = s1.slider(
        "eps_m: cluster radius (metres)",
        min_value=lo,
        max_value=hi,
        step=EPS_STEP_M,
        format="%.0f m",
        key="a_eps",
    )
    fixed, ms = min_samples_widgets(base, s2)
    effective = s2.empty()
    first = base.since if base.since in months else months[0]
    last = base.until if base.until in months else months[-1]
    since, until = st.select_slider(
        "Months used", options=months, value=(first, last), key="a_months"
    )
    span = months_spanned(since, until)
    rule = base.replace(min_samples=int(ms)) if fixed else base.replace(min_samples_per_month=ms)
    effective.caption(f"Effective min_samples: **{rule.min_samples_text(span)}**")
    with st.expander("Categories: which to include and their weights"):
        init_widget("a_include", list(base.include))
        include = st.multiselect(
            "Include only these categories (none chosen = all)",
            options=list(base.categories),
            format_func=base.label,
            key="a_include",
        )
        cols = st.columns(3)
        weights: dict[str, float] = {}
        weight = BOUNDS["weight"]
        w_lo, w_hi = weight.typical or (0.1, 100.0)
        for i, (key, cat) in enumerate(base.categories.items()):
            init_widget(f"a_w_{key}", float(cat.weight))
            weights[key] = cols[i % 3].number_input(
                cat.label,
                min_value=w_lo,
                max_value=w_hi,
                step=weight.step,
                key=f"a_w_{key}",
            )
    with st.expander("Per-ward overrides (empty = use the values above)"):
        overrides: dict[str, tuple[float | None, int | None, float | None]] = {}
        b_eps, b_fixed, b_rate = (
            BOUNDS["eps_m"],
            BOUNDS["min_samples"],
            BOUNDS["min_samples_per_month"],
        )
        for code, name in zip(wards[c.WARD_CODE], wards[c.WARD_NAME], strict=True):
            o = base.ward_overrides.get(code)
            init_widget(f"a_oe_{code}", o.eps_m if o else None)
            init_widget(f"a_om_{code}", o.min_samples if o else None)
            init_widget(f"a_op_{code}", o.min_samples_per_month if o else None)
            w1, w2, w3, w4 = st.columns([2, 1, 1, 1])
            w1.markdown(f"**{safe_upload_name(str(name)).replace('_', ' ')}** ({code})")
            oe = w2.number_input(
                "eps_m",
                min_value=EPS_STEP_M,
                max_value=b_eps.high,
                step=EPS_STEP_M,
                value=None,
                key=f"a_oe_{code}",
            )
            om = w3.number_input(
                "min_samples (fixed)",
                min_value=b_fixed.low,
                max_value=b_fixed.high,
                step=b_fixed.step,
                value=None,
                key=f"a_om_{code}",
            )
            op = w4.number_input(
                "min_samples per month",
                min_value=b_rate.step,
                max_value=b_rate.high,
                step=b_rate.step,
                format="%.2f",
                value=None,
                key=f"a_op_{code}",
            )
            overrides[str(code)] = (oe, None if om is None else int(om), op)
    full = (since, until) == (months[0], months[-1])
    new = rule.replace(
        eps_m=float(eps),
        since=None if full else since,
        until=None if full else until,
        include=tuple(include),
        ward_overrides=ward_overrides(overrides),
    )
    return with_weights(new, weights)

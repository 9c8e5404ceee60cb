"""Streamlit app: a thin shell over ``geo`` for public meetings, patrol planning and tuning.

Pages: Meeting (public, default), Patrol and Analyst (staff, password), Data (everyone).
Everything shown is computed by ``geo`` functions; this file turns widgets into arguments,
caches runs and renders results.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import streamlit as st
import streamlit.components.v1 as components
from streamlit_folium import st_folium

from geo import columns as c
from geo import evaluation as ev
from geo import postbox as pb
from geo import public
from geo.auth import check_password_hash, verify_password
from geo.background import LatestJobWorker
from geo.errors import ValidationError
from geo.interventions import (
    InterventionOptions,
    InterventionResult,
    effects_table,
    evaluate_intervention,
    intervention_map,
    interventions_table,
    load_interventions,
    series_png,
)
from geo.io import (
    BOUNDARY_TYPES,
    INCIDENT_TYPES,
    SETTINGS_TYPES,
    UploadLimits,
    boundary_upload,
    incident_uploads,
    load_boundaries,
    load_incidents,
    neutralise_markup,
    safe_upload_name,
    settings_upload,
    sources_digest,
)
from geo.maps import (
    asset_folders,
    base_map,
    density_layer,
    for_display,
    hotspot_layer,
    offline_html,
    use_served_resources,
)
from geo.paths import DEFAULT_BOUNDARIES, DEFAULT_DB, DEFAULT_INCIDENTS, EXAMPLE_INTERVENTIONS
from geo.pipeline import cluster_prepared
from geo.postbox import NAME, SITE_ID, Placement, add_placement, load_sites, read_placements
from geo.prepare import Prepared, preparation_settings, prepare_incidents
from geo.project import WGS84
from geo.rejected import summarise_reasons
from geo.result import PipelineResult
from geo.settings import Settings, settings_from_toml
from geo.settings_edits import WINDOW_MONTHS, ward_overrides, window_settings, with_weights
from geo.staff import (
    category_mix,
    hotspots_csv,
    hotspots_geojson,
    hotspots_in_wards,
    monthly_counts,
    patrol_sheet_html,
    patrol_table,
    rejected_csv,
)

st.set_page_config(page_title="SE Oxford hotspots", layout="wide")
log = logging.getLogger("hotspots.app")

PAGES = ("Meeting", "Patrol", "Analyst", "Data")
STAFF_PAGES = ("Patrol", "Analyst")
HASH_ENV = "HOTSPOTS_STAFF_PASSWORD_HASH"
HASH_SECRET = "staff_password_hash"
LOG_ENV = "HOTSPOTS_PLACEMENT_LOG"
MAX_FAILURES = 5
LOCKOUT_S = 60.0
LIMITS = UploadLimits()
SHIPPED: dict[str, Any] = {
    "key": "shipped",
    "incidents": None,
    "boundaries": None,
    "label": "Shipped data: police.uk street-level crime for South East Oxford, "
    "March to November 2018, and the ONS 2013 ward boundaries",
}
#: Text columns that reach map popups and tooltips (names may come from uploaded files).
MAP_TEXT = (c.WARD_NAME, c.HOTSPOT_ID, c.CATEGORIES, c.KIND, c.TREND, c.FIRST_MONTH, c.LAST_MONTH)

ss = st.session_state
ss.setdefault("data", SHIPPED)
ss.setdefault("settings_toml", Settings().to_toml())


# --- cached loading and runs (keyed on file digests and settings TOML) -------------------
@st.cache_data(show_spinner=False, max_entries=6)
def load_data(
    key: str,
    _incidents: Sequence[tuple[str, bytes]] | None,
    _boundaries: tuple[str, bytes] | None,
) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    """Raw incident rows and ward polygons; ``key`` identifies the files' contents."""
    raw = load_incidents(list(_incidents) if _incidents else [DEFAULT_INCIDENTS])
    with warnings.catch_warnings():
        # GDAL notes that an uploaded GeoPackage read from memory has no .gpkg file name
        warnings.filterwarnings("ignore", message=".*non conformant file extension")
        wards = load_boundaries(_boundaries or DEFAULT_BOUNDARIES)
    return raw, wards


@st.cache_resource(show_spinner=False, max_entries=8)
def prepared_cached(
    key: str,
    preparation_toml: str,
    _incidents: Sequence[tuple[str, bytes]] | None,
    _boundaries: tuple[str, bytes] | None,
) -> Prepared:
    """Checked, filtered, projected, ward-assigned incidents per (file digests, settings).

    Keyed on the settings that decide them (:func:`geo.pipeline.preparation_settings`), so
    moving a clustering slider reuses them and only clustering runs again. Shared
    read-only: ``cluster_prepared`` never changes it.
    """
    raw, wards = load_data(key, _incidents, _boundaries)
    names = [n for n, _ in _incidents] if _incidents else sorted(set(raw[c.SOURCE_FILE]))
    inputs = {
        "incident_files": names,
        "boundaries": _boundaries[0] if _boundaries else DEFAULT_BOUNDARIES.name,
    }
    settings = settings_from_toml(preparation_toml)
    return prepare_incidents(raw, wards, settings, inputs=inputs)


@st.cache_resource(show_spinner=False, max_entries=24)
def run_cached(
    key: str,
    settings_toml: str,
    _incidents: Sequence[tuple[str, bytes]] | None,
    _boundaries: tuple[str, bytes] | None,
) -> PipelineResult:
    """One pipeline run per (file digests, settings TOML), shared read-only between reruns.

    A resource cache rather than ``st.cache_data``: the result holds frozen settings
    (not picklable) and unpickling four GeoDataFrames on every rerun costs ~0.1 s each;
    nothing in this app modifies a result (pandas copy-on-write protects derived frames).
    Each result holds its own copy of the used incidents, hence the modest number of entries
    (a large upload costs some hundreds of megabytes a result).
    """
    settings = settings_from_toml(settings_toml)
    prep_toml = preparation_settings(settings).to_toml()
    return cluster_prepared(prepared_cached(key, prep_toml, _incidents, _boundaries), settings)


def get_result(settings: Settings, data: dict[str, Any] | None = None) -> PipelineResult:
    """Run (or fetch from the cache) the pipeline on the chosen data with ``settings``."""
    d = data or ss["data"]
    return run_cached(d["key"], settings.to_toml(), d["incidents"], d["boundaries"])


def current_settings() -> Settings:
    """The settings in use (the analyst's, or the defaults)."""
    return settings_from_toml(ss["settings_toml"], source="settings in use")


def data_months(settings: Settings) -> list[str]:
    """Months present in the chosen data (every category, no month filter).

    Read from the prepared incidents, with the month and category filters lifted: no
    clustering is needed, and every position of the clustering sliders shares them.
    """
    d = ss["data"]
    unfiltered = preparation_settings(settings.replace(since=None, until=None, include=()))
    prepared = prepared_cached(d["key"], unfiltered.to_toml(), d["incidents"], d["boundaries"])
    return sorted(set(prepared.incidents[c.MONTH].astype(str)))


def map_html(m: Any) -> str:
    """Offline HTML for a fresh folium map, vector layers drawn as SVG (crisp, printable)."""
    m.options["prefer_canvas"] = False
    return offline_html(m)


def safe_for_map(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Strip markup from text that popups insert as HTML (uploaded names are untrusted)."""
    out = neutralise_markup(frame, MAP_TEXT)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=frame.crs)


def map_asset_urls() -> dict[str, str]:
    """Where this server serves Leaflet's files, relative to the map component's page.

    Each package folder of :func:`geo.maps.asset_folders` is declared as the file folder
    of a component that is never drawn: Streamlit then serves its files at
    ``/component/<name>/<file>`` (cached by the browser), next to streamlit-folium's own
    ``/component/streamlit_folium.st_folium/index.html``. Leaflet is then loaded once per
    map frame instead of being sent inline with every redraw.
    """
    return {
        key: f"../{components.declare_component(f'assets_{key}', path=folder).name}/"
        for key, folder in asset_folders().items()
    }


@st.cache_resource(show_spinner=False, max_entries=24)
def staff_map_frames(
    key: str,
    settings_toml: str,
    ward_codes: tuple[str, ...] | None,
    _incidents: Sequence[tuple[str, bytes]] | None,
    _boundaries: tuple[str, bytes] | None,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame | None]:
    """``(wards, hotspots, incidents or None)`` of a staff map, ready to draw.

    In WGS84 with outlines simplified for display (:func:`geo.maps.for_display`) and
    markup stripped from names; the chosen wards only, with their incidents for the
    density layer, when ``ward_codes`` is given. Shared read-only between reruns.
    """
    result = run_cached(key, settings_toml, _incidents, _boundaries)
    wards, hotspots, incidents = result.wards, result.hotspots, None
    if ward_codes is not None:
        hotspots = hotspots_in_wards(hotspots, ward_codes)
        wards = wards[wards[c.WARD_CODE].isin(ward_codes).to_numpy()]
        incidents = result.incidents[result.incidents[c.WARD_CODE].isin(ward_codes).to_numpy()]
        incidents = incidents[[c.WEIGHT, "geometry"]].to_crs(WGS84)
    return for_display(safe_for_map(wards)), for_display(safe_for_map(hotspots)), incidents


def show_staff_map(
    settings: Settings, ward_codes: Sequence[str] | None, *, key: str, height: int
) -> None:
    """Draw the staff map: the wards (all, or the chosen ones) with hotspot layers over them.

    ``streamlit-folium`` keeps the map (and the viewer's pan and zoom) while only its layer
    groups change, so a slider that changes the hotspots redraws just them; Leaflet is
    loaded once from this server (:func:`map_asset_urls`). The wards are the fixed base;
    with chosen wards an incident density layer (off at first) joins the base. A fresh
    folium map is built every run (a folium map must not be rendered twice).
    """
    d = ss["data"]
    codes = None if ward_codes is None else tuple(sorted(ward_codes))
    wards, hotspots, incidents = staff_map_frames(
        d["key"], settings.to_toml(), codes, d["incidents"], d["boundaries"]
    )
    m = base_map(wards)
    m.options["prefer_canvas"] = False  # SVG, as in map_html: crisp when printed
    if incidents is not None and len(incidents):
        # part of the fixed base: streamlit-folium shows every swapped layer group, and the
        # density layer should start switched off
        density_layer(incidents).add_to(m)
    urls = map_asset_urls()
    use_served_resources(m, urls)
    hotspots_layer = use_served_resources(hotspot_layer(hotspots), urls)
    st_folium(
        m,
        key=key,
        height=height,
        use_container_width=True,
        feature_group_to_add=hotspots_layer,
        layer_control=folium.LayerControl(collapsed=False),
        returned_objects=[],
        render=False,  # rendered once inside st_folium; a second pass repeats statements
    )


MEETING_COLUMNS = {
    public.AREA_ID: "Area",
    c.WARD_NAME: "Ward",
    public.INCIDENTS_BAND: "Incidents",
    public.MAIN_PROBLEMS: "Main problems",
    c.TREND: "Trend",
}


@st.cache_data(show_spinner=False, max_entries=24)
def meeting_outputs(
    key: str,
    settings_toml: str,
    min_count: int,
    _incidents: Sequence[tuple[str, bytes]] | None,
    _boundaries: tuple[str, bytes] | None,
) -> tuple[pd.DataFrame, str, str, str]:
    """``(area table, explanation, map HTML, standalone HTML)`` of the public view.

    Everything comes from ``geo.public.view`` (allow-listed, suppressed, generalised areas);
    names from uploaded files lose any markup first.
    """
    result = run_cached(key, settings_toml, _incidents, _boundaries)
    pub = public.PublicSettings(min_count=min_count)
    safe = dataclasses.replace(
        result, wards=safe_for_map(result.wards), hotspots=safe_for_map(result.hotspots)
    )
    view = public.public_view(safe, public=pub)
    s = result.settings
    period = str(view[public.PERIOD].iloc[0]) if len(view) else f"{s.since} to {s.until}"
    title = f"Where reported problems concentrate: {period}"
    m = public.public_map(safe.wards, view, title=title, public_settings=pub)
    table = pd.DataFrame(view.drop(columns="geometry"))[list(MEETING_COLUMNS)]
    standalone = public.public_html(safe.wards, view, title=title, public_settings=pub)
    return table, public.default_explanation(view, pub), map_html(m), standalone


def period_text(data_months: Sequence[str], since: str, until: str, window: int) -> str:
    """``"2018-09 to 2018-11 (3 months)"``: the months of the data inside the window.

    Says so when the data has fewer months than the window asked for (e.g. 12 months asked,
    the data starting 9 months before its last month).
    """
    shown = [m for m in data_months if since <= m <= until]
    if not shown:
        return f"{since} to {until} (no data in these months)"
    text = f"{shown[0]} to {shown[-1]} ({len(shown)} month{'s' if len(shown) != 1 else ''}"
    if len(shown) < window:
        text += f" of the {window} asked for: the data starts in {data_months[0]}"
    return text + ")"


def show_problem(intro: str, exc: ValidationError, after: str = "") -> None:
    """A plain-English error box listing every problem (never a traceback)."""
    # a problem over several lines (e.g. the TOML to write) keeps its line breaks in the bullet
    lines = "\n".join("- " + p.replace("\n", "  \n  ") for p in exc.problems[:12])
    more = len(exc.problems) - 12
    extra = f"\n- … and {more} more" if more > 0 else ""
    st.error(f"{intro}\n\n{lines}{extra}" + (f"\n\n{after}" if after else ""))


# --- staff sign-in -----------------------------------------------------------------------
def configured_hash() -> tuple[str | None, str | None]:
    """``(hash, problem)``: the administrator's staff password hash, if any and valid.

    The environment variable wins over ``.streamlit/secrets.toml``.
    """
    value = os.environ.get(HASH_ENV, "").strip()
    if not value and st.secrets.load_if_toml_exists():
        value = str(st.secrets.get(HASH_SECRET, "") or "").strip()
    if not value:
        return None, None
    try:
        check_password_hash(value)
    except ValidationError as exc:
        return None, str(exc)
    return value, None


def signed_in() -> bool:
    """Whether this browser session signed in with the currently configured password."""
    stored, _ = configured_hash()
    return stored is not None and ss.get("staff_hash") == stored


HOW_TO_SET = f"""
An administrator sets the staff password once:

1. Make a hash of the new password: `python -m geo hash-password` (asks twice, prints one line).
2. Put that line in `.streamlit/secrets.toml` as `{HASH_SECRET} = "scrypt:…"`,
   or in the environment variable `{HASH_ENV}` before starting the app.
3. Restart the app. Only the hash is stored, never the password.
"""


def staff_gate(page: str) -> bool:
    """Show the sign-in form unless signed in; ``True`` when the page may be shown."""
    if signed_in():
        return True
    stored, problem = configured_hash()
    st.title(f"{page}: staff only")
    st.write(
        "This page shows individual incidents and exact hotspot locations, so it is "
        "protected by a staff password. The Meeting page is open to everyone."
    )
    if stored is None:
        reason = f" {problem}" if problem else ""
        st.error(
            "The staff pages are switched off because no staff password has been set "
            f"for this app.{reason}"
        )
        st.markdown(HOW_TO_SET)
        return False
    with st.form("sign_in", clear_on_submit=True):
        password = st.text_input("Staff password", type="password", key="password")
        submitted = st.form_submit_button("Sign in")
    if submitted:
        locked = float(ss.get("locked_until", 0.0)) - time.monotonic()
        if locked > 0:
            st.error(f"Too many wrong passwords. Try again in {locked:.0f} seconds.")
        elif password and verify_password(password, stored):
            ss["staff_hash"] = stored
            ss["failures"] = 0
            st.rerun()
        else:
            ss["failures"] = int(ss.get("failures", 0)) + 1
            if ss["failures"] >= MAX_FAILURES:
                ss["locked_until"] = time.monotonic() + LOCKOUT_S
                ss["failures"] = 0
            st.error("Wrong password. The page stays locked.")
    return False


# --- Meeting (public) --------------------------------------------------------------------
MEETING_WINDOWS = {"Last 3 months": 3, "Last 6 months": 6, "Last 12 months": 12}


def public_settings() -> public.PublicSettings:
    """The meeting view's suppression settings (staff may raise the minimum count)."""
    return public.PublicSettings(min_count=int(ss.get("public_min_count", 5)))


def page_meeting() -> None:
    st.title("Where problems concentrate in South East Oxford")
    settings = current_settings()
    months = data_months(settings)
    if not months:
        st.warning("The data in use has no incidents inside the wards.")
        return
    choice = st.radio(
        "Period", list(MEETING_WINDOWS), index=1, horizontal=True, key="meeting_window"
    )
    ws = window_settings(settings, last_month=months[-1], months=MEETING_WINDOWS[choice])
    pub = public_settings()
    d = ss["data"]
    with st.spinner("Preparing the map…"):
        table, explanation, html, standalone = meeting_outputs(
            d["key"], ws.to_toml(), pub.min_count, d["incidents"], d["boundaries"]
        )
        st.iframe(html, height=720)
    st.write(explanation)
    if len(table):
        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            height=min(35 * (len(table) + 1) + 3, 640),
            column_config=MEETING_COLUMNS,
        )
    st.subheader("Reports per month, whole area")
    full = get_result(settings.replace(since=None, until=None))
    monthly = public.monthly_counts_public(full.incidents, public=pub)
    chart = monthly.set_index(public.MONTH_LABEL)[[public.INCIDENTS]].rename(
        columns={public.INCIDENTS: "Reports (rounded)"}
    )
    st.bar_chart(chart, height=280, sort=False)
    st.caption(
        f"Counts are rounded to the nearest {pub.round_to}; a month with fewer than "
        f"{pub.min_count} reports would be left empty."
    )
    st.download_button(
        "Download this map for the meeting (HTML, opens offline)",
        data=standalone,
        file_name="meeting-map.html",
        mime="text/html",
    )
    if st.toggle("Where the 'have your say' postbox goes next", key="meeting_postbox"):
        meeting_postbox()


# --- Patrol (staff) ----------------------------------------------------------------------
def staff_page(page: str, title: str) -> tuple[Settings, list[str], PipelineResult] | None:
    """Open a staff page: password gate and title; None (after saying why) if it stops there.

    Otherwise ``(settings in use, months of the data, the run with those settings)``.
    """
    if not staff_gate(page):
        return None
    st.title(title)
    settings = current_settings()
    months = data_months(settings)
    if not months:
        st.warning("The data in use has no incidents inside the wards.")
        return None
    return settings, months, get_result(settings)


def page_patrol() -> None:
    opened = staff_page("Patrol", "Patrol planning")
    if opened is None:
        return
    settings, months, base = opened
    names = dict(zip(base.wards[c.WARD_CODE], base.wards[c.WARD_NAME], strict=True))
    left, right = st.columns([3, 2])
    codes = left.multiselect(
        "Wards",
        options=list(names),
        default=list(names),
        format_func=lambda code: names.get(code, code),
        key="patrol_wards",
    )
    window = right.radio(
        "Last months of the data",
        WINDOW_MONTHS,
        index=1,
        horizontal=True,
        format_func=lambda n: f"{n} month{'s' if n != 1 else ''}",
        key="patrol_window",
    )
    if not codes:
        st.warning("Pick at least one ward.")
        return
    ws = window_settings(settings, last_month=months[-1], months=window)
    period = period_text(months, str(ws.since), str(ws.until), window)
    trend = (
        f"Trend: the last {ws.trend_months} month(s) against the {ws.trend_months} before."
        if window > 1
        else "No trend: a 1-month window has no earlier part to compare with."
    )
    st.caption(
        f"Months {period}, counted back from the data's last month ({months[-1]}), not "
        f"from today. {trend}"
    )
    with st.spinner("Finding hotspots…"):
        result = get_result(ws)
    hs = hotspots_in_wards(result.hotspots, codes)
    in_wards = result.incidents[result.incidents[c.WARD_CODE].isin(codes).to_numpy()]
    rising = int(hs[c.TREND].isin(["rising", "new"]).sum()) if len(hs) else 0
    in_hot = int(hs[c.N_INCIDENTS].sum()) if len(hs) else 0
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Hotspots", len(hs))
    m2.metric("Incidents in hotspots", in_hot)
    m3.metric("Incidents in these wards", len(in_wards))
    m4.metric("Rising or new", rising)

    st.subheader("Hotspots, highest weighted score first")
    table = patrol_table(hs)
    st.dataframe(table, hide_index=True, width="stretch")
    wards_sel = result.wards[result.wards[c.WARD_CODE].isin(codes).to_numpy()]
    show_staff_map(ws, codes, key="patrol_map", height=600)

    left, right = st.columns(2)
    with left:
        st.subheader("Category mix (top 10 hotspots)")
        mix = category_mix(hs, ws)
        if mix.empty:
            st.write("No hotspots to show.")
        else:
            long = mix.reset_index().melt("hotspot", var_name="category", value_name="n")
            # hotspots in rank order; every category keeps its own colour whatever the wards
            every = [ws.label(k) for k in ws.categories]
            spec = {
                "height": {"step": 26},
                "data": {"values": long[long["n"] > 0].to_dict("records")},
                "mark": {"type": "bar"},
                "encoding": {
                    "y": {
                        "field": "hotspot",
                        "type": "nominal",
                        "sort": list(mix.index),
                        "title": None,
                    },
                    "x": {"field": "n", "type": "quantitative", "title": "incidents"},
                    "color": {
                        "field": "category",
                        "type": "nominal",
                        "title": None,
                        "scale": {"domain": every, "scheme": "tableau20"},
                        "legend": {
                            "orient": "bottom",
                            "columns": 2,
                            "labelLimit": 280,
                            "values": list(mix.columns),
                        },
                    },
                    "tooltip": [{"field": "hotspot"}, {"field": "category"}, {"field": "n"}],
                },
            }
            st.vega_lite_chart(spec=spec, width="stretch")
    with right:
        st.subheader("Incidents per month in these wards")
        st.bar_chart(monthly_counts(in_wards), height=360)

    st.subheader("Downloads")
    picked = dataclasses.replace(result, hotspots=hs)
    sheet = patrol_sheet_html(hs, wards_sel, period=period, data_label=str(ss["data"]["label"]))
    d1, d2, d3 = st.columns(3)
    d1.download_button("Patrol sheet (printable HTML)", sheet, "patrol-sheet.html", "text/html")
    d2.download_button(
        "Hotspots (GeoJSON)", hotspots_geojson(picked), "hotspots.geojson", "application/geo+json"
    )
    d3.download_button("Hotspots (CSV)", hotspots_csv(picked), "hotspots.csv", "text/csv")

    st.subheader("Postbox")
    if st.toggle("Plan the 'have your say' postbox", key="patrol_postbox"):
        postbox_panel(settings)


# --- Analyst (staff) ---------------------------------------------------------------------
A_PREFIX = "a_"


def reset_analyst_widgets() -> None:
    """Forget the analyst widgets so they show the settings in use on the next run."""
    for key in [k for k in ss if str(k).startswith(A_PREFIX)]:
        del ss[key]


def load_settings_file() -> None:
    """Button callback: read the uploaded TOML into the settings in use."""
    upload = ss.get("settings_upload")
    try:
        if upload is None:
            raise ValidationError("Choose a settings .toml file first.")
        text = settings_upload(upload.name, upload.getvalue(), limits=LIMITS)
        loaded = settings_from_toml(text, source=safe_upload_name(upload.name))
    except ValidationError as exc:
        ss["settings_message"] = ("error", exc)
        return
    ss["settings_toml"] = loaded.to_toml()
    reset_analyst_widgets()
    ss["settings_message"] = ("ok", f"Loaded settings from {safe_upload_name(upload.name)}.")


def reset_settings() -> None:
    """Button callback: back to the default settings."""
    ss["settings_toml"] = Settings().to_toml()
    reset_analyst_widgets()
    ss["settings_message"] = ("ok", "Back to the default settings.")


def init_widget(key: str, value: object) -> None:
    if key not in ss:
        ss[key] = value


#: One step of the eps_m slider (arrow keys move it by one step).
EPS_STEP_M = 5.0


def eps_range(base: Settings) -> tuple[float, float]:
    """``(lowest, highest)`` position of the eps_m slider."""
    return min(10.0, float(base.eps_m)), max(500.0, float(base.eps_m))


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
    d = dict(ss["data"])
    lo, hi = eps_range(settings)
    neighbours = [
        settings.replace(eps_m=eps)
        for eps in (settings.eps_m + EPS_STEP_M, settings.eps_m - EPS_STEP_M)
        if lo <= eps <= hi
    ]

    def work() -> None:
        for s in neighbours:
            try:
                staff_map_frames(d["key"], s.to_toml(), None, d["incidents"], d["boundaries"])
            except Exception:  # a failure here only means no head start; the page reports it
                log.exception("prefetching eps_m %s failed", s.eps_m)
                return

    prefetch_worker().submit(work)


def analyst_settings(base: Settings, wards: gpd.GeoDataFrame, months: list[str]) -> Settings:
    """Widgets for every setting; returns the settings they describe (validated)."""
    init_widget("a_eps", float(base.eps_m))
    init_widget("a_ms", int(base.min_samples))
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
    ms = s2.slider(
        "min_samples: weighted incidents needed near a core point",
        min_value=1,
        max_value=max(100, int(base.min_samples)),
        key="a_ms",
    )
    first = base.since if base.since in months else months[0]
    last = base.until if base.until in months else months[-1]
    since, until = st.select_slider(
        "Months used", options=months, value=(first, last), key="a_months"
    )
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
        for i, (key, cat) in enumerate(base.categories.items()):
            init_widget(f"a_w_{key}", float(cat.weight))
            weights[key] = cols[i % 3].number_input(
                cat.label, min_value=0.1, max_value=100.0, step=0.5, key=f"a_w_{key}"
            )
    with st.expander("Per-ward overrides (empty = use the values above)"):
        overrides: dict[str, tuple[float | None, int | None]] = {}
        for code, name in zip(wards[c.WARD_CODE], wards[c.WARD_NAME], strict=True):
            o = base.ward_overrides.get(code)
            init_widget(f"a_oe_{code}", o.eps_m if o else None)
            init_widget(f"a_om_{code}", o.min_samples if o else None)
            w1, w2, w3 = st.columns([2, 1, 1])
            w1.markdown(f"**{safe_upload_name(str(name)).replace('_', ' ')}** ({code})")
            oe = w2.number_input(
                "eps_m", min_value=5.0, max_value=5000.0, step=5.0, value=None, key=f"a_oe_{code}"
            )
            om = w3.number_input(
                "min_samples", min_value=1, max_value=100000, step=1, value=None, key=f"a_om_{code}"
            )
            overrides[str(code)] = (oe, None if om is None else int(om))
    full = (since, until) == (months[0], months[-1])
    new = base.replace(
        eps_m=float(eps),
        min_samples=int(ms),
        since=None if full else since,
        until=None if full else until,
        include=tuple(include),
        ward_overrides=ward_overrides(overrides),
    )
    return with_weights(new, weights)


SWEEP_EPS = (20.0, 40.0, 60.0, 80.0, 100.0, 120.0, 150.0, 200.0, 250.0, 300.0)


def eps_free_toml(settings: Settings) -> str:
    """Settings TOML with ``eps_m`` fixed: the k-distance and the sweep do not depend on it."""
    return settings.replace(eps_m=Settings().eps_m).to_toml()


@st.cache_data(show_spinner=False, max_entries=16)
def k_distance_curve(
    key: str, settings_toml: str, k: int, _incidents: gpd.GeoDataFrame
) -> tuple[pd.DataFrame, float]:
    """The weighted k-distance curve (``share``, ``k_distance_m``) and its knee, in metres."""
    table = ev.k_distance_table(_incidents, k_values=[k])
    knee = float(table["suggested_eps_m"].iloc[0]) if len(table) else float("nan")
    return table[["share", "k_distance_m"]].reset_index(drop=True), knee


@st.cache_data(show_spinner=False, max_entries=16)
def eps_sweep(
    key: str,
    settings_toml: str,
    window_months: int,
    _incidents: Sequence[tuple[str, bytes]] | None,
    _boundaries: tuple[str, bytes] | None,
) -> pd.DataFrame:
    """Hotspots, noise share, hit rate and PAI for each of :data:`SWEEP_EPS`."""
    raw, wards = load_data(key, _incidents, _boundaries)
    s = settings_from_toml(settings_toml)
    return ev.sweep(
        raw,
        wards,
        s,
        eps_values=SWEEP_EPS,
        min_samples_values=[s.min_samples],
        window_months=window_months,
        max_folds=1,
    )


def use_suggested_eps(value: float) -> None:
    """Button callback: move the eps_m slider to the suggested value (nearest 5 m)."""
    ss["a_eps"] = float(min(max(5 * round(value / 5), 10), 5000))


def choosing_eps(settings: Settings, result: PipelineResult) -> None:
    """k-distance plot with the suggested eps_m, and hotspots / noise against eps_m.

    Charts are plain Vega-Lite specifications whose data are named datasets. Moving the
    eps_m slider changes only the datasets (the current-eps_m line), not the specification,
    so the browser updates the drawn charts in place instead of building them again.
    """
    st.subheader("Choosing eps_m")
    d = ss["data"]
    k = settings.min_samples
    key_toml = eps_free_toml(settings)
    dash = {"type": "rule", "strokeDash": [5, 4], "size": 1.5}
    left, right = st.columns(2)
    with left, st.spinner("Computing the k-distance curve…"):
        curve, knee = k_distance_curve(d["key"], key_toml, k, result.incidents)
        finite = curve[np.isfinite(curve["k_distance_m"].to_numpy())]
        has_knee = knee == knee
        # the scale follows eps_m only when its line would leave the chart, so a slider move
        # usually leaves the specification as it is and only the data change
        top = max(4 * knee if has_knee else 0.0, 50.0)
        if settings.eps_m > 0.9 * top:
            top = 2 * settings.eps_m
        rules = [{"metres": settings.eps_m, "line": f"current eps_m {settings.eps_m:g} m"}]
        if has_knee:
            rules.append({"metres": knee, "line": f"suggested eps_m {knee:.0f} m"})
        spec = {
            "height": 300,
            "datasets": {"curve": finite.round(4), "rules": pd.DataFrame(rules)},
            "layer": [
                {
                    "data": {"name": "curve"},
                    "mark": {"type": "line"},
                    "encoding": {
                        "x": {
                            "field": "share",
                            "type": "quantitative",
                            "title": "share of distinct map points (sorted)",
                        },
                        "y": {
                            "field": "k_distance_m",
                            "type": "quantitative",
                            "title": f"distance holding weight {k} (m)",
                            "scale": {"domain": [0, top], "clamp": True},
                        },
                    },
                },
                {
                    "data": {"name": "rules"},
                    "mark": dash,
                    "encoding": {
                        "y": {"field": "metres", "type": "quantitative"},
                        "color": {
                            "field": "line",
                            "type": "nominal",
                            "title": None,
                            "legend": {"orient": "top"},
                        },
                    },
                },
            ],
        }
        st.markdown(f"**k-distance for min_samples = {k}** (per ward, weighted)")
        st.vega_lite_chart(spec=spec, width="stretch")
        if has_knee:
            st.write(
                f"Suggested eps_m: **{knee:.0f} m** (the knee of the curve: most map points "
                "have weight k within this distance). Treat it as an upper limit: on crime "
                "data the knee makes most map points core points and hotspots cover much of "
                "each ward. Choose with the sweep on the right and the evaluation below."
            )
            st.button(f"Use {5 * round(knee / 5):.0f} m", on_click=use_suggested_eps, args=(knee,))
        else:
            st.write("No knee: too few map points for this min_samples.")
    with right:
        months = sorted(set(result.incidents[c.MONTH].astype(str)))
        span = (pd.Period(months[-1], "M") - pd.Period(months[0], "M")).n + 1 if months else 0
        if span < 2:
            st.info("The sweep needs at least two months of data.")
            return
        with st.spinner("Trying eps_m from 20 to 300 m…"):
            table = eps_sweep(d["key"], key_toml, span - 1, d["incidents"], d["boundaries"])
        points = pd.DataFrame(
            {
                "eps_m": table["eps_m"],
                "hotspots": table["n_hotspots"].round(1),
                "noise_pct": (100 * table["noise_share"]).round(1),
            }
        )
        current = pd.DataFrame({"eps_m": [float(settings.eps_m)]})

        def panel(field: str, title: str) -> dict[str, Any]:
            x = {"field": "eps_m", "type": "quantitative", "title": "eps_m (metres)"}
            return {
                "height": 130,
                "datasets": {"points": points, "current": current},
                "layer": [
                    {
                        "data": {"name": "points"},
                        "mark": {"type": "line", "point": True},
                        "encoding": {
                            "x": x,
                            "y": {"field": field, "type": "quantitative", "title": title},
                        },
                    },
                    {
                        "data": {"name": "current"},
                        "mark": {**dash, "color": "black"},
                        "encoding": {"x": x},
                    },
                ],
            }

        st.markdown(f"**Hotspots and noise against eps_m** (min_samples = {k})")
        for field, title in (("hotspots", "hotspots"), ("noise_pct", "noise share (%)")):
            st.vega_lite_chart(spec=panel(field, title), width="stretch")
        st.caption(
            f"Fitted on {months[0]} to the month before {months[-1]}; hit rate is the share of "
            f"{months[-1]}'s incidents inside those hotspots, PAI = hit rate / area share. "
            "Dashed line: the current eps_m."
        )
        with st.expander("Sweep table and red flags"):
            st.dataframe(
                table[["eps_m", "n_hotspots", "noise_share", "hit_rate", "pai", "red_flags"]],
                hide_index=True,
                width="stretch",
            )


# --- evaluation on later months (Analyst) -------------------------------------------------
EVAL_PERMUTATIONS = 99
EVAL_WINDOW = "eval_window"
EVAL_REQUEST = "eval_request"
EVAL_WARD_COLUMNS = {
    "Hit rate (%)": st.column_config.NumberColumn(format="%.1f"),
    "PAI (mean)": st.column_config.NumberColumn(format="%.1f"),
    "PAI (std)": st.column_config.NumberColumn(format="%.1f"),
    "RRI (mean)": st.column_config.NumberColumn(format="%.2f"),
    "Area share (%)": st.column_config.NumberColumn(format="%.2f"),
}
EVAL_STABILITY_COLUMNS = {
    "period_before": "Window",
    "period_after": "Next window",
    c.WARD_NAME: "Ward",
    "n_before": "Hotspots",
    "n_after": "Hotspots next",
    "n_persisting": "Persisting",
    "share_persisting": "Share persisting",
    "jaccard": "Area overlap (Jaccard)",
}


@dataclasses.dataclass
class EvaluationSlot:
    """One evaluation of :func:`geo.evaluation.evaluate_methods`, read-only once filled."""

    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)
    evaluation: ev.Evaluation | None = None


@st.cache_resource(show_spinner=False, max_entries=6)
def evaluation_slot(key: str, settings_toml: str, window_months: int) -> EvaluationSlot:
    """The cached holder of the evaluation of (file digests, settings TOML, window).

    :func:`run_evaluation` fills it outside this function so that a progress bar can be
    drawn while the evaluation runs: Streamlit replays what a cached function draws, and
    cannot replay updates to a bar created outside it.
    """
    return EvaluationSlot()


def run_evaluation(settings: Settings, window_months: int) -> ev.Evaluation:
    """The evaluation of ``settings`` on the data in use, with a progress bar while it runs."""
    d = ss["data"]
    slot = evaluation_slot(d["key"], settings.to_toml(), window_months)
    bar = st.empty()

    def progress(message: str, fraction: float) -> None:
        bar.progress(min(max(float(fraction), 0.0), 1.0), text=f"{message}…")

    try:
        with slot.lock:  # another session running the same evaluation: wait for it
            if slot.evaluation is None:
                progress("Reading the data", 0.0)
                raw, wards = load_data(d["key"], d["incidents"], d["boundaries"])
                slot.evaluation = ev.evaluate_methods(
                    raw,
                    wards,
                    settings,
                    window_months=window_months,
                    permutations=EVAL_PERMUTATIONS,
                    progress=progress,
                )
    except ValidationError:
        bar.empty()
        raise
    bar.empty()
    return slot.evaluation


def _csv(frame: pd.DataFrame) -> str:
    """CSV text as ``python -m geo evaluate`` writes it."""
    return frame.to_csv(index=False, float_format="%.6g")


def _share(value: float) -> str:
    return "n/a" if value != value else f"{value:.0%}"


def evaluation_section(settings: Settings, result: PipelineResult) -> None:
    """On request: every method judged on later months at DBSCAN's area, and stability."""
    st.subheader("How good are these hotspots? (evaluation on later months)")
    st.write(
        "A useful hotspot map points to where incidents happen next. Here each method is "
        "fitted on a window of past months and judged on the month after it; then the window "
        "moves on a month. Kernel density, Getis-Ord Gi* and last month's busiest grid cells "
        "each mark the same area as the DBSCAN hotspots in every ward, so the numbers compare "
        "like with like."
    )
    months = sorted(set(result.incidents[c.MONTH].astype(str)))
    try:
        longest = len(ev.rolling_folds(months, window_months=1))
    except ValidationError:
        st.info("The evaluation needs at least two months of data.")
        return
    windows = list(range(1, longest + 1))
    if ss.get(EVAL_WINDOW) not in windows:
        ss[EVAL_WINDOW] = min(3, longest)
    if longest > 1:
        window = int(
            st.select_slider(
                "Months fitted before each test month",
                options=windows,
                key=EVAL_WINDOW,
                help="A longer window gives steadier hotspots but leaves fewer months to test on.",
            )
        )
    else:
        window = 1
    folds = ev.rolling_folds(months, window_months=window)
    tests = f"{len(folds)} test month{'s' if len(folds) != 1 else ''}"
    st.caption(
        f"{tests} ({folds[0].test_month} to {folds[-1].test_month}), each judged with what "
        f"the methods marked from the {window} month{'s' if window != 1 else ''} before it, "
        f"using the settings above (eps_m {settings.eps_m:g} m, min_samples "
        f"{settings.min_samples}). This takes tens of seconds."
    )
    d = ss["data"]
    request = (d["key"], settings.to_toml(), window)
    if st.button("Evaluate these settings", key="eval_run"):
        ss[EVAL_REQUEST] = request
    if ss.get(EVAL_REQUEST) != request:
        if EVAL_REQUEST in ss:
            st.caption(
                "The data, settings or window changed since the last evaluation: press the "
                "button to evaluate these."
            )
        return
    try:
        evaluation = run_evaluation(settings, window)
    except ValidationError as exc:
        ss.pop(EVAL_REQUEST, None)
        show_problem("The evaluation cannot run with the data and settings in use:", exc)
        return
    show_evaluation(evaluation, settings)


def show_evaluation(evaluation: ev.Evaluation, settings: Settings) -> None:
    """Summary table, PAI plot, stability, per-ward breakdown and CSV downloads."""
    folds = evaluation.folds
    window = len(folds[0].fit_months)
    st.markdown(f"**All wards: mean ± standard deviation over {len(folds)} test month(s)**")
    st.dataframe(ev.summary_text(evaluation.summary), hide_index=True, width="stretch")
    st.caption(
        "**Hit rate**: the share of the test month's incidents that fell inside the marked "
        "areas. **PAI** (Predictive Accuracy Index) = hit rate ÷ share of the wards' area "
        "marked: 1 is no better than marking places at random; 20 means the marked areas "
        "caught twenty times their share of the incidents. All methods mark the same area "
        "(Area share), so a higher PAI means a method anticipated the next month better. "
        "**RRI** (Recapture Rate Index): above 1, the areas held a larger share of the test "
        "month's incidents than of the fitted months'; below 1, the problem moved away."
    )
    fig = ev.plot_pai_by_method(evaluation.table, current=(settings.eps_m, settings.min_samples))
    st.pyplot(fig, alt="PAI and hit rate of each method: mean bars and one dot per test month")
    plt.close(fig)

    st.markdown("**Do the hotspots last?** (DBSCAN hotspots of each window against the next)")
    stability = evaluation.stability
    overall = stability[stability[c.WARD_CODE] == ev.ALL_WARDS]
    if overall.empty:
        st.write("Stability needs at least two test months.")
    else:
        s1, s2 = st.columns(2)
        s1.metric(
            "Hotspots persisting into the next window",
            _share(float(overall["share_persisting"].mean())),
        )
        jaccard = float(overall["jaccard"].mean())
        s2.metric("Mean area overlap (Jaccard)", "n/a" if jaccard != jaccard else f"{jaccard:.2f}")
        st.caption(
            "Persisting: a hotspot overlaps a hotspot of the next window in the same ward. "
            "Area overlap: the area both windows mark ÷ the area either marks (1 = the same "
            f"places). Consecutive {window}-month windows share {window - 1} month(s), which "
            "raises both numbers."
        )

    with st.expander("Per ward"):
        per_ward = evaluation.summary[evaluation.summary[c.WARD_CODE] != ev.ALL_WARDS]
        wards_table = pd.DataFrame(
            {
                "Ward": per_ward[c.WARD_NAME],
                "Method": per_ward["method"].map(dict(ev.METHOD_LABELS)),
                "Hit rate (%)": 100 * per_ward["hit_rate_mean"],
                "PAI (mean)": per_ward["pai_mean"],
                "PAI (std)": per_ward["pai_std"],
                "RRI (mean)": per_ward["rri_mean"],
                "Area share (%)": 100 * per_ward["area_share_mean"],
                "Months": per_ward["n_folds"],
            }
        ).sort_values("Ward", kind="stable")
        st.dataframe(wards_table, hide_index=True, width="stretch", column_config=EVAL_WARD_COLUMNS)
        st.caption("Means over the test months; empty where a ward had no incidents to test.")
        st.markdown("**Stability, window by window**")
        st.dataframe(
            stability[list(EVAL_STABILITY_COLUMNS)],
            hide_index=True,
            width="stretch",
            column_config=EVAL_STABILITY_COLUMNS,
        )

    e1, e2, e3 = st.columns(3)
    e1.download_button(
        "Evaluation by month, method and ward (CSV)",
        _csv(evaluation.table),
        "evaluation.csv",
        "text/csv",
    )
    e2.download_button(
        "Evaluation summary (CSV)",
        _csv(evaluation.summary),
        "evaluation_summary.csv",
        "text/csv",
    )
    e3.download_button(
        "Hotspot stability (CSV)", _csv(evaluation.stability), "stability.csv", "text/csv"
    )


def page_analyst() -> None:
    opened = staff_page("Analyst", "Tune the clustering")
    if opened is None:
        return
    base, months, base_result = opened
    try:
        settings = analyst_settings(base, base_result.wards, months)
    except ValidationError as exc:
        show_problem("These settings cannot be used:", exc, "The previous settings stay in use.")
        settings = base
    ss["settings_toml"] = settings.to_toml()
    with st.spinner("Clustering…"):
        result = get_result(settings)
    n = result.counts
    noise_share = n.noise / n.accepted if n.accepted else 0.0
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Hotspots", n.hotspots)
    m2.metric("Incidents in hotspots", n.clustered)
    m3.metric("Noise (not in any hotspot)", f"{noise_share:.0%}")
    m4.metric("Incidents used", n.accepted)
    show_staff_map(settings, None, key="analyst_map", height=560)
    choosing_eps(settings, result)
    evaluation_section(settings, result)

    st.subheader("Interventions")
    if st.toggle("Evaluate a warrant, closure order or team start", key="analyst_interventions"):
        intervention_panel(settings)

    st.subheader("Meeting view")
    init_widget("a_public_min", int(ss.get("public_min_count", 5)))
    ss["public_min_count"] = int(
        st.number_input(
            "Smallest number of incidents an area needs to be shown at meetings",
            min_value=public.MIN_COUNT_FLOOR,
            max_value=1000,
            step=1,
            key="a_public_min",
            help="Never below 3: smaller groups could point at one household.",
        )
    )

    st.subheader("Save or load these settings")
    msg = ss.pop("settings_message", None)
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
    f1.button("Back to the default settings", on_click=reset_settings)
    f2.file_uploader("Settings file (.toml)", type=list(SETTINGS_TYPES), key="settings_upload")
    f2.button("Load settings", on_click=load_settings_file)
    with st.expander("Settings in use (TOML)"):
        st.code(settings.to_toml(), language="toml")
    prefetch_next_steps(settings, result)


# --- Postbox ("have your say") -----------------------------------------------------------
def placement_log() -> Path:
    """The placement log: ``HOTSPOTS_PLACEMENT_LOG`` (set by the administrator) or the default."""
    return Path(os.environ.get(LOG_ENV, "") or DEFAULT_DB)


def log_stamp(path: Path) -> str:
    """Changes whenever the log (or its write-ahead file) changes: a cache key."""
    parts = []
    for p in (path, path.with_name(path.name + "-wal")):
        st_ = p.stat() if p.exists() else None
        parts.append(f"{st_.st_mtime_ns}:{st_.st_size}" if st_ else "-")
    return f"{path}|{'|'.join(parts)}"


@st.cache_resource(show_spinner=False, max_entries=8)
def postbox_outputs(
    key: str,
    settings_toml: str,
    stamp: str,
    _incidents: Sequence[tuple[str, bytes]] | None,
    _boundaries: tuple[str, bytes] | None,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, list[str], str, date]:
    """``(ranked sites, plan, notes, staff map HTML, reference date)`` for the postbox.

    Shared read-only between reruns; ``stamp`` (:func:`log_stamp`) renews it after a
    placement is logged.
    """
    result = run_cached(key, settings_toml, _incidents, _boundaries)
    sites = load_sites(wards=result.wards).sites
    placements = read_placements(placement_log())
    ref = pb.default_reference_date(result.incidents)
    ranked = pb.recommend(result.incidents, result.hotspots, sites, placements)
    plan = pb.rotation_plan(result.incidents, result.hotspots, sites, placements)
    notes = pb.log_notes(placements, sites, ref)
    m = pb.postbox_map(
        safe_for_map(result.wards),
        ranked,
        plan=plan,
        hotspots=safe_for_map(result.hotspots),
        radius_m=pb.PostboxSettings().radius_m,
    )
    return ranked, plan, notes, map_html(m), ref


PLAN_COLUMNS = {
    pb.WEEK: "Week",
    pb.START_DATE: "From",
    pb.END_DATE: "To",
    NAME: "Place",
    c.WARD_NAME: "Ward",
}


def postbox_panel(settings: Settings) -> None:
    """Staff: recommended site and coverage circle, the plan, the score breakdown, the log."""
    d = ss["data"]
    path = placement_log()
    with st.spinner("Planning the postbox weeks (maximal covering)…"):
        ranked, plan, notes, html, ref = postbox_outputs(
            d["key"], settings.to_toml(), log_stamp(path), d["incidents"], d["boundaries"]
        )
    if len(ranked):
        top = ranked.iloc[0]
        st.write(f"**Next site: {top[NAME]}** ({top[c.WARD_NAME]}): {top[pb.REASON]}.")
    st.iframe(html, height=520)
    st.markdown("**The next weeks** (chosen together to reach as many incidents as possible)")
    cols = [*PLAN_COLUMNS, pb.NEW_INCIDENTS, pb.COVERED_SHARE, pb.REASON]
    day = "ddd D MMM YYYY"
    st.dataframe(
        pd.DataFrame(plan[cols]),
        hide_index=True,
        width="stretch",
        column_config={
            pb.WEEK: "Week",
            pb.START_DATE: st.column_config.DateColumn("From", format=day),
            pb.END_DATE: st.column_config.DateColumn("To", format=day),
            NAME: "Place",
            c.WARD_NAME: "Ward",
            pb.NEW_INCIDENTS: "Incidents newly reached",
            pb.COVERED_SHARE: st.column_config.NumberColumn(
                "Share of incidents reached so far", format="percent"
            ),
            pb.REASON: "Why this place",
        },
    )
    st.markdown("**Score breakdown** (score = demand × yield × cooldown)")
    parts = [
        c.RANK,
        NAME,
        c.WARD_NAME,
        pb.STATUS,
        pb.POSTBOX_SCORE,
        pb.INCIDENT_SCORE,
        pb.HOTSPOT_SCORE,
        pb.COVERED_SCORE,
        pb.YIELD_FACTOR,
        pb.COOLDOWN_FACTOR,
        pb.N_RECENT,
        pb.SLIPS_PER_WEEK,
    ]
    st.dataframe(
        pd.DataFrame(ranked[parts]).head(10).round(2),
        hide_index=True,
        width="stretch",
        column_config={
            c.RANK: "Rank",
            NAME: "Place",
            c.WARD_NAME: "Ward",
            pb.STATUS: "Status",
            pb.POSTBOX_SCORE: "Score",
            pb.INCIDENT_SCORE: "Incident demand",
            pb.HOTSPOT_SCORE: "Hotspot demand",
            pb.COVERED_SCORE: "Already covered",
            pb.YIELD_FACTOR: "Slip yield ×",
            pb.COOLDOWN_FACTOR: "Cooldown ×",
            pb.N_RECENT: "Recent incidents",
            pb.SLIPS_PER_WEEK: "Slips a week",
        },
    )
    for note in notes:
        st.info(note)
    names = dict(zip(ranked[SITE_ID], ranked[NAME], strict=True))
    with st.form("log_placement"):
        st.markdown(f"**Log a placement** (written to the placement log `{path.name}`)")
        site = st.selectbox("Site", list(names), format_func=lambda k: names.get(k, k))
        f1, f2, f3 = st.columns(3)
        first = f1.date_input("From", value=ref + timedelta(days=1), key="pb_from")
        last = f2.date_input("To", value=ref + timedelta(days=7), key="pb_to")
        slips = f3.number_input("Slips collected", min_value=0, max_value=100_000, step=1)
        note = st.text_input("Note (staff only, at most 500 characters)", max_chars=500)
        submitted = st.form_submit_button("Log this placement")
    if submitted:
        try:
            placement = Placement(
                site_id=str(site), from_date=first, to_date=last, slips=int(slips), note=note
            )
            number = add_placement(path, placement, known_sites=list(names))
        except ValidationError as exc:
            show_problem("The placement was not logged:", exc)
        else:
            st.success(f"Logged placement #{number}: {placement.describe()}.")


def meeting_postbox() -> None:
    """Public: where the postbox will stand in the coming weeks (place names and dates only)."""
    d = ss["data"]
    with st.spinner("Planning the postbox weeks…"):
        _, plan, _, _, _ = postbox_outputs(
            d["key"],
            current_settings().to_toml(),
            log_stamp(placement_log()),
            d["incidents"],
            d["boundaries"],
        )
    table = pd.DataFrame(plan[list(PLAN_COLUMNS)])
    for col in (pb.START_DATE, pb.END_DATE):
        table[col] = pd.to_datetime(table[col]).dt.strftime("%a %d %b %Y")
    st.dataframe(table, hide_index=True, width="stretch", column_config=PLAN_COLUMNS)


# --- Interventions (staff) ---------------------------------------------------------------
@st.cache_resource(show_spinner=False, max_entries=8)
def evaluate_cached(
    key: str,
    settings_toml: str,
    iv_key: str,
    iv_id: str,
    options: tuple[float, int, int],
    _incidents: Sequence[tuple[str, bytes]] | None,
    _boundaries: tuple[str, bytes] | None,
    _iv_source: tuple[str, bytes] | None,
) -> InterventionResult:
    """Before/after, displacement and hotspot shift of one intervention (read-only)."""
    raw, wards = load_data(key, _incidents, _boundaries)
    base = run_cached(key, settings_toml, _incidents, _boundaries)
    ivs = load_interventions(_iv_source or EXAMPLE_INTERVENTIONS)
    iv = next(i for i in ivs if i.intervention_id == iv_id)
    radius, before, after = options
    opts = InterventionOptions(radius_m=radius, months_before=before, months_after=after)
    return evaluate_intervention(raw, wards, iv, options=opts, base=base)


def plain_labels(frame: pd.DataFrame) -> dict[str, str]:
    """Column headings in words for a table shown as it is: ``before_months`` -> "Before months"."""
    return {str(col): str(col).replace("_", " ").capitalize() for col in frame.columns}


def intervention_panel(settings: Settings) -> None:
    """Staff: did a warrant, closure order or team start change incidents nearby?"""
    upload = st.file_uploader(
        "Interventions CSV (default: the shipped example file)", type=["csv"], key="iv_upload"
    )
    try:
        source = None
        if upload is not None:
            source = incident_uploads([(upload.name, upload.getvalue())], limits=LIMITS)[0]
        ivs = load_interventions(source or EXAMPLE_INTERVENTIONS)
    except ValidationError as exc:
        show_problem("The interventions file could not be used:", exc)
        return
    table = interventions_table(ivs)
    st.dataframe(table, hide_index=True, width="stretch", column_config=plain_labels(table))
    ids = [iv.intervention_id for iv in ivs]
    o1, o2, o3, o4 = st.columns(4)
    iv_id = o1.selectbox("Intervention", ids, key="iv_id")
    radius = o2.slider("Target radius (m)", 50, 1000, 200, step=25, key="iv_radius")
    before = o3.number_input("Months before", 1, 12, 3, key="iv_before")
    after = o4.number_input("Months after", 1, 12, 3, key="iv_after")
    d = ss["data"]
    iv_key = sources_digest([source], None) if source else "example"
    with st.spinner("Comparing before and after…"):
        result = evaluate_cached(
            d["key"],
            settings.to_toml(),
            iv_key,
            str(iv_id),
            (float(radius), int(before), int(after)),
            d["incidents"],
            d["boundaries"],
            source,
        )
    for warning in result.warnings:
        st.warning(warning[:1].upper() + warning[1:])
    effects = effects_table([result])
    st.dataframe(effects, hide_index=True, width="stretch", column_config=plain_labels(effects))
    st.iframe(map_html(intervention_map(result)), height=480)
    st.image(series_png([result]), width="stretch")


# --- Data (everyone) ---------------------------------------------------------------------
def nothing_usable(result: PipelineResult, shown: int = 5) -> list[str]:
    """Why no row of ``result`` can be used: a summary, then the first rows set aside."""
    n = result.counts
    first = [
        f"{r.source_file}, row {r.row}: {r.reason}"
        for r in result.rejected.head(shown).itertuples(index=False)
    ]
    more = [f"… and {n.rejected - shown:,} more rows set aside"] if n.rejected > shown else []
    return [
        f"No row can be used: {n.rows_read:,} row{'s' if n.rows_read != 1 else ''} read, "
        f"{n.invalid:,} invalid, {n.outside_wards:,} outside the wards, {n.filtered:,} "
        "filtered out by the settings.",
        *first,
        *more,
    ]


def use_uploads() -> None:
    """Check and run the uploaded files; keep the previous data if anything is wrong."""
    files = ss.get("up_incidents") or []
    bfile = ss.get("up_boundaries")
    previous = ss["data"]
    try:
        inc = (
            incident_uploads([(f.name, f.getvalue()) for f in files], limits=LIMITS)
            if files
            else None
        )
        bnd = boundary_upload(bfile.name, bfile.getvalue(), limits=LIMITS) if bfile else None
        if inc is None and bnd is None:
            raise ValidationError("Choose at least one file to upload first.")
        labels = [n for n, _ in inc] if inc else ["shipped incidents"]
        label = (
            "Uploaded: " + ", ".join(labels) + "; wards: " + (bnd[0] if bnd else "shipped wards")
        )
        new = {
            "key": sources_digest(inc, bnd),
            "incidents": tuple(inc) if inc else None,
            "boundaries": bnd,
            "label": label,
        }
        with st.spinner("Reading and checking the files…"):
            result = get_result(current_settings(), new)
        if result.counts.accepted == 0:
            raise ValidationError(nothing_usable(result))
    except ValidationError as exc:
        show_problem(
            "The uploaded files could not be used:",
            exc,
            f"Nothing changed: the app still uses the previous data ({previous['label']}).",
        )
        return
    ss["data"] = new
    st.success(f"Now using the uploaded files. {new['label']}.")


def page_data() -> None:
    st.title("Data in use")
    with st.expander("Use other data (upload files)", expanded=ss["data"]["key"] != "shipped"):
        st.write(
            "Upload police.uk street-level CSVs and/or local incident CSVs, and optionally a "
            "ward boundary file. Files are read in memory for this browser session only. "
            f"Limits: {LIMITS.max_file_mb:g} MB a file, {LIMITS.max_total_mb:g} MB and "
            f"{LIMITS.max_files} files in all."
        )
        st.file_uploader(
            "Incident CSV files",
            type=list(INCIDENT_TYPES),
            accept_multiple_files=True,
            key="up_incidents",
        )
        st.file_uploader(
            "Ward boundaries (GeoJSON, GeoPackage or zipped Shapefile)",
            type=list(BOUNDARY_TYPES),
            key="up_boundaries",
        )
        b1, b2 = st.columns(2)
        if b1.button("Use these files"):
            use_uploads()
        if b2.button("Go back to the shipped data"):
            ss["data"] = SHIPPED
            st.success("Now using the shipped data.")
    d = ss["data"]
    st.write(d["label"])
    settings = current_settings()
    with st.spinner("Checking the data…"):
        result = get_result(settings)
    n = result.counts
    m1, m2, m3, m4, m5 = st.columns(5)
    m1.metric("Rows read", f"{n.rows_read:,}")
    m2.metric("Used", f"{n.accepted:,}")
    m3.metric("Set aside", f"{n.rejected:,}")
    m4.metric("In hotspots", f"{n.clustered:,}")
    m5.metric("Hotspots", f"{n.hotspots:,}")
    st.write(n.sentence())
    for note in result.notes:
        st.info(note)
    st.subheader("Rows set aside, by reason")
    reasons = summarise_reasons(result.rejected)
    if reasons.empty:
        st.write("No rows were set aside.")
    else:
        st.dataframe(reasons, hide_index=True, width="stretch")
    if signed_in():
        st.subheader("Every row set aside")
        st.dataframe(result.rejected, hide_index=True, width="stretch")
        st.download_button("Rows set aside (CSV)", rejected_csv(result), "rejected.csv", "text/csv")
    else:
        st.caption("Staff who sign in see every set-aside row with its file and row number.")


# --- navigation --------------------------------------------------------------------------
PAGE_FUNCS: dict[str, Callable[[], None]] = {
    "Meeting": page_meeting,
    "Patrol": page_patrol,
    "Analyst": page_analyst,
    "Data": page_data,
}


def choose_page() -> str:
    """Sidebar page picker; ``?page=patrol`` in the address opens that page."""
    if "page" not in ss:
        wanted = str(st.query_params.get("page", "meeting")).capitalize()
        ss["page"] = wanted if wanted in PAGES else "Meeting"
    with st.sidebar:
        page = st.radio(
            "Page",
            PAGES,
            key="page",
            format_func=lambda p: f"{p} (staff)" if p in STAFF_PAGES else p,
        )
        if signed_in():
            st.success("Signed in as staff.")
            if st.button("Sign out"):
                ss.pop("staff_hash", None)
                st.rerun()
        st.caption(
            "Contains public sector information licensed under the Open Government Licence v3.0."
        )
    st.query_params["page"] = page.lower()
    return str(page)


page = choose_page()
try:
    PAGE_FUNCS[page]()
except ValidationError as exc:
    show_problem("This page cannot be shown with the data and settings in use:", exc)
except Exception:
    log.exception("page %s failed", page)
    st.error(
        "Something went wrong while drawing this page. The details are in the server log; "
        "the data and settings in use have not changed."
    )

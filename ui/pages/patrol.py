"""Patrol (staff): ranked hotspots of chosen wards and months, map, charts, downloads."""

from __future__ import annotations

import streamlit as st

from geo import columns as c
from geo.prepare import window_months
from geo.settings_edits import WINDOW_MONTHS, period_file_name, window_settings
from geo.staff import (
    category_mix,
    compared_months,
    hotspots_csv,
    hotspots_geojson,
    monthly_counts,
    patrol_sheet_html,
    patrol_table,
    patrol_view,
    period_caption,
    period_text,
    score_words,
    trend_words,
)
from ui import cache, charts, state
from ui.effect_cards import effect_cards_section
from ui.gate import staff_gate
from ui.postbox import postbox_panel
from ui.settings_form import settings_notice
from ui.staff_map import show_staff_map, street_frame
from ui.widgets import NO_INCIDENTS, narrow_margins, ward_picker

#: Hotspots the ranked list shows without a scroll inside it.
LIST_ROWS = 20


def page() -> None:
    """Draw the patrol page (after the staff sign-in)."""
    if not staff_gate("Patrol"):
        return
    narrow_margins()
    st.title("Patrol planning")
    settings_notice("This page", key="patrol_usual")
    settings = state.settings()
    months = cache.data_months(settings)
    if not months:
        st.warning(NO_INCIDENTS)
        return
    base = cache.result(settings)
    names = dict(zip(base.wards[c.WARD_CODE], base.wards[c.WARD_NAME], strict=True))
    left, right = st.columns([3, 2])
    codes = ward_picker(left, names, key="patrol_wards")
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
    with st.spinner("Finding hotspots…"):
        run, whole_window = cache.window_result(ws)
        view = patrol_view(run, codes)
    # the months clustered are those of the data inside the window (9 of 12 asked for)
    clustered = window_months((months[0], months[-1]), ws)
    st.caption(
        f"{period_caption(months, ws, window, whole_window=whole_window)} A hotspot is "
        f"{ws.min_samples_for(clustered)} or more weighted incidents within {ws.eps_m:g} m of "
        "each other (set on the Analyst page)."
    )
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Hotspots", view.n_hotspots)
    m2.metric("Incidents in hotspots", view.in_hotspots)
    m3.metric("Incidents in wards", view.in_wards)
    m4.metric("Rising or new", view.rising)

    st.subheader("Hotspots, highest weighted score first")
    table = patrol_table(view.hotspots, trend_months=compared_months(ws, whole_window=whole_window))
    # what a sergeant reads first fits the page (a 1024 px screen with the sidebar open
    # too): the rank and the score it follows, where, going which way, how many; then the
    # ward, in view at 1366 px (with every ward chosen the place alone does not say which
    # part of the area to drive to); the main problems and the months come after
    first = ["Rank", "Score", "Place", "Trend", "Incidents", "Ward"]
    last = ["Category mix", "Months"]
    # the hotspot's id and kind are for the downloads and the analyst, not the list
    hidden = ["Kind", "Hotspot"]
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        # every hotspot in view without a scroll inside the list (up to 20 of them), and a
        # new list for other wards or months starts at rank 1, not where the last was left
        height="content" if len(table) <= LIST_ROWS else LIST_ROWS * 35 + 38,
        key=f"patrol_list_{window}_{'-'.join(codes)}",
        column_order=[col for col in first if col in table.columns]
        + [col for col in table.columns if col not in first + last + hidden]
        + [col for col in last if col in table.columns],
        column_config={
            "Rank": st.column_config.NumberColumn(width="small"),
            # wide enough for "Rose Hill and Iffley" and "▲ rising"/"● no clear change",
            # no wider: the counts after them stay in view at 1366 px
            "Ward": st.column_config.TextColumn(width=150),
            "Trend": st.column_config.TextColumn(width=140),
            "Category mix": st.column_config.TextColumn("Main problems"),
            "Score": st.column_config.NumberColumn(
                width="small", format="%.1f", help="Incidents weighted by category: see below"
            ),
        },
    )
    st.caption(score_words(ws))
    # a sergeant finds a listed place on the map: it opens on that hotspot and its streets
    places = dict(zip(table["Rank"].tolist(), table["Place"].tolist(), strict=True))
    focus = st.selectbox(
        "Show on the map",
        [0, *places],
        format_func=lambda r: f"{r}. {places[r]}" if r else "All the chosen wards",
        key="patrol_focus",
    )
    show_staff_map(
        ws,
        codes,
        key=f"patrol_map_{focus}" if focus else "patrol_map",
        height=600,
        names_clear_of_hotspots=True,
        focus_rank=focus or None,
        patrol=True,
    )
    effect_cards_section(settings)

    # one chart under the other: side by side, each is too narrow to read at 1024 px
    st.subheader("Category mix (top 10 hotspots)")
    mix = category_mix(view.hotspots, ws)
    if mix.empty:
        st.write("No hotspots to show.")
    else:
        labels = charts.hotspot_row_labels(view.hotspots)
        spec = charts.category_mix_spec(mix, ws, labels=labels)
        st.vega_lite_chart(spec=spec, width="stretch")
    st.subheader("Incidents per month in these wards")
    st.bar_chart(monthly_counts(view.incidents), height=360, x_label="Month", y_label="Incidents")

    st.subheader("Downloads")
    period = period_text(months, str(ws.since), str(ws.until), window)
    src = state.data_source()
    sheet = patrol_sheet_html(
        view.hotspots,
        view.wards,
        period=period,
        data_label=src.label,
        streets=street_frame(src.key, src, ws),
        trend=trend_words(ws, window, whole_window=whole_window),
    )
    d1, d2, d3 = st.columns([1.4, 1, 1], gap="small")  # each label whole at 1024 px

    def name(stem: str, ext: str) -> str:
        return period_file_name(stem, months, str(ws.since), str(ws.until), ext)

    d1.download_button(
        "Patrol sheet (printable HTML)", sheet, name("patrol-sheet", "html"), "text/html"
    )
    d2.download_button(
        "Hotspots (GeoJSON)",
        hotspots_geojson(view.result),
        name("hotspots", "geojson"),
        "application/geo+json",
    )
    d3.download_button(
        "Hotspots (CSV)", hotspots_csv(view.result), name("hotspots", "csv"), "text/csv"
    )

    st.subheader("Postbox")
    if st.toggle("Plan the 'have your say' postbox", key="patrol_postbox"):
        postbox_panel()


page()

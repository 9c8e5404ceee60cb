"""Meeting (public, the default page): where reported problems concentrate, safe to project."""

from __future__ import annotations

from collections.abc import Hashable

import streamlit as st

from geo import public
from geo.settings import Settings
from geo.settings_edits import window_settings
from geo.source import DataSource
from ui import cache, state
from ui.postbox import meeting_postbox
from ui.widgets import NO_INCIDENTS

WINDOWS = {"Last 3 months": 3, "Last 6 months": 6, "Last 12 months": 12}


@st.cache_data(show_spinner=False, max_entries=24)
def meeting_outputs(
    key: str, settings_key: Hashable, min_count: int, _source: DataSource, _settings: Settings
) -> public.MeetingOutputs:
    """:func:`geo.public.meeting_outputs` of a run with a minimum count, cached."""
    result = cache.run(key, settings_key, _source, _settings)
    return public.meeting_outputs(
        result, public_settings=public.PublicSettings(min_count=min_count)
    )


def page() -> None:
    """Draw the meeting page."""
    st.title("Where problems concentrate in South East Oxford")
    settings = state.settings()
    months = cache.data_months(settings)
    if not months:
        st.warning(NO_INCIDENTS)
        return
    choice = st.radio("Period", list(WINDOWS), index=1, horizontal=True, key="meeting_window")
    ws = window_settings(settings, last_month=months[-1], months=WINDOWS[choice])
    pub = state.public_settings()
    src = state.data_source()
    with st.spinner("Preparing the map…"):
        out = meeting_outputs(src.key, ws.cache_key(), pub.min_count, src, ws)
        st.iframe(out.map_html, height=720)
    st.write(out.explanation)
    if len(out.table):
        st.dataframe(
            out.table,
            hide_index=True,
            width="stretch",
            height=min(35 * (len(out.table) + 1) + 3, 640),
            column_config=public.MEETING_COLUMNS,
        )
    st.subheader("Reports per month, whole area")
    full = cache.result(settings.replace(since=None, until=None))
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
        data=out.standalone,
        file_name="meeting-map.html",
        mime="text/html",
    )
    if st.toggle("Where the 'have your say' postbox goes next", key="meeting_postbox"):
        meeting_postbox()


page()

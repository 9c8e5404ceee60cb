"""Meeting (public, the default page): where reported problems concentrate, safe to project."""

from __future__ import annotations

from collections.abc import Hashable

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo import columns as c
from geo import public
from geo.prepare import preparation_settings
from geo.settings import Settings
from geo.settings_edits import period_file_name, window_settings
from geo.source import DataSource
from geo.staff import compared_months
from ui import cache, charts, state
from ui.gate import public_screen_warning
from ui.postbox import meeting_postbox
from ui.settings_form import settings_notice
from ui.widgets import NO_INCIDENTS

WINDOWS = {"Last 3 months": 3, "Last 6 months": 6, "Last 12 months": 12}

#: Key of the container holding the map (Streamlit gives it the class ``st-key-<key>``).
MAP_KEY = "meeting_map"
#: On a small screen (a 1024x768 projector) the title, the period control and the whole map
#: with its legend and every ward fit on the first screen; the list of areas scrolls below.
#: The map's height follows the window there: the window less what sits above the map.
#: Larger screens keep the usual spacing and a map up to 720 px high. The map's box follows
#: the map (Streamlit sizes it for the 720 px asked for, which left a gap under a lower map).
LAYOUT_CSS = f"""<style>
.st-key-{MAP_KEY} iframe {{height: clamp(420px, calc(100vh - 330px), 720px) !important;
  display: block;}}
.st-key-{MAP_KEY} [data-testid="stElementContainer"] {{height: auto !important;
  flex: 0 0 auto !important;}}
@media (max-width: 1100px), (max-height: 820px) {{
  [data-testid="stMainBlockContainer"] {{padding: 3.6rem 1.25rem 2rem;}}
  [data-testid="stMainBlockContainer"] h1 {{font-size: 1.7rem; padding: 0.2rem 0 0.3rem;}}
  .st-key-{MAP_KEY} iframe {{height: clamp(380px, calc(100vh - 196px), 720px) !important;}}
}}
</style>"""


@st.cache_resource(show_spinner=False, max_entries=6)
def meeting_streets(
    key: str, settings_key: Hashable, min_count: int, _source: DataSource, _settings: Settings
) -> gpd.GeoDataFrame:
    """:func:`geo.public.public_streets` of every month and category of the data, cached.

    ``_settings`` are preparation settings with the month and category filters lifted, so
    the street names stay the same whatever period the page shows.
    """
    prep = cache.prepared(key, settings_key, _source, _settings)
    return public.public_streets(prep.incidents, prep.wards, min_incidents=min_count)


def streets_for(settings: Settings, min_count: int, source: DataSource) -> gpd.GeoDataFrame:
    """The public street labels of ``source`` (all its months), for ``settings``."""
    unfiltered = preparation_settings(settings.replace(since=None, until=None, include=()))
    return meeting_streets(source.key, unfiltered.cache_key(), min_count, source, unfiltered)


@st.cache_data(show_spinner=False, max_entries=24)
def meeting_outputs(
    key: str,
    settings_key: Hashable,
    min_count: int,
    _source: DataSource,
    _settings: Settings,
    _streets: gpd.GeoDataFrame,
) -> public.MeetingOutputs:
    """:func:`geo.public.meeting_outputs` of a run with a minimum count, cached.

    The areas' trends are the Patrol page's (:func:`ui.cache.window_run`): the months shown
    against as many months before them where the data reach back so far (the last 3
    months: September to November against June to August), the last part of the months
    shown against the part before otherwise. ``_streets`` depend only on the source, the
    settings and the minimum count (all in the key).
    """
    result, whole_window = cache.window_run(key, settings_key, _source, _settings)
    return public.meeting_outputs(
        result,
        public_settings=public.PublicSettings(min_count=min_count),
        streets=_streets,
        trend_months=compared_months(_settings, whole_window=whole_window),
    )


#: The list's columns in the order shown: the area, where it is, its trend and band first.
LIST_ORDER: tuple[str, ...] = (
    public.AREA_ID,
    c.WARD_NAME,
    public.PLACE,
    c.TREND,
    public.INCIDENTS_BAND,
    public.MAIN_PROBLEMS,
)


def area_list(table: pd.DataFrame) -> pd.DataFrame:
    """The list of areas as shown: :data:`LIST_ORDER`, headed by their names in words.

    ``table`` is :attr:`geo.public.MeetingOutputs.table`; the headings are
    :data:`geo.public.MEETING_COLUMNS`. Area names are joined by a no-break space.
    """
    shown = pd.DataFrame(table[list(LIST_ORDER)])
    # "Area 9" never breaks over two lines in its narrow column
    shown[public.AREA_ID] = shown[public.AREA_ID].astype(str).str.replace(" ", "\u00a0")
    return shown.rename(columns=public.MEETING_COLUMNS)


def page() -> None:
    """Draw the meeting page."""
    st.html(LAYOUT_CSS)
    st.title("Where problems concentrate in South East Oxford")
    public_screen_warning("meeting_sign_out")  # staff signed in: sign out before projecting
    settings = state.settings()
    months = cache.data_months(settings)
    if not months:
        st.warning(NO_INCIDENTS)
        return
    settings_notice("This map", key="meeting_usual")
    choice = st.radio("Period", list(WINDOWS), index=1, horizontal=True, key="meeting_window")
    ws = window_settings(settings, last_month=months[-1], months=WINDOWS[choice])
    pub = state.public_settings()
    src = state.data_source()
    with st.spinner("Preparing the map…"), st.container(key=MAP_KEY):
        streets = streets_for(settings, pub.min_count, src)
        out = meeting_outputs(src.key, ws.cache_key(), pub.min_count, src, ws, streets)
        st.iframe(out.map_html, height=720)
    if WINDOWS[choice] > len(months):  # said under the map, which then still fits the screen
        st.caption(f"The data in use cover only {len(months)} months: the map shows all of them.")
    st.caption(
        f"Data: {out.source}, the latest months in the data in use (police.uk publishes "
        "each month about two months later). Contains public sector information licensed "
        "under the Open Government Licence v3.0."
    )
    if len(out.table):
        st.subheader("The areas on the map")
        st.markdown(f"**Trend:** {out.trend}")
        # a plain table, not a data grid: long place names and problems wrap within the
        # page's width, so every column is read whole on a 1024-pixel projector
        st.table(area_list(out.table), hide_index=True)
    st.write(out.explanation)
    st.subheader("Reports per month, whole area")
    full = cache.result(settings.replace(since=None, until=None))
    monthly = public.monthly_counts_public(full.incidents, public=pub)
    data, spec = charts.public_months_chart(
        monthly, str(ws.since), str(ws.until), round_to=pub.round_to
    )
    st.vega_lite_chart(data, spec, height=280, width="stretch")
    st.caption(
        f"The darker bars are the months the map shows. Counts are rounded to the nearest "
        f"{pub.round_to}; a month with fewer than {pub.min_count} reports would be left empty."
    )
    st.download_button(
        "Download this map for the meeting (HTML, opens offline)",
        data=out.standalone,
        file_name=period_file_name("meeting-map", months, str(ws.since), str(ws.until), "html"),
        mime="text/html",
    )
    if st.toggle("Where the 'have your say' postbox goes next", key="meeting_postbox"):
        meeting_postbox()


page()

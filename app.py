"""Streamlit app: a thin shell over ``geo`` for public meetings, patrol planning and tuning.

The entry point only: page config, navigation over the page files in ``ui/pages/``, the
sidebar account box and one error boundary. Meeting (public, default), Patrol and Analyst
(staff, password), Data (everyone). Old links such as ``?page=patrol`` still open a page.

Only Streamlit is imported before the first paint: the page's title and a loading message
are drawn (:func:`ui.startup.first_paint`) while the heavy modules load and the shipped data
is prepared in the background; :mod:`geo` and the pages come after.
"""

from __future__ import annotations

import logging

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from ui.startup import first_paint

st.set_page_config(page_title="SE Oxford hotspots", layout="wide")
log = logging.getLogger("hotspots.app")


def meeting_address() -> None:
    """``/meeting``: the Meeting page, which as the default page lives at ``/``."""
    st.switch_page(PAGES["meeting"])


PAGES = {
    "meeting": st.Page("ui/pages/meeting.py", title="Meeting", url_path="public", default=True),
    "patrol": st.Page("ui/pages/patrol.py", title="Patrol (staff)", url_path="patrol"),
    "analyst": st.Page("ui/pages/analyst.py", title="Analyst (staff)", url_path="analyst"),
    "data": st.Page("ui/pages/data.py", title="Data", url_path="data"),
}
#: Session key set once the session's first page has been drawn.
OPENED = "app_opened"
#: The heading each page draws first, shown while a cold server warms up.
HEADINGS = {
    "Meeting": "Where problems concentrate in South East Oxford",
    "Patrol (staff)": "Patrol planning",
    "Analyst (staff)": "Tune the clustering",
    "Data": "Data in use",
}


def follow_old_link() -> None:
    """Open the page an old ``?page=<name>`` address names (any case), once."""
    wanted = st.query_params.get("page")
    if wanted is None:
        return
    del st.query_params["page"]
    target = PAGES.get(str(wanted).strip().lower())
    if target is not None:
        st.switch_page(target)


def account_box(box: st.delta_generator.DeltaGenerator, *, public: bool = False) -> None:
    """The sidebar below the pages (``box``): staff sign-in state, sign out, the licence.

    On a ``public`` page (Meeting) a signed-in session is told to sign out before the screen
    is shown at a meeting, instead of the staff pages' "Signed in as staff".
    """
    from ui.gate import PUBLIC_SCREEN_WARNING, send_cookie, sign_out_button, signed_in

    with box:
        send_cookie()  # after a sign-in or sign-out: the browser's sign-in cookie
        if signed_in():
            if public:
                st.warning(PUBLIC_SCREEN_WARNING)
            else:
                st.success("Signed in as staff.")
            sign_out_button(box, public=public)
        st.caption(
            "Contains public sector information licensed under the Open Government Licence v3.0."
        )


def close_sidebar_on_public_page(title: str) -> None:
    """Close the sidebar on the Meeting page when it opens a session or staff signed out there.

    A browser opened on the public page (a projector at a meeting) starts with the whole
    width for the map and no staff pages in sight; the arrow at the top left opens the
    sidebar. Someone who came from another page keeps the sidebar as it was, until they
    sign out on the Meeting page.
    """
    from ui import state

    signed_out_here = state.take_close_sidebar()
    if title == "Meeting" and (signed_out_here or not st.session_state.get(OPENED)):
        st.set_page_config(initial_sidebar_state="collapsed")
    st.session_state[OPENED] = True


def run_page(page: StreamlitPage) -> None:
    """Run ``page`` inside the one error boundary: plain English, never a traceback."""
    try:
        page.run()
    except Exception as exc:
        from geo.errors import ValidationError
        from ui.widgets import show_problem

        if isinstance(exc, ValidationError):
            show_problem("This page cannot be shown with the data and settings in use:", exc)
            return
        log.exception("page %s failed", page.title)
        st.error(
            "Something went wrong while drawing this page. The details are in the server log; "
            "the data and settings in use have not changed."
        )


# a bookmarked or typed /meeting opens the Meeting page instead of "Page not found"
ALIASES = [st.Page(meeting_address, title="Meeting", url_path="meeting", visibility="hidden")]
page = st.navigation([*PAGES.values(), *ALIASES])
follow_old_link()
sidebar = st.sidebar.container()  # drawn after the page, shown below the pages
first_paint(HEADINGS.get(page.title, page.title))
close_sidebar_on_public_page(page.title)
run_page(page)
account_box(sidebar, public=page.title == "Meeting")

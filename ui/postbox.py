"""The postbox panels: the staff plan with its map and log form, and the public plan."""

from __future__ import annotations

import os
from collections.abc import Hashable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from geo import columns as c
from geo import postbox as pb
from geo.errors import ValidationError
from geo.paths import DEFAULT_DB
from geo.settings import Settings
from geo.source import DataSource
from ui import cache, state
from ui.widgets import show_problem

LOG_ENV = "HOTSPOTS_PLACEMENT_LOG"
#: Session-state key of the message shown after a placement is logged (across the rerun).
LOGGED = "pb_logged"


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
def cached_outputs(
    key: str,
    settings_key: Hashable,
    stamp: str,
    planning_date: date,
    _source: DataSource,
    _settings: Settings,
) -> pb.PostboxOutputs:
    """:func:`geo.postbox.postbox_outputs` of a run and the placement log as it is now.

    Shared read-only between reruns; ``stamp`` (:func:`log_stamp`) renews it after a
    placement is logged.
    """
    result = cache.run(key, settings_key, _source, _settings)
    return pb.postbox_outputs(
        result, pb.read_placements(placement_log()), planning_date=planning_date
    )


def outputs(settings: Settings, planning_date: date) -> pb.PostboxOutputs:
    """The postbox outputs of ``settings`` on the data in use, planned from ``planning_date``."""
    src = state.data_source()
    stamp = log_stamp(placement_log())
    return cached_outputs(src.key, settings.cache_key(), stamp, planning_date, src, settings)


def plan_run_settings() -> Settings:
    """The run the postbox is planned on: the saved settings over all months of the data.

    No page's window applies, so the Patrol panel (whatever its months), the Meeting page
    and ``python -m geo postbox next`` give one plan: the demand period is the postbox's own
    ``lookback_days`` counted back from the data's last day.
    """
    return state.settings().replace(since=None, until=None)


def planned_on(out: pb.PostboxOutputs) -> str:
    """``"Planned on incidents from the last 365 days of the data, ..."``: the plan's period."""
    return f"Planned on {out.time_frame}"


def long_date(day: date) -> str:
    """``"Saturday 1 December 2018"``."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def next_site_text(site: pd.Series, start: date) -> str:
    """Where the box goes next and from when, as one line of the panel.

    E.g. ``"**Next site: Blackbird Leys Library** (Northfield Brook), from Tuesday 8
    December 2026: covers 2 hotspots ..."``.

    ``site`` is a row of :func:`geo.postbox.recommend` (``name``, ``ward_name``, ``reason``);
    its ward is left out when the place's name already ends with it ("…, Cowley").
    """
    name, ward = str(site[pb.NAME]), str(site[c.WARD_NAME])
    where = "" if name.endswith(f", {ward}") else f" ({ward})"
    return f"**Next site: {name}**{where}, from {long_date(start)}: {site[pb.REASON]}."


PLAN_COLUMN_CONFIG: dict[str, Any] = {
    pb.WEEK: "Week",
    pb.START_DATE: st.column_config.DateColumn("From", format="ddd D MMM YYYY"),
    pb.END_DATE: st.column_config.DateColumn("To", format="ddd D MMM YYYY"),
    pb.NAME: "Place",
    c.WARD_NAME: "Ward",
    pb.NEW_INCIDENTS: "Incidents newly reached",
    pb.COVERED_SHARE: st.column_config.NumberColumn(
        "Share of incidents reached so far", format="percent"
    ),
    pb.REASON: "Why this place",
}
SCORE_COLUMNS = {
    c.RANK: "Rank",
    pb.NAME: "Place",
    c.WARD_NAME: "Ward",
    pb.STATUS: "Status",
    pb.POSTBOX_SCORE: "Score",
    pb.INCIDENT_SCORE: "Incident demand",
    pb.HOTSPOT_SCORE: "Hotspot demand",
    pb.COVERED_SCORE: "Already covered",
    pb.YIELD_FACTOR: "Slip yield ×",
    pb.COOLDOWN_FACTOR: "Cooldown ×",
    c.N_INCIDENTS: "Incidents",
    pb.SLIPS_PER_WEEK: "Slips a week",
}


def postbox_panel() -> None:
    """Staff: recommended site and coverage circle, the plan, the score breakdown, the log.

    Two dates: incidents are counted up to the data's last day, over the postbox's own
    demand period (``lookback_days``, whatever months the page shows; see
    :func:`plan_run_settings`, so staff and public see one plan), while the placements run
    on the planning date (today unless changed here).
    """
    path = placement_log()
    planning = st.date_input(
        "Planning date",
        value=date.today(),
        key="pb_planning_date",
        help=(
            "Today, unless you plan ahead: the cooldown, the sites' availability and the "
            "plan's weeks run from this date. Incident counts run to the data's last day."
        ),
    )
    with st.spinner("Planning the postbox weeks (maximal covering)…"):
        out = outputs(plan_run_settings(), planning)
    ranked, plan = out.ranked, out.plan
    st.caption(
        f"{planned_on(out)}, whatever the months chosen above: the same plan the Meeting page "
        "shows the public. Every number in this panel counts these incidents (police.uk data "
        f"arrives about two months late); the next placement starts on "
        f"{long_date(out.plan_start)}."
    )
    logged = st.session_state.pop(LOGGED, None)
    if logged:
        st.success(logged)
    top = pb.next_site(ranked, plan)  # week 1 of the plan, as on the map
    if top is not None:
        st.write(next_site_text(top, out.plan_start))
    st.iframe(out.map_html, height=520)
    st.markdown("**The next weeks** (chosen together to reach as many incidents as possible)")
    st.dataframe(
        pd.DataFrame(plan[list(PLAN_COLUMN_CONFIG)]),
        hide_index=True,
        width="stretch",
        column_config=PLAN_COLUMN_CONFIG,
    )
    st.markdown("**Score breakdown** (score = demand × yield × cooldown)")
    st.dataframe(
        pd.DataFrame(ranked[list(SCORE_COLUMNS)]).head(10).round(2),
        hide_index=True,
        width="stretch",
        column_config=SCORE_COLUMNS,
    )
    for note in out.notes:
        st.info(note)
    names = dict(zip(ranked[pb.SITE_ID], ranked[pb.NAME], strict=True))
    start = out.plan_start
    with st.form("log_placement"):
        st.markdown(f"**Log a placement** (written to the placement log `{path.name}`)")
        site = st.selectbox(
            "Site",
            list(names),
            index=list(names).index(top[pb.SITE_ID]) if top is not None else 0,
            format_func=lambda k: names.get(k, k),
            key="pb_site",
        )
        f1, f2, f3 = st.columns(3)
        # keyed on the week, so the defaults move on once a week is logged
        first = f1.date_input("From", value=start, key=f"pb_from_{start.isoformat()}")
        last = f2.date_input(
            "To", value=start + timedelta(days=6), key=f"pb_to_{start.isoformat()}"
        )
        slips = f3.number_input("Slips collected", min_value=0, max_value=100_000, step=1)
        note = st.text_input("Note (staff only, at most 500 characters)", max_chars=500)
        submitted = st.form_submit_button("Log this placement")
    if submitted:
        try:
            placement = pb.Placement(
                site_id=str(site), from_date=first, to_date=last, slips=int(slips), note=note
            )
            number = pb.add_placement(path, placement, known_sites=list(names))
        except ValidationError as exc:
            show_problem("The placement was not logged:", exc)
        else:
            # draw the panel again from the new log: the recommendation and plan move on
            st.session_state[LOGGED] = (
                f"Logged placement #{number}: the box at {names.get(str(site), site)} "
                f"from {long_date(first)} to {long_date(last)}."
            )
            st.rerun()


def meeting_postbox() -> None:
    """Public: where the postbox will stand in the coming weeks (place names and dates only).

    Always planned from today (a staff member's planning date is not shown in public);
    weeks already over are left out.
    """
    today = date.today()
    with st.spinner("Planning the postbox weeks…"):
        out = outputs(plan_run_settings(), today)
    # a plain table, as the list of areas above it: long place names wrap, so the ward
    # column stays on a 1024-pixel projector's screen instead of behind a scroll bar
    plan = pb.public_plan(out.plan, booked=out.booked, today=today)
    st.table(plan.rename(columns=pb.PUBLIC_PLAN_LABELS), hide_index=True)
    st.caption(f"{planned_on(out)}.")

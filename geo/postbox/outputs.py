"""The postbox panels' outputs from one run: ranked sites, the plan, notes, map, public plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import pandas as pd

from geo import columns as c
from geo.maps.safe import safe_for_map, svg_html
from geo.postbox.demand import data_end_date, plan_start, time_frame
from geo.postbox.maps import postbox_map
from geo.postbox.plan import rotation_plan
from geo.postbox.recommendation import log_notes, recommend
from geo.postbox.records import FROM_DATE, TO_DATE
from geo.postbox.settings import END_DATE, START_DATE, WEEK, PostboxSettings
from geo.postbox.sites import NAME, SITE_ID, load_sites
from geo.result import PipelineResult

__all__ = ["PUBLIC_PLAN_LABELS", "PostboxOutputs", "booked_weeks", "postbox_outputs", "public_plan"]

#: The plan's columns that may be shown in public, and their headings.
PUBLIC_PLAN_LABELS: dict[str, str] = {
    WEEK: "Week",
    START_DATE: "From",
    END_DATE: "To",
    NAME: "Place",
    c.WARD_NAME: "Ward",
}


@dataclass(frozen=True, eq=False)
class PostboxOutputs:
    """What the postbox panels show for one run, one planning date and one state of the log.

    Attributes
    ----------
    ranked
        Every site ranked (:func:`geo.postbox.recommend`; ``rank``, ``site_id``, ``name``,
        ``ward_name``, scores and factors, ``reason``; EPSG:4326 points).
    plan
        The next weeks (:func:`geo.postbox.rotation_plan`): ``week``, ``start_date``,
        ``end_date``, ``site_id``, ``name``, ``ward_name``, ``new_incidents``,
        ``covered_share``, ``reason``, ...
    booked
        Logged placements that end after the planning date (:func:`booked_weeks`):
        ``start_date``, ``end_date`` (datetime64[ns]), ``site_id``, ``name``,
        ``ward_name``.
    notes
        Remarks on the placement log (:func:`geo.postbox.log_notes`).
    map_html
        Staff map of the ranked sites, the plan and the hotspots, as an offline page.
    data_end
        The day incident ages are counted to (:func:`geo.postbox.data_end_date`).
    planning_date
        "Today" of the placements: cooldown, availability, the plan's weeks.
    plan_start
        The day the next placement starts (:func:`geo.postbox.plan_start`).
    time_frame
        The incidents every number of the panel counts, in words
        (:func:`geo.postbox.time_frame`).

    """

    ranked: gpd.GeoDataFrame
    plan: gpd.GeoDataFrame
    booked: pd.DataFrame
    notes: list[str]
    map_html: str
    data_end: date
    planning_date: date
    plan_start: date
    time_frame: str


def postbox_outputs(
    result: PipelineResult,
    placements: pd.DataFrame | None = None,
    *,
    sites: gpd.GeoDataFrame | None = None,
    planning_date: date | None = None,
    settings: PostboxSettings | None = None,
) -> PostboxOutputs:
    """Rank the sites, plan the next weeks and draw the staff map for ``result``.

    Parameters
    ----------
    result
        A pipeline run (its incidents, hotspots and wards, metric CRS). Its incidents are
        the panel's one time frame (within the lookback): pass the run of the months the
        page shows.
    placements
        The placement log (:func:`geo.postbox.read_placements`); ``None`` = none yet.
    sites
        Candidate sites (:func:`geo.postbox.load_sites`); default the shipped sites checked
        against the run's wards.
    planning_date
        "Today" of the placements; default the data's last day (the app passes today).
    settings
        Defaults to ``PostboxSettings()``.

    Returns
    -------
    PostboxOutputs

    """
    s = settings or PostboxSettings()
    if sites is None:
        sites = load_sites(wards=result.wards).sites
    end = data_end_date(result.incidents)
    planning = end if planning_date is None else planning_date
    args = (result.incidents, result.hotspots, sites, placements)
    ranked = recommend(*args, settings=s, data_end=end, planning_date=planning)
    plan = rotation_plan(*args, settings=s, data_end=end, planning_date=planning)
    m = postbox_map(
        safe_for_map(result.wards),
        ranked,
        plan=plan,
        hotspots=safe_for_map(result.hotspots),
        radius_m=s.radius_m,
    )
    return PostboxOutputs(
        ranked=ranked,
        plan=plan,
        booked=booked_weeks(placements, sites, planning),
        notes=log_notes(placements, sites, planning),
        map_html=svg_html(m),
        data_end=end,
        planning_date=planning,
        plan_start=plan_start(placements, planning),
        time_frame=time_frame(result.incidents, s, end),
    )


def booked_weeks(
    placements: pd.DataFrame | None, sites: pd.DataFrame, planning_date: date
) -> pd.DataFrame:
    """Logged placements that end after ``planning_date``: where the box is booked to stand.

    Parameters
    ----------
    placements
        The log (``site_id``, ``from_date``, ``to_date``); ``None`` = none.
    sites
        ``site_id``, ``name`` and optionally ``ward_name`` of the sites.
    planning_date
        "Today".

    Returns
    -------
    pandas.DataFrame
        ``start_date``, ``end_date`` (datetime64[ns]), ``site_id``, ``name``,
        ``ward_name`` (str), sorted by start date.

    """
    cols = [START_DATE, END_DATE, SITE_ID, NAME, c.WARD_NAME]
    if placements is None or len(placements) == 0:
        out = pd.DataFrame({col: pd.Series(dtype=object) for col in cols})
        for col in (START_DATE, END_DATE):
            out[col] = out[col].astype("datetime64[ns]")
        return out
    ahead = placements.loc[pd.to_datetime(placements[TO_DATE]) > pd.Timestamp(planning_date)]
    ahead = ahead.sort_values([FROM_DATE, SITE_ID], kind="stable")
    by_id = pd.DataFrame(sites).drop_duplicates(SITE_ID).set_index(SITE_ID)
    ids = ahead[SITE_ID].astype(str)
    wards = by_id[c.WARD_NAME] if c.WARD_NAME in by_id.columns else pd.Series(dtype=object)
    return pd.DataFrame(
        {
            START_DATE: pd.to_datetime(ahead[FROM_DATE]).astype("datetime64[ns]").to_numpy(),
            END_DATE: pd.to_datetime(ahead[TO_DATE]).astype("datetime64[ns]").to_numpy(),
            SITE_ID: ids.to_numpy(dtype=object),
            NAME: [
                str(n) if pd.notna(n) else i
                for n, i in zip(by_id[NAME].reindex(ids), ids, strict=True)
            ],
            c.WARD_NAME: wards.reindex(ids).fillna("").astype(str).to_numpy(),
        }
    )


def public_plan(
    plan: pd.DataFrame, *, booked: pd.DataFrame | None = None, today: date | None = None
) -> pd.DataFrame:
    """Where the postbox stands in the coming weeks: place names and dates only.

    Parameters
    ----------
    plan
        From :func:`geo.postbox.rotation_plan`.
    booked
        Optional :func:`booked_weeks`: placements already logged for the coming days,
        listed before the plan.
    today
        Weeks that ended before this day are left out (default: none left out).

    Returns
    -------
    pandas.DataFrame
        :data:`PUBLIC_PLAN_LABELS` columns only: ``week`` (int, 1 = the first coming
        week), ``start_date`` and ``end_date`` as text (``"Sat 01 Dec 2018"``), ``name``,
        ``ward_name``.

    """
    parts = [pd.DataFrame(plan[[START_DATE, END_DATE, NAME, c.WARD_NAME]])]
    if booked is not None and len(booked):
        parts.insert(0, pd.DataFrame(booked[[START_DATE, END_DATE, NAME, c.WARD_NAME]]))
    table = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    table = table.reset_index(drop=True)
    if today is not None:
        table = table.loc[pd.to_datetime(table[END_DATE]) >= pd.Timestamp(today)]
    table = table.sort_values(START_DATE, kind="stable").reset_index(drop=True)
    table.insert(0, WEEK, range(1, len(table) + 1))
    table[WEEK] = table[WEEK].astype("int64")
    for col in (START_DATE, END_DATE):
        table[col] = pd.to_datetime(table[col]).dt.strftime("%a %d %b %Y")
    return pd.DataFrame(table[list(PUBLIC_PLAN_LABELS)])

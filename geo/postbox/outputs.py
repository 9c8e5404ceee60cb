"""The postbox panels' outputs from one run: ranked sites, the plan, notes, map, public plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import pandas as pd

from geo import columns as c
from geo.maps.safe import safe_for_map, svg_html
from geo.postbox.demand import default_reference_date
from geo.postbox.maps import postbox_map
from geo.postbox.plan import rotation_plan
from geo.postbox.recommendation import log_notes, recommend
from geo.postbox.settings import END_DATE, START_DATE, WEEK, PostboxSettings
from geo.postbox.sites import NAME, load_sites
from geo.result import PipelineResult

__all__ = ["PUBLIC_PLAN_LABELS", "PostboxOutputs", "postbox_outputs", "public_plan"]

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
    """What the postbox panels show for one run and one state of the placement log.

    Attributes
    ----------
    ranked
        Every site ranked (:func:`geo.postbox.recommend`; ``rank``, ``site_id``, ``name``,
        ``ward_name``, scores and factors, ``reason``; EPSG:4326 points).
    plan
        The next weeks (:func:`geo.postbox.rotation_plan`): ``week``, ``start_date``,
        ``end_date``, ``site_id``, ``name``, ``ward_name``, ``new_incidents``,
        ``covered_share``, ``reason``, ...
    notes
        Remarks on the placement log (:func:`geo.postbox.log_notes`).
    map_html
        Staff map of the ranked sites, the plan and the hotspots, as an offline page.
    reference_date
        The "today" of the data (:func:`geo.postbox.default_reference_date`).

    """

    ranked: gpd.GeoDataFrame
    plan: gpd.GeoDataFrame
    notes: list[str]
    map_html: str
    reference_date: date


def postbox_outputs(
    result: PipelineResult,
    placements: pd.DataFrame | None = None,
    *,
    sites: gpd.GeoDataFrame | None = None,
) -> PostboxOutputs:
    """Rank the sites, plan the next weeks and draw the staff map for ``result``.

    Parameters
    ----------
    result
        A pipeline run (its incidents, hotspots and wards, metric CRS).
    placements
        The placement log (:func:`geo.postbox.read_placements`); ``None`` = none yet.
    sites
        Candidate sites (:func:`geo.postbox.load_sites`); default the shipped sites checked
        against the run's wards.

    Returns
    -------
    PostboxOutputs

    """
    if sites is None:
        sites = load_sites(wards=result.wards).sites
    ref = default_reference_date(result.incidents)
    ranked = recommend(result.incidents, result.hotspots, sites, placements)
    plan = rotation_plan(result.incidents, result.hotspots, sites, placements)
    m = postbox_map(
        safe_for_map(result.wards),
        ranked,
        plan=plan,
        hotspots=safe_for_map(result.hotspots),
        radius_m=PostboxSettings().radius_m,
    )
    return PostboxOutputs(
        ranked=ranked,
        plan=plan,
        notes=log_notes(placements, sites, ref),
        map_html=svg_html(m),
        reference_date=ref,
    )


def public_plan(plan: pd.DataFrame) -> pd.DataFrame:
    """Where the postbox stands in the coming weeks: place names and dates only.

    Parameters
    ----------
    plan
        From :func:`geo.postbox.rotation_plan`.

    Returns
    -------
    pandas.DataFrame
        :data:`PUBLIC_PLAN_LABELS` columns only: ``week`` (int), ``start_date`` and
        ``end_date`` as text (``"Sat 01 Dec 2018"``), ``name``, ``ward_name``.

    """
    table = pd.DataFrame(plan[list(PUBLIC_PLAN_LABELS)])
    for col in (START_DATE, END_DATE):
        table[col] = pd.to_datetime(table[col]).dt.strftime("%a %d %b %Y")
    return table

"""Where the "have your say" postbox should go next: site scores, a k-week plan, and its map.

This module ranks the sites (:func:`recommend`) and explains what the log leaves out; the
settings and column names live in :mod:`geo.postbox.settings`, demand in
:mod:`geo.postbox.demand`, site scores in :mod:`geo.postbox.score`, the rotation plan in
:mod:`geo.postbox.plan` and maps and output files in :mod:`geo.postbox.maps`. Every public
name of those modules is importable from here.
"""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import pandas as pd

from geo.postbox.demand import plan_start, resolve_date
from geo.postbox.records import BOX_ID, FROM_DATE, TO_DATE
from geo.postbox.score import score_sites
from geo.postbox.settings import (
    PostboxSettings,
)
from geo.postbox.sites import SITE_ID

__all__ = [
    "log_notes",
    "recommend",
]


def recommend(
    incidents: gpd.GeoDataFrame,
    hotspots: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    placements: pd.DataFrame | None = None,
    *,
    settings: PostboxSettings | None = None,
    data_end: date | None = None,
    planning_date: date | None = None,
) -> gpd.GeoDataFrame:
    """Score every candidate site for the next one-week placement and rank them.

    Two dates, because police.uk data arrives about two months late: incident ages are
    counted up to ``data_end`` (the data's last day), while the placements run on the
    ``planning_date`` (today, in the app): the next placement starts the day after it, or
    after the last logged placement when the box is booked beyond it
    (:func:`geo.postbox.demand.plan_start`).

    Score of a site = ``demand_score x yield_factor x cooldown_factor`` (0 when not
    eligible), where, over the incidents within ``radius_m`` of the site that are at most
    ``lookback_days`` old at ``data_end``:

    - each incident weighs its category weight x ``0.5 ** (age_days / half_life_days)``
      (police.uk ages count from the first day of the month);
    - ``incident_score`` sums those weights, ``hotspot_score`` adds ``hotspot_bonus`` x the
      weights of incidents inside a hotspot, and ``covered_score`` is the part from
      incidents an earlier placement already covered (the box stood within ``radius_m`` of
      the incident on or after its date);
    - ``yield_factor`` is the site's shrunk slip rate over the prior rate (Gamma-Poisson:
      prior Gamma(shape = prior mean x prior_weeks, rate = prior_weeks); posterior mean
      ``(prior mean x prior_weeks + slips) / (prior_weeks + weeks placed)``, counting the
      placements that ended by the planning date), so a site never tried scores 1 and gets
      tried, and a site with few slips sinks only as evidence grows;
    - a site whose last placement (logged or booked) ended fewer than ``cooldown_days``
      days before the next placement starts is cooling down: ``cooldown_factor``
      (default 0 = excluded);
    - a site not available for the whole next week (``available_from``/``available_to``)
      is not eligible.

    Parameters
    ----------
    incidents
        Point ``geometry`` in a metric CRS, ``date`` (datetime64), ``weight`` (float, the
        category weight) and optionally ``hotspot_id`` ("" = not in a hotspot), as in
        :attr:`geo.pipeline.PipelineResult.incidents`.
    hotspots
        ``hotspot_id`` and polygon ``geometry`` in the same CRS (may be empty).
    sites
        ``site_id``, ``name``, ``kind``, Point ``geometry`` (any CRS), optionally
        ``available_from``/``available_to`` (datetime64, NaT = open) and ``ward_name``, as
        in :attr:`geo.postbox.sites.SiteCheck.sites`.
    placements
        The log, as from :func:`geo.postbox.read_placements` (``site_id``,
        ``from_date``, ``to_date``, ``slips``); placements at sites not in ``sites`` are
        left out (see :func:`log_notes`). Placements after the planning date are bookings.
    settings
        Defaults to ``PostboxSettings()``.
    data_end
        The day incident ages are counted to; default :func:`geo.postbox.data_end_date`
        (the last day of the data's last month).
    planning_date
        "Today" for the cooldown, availability, slip yield and the week being planned;
        default ``data_end`` (the app passes today's date).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per site, columns :data:`RANKED_COLUMNS`: ``rank`` (int, 1 = best; eligible
        sites first, then by score, demand score and site id), ``site_id``, ``name``,
        ``kind``, ``ward_name`` (str), ``status`` (str), ``eligible`` (bool), the score
        parts (float), ``n_incidents``, ``n_recent``, ``n_hotspots`` (int), ``hotspot_ids``
        (str), ``n_placements`` (int), ``weeks_placed`` (float), ``slips`` (int),
        ``slips_per_week`` (float), ``last_visit`` (datetime64[ns], the end of the latest
        logged or booked placement), ``days_since_visit`` (Int64, planning date minus
        ``last_visit``; negative while booked), ``reason`` (str, one sentence),
        ``longitude``/``latitude`` (WGS84) and Point ``geometry`` in the incidents' CRS.

    """
    s = settings or PostboxSettings()
    end = resolve_date(incidents, data_end, "data_end")
    planning = (
        end if planning_date is None else resolve_date(incidents, planning_date, "planning_date")
    )
    return score_sites(incidents, hotspots, sites, placements, s, end, planning, window_days=7)


def log_notes(
    placements: pd.DataFrame | None,
    sites: pd.DataFrame,
    planning_date: date,
) -> list[str]:
    """Plain-English notes on the log: bookings past the planning date, unknown sites."""
    if placements is None or len(placements) == 0:
        return []
    notes: list[str] = []
    ahead = placements.loc[pd.to_datetime(placements[TO_DATE]) > pd.Timestamp(planning_date)]
    if len(ahead):
        first = ahead.sort_values(FROM_DATE, kind="stable").iloc[0]
        box = str(first[BOX_ID]) if BOX_ID in ahead.columns else "the box"
        start = plan_start(placements, planning_date)
        notes.append(
            f"{len(ahead)} logged placement(s) run past the planning date "
            f"{planning_date.isoformat()} ({box} at {first[SITE_ID]} from "
            f"{pd.Timestamp(first[FROM_DATE]):%Y-%m-%d} to {pd.Timestamp(first[TO_DATE]):%Y-%m-%d}"
            f"{' and more' if len(ahead) > 1 else ''}): the next placement is planned from "
            f"{start.isoformat()}; their slips count once they have ended"
        )
    unknown = sorted(set(placements[SITE_ID].astype(str)) - set(sites[SITE_ID].astype(str)))
    if unknown:
        notes.append(
            f"placements at site(s) no longer in the sites list are not used: {', '.join(unknown)}"
        )
    return notes

"""Postbox site scores: demand within the radius, slip yield, cooldown, availability, reason."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj

from geo import columns as c
from geo.errors import ValidationError
from geo.postbox.demand import (
    covered_incidents,
    incident_weights,
    known_placements,
    plan_start,
    sites_in_crs,
)
from geo.postbox.records import FROM_DATE, SLIPS, TO_DATE
from geo.postbox.settings import (
    COOLDOWN_FACTOR,
    COVERED_SCORE,
    DAYS_SINCE_VISIT,
    DEMAND_SCORE,
    ELIGIBLE,
    FALLBACK_SLIPS_PER_WEEK,
    HOTSPOT_IDS,
    HOTSPOT_SCORE,
    INCIDENT_SCORE,
    LAST_VISIT,
    N_HOTSPOTS,
    N_PLACEMENTS,
    N_RECENT,
    POSTBOX_SCORE,
    RANKED_COLUMNS,
    REASON,
    SLIPS_PER_WEEK,
    STATUS,
    WEEKS_PLACED,
    YIELD_FACTOR,
    PostboxSettings,
)
from geo.postbox.sites import (
    AVAILABLE_FROM,
    AVAILABLE_TO,
    LATITUDE,
    LONGITUDE,
    NAME,
    SITE_ID,
    SITE_KIND,
)
from geo.project import WGS84


def score_sites(
    incidents: gpd.GeoDataFrame,
    hotspots: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    placements: pd.DataFrame | None,
    s: PostboxSettings,
    data_end: date,
    planning_date: date,
    *,
    window_days: int,
) -> gpd.GeoDataFrame:
    """Score every site; the table behind :func:`geo.postbox.recommend` and the plan.

    ``incidents`` (``date``, ``weight``, points in a metric CRS) within ``s.radius_m`` of a
    site make its demand, aged to ``data_end``; the placement being scored starts on
    :func:`~geo.postbox.demand.plan_start` (the day after ``planning_date``, or after the
    last booked placement) and lasts ``window_days`` days: cooldown and availability are
    judged for it. Slip yield counts placements that ended by ``planning_date``.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per site, columns :data:`geo.postbox.RANKED_COLUMNS` plus ``geometry``
        (site points in ``incidents.crs``), ranked as :func:`geo.postbox.recommend` says.

    """
    inc = incident_weights(incidents, s, data_end)
    site_pts = sites_in_crs(sites, incidents.crs)
    n = len(site_pts)
    log = known_placements(placements, site_pts)
    start = pd.Timestamp(plan_start(placements, planning_date))
    covered = covered_incidents(inc, site_pts, log, s)
    weight = inc["base"] + inc["bonus"]

    tree = gpd.GeoSeries(inc["geometry"], crs=incidents.crs)
    i_site, i_inc = (
        tree.sindex.query(site_pts.geometry.to_numpy(), predicate="dwithin", distance=s.radius_m)
        if len(tree)
        else (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64))
    )

    def per_site(values: np.ndarray) -> np.ndarray:
        return np.bincount(i_site, weights=values[i_inc], minlength=n)

    incident_score = per_site(inc["base"])
    hotspot_score = per_site(inc["bonus"])
    covered_score = per_site(weight * covered)
    n_incidents = np.bincount(i_site, minlength=n).astype(np.int64)
    n_recent = per_site((inc["age"] <= s.recent_days).astype(float)).round().astype(np.int64)
    demand = np.maximum(incident_score + hotspot_score - covered_score, 0.0)

    hot_ids: list[list[str]] = [[] for _ in range(n)]
    if hotspots is not None and len(hotspots):
        if pyproj.CRS(hotspots.crs) != pyproj.CRS(incidents.crs):
            raise ValidationError("hotspots and incidents are in different CRSs")
        h_site, h_idx = hotspots.sindex.query(
            site_pts.geometry.to_numpy(), predicate="dwithin", distance=s.radius_m
        )
        ids = hotspots[c.HOTSPOT_ID].astype(str).to_numpy()
        for a, b in zip(h_site, h_idx, strict=True):
            hot_ids[a].append(str(ids[b]))
    hot_ids = [sorted(x) for x in hot_ids]

    # history and slip yield (Gamma-Poisson shrinkage towards the prior rate); a booked
    # placement counts for the cooldown and coverage, its slips once it has ended
    span = log[TO_DATE].to_numpy() - log[FROM_DATE].to_numpy()
    days = (span // np.timedelta64(1, "D")).astype(np.int64) + 1  # both ends included
    ended = log[TO_DATE].to_numpy() <= np.datetime64(planning_date, "D")
    hist = pd.DataFrame(
        {SITE_ID: log[SITE_ID].to_numpy(dtype=object), "days": days, SLIPS: log[SLIPS]}
    ).loc[ended]
    by_site = hist.groupby(SITE_ID).agg(days=("days", "sum"), slips=(SLIPS, "sum"))
    last = pd.Series(log[TO_DATE].to_numpy(), index=log[SITE_ID].to_numpy()).groupby(level=0).max()
    ids_all = site_pts[SITE_ID].astype(str).to_numpy()
    n_logged = pd.Series(log[SITE_ID].to_numpy(dtype=object)).value_counts()
    n_pl = n_logged.reindex(ids_all, fill_value=0).to_numpy(dtype=np.int64)
    weeks = by_site["days"].reindex(ids_all, fill_value=0).to_numpy(dtype=float) / 7.0
    slips = by_site["slips"].reindex(ids_all, fill_value=0).to_numpy(dtype=np.int64)
    prior = _prior_rate(s, float(hist[SLIPS].sum()), float(hist["days"].sum()) / 7.0)
    alpha, beta = prior * s.prior_weeks, s.prior_weeks
    spw = (alpha + slips) / (beta + weeks)
    yield_factor = spw / prior

    last_visit = pd.to_datetime(pd.Series(last.reindex(ids_all).to_numpy())).astype(
        "datetime64[ns]"
    )
    since = (pd.Timestamp(planning_date) - last_visit).dt.days.astype("Int64")
    # cooling: fewer than cooldown_days between the last (or booked) stay and the day
    # before the placement being scored starts
    gap = (start - pd.Timedelta(days=1) - last_visit).dt.days
    cooling = gap.notna().to_numpy() & (gap.fillna(10**9).to_numpy() < s.cooldown_days)
    end = start + pd.Timedelta(days=window_days - 1)
    a_from = _dates(site_pts, AVAILABLE_FROM)
    a_to = _dates(site_pts, AVAILABLE_TO)
    available = (a_from.isna() | (a_from <= start)) & (a_to.isna() | (a_to >= end))
    available_np = available.to_numpy(dtype=bool)
    cool_factor = np.where(cooling, s.cooldown_factor, 1.0)
    eligible = available_np & (cool_factor > 0)
    score = np.where(eligible, demand * yield_factor * cool_factor, 0.0)
    status = np.where(
        ~available_np, "not available", np.where(cooling, "cooling down", "available")
    )
    wgs = site_pts.geometry.to_crs(WGS84)
    ward = (
        site_pts[c.WARD_NAME].fillna("").astype(str).to_numpy(dtype=object)
        if c.WARD_NAME in site_pts.columns
        else np.full(n, "", dtype=object)
    )
    out = pd.DataFrame(
        {
            SITE_ID: ids_all.astype(object),
            NAME: site_pts[NAME].astype(str).to_numpy(dtype=object),
            SITE_KIND: site_pts[SITE_KIND].astype(str).to_numpy(dtype=object),
            c.WARD_NAME: ward,
            STATUS: status.astype(object),
            ELIGIBLE: eligible,
            POSTBOX_SCORE: score,
            DEMAND_SCORE: demand,
            INCIDENT_SCORE: incident_score,
            HOTSPOT_SCORE: hotspot_score,
            COVERED_SCORE: covered_score,
            YIELD_FACTOR: yield_factor,
            COOLDOWN_FACTOR: cool_factor,
            c.N_INCIDENTS: n_incidents,
            N_RECENT: n_recent,
            N_HOTSPOTS: np.array([len(x) for x in hot_ids], dtype=np.int64),
            HOTSPOT_IDS: np.array([", ".join(x) for x in hot_ids], dtype=object),
            N_PLACEMENTS: n_pl,
            WEEKS_PLACED: weeks,
            SLIPS: slips,
            SLIPS_PER_WEEK: spw,
            LAST_VISIT: last_visit.to_numpy(dtype="datetime64[ns]"),
            DAYS_SINCE_VISIT: since.to_numpy(),
            LONGITUDE: wgs.x.to_numpy(),
            LATITUDE: wgs.y.to_numpy(),
        }
    )
    out[DAYS_SINCE_VISIT] = out[DAYS_SINCE_VISIT].astype("Int64")
    out[REASON] = [
        _reason(row, s, a_from.iloc[i], a_to.iloc[i], window_days, planning_date)
        for i, row in enumerate(out.to_dict("records"))
    ]
    out["geometry"] = site_pts.geometry.to_numpy()
    out = out.sort_values(
        [ELIGIBLE, POSTBOX_SCORE, DEMAND_SCORE, SITE_ID],
        ascending=[False, False, False, True],
        kind="stable",
    ).reset_index(drop=True)
    out[c.RANK] = np.arange(1, n + 1, dtype=np.int64)
    return gpd.GeoDataFrame(
        out[[*RANKED_COLUMNS, "geometry"]], geometry="geometry", crs=incidents.crs
    )


def _prior_rate(s: PostboxSettings, slips: float, weeks: float) -> float:
    if s.prior_slips_per_week is not None:
        return float(s.prior_slips_per_week)
    if weeks > 0 and slips > 0:
        return slips / weeks
    return FALLBACK_SLIPS_PER_WEEK


def _dates(sites: pd.DataFrame, col: str) -> pd.Series:
    if col not in sites.columns:
        return pd.Series(pd.NaT, index=sites.index, dtype="datetime64[ns]")
    return pd.to_datetime(sites[col]).astype("datetime64[ns]")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _reason(
    row: Mapping[Any, Any],
    s: PostboxSettings,
    a_from: Any,
    a_to: Any,
    window_days: int,
    planning_date: date,
) -> str:
    """One sentence: what the site covers, when it was last used, its yield and status.

    The incidents quoted are those of the recommendation's one time frame (the lookback to
    the data's end, :func:`geo.postbox.demand.time_frame`), as in the plan.
    """
    n_hot, n_inc = int(row[N_HOTSPOTS]), int(row[c.N_INCIDENTS])
    inc = _plural(n_inc, "incident")
    parts = [f"covers {_plural(n_hot, 'hotspot')} with {inc}" if n_hot else f"covers {inc}"]
    if int(row[N_PLACEMENTS]) == 0:
        parts.append("never visited")
    else:
        last = pd.Timestamp(row[LAST_VISIT])
        booked = last > pd.Timestamp(planning_date)
        cooling = row[STATUS] == "cooling down" or (
            row[STATUS] == "not available" and int(row[DAYS_SINCE_VISIT]) < s.cooldown_days
        )
        effect = (
            "so it is left out"
            if s.cooldown_factor == 0
            else f"so its score is multiplied by {s.cooldown_factor:g}"
        )
        if booked:
            parts.append(
                f"the box is booked there until {last:%Y-%m-%d}"
                + (f", {effect}" if cooling else "")
            )
        elif cooling:
            parts.append(
                f"visited until {last:%Y-%m-%d}, within the {s.cooldown_days}-day cooldown, "
                f"{effect}"
            )
        else:
            parts.append(f"not visited since {last:%Y-%m}")
        if float(row[WEEKS_PLACED]) > 0:
            fy = float(row[YIELD_FACTOR])
            trend = "above" if fy > 1.05 else "below" if fy < 0.95 else "about"
            weeks = f"{float(row[WEEKS_PLACED]):.3g}"
            parts.append(
                f"{_plural(int(row[SLIPS]), 'slip')} in {weeks} "
                f"week{'' if weeks == '1' else 's'} there ({trend} the usual yield)"
            )
    total = float(row[INCIDENT_SCORE]) + float(row[HOTSPOT_SCORE])
    if float(row[COVERED_SCORE]) > 0 and total > 0:
        share = 100 * float(row[COVERED_SCORE]) / total
        parts.append(f"{share:.0f}% of its demand was already covered by earlier placements")
    if row[STATUS] == "not available":
        when = []
        if pd.notna(a_from):
            when.append(f"from {pd.Timestamp(a_from):%Y-%m-%d}")
        if pd.notna(a_to):
            when.append(f"until {pd.Timestamp(a_to):%Y-%m-%d}")
        parts.append(
            f"not available for the next {_plural(window_days // 7, 'week')} "
            f"(available {' '.join(when)})"
        )
    return "; ".join(parts)

"""The postbox rotation plan: the next weeks' sites chosen together (spopt MCLP or greedy)."""

from __future__ import annotations

from datetime import date
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import columns as c
from geo.errors import ValidationError
from geo.postbox.demand import demand_points, plan_start, resolve_date
from geo.postbox.score import score_sites
from geo.postbox.settings import (
    COOLDOWN_FACTOR,
    COVERED_DEMAND,
    COVERED_SHARE,
    ELIGIBLE,
    END_DATE,
    NEW_DEMAND,
    NEW_INCIDENTS,
    PLAN_COLUMNS,
    POSTBOX_SCORE,
    REASON,
    START_DATE,
    WEEK,
    YIELD_FACTOR,
    PostboxSettings,
)
from geo.postbox.sites import LATITUDE, LONGITUDE, NAME, SITE_ID, SITE_KIND
from geo.project import require_metric

__all__ = ["next_site", "rotation_plan"]


def rotation_plan(
    incidents: gpd.GeoDataFrame,
    hotspots: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    placements: pd.DataFrame | None = None,
    *,
    settings: PostboxSettings | None = None,
    data_end: date | None = None,
    planning_date: date | None = None,
    method: Literal["mclp", "greedy"] = "mclp",
) -> gpd.GeoDataFrame:
    """Choose the next ``plan_weeks`` placements together, to cover as much demand as possible.

    Demand is every distinct incident location in the lookback, weighted as in
    :func:`geo.postbox.recommend` (category x recency, hotspot bonus, minus what earlier placements
    covered); a location counts once however many chosen sites reach it. ``"mclp"`` solves
    the maximal covering location problem exactly with PySAL ``spopt``
    (``MCLP.from_geodataframe``, PuLP's bundled CBC solver); ``"greedy"`` adds, week by week,
    the site covering the most still-uncovered demand (a baseline: never better than MCLP).

    Candidates are the sites eligible in :func:`geo.postbox.recommend` for the whole plan period
    (available every day of it, not excluded by the cooldown at its start); each site is
    used at most once. The chosen sites are ordered so that each week takes the site with
    the most new demand x ``yield_factor`` x ``cooldown_factor`` (ties: site id). Slip yield
    orders the weeks but does not change which demand counts as covered. With no demand at
    all the best-ranked eligible sites are taken.

    Parameters
    ----------
    incidents, hotspots, sites, placements, settings, data_end, planning_date
        As in :func:`geo.postbox.recommend`: ages to ``data_end``, weeks from the
        planning date.
    method
        ``"mclp"`` (default) or ``"greedy"``.

    Returns
    -------
    geopandas.GeoDataFrame
        ``min(plan_weeks, eligible sites)`` rows, columns :data:`PLAN_COLUMNS`: ``week``
        (int, 1..k), ``start_date``/``end_date`` (datetime64[ns]; week 1 starts on
        :func:`geo.postbox.demand.plan_start`: the day after the planning date, or after
        the last booked placement; 7 days each), ``site_id``, ``name``, ``kind``,
        ``ward_name``, ``new_demand`` (float), ``new_incidents`` (int), ``covered_demand``
        (float, cumulative), ``covered_share`` (float 0-1 of all lookback demand),
        ``yield_factor``, ``score`` and ``reason`` (from the ranking), ``longitude``,
        ``latitude``, Point ``geometry`` in the incidents' CRS.

    """
    if method not in ("mclp", "greedy"):
        raise ValidationError(f"method must be 'mclp' or 'greedy'. Got {method!r}.")
    s = settings or PostboxSettings()
    end = resolve_date(incidents, data_end, "data_end")
    planning = (
        end if planning_date is None else resolve_date(incidents, planning_date, "planning_date")
    )
    ranked = score_sites(
        incidents, hotspots, sites, placements, s, end, planning, window_days=7 * s.plan_weeks
    )
    fac = ranked.loc[ranked[ELIGIBLE].to_numpy(dtype=bool)]
    fac = fac.sort_values(SITE_ID, kind="stable").reset_index(drop=True)
    dem = demand_points(incidents, sites, placements, settings=s, data_end=end)
    k = min(s.plan_weeks, len(fac))
    total = float(dem["demand"].sum())
    if k == 0:
        return _empty_plan(ranked)
    # which facility covers which demand point (inclusive radius, as spopt's aij)
    cover = np.zeros((len(fac), len(dem)), dtype=bool)
    if len(dem):
        i_fac, i_dem = dem.sindex.query(
            fac.geometry.to_numpy(), predicate="dwithin", distance=s.radius_m
        )
        cover[i_fac, i_dem] = True
    w = dem["demand"].to_numpy(dtype=float)
    counts = dem[c.N_INCIDENTS].to_numpy(dtype=np.int64)
    if total <= 0:
        chosen = list(np.argsort(fac[c.RANK].to_numpy(), kind="stable")[:k])
    elif method == "mclp":
        chosen = _mclp(dem, fac, k, s.radius_m)
    else:
        chosen = _greedy(cover, w, np.ones(len(fac)), k)
    value = fac[YIELD_FACTOR].to_numpy(dtype=float) * fac[COOLDOWN_FACTOR].to_numpy(dtype=float)
    order = _greedy(cover[chosen], w, value[chosen], k) if total > 0 else list(range(k))
    picked = [chosen[j] for j in order]
    rows = fac.iloc[picked].reset_index(drop=True)
    done = np.zeros(len(dem), dtype=bool)
    new_demand, new_incidents, cum = [], [], []
    for j in picked:
        new = cover[j] & ~done
        new_demand.append(float(w[new].sum()))
        new_incidents.append(int(counts[new].sum()))
        done |= new
        cum.append(float(w[done].sum()))
    start = pd.Timestamp(plan_start(placements, planning))
    weeks = np.arange(1, len(rows) + 1)
    out = pd.DataFrame(
        {
            WEEK: weeks,
            START_DATE: [start + pd.Timedelta(days=7 * (n - 1)) for n in weeks],
            END_DATE: [start + pd.Timedelta(days=7 * n - 1) for n in weeks],
            SITE_ID: rows[SITE_ID].to_numpy(dtype=object),
            NAME: rows[NAME].to_numpy(dtype=object),
            SITE_KIND: rows[SITE_KIND].to_numpy(dtype=object),
            c.WARD_NAME: rows[c.WARD_NAME].to_numpy(dtype=object),
            NEW_DEMAND: new_demand,
            NEW_INCIDENTS: np.asarray(new_incidents, dtype=np.int64),
            COVERED_DEMAND: cum,
            COVERED_SHARE: np.asarray(cum) / total if total > 0 else np.zeros(len(rows)),
            YIELD_FACTOR: rows[YIELD_FACTOR].to_numpy(dtype=float),
            POSTBOX_SCORE: rows[POSTBOX_SCORE].to_numpy(dtype=float),
            REASON: rows[REASON].to_numpy(dtype=object),
            LONGITUDE: rows[LONGITUDE].to_numpy(dtype=float),
            LATITUDE: rows[LATITUDE].to_numpy(dtype=float),
        }
    )
    out[START_DATE] = out[START_DATE].astype("datetime64[ns]")
    out[END_DATE] = out[END_DATE].astype("datetime64[ns]")
    return gpd.GeoDataFrame(out, geometry=rows.geometry.to_numpy(), crs=ranked.crs)


def next_site(ranked: pd.DataFrame, plan: pd.DataFrame | None) -> pd.Series | None:
    """The site the box goes to next: week 1 of the plan, so the panel, map and plan agree.

    The plan chooses its weeks together (:func:`rotation_plan`), so its first site need not
    be the best-ranked one (a site free for one week but not the whole plan period ranks
    first and is left out of the plan). Without a plan, or with an empty one, it is the
    best-ranked eligible site.

    Parameters
    ----------
    ranked
        From :func:`geo.postbox.recommend` (``rank``, ``site_id``, ``name``, ``ward_name``,
        ``eligible``, ``score``, ``reason``, ``longitude``, ``latitude``, ...).
    plan
        From :func:`rotation_plan` (``week``, ``site_id``, ...), or ``None``.

    Returns
    -------
    pandas.Series or None
        That site's row of ``ranked`` (same index labels as its columns); ``None`` when no
        site is eligible.

    """
    if plan is not None and len(plan):
        first = str(plan.sort_values(WEEK, kind="stable")[SITE_ID].iloc[0])
        rows = ranked.loc[ranked[SITE_ID].astype(str) == first]
        if len(rows):
            return rows.iloc[0]
    eligible = ranked.loc[ranked[ELIGIBLE].to_numpy(dtype=bool)]
    return eligible.iloc[0] if len(eligible) else None


def _mclp(dem: gpd.GeoDataFrame, fac: gpd.GeoDataFrame, k: int, radius_m: float) -> list[int]:
    """Indices into ``fac`` of the ``k`` sites spopt's MCLP chooses (CBC, exact)."""
    import pulp
    from spopt.locate import MCLP

    require_metric(dem.crs, "demand points")  # spopt measures distances in CRS units
    require_metric(fac.crs, "candidate sites")
    model = MCLP.from_geodataframe(
        dem[["demand", "geometry"]],
        fac[[SITE_ID, "geometry"]],
        "geometry",
        "geometry",
        "demand",
        service_radius=float(radius_m),
        p_facilities=int(k),
    )
    model = model.solve(pulp.PULP_CBC_CMD(msg=False))
    return [j for j, v in enumerate(model.fac_vars) if (v.value() or 0.0) > 0.5]


def _greedy(cover: np.ndarray, w: np.ndarray, value: np.ndarray, k: int) -> list[int]:
    """Pick up to ``k`` rows of ``cover`` one by one, each maximising new ``w`` x ``value``."""
    done = np.zeros(cover.shape[1], dtype=bool)
    left = list(range(cover.shape[0]))
    out: list[int] = []
    while left and len(out) < k:
        gains = [float(w[cover[j] & ~done].sum()) * float(value[j]) for j in left]
        best = left[int(np.argmax(gains))]  # first of equal gains: lowest index = site id order
        out.append(best)
        done |= cover[best]
        left.remove(best)
    return out


def _empty_plan(ranked: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    df = pd.DataFrame({col: pd.Series(dtype=object) for col in PLAN_COLUMNS})
    for col in (WEEK, NEW_INCIDENTS):
        df[col] = df[col].astype("int64")
    for col in (START_DATE, END_DATE):
        df[col] = df[col].astype("datetime64[ns]")
    for col in (NEW_DEMAND, COVERED_DEMAND, COVERED_SHARE, YIELD_FACTOR, POSTBOX_SCORE):
        df[col] = df[col].astype(float)
    for col in (LONGITUDE, LATITUDE):
        df[col] = df[col].astype(float)
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries([], crs=ranked.crs))

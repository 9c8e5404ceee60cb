"""Postbox demand: incidents weighted in the lookback, less earlier coverage, as demand points."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj

from geo import columns as c
from geo.errors import ValidationError
from geo.postbox.placements import empty_placements
from geo.postbox.records import FROM_DATE, SLIPS, TO_DATE
from geo.postbox.settings import PostboxSettings
from geo.postbox.sites import NAME, SITE_ID, SITE_KIND
from geo.project import require_metric


def data_end_date(incidents: pd.DataFrame) -> date:
    """The last day of the data's last month (police.uk dates are months).

    Incident ages are counted up to this day: the shipped data ends in November 2018, so
    an incident of 2018-11 is 29 days old whatever today's date. The calendar of the
    placements (cooldown, availability, the plan's weeks) runs on the planning date instead.

    Raises
    ------
    ValidationError
        When there are no incidents to take the date from.

    """
    if len(incidents) == 0 or c.DATE not in incidents:
        raise ValidationError("no incidents: give the data's end date explicitly")
    last = pd.Timestamp(incidents[c.DATE].max())
    end = last + pd.offsets.MonthEnd(0)
    return date(end.year, end.month, end.day)


def demand_points(
    incidents: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    placements: pd.DataFrame | None = None,
    *,
    settings: PostboxSettings | None = None,
    data_end: date | None = None,
) -> gpd.GeoDataFrame:
    """The demand the plan covers: incidents in the lookback, merged by map point.

    Parameters
    ----------
    incidents, sites, placements, settings, data_end
        As in :func:`geo.postbox.recommend` (``sites`` locates the logged placements; every
        logged placement, booked ones included, covers the incidents around its site).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per distinct incident location with any demand left: ``demand`` (float,
        sum of category weight x recency x (1 + hotspot_bonus if in a hotspot), less what
        earlier placements covered), ``n_incidents`` (int, incidents not yet covered),
        Point ``geometry`` in the incidents' CRS; sorted by x then y.

    """
    s = settings or PostboxSettings()
    end = resolve_date(incidents, data_end, "data_end")
    inc = incident_weights(incidents, s, end)
    site_pts = sites_in_crs(sites, incidents.crs)
    covered = covered_incidents(inc, site_pts, known_placements(placements, site_pts), s)
    keep = ~covered
    df = pd.DataFrame(
        {
            "x": inc["x"][keep],
            "y": inc["y"][keep],
            "demand": (inc["base"] + inc["bonus"])[keep],
            c.N_INCIDENTS: np.ones(int(keep.sum()), dtype=np.int64),
        }
    )
    agg = df.groupby(["x", "y"], sort=True).sum().reset_index()
    agg = agg.loc[agg["demand"] > 0].reset_index(drop=True)
    return gpd.GeoDataFrame(
        {"demand": agg["demand"].astype(float), c.N_INCIDENTS: agg[c.N_INCIDENTS].astype("int64")},
        geometry=gpd.points_from_xy(agg["x"], agg["y"]),
        crs=incidents.crs,
    )


# --- shared with the scoring and the plan (geo.postbox.score, geo.postbox.plan) -----------
def resolve_date(incidents: pd.DataFrame, value: date | None, what: str) -> date:
    """``value`` as a date, or :func:`data_end_date` of ``incidents`` when ``None``.

    Raises
    ------
    ValidationError
        If ``value`` is neither ``None`` nor a date (``what`` names the argument).

    """
    if value is None:
        return data_end_date(incidents)
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValidationError(f"{what} must be a date. Got {value!r}.")
    return value


def plan_start(placements: pd.DataFrame | None, planning_date: date) -> date:
    """The first day the box is free after ``planning_date``: the next placement starts then.

    The day after the planning date, or the day after the last logged placement when the
    box is booked beyond it (one box: the team's rotation). Logging the recommended week
    therefore moves the next recommendation and the plan one week on.
    """
    start = pd.Timestamp(planning_date)
    if placements is not None and len(placements):
        start = max(start, pd.Timestamp(pd.to_datetime(placements[TO_DATE]).max()))
    nxt = start + pd.Timedelta(days=1)
    return date(nxt.year, nxt.month, nxt.day)


def incident_weights(
    incidents: gpd.GeoDataFrame, s: PostboxSettings, data_end: date
) -> dict[str, Any]:
    """Arrays for incidents inside the lookback: x, y, date, age, base and bonus weight.

    Ages count up to ``data_end`` (the data's last day), not to the planning date.
    """
    require_metric(incidents.crs, "incidents")
    _require_columns(incidents, (c.DATE, c.WEIGHT), "incidents")
    dates = pd.to_datetime(incidents[c.DATE]).to_numpy(dtype="datetime64[D]")
    age = (np.datetime64(data_end, "D") - dates).astype(np.int64)
    keep = (age >= 0) & (age <= s.lookback_days)
    geom = incidents.geometry.to_numpy()[keep]
    w = incidents[c.WEIGHT].to_numpy(dtype=float)[keep]
    recency = np.power(0.5, age[keep] / s.half_life_days)
    if c.HOTSPOT_ID in incidents.columns:
        hot = incidents[c.HOTSPOT_ID].fillna("").astype(str).to_numpy()[keep] != ""
    else:
        hot = np.zeros(int(keep.sum()), dtype=bool)
    base = w * recency
    return {
        "geometry": geom,
        "x": gpd.GeoSeries(geom).x.to_numpy() if len(geom) else np.empty(0),
        "y": gpd.GeoSeries(geom).y.to_numpy() if len(geom) else np.empty(0),
        "date": dates[keep],
        "age": age[keep],
        "base": base,
        "bonus": s.hotspot_bonus * base * hot,
    }


def sites_in_crs(sites: gpd.GeoDataFrame, crs: Any) -> gpd.GeoDataFrame:
    """``sites`` (``site_id``, ``name``, ``site_kind``, point geometry) in ``crs``, fresh index.

    Raises
    ------
    ValidationError
        If a column or the CRS is missing, or a ``site_id`` appears twice.

    """
    _require_columns(sites, (SITE_ID, NAME, SITE_KIND), "sites")
    if sites.crs is None:
        raise ValidationError("sites have no CRS")
    if sites[SITE_ID].duplicated().any():
        dups = sorted(set(sites.loc[sites[SITE_ID].duplicated(), SITE_ID].astype(str)))
        raise ValidationError(f"duplicate site_id(s) in the sites: {', '.join(dups)}")
    out = sites.to_crs(crs) if pyproj.CRS(sites.crs) != pyproj.CRS(crs) else sites.copy()
    return out.reset_index(drop=True)


def known_placements(
    placements: pd.DataFrame | None, site_pts: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Logged placements (past and booked) at known sites, with site geometry."""
    log = empty_placements() if placements is None else placements
    _require_columns(log, (SITE_ID, FROM_DATE, TO_DATE, SLIPS), "placements")
    geo_of = site_pts.set_index(SITE_ID).geometry
    log = log.loc[log[SITE_ID].isin(geo_of.index)]
    return gpd.GeoDataFrame(
        {
            SITE_ID: log[SITE_ID].to_numpy(dtype=object),
            FROM_DATE: pd.to_datetime(log[FROM_DATE]).to_numpy(dtype="datetime64[D]"),
            TO_DATE: pd.to_datetime(log[TO_DATE]).to_numpy(dtype="datetime64[D]"),
            SLIPS: log[SLIPS].to_numpy(dtype=np.int64),
        },
        geometry=geo_of.reindex(log[SITE_ID]).to_numpy(),
        crs=site_pts.crs,
    )


def covered_incidents(
    inc: dict[str, Any], site_pts: gpd.GeoDataFrame, log: gpd.GeoDataFrame, s: PostboxSettings
) -> np.ndarray:
    """Incidents an earlier placement covered: box within radius on or after the incident."""
    covered = np.zeros(len(inc["base"]), dtype=bool)
    if len(log) == 0 or len(covered) == 0:
        return covered
    tree = gpd.GeoSeries(inc["geometry"], crs=site_pts.crs)
    i_log, i_inc = tree.sindex.query(
        log.geometry.to_numpy(), predicate="dwithin", distance=s.radius_m
    )
    ok = inc["date"][i_inc] <= log[TO_DATE].to_numpy()[i_log]
    covered[i_inc[ok]] = True
    return covered


def _require_columns(frame: pd.DataFrame, cols: tuple[str, ...], what: str) -> None:
    """Raise naming every column of ``cols`` that ``frame`` lacks."""
    missing = [col for col in cols if col not in frame.columns]
    if missing:
        raise ValidationError(f"{what} lack column(s) {', '.join(missing)}")


def time_frame(incidents: pd.DataFrame, settings: PostboxSettings, data_end: date) -> str:
    """The incidents a recommendation counts, in words: the one time frame of its numbers.

    ``"incidents from the last 3 months of the data, 1 September to 30 November 2018"`` when
    the incidents given start after the lookback would (a window of the data), else
    ``"incidents from the last 365 days of the data, 30 November 2017 to 30 November 2018"``.

    Parameters
    ----------
    incidents
        ``date`` (datetime64) of the incidents given to the recommendation.
    settings
        Its ``lookback_days``.
    data_end
        The day ages are counted to (:func:`data_end_date`).

    """
    lookback = pd.Timestamp(data_end) - pd.Timedelta(days=settings.lookback_days)
    end = pd.Timestamp(data_end)
    if len(incidents):
        first = pd.Timestamp(pd.to_datetime(incidents[c.DATE]).min()).to_period("M")
        if first.start_time > lookback:
            n = (end.to_period("M") - first).n + 1
            span = f"the last {n} month{'s' if n != 1 else ''} of the data"
            return f"incidents from {span}, {_day(first.start_time, end)} to {_day(end)}"
    return (
        f"incidents from the last {settings.lookback_days} days of the data, "
        f"{_day(lookback, end)} to {_day(end)}"
    )


def _day(day: pd.Timestamp, other: pd.Timestamp | None = None) -> str:
    """``"30 November 2018"``; the year left out when ``other`` is in the same year."""
    if other is not None and other.year == day.year:
        return f"{day.day} {day:%B}"
    return f"{day.day} {day:%B %Y}"

"""Where the "have your say" postbox should go next: site scores, a k-week plan, and its map."""

from __future__ import annotations

import dataclasses
import html as html_lib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import tomli_w

from geo import columns as c
from geo.errors import ValidationError
from geo.placements import FROM_DATE, SLIPS, TO_DATE, empty_placements
from geo.project import WGS84, require_metric
from geo.sites import AVAILABLE_FROM, AVAILABLE_TO, LATITUDE, LONGITUDE, NAME, SITE_ID, SITE_KIND

# --- columns of the ranked table and the plan --------------------------------------------
STATUS = "status"  #: str, ``"available"``, ``"cooling down"`` or ``"not available"``
ELIGIBLE = "eligible"  #: bool, may be chosen now (available, and not excluded by cooldown)
POSTBOX_SCORE = "score"  #: float, demand_score x yield_factor x cooldown_factor (0 if not eligible)
DEMAND_SCORE = "demand_score"  #: float, incident_score + hotspot_score - covered_score
INCIDENT_SCORE = "incident_score"  #: float, sum of category weight x recency within radius_m
HOTSPOT_SCORE = "hotspot_score"  #: float, hotspot_bonus x the same sum for hotspot incidents
COVERED_SCORE = "covered_score"  #: float, the part earlier placements already covered
YIELD_FACTOR = "yield_factor"  #: float, shrunk slips-a-week / prior slips-a-week (1 = no data)
COOLDOWN_FACTOR = "cooldown_factor"  #: float, 1, or the cooldown_factor setting when cooling
N_RECENT = "n_recent"  #: int, incidents within radius_m in the last recent_days days
N_HOTSPOTS = "n_hotspots"  #: int, hotspots with any part within radius_m
HOTSPOT_IDS = "hotspot_ids"  #: str, comma-separated hotspot ids within radius_m
N_PLACEMENTS = "n_placements"  #: int, logged placements at the site up to the reference date
WEEKS_PLACED = "weeks_placed"  #: float, total days placed / 7
SLIPS_PER_WEEK = "slips_per_week"  #: float, posterior mean slips a week (Gamma-Poisson)
LAST_VISIT = "last_visit"  #: datetime64[ns], last day of the latest placement (NaT = never)
DAYS_SINCE_VISIT = "days_since_visit"  #: Int64, reference date - last_visit (NA = never)
REASON = "reason"  #: str, one plain-English sentence

#: Columns of :func:`recommend`, in order (plus ``geometry``).
RANKED_COLUMNS: tuple[str, ...] = (
    c.RANK,
    SITE_ID,
    NAME,
    SITE_KIND,
    c.WARD_NAME,
    STATUS,
    ELIGIBLE,
    POSTBOX_SCORE,
    DEMAND_SCORE,
    INCIDENT_SCORE,
    HOTSPOT_SCORE,
    COVERED_SCORE,
    YIELD_FACTOR,
    COOLDOWN_FACTOR,
    c.N_INCIDENTS,
    N_RECENT,
    N_HOTSPOTS,
    HOTSPOT_IDS,
    N_PLACEMENTS,
    WEEKS_PLACED,
    SLIPS,
    SLIPS_PER_WEEK,
    LAST_VISIT,
    DAYS_SINCE_VISIT,
    REASON,
    LONGITUDE,
    LATITUDE,
)

WEEK = "week"  #: int, 1 = the next week
START_DATE = "start_date"  #: datetime64[ns], first day of the week's placement
END_DATE = "end_date"  #: datetime64[ns], last day of the week's placement
NEW_DEMAND = "new_demand"  #: float, demand first covered by this week's site
NEW_INCIDENTS = "new_incidents"  #: int, incidents first covered by this week's site
COVERED_DEMAND = "covered_demand"  #: float, demand covered by weeks 1..week
COVERED_SHARE = "covered_share"  #: float 0-1, covered_demand / all demand in the lookback

#: Columns of :func:`rotation_plan`, in order (plus ``geometry``).
PLAN_COLUMNS: tuple[str, ...] = (
    WEEK,
    START_DATE,
    END_DATE,
    SITE_ID,
    NAME,
    SITE_KIND,
    c.WARD_NAME,
    NEW_DEMAND,
    NEW_INCIDENTS,
    COVERED_DEMAND,
    COVERED_SHARE,
    YIELD_FACTOR,
    POSTBOX_SCORE,
    REASON,
    LONGITUDE,
    LATITUDE,
)

#: Weekly slips assumed for the prior when the log holds no slips yet.
FALLBACK_SLIPS_PER_WEEK = 1.0


@dataclass(frozen=True)
class PostboxSettings:
    """Everything that decides a recommendation, so it can be saved and reproduced.

    Parameters
    ----------
    radius_m
        Walking radius around a site, metres (> 0, <= 5000). Inclusive.
    half_life_days
        Recency: an incident ``half_life_days`` old counts half, twice that a quarter.
    lookback_days
        Incidents older than this (days before the reference date) are not counted.
    recent_days
        Window for the incident count quoted in the plain-English reason.
    hotspot_bonus
        Extra weight of incidents inside a DBSCAN hotspot (1 = they count double, 0 = no
        extra weight).
    cooldown_days
        A site visited less than this many days before the reference date is cooling down.
    cooldown_factor
        Multiplies the score of a cooling site: 0 excludes it (default), 0.5 halves it.
    plan_weeks
        Placements (one a week) in the rotation plan.
    prior_slips_per_week
        Prior mean slips a week at a site never tried; ``None`` uses the log's pooled mean
        (all slips / all weeks), or 1 a week while the log holds no slips.
    prior_weeks
        Strength of that prior, in weeks of placement: a site's observed yield outweighs it
        once the site has been used longer than this.

    """

    radius_m: float = 400.0
    half_life_days: float = 90.0
    lookback_days: int = 365
    recent_days: int = 90
    hotspot_bonus: float = 1.0
    cooldown_days: int = 56
    cooldown_factor: float = 0.0
    plan_weeks: int = 4
    prior_slips_per_week: float | None = None
    prior_weeks: float = 2.0

    def __post_init__(self) -> None:
        p: list[str] = []

        def num(name: str, lo: float, hi: float, *, lo_open: bool = False) -> None:
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int | float) or v != v:
                p.append(f"The '{name}' setting must be a number. Got {v!r} instead.")
            elif (v <= lo if lo_open else v < lo) or v > hi:
                sign = ">" if lo_open else ">="
                p.append(f"The '{name}' setting must be {sign} {lo:g} and <= {hi:g}. Got {v!r}.")

        def whole(name: str, lo: int, hi: int) -> None:
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
                p.append(f"The '{name}' setting must be a whole number {lo}-{hi}. Got {v!r}.")

        num("radius_m", 0, 5000, lo_open=True)
        num("half_life_days", 0, 3650, lo_open=True)
        whole("lookback_days", 1, 3650)
        whole("recent_days", 1, 3650)
        num("hotspot_bonus", 0, 100)
        whole("cooldown_days", 0, 3650)
        num("cooldown_factor", 0, 1)
        whole("plan_weeks", 1, 52)
        if self.prior_slips_per_week is not None:
            num("prior_slips_per_week", 0, 10_000, lo_open=True)
        num("prior_weeks", 0, 520, lo_open=True)
        if p:
            raise ValidationError(p)

    def replace(self, **changes: Any) -> PostboxSettings:
        """Return a copy with ``changes`` applied (validated again)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The settings as ``{"postbox": {...}}`` (``prior_slips_per_week`` omitted if None)."""
        d = {k: v for k, v in dataclasses.asdict(self).items() if v is not None}
        return {"postbox": d}

    def to_toml(self) -> str:
        """TOML text with a ``[postbox]`` table; :func:`postbox_settings_from_toml` reads it."""
        return tomli_w.dumps(self.to_dict())


def postbox_settings_from_dict(
    data: Mapping[str, Any], *, source: str = "settings"
) -> PostboxSettings:
    """Build :class:`PostboxSettings` from ``{"postbox": {...}}``; unknown keys are refused."""
    table = dict(data.get("postbox", {}))
    known = {f.name for f in dataclasses.fields(PostboxSettings)}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ValidationError([f"{source}: unknown key postbox.{k}" for k in unknown])
    try:
        return PostboxSettings(**table)
    except ValidationError as exc:
        raise ValidationError([f"{source}: {q}" for q in exc.problems]) from None


def postbox_settings_from_toml(text: str, *, source: str = "postbox.toml") -> PostboxSettings:
    """Parse TOML with a ``[postbox]`` table (other tables are ignored)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(f"{source}: not valid TOML ({exc})") from None
    return postbox_settings_from_dict(data, source=source)


def load_postbox_settings(path: str | Path) -> PostboxSettings:
    """Read :class:`PostboxSettings` from the ``[postbox]`` table of a TOML file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValidationError(f"{p}: cannot read settings file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise ValidationError(f"{p}: settings file is not UTF-8 text") from None
    return postbox_settings_from_toml(text, source=str(p))


def default_reference_date(incidents: pd.DataFrame) -> date:
    """The last day of the data's last month (police.uk dates are months).

    The shipped data ends in November 2018, so "now" is 2018-11-30, never the wall clock.

    Raises
    ------
    ValidationError
        When there are no incidents to take the date from.

    """
    if len(incidents) == 0 or c.DATE not in incidents:
        raise ValidationError("no incidents: give a reference date explicitly")
    last = pd.Timestamp(incidents[c.DATE].max())
    end = last + pd.offsets.MonthEnd(0)
    return date(end.year, end.month, end.day)


def recommend(
    incidents: gpd.GeoDataFrame,
    hotspots: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    placements: pd.DataFrame | None = None,
    *,
    settings: PostboxSettings | None = None,
    reference_date: date | None = None,
) -> gpd.GeoDataFrame:
    """Score every candidate site for the next one-week placement and rank them.

    Score of a site = ``demand_score x yield_factor x cooldown_factor`` (0 when not
    eligible), where, over the incidents within ``radius_m`` of the site that are at most
    ``lookback_days`` old at the reference date:

    - each incident weighs its category weight x ``0.5 ** (age_days / half_life_days)``
      (police.uk ages count from the first day of the month);
    - ``incident_score`` sums those weights, ``hotspot_score`` adds ``hotspot_bonus`` x the
      weights of incidents inside a hotspot, and ``covered_score`` is the part from
      incidents an earlier placement already covered (the box stood within ``radius_m`` of
      the incident on or after its date);
    - ``yield_factor`` is the site's shrunk slip rate over the prior rate (Gamma-Poisson:
      prior Gamma(shape = prior mean x prior_weeks, rate = prior_weeks); posterior mean
      ``(prior mean x prior_weeks + slips) / (prior_weeks + weeks placed)``), so a site never
      tried scores 1 and gets tried, and a site with few slips sinks only as evidence grows;
    - a site whose last placement ended fewer than ``cooldown_days`` days before the
      reference date (or that still holds the box) is cooling down: ``cooldown_factor``
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
        in :attr:`geo.sites.SiteCheck.sites`.
    placements
        The log, as from :func:`geo.placements.read_placements` (``site_id``,
        ``from_date``, ``to_date``, ``slips``); placements starting after the reference date
        or at sites not in ``sites`` are left out (see :func:`log_notes`).
    settings
        Defaults to ``PostboxSettings()``.
    reference_date
        "Today" for ages, cooldown and availability; default
        :func:`default_reference_date` (the end of the data's last month).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per site, columns :data:`RANKED_COLUMNS`: ``rank`` (int, 1 = best; eligible
        sites first, then by score, demand score and site id), ``site_id``, ``name``,
        ``kind``, ``ward_name`` (str), ``status`` (str), ``eligible`` (bool), the score
        parts (float), ``n_incidents``, ``n_recent``, ``n_hotspots`` (int), ``hotspot_ids``
        (str), ``n_placements`` (int), ``weeks_placed`` (float), ``slips`` (int),
        ``slips_per_week`` (float), ``last_visit`` (datetime64[ns]), ``days_since_visit``
        (Int64), ``reason`` (str, one sentence), ``longitude``/``latitude`` (WGS84) and Point
        ``geometry`` in the incidents' CRS.

    """
    s = settings or PostboxSettings()
    ref = _ref(incidents, reference_date)
    return _score_sites(incidents, hotspots, sites, placements, s, ref, window_days=7)


def rotation_plan(
    incidents: gpd.GeoDataFrame,
    hotspots: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    placements: pd.DataFrame | None = None,
    *,
    settings: PostboxSettings | None = None,
    reference_date: date | None = None,
    method: Literal["mclp", "greedy"] = "mclp",
) -> gpd.GeoDataFrame:
    """Choose the next ``plan_weeks`` placements together, to cover as much demand as possible.

    Demand is every distinct incident location in the lookback, weighted as in
    :func:`recommend` (category x recency, hotspot bonus, minus what earlier placements
    covered); a location counts once however many chosen sites reach it. ``"mclp"`` solves
    the maximal covering location problem exactly with PySAL ``spopt``
    (``MCLP.from_geodataframe``, PuLP's bundled CBC solver); ``"greedy"`` adds, week by week,
    the site covering the most still-uncovered demand (a baseline: never better than MCLP).

    Candidates are the sites eligible in :func:`recommend` for the whole plan period
    (available every day of it, not excluded by the cooldown at its start); each site is
    used at most once. The chosen sites are ordered so that each week takes the site with
    the most new demand x ``yield_factor`` x ``cooldown_factor`` (ties: site id). Slip yield
    orders the weeks but does not change which demand counts as covered. With no demand at
    all the best-ranked eligible sites are taken.

    Parameters
    ----------
    incidents, hotspots, sites, placements, settings, reference_date
        As in :func:`recommend`.
    method
        ``"mclp"`` (default) or ``"greedy"``.

    Returns
    -------
    geopandas.GeoDataFrame
        ``min(plan_weeks, eligible sites)`` rows, columns :data:`PLAN_COLUMNS`: ``week``
        (int, 1..k), ``start_date``/``end_date`` (datetime64[ns]; week 1 starts the day
        after the reference date, 7 days each), ``site_id``, ``name``, ``kind``,
        ``ward_name``, ``new_demand`` (float), ``new_incidents`` (int), ``covered_demand``
        (float, cumulative), ``covered_share`` (float 0-1 of all lookback demand),
        ``yield_factor``, ``score`` and ``reason`` (from the ranking), ``longitude``,
        ``latitude``, Point ``geometry`` in the incidents' CRS.

    """
    if method not in ("mclp", "greedy"):
        raise ValidationError(f"method must be 'mclp' or 'greedy'. Got {method!r}.")
    s = settings or PostboxSettings()
    ref = _ref(incidents, reference_date)
    ranked = _score_sites(
        incidents, hotspots, sites, placements, s, ref, window_days=7 * s.plan_weeks
    )
    fac = ranked.loc[ranked[ELIGIBLE].to_numpy(dtype=bool)]
    fac = fac.sort_values(SITE_ID, kind="stable").reset_index(drop=True)
    dem = demand_points(incidents, sites, placements, settings=s, reference_date=ref)
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
    start = pd.Timestamp(ref) + pd.Timedelta(days=1)
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


def demand_points(
    incidents: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    placements: pd.DataFrame | None = None,
    *,
    settings: PostboxSettings | None = None,
    reference_date: date | None = None,
) -> gpd.GeoDataFrame:
    """The demand the plan covers: incidents in the lookback, merged by map point.

    Parameters
    ----------
    incidents, sites, placements, settings, reference_date
        As in :func:`recommend` (``sites`` locates the logged placements).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per distinct incident location with any demand left: ``demand`` (float,
        sum of category weight x recency x (1 + hotspot_bonus if in a hotspot), less what
        earlier placements covered), ``n_incidents`` (int, incidents not yet covered),
        Point ``geometry`` in the incidents' CRS; sorted by x then y.

    """
    s = settings or PostboxSettings()
    ref = _ref(incidents, reference_date)
    inc = _incident_weights(incidents, s, ref)
    site_pts = _sites_metric(sites, incidents.crs)
    covered = _covered(inc, site_pts, _known_placements(placements, site_pts, ref), s)
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


def log_notes(
    placements: pd.DataFrame | None,
    sites: pd.DataFrame,
    reference_date: date,
) -> list[str]:
    """Plain-English notes on log entries a recommendation leaves out (and why)."""
    if placements is None or len(placements) == 0:
        return []
    notes: list[str] = []
    ref = pd.Timestamp(reference_date)
    later = int((placements[FROM_DATE] > ref).sum())
    if later:
        notes.append(
            f"{later} logged placement(s) start after the reference date "
            f"{reference_date.isoformat()} and are not used (choose a later reference date)"
        )
    unknown = sorted(set(placements[SITE_ID].astype(str)) - set(sites[SITE_ID].astype(str)))
    if unknown:
        notes.append(
            f"placements at site(s) no longer in the sites list are not used: {', '.join(unknown)}"
        )
    return notes


#: Files written by :func:`write_postbox_outputs`.
POSTBOX_FILES: tuple[str, ...] = ("postbox_ranking.csv", "postbox_plan.csv", "postbox_map.html")


def write_postbox_outputs(
    out_dir: str | Path,
    ranked: gpd.GeoDataFrame,
    plan: gpd.GeoDataFrame,
    wards: gpd.GeoDataFrame,
    *,
    hotspots: gpd.GeoDataFrame | None = None,
    radius_m: float = 400.0,
) -> dict[str, Path]:
    """Write the ranking and plan as CSV (no geometry) and the map as offline HTML.

    Returns the paths by file name (:data:`POSTBOX_FILES`). Staff outputs: the ranking
    counts incidents near each site.
    """
    from geo.offline import offline_html

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    m = postbox_map(wards, ranked, plan=plan, hotspots=hotspots, radius_m=radius_m)
    texts = {
        "postbox_ranking.csv": _csv(ranked),
        "postbox_plan.csv": _csv(plan),
        "postbox_map.html": offline_html(m),
    }
    paths: dict[str, Path] = {}
    for name in POSTBOX_FILES:
        p = out / name
        p.write_text(texts[name], encoding="utf-8")
        paths[name] = p
    return paths


def _csv(gdf: gpd.GeoDataFrame) -> str:
    """CSV text without geometry: scores to 4 decimals, coordinates to 6, dates as days."""
    df = pd.DataFrame(gdf.drop(columns="geometry"))
    for col in df.columns:
        if df[col].dtype.kind == "f":
            df[col] = df[col].round(6 if col in (LONGITUDE, LATITUDE) else 4)
    return str(df.to_csv(index=False, date_format="%Y-%m-%d"))


# --- maps -------------------------------------------------------------------------------
SITE_STYLE = {"color": "#35557a", "fill_color": "#ffffff"}
TOP_COLOUR = "#0b6e4f"
PLAN_COLOUR = "#6a3d9a"


def add_postbox_layer(
    m: folium.Map,
    ranked: gpd.GeoDataFrame,
    *,
    plan: gpd.GeoDataFrame | None = None,
    radius_m: float = PostboxSettings.radius_m,
    name: str = "Postbox sites",
) -> None:
    """Draw candidate sites, the recommended site with its coverage circle, and the plan.

    Parameters
    ----------
    m
        A map from :func:`geo.maps.base_map`.
    ranked
        Output of :func:`recommend` (``longitude``, ``latitude``, ``rank``, ``name``,
        ``status``, ``eligible``, ``score``, ``reason``).
    plan
        Optional output of :func:`rotation_plan`: each week's site gets a dashed circle and
        its week number.
    radius_m
        The walking radius the scores used (the circle's radius, metres).

    """
    layer = folium.FeatureGroup(name=name, show=True)
    for row in ranked.itertuples(index=False):
        tip = (
            f"#{row.rank} {row.name} ({row.status}), score {row.score:.1f}"
            if row.eligible
            else f"{row.name} ({row.status})"
        )
        folium.CircleMarker(
            [row.latitude, row.longitude],
            radius=5,
            color=SITE_STYLE["color"],
            weight=1.5,
            fill=True,
            fill_color=SITE_STYLE["fill_color"] if row.eligible else "#bbbbbb",
            fill_opacity=0.9,
            tooltip=html_lib.escape(tip),
        ).add_to(layer)
    if plan is not None:
        for row in plan.itertuples(index=False):
            folium.Circle(
                [row.latitude, row.longitude],
                radius=float(radius_m),
                color=PLAN_COLOUR,
                weight=1.5,
                dash_array="6 6",
                fill=False,
                tooltip=html_lib.escape(
                    f"Week {row.week} ({row.start_date:%d %b}): {row.name}; "
                    f"{row.new_incidents} incidents not yet covered"
                ),
            ).add_to(layer)
            folium.Marker(
                [row.latitude, row.longitude],
                icon=folium.DivIcon(
                    html=(
                        f'<div class="postbox-week" style="font:700 12px/18px sans-serif;'
                        f"color:#fff;background:{PLAN_COLOUR};border-radius:9px;width:18px;"
                        f'text-align:center">{int(row.week)}</div>'
                    ),
                    icon_size=(18, 18),
                    icon_anchor=(-4, 22),
                    class_name="postbox-week-icon",
                ),
            ).add_to(layer)
    top = ranked.loc[ranked[ELIGIBLE].to_numpy(dtype=bool)].head(1)
    for row in top.itertuples(index=False):
        # tooltips, not popups: folium popups need jQuery, which offline maps do not load
        detail = (
            f"<b>Next: {html_lib.escape(str(row.name))}</b><br>"
            f"{html_lib.escape(str(row.reason))}<br>score {row.score:.1f}; walking radius "
            f"{radius_m:g} m"
        )
        folium.Circle(
            [row.latitude, row.longitude],
            radius=float(radius_m),
            color=TOP_COLOUR,
            weight=2.5,
            fill=True,
            fill_color=TOP_COLOUR,
            fill_opacity=0.12,
            tooltip=folium.Tooltip(detail, sticky=True, style="max-width:320px;white-space:normal"),
        ).add_to(layer)
        folium.CircleMarker(
            [row.latitude, row.longitude],
            radius=8,
            color=TOP_COLOUR,
            weight=3,
            fill=True,
            fill_color=TOP_COLOUR,
            fill_opacity=1.0,
            tooltip=folium.Tooltip(
                f"Next: {html_lib.escape(str(row.name))}", permanent=True, direction="right"
            ),
        ).add_to(layer)
    layer.add_to(m)


def postbox_map(
    wards: gpd.GeoDataFrame,
    ranked: gpd.GeoDataFrame,
    *,
    plan: gpd.GeoDataFrame | None = None,
    hotspots: gpd.GeoDataFrame | None = None,
    radius_m: float = PostboxSettings.radius_m,
    tiles: str | None = None,
) -> folium.Map:
    """Staff map: wards, optional hotspots, candidate sites, the recommended site's circle.

    Parameters
    ----------
    wards
        ``ward_code``, ``ward_name``, ``geometry``.
    ranked, plan, radius_m
        As in :func:`add_postbox_layer`.
    hotspots
        Optional output of :func:`geo.hotspots.summarise_hotspots`.
    tiles
        Tile layer name when online; ``None`` (default) needs no network.

    Returns
    -------
    folium.Map
        A new map; render it with :func:`geo.offline.offline_html`.

    """
    from geo.maps import add_hotspot_layer, add_legend, base_map

    m = base_map(wards, tiles=tiles)
    if hotspots is not None and len(hotspots):
        breaks = add_hotspot_layer(m, hotspots)
        add_legend(m, title="Hotspot weighted score", breaks=breaks)
    add_postbox_layer(m, ranked, plan=plan, radius_m=radius_m)
    folium.LayerControl(collapsed=False).add_to(m)
    return m


# --- internals --------------------------------------------------------------------------
def _ref(incidents: pd.DataFrame, reference_date: date | None) -> date:
    if reference_date is None:
        return default_reference_date(incidents)
    if isinstance(reference_date, pd.Timestamp):
        return reference_date.date()
    if not isinstance(reference_date, date):
        raise ValidationError(f"reference_date must be a date. Got {reference_date!r}.")
    return reference_date


def _incident_weights(incidents: gpd.GeoDataFrame, s: PostboxSettings, ref: date) -> dict[str, Any]:
    """Arrays for incidents inside the lookback: x, y, date, age, base and bonus weight."""
    require_metric(incidents.crs, "incidents")
    missing = [col for col in (c.DATE, c.WEIGHT) if col not in incidents.columns]
    if missing:
        raise ValidationError(f"incidents lack column(s) {', '.join(missing)}")
    dates = pd.to_datetime(incidents[c.DATE]).to_numpy(dtype="datetime64[D]")
    age = (np.datetime64(ref, "D") - dates).astype(np.int64)
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


def _sites_metric(sites: gpd.GeoDataFrame, crs: Any) -> gpd.GeoDataFrame:
    missing = [col for col in (SITE_ID, NAME, SITE_KIND) if col not in sites.columns]
    if missing:
        raise ValidationError(f"sites lack column(s) {', '.join(missing)}")
    if sites.crs is None:
        raise ValidationError("sites have no CRS")
    if sites[SITE_ID].duplicated().any():
        dups = sorted(set(sites.loc[sites[SITE_ID].duplicated(), SITE_ID].astype(str)))
        raise ValidationError(f"duplicate site_id(s) in the sites: {', '.join(dups)}")
    out = sites.to_crs(crs) if pyproj.CRS(sites.crs) != pyproj.CRS(crs) else sites.copy()
    return out.reset_index(drop=True)


def _known_placements(
    placements: pd.DataFrame | None, site_pts: gpd.GeoDataFrame, ref: date
) -> gpd.GeoDataFrame:
    """Placements that started by the reference date at known sites, with site geometry."""
    log = empty_placements() if placements is None else placements
    missing = [col for col in (SITE_ID, FROM_DATE, TO_DATE, SLIPS) if col not in log.columns]
    if missing:
        raise ValidationError(f"placements lack column(s) {', '.join(missing)}")
    log = log.loc[pd.to_datetime(log[FROM_DATE]) <= pd.Timestamp(ref)]
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


def _covered(
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


def _score_sites(
    incidents: gpd.GeoDataFrame,
    hotspots: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    placements: pd.DataFrame | None,
    s: PostboxSettings,
    ref: date,
    *,
    window_days: int,
) -> gpd.GeoDataFrame:
    inc = _incident_weights(incidents, s, ref)
    site_pts = _sites_metric(sites, incidents.crs)
    n = len(site_pts)
    log = _known_placements(placements, site_pts, ref)
    covered = _covered(inc, site_pts, log, s)
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

    # history and slip yield (Gamma-Poisson shrinkage towards the prior rate)
    span = log[TO_DATE].to_numpy() - log[FROM_DATE].to_numpy()
    days = (span // np.timedelta64(1, "D")).astype(np.int64) + 1  # both ends included
    hist = pd.DataFrame(
        {SITE_ID: log[SITE_ID].to_numpy(dtype=object), "days": days, SLIPS: log[SLIPS]}
    )
    by_site = hist.groupby(SITE_ID).agg(
        n=("days", "size"), days=("days", "sum"), slips=(SLIPS, "sum")
    )
    last = pd.Series(log[TO_DATE].to_numpy(), index=log[SITE_ID].to_numpy()).groupby(level=0).max()
    ids_all = site_pts[SITE_ID].astype(str).to_numpy()
    n_pl = by_site["n"].reindex(ids_all, fill_value=0).to_numpy(dtype=np.int64)
    weeks = by_site["days"].reindex(ids_all, fill_value=0).to_numpy(dtype=float) / 7.0
    slips = by_site["slips"].reindex(ids_all, fill_value=0).to_numpy(dtype=np.int64)
    prior = _prior_rate(s, float(hist[SLIPS].sum()), float(hist["days"].sum()) / 7.0)
    alpha, beta = prior * s.prior_weeks, s.prior_weeks
    spw = (alpha + slips) / (beta + weeks)
    yield_factor = spw / prior

    last_visit = pd.to_datetime(pd.Series(last.reindex(ids_all).to_numpy())).astype(
        "datetime64[ns]"
    )
    ref_ts = pd.Timestamp(ref)
    since = (ref_ts - last_visit).dt.days.astype("Int64")
    cooling = since.notna().to_numpy() & (since.fillna(10**9).to_numpy() < s.cooldown_days)
    start, end = ref_ts + pd.Timedelta(days=1), ref_ts + pd.Timedelta(days=window_days)
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
        _reason(row, s, a_from.iloc[i], a_to.iloc[i], window_days)
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
    row: Mapping[Any, Any], s: PostboxSettings, a_from: Any, a_to: Any, window_days: int
) -> str:
    """One sentence: what the site covers, when it was last used, its yield and status."""
    n_hot, n_rec = int(row[N_HOTSPOTS]), int(row[N_RECENT])
    inc = f"{_plural(n_rec, 'incident')} in the last {s.recent_days} days"
    parts = [f"covers {_plural(n_hot, 'hotspot')} with {inc}" if n_hot else f"covers {inc}"]
    if int(row[N_PLACEMENTS]) == 0:
        parts.append("never visited")
    else:
        last = pd.Timestamp(row[LAST_VISIT])
        if row[STATUS] == "cooling down" or (
            row[STATUS] == "not available" and int(row[DAYS_SINCE_VISIT]) < s.cooldown_days
        ):
            effect = (
                "so it is left out"
                if s.cooldown_factor == 0
                else f"so its score is multiplied by {s.cooldown_factor:g}"
            )
            parts.append(
                f"visited until {last:%Y-%m-%d}, within the {s.cooldown_days}-day cooldown, "
                f"{effect}"
            )
        else:
            parts.append(f"not visited since {last:%Y-%m}")
        fy = float(row[YIELD_FACTOR])
        trend = "above" if fy > 1.05 else "below" if fy < 0.95 else "about"
        weeks = f"{float(row[WEEKS_PLACED]):.3g}"
        parts.append(
            f"{_plural(int(row[SLIPS]), 'slip')} in {weeks} week{'' if weeks == '1' else 's'} "
            f"there ({trend} the usual yield)"
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

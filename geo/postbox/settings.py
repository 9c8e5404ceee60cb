"""Postbox settings (frozen, validated, TOML round-trip) and the columns of its ranking and plan."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import tomli_w

from geo import columns as c
from geo.bounds import Bound
from geo.errors import ValidationError
from geo.postbox.records import SLIPS
from geo.postbox.sites import LATITUDE, LONGITUDE, NAME, SITE_ID, SITE_KIND
from geo.settings_toml import parse_toml, read_settings_text

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
N_PLACEMENTS = "n_placements"  #: int, logged placements at the site (booked ones included)
WEEKS_PLACED = "weeks_placed"  #: float, days placed in ended placements / 7
SLIPS_PER_WEEK = "slips_per_week"  #: float, posterior mean slips a week (Gamma-Poisson)
LAST_VISIT = "last_visit"  #: datetime64[ns], last day of the latest placement (NaT = never)
DAYS_SINCE_VISIT = "days_since_visit"  #: Int64, planning date - last_visit (NA = never)
REASON = "reason"  #: str, one plain-English sentence

#: Columns of :func:`geo.postbox.recommend`, in order (plus ``geometry``).
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

#: Columns of :func:`geo.postbox.rotation_plan`, in order (plus ``geometry``).
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


#: Limits, default, unit and help of every setting of :class:`PostboxSettings`, declared
#: once: validation, the command-line help and the app's widgets read them, e.g.
#: ``POSTBOX_BOUNDS["radius_m"].default``.
POSTBOX_BOUNDS: Mapping[str, Bound[Any]] = MappingProxyType(
    {
        "radius_m": Bound(
            low=0.0,
            high=5000.0,
            closed="right",
            default=400.0,
            unit="m",
            help="walking radius around a site (inclusive)",
        ),
        "half_life_days": Bound(
            low=0.0,
            high=3650.0,
            closed="right",
            default=90.0,
            unit="days",
            help="recency half-life: an incident this old counts half",
        ),
        "lookback_days": Bound(
            low=1,
            high=3650,
            whole=True,
            default=365,
            unit="days",
            help="incidents older than this are not counted",
        ),
        "recent_days": Bound(
            low=1,
            high=3650,
            whole=True,
            default=90,
            unit="days",
            help="window of the incident count quoted in the reason",
        ),
        "hotspot_bonus": Bound(
            low=0.0,
            high=100.0,
            default=1.0,
            help="extra weight of incidents inside a hotspot (1 = they count double)",
        ),
        "cooldown_days": Bound(
            low=0,
            high=3650,
            whole=True,
            default=56,
            unit="days",
            help="a site visited less than this many days ago is cooling down",
        ),
        "cooldown_factor": Bound(
            low=0.0,
            high=1.0,
            default=0.0,
            help="multiplies the score of a cooling site (0 excludes it)",
        ),
        "plan_weeks": Bound(
            low=1,
            high=52,
            whole=True,
            default=4,
            unit="weeks",
            help="placements (one a week) in the rotation plan",
        ),
        "prior_slips_per_week": Bound(
            low=0.0,
            high=10_000.0,
            closed="right",
            default=None,
            help="prior mean slips a week at a site never tried (default: the log's mean)",
        ),
        "prior_weeks": Bound(
            low=0.0,
            high=520.0,
            closed="right",
            default=2.0,
            unit="weeks",
            help="strength of that prior, in weeks of placement",
        ),
    }
)


@dataclass(frozen=True, kw_only=True)
class PostboxSettings:
    """Everything that decides a recommendation, so it can be saved and reproduced.

    Keyword-only; the limits and defaults are declared in :data:`POSTBOX_BOUNDS`.

    Parameters
    ----------
    radius_m
        Walking radius around a site, metres. Inclusive.
    half_life_days
        Recency: an incident ``half_life_days`` old counts half, twice that a quarter.
    lookback_days
        Incidents older than this (days before the data's last day) are not counted.
    recent_days
        Window for the incident count quoted in the plain-English reason.
    hotspot_bonus
        Extra weight of incidents inside a DBSCAN hotspot (1 = they count double, 0 = no
        extra weight).
    cooldown_days
        A site visited less than this many days before the next placement starts is
        cooling down.
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

    radius_m: float = POSTBOX_BOUNDS["radius_m"].default
    half_life_days: float = POSTBOX_BOUNDS["half_life_days"].default
    lookback_days: int = POSTBOX_BOUNDS["lookback_days"].default
    recent_days: int = POSTBOX_BOUNDS["recent_days"].default
    hotspot_bonus: float = POSTBOX_BOUNDS["hotspot_bonus"].default
    cooldown_days: int = POSTBOX_BOUNDS["cooldown_days"].default
    cooldown_factor: float = POSTBOX_BOUNDS["cooldown_factor"].default
    plan_weeks: int = POSTBOX_BOUNDS["plan_weeks"].default
    prior_slips_per_week: float | None = POSTBOX_BOUNDS["prior_slips_per_week"].default
    prior_weeks: float = POSTBOX_BOUNDS["prior_weeks"].default

    def __post_init__(self) -> None:
        p: list[str] = []
        for name, bound in POSTBOX_BOUNDS.items():
            value = getattr(self, name)
            if value is None and bound.default is None:
                continue  # an optional setting left unset
            problem = bound.problem(name, value)
            if problem is not None:
                p.append(problem)
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
    return postbox_settings_from_dict(parse_toml(text, source=source), source=source)


def load_postbox_settings(path: str | Path) -> PostboxSettings:
    """Read :class:`PostboxSettings` from the ``[postbox]`` table of a TOML file."""
    return postbox_settings_from_toml(read_settings_text(path), source=str(Path(path)))

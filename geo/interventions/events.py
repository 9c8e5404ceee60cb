"""The interventions file (warrants, closure orders, team starts): read, check, load."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyproj
from shapely.geometry import Point

from geo import columns as c
from geo.errors import ValidationError
from geo.io import CsvSource, read_text_csv
from geo.paths import EXAMPLE_INTERVENTIONS
from geo.project import require_metric
from geo.rejected import empty_rejected, rejected_rows

#: Kinds of intervention the team records.
KINDS: tuple[str, ...] = ("warrant", "closure_order", "team_start", "patrol_operation", "other")
#: Kinds that happen at one address and therefore need a location.
POINT_KINDS: frozenset[str] = frozenset({"warrant", "closure_order"})
REQUIRED_COLUMNS: tuple[str, ...] = ("id", "kind", "start_date")
OPTIONAL_COLUMNS: tuple[str, ...] = ("end_date", "longitude", "latitude", "easting", "northing")
CONFIDENTIAL_COLUMNS: tuple[str, ...] = ("notes",)
#: The shipped example (placeholder dates; see ``data/interventions/SOURCE.md``).

_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
_MONTH_ONLY = re.compile(r"^\d{4}-\d{2}$")


@dataclass(frozen=True)
class Intervention:
    """One intervention. ``notes`` and the location are confidential (staff only).

    Attributes
    ----------
    intervention_id, kind
        Id as written; kind, one of :data:`KINDS`.
    start_date, end_date
        Calendar dates; ``end_date`` is ``None`` when open or not recorded.
    x, y, xy_crs
        Location in ``xy_crs`` (``EPSG:4326`` lon/lat or ``EPSG:27700`` metres), or all
        ``None`` for an area-wide event (e.g. a team start).
    notes, source_file, row
        Free text, and where the row came from (spreadsheet row, header = 1).

    """

    intervention_id: str
    kind: str
    start_date: dt.date
    end_date: dt.date | None = None
    x: float | None = None
    y: float | None = None
    xy_crs: str | None = None
    notes: str = ""
    source_file: str = "interventions"
    row: int = 0

    def __post_init__(self) -> None:
        p: list[str] = []
        if self.kind not in KINDS:
            p.append(
                f"{self.where}: unknown kind {self.kind!r} (expected one of {', '.join(KINDS)})"
            )
        if self.end_date is not None and self.end_date < self.start_date:
            p.append(f"{self.where}: end_date {self.end_date} is before start_date")
        if (self.x is None) != (self.y is None) or (self.x is None) != (self.xy_crs is None):
            p.append(f"{self.where}: give x, y and xy_crs together, or none of them")
        if self.kind in POINT_KINDS and self.x is None:
            p.append(f"{self.where}: a {self.kind} needs a location")
        if p:
            raise ValidationError(p)

    @property
    def where(self) -> str:
        """``"<file> row <n> (id <id>)"`` for messages."""
        return f"{self.source_file} row {self.row} (id {self.intervention_id})"

    @property
    def has_location(self) -> bool:
        """False for area-wide events."""
        return self.x is not None

    def point(self, crs: pyproj.CRS | str) -> Point | None:
        """The location as a shapely Point in the metric ``crs`` (``None`` if area-wide)."""
        if self.x is None or self.y is None or self.xy_crs is None:
            return None
        require_metric(crs, "target CRS")
        tr = pyproj.Transformer.from_crs(self.xy_crs, crs, always_xy=True)
        px, py = tr.transform(self.x, self.y)
        return Point(float(px), float(py))


# --- the interventions file ----------------------------------------------------------------
@dataclass(frozen=True)
class InterventionCheck:
    """Checked interventions and the rows set aside (``source_file, row, stage, reason``)."""

    accepted: tuple[Intervention, ...]
    rejected: pd.DataFrame


def read_interventions_csv(source: CsvSource) -> pd.DataFrame:
    """Read an interventions CSV, every value as text.

    Returns
    -------
    pandas.DataFrame
        ``source_file`` (str), ``row`` (int, header = 1), then the file's columns in lower
        case (``id``, ``kind``, ``start_date`` and any of :data:`OPTIONAL_COLUMNS` and
        ``notes``), as written.

    Raises
    ------
    ValidationError
        Unreadable or empty file, missing required columns, unknown columns.

    """
    name, df = read_text_csv(source, what="interventions file")
    df.columns = [str(col).strip().lower() for col in df.columns]
    known = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS, *CONFIDENTIAL_COLUMNS)
    problems = [f"{name}: missing column {col!r}" for col in REQUIRED_COLUMNS if col not in df]
    problems += [
        f"{name}: unknown column {col!r} (known: {', '.join(known)})"
        for col in df.columns
        if col not in known
    ]
    if problems:
        raise ValidationError(problems)
    out = pd.DataFrame({col: df[col].astype(str).str.strip() for col in df.columns})
    out.insert(0, c.ROW, np.arange(2, len(df) + 2, dtype="int64"))
    out.insert(0, c.SOURCE_FILE, name)
    return out


def validate_interventions(raw: pd.DataFrame) -> InterventionCheck:
    """Check every row of :func:`read_interventions_csv`; nothing is dropped silently.

    A row is rejected, with every problem it has, for: a missing or duplicate id; a missing
    or unknown kind; a missing or invalid ``start_date`` (``YYYY-MM-DD`` or
    ``DD/MM/YYYY``; a month alone is refused because the day decides the windows); an
    invalid ``end_date`` or one before the start; a half-given coordinate pair, both
    pairs given, a coordinate that is not a number, out of range or apparently swapped;
    a ``warrant`` or ``closure_order`` without a location.

    Returns
    -------
    InterventionCheck
        ``len(raw) == len(accepted) + len(rejected)``.

    """
    accepted: list[Intervention] = []
    bad_rows: list[int] = []
    reasons: list[str] = []
    seen: dict[str, int] = {}
    for i, rec in enumerate(_records(raw)):
        p: list[str] = []
        ident = str(rec.get("id", ""))
        if not ident:
            p.append("missing id")
        elif ident in seen:
            p.append(f"duplicate id {ident!r} (first seen in row {seen[ident]})")
        else:
            seen[ident] = int(rec[c.ROW])
        kind = re.sub(r"[\s-]+", "_", str(rec.get("kind", "")).lower())
        if not kind:
            p.append(f"missing kind (one of {', '.join(KINDS)})")
        elif kind not in KINDS:
            p.append(f"unknown kind {rec['kind']!r} (expected one of {', '.join(KINDS)})")
        start = _date(p, "start_date", str(rec.get("start_date", "")), required=True)
        end = _date(p, "end_date", str(rec.get("end_date", "")), required=False)
        if start is not None and end is not None and end < start:
            p.append(f"end_date {end} is before start_date {start}")
        loc, loc_bad = _location(p, rec)
        if kind in POINT_KINDS and loc is None and not loc_bad:
            p.append(f"a {kind} needs a location (longitude/latitude or easting/northing)")
        if p or start is None:
            bad_rows.append(i)
            reasons.append("; ".join(p))
            continue
        x, y, crs = loc if loc is not None else (None, None, None)
        accepted.append(
            Intervention(
                intervention_id=ident,
                kind=kind,
                start_date=start,
                end_date=end,
                x=x,
                y=y,
                xy_crs=crs,
                notes=str(rec.get("notes", "")),
                source_file=str(rec[c.SOURCE_FILE]),
                row=int(rec[c.ROW]),
            )
        )
    rejected = (
        rejected_rows(raw.iloc[bad_rows], "invalid", np.array(reasons, dtype=object))
        if bad_rows
        else empty_rejected()
    )
    if len(accepted) + len(rejected) != len(raw):
        raise RuntimeError(
            f"intervention validation lost rows: {len(raw)} rows but {len(accepted)} accepted "
            f"and {len(rejected)} rejected"
        )
    return InterventionCheck(accepted=tuple(accepted), rejected=rejected)


def load_interventions(source: CsvSource = EXAMPLE_INTERVENTIONS) -> list[Intervention]:
    """Read and check an interventions file; any bad row stops with every problem listed.

    Raises
    ------
    ValidationError
        One line per bad row: ``"<file> row <n>: <problems>"``; or no rows at all.

    """
    raw = read_interventions_csv(source)
    name = str(raw[c.SOURCE_FILE].iloc[0]) if len(raw) else _name(source)
    if raw.empty:
        raise ValidationError(f"{name}: the file has no interventions")
    checked = validate_interventions(raw)
    if len(checked.rejected):
        raise ValidationError(
            f"{f} row {r}: {why}"
            for f, r, why in checked.rejected[[c.SOURCE_FILE, c.ROW, c.REASON]].itertuples(
                index=False
            )
        )
    return list(checked.accepted)


def interventions_table(interventions: list[Intervention]) -> pd.DataFrame:
    """Staff table of interventions, without notes or locations.

    Returns
    -------
    pandas.DataFrame
        ``intervention_id``, ``kind``, ``start_date``, ``end_date`` (str ``YYYY-MM-DD``,
        "" when open), ``area_wide`` (bool).

    """
    return pd.DataFrame(
        {
            "intervention_id": [iv.intervention_id for iv in interventions],
            "kind": [iv.kind for iv in interventions],
            "start_date": [iv.start_date.isoformat() for iv in interventions],
            "end_date": [iv.end_date.isoformat() if iv.end_date else "" for iv in interventions],
            "area_wide": [not iv.has_location for iv in interventions],
        }
    )


def _records(raw: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in r.items()} for r in raw.to_dict(orient="records")]


def _name(source: CsvSource) -> str:
    return source[0] if isinstance(source, tuple) else Path(source).name


def _date(p: list[str], col: str, text: str, *, required: bool) -> dt.date | None:
    if not text:
        if required:
            p.append(f"missing {col}")
        return None
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    hint = " has no day" if _MONTH_ONLY.match(text) else " is not a valid date"
    p.append(f"{col} {text!r}{hint} (use YYYY-MM-DD or DD/MM/YYYY)")
    return None


def _location(p: list[str], rec: dict[str, object]) -> tuple[tuple[float, float, str] | None, bool]:
    """``(location or None, whether the location columns had a problem)``."""
    vals = {k: str(rec.get(k, "")) for k in ("longitude", "latitude", "easting", "northing")}
    ll = (vals["longitude"], vals["latitude"])
    en = (vals["easting"], vals["northing"])
    if any(ll) and any(en):
        p.append("give longitude/latitude or easting/northing, not both")
        return None, True
    if any(ll):
        pair, names, crs = ll, ("longitude", "latitude"), "EPSG:4326"
    elif any(en):
        pair, names, crs = en, ("easting", "northing"), "EPSG:27700"
    else:
        return None, False
    if not all(pair):
        have, missing = names if pair[0] else names[::-1]
        p.append(f"{have} given without {missing}")
        return None, True
    q: list[str] = []
    nums = [_number(q, n, t) for n, t in zip(names, pair, strict=True)]
    if not q:
        x, y = nums
        if crs == "EPSG:4326" and -9.0 <= y <= 2.5 and 49.0 <= x <= 61.0:
            q.append(f"longitude {text_of(x)} and latitude {text_of(y)} look swapped")
        for name, v, (lo, hi) in zip(names, nums, _RANGES[crs], strict=True):
            if not q and not lo <= v <= hi:
                q.append(f"{name} {text_of(v)} is outside [{text_of(lo)}, {text_of(hi)}]")
    p.extend(q)
    return (None, True) if q else ((nums[0], nums[1], crs), False)


_RANGES = {
    "EPSG:4326": ((-180.0, 180.0), (-90.0, 90.0)),
    "EPSG:27700": ((0.0, 700_000.0), (0.0, 1_300_000.0)),
}


def _number(p: list[str], name: str, text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        v = float("nan")
    if not np.isfinite(v):
        p.append(f"{name} {text!r} is not a number")
    return v


def text_of(v: float) -> str:
    """A number as written in messages (no float noise)."""
    return np.format_float_positional(v, trim="-")

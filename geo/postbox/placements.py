"""The placement log: where the postbox stood, when, and how many slips it collected (SQLite)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from geo.errors import ValidationError
from geo.paths import DEFAULT_DB
from geo.postbox.log_db import open_log
from geo.postbox.records import (
    BOX_ID,
    FROM_DATE,
    LOGGED_AT,
    NOTE,
    PLACEMENT_COLUMNS,
    PLACEMENT_ID,
    SLIPS,
    TO_DATE,
    Placement,
)
from geo.postbox.sites import SITE_ID

__all__ = [
    "add_placement",
    "add_placements",
    "delete_placement",
    "empty_placements",
    "read_placements",
]


def add_placements(
    path: str | Path,
    placements: Iterable[Placement],
    *,
    known_sites: Collection[str] | None = None,
    on_row: Callable[[int], None] | None = None,
) -> list[int]:
    """Write placements in one transaction: all of them, or (on any problem) none.

    The transaction starts with ``BEGIN IMMEDIATE`` (it takes the write lock first), so the
    overlap check and the insert cannot interleave with another writer's.

    Parameters
    ----------
    path
        The log file (created on first use).
    placements
        :class:`Placement` values.
    known_sites
        Site ids of the sites list; a placement at any other site is refused.
    on_row
        Called with the number of rows written so far after each insert, inside the
        transaction (progress for bulk imports).

    Returns
    -------
    list of int
        The new ``placement_id`` values, in input order.

    Raises
    ------
    ValidationError
        Naming every refused entry: unknown site, or a box already placed somewhere on one
        of the days (including another entry of the same batch).

    """
    items = list(placements)
    problems: list[str] = []
    for i, p in enumerate(items, 1):
        tag = _tag(i, len(items))
        if not isinstance(p, Placement):
            problems.append(f"{tag}not a Placement (got {type(p).__name__})")
        elif known_sites is not None and p.site_id not in known_sites:
            problems.append(f"{tag}unknown site {p.site_id!r} (not in the sites list)")
    if problems:
        raise ValidationError(problems)
    con = open_log(path)
    ids: list[int] = []
    try:
        con.execute("BEGIN IMMEDIATE")
        try:
            for i, p in enumerate(items, 1):
                clash = con.execute(
                    "SELECT placement_id, site_id, from_date, to_date FROM placements "
                    "WHERE box_id = ? AND from_date <= ? AND to_date >= ? "
                    "ORDER BY from_date, placement_id LIMIT 1",
                    (p.box_id, p.to_date.isoformat(), p.from_date.isoformat()),
                ).fetchone()
                if clash is not None:
                    problems.append(
                        f"{_tag(i, len(items))}{p.box_id} cannot be at {p.site_id} from "
                        f"{p.from_date.isoformat()} to {p.to_date.isoformat()}: it was at "
                        f"{clash[1]} from {clash[2]} to {clash[3]} (placement #{clash[0]})"
                    )
                    continue
                cur = con.execute(
                    "INSERT INTO placements "
                    "(site_id, box_id, from_date, to_date, slips, note, logged_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        p.site_id,
                        p.box_id,
                        p.from_date.isoformat(),
                        p.to_date.isoformat(),
                        p.slips,
                        p.note,
                        datetime.now(UTC).isoformat(timespec="seconds"),
                    ),
                )
                ids.append(int(cur.lastrowid or 0))
                if on_row is not None:
                    on_row(len(ids))
            if problems:
                raise ValidationError(problems)
            con.execute("COMMIT")
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise
    finally:
        con.close()
    return ids


def add_placement(
    path: str | Path,
    placement: Placement,
    *,
    known_sites: Collection[str] | None = None,
) -> int:
    """Write one placement (see :func:`add_placements`) and return its ``placement_id``."""
    return add_placements(path, [placement], known_sites=known_sites)[0]


def delete_placement(path: str | Path, placement_id: int) -> None:
    """Remove one entry (to correct a mistake); refuses an id that is not in the log."""
    con = open_log(path)
    try:
        con.execute("BEGIN IMMEDIATE")
        cur = con.execute("DELETE FROM placements WHERE placement_id = ?", (int(placement_id),))
        if cur.rowcount != 1:
            con.execute("ROLLBACK")
            raise ValidationError(f"{Path(path).name}: there is no placement #{placement_id}")
        con.execute("COMMIT")
    finally:
        con.close()


def read_placements(path: str | Path = DEFAULT_DB) -> pd.DataFrame:
    """Every logged placement, oldest first.

    A log that does not exist yet reads as empty (and is not created).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PLACEMENT_COLUMNS`: ``placement_id`` (int64), ``site_id``, ``box_id``
        (str), ``from_date``, ``to_date`` (datetime64[ns], inclusive days), ``slips``
        (int64), ``note`` (str, staff only), ``logged_at`` (str, UTC ISO 8601). Sorted by
        ``from_date`` then ``placement_id``.

    """
    p = Path(path)
    if not p.exists():
        return empty_placements()
    con = open_log(p)
    try:
        rows = con.execute(
            f"SELECT {', '.join(PLACEMENT_COLUMNS)} FROM placements "
            "ORDER BY from_date, placement_id"
        ).fetchall()
    finally:
        con.close()
    if not rows:
        return empty_placements()
    df = pd.DataFrame(rows, columns=list(PLACEMENT_COLUMNS))
    return _typed(df)


def empty_placements() -> pd.DataFrame:
    """A placements table with no rows and the columns of :func:`read_placements`."""
    return _typed(pd.DataFrame({col: [] for col in PLACEMENT_COLUMNS}))


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            PLACEMENT_ID: df[PLACEMENT_ID].astype("int64"),
            SITE_ID: df[SITE_ID].astype(object),
            BOX_ID: df[BOX_ID].astype(object),
            FROM_DATE: pd.to_datetime(df[FROM_DATE], format="%Y-%m-%d").astype("datetime64[ns]"),
            TO_DATE: pd.to_datetime(df[TO_DATE], format="%Y-%m-%d").astype("datetime64[ns]"),
            SLIPS: df[SLIPS].astype("int64"),
            NOTE: df[NOTE].astype(object),
            LOGGED_AT: df[LOGGED_AT].astype(object),
        }
    )
    return out.reset_index(drop=True)


def _tag(i: int, n: int) -> str:
    return f"placement {i}: " if n > 1 else ""

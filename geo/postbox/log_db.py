"""The placement log's SQLite file: where it may live, its schema, and opening it safely."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from geo.errors import ValidationError
from geo.paths import DATA_DIR, DEFAULT_DB
from geo.postbox.records import PLACEMENT_COLUMNS

#: The team's placement log (created on first write; not shipped, see ``.gitignore``).
#: How long a writer waits for another writer's transaction before giving up.
BUSY_TIMEOUT_S = 30.0
#: Schema version stored in ``PRAGMA user_version``.
SCHEMA_VERSION = 1

_DATE_GLOB = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
_SCHEMA: tuple[str, ...] = (
    f"""CREATE TABLE IF NOT EXISTS placements (
        placement_id INTEGER PRIMARY KEY AUTOINCREMENT,
        site_id   TEXT    NOT NULL CHECK (length(site_id) BETWEEN 1 AND 40),
        box_id    TEXT    NOT NULL CHECK (length(box_id) BETWEEN 1 AND 40),
        from_date TEXT    NOT NULL CHECK (from_date GLOB '{_DATE_GLOB}'),
        to_date   TEXT    NOT NULL CHECK (to_date GLOB '{_DATE_GLOB}' AND to_date >= from_date),
        slips     INTEGER NOT NULL CHECK (typeof(slips) = 'integer' AND slips >= 0),
        note      TEXT    NOT NULL DEFAULT '' CHECK (length(note) <= 500),
        logged_at TEXT    NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS placements_box_dates ON placements (box_id, from_date, to_date)",
    "CREATE INDEX IF NOT EXISTS placements_site ON placements (site_id)",
)


def data_path(
    value: str | Path,
    *,
    base: str | Path = DATA_DIR,
    suffixes: tuple[str, ...] = (".sqlite", ".db"),
) -> Path:
    """Resolve a user-given file name so that it stays inside the ``base`` data folder.

    Relative names are taken inside ``base``; absolute paths, ``..`` and symbolic links
    must still end up inside it.

    Raises
    ------
    ValidationError
        When the path leaves ``base`` or does not end in one of ``suffixes``.

    """
    root = Path(base).resolve()
    p = Path(value)
    full = (p if p.is_absolute() else root / p).resolve()
    if not full.is_relative_to(root):
        raise ValidationError(f"{value}: the placement log must be inside the data folder {root}")
    if full.suffix.lower() not in suffixes:
        raise ValidationError(
            f"{value}: the placement log file name must end in {' or '.join(suffixes)}"
        )
    return full


def open_log(
    path: str | Path = DEFAULT_DB, *, busy_timeout_s: float = BUSY_TIMEOUT_S
) -> sqlite3.Connection:
    """Open (creating on first use) the placement log.

    The connection is in autocommit mode: callers group writes with ``BEGIN IMMEDIATE`` /
    ``COMMIT``. The database uses write-ahead logging (WAL), ``synchronous = FULL`` and a
    busy timeout, so concurrent writers wait for each other instead of failing or losing
    rows, and a writer killed mid-transaction leaves the last committed state.

    Raises
    ------
    ValidationError
        When the file cannot be opened, is not an SQLite database, or holds another schema.

    """
    p = Path(path)
    if p.exists() and not p.is_file():
        raise ValidationError(f"{p}: not a file")
    try:
        con = sqlite3.connect(p, timeout=busy_timeout_s, isolation_level=None)
    except sqlite3.Error as exc:
        raise ValidationError(f"{p}: cannot open the placement log ({exc})") from None
    try:
        con.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
        _retry_locked(lambda: con.execute("PRAGMA journal_mode = WAL").fetchone(), busy_timeout_s)
        con.execute("PRAGMA synchronous = FULL")
        _ensure_schema(con, p)
    except sqlite3.DatabaseError as exc:
        con.close()
        raise ValidationError(f"{p}: not a usable placement log ({exc})") from None
    except BaseException:
        con.close()
        raise
    return con


def _retry_locked(fn: Callable[[], object], timeout_s: float) -> object:
    """Run ``fn``, retrying while SQLite reports the database locked (up to ``timeout_s``)."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return fn()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _ensure_schema(con: sqlite3.Connection, p: Path) -> None:
    version = int(con.execute("PRAGMA user_version").fetchone()[0])
    if version == SCHEMA_VERSION:
        return
    if version > SCHEMA_VERSION:
        raise ValidationError(
            f"{p}: placement log schema version {version} is newer than this program "
            f"({SCHEMA_VERSION})"
        )
    con.execute("BEGIN IMMEDIATE")
    try:
        version = int(con.execute("PRAGMA user_version").fetchone()[0])
        if version == 0:
            tables = {
                r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            if tables - {"placements", "sqlite_sequence"}:
                raise ValidationError(
                    f"{p}: not a placement log (it holds other tables: {', '.join(sorted(tables))})"
                )
            for stmt in _SCHEMA:
                con.execute(stmt)
            cols = [r[1] for r in con.execute("PRAGMA table_info(placements)")]
            if cols != list(PLACEMENT_COLUMNS):
                raise ValidationError(
                    f"{p}: the placements table has columns {', '.join(cols)}; expected "
                    f"{', '.join(PLACEMENT_COLUMNS)}"
                )
            con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        con.execute("COMMIT")
    except BaseException:
        if con.in_transaction:
            con.execute("ROLLBACK")
        raise

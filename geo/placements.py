"""The placement log: where the postbox stood, when, and how many slips it collected (SQLite)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from geo.errors import ValidationError
from geo.pipeline import DATA_DIR
from geo.sites import SITE_ID, SITE_ID_RE

#: The team's placement log (created on first write; not shipped, see ``.gitignore``).
DEFAULT_DB = DATA_DIR / "placements.sqlite"
#: Box id used when the team runs a single postbox.
DEFAULT_BOX = "box-1"
#: How long a writer waits for another writer's transaction before giving up.
BUSY_TIMEOUT_S = 30.0
#: Schema version stored in ``PRAGMA user_version``.
SCHEMA_VERSION = 1

PLACEMENT_ID = "placement_id"  #: int, assigned by the log, increasing
BOX_ID = "box_id"  #: str, which postbox (``"box-1"`` by default)
FROM_DATE = "from_date"  #: datetime64[ns], first day the box stood at the site (inclusive)
TO_DATE = "to_date"  #: datetime64[ns], last day the box stood at the site (inclusive)
SLIPS = "slips"  #: int, slips collected during the placement
NOTE = "note"  #: str, free text (staff only)
LOGGED_AT = "logged_at"  #: str, UTC time the entry was written (ISO 8601)

#: Columns of :func:`read_placements`, in order.
PLACEMENT_COLUMNS: tuple[str, ...] = (
    PLACEMENT_ID,
    SITE_ID,
    BOX_ID,
    FROM_DATE,
    TO_DATE,
    SLIPS,
    NOTE,
    LOGGED_AT,
)

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
_MAX_SLIPS = 100_000
_MAX_NOTE = 500
_YEARS = (2000, 2100)


@dataclass(frozen=True)
class Placement:
    """One stay of a postbox at a site, checked when built.

    Parameters
    ----------
    site_id
        The site's id in the sites CSV.
    from_date, to_date
        First and last day at the site (inclusive); ``to_date`` may equal ``from_date``.
    slips
        Whole number of slips collected (>= 0).
    note
        Optional free text, at most 500 characters (staff only).
    box_id
        Which box; placements of the same box may not overlap in time.

    Raises
    ------
    ValidationError
        Naming every problem (e.g. "to date 2018-11-01 is before from date 2018-11-07").

    """

    site_id: str
    from_date: date
    to_date: date
    slips: int
    note: str = ""
    box_id: str = DEFAULT_BOX

    def __post_init__(self) -> None:
        p: list[str] = []
        for name in (SITE_ID, BOX_ID):
            v = getattr(self, name)
            if not isinstance(v, str) or not SITE_ID_RE.match(v):
                p.append(
                    f"{name} must be 1-40 letters, digits, '-', '_' or '.' "
                    f"(starting with a letter or digit). Got {v!r}."
                )
        for name in (FROM_DATE, TO_DATE):
            v = getattr(self, name)
            if isinstance(v, datetime) or not isinstance(v, date):
                p.append(f"{name} must be a date. Got {v!r}.")
            elif not _YEARS[0] <= v.year <= _YEARS[1]:
                p.append(f"{name} {v.isoformat()} is outside the years {_YEARS[0]}-{_YEARS[1]}.")
        if (
            not p
            and isinstance(self.to_date, date)
            and isinstance(self.from_date, date)
            and self.to_date < self.from_date
        ):
            p.append(
                f"to date {self.to_date.isoformat()} is before from date "
                f"{self.from_date.isoformat()}."
            )
        s = self.slips
        if isinstance(s, bool) or not isinstance(s, int | np.integer):
            p.append(f"slips must be a whole number >= 0. Got {s!r}.")
        elif not 0 <= s <= _MAX_SLIPS:
            p.append(f"slips must be a whole number >= 0 and <= {_MAX_SLIPS}. Got {s}.")
        if not isinstance(self.note, str) or len(self.note) > _MAX_NOTE:
            p.append(f"note must be text of at most {_MAX_NOTE} characters.")
        if p:
            raise ValidationError(p)
        object.__setattr__(self, "slips", int(s))

    @property
    def days(self) -> int:
        """Days at the site, both ends included."""
        return (self.to_date - self.from_date).days + 1

    def describe(self) -> str:
        """One line, e.g. ``"box-1 at littlemore-church 2018-11-01 to 2018-11-07, 4 slips"``."""
        return (
            f"{self.box_id} at {self.site_id} {self.from_date.isoformat()} to "
            f"{self.to_date.isoformat()}, {self.slips} slip{'s' if self.slips != 1 else ''}"
        )


def parse_date(text: str, *, what: str = "date") -> date:
    """Parse ``YYYY-MM-DD`` strictly, with a message naming ``what`` and the text given."""
    t = str(text).strip()
    try:
        if len(t) != 10:
            raise ValueError
        return date.fromisoformat(t)
    except ValueError:
        raise ValidationError(f"{what} {t!r} is not a date YYYY-MM-DD") from None


def placement_from_text(
    *,
    site_id: str,
    from_date: str,
    to_date: str,
    slips: str | int,
    note: str = "",
    box_id: str = DEFAULT_BOX,
) -> Placement:
    """Build a :class:`Placement` from text as typed in a form or on the command line.

    Every problem is reported at once (``ValidationError``), e.g. ``"from date '2018-13-01'
    is not a date YYYY-MM-DD; slips must be a whole number >= 0. Got '-2'."``.
    """
    problems: list[str] = []
    dates: list[date] = []
    for what, text in (("from date", from_date), ("to date", to_date)):
        try:
            dates.append(parse_date(text, what=what))
        except ValidationError as exc:
            problems += exc.problems
    n: int | None = None
    st = str(slips).strip()
    if st.isdigit():
        n = int(st)
    else:
        problems.append(f"slips must be a whole number >= 0. Got {str(slips)!r}.")
    if problems:
        raise ValidationError(problems)
    assert n is not None
    return Placement(
        site_id=str(site_id).strip(),
        from_date=dates[0],
        to_date=dates[1],
        slips=n,
        note=str(note).strip(),
        box_id=str(box_id).strip(),
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

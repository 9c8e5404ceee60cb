"""The placement record: one stay of a postbox at a site, its columns and its checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import numpy as np

from geo.errors import ValidationError
from geo.postbox.sites import SITE_ID, SITE_ID_RE

#: Box id used when the team runs a single postbox.
DEFAULT_BOX = "box-1"

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
    st = str(slips).strip()
    if not (st.isascii() and st.isdigit()):  # 0-9 only: "²" or "٣" pass str.isdigit
        problems.append(f"slips must be a whole number >= 0. Got {str(slips)!r}.")
    if problems:
        raise ValidationError(problems)
    return Placement(
        site_id=str(site_id).strip(),
        from_date=dates[0],
        to_date=dates[1],
        slips=int(st),
        note=str(note).strip(),
        box_id=str(box_id).strip(),
    )

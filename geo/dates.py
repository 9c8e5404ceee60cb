"""Dates: incident dates read in a few vectorised passes, and months said in words."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from geo import columns as c
from geo.errors import ValidationError
from geo.settings import MONTH_RE

__all__ = ["DATE_FORMATS", "parse_dates", "parse_dates_coded", "period_words"]


def parse_dates_coded(raw: pd.DataFrame) -> tuple[np.ndarray, pd.Series]:
    """Parse each distinct stripped date text once, one vectorised pass per format.

    Returns ``(codes, dates)``: for every row the index of its text, and the parsed date of
    each distinct text (datetime64[ns], NaT when unparsable). Each text gets the first of
    :data:`DATE_FORMATS` that reads it as a date in 1900-2100, as if tried one by one.
    """
    text = raw[c.RAW_DATE].astype(str).str.strip()
    codes, uniq = pd.factorize(text, use_na_sentinel=False)
    return codes, parse_dates(pd.Series(np.asarray(uniq, dtype=object), dtype=object))


#: Date formats a raw date may have, tried in this order (police.uk writes ``YYYY-MM``).
DATE_FORMATS: tuple[str, ...] = (
    "%Y-%m",
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%Y/%m/%d",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
)
_FIRST_YEAR, _LAST_YEAR = 1900, 2100


def parse_dates(text: pd.Series) -> pd.Series:
    """Dates of ``text`` (stripped values), each read by the first format that fits.

    Each format first reads the values shaped like it (one ``pd.to_datetime`` call over
    them); whatever is left then tries every format in turn. The result is what trying the
    formats one by one on each value gives, but a million distinct date-times cost a few
    vectorised passes instead of millions of failed parses.

    Parameters
    ----------
    text
        Date texts, e.g. ``"2018-03"``, ``"2018-03-18 15:54:04"``, ``"18/03/2018"``.

    Returns
    -------
    pandas.Series
        datetime64[ns], same index; NaT where no format reads a date in 1900-2100.

    """
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    todo = np.ones(len(text), dtype=bool)
    as_text = text.astype(object).where(text.notna(), "").astype(str)
    for fmt, shape in zip(DATE_FORMATS, _DATE_SHAPES, strict=True):
        fits = todo & as_text.str.fullmatch(shape).to_numpy(dtype=bool)
        _parse_into(out, todo, fits, as_text, fmt)
    for fmt in DATE_FORMATS:  # values shaped like none of the formats, or refused by theirs
        _parse_into(out, todo, todo.copy(), as_text, fmt)
    return out


#: The shape of each of :data:`DATE_FORMATS` (digits may be unpadded, as strptime allows).
_DATE_SHAPES: tuple[str, ...] = (
    r"\d{4}-\d{1,2}",
    r"\d{4}-\d{1,2}-\d{1,2}",
    r"\d{1,2}/\d{1,2}/\d{4}",
    r"\d{4}/\d{1,2}/\d{1,2}",
    r"\d{4}-\d{1,2}-\d{1,2}T\d{1,2}:\d{1,2}:\d{1,2}",
    r"\d{4}-\d{1,2}-\d{1,2} \d{1,2}:\d{1,2}:\d{1,2}",
)


def _parse_into(
    out: pd.Series, todo: np.ndarray, which: np.ndarray, text: pd.Series, fmt: str
) -> None:
    """Read ``text[which]`` with ``fmt`` into ``out``; rows read leave ``todo``."""
    if not which.any():
        return
    got = pd.to_datetime(text[which], format=fmt, errors="coerce")
    years = got.dt.year
    ok = (got.notna() & (years >= _FIRST_YEAR) & (years <= _LAST_YEAR)).to_numpy()
    idx = np.flatnonzero(which)[ok]
    out.iloc[idx] = got.to_numpy(dtype="datetime64[ns]")[ok]
    todo[idx] = False


def period_words(months: Iterable[str]) -> str:
    """The months from first to last in words, the year said once when it is the same.

    ``["2018-06", "2018-11"]`` gives ``"June to November 2018"``; ``["2017-11", "2018-02"]``
    ``"November 2017 to February 2018"``; one month ``"November 2018"``; none
    ``"the chosen months"``.

    Raises
    ------
    ValidationError
        If a month is not ``YYYY-MM``.

    """
    ms = sorted({str(m) for m in months})
    bad = [m for m in ms if not MONTH_RE.match(m)]
    if bad:
        raise ValidationError(f"months must be YYYY-MM. Got {bad[0]!r}.")
    if not ms:
        return "the chosen months"
    first, last = pd.Period(ms[0], "M"), pd.Period(ms[-1], "M")
    if first == last:
        return first.strftime("%B %Y")
    if first.year == last.year:
        return f"{first.strftime('%B')} to {last.strftime('%B %Y')}"
    return f"{first.strftime('%B %Y')} to {last.strftime('%B %Y')}"

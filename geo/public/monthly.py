"""Month-by-month incident counts that are safe to show: suppressed below the minimum, rounded."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from geo import columns as c
from geo.errors import ValidationError
from geo.public.schema import (
    DEFAULT_PUBLIC,
    INCIDENTS,
    INCIDENTS_TEXT,
    MONTH_LABEL,
    SUPPRESSED,
    PublicSettings,
    check_public,
)
from geo.settings import MONTH_RE


def monthly_counts_public(
    incidents: pd.DataFrame,
    *,
    public: PublicSettings = DEFAULT_PUBLIC,
    by_ward: bool = False,
    months: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Month-by-month incident counts that are safe to show (for the meeting chart).

    Every month from the first to the last is listed (months with no incident too). A
    count below ``public.min_count`` (zero included) is shown as "fewer than N" with no
    number; the others are rounded to ``public.round_to`` (never below the minimum).

    Parameters
    ----------
    incidents
        Any frame with ``month`` (``YYYY-MM``) and, when ``by_ward``, ``ward_name``; one
        row per incident (e.g. ``result.incidents``). Only these columns are read.
    by_ward
        One series per ward instead of the whole area.
    months
        Months to list (``YYYY-MM``); default the first to the last month in
        ``incidents``. Incidents in other months are not counted.

    Returns
    -------
    pandas.DataFrame
        Columns of :func:`geo.public.public_fields` (``"monthly"``): ``ward_name``
        (str, only when ``by_ward``), ``month`` (str), ``month_label`` (str), ``incidents``
        (Int64, <NA> when suppressed), ``incidents_text`` (str), ``suppressed`` (bool);
        sorted by ward then month.

    """
    need = [c.MONTH, *([c.WARD_NAME] if by_ward else [])]
    missing = [col for col in need if col not in incidents.columns]
    if missing:
        raise ValidationError(f"incidents: columns {', '.join(missing)} are missing")
    data_months = incidents[c.MONTH].astype(str)
    bad = sorted({m for m in (months or []) if not MONTH_RE.match(str(m))})
    bad += sorted({m for m in data_months.unique() if not MONTH_RE.match(m)})
    if bad:
        raise ValidationError(f"months must be YYYY-MM. Got {bad[0]!r}.")
    if months is not None:
        ms = sorted({str(m) for m in months})
    elif len(data_months):
        first, last = pd.Period(data_months.min(), "M"), pd.Period(data_months.max(), "M")
        ms = [str(first + i) for i in range((last - first).n + 1)]
    else:
        ms = []
    keys = [c.WARD_NAME] if by_ward else []
    cols = [*keys, c.MONTH, MONTH_LABEL, INCIDENTS, INCIDENTS_TEXT, SUPPRESSED]
    if not ms:
        return pd.DataFrame({col: pd.Series(dtype=object) for col in cols})
    if by_ward:
        wards = sorted(set(incidents[c.WARD_NAME].astype(str)))
        index = pd.MultiIndex.from_product([wards, ms], names=[c.WARD_NAME, c.MONTH])
        counts = (
            pd.DataFrame({c.WARD_NAME: incidents[c.WARD_NAME].astype(str), c.MONTH: data_months})
            .groupby([c.WARD_NAME, c.MONTH])
            .size()
            .reindex(index, fill_value=0)
        )
        frame = counts.reset_index(name="_n")
    else:
        counts = data_months.value_counts().reindex(ms, fill_value=0)
        frame = pd.DataFrame({c.MONTH: ms, "_n": counts.to_numpy()})
    shown = [public.shown_count(int(k)) for k in frame["_n"]]
    rounded = public.round_to > 1
    frame[MONTH_LABEL] = [pd.Period(m, "M").strftime("%b %Y") for m in frame[c.MONTH]]
    frame[INCIDENTS] = pd.array(shown, dtype="Int64")
    frame[INCIDENTS_TEXT] = [
        f"fewer than {public.min_count}" if s is None else (f"about {s}" if rounded else str(s))
        for s in shown
    ]
    frame[SUPPRESSED] = np.array([s is None for s in shown], dtype=bool)
    out = frame[cols].reset_index(drop=True)
    check_public(out, public=public)
    return out

"""The filter stage: set aside accepted rows outside the chosen months and categories."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo import columns as c
from geo.rejected import Checked, rejected_rows
from geo.settings import Settings

__all__ = ["apply_filters"]


def apply_filters(accepted: pd.DataFrame, settings: Settings) -> Checked:
    """Keep rows inside ``settings.since``/``until`` and ``settings.include``.

    Parameters
    ----------
    accepted
        Any frame with ``month``, ``category``, ``source_file`` and ``row`` columns.

    Returns
    -------
    Checked
        ``accepted``: the rows kept, same columns; ``rejected``: rows set aside with stage
        ``"filtered"`` and the reason (e.g. ``"before the chosen months (since 2018-06)"``).

    """
    reason = np.full(len(accepted), "", dtype=object)
    if settings.since or settings.until:
        # compare each distinct month once
        codes, months = pd.factorize(accepted[c.MONTH].astype(str), use_na_sentinel=False)
        distinct = np.asarray(months, dtype=object)
        if settings.since:
            before = (distinct < settings.since)[codes]
            reason[before & (reason == "")] = f"before the chosen months (since {settings.since})"
        if settings.until:
            after = (distinct > settings.until)[codes]
            reason[after & (reason == "")] = f"after the chosen months (until {settings.until})"
    if settings.include:
        out = ~accepted[c.CATEGORY].isin(settings.include).to_numpy()
        reason[out & (reason == "")] = "category not chosen"
    keep = reason == ""
    kept = accepted if keep.all() else accepted.loc[keep]  # no copy when nothing is set aside
    return Checked(
        accepted=kept.reset_index(drop=True),
        rejected=rejected_rows(accepted.loc[~keep], "filtered", reason[~keep]),
    )

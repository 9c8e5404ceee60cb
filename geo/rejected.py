"""The rejected-rows table: rows split into accepted and rejected, and counts by reason."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo import columns as c

__all__ = ["Checked", "empty_rejected", "rejected_rows", "summarise_reasons"]


@dataclass(frozen=True)
class Checked:
    """Rows split by a check: ``accepted`` rows and ``rejected`` rows with a reason.

    ``rejected`` has columns ``source_file``, ``row``, ``stage``, ``reason``.
    """

    accepted: pd.DataFrame
    rejected: pd.DataFrame


def empty_rejected() -> pd.DataFrame:
    """A rejected-rows table with no rows (``source_file``, ``row``, ``stage``, ``reason``)."""
    return pd.DataFrame(
        {
            c.SOURCE_FILE: pd.Series(dtype=object),
            c.ROW: pd.Series(dtype="int64"),
            c.STAGE: pd.Series(dtype=object),
            c.REASON: pd.Series(dtype=object),
        }
    )


def rejected_rows(rows: pd.DataFrame, stage: str, reasons: pd.Series | np.ndarray) -> pd.DataFrame:
    """Build a rejected-rows table from rows of any frame holding ``source_file`` and ``row``."""
    return pd.DataFrame(
        {
            c.SOURCE_FILE: rows[c.SOURCE_FILE].to_numpy(dtype=object),
            c.ROW: rows[c.ROW].to_numpy(dtype="int64"),
            c.STAGE: np.full(len(rows), stage, dtype=object),
            c.REASON: np.asarray(reasons, dtype=object),
        }
    )


_VALUE_RE = re.compile(r"\b(latitude|longitude|easting|northing) -?[0-9.eE+-]+|'[^']*'")
_FIRST_SEEN_RE = re.compile(r" \(first seen in [^)]*\)")


def summarise_reasons(rejected: pd.DataFrame) -> pd.DataFrame:
    """Count rejected rows by stage and kind of reason (quoted values folded into "…").

    Parameters
    ----------
    rejected
        ``source_file``, ``row``, ``stage``, ``reason``.

    Returns
    -------
    pandas.DataFrame
        ``stage``, ``reason`` (e.g. ``"duplicate id '…'"``), ``rows`` (int), most rows first.

    """
    if rejected.empty:
        return pd.DataFrame({c.STAGE: [], c.REASON: [], "rows": pd.Series(dtype="int64")})
    fam = rejected[c.REASON].astype(str).str.replace(_FIRST_SEEN_RE, "", regex=True)
    fam = fam.str.replace(_VALUE_RE, _fold_value, regex=True)
    out = (
        pd.DataFrame({c.STAGE: rejected[c.STAGE].astype(str), c.REASON: fam})
        .groupby([c.STAGE, c.REASON], sort=True)
        .size()
        .rename("rows")
        .reset_index()
        .sort_values("rows", ascending=False, kind="stable")
        .reset_index(drop=True)
    )
    out["rows"] = out["rows"].astype("int64")
    return out


def _fold_value(m: re.Match[str]) -> str:
    return f"{m.group(1)} …" if m.group(1) else "'…'"

"""An evaluation as people read it: the per-ward table, stability in brief, CSV text."""

from __future__ import annotations

import math

import pandas as pd

from geo import columns as c
from geo.evaluation.schema import ALL_WARDS, METHOD_LABELS

__all__ = ["WARD_TABLE_COLUMNS", "evaluation_csv", "stability_overview", "ward_table"]

#: Columns of :func:`ward_table`, in order.
WARD_TABLE_COLUMNS: tuple[str, ...] = (
    "Ward",
    "Method",
    "Hit rate (%)",
    "PAI (mean)",
    "PAI (std)",
    "RRI (mean)",
    "Area share (%)",
    "Months",
)


def evaluation_csv(frame: pd.DataFrame) -> str:
    """CSV text of an evaluation table, as ``python -m geo evaluate`` writes its files."""
    return frame.to_csv(index=False, float_format="%.6g")


def ward_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Every ward's mean measures per method, in words and percentages, sorted by ward.

    Parameters
    ----------
    summary
        ``Evaluation.summary`` (:func:`geo.evaluation.summarise_evaluation`): ``ward_code``,
        ``ward_name``, ``method``, ``hit_rate_mean``, ``pai_mean``, ``pai_std``,
        ``rri_mean``, ``area_share_mean``, ``n_folds``; the study-wide rows
        (``ward_code == "all"``) are left out.

    Returns
    -------
    pandas.DataFrame
        :data:`WARD_TABLE_COLUMNS`: ``Ward`` (name), ``Method`` (label), ``Hit rate (%)``,
        ``PAI (mean)``, ``PAI (std)``, ``RRI (mean)``, ``Area share (%)`` (floats, NaN where
        a ward had nothing to test), ``Months`` (test months); stable sort by ward name.

    """
    per_ward = summary[summary[c.WARD_CODE] != ALL_WARDS]
    return pd.DataFrame(
        {
            "Ward": per_ward[c.WARD_NAME],
            "Method": per_ward["method"].map(dict(METHOD_LABELS)),
            "Hit rate (%)": 100 * per_ward["hit_rate_mean"],
            "PAI (mean)": per_ward["pai_mean"],
            "PAI (std)": per_ward["pai_std"],
            "RRI (mean)": per_ward["rri_mean"],
            "Area share (%)": 100 * per_ward["area_share_mean"],
            "Months": per_ward["n_folds"],
        }
    ).sort_values("Ward", kind="stable")


def stability_overview(stability: pd.DataFrame) -> tuple[str, str] | None:
    """``(share persisting, mean Jaccard)`` as text over the study-wide window pairs.

    Parameters
    ----------
    stability
        ``Evaluation.stability`` (:func:`geo.evaluation.hotspot_stability`): ``ward_code``,
        ``share_persisting``, ``jaccard``.

    Returns
    -------
    tuple of str or None
        ``("67%", "0.42")`` (``"n/a"`` for an undefined mean), or ``None`` when there is no
        study-wide pair of windows (fewer than two test months).

    """
    overall = stability[stability[c.WARD_CODE] == ALL_WARDS]
    if overall.empty:
        return None
    share = float(overall["share_persisting"].mean())
    jaccard = float(overall["jaccard"].mean())
    return (
        "n/a" if math.isnan(share) else f"{share:.0%}",
        "n/a" if math.isnan(jaccard) else f"{jaccard:.2f}",
    )

"""Evaluation results for people: summaries, display text, plots and the files written."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from geo import columns as c
from geo.errors import ValidationError
from geo.evaluation.display import evaluation_csv
from geo.evaluation.plots import plot_k_distance, plot_sweep
from geo.evaluation.schema import (
    ALL_METHODS,
    ALL_WARDS,
    DBSCAN,
    METHOD_LABELS,
    SUMMARY_MEASURES,
    Evaluation,
)


# --- summaries ----------------------------------------------------------------------------
def summarise_evaluation(table: pd.DataFrame) -> pd.DataFrame:
    """Mean and spread of each measure over the test months, per method and ward.

    Parameters
    ----------
    table
        :attr:`Evaluation.table`.

    Returns
    -------
    pandas.DataFrame
        One row per ``method`` × ward (methods in :data:`ALL_METHODS` order, wards by code with
        "all" last): ``method``, ``ward_code``, ``ward_name``, ``n_folds`` (int, test
        months), and for each of ``hit_rate``, ``pai``, ``rri``, ``area_share``,
        ``hit_rate_w``, ``pai_w``, ``pei``, ``pei_w`` (those in ``table``):
        ``<measure>_mean``, ``<measure>_std`` (sample standard deviation over the months),
        ``<measure>_min``, ``<measure>_max`` (floats; months where the measure is undefined
        are left out; the std is NaN with one month).

    """
    keys = ["method", c.WARD_CODE, c.WARD_NAME]
    g = table.groupby(keys, sort=False)
    out = g.size().rename("n_folds").to_frame()
    for m in [m for m in SUMMARY_MEASURES if m in table.columns]:
        stats = g[m].agg(["mean", "std", "min", "max"])
        stats.columns = [f"{m}_{s}" for s in stats.columns]
        out = out.join(stats)
    out = out.reset_index()
    order = {m: i for i, m in enumerate(ALL_METHODS)}
    out["_m"] = out["method"].map(order)
    out["_w"] = out[c.WARD_CODE] == ALL_WARDS
    out = out.sort_values(["_m", "_w", c.WARD_CODE], kind="stable").drop(columns=["_m", "_w"])
    return out.reset_index(drop=True)


def summary_text(summary: pd.DataFrame, *, ward_code: str = ALL_WARDS) -> pd.DataFrame:
    """The summary of one ward as display text, "mean ± std" per measure.

    Columns: ``Method``, ``Hit rate``, ``PAI``, ``RRI``, ``Area share``, ``Months``. With a
    single month there is no spread: "± n/a".
    """
    s = summary[summary[c.WARD_CODE] == ward_code]

    def fmt(m: str, scale: float, digits: int, unit: str = "") -> list[str]:
        out = []
        for mean, std in zip(s[f"{m}_mean"], s[f"{m}_std"], strict=True):
            if pd.isna(mean):
                out.append("n/a")
            elif pd.isna(std):
                out.append(f"{scale * mean:.{digits}f}{unit} ± n/a")
            else:
                out.append(f"{scale * mean:.{digits}f}{unit} ± {scale * float(std):.{digits}f}")
        return out

    return pd.DataFrame(
        {
            "Method": [METHOD_LABELS.get(m, m) for m in s["method"]],
            "Hit rate": fmt("hit_rate", 100, 1, " %"),
            "PAI": fmt("pai", 1, 1),
            "RRI": fmt("rri", 1, 2),
            "Area share": fmt("area_share", 100, 2, " %"),
            "Months": s["n_folds"].astype(int).to_numpy(),
        }
    )


def measures_text(table: pd.DataFrame, *, ward_code: str = ALL_WARDS) -> pd.DataFrame:
    """Every method's means over the test months as display text, with PEI and its resolution.

    Parameters
    ----------
    table
        :attr:`Evaluation.table`.
    ward_code
        A ward, or "all".

    Returns
    -------
    pandas.DataFrame
        One row per method (in :data:`ALL_METHODS` order): ``Method``, ``Area`` ("per ward"
        = DBSCAN's area in each ward, "study-wide" = its total area anywhere), ``Area
        share``, ``Hit rate``, ``Hit rate (weighted)``, ``PAI`` ("mean ± std", "± n/a" with
        one month), ``PAI (weighted)``, ``PEI``, ``PEI (weighted)``, ``Best map`` (the
        resolution PEI is measured at), ``Months``.

    """
    t = table[table[c.WARD_CODE] == ward_code]
    methods = [m for m in ALL_METHODS if m in set(t["method"])]
    methods += [m for m in dict.fromkeys(t["method"]) if m not in methods]
    rows = []
    for m in methods:
        r = t[t["method"] == m]

        def fmt(col: str, scale: float, digits: int, unit: str = "", r: pd.DataFrame = r) -> str:
            v = r[col].to_numpy(dtype=float)
            v = v[~np.isnan(v)]
            if len(v) == 0:
                return "n/a"
            sd = f"{scale * v.std(ddof=1):.{digits}f}" if len(v) > 1 else "n/a"
            return f"{scale * v.mean():.{digits}f}{unit} ± {sd}"

        rows.append(
            {
                "Method": METHOD_LABELS.get(m, m),
                "Area": "study-wide" if set(r["allocation"]) == {"study"} else "per ward",
                "Area share": f"{100 * r['area_share'].mean():.2f} %",
                "Hit rate": fmt("hit_rate", 100, 1, " %"),
                "Hit rate (weighted)": fmt("hit_rate_w", 100, 1, " %"),
                "PAI": fmt("pai", 1, 1),
                "PAI (weighted)": fmt("pai_w", 1, 1),
                "PEI": fmt("pei", 1, 2),
                "PEI (weighted)": fmt("pei_w", 1, 2),
                "Best map": ", ".join(sorted(set(r["resolution"].astype(str)))),
                "Months": int(r["test_month"].nunique()),
            }
        )
    return pd.DataFrame(rows)


def per_month_text(
    table: pd.DataFrame,
    *,
    measure: str = "pai",
    methods: Sequence[str] | None = None,
    ward_code: str = ALL_WARDS,
    digits: int = 1,
) -> pd.DataFrame:
    """One row per test month, one column per method: ``measure`` as text (``Month`` first).

    A ``DBSCAN setting`` column gives the setting DBSCAN used that month.
    """
    t = table[table[c.WARD_CODE] == ward_code]
    wanted = [m for m in (methods or ALL_METHODS) if m in set(t["method"])]
    wide = t.pivot_table(index="test_month", columns="method", values=measure, aggfunc="first")
    out = pd.DataFrame({"Month": wide.index.astype(str)})
    setting = t[t["method"] == DBSCAN].set_index("test_month")["setting"]
    out["DBSCAN setting"] = [str(setting.get(m, "")) for m in wide.index]
    for m in wanted:
        out[METHOD_LABELS.get(m, m)] = [
            "n/a" if pd.isna(v) else f"{v:.{digits}f}" for v in wide[m].to_numpy(dtype=float)
        ]
    return out


def markdown_table(df: pd.DataFrame) -> str:
    """A plain Markdown (pipe) table of ``df``'s values, for README and terminal output."""
    head = "| " + " | ".join(map(str, df.columns)) + " |"
    sep = "|" + "|".join("---" for _ in df.columns) + "|"
    body = ["| " + " | ".join(map(str, r)) + " |" for r in df.itertuples(index=False)]
    return "\n".join([head, sep, *body])


# --- plot ---------------------------------------------------------------------------------
def plot_pai_by_method(table: pd.DataFrame, *, current: tuple[float, int] | None = None) -> Figure:
    """PAI and hit rate of each method, study-wide: mean ± std bars and one dot per month.

    Parameters
    ----------
    table
        :attr:`Evaluation.table`.
    current
        ``(eps_m, min_samples)`` of the DBSCAN run, shown in the title.

    Returns
    -------
    matplotlib.figure.Figure
        A new figure (no pyplot state); save with ``fig.savefig(path, dpi=...)``.

    """
    t = table[table[c.WARD_CODE] == ALL_WARDS]
    methods = [m for m in ALL_METHODS if m in set(t["method"])]
    # 8.5 in wide: drawn across a page 700 to 900 px wide, its text stays near its own size
    fig = Figure(figsize=(8.5, 1.9 + 0.45 * len(methods)), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    colours = ["#1f5f8b", "#e07b39", "#5a9e4b", "#8c8c8c", "#b04a8c", "#7a5c2e", "#d9a21b"]
    for ax, measure, label in zip(
        axes, ("pai", "hit_rate"), ("PAI (higher is better)", "Hit rate (%)"), strict=True
    ):
        scale = 100.0 if measure == "hit_rate" else 1.0
        for j, m in enumerate(methods):
            v = t.loc[t["method"] == m, measure].to_numpy(dtype=float) * scale
            v = v[~np.isnan(v)]
            if len(v) == 0:
                continue
            std = float(np.std(v, ddof=1)) if len(v) > 1 else 0.0
            ax.barh(j, v.mean(), xerr=std, color=colours[j % len(colours)], alpha=0.8, capsize=3)
            jitter = np.linspace(-0.15, 0.15, len(v))
            ax.plot(v, j + jitter, "o", color="black", markersize=3)
        ax.set_yticks(range(len(methods)), [METHOD_LABELS[m] for m in methods], fontsize=9)
        ax.set_xlabel(label)
        ax.grid(axis="x", alpha=0.3)
    axes[0].invert_yaxis()
    share = t.loc[t["method"] == DBSCAN, "area_share"].mean() * 100
    run = "" if current is None else f" (eps_m {current[0]:g}, min_samples {current[1]})"
    fig.suptitle(
        f"Next-month hit rate and PAI, every method on DBSCAN's area{run}: "
        f"{share:.2f} % of the wards\n{t['test_month'].nunique()} test months; "
        "bars = mean ± std, dots = single months"
    )
    return fig


# --- files --------------------------------------------------------------------------------
def write_evaluation(
    out_dir: str | Path,
    *,
    evaluation: Evaluation,
    sweep: pd.DataFrame | None = None,
    kdistance: pd.DataFrame | None = None,
    current: tuple[float, int] | None = None,
    dpi: int = 120,
) -> dict[str, Path]:
    """Write the evaluation tables (CSV) and plots (PNG) into ``out_dir`` (created if needed).

    Files: ``evaluation.csv`` (:attr:`Evaluation.table`), ``evaluation_summary.csv``,
    ``stability.csv``, ``pai_by_method.png``; with ``sweep`` (:func:`geo.evaluation.sweep`)
    ``sweep.csv`` and ``sweep.png``; with ``kdistance`` (:func:`geo.evaluation.k_distance_table`)
    ``kdistance.csv`` and ``kdistance.png``. ``current`` = ``(eps_m, min_samples)`` is marked
    on the plots. No incident-level data is written.

    Returns
    -------
    dict
        File key (e.g. ``"sweep_png"``) -> path written.

    """
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValidationError(f"{out}: cannot create output folder ({exc.strerror})") from None
    paths: dict[str, Path] = {}

    def csv(key: str, df: pd.DataFrame) -> None:
        paths[key] = out / f"{key}.csv"
        paths[key].write_text(evaluation_csv(df), encoding="utf-8")

    def png(key: str, fig: Figure) -> None:
        paths[f"{key}_png"] = out / f"{key}.png"
        fig.savefig(paths[f"{key}_png"], dpi=dpi)

    csv("evaluation", evaluation.table)
    csv("evaluation_summary", evaluation.summary)
    csv("stability", evaluation.stability)
    png("pai_by_method", plot_pai_by_method(evaluation.table, current=current))
    if sweep is not None:
        csv("sweep", sweep)
        png("sweep", plot_sweep(sweep, current=current))
    if kdistance is not None:
        csv("kdistance", kdistance)
        png(
            "kdistance",
            plot_k_distance(kdistance, current_eps_m=current[0] if current else None),
        )
    return paths

"""Plots of the DBSCAN parameter aids: sweep heatmaps and weighted k-distance curves."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure


# --- plots ----------------------------------------------------------------------------------
def plot_sweep(table: pd.DataFrame, *, current: tuple[float, int] | None = None) -> Figure:
    """Heatmaps of a :func:`geo.evaluation.sweep` table: PAI, hit rate, hotspots and noise share.

    Rows are ``min_samples``, columns ``eps_m``; each cell shows its value, "!" marks pairs
    with red flags, and a black frame marks ``current`` ``(eps_m, min_samples)``.

    Returns
    -------
    matplotlib.figure.Figure
        A new figure (no pyplot state).

    """
    eps = sorted(set(table["eps_m"].astype(float)))
    mss = sorted(set(table["min_samples"].astype(int)))
    t = table.set_index(["min_samples", "eps_m"])
    panels = [
        ("pai", "PAI next month (higher is better)", "{:.0f}", "viridis", 1.0),
        ("hit_rate", "Hit rate next month (%)", "{:.0f}", "viridis", 100.0),
        ("n_hotspots", "Hotspots (mean per window)", "{:.0f}", "cividis", 1.0),
        ("noise_share", "Noise share (%)", "{:.0f}", "magma_r", 100.0),
    ]
    fig = Figure(figsize=(11, 8.5), layout="constrained")
    axes = fig.subplots(2, 2)
    for ax, (col, title, fmt, cmap, scale) in zip(axes.ravel(), panels, strict=True):
        grid = np.array(
            [[float(t[col].get((m, e), np.nan)) * scale for e in eps] for m in mss], dtype=float
        )
        im = ax.imshow(grid, origin="lower", cmap=cmap, aspect="auto")
        fig.colorbar(im, ax=ax, shrink=0.85)
        for i, m in enumerate(mss):
            for j, e in enumerate(eps):
                v = grid[i, j]
                flag = str(t["red_flags"].get((m, e), "")) != ""
                text = ("n/a" if np.isnan(v) else fmt.format(v)) + (" !" if flag else "")
                ax.text(
                    j,
                    i,
                    text,
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white",
                    bbox={"facecolor": "black", "alpha": 0.35, "pad": 1, "linewidth": 0},
                )
        if current is not None and current[0] in eps and current[1] in mss:
            j, i = eps.index(float(current[0])), mss.index(int(current[1]))
            ax.add_patch(_frame(j, i))
        ax.set_xticks(range(len(eps)), [f"{e:g}" for e in eps])
        ax.set_yticks(range(len(mss)), [str(m) for m in mss])
        ax.set_xlabel("eps_m (metres)")
        ax.set_ylabel("min_samples (weighted)")
        ax.set_title(title, fontsize=10)
    n = int(table["n_folds"].max()) if len(table) else 0
    fig.suptitle(
        f"DBSCAN parameter sweep, mean over {n} rolling windows "
        "(! = red flag; frame = current settings)"
    )
    return fig


def _frame(j: int, i: int) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="black", linewidth=2.5)


def plot_k_distance(table: pd.DataFrame, *, current_eps_m: float | None = None) -> Figure:
    """k-distance curves of a :func:`geo.evaluation.k_distance_table`, one line per k, knees marked.

    The y axis stops a little above the largest knee (the last few isolated points would
    squash the curves); a dashed line marks ``current_eps_m``.

    Returns
    -------
    matplotlib.figure.Figure
        A new figure (no pyplot state).

    """
    fig = Figure(figsize=(8, 5), layout="constrained")
    ax = fig.subplots()
    tops = [] if current_eps_m is None else [current_eps_m]
    for k, part in table.groupby("k", sort=True):
        kd = part["k_distance_m"].to_numpy(dtype=float)
        share = part["share"].to_numpy(dtype=float)
        ok = np.isfinite(kd)
        knee = float(part["suggested_eps_m"].iloc[0])
        label = f"k = {k:g}" + ("" if math.isnan(knee) else f" (knee {knee:.0f} m)")
        (line,) = ax.plot(share[ok], kd[ok], label=label)
        if not math.isnan(knee):
            tops.append(knee)
            x = float(share[ok][np.argmax(kd[ok] >= knee)])
            ax.plot([x], [knee], "o", color=line.get_color(), markersize=7)
    if current_eps_m is not None:
        ax.axhline(
            current_eps_m,
            color="black",
            linestyle="--",
            linewidth=1,
            label=f"current eps_m = {current_eps_m:g} m",
        )
    if tops:
        ax.set_ylim(0, 1.4 * max(tops))
    ax.set_xlabel("share of distinct map points, sorted by k-distance")
    ax.set_ylabel("k-distance (m): radius that holds weight k")
    ax.set_title("Weighted k-distance inside each ward; dots = knee (upper limit for eps_m)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    return fig

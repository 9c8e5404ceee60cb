"""Choosing DBSCAN's eps_m and min_samples: the eps_m x min_samples sweep on later months.

Like the clustering, everything works per ward on distinct map points with ``min_samples``
counting category weights. This module runs and scores the sweep; the weighted k-distance,
its knee, core share and red flags live in :mod:`geo.evaluation.kdistance` and the plots in
:mod:`geo.evaluation.plots`. Every public name of those modules is importable from here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import columns as c
from geo.cluster import cluster_incidents
from geo.errors import ValidationError
from geo.evaluation.folds import choose_folds, inside_hotspots, prepare, union_by_ward
from geo.evaluation.kdistance import (
    core_share,
    k_distance,
    k_distance_points,
    red_flags,
    suggest_eps,
)
from geo.evaluation.measures import hit_rate, pai, rri
from geo.progress import ProgressFn
from geo.settings import Settings

__all__ = [
    "SWEEP_COLUMNS",
    "hotspot_hulls",
    "sweep",
]


#: Columns of :func:`sweep`.
SWEEP_COLUMNS: tuple[str, ...] = (
    "eps_m",
    "min_samples",
    "n_folds",
    "n_hotspots",
    "noise_share",
    "area_share",
    "hit_rate",
    "hit_rate_std",
    "pai",
    "pai_std",
    "rri",
    "core_share",
    "largest_share",
    "knee_eps_m",
    "red_flags",
)


# --- sweep ----------------------------------------------------------------------------------
def sweep(
    raw: pd.DataFrame,
    wards: gpd.GeoDataFrame,
    settings: Settings | None = None,
    *,
    eps_values: Sequence[float],
    min_samples_values: Sequence[int],
    window_months: int = 3,
    max_folds: int | None = None,
    test_months: Sequence[str] | None = None,
    fit_months: Sequence[str] | None = None,
    progress: ProgressFn | None = None,
) -> pd.DataFrame:
    """DBSCAN over a grid of ``eps_m`` × ``min_samples``, each judged on the following months.

    For each pair and each rolling-origin fold (:func:`geo.evaluation.rolling_folds`: fit on
    ``window_months`` months, test on the next), DBSCAN is fitted with ``settings`` (ward
    overrides dropped, so the pair applies in every ward) and its hotspots are scored
    study-wide as in :func:`geo.evaluation.evaluate_methods`; the table gives the mean over
    the folds. PAIs of different pairs are at different area shares (each pair marks its
    own area): compare them together with ``area_share``.

    Parameters
    ----------
    raw, wards
        Raw incident rows and ward boundaries as for :func:`geo.pipeline.run_pipeline`.
    settings
        Weights, hull buffer and filters; default ``Settings()``.
    eps_values, min_samples_values
        The values to try (each validated as a setting).
    window_months
        Months fitted before each test month.
    max_folds
        Use only the latest ``max_folds`` folds (faster, e.g. for an interactive page);
        default all.
    test_months, fit_months
        Explicit folds instead of rolling ones, as in
        :func:`geo.evaluation.evaluate_methods`.
    progress
        Called as ``progress(message, fraction_done)``.

    Returns
    -------
    pandas.DataFrame
        One row per pair, sorted by ``min_samples`` then ``eps_m``, columns
        :data:`SWEEP_COLUMNS`: ``eps_m`` (float, m), ``min_samples`` (int), ``n_folds``
        (int); means over the folds of ``n_hotspots`` (float), ``noise_share`` (float,
        share of fit-window incidents in no hotspot), ``area_share`` (float, hotspot area /
        ward area), ``hit_rate`` (float, share of the test month's incidents inside),
        ``pai`` (float; NaN when no fold had hotspots), ``rri`` (float), ``core_share``
        (float, share of fit-window incidents on core map points), ``largest_share``
        (float, largest share of a ward's fit incidents in one hotspot); ``hit_rate_std``,
        ``pai_std`` (float, sample standard deviation over the folds); ``knee_eps_m``
        (float, :func:`suggest_eps` of the latest fit window for this ``min_samples``);
        ``red_flags`` (str, :func:`red_flags` of the means, with ``1 - noise_share`` as the
        share of incidents in hotspots and ``area_share``, joined with "; ", "" when none:
        the very flags the Analyst page shows for the run on its map).

    """
    base = (settings or Settings()).replace(ward_overrides={})
    eps_list = [float(e) for e in eps_values]
    ms_list = list(min_samples_values)
    if not eps_list or not ms_list:
        raise ValidationError("sweep needs at least one eps_m and one min_samples value")
    problems = []
    for e in eps_list:
        for m in ms_list:
            try:
                base.replace(eps_m=e, min_samples=m)
            except ValidationError as exc:
                problems += [p for p in exc.problems if p not in problems]
    if problems:
        raise ValidationError(problems)
    if max_folds is not None and (isinstance(max_folds, bool) or int(max_folds) < 1):
        raise ValidationError(f"The 'max_folds' option must be >= 1. Got {max_folds!r}.")
    report = progress or (lambda _m, _f: None)
    report("Checking incidents", 0.0)
    incidents, metric_wards = prepare(raw, wards, base)
    incidents = incidents[[c.WARD_CODE, c.WARD_NAME, c.MONTH, c.CATEGORY, c.WEIGHT, "geometry"]]
    folds = choose_folds(
        incidents[c.MONTH].astype(str).to_numpy(),
        window_months=window_months,
        test_months=test_months,
        fit_months=fit_months,
    )
    if max_folds is not None:
        folds = folds[-int(max_folds) :]
    study = float(metric_wards.geometry.area.sum())
    months = incidents[c.MONTH].astype(str).to_numpy()
    records: list[dict[str, Any]] = []
    steps, done = len(folds) * len(ms_list) * len(eps_list), 0
    for fold in folds:
        fit = incidents.loc[np.isin(months, fold.fit_months)]
        test = incidents.loc[months == fold.test_month]
        fit_per_ward = fit[c.WARD_CODE].value_counts()
        for ms in ms_list:
            kd = k_distance_points(fit, k=ms)
            for eps in eps_list:
                report(f"eps_m {eps:g}, min_samples {ms} ({fold.test_month})", done / steps)
                s = base.replace(eps_m=eps, min_samples=ms)
                records.append(_score_pair(fit, test, fit_per_ward, metric_wards, s, kd, study))
                done += 1
    report("Summarising", 1.0)
    per_fold = pd.DataFrame(records)
    keys = ["eps_m", "min_samples"]
    g = per_fold.groupby(keys, sort=True)
    out = g.mean(numeric_only=True)
    out["n_folds"] = g.size()
    out["hit_rate_std"] = g["hit_rate"].std()
    out["pai_std"] = g["pai"].std()
    out = out.reset_index()
    last_fit = incidents.loc[np.isin(months, folds[-1].fit_months)]
    knees = {ms: suggest_eps(k_distance(last_fit, k=ms)) for ms in ms_list}
    out["knee_eps_m"] = out["min_samples"].map(knees).astype(float)
    out["red_flags"] = [
        "; ".join(
            red_flags(
                n_hotspots=n,
                core_share=cs,
                largest_share=ls,
                clustered_share=None if math.isnan(noise) else 1.0 - noise,
                area_share=None if math.isnan(area) else area,
            )
        )
        for n, cs, ls, noise, area in zip(
            out["n_hotspots"],
            out["core_share"],
            out["largest_share"],
            out["noise_share"].astype(float),
            out["area_share"].astype(float),
            strict=True,
        )
    ]
    out["min_samples"] = out["min_samples"].astype("int64")
    out["n_folds"] = out["n_folds"].astype("int64")
    out = out.sort_values(["min_samples", "eps_m"], kind="stable").reset_index(drop=True)
    return out[list(SWEEP_COLUMNS)]


def _score_pair(
    fit: gpd.GeoDataFrame,
    test: gpd.GeoDataFrame,
    fit_per_ward: pd.Series,
    wards: gpd.GeoDataFrame,
    s: Settings,
    kd: tuple[np.ndarray, np.ndarray],
    study_m2: float,
) -> dict[str, Any]:
    clustered = cluster_incidents(fit, s)
    hulls = hotspot_hulls(clustered, wards, hull_buffer_m=s.hull_buffer_m)
    unions = union_by_ward(hulls)
    area = float(shapely.area(unions.to_numpy()).sum())
    n_test, n_fit = len(test), len(fit)
    hits = int(inside_hotspots(test, unions).sum())
    fit_hits = int(inside_hotspots(fit, unions).sum())
    largest = 0.0
    if len(hulls):
        per_ward = hulls.groupby(c.WARD_CODE)[c.N_INCIDENTS].max()
        largest = float((per_ward / fit_per_ward.reindex(per_ward.index)).max())
    return {
        "eps_m": s.eps_m,
        "min_samples": s.min_samples,
        "n_hotspots": float(len(hulls)),
        "noise_share": 1.0 - float(hulls[c.N_INCIDENTS].sum()) / n_fit if n_fit else math.nan,
        "area_share": area / study_m2,
        "hit_rate": hit_rate(hits, n_test),
        "pai": pai(hits, n_test, min(area, study_m2), study_m2),
        "rri": rri(fit_hits, n_fit, hits, n_test),
        "core_share": core_share(kd[0], s.eps_m, counts=kd[1]),
        "largest_share": largest,
    }


def hotspot_hulls(
    clustered: gpd.GeoDataFrame, wards: gpd.GeoDataFrame, *, hull_buffer_m: float
) -> gpd.GeoDataFrame:
    """Hotspot polygons of clustered incidents, without the rest of the hotspot summary.

    The polygon rule of :func:`geo.hotspots.summarise_hotspots` (convex hull of a cluster's
    distinct points, buffered by ``hull_buffer_m``, clipped to its ward; the tests check
    both give the same polygons), at a fraction of the cost, for sweeps.

    Parameters
    ----------
    clustered
        Point ``geometry`` (metric CRS), ``ward_code``, ``cluster`` (-1 noise).
    wards
        ``ward_code``, ``geometry`` in the same CRS.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per cluster, sorted by ward then label: ``ward_code`` (str), ``cluster``
        (int), ``n_incidents`` (int), ``geometry`` (Polygon).

    """
    labels = clustered[c.CLUSTER].to_numpy()
    members = clustered.loc[labels >= 0]
    df = pd.DataFrame(
        {
            c.WARD_CODE: members[c.WARD_CODE].astype(str).to_numpy(dtype=object),
            c.CLUSTER: members[c.CLUSTER].to_numpy(dtype=np.int64),
            "px": members.geometry.x.to_numpy(),
            "py": members.geometry.y.to_numpy(),
        }
    )
    key = [c.WARD_CODE, c.CLUSTER]
    if df.empty:
        empty = pd.DataFrame(
            {c.WARD_CODE: pd.Series(dtype=object), c.CLUSTER: pd.Series(dtype="int64")}
        )
        empty[c.N_INCIDENTS] = pd.Series(dtype="int64")
        return gpd.GeoDataFrame(empty, geometry=gpd.GeoSeries([], crs=clustered.crs))
    counts = df.groupby(key, sort=True).size()
    pts = df.drop_duplicates(subset=[*key, "px", "py"]).sort_values(key, kind="stable")
    group_no = pts.groupby(key, sort=True).ngroup().to_numpy()
    hulls = shapely.multipoints(np.column_stack([pts["px"], pts["py"]]), indices=group_no)
    polys = shapely.buffer(shapely.convex_hull(hulls), hull_buffer_m, quad_segs=8)
    ward_geom = wards.set_index(c.WARD_CODE).geometry
    codes = counts.index.get_level_values(c.WARD_CODE)
    polys = shapely.intersection(polys, ward_geom.reindex(codes).to_numpy())
    out = counts.rename(c.N_INCIDENTS).astype("int64").reset_index()
    return gpd.GeoDataFrame(out, geometry=polys, crs=clustered.crs)

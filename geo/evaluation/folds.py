"""Rolling-origin folds and what each is scored on: incidents, DBSCAN hotspots, their areas."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import columns as c
from geo.cluster import cluster_incidents
from geo.errors import ValidationError
from geo.hotspots import summarise_hotspots
from geo.pipeline import run_pipeline
from geo.result import PipelineResult
from geo.settings import Settings

#: Hotspot shapes: buffered convex hull of the members (the pipeline's) or union of discs.
SHAPES: tuple[str, ...] = ("hull", "discs")


# --- folds --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Fold:
    """One rolling-origin step: fit on ``fit_months``, test on ``test_month`` (``YYYY-MM``)."""

    fit_months: tuple[str, ...]
    test_month: str

    @property
    def label(self) -> str:
        """The fit window as ``first..last``."""
        return f"{self.fit_months[0]}..{self.fit_months[-1]}"


def rolling_folds(months: Iterable[str], *, window_months: int = 3) -> list[Fold]:
    """Rolling-origin folds: each month with incidents, fitted on the calendar months before it.

    Each fold fits on the ``window_months`` calendar months before its test month and tests
    on that month, for every month **with incidents** that has a full window of calendar
    months (from the first month given) before it: 9 monthly files and a window of 3 give 6
    folds. A month with no incidents is never a test month (nothing to forecast: it would
    count as a fold with no hits); inside a fit window it still counts as a month, so a year
    of 12 months fitted on files that hold one month a year has mostly empty windows (see
    :func:`fold_warnings`).

    Raises
    ------
    ValidationError
        When ``window_months`` is not a whole number >= 1, or the data spans too few months.

    """
    _check_window(window_months)
    ms = sorted(set(map(str, months)))
    if not ms:
        raise ValidationError("rolling-origin evaluation needs incidents; none were left to use")
    cal = [str(p) for p in pd.period_range(ms[0], ms[-1], freq="M")]
    if len(cal) <= window_months:
        raise ValidationError(
            f"rolling-origin evaluation with window_months={window_months} needs at least "
            f"{window_months + 1} months of data; the data spans {len(cal)} ({ms[0]}..{ms[-1]})"
        )
    have = set(ms)  # the last month has incidents and a full window: never an empty list
    folds = [
        Fold(tuple(cal[i - window_months : i]), cal[i])
        for i in range(window_months, len(cal))
        if cal[i] in have
    ]
    return folds


def explicit_folds(
    test_months: Sequence[str],
    *,
    fit_months: Sequence[str] | None = None,
    months: Iterable[str] = (),
    window_months: int = 3,
) -> list[Fold]:
    """Folds from explicit lists, e.g. year-on-year checks on files that hold June of each year.

    Each test month is fitted on the latest ``window_months`` months of ``fit_months`` that
    come before it (default: the months of the data, ``months``), so ``fit_months``
    2016-06,2017-06 with ``test_months`` 2017-06,2018-06 and ``window_months`` 1 give the
    folds 2016-06 -> 2017-06 and 2017-06 -> 2018-06.

    Raises
    ------
    ValidationError
        For a month not written ``YYYY-MM``, a test month with no incidents (when ``months``
        are given), or a test month with no fit month before it.

    """
    _check_window(window_months)
    have = sorted(set(map(str, months)))
    problems = []
    for label, values in (("test_months", test_months), ("fit_months", fit_months or ())):
        for m in values:
            if not _is_month(m):
                problems.append(f"The '{label}' option: {m!r} is not a month YYYY-MM.")
    if not test_months:
        problems.append("The 'test_months' option needs at least one month.")
    if problems:
        raise ValidationError(problems)
    pool = sorted(set(fit_months)) if fit_months else have
    folds = []
    for t in sorted(set(test_months)):
        if have and t not in have:
            problems.append(f"test month {t} has no incidents in the data ({_span(have)})")
            continue
        before = [m for m in pool if m < t][-window_months:]
        if not before:
            problems.append(f"test month {t} has no fit month before it")
            continue
        folds.append(Fold(tuple(before), t))
    if problems:
        raise ValidationError(problems)
    return folds


def choose_folds(
    months: Sequence[str] | np.ndarray,
    *,
    window_months: int,
    test_months: Sequence[str] | None = None,
    fit_months: Sequence[str] | None = None,
) -> list[Fold]:
    """Rolling folds over ``months``, or explicit ones when ``test_months`` are given."""
    if test_months:
        return explicit_folds(
            test_months, fit_months=fit_months, months=months, window_months=window_months
        )
    if fit_months:
        raise ValidationError("The 'fit_months' option needs 'test_months' too.")
    return rolling_folds(months, window_months=window_months)


def fold_warnings(folds: Sequence[Fold], months: Iterable[str]) -> list[str]:
    """Plain-English warnings about folds whose fit window or last fit month has no incidents.

    An empty fit window gives no hotspots at all; an empty last month leaves "last month's
    busiest cells" with nothing to mark. Neither is replaced by other months.
    """
    have = set(map(str, months))
    out = []
    for f in folds:
        if not have.intersection(f.fit_months):
            out.append(
                f"Fit window {f.label} (for {f.test_month}) has no incidents: no method can mark "
                "anything for that month."
            )
        elif f.fit_months[-1] not in have:
            out.append(
                f"The last month of fit window {f.label} (for {f.test_month}) has no incidents: "
                "last month's busiest cells mark nothing for that month."
            )
    return out


def _check_window(window_months: object) -> None:
    if isinstance(window_months, bool) or not isinstance(window_months, int) or window_months < 1:
        raise ValidationError(
            f"The 'window_months' option must be a whole number >= 1. Got {window_months!r}."
        )


def _is_month(text: object) -> bool:
    try:
        return isinstance(text, str) and len(text) == 7 and str(pd.Period(text, freq="M")) == text
    except ValueError:
        return False


def _span(months: Sequence[str]) -> str:
    return f"{months[0]}..{months[-1]}" if months else "no months"


# --- DBSCAN hotspots ----------------------------------------------------------------------
def prepare(
    raw: pd.DataFrame, wards: gpd.GeoDataFrame, settings: Settings
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Validated, projected, ward-assigned incidents of every month, and the metric wards.

    Runs :func:`geo.pipeline.run_pipeline` once (its ``since``/``until``/``include`` filters
    apply) and drops its clustering columns. Returns ``(incidents, wards)``: incidents as in
    :attr:`geo.pipeline.PipelineResult.incidents` without ``cluster``/``hotspot_id`` (and
    ``ward_code``, ``ward_name``, ``month``, ``category`` as object dtype); wards
    ``ward_code``, ``ward_name``, ``geometry`` in the metric CRS.
    """
    result: PipelineResult = run_pipeline(raw, wards, settings)
    inc = result.incidents.drop(columns=[c.CLUSTER, c.HOTSPOT_ID])
    for col in (c.WARD_CODE, c.WARD_NAME, c.MONTH, c.CATEGORY):
        inc[col] = inc[col].astype(object)  # plain objects: grouping them is much faster
    return gpd.GeoDataFrame(inc, geometry="geometry", crs=result.crs), result.wards


def fit_dbscan(
    incidents: gpd.GeoDataFrame,
    wards: gpd.GeoDataFrame,
    settings: Settings,
    *,
    shape: str = "hull",
) -> gpd.GeoDataFrame:
    """DBSCAN hotspots of ``incidents``: the pipeline's cluster and hotspot stages.

    With ``shape="hull"`` the same hotspots as :func:`geo.pipeline.run_pipeline` with
    ``since``/``until`` set to the months of ``incidents`` (checked in the tests), without
    validating again. With ``shape="discs"`` each hotspot's polygon is the union of its member
    map points' discs of ``settings.hull_buffer_m`` instead
    (:func:`geo.evaluation.points.disc_hotspots`). Columns as
    :func:`geo.hotspots.summarise_hotspots`.
    """
    if shape not in SHAPES:
        raise ValidationError(f"The 'shape' option must be one of {SHAPES}. Got {shape!r}.")
    clustered = cluster_incidents(incidents, settings)
    hotspots = summarise_hotspots(clustered, wards, settings)
    if shape == "discs":
        from geo.evaluation.points import disc_hotspots

        hotspots = disc_hotspots(hotspots, clustered, wards, radius_m=settings.hull_buffer_m)
    return hotspots


def hotspot_area_by_ward(hotspots: gpd.GeoDataFrame) -> pd.Series:
    """Area in m² of the union of each ward's hotspot polygons (overlaps counted once).

    Returns a float Series indexed by ``ward_code`` (wards without hotspots are absent).
    """
    unions = union_by_ward(hotspots)
    return pd.Series(shapely.area(unions.to_numpy()), index=unions.index, dtype=float)


def inside_hotspots(points: gpd.GeoDataFrame, hotspots: gpd.GeoDataFrame | pd.Series) -> np.ndarray:
    """For each point, whether a hotspot polygon of its own ward covers it (edges count).

    ``points`` carry ``ward_code``; ``hotspots`` is a hotspot GeoDataFrame (``ward_code``,
    polygons) or its :func:`union_by_ward`, in the same metric CRS.
    """
    unions = union_by_ward(hotspots) if isinstance(hotspots, gpd.GeoDataFrame) else hotspots
    out = np.zeros(len(points), dtype=bool)
    if len(points) == 0 or len(unions) == 0:
        return out
    where = pd.Index(unions.index).get_indexer(points[c.WARD_CODE].astype(str).to_numpy())
    has = where >= 0
    geoms = unions.to_numpy(dtype=object)[where[has]]
    out[has] = shapely.covers(geoms, points.geometry.to_numpy()[has])
    return out


def union_by_ward(hotspots: gpd.GeoDataFrame) -> pd.Series:
    """Union of each ward's hotspot polygons: a Series of geometries indexed by ``ward_code``."""
    if hotspots.empty:
        return pd.Series([], index=pd.Index([], dtype=object), dtype=object)
    codes = hotspots[c.WARD_CODE].astype(str).to_numpy()
    geoms = hotspots.geometry.to_numpy()
    out = {code: shapely.union_all(geoms[codes == code]) for code in sorted(set(codes))}
    return pd.Series(out, dtype=object)

"""Rolling-origin folds and what each is scored on: incidents, DBSCAN hotspots, their areas."""

from __future__ import annotations

from collections.abc import Iterable
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
    """Rolling-origin folds over the calendar months from the first to the last month given.

    Each fold fits on ``window_months`` consecutive months and tests on the month after them,
    for every month that has a full window before it (9 months, window 3: 6 folds). Months
    with no incidents inside the range still count as months.

    Raises
    ------
    ValidationError
        When ``window_months`` is not a whole number >= 1, or the data spans too few months.

    """
    if isinstance(window_months, bool) or not isinstance(window_months, int) or window_months < 1:
        raise ValidationError(
            f"The 'window_months' option must be a whole number >= 1. Got {window_months!r}."
        )
    ms = sorted(set(map(str, months)))
    if not ms:
        raise ValidationError("rolling-origin evaluation needs incidents; none were left to use")
    cal = [str(p) for p in pd.period_range(ms[0], ms[-1], freq="M")]
    if len(cal) <= window_months:
        raise ValidationError(
            f"rolling-origin evaluation with window_months={window_months} needs at least "
            f"{window_months + 1} months of data; the data spans {len(cal)} ({ms[0]}..{ms[-1]})"
        )
    return [Fold(tuple(cal[i - window_months : i]), cal[i]) for i in range(window_months, len(cal))]


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
    incidents: gpd.GeoDataFrame, wards: gpd.GeoDataFrame, settings: Settings
) -> gpd.GeoDataFrame:
    """DBSCAN hotspots of ``incidents``: the pipeline's cluster and hotspot stages.

    The same hotspots as :func:`geo.pipeline.run_pipeline` with ``since``/``until`` set to
    the months of ``incidents`` (checked in the tests), without validating again. Columns as
    :func:`geo.hotspots.summarise_hotspots`.
    """
    return summarise_hotspots(cluster_incidents(incidents, settings), wards, settings)


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

"""Stage 6: one row per hotspot with stable ID, counts, trend and an area polygon, ranked."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.stats import binom, binomtest

from geo import columns as c
from geo._arrays import column_values
from geo.errors import ValidationError
from geo.project import WGS84, distinct_points, point_xy
from geo.settings import Settings

#: Hotspot summary columns before the per-category ``n_<category>`` columns.
HOTSPOT_COLUMNS: tuple[str, ...] = (
    c.HOTSPOT_ID,
    c.RANK,
    c.WARD_CODE,
    c.WARD_NAME,
    c.KIND,
    c.N_INCIDENTS,
    c.SCORE,
    c.N_LOCATIONS,
    c.CATEGORIES,
    c.TOP_CATEGORY,
    c.FIRST_MONTH,
    c.LAST_MONTH,
    c.RECENT_COUNT,
    c.PREVIOUS_COUNT,
    c.TREND,
    c.CENTROID_X,
    c.CENTROID_Y,
    c.CENTROID_LON,
    c.CENTROID_LAT,
    c.AREA_M2,
    c.CLUSTER,
)


#: Two-sided significance level of the trend test: ``rising``/``falling``/``new`` are called
#: only when the test's p-value is below it.
TREND_ALPHA = 0.05
#: Fewest incidents in the recent period for ``new`` (nothing before): a handful of
#: incidents at a new place is not yet evidence of a new hotspot. With equal periods the
#: test itself needs 6 (two-sided p = 2 * 0.5**6 = 0.031); the floor matters when the
#: recent period is shorter than the earlier one.
TREND_NEW_MIN = 5
#: Every label :func:`trend_label` gives, plus ``n/a`` (too few months for a trend).
TREND_LABELS: tuple[str, ...] = ("rising", "falling", "new", "no clear change", "n/a")


def trend_periods(months: pd.Series | list[str], trend_months: int) -> tuple[list[str], list[str]]:
    """The latest ``trend_months`` calendar months of the data and the same span before them.

    Both periods have the same length, so :func:`trend_label` with its default equal
    lengths applies. Returns ``([], [])`` when the data spans fewer than
    ``2 * trend_months`` months (the trend is then ``n/a``).
    """
    distinct = months.unique() if isinstance(months, pd.Series) else months
    ms = sorted(set(map(str, distinct)))
    if not ms:
        return [], []
    first, last = pd.Period(ms[0], "M"), pd.Period(ms[-1], "M")
    if (last - first).n + 1 < 2 * trend_months:
        return [], []
    recent = [str(last - i) for i in range(trend_months)][::-1]
    previous = [str(last - trend_months - i) for i in range(trend_months)][::-1]
    return recent, previous


def trend_p_value(
    recent: int, previous: int, *, recent_months: int = 1, previous_months: int = 1
) -> float:
    """Two-sided p-value of "no change" for two counts (the conditional binomial test).

    Under no change in the monthly rate, given ``n = recent + previous`` the recent count
    is Binomial(n, p) with ``p = recent_months / (recent_months + previous_months)``
    (``p = 0.5`` for equal periods); :func:`scipy.stats.binomtest` gives the p-value. 1.0
    when both counts are zero.

    Raises
    ------
    ValidationError
        A negative or non-whole count, or a period length below 1.

    """
    for name, v, low in (
        ("recent", recent, 0),
        ("previous", previous, 0),
        ("recent_months", recent_months, 1),
        ("previous_months", previous_months, 1),
    ):
        if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < low:
            raise ValidationError(f"trend: {name} must be a whole number >= {low}. Got {v!r}.")
    n = int(recent) + int(previous)
    if n == 0:
        return 1.0
    p = recent_months / (recent_months + previous_months)
    return float(binomtest(int(recent), n, p, alternative="two-sided").pvalue)


def trend_label(
    recent: int, previous: int, *, recent_months: int = 1, previous_months: int = 1
) -> str:
    """Say whether a count went up or down by more than chance would explain.

    The test is :func:`trend_p_value` (equal periods unless the lengths are given) at the
    level :data:`TREND_ALPHA`:

    - ``new``: nothing in the earlier period, at least :data:`TREND_NEW_MIN` in the recent
      one, and a p-value below :data:`TREND_ALPHA`;
    - ``rising`` / ``falling``: the monthly rate went up / down and the p-value is below
      :data:`TREND_ALPHA`;
    - ``no clear change``: anything else (the difference could be chance: 3 -> 5, 0 -> 1).

    ``n/a`` (too few months for two periods) is set by the caller, see :func:`trend_periods`.
    Swapping the two counts (and their lengths) swaps ``rising`` and ``falling``.
    """
    pv = trend_p_value(
        recent, previous, recent_months=recent_months, previous_months=previous_months
    )
    if pv >= TREND_ALPHA:
        return "no clear change"
    if previous == 0:
        return "new" if recent >= TREND_NEW_MIN else "no clear change"
    if recent * previous_months > previous * recent_months:
        return "rising"
    return "falling"


def summarise_hotspots(
    clustered: gpd.GeoDataFrame,
    wards: gpd.GeoDataFrame,
    settings: Settings,
    *,
    period: tuple[str, str] | None = None,
) -> gpd.GeoDataFrame:
    """Summarise clusters into hotspots with stable IDs, ranked by weighted score.

    ID rule: inside each ward, hotspots are ordered by score (high first), then incident
    count (high first), then centroid x, then centroid y, and numbered ``<ward_code>-01``,
    ``-02``, ...; the same input therefore always gives the same IDs. ``rank`` orders all
    hotspots in the study area by score, then count, then ID.

    Parameters
    ----------
    clustered
        Incidents with Point ``geometry`` (metric CRS), ``ward_code``, ``ward_name``,
        ``cluster`` (-1 = noise), ``weight``, ``category``, ``month``.
    wards
        ``ward_code``, ``ward_name``, ``geometry`` in the same CRS; polygons are clipped
        to their ward.
    settings
        ``hull_buffer_m``, ``trend_months`` and category labels.
    period
        ``(first, last)`` month (``YYYY-MM``) the trend periods are counted back from and
        within (:func:`trend_periods`); ``None`` (default): the first and last month of
        ``clustered``. A run in parts passes the whole run's, so every part has the same
        periods.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`HOTSPOT_COLUMNS` then ``n_<category>`` (int) for each category in
        the data; ``geometry`` is the buffered convex hull of the members (Polygon, metric
        CRS), ``area_m2`` its area. ``kind`` is ``"single location"`` when every incident
        shares one map point (a busy snap point, not an area), else ``"area"``. Sorted by
        ``rank``. ``cluster`` is the DBSCAN label inside the ward (links members to their
        hotspot). Empty (with these columns and the CRS) when there are no clusters.

    """
    in_cluster = clustered[c.CLUSTER].to_numpy() >= 0
    seen = set(clustered[c.CATEGORY].unique())
    cats_present = [k for k in settings.categories if k in seen]
    count_cols = [c.COUNT_PREFIX + k for k in cats_present]
    if not in_cluster.any():
        empty = pd.DataFrame({col: pd.Series(dtype=object) for col in HOTSPOT_COLUMNS})
        for col in count_cols:
            empty[col] = pd.Series(dtype="int64")
        return gpd.GeoDataFrame(empty, geometry=gpd.GeoSeries([], crs=clustered.crs))

    df = _members(clustered, in_cluster)
    g = df.groupby(_KEY, sort=True)
    summary = g.agg(
        n_incidents=(c.WEIGHT, "size"),
        score=(c.WEIGHT, "sum"),
        first_month=(c.MONTH, "min"),
        last_month=(c.MONTH, "max"),
    )
    # hotspot number of each member (summary row order), for integer-keyed counting
    df["hotspot"] = g.ngroup().to_numpy()
    # centroids as sums in member order over counts: each hotspot's figure depends on its
    # own members only (a grouped mean's last bits can depend on the other groups, so a
    # run in parts would differ from a whole run in the tenth decimal)
    hotspot = df["hotspot"].to_numpy()
    size = summary["n_incidents"].to_numpy(dtype=float)
    for col in ("px", "py"):
        total = np.bincount(hotspot, weights=df[col].to_numpy(), minlength=len(summary))
        summary["centroid_" + col[1]] = total / size
    pts = _distinct_points(df)
    summary[c.N_LOCATIONS] = np.bincount(pts["hotspot"], minlength=len(summary))
    _add_category_counts(summary, df, cats_present, settings)
    months = clustered[c.MONTH] if period is None else pd.Series(list(period), dtype=object)
    _add_trend(summary, df, months, settings.trend_months)
    polys = _hull_polygons(pts, summary.index, wards, settings.hull_buffer_m)

    summary = summary.reset_index()
    names = wards.set_index(c.WARD_CODE)[c.WARD_NAME]
    summary[c.WARD_NAME] = summary[c.WARD_CODE].map(names).to_numpy(dtype=object)
    summary[c.KIND] = np.where(summary[c.N_LOCATIONS] == 1, "single location", "area")
    out = gpd.GeoDataFrame(summary, geometry=polys, crs=clustered.crs)
    out[c.AREA_M2] = out.geometry.area
    lonlat = gpd.GeoSeries(
        gpd.points_from_xy(out[c.CENTROID_X], out[c.CENTROID_Y]), crs=clustered.crs
    ).to_crs(WGS84)
    out[c.CENTROID_LON] = lonlat.x.to_numpy()
    out[c.CENTROID_LAT] = lonlat.y.to_numpy()
    out = _number_and_rank(out)
    return gpd.GeoDataFrame(
        out[[*HOTSPOT_COLUMNS, *count_cols, "geometry"]], geometry="geometry", crs=clustered.crs
    )


#: A hotspot is one DBSCAN cluster inside one ward.
_KEY = [c.WARD_CODE, c.CLUSTER]


def _members(clustered: gpd.GeoDataFrame, in_cluster: np.ndarray) -> pd.DataFrame:
    """The incidents in a cluster: ward, cluster, point ``px``/``py``, weight, category, month.

    Only the rows in a cluster and the columns needed (not a copy of every column). Text
    columns stay in the frame's text dtype (no Python string per row).
    """
    members = clustered.loc[in_cluster, [c.WARD_CODE, c.CLUSTER, c.WEIGHT, c.CATEGORY, c.MONTH]]
    member_xy = point_xy(clustered)[in_cluster]
    return pd.DataFrame(
        {
            c.WARD_CODE: column_values(members[c.WARD_CODE]),
            c.CLUSTER: members[c.CLUSTER].to_numpy(),
            "px": member_xy[:, 0],
            "py": member_xy[:, 1],
            c.WEIGHT: members[c.WEIGHT].to_numpy(dtype=float),
            c.CATEGORY: column_values(members[c.CATEGORY]),
            c.MONTH: column_values(members[c.MONTH].astype(str)),
        }
    )


def _distinct_points(df: pd.DataFrame) -> pd.DataFrame:
    """Each hotspot's distinct points (first occurrence kept), ordered by ``hotspot`` (stable).

    ``df.drop_duplicates(subset=["hotspot", "px", "py"]).sort_values("hotspot",
    kind="stable")``, numbered by :func:`geo.project.distinct_points` rather than compared
    on three columns.
    """
    _, first = distinct_points(
        df["hotspot"].to_numpy(), df["px"].to_numpy(dtype=float), df["py"].to_numpy(dtype=float)
    )
    return df.iloc[first].sort_values("hotspot", kind="stable")


def _add_category_counts(
    summary: pd.DataFrame, df: pd.DataFrame, cats_present: list[str], settings: Settings
) -> None:
    """Add ``n_<category>``, ``categories`` and ``top_category`` to ``summary`` in place.

    The ``categories`` text is written once per distinct row of counts (many small
    hotspots share one, e.g. five drugs incidents).
    """
    cat_codes, cat_values = pd.factorize(df[c.CATEGORY], use_na_sentinel=False)
    column_of = np.array([cats_present.index(k) if k in cats_present else -1 for k in cat_values])
    cat_col = column_of[cat_codes]
    known = cat_col >= 0
    n_cats = len(cats_present)
    flat = df["hotspot"].to_numpy()[known] * n_cats + cat_col[known]
    counts = np.bincount(flat, minlength=len(summary) * n_cats).reshape(len(summary), n_cats)
    for j, k in enumerate(cats_present):
        summary[c.COUNT_PREFIX + k] = counts[:, j].astype("int64")
    distinct, which = np.unique(counts, axis=0, return_inverse=True)
    texts = np.array(
        [_category_text(row, cats_present, settings) for row in distinct], dtype=object
    )
    summary[c.CATEGORIES] = texts[which.reshape(-1)]
    summary[c.TOP_CATEGORY] = np.array(cats_present, dtype=object)[np.argmax(counts, axis=1)]


def _add_trend(
    summary: pd.DataFrame, df: pd.DataFrame, months: pd.Series, trend_months: int
) -> None:
    """Add ``recent_count``, ``previous_count`` and ``trend`` to ``summary`` in place.

    The periods come from the months of all incidents (``months``), not only the members.
    :func:`trend_label` runs once per distinct pair of counts (a national year has about
    100,000 hotspots but a few thousand distinct pairs).
    """
    recent, previous = trend_periods(months, trend_months)
    if recent:
        hotspot = df["hotspot"].to_numpy()
        month = df[c.MONTH]
        n = len(summary)
        rc = np.bincount(hotspot[month.isin(recent).to_numpy()], minlength=n).astype("int64")
        pc = np.bincount(hotspot[month.isin(previous).to_numpy()], minlength=n).astype("int64")
        summary[c.RECENT_COUNT] = rc
        summary[c.PREVIOUS_COUNT] = pc
        pairs, which = np.unique(np.column_stack([rc, pc]), axis=0, return_inverse=True)
        labels = _trend_labels(pairs[:, 0], pairs[:, 1])
        summary[c.TREND] = labels[which.reshape(-1)]
    else:
        summary[c.RECENT_COUNT] = 0
        summary[c.PREVIOUS_COUNT] = 0
        summary[c.TREND] = "n/a"


#: Distance from :data:`TREND_ALPHA` within which :func:`_trend_labels` leaves the call to
#: :func:`trend_label` itself (far wider than the rounding of either computation).
_TREND_MARGIN = 1e-6


def _trend_labels(recent: np.ndarray, previous: np.ndarray) -> np.ndarray:
    """``[trend_label(r, p) for r, p in zip(recent, previous)]`` (equal periods), vectorised.

    With equal periods the two-sided binomial test's p-value is ``min(1, 2 * P(X <=
    min(r, p)))`` for ``X ~ Binomial(r + p, 1/2)`` (the distribution is symmetric), and
    1 when ``r == p``. That decides every pair whose p-value is not within
    :data:`_TREND_MARGIN` of :data:`TREND_ALPHA`; those few go to :func:`trend_label`.
    """
    r, p = recent.astype(np.int64), previous.astype(np.int64)
    n = r + p
    with np.errstate(all="ignore"):
        pv = np.minimum(1.0, 2.0 * binom.cdf(np.minimum(r, p), n, 0.5))
    pv = np.where(r == p, 1.0, pv)
    out = np.full(len(r), "no clear change", dtype=object)
    changed = pv < TREND_ALPHA
    out[changed & (p == 0) & (r >= TREND_NEW_MIN)] = "new"
    out[changed & (p > 0) & (r > p)] = "rising"
    out[changed & (p > 0) & (r < p)] = "falling"
    for i in np.flatnonzero(~(np.abs(pv - TREND_ALPHA) > _TREND_MARGIN)):
        out[i] = trend_label(int(r[i]), int(p[i]))
    return out


def _hull_polygons(
    pts: pd.DataFrame, index: pd.Index, wards: gpd.GeoDataFrame, buffer_m: float
) -> np.ndarray:
    """Hull of each cluster's distinct points (``pts``), buffered, clipped to its ward.

    ``index`` is the ``(ward_code, cluster)`` index of the summary, in hotspot order. Most
    buffered hulls lie well inside their ward: those skip the overlay (see
    :func:`_clip_to_wards`).
    """
    group_no = pts["hotspot"].to_numpy()
    hulls = shapely.multipoints(np.column_stack([pts["px"], pts["py"]]), indices=group_no)
    polys = shapely.buffer(shapely.convex_hull(hulls), buffer_m, quad_segs=8)
    ward_geom = wards.set_index(c.WARD_CODE).geometry
    which, codes = pd.factorize(index.get_level_values(c.WARD_CODE))
    return _clip_to_wards(polys, which, ward_geom.reindex(codes).to_numpy())


def _clip_to_wards(polys: np.ndarray, which: np.ndarray, distinct: np.ndarray) -> np.ndarray:
    """``shapely.intersection(polys, distinct[which])``, skipping the overlay where it is a no-op.

    A polygon (no holes) that lies strictly inside its clip comes back from GEOS's overlay
    as the same ring starting one vertex later; those are built directly, which is what
    makes a national run's hotspot stage fast. The rule is checked against the overlay on
    the first such polygon of every call, so a GEOS that behaves otherwise gets the overlay
    for every polygon (the same result either way).

    ``distinct`` holds each clip polygon once; ``which`` is each polygon's position in it.
    The containment test runs on the polygons as they are, never prepared: preparing one
    changes the object itself, and the wards are shared (cached, read by other threads at
    the same time: a thread that released them while another used them crashed the
    process). Unprepared is also the faster here: about two tests per ward, against
    preparing thousands of ward outlines (0.06 s against 0.35 s for 7,000 national wards,
    copies included, and no copies in memory).
    """
    out: np.ndarray = np.empty(len(polys), dtype=object)
    clip = distinct[which]
    simple = (shapely.get_type_id(polys) == 3) & (shapely.get_num_interior_rings(polys) == 0)
    inside = simple & shapely.contains_properly(clip, polys)
    idx = np.flatnonzero(inside)
    if len(idx):
        rings = shapely.get_exterior_ring(polys[idx])
        coords, ring_no = shapely.get_coordinates(rings, return_index=True)
        # drop each ring's first (= last) vertex, then close it on its new first vertex
        starts = np.flatnonzero(np.r_[True, ring_no[1:] != ring_no[:-1]])
        keep = np.ones(len(coords), dtype=bool)
        keep[starts] = False
        body, body_no = coords[keep], ring_no[keep]
        first = np.flatnonzero(np.r_[True, body_no[1:] != body_no[:-1]])
        closed = np.insert(body, np.r_[first[1:], len(body)], body[first], axis=0)
        closed_no = np.insert(body_no, np.r_[first[1:], len(body)], body_no[first])
        built = shapely.polygons(shapely.linearrings(closed, indices=closed_no))
        if shapely.equals_exact(shapely.intersection(polys[idx[0]], clip[idx[0]]), built[0], 0):
            out[idx] = built
        else:
            inside[:] = False
    rest = ~inside
    out[rest] = shapely.intersection(polys[rest], clip[rest])
    return out


def _number_and_rank(out: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Stable IDs inside each ward, then the study-wide rank, sorted by rank.

    The rule is the one :func:`summarise_hotspots` documents; the index is renumbered.
    """
    out = out.sort_values(
        [c.WARD_CODE, c.SCORE, c.N_INCIDENTS, c.CENTROID_X, c.CENTROID_Y],
        ascending=[True, False, False, True, True],
        kind="stable",
    )
    seq = out.groupby(c.WARD_CODE, sort=False).cumcount() + 1
    out[c.HOTSPOT_ID] = out[c.WARD_CODE].astype(str) + "-" + seq.map("{:02d}".format)
    out = out.sort_values(
        [c.SCORE, c.N_INCIDENTS, c.HOTSPOT_ID], ascending=[False, False, True], kind="stable"
    )
    out[c.RANK] = np.arange(1, len(out) + 1)
    return out.reset_index(drop=True)


def label_incidents(clustered: gpd.GeoDataFrame, hotspots: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Add ``hotspot_id`` to clustered incidents ("" for noise).

    Parameters
    ----------
    clustered
        Incidents with ``ward_code`` and ``cluster``.
    hotspots
        Output of :func:`summarise_hotspots` built from the same incidents (its
        ``ward_code`` and ``cluster`` columns identify each hotspot's members).

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``clustered`` plus ``hotspot_id`` (str).

    """
    # integer keys (ward number, cluster) instead of a string MultiIndex: one factorize of
    # the ward codes, then a join on int64 keys
    out = clustered.copy(deep=False)  # new column on the copy only (copy-on-write)
    ward_no, ward_codes = pd.factorize(out[c.WARD_CODE].astype(str), use_na_sentinel=False)
    cluster = out[c.CLUSTER].to_numpy(dtype="int64")
    span = int(cluster.max(initial=-1)) + 2  # clusters -1 (noise) .. max
    hot_ward = pd.Index(ward_codes).get_indexer(hotspots[c.WARD_CODE].astype(str))
    hot_cluster = hotspots[c.CLUSTER].to_numpy(dtype="int64")
    hot_ok = (hot_ward >= 0) & (hot_cluster >= -1) & (hot_cluster < span - 1)
    hot_key = hot_ward[hot_ok].astype("int64") * span + hot_cluster[hot_ok] + 1
    where = pd.Index(hot_key).get_indexer(ward_no.astype("int64") * span + cluster + 1)
    hot_ids = np.append(hotspots[c.HOTSPOT_ID].to_numpy(dtype=object)[hot_ok], "")
    # taken from a text array of the distinct IDs (no Python string per incident)
    out[c.HOTSPOT_ID] = pd.Series(hot_ids).array.take(where)
    return out


def _category_text(row: np.ndarray, keys: list[str], settings: Settings) -> str:
    order = sorted(
        (i for i in range(len(keys)) if row[i] > 0), key=lambda i: (-int(row[i]), keys[i])
    )
    return ", ".join(f"{settings.label(keys[i])} {int(row[i])}" for i in order)

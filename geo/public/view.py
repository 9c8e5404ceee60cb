"""The public view of a run: allow-listed, aggregated, generalised areas and their exports.

Everything shown in a public room (the meeting page, its HTML download, the
``python -m geo export-public`` files) is built from :func:`public_hotspots` and checked by
:func:`check_public`. The public view never carries point geometries, incident IDs, dates of
single incidents, notes, sources, locations, LSOAs, centroids or staff hotspot IDs: only the
fields listed by :func:`public_fields`.

This module builds the view and writes the export files; the allow-list, settings and
check live in :mod:`geo.public.schema`, area outlines and labels in :mod:`geo.public.areas`,
the map, HTML page and GeoJSON in :mod:`geo.public.maps` and the month-by-month counts in
:mod:`geo.public.monthly`. Every public name of those modules is importable from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import columns as c
from geo.errors import ValidationError
from geo.project import require_metric
from geo.public.areas import (
    TREND_WORDS,
    generalise_polygons,
    main_problems,
    merge_groups,
    overlap_groups,
    public_period,
    single_location_cells,
)
from geo.public.maps import (
    DEFAULT_TITLE,
    public_geojson,
    public_html,
)
from geo.public.schema import (
    AREA_FIELDS,
    AREA_ID,
    BAND_RANK,
    DEFAULT_PUBLIC,
    INCIDENTS_BAND,
    MAIN_PROBLEMS,
    PERIOD,
    PLACE,
    PublicSettings,
    check_public,
)
from geo.public.words import area_places, data_source
from geo.settings import Settings

if TYPE_CHECKING:
    from geo.result import PipelineResult

__all__ = [
    "PUBLIC_FILES",
    "public_hotspots",
    "public_view",
    "write_public",
]

#: Files written by :func:`write_public`.
PUBLIC_FILES: tuple[str, ...] = ("public_map.html", "public_hotspots.geojson")


# --- the public view -------------------------------------------------------------------
def public_hotspots(
    hotspots: gpd.GeoDataFrame,
    settings: Settings,
    *,
    public: PublicSettings = DEFAULT_PUBLIC,
    wards: gpd.GeoDataFrame | None = None,
    months: Iterable[str] | None = None,
    incidents: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """The public view of a run's hotspots: the one source of every public artefact.

    Hotspots with fewer than ``public.min_count`` incidents are left out. Each remaining
    hotspot becomes the union of the ``generalise_m`` grid squares (a fixed grid anchored
    at the CRS origin) that come within ``generalise_m / 2`` of its staff polygon, trimmed
    to its ward: the piece holding the hotspot is kept, other pieces are dropped; if that
    piece holds no whole grid square, the squares are kept untrimmed (see
    :func:`generalise_polygons`). So every outline runs along grid lines or the ward
    boundary, never closer than ``generalise_m / 2`` to any of its incidents away from the
    ward boundary, every area covers its incidents and holds a whole square; a "single location"
    hotspot (one busy map point) is drawn from the square of
    :data:`geo.public.areas.SINGLE_LOCATION_CELLS` grid cells that holds its point
    (:func:`geo.public.areas.single_location_cells`), so its outline does not depend on where
    in that square the point lies.
    Areas in one ward that overlap are merged into one area (counts added, trend
    recomputed from the summed ``recent_count``/``previous_count``).

    Parameters
    ----------
    hotspots
        Staff summary from :func:`geo.hotspots.summarise_hotspots` (metric CRS): uses
        ``n_incidents``, ``recent_count``, ``previous_count`` (int), ``ward_code``,
        ``ward_name``, ``trend``, ``first_month``, ``last_month`` (str), the
        ``n_<category>`` (int) columns and ``geometry`` (Polygon).
    settings
        Category labels for the ``n_<category>`` columns; ``since``/``until`` for the period
        when ``months`` is not given.
    public
        Minimum count, grid size, bands.
    wards
        ``ward_code``, ``geometry`` (any CRS): the areas are trimmed to their ward. Without
        it they are not trimmed and may cross a ward boundary by up to a square.
    months
        Months ``YYYY-MM`` of every incident in the view (e.g. ``result.incidents["month"]``);
        the period is their first to last month. Default: ``settings.since``/``until``,
        else the first and last month over all hotspots.
    incidents
        The run's incidents (metric CRS, ``hotspot_id``, ``source_kind``, ``location``,
        point ``geometry``): each area's ``place`` names the police.uk map points of the
        incidents of its hotspots (:func:`geo.public.words.area_places`; local reports are
        never read). ``None`` (default): every ``place`` is "".

    Returns
    -------
    geopandas.GeoDataFrame
        Exactly the columns of :func:`public_fields` (``"areas"``): ``area_id``,
        ``ward_name``, ``place``, ``incidents_band``, ``main_problems``, ``trend``,
        ``period`` (str),
        ``band_rank`` (int64), ``geometry`` (Polygon/MultiPolygon, the CRS of ``hotspots``);
        one row per public area. Sorted by band (highest first), ward name, then north to
        south; ``area_id`` numbers that order. Empty (same columns and CRS) when no
        hotspot reaches the minimum.

    Raises
    ------
    ValidationError
        When columns are missing, the CRS is not metric, or a hotspot has no polygon.

    """
    need = [
        c.N_INCIDENTS,
        c.WARD_CODE,
        c.WARD_NAME,
        c.TREND,
        c.RECENT_COUNT,
        c.PREVIOUS_COUNT,
        c.FIRST_MONTH,
        c.LAST_MONTH,
    ]
    missing = [col for col in need if col not in hotspots.columns]
    if missing:
        raise ValidationError(
            f"hotspots: columns {', '.join(missing)} are missing (expected the staff hotspot "
            "summary from geo.hotspots.summarise_hotspots)"
        )
    require_metric(hotspots.crs, "hotspots")
    period = public_period(hotspots, settings, months)
    n = hotspots[c.N_INCIDENTS].to_numpy(dtype="int64")
    kept = hotspots.loc[n >= public.min_count]
    if kept.empty:
        return _empty_public(hotspots.crs)

    staff_geoms = kept.geometry.to_numpy()
    no_area = shapely.is_empty(staff_geoms) | pd.isna(staff_geoms)
    if no_area.any():
        ward = kept[c.WARD_NAME].to_numpy()[no_area][0]
        raise ValidationError(f"hotspots: a hotspot in {ward} has no polygon")
    clip = None
    if wards is not None:
        w = wards.to_crs(hotspots.crs).set_index(c.WARD_CODE).geometry
        codes = kept[c.WARD_CODE].astype(str)
        unknown = sorted(set(codes) - set(w.index.astype(str)))
        if unknown:
            raise ValidationError(f"wards: no boundary for ward(s) {', '.join(unknown)}")
        clip = w.reindex(codes.to_numpy()).to_numpy()
    if c.KIND in kept.columns:
        single = (kept[c.KIND].astype(str) == "single location").to_numpy()
        if single.any():
            staff_geoms = staff_geoms.copy()
            staff_geoms[single] = single_location_cells(
                staff_geoms[single],
                None if clip is None else clip[single],
                generalise_m=float(public.generalise_m),
            )
    geoms = generalise_polygons(staff_geoms, clip, generalise_m=float(public.generalise_m))

    groups = overlap_groups(geoms, kept[c.WARD_CODE].astype(str).to_numpy())
    merged = merge_groups(kept, geoms, groups, settings)
    places = [""] * len(groups)
    if incidents is not None:
        if c.HOTSPOT_ID not in kept.columns:
            raise ValidationError("hotspots: column hotspot_id is missing (needed for places)")
        ids = kept[c.HOTSPOT_ID].astype(str).to_numpy()
        area_of = {str(ids[i]): k for k, g in enumerate(groups) for i in g}
        places = area_places(incidents, area_of, len(groups))
    bands = [public.band_of(int(k)) for k in merged[c.N_INCIDENTS]]
    trend = [TREND_WORDS.get(str(t), TREND_WORDS["n/a"]) for t in merged[c.TREND]]
    out = gpd.GeoDataFrame(
        {
            AREA_ID: "",
            c.WARD_NAME: merged[c.WARD_NAME].astype(str).to_numpy(dtype=object),
            PLACE: places,
            INCIDENTS_BAND: [lab for _r, lab in bands],
            BAND_RANK: np.array([r for r, _lab in bands], dtype="int64"),
            MAIN_PROBLEMS: main_problems(merged, settings, public),
            c.TREND: trend,
            PERIOD: period,
        },
        geometry=gpd.GeoSeries(merged["geometry"].to_numpy(), crs=hotspots.crs),
        crs=hotspots.crs,
    )
    # order by band, ward, then north to south and west to east of the public shape only
    rep = out.geometry.representative_point()
    out["_y"] = -np.round(rep.y.to_numpy(), 0)
    out["_x"] = np.round(rep.x.to_numpy(), 0)
    out = out.sort_values(
        [BAND_RANK, c.WARD_NAME, "_y", "_x"], ascending=[False, True, True, True], kind="stable"
    ).reset_index(drop=True)
    out[AREA_ID] = [f"Area {i}" for i in range(1, len(out) + 1)]
    out = gpd.GeoDataFrame(out[list(AREA_FIELDS)], geometry="geometry", crs=hotspots.crs)
    check_public(out, public=public)
    return out


def public_view(
    result: PipelineResult,
    *,
    public: PublicSettings = DEFAULT_PUBLIC,
) -> gpd.GeoDataFrame:
    """:func:`public_hotspots` of a pipeline result, trimmed to its wards, period from its data.

    Each area's ``place`` names the police.uk map points of its incidents.
    """
    return public_hotspots(
        result.hotspots,
        result.settings,
        public=public,
        wards=result.wards,
        months=result.incidents[c.MONTH].astype(str) if len(result.incidents) else None,
        incidents=result.incidents,
    )


def _empty_public(crs: Any) -> gpd.GeoDataFrame:
    cols: dict[str, pd.Series] = {
        col: pd.Series(dtype="int64" if col == BAND_RANK else object)
        for col in AREA_FIELDS
        if col != "geometry"
    }
    return gpd.GeoDataFrame(cols, geometry=gpd.GeoSeries([], crs=crs), crs=crs)


def write_public(
    result: PipelineResult,
    out_dir: str | Path,
    *,
    public: PublicSettings = DEFAULT_PUBLIC,
    title: str = DEFAULT_TITLE,
    view: gpd.GeoDataFrame | None = None,
    streets: gpd.GeoDataFrame | None = None,
) -> dict[str, Path]:
    """Write the public map (``public_map.html``) and areas (``public_hotspots.geojson``).

    The map names its data and months (:func:`geo.public.data_source`) and lists the
    areas with their places below it. Both are built from :func:`public_view` only (pass
    ``view`` when it has already been computed with the same ``public`` settings; it is
    checked again). ``streets`` (from :func:`geo.public.public_streets` of all months of
    the data, e.g. :func:`geo.public.streets_for_source`) adds the street names to the
    map; the GeoJSON holds the areas only. Returns the paths by file name.
    """
    if view is None:
        view = public_view(result, public=public)
    inc = result.incidents
    texts = {
        "public_map.html": public_html(
            result.wards,
            view,
            title=title,
            source=data_source(inc[c.SOURCE_KIND].astype(str), inc[c.MONTH].astype(str)),
            public_settings=public,
            trend_months=result.settings.trend_months,
            streets=streets,
        ),
        "public_hotspots.geojson": public_geojson(view),
    }
    from geo.staff import write_texts

    return write_texts(out_dir, texts, PUBLIC_FILES)

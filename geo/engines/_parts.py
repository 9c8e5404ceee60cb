"""The work of one input file and of one group of wards, for engines that split a run.

A run splits where its data does: every stage up to ward assignment looks at one row at a
time, so each incident file is prepared on its own (:func:`prepare_part`, the same
:func:`geo.prepare.prepare_incidents` as a whole run); clustering and the hotspot summaries
look at one ward at a time, so each group of whole wards is clustered and summarised on its
own (:func:`cluster_group`, the same :mod:`geo.cluster`, :mod:`geo.hotspots` and
:mod:`geo.places` code). Only the study-wide steps (ranking, the order of rejected rows,
the counts) are left to the caller. Nothing here knows about a scheduler.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from geo import columns as c
from geo.cluster import cluster_incidents
from geo.hotspots import label_incidents, summarise_hotspots
from geo.io import READ_SKIPPED, CsvSource, load_incidents
from geo.io.sources import READ_NOTES
from geo.places import NEAR_MAX_M, is_generic, place_name, with_places
from geo.prepare import StudyWards, prepare_incidents
from geo.settings import Settings

#: Columns of a :func:`light_rows` frame: what clustering, the summaries and the place
#: names read, plus the row's part and position (``_part``, ``_pos``: its input order).
LIGHT_COLUMNS: tuple[str, ...] = (
    "_part",
    "_pos",
    c.WARD_CODE,
    "px",
    "py",
    c.WEIGHT,
    c.MONTH,
    c.CATEGORY,
    c.SOURCE_KIND,
    c.LOCATION,
)
_POLICE = "police.uk"


@dataclass(frozen=True)
class PartReport:
    """What one prepared file gives the study-wide steps (everything but its incidents).

    Attributes
    ----------
    invalid, outside_wards, filtered_out
        As :class:`geo.prepare.Prepared`: ``source_file``, ``row``, ``stage``, ``reason``.
    rows_read
        Rows read from the file.
    data_months
        As :attr:`geo.prepare.Prepared.data_months`.
    kept_months
        ``(first, last)`` month of the incidents kept (``None`` when none are).
    notes, skipped
        The reader's notes (not the wards') and the archive members it skipped.
    files
        ``source_file`` values read.
    id_keys
        ``uint64`` hash of (source kind, id) of every row with an id that passed validation.
    has_local, has_police
        Whether the file holds local / police.uk rows.
    n_kept
        Incidents kept (``len(incidents)``).

    """

    invalid: pd.DataFrame
    outside_wards: pd.DataFrame
    filtered_out: pd.DataFrame
    rows_read: int
    data_months: tuple[str, str] | None
    kept_months: tuple[str, str] | None
    notes: tuple[str, ...]
    skipped: tuple[str, ...]
    files: tuple[str, ...]
    id_keys: np.ndarray
    has_local: bool
    has_police: bool
    n_kept: int


def prepare_part(
    source: CsvSource,
    *,
    wards: StudyWards,
    settings: Settings,
    forces: tuple[str, ...] = (),
    extent: tuple[float, float, float, float] | None = None,
) -> tuple[gpd.GeoDataFrame, PartReport]:
    """Read one incident file or archive and prepare it (validate → project → wards).

    Parameters
    ----------
    source
        One file, archive or ``(name, bytes)`` upload (see :func:`geo.io.load_incidents`).
    wards
        The run's wards, checked and projected once (:func:`geo.prepare.prepare_wards`).
    settings
        The run's settings.
    forces, extent
        As :func:`geo.io.load_incidents`.

    Returns
    -------
    tuple
        ``(incidents, report)``: the file's incidents as
        :attr:`geo.prepare.Prepared.incidents` (Point ``geometry`` in the metric CRS,
        ``ward_code``, ``ward_name``, input order) and a :class:`PartReport`.

    """
    raw = load_incidents([source], forces=forces, extent=extent)
    kinds = raw[c.SOURCE_KIND].astype(str)
    has_id = (raw[c.RAW_ID].astype(str) != "").to_numpy()
    keyed = raw.loc[has_id, [c.SOURCE_FILE, c.ROW]].assign(
        key=pd.util.hash_array(
            (kinds[has_id] + "\0" + raw[c.RAW_ID][has_id].astype(str)).to_numpy(dtype=object)
        )
    )
    skipped = tuple(raw.attrs.get(READ_SKIPPED, ()))
    read_notes = tuple(raw.attrs.get(READ_NOTES, ()))
    files = tuple(sorted(set(raw[c.SOURCE_FILE].astype(str))))
    has_local, has_police = bool((kinds == "local").any()), bool((kinds == _POLICE).any())
    del kinds
    held = [raw]
    del raw
    prepared = prepare_incidents(held.pop(), wards, settings)
    bad = pd.MultiIndex.from_frame(prepared.invalid[[c.SOURCE_FILE, c.ROW]])
    passed = ~pd.MultiIndex.from_frame(keyed[[c.SOURCE_FILE, c.ROW]]).isin(bad)
    incidents = prepared.incidents
    months = incidents[c.MONTH].astype(str)
    report = PartReport(
        invalid=prepared.invalid,
        outside_wards=prepared.outside_wards,
        filtered_out=prepared.filtered_out,
        rows_read=prepared.rows_read,
        data_months=prepared.data_months,
        kept_months=(str(months.min()), str(months.max())) if len(months) else None,
        notes=read_notes,
        skipped=skipped,
        files=files,
        id_keys=keyed["key"].to_numpy(dtype=np.uint64)[passed],
        has_local=has_local,
        has_police=has_police,
        n_kept=len(incidents),
    )
    return incidents, report


def light_rows(incidents: gpd.GeoDataFrame, part: int) -> pd.DataFrame:
    """The columns of prepared incidents that clustering and summaries read, as plain values.

    Parameters
    ----------
    incidents
        From :func:`prepare_part`: Point ``geometry`` (metric CRS), ``ward_code``, ``weight``,
        ``month``, ``category``, ``source_kind``, ``location``.
    part
        The file's number in input order.

    Returns
    -------
    pandas.DataFrame
        :data:`LIGHT_COLUMNS`: ``_part`` (int64, ``part``), ``_pos`` (int64, position in
        the file's incidents), ``ward_code`` (str), ``px``/``py`` (float, metres), ``weight``
        (float), ``month``, ``category``, ``source_kind``, ``location`` (str). No geometry
        objects, so the frame can be shuffled between processes as Arrow data.

    """
    n = len(incidents)
    return pd.DataFrame(
        {
            "_part": np.full(n, part, dtype=np.int64),
            "_pos": np.arange(n, dtype=np.int64),
            c.WARD_CODE: incidents[c.WARD_CODE].astype(str).to_numpy(),
            "px": incidents.geometry.x.to_numpy(dtype=float),
            "py": incidents.geometry.y.to_numpy(dtype=float),
            c.WEIGHT: incidents[c.WEIGHT].to_numpy(dtype=float),
            c.MONTH: incidents[c.MONTH].astype(str).to_numpy(),
            c.CATEGORY: incidents[c.CATEGORY].astype(str).to_numpy(),
            c.SOURCE_KIND: incidents[c.SOURCE_KIND].astype(str).to_numpy(),
            c.LOCATION: incidents[c.LOCATION].fillna("").astype(str).to_numpy(),
        }
    )


def named_points(light: pd.DataFrame) -> pd.DataFrame:
    """Distinct police.uk map points whose place name is a street or named place.

    Parameters
    ----------
    light
        A :func:`light_rows` frame (or several concatenated).

    Returns
    -------
    pandas.DataFrame
        ``location`` (str, as written), ``px``, ``py`` (float, metres): one row per distinct
        triple whose :func:`geo.places.place_name` is not empty and not a generic kind
        (``Supermarket``): the points :func:`geo.places.describe_places` may name a
        generic kind after.

    """
    police = light.loc[
        (light[c.SOURCE_KIND] == _POLICE).to_numpy(), [c.LOCATION, "px", "py"]
    ].drop_duplicates()
    texts = pd.unique(police[c.LOCATION])
    names = {t: place_name(t) for t in texts}
    keep = [t for t, name in names.items() if name and not is_generic(name)]
    return police[police[c.LOCATION].isin(keep).to_numpy()].reset_index(drop=True)


def cluster_group(
    rows: pd.DataFrame,
    *,
    wards: gpd.GeoDataFrame,
    settings: Settings,
    crs: str,
    months: int,
    period: tuple[str, str],
    named: pd.DataFrame,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Cluster and summarise the incidents of some whole wards, as a whole run would.

    Parameters
    ----------
    rows
        :func:`light_rows` of every incident of these wards (any order; put back in input
        order by ``_part``, ``_pos``).
    wards
        Every ward (``ward_code``, ``ward_name``, ``geometry`` in ``crs``).
    settings
        The run's settings.
    crs
        The metric CRS of ``px``/``py`` and ``wards``.
    months
        Calendar months clustered (:func:`geo.prepare.window_months` of the whole run).
    period
        ``(first, last)`` month of all the run's incidents: the trend periods are the
        study's, not these wards'.
    named
        :func:`named_points` of the whole run.

    Returns
    -------
    tuple
        ``(hotspots, labels)``: the hotspots of these wards as
        :func:`geo.hotspots.summarise_hotspots` then :func:`geo.places.with_places` give
        them (IDs final, ``rank`` only within these wards; ``n_<category>`` columns for the
        categories these wards have), and ``labels``: ``_part``, ``_pos``, ``cluster``
        (int), ``hotspot_id`` (str, "" for noise) per incident.

    """
    rows = rows.sort_values(["_part", "_pos"], kind="stable").reset_index(drop=True)
    points = gpd.GeoDataFrame(
        rows.drop(columns=["px", "py"]),
        geometry=gpd.points_from_xy(rows["px"], rows["py"]),
        crs=crs,
    )
    clustered = cluster_incidents(points, settings, months=months)
    del points
    hotspots = summarise_hotspots(clustered, wards, settings, period=period)
    labelled = label_incidents(clustered, hotspots)
    del clustered
    if len(hotspots):
        hotspots = with_places(hotspots, _place_frame(labelled, named))
    else:
        hotspots = with_places(hotspots, labelled)
    labels = pd.DataFrame(
        {
            "_part": labelled["_part"].to_numpy(dtype=np.int64),
            "_pos": labelled["_pos"].to_numpy(dtype=np.int64),
            c.CLUSTER: labelled[c.CLUSTER].to_numpy(dtype=np.int64),
            c.HOTSPOT_ID: labelled[c.HOTSPOT_ID].to_numpy(dtype=object),
        }
    )
    return hotspots, labels


def _place_frame(labelled: gpd.GeoDataFrame, named: pd.DataFrame) -> gpd.GeoDataFrame:
    """``labelled`` plus the named map points (in no hotspot) near its generic kinds.

    :func:`geo.places.describe_places` writes a generic kind (``Supermarket``) with the
    nearest named map point of the whole run within :data:`geo.places.NEAR_MAX_M`; every
    named point within that distance (and a metre more) of one of these wards' generic
    points is added, so the nearest is the one a whole run finds.
    """
    police = (labelled[c.SOURCE_KIND] == _POLICE).to_numpy()
    locations = labelled[c.LOCATION].astype(str)
    texts = pd.unique(locations[police])
    generic = [t for t in texts if is_generic(place_name(t))]
    at = labelled.geometry[police & locations.isin(generic).to_numpy()]
    frame = labelled[[c.SOURCE_KIND, c.LOCATION, c.HOTSPOT_ID, "geometry"]]
    if at.empty or named.empty:
        return frame
    xy = np.unique(np.column_stack([at.x.to_numpy(), at.y.to_numpy()]), axis=0)
    tree = cKDTree(named[["px", "py"]].to_numpy(dtype=float))
    near = np.unique(np.concatenate(tree.query_ball_point(xy, NEAR_MAX_M + 1.0)).astype(np.int64))
    extra = named.iloc[near]
    added = gpd.GeoDataFrame(
        {
            c.SOURCE_KIND: np.full(len(extra), _POLICE, dtype=object),
            c.LOCATION: extra[c.LOCATION].to_numpy(dtype=object),
            c.HOTSPOT_ID: np.full(len(extra), "", dtype=object),
        },
        geometry=gpd.points_from_xy(extra["px"], extra["py"]),
        crs=labelled.crs,
    )
    out = pd.concat([frame, added], ignore_index=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=labelled.crs)

"""The pipeline on ``dask.distributed``: files prepared in parallel, wards clustered in groups.

The same stages as :func:`geo.pipeline.run_source`, split where the data splits
(:mod:`geo.engines._parts`): one task per incident file (read, validate, filter, project,
assign wards), a shuffle of the kept incidents by ward (:meth:`dask.dataframe.DataFrame.shuffle`),
one task per group of whole wards (cluster, summarise, place names), then the study-wide
steps here: rank, rejected rows in file and row order, counts. The result is the one the
default engine gives.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj

from geo import columns as c
from geo.engines._parts import (
    PartReport,
    cluster_group,
    light_rows,
    named_points,
    prepare_part,
)
from geo.errors import ValidationError
from geo.hotspots import HOTSPOT_COLUMNS, summarise_hotspots
from geo.io import CsvSource, concat_raw, incident_files, lonlat_extent
from geo.io.sources import unique_sources
from geo.places import PLACE, with_places
from geo.prepare import StudyWards, prepare_wards, window_months
from geo.progress import ProgressFn
from geo.result import Counts, PipelineResult
from geo.settings import Settings
from geo.source import DataSource, load_source_wards

__all__ = ["DaskCluster", "run_source_dask"]


@dataclass(frozen=True, kw_only=True)
class DaskCluster:
    """Where the dask engine runs: a local cluster started for the run, or an existing one.

    Parameters
    ----------
    scheduler
        Address of a running scheduler (``tcp://host:8786``); its workers must have this
        package installed and see the incident and boundary files at the same paths.
        ``None`` starts a local cluster for the run.
    workers
        Local workers (one thread each); ignored with ``scheduler``.
    memory_limit
        Memory per local worker (``"2GB"``, ``"1.5 GiB"``); dask spills to disk and pauses a
        worker near it and restarts one that goes beyond it. ``None``: the machine's memory
        shared out.
    processes
        Local workers as processes (``True``) or threads in this process.

    """

    scheduler: str | None = None
    workers: int = 2
    memory_limit: str | None = None
    processes: bool = True

    def __post_init__(self) -> None:
        if isinstance(self.workers, bool) or not isinstance(self.workers, int) or self.workers < 1:
            raise ValidationError(
                f"The 'workers' option of the dask engine must be a whole number >= 1. "
                f"Got {self.workers!r} instead."
            )
        if self.memory_limit is not None:
            from dask.utils import parse_bytes

            try:
                size = parse_bytes(self.memory_limit)
            except (ValueError, TypeError):
                size = 0
            if size <= 0:
                raise ValidationError(
                    f"The 'memory_limit' option of the dask engine must be a size such as "
                    f"2GB. Got {self.memory_limit!r} instead."
                )


@contextlib.contextmanager
def _client(cluster: DaskCluster) -> Iterator[Any]:
    """A ``distributed.Client`` on ``cluster``, closed (with any local cluster) afterwards."""
    dist = _distributed()
    if cluster.scheduler is not None:
        try:
            client = dist.Client(cluster.scheduler, timeout="10s")
        except (OSError, TimeoutError, ValueError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ValidationError(
                f"dask scheduler {cluster.scheduler}: cannot connect ({first})"
            ) from None
        try:
            yield client
        finally:
            client.close()
        return
    local = dist.LocalCluster(
        n_workers=cluster.workers,
        threads_per_worker=1,
        processes=cluster.processes,
        memory_limit=cluster.memory_limit or "auto",
        dashboard_address=":0",
        silence_logs=50,
    )
    client = dist.Client(local)
    try:
        yield client
    finally:
        client.close()
        local.close()


def run_source_dask(
    source: DataSource | None = None,
    settings: Settings | None = None,
    *,
    cluster: DaskCluster | None = None,
    keep_incidents: bool = True,
    progress: ProgressFn | None = None,
) -> PipelineResult:
    """:func:`geo.pipeline.run_source` on a dask cluster, for data too big for one process.

    Parameters
    ----------
    source
        The incident and boundary files; default the shipped data. Each incident file (or
        archive, or upload) is one partition.
    settings
        Defaults to ``Settings()``.
    cluster
        Default: a local cluster of two single-threaded worker processes.
    keep_incidents
        Bring every labelled incident back into this process (``result.incidents``, which the
        map and the summary's months need). ``False`` keeps only the hotspots, rejected rows
        and counts here (``result.incidents`` is then empty, with its columns): a national
        multi-year run then never holds the incidents in one process.
    progress
        Called as ``progress(message, fraction_done)``.

    Returns
    -------
    PipelineResult
        The result :func:`geo.pipeline.run_source` gives for the same source and settings:
        the same hotspots (IDs, counts, polygons, places, ranks), rejected rows and counts.

    Raises
    ------
    ValidationError
        Bad input (as the default engine), an unreachable scheduler, a worker lost (e.g.
        killed for going over its memory limit), or data whose checks span files in a way
        this engine does not reproduce (an id repeated in two files; local report files
        beside police.uk files), each in one line.

    """
    killed = _distributed().KilledWorker
    source = source or DataSource.shipped()
    settings = settings or Settings()
    cluster = cluster or DaskCluster()
    report = progress or (lambda _m, _f: None)
    report("Reading ward boundaries", 0.0)
    wards = load_source_wards(source)
    extent = lonlat_extent(wards)
    paths = [Path(s) for s in source.incidents if not isinstance(s, tuple)]
    uploads = [s for s in source.incidents if isinstance(s, tuple)]
    parts, read_notes = unique_sources(incident_files(paths) if paths else [], uploads)
    if not parts:
        raise ValidationError("no incident files given")
    area = prepare_wards(wards)
    try:
        with _client(cluster) as client:
            return _run(
                client,
                parts,
                area,
                settings,
                source=source,
                extent=extent,
                notes=(tuple(read_notes), area.notes),
                keep_incidents=keep_incidents,
                report=report,
            )
    except killed as exc:
        limit = f" ({cluster.memory_limit} each)" if cluster.memory_limit else ""
        raise ValidationError(
            f"a dask worker died while running a task of this run, most likely over its "
            f"memory limit{limit}: give each worker more memory or split the input files "
            f"({str(exc).splitlines()[0]})"
        ) from None


def _run(
    client: Any,
    parts: list[CsvSource],
    area: StudyWards,
    settings: Settings,
    *,
    source: DataSource,
    extent: tuple[float, float, float, float] | None,
    notes: tuple[tuple[str, ...], tuple[str, ...]],
    keep_incidents: bool,
    report: ProgressFn,
) -> PipelineResult:
    """The run on ``client``; see :func:`run_source_dask`."""
    import dask.dataframe as dd
    from dask.delayed import delayed

    report(f"Preparing {len(parts)} files", 0.05)
    wards_f = client.scatter(area, broadcast=True)
    # one task per file; with keep_incidents=False it keeps only the clustering columns, so
    # no worker ever holds more than one file's full incidents
    task = _prepare_full if keep_incidents else _prepare_light
    prepared = [
        client.submit(
            task,
            s,
            k,
            wards=wards_f,
            settings=settings,
            forces=source.forces,
            extent=extent,
            pure=False,
            key=f"prepare-{k}",
        )
        for k, s in enumerate(parts)
    ]
    light = [client.submit(_pick, p, 0, key=f"light-{k}") for k, p in enumerate(prepared)]
    report_f = [client.submit(_pick, p, 1, key=f"report-{k}") for k, p in enumerate(prepared)]
    incidents = (
        [client.submit(_pick, p, 2, key=f"incidents-{k}") for k, p in enumerate(prepared)]
        if keep_incidents
        else []
    )
    template = client.submit(_pick_empty, prepared[0]).result()
    del prepared
    reports: list[PartReport] = client.gather(report_f)
    del report_f
    _check_across_files(reports, parts)
    crs = area.crs.to_wkt()
    metric_wards = area.metric
    months = window_months(_span([r.data_months for r in reports]), settings)
    period = _span([r.kept_months for r in reports])
    report("Collecting named map points", 0.4)
    named = _named_points(client, light)
    report("Grouping incidents by ward", 0.45)
    hotspots_parts: list[gpd.GeoDataFrame] = []
    labels: list[pd.DataFrame] = []
    if period is not None:
        meta = client.submit(_empty_like, light[0]).result()
        frame = dd.from_delayed(light, meta=meta, verify_meta=False)
        groups = frame.shuffle(on=c.WARD_CODE, npartitions=max(1, len(parts))).to_delayed()
        metric_f = client.scatter(metric_wards, broadcast=True)
        named_f = client.scatter(named, broadcast=True)
        task = delayed(cluster_group, pure=True)
        outs = [
            task(
                g,
                wards=metric_f,
                settings=settings,
                crs=crs,
                months=months,
                period=period,
                named=named_f,
            )
            for g in groups
        ]
        futures = client.compute(outs)
        report("Clustering wards", 0.5)
        _distributed().wait(futures)
        for f in futures:
            h, lab = f.result()
            hotspots_parts.append(h)
            if keep_incidents:
                labels.append(lab)
            f.release()
    report("Ranking hotspots", 0.92)
    hotspots = _ranked(hotspots_parts, metric_wards, settings, crs)
    n_kept = sum(r.n_kept for r in reports)
    n_clustered = int(hotspots[c.N_INCIDENTS].sum()) if len(hotspots) else 0
    if keep_incidents:
        labelled = _labelled(client.gather(incidents), labels)
    else:
        labelled = _labelled([template], [])
    tables = [
        concat_raw([r.invalid for r in reports]),
        concat_raw([r.outside_wards for r in reports]),
        concat_raw([r.filtered_out for r in reports]),
    ]
    rejected = (
        pd.concat(tables, ignore_index=True)
        .sort_values([c.SOURCE_FILE, c.ROW], kind="stable")
        .reset_index(drop=True)
    )
    counts = Counts(
        rows_read=sum(r.rows_read for r in reports),
        invalid=sum(len(r.invalid) for r in reports),
        outside_wards=sum(len(r.outside_wards) for r in reports),
        filtered=sum(len(r.filtered_out) for r in reports),
        clustered=n_clustered,
        noise=n_kept - n_clustered,
        hotspots=len(hotspots),
    )
    inputs: dict[str, Any] = {
        "incident_files": sorted({f for r in reports for f in r.files}),
        "boundaries": _name(source.boundaries),
    }
    skipped = [s for r in reports for s in r.skipped]
    if skipped:
        inputs["skipped_members"] = skipped
    part_notes = [n for r in reports for n in r.notes]
    report("Done", 1.0)
    return PipelineResult(
        settings=settings,
        crs=pyproj.CRS(crs),
        wards=metric_wards.copy(),
        incidents=labelled,
        rejected=rejected,
        hotspots=hotspots,
        counts=counts,
        notes=[*notes[0], *part_notes, *notes[1]],
        inputs=inputs,
    )


def _distributed() -> Any:
    """The ``distributed`` package (imported when a run starts; it has no type hints)."""
    import distributed

    return distributed


def _prepare_full(
    source: CsvSource, part: int, **options: Any
) -> tuple[pd.DataFrame, PartReport, gpd.GeoDataFrame]:
    incidents, found = prepare_part(source, **options)
    return light_rows(incidents, part), found, incidents


def _prepare_light(
    source: CsvSource, part: int, **options: Any
) -> tuple[pd.DataFrame, PartReport, gpd.GeoDataFrame]:
    incidents, found = prepare_part(source, **options)
    return light_rows(incidents, part), found, incidents.iloc[:0].copy()


def _pick(parts: tuple[Any, ...], k: int) -> Any:
    return parts[k]


def _pick_empty(parts: tuple[Any, ...]) -> Any:
    return parts[2].iloc[:0].copy()


def _empty_like(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.iloc[:0].copy()


def _name(item: CsvSource) -> str:
    return item[0] if isinstance(item, tuple) else Path(item).name


def _span(ranges: list[tuple[str, str] | None]) -> tuple[str, str] | None:
    """The first and last month of several ``(first, last)`` ranges (``None``: none)."""
    known = [r for r in ranges if r is not None]
    if not known:
        return None
    return min(r[0] for r in known), max(r[1] for r in known)


def _check_across_files(reports: list[PartReport], parts: list[CsvSource]) -> None:
    """Refuse data whose validation depends on rows of other files.

    Two checks of :func:`geo.validate.validate_incidents` look beyond one file: an id seen
    in an earlier file, and a local report dated well after the latest police.uk month of
    all files. Each file is validated here on its own, so such data would not be treated as
    the default engine treats it; it is refused instead.
    """
    keys = [r.id_keys for r in reports]
    if len(keys) > 1:
        part_of = np.repeat(np.arange(len(keys)), [len(k) for k in keys])
        frame = pd.DataFrame({"key": np.concatenate(keys), "part": part_of})
        spread = frame.drop_duplicates().groupby("key", sort=False)["part"].agg(["min", "max"])
        shared = spread[spread["min"] != spread["max"]]
        if len(shared):
            a, b = int(shared["min"].iloc[0]), int(shared["max"].iloc[0])
            raise ValidationError(
                f"{_name(parts[b])}: repeats an incident id of {_name(parts[a])} "
                f"({len(shared):,} ids are in more than one file); the dask engine checks "
                "ids within each file only, so run this data with the default engine"
            )
    police = [k for k, r in enumerate(reports) if r.has_police]
    for k, r in enumerate(reports):
        if r.has_local and any(j != k for j in police):
            raise ValidationError(
                f"{_name(parts[k])}: local reports beside police.uk files; their dates are "
                "checked against the latest police.uk month of every file, which the dask "
                "engine does not do, so run this data with the default engine"
            )


def _named_points(client: Any, light: list[Any]) -> pd.DataFrame:
    """:func:`named_points` of the whole run (each file's, then distinct)."""
    pieces = client.gather([client.submit(named_points, f) for f in light])
    out: pd.DataFrame = pd.concat(pieces, ignore_index=True).drop_duplicates()
    return out.reset_index(drop=True)


def _ranked(
    pieces: list[gpd.GeoDataFrame], wards: gpd.GeoDataFrame, settings: Settings, crs: str
) -> gpd.GeoDataFrame:
    """The ward groups' hotspots as one table, ranked study-wide.

    ``rank`` follows :func:`geo.hotspots.summarise_hotspots`: score (high first), then
    incident count (high first), then ID. ``n_<category>`` columns are those of the
    categories any group has, in the settings' order (0 where a group had none).
    """
    found = [p for p in pieces if len(p)]
    if not found:
        return _no_hotspots(pieces, crs)
    table = pd.concat(found, ignore_index=True)
    present: set[str] = set()
    for p in found:
        present.update(col for col in p.columns if col.startswith(c.COUNT_PREFIX))
    count_cols = [c.COUNT_PREFIX + k for k in settings.categories if c.COUNT_PREFIX + k in present]
    for col in count_cols:
        table[col] = table[col].fillna(0).astype("int64")
    table = table.sort_values(
        [c.SCORE, c.N_INCIDENTS, c.HOTSPOT_ID], ascending=[False, False, True], kind="stable"
    ).reset_index(drop=True)
    table[c.RANK] = np.arange(1, len(table) + 1)
    columns = list(HOTSPOT_COLUMNS)
    columns.insert(columns.index(c.WARD_NAME) + 1, PLACE)
    return gpd.GeoDataFrame(
        table[[*columns, *count_cols, "geometry"]], geometry="geometry", crs=wards.crs
    )


def _no_hotspots(pieces: list[gpd.GeoDataFrame], crs: str) -> gpd.GeoDataFrame:
    """The empty hotspot table, as a whole run gives it when nothing clusters."""
    if not pieces:  # no incidents kept: the table a whole run gives for none
        none = gpd.GeoDataFrame(
            {c.CLUSTER: pd.Series([], dtype="int64"), c.CATEGORY: pd.Series([], dtype=str)},
            geometry=gpd.GeoSeries([], crs=crs),
        )
        return with_places(summarise_hotspots(none, gpd.GeoDataFrame(), Settings()), none)
    table = pd.concat(pieces, ignore_index=True) if len(pieces) > 1 else pieces[0]
    return gpd.GeoDataFrame(table, geometry="geometry", crs=crs)


def _labelled(frames: list[gpd.GeoDataFrame], labels: list[pd.DataFrame]) -> gpd.GeoDataFrame:
    """The files' incidents in input order with ``cluster`` and ``hotspot_id``."""
    sizes = np.array([len(f) for f in frames], dtype=np.int64)
    incidents = concat_raw(frames).copy()
    offset = np.r_[0, np.cumsum(sizes)[:-1]]
    cluster = np.full(len(incidents), -1, dtype=np.int64)
    ids = np.full(len(incidents), "", dtype=object)
    for lab in labels:
        at = offset[lab["_part"].to_numpy()] + lab["_pos"].to_numpy()
        cluster[at] = lab[c.CLUSTER].to_numpy()
        ids[at] = lab[c.HOTSPOT_ID].to_numpy(dtype=object)
    incidents[c.CLUSTER] = cluster
    incidents[c.HOTSPOT_ID] = ids
    return gpd.GeoDataFrame(incidents, geometry="geometry", crs=frames[0].crs)

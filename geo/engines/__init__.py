"""Ways to run the pipeline: the default single process, or a dask cluster for big data.

:func:`run_source_with` picks by name (``"default"`` or ``"dask"``); both give the same
:class:`~geo.result.PipelineResult` for the same data and settings.
"""

from __future__ import annotations

from geo.engines.dask_run import DaskCluster, run_source_dask
from geo.pipeline import run_source
from geo.progress import ProgressFn
from geo.result import PipelineResult
from geo.settings import Settings
from geo.source import DataSource

__all__ = ["ENGINES", "DaskCluster", "run_source_dask", "run_source_with"]

#: Engine names :func:`run_source_with` (and ``python -m geo hotspots --engine``) accept.
ENGINES: tuple[str, ...] = ("default", "dask")


def run_source_with(
    engine: str,
    source: DataSource | None = None,
    settings: Settings | None = None,
    *,
    cluster: DaskCluster | None = None,
    progress: ProgressFn | None = None,
) -> PipelineResult:
    """Run :func:`geo.pipeline.run_source` (``"default"``) or :func:`run_source_dask` (``"dask"``).

    Parameters
    ----------
    engine
        One of :data:`ENGINES`.
    source, settings, progress
        As :func:`geo.pipeline.run_source`.
    cluster
        Where the dask engine runs (default :class:`DaskCluster`); only with ``"dask"``.

    Raises
    ------
    ValueError
        An unknown engine, or ``cluster`` with the default engine.

    """
    if engine not in ENGINES:
        raise ValueError(
            f"The 'engine' argument must be one of {', '.join(ENGINES)}. Got {engine!r} instead."
        )
    if engine == "dask":
        return run_source_dask(source, settings, cluster=cluster, progress=progress)
    if cluster is not None:
        raise ValueError("The 'cluster' argument is for the dask engine only.")
    return run_source(source, settings, progress=progress)

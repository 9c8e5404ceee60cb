"""``--engine``, ``--workers``, ``--memory-limit``, ``--scheduler``: where a run computes."""

from __future__ import annotations

import argparse

from geo.engines import ENGINES
from geo.errors import ValidationError
from geo.progress import ProgressFn
from geo.result import PipelineResult
from geo.settings import Settings
from geo.source import DataSource

__all__ = ["add_engine_options", "run_with_engine"]


def add_engine_options(p: argparse.ArgumentParser) -> None:
    """The options choosing the engine (the default single process, or dask)."""
    p.add_argument(
        "--engine",
        choices=ENGINES,
        default="default",
        help="default: one process; dask: the same stages on dask.distributed, one task per "
        "incident file and per group of wards, for data too big for one process",
    )
    p.add_argument(
        "--workers", type=int, help="dask: local worker processes, one thread each (default 2)"
    )
    p.add_argument(
        "--memory-limit",
        metavar="SIZE",
        help="dask: memory per local worker, e.g. 2GB (default: the machine's, shared out)",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="dask: use a running cluster, e.g. tcp://host:8786 (its workers need this "
        "package installed and the same file paths)",
    )


def run_with_engine(
    args: argparse.Namespace,
    source: DataSource,
    settings: Settings,
    *,
    progress: ProgressFn | None = None,
) -> PipelineResult:
    """Run ``source`` on the engine the options name.

    Raises
    ------
    ValidationError
        Dask options given without ``--engine dask``, ``--workers``/``--memory-limit``
        with ``--scheduler``, or a value they cannot take.

    """
    engine = getattr(args, "engine", "default")
    workers = getattr(args, "workers", None)
    memory = getattr(args, "memory_limit", None)
    scheduler = getattr(args, "scheduler", None)
    given = [
        name
        for name, v in (
            ("--workers", workers),
            ("--memory-limit", memory),
            ("--scheduler", scheduler),
        )
        if v is not None
    ]
    if engine != "dask":
        if given:
            raise ValidationError(f"{', '.join(given)}: only with --engine dask")
        from geo.pipeline import run_source

        return run_source(source, settings, progress=progress)
    if scheduler is not None and (workers is not None or memory is not None):
        raise ValidationError(
            "--workers and --memory-limit start a local cluster; with --scheduler the "
            "cluster's own workers are used"
        )
    if workers is not None and workers < 1:
        raise ValidationError(f"--workers must be a whole number >= 1. Got {workers} instead.")
    from geo.engines import DaskCluster, run_source_dask

    try:
        cluster = DaskCluster(scheduler=scheduler, workers=workers or 2, memory_limit=memory)
    except ValidationError as exc:
        raise ValidationError(
            str(exc).replace("The 'memory_limit' option of the dask engine", "--memory-limit")
        ) from None
    return run_source_dask(source, settings, cluster=cluster, progress=progress)

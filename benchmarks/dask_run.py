"""Benchmark the dask engine beside the default engine on the SYNTHETIC national data.

For each size, the default engine (``geo.pipeline.run_source``) and the dask engine
(``geo.engines.run_source_dask`` on a local cluster, incidents kept on the workers) each run
in a fresh process; the script reports wall time, the peak memory of the single process, of
the dask client and of each dask worker (resident set size sampled every 0.2 s), and whether
``hotspots.csv`` and ``rejected.csv`` are byte-identical between the two. The single process
peaks at about 11 GB at 30M rows; on a machine with less memory, name such sizes in
``--dask-only-sizes`` and they run with the dask engine only.

Make the data first (``benchmarks/make_synthetic.py --sizes 1M,6M,30M``). Results go to
``benchmarks/results/dask.md`` and ``dask.json`` (git-ignored).

Usage::

    .venv/bin/python benchmarks/dask_run.py --sizes 1M,6M,30M --workers 2 --memory-limit 4GB
    .venv/bin/python benchmarks/dask_run.py --sizes 6M --scheduler tcp://host:8786
    .venv/bin/python benchmarks/dask_run.py --sizes 30M --dask-only-sizes 30M  # small machine
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.make_synthetic import WARDS_FILE, size_dir  # noqa: E402

RESULTS = HERE / "results"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _files(size: str) -> list[str]:
    return [str(p) for p in sorted(size_dir(size).glob("*-synthetic-street.csv"))]


def worker_default(size: str) -> dict[str, Any]:
    from geo.pipeline import run_source
    from geo.source import DataSource
    from geo.staff.export import hotspots_csv, rejected_csv

    source = DataSource.from_files(_files(size), WARDS_FILE)
    t0 = time.perf_counter()
    result = run_source(source)
    seconds = time.perf_counter() - t0
    return {
        "seconds": seconds,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "hotspots": len(result.hotspots),
        "counts": result.counts.as_dict(),
        "hotspots_csv": _digest(hotspots_csv(result)),
        "rejected_csv": _digest(rejected_csv(result)),
    }


def worker_dask(
    size: str, workers: int, memory_limit: str | None, scheduler: str | None
) -> dict[str, Any]:
    from geo.engines import DaskCluster, run_source_dask
    from geo.source import DataSource
    from geo.staff.export import hotspots_csv, rejected_csv

    peaks: dict[str, float] = {}
    stop = threading.Event()

    def _rss() -> float:
        import psutil

        return float(psutil.Process().memory_info().rss)

    def sample() -> None:
        from distributed import get_client

        while not stop.is_set():
            try:
                for addr, rss in get_client().run(_rss).items():
                    peaks[addr] = max(peaks.get(addr, 0.0), rss / 2**20)
            except (ValueError, OSError, RuntimeError):
                pass  # no client yet, or the cluster is closing
            stop.wait(0.2)

    source = DataSource.from_files(_files(size), WARDS_FILE)
    cluster = (
        DaskCluster(scheduler=scheduler)
        if scheduler
        else DaskCluster(workers=workers, memory_limit=memory_limit)
    )
    sampler = threading.Thread(target=sample, daemon=True)
    t0 = time.perf_counter()
    sampler.start()

    def progress(message: str, _fraction: float) -> None:
        log(f"  {size} dask: {time.perf_counter() - t0:6.0f} s  {message}")

    result = run_source_dask(source, cluster=cluster, keep_incidents=False, progress=progress)
    seconds = time.perf_counter() - t0
    stop.set()
    sampler.join()
    return {
        "seconds": seconds,
        "client_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "worker_peak_mb": sorted(peaks.values(), reverse=True),
        "workers": workers if not scheduler else None,
        "memory_limit": memory_limit,
        "scheduler": scheduler,
        "hotspots": len(result.hotspots),
        "counts": result.counts.as_dict(),
        "hotspots_csv": _digest(hotspots_csv(result)),
        "rejected_csv": _digest(rejected_csv(result)),
    }


def run_child(args: list[str]) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True, check=False
    )
    if out.returncode != 0:
        return {"error": f"exit code {out.returncode} (see the log above)"}
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def table(results: dict[str, dict[str, Any]], note: str) -> str:
    lines = [
        note,
        "",
        "| size | engine | time (s) | peak memory | hotspots | same hotspots.csv | "
        "same rejected.csv |",
        "|---|---|---:|---|---:|---|---|",
    ]
    for size, runs in results.items():
        d, k = runs.get("default"), runs.get("dask")
        for name, r in (("default", d), ("dask", k)):
            if r is None:
                lines.append(f"| {size} | {name} | not run | | | | |")
                continue
            if "error" in r:
                lines.append(f"| {size} | {name} | failed: {r['error']} | | | | |")
                continue
            if name == "default":
                mem = f"{r['peak_mb'] / 1024:.1f} GB (one process)"
            else:
                per = ", ".join(f"{m / 1024:.1f}" for m in r["worker_peak_mb"])
                mem = f"workers {per} GB; client {r['client_peak_mb'] / 1024:.1f} GB"
            same_h = same_r = ""
            if name == "dask" and d is not None and "error" not in d:
                same_h = "yes" if d["hotspots_csv"] == r["hotspots_csv"] else "NO"
                same_r = "yes" if d["rejected_csv"] == r["rejected_csv"] else "NO"
            elif name == "dask":
                same_h = same_r = "(no single-process run)"
            lines.append(
                f"| {size} | {name} | {r['seconds']:.0f} | {mem} | {r['hotspots']:,} | "
                f"{same_h} | {same_r} |"
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1M,6M,30M", help="comma-separated, e.g. 1M,6M")
    ap.add_argument("--workers", type=int, default=2, help="local dask workers (default 2)")
    ap.add_argument("--memory-limit", default="4GB", help="per local worker (default 4GB)")
    ap.add_argument("--scheduler", help="a running dask scheduler instead of a local cluster")
    ap.add_argument("--dask-only", action="store_true", help="skip the single-process runs")
    ap.add_argument(
        "--dask-only-sizes",
        default="",
        help="comma-separated sizes whose single-process run is skipped (too little memory)",
    )
    ap.add_argument("--worker", choices=["default", "dask"], help=argparse.SUPPRESS)
    ap.add_argument("--size", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker == "default":
        print(json.dumps(worker_default(args.size)))
        return 0
    if args.worker == "dask":
        print(json.dumps(worker_dask(args.size, args.workers, args.memory_limit, args.scheduler)))
        return 0
    results: dict[str, dict[str, Any]] = {}
    dask_args = ["--workers", str(args.workers), "--memory-limit", args.memory_limit]
    if args.scheduler:
        dask_args = ["--scheduler", args.scheduler]
    dask_only = {s.strip() for s in args.dask_only_sizes.split(",") if s.strip()}
    for size in [s.strip() for s in args.sizes.split(",") if s.strip()]:
        if not _files(size):
            raise SystemExit(f"no data for {size}: run benchmarks/make_synthetic.py --sizes {size}")
        runs: dict[str, Any] = {}
        if size not in dask_only and not args.dask_only:
            log(f"{size}: default engine ...")
            runs["default"] = run_child(["--worker", "default", "--size", size])
            log(f"{size}: default {runs['default']}")
        log(f"{size}: dask engine ...")
        runs["dask"] = run_child(["--worker", "dask", "--size", size, *dask_args])
        log(f"{size}: dask {runs['dask']}")
        results[size] = runs
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "dask.json").write_text(json.dumps(results, indent=2))
    where = (
        f"scheduler {args.scheduler}"
        if args.scheduler
        else f"local cluster of {args.workers} workers, {args.memory_limit} each"
    )
    text = table(results, f"dask engine on a {where}")
    (RESULTS / "dask.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

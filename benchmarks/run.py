"""Time the hotspot pipeline per stage on the synthetic data, against the pyarrow read floor.

For each size (10k, 100k, 1M, 6M rows, made by ``make_synthetic.py``) two fresh worker
processes run one after the other on the same files:

- **pipeline**: the real ``geo.pipeline.run_files`` with default settings; its progress
  callback marks the stage boundaries: load, validate, project, wards, cluster, hotspots.
- **read floor**: ``pyarrow.csv.read_csv`` of the same files into one Arrow table (types
  inferred, every column parsed): no pipeline can be faster than reading its input.

The goal is the pipeline in at most 5x the read floor, under 3 GB peak.

Each stage reports wall time, CPU time (all threads of the process) and peak resident
memory (the process's high-water mark during that stage, reset at every stage start
through ``/proc/self/clear_refs``; a 10 ms sampler is the fallback). The machine (cores,
RAM, CPU, versions) and the load from other processes during each worker (CPU busy beyond
the worker's own use, from ``/proc/stat``) are recorded.

Output: a Markdown table printed and written to ``benchmarks/results/benchmark.md`` (plus a
timestamped copy) and every figure in ``benchmarks/results/benchmark.csv``.

Usage::

    .venv/bin/python benchmarks/make_synthetic.py && .venv/bin/python benchmarks/run.py
    .venv/bin/python benchmarks/run.py --sizes 10k,100k --repeat 3
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
RESULTS = HERE / "results"
WARDS_FILE = DATA / "synthetic_wards.gpkg"
SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000, "6M": 6_000_000}
PIPELINE_STAGES = ("load", "validate", "project", "wards", "cluster", "hotspots")
BASELINE_STAGES = ("read",)
GOAL_RATIO = 5.0
GOAL_PEAK_MB = 3 * 1024

# pipeline progress message (prefix) -> the stage it starts
STAGE_STARTS = (
    ("Reading incident files", "load"),
    ("Checking ward boundaries", "validate"),
    ("Projecting to metres", "project"),
    ("Assigning wards", "wards"),
    ("Clustering", "cluster"),
    ("Summarising hotspots", "hotspots"),
    ("Done", None),
)

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --- memory --------------------------------------------------------------------------------


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class StageMeter:
    """Wall time and peak RSS per stage of the current process."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.current: str | None = None
        self.t0 = 0.0
        self.cpu0 = 0.0
        self.sampled_kb = 0
        self.exact = self._can_reset()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    @staticmethod
    def _can_reset() -> bool:
        try:
            with open("/proc/self/clear_refs", "w") as fh:
                fh.write("5")
            return _status_kb("VmHWM") > 0
        except OSError:
            return False

    def _sample(self) -> None:
        while not self._stop.wait(0.01):
            rss = _status_kb("VmRSS")
            with self._lock:
                self.sampled_kb = max(self.sampled_kb, rss)

    def start(self, stage: str | None) -> None:
        """End the current stage (if any) and start ``stage`` (``None``: just end)."""
        now = time.perf_counter()
        if self.current is not None:
            with self._lock:
                peak = max(self.sampled_kb, _status_kb("VmRSS"))
            if self.exact:
                peak = max(peak, _status_kb("VmHWM"))
            self.rows.append(
                {
                    "stage": self.current,
                    "seconds": now - self.t0,
                    "cpu_seconds": time.process_time() - self.cpu0,
                    "peak_rss_mb": peak / 1024,
                }
            )
        self.current = stage
        if stage is not None:
            if self.exact:
                with open("/proc/self/clear_refs", "w") as fh:
                    fh.write("5")
            with self._lock:
                self.sampled_kb = _status_kb("VmRSS")
            self.t0 = time.perf_counter()
            self.cpu0 = time.process_time()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()


# --- workers (run in a fresh process per size) ---------------------------------------------


def _csv_files(size: str) -> list[Path]:
    folder = DATA / f"synthetic-{size}"
    files = sorted(folder.glob("*synthetic*.csv"))
    if not files:
        raise SystemExit(
            f"no synthetic data in {folder}; run .venv/bin/python benchmarks/make_synthetic.py"
        )
    return files


def worker_pipeline(size: str) -> dict[str, Any]:
    import numpy as np

    from geo.pipeline import run_files
    from geo.settings import Settings

    meter = StageMeter()
    last_print = [0.0]

    def progress(message: str, fraction: float) -> None:
        for prefix, stage in STAGE_STARTS:
            if message.startswith(prefix):
                if stage == meter.current:
                    break
                meter.start(stage)
                if stage is not None:
                    log(f"  pipeline {size}: {stage} ...")
                break
        now = time.perf_counter()
        if meter.current == "cluster" and now - last_print[0] > 15:
            last_print[0] = now
            log(f"  pipeline {size}: {message} ({fraction:.0%})")

    settings = Settings()  # the defaults, as `python -m geo hotspots` uses them
    result = run_files([str(p) for p in _csv_files(size)], WARDS_FILE, settings, progress=progress)
    if meter.current is not None:
        meter.start(None)
    meter.close()
    xy = np.ascontiguousarray(result.incidents.geometry.get_coordinates().to_numpy())
    return {
        "stages": meter.rows,
        "exact_peaks": meter.exact,
        "counts": result.counts.as_dict(),
        "distinct_points": len(np.unique(xy.view([("x", xy.dtype), ("y", xy.dtype)]))),
        "settings": {"eps_m": settings.eps_m, "min_samples": settings.min_samples},
    }


def worker_baseline(size: str) -> dict[str, Any]:
    """The read floor: pyarrow reads the same CSV files (all columns) into one table."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    meter = StageMeter()
    files = _csv_files(size)
    meter.start("read")
    log(f"  read floor {size}: pyarrow read ...")
    table = pa.concat_tables([pacsv.read_csv(f) for f in files])
    meter.start(None)
    meter.close()
    return {
        "stages": meter.rows,
        "exact_peaks": meter.exact,
        "counts": {"rows_read": table.num_rows},
    }


# --- machine and load ----------------------------------------------------------------------


def _cpu_jiffies() -> tuple[int, int]:
    """(busy, total) jiffies over all CPUs since boot."""
    with open("/proc/stat") as fh:
        parts = [int(v) for v in fh.readline().split()[1:]]
    idle = parts[3] + (parts[4] if len(parts) > 4 else 0)
    return sum(parts) - idle, sum(parts)


def machine() -> dict[str, Any]:
    import geopandas
    import numpy
    import pandas
    import pyogrio
    import pyproj
    import shapely
    import sklearn

    info: dict[str, Any] = {
        "cpu_model": platform.processor() or "unknown",
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
        lines = Path("/proc/meminfo").read_text().splitlines()
        mem = {ln.split(":")[0]: int(ln.split()[1]) for ln in lines}
        info["ram_gb"] = round(mem["MemTotal"] / 1024**2, 1)
        info["ram_available_gb_at_start"] = round(mem["MemAvailable"] / 1024**2, 1)
    except OSError:
        pass
    versions = {
        "pandas": pandas.__version__,
        "numpy": numpy.__version__,
        "geopandas": geopandas.__version__,
        "shapely": shapely.__version__,
        "pyproj": pyproj.__version__,
        "pyogrio": pyogrio.__version__,
        "scikit-learn": sklearn.__version__,
    }
    try:
        import pyarrow

        versions["pyarrow"] = pyarrow.__version__
    except ImportError:
        versions["pyarrow"] = "not installed"
    info["versions"] = versions
    info["load_avg_at_start"] = [round(v, 2) for v in os.getloadavg()]
    return info


def run_worker(kind: str, size: str) -> dict[str, Any]:
    """Run one worker in a fresh process; add wall time and the other processes' load."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
        out = Path(tmp.name)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", kind, "--size", size]
    cmd += ["--out", str(out)]
    busy0, total0 = _cpu_jiffies()
    own0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, check=False)
    wall = time.perf_counter() - t0
    busy1, total1 = _cpu_jiffies()
    own1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{kind} worker for {size} failed (exit {proc.returncode})")
    data = json.loads(out.read_text())
    out.unlink(missing_ok=True)
    ncpu = os.cpu_count() or 1
    busy_cores = (busy1 - busy0) / max(total1 - total0, 1) * ncpu
    own_cpu_s = (own1.ru_utime + own1.ru_stime) - (own0.ru_utime + own0.ru_stime)
    own_cores = own_cpu_s / max(wall, 1e-9)
    data["process_wall_s"] = wall
    data["cpu_cores_busy"] = busy_cores
    data["own_cores"] = own_cores
    data["other_load_cores"] = max(busy_cores - own_cores, 0.0)
    data["peak_rss_mb"] = own1.ru_maxrss / 1024
    return data


# --- report --------------------------------------------------------------------------------


def _total(run: dict[str, Any]) -> float:
    return float(sum(s["seconds"] for s in run["stages"]))


def _cpu(run: dict[str, Any]) -> float:
    return float(sum(s.get("cpu_seconds", 0.0) for s in run["stages"]))


def _peak(run: dict[str, Any]) -> float:
    return float(max(s["peak_rss_mb"] for s in run["stages"]))


def _fmt_s(v: float) -> str:
    return f"{v:.2f}" if v < 10 else f"{v:.1f}" if v < 100 else f"{v:.0f}"


def tables(results: dict[str, dict[str, Any]], info: dict[str, Any]) -> str:
    lines = ["## Time per stage (seconds, wall clock)", ""]
    head = ["rows", *PIPELINE_STAGES, "**pipeline**", "**pyarrow read**", "**ratio**", "goal ≤ 5×"]
    lines += ["| " + " | ".join(head) + " |", "|" + "---:|" * len(head)]
    for size, r in results.items():
        p, b = r["pipeline"], r["baseline"]
        ps = {s["stage"]: s["seconds"] for s in p["stages"]}
        bs = {s["stage"]: s["seconds"] for s in b["stages"]}
        ratio = _total(p) / _total(b)
        cells = [size, *(_fmt_s(ps.get(k, 0.0)) for k in PIPELINE_STAGES)]
        cells += [f"**{_fmt_s(_total(p))}**", f"**{_fmt_s(bs.get('read', 0.0))}**"]
        cells += [f"**{ratio:.2f}×**"]
        cells += ["yes" if ratio <= GOAL_RATIO else "no"]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "## CPU time per stage (seconds, all threads of the process)",
        "",
        "Less sensitive than wall time to other processes on a shared machine; pyarrow's "
        "read uses several threads, so its CPU time can exceed its wall time.",
        "",
    ]
    head = ["rows", *PIPELINE_STAGES, "**pipeline**", "**pyarrow read**", "**ratio**"]
    lines += ["| " + " | ".join(head) + " |", "|" + "---:|" * len(head)]
    for size, r in results.items():
        p, b = r["pipeline"], r["baseline"]
        pc = {s["stage"]: s.get("cpu_seconds", 0.0) for s in p["stages"]}
        cells = [size, *(_fmt_s(pc.get(k, 0.0)) for k in PIPELINE_STAGES)]
        cells += [f"**{_fmt_s(_cpu(p))}**", f"**{_fmt_s(_cpu(b))}**"]
        cells += [f"**{_cpu(p) / max(_cpu(b), 1e-9):.2f}×**"]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "## Peak memory per stage (MB resident)", ""]
    head = ["rows", *PIPELINE_STAGES, "**pipeline peak**", "read peak", "goal ≤ 3 GB"]
    lines += ["| " + " | ".join(head) + " |", "|" + "---:|" * len(head)]
    for size, r in results.items():
        p, b = r["pipeline"], r["baseline"]
        pm = {s["stage"]: s["peak_rss_mb"] for s in p["stages"]}
        cells = [size, *(f"{pm.get(k, 0.0):,.0f}" for k in PIPELINE_STAGES)]
        cells += [f"**{_peak(p):,.0f}**", f"{_peak(b):,.0f}"]
        cells += ["yes" if _peak(p) <= GOAL_PEAK_MB else "no"]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "## Runs", ""]
    lines += [
        "| rows | rows read | set aside | used | distinct map points used | hotspots | "
        "other load during pipeline (cores) | other load during read (cores) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size, r in results.items():
        p, b = r["pipeline"], r["baseline"]
        cnt = p["counts"]
        lines.append(
            f"| {size} | {cnt['rows_read']:,} | {cnt['rejected']:,} | {cnt['accepted']:,} | "
            f"{p['distinct_points']:,} | {cnt['hotspots']:,} | "
            f"{p['other_load_cores']:.2f} | {b['other_load_cores']:.2f} |"
        )
    v = info["versions"]
    peaks = "exact per-stage high-water marks" if info.get("exact") else "sampled every 10 ms"
    lines += [
        "",
        "## Machine",
        "",
        f"- CPU: {info.get('cpu_model')}, {info.get('cores')} cores "
        f"({info.get('cores_usable')} usable); RAM {info.get('ram_gb')} GB "
        f"({info.get('ram_available_gb_at_start')} GB available at start)",
        f"- Load average at start: {info.get('load_avg_at_start')}; at end: "
        f'{info.get("load_avg_at_end")}. "Other load" above is CPU time used by other '
        "processes while a worker ran, in cores (the machine is shared).",
        f"- Python {info['python']} on {info['platform']}",
        "- " + ", ".join(f"{k} {val}" for k, val in v.items()),
        f"- Peaks are {peaks}; each size runs in fresh processes (read floor, then pipeline).",
        f"- Pipeline settings: the defaults (eps_m {info.get('eps_m')}, min_samples "
        f"{info.get('min_samples')}).",
        f"- {info.get('when')}; repeats per size: {info.get('repeat')} (fastest pipeline and "
        "fastest read shown).",
    ]
    return "\n".join(lines) + "\n"


def write_csv(results: dict[str, dict[str, Any]], path: Path) -> None:
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["size", "rows", "run", "stage", "seconds", "cpu_seconds", "peak_rss_mb"])
        for size, r in results.items():
            for kind in ("pipeline", "baseline"):
                run = r[kind]
                for s in run["stages"]:
                    row = [size, SIZES[size], kind, s["stage"], f"{s['seconds']:.3f}"]
                    row += [f"{s.get('cpu_seconds', 0.0):.3f}"]
                    w.writerow([*row, f"{s['peak_rss_mb']:.0f}"])
                total = [size, SIZES[size], kind, "total", f"{_total(run):.3f}", f"{_cpu(run):.3f}"]
                w.writerow([*total, f"{_peak(run):.0f}"])
            ratio = _total(r["pipeline"]) / _total(r["baseline"])
            cpu_ratio = _cpu(r["pipeline"]) / max(_cpu(r["baseline"]), 1e-9)
            row = [size, SIZES[size], "ratio", "pipeline/read", f"{ratio:.3f}", f"{cpu_ratio:.3f}"]
            w.writerow([*row, ""])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default=",".join(SIZES), help="comma-separated, e.g. 10k,100k")
    ap.add_argument("--repeat", type=int, default=1, help="runs per size (fastest kept)")
    ap.add_argument("--worker", choices=["pipeline", "baseline"], help=argparse.SUPPRESS)
    ap.add_argument("--size", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker:
        fn: Callable[[str], dict[str, Any]] = (
            worker_pipeline if args.worker == "pipeline" else worker_baseline
        )
        Path(args.out).write_text(json.dumps(fn(args.size)))
        return 0

    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        raise SystemExit(f"unknown size(s) {', '.join(unknown)}; choose from {', '.join(SIZES)}")
    if not WARDS_FILE.exists():
        raise SystemExit("no synthetic wards; run .venv/bin/python benchmarks/make_synthetic.py")
    info = machine()
    info["when"] = time.strftime("%Y-%m-%d %H:%M")
    info["repeat"] = args.repeat
    results: dict[str, dict[str, Any]] = {}
    for size in sizes:
        files = _csv_files(size)
        for f in [*files, WARDS_FILE]:  # warm the page cache so neither run pays the disk
            f.read_bytes()
        runs: dict[str, list[dict[str, Any]]] = {"pipeline": [], "baseline": []}
        for i in range(args.repeat):
            for kind in ("baseline", "pipeline"):
                log(f"{size}: {kind} run {i + 1}/{args.repeat} ...")
                run = run_worker(kind, size)
                runs[kind].append(run)
                log(
                    f"{size}: {kind} {_total(run):.2f} s ({_cpu(run):.2f} s CPU), "
                    f"peak {_peak(run):,.0f} MB"
                )
        results[size] = {k: min(v, key=_total) for k, v in runs.items()}
        r = results[size]
        log(f"{size}: ratio pipeline/read = {_total(r['pipeline']) / _total(r['baseline']):.2f}")
    info["load_avg_at_end"] = [round(v, 2) for v in os.getloadavg()]
    info["exact"] = all(r[k]["exact_peaks"] for r in results.values() for k in r)
    first = next(iter(results.values()))["pipeline"]
    info.update(first.get("settings", {}))
    md = "# Benchmark: synthetic police.uk data, ~7,000 synthetic wards\n\n" + tables(results, info)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for name in ("benchmark", f"benchmark-{stamp}"):
        (RESULTS / f"{name}.md").write_text(md)
        write_csv(results, RESULTS / f"{name}.csv")
    (RESULTS / f"benchmark-{stamp}.json").write_text(
        json.dumps({"machine": info, "results": results}, indent=2)
    )
    print(md)
    log(f"wrote {RESULTS / 'benchmark.md'} and {RESULTS / 'benchmark.csv'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

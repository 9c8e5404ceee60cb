"""Time local incident CSVs (date-times, plain dates) against police.uk rows of the same size.

The files are SYNTHETIC (``make_local_synthetic.py``): the same rows written three ways. Each
file runs through the whole pipeline (``geo.pipeline.run_files`` with the shipped South
East Oxford wards) in a fresh process, one after the other; the table gives wall time,
peak resident memory (the child's ``ru_maxrss``) and whether the counts reconcile.

Usage::

    .venv/bin/python benchmarks/make_local_synthetic.py --sizes 200k,1M
    .venv/bin/python benchmarks/local_csv.py --sizes 200k,1M
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from make_local_synthetic import SIZES, output_paths  # noqa: E402

_CHILD = """
import json, sys, time
from geo.paths import DEFAULT_BOUNDARIES
from geo.pipeline import run_files
t = time.perf_counter()
r = run_files([sys.argv[1]], DEFAULT_BOUNDARIES)
k = r.counts
ok = k.rows_read == k.invalid + k.outside_wards + k.filtered + k.clustered + k.noise
print(json.dumps({"seconds": time.perf_counter() - t, "rows": k.rows_read, "reconciled": ok}))
"""


def run_one(path: Path) -> dict[str, object]:
    """Run the pipeline on ``path`` in a fresh process: seconds, rows, peak MB, reconciled."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out_f, tempfile.TemporaryFile("w+") as err_f:
        proc = subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(path)], cwd=ROOT, stdout=out_f, stderr=err_f
        )
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak memory
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - start
        out_f.seek(0)
        err_f.seek(0)
        stdout, stderr = out_f.read(), err_f.read()
    peak_mb = usage.ru_maxrss / 1024
    if proc.returncode != 0:
        tail = (stderr.strip().splitlines() or ["?"])[-1]
        return {"file": path.name, "error": tail, "wall_s": round(wall, 1)}
    out = json.loads(stdout.strip().splitlines()[-1])
    return {
        "file": path.name,
        "rows": out["rows"],
        "pipeline_s": round(out["seconds"], 1),
        "wall_s": round(wall, 1),
        "peak_mb": round(peak_mb),
        "reconciled": out["reconciled"],
    }


def main(argv: list[str] | None = None) -> int:
    """Print one Markdown row per file."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--sizes", default="200k", help="comma-separated, e.g. 200k,1M")
    args = ap.parse_args(argv)
    print("| file (synthetic) | rows | pipeline s | wall s | peak MB | reconciled |")
    print("|---|---:|---:|---:|---:|---|")
    for size in (s.strip() for s in args.sizes.split(",") if s.strip()):
        if size not in SIZES:
            raise SystemExit(f"unknown size {size}; choose from {', '.join(SIZES)}")
        for path in output_paths(size).values():
            if not path.exists():
                raise SystemExit(f"{path} is missing: run make_local_synthetic.py first")
            r = run_one(path)
            if "error" in r:
                print(f"| {r['file']} | failed: {r['error']} | | {r['wall_s']} | | |", flush=True)
                continue
            print(
                f"| {r['file']} | {r['rows']:,} | {r['pipeline_s']} | {r['wall_s']} | "
                f"{r['peak_mb']:,} | {r['reconciled']} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

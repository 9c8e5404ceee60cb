"""Record what ``python -m geo hotspots`` writes on the shipped data, for the golden test.

Writes ``tests/expected/cli_hotspots/``: ``hotspots.csv`` and ``rejected.csv`` as the
command writes them, and ``summary.json`` without its ``settings`` block (the settings are
the input, echoed back; the golden test checks the counts, rejected reasons, months, CRS,
input file names and notes). Nothing in these files changes between runs: no timestamps,
no absolute paths.

Rerun it only when a change is *meant* to change the hotspots of the shipped data (new
default settings, a new column, a fix to the clustering, new shipped data), and say so in
the commit that carries the new files. A restructuring must leave them as they are:
``tests/cli/test_golden.py`` fails when the output drifts.

Usage, from the repository root::

    .venv/bin/python scripts/record_expected.py
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

from geo.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXPECTED = ROOT / "tests" / "expected" / "cli_hotspots"
#: summary.json keys left out of the recording: the settings echo the input
SKIPPED_SUMMARY_KEYS = ("settings",)


def record(target: Path = EXPECTED) -> list[Path]:
    """Run the ``hotspots`` command on the shipped data and store its outputs in ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        code = main(["hotspots", "--out", str(out), "--no-progress"])
        if code != 0:
            raise SystemExit(f"python -m geo hotspots failed with exit code {code}")
        written = []
        for name in ("hotspots.csv", "rejected.csv"):
            written.append(Path(shutil.copyfile(out / name, target / name)))
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        kept = {k: v for k, v in summary.items() if k not in SKIPPED_SUMMARY_KEYS}
        path = target / "summary.json"
        path.write_text(json.dumps(kept, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for p in record():
        print(f"recorded {p.relative_to(ROOT)}", file=sys.stderr)

"""Generate SYNTHETIC local-format incident CSVs (and police.uk-shaped twins) for benchmarks.

Nothing here is real: every id starts ``SYN``, every ``source`` says ``SYNTHETIC`` and every
file name contains ``synthetic``. Rows sit on 20,000 made-up map points scattered over the
shipped South East Oxford wards' extent (so the shipped boundaries can be used), with the
shipped categories and dates spread over 2018. Output goes to ``benchmarks/data/local/``
(git-ignored), three files per size holding the same rows:

- ``local-<size>-datetime-synthetic.csv``: local format, dates as ``2018-03-18 15:54:04``
  (a council's export of needle finds or resident reports);
- ``local-<size>-date-synthetic.csv``: local format, dates as ``2018-03-18``;
- ``police-<size>-synthetic.csv``: the police.uk street-level columns, ``Month`` only.

Deterministic: the same ``--seed`` gives byte-identical files.

Usage::

    .venv/bin/python benchmarks/make_local_synthetic.py --sizes 200k,1M
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from geo.io import POLICE_UK_COLUMNS

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "data" / "local"
SIZES = {"10k": 10_000, "200k": 200_000, "1M": 1_000_000}
#: Extent of the shipped South East Oxford wards (WGS84), with a small margin inside.
EXTENT = (-1.245, 51.705, -1.170, 51.760)
CATEGORIES = ("Anti-social behaviour", "Burglary", "Drugs", "Vehicle crime", "Other theft")


def output_paths(size: str) -> dict[str, Path]:
    """The three files of one size: ``datetime``, ``date`` and ``police``."""
    return {
        "datetime": OUT / f"local-{size}-datetime-synthetic.csv",
        "date": OUT / f"local-{size}-date-synthetic.csv",
        "police": OUT / f"police-{size}-synthetic.csv",
    }


def write_size(size: str, seed: int) -> dict[str, Path]:
    """Write the three files of ``size`` rows (skipped when present); their paths."""
    paths = output_paths(size)
    if all(p.exists() for p in paths.values()):
        return paths
    n = SIZES[size]
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = EXTENT
    pool_lon = np.round(rng.uniform(x0, x1, 20_000), 6)
    pool_lat = np.round(rng.uniform(y0, y1, 20_000), 6)
    pick = rng.integers(0, len(pool_lon), n)
    seconds = rng.integers(0, 365 * 86_400, n)
    stamps = np.datetime64("2018-01-01T00:00:00") + seconds.astype("timedelta64[s]")
    dt_text = np.char.replace(np.datetime_as_string(stamps, unit="s"), "T", " ")
    day_text = np.datetime_as_string(stamps, unit="D")
    month_text = np.datetime_as_string(stamps, unit="M")
    cats = np.array(CATEGORIES)[rng.integers(0, len(CATEGORIES), n)]
    ids = np.char.add("SYN", np.arange(n).astype(str))
    lon = np.char.mod("%.6f", pool_lon[pick])
    lat = np.char.mod("%.6f", pool_lat[pick])
    OUT.mkdir(parents=True, exist_ok=True)
    for kind, dates in (("datetime", dt_text), ("date", day_text)):
        table = pa.table(
            {
                "id": ids,
                "date": dates,
                "category": cats,
                "longitude": lon,
                "latitude": lat,
                "source": np.full(n, "SYNTHETIC"),
                "notes": np.full(n, ""),
            }
        )
        pacsv.write_csv(table, paths[kind])
    empty = np.full(n, "")
    police = {
        "Crime ID": ids,
        "Month": month_text,
        "Reported by": np.full(n, "SYNTHETIC"),
        "Falls within": np.full(n, "SYNTHETIC"),
        "Longitude": lon,
        "Latitude": lat,
        "Location": np.full(n, "On or near Synthetic Street"),
        "LSOA code": empty,
        "LSOA name": empty,
        "Crime type": cats,
        "Last outcome category": empty,
        "Context": empty,
    }
    pacsv.write_csv(pa.table({k: police[k] for k in POLICE_UK_COLUMNS}), paths["police"])
    return paths


def main(argv: list[str] | None = None) -> int:
    """Write the files of every size asked for and print their paths."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--sizes", default="10k,200k,1M", help="comma-separated, e.g. 200k,1M")
    ap.add_argument("--seed", type=int, default=20180318)
    args = ap.parse_args(argv)
    for size in (s.strip() for s in args.sizes.split(",") if s.strip()):
        if size not in SIZES:
            raise SystemExit(f"unknown size {size}; choose from {', '.join(SIZES)}")
        for path in write_size(size, args.seed).values():
            print(path, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

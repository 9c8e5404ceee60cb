"""Generate police.uk-shaped SYNTHETIC incident data and ward polygons for the benchmark.

Nothing here is real: every row says ``SYNTHETIC`` in ``Reported by`` and ``Falls within``,
ward codes start ``SYNW``, LSOA codes ``SYNL``, and every file name contains ``synthetic``.
Output goes to ``benchmarks/data/`` (git-ignored):

- ``synthetic_wards.gpkg``: ~7,000 ward-sized Voronoi cells covering an England-sized extent
  in EPSG:27700, columns ``WD23CD``, ``WD23NM``. Cells are small where people (and incidents)
  are dense and large in the countryside, like real wards; edges are densified so a ward has
  a few hundred vertices, closer to full-resolution ONS boundaries than a bare polygon.
- ``synthetic-<size>/YYYY-MM-synthetic-street.csv``: monthly police.uk street-level files per
  size, with exactly the police.uk columns: twelve (2023) for 10k, 100k, 1M and 6M rows, sixty
  (2019-2023, five national years) for 30M rows.

What makes it police.uk-like:

- **Snap points**: incidents sit on a fixed pool of 750,000 map points (police.uk has
  about 750,000 for ~6M rows a year). The pool is dense around towns and sparse between
  them (in the pool, 38 % of points have no other point within 80 m and a point has 1.4
  neighbours within 80 m on average; the shipped South East Oxford data has 38 % and 1.0).
  Point popularity is heavy-tailed (log-normal, plus a few very busy points such as
  town-centre shops), so many rows share one coordinate.
- **Categories and outcomes**: the mix of ``Crime type`` and ``Last outcome category``
  measured in the Thames Valley June 2018 file (``../shared/data/force``). Anti-social
  behaviour rows have an empty ``Crime ID`` and an empty outcome; other rows have a random
  64-hex-digit id.
- **Bad rows**: 2 % of rows have no coordinates (``No Location``, no LSOA), as police.uk
  publishes for crimes that could not be mapped. (The Thames Valley June 2018 file has
  9 %; a lower share sends more rows through the pipeline, so the benchmark is harder.)
- Coordinates are written as police.uk writes them: WGS84 with six decimals.

Deterministic: the same ``--seed`` gives byte-identical files.

Usage::

    .venv/bin/python benchmarks/make_synthetic.py              # all sizes but 30M
    .venv/bin/python benchmarks/make_synthetic.py --sizes 30M  # five years (about 5 GB)
    .venv/bin/python benchmarks/make_synthetic.py --sizes 10k,100k
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyproj
import shapely
from scipy.spatial import cKDTree

from geo.io import POLICE_UK_COLUMNS

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
WARDS_FILE = DATA / "synthetic_wards.gpkg"

SIZES = {
    "10k": 10_000,
    "100k": 100_000,
    "1M": 1_000_000,
    "6M": 6_000_000,
    "30M": 30_000_000,
}
MONTHS = [f"2023-{m:02d}" for m in range(1, 13)]
#: Sizes spanning more than one year (five national years: 2019-01 to 2023-12).
MONTHS_OF = {"30M": [f"{y}-{m:02d}" for y in range(2019, 2024) for m in range(1, 13)]}
LABEL = "SYNTHETIC"

# England-sized extent in British National Grid metres (x0, y0, x1, y1)
EXTENT = (135_000.0, 10_000.0, 655_000.0, 655_000.0)
N_WARDS = 7_000
N_LSOAS = 33_000
N_SNAP_POINTS = 750_000
N_TOWNS = 1_500
BACKGROUND_SHARE = 0.10  # share of map points outside towns (countryside)
SEGMENT_M = 60.0  # densify ward edges to at most this length
MISSING_COORD_RATE = 0.02


# Thames Valley Police, June 2018 (18,188 rows): share of each crime type
CRIME_MIX = {
    "Violence and sexual offences": 0.2778,
    "Anti-social behaviour": 0.1886,
    "Other theft": 0.1089,
    "Criminal damage and arson": 0.0963,
    "Shoplifting": 0.0747,
    "Vehicle crime": 0.0714,
    "Burglary": 0.0475,
    "Public order": 0.0359,
    "Bicycle theft": 0.0303,
    "Drugs": 0.0241,
    "Other crime": 0.0152,
    "Theft from the person": 0.0136,
    "Possession of weapons": 0.0079,
    "Robbery": 0.0078,
}
# same file: outcomes of rows that are not anti-social behaviour
OUTCOME_MIX = {
    "Investigation complete; no suspect identified": 0.3668,
    "Under investigation": 0.2679,
    "Unable to prosecute suspect": 0.0996,
    "Awaiting court outcome": 0.0510,
    "Action to be taken by another organisation": 0.0082,
    "Offender given a caution": 0.0075,
    "Local resolution": 0.0045,
    "Further investigation is not in the public interest": 0.0021,
    "Offender given a drugs possession warning": 0.0014,
    "Offender given penalty notice": 0.0010,
    "Formal action is not in the public interest": 0.0010,
    "Suspect charged as part of another case": 0.0003,
}
# public-place snap points (police.uk "On or near <kind>"); the rest are streets
PLACES = (
    "Supermarket",
    "Petrol Station",
    "Parking Area",
    "Shopping Area",
    "Sports/Recreation Area",
    "Pedestrian Subway",
    "Nightclub",
    "Park/Open Space",
    "Further/Higher Educational Building",
    "Hospital",
    "Police Station",
    "Theatre/Concert Hall",
)
PLACE_SHARE = 0.06


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def parse_sizes(text: str) -> list[str]:
    names = [s.strip() for s in text.split(",") if s.strip()]
    bad = [s for s in names if s not in SIZES]
    if bad:
        raise SystemExit(f"unknown size(s) {', '.join(bad)}; choose from {', '.join(SIZES)}")
    return names


def size_dir(name: str) -> Path:
    return DATA / f"synthetic-{name}"


# --- geography ---------------------------------------------------------------------------


def _towns(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Town centres, their share of people (Zipf-like) and spread in metres."""
    x0, y0, x1, y1 = EXTENT
    centres = np.column_stack([rng.uniform(x0, x1, N_TOWNS), rng.uniform(y0, y1, N_TOWNS)])
    size = rng.pareto(1.1, N_TOWNS) + 1.0
    size = np.minimum(size, 400.0)
    share = size / size.sum()
    spread = np.clip(300.0 * np.sqrt(size), 300.0, 6_000.0)
    return centres, share, spread


def _people_points(
    rng: np.random.Generator, n: int, towns: tuple[np.ndarray, np.ndarray, np.ndarray]
) -> np.ndarray:
    """``n`` points where people are: around towns, plus a countryside background."""
    centres, share, spread = towns
    x0, y0, x1, y1 = EXTENT
    out = np.empty((n, 2))
    bg = rng.random(n) < BACKGROUND_SHARE
    nb = int(bg.sum())
    out[bg] = np.column_stack([rng.uniform(x0, x1, nb), rng.uniform(y0, y1, nb)])
    nt = n - nb
    t = rng.choice(N_TOWNS, size=nt, p=share)
    out[~bg] = centres[t] + rng.normal(size=(nt, 2)) * spread[t, None]
    # points that fell outside the extent: redraw uniformly (countryside)
    outside = (out[:, 0] < x0) | (out[:, 0] > x1) | (out[:, 1] < y0) | (out[:, 1] > y1)
    k = int(outside.sum())
    out[outside] = np.column_stack([rng.uniform(x0, x1, k), rng.uniform(y0, y1, k)])
    return out


def make_geography(seed: int) -> dict[str, object]:
    """Wards (Voronoi cells), LSOA seeds and the snap-point pool, all from one seed."""
    rng = np.random.default_rng([seed, 1])
    towns = _towns(rng)
    ward_seeds = _people_points(rng, N_WARDS, towns)
    # round so the Voronoi input (and output) is exactly reproducible
    ward_seeds = np.round(ward_seeds, 1)
    x0, y0, x1, y1 = EXTENT
    frame = shapely.box(x0, y0, x1, y1)
    cells = shapely.voronoi_polygons(shapely.multipoints(ward_seeds), extend_to=frame, ordered=True)
    polys = shapely.intersection(np.asarray(shapely.get_parts(cells)), frame)
    polys = shapely.segmentize(polys, SEGMENT_M)
    polys = shapely.set_precision(polys, 0.01)
    # number wards west to east in bands, like nothing in particular but deterministic
    order = np.lexsort((ward_seeds[:, 0], np.floor(ward_seeds[:, 1] / 20_000)))
    codes = np.empty(N_WARDS, dtype=object)
    codes[order] = [f"SYNW{i:05d}" for i in range(1, N_WARDS + 1)]
    names = [f"Synthetic ward {code[4:]}" for code in codes]
    wards = gpd.GeoDataFrame({"WD23CD": codes, "WD23NM": names}, geometry=polys, crs="EPSG:27700")
    lsoa_seeds = _people_points(rng, N_LSOAS, towns)
    snap = np.round(_people_points(rng, N_SNAP_POINTS, towns), 1)
    popularity = rng.lognormal(mean=0.0, sigma=1.0, size=N_SNAP_POINTS)
    busy = rng.random(N_SNAP_POINTS) < 0.003  # town-centre shops, stations, nightclubs
    popularity[busy] *= rng.uniform(10, 60, int(busy.sum()))
    popularity /= popularity.sum()
    lsoa_of = cKDTree(lsoa_seeds).query(snap)[1]
    is_place = rng.random(N_SNAP_POINTS) < PLACE_SHARE
    place = rng.integers(0, len(PLACES), N_SNAP_POINTS)
    street = np.arange(N_SNAP_POINTS) // 4  # about four map points per street
    location = np.where(
        is_place,
        np.array([f"On or near {p}" for p in PLACES], dtype=object)[place],
        np.char.add("On or near Synthetic Street ", street.astype(str)).astype(object),
    )
    tr = pyproj.Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    lon, lat = tr.transform(snap[:, 0], snap[:, 1])
    return {
        "wards": wards,
        "lon": np.array([f"{v:.6f}" for v in lon], dtype=object),
        "lat": np.array([f"{v:.6f}" for v in lat], dtype=object),
        "popularity": popularity,
        "lsoa_of": lsoa_of,
        "location": location,
    }


# --- incident rows -----------------------------------------------------------------------

_HEX = np.array([f"{i:02x}".encode() for i in range(256)], dtype="S2")


def _crime_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` random 64-hex-digit ids (police.uk Crime IDs are SHA-256 hex digests)."""
    raw = rng.integers(0, 256, size=(n, 32), dtype=np.uint8)
    return np.ascontiguousarray(_HEX[raw]).view("S64").reshape(n)


def _choice(rng: np.random.Generator, mix: dict[str, float], n: int) -> np.ndarray:
    keys = list(mix)
    p = np.array([mix[k] for k in keys])
    return rng.choice(len(keys), size=n, p=p / p.sum())


def month_table(geo: dict[str, object], n: int, month: str, rng: np.random.Generator) -> pa.Table:
    """One month of police.uk-shaped rows as an Arrow table (police.uk column order)."""
    pick = rng.choice(N_SNAP_POINTS, size=n, p=geo["popularity"])  # type: ignore[arg-type]
    crime_keys = list(CRIME_MIX)
    crime = _choice(rng, CRIME_MIX, n)
    is_asb = crime == crime_keys.index("Anti-social behaviour")
    outcome = _choice(rng, OUTCOME_MIX, n)
    missing = rng.random(n) < MISSING_COORD_RATE
    ids = pa.array(_crime_ids(rng, n)).cast(pa.string())

    def text(values: np.ndarray) -> pa.Array:
        return pa.array(values, type=pa.string())

    lon = text(geo["lon"][pick])  # type: ignore[index]
    lat = text(geo["lat"][pick])  # type: ignore[index]
    loc = text(geo["location"][pick])  # type: ignore[index]
    lsoa = geo["lsoa_of"][pick]  # type: ignore[index]
    lsoa_code = text(np.char.add("SYNL", np.char.zfill(lsoa.astype(str), 5)).astype(object))
    lsoa_name = text(np.char.add("Synthetic ", np.char.zfill(lsoa.astype(str), 5)).astype(object))
    empty = pa.scalar("", pa.string())
    miss = pa.array(missing)
    asb = pa.array(is_asb)
    import pyarrow.compute as pc

    columns = {
        "Crime ID": pc.if_else(asb, empty, ids),
        "Month": pa.array(np.full(n, month, dtype=object), type=pa.string()),
        "Reported by": pa.array(np.full(n, LABEL, dtype=object), type=pa.string()),
        "Falls within": pa.array(np.full(n, LABEL, dtype=object), type=pa.string()),
        "Longitude": pc.if_else(miss, empty, lon),
        "Latitude": pc.if_else(miss, empty, lat),
        "Location": pc.if_else(miss, pa.scalar("No Location"), loc),
        "LSOA code": pc.if_else(miss, empty, lsoa_code),
        "LSOA name": pc.if_else(miss, empty, lsoa_name),
        "Crime type": text(np.array(crime_keys, dtype=object)[crime]),
        "Last outcome category": pc.if_else(
            asb, empty, text(np.array(list(OUTCOME_MIX), dtype=object)[outcome])
        ),
        "Context": pa.array(np.full(n, "", dtype=object), type=pa.string()),
    }
    return pa.table(columns)


def write_size(geo: dict[str, object], name: str, seed: int) -> dict[str, object]:
    """Write the monthly files for one size; returns a manifest entry."""
    total = SIZES[name]
    months = MONTHS_OF.get(name, MONTHS)
    out = size_dir(name)
    out.mkdir(parents=True, exist_ok=True)
    per = np.full(len(months), total // len(months))
    per[: total % len(months)] += 1
    files = []
    # police.uk writes a bare header and quotes nothing (no value holds a comma)
    opts = pacsv.WriteOptions(quoting_style="none", include_header=False)
    header = ",".join(POLICE_UK_COLUMNS) + "\n"
    for k, (month, n) in enumerate(zip(months, per, strict=True)):
        rng = np.random.default_rng([seed, 2, total, k])
        table = month_table(geo, int(n), month, rng)
        path = out / f"{month}-synthetic-street.csv"
        with path.open("wb") as fh:
            fh.write(header.encode())
            pacsv.write_csv(table, fh, write_options=opts)
        files.append(path.name)
        log(f"  {name}: wrote {path.name} ({n:,} rows)")
    return {"rows": int(total), "files": files}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--sizes",
        default=",".join(s for s in SIZES if s != "30M"),
        help="comma-separated, e.g. 10k,100k (30M only when named)",
    )
    ap.add_argument("--seed", type=int, default=20230101)
    ap.add_argument("--force", action="store_true", help="regenerate even when present")
    args = ap.parse_args(argv)
    names = parse_sizes(args.sizes)
    DATA.mkdir(parents=True, exist_ok=True)
    manifest_path = DATA / "manifest.json"
    manifest: dict[str, object] = {}
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
    if manifest.get("seed") != args.seed:
        manifest = {"seed": args.seed, "sizes": {}}
    sizes: dict[str, object] = manifest.setdefault("sizes", {})  # type: ignore[assignment]
    todo = [
        n
        for n in names
        if args.force
        or n not in sizes
        or not all((size_dir(n) / f).exists() for f in sizes[n]["files"])  # type: ignore[index]
    ]
    if not todo and WARDS_FILE.exists() and not args.force:
        log(f"synthetic data already present in {DATA} (use --force to regenerate)")
        return 0
    t0 = time.perf_counter()
    log(f"building synthetic geography (seed {args.seed}) ...")
    geo = make_geography(args.seed)
    wards: gpd.GeoDataFrame = geo["wards"]  # type: ignore[assignment]
    if args.force or not WARDS_FILE.exists() or "wards" not in manifest:
        WARDS_FILE.unlink(missing_ok=True)
        wards.to_file(WARDS_FILE, driver="GPKG", layer="wards")
        n_vertices = int(shapely.get_num_coordinates(wards.geometry.to_numpy()).sum())
        manifest["wards"] = {
            "file": WARDS_FILE.name,
            "wards": len(wards),
            "vertices": n_vertices,
            "snap_points": N_SNAP_POINTS,
        }
        log(f"wrote {WARDS_FILE.name}: {len(wards):,} wards, {n_vertices:,} vertices")
    for name in todo:
        log(f"writing {name} rows ...")
        sizes[name] = write_size(geo, name, args.seed)
        manifest_path.write_text(json.dumps(manifest, indent=2))
    manifest_path.write_text(json.dumps(manifest, indent=2))
    log(f"done in {time.perf_counter() - t0:.0f} s; files under {DATA}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Write a run's staff outputs: hotspots (GeoJSON, CSV), rejected rows, summary and map."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from geo import columns as c
from geo.maps import hotspot_map, offline_html
from geo.places import street_points
from geo.project import WGS84
from geo.result import PipelineResult

OUTPUT_FILES: tuple[str, ...] = (
    "hotspots.geojson",
    "hotspots.csv",
    "rejected.csv",
    "summary.json",
    "map.html",
)


def hotspots_geojson(result: PipelineResult) -> str:
    """Hotspot polygons as GeoJSON text in EPSG:4326 (columns as in the hotspot summary)."""
    return str(result.hotspots.to_crs(WGS84).to_json(drop_id=True))


def hotspots_csv(result: PipelineResult) -> str:
    """Hotspot summary as CSV text (no geometry; centroids in metres and lon/lat)."""
    return str(result.hotspots.drop(columns="geometry").to_csv(index=False))


def rejected_csv(result: PipelineResult) -> str:
    """Rejected rows as CSV text: ``source_file``, ``row``, ``stage``, ``reason``."""
    return str(result.rejected[list(c.REJECTED_COLUMNS)].to_csv(index=False))


def write_outputs(
    result: PipelineResult,
    out_dir: str | Path,
    *,
    tiles: str | None = None,
    attribution: str = "",
) -> dict[str, Path]:
    """Write the five staff outputs (:data:`OUTPUT_FILES`) into ``out_dir``.

    The map includes an aggregated incident density layer and the street names of the
    police.uk map points (staff only); it has no basemap unless ``tiles`` (a tile URL, with
    its ``attribution``) is given. Returns the paths by file name.
    """
    m = hotspot_map(
        result.wards,
        result.hotspots,
        incidents=result.incidents,
        streets=street_points(result.incidents),
        tiles=tiles,
        attribution=attribution,
    )
    texts = {
        "hotspots.geojson": hotspots_geojson(result),
        "hotspots.csv": hotspots_csv(result),
        "rejected.csv": rejected_csv(result),
        "summary.json": json.dumps(result.summary(), indent=2, default=str),
        "map.html": offline_html(m),
    }
    return write_texts(out_dir, texts, OUTPUT_FILES)


def write_texts(
    out_dir: str | Path, texts: Mapping[str, str], names: Sequence[str]
) -> dict[str, Path]:
    """Write ``texts[name]`` to ``out_dir/name`` (UTF-8) for each of ``names``, in order.

    Creates ``out_dir`` if needed and returns the paths by file name.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for name in names:
        p = out / name
        p.write_text(texts[name], encoding="utf-8")
        paths[name] = p
    return paths

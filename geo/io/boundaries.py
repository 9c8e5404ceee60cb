"""Read ward boundary polygons (GeoJSON, GeoPackage, zipped Shapefile) into a ward frame."""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from geo import columns as c
from geo.errors import ValidationError
from geo.io.csv_reader import first_line
from geo.project import crs_problem

__all__ = ["load_boundaries"]

_WARD_CODE_RE = re.compile(r"^WD\d{2}CD$", re.IGNORECASE)
_WARD_NAME_RE = re.compile(r"^WD\d{2}NM$", re.IGNORECASE)


def load_boundaries(
    source: str | Path | tuple[str, bytes],
    *,
    code_col: str | None = None,
    name_col: str | None = None,
    layer: str | None = None,
) -> gpd.GeoDataFrame:
    """Read ward polygons from GeoJSON, GeoPackage or (zipped) Shapefile, in any CRS.

    Parameters
    ----------
    source
        A path, or ``(name, bytes)`` for an upload.
    code_col, name_col
        Columns holding the ward code and name. By default ONS ``WDyyCD``/``WDyyNM``
        are detected; without a name column the code is used as the name. Neither may be
        the geometry column.
    layer
        The layer to read from a file with several (a GeoPackage). By default the file's
        only layer, or its only polygon layer; with several polygon layers the message
        lists them and asks for one.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``ward_code`` (str), ``ward_name`` (str), ``geometry`` (Polygon or
        MultiPolygon), in the file's CRS. Geometry is not yet checked or repaired
        (see :func:`geo.validate.validate_wards`).

    Raises
    ------
    ValidationError
        Unreadable file, no such layer or several polygon layers and none chosen, no CRS,
        coordinates that cannot be in the stated CRS (:func:`geo.project.crs_problem`), no
        polygons, no ward code column, or a ward code or name column that is the
        geometry.

    """
    import pyogrio

    if isinstance(source, tuple):
        name = source[0]
    else:
        name = str(source)
        if not Path(source).exists():
            raise ValidationError(f"{name}: no such boundary file")

    def handle() -> str | io.BytesIO:
        return io.BytesIO(source[1]) if isinstance(source, tuple) else str(source)

    try:
        with warnings.catch_warnings():
            # GDAL's notes (several layers, a GeoPackage read from memory) never reach people
            warnings.simplefilter("ignore")
            chosen = _choose_layer(name, _layers(handle()), layer)
            gdf = pyogrio.read_dataframe(handle(), layer=chosen)
    except ValidationError:
        raise
    except Exception as exc:  # pyogrio raises several unrelated types for unreadable files
        raise ValidationError(
            f"{name}: not a readable boundary file (GeoJSON, GeoPackage or zipped Shapefile): "
            f"{first_line(exc)}"
        ) from None
    if not isinstance(gdf, gpd.GeoDataFrame) or "geometry" not in gdf:
        raise ValidationError(f"{name}: the file has no geometries")
    if len(gdf) == 0:
        raise ValidationError(f"{name}: the file has no features")
    if gdf.crs is None:
        raise ValidationError(f"{name}: the file has no coordinate reference system (CRS)")
    types = set(gdf.geom_type.dropna())
    if not types & {"Polygon", "MultiPolygon"}:
        found = ", ".join(sorted(types)) or "no geometry"
        raise ValidationError(f"{name}: no polygon features (found {found}); wards must be areas")
    _check_crs_fits(name, gdf)
    attributes = [str(col) for col in gdf.columns if col != gdf.geometry.name]
    found = ", ".join(attributes[:12]) or "none"
    for what, col in (("code", code_col), ("name", name_col)):
        if col is not None and col == gdf.geometry.name:
            raise ValidationError(
                f"{name}: the ward {what} column cannot be {col!r}, the geometry column; "
                f"give a column of ward {what}s (columns: {found})"
            )
    code = code_col or _detect(gdf.columns, _WARD_CODE_RE)
    if code is None or code not in gdf.columns:
        wanted = code_col or "a WDyyCD column"
        raise ValidationError(f"{name}: ward code column {wanted!r} not found (columns: {found})")
    codes = gdf[code].astype(object).where(gdf[code].notna(), "").astype(str).str.strip()
    empty = np.flatnonzero((codes == "").to_numpy())
    if len(empty):
        rows = ", ".join(str(i + 1) for i in empty[:5]) + (", ..." if len(empty) > 5 else "")
        raise ValidationError(
            f"{name}: {len(empty)} feature(s) have no ward code in column {code!r} "
            f"(feature {rows}); every ward needs a code"
        )
    nm = name_col or _detect(gdf.columns, _WARD_NAME_RE) or code
    if nm not in gdf.columns:
        raise ValidationError(f"{name}: ward name column {nm!r} not found (columns: {found})")
    out = gpd.GeoDataFrame(
        {
            c.WARD_CODE: codes.to_numpy(),
            c.WARD_NAME: gdf[nm].astype(str).str.strip().to_numpy(),
        },
        geometry=gdf.geometry.to_numpy(),
        crs=gdf.crs,
    )
    out.attrs["source"] = name
    return out


def _check_crs_fits(name: str, gdf: gpd.GeoDataFrame) -> None:
    """Refuse coordinates that cannot be in the CRS the file states (see ``crs_problem``)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        xy = shapely.get_coordinates(gdf.geometry.to_numpy())
    xy = xy[np.isfinite(xy).all(axis=1)]  # NaN coordinates are reported per ward later
    if len(xy) == 0:
        return
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    problem = crs_problem((float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1])), gdf.crs)
    if problem is not None:
        raise ValidationError(f"{name}: {problem}")


def _layers(handle: str | io.BytesIO) -> list[tuple[str, str]]:
    """``(layer name, geometry type)`` of every layer; empty when GDAL cannot list them."""
    import pyogrio

    try:
        listed: Any = pyogrio.list_layers(handle)
    except Exception:  # the read that follows reports why the file is unreadable
        return []
    return [(str(row[0]), str(row[1])) for row in listed]


def _choose_layer(name: str, layers: list[tuple[str, str]], layer: str | None) -> str | None:
    """The layer to read: ``layer`` if the file has it, else the only (polygon) layer.

    Raises
    ------
    ValidationError
        When ``layer`` is not in the file, or when the file has several polygon layers and
        none was chosen (listing them).

    """
    names = [n for n, _ in layers]
    listing = ", ".join(f"{n!r} ({kind})" for n, kind in layers[:12])
    if layer is not None:
        if layers and layer not in names:
            raise ValidationError(
                f"{name}: no layer {layer!r}; the file's layers are {listing or 'none'}"
            )
        return layer
    if len(layers) <= 1:
        return None
    polygons = [n for n, kind in layers if "polygon" in kind.lower()]
    if len(polygons) == 1:
        return polygons[0]
    if len(polygons) > 1:
        shown = ", ".join(repr(n) for n in polygons[:12])
        raise ValidationError(
            f"{name}: the file has {len(polygons)} polygon layers ({shown}); choose the ward "
            f"layer with --layer (e.g. --layer {polygons[-1]}), or in the app upload a file "
            "with one layer"
        )
    return None


def _detect(cols: Iterable[object], pattern: re.Pattern[str]) -> str | None:
    hits = sorted(str(col) for col in cols if pattern.match(str(col)))
    return hits[-1] if hits else None  # newest vintage if several

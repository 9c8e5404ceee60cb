"""Read ward boundary polygons (GeoJSON, GeoPackage, zipped Shapefile) into a ward frame."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np

from geo import columns as c
from geo.errors import ValidationError
from geo.io.csv_reader import first_line

__all__ = ["load_boundaries"]

_WARD_CODE_RE = re.compile(r"^WD\d{2}CD$", re.IGNORECASE)
_WARD_NAME_RE = re.compile(r"^WD\d{2}NM$", re.IGNORECASE)


def load_boundaries(
    source: str | Path | tuple[str, bytes],
    *,
    code_col: str | None = None,
    name_col: str | None = None,
) -> gpd.GeoDataFrame:
    """Read ward polygons from GeoJSON, GeoPackage or (zipped) Shapefile, in any CRS.

    Parameters
    ----------
    source
        A path, or ``(name, bytes)`` for an upload.
    code_col, name_col
        Columns holding the ward code and name. By default ONS ``WDyyCD``/``WDyyNM``
        are detected; without a name column the code is used as the name.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``ward_code`` (str), ``ward_name`` (str), ``geometry`` (Polygon or
        MultiPolygon), in the file's CRS. Geometry is not yet checked or repaired
        (see :func:`geo.validate.validate_wards`).

    Raises
    ------
    ValidationError
        Unreadable file, no CRS, no polygons, or no ward code column.

    """
    import pyogrio

    if isinstance(source, tuple):
        name, data = source
        handle: str | io.BytesIO = io.BytesIO(data)
    else:
        name, handle = str(source), str(source)
        if not Path(source).exists():
            raise ValidationError(f"{name}: no such boundary file")
    try:
        gdf = pyogrio.read_dataframe(handle)
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
    code = code_col or _detect(gdf.columns, _WARD_CODE_RE)
    if code is None or code not in gdf.columns:
        wanted = code_col or "a WDyyCD column"
        raise ValidationError(f"{name}: ward code column {wanted!r} not found")
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
        raise ValidationError(f"{name}: ward name column {nm!r} not found")
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


def _detect(cols: Iterable[object], pattern: re.Pattern[str]) -> str | None:
    hits = sorted(str(col) for col in cols if pattern.match(str(col)))
    return hits[-1] if hits else None  # newest vintage if several

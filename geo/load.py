"""Stage 1: read incident CSVs (police.uk or local) and ward boundary files into raw frames."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO

import geopandas as gpd
import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray

from geo import columns as c
from geo.errors import ValidationError

#: police.uk street-level CSV columns, as published.
POLICE_UK_COLUMNS: tuple[str, ...] = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
)
#: The police.uk columns the pipeline needs; the others may be absent.
POLICE_UK_REQUIRED: tuple[str, ...] = ("Crime ID", "Month", "Longitude", "Latitude", "Crime type")
#: Local incident CSV: required columns (plus longitude/latitude or easting/northing).
LOCAL_REQUIRED: tuple[str, ...] = ("id", "date", "category")
#: Local incident CSV: optional confidential columns.
LOCAL_OPTIONAL: tuple[str, ...] = ("source", "notes", "location")

CsvSource = str | Path | tuple[str, bytes]
"""A CSV path, or ``(display name, file bytes)`` for an upload."""

_WARD_CODE_RE = re.compile(r"^WD\d{2}CD$", re.IGNORECASE)
_WARD_NAME_RE = re.compile(r"^WD\d{2}NM$", re.IGNORECASE)


def incident_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand files and folders into a sorted list of CSV files.

    Raises
    ------
    ValidationError
        When a path does not exist, or a folder holds no ``.csv`` file.

    """
    out: list[Path] = []
    problems: list[str] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(q for q in p.iterdir() if q.suffix.lower() == ".csv" and q.is_file())
            if not found:
                problems.append(f"{p}: folder holds no .csv files")
            out.extend(found)
        elif p.is_file():
            out.append(p)
        else:
            problems.append(f"{p}: no such file or folder")
    if problems:
        raise ValidationError(problems)
    if not out:
        raise ValidationError("no incident files given")
    return out


def read_incident_csv(source: CsvSource) -> pd.DataFrame:
    """Read one police.uk or local incident CSV into the raw incident schema.

    The format is detected from the header. Every value is kept as text so that
    validation can report exactly what was written.

    Parameters
    ----------
    source
        A path, or ``(name, bytes)`` for an uploaded file.

    Returns
    -------
    pandas.DataFrame
        One row per data row, columns :data:`geo.columns.RAW_COLUMNS`: ``source_file``
        (str, file name), ``row`` (int, spreadsheet row, header = 1), ``source_kind``
        (``police.uk``/``local``), ``raw_id``, ``raw_date``, ``raw_category``, ``raw_x``,
        ``raw_y`` (text as written), ``xy_crs`` (``EPSG:4326`` or ``EPSG:27700``),
        ``location``, ``lsoa_code``, ``outcome``, ``report_source``, ``notes`` (text).

    Raises
    ------
    ValidationError
        When the file cannot be read, is empty, is not CSV text, or lacks columns.

    """
    name, df = read_text_csv(source, fast=True)
    df.columns = [str(col).strip() for col in df.columns]
    if set(POLICE_UK_REQUIRED) <= set(df.columns):
        return _police_uk(df, name)
    lower = {col.lower(): col for col in df.columns}
    if set(LOCAL_REQUIRED) <= set(lower):
        return _local(df.rename(columns={v: k for k, v in lower.items()}), name)
    looks_police = len(set(POLICE_UK_COLUMNS) & set(df.columns)) >= 3
    if looks_police:
        missing = [col for col in POLICE_UK_REQUIRED if col not in df.columns]
        raise ValidationError(f"{name}: police.uk CSV is missing column(s) {', '.join(missing)}")
    missing = [col for col in LOCAL_REQUIRED if col not in lower]
    raise ValidationError(
        f"{name}: not a police.uk or local incident CSV: missing column(s) "
        f"{', '.join(missing)} (found: {', '.join(map(str, df.columns[:8])) or 'none'})"
    )


def load_incidents(sources: Sequence[CsvSource]) -> pd.DataFrame:
    """Read many incident CSVs (see :func:`read_incident_csv`) into one raw frame.

    Paths that are folders are expanded to their ``.csv`` files. Columns as in
    :func:`read_incident_csv`; rows keep file order.
    """
    expanded: list[CsvSource] = []
    paths = [s for s in sources if not isinstance(s, tuple)]
    if paths:
        expanded.extend(incident_files(paths))
    expanded.extend(s for s in sources if isinstance(s, tuple))
    if not expanded:
        raise ValidationError("no incident files given")
    frames = [read_incident_csv(s) for s in expanded]
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def empty_raw() -> pd.DataFrame:
    """A raw incident frame with no rows and the raw schema."""
    df = pd.DataFrame({col: pd.Series(dtype=str) for col in c.RAW_COLUMNS})
    df[c.ROW] = df[c.ROW].astype("int64")
    return df


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
            f"{_first_line(exc)}"
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
    nm = name_col or _detect(gdf.columns, _WARD_NAME_RE) or code
    if nm not in gdf.columns:
        raise ValidationError(f"{name}: ward name column {nm!r} not found")
    out = gpd.GeoDataFrame(
        {
            c.WARD_CODE: gdf[code].astype(str).str.strip().to_numpy(),
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


def read_text_csv(
    source: CsvSource, *, what: str = "file", empty_what: str = "file", fast: bool = False
) -> tuple[str, pd.DataFrame]:
    """Read any CSV with every value kept as text; every failure names the file.

    Shared by the incident, sites and interventions readers so a bad file gets the same
    plain-English message whichever it is.

    Parameters
    ----------
    source
        A path, or ``(name, bytes)`` for an upload.
    what, empty_what
        How a missing file (``"<path>: no such <what>"``) and an empty one (``"<name>: the
        <empty_what> is empty"``) are described.
    fast
        Try pyarrow's parser first (large police.uk files); pandas' C parser reads whatever
        it does not read cleanly and its messages stay the reference.

    Returns
    -------
    tuple
        ``(file name, frame of str columns as written; header names unchanged)``.

    Raises
    ------
    ValidationError
        Missing, binary, non-UTF-8, empty or unparsable file.

    """
    name, handle = _open(source, what=what)
    df = _read_with_pyarrow(handle) if fast else None
    try:
        if df is None:
            if not isinstance(handle, str):
                handle.seek(0)
            df = pd.read_csv(
                handle,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                encoding="utf-8-sig",
                skipinitialspace=False,
            )
    except pd.errors.EmptyDataError:
        raise ValidationError(f"{name}: the {empty_what} is empty") from None
    except UnicodeDecodeError:
        raise ValidationError(f"{name}: not a CSV text file (it is not UTF-8 text)") from None
    except pd.errors.ParserError as exc:
        reason = _parser_reason(exc, header_fields=_header_fields(handle))
        raise ValidationError(f"{name}: not a readable CSV{reason}") from None
    except OSError as exc:
        raise ValidationError(f"{name}: cannot read ({exc.strerror or exc})") from None
    if not isinstance(df.index, pd.RangeIndex):
        df = _one_field_more(name, df)
    return name, df


def _one_field_more(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Every data row has one field more than the header: pandas made the first a row label.

    When the extra field is empty in every row (a comma at the end of each data line) the
    rows are read as the header says; otherwise the columns would be shifted, so the file
    is refused.
    """
    header = list(df.columns)
    # field 1 went to the row labels, field k+1 to column k, the extra last field to the last
    if header and (df[header[-1]] == "").all():
        fields = [df.index.to_numpy(dtype=object), *(df[col].to_numpy() for col in header[:-1])]
        return pd.DataFrame(dict(zip(header, fields, strict=True)), index=pd.RangeIndex(len(df)))
    raise ValidationError(
        f"{name}: not a readable CSV: every data line has {len(header) + 1} fields but the "
        f"header has {len(header)} (a column name missing from the first line?)"
    )


def _open(source: CsvSource, *, what: str = "file") -> tuple[str, str | IO[bytes]]:
    if isinstance(source, tuple):
        name, data = source
        if b"\x00" in data[:4096]:
            raise ValidationError(f"{name}: not a CSV text file (it contains binary data)")
        return name, io.BytesIO(data)
    p = Path(source)
    if not p.is_file():
        raise ValidationError(f"{p}: no such {what}")
    with p.open("rb") as fh:
        if b"\x00" in fh.read(4096):
            raise ValidationError(f"{p.name}: not a CSV text file (it contains binary data)")
    return p.name, str(p)


def _read_with_pyarrow(handle: str | IO[bytes]) -> pd.DataFrame | None:
    """Every value as text with pyarrow's parser (several times faster), or ``None``.

    For a well-formed file pyarrow gives the same frame as pandas' C parser. Anything it
    does not read cleanly (ragged rows, text that is not UTF-8, pyarrow not installed) is
    left to the C parser, whose result and error messages are the reference.
    """
    try:
        return pd.read_csv(handle, engine="pyarrow", dtype=str, keep_default_na=False)
    except Exception:  # any failure: the C parser reads the file (or reports the problem)
        return None


#: pandas' parsers: ``Expected 3 fields in line 31, saw 5`` (C engine after "C error: ").
_PANDAS_FIELDS_RE = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
#: pyarrow: ``CSV parse error: [Row #31: ]Expected 3 columns, got 5: <the row's text>``.
_ARROW_FIELDS_RE = re.compile(r"(?:Row #(\d+): )?Expected (\d+) columns, got (\d+)")
#: pandas' C parser: ``EOF inside string starting at row 30`` (0-based, header = row 0).
_OPEN_QUOTE_RE = re.compile(r"EOF inside string starting at row (\d+)")
_LIBRARY_PREFIXES = ("Error tokenizing data. C error: ", "CSV parse error: ")


def _parser_reason(exc: BaseException, *, header_fields: int | None = None) -> str:
    """Plain-English reason a CSV parser refused a file, to follow ``"<name>: not a readable CSV"``.

    Knows pandas' C and Python parsers and pyarrow's; lines are counted as pandas counts
    them (header = line 1, blank lines included, a quoted value over several lines counts
    once). The text of the offending row is never repeated (it may hold notes or an
    address). Anything else keeps the library's short reason without its prefix.

    Parameters
    ----------
    exc
        The parser's exception.
    header_fields
        Fields in the file's header line, when known; said instead of the parser's
        expectation when the two agree.

    """
    text = str(exc)
    if m := _PANDAS_FIELDS_RE.search(text):
        expected, line, saw = int(m[1]), int(m[2]), int(m[3])
        return _fields_reason(f"line {line}", saw, expected, header_fields)
    if m := _ARROW_FIELDS_RE.search(text):
        where = f"line {m[1]}" if m[1] else "a line"
        return _fields_reason(where, int(m[3]), int(m[2]), header_fields)
    if m := _OPEN_QUOTE_RE.search(text):
        return f': a quote (") opened on line {int(m[1]) + 1} is never closed'
    reason = _first_line(exc)
    for prefix in _LIBRARY_PREFIXES:
        reason = reason.removeprefix(prefix)
    return f" ({reason.strip().rstrip('.')})"


def _fields_reason(where: str, saw: int, expected: int, header_fields: int | None) -> str:
    """``": line 31 has 5 fields but the header has 3 (...)"``."""
    if header_fields is None or header_fields == expected:
        than = f"the header has {expected}"
    else:  # pandas took the extra first field(s) of the first data line as row labels
        than = f"{expected} were expected and the header has {header_fields}"
    hint = "is it really a comma-separated file?"
    if saw > expected:
        hint += " A value that contains a comma must be in double quotes"
    return f": {where} has {saw} field{'s' if saw != 1 else ''} but {than} ({hint})"


def _header_fields(handle: str | IO[bytes], *, limit_bytes: int = 1 << 16) -> int | None:
    """Fields in the first non-blank line of a CSV, or ``None`` when that is not known."""
    try:
        if isinstance(handle, str):
            with open(handle, "rb") as fh:
                head = fh.read(limit_bytes)
        else:
            handle.seek(0)
            head = handle.read(limit_bytes)
    except OSError:
        return None
    text = head.decode("utf-8-sig", errors="replace")
    line = next((ln for ln in text.splitlines() if ln.strip()), None)
    if line is None or (len(head) == limit_bytes and "\n" not in text):
        return None
    return len(next(csv.reader([line])))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


#: The dtype a new frame gives a column of Python strings (``str`` in pandas 3).
_TEXT_DTYPE = pd.Series(np.array([""], dtype=object)).dtype

Column = np.ndarray | ExtensionArray


def _col(df: pd.DataFrame, name: str) -> Column:
    """A column as text values for a new frame (``""`` when the file lacks it).

    Gives the frame what ``to_numpy(dtype=object)`` would, without turning millions of
    values into Python strings when the column already has the frame's text dtype.
    """
    if name in df.columns:
        s = df[name]
        if len(s) and s.dtype == _TEXT_DTYPE and not s.hasnans:
            same: ExtensionArray = s.array
            return same
        out: np.ndarray = s.to_numpy(dtype=object)
        return out
    return _const(len(df), "")


def _objects(df: pd.DataFrame, name: str) -> np.ndarray:
    """A column as an object array of Python strings (``""`` when the file lacks it)."""
    return np.asarray(_col(df, name), dtype=object)


def _const(n: int, value: str) -> Column:
    """``n`` copies of ``value``, as ``np.full(n, value, dtype=object)`` would fill a frame."""
    if n == 0:
        return np.full(0, value, dtype=object)
    return pd.Series([value], dtype=_TEXT_DTYPE).repeat(n).array


def _frame(df: pd.DataFrame, name: str, kind: str, values: dict[str, object]) -> pd.DataFrame:
    n = len(df)
    data: dict[str, object] = {
        c.SOURCE_FILE: _const(n, name),
        c.ROW: np.arange(2, n + 2, dtype="int64"),
        c.SOURCE_KIND: _const(n, kind),
    }
    data.update(values)
    out = pd.DataFrame(data)
    return out[list(c.RAW_COLUMNS)]


def _police_uk(df: pd.DataFrame, name: str) -> pd.DataFrame:
    return _frame(
        df,
        name,
        "police.uk",
        {
            c.RAW_ID: _col(df, "Crime ID"),
            c.RAW_DATE: _col(df, "Month"),
            c.RAW_CATEGORY: _col(df, "Crime type"),
            c.RAW_X: _col(df, "Longitude"),
            c.RAW_Y: _col(df, "Latitude"),
            c.XY_CRS: _const(len(df), "EPSG:4326"),
            c.LOCATION: _col(df, "Location"),
            c.LSOA_CODE: _col(df, "LSOA code"),
            c.OUTCOME: _col(df, "Last outcome category"),
            c.REPORT_SOURCE: _const(len(df), ""),
            c.NOTES: _col(df, "Context"),
        },
    )


def _local(df: pd.DataFrame, name: str) -> pd.DataFrame:
    has_ll = {"longitude", "latitude"} <= set(df.columns)
    has_en = {"easting", "northing"} <= set(df.columns)
    if not has_ll and not has_en:
        raise ValidationError(
            f"{name}: local incident CSV needs longitude and latitude columns "
            "(or easting and northing in EPSG:27700)"
        )
    n = len(df)
    lon, lat = _objects(df, "longitude"), _objects(df, "latitude")
    east, north = _objects(df, "easting"), _objects(df, "northing")
    if has_ll and has_en:
        use_en = (pd.Series(lon).str.strip() == "") & (pd.Series(east).str.strip() != "")
        use = use_en.to_numpy()
    else:
        use = np.full(n, has_en and not has_ll)
    return _frame(
        df,
        name,
        "local",
        {
            c.RAW_ID: _col(df, "id"),
            c.RAW_DATE: _col(df, "date"),
            c.RAW_CATEGORY: _col(df, "category"),
            c.RAW_X: np.where(use, east, lon),
            c.RAW_Y: np.where(use, north, lat),
            c.XY_CRS: np.where(use, "EPSG:27700", "EPSG:4326").astype(object),
            c.LOCATION: _col(df, "location"),
            c.LSOA_CODE: np.full(n, "", dtype=object),
            c.OUTCOME: np.full(n, "", dtype=object),
            c.REPORT_SOURCE: _col(df, "source"),
            c.NOTES: _col(df, "notes"),
        },
    )

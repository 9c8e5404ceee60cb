"""One incident CSV (police.uk or local) into the raw incident frame, every value as text."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray
from pandas.api.types import union_categoricals

from geo import columns as c
from geo._arrays import TEXT_DTYPE
from geo.errors import ValidationError
from geo.io.csv_reader import CsvSource, read_text_csv

__all__ = [
    "LOCAL_OPTIONAL",
    "LOCAL_REQUIRED",
    "POLICE_UK_COLUMNS",
    "POLICE_UK_REQUIRED",
    "REPEATED_TEXT",
    "concat_raw",
    "read_incident_csv",
    "read_incident_csv_encoded",
]

#: Raw text columns whose values repeat across rows (one file name, source kind and CRS per
#: file; police.uk's map point names, LSOAs and outcomes): held as ``category`` columns,
#: each distinct text stored once, with sorted categories so that sorting and comparing
#: follow the text. The other text columns (ids, dates, categories, coordinates) are
#: ``str``.
REPEATED_TEXT: tuple[str, ...] = (
    c.SOURCE_FILE,
    c.SOURCE_KIND,
    c.XY_CRS,
    c.LOCATION,
    c.LSOA_CODE,
    c.OUTCOME,
    c.REPORT_SOURCE,
    c.NOTES,
)

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
        (file name), ``row`` (int, spreadsheet row, header = 1), ``source_kind``
        (``police.uk``/``local``), ``raw_id``, ``raw_date``, ``raw_category``, ``raw_x``,
        ``raw_y`` (text as written), ``xy_crs`` (``EPSG:4326`` or ``EPSG:27700``),
        ``location``, ``lsoa_code``, ``outcome``, ``report_source``, ``notes`` (text). The
        columns of :data:`REPEATED_TEXT` are ``category`` (sorted categories), the other
        text columns ``str``.

    Raises
    ------
    ValidationError
        When the file cannot be read, is empty, is not CSV text, or lacks columns.

    """
    return _categorical(read_incident_csv_encoded(source))


def read_incident_csv_encoded(source: CsvSource) -> pd.DataFrame:
    """:func:`read_incident_csv` with repeated text as pyarrow read it, for :func:`concat_raw`.

    The columns of :data:`REPEATED_TEXT` are ``category`` or, when pyarrow parsed them,
    dictionary-encoded Arrow text; :func:`concat_raw` joins either kind into ``category``
    columns over one sorted dictionary, so many files are sorted and checked once.
    """
    name, df = read_text_csv(
        source, fast=True, fast_columns=_police_uk_columns, fast_categorical=_POLICE_UK_REPEATED
    )
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


#: The police.uk columns the raw frame is made of (the others are not read).
_POLICE_UK_USED: frozenset[str] = frozenset(
    (*POLICE_UK_REQUIRED, "Location", "LSOA code", "Last outcome category", "Context")
)


#: The police.uk columns that become :data:`REPEATED_TEXT` columns (read as categoricals).
_POLICE_UK_REPEATED: frozenset[str] = frozenset(
    ("Location", "LSOA code", "Last outcome category", "Context")
)


def _police_uk_columns(header: list[str]) -> list[str] | None:
    """The header names of a police.uk file that :func:`_police_uk` reads; ``None`` otherwise.

    Names are compared without surrounding spaces, as :func:`read_incident_csv` compares them.
    """
    names = {col.strip() for col in header}
    if not set(POLICE_UK_REQUIRED) <= names:
        return None
    return [col for col in header if col.strip() in _POLICE_UK_USED]


Column = np.ndarray | ExtensionArray


def _col(df: pd.DataFrame, name: str) -> Column:
    """A column as text values for a new frame (``""`` when the file lacks it).

    Gives the frame what ``to_numpy(dtype=object)`` would, without turning millions of
    values into Python strings when the column already has the frame's text dtype.
    """
    if name in df.columns:
        s = df[name]
        if _is_dictionary(s.dtype):  # read dictionary-encoded: no missing values
            encoded: ExtensionArray = s.array
            return encoded
        if len(s) and s.dtype == TEXT_DTYPE and not s.hasnans:
            same: ExtensionArray = s.array
            return same
        out: np.ndarray = s.to_numpy(dtype=object)
        return out
    return _const(len(df), "")


def _const(n: int, value: str) -> Column:
    """``n`` copies of ``value``, as ``np.full(n, value, dtype=object)`` would fill a frame."""
    if n == 0:
        return np.full(0, value, dtype=object)
    return pd.Series([value], dtype=TEXT_DTYPE).repeat(n).array


def _frame(df: pd.DataFrame, name: str, kind: str, values: dict[str, object]) -> pd.DataFrame:
    n = len(df)
    data: dict[str, object] = {
        c.SOURCE_FILE: _same(n, name),
        c.ROW: np.arange(2, n + 2, dtype="int64"),
        c.SOURCE_KIND: _same(n, kind),
    }
    data.update(values)
    for col in REPEATED_TEXT:
        data[col] = _repeated(data[col])
    out = pd.DataFrame(data)
    return out[list(c.RAW_COLUMNS)]


def _same(n: int, value: str) -> pd.Categorical:
    """``n`` copies of ``value`` as a categorical column: one category, a zero byte per row."""
    dtype = pd.CategoricalDtype(pd.Index([value], dtype=TEXT_DTYPE))
    out: pd.Categorical = pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), dtype=dtype)
    return out


def _repeated(values: object) -> pd.Categorical | ExtensionArray:
    """Text values as a categorical with sorted categories (each distinct text held once).

    Dictionary-encoded Arrow text is left as it is (:func:`_categorical` turns it into one).
    """
    if isinstance(values, pd.Categorical):
        return values
    if isinstance(values, ExtensionArray) and _is_dictionary(values.dtype):
        return values
    text = pd.Series(values, dtype=TEXT_DTYPE)
    return pd.Categorical(text)


def _is_dictionary(dtype: object) -> bool:
    """Whether ``dtype`` is dictionary-encoded Arrow data (``pd.ArrowDtype(pa.dictionary)``)."""
    import pyarrow as pa

    return isinstance(dtype, pd.ArrowDtype) and pa.types.is_dictionary(dtype.pyarrow_dtype)


def _categorical(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with its dictionary-encoded Arrow columns as ``category`` (sorted categories)."""
    for col in df.columns:
        if _is_dictionary(df[col].dtype):
            df[col] = _joined_categorical([df[col].array])
    return df


def _joined_categorical(parts: list[ExtensionArray]) -> pd.Categorical:
    """Categoricals and dictionary-encoded Arrow text, one after the other, as one categorical.

    The categories are the union of the parts' categories (unused ones kept), sorted as
    Python sorts ``str`` (UTF-8 bytes sort as code points do); missing values stay missing.
    The union is made by pyarrow on the dictionaries, so each distinct text is hashed once
    per part and the pandas categories are built and checked once.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = pa.dictionary(pa.int32(), pa.string())
    chunks: list[pa.Array] = []
    for part in parts:
        arrow = pa.array(part)  # a ChunkedArray for Arrow data, an Array for a categorical
        for chunk in arrow.chunks if isinstance(arrow, pa.ChunkedArray) else [arrow]:
            # indices and values cast apart: a cast of an empty array drops its dictionary
            chunks.append(
                pa.DictionaryArray.from_arrays(
                    chunk.indices.cast(pa.int32()), chunk.dictionary.cast(pa.string())
                )
            )
    # pyarrow's union skips the dictionaries of empty chunks: theirs are added after it
    joined = pa.chunked_array([ch for ch in chunks if len(ch)], type=kind).unify_dictionaries()
    if joined.num_chunks:
        values = joined.chunk(0).dictionary
        codes = np.concatenate([np.asarray(ch.indices.fill_null(-1)) for ch in joined.chunks])
    else:
        values = pa.array([], type=pa.string())
        codes = np.zeros(0, dtype=np.int32)
    if unused := [ch.dictionary for ch in chunks if not len(ch) and len(ch.dictionary)]:
        values = pc.unique(pa.concat_arrays([values, *unused]))  # first ones keep their place
    order = np.asarray(pc.array_sort_indices(values), dtype=np.int64)
    rank = np.empty(len(order) + 1, dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    rank[-1] = -1  # a missing value (code -1) stays missing
    categories = pd.Index(pd.array(values.take(pa.array(order)), dtype=TEXT_DTYPE))
    out: pd.Categorical = pd.Categorical.from_codes(
        rank[codes], dtype=pd.CategoricalDtype(categories)
    )
    return out


def concat_raw(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Raw frames one after the other (index renumbered), keeping their ``category`` columns.

    ``pd.concat`` turns categoricals with different categories into plain text (a Python
    string per row); here each such column is joined over the union of the categories,
    sorted, so the result has the memory of the parts. Parts read by
    :func:`read_incident_csv_encoded` may hold dictionary-encoded Arrow text instead; the
    result has ``category`` columns.

    Empty frames add no rows, only their categories: their other columns are left out of
    the join, since an empty column can carry another dtype than a full one.

    Parameters
    ----------
    frames
        Frames with the same columns (e.g. :func:`read_incident_csv` results).

    """
    rows = [f for f in frames if len(f)] or frames[:1]
    cats = [col for col in rows[0].columns if all(_is_categorical(f[col].dtype) for f in rows)]
    if len(rows) == 1:
        out = rows[0].drop(columns=cats).reset_index(drop=True)
    else:
        out = pd.concat([f.drop(columns=cats) for f in rows], ignore_index=True)
    for col in cats:
        parts = [f[col].array for f in frames if col in f.columns and _is_categorical(f[col].dtype)]
        if all(_is_text_categorical(part.dtype) for part in parts):
            out[col] = _joined_categorical(parts)
        else:  # categories that are not text (none of the raw columns): pandas joins them
            out[col] = union_categoricals(parts, sort_categories=True)
    return out[list(rows[0].columns)]


def _is_categorical(dtype: object) -> bool:
    """A ``category`` dtype, or dictionary-encoded Arrow text (from pyarrow's reader)."""
    return isinstance(dtype, pd.CategoricalDtype) or _is_dictionary(dtype)


def _is_text_categorical(dtype: object) -> bool:
    """Dictionary-encoded Arrow data, or a ``category`` dtype whose categories are text."""
    if isinstance(dtype, pd.CategoricalDtype):
        return pd.api.types.is_string_dtype(dtype.categories.dtype)
    return _is_dictionary(dtype)


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
            c.XY_CRS: _same(len(df), "EPSG:4326"),
            c.LOCATION: _col(df, "Location"),
            c.LSOA_CODE: _col(df, "LSOA code"),
            c.OUTCOME: _col(df, "Last outcome category"),
            c.REPORT_SOURCE: _same(len(df), ""),
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
    if has_ll and has_en:
        no_lon = pd.Series(_col(df, "longitude")).str.strip() == ""
        use_en = (no_lon & (pd.Series(_col(df, "easting")).str.strip() != "")).to_numpy()
    else:
        use_en = np.full(n, has_en)
    return _frame(
        df,
        name,
        "local",
        {
            c.RAW_ID: _col(df, "id"),
            c.RAW_DATE: _col(df, "date"),
            c.RAW_CATEGORY: _col(df, "category"),
            c.RAW_X: _pick(use_en, _col(df, "easting"), _col(df, "longitude")),
            c.RAW_Y: _pick(use_en, _col(df, "northing"), _col(df, "latitude")),
            c.XY_CRS: _pick(use_en, _const(n, "EPSG:27700"), _const(n, "EPSG:4326")),
            c.LOCATION: _col(df, "location"),
            c.LSOA_CODE: _same(n, ""),
            c.OUTCOME: _same(n, ""),
            c.REPORT_SOURCE: _col(df, "source"),
            c.NOTES: _col(df, "notes"),
        },
    )


def _pick(use: np.ndarray, yes: Column, no: Column) -> Column:
    """Per row ``yes`` where ``use`` else ``no``, keeping the columns' text dtype.

    Local files are read like police.uk files: their text columns stay Arrow-backed
    instead of becoming millions of Python strings (a 1M-row file once ran out of memory).
    """
    if not use.any():
        return no
    if use.all():
        return yes
    picked: ExtensionArray = pd.Series(no).where(~use, pd.Series(yes)).array
    return picked

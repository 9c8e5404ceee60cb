"""Read any CSV with every value kept as text, turning every parser failure into a plain message."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Collection
from pathlib import Path
from typing import IO, Any

import pandas as pd

from geo._arrays import TEXT_DTYPE
from geo.errors import ValidationError

__all__ = ["CsvSource", "read_text_csv"]

CsvSource = str | Path | tuple[str, bytes]
"""A CSV path, or ``(display name, file bytes)`` for an upload."""


def read_text_csv(
    source: CsvSource,
    *,
    what: str = "file",
    empty_what: str = "file",
    fast: bool = False,
    fast_columns: Callable[[list[str]], Collection[str] | None] | None = None,
    fast_categorical: Collection[str] = (),
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
    fast_columns
        With ``fast``: given the header's names, the names the caller will use (``None``:
        all). pyarrow then converts only those columns (the frame has only them); a file
        left to the C parser is read whole.
    fast_categorical
        With ``fast_columns``: header names (compared without surrounding spaces) that
        pyarrow reads dictionary-encoded (values that repeat over many rows: each distinct
        text held once), as ``pd.ArrowDtype(pa.dictionary(pa.int32(), pa.string()))``
        columns. A file left to the C parser has them as ``str``; the values are the same
        either way.

    Returns
    -------
    tuple
        ``(file name, frame of text columns as written; header names unchanged)``: ``str``
        columns, and dictionary-encoded Arrow text for the ``fast_categorical`` ones pyarrow
        read.

    Raises
    ------
    ValidationError
        Missing, binary, non-UTF-8, empty or unparsable file.

    """
    name, handle = _open(source, what=what)
    header = _header_names(handle)
    _check_header_names(name, header)
    wanted = fast_columns(header) if fast and fast_columns is not None and header else None
    if wanted is not None:
        df = _read_columns_with_pyarrow(handle, wanted, fast_categorical)
    else:
        df = _read_with_pyarrow(handle) if fast else None
    try:
        if df is None:
            # pyarrow checks the text it reads is UTF-8; the C parser needs it checked first
            _check_utf8(name, handle)
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
        reason = parser_reason(exc, header_fields=_header_fields(handle))
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


def _check_utf8(name: str, handle: str | IO[bytes], *, chunk: int = 1 << 20) -> None:
    """Refuse text that is not UTF-8 before any parser starts (streamed, 1 MiB at a time).

    Such a file once reached pyarrow, whose reader threads were still reading when the
    C parser refused it; the process then aborted on exit instead of returning 2.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        if isinstance(handle, str):
            with open(handle, "rb") as fh:
                while block := fh.read(chunk):
                    decoder.decode(block)
        else:
            handle.seek(0)
            while block := handle.read(chunk):
                decoder.decode(block)
            handle.seek(0)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise ValidationError(f"{name}: not a CSV text file (it is not UTF-8 text)") from None
    except OSError as exc:
        raise ValidationError(f"{name}: cannot read ({exc.strerror or exc})") from None


def _read_columns_with_pyarrow(
    handle: str | IO[bytes], columns: Collection[str], categorical: Collection[str] = ()
) -> pd.DataFrame | None:
    """The named columns as text straight from pyarrow's reader, or ``None``.

    Gives what :func:`_read_with_pyarrow` gives for those columns without pandas' reader
    in between (no Python string per value): ``str`` columns backed by the Arrow buffers,
    and the ``categorical`` ones as the dictionary-encoded Arrow columns pyarrow builds
    while parsing (``pd.ArrowDtype(pa.dictionary(pa.int32(), pa.string()))``). Empty
    fields are ``""``; a UTF-8 byte order mark is skipped, blank lines too, as the C
    parser does. ``categorical`` names are compared without surrounding spaces. Text that
    is not UTF-8 in a column read fails here (then the file is checked and refused);
    columns not read are not looked at. ``columns`` are header names as written, each once
    (a header that names a column twice is refused before any read).
    """
    names = list(columns)
    repeated = {n for n in names if n.strip() in categorical}
    try:
        import pyarrow as pa
        import pyarrow.csv as pa_csv

        dictionary = pa.dictionary(pa.int32(), pa.string())
        convert = pa_csv.ConvertOptions(
            include_columns=names,
            column_types={n: dictionary if n in repeated else pa.large_string() for n in names},
            strings_can_be_null=False,
        )
        # 4 MiB blocks (not 1): fewer dictionaries to join, still a block per thread
        read = pa_csv.ReadOptions(block_size=1 << 22)
        if isinstance(handle, str):
            with pa.memory_map(handle) as stream:
                table = pa_csv.read_csv(stream, read_options=read, convert_options=convert)
        else:
            handle.seek(0)
            buffer = pa.BufferReader(handle.read())
            table = pa_csv.read_csv(buffer, read_options=read, convert_options=convert)
        if table.column_names != names:
            return None
        data = {
            n: _dictionary(table.column(n)) if n in repeated else _text(table.column(n))
            for n in names
        }
        return pd.DataFrame(data, index=pd.RangeIndex(table.num_rows))
    except Exception:  # any failure: the C parser reads the file (or reports the problem)
        return None


def _text(column: Any) -> pd.api.extensions.ExtensionArray:
    """An Arrow string column (a ``ChunkedArray``) as a ``str`` array on the same buffers."""
    out: pd.api.extensions.ExtensionArray = pd.array(column, dtype=TEXT_DTYPE)
    return out


def _dictionary(column: Any) -> pd.api.extensions.ExtensionArray:
    """An Arrow dictionary column (a ``ChunkedArray``) as is, wrapped for a pandas frame."""
    out: pd.api.extensions.ExtensionArray = pd.arrays.ArrowExtensionArray(column)
    return out


def _read_with_pyarrow(handle: str | IO[bytes]) -> pd.DataFrame | None:
    """Every value as text with pyarrow's parser (several times faster), or ``None``.

    For a well-formed file pyarrow gives the same frame as pandas' C parser. Anything it
    does not read cleanly (ragged rows, pyarrow not installed) is left to the C parser,
    whose result and error messages are the reference. pyarrow reads a memory map or an
    in-memory buffer, never a Python file object: its reader threads then never wait for
    the interpreter, which may be shutting down once the C parser has refused the file.
    """
    try:
        import pyarrow as pa

        if isinstance(handle, str):
            with pa.memory_map(handle) as stream:
                return pd.read_csv(stream, engine="pyarrow", dtype=str, keep_default_na=False)
        handle.seek(0)
        buffer = pa.BufferReader(handle.read())
        return pd.read_csv(buffer, engine="pyarrow", dtype=str, keep_default_na=False)
    except Exception:  # any failure: the C parser reads the file (or reports the problem)
        return None


#: pandas' parsers: ``Expected 3 fields in line 31, saw 5`` (C engine after "C error: ").
_PANDAS_FIELDS_RE = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
#: pyarrow: ``CSV parse error: [Row #31: ]Expected 3 columns, got 5: <the row's text>``.
_ARROW_FIELDS_RE = re.compile(r"(?:Row #(\d+): )?Expected (\d+) columns, got (\d+)")
#: pandas' C parser: ``EOF inside string starting at row 30`` (0-based, header = row 0).
_OPEN_QUOTE_RE = re.compile(r"EOF inside string starting at row (\d+)")
_LIBRARY_PREFIXES = ("Error tokenizing data. C error: ", "CSV parse error: ")


def parser_reason(exc: BaseException, *, header_fields: int | None = None) -> str:
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
    reason = first_line(exc)
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


def _check_header_names(name: str, header: list[str] | None) -> None:
    """Refuse a header that names a column twice (case and surrounding spaces ignored).

    A parser would quietly rename the second (``date.1``) and the first would be used,
    whichever the person meant.
    """
    if not header:
        return
    seen: dict[str, int] = {}
    for i, col in enumerate(header, start=1):
        key = col.strip().casefold()
        if not key:
            continue
        if key in seen:
            shown = col.strip()[:40]
            raise ValidationError(
                f"{name}: the header names column {shown!r} twice (columns {seen[key]} and "
                f"{i}); each column name must appear once"
            )
        seen[key] = i


def _header_fields(handle: str | IO[bytes], *, limit_bytes: int = 1 << 16) -> int | None:
    """Fields in the first non-blank line of a CSV, or ``None`` when that is not known."""
    names = _header_names(handle, limit_bytes=limit_bytes)
    return None if names is None else len(names)


def _header_names(handle: str | IO[bytes], *, limit_bytes: int = 1 << 16) -> list[str] | None:
    """The names in the first non-blank line of a CSV, or ``None`` when that is not known."""
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
    try:
        return next(csv.reader([line]))
    except csv.Error:  # e.g. a NUL byte: the parser reports the file
        return None


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (its type name when the message is empty)."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__

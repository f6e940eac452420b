"""Turning a source (file path, DataFrame, Arrow table) into a raw Arrow table.

CSV and TSV (optionally gzip-compressed) go through pyarrow's multithreaded CSV
reader, Parquet through pyarrow.parquet; pandas and polars DataFrames are converted
with their own Arrow exporters (neither library is imported here).
"""

from __future__ import annotations

import gzip
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..errors import InputError

__all__ = ["Source", "is_path", "source_name", "header", "read_raw", "to_arrow"]

Source = Any  # str | os.PathLike | pa.Table | pandas.DataFrame | polars.DataFrame

_PARQUET_SUFFIXES = {".parquet", ".pq", ".parq"}
#: Strings read as null in text files (the common ones among pyarrow's defaults).
#: "None" is not one: it is 2021's spelling of "no event", turned into null later.
_NULLS = ["", "NA", "N/A", "NULL", "null", "NaN", "nan", "#N/A", "n/a"]


def is_path(source: object) -> bool:
    return isinstance(source, (str, os.PathLike))


#: Schema metadata key naming the file a table was read from (so that a side file
#: read once and passed on as a table is still named in error messages).
SOURCE_KEY = b"ghosting.source"


def source_name(source: object) -> str:
    if is_path(source):
        return str(source)
    if isinstance(source, pa.Table) and SOURCE_KEY in (source.schema.metadata or {}):
        return source.schema.metadata[SOURCE_KEY].decode("utf-8", "replace")
    return f"<{type(source).__module__.split('.')[0]}.{type(source).__name__}>"


def _named(table: pa.Table, path: Path) -> pa.Table:
    meta = dict(table.schema.metadata or {})
    meta[SOURCE_KEY] = str(path).encode()
    return table.replace_schema_metadata(meta)


def _csv_error(path: Path, message: str, names: list[str]) -> InputError:
    """pyarrow's CSV message, with the column's name where it gives only its number.

    pyarrow names the row ("Row #2: ") in some reads of a file and not in others (a
    Dask worker's message had it where this process's did not), so the row number is
    left out: the same file gives the same message wherever it is read."""
    message = re.sub(r"Row #\d+: ", "", message)
    match = re.search(r"CSV column #(\d+)", message)
    if match and int(match.group(1)) < len(names):
        column = names[int(match.group(1))]
        return InputError(f"{path}: column {column!r}: cannot parse the file ({message})")
    return InputError(f"{path}: cannot parse the file ({message})")


def _is_parquet(path: Path) -> bool:
    return path.suffix.lower() in _PARQUET_SUFFIXES


def _opener(path: Path) -> Callable[..., Any]:
    with open(path, "rb") as fh:
        magic = fh.read(2)
    return gzip.open if magic == b"\x1f\x8b" else open


def _first_line(path: Path) -> str:
    try:
        with _opener(path)(path, "rt", encoding="utf-8", errors="replace") as fh:
            return fh.readline()
    except (OSError, EOFError) as exc:
        raise InputError(f"{path}: cannot read the file ({exc})") from exc


def _delimiter(line: str) -> str:
    return "\t" if line.count("\t") > line.count(",") else ","


def _split_header(line: str, delimiter: str) -> list[str]:
    names = line.lstrip("\ufeff").rstrip("\r\n").split(delimiter)  # a UTF-8 BOM, CRLF
    return [n.strip().strip('"') for n in names]


def header(source: Source) -> list[str]:
    """The column names of ``source`` without reading its rows."""
    if is_path(source):
        path = Path(source)
        if path.is_dir():
            raise InputError(f"{path}: is a folder, not a file; give the tracking files in it")
        if not path.is_file():
            raise InputError(f"{path}: no such file")
        if _is_parquet(path):
            try:
                return list(pq.read_schema(path).names)
            except (pa.ArrowException, OSError) as exc:
                raise InputError(f"{path}: not a readable Parquet file ({exc})") from exc
        line = _first_line(path)
        if not line.strip():
            raise InputError(f"{path}: the file is empty (no header line)")
        return _split_header(line, _delimiter(line))
    return list(to_arrow(source).column_names)


def to_arrow(source: Source) -> pa.Table:
    """An in-memory table (pyarrow, pandas or polars, a polars LazyFrame collected) as a
    pyarrow Table."""
    if isinstance(source, pa.Table):
        return source
    if isinstance(source, pa.RecordBatch):
        return pa.Table.from_batches([source])
    module = type(source).__module__.split(".")[0]
    if module == "pandas":
        return pa.Table.from_pandas(source, preserve_index=False)
    if module == "polars":
        if hasattr(source, "collect") and not hasattr(source, "to_arrow"):
            source = source.collect()  # a LazyFrame: run its query once, here
        return source.to_arrow()
    if hasattr(source, "__arrow_c_stream__"):
        return pa.table(source)
    raise InputError(
        f"cannot read tracking data from a {type(source).__name__}: pass a file path, "
        "a pyarrow Table, or a pandas/polars DataFrame (or polars LazyFrame)"
    )


def read_raw(
    source: Source,
    columns: Sequence[str] | None = None,
    column_types: dict[str, pa.DataType] | None = None,
) -> pa.Table:
    """Read ``source`` into a pyarrow Table, keeping only ``columns`` when given.

    ``column_types`` (source names) are forced in text files; in Parquet files the
    columns given a dictionary type are read dictionary-encoded.
    """
    if not is_path(source):
        table = to_arrow(source)
        return table.select(list(columns)) if columns is not None else table
    path = Path(source)
    if _is_parquet(path):
        try:
            dictionary = [k for k, v in (column_types or {}).items()
                          if pa.types.is_dictionary(v) and (columns is None or k in columns)]
            return _named(pq.read_table(path, columns=list(columns) if columns is not None
                                        else None, read_dictionary=dictionary or None), path)
        except (pa.ArrowException, OSError) as exc:
            raise InputError(f"{path}: cannot read the Parquet file ({exc})") from exc
    line = _first_line(path)
    delimiter = _delimiter(line)
    compression = "gzip" if _opener(path) is gzip.open else None
    types = {k: v for k, v in (column_types or {}).items() if columns is None or k in columns}
    convert = pacsv.ConvertOptions(
        include_columns=list(columns) if columns is not None else None,
        column_types=types,
        null_values=_NULLS,
        strings_can_be_null=True,
    )
    parse = pacsv.ParseOptions(delimiter=delimiter)
    read = pacsv.ReadOptions(block_size=1 << 24)
    try:
        stream = pa.input_stream(str(path), compression=compression)
        return _named(pacsv.read_csv(stream, read_options=read, parse_options=parse,
                                     convert_options=convert), path)
    except pa.ArrowInvalid as exc:
        message = str(exc)
        if "Empty CSV file" in message:
            raise InputError(f"{path}: the file is empty") from exc
        raise _csv_error(path, message, _split_header(line, delimiter)) from exc
    except (pa.ArrowException, OSError, EOFError) as exc:
        raise InputError(f"{path}: cannot read the file ({exc})") from exc

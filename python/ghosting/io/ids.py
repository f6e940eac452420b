"""Integer ids (game, play, player, frame) read exactly, as int64, from any column type.

Ids are int64 end to end (docs/run.md). Text files are read with their id
columns as text and parsed here, so no digit is lost on the way: ``2495469`` and
the ``2495469.0`` that re-saved files carry are both the integer 2495469, even
above 2**53 where a float64 would round. A float column (Parquet, a DataFrame)
gives its integral values up to 2**53, where float64 still holds every integer;
anything else (text such as ``abc``, ``1.5``, a value beyond int64, an integral
float above 2**53) is an :class:`~ghosting.InputError` naming the source, the
column and the first offending value.

>>> import pyarrow as pa
>>> parse_ids(pa.chunked_array([["33131.0", "9007199254740993", None]]), "f.csv",
...           "nflId").to_pylist()
[33131, 9007199254740993, None]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InputError

__all__ = ["parse_ids", "FLOAT_EXACT_LIMIT"]

#: Largest magnitude below which every integer is exactly a float64 (2**53).
FLOAT_EXACT_LIMIT = float(2**53)

_INTEGRAL_DECIMAL = r"^(-?[0-9]+)\.0*$"  # "33131.0" -> "33131"
_INTEGER = r"^-?[0-9]+$"


def _chunked(array: Any) -> pa.ChunkedArray:
    if isinstance(array, pa.ChunkedArray):
        return array
    return pa.chunked_array([array])


def _first_bad(values: pa.ChunkedArray, bad: Any) -> str:
    shown = values.filter(bad)
    return repr(shown[0].as_py()) if len(shown) else "?"


def _error(source: str, column: str, what: str) -> InputError:
    return InputError(f"{source}: column {column!r} must hold integer ids; {what}")


def _from_float(values: pa.ChunkedArray, source: str, column: str,
                shown: pa.ChunkedArray | None = None) -> pa.ChunkedArray:
    """Integral floats (up to 2**53) as int64; ``shown`` (the text they were parsed
    from, same length) names an offending value in the error."""
    values = pc.if_else(pc.is_nan(values), pa.scalar(None, values.type), values)
    data = values.to_numpy(zero_copy_only=False)
    with np.errstate(invalid="ignore"):
        ok = np.isnan(data) | (np.isfinite(data) & (np.floor(data) == data)
                               & (np.abs(data) <= FLOAT_EXACT_LIMIT))
    if not ok.all():
        first = int(np.flatnonzero(~ok)[0])
        value = float(data[first])
        text = repr(shown[first].as_py()) if shown is not None else repr(value)
        if np.isfinite(value) and np.floor(value) == value:
            what = (f"{text} is a float above 2**53, where digits are lost: "
                    "store ids as integers")
        else:
            what = f"{text} is not an integer"
        raise _error(source, column, what)
    return values.cast(pa.int64())


def _from_text(values: pa.ChunkedArray, source: str, column: str) -> pa.ChunkedArray:
    text = pc.utf8_trim_whitespace(values.cast(pa.string()))
    empty = pc.equal(pc.binary_length(text), 0)
    text = pc.if_else(empty, pa.scalar(None, pa.string()), text)
    try:
        return text.cast(pa.int64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    text = pc.replace_substring_regex(text, r"^\+", "")  # "+5": arrow parses "5" only
    text = pc.replace_substring_regex(text, _INTEGRAL_DECIMAL, r"\1")
    integer = pc.fill_null(pc.match_substring_regex(text, _INTEGER), True)
    if not pc.all(integer).as_py():
        # scientific notation of an integral float ("2.495469e+06"): exact up to 2**53
        rest = pc.invert(integer)
        try:
            as_float = text.filter(rest).cast(pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            as_float = None
        if as_float is None:
            raise _error(source, column, f"{_first_bad(values, rest)} is not an integer")
        parsed = _from_float(as_float, source, column, values.filter(rest))
        text = pc.if_else(integer, text, _spread(parsed, rest))
    try:
        return text.cast(pa.int64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise _error(source, column, f"a value lies beyond the int64 range ({exc})") from exc


def _spread(parsed: pa.ChunkedArray, where: Any) -> pa.Array:
    """``parsed`` (one value per True of ``where``) as text at those positions."""
    mask = np.asarray(pc.fill_null(where, False).to_numpy(zero_copy_only=False), dtype=bool)
    out = np.full(len(mask), None, dtype=object)
    out[mask] = [None if v is None else str(v) for v in parsed.to_pylist()]
    return pa.array(out, pa.string())


def parse_ids(array: Any, source: str, column: str) -> pa.ChunkedArray:
    """``array`` (integer, float or text ids; nulls allowed) as exact int64 ids.

    Parameters
    ----------
    array : pyarrow Array or ChunkedArray
        The id column as read: integers, floats or text (``""``/null are null).
    source, column : str
        The file (or table) and column, named in errors.

    Raises
    ------
    InputError
        A value is not an integer id (text, a fraction, out of the int64 range).

    >>> import pyarrow as pa
    >>> parse_ids(pa.array([1.0, float("nan")]), "t", "gameId").to_pylist()
    [1, None]
    """
    values = _chunked(array)
    typ = values.type
    if pa.types.is_dictionary(typ):
        values = values.cast(typ.value_type)
        typ = values.type
    if pa.types.is_null(typ):
        return values.cast(pa.int64())
    if pa.types.is_integer(typ):
        try:
            return values.cast(pa.int64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise _error(source, column, f"a value lies beyond the int64 range ({exc})") from exc
    if pa.types.is_floating(typ):
        return _from_float(values.cast(pa.float64()), source, column)
    if pa.types.is_decimal(typ):  # exact digits: through their text, never a float
        return _from_text(values.cast(pa.string()), source, column)
    if pa.types.is_string(typ) or pa.types.is_large_string(typ):
        return _from_text(values, source, column)
    raise _error(source, column, f"its type is {typ}")

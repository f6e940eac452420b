"""numpy views of one table's columns, each converted once (a leaf module: the pass
windows, the pass plays and the pipeline share one :class:`Columns` per batch)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ._util import run_starts

__all__ = ["Columns"]


def _np(column: pa.ChunkedArray | pa.Array, dtype: Any = None, fill: Any = None) -> np.ndarray:
    """A column as a numpy array (nulls replaced by ``fill`` when given; never use a
    fill for ids: use a validity mask, any integer can be a real id)."""
    if fill is not None:
        column = pc.fill_null(column, fill)
    out = column.to_numpy(zero_copy_only=False)
    return out if dtype is None else out.astype(dtype, copy=False)


def _plain(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A dictionary-encoded column decoded (string work wants the values)."""
    return column.cast(column.type.value_type) if pa.types.is_dictionary(column.type) else column


class Columns:
    """numpy arrays of one table's columns, each converted once (a batch's steps ask
    for the same columns again and again). The arrays are read-only: copy before
    changing one."""

    def __init__(self, table: pa.Table) -> None:
        self.table = table
        self._cache: dict[tuple[Any, ...], Any] = {}

    def _keep(self, key: tuple[Any, ...], out: np.ndarray) -> np.ndarray:
        out.flags.writeable = False
        self._cache[key] = out
        return out

    def get(self, name: str, dtype: Any, fill: Any = None) -> np.ndarray:
        """``_np(table[name], dtype, fill)``, converted on the first call only."""
        key = ("get", name, np.dtype(dtype).str, fill)
        out = self._cache.get(key)
        return out if out is not None else self._keep(key, _np(self.table[name], dtype, fill))

    def equals(self, name: str, value: str) -> np.ndarray:
        """True where the column ``name`` equals ``value`` (False at nulls)."""
        key = ("equals", name, value)
        out = self._cache.get(key)
        if out is not None:
            return out
        hit = pc.fill_null(pc.equal(_plain(self.table[name]), value), False)
        return self._keep(key, _np(hit, bool))

    def isin(self, name: str, values: tuple[str, ...]) -> np.ndarray:
        """True where the column ``name`` is one of ``values`` (False at nulls)."""
        key = ("isin", name, tuple(sorted(values)))
        out = self._cache.get(key)
        if out is not None:
            return out
        hit = pc.is_in(_plain(self.table[name]), value_set=pa.array(sorted(values)))
        return self._keep(key, _np(pc.fill_null(hit, False), bool))

    def valid(self, name: str) -> np.ndarray:
        """True where the column ``name`` is not null."""
        key = ("valid", name)
        out = self._cache.get(key)
        if out is not None:
            return out
        column = self.table[name]
        if not column.null_count:
            return self._keep(key, np.ones(len(column), dtype=bool))
        return self._keep(key, _np(pc.is_valid(column), bool))

    def valid_rows(self, name: str) -> np.ndarray:
        """The (int64) indices of the rows where the column ``name`` is not null."""
        key = ("valid_rows", name)
        out = self._cache.get(key)
        if out is not None:
            return out
        column = self.table[name]
        if not column.null_count:
            return self._keep(key, np.arange(len(column), dtype=np.int64))
        rows = pc.indices_nonzero(pc.is_valid(column))
        return self._keep(key, _np(rows, np.int64))

    def runs(self, *names: str) -> np.ndarray:
        """:func:`run_starts` of the int64 columns ``names``."""
        key = ("runs", *names)
        out = self._cache.get(key)
        if out is not None:
            return out
        return self._keep(key, run_starts(*(self.get(n, np.int64) for n in names)))

    def run_index(self, *names: str) -> np.ndarray:
        """Per row, the index of its run of :meth:`runs` ``(*names)``."""
        key = ("run_index", *names)
        out = self._cache.get(key)
        if out is not None:
            return out
        starts = self.runs(*names)
        return self._keep(key, np.repeat(np.arange(len(starts) - 1), np.diff(starts)))

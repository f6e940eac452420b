"""numpy views of one table's columns, each converted once (a leaf module: the pass
windows, the pass plays and the pipeline share one :class:`Columns` per batch)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import _core
from ._util import run_starts

__all__ = ["Columns", "string_codes"]


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
        #: Set once the table is known sorted by (game_id, play_id, nfl_id, frame_id)
        #: (``ghosting.plays.pass_plays`` checks): :meth:`rows_at` relies on it.
        self.sorted_keys = False
        #: (parent, keep) when this table is the parent's rows where ``keep`` (:meth:`kept`)
        self._parent: tuple[Columns, np.ndarray] | None = None

    def _keep(self, key: tuple[Any, ...], out: np.ndarray) -> np.ndarray:
        out.flags.writeable = False
        self._cache[key] = out
        return out

    def get(self, name: str, dtype: Any, fill: Any = None) -> np.ndarray:
        """``_np(table[name], dtype, fill)``, converted on the first call only."""
        key = ("get", name, np.dtype(dtype).str, fill)
        out = self._cache.get(key)
        return out if out is not None else self._keep(key, _np(self.table[name], dtype, fill))

    def codes(self, name: str) -> tuple[np.ndarray, list[Any]]:
        """The string column ``name`` dictionary-encoded: per row an integer code (-1 at
        nulls) into the distinct values, listed in the order they first appear (as
        ``pyarrow.compute.dictionary_encode`` lists them)."""
        key = ("codes", name)
        out = self._cache.get(key)
        if out is None:
            codes, values = string_codes(self.table[name])
            codes.flags.writeable = False
            out = self._cache[key] = (codes, values)
        return out

    def equals(self, name: str, value: str) -> np.ndarray:
        """True where the string column ``name`` equals ``value`` (False at nulls)."""
        return self.isin(name, (value,))

    def kept(self, table: pa.Table, keep: np.ndarray | None) -> Columns:
        """The :class:`Columns` of ``table``, which holds this table's rows where
        ``keep`` (a boolean mask; None: all of them, in order). Its string tests
        (:meth:`isin`, :meth:`equals`) come from this one's when it made them already,
        taken at the kept rows: the strings are not read a second time."""
        if table is self.table:
            return self
        if keep is None:  # the same rows (another schema's metadata): the same arrays
            if table.num_rows != self.table.num_rows:
                raise ValueError("Columns.kept: the tables differ in length")
            out = Columns(table)
            out._cache = self._cache
            out.sorted_keys = self.sorted_keys
            return out
        keep = np.asarray(keep, dtype=bool)
        if len(keep) != self.table.num_rows or int(keep.sum()) != table.num_rows:
            raise ValueError("Columns.kept: the mask does not match the tables")
        out = Columns(table)
        out.sorted_keys = self.sorted_keys  # rows kept in order: still sorted
        out._parent = (self, keep)
        return out

    def isin(self, name: str, values: tuple[str, ...]) -> np.ndarray:
        """True where the string column ``name`` is one of ``values`` (False at nulls)."""
        key = ("isin", name, tuple(sorted(values)))
        out = self._cache.get(key)
        if out is not None:
            return out
        if self._parent is not None and key in self._parent[0]._cache:
            parent, keep = self._parent
            return self._keep(key, parent._cache[key][keep])
        column = self.table[name]
        if 2 * column.null_count > len(column):  # mostly null (events): the others only
            rows, text = self.valid_values(name)
            hit = _np(pc.fill_null(pc.is_in(text, value_set=pa.array(sorted(values))), False),
                      bool)  # fmt: skip
            out = np.zeros(len(column), dtype=bool)
            out[rows[hit]] = True
            return self._keep(key, out)
        codes, dictionary = self.codes(name)
        chosen = set(values)
        wanted = [i for i, v in enumerate(dictionary) if v in chosen]
        if len(wanted) <= 1:  # one comparison of small codes beats a lookup
            out = codes == wanted[0] if wanted else np.zeros(len(codes), dtype=bool)
            return self._keep(key, out)
        lookup = np.zeros(len(dictionary) + 1, dtype=bool)  # the last entry: null (-1)
        lookup[wanted] = True
        return self._keep(key, _core.look_up_codes(codes, lookup))  # one pass for all

    def valid(self, name: str) -> np.ndarray:
        """True where the column ``name`` is not null."""
        key = ("valid", name)
        out = self._cache.get(key)
        if out is not None:
            return out
        column = self.table[name]
        if not column.null_count:
            return self._keep(key, np.ones(len(column), dtype=bool))
        encoded = self._cache.get(("codes", name))
        if encoded is not None:  # a string column encoded already: -1 is null
            return self._keep(key, encoded[0] >= 0)
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

    def valid_values(self, name: str) -> tuple[np.ndarray, pa.Array]:
        """:meth:`valid_rows` of the column ``name`` and its values there (decoded, when
        dictionary-encoded): a mostly null column's values in a small array."""
        key = ("valid_values", name)
        out = self._cache.get(key)
        if out is None:
            rows = self.valid_rows(name)
            # one take from the combined column: a mostly null column combines cheaply
            values = _plain(self.table[name]).combine_chunks().take(pa.array(rows))
            out = self._cache[key] = (rows, values)
        return out

    def take(self, names: list[str], rows: np.ndarray) -> pa.Table:
        """The columns ``names`` at ``rows``, taken record batch by record batch (one
        ``take`` per chunk of the table for all of them, not one per column)."""
        rows = np.asarray(rows, dtype=np.int64)
        batches = self.table.select(names).to_batches()
        if len(batches) <= 1:
            return self.table.select(names).take(pa.array(rows))
        bounds = np.zeros(len(batches) + 1, dtype=np.int64)
        np.cumsum([b.num_rows for b in batches], out=bounds[1:])
        which = np.searchsorted(bounds, rows, side="right") - 1
        order = np.argsort(which, kind="stable")
        cuts = np.searchsorted(which[order], np.arange(len(batches) + 1))
        parts = [
            batches[k].take(pa.array(rows[order[cuts[k]:cuts[k + 1]]] - bounds[k]))
            for k in range(len(batches)) if cuts[k + 1] > cuts[k]
        ]
        out = pa.Table.from_batches(parts, schema=batches[0].schema)
        if np.any(order[1:] < order[:-1]):  # back to the order asked for
            inverse = np.empty_like(order)
            inverse[order] = np.arange(len(order))
            out = out.take(pa.array(inverse))
        return out

    def firsts(self, names: list[str], *keys: str) -> pa.Table:
        """The columns ``names`` at the first row of each run of ``keys`` (:meth:`runs`):
        each column taken once per table (the pass plays and the run's context read the
        plays' and the tracks' values), the missing ones in one :meth:`take`."""
        missing = [n for n in names if ("firsts", n, keys) not in self._cache]
        if missing:
            starts = self.runs(*keys)[:-1]
            if len(starts) <= 3 * self.table[missing[0]].num_chunks:
                # few runs over many chunks (a batch's plays): a one-row slice per run
                # costs less than a take per chunk
                selected = self.table.select(missing)
                taken = pa.concat_tables([selected.slice(i, 1) for i in starts.tolist()]
                                         or [selected.slice(0, 0)])  # fmt: skip
            else:
                taken = self.take(missing, starts)
            taken = taken.combine_chunks()
            for name in missing:
                column = taken[name]
                self._cache[("firsts", name, keys)] = (
                    column.chunk(0) if column.num_chunks == 1 else column.combine_chunks())
        return pa.table({n: self._cache[("firsts", n, keys)] for n in names})

    def runs(self, *names: str) -> np.ndarray:
        """:func:`run_starts` of the int64 columns ``names``."""
        key = ("runs", *names)
        out = self._cache.get(key)
        if out is not None:
            return out
        return self._keep(key, run_starts(*(self.get(n, np.int64) for n in names)))

    def rows_at(self, frames: np.ndarray, known: np.ndarray) -> np.ndarray | None:
        """The rows (ascending) whose ``frame_id`` is ``frames[i]`` of their play ``i``
        (the runs of ``game_id, play_id``), for the plays ``known``. Only for a table
        known sorted (:attr:`sorted_keys`) without null frames whose frame ids lie
        within +-2**61: None otherwise (compare the rows then).

        Work per track, not per row: a track's frames never decrease, so where they
        are consecutive its row is found by arithmetic from its first frame, and it
        is the only one when its neighbours in the track hold other frames; only
        the tracks where that fails (a gap, a repeated frame) are compared row by row.
        """
        if not self.sorted_keys or not self.table.num_rows or self.table["frame_id"].null_count:
            return None
        frame = self.get("frame_id", np.int64)
        tracks = self.runs("game_id", "play_id", "nfl_id")
        first, last = tracks[:-1], tracks[1:] - 1
        play = self.run_index("game_id", "play_id")[first]
        frames = np.asarray(frames, dtype=np.int64)
        ask = np.flatnonzero(known[play])
        wanted = frames[play[ask]]
        lo, hi = first[ask], last[ask]
        if len(ask) and (max(abs(int(frame[lo].min())), abs(int(frame[hi].max())),
                             abs(int(wanted.min())), abs(int(wanted.max()))) >= 2**61):
            return None  # the differences below could overflow
        possible = (wanted >= frame[lo]) & (wanted <= frame[hi])
        wanted, lo, hi = wanted[possible], lo[possible], hi[possible]
        guess = lo + np.minimum(wanted - frame[lo], hi - lo)
        before = frame[np.maximum(guess - 1, 0)]
        after = frame[np.minimum(guess + 1, len(frame) - 1)]
        alone = ((frame[guess] == wanted) & ((guess == lo) | (before != wanted))
                 & ((guess == hi) | (after != wanted)))  # fmt: skip
        rest = ~alone
        if not rest.any():
            return guess
        counts = hi[rest] - lo[rest] + 1  # the other tracks' rows, compared
        rows = np.repeat(lo[rest] - np.cumsum(counts) + counts, counts)
        rows += np.arange(int(counts.sum()), dtype=np.int64)
        found = rows[frame[rows] == np.repeat(wanted[rest], counts)]
        return np.sort(np.concatenate([guess[alone], found]))

    def run_index(self, *names: str) -> np.ndarray:
        """Per row, the index of its run of :meth:`runs` ``(*names)``."""
        key = ("run_index", *names)
        out = self._cache.get(key)
        if out is not None:
            return out
        starts = self.runs(*names)
        return self._keep(key, np.repeat(np.arange(len(starts) - 1), np.diff(starts)))


def string_codes(column: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, list[Any]]:
    """A string column dictionary-encoded: per row an integer code (-1 at nulls) into
    the distinct values, listed in the order they first appear; int8 codes below 127
    values, int16 below 32767, else int32 (:meth:`Columns.codes`, uncached).

    A string or large_string column (dictionary-encoded ones decoded first) is
    encoded by the C++ core from its chunks' buffers in one call, comparing each row
    with the one before it (a track repeats its values) and looking up only where a
    run starts; any other type by :func:`_string_codes`, the Arrow reference.

    >>> codes, values = string_codes(pa.array(["b", "b", None, "a", "b"]))
    >>> codes.tolist(), values
    ([0, 0, -1, 1, 0], ['b', 'a'])
    """
    column = _plain(column) if isinstance(column, pa.ChunkedArray) else \
        _plain(pa.chunked_array([column], column.type))
    large = pa.types.is_large_string(column.type)
    if not (large or pa.types.is_string(column.type)):
        return _string_codes(column)
    chunks = [
        # no bitmap when no nulls: the kernel skips the bit tests
        (buffers[0] if chunk.null_count else None, buffers[1], buffers[2], chunk.offset,
         len(chunk))
        for chunk in column.chunks
        for buffers in (chunk.buffers(),)
    ]
    return _core.string_codes(chunks, large)


def _string_codes(column: pa.ChunkedArray) -> tuple[np.ndarray, list[Any]]:
    """:func:`string_codes` in Arrow and numpy, the reference of the C++ core (and the
    path of other column types). A tracking table repeats each value over a track, so
    the column's runs of equal values are found first (one comparison of neighbours)
    and only their first values are encoded."""
    array = _plain(column).combine_chunks()
    n = len(array)
    if not n:
        return np.zeros(0, dtype=np.int8), []
    starts = np.zeros(1, dtype=np.int64)
    if n > 1:
        # null where either is null: not a cut; a null next to a value is one
        differs = pc.not_equal(array.slice(1), array.slice(0, n - 1))
        starts = np.concatenate([starts, _np(pc.indices_nonzero(differs), np.int64) + 1])
        if array.null_count:
            nulls = _np(pc.indices_nonzero(array.is_null()), np.int64)
            gap = np.flatnonzero(np.diff(nulls) != 1)
            edges = [nulls[:1], nulls[1:][gap], nulls[gap] + 1, nulls[-1:] + 1]
            starts = np.union1d(starts, np.concatenate(edges))
            starts = starts[starts < n]
    encoded = pc.dictionary_encode(array.take(pa.array(starts)))
    first = _np(encoded.indices, np.int64, -1)
    values = encoded.dictionary.to_pylist()
    dtype = np.int8 if len(values) < 127 else np.int16 if len(values) < 32767 else np.int32
    return np.repeat(first.astype(dtype), np.diff(np.append(starts, n))), values

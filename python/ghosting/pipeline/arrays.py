"""Columnar helpers: numpy views of columns, key matching, splitting by game."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .._util import run_starts
from ..errors import GhostingError

__all__ = ["split_games"]


def _np(column: pa.ChunkedArray | pa.Array, dtype: Any = None, fill: Any = None) -> np.ndarray:
    """A column as a numpy array (nulls replaced by ``fill`` when given; never use a
    fill for ids: use a validity mask, any integer can be a real id)."""
    if fill is not None:
        column = pc.fill_null(column, fill)
    out = column.to_numpy(zero_copy_only=False)
    return out if dtype is None else out.astype(dtype, copy=False)


def _row_index(left: pa.Table, right: pa.Table, keys: list[str]) -> np.ndarray:
    """For each row of ``left``, the index of a row of ``right`` with equal integer
    ``keys`` (-1 when there is none; a null key matches nothing). Keys are recoded
    densely and matched with a sorted search (numpy, no Python loop)."""
    index = np.full(left.num_rows, -1, dtype=np.int64)
    if not left.num_rows or not right.num_rows:
        return index
    valid = np.ones(left.num_rows, dtype=bool)
    right_valid = np.ones(right.num_rows, dtype=bool)
    for key in keys:
        valid &= _np(pc.is_valid(left[key]), bool)
        right_valid &= _np(pc.is_valid(right[key]), bool)
    right_rows = np.flatnonzero(right_valid)
    if not len(right_rows):
        return index
    n_left = left.num_rows
    code_left = np.zeros(n_left, dtype=np.int64)
    code_right = np.zeros(len(right_rows), dtype=np.int64)
    radix = 1
    for key in keys:
        # nulls become 0 here, but their rows are masked (left) or left out (right)
        ours = _np(pc.fill_null(left[key], 0), np.int64)
        theirs = _np(pc.fill_null(right[key], 0), np.int64)[right_rows]
        values, inverse = np.unique(np.concatenate([ours, theirs]), return_inverse=True)
        if radix * len(values) >= 2**62:  # pragma: no cover - astronomically many keys
            raise GhostingError("internal error: too many distinct keys to match")
        code_left = code_left * len(values) + inverse[:n_left]
        code_right = code_right * len(values) + inverse[n_left:]
        radix *= len(values)
    order = np.argsort(code_right, kind="stable")
    sorted_codes = code_right[order]
    pos = np.searchsorted(sorted_codes, code_left)
    pos = np.minimum(pos, len(sorted_codes) - 1)
    found = (sorted_codes[pos] == code_left) & valid
    index[found] = right_rows[order[pos[found]]]
    return index


def split_games(tracking: pa.Table) -> Iterator[pa.Table]:
    """The games of a canonical tracking table, one zero-copy slice each."""
    if not tracking.num_rows:
        return
    games = _np(tracking["game_id"], np.int64)
    if np.any(games[1:] < games[:-1]):
        order = np.argsort(games, kind="stable")
        tracking = tracking.take(pa.array(order))
        games = games[order]
    bounds = run_starts(games)
    for start, stop in zip(bounds[:-1], bounds[1:], strict=True):
        yield tracking.slice(int(start), int(stop - start))


def _xy(rows: pa.Table) -> np.ndarray:
    return np.column_stack([_np(rows["x"], np.float64), _np(rows["y"], np.float64)])

"""Columnar helpers: numpy views of columns (:class:`Columns`, from the leaf module
``ghosting._columns``), key matching, splitting by game."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .._columns import Columns, _np
from .._util import run_starts
from ..errors import GhostingError

__all__ = ["game_tables", "Columns"]


def _row_index(left: pa.Table, right: pa.Table, keys: list[str]) -> np.ndarray:
    """For each row of ``left``, the index of the first row of ``right`` with equal
    integer ``keys`` (-1 when there is none; a null key matches nothing).

    No Python loop and no hash join: runs of equal leading keys (all but the last) are
    found on each side (tables sorted or grouped by their keys have few), recoded
    densely, and combined with the last key into one int64 code per row, which a
    sorted search matches."""
    index = np.full(left.num_rows, -1, dtype=np.int64)
    if not left.num_rows or not right.num_rows:
        return index
    ours, valid = _keys_of(left, keys)
    theirs, right_valid = _keys_of(right, keys)
    if right_valid is None:
        right_rows = np.arange(right.num_rows)
    else:
        right_rows = np.flatnonzero(right_valid)
        if not len(right_rows):
            return index
        theirs = [t[right_rows] for t in theirs]
    n_left = len(ours[0])
    code_left = np.zeros(n_left, dtype=np.int64)
    code_right = np.zeros(len(right_rows), dtype=np.int64)
    radix = 1
    if len(keys) > 1:  # the leading keys, run by run
        left_runs, right_runs = run_starts(*ours[:-1]), run_starts(*theirs[:-1])
        lead_left = np.zeros(len(left_runs) - 1, dtype=np.int64)
        lead_right = np.zeros(len(right_runs) - 1, dtype=np.int64)
        n_runs = len(lead_left)
        for a, b in zip(ours[:-1], theirs[:-1], strict=True):
            values, inverse = np.unique(
                np.concatenate([a[left_runs[:-1]], b[right_runs[:-1]]]), return_inverse=True
            )
            radix = _checked(radix, len(values))
            lead_left = lead_left * len(values) + inverse[:n_runs]
            lead_right = lead_right * len(values) + inverse[n_runs:]
        code_left = np.repeat(lead_left, np.diff(left_runs))
        code_right = np.repeat(lead_right, np.diff(right_runs))
    last_left, last_right = ours[-1], theirs[-1]
    low = min(int(last_left.min()), int(last_right.min()))
    span = max(int(last_left.max()), int(last_right.max())) - low + 1
    if radix * span < 2**62:  # the last key as its distance to the smallest
        code_left = code_left * span + (last_left - low)
        code_right = code_right * span + (last_right - low)
    else:
        values, inverse = np.unique(np.concatenate([last_left, last_right]), return_inverse=True)
        radix = _checked(radix, len(values))
        code_left = code_left * len(values) + inverse[:n_left]
        code_right = code_right * len(values) + inverse[n_left:]
    if np.all(code_right[1:] >= code_right[:-1]):
        order = None
        sorted_codes = code_right
    else:
        order = np.argsort(code_right, kind="stable")
        sorted_codes = code_right[order]
    probe, runs = code_left, None
    if n_left > 256:  # rows in runs of one key (a trajectory's frames): search each once
        cuts = np.flatnonzero(code_left[1:] != code_left[:-1]) + 1
        if 4 * len(cuts) < n_left:
            runs = np.concatenate([[0], cuts])
            probe = code_left[runs]
    pos = np.searchsorted(sorted_codes, probe)
    pos = np.minimum(pos, len(sorted_codes) - 1)
    match = sorted_codes[pos] == probe
    if runs is not None:
        lengths = np.diff(np.append(runs, n_left))
        pos, match = np.repeat(pos, lengths), np.repeat(match, lengths)
    found = match if valid is None else match & valid
    hit = pos[found] if order is None else order[pos[found]]
    index[found] = hit if right_valid is None else right_rows[hit]
    return index


def _keys_of(table: pa.Table, keys: list[str]) -> tuple[list[np.ndarray], np.ndarray | None]:
    """The integer ``keys`` of ``table`` as int64 arrays (0 at nulls) and the rows where
    none is null (None: no null at all). A column without nulls is read as it is."""
    values, valid = [], None
    for key in keys:
        column = table[key]
        if column.null_count:
            ok = _np(pc.is_valid(column), bool)
            valid = ok if valid is None else valid & ok
            column = pc.fill_null(column, 0)
        values.append(_np(column, np.int64))
    return values, valid


def _checked(radix: int, n_values: int) -> int:
    if radix * n_values >= 2**62:  # pragma: no cover - astronomically many keys
        raise GhostingError("internal error: too many distinct keys to match")
    return radix * n_values


def game_tables(tracking: pa.Table, games: np.ndarray | None = None) -> Iterator[pa.Table]:
    """The games of a canonical tracking table, one zero-copy slice each (``games``: its
    ``game_id`` column as int64, when the caller has it)."""
    if not tracking.num_rows:
        return
    games = _np(tracking["game_id"], np.int64) if games is None else games
    if np.any(games[1:] < games[:-1]):
        order = np.argsort(games, kind="stable")
        tracking = tracking.take(pa.array(order))
        games = games[order]
    bounds = run_starts(games)
    for start, stop in zip(bounds[:-1], bounds[1:], strict=True):
        yield tracking.slice(int(start), int(stop - start))


def _xy(rows: pa.Table) -> np.ndarray:
    return np.column_stack([_np(rows["x"], np.float64), _np(rows["y"], np.float64)])

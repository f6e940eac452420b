"""The tasks of a run on Dask, listed from file metadata only: a whole file, or the
games of a range of row groups of a Parquet file sorted by game; and the game tables
of one task, read on a worker exactly as a single-process run cuts them.

>>> list_tasks(["week1.csv", "week2.parquet"])  # doctest: +SKIP
[Task(path='week1.csv', row_groups=None, games=None),
 Task(path='week2.parquet', row_groups=(0, 2), games=(2023090700, 2023091001)), ...]
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from .._util import run_starts
from ..errors import InputError
from .arrays import _np, split_games

__all__ = ["Task", "list_tasks", "game_tasks"]

#: Rows per batch when a task reads on into the next row groups to finish its last game.
_CONTINUATION_ROWS = 1 << 15


@dataclasses.dataclass(frozen=True)
class Task:
    """One unit of work: a whole input file, or the games ``games = (first, last)`` (game
    ids, inclusive) of row groups ``[start, stop)`` of a Parquet file sorted by game.
    ``games`` is None for a whole file (known once it is read). In-memory runs send a
    game table with the task instead (``path`` None)."""

    path: str | None
    row_groups: tuple[int, int] | None = None
    games: tuple[int, int] | None = None


def list_tasks(paths: Sequence[str | os.PathLike[str]]) -> list[Task]:
    """The tasks of a run over ``paths``, from file metadata only (nothing is read).

    A Parquet file whose row groups are sorted by game (its metadata declares the sort,
    or each row group holds a single game, in order) becomes about one task per row
    group, each holding the whole games that end in it; any other file is one task.

    >>> list_tasks(["week1.csv"])  # doctest: +SKIP
    [Task(path='week1.csv', row_groups=None, games=None)]
    """
    tasks: list[Task] = []
    for path in paths:
        ranges = _row_group_ranges(Path(path)) if _is_parquet(Path(path)) else None
        if not ranges:
            tasks.append(Task(str(path)))
            continue
        tasks.extend(Task(str(path), (a, b), games) for a, b, games in ranges)
    return tasks


def _is_parquet(path: Path) -> bool:
    from .inputs import _is_parquet as is_parquet

    return is_parquet(path)


def _row_group_ranges(path: Path) -> list[tuple[int, int, tuple[int, int]]] | None:
    """Tasks ``(start, stop, (first game, last game))`` of a Parquet file sorted by game:
    one per row group where a new game ends, holding the games that end there, read
    from row groups ``[start, stop)`` (a game running on into the next row groups
    brings them along; a row group cut through a game is read by both tasks, each
    keeping its own games). None when the metadata cannot prove the file is sorted."""
    from .inputs import _GAME_COLUMNS

    meta = pq.ParquetFile(path).metadata
    names = [meta.schema.column(i).name for i in range(meta.num_columns)]
    column = next((c for c in _GAME_COLUMNS if c in names), None)
    if column is None or meta.num_row_groups < 2:
        return None
    index = names.index(column)
    bounds = []
    for i in range(meta.num_row_groups):
        group = meta.row_group(i)
        stats = group.column(index).statistics
        if group.num_rows == 0 or stats is None or not stats.has_min_max:
            return None
        bounds.append((int(stats.min), int(stats.max)))
    declared = _sorted_by(meta, index)
    single = all(lo == hi for lo, hi in bounds)
    ordered = all(bounds[i][1] <= bounds[i + 1][0] for i in range(len(bounds) - 1))
    if not ordered or not (declared or single):
        return None
    ranges = []
    previous: int | None = None  # the last game of the previous task
    for i, (low, high) in enumerate(bounds):
        if previous is not None and high == previous:
            continue  # the previous task's last game, continued
        first = low if previous is None or low > previous else previous + 1
        stop = i + 1
        while stop < len(bounds) and bounds[stop][0] == high:
            stop += 1
        ranges.append((i, stop, (first, high)))
        previous = high
    return ranges


def _sorted_by(meta: pq.FileMetaData, index: int) -> bool:
    """Whether every row group declares itself sorted by column ``index`` first."""
    for i in range(meta.num_row_groups):
        sorting = meta.row_group(i).sorting_columns
        if not sorting or sorting[0].column_index != index or sorting[0].descending:
            return False
    return True


def _task_games(task: Task, table: pa.Table | None, extra: dict[str, Any]) -> Iterator[pa.Table]:
    """The game tables of one task, exactly as a single-process run cuts them."""
    from .inputs import _input_games

    if task.path is None:
        if table is not None:
            yield table
        return
    if task.row_groups is None:
        yield from _input_games(Path(task.path), extra)[1]
        return
    yield from _row_group_games(Path(task.path), task.row_groups, task.games, extra)


def _row_group_games(
    path: Path,
    row_groups: tuple[int, int],
    games: tuple[int, int] | None,
    extra: dict[str, Any],
) -> Iterator[pa.Table]:
    """The games ``first..last`` (all when None) in row groups ``[start, stop)`` of a
    Parquet file sorted by game."""
    from .inputs import _GAME_COLUMNS, _canonical, _is_canonical, _parquet_columns

    pf = pq.ParquetFile(path)
    names = pf.schema_arrow.names
    columns = _parquet_columns(pf, path)
    # Strings stay dictionary-encoded, as the single-process reader keeps them.
    dictionary = [] if _is_canonical(names) else [
        f.name
        for f in pf.schema_arrow
        if f.name in columns and (pa.types.is_string(f.type) or pa.types.is_large_string(f.type))
    ]
    pf = pq.ParquetFile(path, read_dictionary=dictionary)
    start, stop = row_groups
    column = next(c for c in _GAME_COLUMNS if c in names)
    parts = [pf.read_row_group(start, columns=columns)]
    if stop > start + 1:  # the last game runs on: read on until it ends
        for batch in pf.iter_batches(
            batch_size=_CONTINUATION_ROWS, row_groups=range(start + 1, stop), columns=columns
        ):
            ids = _np(batch.column(column), np.int64, -1)
            keep = len(ids) if games is None else int(np.searchsorted(ids, games[1], "right"))
            parts.append(pa.Table.from_batches([batch.slice(0, keep)], schema=parts[0].schema))
            if keep < len(ids):
                break
    raw = pa.concat_tables(parts)
    ids = _np(raw[column], np.int64, -1)
    if np.any(ids[1:] < ids[:-1]):
        raise InputError(
            f"{path}: row groups {start}..{stop - 1} are not sorted by {column} although "
            "the file's metadata says they are; rewrite the file sorted, or without the "
            "sorting declaration"
        )
    lo, hi = (0, len(ids)) if games is None else np.searchsorted(ids, [games[0], games[1] + 1])
    bounds = run_starts(ids[lo:hi]) + lo
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        yield _canonical(raw.slice(int(a), int(b - a)), str(path), extra)


def _label(task: Task) -> str:
    """A task as a user reads it: the file (and row groups), or the game in memory."""
    if task.path is None:
        return f"game {task.games[0] if task.games else '?'}"
    if task.row_groups is None:
        return task.path
    return f"{task.path} (row groups {task.row_groups[0]}..{task.row_groups[1] - 1})"


def game_tasks(table: pa.Table) -> tuple[list[Task], list[pa.Table]]:
    """The tasks of a table in memory: one per game (its rows are sent with the task)."""
    games = list(split_games(table))
    tasks = []
    for chunk in games:
        ids = _np(chunk["game_id"], np.int64)
        tasks.append(Task(None, None, (int(ids[0]), int(ids[-1]))))
    return tasks, games

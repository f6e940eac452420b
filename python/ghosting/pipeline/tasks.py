"""The tasks of a run on Dask, each holding whole games, and the game tables of one
task, read on a worker exactly as a single-process run cuts them.

Games are whole across the input files (``inputs.GameStream``): files that share a
game are one task, read together. A Parquet file whose row-group statistics prove it
sorted by game, and whose games no other input can hold, is split into row-group
ranges of whole games from its metadata alone; every other file's games are found by
the first pass of a single-process run (game and play id columns only), run on the
workers, so the client never reads rows.

>>> plan = plan_tasks(client, [Path("week1.csv"), Path("week2.parquet")], {})  # doctest: +SKIP
>>> [_label(t) for t in plan.tasks]  # doctest: +SKIP
['week1.csv', 'week2.parquet (row groups 0..1)', 'week2.parquet (row groups 2..2)', ...]
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from .._util import run_starts
from ..errors import InputError
from .columns import _np, game_tables

__all__ = ["Task", "TaskPlan", "list_tasks", "plan_tasks", "game_tasks"]

#: Rows per batch when a task reads on into the next row groups to finish its last game.
_CONTINUATION_ROWS = 1 << 15


@dataclasses.dataclass(frozen=True)
class Task:
    """One unit of work, always whole games.

    - ``files`` given: a group of scanned input files (``inputs._File``) that share
      games, read together as a single-process run reads them (``path`` names the first);
    - ``row_groups = (start, stop)``: the games ``games = (first, last)`` (inclusive) of
      row groups ``[start, stop)`` of a Parquet file sorted by game;
    - neither: the whole file ``path``, read with :func:`ghosting.read_tracking` (what
      :func:`ghosting.run` does with a path);
    - ``path`` None: a game table in memory, sent with the task."""

    path: str | None
    row_groups: tuple[int, int] | None = None
    games: tuple[int, int] | None = None
    files: tuple[Any, ...] | None = dataclasses.field(default=None, compare=False)


@dataclasses.dataclass
class TaskPlan:
    """The tasks of a file run, and what the single-process reader counts before it
    reads a row: files kept (a file given twice counts once), rows without a game id,
    and whether BDB 2026 output files came without any input file."""

    tasks: list[Task]
    files: list[str]
    repeated_inputs: int
    rows_without_game: int
    unpaired_2026_outputs: bool


def list_tasks(paths: Sequence[str | os.PathLike[str]]) -> list[Task]:
    """The tasks of :func:`ghosting.run` on one path per item, from metadata only: the
    row-group ranges of a Parquet file sorted by game, else the whole file.

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


def plan_tasks(
    paths: Sequence[Path],
    scan: Callable[[list[Path]], list[Any]],
) -> TaskPlan:
    """The tasks of :func:`ghosting.run_files` over ``paths`` (already expanded), each
    holding whole games, in the order a single-process run yields them.

    ``scan(paths)`` runs the first pass (``inputs._scan``) over those files and returns
    their ``_File`` records (on Dask workers: the client reads no rows). A Parquet file
    sorted by game is left unscanned when its statistics' game range meets no other
    input's; it is then split into row-group tasks."""
    from .inputs import _same_file

    kept: list[Path] = []
    for path in paths:
        if not any(_same_file(path, k) for k in kept):
            kept.append(path)
    ranges: dict[int, list[tuple[int, int, tuple[int, int]]]] = {}
    for i, path in enumerate(kept):
        found = _row_group_ranges(path) if _is_parquet(path) else None
        if found:
            ranges[i] = found
    records: dict[int, Any] = {}
    todo = [i for i in range(len(kept)) if i not in ranges]
    while todo:
        records.update(zip(todo, scan([kept[i] for i in todo]), strict=True))
        todo = [i for i in ranges if i not in records and _meets(i, ranges, records)]
    for i in records:
        ranges.pop(i, None)
    layouts = {records[i].layout if i in records else _layout(kept[i]) for i in range(len(kept))}
    tasks: list[Task] = []
    for group in _clusters(len(kept), records):
        if len(group) == 1 and group[0] in ranges:
            name = str(kept[group[0]])
            tasks.extend(Task(name, (a, b), games) for a, b, games in ranges[group[0]])
        else:
            files = tuple(records[i] for i in group)
            tasks.append(Task(str(kept[group[0]]), files=files))
    return TaskPlan(
        tasks=tasks,
        files=[str(p) for p in kept],
        repeated_inputs=len(paths) - len(kept),
        rows_without_game=sum(int(r.rows_without_game) for r in records.values()),
        unpaired_2026_outputs="bdb2026_output" in layouts and "bdb2026_input" not in layouts,
    )


def _meets(i: int, ranges: dict[int, list[Any]], records: dict[int, Any]) -> bool:
    """Whether the game range of unscanned file ``i`` meets another input's games
    (a scanned file's ids, or another unscanned file's range)."""
    low, high = ranges[i][0][2][0], ranges[i][-1][2][1]
    for j, other in ranges.items():
        if j != i and j not in records and other[0][2][0] <= high and low <= other[-1][2][1]:
            return True
    for record in records.values():
        games = np.asarray(record.games)
        if np.any((games >= low) & (games <= high)):
            return True
    return False


def _clusters(n: int, records: dict[int, Any]) -> list[list[int]]:
    """Groups of files sharing a game, in input order, as ``GameStream.clusters``
    groups them (an unscanned file shares none)."""
    from .inputs import file_clusters

    return file_clusters(n, {i: record.games for i, record in records.items()})


def _layout(path: Path) -> str:
    """The layout name of a Parquet file, from its schema (``canonical`` for ours)."""
    from .inputs import _key_columns

    layout = _key_columns(pq.ParquetFile(path).schema_arrow.names, path)[3]
    return "canonical" if layout is None else str(layout.name)


def _is_parquet(path: Path) -> bool:
    from .inputs import _is_parquet as is_parquet

    return is_parquet(path)


def _row_group_ranges(path: Path) -> list[tuple[int, int, tuple[int, int]]] | None:
    """Tasks ``(start, stop, (first game, last game))`` of a Parquet file sorted by game:
    one per row group where a new game ends, holding the games that end there, read
    from row groups ``[start, stop)`` (a game running on into the next row groups
    brings them along; a row group cut through a game is read by both tasks, each
    keeping its own games). None when the metadata cannot prove the file is sorted."""
    from .inputs import _key_columns

    pf = pq.ParquetFile(path)
    meta = pf.metadata
    names = [meta.schema.column(i).name for i in range(meta.num_columns)]
    column = _key_columns(pf.schema_arrow.names, path)[0]
    if column not in names or meta.num_row_groups < 2:
        return None
    index = names.index(column)
    if not pa.types.is_integer(pf.schema_arrow.field(column).type):
        return None  # text ids: their statistics sort as text, not as numbers
    bounds = []
    for i in range(meta.num_row_groups):
        group = meta.row_group(i)
        stats = group.column(index).statistics
        if group.num_rows == 0 or stats is None or not stats.has_min_max:
            return None
        if stats.has_null_count is False or stats.null_count:
            return None  # rows without a game id: counted by the first pass
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


class TaskReader:
    """The game tables of one task, exactly as a single-process run cuts them, and
    the exact duplicate rows it dropped on the way (``duplicate_rows_dropped``)."""

    def __init__(self, task: Task, table: pa.Table | None, extra: dict[str, Any]) -> None:
        from .inputs import GameStream

        self.task, self.table, self.extra = task, table, extra
        self._stream = GameStream(list(task.files or ()), extra)

    @property
    def duplicate_rows_dropped(self) -> int:
        return self._stream.duplicate_rows_dropped

    def __iter__(self) -> Iterator[pa.Table]:
        task = self.task
        if task.path is None:
            if self.table is not None:
                yield self.table
            return
        if task.files is not None:
            try:
                yield from (table for _, table in self._stream)
            finally:
                self._stream.close()
            return
        if task.row_groups is None:
            from .inputs import _canonical

            yield from game_tables(_canonical(task.path, None, self.extra))
            return
        yield from _row_group_games(Path(task.path), task.row_groups, task.games,
                                    self.extra, self._stream)  # fmt: skip


def _row_group_games(
    path: Path,
    row_groups: tuple[int, int],
    games: tuple[int, int] | None,
    extra: dict[str, Any],
    stream: Any = None,
) -> Iterator[pa.Table]:
    """The games ``first..last`` (all when None) in row groups ``[start, stop)`` of a
    Parquet file sorted by game, each made canonical as ``GameStream`` makes a run of
    rows (the same columns, dictionary strings and duplicate count)."""
    from .inputs import GameStream, _File, _key_columns

    pf = pq.ParquetFile(path)
    schema = pf.schema_arrow
    names = schema.names
    game_col, _, canonical, layout = _key_columns(names, path)
    columns = list(names) if canonical else layout.source_columns(list(names))
    dictionary = [f.name for f in schema if f.name in columns and
                  (pa.types.is_string(f.type) or pa.types.is_large_string(f.type))]  # fmt: skip
    record = _File(path, True, canonical, columns, dictionary, None, game_col,
                   games=np.zeros(0, dtype=np.int64), runs={})  # fmt: skip
    stream = stream if stream is not None else GameStream([], extra)
    pf = pq.ParquetFile(path, read_dictionary=dictionary or None)
    start, stop = row_groups
    column = game_col
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
        yield stream._canonical_parts([(record, raw.slice(int(a), int(b - a)))])


def _label(task: Task) -> str:
    """A task as a user reads it: the file (and row groups), or the game in memory."""
    if task.path is None:
        return f"game {task.games[0] if task.games else '?'}"
    if task.files is not None:
        return " + ".join(str(f.path) for f in task.files)
    if task.row_groups is None:
        return task.path
    return f"{task.path} (row groups {task.row_groups[0]}..{task.row_groups[1] - 1})"


def game_tasks(table: pa.Table) -> tuple[list[Task], list[pa.Table]]:
    """The tasks of a table in memory: one per game (its rows are sent with the task)."""
    games = list(game_tables(table))
    tasks = []
    for chunk in games:
        ids = _np(chunk["game_id"], np.int64)
        tasks.append(Task(None, None, (int(ids[0]), int(ids[-1]))))
    return tasks, games

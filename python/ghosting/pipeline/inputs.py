"""Reading the input game by game: canonical tables as they are, shipped layouts
through :func:`ghosting.read_tracking`, Parquet files streamed."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from .._util import run_starts
from ..errors import GhostingError, InputError
from ..schema import CANONICAL_SCHEMA
from .arrays import _np, split_games

_GAME_COLUMNS = ("game_id", "gameId")


_PLAY_COLUMNS = ("play_id", "playId")


_BATCH_ROWS = 1 << 18


def _is_parquet(path: Path) -> bool:
    return path.suffix.lower() in {".parquet", ".pq", ".parq"}


def _is_canonical(columns: Sequence[str]) -> bool:
    return set(CANONICAL_SCHEMA.names) <= set(columns)


def _canonical(
    source: Any, name: str | None = None, extra: dict[str, Any] | None = None
) -> pa.Table:
    """A canonical tracking table: a table that already has the canonical columns (from
    :func:`ghosting.read_tracking`, :func:`ghosting.synth.generate_plays`, or a Parquet
    file of either) is used as it is; anything else goes through ``read_tracking``
    (with ``extra``: its ``players``, ``plays`` and ``games`` side files)."""
    from ..io import read_tracking

    if isinstance(source, pa.Table) and _is_canonical(source.column_names):
        try:
            fields = [*CANONICAL_SCHEMA, *(f for f in source.schema if f.name not in
                                           CANONICAL_SCHEMA.names)]
            table = source.select([f.name for f in fields]).cast(pa.schema(fields))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise InputError(
                f"{name or 'tracking table'}: canonical columns of the wrong type ({exc})"
            ) from exc
        return _sorted(table)
    if name is None or isinstance(source, (str, os.PathLike)):
        return read_tracking(source, **(extra or {}))
    try:  # a chunk of a file: name the file in the error
        return read_tracking(source, **(extra or {}))
    except GhostingError as exc:
        raise type(exc)(f"{name}: {exc}") from exc


def _sorted(table: pa.Table) -> pa.Table:
    """``table`` sorted by (game_id, play_id, nfl_id, frame_id) (no copy when it is)."""
    keys = [_np(table[k], np.int64, -1) for k in ("game_id", "play_id", "nfl_id", "frame_id")]
    if len(keys[0]) < 2:
        return table
    # Lexicographic order of consecutive rows, vectorised: a row is in order when at
    # the first key that differs from the previous row's, it is larger.
    decided = np.zeros(len(keys[0]) - 1, dtype=bool)
    in_order = np.ones(len(keys[0]) - 1, dtype=bool)
    for key in keys:
        step = np.sign(key[1:] - key[:-1])
        in_order &= decided | (step >= 0)
        decided |= step != 0
    if in_order.all():
        return table
    return table.take(pa.array(np.lexsort(keys[::-1])))


def _read_targets(targets: Any) -> pa.Table | None:
    if targets is None:
        return None
    from ..io import read_targets

    return read_targets(targets)


def _read_side_file(path: str | os.PathLike[str]) -> pa.Table:
    """A players/plays/games file, read once for every game of the run."""
    from ..io.sources import read_raw

    if not Path(path).is_file():
        raise InputError(f"{path}: no such file")
    return read_raw(str(path))


def _check_input(path: Path) -> None:
    """Fail early, before any output exists, on a missing or unrecognisable input."""
    from ..io.layouts import detect_layout
    from ..io.sources import header

    if path.is_dir():
        raise InputError(f"{path}: is a folder; give the tracking files in it")
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if _is_parquet(path):
        try:
            columns = pq.ParquetFile(path).schema_arrow.names
        except (OSError, pa.ArrowException) as exc:
            raise InputError(f"{path}: not a readable Parquet file ({exc})") from exc
        if not _is_canonical(columns):
            detect_layout(columns, str(path))
    else:
        detect_layout(header(str(path)), str(path))


def _parquet_columns(pf: pq.ParquetFile, path: Path) -> list[str]:
    """The columns of a Parquet file that reading it needs (its layout's columns)."""
    from ..io.layouts import detect_layout

    names = pf.schema_arrow.names
    if _is_canonical(names):
        return names
    return detect_layout(names, str(path)).source_columns(names)


def _parquet_games(path: Path, extra: dict[str, Any]) -> tuple[int, Iterator[pa.Table]]:
    """Read a Parquet file game by game: ``(number of chunks, iterator of canonical
    tables)``.

    When every play's rows are together (sorted files have them) the file is
    streamed batch by batch and cut where the game changes, so memory holds one
    game (a game may come in several runs, each of whole plays). Otherwise only
    the columns the layout needs are read, and each game is taken out of them in
    turn. A file without game and play columns is read whole.
    """
    pf = pq.ParquetFile(path)
    names = pf.schema_arrow.names
    column = next((c for c in _GAME_COLUMNS if c in names), None)
    play_column = next((c for c in _PLAY_COLUMNS if c in names), None)
    if column is None or play_column is None:
        table = _canonical(
            pq.read_table(path, columns=_parquet_columns(pf, path)), str(path), extra
        )
        n = len(np.unique(_np(table["game_id"], np.int64))) if table.num_rows else 0
        return n, split_games(table)
    columns = _parquet_columns(pf, path)
    # Strings (descriptions, names: one value per play or player, repeated on every row)
    # stay dictionary-encoded as Parquet stores them: a fraction of the memory.
    dictionary = [] if _is_canonical(names) else [
        f.name
        for f in pf.schema_arrow
        if f.name in columns and (pa.types.is_string(f.type) or pa.types.is_large_string(f.type))
    ]
    keys = pf.read(columns=[column, play_column])
    games = _np(keys[column], np.int64, -1)
    plays = _np(keys[play_column], np.int64, -1)
    del keys
    play_runs = run_starts(games, plays)[:-1]
    pairs = np.column_stack([games[play_runs], plays[play_runs]])
    if len(np.unique(pairs, axis=0)) != len(pairs):  # some play's rows are scattered
        order = np.argsort(games, kind="stable")
        bounds = run_starts(games[order])
        del games, plays, pairs

        def by_game() -> Iterator[pa.Table]:
            raw = pq.read_table(path, columns=columns, read_dictionary=dictionary)
            raw = raw.take(pa.array(order))  # one gather; each game is then a slice
            for start, stop in zip(bounds[:-1], bounds[1:], strict=True):
                yield _canonical(raw.slice(int(start), int(stop - start)), str(path), extra)

        return len(bounds) - 1, by_game()
    n_chunks = len(run_starts(games)) - 1
    del games, plays, pairs

    def chunks() -> Iterator[pa.Table]:
        pending: list[pa.RecordBatch] = []
        last: int | None = None
        reader = pq.ParquetFile(path, read_dictionary=dictionary)
        for batch in reader.iter_batches(batch_size=_BATCH_ROWS, columns=columns):
            ids = _np(batch.column(column), np.int64, -1)
            if not len(ids):
                continue
            if last is not None and ids[0] != last:
                yield _canonical(pa.Table.from_batches(pending), str(path), extra)
                pending = []
            cuts = np.flatnonzero(ids[1:] != ids[:-1]) + 1
            start = 0
            for cut in cuts:
                pending.append(batch.slice(start, cut - start))
                yield _canonical(pa.Table.from_batches(pending), str(path), extra)
                pending = []
                start = int(cut)
            pending.append(batch.slice(start))
            last = int(ids[-1])
        if pending:
            yield _canonical(pa.Table.from_batches(pending), str(path), extra)

    return n_chunks, chunks()


def _input_games(path: Path, extra: dict[str, Any]) -> tuple[int | None, Iterator[pa.Table]]:
    """The games of one input file, read as lazily as its format allows (Parquet game
    by game; text files whole, then split by game)."""
    if _is_parquet(path):
        return _parquet_games(path, extra)
    table = _canonical(str(path), extra=extra)
    n_games = len(np.unique(_np(table["game_id"], np.int64))) if table.num_rows else 0
    return n_games, split_games(table)

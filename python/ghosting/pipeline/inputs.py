"""Reading the input game by game, every game whole across every input file.

A first pass reads only the game and play id columns of each file (Parquet: those
two columns; text files: those two columns of the text) to learn which games each
file holds and where. Files that share a game are read together: each game's rows
are taken from every file that has them and go through one
:func:`ghosting.read_tracking` call (the one reader path of every command), so a
play split across files is one play, a 2026 output file pairs with its input file,
and exact duplicate rows (the same file given twice under two names, a copy) are
dropped and counted. Canonical tables (ghosting's own Parquet) are used as they
are. Memory: a Parquet file whose plays each sit in one run of rows is read a row
group at a time (about one game in memory); otherwise, and for text files, the
file's needed columns are held while its games are processed.
"""

from __future__ import annotations

import gzip
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .._util import run_starts
from ..errors import GhostingError, InputError
from ..schema import CANONICAL_SCHEMA
from .columns import _np, game_tables

_KEYS = ("game_id", "play_id", "nfl_id", "frame_id")

#: Rows per batch when a file is streamed.
_BATCH_ROWS = 1 << 16

#: About how many rows one temporary bucket of a scattered file holds (whole games).
_BUCKET_ROWS = 1 << 18



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
        return _as_canonical(source, name or "tracking table")
    if name is None or isinstance(source, (str, os.PathLike)):
        return read_tracking(source, **(extra or {}))
    try:  # a chunk of a file: name the file in the error
        return read_tracking(source, **(extra or {}))
    except GhostingError as exc:
        raise type(exc)(f"{name}: {exc}") from exc


def _as_canonical(table: pa.Table, name: str) -> pa.Table:
    """A table with the canonical columns, cast to their types and sorted."""
    try:
        fields = [*CANONICAL_SCHEMA, *(f for f in table.schema if f.name not in
                                       CANONICAL_SCHEMA.names)]  # fmt: skip
        target = pa.schema(fields)
        table = table.select([f.name for f in fields])
        # a cast to the same types still copies every column: only cast what differs
        table = (table.replace_schema_metadata(target.metadata) if table.schema.equals(target)
                 else table.cast(target))  # fmt: skip
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise InputError(f"{name}: canonical columns of the wrong type ({exc})") from exc
    for key in _KEYS:
        nulls = table[key].null_count
        if nulls:
            raise InputError(f"{name}: column {key} has {nulls:,} null value(s)")
    return _sorted(table)


def _sorted(table: pa.Table) -> pa.Table:
    """``table`` sorted by (game_id, play_id, nfl_id, frame_id) (no copy when it is);
    its key columns hold no nulls."""
    from ..io.normalise import sort_order

    order = sort_order(table)
    return table if order is None else table.take(pa.array(order))


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


def _ids(
    column: pa.ChunkedArray | pa.Array, path: Path, name: str
) -> tuple[np.ndarray, np.ndarray]:
    """An id column as int64 values and a validity mask (no sentinel: where the mask
    is False the value is meaningless). Strings and integral floats (``33131.0``)
    are read as integers; anything else is an InputError naming file and column."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        text = pc.utf8_trim_whitespace(column)
        column = pc.if_else(pc.equal(pc.binary_length(text), 0),
                            pa.scalar(None, text.type), text)  # fmt: skip
        try:
            column = column.cast(pa.int64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            try:
                column = column.cast(pa.float64())
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise InputError(f"{path}: column {name!r} holds values that are not ids "
                                 f"({exc})") from exc  # fmt: skip
    if pa.types.is_floating(column.type):
        values = column.to_numpy(zero_copy_only=False).astype(np.float64)
        valid = np.isfinite(values)
        whole = valid & (np.abs(values) < 2.0**53)
        if np.any(valid & ((np.floor(values) != values) | ~whole)):
            bad = values[valid & ((np.floor(values) != values) | ~whole)][0]
            raise InputError(f"{path}: column {name!r} holds {bad!r}, not an integer id")
        return np.where(valid, values, 0).astype(np.int64), valid
    if pa.types.is_integer(column.type) or pa.types.is_null(column.type):
        valid = np.asarray(column.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        values = pc.fill_null(column.cast(pa.int64()), 0).to_numpy(zero_copy_only=False)
        return np.asarray(values, dtype=np.int64), valid
    raise InputError(f"{path}: column {name!r} is {column.type}, not an id")


def _parquet_batches(pf: pq.ParquetFile, columns: Sequence[str]) -> Iterator[pa.RecordBatch]:
    """A Parquet file's ``columns`` batch by batch, one reader per row group: a single
    reader over the whole file kept the memory of the row groups it had passed
    (measured with pyarrow 26.0: about 32 MB more at each 1 M-row row group)."""
    for group in range(pf.num_row_groups):
        yield from pf.iter_batches(batch_size=_BATCH_ROWS, columns=list(columns),
                                   row_groups=[group])  # fmt: skip


def _text_batches(
    path: Path, columns: Sequence[str], types: dict[str, pa.DataType] | None
) -> Iterator[pa.RecordBatch]:
    """A CSV/TSV file (gzip or not) read batch by batch, as ``read_raw`` reads it whole
    (the same delimiter, null values and forced types; dictionary types read plain)."""
    import pyarrow.csv as pacsv

    from ..io.sources import _NULLS, _csv_error, _delimiter, _first_line, _opener, _split_header

    line = _first_line(path)
    delimiter = _delimiter(line)
    compression = "gzip" if _opener(path) is gzip.open else None
    plain = {k: (v.value_type if pa.types.is_dictionary(v) else v)
             for k, v in (types or {}).items() if k in columns}  # fmt: skip
    convert = pacsv.ConvertOptions(include_columns=list(columns), column_types=plain,
                                   null_values=_NULLS, strings_can_be_null=True)  # fmt: skip
    try:
        stream = pa.input_stream(str(path), compression=compression)
        reader = pacsv.open_csv(stream, read_options=pacsv.ReadOptions(block_size=1 << 22),
                                parse_options=pacsv.ParseOptions(delimiter=delimiter),
                                convert_options=convert)  # fmt: skip
    except pa.ArrowInvalid as exc:
        if "Empty CSV file" in str(exc):
            raise InputError(f"{path}: the file is empty") from exc
        raise _csv_error(path, str(exc), _split_header(line, delimiter)) from exc
    try:
        yield from reader
    except pa.ArrowInvalid as exc:  # name the column where pyarrow gives its number
        raise _csv_error(path, str(exc), _split_header(line, delimiter)) from exc
    finally:
        reader.close()


@dataclass
class _File:
    """One input file: where each of its games lies, and how to read its rows.

    A file whose plays each sit in one run of rows ("contiguous", as sorted files are)
    is read forward batch by batch, each game's rows cut out of the stream. Any other
    file (plays scattered, or a game's plays in several runs) is first copied, batch by
    batch, into temporary buckets of whole games (Arrow streams, lz4; about
    :data:`_BUCKET_ROWS` rows each) among the system's temporary files; a game is then
    read from its bucket. Either way memory holds about one batch and one game (or one
    bucket), not the file.
    """

    path: Path
    parquet: bool
    canonical: bool
    columns: list[str]
    dictionary: list[str]
    types: dict[str, pa.DataType] | None
    game_column: str
    games: np.ndarray  # the distinct valid game ids, in reading order
    runs: dict[int, list[tuple[int, int]]]  # contiguous: game -> row ranges
    rows: int = 0
    rows_without_game: int = 0
    layout: str = "canonical"
    counts: dict[int, int] = field(default_factory=dict)  # rows per game
    bucket_ids: np.ndarray | None = None  # scattered: the games in id order ...
    bucket_of: np.ndarray | None = None  # ... and the bucket of each
    _cursor: tuple[int, Iterator[pa.RecordBatch], pa.RecordBatch | None] | None = None
    _spill: Path | None = None
    _bucket: tuple[int, pa.Table, dict[int, tuple[int, int]]] | None = None

    def use_buckets(self) -> None:
        """Read this file through buckets of whole games in game-id order (a scattered
        file; or a contiguous one when its games are wanted in an order not its own)."""
        ids = np.array(sorted(self.counts), dtype=np.int64)
        self.bucket_ids = ids
        self.bucket_of = _buckets(np.array([self.counts[g] for g in ids.tolist()]))
        self.runs = {}

    @property
    def bucketed(self) -> bool:
        return self.bucket_ids is not None

    def runs_in_order(self) -> list[tuple[int, int, int]]:
        """``(game, start, stop)`` of every run of rows, in file order."""
        return sorted(((g, a, b) for g, runs in self.runs.items() for a, b in runs),
                      key=lambda run: run[1])  # fmt: skip

    def holds(self, game: int) -> bool:
        return game in self.counts

    def read(self, game: int) -> pa.Table:
        """The raw rows of ``game`` (source columns, as the file stores them)."""
        try:
            if self.bucketed:
                return self._from_bucket(game)
            return pa.concat_tables([self._range(a, b) for a, b in self.runs[game]])
        except (OSError, pa.ArrowException, EOFError) as exc:
            raise InputError(f"{self.path}: cannot read the file ({exc})") from exc

    def batches(self) -> Iterator[pa.RecordBatch]:
        """The file's needed columns, batch by batch from the start."""
        if self.parquet:
            pf = pq.ParquetFile(self.path, read_dictionary=self.dictionary or None)
            return _parquet_batches(pf, self.columns)
        return _text_batches(self.path, self.columns, self.types)

    def _range(self, start: int, stop: int) -> pa.Table:
        """Rows [start, stop), from a batch reader that moves forward through the file
        (sorted files are asked for rows in file order; asking for earlier rows
        restarts it)."""
        if self._cursor is None or self._cursor[0] > start:
            self._cursor = (0, self.batches(), None)
        position, batches, pending = self._cursor
        parts: list[pa.RecordBatch] = []
        while position < stop:
            if pending is None:
                pending = next(batches, None)
                if pending is None:
                    break
            end = position + pending.num_rows
            if end > start:
                lo = max(start - position, 0)
                hi = min(stop, end) - position
                parts.append(pending.slice(lo, hi - lo))
            if end <= stop:
                position, pending = end, None
            else:  # the batch goes on past this range: keep it for the next
                break
        self._cursor = (position, batches, pending)
        if not parts:
            raise InputError(f"{self.path}: rows {start}-{stop} are missing (file changed?)")
        return pa.Table.from_batches(parts)

    def _write_buckets(self) -> Path:
        """Copy the file into one temporary Arrow stream (lz4) per bucket of whole
        games: a stream writer holds no rows, whatever the number of buckets."""
        assert self.bucket_ids is not None and self.bucket_of is not None
        ids, bucket_of = self.bucket_ids, self.bucket_of
        folder = Path(tempfile.mkdtemp(prefix="ghosting-buckets-"))
        self._spill = folder
        options = pa.ipc.IpcWriteOptions(compression="lz4")
        writers: dict[int, Any] = {}
        try:
            for batch in self.batches():
                games, valid = _ids(batch.column(self.game_column), self.path,
                                    self.game_column)  # fmt: skip
                rows = np.flatnonzero(valid)  # rows without a game id are left out
                buckets = bucket_of[np.searchsorted(ids, games[rows])]
                order = np.argsort(buckets, kind="stable")
                bounds = run_starts(buckets[order])
                grouped = batch.take(pa.array(rows[order]))  # one gather, then slices
                for a, b in zip(bounds[:-1], bounds[1:], strict=True):
                    bucket = int(buckets[order[a]])
                    part = grouped.slice(int(a), int(b - a))
                    if bucket not in writers:
                        sink = pa.OSFile(str(folder / f"{bucket}.arrows"), "wb")
                        writers[bucket] = (sink, pa.ipc.new_stream(sink, part.schema,
                                                                   options=options))
                    writers[bucket][1].write_batch(part)
        finally:
            for sink, writer in writers.values():
                writer.close()
                sink.close()
        return folder

    def _from_bucket(self, game: int) -> pa.Table:
        assert self.bucket_ids is not None and self.bucket_of is not None
        bucket = int(self.bucket_of[np.searchsorted(self.bucket_ids, game)])
        if self._bucket is None or self._bucket[0] != bucket:
            folder = self._spill or self._write_buckets()
            self._bucket = None
            with pa.OSFile(str(folder / f"{bucket}.arrows"), "rb") as source:
                table = pa.ipc.open_stream(source).read_all()
            ids, _ = _ids(table.column(self.game_column), self.path, self.game_column)
            order = np.argsort(ids, kind="stable")
            table = table.take(pa.array(order))
            ids = ids[order]
            bounds = run_starts(ids)
            where = {int(ids[a]): (int(a), int(b))
                     for a, b in zip(bounds[:-1], bounds[1:], strict=True)}  # fmt: skip
            self._bucket = (bucket, table, where)
        _, table, where = self._bucket
        a, b = where[game]
        return table.slice(a, b - a)

    def release(self) -> None:
        """Close readers, forget buffers and remove the temporary buckets."""
        self._cursor = None
        self._bucket = None
        if self._spill is not None:
            shutil.rmtree(self._spill, ignore_errors=True)
            self._spill = None


def _key_columns(names: Sequence[str], path: Path) -> tuple[str, str, bool, Any]:
    """The source names of the game and play id columns, whether the file is a
    canonical table, and its layout (None when canonical)."""
    from ..io.layouts import check_required, detect_layout

    if _is_canonical(names):
        return "game_id", "play_id", True, None
    layout = detect_layout(list(names), str(path))
    check_required(layout, list(names), str(path))
    source = {canon: src for src, canon in layout.rename.items() if src in names}
    if "game_id" not in source or "play_id" not in source:
        raise InputError(f"{path}: no game and play id columns")
    return source["game_id"], source["play_id"], False, layout


def _scan(path: Path) -> _File:
    """The first pass over one file, batch by batch over its game and play id columns
    only: its games, their row counts, and (while every play sits in one run of rows)
    where each game's runs are. Memory: a batch, and a few numbers per play."""
    from ..io.normalise import csv_column_types
    from ..io.sources import header

    parquet = _is_parquet(path)
    types: dict[str, pa.DataType] | None = None
    try:
        if parquet:
            pf = pq.ParquetFile(path)
            schema = pf.schema_arrow
            names = schema.names
            game_col, play_col, canonical, layout = _key_columns(names, path)
            batches = _parquet_batches(pf, [game_col, play_col])
        else:
            names = header(str(path))
            game_col, play_col, canonical, layout = _key_columns(names, path)
            types = csv_column_types(layout) if layout is not None else None
            text = {k: pa.string() for k in (game_col, play_col)}
            batches = _text_batches(path, [game_col, play_col], text)
        scan = _KeyScan()
        for batch in batches:
            scan.add(*_ids(batch.column(game_col), path, game_col),
                     *_ids(batch.column(play_col), path, play_col))  # fmt: skip
    except (OSError, pa.ArrowException, EOFError) as exc:
        raise InputError(f"{path}: cannot read the file ({exc})") from exc
    columns = list(names) if canonical else layout.source_columns(list(names))
    dictionary: list[str] = []
    if parquet:
        # Strings (descriptions, names: one value per play or player, repeated on every
        # row) stay dictionary-encoded as Parquet stores them: a fraction of the memory,
        # and cheap to gather into buckets.
        dictionary = [f.name for f in schema if f.name in columns and
                      (pa.types.is_string(f.type) or pa.types.is_large_string(f.type))]
    file = _File(path, parquet, canonical, columns, dictionary, types, game_col,
                 games=np.array(list(scan.counts), dtype=np.int64), runs={}, rows=scan.rows,
                 rows_without_game=scan.invalid, counts=scan.counts,
                 layout=layout.name if layout is not None else "canonical")  # fmt: skip
    if scan.contiguous:  # a game's plays may still come in several runs of rows
        file.runs = scan.game_runs()
    else:  # plays scattered: read through buckets
        file.use_buckets()
        file.games = file.bucket_ids if file.bucket_ids is not None else file.games
    return file


class _KeyScan:
    """Game and play ids fed batch by batch: rows per game (in order of first
    appearance), whether every (game, play) pair's rows form one run, and the runs of
    each game while they do."""

    def __init__(self) -> None:
        self.rows = 0
        self.invalid = 0
        self.counts: dict[int, int] = {}
        self.contiguous = True
        self._seen: set[tuple[bool, int, bool, int]] = set()
        self._last: tuple[bool, int, bool, int] | None = None
        self._starts: list[tuple[bool, int, int]] = []  # (valid, game, first row) runs

    def add(self, games: np.ndarray, game_ok: np.ndarray, plays: np.ndarray,
            play_ok: np.ndarray) -> None:  # fmt: skip
        n = len(games)
        if not n:
            return
        valid = games[game_ok]
        ids, counts = np.unique(valid, return_counts=True)
        first = np.unique(valid, return_index=True)[1]
        for gid, count in zip(ids[np.argsort(first)].tolist(),
                              counts[np.argsort(first)].tolist(), strict=True):  # fmt: skip
            self.counts[gid] = self.counts.get(gid, 0) + count
        self.invalid += int(n - len(valid))
        if self.contiguous:
            starts = run_starts(game_ok, games, play_ok, plays)[:-1]
            keys = zip(game_ok[starts].tolist(), games[starts].tolist(),
                       play_ok[starts].tolist(), plays[starts].tolist(), strict=True)  # fmt: skip
            for start, key in zip(starts.tolist(), keys, strict=True):
                if start == 0 and key == self._last:
                    continue  # the run goes on from the previous batch
                if key in self._seen:
                    self.contiguous = False
                    self._starts = []
                    break
                self._seen.add(key)
                if not self._starts or self._starts[-1][:2] != key[:2]:
                    self._starts.append((key[0], key[1], self.rows + start))
            last = n - 1
            self._last = (bool(game_ok[last]), int(games[last]), bool(play_ok[last]),
                          int(plays[last]))  # fmt: skip
        self.rows += n

    def game_runs(self) -> dict[int, list[tuple[int, int]]]:
        """game -> its row ranges (contiguous files only)."""
        runs: dict[int, list[tuple[int, int]]] = {}
        if not self._starts:  # no rows
            return runs
        stops = [start for _, _, start in self._starts[1:]] + [self.rows]
        for (valid, gid, start), stop in zip(self._starts, stops, strict=True):
            if valid:
                runs.setdefault(gid, []).append((start, stop))
        return {gid: runs[gid] for gid in self.counts if gid in runs}


def _buckets(counts: np.ndarray) -> np.ndarray:
    """Bucket numbers 0, 1, ... for consecutive games of ``counts`` rows, about
    :data:`_BUCKET_ROWS` rows a bucket (a game is never split)."""
    if not len(counts):
        return np.zeros(0, dtype=np.int32)
    before = np.concatenate([[0], np.cumsum(counts)[:-1]])
    bucket = before // _BUCKET_ROWS
    return np.unique(bucket, return_inverse=True)[1].astype(np.int32).ravel()


def file_clusters(n: int, games: dict[int, Any]) -> list[list[int]]:
    """Groups of the files ``0..n-1`` that share a game (union-find), in input order;
    ``games[i]`` holds file i's game ids (a file missing from ``games`` shares none)."""
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[int, int] = {}
    for i in sorted(games):
        for gid in np.asarray(games[i]).tolist():
            j = owner.setdefault(gid, i)
            if j != i:
                parent[root(i)] = root(j)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(root(i), []).append(i)
    return sorted(groups.values(), key=lambda g: g[0])


@dataclass
class GameStream:
    """The games of the input files, each one whole across files: ``n_games`` and
    iteration over ``(label, canonical table)``; after iteration, what was dropped."""

    files: list[_File]
    extra: dict[str, Any]
    duplicate_rows_dropped: int = 0
    rows_without_game: int = 0

    @property
    def unpaired_2026_outputs(self) -> bool:
        """BDB 2026 output files are given without any 2026 input file."""
        layouts = {f.layout for f in self.files}
        return "bdb2026_output" in layouts and "bdb2026_input" not in layouts

    @property
    def n_games(self) -> int:
        return len(np.unique(np.concatenate([f.games for f in self.files]))) if self.files else 0

    @property
    def total_rows(self) -> int:
        """The rows of the files that carry a game: about the rows iteration yields
        (duplicates dropped and a layout's own rows aside); it evens the batches."""
        return sum(f.rows - f.rows_without_game for f in self.files)

    @property
    def n_chunks(self) -> int:
        """How many tables iteration yields (a game in several runs of a single file
        comes in several pieces of whole plays)."""
        total = 0
        for group in self.clusters():
            files = [self.files[i] for i in group]
            if len(files) == 1 and not files[0].bucketed:
                total += sum(len(r) for r in files[0].runs.values())
            else:
                total += len(np.unique(np.concatenate([f.games for f in files])))
        return total

    def clusters(self) -> list[list[int]]:
        """Groups of files that share a game, in input order."""
        return file_clusters(len(self.files), {i: f.games for i, f in enumerate(self.files)})

    def __iter__(self) -> Iterator[tuple[str, pa.Table]]:
        self.rows_without_game = sum(f.rows_without_game for f in self.files)
        for group in self.clusters():
            files = [self.files[i] for i in group]
            label = " + ".join(f.path.name for f in files)
            try:
                if len(files) == 1 and not files[0].bucketed:
                    # One file, every play in one run: stream it in file order, a run of
                    # whole plays at a time (a game in several runs comes in pieces).
                    only = files[0]
                    for gid, start, stop in only.runs_in_order():
                        yield label, self._piece(only, gid, start, stop)
                    continue
                if len(files) == 1:
                    games = files[0].games.tolist()
                else:  # games in id order, each whole; other files go through buckets
                    games = np.unique(np.concatenate([f.games for f in files])).tolist()
                    for f in files:
                        if not f.bucketed and (np.any(np.diff(f.games) < 0) or any(
                                len(r) > 1 for r in f.runs.values())):  # fmt: skip
                            f.use_buckets()
                for gid in games:
                    have = [f for f in files if f.holds(gid)]
                    yield label, self._game(have, gid)
            finally:
                for f in files:
                    f.release()

    def close(self) -> None:
        """Release every file (readers, buffers, temporary buckets); idempotent."""
        for f in self.files:
            f.release()

    def _piece(self, file: _File, gid: int, start: int, stop: int) -> pa.Table:
        """Rows [start, stop) of ``file`` (whole plays of game ``gid``), canonical."""
        try:
            raw = file._range(start, stop)
        except (OSError, pa.ArrowException, EOFError) as exc:
            raise InputError(f"{file.path}: cannot read the file ({exc})") from exc
        return self._canonical_parts([(file, raw)])

    def _game(self, files: list[_File], gid: int) -> pa.Table:
        """One game's canonical table from the raw rows of ``files``."""
        return self._canonical_parts([(f, f.read(gid)) for f in files])

    def _canonical_parts(self, parts: list[tuple[_File, pa.Table]]) -> pa.Table:
        """One canonical table from raw pieces of files (one ``read_tracking`` call for
        the raw ones; exact duplicate rows dropped and counted)."""
        from ..io import read_report
        from ..io.normalise import sort_and_deduplicate

        canon = [_as_canonical(t, str(f.path)) for f, t in parts if f.canonical]
        raw = [(f, t) for f, t in parts if not f.canonical]
        tables = []
        if raw:
            names = ", ".join(str(f.path) for f, _ in raw)
            table = _canonical([t for _, t in raw] if len(raw) > 1 else raw[0][1],
                               names, self.extra)  # fmt: skip
            self.duplicate_rows_dropped += int(
                read_report(table).get("exact_duplicates_dropped", 0) or 0
            )
            tables.append(table)
        tables.extend(canon)
        if len(tables) == 1 and len(canon) <= 1:
            return tables[0]
        from ..io.pairing import plain_strings

        unified = [plain_strings(t.replace_schema_metadata(None)) for t in tables]
        table, dropped, _ = sort_and_deduplicate(
            pa.concat_tables(unified, promote_options="default")
        )
        self.duplicate_rows_dropped += dropped
        return table


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def game_stream(paths: Sequence[Path], extra: dict[str, Any]) -> GameStream:
    """Scan ``paths`` (the first pass: game ids only) and return their games as a
    :class:`GameStream`. A file given twice (same path, or a link to it) is read once."""
    files: list[_File] = []
    kept: list[Path] = []
    for path in paths:
        if any(_same_file(path, k) for k in kept):
            continue
        kept.append(path)
        files.append(_scan(path))
    return GameStream(files, extra)


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


def _table_games(table: pa.Table) -> tuple[int, Iterator[pa.Table]]:
    """The games of an in-memory canonical table."""
    if not table.num_rows:
        return 0, game_tables(table)
    games = _np(table["game_id"], np.int64)  # converted once, for the count and the cut
    ordered = not np.any(games[1:] < games[:-1])
    n = len(run_starts(games)) - 1 if ordered else len(np.unique(games))
    return n, game_tables(table, games)

"""The entry points: :func:`run` (tables in memory) and :func:`run_files` (an output
folder, streamed game by game; what ``ghosting run`` does)."""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import pyarrow as pa

from ..choices import CleaningPolicy, Defenders, Reference, Weights
from ..errors import InputError
from . import game
from .inputs import _canonical, _read_side_file, _read_targets, _table_games, game_stream
from .outputs import Results, _MemorySink, _ParquetSink, staging_dir, write_summary
from .settings import RunSettings
from .summary import _Tally

__all__ = ["run", "run_files"]

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

    from ..model import GhostModel

    #: What :func:`run` takes as tracking data.
    TrackingInput: TypeAlias = (
        pa.Table | pd.DataFrame | pl.DataFrame | str | os.PathLike[str]
        | Sequence[str | os.PathLike[str]]
    )
    #: A targeted-receiver file or table.
    TargetsInput: TypeAlias = pa.Table | pd.DataFrame | pl.DataFrame | str | os.PathLike[str]
    #: A model object, a model folder, or None for the shipped model.
    ModelInput: TypeAlias = GhostModel | str | os.PathLike[str] | None


def _load_model(model: Any) -> Any:
    """A model object: the shipped GhostModel by default, loaded from a folder when a
    path is given, or any object with ``predict_plays`` (used as is)."""
    if model is not None and hasattr(model, "predict_plays"):
        return model
    from ..model import GhostModel

    if model is None:
        return GhostModel.load()
    return GhostModel.load(model)


def _model_info(model: Any) -> dict[str, Any]:
    card = getattr(model, "card", None) or {}
    name = card.get("name") or getattr(model, "name", None) or type(model).__name__
    digest = getattr(model, "card_sha256", None)
    card_file = Path(getattr(model, "directory", "") or "") / "card.json"
    if digest is None and getattr(model, "directory", None) and card_file.is_file():
        digest = hashlib.sha256(card_file.read_bytes()).hexdigest()
    if digest is None and card:
        canonical = json.dumps(card, sort_keys=True, separators=(",", ":"), default=str)
        digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return {
        "name": name,
        "version": card.get("version"),
        "card_sha256": digest,
        "onnx_sha256": card.get("onnx_sha256"),
    }


def _run_games(
    sources: Iterable[tuple[str, int | None, Iterator[pa.Table], int | None]],
    targets: pa.Table | None,
    model: Any,
    settings: RunSettings,
    sink: _MemorySink | _ParquetSink,
    show_progress: bool,
    tally: _Tally | None = None,
    threads: int | None = None,
) -> _Tally:
    """Every batch of whole games through :func:`game._ghost_games`, into ``tally``
    and ``sink`` in input order. With ``threads`` > 1, up to that many batches are
    ghosted at once on threads (the kernels, Arrow, numpy and onnxruntime release the
    GIL); each batch fills a tally and tables of its own, added here in input order
    exactly as one thread adds them, so the outputs are the same bytes."""
    from .._util import progress

    tally = tally or _Tally()
    n_threads = resolve_threads(threads)

    def all_batches() -> Iterator[list[pa.Table]]:
        for name, n_games, games, total_rows in sources:
            chunks = progress(games, total=n_games, desc=name, enabled=show_progress)
            # whole games, up to game.BATCH_ROWS rows (of even sizes when the total is known)
            yield from game.batches(chunks, total_rows=total_rows)

    if n_threads == 1:
        for batch in all_batches():
            game._ghost_games(batch, targets, model, settings, tally, sink)
        return tally

    def ghost(batch: list[pa.Table]) -> tuple[_Tally, _MemorySink]:
        part, tables = _Tally(), _MemorySink()
        game._ghost_games(batch, targets, model, settings, part, tables)
        return part, tables

    def add(done: Future[tuple[_Tally, _MemorySink]]) -> None:
        part, tables = done.result()
        tally.merge(part)
        for name, parts in tables.parts.items():
            for table in parts:
                sink.add(name, table)

    pending: deque[Future[tuple[_Tally, _MemorySink]]] = deque()
    with ThreadPoolExecutor(n_threads, thread_name_prefix="ghosting") as pool:
        try:
            for batch in all_batches():  # read in this thread while the pool ghosts
                pending.append(pool.submit(ghost, batch))
                if len(pending) >= n_threads:  # bounded: n_threads batches held at once
                    add(pending.popleft())
            while pending:
                add(pending.popleft())
        except BaseException:
            for future in pending:
                future.cancel()
            raise
    return tally


#: Batches ghosted at once by default (each holds up to ``game.BATCH_ROWS`` rows and
#: what is computed from them, so the default bounds memory as well as using the cores).
DEFAULT_THREADS = 2


def resolve_threads(threads: int | None) -> int:
    """The number of batch threads: ``threads``, or :data:`DEFAULT_THREADS` capped at
    the cores this process may use."""
    if threads is None:
        try:
            cores = len(os.sched_getaffinity(0))
        except AttributeError:  # not on Linux
            cores = os.cpu_count() or 1
        return max(1, min(DEFAULT_THREADS, cores))
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise InputError(f"threads must be an integer >= 1, got {threads!r}")
    return threads


def run(
    tracking: TrackingInput,
    targets: TargetsInput | None = None,
    model: ModelInput = None,
    *,
    policy: CleaningPolicy = "play",
    defenders: Defenders = "backs",
    reference: Reference = "catch_point",
    weights: Weights = "uniform",
    show_progress: bool = False,
    settings: RunSettings | None = None,
    client: Any = None,
    threads: int | None = None,
) -> Results:
    """Ghost and score every pass play of ``tracking``; return the tables in memory.

    Parameters
    ----------
    tracking
        A canonical tracking table, or anything :func:`ghosting.read_tracking` reads
        (a file path, a pandas or polars DataFrame, an Arrow table in a shipped layout).
        Layouts that need side files (BDB 2019 positions from ``players.csv``) are read
        with ``ghosting.read_tracking(..., players=...)`` first.
    targets
        Targeted receivers (a ``targetedReciever.csv`` path or table); without it the
        target comes from the tracking data (role, play description, or inference).
    model
        A :class:`ghosting.GhostModel`, a model folder, or None for the shipped model.
    policy
        Cleaning policy: ``"play"`` (drop a play with any flagged sample), ``"track"``
        or ``"sample"``.
    defenders
        ``"backs"`` (the defensive backs, default) or ``"all"`` defenders.
    reference, weights
        Trajectory Score options (see :func:`ghosting.trajectory_score`).
    settings
        A :class:`RunSettings` with every option (cleaning options, maximum flight,
        ...); when given, ``policy``, ``defenders``, ``reference`` and ``weights``
        are ignored.
    client
        A ``dask.distributed.Client`` (extra ``dask``): run the games on its workers
        (a path is read by the workers; a table in memory is sent game by game). The
        results are identical to a single-process run; see ``docs/distributed.md``.
    threads
        Batches of games ghosted at once in this process (default: 2, or 1 on a
        single core; not used with ``client``). The results are the same bytes
        whatever the number; each thread holds one batch (up to a million rows) and
        what is computed from it.

    Returns
    -------
    Results
        ``trajectories``, ``scores``, ``plays`` (pyarrow tables, every column listed in
        :class:`Results`) and ``summary``; ``.to_pandas()`` / ``.to_polars()`` give
        DataFrames. Positions are in the normalised frame (offense toward +x);
        :func:`ghosting.to_raw_coordinates` maps them back.

    Examples
    --------
    >>> import ghosting
    >>> results = ghosting.run(ghosting.synth.generate_plays(4, seed=0))
    >>> results.plays.column_names[:4]
    ['game_id', 'play_id', 'status', 'reason']
    """
    settings = settings or RunSettings(
        policy=policy, defenders=defenders, reference=reference, weights=weights
    )
    resolve_threads(threads)  # a bad value fails before any work
    start = time.perf_counter()
    ghost_model = _load_model(model)
    table = _canonical(tracking) if client is None else None
    target_table = _read_targets(targets)
    sink = _MemorySink()
    if client is not None:
        from . import distributed

        if isinstance(tracking, (str, os.PathLike)):
            tasks, tables = distributed.list_tasks([tracking]), None
        else:
            tasks, tables = distributed.game_tasks(_canonical(tracking))
        tally, cluster = distributed.run_tasks(
            client, tasks, tables, ghost_model, target_table, settings, {}, sink, show_progress
        )
        tally.duplicate_rows_dropped = 0  # as here: a table read whole reports none
    else:
        assert table is not None
        sources = [("ghosting", *_table_games(table), table.num_rows)]
        tally = _run_games(sources, target_table, ghost_model, settings, sink, show_progress,
                           threads=threads)  # fmt: skip
    summary = tally.summary(
        settings=settings,
        model_info=_model_info(ghost_model),
        seconds=time.perf_counter() - start,
        inputs=[_source_label(tracking)],
        extra_settings={"targets": _source_label(targets) if targets is not None else None},
    )
    if client is not None:
        summary["distributed"] = cluster
    return Results(**sink.tables(), summary=summary)


def _source_label(source: Any) -> str:
    if isinstance(source, (str, os.PathLike)):
        return str(source)
    return f"<{type(source).__module__.split('.')[0]}.{type(source).__name__}>"


def run_files(
    inputs: Sequence[str | os.PathLike[str]] | None,
    outdir: str | os.PathLike[str],
    *,
    targets: str | os.PathLike[str] | None = None,
    model: ModelInput = None,
    settings: RunSettings | None = None,
    demo_plays: int | None = None,
    demo_seed: int = 0,
    show_progress: bool = False,
    players: str | os.PathLike[str] | None = None,
    plays: str | os.PathLike[str] | None = None,
    games: str | os.PathLike[str] | None = None,
    client: Any = None,
    threads: int | None = None,
) -> dict[str, Any]:
    """Ghost and score every pass play of tracking files, streaming game by game into
    ``outdir`` (what ``ghosting run`` does); return the summary.

    ``inputs`` are files, folders (their tracking files, as ``ghosting train`` finds
    them) or glob patterns. Each game is read whole from every input that has rows of
    it (a play split across files is one play; exact duplicate rows, as from the same
    data given twice, are dropped and counted). ``inputs=None`` with ``demo_plays=N``
    ghosts N built-in synthetic plays instead. ``players``, ``plays`` and ``games`` are
    the competition's side files, passed to :func:`ghosting.read_tracking` (positions
    for BDB 2019, the possession team). ``outdir`` may not be, contain, or lie inside
    an input. Nothing is written unless every input is read and every game processed:
    the outputs appear in ``outdir`` together at the end.

    With ``client`` (a ``dask.distributed.Client``, extra ``dask``) the games run on
    its workers: the inputs are split into tasks of whole games (files sharing a game
    make one task; a Parquet file sorted by game is split by row groups from its
    metadata; the first pass over game ids runs on the workers), the workers read
    them (the paths must be readable there too) and the results are written here in
    the order a single-process run writes them, identical to its outputs; the
    summary's ``distributed`` section says how many workers and tasks ran. Without
    it, ``threads`` batches of games are ghosted at once (as :func:`run`).

    >>> summary = run_files(None, "out/", demo_plays=8)  # doctest: +SKIP
    >>> sorted(p.name for p in Path("out").iterdir())  # doctest: +SKIP
    ['plays.parquet', 'scores.parquet', 'summary.json', 'trajectories.parquet']
    """
    from .paths import check_outputs, expand_inputs

    settings = settings or RunSettings()
    resolve_threads(threads)  # a bad value fails before any work
    start = time.perf_counter()
    if inputs is None and demo_plays is None:
        raise InputError("give input files or demo_plays")
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    paths = expand_inputs(inputs, keep_repeats=True) if inputs is not None else []
    side_paths = {"players": players, "plays": plays, "games": games}
    model_dir = model if isinstance(model, (str, os.PathLike)) else None
    check_outputs(
        {"INPUT": [*(inputs or []), *paths], "--targets": targets, "--players": players,
         "--plays": plays, "--games": games, "--model": model_dir},
        {"-o": outdir},
        folders=["-o"],
    )  # fmt: skip
    target_table = _read_targets(str(targets)) if targets is not None else None
    side_files = {k: _read_side_file(v) for k, v in side_paths.items() if v is not None}
    plan = None
    if client is not None and inputs is not None:
        from .distributed import file_tasks

        plan = file_tasks(client, paths)  # the first pass, on the workers
    stream = game_stream(paths, side_files) if inputs is not None and client is None else None
    ghost_model = _load_model(model)
    tally = _Tally()

    def sources() -> Iterator[tuple[str, int | None, Iterator[pa.Table], int | None]]:
        if stream is None:
            from ..synth import generate_plays

            demo = generate_plays(int(demo_plays or 0), seed=demo_seed)
            yield ("demo", *_table_games(demo), demo.num_rows)
            return
        yield "ghosting", stream.n_chunks, (table for _, table in stream), stream.total_rows

    labels = ([str(f.path) for f in stream.files] if stream is not None
              else plan.files if plan is not None else [f"demo:{demo_plays}"])  # fmt: skip
    with staging_dir(outdir) as tmp:
        sink = _ParquetSink(tmp)
        try:
            if client is None:
                _run_games(sources(), target_table, ghost_model, settings, sink, show_progress,
                           tally, threads=threads)  # fmt: skip
            else:
                tally, cluster = _run_on(
                    client, plan, demo_plays, demo_seed, ghost_model, target_table, settings,
                    side_files, sink, show_progress,
                )  # fmt: skip
            if inputs is not None and tally.rows_read == 0:
                raise InputError(f"no tracking rows in {', '.join(labels)}")
        except BaseException:
            sink.close(complete=False)
            raise
        finally:
            if stream is not None:
                stream.close()  # temporary buckets go, whatever happened
        sink.close()
        if stream is not None:
            tally.duplicate_rows_dropped = stream.duplicate_rows_dropped
            tally.rows_without_game_id = stream.rows_without_game
            tally.repeated_inputs = len(paths) - len(stream.files)
            tally.unpaired_2026_outputs = stream.unpaired_2026_outputs
        if plan is not None:  # duplicate rows were counted by the tasks
            tally.rows_without_game_id = plan.rows_without_game
            tally.repeated_inputs = plan.repeated_inputs
            tally.unpaired_2026_outputs = plan.unpaired_2026_outputs
        summary = tally.summary(
            settings=settings,
            model_info=_model_info(ghost_model),
            seconds=time.perf_counter() - start,
            inputs=labels,
            extra_settings={
                "targets": str(targets) if targets is not None else None,
                **{k: str(v) for k, v in side_paths.items() if v is not None},
                "demo_seed": demo_seed if inputs is None else None,
            },
        )
        if client is not None:
            summary["distributed"] = cluster
        write_summary(summary, tmp / "summary.json")
    return summary


def _run_on(
    client: Any,
    plan: Any,
    demo_plays: int | None,
    demo_seed: int,
    model: Any,
    targets: pa.Table | None,
    settings: RunSettings,
    side_files: dict[str, pa.Table],
    sink: _ParquetSink,
    show_progress: bool,
) -> tuple[_Tally, dict[str, Any]]:
    """``run_files`` on the Dask workers of ``client`` (files, or the demo's games)."""
    from . import distributed

    if plan is None:
        from ..synth import generate_plays

        tasks, tables = distributed.game_tasks(generate_plays(int(demo_plays or 0), seed=demo_seed))
    else:
        tasks, tables = plan.tasks, None
    return distributed.run_tasks(
        client, tasks, tables, model, targets, settings, side_files, sink, show_progress
    )

"""Scale-out on Dask (extra ``dask``): the same per-game pipeline on the workers of a
``dask.distributed`` cluster, results merged on the client in input order.

The client lists **tasks** of whole games (``tasks.plan_tasks``: the files that share
games, read together, or a range of a Parquet file's row groups, from its metadata;
the first pass over the other files' game ids runs on the workers); a worker reads
its task's rows, loads the model once (cached per worker process), runs
``game._ghost_games`` on each batch of its games (``game.batches``, as a single
process does) with an in-memory sink and sends back the output tables and one tally
per batch (its float sums kept per game, so totals do not depend on the batches).
The client appends them to the outputs in task order, whatever order the tasks
finish in, so a Dask run writes exactly what a single-process run writes. A task
lost with a worker is rerun by Dask; its result is taken once.

>>> from ghosting.pipeline.distributed import dask_client  # doctest: +SKIP
>>> with dask_client(workers=2) as client:  # doctest: +SKIP
...     summary = ghosting.run_files(["week1.parquet"], "out/", client=client)
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import CancelledError
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..errors import GhostingError, InputError, ModelError
from .outputs import SCHEMAS, _MemorySink, _ParquetSink
from .settings import RunSettings
from .summary import _Tally
from .tasks import Task, TaskPlan, TaskReader, _label, game_tasks, list_tasks, plan_tasks

__all__ = [
    "Task",
    "list_tasks",
    "game_tasks",
    "file_tasks",
    "dask_client",
    "ordered_results",
    "run_tasks",
    "INSTALL_HINT",
]

INSTALL_HINT = 'pip install "ghosting[dask]"'


def _distributed() -> Any:
    """The ``distributed`` module, or a clear error naming the extra to install."""
    try:
        import distributed
    except ImportError as exc:
        raise GhostingError(f"running on Dask needs dask.distributed: {INSTALL_HINT}") from exc
    return distributed


# -- the worker side ---------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _ModelSpec:
    """How a worker finds the model: a folder (None: the shipped model) and the ONNX
    sha256 the client loaded; or ``custom`` (the object itself is sent)."""

    directory: str | None
    sha256: str | None
    custom: bool = False


_MODELS: dict[tuple[str | None, str | None], Any] = {}
_MODELS_LOCK = threading.Lock()


def _model_spec(model: Any) -> _ModelSpec:
    from ..model import GhostModel
    from ..model.ghost import DEFAULT_MODEL_DIR

    if not isinstance(model, GhostModel):
        return _ModelSpec(None, None, custom=True)
    directory = Path(model.directory)
    shipped = directory.resolve() == Path(DEFAULT_MODEL_DIR).resolve()
    return _ModelSpec(None if shipped else str(directory), model.sha256)


def _worker_model(spec: _ModelSpec, custom: Any) -> Any:
    """The model on this worker: loaded on first use, then the same object (one per
    worker process, shared by its threads)."""
    if spec.custom:
        return custom
    from ..model import GhostModel

    key = (spec.directory, spec.sha256)
    with _MODELS_LOCK:
        model = _MODELS.get(key)
        if model is None:
            model = GhostModel.load(spec.directory)
            if model.sha256 != spec.sha256:
                raise ModelError(
                    f"model on worker ({spec.directory or 'shipped'}) has sha256 "
                    f"{model.sha256[:12]}..., the client's {str(spec.sha256)[:12]}...: "
                    "install the same ghosting version and model on every machine"
                )
            _MODELS[key] = model
    return model


@dataclasses.dataclass
class _TaskResult:
    """What a worker sends back for one task: each output table's parts in order, one
    tally per batch of games, how many games (pieces) it held, and who ran it."""

    parts: dict[str, list[pa.Table]]
    tallies: list[_Tally]
    worker: str
    seconds: float
    duplicate_rows_dropped: int = 0
    games: int = 0


def _run_task(
    task: Task,
    table: pa.Table | None,
    spec: _ModelSpec,
    custom_model: Any,
    targets: pa.Table | None,
    settings: RunSettings,
    extra: dict[str, Any],
) -> _TaskResult:
    """Run on a worker: the per-game pipeline over one task's games."""
    from . import game

    start = time.perf_counter()
    model = _worker_model(spec, custom_model)
    table, targets = _aligned(table), _aligned(targets)
    extra = {name: _aligned(value) for name, value in extra.items()}
    sink = _MemorySink()
    tallies = []
    n_games = 0
    reader = TaskReader(task, table, extra)
    try:
        for batch in game.batches(reader):  # as a single process batches them
            tally = _Tally()
            game._ghost_games(batch, targets, model, settings, tally, sink)
            tallies.append(tally)
            n_games += len(batch)
    except OSError as exc:  # the client could read it (it checked), this worker cannot
        raise _unreadable(task, exc) from exc
    return _TaskResult(sink.parts, tallies, _worker_address(), time.perf_counter() - start,
                       reader.duplicate_rows_dropped, n_games)  # fmt: skip


def _unreadable(task: Task, exc: OSError) -> InputError:
    return InputError(
        f"{_label(task)}: cannot be read on Dask worker {_worker_address()} ({exc}); "
        "inputs must be on storage that every worker reads under the same path"
    )


def _scan_file(path: Path) -> Any:
    """Run on a worker: the first pass over one input (game and play ids only)."""
    from .inputs import _scan

    try:
        return _scan(path)
    except OSError as exc:
        raise InputError(
            f"{path}: cannot be read on Dask worker {_worker_address()} ({exc}); "
            "inputs must be on storage that every worker reads under the same path"
        ) from exc


def file_tasks(client: Any, paths: Sequence[Path]) -> TaskPlan:
    """The tasks of a file run on ``client``'s workers, each holding whole games (see
    :func:`ghosting.pipeline.tasks.plan_tasks`); the first pass over files whose games
    the metadata cannot tell runs on the workers, one task per file."""
    return plan_tasks(paths, lambda todo: list(ordered_results(client, _scan_file, todo)))


def _aligned(table: Any) -> Any:
    """``table`` in freshly allocated memory. Arrow buffers unpickled from the network
    can sit at any offset, which Arrow's compute engine warns about on every call."""
    if not isinstance(table, pa.Table):
        return table
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return pa.ipc.open_stream(sink.getvalue()).read_all()


def _aligned_tree(value: Any) -> Any:
    """``value`` with every Arrow table inside it (in lists, tuples, dicts, dataclasses)
    re-allocated by :func:`_aligned`."""
    if isinstance(value, pa.Table):
        return _aligned(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_aligned_tree(v) for v in value)
    if isinstance(value, dict):
        return {k: _aligned_tree(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _aligned_tree(getattr(value, f.name)) for f in dataclasses.fields(value)
                   if f.init}  # fmt: skip
        return dataclasses.replace(value, **changes)
    return value


def _call(function: Callable[..., Any], item: Any, *args: Any) -> Any:
    """Run on a worker: ``function(item, *args)`` on re-aligned arguments."""
    return function(item, *(_aligned_tree(a) for a in args))


def _worker_address() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):  # pragma: no cover - run outside a worker
        return "local"


# -- the client side ---------------------------------------------------------------------


class _Progress:
    """A one-line progress bar over tasks (and the games they held) on stderr."""

    def __init__(self, total: int, desc: str, enabled: bool) -> None:
        self.total, self.desc, self.enabled = total, desc, enabled
        self.done = self.games = 0

    def update(self, games: int) -> None:
        self.done += 1
        self.games += games
        if not self.enabled:
            return
        filled = int(30 * self.done / max(self.total, 1))
        sys.stderr.write(
            f"\r{self.desc} [{'#' * filled}{'-' * (30 - filled)}] "
            f"{self.done}/{self.total} tasks, {self.games} games"
        )
        if self.done == self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _threads(client: Any) -> int:
    workers = client.scheduler_info().get("workers", {})
    return max(1, sum(int(w.get("nthreads", 1)) for w in workers.values()))


def _in_order(
    client: Any,
    submit: Callable[[int], Any],
    n: int,
    window: int | None = None,
    describe: Callable[[int], str] = str,
) -> Iterator[Any]:
    """Results of futures ``submit(0) .. submit(n - 1)`` in index order, at most
    ``window`` of them submitted or waiting at once (bounded client memory). A task's
    error (a :class:`GhostingError` naming the file, say) is raised here, and every
    task still pending is cancelled; Dask's own failures (a task that kept killing
    its workers, a lost scheduler) become a :class:`GhostingError` naming the task
    (``describe(i)``)."""
    distributed = _distributed()
    window = window or max(4, 4 * _threads(client))
    index: dict[str, int] = {}
    pending: dict[int, Any] = {}
    done: dict[int, Any] = {}
    futures = distributed.as_completed()
    submitted = 0

    def top_up() -> None:
        nonlocal submitted
        while submitted < n and len(pending) + len(done) < window:
            future = submit(submitted)
            index[future.key] = submitted
            pending[submitted] = future
            futures.add(future)
            submitted += 1

    top_up()
    following = 0
    try:
        for future in futures:
            i = index.pop(future.key)
            try:
                done[i] = future.result()  # raises the task's own error
            except distributed.KilledWorker as exc:
                raise GhostingError(
                    f"{describe(i)}: Dask gave the task up after it lost its worker "
                    f"too often ({exc}); see distributed.scheduler.allowed-failures"
                ) from exc
            except (CancelledError, distributed.comm.CommClosedError) as exc:
                raise GhostingError(
                    f"{describe(i)}: the Dask run stopped ({type(exc).__name__}: {exc}); "
                    "was the scheduler shut down?"
                ) from exc
            del pending[i]
            future.release()
            while following in done:
                yield done.pop(following)
                following += 1
            top_up()
    finally:
        if pending:
            client.cancel(list(pending.values()), force=True)


def _share(client: Any, values: list[Any]) -> list[Any]:
    """Each value sent once to every worker (a future standing for it); None stays None.

    Values are wrapped in a list so that a dict or a list is sent as one object."""
    return [
        None if value is None else client.scatter([value], broadcast=True, hash=False)[0]
        for value in values
    ]


def _release(client: Any, shared: list[Any]) -> None:
    futures = [f for f in shared if f is not None]
    if futures:
        client.cancel(futures, force=True)


def ordered_results(
    client: Any, function: Callable[..., Any], items: Sequence[Any], *args: Any
) -> Iterator[Any]:
    """``function(item, *args)`` for each item, run on the Dask workers of ``client``,
    yielded in the order of ``items`` (used by ``ghosting clean`` and ``score``).

    ``function`` must be importable on the workers; ``args`` are sent once to every
    worker. A task's exception is raised here and the other tasks are cancelled.

    >>> list(ordered_results(client, abs, [-1, 2, -3]))  # doctest: +SKIP
    [1, 2, 3]
    """
    shared = _share(client, list(args))
    run = uuid.uuid4().hex[:10]
    name = getattr(function, "__name__", "task")

    def submit(i: int) -> Any:
        return client.submit(_call, function, items[i], *shared,
                             key=f"ghosting-{name}-{run}-{i}", pure=False)  # fmt: skip

    try:
        for result in _in_order(client, submit, len(items), describe=lambda i: str(items[i])):
            yield _aligned_tree(result)
    finally:
        _release(client, shared)


def run_tasks(
    client: Any,
    tasks: Sequence[Task],
    tables: Sequence[pa.Table] | None,
    model: Any,
    targets: pa.Table | None,
    settings: RunSettings,
    extra: dict[str, Any],
    sink: _MemorySink | _ParquetSink,
    show_progress: bool,
) -> tuple[_Tally, dict[str, Any]]:
    """Run ``tasks`` on the workers of ``client``; add their tables to ``sink`` and
    their tallies to one tally, in task order. Returns the tally and what ran where
    (``scheduler``, ``workers`` that ran tasks, ``threads``, ``tasks``, and
    ``task_seconds``, the workers' time in the tasks) for the summary."""
    spec = _model_spec(model)
    shared = _share(client, [model if spec.custom else None, targets, settings, extra])
    run = uuid.uuid4().hex[:10]

    def submit(i: int) -> Any:
        table = tables[i] if tables is not None else None
        data = client.scatter([table], hash=False)[0] if table is not None else None
        return client.submit(_run_task, tasks[i], data, spec, *shared,
                             key=f"ghosting-run-{run}-{i}", pure=False)  # fmt: skip

    tally = _Tally()
    workers: set[str] = set()
    busy = 0.0
    bar = _Progress(len(tasks), "ghosting", show_progress)
    try:
        for result in _in_order(client, submit, len(tasks), describe=lambda i: _label(tasks[i])):
            for name in SCHEMAS:
                for part in result.parts[name]:  # tables kept in memory are re-aligned
                    sink.add(name, _aligned(part) if isinstance(sink, _MemorySink) else part)
            for part in result.tallies:
                tally.merge(part)
            tally.duplicate_rows_dropped += result.duplicate_rows_dropped
            workers.add(result.worker)
            busy += result.seconds
            bar.update(result.games)
    finally:
        _release(client, shared)
    info = {
        "scheduler": str(client.scheduler.address),
        "workers": len(workers),
        "threads": _threads(client),
        "tasks": len(tasks),
        "task_seconds": round(busy, 3),
    }
    return tally, info


@contextlib.contextmanager
def dask_client(
    scheduler: str | None = None, workers: int | None = None, *, timeout: float = 20.0
) -> Iterator[Any]:
    """A ``distributed.Client``: connected to ``scheduler`` (an address such as
    ``tcp://10.0.0.5:8786``), or to a new ``LocalCluster`` of ``workers`` processes
    (one thread each) on this machine, closed at the end; None when both are None
    (a single-process run).

    >>> with dask_client(workers=2) as client:  # doctest: +SKIP
    ...     results = ghosting.run(table, client=client)
    """
    if scheduler is not None and workers is not None:
        raise InputError("give --scheduler ADDRESS or --workers N, not both")
    if scheduler is None and workers is None:
        yield None
        return
    if workers is not None and workers < 1:
        raise InputError(f"--workers must be at least 1, got {workers}")
    distributed = _distributed()
    with contextlib.ExitStack() as stack:
        if workers is not None:
            import dask

            # Two Dask defaults that cost this workload CPU: the workers' statistical
            # profiler (samples every task's stack 100 times a second; nobody reads it)
            # and the nanny's MALLOC_TRIM_THRESHOLD_=65536, which turns off glibc's
            # adaptive mmap threshold, so every large numpy temporary is a fresh mmap
            # and its pages fault in again (about 4x the system CPU of one process).
            with dask.config.set({
                "distributed.worker.profile.enabled": False,
                "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
            }):
                cluster = distributed.LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=":0",  # any free port: never "already in use"
                    silence_logs=logging.CRITICAL,  # task errors are raised here, once
                )
            stack.callback(cluster.close)
            client = distributed.Client(cluster)
        else:
            try:
                client = distributed.Client(scheduler, timeout=timeout)
            except (OSError, TimeoutError) as exc:
                raise GhostingError(
                    f"cannot connect to the Dask scheduler at {scheduler!r}: {exc}"
                ) from exc
        stack.callback(client.close)
        _wait_for_workers(client, timeout)
        yield client


def _wait_for_workers(client: Any, timeout: float) -> None:
    """Wait until the cluster has a worker (a fresh scheduler may have none yet)."""
    deadline = time.monotonic() + timeout
    while not client.scheduler_info().get("workers"):
        if time.monotonic() > deadline:
            raise GhostingError(
                f"the Dask scheduler at {client.scheduler.address} has no workers "
                f"(waited {timeout:.0f} s): start some with `dask worker ADDRESS`"
            )
        time.sleep(0.1)

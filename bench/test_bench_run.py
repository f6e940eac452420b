"""The main job (``ghosting.run``): against a per-play loop over the public API,
against its compute floor, and on a season-sized input.

``ghosting.run`` ghosts every option of a batch of games' plays in one batched model
call and scores all trajectories in one kernel call. The baseline does what a
notebook user would write with the same public pieces: for each pass play,
``model.what_if`` and then ``trajectory_score`` on each ghost trajectory. Same plays,
same process.

With the real data (``GHOSTING_DATA``), ``test_run_against_its_floor`` runs
``ghosting.run`` on the NGS highlights already in memory and, in the same process on
the same data, its *floor*: the network alone on the very tiles the run fed it (the
onnx session's recorded inputs, replayed) plus the C++ kernels alone on the very
arrays the run passed them (every ``ghosting._core`` call, recorded and replayed);
and reading alone. The run is timed on one batch thread and on two (the default),
the floor replayed one call after the other and spread over two threads: it prints
run / floor on one core and on two, and ghost trajectories per second.

``test_season_end_to_end`` (only with ``--benchmark-enable``: it takes minutes)
writes 16 synthetic chunks of 600 plays (20.2 M rows) to one Parquet file, and the
first 4 (5.05 M rows) to another, each sorted and with its rows scattered (blocks
of rows shuffled within each chunk, so that plays lie in many places), and runs
``ghosting run`` on each in a child process: wall time, peak RSS of the child, and
reading alone. It prints the 20 M / 5 M time ratio and ghost trajectories per
second with reading excluded. ``test_season_network_ceiling`` replays the network
calls of one season chunk alone, on one core and on two: the most ghost trajectories
per second the network allows, whatever the plumbing. Run::

    python -m pytest bench/test_bench_run.py --benchmark-enable -s
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import ghosting
from ghosting import _core

N_PLAYS = 60


@pytest.fixture(scope="module")
def tracking() -> pa.Table:
    return ghosting.synth.generate_plays(N_PLAYS, seed=7)


@pytest.fixture(scope="module")
def model() -> ghosting.GhostModel:
    return ghosting.GhostModel.load()


def per_play_loop(tracking: pa.Table, model: ghosting.GhostModel) -> int:
    """The baseline: one model call per play, one score call per trajectory."""
    cleaned, _ = ghosting.clean(tracking)
    plays = ghosting.pass_plays(cleaned)
    n = 0
    for play in plays.filter(plays["analysable"]).to_pylist():
        ghosts = model.what_if(cleaned, play)
        mine = cleaned.filter(
            pc.and_(
                pc.equal(cleaned["game_id"], play["game_id"]),
                pc.equal(cleaned["play_id"], play["play_id"]),
            )
        )
        for target in pc.unique(ghosts["target_nfl_id"]).to_pylist():
            receiver = mine.filter(pc.equal(mine["nfl_id"], target))
            option = ghosts.filter(pc.equal(ghosts["target_nfl_id"], target))
            for defender in pc.unique(option["nfl_id"]).to_pylist():
                d = option.filter(pc.equal(option["nfl_id"], defender))
                r = receiver.filter(pc.is_in(receiver["frame_id"], d["frame_id"]))
                ghosting.trajectory_score(
                    np.column_stack([d["x"].to_numpy(), d["y"].to_numpy()]),
                    np.column_stack([r["x"].to_numpy(), r["y"].to_numpy()]),
                )
                n += 1
    return n


@pytest.mark.benchmark(group="run")
def test_run_batched(benchmark, tracking, model):
    benchmark.pedantic(ghosting.run, args=(tracking,), kwargs={"model": model}, rounds=3)


@pytest.mark.benchmark(group="run")
def test_run_per_play_baseline(benchmark, tracking, model):
    benchmark.pedantic(per_play_loop, args=(tracking, model), rounds=1)


def test_ratio(tracking, model, capsys):
    """Batched run vs the per-play loop, one process, as a ratio (plus plays/s)."""
    ghosting.run(tracking, model=model)  # warm-up: lazy imports and first-call costs
    start = time.perf_counter()
    results = ghosting.run(tracking, model=model)
    t_run = time.perf_counter() - start
    start = time.perf_counter()
    n = per_play_loop(tracking, model)
    t_loop = time.perf_counter() - start
    ghosts = results.summary["counts"]["ghost_trajectories"]
    assert n == ghosts  # the same trajectories scored by both
    with capsys.disabled():
        print(f"\n{N_PLAYS} plays, {ghosts} ghost trajectories")
        print("| | s | plays/s | ghost trajectories/s |")
        print("|---|---|---|---|")
        for name, t in (("ghosting.run (batched)", t_run), ("per-play loop", t_loop)):
            print(f"| {name} | {t:.2f} | {N_PLAYS / t:.0f} | {ghosts / t:.0f} |")
        print(f"ratio: {t_loop / t_run:.1f}x")
    assert t_loop / t_run > 1.5


# -- the run against its floor (real data) -------------------------------------------

HIGHLIGHTS = "ngs_highlights/highlights.parquet"


@pytest.fixture(scope="module")
def highlights_path() -> Path:
    root = os.environ.get("GHOSTING_DATA")
    if not root or not (Path(root) / HIGHLIGHTS).is_file():
        pytest.skip("real tracking data not available (set GHOSTING_DATA=../shared/data)")
    return Path(root) / HIGHLIGHTS


class _Session:
    """An onnx session that records every input it is given."""

    def __init__(self, session: Any, calls: list[tuple[Any, dict]]) -> None:
        self._session, self._calls = session, calls

    def run(self, names: Any, feeds: dict) -> Any:
        self._calls.append((names, feeds))
        return self._session.run(names, feeds)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


@contextmanager
def recording(model: ghosting.GhostModel, monkeypatch: pytest.MonkeyPatch
              ) -> Iterator[tuple[list, list]]:  # fmt: skip
    """Record the network's inputs and every C++ kernel call made inside the block."""
    network: list[tuple[Any, dict]] = []
    kernels: list[tuple[Callable, tuple, dict]] = []

    def recorder(fn: Callable) -> Callable:
        def call(*args: Any, **kwargs: Any) -> Any:
            kernels.append((fn, args, kwargs))
            return fn(*args, **kwargs)

        return call

    with monkeypatch.context() as patch:
        patch.setattr(model, "_session", _Session(model._session, network))
        for name in dir(_core):
            fn = getattr(_core, name)
            if type(fn).__name__ == "builtin_function_or_method":
                patch.setattr(_core, name, recorder(fn))
        yield network, kernels


def _replay(network: list, kernels: list, session: Any) -> tuple[float, float]:
    """The recorded network and kernel calls again, one after the other: seconds."""
    start = time.perf_counter()
    for names, feeds in network:
        session.run(names, feeds)
    t_network = time.perf_counter() - start
    start = time.perf_counter()
    for fn, args, kwargs in kernels:
        fn(*args, **kwargs)
    return t_network, time.perf_counter() - start


def _replay_on(threads: int, network: list, kernels: list, session: Any) -> float:
    """The recorded calls spread over ``threads`` threads (each call whole; network
    calls dealt by tiles, largest first, to the least loaded thread, kernel calls
    round robin): the wall seconds of the compute alone on that many cores."""
    loads = [0] * threads
    shares: list[list[Callable[[], Any]]] = [[] for _ in range(threads)]
    for names, feeds in sorted(network, key=lambda call: -len(next(iter(call[1].values())))):
        k = loads.index(min(loads))
        loads[k] += len(next(iter(feeds.values())))
        shares[k].append(lambda names=names, feeds=feeds: session.run(names, feeds))
    for i, (fn, args, kwargs) in enumerate(kernels):
        shares[i % threads].append(lambda fn=fn, args=args, kwargs=kwargs: fn(*args, **kwargs))

    def work(calls: list[Callable[[], Any]]) -> None:
        for call in calls:
            call()

    pool = [threading.Thread(target=work, args=(calls,)) for calls in shares]
    start = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return time.perf_counter() - start


def _timed_run(table: pa.Table, model: ghosting.GhostModel, threads: int) -> tuple[float, Any]:
    start = time.perf_counter()
    results = ghosting.run(table, model=model, threads=threads)
    return time.perf_counter() - start, results


def test_run_against_its_floor(highlights_path, model, monkeypatch, capsys) -> None:
    """``ghosting.run`` on the highlights in memory vs the network and kernels alone,
    on one core (one batch thread, the calls replayed one after the other) and on
    both (the default two batch threads, the calls replayed on two threads)."""
    ghosting.read_tracking(highlights_path)  # warm-up: the file in the page cache
    start = time.perf_counter()
    table = ghosting.read_tracking(highlights_path)
    t_read = time.perf_counter() - start
    ghosting.run(table, model=model)  # warm-up: lazy imports, first-call costs
    # the best of 3 of each, interleaved (the machine's noise falls on both)
    times: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(3):
        for threads in (1, 2):
            seconds, results = _timed_run(table, model, threads)
            times[threads].append(seconds)
    t_one, t_two = min(times[1]), min(times[2])
    with recording(model, monkeypatch) as (network, kernels):
        again = ghosting.run(table, model=model, threads=1)
    assert again.summary["counts"] == results.summary["counts"]
    assert network and kernels
    t_network, t_kernels = min(_replay(network, kernels, model._session) for _ in range(3))
    floor_one = t_network + t_kernels
    floor_two = min(_replay_on(2, network, kernels, model._session) for _ in range(3))
    ghosts = results.summary["counts"]["ghost_trajectories"]
    tiles = sum(len(next(iter(feeds.values()))) for _, feeds in network)
    with capsys.disabled():
        print(f"\nhighlights: {table.num_rows:,} rows, {results.plays.num_rows} plays, "
              f"{ghosts:,} ghost trajectories")
        print("| | s |")
        print("|---|---|")
        print(f"| reading alone (read_tracking, second read) | {t_read:.2f} |")
        print(f"| ghosting.run, table in memory, 1 thread | {t_one:.2f} |")
        print(f"| ghosting.run, table in memory, 2 threads (default) | {t_two:.2f} |")
        print(f"| network alone ({len(network)} calls, {tiles:,} tiles) | {t_network:.2f} |")
        print(f"| C++ kernels alone ({len(kernels)} calls) | {t_kernels:.3f} |")
        print(f"| network and kernels on 2 threads | {floor_two:.2f} |")
        print(f"one core: run / floor {t_one / floor_one:.1f}; two cores: run / floor "
              f"{t_two / floor_two:.1f}; 2 threads / 1 thread {t_two / t_one:.2f}; "
              f"{ghosts / t_two:,.0f} ghost trajectories/s (reading excluded)")
    assert t_one > floor_one > 0 and t_two > floor_two > 0


# -- a season-sized input end to end (minutes: --benchmark-enable only) ---------------

SEASON_CHUNKS = 16
SEASON_PLAYS = 600
SMALL_CHUNKS = 4  # the 5 M row input: the first 4 chunks
SCATTER_BLOCK = 500  # rows: a play (about 2,100 rows) lies in several places

_CHILD = """
import json, sys, time
from pathlib import Path
what, path, out = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
start = time.perf_counter()
if what == "read":
    from ghosting.pipeline.inputs import game_stream
    stream = game_stream([path], {})
    rows = sum(table.num_rows for _, table in stream)
    stream.close()
    counts = {"rows_read": rows}
else:
    from ghosting.pipeline import run_files
    counts = run_files([path], out)["counts"]
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "counts": counts}))
"""

# A fresh process measures its child: a process forked from this one (holding the
# season's tables) would report this one's high-water mark as its own.
_LAUNCH = """
import json, resource, subprocess, sys
proc = subprocess.run([sys.executable, "-c", *sys.argv[1:]], capture_output=True,
                      text=True, check=True)
out = json.loads(proc.stdout.strip().splitlines()[-1])
out["peak_rss"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # KiB
print(json.dumps(out))
"""


def _child(what: str, path: Path, out: Path) -> dict[str, Any]:
    """Run ``ghosting run`` (or reading alone) on ``path`` in a fresh process; its wall
    time inside, and its peak RSS (``getrusage(RUSAGE_CHILDREN)`` of a launcher)."""
    proc = subprocess.run([sys.executable, "-c", _LAUNCH, _CHILD, what, str(path), str(out)],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def season_files(request, tmp_path_factory) -> dict[str, Path]:
    if not request.config.getoption("benchmark_enable", False):
        pytest.skip("the season benchmark takes minutes: run with --benchmark-enable")
    folder = tmp_path_factory.mktemp("season")
    files = {name: folder / f"{name}.parquet"
             for name in ("sorted_20M", "sorted_5M", "scattered_20M", "scattered_5M")}
    writers: dict[str, pq.ParquetWriter] = {}
    rng = np.random.default_rng(0)
    for k in range(SEASON_CHUNKS):
        chunk = ghosting.synth.generate_plays(
            SEASON_PLAYS, seed=k, start_game_id=9000000001 + 100 * k
        )
        blocks = np.arange(0, chunk.num_rows, SCATTER_BLOCK)
        order = np.concatenate([np.arange(b, min(b + SCATTER_BLOCK, chunk.num_rows))
                                for b in rng.permutation(blocks)])  # fmt: skip
        scattered = chunk.take(pa.array(order))
        for name, table in (("sorted", chunk), ("scattered", scattered)):
            for size in ("20M", *(("5M",) if k < SMALL_CHUNKS else ())):
                key = f"{name}_{size}"
                if key not in writers:
                    writers[key] = pq.ParquetWriter(files[key], table.schema)
                writers[key].write_table(table, row_group_size=262_144)
    for writer in writers.values():
        writer.close()
    return files


def test_season_end_to_end(season_files, tmp_path, capsys) -> None:
    """20.2 M and 5.05 M synthetic rows, sorted and scattered: time, peak RSS, ratio."""
    results = {name: _child("run", path, tmp_path / name)
               for name, path in season_files.items()}  # fmt: skip
    read = _child("read", season_files["sorted_20M"], tmp_path / "unused")
    big, small = results["sorted_20M"], results["sorted_5M"]
    rows, ghosts = big["counts"]["rows_read"], big["counts"]["ghost_trajectories"]
    assert read["counts"]["rows_read"] == rows
    assert results["scattered_20M"]["counts"]["ghost_trajectories"] == ghosts
    with capsys.disabled():
        print(f"\nseason: {rows:,} rows, {ghosts:,} ghost trajectories")
        print("| input | s | peak RSS (GB) | bytes/row |")
        print("|---|---|---|---|")
        for name, r in results.items():
            n = r["counts"]["rows_read"]
            print(f"| {name} | {r['seconds']:.1f} | {r['peak_rss'] / 1e9:.2f} | "
                  f"{r['peak_rss'] / n:.0f} |")
        print(f"| reading alone, sorted_20M | {read['seconds']:.1f} | "
              f"{read['peak_rss'] / 1e9:.2f} | |")
        print(f"20 M / 5 M time: {big['seconds'] / small['seconds']:.2f} (linear is "
              f"{rows / small['counts']['rows_read']:.2f}); "
              f"{ghosts / (big['seconds'] - read['seconds']):,.0f} ghost trajectories/s "
              "with reading excluded")
    assert big["seconds"] > read["seconds"]


def test_season_network_ceiling(request, model, monkeypatch, capsys) -> None:
    """The most ghost trajectories per second the network alone allows on the season
    input: one of its chunks (600 plays) run recorded, its network calls replayed on
    one core and on two (no reading, no plumbing, no kernels)."""
    if not request.config.getoption("benchmark_enable", False):
        pytest.skip("a season benchmark: run with --benchmark-enable")
    chunk = ghosting.synth.generate_plays(SEASON_PLAYS, seed=0, start_game_id=9000000001)
    ghosting.run(chunk, model=model, threads=1)  # warm-up
    with recording(model, monkeypatch) as (network, _):
        results = ghosting.run(chunk, model=model, threads=1)
    ghosts = results.summary["counts"]["ghost_trajectories"]
    one = min(_replay(network, [], model._session)[0] for _ in range(3))
    two = min(_replay_on(2, network, [], model._session) for _ in range(3))
    tiles = sum(len(next(iter(feeds.values()))) for _, feeds in network)
    with capsys.disabled():
        print(f"\nseason chunk: {SEASON_PLAYS} plays, {ghosts:,} ghost trajectories, "
              f"{tiles:,} network tiles (the decision step ghosts every defender per option)")
        print(f"network alone: {one:.2f} s on one core ({ghosts / one:,.0f} ghost "
              f"trajectories/s), {two:.2f} s on two ({ghosts / two:,.0f}/s)")
    assert one > 0 and two > 0

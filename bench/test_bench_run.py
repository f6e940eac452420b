"""The main job (``ghosting.run``) against a per-play loop over the public API.

``ghosting.run`` ghosts every option of a game's plays in one batched model call and
scores all trajectories in one kernel call. The baseline does what a notebook user
would write with the same public pieces: for each pass play, ``model.what_if`` and
then ``trajectory_score`` on each ghost trajectory. Same plays, same process. Run::

    python -m pytest bench/test_bench_run.py --benchmark-enable -s
"""

from __future__ import annotations

import time

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

import ghosting

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

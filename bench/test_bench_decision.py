"""The decision step's share of ``ghosting run`` (DESIGN section 10, issue item 7).

The decision step builds every option of every play of a game with its own flight,
ghosts all defenders for all options in one batched roll-out, and values them in
numpy. This prints its wall time beside the whole run's, same process, same plays
(60 synthetic plays; with ``GHOSTING_DATA`` also the 2021 game). Run::

    python -m pytest bench/test_bench_decision.py --benchmark-enable -s
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pyarrow as pa
import pytest

import ghosting
from ghosting.decision import pipeline_step

N_PLAYS = 60


def _share(tracking: pa.Table, targets: object = None) -> tuple[float, float, int]:
    model = ghosting.GhostModel.load()
    ghosting.run(tracking, targets=targets, model=model)  # warm-up
    pipeline_step.DECISION_SECONDS[0] = 0.0
    start = time.perf_counter()
    results = ghosting.run(tracking, targets=targets, model=model)
    total = time.perf_counter() - start
    n_options = sum(len(o) for o in results.plays["decision_options"].to_pylist())
    return pipeline_step.DECISION_SECONDS[0], total, n_options


def _print(label: str, decision: float, total: float, n_options: int) -> None:
    print(f"\n{label}: ghosting.run {total:.2f} s, decision step {decision:.2f} s "
          f"({100 * decision / total:.0f}% of the run), {n_options} options")


@pytest.mark.benchmark(group="decision")
def test_decision_share_synthetic(capsys):
    decision, total, n = _share(ghosting.synth.generate_plays(N_PLAYS, seed=7))
    with capsys.disabled():
        _print(f"{N_PLAYS} synthetic plays", decision, total, n)
    assert 0 < decision < total


@pytest.mark.benchmark(group="decision")
def test_decision_share_2021_game(capsys):
    root = os.environ.get("GHOSTING_DATA")
    if not root or not Path(root).is_dir():
        pytest.skip("real tracking data not available (set GHOSTING_DATA=../shared/data)")
    folder = Path(root) / "bdb2021"
    tracking = ghosting.read_tracking(folder / "week13_game_2018120600.csv.gz")
    targets = ghosting.read_targets(folder / "targetedReciever.csv")
    decision, total, n = _share(tracking, targets)
    with capsys.disabled():
        _print("2021 game", decision, total, n)
    assert 0 < decision < total


@pytest.mark.benchmark(group="decision")
def test_decision_plumbing_highlights(capsys, monkeypatch):
    """The decision step on the NGS highlights (one thread), split into the network
    (``predict_windows`` called by the decision) and the rest (the plumbing)."""
    root = os.environ.get("GHOSTING_DATA")
    path = Path(root or "") / "ngs_highlights" / "highlights.parquet"
    if not root or not path.is_file():
        pytest.skip("real tracking data not available (set GHOSTING_DATA=../shared/data)")
    tracking = ghosting.read_tracking(path)
    model = ghosting.GhostModel.load()
    network = [0.0]
    inside = [False]
    predict = model.predict_windows
    add_decision = pipeline_step.add_decision

    def timed_predict(*args, **kwargs):
        start = time.perf_counter()
        try:
            return predict(*args, **kwargs)
        finally:
            if inside[0]:
                network[0] += time.perf_counter() - start

    def timed_decision(*args, **kwargs):
        inside[0] = True
        try:
            return add_decision(*args, **kwargs)
        finally:
            inside[0] = False

    monkeypatch.setattr(model, "predict_windows", timed_predict)
    monkeypatch.setattr(pipeline_step, "add_decision", timed_decision)
    ghosting.run(tracking, model=model, threads=1)  # warm-up
    best = None
    for _ in range(3):
        network[0] = 0.0
        pipeline_step.DECISION_SECONDS[0] = 0.0
        start = time.perf_counter()
        ghosting.run(tracking, model=model, threads=1)
        total = time.perf_counter() - start
        run = (pipeline_step.DECISION_SECONDS[0] - network[0], network[0], total)
        best = run if best is None or run[0] < best[0] else best
    assert best is not None
    rest, net, total = best
    with capsys.disabled():
        print(f"\nhighlights, one thread (best of 3): ghosting.run {total:.2f} s, decision "
              f"step {rest + net:.3f} s = network {net:.3f} s + the rest {rest:.3f} s")
    assert 0 < rest < total and 0 < net < total

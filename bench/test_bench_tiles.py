"""The roll-out step (ghosting.model.tiles) against its numpy references.

Windows of synthetic plays (``ghosting.synth.generate_plays``, 150 plays, every
defender against every eligible receiver, as the what-if roll-out cuts them), the
shipped model's history, horizon and kept columns, each window at a tile start
inside its flight: the kept features of every window from the C++ kernel
(``rollout_features``) and from the numpy path it replaced (``w.take``,
``tile_inputs``, ``tile_features(...)[:, columns]``, the velocity); then the
write-back of one tile's predictions (``advance_tiles`` and ``advance_tiles_py``);
then ``rollout`` with the shipped network. With real data (``GHOSTING_DATA``): the
roll-outs of ``ghosting.run(table, threads=1)`` on the NGS highlights (the scoring
ghosts and the decision step's, recorded from one run), replayed through ``rollout``
and its numpy reference ``rollout_py``, with the network and with a stand-in that
costs nothing (what remains is the roll-out's own work). Run with::

    python -m pytest bench/test_bench_tiles.py --benchmark-enable -s

The summary at the end gives each benchmark's windows per second and its ratio to
the fastest of its group.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import ghosting
from ghosting.model.features import (
    cut_ghost_inputs,
    feature_names,
    rollout,
    rollout_py,
    tile_features,
    tile_inputs,
)
from ghosting.model.tiles import advance_tiles, advance_tiles_py, rollout_features
from ghosting.schema import DT

N_PLAYS = 150


@pytest.fixture(scope="module")
def step() -> dict[str, Any]:
    model = ghosting.GhostModel.load()
    tracking = ghosting.synth.generate_plays(N_PLAYS, seed=11)
    w = cut_ghost_inputs(tracking, ghosting.pass_plays(tracking), history=model.history,
                         defenders="all", targets="all")
    names = feature_names(model.history, model.horizon)
    columns = np.array([names.index(c) for c in model.card["features"]["columns"]], np.int64)
    rng = np.random.default_rng(0)
    start = (rng.random(len(w)) * w.flight_frames).astype(np.int64)  # one per row: all
    rel = rng.normal(0.0, 1.0, (len(w), model.horizon, 2))
    sig = rng.random((len(w), model.horizon))
    return {"w": w, "model": model, "columns": columns, "start": start, "rel": rel, "sig": sig,
            "rows": np.arange(len(w))}


def _numpy_features(s: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    w, rows, start = s["w"], s["rows"], s["start"]
    sub = w.take(rows)
    hist, path, left, _ = tile_inputs(sub, start[rows], s["model"].horizon,
                                      defender_xy=w.defender[rows])
    feats = tile_features(hist, path, sub.catch, left, sub.context, sub.is_back)
    return feats[:, s["columns"]], (hist[:, -1] - hist[:, -2]) / DT


@pytest.mark.benchmark(group="rollout_features")
def test_rollout_features_kernel(benchmark, step):
    benchmark.extra_info["rows"] = len(step["w"])  # windows
    got = benchmark.pedantic(
        rollout_features,
        args=(step["w"], step["w"].defender, step["rows"], step["start"], step["model"].horizon,
              step["columns"]),
        rounds=20, iterations=1)
    want = _numpy_features(step)
    assert all(np.array_equal(g, x) for g, x in zip(got, want, strict=True))


@pytest.mark.benchmark(group="rollout_features")
def test_rollout_features_numpy_reference(benchmark, step):
    benchmark.extra_info["rows"] = len(step["w"])
    benchmark.pedantic(_numpy_features, args=(step,), rounds=5, iterations=1)


def _advance_args(s: dict[str, Any]) -> tuple[tuple, dict]:
    """A fresh roll-out state for each round (made outside the timing)."""
    w = s["w"]
    sigma = np.full((len(w), int(w.flight_frames.max())), np.nan)
    return (w.defender.copy(), sigma, w.flight_frames, s["rows"], s["start"],
            np.zeros(len(w)), s["rel"], s["sig"], s["model"].horizon, w.history), {}


@pytest.mark.benchmark(group="advance_tiles")
def test_advance_tiles_kernel(benchmark, step):
    benchmark.extra_info["rows"] = len(step["w"])
    benchmark.pedantic(advance_tiles, setup=lambda: _advance_args(step), rounds=20)
    got, want = _advance_args(step)[0], _advance_args(step)[0]
    got_out, want_out = advance_tiles(*got), advance_tiles_py(*want)
    assert all(np.array_equal(g, x, equal_nan=True) for g, x in
               zip((*got[:2], *got_out), (*want[:2], *want_out), strict=True))


@pytest.mark.benchmark(group="advance_tiles")
def test_advance_tiles_numpy_reference(benchmark, step):
    benchmark.extra_info["rows"] = len(step["w"])
    benchmark.pedantic(advance_tiles_py, setup=lambda: _advance_args(step), rounds=5)


@pytest.mark.benchmark(group="rollout")
def test_rollout_with_the_network(benchmark, step):
    model = step["model"]
    benchmark.extra_info["rows"] = len(step["w"])
    benchmark.pedantic(rollout, args=(model._run, step["w"], model.horizon, step["columns"]),
                       rounds=3, iterations=1)


@pytest.fixture(scope="module")
def highlights_rollouts() -> dict[str, Any]:
    """The arguments of every ``rollout`` call of one run on the highlights."""
    root = os.environ.get("GHOSTING_DATA")
    path = Path(root or "") / "ngs_highlights" / "highlights.parquet"
    if not root or not path.is_file():
        pytest.skip("real tracking data not available (set GHOSTING_DATA)")
    from ghosting.model import ghost as ghost_module

    model = ghosting.GhostModel.load()
    calls: list[tuple] = []

    def record(predict: Any, w: Any, horizon: int, columns: Any, history: Any = None) -> Any:
        calls.append((w, horizon, columns, history))
        return rollout(predict, w, horizon, columns, history)

    tracking = ghosting.read_tracking(path)
    mp = pytest.MonkeyPatch()
    mp.setattr(ghost_module, "rollout", record)
    try:
        ghosting.run(tracking, model=model, threads=1)
    finally:
        mp.undo()

    def free(feats: np.ndarray, vel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n = feats.shape[0]
        return np.zeros((n, model.horizon, 2)), np.full((n, model.horizon), 0.5)

    return {"calls": calls, "network": model._run, "free": free}


def _replay(fn: Any, rollouts: dict[str, Any], predictor: str) -> None:
    for w, horizon, columns, history in rollouts["calls"]:
        fn(rollouts[predictor], w, horizon, columns, history)


@pytest.mark.parametrize("predictor", ["free", "network"])
@pytest.mark.parametrize("which", ["kernel", "numpy_reference"])
def test_rollout_highlights(benchmark, highlights_rollouts, which, predictor):
    benchmark.group = f"highlights rollout, {predictor} predictor"
    benchmark.extra_info["rows"] = sum(len(c[0]) for c in highlights_rollouts["calls"])
    fn = rollout if which == "kernel" else rollout_py
    benchmark.pedantic(_replay, args=(fn, highlights_rollouts, predictor), rounds=7,
                       iterations=1)
    if which == "kernel" and predictor == "network":
        for w, horizon, columns, history in highlights_rollouts["calls"]:
            got = rollout(highlights_rollouts["network"], w, horizon, columns, history)
            want = rollout_py(highlights_rollouts["network"], w, horizon, columns, history)
            assert all(g.tobytes() == x.tobytes() for g, x in zip(got, want, strict=True))

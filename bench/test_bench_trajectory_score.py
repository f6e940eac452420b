"""Trajectory Score and feasibility kernels against the numpy reference.

One batch of 1,000,000 trajectories of 10 to 30 frames (about 20 M samples),
built once; each kernel and its reference run on it in the same process.
Run with::

    python -m pytest bench/test_bench_scoring.py --benchmark-enable -s
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from scoring_reference import (  # noqa: E402
    reference_feasibility,
    reference_trajectory_score,
)

from ghosting import _core  # noqa: E402

N_TRAJECTORIES = 1_000_000


@pytest.fixture(scope="module")
def batch() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(2021)
    lengths = rng.integers(10, 31, size=N_TRAJECTORIES)
    offsets = np.zeros(N_TRAJECTORIES + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    n = int(offsets[-1])
    # A random walk wrapped into a field-sized box (the wraps are a few long steps).
    d = np.ascontiguousarray(rng.normal(scale=0.4, size=(n, 2)).cumsum(axis=0) % 100.0)
    r = np.ascontiguousarray(d + rng.normal(scale=5.0, size=(1, 2)))
    return d, r, offsets


def _best(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.benchmark(group="trajectory_score")
def test_trajectory_score_kernel(benchmark, batch):
    d, r, offsets = batch
    benchmark.pedantic(_core.trajectory_score, args=(d, r, offsets), rounds=5, iterations=1)


@pytest.mark.benchmark(group="trajectory_score")
def test_trajectory_score_numpy_reference(benchmark, batch):
    d, r, offsets = batch
    benchmark.pedantic(reference_trajectory_score, args=(d, r, offsets), rounds=2, iterations=1)


@pytest.mark.benchmark(group="feasibility")
def test_feasibility_kernel(benchmark, batch):
    d, _, offsets = batch
    benchmark.pedantic(_core.feasibility, args=(d, offsets), rounds=5, iterations=1)


@pytest.mark.benchmark(group="feasibility")
def test_feasibility_numpy_reference(benchmark, batch):
    d, _, offsets = batch
    benchmark.pedantic(reference_feasibility, args=(d, offsets), rounds=2, iterations=1)


def test_ratio_table(batch, capsys):
    """The closing-note table: kernel vs reference in one run, as ratios."""
    d, r, offsets = batch
    n_frames = len(d)
    rows = []
    for name, kernel, reference in [
        (
            "trajectory_score",
            lambda: _core.trajectory_score(d, r, offsets),
            lambda: reference_trajectory_score(d, r, offsets),
        ),
        (
            "trajectory_score linear/receiver",
            lambda: _core.trajectory_score(d, r, offsets, "linear", "receiver"),
            lambda: reference_trajectory_score(
                d, r, offsets, weights="linear", reference="receiver"
            ),
        ),
        (
            "feasibility",
            lambda: _core.feasibility(d, offsets),
            lambda: reference_feasibility(d, offsets),
        ),
    ]:
        t_kernel = _best(kernel, 5)
        t_reference = _best(reference, 2)
        rows.append((name, t_kernel, t_reference))
    with capsys.disabled():
        print(f"\n{N_TRAJECTORIES:,} trajectories, {n_frames:,} trajectory-frames")
        print("| kernel | C++ s | numpy s | ratio | C++ M frames/s |")
        print("|---|---|---|---|---|")
        for name, tk, tr in rows:
            print(f"| {name} | {tk:.3f} | {tr:.3f} | {tr / tk:.1f}x | {n_frames / tk / 1e6:.0f} |")
    for _, tk, tr in rows:
        # Floors well under the targets (10x, 50 M frames/s): the machine is shared.
        assert tr / tk > 3.0
        assert n_frames / tk > 20e6

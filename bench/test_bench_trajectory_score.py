"""The Trajectory Score kernel against its numpy reference
(:mod:`ghosting.scoring.trajectory_score_py`).

One batch of 1,000,000 trajectories of 10 to 30 frames (about 20 M samples,
``trajectory_batch`` in bench/conftest.py), built once; the kernel and its reference
run on it in the same process. Run with::

    python -m pytest bench/test_bench_trajectory_score.py --benchmark-enable -s
"""

from __future__ import annotations

import pytest

from ghosting import _core
from ghosting.scoring import trajectory_score_py


@pytest.mark.benchmark(group="trajectory_score")
def test_trajectory_score_kernel(benchmark, trajectory_batch):
    d, r, offsets = trajectory_batch
    benchmark.pedantic(_core.trajectory_score, args=(d, r, offsets), rounds=5, iterations=1)


@pytest.mark.benchmark(group="trajectory_score")
def test_trajectory_score_numpy_reference(benchmark, trajectory_batch):
    d, r, offsets = trajectory_batch
    benchmark.pedantic(
        trajectory_score_py.trajectory_score, args=(d, r, offsets), rounds=2, iterations=1
    )


def test_ratio_table(trajectory_batch, best_time, capsys):
    """The closing-note table: kernel vs reference in one run, as ratios."""
    d, r, offsets = trajectory_batch
    n_frames = len(d)
    rows = []
    for name, kernel, reference in [
        (
            "trajectory_score",
            lambda: _core.trajectory_score(d, r, offsets),
            lambda: trajectory_score_py.trajectory_score(d, r, offsets),
        ),
        (
            "trajectory_score linear/receiver",
            lambda: _core.trajectory_score(d, r, offsets, "linear", "receiver"),
            lambda: trajectory_score_py.trajectory_score(
                d, r, offsets, weights="linear", reference="receiver"
            ),
        ),
    ]:
        rows.append((name, best_time(kernel, 5), best_time(reference, 2)))
    with capsys.disabled():
        print(f"\n{len(offsets) - 1:,} trajectories, {n_frames:,} trajectory-frames")
        print("| kernel | C++ s | numpy s | ratio | C++ M frames/s |")
        print("|---|---|---|---|---|")
        for name, tk, tr in rows:
            print(f"| {name} | {tk:.3f} | {tr:.3f} | {tr / tk:.1f}x | {n_frames / tk / 1e6:.0f} |")
    for _, tk, tr in rows:
        # Floors well under the targets (10x, 50 M frames/s): the machine is shared.
        assert tr / tk > 3.0
        assert n_frames / tk > 20e6

"""The feasibility kernel against its numpy reference
(:mod:`ghosting.scoring.feasibility_py`).

The same batch as bench/test_bench_trajectory_score.py (``trajectory_batch`` in
bench/conftest.py: 1,000,000 trajectories of 10 to 30 frames), built once; the
kernel and its reference run on it in the same process. Run with::

    python -m pytest bench/test_bench_feasibility.py --benchmark-enable -s
"""

from __future__ import annotations

import pytest

from ghosting import _core
from ghosting.scoring import feasibility_py


@pytest.mark.benchmark(group="feasibility")
def test_feasibility_kernel(benchmark, trajectory_batch):
    d, _, offsets = trajectory_batch
    benchmark.pedantic(_core.feasibility, args=(d, offsets), rounds=5, iterations=1)


@pytest.mark.benchmark(group="feasibility")
def test_feasibility_numpy_reference(benchmark, trajectory_batch):
    d, _, offsets = trajectory_batch
    benchmark.pedantic(feasibility_py.feasibility, args=(d, offsets), rounds=2, iterations=1)


def test_ratio_table(trajectory_batch, best_time, capsys):
    """Kernel vs reference in one run, as a ratio."""
    d, _, offsets = trajectory_batch
    n_frames = len(d)
    tk = best_time(lambda: _core.feasibility(d, offsets), 5)
    tr = best_time(lambda: feasibility_py.feasibility(d, offsets), 2)
    with capsys.disabled():
        print(f"\n{len(offsets) - 1:,} trajectories, {n_frames:,} trajectory-frames")
        print("| kernel | C++ s | numpy s | ratio | C++ M frames/s |")
        print("|---|---|---|---|---|")
        print(f"| feasibility | {tk:.3f} | {tr:.3f} | {tr / tk:.1f}x | {n_frames / tk / 1e6:.0f} |")
    # Floors well under the targets (10x, 50 M frames/s): the machine is shared.
    assert tr / tk > 3.0
    assert n_frames / tk > 20e6

"""Benchmark helpers: the batch of trajectories the Trajectory Score and feasibility
benchmarks share, the best-of-n timer of their ratio tables, and a summary at the end
of the run giving, per group, each benchmark's throughput and its ratio to the fastest
of the group (benchmarks that record ``extra_info["rows"]``). The numpy references
are imported from the package (``ghosting.scoring.trajectory_score_py`` ...)."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pytest

#: Trajectories of the shared batch (10 to 30 frames each: about 20 M samples).
N_TRAJECTORIES = 1_000_000


@pytest.fixture(scope="module")
def trajectory_batch() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(defender_xy, receiver_xy, offsets)``: 1,000,000 trajectories, built once per
    benchmark file."""
    rng = np.random.default_rng(2021)
    lengths = rng.integers(10, 31, size=N_TRAJECTORIES)
    offsets = np.zeros(N_TRAJECTORIES + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    n = int(offsets[-1])
    # A random walk wrapped into a field-sized box (the wraps are a few long steps).
    d = np.ascontiguousarray(rng.normal(scale=0.4, size=(n, 2)).cumsum(axis=0) % 100.0)
    r = np.ascontiguousarray(d + rng.normal(scale=5.0, size=(1, 2)))
    return d, r, offsets


@pytest.fixture
def best_time() -> Callable[[Callable[[], object], int], float]:
    """``best_time(fn, repeat)``: the fastest of ``repeat`` calls of ``fn``, seconds."""

    def best(fn: Callable[[], object], repeat: int) -> float:
        fastest = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            fn()
            fastest = min(fastest, time.perf_counter() - start)
        return fastest

    return best


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # noqa: ARG001
    session = getattr(config, "_benchmarksession", None)
    benchmarks = [b for b in getattr(session, "benchmarks", []) or [] if b.extra_info.get("rows")]
    if not benchmarks:
        return
    write = terminalreporter.write_line
    write("")
    write("throughput and ratios (median time; ratio = time / fastest time in the group)")
    groups: dict[str, list] = {}
    for bench in benchmarks:
        groups.setdefault(bench.group or "", []).append(bench)
    for group, items in sorted(groups.items()):
        fastest = min(b.stats.median for b in items)
        write(f"  {group}")
        for b in sorted(items, key=lambda b: b.stats.median):
            rows = b.extra_info["rows"]
            write(
                f"    {b.name:<44} {b.stats.median * 1e3:>10.1f} ms "
                f"{rows / b.stats.median / 1e6:>9.1f} M rows/s {b.stats.median / fastest:>8.1f}x"
            )

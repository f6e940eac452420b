"""Benchmark helpers: the numpy references in ``tests/`` are importable from here, and
a summary at the end of the run gives, per group, each benchmark's throughput and its
ratio to the fastest of the group (benchmarks that record ``extra_info["rows"]``)."""

from __future__ import annotations

import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1] / "tests"
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))


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

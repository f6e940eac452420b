"""Batches of games ghosted on threads (``threads=`` of ``run``/``run_files``,
``ghosting run --threads``): checked values, errors from a thread, the same results."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import ghosting
from ghosting import synth
from ghosting.cli import main as cli_main
from ghosting.errors import InputError
from ghosting.pipeline import api, game, run_files


def _bits(column: pa.ChunkedArray) -> list[Any]:
    """A column's values, floats as their bits (NaN equals NaN, -0.0 differs from 0.0)."""
    array = column.combine_chunks()
    if pa.types.is_floating(array.type):
        values = np.asarray(array.fill_null(np.nan).to_numpy(zero_copy_only=False), np.float64)
        return [*values.view(np.int64).tolist(), *array.is_null().to_pylist()]
    return array.to_pylist()


@pytest.fixture(scope="module")
def demo():
    return synth.generate_plays(9, seed=5, plays_per_game=3)


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2", True])
def test_bad_threads_are_refused_before_any_work(bad: Any, demo, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="threads must be an integer >= 1"):
        ghosting.run(demo, threads=bad)
    with pytest.raises(InputError, match="threads must be an integer >= 1"):
        run_files(None, tmp_path / "out", demo_plays=2, threads=bad)
    assert not (tmp_path / "out").exists()


def test_the_default_uses_at_most_two_threads_and_the_cores(monkeypatch) -> None:
    monkeypatch.setattr(api.os, "sched_getaffinity", lambda _: {0}, raising=False)
    assert api.resolve_threads(None) == 1
    monkeypatch.setattr(api.os, "sched_getaffinity", lambda _: set(range(8)), raising=False)
    assert api.resolve_threads(None) == api.DEFAULT_THREADS == 2
    assert api.resolve_threads(5) == 5


def test_batches_run_on_threads_and_give_the_same_tables(demo, monkeypatch) -> None:
    monkeypatch.setattr(game, "BATCH_ROWS", 1)  # a batch per game: 3 batches
    seen: set[str] = set()
    real = game._ghost_games

    def spy(*args: Any, **kwargs: Any) -> None:
        seen.add(threading.current_thread().name)
        real(*args, **kwargs)

    monkeypatch.setattr(game, "_ghost_games", spy)
    one = ghosting.run(demo, threads=1)
    assert seen == {threading.main_thread().name}
    seen.clear()
    three = ghosting.run(demo, threads=3)
    assert seen and all(name.startswith("ghosting") for name in seen)
    for name in ("trajectories", "scores", "plays"):
        a, b = getattr(one, name), getattr(three, name)
        assert a.num_rows == b.num_rows > 0
        for column in a.column_names:
            assert _bits(a[column]) == _bits(b[column]), (name, column)
    for key in ("counts", "skipped_plays_by_reason", "cleaning", "trajectory_score"):
        assert one.summary[key] == three.summary[key], key


def test_an_error_in_a_thread_reaches_the_caller_and_nothing_is_written(
    monkeypatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(game, "BATCH_ROWS", 1)
    calls = []
    real = game._ghost_games

    def fail_second(*args: Any, **kwargs: Any) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise InputError("bad batch")
        real(*args, **kwargs)

    monkeypatch.setattr(game, "_ghost_games", fail_second)
    path = tmp_path / "demo.parquet"
    pq.write_table(synth.generate_plays(9, seed=5, plays_per_game=3), path)
    with pytest.raises(InputError, match="bad batch"):
        run_files([path], tmp_path / "out", threads=2)
    assert not (tmp_path / "out").exists()


def test_cli_threads(tmp_path: Path, capsys) -> None:
    code = cli_main(["run", "--demo", "--demo-plays", "6", "-o", str(tmp_path / "a"),
                     "--threads", "1", "--json"])  # fmt: skip
    assert code == 0
    code = cli_main(["run", "--demo", "--demo-plays", "6", "-o", str(tmp_path / "b"),
                     "--threads", "2", "--json"])  # fmt: skip
    assert code == 0
    for name in ("trajectories.parquet", "scores.parquet", "plays.parquet"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    capsys.readouterr()
    assert cli_main(["run", "--demo", "-o", str(tmp_path / "c"), "--threads", "0"]) == 1
    assert "threads must be an integer >= 1" in capsys.readouterr().err

"""Hardening of the native bindings, the model files, the output folder and the CLI's
messages.

- Races: a second thread rewrites the offsets of a call while the kernel runs. The
  bindings copy what they validated before releasing the GIL, so every call either
  raises ``ValueError`` (it saw the bad offsets) or returns exactly what one of the
  valid offsets gives; it never reads out of bounds (which crashes this process).
- Model cards and files: every card field is checked; ``onnx_file`` must be a plain
  regular file inside the model folder; a pinned sha256 is honoured.
- Output folders: stale staging folders of dead runs are removed; SIGTERM and SIGKILL
  mid-run leave nothing behind after a rerun; the folder swap is one rename; a folder
  holding files that are not ours is never swapped away.
- CLI messages: control characters of user input are shown escaped.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from ghosting import _core

# --------------------------------------------------------------------------- races

RACE_CALLS = 150


def _walk(n: int, seed: int, start: float) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.cumsum(rng.normal(0.0, 0.5, (n, 2)), axis=0) + start


def _offsets(lengths: list[int]) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)


def _same(a: Any, b: Any) -> bool:
    """Exactly equal results (tuples of arrays, NaN equal to NaN)."""
    return all(
        x.dtype == y.dtype and np.array_equal(x, y, equal_nan=x.dtype.kind == "f")
        for x, y in zip(a, b, strict=True)
    )


def _race_phase(
    call: Callable[[], Any], target: np.ndarray, index: int, values: list[int], expected: list
) -> tuple[int, int]:
    """RACE_CALLS calls while a thread cycles ``target[index]`` through ``values``:
    (calls that returned one of the ``expected`` results exactly, calls that raised
    ValueError). Any other result fails the test."""
    stop = threading.Event()
    writes = [0]

    def mutate() -> None:
        while not stop.is_set():
            for v in values:
                target[index] = v
            writes[0] += 1

    old_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    thread = threading.Thread(target=mutate, daemon=True)
    thread.start()
    returned = rejected = 0
    try:
        for _ in range(RACE_CALLS):
            try:
                got = call()
            except ValueError:
                rejected += 1
                continue
            assert any(_same(got, want) for want in expected)
            returned += 1
    finally:
        stop.set()
        thread.join()
        sys.setswitchinterval(old_interval)
    assert writes[0] > 10  # the thread really ran beside the calls
    return returned, rejected


def _race(
    call: Callable[[], Any], target: np.ndarray, index: int, valid: list[int], invalid: list[int]
) -> None:
    """Race ``call`` against a thread rewriting ``target[index]``: first with ``valid``
    values only, then with the ``invalid`` ones too.

    With valid values only, every call must return exactly the result of one of them
    (never a mix of two). With invalid values too, every call must raise ValueError or
    return exactly such a result, and the process must survive.
    """
    expected = []
    for v in valid:
        target[index] = v
        expected.append(call())
    target[index] = valid[0]
    if len(valid) > 1:
        assert not _same(expected[0], expected[1]), "the valid values must differ in result"
    assert _race_phase(call, target, index, valid, expected) == (RACE_CALLS, 0)
    target[index] = valid[0]
    returned, rejected = _race_phase(call, target, index, valid + invalid, expected)
    target[index] = valid[0]
    assert returned + rejected == RACE_CALLS


N_TRAJ = 4000
LENGTHS = [5 + (i * 7) % 30 for i in range(N_TRAJ)]
OFF = _offsets(LENGTHS)
N_SAMPLES = int(OFF[-1])
DEFENDER = _walk(N_SAMPLES, 1, 40.0)
RECEIVER = _walk(N_SAMPLES, 2, 45.0)
BIG = 1 << 40  # far past any buffer: a read through it faults


def _mid_values(off: np.ndarray, k: int) -> tuple[list[int], list[int]]:
    """Valid values of off[k] (its own and one strictly between its neighbours), and
    invalid ones: far past the end, far negative, past the next offset."""
    own = int(off[k])
    alt = (int(off[k - 1]) + own) // 2 if own - int(off[k - 1]) > 1 else own + 1
    assert int(off[k - 1]) < alt < int(off[k + 1]) and alt != own
    return [own, alt], [BIG, -BIG, int(off[k + 1]) + 3]


def _cleaning_batch() -> tuple[list[np.ndarray], np.ndarray, np.ndarray, tuple[np.ndarray, ...]]:
    n_plays, per_play = 400, 12
    lengths = [20 + (t % 9) for t in range(n_plays * per_play)]
    track_off = _offsets(lengths)
    n = int(track_off[-1])
    xy = _walk(n, 3, 50.0)
    xy[::97] += 3.0  # some long steps, so that the flags depend on the track boundaries
    s = np.abs(np.random.default_rng(4).normal(5.0, 4.0, n))
    frame = np.concatenate([np.arange(m, dtype=np.int32) for m in lengths])
    play_off = _offsets([per_play] * n_plays)
    is_player = (np.arange(n_plays * per_play) % per_play != 0).astype(np.uint8)
    in_window = np.ones(n, dtype=bool)
    return (
        [xy[:, 0].copy(), xy[:, 1].copy(), s, frame],
        track_off,
        play_off,
        (
            is_player,
            in_window,
        ),
    )


class TestNativeRace:
    """Every binding against a thread that rewrites its offsets (run by .ci/sanitize)."""

    @pytest.mark.parametrize("k", [1, N_TRAJ // 2, N_TRAJ - 1])
    def test_race_trajectory_score_offsets(self, k: int) -> None:
        off = OFF.copy()
        _race(lambda: _core.trajectory_score(DEFENDER, RECEIVER, off), off, k, *_mid_values(off, k))

    def test_race_feasibility_offsets(self) -> None:
        off = OFF.copy()
        k = N_TRAJ // 3
        _race(lambda: _core.feasibility(DEFENDER, off), off, k, *_mid_values(off, k))

    def test_race_play_scores_offsets_and_play_offsets(self) -> None:
        off = OFF.copy()
        ts = np.linspace(-1.0, 1.0, N_TRAJ)
        play_off = _offsets([10] * (N_TRAJ // 10))
        k = N_TRAJ // 4

        def call() -> Any:
            return _core.play_scores(DEFENDER, RECEIVER, off, ts, play_off)

        _race(call, off, k, *_mid_values(off, k))
        _race(call, play_off, 7, [70, 65], [BIG, -BIG, 95])

    @pytest.mark.parametrize("which", ["track_offsets", "play_offsets", "is_player"])
    def test_race_clean_tracks(self, which: str) -> None:
        samples, track_off, play_off, (is_player, in_window) = _cleaning_batch()

        def call() -> Any:
            return _core.clean_tracks(
                *samples, track_off, play_off, is_player, in_window, policy="sample"
            )

        if which == "track_offsets":
            own = int(track_off[1000])
            _race(call, track_off, 1000, [own, own - 5], [BIG, -BIG, int(track_off[1001]) + 1])
        elif which == "play_offsets":
            _race(call, play_off, 10, [120, 117], [BIG, -BIG, 4000])
        else:  # a ball track read as a player's: other flags, never a crash or a mix
            _race(call, is_player, 24, [0, 1], [])

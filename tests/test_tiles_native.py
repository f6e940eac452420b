"""The roll-out step in the C++ core (ghosting.model.tiles) against its numpy references.

- ``rollout_features`` against ``tile_features(*tile_inputs(...))[:, columns]`` and the
  velocity ``(hist[:, -1] - hist[:, -2]) / DT``: random windows (history 2..6, horizons
  1..24, flights shorter and longer than the horizon, rows in any order and repeated,
  any kept columns, NaN and infinite positions and context, ``is_back`` None, all
  False or mixed, no active window), compared bit for bit (the bytes, so -0.0 too;
  NaN as NaN) and in the same memory order;
- ``advance_tiles`` against ``advance_tiles_py`` on random states, bit for bit;
- ``rollout`` against its numpy reference ``rollout_py`` (the loop it replaced), with a
  deterministic predictor;
- bad shapes, dtypes, rows, starts and columns raise InputError / ValueError;
- races: another thread rewriting the starts, rows or columns while the kernel runs
  (run by .ci/sanitize).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_hardening_native import BIG, _race

from ghosting import _core
from ghosting.errors import InputError
from ghosting.model.features import (
    feature_names,
    rollout,
    rollout_py,
    tile_features,
    tile_inputs,
)
from ghosting.model.ghost_inputs import GhostInputs
from ghosting.model.tiles import advance_tiles, advance_tiles_py, rollout_features
from ghosting.schema import DT

SPECIAL = [np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0]


def _bits(a: np.ndarray) -> bytes:
    """The array's exact bytes with its shape, dtype and memory order (a predictor may
    see the order, e.g. in a sum's rounding), every NaN written as np.nan: which NaN an
    operation on two NaNs returns (x * y or y * x) is up to the compiler, numpy's and
    ours alike; -0.0 and every other value are compared bit for bit."""
    order = "C" if a.flags.c_contiguous else "F" if a.flags.f_contiguous else "other"
    a = np.ascontiguousarray(a)
    if a.dtype.kind == "f":
        a = np.where(np.isnan(a), np.nan, a)
    return repr((a.shape, a.dtype.str, order)).encode() + a.tobytes()


def _values(rng: np.random.Generator, shape: tuple[int, ...], special: float) -> np.ndarray:
    """Positions around the field, some on a half-yard grid (so that equal positions,
    zero velocities, occur), a share ``special`` of them NaN, inf or signed zeros."""
    out = rng.normal(40.0, 15.0, shape)
    coarse = rng.random(shape) < 0.3
    out[coarse] = np.round(out[coarse] * 2) / 2
    hit = rng.random(shape) < special
    out[hit] = rng.choice(SPECIAL, int(hit.sum()))
    return out


def _windows(
    rng: np.random.Generator, n: int, history: int, t_max: int, special: float,
    is_back: str, extra: int = 0,
) -> GhostInputs:
    lead = history - 1
    flight = rng.integers(1, t_max + 1, n).astype(np.int64)
    width = lead + (int(flight.max()) if n else 0) + 1
    defender = _values(rng, (n, width + extra, 2), special)
    # slow defenders too: speeds under the 0.1 yd/s of "moving"
    slow = rng.random(n) < 0.3
    defender[slow] = defender[slow, :1] + rng.normal(0, 0.002, (int(slow.sum()), width + extra, 2))
    back = {"none": None, "false": np.zeros(n, bool), "mixed": rng.random(n) < 0.5}[is_back]
    z = np.zeros(n, np.int64)
    return GhostInputs(
        history=history, game_id=z, play_id=z, nfl_id=z, target_nfl_id=z,
        pass_forward_frame=z, flight_frames=flight, defender=defender,
        receiver=_values(rng, (n, width + rng.integers(0, 3), 2), special),
        catch=_values(rng, (n, 2), special), context=_values(rng, (n, 4), 3 * special),
        is_back=back,  # type: ignore[arg-type]
    )


def _reference(
    w: GhostInputs, d: np.ndarray, start: np.ndarray, rows: np.ndarray, horizon: int,
    columns: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """What rollout computed before the kernel: take, tile_inputs, tile_features."""
    sub = w.take(rows) if w.is_back is not None else _take_without_backs(w, rows)
    hist, path, left, _ = tile_inputs(sub, start[rows], horizon, defender_xy=d[rows])
    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf in the random inputs
        feats = tile_features(hist, path, sub.catch, left, sub.context, sub.is_back)
        return feats[:, columns], (hist[:, -1] - hist[:, -2]) / DT


def _take_without_backs(w: GhostInputs, rows: np.ndarray) -> GhostInputs:
    back = w.is_back
    w.is_back = np.zeros(len(w), bool)
    try:
        sub = w.take(rows)
    finally:
        w.is_back = back
    sub.is_back = None  # type: ignore[assignment]
    return sub


@st.composite
def cases(draw: Any) -> dict[str, Any]:
    n = draw(st.integers(0, 7))
    history = draw(st.integers(2, 6))
    horizon = draw(st.integers(1, 24))
    t_max = draw(st.sampled_from([1, 2, horizon, horizon + 1, 2 * horizon + 3, 45]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    w = _windows(rng, n, history, t_max, draw(st.sampled_from([0.0, 0.05, 0.3])),
                 draw(st.sampled_from(["none", "false", "mixed"])), draw(st.integers(0, 2)))
    start = np.array([draw(st.integers(0, int(f) - 1)) for f in w.flight_frames], np.int64)
    if n:
        rows = np.array(draw(st.lists(st.integers(0, n - 1), max_size=9)), np.int64)
    else:
        rows = np.zeros(0, np.int64)
    n_full = len(feature_names(history, horizon))
    columns = draw(st.one_of(
        st.just(np.arange(n_full)),
        st.lists(st.integers(0, n_full - 1), max_size=40).map(lambda c: np.array(c, np.int64)),
    ))
    return {"w": w, "start": start, "rows": rows, "horizon": horizon, "columns": columns}


class TestFeatures:
    @settings(max_examples=300, deadline=None)
    @given(cases())
    def test_bit_for_bit_the_numpy_reference(self, case: dict[str, Any]) -> None:
        w, start, rows = case["w"], case["start"], case["rows"]
        got = rollout_features(w, w.defender, rows, start[rows], case["horizon"], case["columns"])
        want = _reference(w, w.defender, start, rows, case["horizon"], case["columns"])
        assert [_bits(g) for g in got] == [_bits(x) for x in want]

    def test_every_feature_of_many_tiles(self) -> None:
        """Finite inputs, the shipped model's shapes, more tiles than the kernel's block
        of 64 (rows in any order, repeated): the full matrix, named columns."""
        rng = np.random.default_rng(3)
        w = _windows(rng, 150, 5, 40, 0.0, "mixed")
        start = np.array([rng.integers(0, f) for f in w.flight_frames], np.int64)
        rows = rng.integers(0, 150, 201)
        names = feature_names(5, 20)
        columns = np.arange(len(names))
        got, vel = rollout_features(w, w.defender, rows, start[rows], 20, columns)
        want, want_vel = _reference(w, w.defender, start, rows, 20, columns)
        assert got.shape == (201, len(names)) and np.isfinite(got).all()
        assert _bits(got) == _bits(want) and _bits(vel) == _bits(want_vel)
        assert np.array_equal(vel, got[:, [names.index("def_vx_lag0"),
                                           names.index("def_vy_lag0")]])
        kept = rng.permutation(len(names))[:30]
        assert _bits(rollout_features(w, w.defender, rows, start[rows], 20, kept)[0]) == \
            _bits(want[:, kept])

    def test_no_active_window(self) -> None:
        rng = np.random.default_rng(4)
        w = _windows(rng, 3, 4, 10, 0.0, "none")
        start = np.zeros(3, np.int64)
        feats, vel = rollout_features(w, w.defender, np.zeros(0, np.int64), start[:0], 5,
                                      np.array([3, 1]))
        assert feats.shape == (0, 2) and vel.shape == (0, 2)
        ref = _reference(w, w.defender, start, np.zeros(0, np.int64), 5, np.array([3, 1]))
        assert [_bits(feats), _bits(vel)] == [_bits(r) for r in ref]

    def test_rows_of_the_roll_out_state_not_the_windows(self) -> None:
        """The defender's positions come from ``defender_xy`` (predicted), not w.defender."""
        rng = np.random.default_rng(5)
        w = _windows(rng, 4, 5, 30, 0.0, "mixed")
        d = w.defender + 1.5
        start = np.minimum(w.flight_frames - 1, 3)
        rows = np.arange(4)
        columns = np.arange(len(feature_names(5, 20)))
        got = rollout_features(w, d, rows, start, 20, columns)
        want = _reference(w, d, start, rows, 20, columns)
        assert [_bits(g) for g in got] == [_bits(x) for x in want]
        other = rollout_features(w, w.defender, rows, start, 20, columns)
        assert not np.array_equal(got[0], other[0])


@st.composite
def states(draw: Any) -> dict[str, Any]:
    n = draw(st.integers(0, 7))
    history = draw(st.integers(2, 6))
    horizon = draw(st.integers(1, 24))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    t_max = draw(st.sampled_from([1, horizon, horizon + 1, 45]))
    flight = rng.integers(1, t_max + 1, n).astype(np.int64)
    width = int(flight.max()) if n else 0
    special = draw(st.sampled_from([0.0, 0.1]))
    d = _values(rng, (n, history + width + draw(st.integers(0, 2)), 2), special)
    sigma = _values(rng, (n, width + draw(st.integers(0, 2))), special)
    rows = np.array(draw(st.permutations(range(n))), np.int64)[: draw(st.integers(0, n))]
    start = np.array([draw(st.integers(0, int(f) - 1)) for f in flight[rows]], np.int64)
    base = np.abs(_values(rng, (rows.size,), special))
    rel = _values(rng, (rows.size, horizon + draw(st.integers(0, 2)), 2), special)
    sig = np.abs(_values(rng, (rows.size, horizon + draw(st.integers(0, 2))), special))
    return {"state": [d, sigma], "args": (flight, rows, start, base, rel, sig, horizon, history)}


def _advanced(fn: Any, case: dict[str, Any]) -> list[bytes]:
    """The state after ``fn`` and what it returned, as bytes."""
    state = [a.copy() for a in case["state"]]
    with np.errstate(invalid="ignore"):  # inf - inf in the random inputs
        out = fn(*state, *case["args"])
    return [_bits(a) for a in (*state, *out)]


class TestAdvance:
    @settings(max_examples=300, deadline=None)
    @given(states())
    def test_bit_for_bit_the_numpy_reference(self, case: dict[str, Any]) -> None:
        assert _advanced(advance_tiles, case) == _advanced(advance_tiles_py, case)

    @settings(max_examples=50, deadline=None)
    @given(states())
    def test_a_step_called_again_writes_the_same(self, case: dict[str, Any]) -> None:
        """What a step reads it never writes: replayed (as the run's floor benchmark
        replays every kernel call), it writes and returns the same again."""
        state = [a.copy() for a in case["state"]]
        first = advance_tiles(*state, *case["args"])
        after = [a.copy() for a in state]
        again = advance_tiles(*state, *case["args"])
        assert [_bits(a) for a in (*state, *again)] == [_bits(a) for a in (*after, *first)]

    def test_float32_predictions_take_the_numpy_path(self) -> None:
        """float32 sigmas square in float32 in numpy: not the kernel's arithmetic."""
        rng = np.random.default_rng(6)
        n, horizon, history = 5, 8, 4
        flight = rng.integers(1, 20, n).astype(np.int64)
        rel = rng.normal(size=(n, horizon, 2)).astype(np.float32)
        sig = rng.random((n, horizon)).astype(np.float32)
        case = {"state": [rng.normal(size=(n, history + 20, 2)), np.full((n, 20), np.nan)],
                "args": (flight, np.arange(n), np.zeros(n, np.int64), rng.random(n), rel, sig,
                         horizon, history)}
        assert _advanced(advance_tiles, case) == _advanced(advance_tiles_py, case)
        with pytest.raises(ValueError, match="rel must be a float64 array"):
            _core.advance_tiles(*case["state"], *case["args"])


def _predictor(horizon: int) -> Any:
    """A deterministic stand-in for the network: constant velocity bent by the features."""
    def predict(feats: np.ndarray, vel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        steps = np.arange(1, horizon + 1)[None, :, None] * DT
        bend = np.tanh(feats.sum(axis=1) * 1e-3)[:, None, None]
        rel = vel[:, None, :] * steps + bend * steps
        sig = 0.1 + 0.05 * np.arange(horizon)[None, :] + np.abs(bend[:, :, 0])
        return rel, sig
    return predict


@pytest.mark.parametrize("history,horizon,t_max", [(5, 20, 45), (3, 7, 7), (2, 4, 30)])
def test_rollout_matches_the_numpy_rollout(history: int, horizon: int, t_max: int) -> None:
    rng = np.random.default_rng(history * 100 + horizon)
    w = _windows(rng, 40, history, t_max, 0.0, "mixed")
    columns = np.arange(len(feature_names(history, horizon)))[::2].copy()
    predict = _predictor(horizon)
    got = rollout(predict, w, horizon, columns)
    want = rollout_py(predict, w, horizon, columns)
    assert [_bits(g) for g in got] == [_bits(x) for x in want]
    assert np.isfinite(got[0][0, : w.flight_frames[0]]).all()
    assert not np.isfinite(got[0][0, w.flight_frames[0]:]).any()
    # a replaced history (what-if inputs)
    other = w.defender[:, :history] + rng.normal(0, 0.3, (40, history, 2))
    got = rollout(predict, w, horizon, columns, other)
    want = rollout_py(predict, w, horizon, columns, other)
    assert [_bits(g) for g in got] == [_bits(x) for x in want]


def test_rollout_of_no_window() -> None:
    w = _windows(np.random.default_rng(1), 0, 5, 10, 0.0, "mixed")
    got = rollout(_predictor(20), w, 20, np.arange(10))
    assert got[0].shape == (0, 0, 2) and got[1].shape == (0, 0)


class TestBadInput:
    def _case(self) -> tuple[GhostInputs, np.ndarray, np.ndarray]:
        rng = np.random.default_rng(7)
        w = _windows(rng, 4, 5, 12, 0.0, "mixed")
        return w, np.zeros(4, np.int64), np.arange(4)

    def _features(self, **change: Any) -> Any:
        w, start, rows = self._case()
        args = {"defender": w.defender, "receiver": w.receiver, "start": start[rows],
                "flight_frames": w.flight_frames, "catch": w.catch, "context": w.context,
                "is_back": w.is_back, "rows": rows, "horizon": 20, "history": 5,
                "columns": np.arange(5)}
        args.update(change)
        if "rows" in change and "start" not in change:  # one start per row
            args["start"] = np.zeros(np.shape(change["rows"])[0], np.int64)
        return _core.tile_features(**args)

    @pytest.mark.parametrize("change,message", [
        ({"defender": np.zeros((4, 30))}, "defender must have shape"),
        ({"defender": np.zeros((4, 30, 3))}, "defender must have shape"),
        ({"defender": np.zeros((4, 30, 2), "U1")}, "defender has dtype"),
        ({"receiver": np.zeros((3, 30, 2))}, "receiver has length 3"),
        ({"receiver": np.zeros((4, 5, 2))}, "the receiver has 5 frames"),
        ({"defender": np.zeros((4, 5, 2))}, "the defender has 5 frames"),
        ({"catch": np.zeros((4, 3))}, "catch must have shape"),
        ({"catch": np.zeros(4)}, "catch must have shape"),
        ({"context": np.zeros((4, 3))}, "context must have shape"),
        ({"is_back": np.zeros(3, bool)}, "is_back has length 3"),
        ({"is_back": np.array(["a"] * 4)}, "is_back has dtype"),
        ({"start": np.zeros(5, np.int64)}, r"start has length 5, expected 4 \(one per active"),
        ({"start": np.full(4, -1)}, "start -1 is not in"),
        ({"start": np.full(4, 99)}, "start 99 is not in"),
        ({"start": np.zeros(4)}, "start has dtype float64"),
        ({"flight_frames": np.zeros(4, np.int64)}, "flight_frames 0 is not in"),
        ({"rows": np.array([4])}, r"rows\[0\] = 4 is not in \[0, 4\)"),
        ({"rows": np.array([-1])}, "is not in"),
        ({"rows": np.array([0.5])}, "rows has dtype"),
        ({"rows": np.zeros((2, 2), np.int64)}, "rows must be 1-D"),
        ({"columns": np.array([0, 10_000])}, r"columns\[1\] = 10000 is not in \[0, 75\)"),
        ({"columns": np.array([-1])}, "is not in"),
        ({"horizon": 0}, "horizon must be in"),
        ({"horizon": -3}, "horizon must be in"),
        ({"history": 1}, "history must be in"),
        ({"history": 10**9}, "history must be in"),
    ])
    def test_value_error(self, change: dict[str, Any], message: str) -> None:
        with pytest.raises(ValueError, match=message):
            self._features(**change)

    def test_wrapper_raises_input_error(self) -> None:
        w, start, rows = self._case()
        message = r"rollout_features: active window 0 \(row 0\): start 12 is not in"
        with pytest.raises(InputError, match=message):
            rollout_features(w, w.defender, rows, start + 12, 20, np.arange(5))

    def _state(self) -> dict[str, Any]:
        rng = np.random.default_rng(8)
        return {"defender": rng.normal(size=(4, 30, 2)), "sigma": np.zeros((4, 26)),
                "flight_frames": np.full(4, 20, np.int64), "rows": np.arange(4),
                "start": np.zeros(4, np.int64), "base_sigma": np.zeros(4),
                "rel": np.zeros((4, 20, 2)), "sig": np.zeros((4, 20)), "horizon": 20,
                "history": 5}

    @pytest.mark.parametrize("change,message", [
        ({"defender": np.zeros((4, 30, 2), np.float32)}, "defender has dtype float32"),
        ({"defender": np.zeros((4, 30, 4))[:, :, ::2]}, "defender must be C-contiguous"),
        ({"defender": [[[0.0, 0.0]]]}, "defender must be a numpy array"),
        ({"defender": np.zeros((4, 20, 2))}, "the defender has 20 frames"),
        ({"sigma": np.zeros((4, 19))}, "sigma has 19 frames"),
        ({"sigma": np.zeros((3, 26))}, "sigma has length 3"),
        ({"sigma": np.zeros((4, 26), np.float32)}, "sigma has dtype float32"),
        ({"base_sigma": np.zeros(4, np.float32)}, "base_sigma must be a float64 array"),
        ({"base_sigma": np.zeros(3)}, "base_sigma must have shape"),
        ({"start": np.zeros(4)}, "start has dtype float64"),
        ({"start": np.full(4, 20, np.int64)}, "start 20 is not in"),
        ({"start": np.zeros(3, np.int64)}, "start has length 3"),
        ({"flight_frames": np.full(3, 20)}, "flight_frames has length 3"),
        ({"rows": np.array([1, 1])}, r"rows\[1\] = 1 is repeated"),
        ({"rows": np.array([7])}, "is not in"),
        ({"rel": np.zeros((4, 19, 2))}, "rel must have shape"),
        ({"rel": np.zeros((3, 20, 2))}, "rel must have shape"),
        ({"rel": np.zeros((4, 20, 2), np.float32)}, "rel must be a float64 array"),
        ({"sig": np.zeros((4, 20, 1))}, "sig must have shape"),
        ({"horizon": 0}, "horizon must be in"),
        ({"history": 1}, "history must be in"),
    ])
    def test_advance_value_error(self, change: dict[str, Any], message: str) -> None:
        args = self._state()
        args.update(change)
        if "rows" in change:  # one start per row
            args["start"] = np.zeros(len(change["rows"]), np.int64)
        with pytest.raises(ValueError, match=message):
            _core.advance_tiles(**args)

    def test_advance_refuses_a_read_only_state(self) -> None:
        args = self._state()
        args["sigma"].flags.writeable = False
        with pytest.raises(ValueError, match="sigma must be writeable"):
            _core.advance_tiles(**args)

    def test_advance_wrapper_raises_input_error_and_writes_nothing(self) -> None:
        args = self._state()
        before = args["defender"].copy()
        args["rows"], args["start"] = np.array([0, 2, 2]), np.zeros(3, np.int64)
        args["base_sigma"] = np.zeros(3)
        args["rel"], args["sig"] = np.zeros((3, 20, 2)), np.zeros((3, 20))
        with pytest.raises(InputError, match=r"advance_tiles: rows\[2\] = 2 is repeated"):
            advance_tiles(*args.values())
        assert np.array_equal(args["defender"], before) and not args["sigma"].any()


RACE_ROW = 1500  # its window: start 0, flight 10
RACE_AT = 3000 - 1 - RACE_ROW  # its position in rows (reversed)


def _race_case() -> tuple[dict[str, Any], list[np.ndarray]]:
    rng = np.random.default_rng(9)
    w = _windows(rng, 3000, 5, 40, 0.0, "mixed")
    rows = np.arange(3000)[::-1].copy()
    start = np.array([rng.integers(0, f) for f in w.flight_frames[rows]], np.int64)
    start[RACE_AT], w.flight_frames[RACE_ROW] = 0, 10
    start[7] = 0  # valid for any window: rows[7] is raced
    args = {"defender": w.defender, "receiver": w.receiver, "start": start,
            "flight_frames": w.flight_frames, "catch": w.catch, "context": w.context,
            "is_back": w.is_back, "rows": rows, "horizon": 20, "history": 5,
            "columns": np.arange(len(feature_names(5, 20)))}
    return args, [args["start"], args["rows"], args["columns"], args["flight_frames"]]


class TestNativeRace:
    """Another thread rewrites what the kernel indexes with: every call raises
    ValueError or returns what one valid value gives, never reads out of bounds."""

    @pytest.mark.parametrize("which,at,valid,invalid", [
        (0, RACE_AT, [0, 1], [BIG, -BIG, 10]),  # start: 10 is the flight's end
        (1, 7, [3000 - 1 - 7, 12], [BIG, -1, 3000]),  # rows
        (2, 17, [17, 20], [BIG, -1, 75]),  # columns: 75 columns in all
        (3, RACE_ROW, [10, 9], [BIG, 0, -BIG]),  # flight_frames
    ])
    def test_race_indices(self, which: int, at: int, valid: list[int],
                          invalid: list[int]) -> None:
        args, targets = _race_case()
        _race(lambda: _core.tile_features(**args), targets[which], at, valid, invalid)

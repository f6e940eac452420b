"""Fuzzing every entry point of the native module ``ghosting._core`` (DESIGN section 8).

Each native function gets a valid batch and then one argument replaced by something
wrong: another shape, a dtype that is not a number (object, string, bool, complex), a
float offset, a length that does not match, offsets that decrease, run past the end,
go negative or do not start at 0. Every such call must raise ``ValueError`` or
``TypeError`` and leave the process alive (a crash kills the test run). Conversions
that keep the values (float32 or integer coordinates, non-contiguous or Fortran-order
views, Python lists) must give exactly what the float64 contiguous call gives; random
offsets are accepted exactly when they are valid. No subprocess: a segfault here is a
failed CI run, which is the point.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ghosting import _core

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --------------------------------------------------------------------------- batches


@st.composite
def segment_lengths(draw: st.DrawFn, min_len: int = 1, max_n: int = 5) -> list[int]:
    n = draw(st.integers(0, max_n))
    return draw(st.lists(st.integers(min_len, 6), min_size=n, max_size=n))


def offsets_of(lengths: list[int]) -> np.ndarray:
    off = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=off[1:])
    return off


@st.composite
def scoring_batches(draw: st.DrawFn) -> dict[str, Any]:
    """Valid arguments of trajectory_score / play_scores / feasibility / model_score."""
    lengths = draw(segment_lengths())
    off = offsets_of(lengths)
    n = int(off[-1])
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    d = np.cumsum(rng.normal(0.0, 0.6, (n, 2)), axis=0) + 30.0
    r = np.cumsum(rng.normal(0.0, 0.6, (n, 2)), axis=0) + 35.0
    plays = draw(st.lists(st.integers(0, 3), min_size=0, max_size=len(lengths)))
    plays = [*plays, len(lengths) - sum(plays)] if sum(plays) <= len(lengths) else [len(lengths)]
    return {
        "d": d,
        "r": r,
        "off": off,
        "ts": rng.normal(0.0, 1.0, len(lengths)),
        "play_off": offsets_of(plays),
    }


@st.composite
def cleaning_batches(draw: st.DrawFn) -> dict[str, Any]:
    """Valid arguments of clean_tracks."""
    tracks_per_play = draw(st.lists(st.integers(0, 3), max_size=3))
    n_tracks = sum(tracks_per_play)
    lengths = draw(st.lists(st.integers(0, 6), min_size=n_tracks, max_size=n_tracks))
    off = offsets_of(lengths)
    n = int(off[-1])
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    frame = np.concatenate([np.arange(1, k + 1) for k in lengths] or [np.zeros(0)])
    return {
        "x": rng.uniform(-5.0, 125.0, n),
        "y": rng.uniform(-5.0, 58.0, n),
        "s": rng.uniform(0.0, 14.0, n),
        "frame_id": frame.astype(np.int32),
        "track_offsets": off,
        "play_offsets": offsets_of(tracks_per_play),
        "is_player": rng.random(n_tracks) < 0.9,
        "in_window": rng.random(n) < 0.7,
    }


# --------------------------------------------------------------------------- calls


def call_score(b: dict[str, Any], **k: Any) -> Any:
    a = {"defender_xy": b["d"], "receiver_xy": b["r"], "offsets": b["off"], **k}
    return _core.trajectory_score(**a)


def call_play(b: dict[str, Any], **k: Any) -> Any:
    a = {
        "defender_xy": b["d"],
        "receiver_xy": b["r"],
        "offsets": b["off"],
        "ts": b["ts"],
        "play_offsets": b["play_off"],
        **k,
    }
    return _core.play_scores(**a)


def call_feasibility(b: dict[str, Any], **k: Any) -> Any:
    return _core.feasibility(**{"xy": b["d"], "offsets": b["off"], **k})


def call_model(b: dict[str, Any], **k: Any) -> Any:
    return _core.model_score(**{"ts": b["ts"], **k})


def call_clean(b: dict[str, Any], **k: Any) -> Any:
    return _core.clean_tracks(**{**b, **k})


SCORING_CALLS: dict[str, tuple[Callable[..., Any], tuple[str, ...]]] = {
    # name -> (call, the arguments holding (n_samples, 2) points)
    "trajectory_score": (call_score, ("defender_xy", "receiver_xy")),
    "play_scores": (call_play, ("defender_xy", "receiver_xy")),
    "feasibility": (call_feasibility, ("xy",)),
}
OFFSET_ARGS = {
    "trajectory_score": ("offsets",),
    "play_scores": ("offsets", "play_offsets"),
    "feasibility": ("offsets",),
    "clean_tracks": ("track_offsets", "play_offsets"),
}
BATCH_KEY = {
    "defender_xy": "d",
    "receiver_xy": "r",
    "xy": "d",
    "offsets": "off",
    "ts": "ts",
    "play_offsets": "play_off",
}


def as_tuple(result: Any) -> tuple[np.ndarray, ...]:
    return tuple(np.asarray(a) for a in (result if isinstance(result, tuple) else (result,)))


def assert_same(got: Any, want: Any) -> None:
    for g, w in zip(as_tuple(got), as_tuple(want), strict=True):
        assert g.dtype == w.dtype and g.shape == w.shape
        np.testing.assert_array_equal(g, w)


def rejects(fn: Callable[[], Any]) -> None:
    with pytest.raises((ValueError, TypeError)):
        fn()


def test_every_core_function_is_fuzzed() -> None:
    """A new native entry point must be added to this file."""
    functions = {n for n in dir(_core) if not n.startswith("_") and callable(getattr(_core, n))}
    assert functions == {"trajectory_score", "play_scores", "model_score", "feasibility",
                         "clean_tracks", "gather_flights", "gather_tracks",
                         "play_rosters", "pad_windows", "string_codes",
                         "look_up_codes", "tile_features", "advance_tiles"}  # fmt: skip


# --------------------------------------------------------------------------- wrong arrays

BAD_POINTS: dict[str, Callable[[np.ndarray], Any]] = {
    "1-D": lambda a: a.ravel(),
    "3 columns": lambda a: np.column_stack([a, a[:, :1]]),
    "3-D": lambda a: a[None],
    "transposed": lambda a: a.T if a.shape[0] != 2 else a[:, :1],
    "scalar": lambda a: 3.0,
    "None": lambda a: None,
    "object": lambda a: a.astype(object),
    "strings": lambda a: a.astype(str),
    "bool": lambda a: a > 30.0,
    "complex": lambda a: a.astype(np.complex128),
    "one sample more": lambda a: np.vstack([a, a[:1] if len(a) else np.zeros((1, 2))]),
    "one sample less": lambda a: a[:-1] if len(a) else np.zeros((1, 2)),
}
SAME_POINTS: dict[str, Callable[[np.ndarray], Any]] = {
    "float32 values": lambda a: a.astype(np.float32),  # compared with the float32 values
    "int": lambda a: np.round(a).astype(np.int64),
    "int32": lambda a: np.round(a).astype(np.int32),
    "uint16": lambda a: np.round(a).astype(np.uint16),
    "non-contiguous view": lambda a: np.repeat(a, 2, axis=0)[::2],
    "Fortran order": np.asfortranarray,
    "list": lambda a: a.tolist(),
}


def _plain(a: Any) -> np.ndarray:
    """The float64 contiguous array with the values a conversion keeps."""
    return np.ascontiguousarray(np.asarray(a, dtype=np.float64))


@pytest.mark.parametrize("name", sorted(SCORING_CALLS))
@FUZZ
@given(batch=scoring_batches(), bad=st.sampled_from(sorted(BAD_POINTS)), which=st.integers(0, 1))
def test_scoring_rejects_bad_points(name: str, batch: dict[str, Any], bad: str, which: int) -> None:
    call, point_args = SCORING_CALLS[name]
    arg = point_args[which % len(point_args)]
    rejects(lambda: call(batch, **{arg: BAD_POINTS[bad](batch[BATCH_KEY[arg]])}))


@pytest.mark.parametrize("name", sorted(SCORING_CALLS))
@FUZZ
@given(batch=scoring_batches(), kind=st.sampled_from(sorted(SAME_POINTS)), which=st.integers(0, 1))
def test_scoring_converts_points_without_changing_values(
    name: str, batch: dict[str, Any], kind: str, which: int
) -> None:
    call, point_args = SCORING_CALLS[name]
    arg = point_args[which % len(point_args)]
    assume(kind != "list" or len(batch["d"]) > 0)  # [] has no (0, 2) shape to keep
    converted = SAME_POINTS[kind](batch[BATCH_KEY[arg]])
    plain = dict(batch)
    plain[BATCH_KEY[arg]] = _plain(converted)
    assert_same(call(batch, **{arg: converted}), call(plain))


# --------------------------------------------------------------------------- offsets

BAD_OFFSETS: dict[str, Callable[[np.ndarray, int], Any]] = {
    "float": lambda o, n: o.astype(np.float64) + 0.5,
    "float integral": lambda o, n: o.astype(np.float64),
    "strings": lambda o, n: o.astype(str),
    "object": lambda o, n: o.astype(object),
    "bool": lambda o, n: o > 0,
    "2-D": lambda o, n: o[None],
    "empty": lambda o, n: np.zeros(0, np.int64),
    "not from 0": lambda o, n: o + 1,
    "negative start": lambda o, n: np.concatenate([[-1], o]),
    "past the end": lambda o, n: np.concatenate([o, [n + 1]]),
    "far past the end": lambda o, n: np.concatenate([o[:-1], [n + 2**40]]),
    "short of the end": lambda o, n: np.concatenate([o, [n - 1]]) if n else o + [0] + [1],
    "decreasing": lambda o, n: np.concatenate([[0, n + 3, 1], [n]]),
    "uint64 wrap": lambda o, n: np.array([0, 2**64 - 1, *o[1:].tolist()], dtype=np.uint64),
    "int64 min": lambda o, n: np.concatenate([[0, np.iinfo(np.int64).min], o[1:]]),
}


def _offset_count(b: dict[str, Any], name: str, arg: str) -> int:
    """The length the offsets ``arg`` of ``name`` must end at."""
    if name == "clean_tracks":
        return len(b["x"]) if arg == "track_offsets" else len(b["is_player"])
    return len(b["d"]) if arg == "offsets" else len(b["ts"])


def _call(name: str) -> Callable[..., Any]:
    return {"clean_tracks": call_clean, **{k: v[0] for k, v in SCORING_CALLS.items()}}[name]


def _batch(name: str, data: st.DataObject) -> dict[str, Any]:
    return data.draw(cleaning_batches() if name == "clean_tracks" else scoring_batches())


@pytest.mark.parametrize("name", sorted(OFFSET_ARGS))
@FUZZ
@given(data=st.data(), bad=st.sampled_from(sorted(BAD_OFFSETS)))
def test_bad_offsets_are_rejected(name: str, data: st.DataObject, bad: str) -> None:
    batch = _batch(name, data)
    arg = data.draw(st.sampled_from(OFFSET_ARGS[name]))
    key = BATCH_KEY.get(arg, arg) if name != "clean_tracks" else arg
    wrong = BAD_OFFSETS[bad](batch[key], _offset_count(batch, name, arg))
    rejects(lambda: _call(name)(batch, **{arg: wrong}))


def _valid_offsets(off: np.ndarray, end: int, nonempty: bool) -> bool:
    if off.ndim != 1 or len(off) < 1 or off[0] != 0 or off[-1] != end:
        return False
    steps = np.diff(off)
    return bool(np.all(steps >= (1 if nonempty else 0)))


@pytest.mark.parametrize("name", sorted(OFFSET_ARGS))
@FUZZ
@given(data=st.data())
def test_random_offsets_accepted_exactly_when_valid(name: str, data: st.DataObject) -> None:
    """Random integer offsets (any order, any range) of a valid batch: the call succeeds
    only if the offsets are valid, and then gives as many results as segments."""
    batch = _batch(name, data)
    arg = data.draw(st.sampled_from(OFFSET_ARGS[name]))
    end = _offset_count(batch, name, arg)
    dtype = data.draw(st.sampled_from([np.int64, np.int32, np.uint32, np.int8]))
    info = np.iinfo(dtype)
    values = data.draw(
        st.lists(st.integers(max(info.min, -3), min(info.max, end + 3)), min_size=0, max_size=6)
    )
    off = np.array(sorted(values) if data.draw(st.booleans()) else values, dtype=dtype)
    # Offsets must also agree with the other offsets of the call to be valid.
    if name == "clean_tracks":
        other_ok = arg == "play_offsets" or len(off) - 1 == len(batch["is_player"])
        nonempty = False
    elif arg == "play_offsets":
        other_ok, nonempty = True, False
    else:
        other_ok = len(off) - 1 == len(batch["ts"]) or name != "play_scores"
        nonempty = name != "feasibility"
        if name == "play_scores":
            other_ok = other_ok and len(off) - 1 == int(batch["play_off"][-1])
    call = _call(name)
    if _valid_offsets(off.astype(np.int64), end, nonempty) and other_ok:
        got = as_tuple(call(batch, **{arg: off}))
        want = as_tuple(call(batch, **{arg: off.astype(np.int64)}))
        assert_same(got, want)
    else:
        rejects(lambda: call(batch, **{arg: off}))


# --------------------------------------------------------------------------- other arrays


@FUZZ
@given(batch=scoring_batches(), bad=st.sampled_from(["2-D", "short", "long", "strings", "object",
                                                      "complex", "None"]))  # fmt: skip
def test_ts_arrays_are_checked(batch: dict[str, Any], bad: str) -> None:
    ts = batch["ts"]
    wrong = {
        "2-D": ts[None, :] if len(ts) else np.zeros((1, 1)),
        "short": ts[:-1] if len(ts) else np.zeros(1),
        "long": np.append(ts, 1.0),
        "strings": ts.astype(str),
        "object": ts.astype(object),
        "complex": ts.astype(np.complex128),
        "None": None,
    }[bad]
    rejects(lambda: call_play(batch, ts=wrong))
    if bad not in ("short", "long"):
        rejects(lambda: call_model(batch, ts=wrong))


@FUZZ
@given(batch=scoring_batches())
def test_model_score_conversions_and_empty(batch: dict[str, Any]) -> None:
    ts = batch["ts"]
    want = call_model(batch)
    finite = ts[np.isfinite(ts)]
    assert np.isnan(want) if len(finite) == 0 else np.isclose(want, finite.mean(), rtol=1e-12)
    assert call_model(batch, ts=np.repeat(ts, 2)[::2]) == want or np.isnan(want)
    assert call_model(batch, ts=ts.tolist()) == want or np.isnan(want)


CLEAN_BAD: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "x strings": lambda b: {"x": b["x"].astype(str)},
    "y object": lambda b: {"y": b["y"].astype(object)},
    "s complex": lambda b: {"s": b["s"].astype(np.complex128)},
    "x 2-D": lambda b: {"x": b["x"][None]},
    "x short": lambda b: {"x": b["x"][:-1] if len(b["x"]) else np.zeros(1)},
    "y long": lambda b: {"y": np.append(b["y"], 1.0)},
    "s long": lambda b: {"s": np.append(b["s"], 1.0)},
    "frame_id int64": lambda b: {"frame_id": b["frame_id"].astype(np.int64)},
    "frame_id float": lambda b: {"frame_id": b["frame_id"].astype(np.float64)},
    "frame_id short": lambda b: {"frame_id": np.append(b["frame_id"], np.int32(1))},
    "is_player int64": lambda b: {"is_player": b["is_player"].astype(np.int64)},
    "is_player uint16": lambda b: {"is_player": b["is_player"].astype(np.uint16)},
    "is_player float": lambda b: {"is_player": b["is_player"].astype(np.float64)},
    "is_player long": lambda b: {"is_player": np.append(b["is_player"], True)},
    "in_window long": lambda b: {"in_window": np.append(b["in_window"], True)},
    "in_window strings": lambda b: {"in_window": b["in_window"].astype(str)},
    "x None": lambda b: {"x": None},
    "policy": lambda b: {"policy": "everything"},
    "v_max nan": lambda b: {"v_max": float("nan")},
    "v_max 0": lambda b: {"v_max": 0.0},
    "dt negative": lambda b: {"dt": -0.1},
    "dt inf": lambda b: {"dt": float("inf")},
    "tolerance negative": lambda b: {"field_tolerance": -1.0},
    "tolerance nan": lambda b: {"field_tolerance": float("nan")},
}


@FUZZ
@given(batch=cleaning_batches(), bad=st.sampled_from(sorted(CLEAN_BAD)))
def test_clean_tracks_rejects_bad_arrays(batch: dict[str, Any], bad: str) -> None:
    rejects(lambda: call_clean(batch, **CLEAN_BAD[bad](batch)))


CLEAN_SAME: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "x float32": lambda b: {"x": b["x"].astype(np.float32)},
    "y int": lambda b: {"y": np.round(b["y"]).astype(np.int64)},
    "s view": lambda b: {"s": np.repeat(b["s"], 2)[::2]},
    "x list": lambda b: {"x": b["x"].tolist()},
    "in_window uint8": lambda b: {"in_window": b["in_window"].astype(np.uint8)},
    "offsets int32": lambda b: {"track_offsets": b["track_offsets"].astype(np.int32)},
    "offsets uint64": lambda b: {"play_offsets": b["play_offsets"].astype(np.uint64)},
}


@FUZZ
@given(batch=cleaning_batches(), kind=st.sampled_from(sorted(CLEAN_SAME)),
       policy=st.sampled_from(["play", "track", "sample"]))  # fmt: skip
def test_clean_tracks_conversions_keep_values(
    batch: dict[str, Any], kind: str, policy: str
) -> None:
    changed = CLEAN_SAME[kind](batch)
    plain = dict(batch)
    for key, value in changed.items():
        target = batch[key].dtype
        plain[key] = np.ascontiguousarray(np.asarray(value).astype(target))
    assert_same(call_clean(batch, policy=policy, **changed), call_clean(plain, policy=policy))


# --------------------------------------------------------------------------- parameters and empties

SCORE_PARAMS: dict[str, dict[str, Any]] = {
    "weights": {"weights": "quadratic"},
    "reference": {"reference": "ball"},
    "v_max nan": {"v_max": float("nan")},
    "v_max negative": {"v_max": -12.5},
    "dt 0": {"dt": 0.0},
    "dt inf": {"dt": float("inf")},
    "penalty nan": {"penalty": float("nan")},
    "v_max string": {"v_max": "fast"},
}


@FUZZ
@given(batch=scoring_batches(), bad=st.sampled_from(sorted(SCORE_PARAMS)))
def test_scoring_parameters_are_checked(batch: dict[str, Any], bad: str) -> None:
    rejects(lambda: call_score(batch, **SCORE_PARAMS[bad]))
    if bad.startswith(("v_max", "dt")):
        rejects(lambda: call_feasibility(batch, **SCORE_PARAMS[bad]))
    rejects(lambda: call_play(batch, radius=float("nan")))
    rejects(lambda: call_play(batch, radius=0.0))
    rejects(lambda: call_feasibility(batch, off_field_tolerance=-1.0))


def test_empty_batches_give_empty_results() -> None:
    empty_xy = np.zeros((0, 2))
    zero = np.zeros(1, np.int64)
    for result in (
        _core.trajectory_score(empty_xy, empty_xy, zero),
        _core.play_scores(empty_xy, empty_xy, zero, np.zeros(0), zero),
        _core.feasibility(empty_xy, zero),
    ):
        assert all(len(a) == 0 for a in result)
    assert np.isnan(_core.model_score(np.zeros(0)))
    flags, keep, tracks, plays = _core.clean_tracks(
        np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0, np.int32), zero, zero,
        np.zeros(0, bool), np.zeros(0, bool),
    )  # fmt: skip
    assert len(flags) == len(keep) == len(tracks) == len(plays) == 0
    # A trajectory with no sample is an error for scoring (nothing to score) ...
    rejects(lambda: _core.trajectory_score(empty_xy, empty_xy, np.zeros(2, np.int64)))
    # ... and a feasibility row of zeros, not garbage, for feasibility.
    speed, accel, steps, off_field, nonfinite = _core.feasibility(empty_xy, np.zeros(2, np.int64))
    assert steps.tolist() == off_field.tolist() == nonfinite.tolist() == [0]


# --------------------------------------------------------------------------- flights

FLIGHT_COLUMNS = ("nfl_id", "frame_id", "x", "y", "side", "play_offsets")
FLIGHT_REQUESTS = {
    "gather_flights": ("play", "defender", "receiver", "first_frame", "pass_forward_frame",
                       "end_frame"),
    "gather_tracks": ("play", "nfl", "first_frame", "end_frame"),
    "play_rosters": ("plays",),
}


@st.composite
def flight_batches(draw: st.DrawFn) -> dict[str, Any]:
    """Plays of a few players over a few frames and valid requests into them."""
    lengths = draw(segment_lengths(min_len=0, max_n=4)) or [0]  # at least one play
    n = sum(lengths)
    b: dict[str, Any] = {
        "nfl_id": np.array(draw(st.lists(st.integers(0, 4), min_size=n, max_size=n)), np.int64),
        "frame_id": np.array(draw(st.lists(st.integers(0, 9), min_size=n, max_size=n)),
                             np.int64),
        "x": np.array(draw(st.lists(st.floats(-5, 125), min_size=n, max_size=n)), np.float64),
        "y": np.array(draw(st.lists(st.floats(-5, 60), min_size=n, max_size=n)), np.float64),
        "side": np.array(draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)), np.int8),
        "play_offsets": offsets_of(lengths),
    }
    m = draw(st.integers(0, 5))
    first = np.array(draw(st.lists(st.integers(0, 9), min_size=m, max_size=m)), np.int64)
    b["play"] = np.array(draw(st.lists(st.integers(0, len(lengths) - 1), min_size=m,
                                       max_size=m)), np.int64)
    b["defender"] = b["nfl"] = np.array(draw(st.lists(st.integers(0, 5), min_size=m,
                                                      max_size=m)), np.int64)
    b["receiver"] = (b["defender"] + 1) % 5
    b["first_frame"] = first
    b["pass_forward_frame"] = first + 2
    b["end_frame"] = first + 5
    b["plays"] = np.arange(len(lengths), dtype=np.int64)[::-1].copy()
    return b


def call_flights(name: str, b: dict[str, Any], **k: Any) -> Any:
    args = {key: b[key] for key in FLIGHT_COLUMNS + FLIGHT_REQUESTS[name]}
    if name == "play_rosters":
        args = {key: args[key] for key in ("nfl_id", "side", "play_offsets", "plays")}
    args.update(k)
    return getattr(_core, name)(**args)


def _flight_args(name: str) -> tuple[str, ...]:
    if name == "play_rosters":
        return ("nfl_id", "side", "play_offsets", "plays")
    return FLIGHT_COLUMNS + FLIGHT_REQUESTS[name]


BAD_FLIGHT_ARRAYS: dict[str, Callable[[np.ndarray], Any]] = {
    "2-D": lambda a: a[None],
    "strings": lambda a: a.astype(str),
    "object": lambda a: a.astype(object),
    "complex": lambda a: a.astype(np.complex128),
    "None": lambda a: None,
    "one more": lambda a: np.append(a, a[:1] if len(a) else np.zeros(1, a.dtype)),
}


@pytest.mark.parametrize("name", sorted(FLIGHT_REQUESTS))
@FUZZ
@given(data=st.data(), bad=st.sampled_from(sorted(BAD_FLIGHT_ARRAYS)))
def test_flights_reject_bad_arrays(name: str, data: st.DataObject, bad: str) -> None:
    b = data.draw(flight_batches())
    arg = data.draw(st.sampled_from(_flight_args(name)))
    assume(bad != "one more" or arg not in ("play_offsets", "plays"))  # may stay valid
    assume(bad != "one more" or arg not in FLIGHT_REQUESTS[name] or arg == "play")
    rejects(lambda: call_flights(name, b, **{arg: BAD_FLIGHT_ARRAYS[bad](b[arg])}))
    if arg not in ("x", "y"):  # ids, frames, codes and indices: never truncated floats
        rejects(lambda: call_flights(name, b, **{arg: b[arg].astype(np.float64) + 0.5}))


@pytest.mark.parametrize("name", sorted(FLIGHT_REQUESTS))
@FUZZ
@given(data=st.data(), bad=st.sampled_from(sorted(BAD_OFFSETS)))
def test_flights_reject_bad_play_offsets(name: str, data: st.DataObject, bad: str) -> None:
    b = data.draw(flight_batches())
    wrong = BAD_OFFSETS[bad](b["play_offsets"], len(b["nfl_id"]))
    rejects(lambda: call_flights(name, b, play_offsets=wrong))


@pytest.mark.parametrize("name", sorted(FLIGHT_REQUESTS))
@FUZZ
@given(data=st.data(), kind=st.sampled_from(["int32", "list", "non-contiguous view"]))
def test_flights_convert_arrays_without_changing_values(
    name: str, data: st.DataObject, kind: str
) -> None:
    b = data.draw(flight_batches())
    arg = data.draw(st.sampled_from([a for a in _flight_args(name) if a != "side"]))
    a = b[arg]
    assume(len(a) > 0)
    converted = {
        "int32": lambda: a.astype(np.int32) if a.dtype.kind == "i" else a.astype(np.float32),
        "list": a.tolist,
        "non-contiguous view": lambda: np.repeat(a, 2)[::2],
    }[kind]()
    plain = dict(b)
    plain[arg] = np.asarray(converted, dtype=a.dtype)
    assert_same(call_flights(name, b, **{arg: converted}), call_flights(name, plain))


# --------------------------------------------------------------------------- padding


@st.composite
def pad_batches(draw: st.DrawFn) -> dict[str, Any]:
    """Flat points cut into windows, some windows chosen and a width that holds them."""
    lengths = draw(segment_lengths(min_len=0, max_n=5)) or [0]
    n = sum(lengths)
    index = draw(st.lists(st.integers(0, len(lengths) - 1), max_size=6))
    return {
        "xy": np.array(draw(st.lists(st.floats(-5, 125), min_size=2 * n, max_size=2 * n)),
                       np.float64).reshape(n, 2),
        "offsets": offsets_of(lengths),
        "index": np.array(index, np.int64),
        "width": max([lengths[i] for i in index], default=0) + draw(st.integers(0, 2)),
    }


@FUZZ
@given(data=st.data(), bad=st.sampled_from(sorted(BAD_FLIGHT_ARRAYS)))
def test_pad_windows_rejects_bad_arrays(data: st.DataObject, bad: str) -> None:
    b = data.draw(pad_batches())
    arg = data.draw(st.sampled_from(["xy", "offsets", "index"]))
    assume(bad != "one more" or arg == "xy")  # a longer index or offsets may stay valid
    rejects(lambda: _core.pad_windows(**{**b, arg: BAD_FLIGHT_ARRAYS[bad](b[arg])}))
    if arg != "xy":  # offsets and indices: never truncated floats
        rejects(lambda: _core.pad_windows(**{**b, arg: b[arg].astype(np.float64) + 0.5}))


@FUZZ
@given(data=st.data(), bad=st.sampled_from(sorted(BAD_OFFSETS)))
def test_pad_windows_rejects_bad_offsets(data: st.DataObject, bad: str) -> None:
    b = data.draw(pad_batches())
    rejects(lambda: _core.pad_windows(**{**b, "offsets": BAD_OFFSETS[bad](b["offsets"],
                                                                        len(b["xy"]))}))


@FUZZ
@given(data=st.data(), kind=st.sampled_from(["int32", "list", "non-contiguous view"]))
def test_pad_windows_convert_arrays_without_changing_values(data: st.DataObject,
                                                            kind: str) -> None:
    b = data.draw(pad_batches())
    arg = data.draw(st.sampled_from(["xy", "offsets", "index"]))
    a = b[arg]
    assume(len(a) > 0)
    converted = {
        "int32": lambda: a.astype(np.int32) if a.dtype.kind == "i" else a.astype(np.float32),
        "list": a.tolist,
        "non-contiguous view": lambda: np.repeat(a, 2, axis=0)[::2],
    }[kind]()
    plain = {**b, arg: np.asarray(converted, dtype=a.dtype)}
    assert_same(_core.pad_windows(**{**b, arg: converted}), _core.pad_windows(**plain))


def test_pad_windows_rejects_a_window_wider_than_the_width() -> None:
    b = {"xy": np.zeros((4, 2)), "offsets": np.array([0, 4]), "index": np.zeros(1, np.int64)}
    rejects(lambda: _core.pad_windows(**b, width=3))
    assert _core.pad_windows(**b, width=4).shape == (1, 4, 2)
# --------------------------------------------------------------------------- string codes


@FUZZ
@given(st.lists(st.integers(-3, 12), min_size=1, max_size=12), st.binary(max_size=12),
       st.one_of(st.none(), st.binary(max_size=3)), st.integers(-2, 4), st.integers(-2, 12),
       st.booleans())  # fmt: skip
def test_string_codes_random_buffers(offsets: list[int], data: bytes, validity: bytes | None,
                                     offset: int, length: int, large: bool) -> None:
    """Random offsets, characters, bitmaps, offsets and lengths: a ValueError, or the
    codes of the rows the buffers describe (checked against Python's reading of them)."""
    off = np.array(offsets, np.int64 if large else np.int32)
    try:
        codes, values = _core.string_codes([(validity, off, data, offset, length)], large)
    except ValueError:
        return
    assert len(codes) == length
    seen: list[bytes] = []
    for i in range(length):
        row = offset + i
        if validity is not None and not (validity[row >> 3] >> (row & 7)) & 1:
            assert codes[i] == -1
            continue
        text = data[off[row]:off[row + 1]]
        assert 0 <= off[row] <= off[row + 1] <= len(data)
        if text not in seen:
            seen.append(text)
        assert codes[i] == seen.index(text)
    assert values == [t.decode() for t in seen]


@FUZZ
@given(st.lists(st.integers(-130, 130), max_size=20), st.integers(0, 140),
       st.sampled_from([np.int8, np.int16, np.int32]))  # fmt: skip
def test_look_up_codes_random_codes(codes: list[int], n_table: int, code_type: type) -> None:
    info = np.iinfo(code_type)
    arr = np.array([min(max(c, info.min), info.max) for c in codes], code_type)
    table = (np.arange(n_table) % 7).astype(np.int8)
    try:
        got = _core.look_up_codes(arr, table)
    except ValueError:
        assert n_table == 0 or any(c < -1 or c >= n_table - 1 for c in arr.tolist())
        return
    assert all(-1 <= c < n_table - 1 for c in arr.tolist())
    np.testing.assert_array_equal(got, table[arr])
# --------------------------------------------------------------------------- tiles

TILE_ARGS = {
    "tile_features": ("defender", "receiver", "flight_frames", "catch", "context", "is_back",
                      "rows", "start", "columns"),
    "advance_tiles": ("defender", "sigma", "flight_frames", "rows", "start", "base_sigma",
                      "rel", "sig"),
}
#: Arguments the kernels index with: integers only, never truncated floats.
TILE_INDEX_ARGS = ("start", "flight_frames", "rows", "columns")
#: What advance_tiles writes in place.
TILE_STATE = ("defender", "sigma")


@st.composite
def tile_batches(draw: st.DrawFn) -> dict[str, Any]:
    """A roll-out state of a few windows and one valid step of it."""
    n = draw(st.integers(0, 4))
    history, horizon = draw(st.integers(2, 5)), draw(st.integers(1, 6))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    flight = rng.integers(1, 9, n).astype(np.int64)
    frames = history + 9
    rows = np.array(draw(st.permutations(range(n))), np.int64)[: draw(st.integers(0, n))]
    n_full = 2 * (history - 1) + 2 * horizon + 27
    return {
        "defender": rng.normal(30.0, 5.0, (n, frames, 2)),
        "receiver": rng.normal(35.0, 5.0, (n, frames, 2)),
        "flight_frames": flight,
        "catch": rng.normal(40.0, 5.0, (n, 2)),
        "context": rng.normal(0.0, 3.0, (n, 4)),
        "is_back": rng.random(n) < 0.5,
        "rows": rows,
        "start": (rng.random(rows.size) * flight[rows]).astype(np.int64),
        "columns": rng.integers(0, n_full, draw(st.integers(0, 8))).astype(np.int64),
        "sigma": np.full((n, 8), np.nan),
        "base_sigma": rng.random(rows.size),
        "rel": rng.normal(0.0, 1.0, (rows.size, horizon, 2)),
        "sig": rng.random((rows.size, horizon)),
        "horizon": horizon,
        "history": history,
    }


def call_tiles(name: str, b: dict[str, Any], **k: Any) -> Any:
    args = {key: b[key] for key in (*TILE_ARGS[name], "horizon", "history")}
    if name == "advance_tiles":  # the state is written: work on copies
        args.update({key: b[key].copy() for key in TILE_STATE})
    args.update(k)
    out = getattr(_core, name)(**args)
    if name == "advance_tiles":
        return (*(args[key] for key in TILE_STATE), *out)
    return out


BAD_TILE_ARRAYS: dict[str, Callable[[np.ndarray], Any]] = {
    "one more dimension": lambda a: a[None],
    "strings": lambda a: a.astype(str),
    "object": lambda a: a.astype(object),
    "complex": lambda a: a.astype(np.complex128),
    "None": lambda a: None,
    "one more": lambda a: np.concatenate([a, a[:1] if len(a) else np.zeros((1, *a.shape[1:]),
                                                                            a.dtype)]),
}


@pytest.mark.parametrize("name", sorted(TILE_ARGS))
@FUZZ
@given(data=st.data(), bad=st.sampled_from(sorted(BAD_TILE_ARRAYS)))
def test_tiles_reject_bad_arrays(name: str, data: st.DataObject, bad: str) -> None:
    b = data.draw(tile_batches())
    arg = data.draw(st.sampled_from(TILE_ARGS[name]))
    assume(not (bad == "None" and arg == "is_back"))  # None: all defensive backs
    assume(not (bad == "one more" and arg == "columns"))  # any number of columns
    rejects(lambda: call_tiles(name, b, **{arg: BAD_TILE_ARRAYS[bad](b[arg])}))
    if arg in TILE_INDEX_ARGS:
        rejects(lambda: call_tiles(name, b, **{arg: b[arg].astype(np.float64) + 0.5}))


@pytest.mark.parametrize("name", sorted(TILE_ARGS))
@FUZZ
@given(data=st.data(), bad=st.sampled_from(["horizon", "history"]),
       value=st.sampled_from([-(2**40), -1, 0, 10**6]))
def test_tiles_reject_bad_sizes(name: str, data: st.DataObject, bad: str, value: int) -> None:
    b = data.draw(tile_batches())
    rejects(lambda: call_tiles(name, b, **{bad: value}))
    if bad == "history":
        rejects(lambda: call_tiles(name, b, history=1))


@pytest.mark.parametrize("name", sorted(TILE_ARGS))
@FUZZ
@given(data=st.data(), kind=st.sampled_from(["int32 or float32", "list", "non-contiguous view",
                                             "Fortran order"]))
def test_tiles_convert_read_only_arrays_without_changing_values(
    name: str, data: st.DataObject, kind: str
) -> None:
    """Arrays the kernels only read may come converted; what advance_tiles writes may
    not (a converted copy would lose the writes), nor its float64 arithmetic's inputs."""
    b = data.draw(tile_batches())
    fixed = (*TILE_STATE, "base_sigma", "rel", "sig") if name == "advance_tiles" else ()
    arg = data.draw(st.sampled_from([a for a in TILE_ARGS[name] if a not in fixed]))
    a = b[arg]
    assume(len(a) > 0)
    converted = {
        "int32 or float32": lambda: a.astype(np.int32) if a.dtype.kind in "ib"
        else a.astype(np.float32),
        "list": a.tolist,
        "non-contiguous view": lambda: np.repeat(a, 2, axis=0)[::2],
        "Fortran order": lambda: np.asfortranarray(a),
    }[kind]()
    plain = dict(b)
    plain[arg] = np.asarray(converted, dtype=np.float64 if a.dtype.kind == "f" else a.dtype)
    assert_same(call_tiles(name, b, **{arg: converted}), call_tiles(name, plain))


def _one_tile_batch() -> dict[str, Any]:
    rng = np.random.default_rng(0)
    n, history, horizon = 3, 4, 5
    return {
        "defender": rng.normal(30.0, 5.0, (n, history + 9, 2)),
        "sigma": np.full((n, 8), np.nan), "flight_frames": np.array([8, 3, 6]),
        "rows": np.array([2, 0, 1]), "start": np.array([5, 0, 2]), "base_sigma": rng.random(n),
        "rel": rng.normal(0.0, 1.0, (n, horizon, 2)), "sig": rng.random((n, horizon)),
        "horizon": horizon, "history": history,
    }


@pytest.mark.parametrize("arg", [*TILE_STATE, "base_sigma", "rel", "sig"])
@pytest.mark.parametrize("kind", ["float32", "non-contiguous view", "list"])
def test_advance_tiles_refuses_converted_state(arg: str, kind: str) -> None:
    """The positions and sigmas it writes must be the caller's own arrays; the base
    sigmas and predictions must be float64 (a float32 sigma squares differently), in
    any layout."""
    b = _one_tile_batch()
    a = b[arg]
    converted = {
        "float32": lambda: a.astype(np.float32),
        "non-contiguous view": lambda: np.repeat(a, 2, axis=0)[::2],
        "list": a.tolist,
    }[kind]()
    if arg not in TILE_STATE and kind != "float32":  # read only: converted
        assert_same(call_tiles("advance_tiles", b, **{arg: converted}),
                    call_tiles("advance_tiles", b))
    else:
        rejects(lambda: call_tiles("advance_tiles", b, **{arg: converted}))

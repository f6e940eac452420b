"""The C++ cleaning kernel against the numpy reference, and its input checks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ghosting import _core, cleaning_py
from ghosting.cleaning_py import (
    BALL_REASONS,
    DUPLICATE_FRAME,
    FRAME_GAP,
    LONG_STEP,
    NON_FINITE,
    OFF_FIELD,
    OVER_SPEED,
    REASONS,
)

POLICIES = ("play", "track", "sample")

special = st.sampled_from([np.nan, np.inf, -np.inf])
coordinate = st.one_of(st.floats(-3.0, 125.0), st.floats(-3.0, 125.0), special)
speed = st.one_of(st.floats(0.0, 16.0), special)


@st.composite
def batches(draw):
    """A random batch: plays of tracks of samples, with defects of every kind."""
    n_plays = draw(st.integers(0, 4))
    tracks_per_play = draw(st.lists(st.integers(0, 4), min_size=n_plays, max_size=n_plays))
    n_tracks = sum(tracks_per_play)
    samples_per_track = draw(st.lists(st.integers(0, 9), min_size=n_tracks, max_size=n_tracks))
    n = sum(samples_per_track)
    # Positions as a random walk (so that most steps are short) plus outliers.
    start = draw(st.lists(coordinate, min_size=n, max_size=n))
    walk = draw(st.lists(st.floats(-1.6, 1.6), min_size=n, max_size=n))
    use_walk = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    x = np.where(np.array(use_walk, dtype=bool), 60.0 + np.cumsum(walk), np.array(start))
    x = x.astype(np.float64)
    y = np.array(draw(st.lists(coordinate, min_size=n, max_size=n)), dtype=np.float64)
    y = np.where(np.isfinite(y), np.clip(y, -3.0, 57.0), y)
    s = np.array(draw(st.lists(speed, min_size=n, max_size=n)), dtype=np.float64)
    steps = draw(st.lists(st.sampled_from([1, 1, 1, 1, 0, 2, 5, -1]), min_size=n, max_size=n))
    frame_id = (draw(st.integers(-5, 1000)) + np.cumsum(steps)).astype(np.int32)
    track_offsets = np.concatenate([[0], np.cumsum(samples_per_track)]).astype(np.int64)
    play_offsets = np.concatenate([[0], np.cumsum(tracks_per_play)]).astype(np.int64)
    is_player = np.array(draw(st.lists(st.booleans(), min_size=n_tracks, max_size=n_tracks)))
    in_window = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    params = {
        "v_max": draw(st.floats(0.5, 20.0)),
        "dt": draw(st.sampled_from([0.1, 0.05, 0.2, 1.0])),
        "field_tolerance": draw(st.sampled_from([0.0, 0.5, 2.0])),
    }
    arrays = (x, y, s, frame_id, track_offsets, play_offsets, is_player.astype(np.uint8), in_window)
    return arrays, params


def assert_same(arrays, policy, params):
    got = _core.clean_tracks(*arrays, policy=policy, **params)
    want = cleaning_py.clean_tracks(*arrays, policy=policy, **params)
    names = ("flags", "keep", "track_reasons", "play_reasons")
    for name, g, w in zip(names, got, want, strict=True):
        np.testing.assert_array_equal(g, w, err_msg=name)
    assert got[0].dtype == np.uint8 and got[1].dtype == np.bool_
    return got


@settings(max_examples=300, deadline=None)
@given(batches(), st.sampled_from(POLICIES))
def test_kernel_matches_reference(batch, policy):
    arrays, params = batch
    flags, keep, track_reasons, play_reasons = assert_same(arrays, policy, params)
    # Invariants that hold whatever the data.
    in_window = arrays[7]
    assert np.all(keep[flags.astype(bool) & in_window] == False)  # noqa: E712
    assert np.all(keep[(flags == 0)] | (policy != "sample"))


def one_play(x, y, s=None, frame_id=None, is_player=(1,), in_window=None):
    """Arrays of one play with one track per entry of is_player, samples split evenly."""
    x = np.asarray(x, dtype=np.float64)
    n = len(x)
    n_tracks = len(is_player)
    per = n // n_tracks if n_tracks else 0
    track_offsets = np.arange(n_tracks + 1, dtype=np.int64) * per
    return (
        x,
        np.asarray(y, dtype=np.float64),
        np.zeros(n) if s is None else np.asarray(s, dtype=np.float64),
        np.arange(1, n + 1, dtype=np.int32) if frame_id is None else np.asarray(frame_id, np.int32),
        track_offsets,
        np.array([0, n_tracks], dtype=np.int64),
        np.asarray(is_player, dtype=np.uint8),
        np.ones(n, dtype=bool) if in_window is None else np.asarray(in_window, dtype=bool),
    )


def test_each_rule_on_a_hand_made_track():
    arrays = one_play(
        x=[10.0, 11.0, np.nan, 12.0, 13.5, 121.0, 121.5, 122.0],
        y=[5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0],
        s=[1.0, 13.0, np.nan, 1.0, 1.0, 1.0, 1.0, 1.0],
        frame_id=[1, 2, 3, 4, 5, 7, 7, 8],
    )
    no_tolerance = {"field_tolerance": 0.0}
    flags, keep, track_reasons, play_reasons = assert_same(arrays, "sample", no_tolerance)
    assert flags.tolist() == [
        0,
        OVER_SPEED,
        NON_FINITE,
        0,  # step from a NaN position is not a long step
        LONG_STEP,  # 1.5 yd in 0.1 s
        OFF_FIELD | FRAME_GAP | LONG_STEP,
        OFF_FIELD | DUPLICATE_FRAME,
        OFF_FIELD,
    ]
    assert keep.tolist() == [True, False, False, True, False, False, False, False]
    assert track_reasons[0] == play_reasons[0] == 0b111111


def test_ball_tracks_get_only_ball_reasons():
    x = [10.0, 30.0, 130.0, np.inf, 10.0, 30.0, 130.0, np.inf]
    arrays = one_play(x=x, y=[1.0] * 8, s=[40.0] * 8, frame_id=[1, 2, 2, 5] * 2, is_player=(0, 1))
    flags, *_ = assert_same(arrays, "track", {})
    assert np.all((flags[:4] & (0xFF ^ BALL_REASONS)) == 0)
    assert flags[:4].tolist() == [0, 0, DUPLICATE_FRAME, NON_FINITE | FRAME_GAP]
    assert flags[4] == OVER_SPEED and flags[7] & OFF_FIELD


def test_window_limits_what_is_dropped():
    arrays = one_play(x=[10.0, 50.0, 50.1], y=[1.0] * 3, in_window=[False, True, True])
    for policy in POLICIES:
        flags, keep, _, play_reasons = assert_same(arrays, policy, {})
        assert flags[1] == LONG_STEP  # flagged on the sample after the jump, in the window
    arrays = one_play(x=[10.0, 10.1, 50.1], y=[1.0] * 3, in_window=[True, True, False])
    for policy in POLICIES:
        flags, keep, _, play_reasons = assert_same(arrays, policy, {})
        assert flags[2] == LONG_STEP and play_reasons[0] == 0 and keep.all()


def test_field_tolerance():
    arrays = one_play(x=[-0.4, 0.0], y=[53.5, 53.0])
    assert assert_same(arrays, "sample", {"field_tolerance": 0.0})[0].tolist() == [OFF_FIELD, 0]
    assert assert_same(arrays, "sample", {"field_tolerance": 0.5})[0].tolist() == [0, 0]
    assert assert_same(arrays, "sample", {})[0].tolist() == [0, 0]  # default 1 yd


@pytest.mark.parametrize("policy", POLICIES)
def test_empty_input_and_empty_tracks(policy):
    empty = (
        np.zeros(0),
        np.zeros(0),
        np.zeros(0),
        np.zeros(0, np.int32),
        np.zeros(1, np.int64),
        np.zeros(1, np.int64),
        np.zeros(0, np.uint8),
        np.zeros(0, bool),
    )
    got = assert_same(empty, policy, {})
    assert all(len(a) == 0 for a in got)
    # Plays with no tracks and tracks with no samples.
    arrays = (
        np.array([1.0]),
        np.array([1.0]),
        np.array([1.0]),
        np.array([3], np.int32),
        np.array([0, 0, 1, 1], np.int64),
        np.array([0, 0, 2, 3], np.int64),
        np.array([1, 1, 0], np.uint8),
        np.array([True]),
    )
    flags, keep, track_reasons, play_reasons = assert_same(arrays, policy, {})
    assert flags.tolist() == [0] and keep.tolist() == [True] and len(play_reasons) == 3


def test_reason_bits_are_the_documented_ones():
    assert _core.CLEANING_REASONS == REASONS
    assert _core.BALL_CLEANING_REASONS == BALL_REASONS


def good_arrays():
    return list(one_play(x=[1.0, 2.0, 3.0, 4.0], y=[1.0] * 4, is_player=(1, 0)))


@pytest.mark.parametrize(
    ("index", "bad", "match"),
    [
        (0, np.zeros(3), "y has length 4, expected 3"),
        (1, np.zeros(5), "y has length 5"),
        (2, np.zeros(2), "s has length"),
        (3, np.arange(4, dtype=np.int64), "frame_id must be an int32"),
        (3, np.arange(3, dtype=np.int32), "frame_id has length"),
        (4, np.array([1, 2, 4]), "must start at 0"),
        (4, np.array([0, 3, 2]), "decrease"),
        (4, np.array([0, 2, 5]), "last offset 5"),
        (4, np.array([], dtype=np.int64), "at least one"),
        (4, np.array([0.0, 2.0, 4.0]), "track_offsets has dtype float64"),
        (5, np.array([0, 3]), "play_offsets: last offset 3"),
        (5, np.array([-1, 2]), "play_offsets: offsets must start at 0"),
        (6, np.array([1], np.uint8), "is_player has length 1"),
        (6, np.array([1, 0], np.int64), "is_player has dtype int64"),
        (6, np.array([1, 256], np.uint16), "is_player has dtype uint16; expected bool or uint8"),
        (7, np.ones(4, np.uint32), "in_window has dtype uint32; expected bool or uint8"),
        (7, np.ones(3, bool), "in_window has length 3"),
        (0, np.array(["a", "b", "c", "d"]), "x has dtype <U1"),
        (1, np.zeros((2, 2)), "y must be 1-D"),
        (2, None, "s must be a numpy array|s has dtype object"),
    ],
)
def test_invalid_inputs_raise_value_error(index, bad, match):
    arrays = good_arrays()
    arrays[index] = bad
    with pytest.raises(ValueError, match=match):
        _core.clean_tracks(*arrays)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"policy": "game"}, "policy must be 'play', 'track' or 'sample'"),
        ({"v_max": 0.0}, "v_max"),
        ({"v_max": np.nan}, "v_max"),
        ({"dt": -0.1}, "dt"),
        ({"field_tolerance": -1.0}, "field_tolerance"),
        ({"field_tolerance": np.inf}, "field_tolerance"),
    ],
)
def test_invalid_parameters_raise_value_error(params, match):
    with pytest.raises(ValueError, match=match):
        _core.clean_tracks(*good_arrays(), **params)


def test_accepted_conversions_and_no_copy_semantics():
    x, y, s, frame_id, track_offsets, play_offsets, is_player, in_window = good_arrays()
    # Strided (non-contiguous) and integer coordinates are converted, int32 offsets too.
    wide = np.repeat(x, 2)[::2]
    got = _core.clean_tracks(
        wide,
        y.astype(np.int64),
        s.astype(np.float32),
        frame_id,
        track_offsets.astype(np.int32),
        play_offsets,
        is_player.astype(bool),
        in_window.astype(np.uint8),
    )
    want = cleaning_py.clean_tracks(
        x, y, s, frame_id, track_offsets, play_offsets, is_player, in_window
    )
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(-3, 12), min_size=0, max_size=5),
    st.lists(st.integers(-3, 6), min_size=0, max_size=4),
    st.integers(0, 10),
)
def test_fuzzed_offsets_never_crash(track_offsets, play_offsets, n):
    """Arbitrary offsets either raise ValueError or give the reference's answer."""
    arrays = (
        np.linspace(1.0, 5.0, n),
        np.ones(n),
        np.ones(n),
        np.arange(n, dtype=np.int32),
        np.array(track_offsets, dtype=np.int64),
        np.array(play_offsets, dtype=np.int64),
        np.ones(max(len(track_offsets) - 1, 0), dtype=np.uint8),
        np.ones(n, dtype=bool),
    )
    try:
        got = _core.clean_tracks(*arrays)
    except ValueError:
        return
    want = cleaning_py.clean_tracks(*arrays)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)


def big_batch(n_tracks: int = 20_000, frames: int = 100):
    rng = np.random.default_rng(0)
    n = n_tracks * frames
    x = 60.0 + np.cumsum(rng.normal(0.0, 0.3, n))
    x = np.mod(x, 120.0)
    y = np.mod(26.0 + np.cumsum(rng.normal(0.0, 0.3, n)), 53.0)
    s = rng.uniform(0.0, 13.0, n)
    frame_id = np.tile(np.arange(1, frames + 1, dtype=np.int32), n_tracks)
    track_offsets = np.arange(n_tracks + 1, dtype=np.int64) * frames
    play_offsets = np.arange(0, n_tracks + 1, 23, dtype=np.int64)
    play_offsets[-1] = n_tracks
    is_player = (np.arange(n_tracks) % 23 != 0).astype(np.uint8)
    in_window = rng.random(n) < 0.5
    return x, y, s, frame_id, track_offsets, play_offsets, is_player, in_window


def test_contiguous_inputs_are_not_copied():
    """numpy reports its allocations to tracemalloc: only the outputs are allocated."""
    import tracemalloc

    arrays = big_batch()
    n = len(arrays[0])
    tracemalloc.start()
    try:
        _core.clean_tracks(*arrays)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * n + 1_000_000  # flags and keep, not a copy of x (8 bytes a sample)


def test_threads_get_identical_results():
    """The loop runs without the GIL; concurrent calls give the same answer."""
    from concurrent.futures import ThreadPoolExecutor

    arrays = big_batch(5_000)
    want = _core.clean_tracks(*arrays, policy="sample")
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: _core.clean_tracks(*arrays, policy="sample"), range(8)))
    for got in results:
        for g, w in zip(got, want, strict=True):
            np.testing.assert_array_equal(g, w)
    ref = cleaning_py.clean_tracks(*arrays, policy="sample")
    for g, w in zip(want, ref, strict=True):
        np.testing.assert_array_equal(g, w)

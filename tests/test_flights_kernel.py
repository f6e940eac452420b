"""The C++ flight gatherer against its numpy reference (ghosting.flights_py).

Random plays (rows in any order, repeated (player, frame) rows, missing frames,
NaN positions, players absent from the play), random windows, empty requests,
bad offsets and requests (ValueError), and races: another thread rewriting the
offsets, the requests or the table while the kernel runs (run by .ci/sanitize).
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_hardening_native import _race

from ghosting import _core
from ghosting.errors import InputError
from ghosting.flights import (
    DEFENDER_AT_PASS_FORWARD,
    DEFENDER_IN_PLAY,
    RECEIVER_AT_PASS_FORWARD,
    RECEIVER_IN_PLAY,
    SIDE_DEFENSE,
    SIDE_OFFENSE,
    FlightTable,
    gather_flights,
    play_rosters,
)
from ghosting.flights_py import gather_flights_py, gather_tracks_py, padded_py, play_rosters_py

IDS = [0, 3, 7, 8, 12, 40]  # few ids: players collide, repeat and go missing


def _same(a: Any, b: Any) -> None:
    for x, y in zip(a, b, strict=True):
        assert x.dtype == y.dtype and x.shape == y.shape
        np.testing.assert_array_equal(x, y)


@st.composite
def tables(draw: Any) -> dict[str, np.ndarray]:
    """A table of 1-3 plays; rows of a play shuffled or grouped, repeats allowed."""
    n_plays = draw(st.integers(1, 3))
    cols: dict[str, list] = {"nfl": [], "frame": [], "x": [], "y": [], "side": []}
    offsets = [0]
    coord = st.one_of(st.floats(-5, 125, allow_nan=False), st.just(float("nan")))
    for _ in range(n_plays):
        players = draw(st.lists(st.sampled_from(IDS), min_size=0, max_size=5, unique=True))
        rows = []
        for pid in players:
            side = draw(st.sampled_from([0, SIDE_OFFENSE, SIDE_DEFENSE]))
            frames = draw(st.lists(st.integers(0, 14), min_size=1, max_size=12))
            if draw(st.booleans()):
                frames = sorted(frames)
            for f in frames:
                rows.append((pid, f, draw(coord), draw(coord), side))
        if rows and draw(st.booleans()):  # a player whose side changes within the play
            pid, f, x, y, _ = rows[-1]
            rows.append((pid, f + 1, x, y, SIDE_OFFENSE))
        if draw(st.booleans()):
            rows = draw(st.permutations(rows))
        for r in rows:
            for key, v in zip(cols, r, strict=True):
                cols[key].append(v)
        offsets.append(offsets[-1] + len(rows))
    return {
        "nfl_id": np.array(cols["nfl"], np.int64),
        "frame_id": np.array(cols["frame"], np.int64),
        "x": np.array(cols["x"], np.float64),
        "y": np.array(cols["y"], np.float64),
        "side": np.array(cols["side"], np.int8),
        "play_offsets": np.array(offsets, np.int64),
    }


@st.composite
def requests(draw: Any, n_plays: int) -> list[np.ndarray]:
    n = draw(st.integers(0, 12))
    out: list[list[int]] = [[] for _ in range(6)]
    for _ in range(n):
        first = draw(st.integers(-3, 16))
        pf = first + draw(st.integers(0, 5))
        end = pf + draw(st.integers(0, 8))
        row = [draw(st.integers(0, n_plays - 1)), draw(st.sampled_from(IDS + [99])),
               draw(st.sampled_from(IDS + [99])), first, pf, end]
        for col, v in zip(out, row, strict=True):
            col.append(v)
    return [np.array(c, np.int64) for c in out]


def _columns(t: dict[str, np.ndarray]) -> list[np.ndarray]:
    return [t[k] for k in ("nfl_id", "frame_id", "x", "y", "side", "play_offsets")]


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_gather_flights_matches_the_numpy_reference(data: Any) -> None:
    t = data.draw(tables())
    req = data.draw(requests(len(t["play_offsets"]) - 1))
    got = _core.gather_flights(*_columns(t), *req)
    want = gather_flights_py(*_columns(t), *req)
    _same(got, want)
    d, r, off, ctx, flags = got
    assert off[0] == 0 and np.all(np.diff(off) == req[5] - req[3] + 1)
    assert d.shape == r.shape == (off[-1], 2) and ctx.shape == (len(req[0]), 4)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_gather_tracks_matches_the_numpy_reference(data: Any) -> None:
    t = data.draw(tables())
    req = data.draw(requests(len(t["play_offsets"]) - 1))
    args = (req[0], req[1], req[3], req[5])  # play, player, first, end
    got = _core.gather_tracks(*_columns(t), *args)
    _same(got, gather_tracks_py(*_columns(t), *args))
    # the positions are those gather_flights gives a defender with no history
    flight = _core.gather_flights(*_columns(t), req[0], req[1], req[2], req[3], req[3], req[5])
    np.testing.assert_array_equal(got[0], flight[0])


def test_tracks_count_the_rows_in_their_range() -> None:
    t = _one_play()
    xy, off, n_rows, first_row, consecutive, nonfinite = _core.gather_tracks(
        *_columns(t), [0, 0, 0, 0], [5, 6, 9, 77], [1, 3, 9, 1], [10, 5, 10, 3])
    assert n_rows.tolist() == [8, 3, 0, 0] and off.tolist() == [0, 10, 13, 15, 18]
    assert first_row.tolist() == [0, 10, -1, -1]
    assert consecutive.tolist() == [False, True, True, True]
    assert not nonfinite.any() and np.isnan(xy[13:]).all()
    t["x"][12] = np.nan  # player 6 at frame 5
    _, _, _, _, _, nonfinite = _core.gather_tracks(*_columns(t), [0], [6], [3], [5])
    assert nonfinite.tolist() == [True]


@settings(max_examples=200, deadline=None)
@given(t=tables())
def test_play_rosters_match_the_numpy_reference(t: dict[str, np.ndarray]) -> None:
    n_plays = len(t["play_offsets"]) - 1
    got = _core.play_rosters(t["nfl_id"], t["side"], t["play_offsets"], np.arange(n_plays))
    _same(got, play_rosters_py(t["nfl_id"], t["side"], t["play_offsets"]))
    some = np.array([n_plays - 1, 0], np.int64)  # any subset, in any order
    off, ids, _ = _core.play_rosters(t["nfl_id"], t["side"], t["play_offsets"], some)
    full_off, full_ids, _ = got
    for k, p in enumerate(some):
        np.testing.assert_array_equal(ids[off[k]:off[k + 1]], full_ids[full_off[p]:full_off[p + 1]])


def _one_play() -> dict[str, np.ndarray]:
    """Two players over frames 1..10: defender 5 (missing frames 2 and 7) and receiver 9
    (missing frame 4, untracked after 8); a team-mate 6 and an offense player 11."""
    rows = []
    for f in range(1, 11):
        if f not in (2, 7):
            rows.append((5, f, 10.0 + f, 20.0, SIDE_DEFENSE))
        if f != 4 and f <= 8:
            rows.append((9, f, 30.0, 5.0 + f, SIDE_OFFENSE))
        rows.append((6, f, 10.0 + f, 24.0, SIDE_DEFENSE))
        rows.append((11, f, 13.0 + f, 19.0, SIDE_OFFENSE))
    rows.sort()
    return {
        "nfl_id": np.array([r[0] for r in rows], np.int64),
        "frame_id": np.array([r[1] for r in rows], np.int64),
        "x": np.array([r[2] for r in rows]),
        "y": np.array([r[3] for r in rows]),
        "side": np.array([r[4] for r in rows], np.int8),
        "play_offsets": np.array([0, len(rows)], np.int64),
    }


def test_fill_rules_and_context_on_a_known_play() -> None:
    t = _one_play()
    # history from frame 1, pass forward at 3, arrival at 10
    d, r, off, ctx, flags = _core.gather_flights(*_columns(t), [0], [5], [9], [1], [3], [10])
    assert off.tolist() == [0, 10]
    assert flags[0] == (DEFENDER_IN_PLAY | DEFENDER_AT_PASS_FORWARD | RECEIVER_IN_PLAY
                        | RECEIVER_AT_PASS_FORWARD)
    # frame 2 (before pass forward) back-fills from frame 3; frame 7 (after) stays NaN
    assert d[1].tolist() == [13.0, 20.0] and d[0].tolist() == [11.0, 20.0]
    assert np.isnan(d[6]).all() and d[7].tolist() == [18.0, 20.0]
    # the receiver repeats frame 3 at frame 4 and frame 8 at frames 9 and 10
    assert r[3].tolist() == [30.0, 8.0] and r[8].tolist() == r[9].tolist() == [30.0, 13.0]
    # nearest offense other than the receiver: 11 at (+3, -1); team-mate 6 at (0, +4)
    assert ctx[0].tolist() == [3.0, -1.0, 0.0, 4.0]


def test_missing_players_are_flagged_not_filled() -> None:
    t = _one_play()
    # pass forward at frame 2: the defender is not tracked there; 77 is not in the play
    d, r, off, ctx, flags = _core.gather_flights(
        *_columns(t), [0, 0, 0], [5, 77, 5], [9, 9, 77], [1, 1, 3], [2, 2, 4], [5, 5, 5])
    assert flags.tolist() == [
        DEFENDER_IN_PLAY | RECEIVER_IN_PLAY | RECEIVER_AT_PASS_FORWARD,
        RECEIVER_IN_PLAY | RECEIVER_AT_PASS_FORWARD,
        DEFENDER_IN_PLAY | DEFENDER_AT_PASS_FORWARD,
    ]
    assert np.isnan(d[off[1]:off[2]]).all() and np.isnan(r[off[2]:off[3]]).all()
    assert np.isnan(ctx[1]).all()
    # a receiver not tracked at pass forward (frame 4) is left as tracked
    _, r2, _, _, f2 = _core.gather_flights(*_columns(t), [0], [5], [9], [3], [4], [6])
    assert not f2[0] & RECEIVER_AT_PASS_FORWARD
    assert r2[0].tolist() == [30.0, 8.0] and np.isnan(r2[1]).all()


def test_empty_requests_and_empty_plays() -> None:
    t = _one_play()
    empty = np.zeros(0, np.int64)
    d, r, off, ctx, flags = _core.gather_flights(*_columns(t), *([empty] * 6))
    assert d.shape == (0, 2) and r.shape == (0, 2) and off.tolist() == [0]
    assert ctx.shape == (0, 4) and flags.shape == (0,)
    none = np.zeros(0, np.int64)
    got = _core.gather_flights(none, none, np.zeros(0), np.zeros(0), np.zeros(0, np.int8),
                               [0, 0], [0], [1], [2], [0], [0], [3])
    assert got[4].tolist() == [0] and np.isnan(got[0]).all() and got[2].tolist() == [0, 4]
    assert _core.play_rosters(none, np.zeros(0, np.int8), [0, 0], [0])[0].tolist() == [0, 0]


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"play_offsets": [1, 35]}, "must start at 0"),
        ({"play_offsets": [0, 30, 20, 35]}, "decrease"),
        ({"play_offsets": [0, 34]}, "does not equal the number of samples"),
        ({"play_offsets": [0.0, 35.0]}, "play_offsets has dtype float64"),
        ({"play": [1]}, r"window 0: play index 1 is not in \[0, 1\)"),
        ({"play": [-1]}, "play index -1"),
        ({"first": [4]}, "first <= pass_forward <= end"),
        ({"end": [2]}, "first <= pass_forward <= end"),
        ({"end": [10**6]}, "more than 100000 frames"),
        ({"first": [-(2**63)], "pf": [2**62], "end": [2**63 - 1]}, "more than 100000 frames"),
        ({"defender": [5, 6]}, "defender has length 2, expected 1"),
        ({"side": np.zeros(35, np.int64)}, "side must be an int8 array"),
        ({"x": np.zeros(34)}, "x has length 34, expected 35"),
    ],
)
def test_bad_input_raises_value_error(change: dict[str, Any], match: str) -> None:
    t = _one_play()
    assert len(t["nfl_id"]) == 35
    args = {"nfl_id": t["nfl_id"], "frame_id": t["frame_id"], "x": t["x"], "y": t["y"],
            "side": t["side"], "play_offsets": t["play_offsets"], "play": [0], "defender": [5],
            "receiver": [9], "first": [1], "pf": [3], "end": [10]}
    args.update(change)
    with pytest.raises(ValueError, match=match):
        _core.gather_flights(*args.values())


def test_bad_roster_requests_raise() -> None:
    t = _one_play()
    with pytest.raises(ValueError, match=r"plays\[0\] = 3 is not in \[0, 1\)"):
        _core.play_rosters(t["nfl_id"], t["side"], t["play_offsets"], [3])
    with pytest.raises(ValueError, match="does not equal"):
        _core.play_rosters(t["nfl_id"], t["side"], [0, 5], [0])


def test_the_wrapper_names_the_window_in_an_input_error() -> None:
    import ghosting

    table = FlightTable.of(ghosting.synth.generate_plays(1, seed=0))
    with pytest.raises(InputError, match="gather_flights: window 1: frames must satisfy"):
        gather_flights(table, [0, 0], [1, 1], [2, 2], [0, 5], [3, 4], [9, 3])
    with pytest.raises(InputError, match="defender: expected integers"):
        gather_flights(table, [0], [1.5], [2], [0], [3], [9])
    assert len(play_rosters(table).offsets) == 2


# --------------------------------------------------------------------------- races

N_PLAYS = 300


def _race_batch() -> tuple[list[np.ndarray], list[np.ndarray]]:
    """N_PLAYS plays of 12 players over 40 frames, and 4 windows per play."""
    rng = np.random.default_rng(5)
    per = 12 * 40
    nfl = np.tile(np.repeat(np.arange(1, 13, dtype=np.int64), 40), N_PLAYS)
    frame = np.tile(np.arange(40, dtype=np.int64), 12 * N_PLAYS)
    xy = rng.uniform(0, 50, (per * N_PLAYS, 2))
    side = np.tile(np.repeat(np.array([1] * 6 + [2] * 6, np.int8), 40), N_PLAYS)
    offsets = np.arange(N_PLAYS + 1, dtype=np.int64) * per
    play = np.repeat(np.arange(N_PLAYS, dtype=np.int64), 4)
    n = play.size
    defender = 7 + np.arange(n, dtype=np.int64) % 6
    receiver = 1 + np.arange(n, dtype=np.int64) % 6
    first = 5 + np.arange(n, dtype=np.int64) % 7
    pf = first + 4
    end = pf + 10 + np.arange(n, dtype=np.int64) % 9
    table = [nfl, frame, xy[:, 0].copy(), xy[:, 1].copy(), side, offsets]
    return table, [play, defender, receiver, first, pf, end]


BIG = 1 << 40


class TestFlightsRace:
    """gather_flights and play_rosters against a thread rewriting their arguments."""

    def test_race_play_offsets(self) -> None:
        table, req = _race_batch()
        off = table[5]
        k = N_PLAYS // 2
        own = int(off[k])
        _race(lambda: _core.gather_flights(*table, *req), off, k, [own, own + 41],
              [BIG, -BIG, int(off[k + 1]) + 3])

    @pytest.mark.parametrize("which", [0, 3, 5])  # play, first_frame, end_frame
    def test_race_requests(self, which: int) -> None:
        table, req = _race_batch()
        target = req[which]
        k = 2 * N_PLAYS
        own = int(target[k])
        other = {0: own - 1, 3: own - 1, 5: own + 6}[which]
        bad = {0: [BIG, -1], 3: [BIG, own + 100], 5: [-BIG, BIG]}[which]
        _race(lambda: _core.gather_flights(*table, *req), target, k, [own, other], bad)

    def test_race_track_offsets(self) -> None:
        table, req = _race_batch()
        off = table[5]
        k = N_PLAYS // 2
        own = int(off[k])
        args = (req[0], req[2], req[3], req[5])
        _race(lambda: _core.gather_tracks(*table, *args), off, k, [own, own + 41],
              [BIG, -BIG, int(off[k + 1]) + 3])

    def test_race_roster_offsets(self) -> None:
        table, _ = _race_batch()
        off = table[5]
        k = N_PLAYS // 3
        own = int(off[k])
        plays = np.arange(N_PLAYS, dtype=np.int64)
        _race(lambda: _core.play_rosters(table[0], table[4], off, plays), off, k,
              [own, own - 41], [BIG, -BIG])

    @pytest.mark.parametrize("column", [0, 1])  # nfl_id, frame_id: read in place
    def test_rewriting_the_table_never_reads_out_of_bounds(self, column: int) -> None:
        """Rewritten ids and frames change what is gathered, never where it is written."""
        table, req = _race_batch()
        target = table[column]
        stop = threading.Event()

        def mutate() -> None:
            rng = np.random.default_rng(1)
            values = np.array([BIG, -BIG, 0, 3, 39, 2**63 - 1, -(2**63)], np.int64)
            while not stop.is_set():
                idx = rng.integers(0, target.size, 64)
                target[idx] = values[rng.integers(0, values.size, 64)]

        thread = threading.Thread(target=mutate, daemon=True)
        thread.start()
        try:
            for _ in range(40):
                d, r, off, ctx, flags = _core.gather_flights(*table, *req)
                assert off[-1] == d.shape[0] == r.shape[0]
                _core.play_rosters(table[0], table[4], table[5], np.arange(N_PLAYS))
                xy, off, *_ = _core.gather_tracks(*table, req[0], req[1], req[3], req[5])
                assert off[-1] == xy.shape[0]
        finally:
            stop.set()
            thread.join()


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_pad_windows_matches_the_numpy_reference(data: Any) -> None:
    lengths = data.draw(st.lists(st.integers(0, 9), max_size=12))
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    xy = np.asarray(data.draw(st.lists(
        st.floats(allow_nan=True, allow_infinity=True, width=64),
        min_size=2 * int(offsets[-1]), max_size=2 * int(offsets[-1]))), np.float64).reshape(-1, 2)
    index = np.asarray(data.draw(st.lists(st.integers(0, max(len(lengths) - 1, 0)),
                                          max_size=15 if lengths else 0)), np.int64)
    width = max([lengths[i] for i in index], default=0) + data.draw(st.integers(0, 3))
    got = _core.pad_windows(xy, offsets, index, width)
    want = padded_py(xy, offsets, index, width)
    assert got.dtype == want.dtype and got.shape == want.shape == (len(index), width, 2)
    assert np.array_equal(got, want, equal_nan=True)


def test_pad_windows_rejects_bad_input() -> None:
    xy = np.zeros((5, 2))
    offsets = np.array([0, 2, 5])
    for args, match in [
        ((xy, offsets, [2], 3), "not in"),
        ((xy, offsets, [-1], 3), "not in"),
        ((xy, offsets, [1], 2), "more than width"),
        ((xy, offsets, [0], -1), "width"),
        ((xy, np.array([0, 3, 2]), [0], 3), "offsets"),
        ((xy, np.array([0, 2, 6]), [0], 3), "offsets"),
        ((np.zeros((5, 3)), offsets, [0], 3), "shape"),
        ((xy, offsets, [0.5], 3), "index has dtype"),
    ]:
        with pytest.raises(ValueError, match=match):
            _core.pad_windows(*args)
    assert _core.pad_windows(xy, offsets, np.zeros(0, np.int64), 4).shape == (0, 4, 2)

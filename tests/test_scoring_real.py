"""score_real on hand-built canonical tables: gathering, skipping, accounting."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

import ghosting
from ghosting.scoring import real_trajectories

PLAYS_SCHEMA = pa.schema(
    [
        ("game_id", pa.int64()),
        ("play_id", pa.int64()),
        ("analysable", pa.bool_()),
        ("reason", pa.string()),
        ("pass_forward_frame", pa.int32()),
        ("arrival_frame", pa.int32()),
        ("targeted_receiver", pa.int64()),
        ("defensive_backs", pa.list_(pa.int64())),
    ]
)


def _player(game, play, nfl, side, position, frames, x, y):
    n = len(frames)
    return {
        "game_id": [game] * n,
        "play_id": [play] * n,
        "nfl_id": [nfl] * n,
        "frame_id": list(frames),
        "x": list(map(float, x)),
        "y": list(map(float, y)),
        "side": [side] * n,
        "position": [position] * n,
    }


def _table(players):
    cols = {k: sum((p[k] for p in players), []) for k in players[0]}
    t = pa.table(cols).cast(
        pa.schema(
            [
                ("game_id", pa.int64()),
                ("play_id", pa.int64()),
                ("nfl_id", pa.int64()),
                ("frame_id", pa.int32()),
                ("x", pa.float64()),
                ("y", pa.float64()),
                ("side", pa.string()),
                ("position", pa.string()),
            ]
        )
    )
    return t.sort_by(
        [
            ("game_id", "ascending"),
            ("play_id", "ascending"),
            ("nfl_id", "ascending"),
            ("frame_id", "ascending"),
        ]
    )


FRAMES = range(1, 8)  # pass forward at 2, arrival at 6: 5 frames, T = 4


def _tracking():
    f = np.arange(1, 8)
    return _table(
        [
            _player(1, 10, 0, "ball", None, f, 10 + f, 20 + 0 * f),
            _player(1, 10, 100, "offense", "WR", f, 30 + 0.8 * f, 20 + 0 * f),
            _player(1, 10, 200, "defense", "CB", f, 20 + 0.9 * f, 25 - 0.5 * f),
            _player(1, 10, 201, "defense", "SS", f, 50 - 0.3 * f, 10 + 0.2 * f),
            _player(1, 10, 202, "defense", "CB", [1, 2, 3, 5, 6, 7], [1] * 6, [1] * 6),
            _player(1, 10, 203, "defense", "FS", f, [40, 40, np.nan, 40, 40, 40, 40], [9] * 7),
            _player(1, 10, 300, "defense", "OLB", f, 35 + 0 * f, 22 + 0 * f),
            _player(1, 11, 100, "offense", "WR", f, f, f),
            _player(1, 11, 200, "defense", "CB", f, f, f),
            _player(1, 12, 100, "offense", "WR", [1, 2, 3], [1, 2, 3], [1, 1, 1]),
            _player(1, 12, 200, "defense", "CB", f, f, f),
        ]
    )


def _plays():
    return pa.table(
        {
            "game_id": [1, 1, 1, 1],
            "play_id": [10, 11, 12, 99],
            "analysable": [True, False, True, True],
            "reason": [None, "no pass_forward event", None, None],
            "pass_forward_frame": [2, None, 2, 2],
            "arrival_frame": [6, None, 6, 6],
            "targeted_receiver": [100, None, 100, 100],
            "defensive_backs": [[200, 201, 202, 203, 204], [200], [200], [200]],
        },
        schema=PLAYS_SCHEMA,
    )


def test_scores_match_the_array_api_and_every_play_is_accounted_for():
    tracking = _tracking()
    result = ghosting.score_real(tracking, _plays())
    traj = result.trajectories
    assert traj.column("nfl_id").to_pylist() == [200, 201]
    assert traj.column("position").to_pylist() == ["CB", "SS"]
    assert traj.column("n_frames").to_pylist() == [5, 5]
    f = np.arange(2, 7)
    receiver = np.column_stack([30 + 0.8 * f, 20 + 0 * f])
    cb = np.column_stack([20 + 0.9 * f, 25 - 0.5 * f])
    ss = np.column_stack([50 - 0.3 * f, 10 + 0.2 * f])
    expected = ghosting.trajectory_score(np.stack([cb, ss]), np.stack([receiver, receiver]))
    np.testing.assert_allclose(traj.column("ts").to_numpy(), expected.ts, rtol=1e-12)
    np.testing.assert_allclose(traj.column("ps").to_numpy(), expected.ps, rtol=1e-12)
    w = np.exp(-np.hypot(*(np.stack([cb[0], ss[0]]) - receiver[0]).T) / 10.0)
    np.testing.assert_allclose(traj.column("weight").to_numpy(), w, rtol=1e-12)
    plays = result.plays.to_pylist()
    assert plays == [
        {
            "game_id": 1,
            "play_id": 10,
            "n_defenders": 2,
            "play_score": pytest.approx(float((w * expected.ts).sum() / w.sum())),
        }
    ]
    skipped = {(s["play_id"], s["nfl_id"]): s["reason"] for s in result.skipped.to_pylist()}
    assert skipped[(11, None)] == "no pass_forward event"
    assert "targeted receiver has 2 samples for the 5 frames" in skipped[(12, None)]
    assert skipped[(99, None)] == "no tracking rows for this play"
    assert skipped[(10, 202)] == "4 samples for the 5 frames between pass forward and arrival"
    assert skipped[(10, 203)] == "non-finite position in the pass window"
    assert skipped[(10, 204)] == "no frames between pass forward and arrival"
    assert len(skipped) == 6
    summary = result.summary()
    assert summary["n_plays"] == 4 and summary["n_plays_scored"] == 1
    assert summary["n_trajectories"] == 2 and summary["n_defenders_skipped"] == 3
    assert summary["mean_ts"] == pytest.approx(float(expected.ts.mean()))


def test_all_defenders_and_receiver_reference():
    result = ghosting.score_real(_tracking(), _plays(), defenders="all", reference="receiver")
    assert result.trajectories.column("nfl_id").to_pylist() == [200, 201, 300]
    lb = result.trajectories.to_pylist()[2]
    assert lb["position"] == "OLB" and lb["dr"] == 0.0  # stands still: act = 0, opt > 0
    # the receiver (30 + 0.8 f, 20) runs at the linebacker (35, 22), frames 2 to 6
    assert lb["ps"] == pytest.approx((np.hypot(0.2, 2) - np.hypot(3.4, 2)) / 4)
    assert lb["max_speed"] == 0.0 and lb["n_off_field"] == 0


def test_plays_tracking_without_a_plays_row_is_reported():
    plays = _plays().filter(pa.compute.field("play_id") != 11)
    result = ghosting.score_real(_tracking(), plays)
    reasons = {(s["play_id"], s["nfl_id"]): s["reason"] for s in result.skipped.to_pylist()}
    assert reasons[(11, None)] == "not in the plays table"


def test_gathered_arrays_line_up_frame_by_frame():
    real = real_trajectories(_tracking(), _plays())
    assert len(real) == 2
    np.testing.assert_array_equal(real.offsets, [0, 5, 10])
    np.testing.assert_array_equal(real.play_offsets, [0, 2])
    np.testing.assert_allclose(real.receiver_xy[:, 0], np.tile(30 + 0.8 * np.arange(2, 7), 2))


def test_bad_input_is_named():
    with pytest.raises(ghosting.InputError, match="defenders"):
        ghosting.score_real(_tracking(), _plays(), defenders="linebackers")
    with pytest.raises(ghosting.InputError, match="targeted_receiver"):
        ghosting.score_real(_tracking(), _plays().drop_columns(["targeted_receiver"]))
    with pytest.raises(ghosting.InputError, match="lacks columns"):
        ghosting.score_real(_tracking().drop_columns(["x"]), _plays())
    unsorted = pa.concat_tables([_tracking(), _tracking().slice(0, 3)])
    with pytest.raises(ghosting.InputError, match="sorted"):
        ghosting.score_real(unsorted, _plays())
    with pytest.raises(ghosting.InputError, match="repeats"):
        ghosting.score_real(_tracking(), pa.concat_tables([_plays(), _plays()]))


def test_backs_without_a_defensive_backs_column_by_position_or_2026_role():
    """A plays table without ``defensive_backs``: the backs come from the tracking, by
    position or by the 2026 "Defensive Coverage" role, as pass_plays finds them."""
    plays = _plays().drop_columns(["defensive_backs"])
    by_position = ghosting.score_real(_tracking(), plays)
    assert by_position.trajectories.column("nfl_id").to_pylist() == [200, 201]
    tracking = _tracking()
    backs = pa.compute.is_in(tracking["position"], pa.array(["CB", "SS", "FS"])).to_numpy(
        zero_copy_only=False
    )
    no_position = pa.nulls(len(tracking), pa.string())
    tracking = tracking.set_column(
        tracking.schema.get_field_index("position"), "position", no_position
    ).append_column(
        "player_role", pa.array(np.where(backs, "Defensive Coverage", "Other"), pa.string())
    )
    by_role = ghosting.score_real(tracking, plays)
    assert by_role.trajectories.column("nfl_id").to_pylist() == [200, 201]
    np.testing.assert_allclose(
        by_role.trajectories.column("ts").to_numpy(),
        by_position.trajectories.column("ts").to_numpy(),
    )


@pytest.mark.parametrize("defenders", ["backs", "all"])
def test_one_gatherer_call_gives_what_one_call_per_track_gives(
    monkeypatch: pytest.MonkeyPatch, defenders: str
) -> None:
    """The receivers' and the defenders' tracks are gathered in one call; each track
    equals the one gathered alone (the former code gathered them in two calls)."""
    from dataclasses import fields

    from ghosting import flights
    from ghosting.scoring import real as real_module

    tracking = ghosting.synth.generate_plays(8, seed=5, plays_per_game=4)
    tracking, _ = ghosting.clean(tracking, policy="play")
    # two plays whose receiver misses a frame of the flight: their defenders are
    # gathered, then left out
    plays = ghosting.pass_plays(tracking).to_pylist()
    drop = np.zeros(tracking.num_rows, bool)
    for row in plays[1:3]:
        drop |= ((tracking["play_id"].to_numpy() == row["play_id"])
                 & (tracking["game_id"].to_numpy() == row["game_id"])
                 & (tracking["nfl_id"].to_numpy() == row["targeted_receiver"])
                 & (tracking["frame_id"].to_numpy() == row["pass_forward_frame"] + 2))
    assert drop.sum() == 2
    tracking = tracking.filter(pa.array(~drop))
    calls: list[int] = []
    gather = flights.gather_tracks

    def counted(table, *request):
        calls.append(len(request[0]))
        return gather(table, *request)

    def one_by_one(table, *request):
        parts = [gather(table, *(np.asarray(r)[i:i + 1] for r in request))
                 for i in range(len(request[0]))]
        if not parts:
            return gather(table, *request)
        offsets = np.concatenate([[0], np.cumsum([len(p.xy) for p in parts])])
        return flights.Tracks(
            xy=np.concatenate([p.xy for p in parts]).reshape(-1, 2), offsets=offsets,
            **{f.name: np.concatenate([getattr(p, f.name) for p in parts])
               for f in fields(flights.Tracks) if f.name not in ("xy", "offsets")})

    with monkeypatch.context() as m:
        m.setattr(real_module, "gather_tracks", counted)
        new = real_trajectories(tracking, defenders=defenders)
    assert len(calls) == 1 and calls[0] > len(new.play_offsets) - 1
    with monkeypatch.context() as m:
        m.setattr(real_module, "gather_tracks", one_by_one)
        ref = real_trajectories(tracking, defenders=defenders)
    assert len(new) > 10
    reasons = new.skipped["reason"].to_pylist()
    assert sum("targeted receiver has" in (r or "") for r in reasons) == 2
    for f in fields(new):
        a, b = getattr(new, f.name), getattr(ref, f.name)
        if isinstance(a, np.ndarray):
            assert a.dtype == b.dtype, f.name
            np.testing.assert_array_equal(a, b, err_msg=f.name)
        else:
            assert a.equals(b), f.name

"""Synthetic plays: schema, football structure, human kinematics, determinism, clean data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import ghosting
from ghosting import synth
from ghosting.schema import CANONICAL_SCHEMA, DT, FIELD_LENGTH, FIELD_WIDTH


@pytest.fixture(scope="module")
def table() -> pa.Table:
    return synth.generate_plays(40, seed=11)


@pytest.fixture(scope="module")
def df(table) -> pd.DataFrame:
    return table.to_pandas()


def test_schema_and_order(table, df):
    assert table.schema.remove_metadata().equals(
        CANONICAL_SCHEMA.append(pa.field("play_description", pa.string()))
    )
    keys = df[["game_id", "play_id", "nfl_id", "frame_id"]]
    assert keys.equals(keys.sort_values(list(keys.columns)).reset_index(drop=True))
    assert not keys.duplicated().any()
    # Frames of each track are consecutive from 1.
    first = df.groupby(["game_id", "play_id", "nfl_id"]).frame_id.agg(["min", "max", "count"])
    assert (first["min"] == 1).all() and (first["max"] == first["count"]).all()
    narrow = synth.generate_plays(2, seed=1, descriptions=False)
    assert narrow.schema.equals(CANONICAL_SCHEMA)


def test_deterministic_for_a_seed():
    a = synth.generate_plays(5, seed=4).to_pandas()  # pandas: NaN equals NaN
    assert a.equals(synth.generate_plays(5, seed=4).to_pandas())
    assert not a.equals(synth.generate_plays(5, seed=5).to_pandas())


def test_games_plays_and_ids():
    t = synth.generate_plays(7, seed=0, start_game_id=123, plays_per_game=3).to_pandas()
    plays = t[["game_id", "play_id"]].drop_duplicates()
    assert plays.game_id.value_counts().sort_index().tolist() == [3, 3, 1]
    assert plays.game_id.min() == 123
    assert synth.generate_plays(0).num_rows == 0
    with pytest.raises(ghosting.GhostingError, match="n_plays"):
        synth.generate_plays(-1)
    with pytest.raises(ghosting.GhostingError, match="plays_per_game"):
        synth.generate_plays(2, plays_per_game=0)


def test_rosters(df):
    tracks = df.drop_duplicates(["game_id", "play_id", "nfl_id"])
    per_play = tracks.groupby(["game_id", "play_id"])
    assert (per_play.size() == 23).all()
    sides = per_play.side.value_counts().unstack()
    assert (sides["offense"] == 11).all() and (sides["defense"] == 11).all()
    assert (sides["ball"] == 1).all()
    ball = tracks[tracks.side == "ball"]
    assert (ball.nfl_id == ghosting.BALL_ID).all() and ball.position.isna().all()
    counts = tracks[tracks.side != "ball"].groupby("position").size() / per_play.ngroups
    assert counts.to_dict() == {
        "QB": 1, "C": 1, "G": 2, "T": 2, "RB": 1, "TE": 1, "WR": 3,
        "DE": 2, "DT": 2, "OLB": 1, "ILB": 1, "CB": 3, "FS": 1, "SS": 1,
    }  # fmt: skip
    players = tracks[tracks.side != "ball"]
    # Each club has distinct players, jerseys and names; two clubs per play.
    assert (players.groupby(["game_id", "play_id"]).club.nunique() == 2).all()
    for _, club in players.groupby(["club"]):
        by_id = club.drop_duplicates("nfl_id")
        assert by_id.jersey_number.is_unique and by_id.display_name.is_unique
    assert players.display_name.str.fullmatch(r"[A-Z]\.[A-Z][a-z]+").all()


def test_events_and_pass_timing(df):
    events = df.dropna(subset=["event"]).drop_duplicates(["game_id", "play_id", "event"])
    frames = events.pivot(index=["game_id", "play_id"], columns="event", values="frame_id")
    assert frames[["ball_snap", "pass_forward", "pass_arrived"]].notna().all().all()
    outcome = frames["pass_outcome_caught"].fillna(frames["pass_outcome_incomplete"])
    assert (
        frames[["pass_outcome_caught", "pass_outcome_incomplete"]].notna().sum(axis=1) == 1
    ).all()
    assert (frames.ball_snap < frames.pass_forward).all()
    flight = (frames.pass_arrived - frames.pass_forward) * DT
    assert flight.between(0.8, 3.0).all()
    assert ((frames.pass_forward - frames.ball_snap) * DT).between(1.8, 3.3).all()
    assert (outcome == frames.pass_arrived + 1).all()
    # Events are on every row of their frame (all 23 tracks).
    per_event = df.dropna(subset=["event"]).groupby(["game_id", "play_id", "event"]).size()
    assert (per_event == 23).all()


def test_kinematics_are_human_and_consistent(df):
    players = df[df.side != "ball"]
    assert players.s.max() < 11.0 and players.dis.max() < 1.1
    assert players.a.max() < 15.0
    assert np.percentile(players.a, 99) < 9.0
    assert players.x.between(0, FIELD_LENGTH).all() and players.y.between(0, FIELD_WIDTH).all()
    # s, dis and dir agree with the positions (backward differences per track).
    g = df.groupby(["game_id", "play_id", "nfl_id"])
    dx = g.x.diff().fillna(0.0)
    dy = g.y.diff().fillna(0.0)
    np.testing.assert_allclose(df.dis, np.hypot(dx, dy), atol=1e-9)
    np.testing.assert_allclose(df.s, df.dis / DT, atol=1e-9)
    moving = df.dis > 1e-6
    rad = np.radians(df.dir[moving])
    np.testing.assert_allclose(df.s[moving] * np.sin(rad) * DT, dx[moving], atol=1e-9)
    np.testing.assert_allclose(df.s[moving] * np.cos(rad) * DT, dy[moving], atol=1e-9)
    assert df.dir.between(0, 360).all() and players.o.between(0, 360).all()
    # Routes are run: receivers cover real distance at speed.
    wr = players[players.position == "WR"].groupby(["game_id", "play_id", "nfl_id"]).s.max()
    assert wr.median() > 6.5


def test_ball_is_thrown_to_the_described_target(table, df):
    ball = df[df.side == "ball"]
    arrived = df[df.event == "pass_arrived"]
    at_arrival = arrived.merge(
        ball[["game_id", "play_id", "frame_id", "x", "y"]],
        on=["game_id", "play_id", "frame_id"],
        suffixes=("", "_ball"),
    )
    at_arrival = at_arrival[at_arrival.side == "offense"]
    dist = np.hypot(at_arrival.x - at_arrival.x_ball, at_arrival.y - at_arrival.y_ball)
    catcher = at_arrival[dist < 1e-9]
    assert catcher.groupby(["game_id", "play_id"]).size().eq(1).all()
    assert len(catcher) == 40
    assert catcher.position.isin(["WR", "TE", "RB"]).all()
    descriptions = df.drop_duplicates(["game_id", "play_id"]).set_index(["game_id", "play_id"])
    for row in catcher.itertuples():
        text = descriptions.play_description[(row.game_id, row.play_id)]
        assert f" to {row.display_name}" in text and " pass " in text
    # Air speed of the ball is that of a thrown football.
    plays = ghosting.pass_plays(table)
    assert plays["analysable"].to_numpy().all()
    assert set(plays["target_source"].to_pylist()) == {"play_description"}
    truth = catcher.set_index(["game_id", "play_id"]).nfl_id
    got = dict(zip(zip(plays["game_id"].to_pylist(), plays["play_id"].to_pylist(), strict=True),
                   plays["targeted_receiver"].to_pylist(), strict=True))  # fmt: skip
    assert all(got[key] == nfl for key, nfl in truth.items())


def test_play_direction_and_coverage_variety():
    t = synth.generate_plays(300, seed=2, descriptions=False).to_pandas()
    plays = t.drop_duplicates(["game_id", "play_id"])
    left = (plays.play_direction == "left").mean()
    assert 0.4 < left < 0.6
    # Offense always moves toward +x (coordinates already normalised).
    snap_x = t[t.event == "ball_snap"].groupby("side").x.mean()
    assert snap_x["defense"] > snap_x["offense"]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cleaning_flags_nothing(seed):
    table = synth.generate_plays(60, seed=seed)
    for policy in ("play", "sample"):
        cleaned, report = ghosting.clean(table, policy, window="all")
        assert sum(report.flagged.values()) == 0, report.summary()
        assert cleaned.num_rows == table.num_rows

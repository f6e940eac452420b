"""ghosting.clean: windows, policies, the report, errors; synthetic and real data."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

import ghosting
from ghosting import cleaning_py, synth
from ghosting.cleaning import METADATA_KEY, reason_names

POLICIES = ("play", "track", "sample")


@pytest.fixture(scope="module")
def plays() -> pa.Table:
    return synth.generate_plays(6, seed=3)


def with_values(table: pa.Table, column: str, rows, values) -> pa.Table:
    array = table.column(column).to_numpy().copy()
    array[rows] = values
    index = table.schema.get_field_index(column)
    return table.set_column(index, column, pa.array(array, type=table.schema.field(column).type))


def frame_of_event(table: pa.Table, game_id: int, play_id: int, event: str) -> int:
    df = table.select(["game_id", "play_id", "frame_id", "event"]).to_pandas()
    rows = df[(df.game_id == game_id) & (df.play_id == play_id) & (df.event == event)]
    return int(rows.frame_id.iloc[0])


def rows_of(table: pa.Table, game_id: int, play_id: int, nfl_id: int, frames) -> np.ndarray:
    df = table.select(["game_id", "play_id", "nfl_id", "frame_id"]).to_pandas()
    mask = (
        (df.game_id == game_id)
        & (df.play_id == play_id)
        & (df.nfl_id == nfl_id)
        & df.frame_id.isin(list(frames))
    )
    return np.flatnonzero(mask.to_numpy())


def a_player_of(table: pa.Table, play_index: int) -> tuple[int, int, int]:
    df = table.select(["game_id", "play_id", "nfl_id"]).to_pandas().drop_duplicates()
    keys = df[["game_id", "play_id"]].drop_duplicates().iloc[play_index]
    players = df[(df.game_id == keys.game_id) & (df.play_id == keys.play_id) & (df.nfl_id != 0)]
    row = players.iloc[len(players) // 2]
    return int(row.game_id), int(row.play_id), int(row.nfl_id)


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("window", ["pass", "all"])
def test_synthetic_plays_are_clean(plays, policy, window):
    cleaned, report = ghosting.clean(plays, policy, window=window)
    assert cleaned.num_rows == plays.num_rows == report.rows_in == report.rows_out
    assert set(report.flagged) == set(cleaning_py.REASONS)
    assert all(v == 0 for v in report.flagged.values())
    assert report.dropped_plays == report.dropped_tracks == []
    assert report.plays_without_pass_window == 0
    assert report.plays_in == report.plays_out == 6
    assert report.tracks_in == report.tracks_out == 6 * 23


def test_each_policy_drops_what_it_should(plays):
    game_id, play_id, nfl_id = a_player_of(plays, 2)
    forward = frame_of_event(plays, game_id, play_id, "pass_forward")
    rows = rows_of(plays, game_id, play_id, nfl_id, [forward + 1])
    dirty = with_values(plays, "x", rows, np.nan)

    cleaned, report = ghosting.clean(dirty, "play")
    assert report.dropped_plays == [
        {"game_id": game_id, "play_id": play_id, "reasons": ["NON_FINITE"], "nfl_ids": [nfl_id]}
    ]
    left = cleaned.select(["game_id", "play_id"]).to_pandas().drop_duplicates()
    assert len(left) == 5 and play_id not in set(left.play_id)
    assert report.plays_out == 5 and report.rows_out == cleaned.num_rows

    cleaned, report = ghosting.clean(dirty, "track")
    assert report.dropped_tracks == [
        {"game_id": game_id, "play_id": play_id, "nfl_id": nfl_id, "reasons": ["NON_FINITE"]}
    ]
    frames_of_track = len(rows_of(plays, game_id, play_id, nfl_id, range(1, 1000)))
    assert cleaned.num_rows == plays.num_rows - frames_of_track
    assert report.tracks_out == report.tracks_in - 1

    cleaned, report = ghosting.clean(dirty, "sample")
    assert cleaned.num_rows == plays.num_rows - 1
    assert report.dropped_samples["NON_FINITE"] == 1
    assert report.flagged_in_window["NON_FINITE"] == report.flagged["NON_FINITE"] == 1


def test_defects_outside_the_pass_window_do_not_count(plays):
    game_id, play_id, nfl_id = a_player_of(plays, 1)
    forward = frame_of_event(plays, game_id, play_id, "pass_forward")
    arrival = frame_of_event(plays, game_id, play_id, "pass_arrived")
    early = rows_of(plays, game_id, play_id, nfl_id, [forward - 11])
    late = rows_of(plays, game_id, play_id, nfl_id, [arrival + 1])
    edge = rows_of(plays, game_id, play_id, nfl_id, [forward - 10])
    for rows in (early, late):
        dirty = with_values(plays, "s", rows, 20.0)
        _, report = ghosting.clean(dirty, "play")
        assert report.flagged["OVER_SPEED"] == 1 and report.flagged_in_window["OVER_SPEED"] == 0
        assert report.dropped_plays == []
        _, report = ghosting.clean(dirty, "play", window="all")
        assert [p["play_id"] for p in report.dropped_plays] == [play_id]
    _, report = ghosting.clean(with_values(plays, "s", edge, 20.0), "play")
    assert [p["play_id"] for p in report.dropped_plays] == [play_id]
    _, report = ghosting.clean(with_values(plays, "s", edge, 20.0), "play", history=9)
    assert report.dropped_plays == []


def test_plays_without_a_pass_are_analysed_whole(plays):
    events = plays.column("event").to_pylist()
    df = plays.select(["play_id"]).to_pandas()
    first_play = int(df.play_id.iloc[0])
    no_pass = [None if (e == "pass_forward" and p == first_play) else e
               for e, p in zip(events, df.play_id, strict=True)]  # fmt: skip
    table = plays.set_column(plays.schema.get_field_index("event"), "event", pa.array(no_pass))
    game_id, play_id, nfl_id = a_player_of(table, 0)
    rows = rows_of(table, game_id, play_id, nfl_id, [2])  # long before any pass
    _, report = ghosting.clean(with_values(table, "y", rows, -5.0))
    assert report.plays_without_pass_window == 1
    assert report.dropped_plays[0]["reasons"] == ["OFF_FIELD", "LONG_STEP"]


def test_ball_is_checked_only_for_its_reasons(plays):
    first = plays.slice(0, 1).to_pylist()[0]
    game_id, play_id = first["game_id"], first["play_id"]
    forward = frame_of_event(plays, game_id, play_id, "pass_forward")
    rows = rows_of(plays, game_id, play_id, 0, [forward + 2])
    _, report = ghosting.clean(with_values(plays, "x", rows, 150.0), "track")
    assert report.dropped_tracks == []  # off the field and a long step: fine for the ball
    _, report = ghosting.clean(with_values(plays, "y", rows, np.inf), "track")
    assert report.dropped_tracks[0]["nfl_id"] == 0
    assert report.dropped_tracks[0]["reasons"] == ["NON_FINITE"]


def test_duplicate_and_missing_frames(plays):
    game_id, play_id, nfl_id = a_player_of(plays, 4)
    forward = frame_of_event(plays, game_id, play_id, "pass_forward")
    rows = rows_of(plays, game_id, play_id, nfl_id, [forward, forward + 1])
    dup = with_values(plays, "frame_id", rows[1:], forward)
    _, report = ghosting.clean(dup, "sample")
    assert report.flagged["DUPLICATE_FRAME"] == 1 and report.flagged["FRAME_GAP"] == 1
    gap = plays.filter(pa.array(~np.isin(np.arange(plays.num_rows), rows[1:])))
    _, report = ghosting.clean(gap, "track")
    assert report.dropped_tracks[0]["reasons"] == ["FRAME_GAP"]


def test_matches_reference_on_randomly_damaged_data(plays):
    """clean() against the numpy reference fed with offsets computed by pandas."""
    rng = np.random.default_rng(7)
    n = plays.num_rows
    damaged = plays
    for column, value in (("x", np.nan), ("y", -3.0), ("s", 14.0), ("x", 200.0)):
        damaged = with_values(damaged, column, rng.choice(n, 15, replace=False), value)
    df = damaged.select(["game_id", "play_id", "nfl_id", "frame_id", "x", "y", "s"]).to_pandas()
    track = df.groupby(["game_id", "play_id", "nfl_id"], sort=False).ngroup().to_numpy()
    play = df.groupby(["game_id", "play_id"], sort=False).ngroup().to_numpy()
    track_offsets = np.searchsorted(track, np.arange(track.max() + 2))
    track_play = play[track_offsets[:-1]]
    play_offsets = np.searchsorted(track_play, np.arange(play.max() + 2))
    is_player = (df.nfl_id.to_numpy()[track_offsets[:-1]] != 0).astype(np.uint8)
    for policy in POLICIES:
        _, keep, track_reasons, play_reasons = cleaning_py.clean_tracks(
            df.x, df.y, df.s, df.frame_id.to_numpy(np.int32), track_offsets, play_offsets,
            is_player, np.ones(n, bool), policy=policy,
        )  # fmt: skip
        cleaned, report = ghosting.clean(damaged, policy, window="all")
        assert cleaned.num_rows == keep.sum()
        np.testing.assert_array_equal(cleaned["x"].to_numpy(), df.x.to_numpy()[keep])
        if policy == "play":
            assert len(report.dropped_plays) == np.count_nonzero(play_reasons)
        if policy == "track":
            assert len(report.dropped_tracks) == np.count_nonzero(track_reasons)
            for item, t in zip(report.dropped_tracks, np.flatnonzero(track_reasons), strict=True):
                assert item["reasons"] == reason_names(track_reasons[t])


def test_report_is_json_and_readable(plays):
    game_id, play_id, nfl_id = a_player_of(plays, 0)
    forward = frame_of_event(plays, game_id, play_id, "pass_forward")
    dirty = with_values(plays, "x", rows_of(plays, game_id, play_id, nfl_id, [forward]), 130.0)
    cleaned, report = ghosting.clean(dirty, "play", field_tolerance=0.5)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["policy"] == "play" and data["field_tolerance"] == 0.5
    assert data["rows_dropped"] == dirty.num_rows - cleaned.num_rows > 0
    assert data["dropped_plays"][0]["reasons"] == ["OFF_FIELD", "LONG_STEP"]
    assert json.loads(cleaned.schema.metadata[METADATA_KEY]) == data
    text = report.summary()
    assert f"play_id={play_id}: OFF_FIELD, LONG_STEP" in text
    assert "policy=play" in text and "field tolerance 0.5 yd" in text


def test_empty_table():
    empty = synth.generate_plays(0)
    cleaned, report = ghosting.clean(empty)
    assert cleaned.num_rows == report.rows_in == report.plays_in == 0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"policy": "game"}, "policy must be one of play, track, sample"),
        ({"window": "flight"}, "window must be one of pass, all"),
        ({"v_max": 0}, "v_max must be a finite number > 0"),
        ({"dt": float("nan")}, "dt must be"),
        ({"field_tolerance": -1.0}, "field_tolerance must be a finite number >= 0"),
        ({"history": -2}, "history must be an integer >= 0"),
        ({"v_max": True}, "v_max must be a finite number > 0, got True"),
        ({"field_tolerance": False}, "field_tolerance must be a finite number >= 0"),
        ({"dt": "0.1"}, "dt must be a finite number > 0"),
    ],
)
def test_bad_arguments(plays, kwargs, match):
    with pytest.raises(ghosting.GhostingError, match=match):
        ghosting.clean(plays, **kwargs)


def test_any_history_length(plays):
    # a history longer than any play starts every window at the play's first frame
    _, whole = ghosting.clean(plays, history=10**6)
    _, huge = ghosting.clean(plays, history=10**20)
    assert huge.to_dict() == {**whole.to_dict(), "history": 10**20}


def test_numpy_scalar_arguments(plays):
    # parameters computed with numpy are numbers too
    _, want = ghosting.clean(plays, v_max=12.5, dt=0.1, field_tolerance=1.0, history=5)
    _, got = ghosting.clean(plays, v_max=np.float32(12.5), dt=np.float64(0.1),
                            field_tolerance=np.int64(1), history=np.int32(5))
    assert got.to_dict() == want.to_dict()
    assert isinstance(got.v_max, float) and isinstance(got.history, int)


def test_non_canonical_tables_are_refused(plays):
    with pytest.raises(ghosting.InputError, match="expected a canonical pyarrow.Table"):
        ghosting.clean(plays.to_pandas())
    with pytest.raises(ghosting.MissingColumnsError, match="lacks column.*side"):
        ghosting.clean(plays.drop_columns(["side"]))
    retyped = plays.set_column(3, "frame_id", plays["frame_id"].cast(pa.int64()))
    with pytest.raises(ghosting.InputError, match="frame_id is int64, expected int32"):
        ghosting.clean(retyped)
    shuffled = plays.take(pa.array(np.r_[np.arange(3000, 4000), np.arange(0, 3000)]))
    with pytest.raises(ghosting.InputError, match="not sorted by .*row 1,000"):
        ghosting.clean(shuffled)
    nulls = plays.set_column(2, "nfl_id", pa.array([None] * plays.num_rows, pa.int64()))
    with pytest.raises(ghosting.InputError, match="nfl_id has .* null"):
        ghosting.clean(nulls)


def test_accepts_a_record_batch_and_chunked_tables(plays):
    chunked = pa.concat_tables([plays.slice(0, 5000), plays.slice(5000)])
    assert chunked["x"].num_chunks == 2
    _, report = ghosting.clean(chunked, window="all")
    assert report.rows_out == plays.num_rows
    _, report = ghosting.clean(plays.to_batches()[0])
    assert report.rows_in == plays.to_batches()[0].num_rows


# ----------------------------------------------------------------------------- real data


def test_real_2021_game_long_steps(data_dir):
    """The data's README: 5 steps longer than 1.25 yd in one frame in the 2021 game."""
    tracking = ghosting.read_tracking(data_dir / "bdb2021" / "week13_game_2018120600.csv.gz")
    cleaned, report = ghosting.clean(tracking, "sample", window="all")
    assert report.flagged["LONG_STEP"] == 5
    assert report.flagged["NON_FINITE"] == report.flagged["FRAME_GAP"] == 0
    assert report.rows_out == cleaned.num_rows < tracking.num_rows
    # The paper's policy around the pass: the long steps are outside every pass window.
    _, report = ghosting.clean(tracking, "play")
    assert report.flagged_in_window["LONG_STEP"] == 0
    assert all(p["reasons"] for p in report.dropped_plays)
    assert report.plays_out == report.plays_in - len(report.dropped_plays)


def test_real_highlights_duplicates_and_off_field(data_dir):
    tracking = ghosting.read_tracking(data_dir / "ngs_highlights" / "highlights.parquet")
    _, report = ghosting.clean(tracking, "track", window="all")
    # Conflicting duplicate (player, frame) rows are kept by the reader for cleaning.
    assert report.flagged["DUPLICATE_FRAME"] > 0
    # Players standing off the field (sidelines before and after the live play).
    # The default tolerance is 1 yd (DESIGN section 4).
    df = tracking.select(["nfl_id", "x", "y"]).to_pandas()
    off = (df.nfl_id != 0) & ((df.x < -1) | (df.x > 121) | (df.y < -1) | (df.y > 160 / 3 + 1))
    assert report.flagged["OFF_FIELD"] == int(off.sum()) > 40_000
    _, strict = ghosting.clean(tracking, "track", window="all", field_tolerance=0.0)
    off = (df.nfl_id != 0) & ((df.x < 0) | (df.x > 120) | (df.y < 0) | (df.y > 160 / 3))
    assert strict.flagged["OFF_FIELD"] == int(off.sum()) > 50_000
    assert {t["nfl_id"] for t in report.dropped_tracks} and report.tracks_out < report.tracks_in


@pytest.mark.parametrize("seed", range(20))
def test_structure_packed_keys_match_the_general_path(seed: int) -> None:
    """Track and play offsets (and the not-sorted error's row) are the same whether
    (game, play) fit in one packed key or not (ids shifted below zero)."""
    from ghosting.cleaning import _structure
    from ghosting.errors import InputError

    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 200))
    keys = np.sort(rng.integers(0, [3, 4, 5], size=(n, 3)).view("i8,i8,i8"), axis=0)
    game, play, nfl = (np.ascontiguousarray(keys.view(np.int64).reshape(n, 3)[:, k])
                       for k in range(3))  # fmt: skip
    if seed % 4 == 3 and n > 2:  # out of order somewhere
        i = int(rng.integers(1, n))
        game[i], game[i - 1] = game[i - 1], game[i] + 1

    def outcome(g: np.ndarray, p: np.ndarray) -> Any:
        try:
            return [a.tolist() for a in _structure(g, p, nfl)]
        except InputError as exc:
            return str(exc).split(" (game")[0]

    packed = outcome(game + 2_018_000_000, play + 40)
    general = outcome(game - 10, play - 5)  # negative ids: no packing
    assert packed == general
    assert outcome(game, play + (1 << 17)) == packed  # a play id too large to pack


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 64, 65, 1001])
@pytest.mark.parametrize("share", [0.0, 0.02, 0.5, 1.0])
def test_nonzero_bytes_and_segment_any_equal_numpy(n: int, share: float) -> None:
    from ghosting.cleaning import _nonzero_bytes, _segment_any

    rng = np.random.default_rng(n + int(100 * share))
    mask = rng.random(n) < share
    codes = (mask * rng.integers(1, 256, n)).astype(np.uint8)
    assert np.array_equal(_nonzero_bytes(mask), np.flatnonzero(mask))
    assert np.array_equal(_nonzero_bytes(codes), np.flatnonzero(codes))
    cuts = np.sort(rng.integers(0, n + 1, 5)) if n else np.zeros(0, np.int64)
    offsets = np.concatenate([[0], cuts, [n]]).astype(np.int64)  # empty segments too
    want = [int(mask[a:b].any()) for a, b in zip(offsets[:-1], offsets[1:], strict=True)]
    assert _segment_any(mask, offsets).tolist() == want
    assert _segment_any(codes, offsets).tolist() == want

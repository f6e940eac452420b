"""The rows one batch adds to the output tables (``ghosting.pipeline.output_rows``).

``_real_trajectories`` keeps the rows of each scored play inside its flight, reading
the numeric columns from the gatherer's numpy copies; the reference below is the
former one (a mask over every row, then one Arrow ``take`` of every column). Both are
compared exactly on synthetic plays (in several chunks, with plays missing, without a
pass window, with nulls in a column) and on the 2021 game.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

import ghosting
from ghosting._util import run_starts
from ghosting.flights import FlightTable
from ghosting.pipeline.columns import _np, _row_index
from ghosting.pipeline.output_rows import _real_trajectories
from ghosting.pipeline.outputs import _ROW_TRAJECTORIES_SCHEMA as TRAJECTORIES_SCHEMA


def _ints(column: Any) -> tuple[np.ndarray, np.ndarray]:
    return _np(pc.fill_null(column, 0), np.int64), _np(pc.is_valid(column), bool)


def _real_trajectories_reference(
    cleaned: pa.Table, scored: pa.Table, flight_table: FlightTable | None = None
) -> pa.Table:
    """The former ``_real_trajectories``: a mask over every row, one Arrow take."""
    if not scored.num_rows:
        return TRAJECTORIES_SCHEMA.empty_table()
    if flight_table is not None:
        starts = flight_table.play_offsets
        keys = pa.table({"game_id": flight_table.play_game_id,
                         "play_id": flight_table.play_play_id})
        frame = flight_table.frame_id
    else:
        game = _np(cleaned["game_id"], np.int64)
        play = _np(cleaned["play_id"], np.int64)
        starts = run_starts(game, play)
        keys = pa.table({"game_id": game[starts[:-1]], "play_id": play[starts[:-1]]})
        frame = _np(cleaned["frame_id"], np.int64)
    at = _row_index(keys, scored, ["game_id", "play_id"])
    row_play = np.repeat(at, np.diff(starts))
    known = row_play >= 0
    where = np.where(known, row_play, 0)
    forward, forward_ok = _ints(scored["pass_forward_frame"])
    arrival, arrival_ok = _ints(scored["arrival_frame"])
    known &= forward_ok[where] & arrival_ok[where]
    keep = np.flatnonzero(known & (frame >= forward[where]) & (frame <= arrival[where]))
    rows = cleaned.select(
        ["game_id", "play_id", "nfl_id", "frame_id", "x", "y", "side", "jersey_number"]
    ).take(pa.array(keep))
    n = rows.num_rows
    return pa.table(
        {
            "game_id": rows["game_id"], "play_id": rows["play_id"],
            "kind": pa.repeat(pa.scalar("real", pa.string()), n),
            "nfl_id": rows["nfl_id"],
            "target_nfl_id": scored["targeted_receiver"].take(pa.array(row_play[keep])),
            "frame_id": rows["frame_id"], "x": rows["x"], "y": rows["y"],
            "sigma": pa.array(np.full(n, np.nan)), "side": rows["side"],
            "jersey_number": rows["jersey_number"],
        },
        schema=TRAJECTORIES_SCHEMA,
    )


def _assert_same(cleaned: pa.Table, scored: pa.Table) -> pa.Table:
    out = None
    for table in (FlightTable.of(cleaned), None):
        new = _real_trajectories(cleaned, scored, table)
        ref = _real_trajectories_reference(cleaned, scored, table)
        assert new.schema.equals(ref.schema)
        assert new.num_rows == ref.num_rows
        for name in new.column_names:  # bitwise: NaNs and nulls in the same places
            a, b = new[name].combine_chunks(), ref[name].combine_chunks()
            if pa.types.is_floating(a.type):
                assert a.is_valid().equals(b.is_valid()), name
                bits_a = a.fill_null(0.0).to_numpy().view(np.int64)
                assert np.array_equal(bits_a, b.fill_null(0.0).to_numpy().view(np.int64)), name
            else:
                assert a.equals(b), name
        out = new
    assert out is not None
    return out


@pytest.fixture(scope="module")
def synthetic() -> tuple[pa.Table, pa.Table]:
    tracking = ghosting.synth.generate_plays(6, seed=3, plays_per_game=3)
    return tracking, ghosting.pass_plays(tracking)


def test_real_rows_of_synthetic_plays_equal_the_reference(synthetic: tuple) -> None:
    tracking, plays = synthetic
    chunked = pa.Table.from_batches(tracking.to_batches(max_chunksize=997))
    out = _assert_same(chunked, plays)
    # every kept row lies in its play's flight, the target is the play's
    flight = {(r["game_id"], r["play_id"]): r for r in plays.to_pylist()}
    for row in out.slice(0, 500).to_pylist():
        play = flight[(row["game_id"], row["play_id"])]
        assert play["pass_forward_frame"] <= row["frame_id"] <= play["arrival_frame"]
        assert row["target_nfl_id"] == play["targeted_receiver"]
    expected = sum(
        int(np.sum((pc.equal(tracking["play_id"], r["play_id"]).to_numpy()
                    & pc.equal(tracking["game_id"], r["game_id"]).to_numpy())
                   & (tracking["frame_id"].to_numpy() >= r["pass_forward_frame"])
                   & (tracking["frame_id"].to_numpy() <= r["arrival_frame"])))
        for r in plays.to_pylist())
    assert out.num_rows == expected


def test_real_rows_skip_plays_without_a_window_or_rows(synthetic: tuple) -> None:
    tracking, plays = synthetic
    # a play without a pass forward, one without arrival, one not in the tracking
    pf = plays["pass_forward_frame"].to_pylist()
    arr = plays["arrival_frame"].to_pylist()
    pf[0], arr[1] = None, None
    scored = plays.set_column(plays.schema.get_field_index("pass_forward_frame"),
                              "pass_forward_frame", pa.array(pf, pa.int32()))
    scored = scored.set_column(scored.schema.get_field_index("arrival_frame"),
                               "arrival_frame", pa.array(arr, pa.int32()))
    gone = pc.invert(pc.equal(tracking["play_id"], plays["play_id"][2]))
    out = _assert_same(tracking.filter(gone), scored)
    kept = set(zip(out["game_id"].to_pylist(), out["play_id"].to_pylist(), strict=True))
    first_three = set(zip(plays["game_id"].to_pylist()[:3], plays["play_id"].to_pylist()[:3],
                          strict=True))
    assert not kept & first_three
    assert kept  # the other plays are there


def test_real_rows_with_nulls_read_them_from_arrow(synthetic: tuple) -> None:
    tracking, plays = synthetic
    x = tracking["x"].to_numpy().copy()
    mask = np.zeros(tracking.num_rows, bool)
    mask[::7] = True
    with_nulls = tracking.set_column(tracking.schema.get_field_index("x"), "x",
                                     pa.array(x, mask=mask))
    out = _assert_same(with_nulls, plays)
    assert out["x"].null_count > 0
    assert _assert_same(tracking, plays.slice(0, 0)).num_rows == 0


def test_real_rows_of_the_2021_game_equal_the_reference(data_dir: Any) -> None:
    tracking = ghosting.read_tracking(data_dir / "bdb2021/week13_game_2018120600.csv.gz")
    targets = ghosting.read_targets(data_dir / "bdb2021" / "targetedReciever.csv")
    cleaned, _ = ghosting.clean(tracking, policy="play")
    plays = ghosting.pass_plays(cleaned, targets=targets)
    scored = plays.filter(plays["analysable"])
    assert _assert_same(cleaned, scored).num_rows > 10_000

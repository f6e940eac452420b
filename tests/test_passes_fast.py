"""The numpy pass windows (``ghosting.passes._PassEvents``) against the Arrow reference
(grouping and joins, ``passes._windows``) on random tables of pass events."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from ghosting import passes
from ghosting._columns import Columns
from ghosting.passes import PassWindows, pass_windows, repeated_pass_forwards
from ghosting.schema import BALL_ID

_EVENTS = ["pass_forward", "pass_shovel", "autoevent_passforward", "pass_arrived",
           "pass_outcome_caught", "pass_outcome_incomplete", "ball_snap", "tackle", None]


def _reference(tracking: pa.Table) -> tuple[pa.Table, pa.Table, pa.Table, int]:
    events = passes._events(tracking, with_ball=True)
    is_ball = events["is_ball"]
    events = events.drop_columns(["is_ball"])
    ball, players = events.filter(is_ball), events.filter(pc.invert(is_ball))
    forward = passes._forward_frames(events)
    repeated = int(pc.sum(pc.greater(forward["pass_forward_frame_frames"], 1)).as_py() or 0)
    return (passes._windows(events, passes._distinct_plays(tracking)),
            passes._windows(ball, passes._distinct_plays(ball)),
            passes._windows(players, passes._distinct_plays(players)),
            repeated if tracking.num_rows else 0)  # fmt: skip


def _random_tracking(rng: np.random.Generator) -> pa.Table:
    n = int(rng.integers(0, 400))
    weights = np.array([3, 1, 2, 3, 2, 1, 1, 1, 40], float)
    chosen = rng.choice(len(_EVENTS), n, p=weights / weights.sum())
    table = pa.table({
        "game_id": pa.array(rng.integers(1, 4, n) * 10**9, pa.int64()),
        "play_id": pa.array(rng.integers(-2, 5, n), pa.int64()),
        "nfl_id": pa.array(np.where(rng.random(n) < 0.2, BALL_ID, rng.integers(1, 6, n)),
                           pa.int64(), mask=rng.random(n) < 0.05),
        "frame_id": pa.array(rng.integers(-3, 12, n), pa.int32()),
        "event": pa.array([_EVENTS[i] for i in chosen], pa.string()),
    })  # fmt: skip
    if rng.random() < 0.5:
        table = table.sort_by([(k, "ascending") for k in ("game_id", "play_id", "nfl_id",
                                                          "frame_id")])  # fmt: skip
    if rng.random() < 0.3:
        table = table.set_column(4, "event", pc.dictionary_encode(table["event"]))
    if rng.random() < 0.3 and n > 4:  # several chunks, as a batch of games has
        table = pa.concat_tables([table.slice(0, n // 3), table.slice(n // 3)])
    return table


@pytest.mark.parametrize("seed", range(60))
def test_numpy_windows_equal_the_arrow_reference(seed: int) -> None:
    tracking = _random_tracking(np.random.default_rng(seed))
    want = _reference(tracking)
    for cols in (None, Columns(tracking)):
        found = PassWindows.of(tracking, cols)
        assert found.windows.equals(want[0])
        assert found.ball.equals(want[1])
        assert found.players.equals(want[2])
        assert found.repeated_forwards == want[3]
    assert pass_windows(tracking).equals(want[0])
    assert repeated_pass_forwards(tracking) == want[3]


def test_null_keys_take_the_arrow_path() -> None:
    # a null key groups as its own play (as the Arrow grouping has it)
    tracking = pa.table({
        "game_id": pa.array([1, 1, None, 1], pa.int64()),
        "play_id": pa.array([1, 1, 1, 1], pa.int64()),
        "nfl_id": pa.array([5, 5, 5, 6], pa.int64()),
        "frame_id": pa.array([1, 3, 2, 3], pa.int32()),
        "event": ["pass_forward", "pass_arrived", None, "pass_arrived"],
    })  # fmt: skip
    assert passes._PassEvents.of(tracking) is None
    windows = pass_windows(tracking)
    assert windows.to_pylist() == [
        {"game_id": 1, "play_id": 1, "pass_forward_frame": 1, "arrival_frame": 3},
        {"game_id": None, "play_id": 1, "pass_forward_frame": None, "arrival_frame": None},
    ]
    assert PassWindows.of(tracking).windows.equals(windows)

"""Pass windows: the frames at which each play's pass leaves the hand and arrives.

:func:`pass_windows` finds them from the events alone; cleaning uses it for the
analysed window and :func:`ghosting.pass_plays` builds on it.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .._util import run_starts
from ..errors import MissingColumnsError

__all__ = ["pass_windows", "FORWARD_EVENTS", "ARRIVAL_EVENT", "OUTCOME_PREFIX", "WINDOW_SCHEMA"]

#: Events that mark the ball leaving the quarterback's hand.
FORWARD_EVENTS = ("pass_forward", "pass_shovel")
#: The event that marks the ball's arrival; without it, the first ``pass_outcome_*``.
ARRIVAL_EVENT = "pass_arrived"
OUTCOME_PREFIX = "pass_outcome_"

_KEYS = ["game_id", "play_id"]

WINDOW_SCHEMA = pa.schema(
    [
        ("game_id", pa.int64()),
        ("play_id", pa.int64()),
        ("pass_forward_frame", pa.int32()),
        ("arrival_frame", pa.int32()),
    ]
)


def _require(table: pa.Table, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in table.column_names]
    if missing:
        raise MissingColumnsError(
            f"{what}: the tracking table lacks column(s) {', '.join(missing)} "
            f"(it has {', '.join(table.column_names)})"
        )


def _distinct_plays(tracking: pa.Table) -> pa.Table:
    plays = tracking.select(_KEYS).group_by(_KEYS, use_threads=False).aggregate([])
    return plays.cast(pa.schema([("game_id", pa.int64()), ("play_id", pa.int64())]))


def _event_frame(events: pa.Table, mask: pa.ChunkedArray | pa.Array, name: str) -> pa.Table:
    """Per play, the frame at which most rows carry the events selected by ``mask``.

    Every row of a frame carries that frame's event, so the frame with the most such
    rows is the play's (a lone track whose clock is shifted, as the ball's is on some
    highlight plays, is outvoted); ties go to the earliest frame.
    """
    rows = events.filter(mask)
    counts = rows.group_by([*_KEYS, "frame_id"], use_threads=False).aggregate(
        [([], "count_all")]
    )
    if counts.num_rows == 0:
        return pa.table({"game_id": pa.array([], pa.int64()), "play_id": pa.array([], pa.int64()),
                         name: pa.array([], pa.int32())})
    game = counts["game_id"].to_numpy()
    play = counts["play_id"].to_numpy()
    frame = counts["frame_id"].to_numpy()
    count = counts["count_all"].to_numpy()
    order = np.lexsort((frame, -count, play, game))
    game, play, frame = game[order], play[order], frame[order]
    first = run_starts(game, play)[:-1]
    return pa.table({"game_id": game[first], "play_id": play[first],
                     name: pa.array(frame[first], pa.int32())})


def pass_windows(tracking: pa.Table) -> pa.Table:
    """The frames at which each play's pass leaves the hand and arrives.

    From the events alone: ``pass_forward_frame`` is the ``pass_forward`` or
    ``pass_shovel`` frame; ``arrival_frame`` the ``pass_arrived`` frame after it, else
    the first ``pass_outcome_*`` frame after it. Both are null when missing. When rows
    disagree on an event's frame (a track with a shifted clock), the frame most rows
    give wins, ties to the earliest.

    Parameters
    ----------
    tracking : pyarrow.Table
        A canonical tracking table (at least ``game_id, play_id, frame_id, event``).

    Returns
    -------
    pyarrow.Table
        ``game_id, play_id, pass_forward_frame, arrival_frame`` (nullable int32), one
        row per play of ``tracking``, sorted by ``(game_id, play_id)``.

    Examples
    --------
    >>> import ghosting
    >>> from ghosting.plays import pass_windows
    >>> windows = pass_windows(ghosting.synth.generate_plays(2, seed=0))
    >>> windows.column_names
    ['game_id', 'play_id', 'pass_forward_frame', 'arrival_frame']
    """
    _require(tracking, ("game_id", "play_id", "frame_id", "event"), "pass_windows")
    plays = _distinct_plays(tracking)
    event = tracking["event"]
    if pa.types.is_dictionary(event.type):
        event = event.cast(pa.string())
    events = pa.table(
        {
            "game_id": tracking["game_id"].cast(pa.int64()),
            "play_id": tracking["play_id"].cast(pa.int64()),
            "frame_id": tracking["frame_id"].cast(pa.int32()),
            "event": event.cast(pa.string()),
        }
    )
    is_forward = pc.is_in(events["event"], value_set=pa.array(FORWARD_EVENTS))
    is_arrived = pc.equal(events["event"], ARRIVAL_EVENT)
    is_outcome = pc.starts_with(events["event"], OUTCOME_PREFIX)
    interesting = pc.fill_null(pc.or_(pc.or_(is_forward, is_arrived), is_outcome), False)
    events = events.filter(interesting)

    forward = _event_frame(
        events, pc.fill_null(pc.is_in(events["event"], pa.array(FORWARD_EVENTS)), False),
        "pass_forward_frame",
    )
    after = events.join(forward, _KEYS, join_type="inner", use_threads=False)
    after = after.filter(pc.greater(after["frame_id"], after["pass_forward_frame"]))
    arrived = _event_frame(after, pc.equal(after["event"], ARRIVAL_EVENT), "arrived")
    outcome = _event_frame(after, pc.starts_with(after["event"], OUTCOME_PREFIX), "outcome")

    out = plays.join(forward, _KEYS, join_type="left outer", use_threads=False)
    out = out.join(arrived, _KEYS, join_type="left outer", use_threads=False)
    out = out.join(outcome, _KEYS, join_type="left outer", use_threads=False)
    out = out.sort_by([("game_id", "ascending"), ("play_id", "ascending")])
    arrival = pc.coalesce(out["arrived"], out["outcome"])
    return pa.table(
        [
            out["game_id"],
            out["play_id"],
            out["pass_forward_frame"].cast(pa.int32()),
            arrival.cast(pa.int32()),
        ],
        schema=WINDOW_SCHEMA,
    )

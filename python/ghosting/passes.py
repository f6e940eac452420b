"""Pass windows: the frames at which each play's pass leaves the hand and arrives.

:func:`pass_windows` finds them from the events alone; cleaning uses it for the
analysed window, :func:`ghosting.pass_plays` builds on it and the reader
(:mod:`ghosting.io`) checks the ball's clock with it. A leaf module (it imports
neither): :class:`PassWindows` scans a table's events once and gives the windows of
the whole table, of the ball's own rows and of the players' rows, which ``ghosting
run`` hands to ``pass_plays`` and ``clean`` instead of each scanning the table again.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ._util import run_starts
from .errors import MissingColumnsError
from .schema import BALL_ID

__all__ = [
    "PassWindows",
    "pass_windows",
    "repeated_pass_forwards",
    "FORWARD_EVENTS",
    "AUTO_FORWARD_EVENT",
    "ARRIVAL_EVENT",
    "OUTCOME_PREFIX",
    "WINDOW_SCHEMA",
]

#: Events that mark the ball leaving the quarterback's hand.
FORWARD_EVENTS = ("pass_forward", "pass_shovel")
#: Stands in for a missing ``pass_forward``/``pass_shovel`` (BDB 2023 to 2025 files).
AUTO_FORWARD_EVENT = "autoevent_passforward"
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
    """Per play, the first frame that carries the events selected by ``mask`` on at
    least half as many rows as the frame that carries them most; and how many frames
    qualify (``name + "_frames"``).

    Every row of a frame carries that frame's event, so a lone track whose clock is
    shifted (as the ball's is on some highlight plays) is outvoted, while a play
    whose event truly happens twice (two ``pass_forward`` frames) takes the first.
    """
    rows = events.filter(mask)
    counts = rows.group_by([*_KEYS, "frame_id"], use_threads=False).aggregate(
        [([], "count_all")]
    )
    if counts.num_rows == 0:
        return pa.table({"game_id": pa.array([], pa.int64()), "play_id": pa.array([], pa.int64()),
                         name: pa.array([], pa.int32()),
                         f"{name}_frames": pa.array([], pa.int64())})
    game = counts["game_id"].to_numpy()
    play = counts["play_id"].to_numpy()
    frame = counts["frame_id"].to_numpy()
    count = counts["count_all"].to_numpy()
    order = np.lexsort((frame, play, game))
    game, play, frame, count = game[order], play[order], frame[order], count[order]
    starts = run_starts(game, play)
    owner = np.repeat(np.arange(len(starts) - 1), np.diff(starts))
    most = np.maximum.reduceat(count, starts[:-1])
    qualifies = 2 * count >= most[owner]
    chosen = np.flatnonzero(qualifies)
    first = chosen[run_starts(owner[chosen])[:-1]]  # one per play: every play has its max
    n_frames = np.bincount(owner[chosen], minlength=len(starts) - 1)
    return pa.table({"game_id": game[first], "play_id": play[first],
                     name: pa.array(frame[first], pa.int32()),
                     f"{name}_frames": pa.array(n_frames, pa.int64())})


def _events(tracking: pa.Table, with_ball: bool = False) -> pa.Table:
    """The pass events of ``tracking`` (forward, arrival, outcome rows only); with
    ``with_ball``, an ``is_ball`` column says which rows are the ball's."""
    event = tracking["event"]
    if pa.types.is_dictionary(event.type):
        event = event.cast(pa.string())
    columns = {
        "game_id": tracking["game_id"].cast(pa.int64()),
        "play_id": tracking["play_id"].cast(pa.int64()),
        "frame_id": tracking["frame_id"].cast(pa.int32()),
        "event": event.cast(pa.string()),
    }
    if with_ball:
        columns["is_ball"] = pc.fill_null(pc.equal(tracking["nfl_id"], BALL_ID), False)
    events = pa.table(columns)
    if events["event"].null_count:  # most rows carry no event: look at the others only
        events = events.filter(pc.is_valid(events["event"]))
    is_forward = pc.is_in(events["event"], value_set=pa.array([*FORWARD_EVENTS,
                                                               AUTO_FORWARD_EVENT]))
    is_arrived = pc.equal(events["event"], ARRIVAL_EVENT)
    is_outcome = pc.starts_with(events["event"], OUTCOME_PREFIX)
    interesting = pc.fill_null(pc.or_(pc.or_(is_forward, is_arrived), is_outcome), False)
    return events.filter(interesting)


def _forward_frames(events: pa.Table) -> pa.Table:
    """Per play, the pass forward frame: ``pass_forward``/``pass_shovel``, else
    ``autoevent_passforward``; ``pass_forward_frame_frames`` counts the qualifying
    frames of the event used."""
    name = "pass_forward_frame"
    real = _event_frame(events, pc.is_in(events["event"], pa.array(FORWARD_EVENTS)), name)
    auto = _event_frame(events, pc.equal(events["event"], AUTO_FORWARD_EVENT), name)
    if auto.num_rows == 0:
        return real
    known = real.select(_KEYS).append_column("__real", pa.array(np.ones(real.num_rows, bool)))
    auto = auto.join(known, _KEYS, join_type="left outer", use_threads=False)
    missing = pc.is_null(auto["__real"])
    auto = auto.drop_columns(["__real"])
    return pa.concat_tables([real, auto.filter(missing)])


def repeated_pass_forwards(tracking: pa.Table) -> int:
    """How many plays have their pass forward event on more than one frame (each
    carried by at least half as many rows as the most carried one); :func:`pass_windows`
    takes the first of them."""
    if tracking.num_rows == 0:
        return 0
    forward = _forward_frames(_events(tracking))
    return int(pc.sum(pc.greater(forward["pass_forward_frame_frames"], 1)).as_py() or 0)


def pass_windows(tracking: pa.Table) -> pa.Table:
    """The frames at which each play's pass leaves the hand and arrives.

    From the events alone: ``pass_forward_frame`` is the ``pass_forward`` or
    ``pass_shovel`` frame (else the ``autoevent_passforward`` frame); ``arrival_frame``
    the ``pass_arrived`` frame after it, else the first ``pass_outcome_*`` frame after
    it. Both are null when missing. An event on several frames counts on the frames
    that carry it on at least half as many rows as the frame carrying it most, and the
    first of those is taken: a track with a shifted clock (the ball's, on some
    highlight plays) is outvoted, and of two ``pass_forward`` frames the first wins
    (:func:`repeated_pass_forwards` counts such plays; the read report too).

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
    return _windows(_events(tracking), _distinct_plays(tracking))


def _windows(events: pa.Table, plays: pa.Table) -> pa.Table:
    """:func:`pass_windows` from a table's pass events (:func:`_events`) and its plays."""
    forward = _forward_frames(events).drop_columns(["pass_forward_frame_frames"])
    after = events.join(forward, _KEYS, join_type="inner", use_threads=False)
    after = after.filter(pc.greater(after["frame_id"], after["pass_forward_frame"]))
    arrived = _event_frame(after, pc.equal(after["event"], ARRIVAL_EVENT), "arrived")
    outcome = _event_frame(after, pc.starts_with(after["event"], OUTCOME_PREFIX), "outcome")
    arrived = arrived.drop_columns(["arrived_frames"])
    outcome = outcome.drop_columns(["outcome_frames"])

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


@dataclass(frozen=True)
class PassWindows:
    """The pass windows of one tracking table, from one scan of its events.

    ``windows`` is :func:`pass_windows` of the table (every play); ``ball`` the
    windows of the ball's own rows and ``players`` those of every other row (only
    the plays with pass events on those rows); ``repeated_forwards`` is
    :func:`repeated_pass_forwards` of the table.

    >>> import ghosting
    >>> tracking = ghosting.synth.generate_plays(2, seed=0)
    >>> found = PassWindows.of(tracking)
    >>> found.windows.equals(pass_windows(tracking))
    True
    """

    windows: pa.Table
    ball: pa.Table
    players: pa.Table
    repeated_forwards: int

    @classmethod
    def of(cls, tracking: pa.Table) -> PassWindows:
        """Scan ``tracking`` (``game_id, play_id, nfl_id, frame_id, event``) once."""
        _require(tracking, ("game_id", "play_id", "nfl_id", "frame_id", "event"),
                 "pass_windows")  # fmt: skip
        events = _events(tracking, with_ball=True)
        is_ball = events["is_ball"]
        events = events.drop_columns(["is_ball"])
        ball = events.filter(is_ball)
        players = events.filter(pc.invert(is_ball))
        forward = _forward_frames(events)
        repeated = int(pc.sum(pc.greater(forward["pass_forward_frame_frames"], 1)).as_py() or 0)
        return cls(
            windows=_windows(events, _distinct_plays(tracking)),
            ball=_windows(ball, _distinct_plays(ball)),
            players=_windows(players, _distinct_plays(players)),
            repeated_forwards=repeated if tracking.num_rows else 0,
        )

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

from ._columns import Columns, _np, _plain
from ._util import run_starts, take_rows
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
    found = _PassEvents.of(tracking)
    if found is not None:
        return found.whole().repeated
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
    found = _PassEvents.of(tracking)
    if found is not None:
        return found.windows(tracking)
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
    def of(cls, tracking: pa.Table, cols: Columns | None = None) -> PassWindows:
        """Scan ``tracking`` (``game_id, play_id, nfl_id, frame_id, event``) once
        (``cols``: its :class:`~ghosting._columns.Columns` when the caller has them)."""
        _require(tracking, ("game_id", "play_id", "nfl_id", "frame_id", "event"),
                 "pass_windows")  # fmt: skip
        found = _PassEvents.of(tracking, cols, with_ball=True)
        if found is not None:
            whole, ball, players = found.split()  # the three from one pass
            return cls(
                windows=found.windows(tracking, cols, whole),
                ball=found.subset(found.is_ball, ball),
                players=found.subset(~found.is_ball, players),
                repeated_forwards=whole.repeated if tracking.num_rows else 0,
            )
        # null keys: Arrow's grouping and joins say what a null key means
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


# The same windows in numpy, from the few pass event rows alone (the Arrow functions
# above are the reference, and the path for tables with null keys).

_FORWARD, _AUTO, _ARRIVED, _OUTCOME = 1, 2, 3, 4


def _pairs(game: np.ndarray, play: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct (game, play) pairs, sorted, and each input pair's index among them."""
    order = np.lexsort((play, game))
    starts = run_starts(game[order], play[order])
    code = np.empty(len(game), dtype=np.int64)
    code[order] = np.repeat(np.arange(len(starts) - 1), np.diff(starts))
    first = order[starts[:-1]]
    return game[first], play[first], code


def _first_frames(code: np.ndarray, frame: np.ndarray, select: np.ndarray, n_codes: int
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """:func:`_event_frame` per play code: the frame (0 when none), a mask of the plays
    that have one and how many frames qualify."""
    out = np.zeros(n_codes, dtype=np.int64)
    has = np.zeros(n_codes, dtype=bool)
    n_frames = np.zeros(n_codes, dtype=np.int64)
    c, f = code[select], frame[select]
    if not len(c):
        return out, has, n_frames
    order = np.lexsort((f, c))
    c, f = c[order], f[order]
    counted = run_starts(c, f)  # one run per (play, frame)
    count = np.diff(counted)
    c, f = c[counted[:-1]], f[counted[:-1]]
    starts = run_starts(c)
    owner = np.repeat(np.arange(len(starts) - 1), np.diff(starts))
    most = np.maximum.reduceat(count, starts[:-1])
    chosen = np.flatnonzero(2 * count >= most[owner])
    first = chosen[run_starts(owner[chosen])[:-1]]  # one per play: every play has its max
    plays = c[starts[:-1]]
    out[plays] = f[first]
    has[plays] = True
    n_frames[plays] = np.bincount(owner[chosen], minlength=len(starts) - 1)
    return out, has, n_frames


@dataclass(frozen=True)
class _CodeWindows:
    """Per play code: the pass forward and arrival frames, masks of where they are
    known, and how many plays have their pass forward on more than one frame."""

    forward: np.ndarray
    has_forward: np.ndarray
    arrival: np.ndarray
    has_arrival: np.ndarray
    repeated: int
    n_frames: np.ndarray  # per code, how many frames carry its pass forward

    def part(self, start: int, stop: int) -> _CodeWindows:
        """The windows of the codes ``start..stop-1``, numbered from 0."""
        n_frames = self.n_frames[start:stop]
        has_forward = self.has_forward[start:stop]
        return _CodeWindows(self.forward[start:stop], has_forward,
                            self.arrival[start:stop], self.has_arrival[start:stop],
                            int(np.sum(n_frames[has_forward] > 1)), n_frames)


def _code_windows(code: np.ndarray, frame: np.ndarray, kind: np.ndarray, n: int
                  ) -> _CodeWindows:  # fmt: skip
    """The windows of the play codes ``0..n-1`` from event rows (their code, frame and
    kind)."""
    real, has_real, real_n = _first_frames(code, frame, kind == _FORWARD, n)
    auto, has_auto, auto_n = _first_frames(code, frame, kind == _AUTO, n)
    forward = np.where(has_real, real, auto)
    has_forward = has_real | has_auto
    n_frames = np.where(has_real, real_n, auto_n)
    after = has_forward[code] & (frame > forward[code])
    arrived, has_arrived, _ = _first_frames(code, frame, after & (kind == _ARRIVED), n)
    outcome, has_outcome, _ = _first_frames(code, frame, after & (kind == _OUTCOME), n)
    return _CodeWindows(
        forward=forward,
        has_forward=has_forward,
        arrival=np.where(has_arrived, arrived, outcome),
        has_arrival=has_arrived | has_outcome,
        repeated=int(np.sum(n_frames[has_forward] > 1)),
        n_frames=n_frames,
    )


@dataclass(frozen=True)
class _PassEvents:
    """The pass event rows of a table (forward, arrival, outcome) as numpy arrays:
    per row its play's ``code`` (an index into the sorted distinct pairs ``game``,
    ``play``), ``frame``, event ``kind`` and ``is_ball``."""

    game: np.ndarray
    play: np.ndarray
    code: np.ndarray
    frame: np.ndarray
    kind: np.ndarray
    is_ball: np.ndarray

    @classmethod
    def of(cls, tracking: pa.Table, cols: Columns | None = None, with_ball: bool = False
           ) -> _PassEvents | None:  # fmt: skip
        """The pass events of ``tracking``; None when a key is null somewhere."""
        if any(tracking[k].null_count for k in _KEYS):
            return None
        event = tracking["event"]
        if cols is not None:
            rows, text = cols.valid_values("event")
        else:
            if event.null_count:
                rows = _np(pc.indices_nonzero(pc.is_valid(event)), np.int64)
            else:
                rows = np.arange(len(event), dtype=np.int64)
            text = take_rows(event, rows)
        text = _plain(pa.chunked_array([text])).cast(pa.string())
        kind = np.zeros(len(rows), dtype=np.int8)
        for value, test in (
            (_FORWARD, pc.is_in(text, value_set=pa.array(FORWARD_EVENTS))),
            (_AUTO, pc.equal(text, AUTO_FORWARD_EVENT)),
            (_ARRIVED, pc.equal(text, ARRIVAL_EVENT)),
            (_OUTCOME, pc.starts_with(text, OUTCOME_PREFIX)),
        ):
            kind[_np(pc.fill_null(test, False), bool)] = value
        keep = kind > 0
        rows, kind = rows[keep], kind[keep]
        if tracking["frame_id"].null_count and len(rows):
            if take_rows(tracking["frame_id"], rows).null_count:
                return None
        game = _key_values(tracking, "game_id", rows, cols, pa.int64())
        play = _key_values(tracking, "play_id", rows, cols, pa.int64())
        frame = _key_values(tracking, "frame_id", rows, cols, pa.int32())
        is_ball = np.zeros(len(rows), dtype=bool)
        if with_ball:
            if cols is not None and not tracking["nfl_id"].null_count:
                is_ball = cols.get("nfl_id", np.int64)[rows] == BALL_ID
            else:
                nfl = take_rows(tracking["nfl_id"], rows)
                is_ball = _np(pc.fill_null(pc.equal(nfl, BALL_ID), False), bool)
        games, plays, code = _pairs(game, play)
        return cls(games, plays, code, frame, kind, is_ball)

    def _per_code(self, rows: np.ndarray | None = None) -> _CodeWindows:
        """The windows of every play code from the event rows ``rows`` (a mask; all
        rows when None)."""
        code, frame, kind = self.code, self.frame, self.kind
        if rows is not None:
            code, frame, kind = code[rows], frame[rows], kind[rows]
        return _code_windows(code, frame, kind, len(self.game))

    def split(self) -> tuple[_CodeWindows, _CodeWindows, _CodeWindows]:
        """:meth:`whole` and the windows of the ball's and of the players' event rows
        (``_per_code(is_ball)``, ``_per_code(~is_ball)``), from one pass over the three
        sets of rows: the three as one set of play codes, each set its own range (a
        code's windows read only its own rows)."""
        n, ball = len(self.game), self.is_ball
        code = np.concatenate([self.code, self.code[ball] + n, self.code[~ball] + 2 * n])
        frame = np.concatenate([self.frame, self.frame[ball], self.frame[~ball]])
        kind = np.concatenate([self.kind, self.kind[ball], self.kind[~ball]])
        both = _code_windows(code, frame, kind, 3 * n)
        return (both.part(0, n), both.part(n, 2 * n), both.part(2 * n, 3 * n))

    def whole(self) -> _CodeWindows:
        """The windows of every play with pass events, from all its event rows."""
        return self._per_code()

    def windows(self, tracking: pa.Table, cols: Columns | None = None,
                whole: _CodeWindows | None = None) -> pa.Table:  # fmt: skip
        """:func:`pass_windows` of ``tracking`` (whose pass events these are; ``whole``:
        :meth:`whole` when the caller has it)."""
        if cols is not None:
            starts = cols.runs(*_KEYS)
            game, play = cols.get("game_id", np.int64), cols.get("play_id", np.int64)
        else:
            game, play = _np(tracking["game_id"], np.int64), _np(tracking["play_id"], np.int64)
            starts = run_starts(game, play)
        games, plays, _ = _pairs(game[starts[:-1]], play[starts[:-1]])
        # both lists are sorted and distinct: pair codes of the two together match them
        _, _, both = _pairs(np.concatenate([games, self.game]), np.concatenate([plays, self.play]))
        ours, theirs = both[: len(games)], both[len(games):]
        at = np.minimum(np.searchsorted(theirs, ours), max(len(theirs) - 1, 0))
        found = (theirs[at] == ours) if len(theirs) else np.zeros(len(ours), dtype=bool)
        return _window_table(games, plays, self.whole() if whole is None else whole, at, found)

    def subset(self, rows: np.ndarray, found: _CodeWindows | None = None) -> pa.Table:
        """The windows of the event rows ``rows`` (a mask), for the plays they hold
        (``found``: ``_per_code(rows)`` when the caller has it)."""
        used = np.unique(self.code[rows])
        found = self._per_code(rows) if found is None else found
        return _window_table(self.game[used], self.play[used], found, used,
                             np.ones(len(used), dtype=bool))


def _key_values(tracking: pa.Table, name: str, rows: np.ndarray, cols: Columns | None,
                typ: pa.DataType) -> np.ndarray:  # fmt: skip
    """The integer key ``name`` (no nulls) at ``rows`` as int64, checked as a cast to
    ``typ`` checks it; from ``cols`` when it holds a column of at most ``typ``'s width."""
    column = tracking[name]
    if (cols is not None and pa.types.is_signed_integer(column.type)
            and column.type.bit_width <= typ.bit_width):  # fmt: skip
        return cols.get(name, np.int64)[rows]
    return _np(take_rows(column, rows).cast(typ), np.int64)


def _window_table(games: np.ndarray, plays: np.ndarray, found: _CodeWindows, at: np.ndarray,
                  known: np.ndarray) -> pa.Table:  # fmt: skip
    """``WINDOW_SCHEMA`` rows of the plays ``games, plays``, whose code is ``at`` where
    ``known``."""
    forward = found.forward[at] if len(found.forward) else np.zeros(len(at), np.int64)
    arrival = found.arrival[at] if len(found.arrival) else np.zeros(len(at), np.int64)
    has_forward = known & found.has_forward[at] if len(found.forward) else known & False
    has_arrival = known & found.has_arrival[at] if len(found.arrival) else known & False
    return pa.table(
        [
            pa.array(games, pa.int64()),
            pa.array(plays, pa.int64()),
            pa.array(forward.astype(np.int32), pa.int32(), mask=~has_forward),
            pa.array(arrival.astype(np.int32), pa.int32(), mask=~has_arrival),
        ],
        schema=WINDOW_SCHEMA,
    )

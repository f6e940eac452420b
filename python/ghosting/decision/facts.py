"""Per-play facts the decision analysis needs, read from the tracking table.

:class:`PlayIndex` holds the tracking columns as numpy arrays and the row range of
every play (one pass over the table); :func:`play_facts` gives, for each pass play,
the passer (the offensive player at QB nearest the ball at pass forward, else the
offensive player nearest the ball), the line of scrimmage (the ball's x at the
``ball_snap`` frame, else at its first tracked frame) and the pass's outcome from the
events (``pass_outcome_caught`` / ``pass_outcome_touchdown`` complete,
``pass_outcome_incomplete`` / ``pass_outcome_interception`` not), or from a plays
file's ``passResult`` when the events give none.

>>> import ghosting
>>> tracking = ghosting.synth.generate_plays(2, seed=0)
>>> facts = play_facts(PlayIndex(tracking), ghosting.pass_plays(tracking).to_pylist())
>>> len(facts["passer_nfl_id"]) == 2
True
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InputError
from ..flights import SIDE_DEFENSE, SIDE_OFFENSE, FlightTable
from ..schema import BALL_ID

__all__ = ["PlayIndex", "play_facts", "COMPLETE_EVENTS", "INCOMPLETE_EVENTS"]

#: Events that end a pass as complete, and as not complete (docs/decision.md).
COMPLETE_EVENTS = frozenset({"pass_outcome_caught", "pass_outcome_touchdown"})
INCOMPLETE_EVENTS = frozenset({"pass_outcome_incomplete", "pass_outcome_interception"})
#: ``passResult`` codes of the Big Data Bowl plays files: C complete; I, IN not.
PASS_RESULT_LABELS = {"C": True, "I": False, "IN": False}


def _col(table: pa.Table, name: str, dtype: Any = None) -> np.ndarray:
    if name not in table.column_names:
        raise InputError(f"tracking table has no column {name!r}")
    col = table.column(name)
    if dtype is None:
        return np.asarray(col.to_numpy(zero_copy_only=False), dtype=object)
    if pa.types.is_floating(col.type):
        return col.to_numpy().astype(dtype)
    return col.fill_null(0).to_numpy().astype(dtype)


def _take(col: Any, rows: np.ndarray) -> Any:
    """``col`` at ``rows`` (one ``take``: for the few rows the decision reads, faster than
    chunk by chunk)."""
    return pc.take(col, pa.array(rows, pa.int64()))


def _is_in(col: Any, values: Sequence[str]) -> np.ndarray:
    hit = pc.is_in(col, value_set=pa.array(list(values), pa.string()))
    return np.asarray(pc.fill_null(hit, False).to_numpy(zero_copy_only=False), bool)


def _event_rows(table: pa.Table) -> tuple[np.ndarray, np.ndarray]:
    """The rows with an ``event`` (ascending) and their kind: 1 a completion event, 0 an
    incompletion, 2 the snap, -1 anything else (none without an event column). Only the
    rows with an event are looked up (most rows of a play have none)."""
    if table.schema.get_field_index("event") < 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int8)
    col = table.column("event")
    rows = np.asarray(pc.indices_nonzero(pc.is_valid(col)).to_numpy(), np.int64)
    names = [*sorted(INCOMPLETE_EVENTS), *sorted(COMPLETE_EVENTS), "ball_snap"]
    kind = np.array([0] * len(INCOMPLETE_EVENTS) + [1] * len(COMPLETE_EVENTS) + [2, -1],
                    np.int8)  # fmt: skip
    # the values at those rows, in row order, without reading the nulls' chunks whole
    at = pc.index_in(col.drop_null(), value_set=pa.array(names, pa.string()))
    code = np.asarray(pc.fill_null(at, len(names)).to_numpy(zero_copy_only=False), np.int64)
    return rows, kind[code]


_PAIR = np.dtype([("a", np.int64), ("b", np.int64)])


def _pairs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Two int64 columns as one sortable, searchable structured array."""
    out = np.empty(len(a), _PAIR)
    out["a"], out["b"] = a, b
    return out


def _lookup_pairs(keys: np.ndarray, values: np.ndarray, query: np.ndarray) -> np.ndarray:
    """``values`` of ``query`` among the sorted unique ``keys``, -1 where absent."""
    if not keys.size or not query.size:
        return np.full(query.size, -1, np.int64)
    at = np.minimum(np.searchsorted(keys, query), keys.size - 1)
    return np.where(keys[at] == query, values[at], -1)


class _PairKeys:
    """The sorted unique pairs of two int64 columns ``(a, b)`` and the index of each
    pair's first occurrence, for look-ups (:meth:`find`).

    The pairs are packed into one int64 each (``a`` in the high bits, so that their
    order is the pairs' order) when both columns' spans fit in 62 bits together,
    which is far faster to sort and search than a structured array; else they stay
    structured (:func:`_pairs`). A query outside the keys' span is absent."""

    def __init__(self, a: np.ndarray, b: np.ndarray) -> None:
        a = np.asarray(a, np.int64)
        b = np.asarray(b, np.int64)
        self._span: tuple[int, int, int, int] | None = None
        self._shift = 0
        if a.size:
            lo_a, hi_a, lo_b, hi_b = int(a.min()), int(a.max()), int(b.min()), int(b.max())
            self._shift = (hi_b - lo_b).bit_length()
            if (hi_a - lo_a).bit_length() + self._shift <= 62:
                self._span = (lo_a, hi_a, lo_b, hi_b)
        keys = self._packed(a, b) if self._span is not None else _pairs(a, b)
        self.keys, self.first = np.unique(keys, return_index=True)

    def _packed(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        assert self._span is not None
        lo_a, _, lo_b, _ = self._span
        return ((a - lo_a) << self._shift) | (b - lo_b)

    def find(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Each query pair's position in :attr:`keys` (-1 where absent)."""
        a = np.asarray(a, np.int64)
        b = np.asarray(b, np.int64)
        if not self.keys.size or not a.size:
            return np.full(a.size, -1, np.int64)
        if self._span is None:
            return _lookup_pairs(self.keys, np.arange(self.keys.size), _pairs(a, b))
        lo_a, hi_a, lo_b, hi_b = self._span
        inside = (a >= lo_a) & (a <= hi_a) & (b >= lo_b) & (b <= hi_b)
        query = self._packed(np.where(inside, a, lo_a), np.where(inside, b, lo_b))
        at = np.minimum(np.searchsorted(self.keys, query), self.keys.size - 1)
        return np.where(inside & (self.keys[at] == query), at, -1)


def _expand_rows(
    start: np.ndarray, stop: np.ndarray, candidates: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(owner, row) of every row of ``candidates`` (ascending) inside each range
    ``start[k]:stop[k]``, range by range and in row order within one."""
    lo = np.searchsorted(candidates, start)
    count = np.searchsorted(candidates, stop) - lo
    count = np.maximum(count, 0)
    owner = np.repeat(np.arange(start.size), count)
    before = np.cumsum(count) - count
    at = np.repeat(lo - before, count) + np.arange(owner.size)
    return owner, candidates[at]


class PlayIndex:
    """Tracking columns as numpy arrays plus each play's row range.

    ``rows(game_id, play_id)`` returns the ``slice`` of the play's rows (None when the
    play is absent). String columns become boolean flags (``is_offense``,
    ``is_defense``, ``is_qb``, ``is_snap``) and an outcome code per row (1 complete,
    0 not, -1 no outcome event); names, positions and clubs stay pyarrow columns
    read only for the rows asked about (:meth:`describe`, :meth:`qb_at`). The table
    must be grouped by play, as :func:`ghosting.read_tracking` sorts it; the play
    ranges are those of the flight gatherer's table (``flight_table``).
    """

    def __init__(self, tracking: pa.Table, flight_table: FlightTable | None = None) -> None:
        if tracking.schema.get_field_index("side") < 0:
            raise InputError("tracking table has no column 'side'")
        if flight_table is None:
            flight_table = FlightTable.of(tracking)
        t = flight_table  # the gatherer's view of the same rows: its columns, shared
        if int(t.play_offsets[-1]) != tracking.num_rows:
            raise InputError("flight_table is not the tracking table's")
        self.flight_table = t
        self.nfl = t.nfl_id
        self.frame = t.frame_id
        self.x = t.x
        self.y = t.y
        self.side = t.side
        n = tracking.num_rows
        # the event column, only where it has a value: snap rows and outcome codes
        event_rows, event = _event_rows(tracking)  # -1 other, 0 incomplete, 1 complete, 2 snap
        #: rows of a ``ball_snap`` event, and rows of an outcome event (ascending)
        self.snap_rows = event_rows[event == 2]
        is_outcome = (event == 0) | (event == 1)
        self.outcome_rows = event_rows[is_outcome]
        #: the outcome code (1 complete, 0 not) of each of :attr:`outcome_rows`
        self.outcome_codes = event[is_outcome]
        self._n = n
        # string columns stay as they are: one take on the rows asked for
        names = set(tracking.column_names)
        self._strings = {
            key: (tracking.column(col) if col in names else pa.nulls(n))
            for key, col in (("name", "display_name"), ("position", "position"),
                             ("club", "club"), ("jersey_number", "jersey_number"))
        }  # fmt: skip
        self._position = tracking.column("position") if "position" in names else None
        self._combined: dict[str, pa.Array] = {}
        self._sorted_plays: _PairKeys | None = None
        if self._play_keys().keys.size != t.n_plays:
            raise InputError(
                "tracking table is not grouped by (game_id, play_id): sort it as "
                "read_tracking does"
            )
        # read once, when first asked for (plain attributes: no lock shared by threads)
        self._irregular: np.ndarray | None = None
        self._ball_rows: np.ndarray | None = None
        self._players: tuple[_PairKeys, np.ndarray] | None = None
        self._player_runs: tuple[np.ndarray, np.ndarray] | None = None
        self._track_memo: tuple[bytes, np.ndarray, np.ndarray] | None = None

    @functools.cached_property
    def is_offense(self) -> np.ndarray:
        """True on the rows of the offense."""
        return np.asarray(self.side == SIDE_OFFENSE)

    @functools.cached_property
    def is_defense(self) -> np.ndarray:
        """True on the rows of the defense."""
        return np.asarray(self.side == SIDE_DEFENSE)

    @functools.cached_property
    def is_snap(self) -> np.ndarray:
        """True on the rows of a ``ball_snap`` event."""
        out = np.zeros(self._n, bool)
        out[self.snap_rows] = True
        return out

    @functools.cached_property
    def outcome(self) -> np.ndarray:
        """Per row: 1 a completion event, 0 an incompletion, -1 no outcome event."""
        out = np.full(self._n, -1, np.int8)
        out[self.outcome_rows] = self.outcome_codes
        return out

    @functools.cached_property
    def _bounds(self) -> dict[tuple[int, int], slice]:
        t = self.flight_table
        offsets = t.play_offsets.tolist()
        return {key: slice(offsets[i], offsets[i + 1])
                for i, key in enumerate(zip(t.play_game_id.tolist(), t.play_play_id.tolist(),
                                            strict=True))}

    @functools.cached_property
    def game(self) -> np.ndarray:
        """``game_id`` per row."""
        return np.repeat(self.flight_table.play_game_id, np.diff(self.flight_table.play_offsets))

    @functools.cached_property
    def play(self) -> np.ndarray:
        """``play_id`` per row."""
        return np.repeat(self.flight_table.play_play_id, np.diff(self.flight_table.play_offsets))

    @functools.cached_property
    def is_qb(self) -> np.ndarray:
        """True where the row's ``position`` is QB (every row: :meth:`qb_at` reads only
        the rows asked for)."""
        return self.qb_at(np.arange(self.nfl.size))

    @functools.cached_property
    def snap_frame(self) -> np.ndarray:
        """The first ``ball_snap`` frame of each play of :attr:`flight_table` (the int64
        maximum where the play has none)."""
        t = self.flight_table
        snap = np.full(t.n_plays, np.iinfo(np.int64).max)
        if self.snap_rows.size:
            owner = np.searchsorted(t.play_offsets, self.snap_rows, side="right") - 1
            np.minimum.at(snap, owner, self.frame[self.snap_rows])
        return snap

    @staticmethod
    def _track_key(*request: np.ndarray) -> bytes:
        return b"|".join(np.asarray(r, np.int64).tobytes() for r in request)

    def remember_track_xy(
        self, play: np.ndarray, nfl_id: np.ndarray, first_frame: np.ndarray,
        end_frame: np.ndarray, xy: np.ndarray, offsets: np.ndarray,
    ) -> None:
        """Keep the positions ``xy`` (cut by ``offsets``) of the tracks requested (as
        :func:`ghosting.flights.gather_tracks` gives them), for :meth:`track_xy`: a
        later step asking for exactly these tracks reads them, not the table again
        (the last set told is kept)."""
        self._track_memo = (self._track_key(play, nfl_id, first_frame, end_frame), xy, offsets)

    def track_xy(
        self, play: np.ndarray, nfl_id: np.ndarray, first_frame: np.ndarray,
        end_frame: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """The positions and offsets :meth:`remember_track_xy` was told for exactly
        these requests, or None."""
        memo = self._track_memo
        if memo is None or memo[0] != self._track_key(play, nfl_id, first_frame, end_frame):
            return None
        return memo[1], memo[2]

    def qb_at(self, rows: np.ndarray) -> np.ndarray:
        """True where the ``position`` of ``rows`` is QB (False without the column)."""
        rows = np.asarray(rows, np.int64)
        if self._position is None or not rows.size:
            return np.zeros(rows.size, bool)
        return _is_in(self._column("position").take(pa.array(rows)), ["QB"])

    def _column(self, key: str) -> pa.Array:
        """The string column ``key`` (of :attr:`_strings`) in one chunk, made when first
        asked for: Arrow's ``take`` on a column of many chunks concatenates them on
        every call, the decision takes from these a few times per batch."""
        out = self._combined.get(key)
        if out is None:
            col = self._strings[key]
            out = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
            self._combined[key] = out
        return out

    @property
    def ball_rows(self) -> np.ndarray:
        """Rows of the ball with a finite x (ascending)."""
        if self._ball_rows is None:
            # the rows of the ball's runs (one per play in a table sorted by player),
            # not a comparison over every row
            start, stop = self._runs()
            ball = np.flatnonzero(self.nfl[start] == BALL_ID)
            first, count = start[ball], stop[ball] - start[ball]
            rows = np.repeat(first - (np.cumsum(count) - count), count) + np.arange(count.sum())
            self._ball_rows = rows[np.isfinite(self.x[rows])]
        return self._ball_rows

    def rows(self, game_id: int, play_id: int) -> slice | None:
        """The play's row range, or None when the play is not in the table."""
        return self._bounds.get((int(game_id), int(play_id)))

    def play_ranges(
        self, game_ids: np.ndarray, play_ids: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """First and end row of each play (0, 0 when absent) and whether it is there
        (:meth:`rows` of many plays at once)."""
        number = self.play_numbers(game_ids, play_ids)
        found = number >= 0
        offsets = self.flight_table.play_offsets
        at = np.maximum(number, 0)
        start = np.where(found, offsets[at] if offsets.size > 1 else 0, 0)
        stop = np.where(found, offsets[at + 1] if offsets.size > 1 else 0, 0)
        return start.astype(np.int64), stop.astype(np.int64), found

    def _play_keys(self) -> _PairKeys:
        if self._sorted_plays is None:
            t = self.flight_table
            self._sorted_plays = _PairKeys(t.play_game_id, t.play_play_id)
        return self._sorted_plays

    def play_numbers(self, game_ids: np.ndarray, play_ids: np.ndarray) -> np.ndarray:
        """Each play's index in :attr:`flight_table` (-1 when absent)."""
        keys = self._play_keys()
        at = keys.find(game_ids, play_ids)
        return np.where(at >= 0, keys.first[at] if keys.first.size else -1, -1)

    def player(self, sl: slice, nfl_id: int) -> np.ndarray:
        """Row indices of one player in the play ``sl``, in frame order."""
        idx = np.flatnonzero(self.nfl[sl] == nfl_id) + sl.start
        return idx[np.argsort(self.frame[idx], kind="stable")]

    def at_frame(self, sl: slice, frame: int) -> np.ndarray:
        """Row indices of the play ``sl`` at ``frame``."""
        return np.flatnonzero(self.frame[sl] == frame) + sl.start

    def rows_at(
        self, start: np.ndarray, stop: np.ndarray, frame: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(owner, row) of every row of range ``k`` (rows ``start[k]:stop[k]``, a play's)
        at ``frame[k]``, range by range and in row order.

        Work per track (one player's run of rows), not per row: in a track whose frames
        rise row by row the row at a frame is found by arithmetic from its first frame
        (by a search where the track has gaps); only tracks whose frames do not rise
        (rows in another order, a repeated frame) and ranges that are not whole tracks
        are compared row by row."""
        start = np.asarray(start, np.int64)
        stop = np.asarray(stop, np.int64)
        frame = np.asarray(frame, np.int64)
        owners: list[np.ndarray] = []
        found: list[np.ndarray] = []
        t_start, t_stop = self._runs()
        n_tracks = t_start.size
        n = self.nfl.size
        lo = np.searchsorted(t_start, start)
        hi = np.searchsorted(t_start, stop)
        last = max(n_tracks - 1, 0)
        whole = (stop <= start) | (
            (lo < n_tracks) & (t_start[np.minimum(lo, last)] == start)
            & ((stop == n) | ((hi < n_tracks) & (t_start[np.minimum(hi, last)] == stop)))
        ) if n_tracks else stop <= start  # fmt: skip
        count = np.where(whole & (stop > start), hi - lo, 0)
        t_owner = np.repeat(np.arange(start.size), count)
        track = np.repeat(lo - (np.cumsum(count) - count), count) + np.arange(t_owner.size)
        if track.size:
            f = frame[t_owner]
            a, b = t_start[track], t_stop[track] - 1
            fa, fb = self.frame[a], self.frame[b]
            rising = ~self._irregular_tracks()[track]
            inside = rising & (f >= fa) & (f <= fb)
            guess = a + np.where(inside, np.minimum(f - fa, b - a), 0)
            hit = inside & (self.frame[guess] == f)
            owners.append(t_owner[hit])
            found.append(guess[hit])
            for k in np.flatnonzero(inside & ~hit).tolist():  # a gap before the frame
                at = int(a[k]) + int(np.searchsorted(self.frame[a[k]:b[k] + 1], f[k]))
                if self.frame[at] == f[k]:
                    owners.append(t_owner[k:k + 1])
                    found.append(np.array([at], np.int64))
            odd = np.flatnonzero(~rising)  # every row of these tracks, compared
            if odd.size:
                size = b[odd] - a[odd] + 1
                of = np.repeat(odd, size)
                rows = np.repeat(a[odd] - (np.cumsum(size) - size), size) + np.arange(of.size)
                at_frame = self.frame[rows] == f[of]
                owners.append(t_owner[of[at_frame]])
                found.append(rows[at_frame])
        for k in np.flatnonzero(~whole).tolist():
            s, e = int(start[k]), int(stop[k])
            rows = np.flatnonzero(self.frame[s:e] == frame[k]) + s
            owners.append(np.full(rows.size, k))
            found.append(rows)
        if not found:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        owner = np.concatenate(owners).astype(np.int64)
        row = np.concatenate(found).astype(np.int64)
        if len(found) > 1 or (owner.size > 1 and not (np.diff(owner) >= 0).all()):
            order = np.lexsort((row, owner))
            owner, row = owner[order], row[order]
        return owner, row

    def _irregular_tracks(self) -> np.ndarray:
        """Per track of :meth:`_runs`: True where its frames do not rise row by row."""
        if self._irregular is None:
            t_start, _ = self._runs()
            out = np.zeros(t_start.size, bool)
            if self.frame.size > 1:
                # rows whose frame is not above the previous row's; at a track's first
                # row that is expected
                flat = np.flatnonzero(self.frame[1:] <= self.frame[:-1]) + 1
                track = np.searchsorted(t_start, flat, side="right") - 1
                out[track[t_start[track] != flat]] = True
            self._irregular = out
        return self._irregular

    def _first_of_player(self) -> tuple[_PairKeys, np.ndarray]:
        """Sorted unique (play number, nfl_id) keys and the first row of each: the first
        row of every run of one player (a table sorted by player has one run each)."""
        if self._players is None:
            self._players = self._find_players()
        return self._players

    def _runs(self) -> tuple[np.ndarray, np.ndarray]:
        """First and end row of every run of one player within a play (ascending)."""
        if self._player_runs is None:
            t = self.flight_table
            n = self.nfl.size
            change = np.zeros(n, bool)
            if n:
                change[0] = True
                change[1:] = self.nfl[1:] != self.nfl[:-1]
                change[t.play_offsets[:-1][np.diff(t.play_offsets) > 0]] = True
            start = np.flatnonzero(change)
            self._player_runs = start, np.append(start[1:], n).astype(np.int64)
        return self._player_runs

    def _find_players(self) -> tuple[_PairKeys, np.ndarray]:
        t = self.flight_table
        start, _ = self._runs()
        play = np.repeat(np.arange(t.n_plays), np.diff(np.searchsorted(start, t.play_offsets)))
        keys = _PairKeys(play, self.nfl[start])  # the first run of each key
        return keys, start[keys.first]

    def _player_slots(
        self, game_ids: np.ndarray, play_ids: np.ndarray, nfl_ids: np.ndarray
    ) -> np.ndarray:
        """Each player's position in the sorted (play number, nfl_id) keys (-1: absent)."""
        number = self.play_numbers(game_ids, play_ids)
        keys, _ = self._first_of_player()
        slot = keys.find(number, nfl_ids)
        return np.where(number >= 0, slot, -1)

    def first_rows(
        self, game_ids: np.ndarray, play_ids: np.ndarray, nfl_ids: np.ndarray
    ) -> np.ndarray:
        """The first row of each player in his play (-1 when absent)."""
        slot = self._player_slots(game_ids, play_ids, nfl_ids)
        _, first = self._first_of_player()
        return np.where(slot >= 0, first[np.maximum(slot, 0)] if first.size else -1, -1)

    def describe(self, sl: slice, nfl_id: int) -> dict[str, Any]:
        """The player's name, position, club and jersey (first non-null of each)."""
        idx = np.flatnonzero(self.nfl[sl] == nfl_id)[:50] + sl.start
        out: dict[str, Any] = {}
        for key in self._strings:
            vals = [v for v in self._column(key).take(pa.array(idx)).to_pylist()
                    if v is not None and v == v]
            out[key] = vals[0] if vals else None
        if out["jersey_number"] is not None:
            out["jersey_number"] = int(out["jersey_number"])
        return out

    def describe_columns(
        self, game_ids: np.ndarray, play_ids: np.ndarray, nfl_ids: np.ndarray,
        keys: Sequence[str] | None = None,
    ) -> dict[str, list[Any]]:
        """:meth:`describe` of many players at once, as one list per key (``name``,
        ``position``, ``club``, ``jersey_number``, or only ``keys``): one ``take`` per
        column of the players' first rows, :meth:`describe` only where that row has a
        null."""
        names = list(self._strings) if keys is None else list(keys)
        slot = self._player_slots(game_ids, play_ids, nfl_ids)
        found = np.flatnonzero(slot >= 0)
        m = len(slot)
        everyone = found.size == m
        cols: dict[str, list[Any]] = {key: [None] * m for key in names}
        if not found.size:
            return cols
        _, first = self._first_of_player()
        rows = pa.array(first[slot[found]])  # each player's first row
        gaps = np.zeros(found.size, bool)
        for key in names:
            taken = self._column(key).take(rows)
            vals = taken.to_pylist()
            if taken.null_count:
                gaps |= np.asarray(taken.is_null().to_numpy(zero_copy_only=False), bool)
            if everyone:
                cols[key] = vals
            else:
                out = cols[key]
                for k, v in zip(found.tolist(), vals, strict=True):
                    out[k] = v
        if "jersey_number" in cols:
            jersey = cols["jersey_number"]
            for k in found[~gaps].tolist():
                if jersey[k] is not None:
                    jersey[k] = int(jersey[k])
        for k in found[gaps].tolist():  # a null on the first row: the player's first values
            sl = self.rows(int(game_ids[k]), int(play_ids[k]))
            assert sl is not None
            rec = self.describe(sl, int(nfl_ids[k]))
            for key in cols:
                cols[key][k] = rec[key]
        return cols

    def describe_arrays(
        self, game_ids: np.ndarray, play_ids: np.ndarray, nfl_ids: np.ndarray,
        types: Mapping[str, pa.DataType],
    ) -> dict[str, pa.Array]:
        """:meth:`describe_columns` of the keys of ``types`` as Arrow arrays of those
        types (null where a player is absent), taken from the columns without a round
        trip through Python objects where a column has its type already."""
        keys = list(types)
        if any(self._strings[k].type != types[k] for k in keys):
            cols = self.describe_columns(game_ids, play_ids, nfl_ids, keys=keys)
            return {k: pa.array(cols[k], types[k]) for k in keys}
        slot = self._player_slots(game_ids, play_ids, nfl_ids)
        found = slot >= 0
        _, first = self._first_of_player()
        at = first[np.maximum(slot, 0)] if first.size else np.zeros(slot.size, np.int64)
        rows = pa.array(np.where(found, at, 0), pa.int64(), mask=~found)
        out: dict[str, pa.Array] = {}
        gaps = np.zeros(slot.size, bool)
        for key in keys:
            taken = self._column(key).take(rows)
            if taken.null_count:
                gaps |= found & np.asarray(taken.is_null().to_numpy(zero_copy_only=False), bool)
            out[key] = taken
        if gaps.any():  # a null on a first row: those players' first values
            where = np.flatnonzero(gaps)
            fixed = self.describe_columns(np.asarray(game_ids)[where], np.asarray(play_ids)[where],
                                          np.asarray(nfl_ids)[where], keys=keys)
            for key in keys:
                values = out[key].to_pylist()
                for k, v in zip(where.tolist(), fixed[key], strict=True):
                    values[k] = v
                out[key] = pa.array(values, types[key])
        return out

    def describe_many(
        self, game_ids: np.ndarray, play_ids: np.ndarray, nfl_ids: np.ndarray
    ) -> list[dict[str, Any]]:
        """:meth:`describe` of many players at once (:meth:`describe_columns` as one
        dict per player)."""
        cols = self.describe_columns(game_ids, play_ids, nfl_ids)
        keys = list(cols)
        return [dict(zip(keys, vals, strict=True))
                for vals in zip(*cols.values(), strict=True)]


def _first_per(owner: np.ndarray, keys: tuple[np.ndarray, ...], n: int) -> np.ndarray:
    """Per owner ``0..n-1``, the index (into ``owner``) of its first element ordered by
    ``keys`` (most significant last, as :func:`numpy.lexsort`), -1 when it has none."""
    out = np.full(n, -1, np.int64)
    if not len(owner):
        return out
    if len(keys) <= 1 and not np.any(owner[1:] < owner[:-1]):
        # owners in order (every caller here): the first of each run, or of the run's
        # elements at the run's smallest key (no sort)
        pick = np.arange(len(owner))
        if keys:
            key = keys[0]
            if key.dtype.kind == "f" and np.isnan(key).any():
                return _first_per_sorted(owner, keys, n)
            low = np.full(n, np.inf) if key.dtype.kind == "f" else np.full(
                n, np.iinfo(np.int64).max, np.int64)
            np.minimum.at(low, owner, key)
            pick = np.flatnonzero(key == low[owner])
        first = np.ones(len(pick), dtype=bool)
        first[1:] = owner[pick][1:] != owner[pick][:-1]
        out[owner[pick][first]] = pick[first]
        return out
    return _first_per_sorted(owner, keys, n)


def _first_per_sorted(owner: np.ndarray, keys: tuple[np.ndarray, ...], n: int) -> np.ndarray:
    out = np.full(n, -1, np.int64)
    order = np.lexsort((np.arange(len(owner)), *keys, owner))
    first = np.ones(len(order), dtype=bool)
    first[1:] = owner[order][1:] != owner[order][:-1]
    out[owner[order][first]] = order[first]
    return out


def play_facts(
    index: PlayIndex,
    plays: Sequence[Mapping[str, Any]],
    pass_results: Mapping[tuple[int, int], bool] | None = None,
) -> dict[str, np.ndarray]:
    """Passer, line of scrimmage and outcome of each play (arrays aligned with ``plays``).

    Keys: ``passer_nfl_id`` (int64, -1 where none: check ``has_passer``),
    ``has_passer``, ``passer_name`` (object), ``passer_x``, ``passer_y`` (at pass
    forward), ``line_of_scrimmage`` (x, NaN without ball rows), ``los_source``
    (``"ball_snap"`` | ``"first_ball_frame"`` | None), ``complete`` (object: True,
    False or None), ``label_source`` (``"events"`` | ``"pass_result"`` | None).
    ``pass_results`` maps ``(game_id, play_id)`` to a plays file's verdict.

    All plays at once on their rows (numpy on the plays' row ranges, no loop per
    play): the passer is the quarterback nearest the ball at pass forward (else the
    offensive player nearest it; the first quarterback when the ball is not there),
    the line of scrimmage the ball's x at the ``ball_snap`` frame (else at its first
    finite frame), the outcome the first outcome event at or after pass forward.
    """
    n = len(plays)
    out: dict[str, np.ndarray] = {
        "passer_nfl_id": np.full(n, -1, np.int64),
        "has_passer": np.zeros(n, bool),
        "passer_name": np.full(n, None, object),
        "passer_x": np.full(n, np.nan),
        "passer_y": np.full(n, np.nan),
        "line_of_scrimmage": np.full(n, np.nan),
        "los_source": np.full(n, None, object),
        "complete": np.full(n, None, object),
        "label_source": np.full(n, None, object),
    }
    if not n:
        return out
    game_ids = np.array([int(r["game_id"]) for r in plays], np.int64)
    play_ids = np.array([int(r["play_id"]) for r in plays], np.int64)
    start, stop, _ = index.play_ranges(game_ids, play_ids)  # 0, 0: not in the tracking
    raw_pf = [r.get("pass_forward_frame") for r in plays]
    has_pf = np.array([v is not None for v in raw_pf], bool)
    pf = np.array([int(v) if v is not None else 0 for v in raw_pf], np.int64)
    lengths = stop - start
    if not lengths.sum():
        return out
    # each step reads only the rows it needs (ball rows, snaps, the rows at pass
    # forward, outcome events), owned by their play (its position in ``plays``), play
    # by play and in row order within one
    frame, nfl, x, y = index.frame, index.nfl, index.x, index.y

    # line of scrimmage: the ball at the snap frame, else at its first finite frame
    b_owner, ball = _expand_rows(start, stop, index.ball_rows)
    first_ball = _first_per(b_owner, (frame[ball],), n)
    s_owner, snap_rows = _expand_rows(start, stop, index.snap_rows)
    snap_frame = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(snap_frame, s_owner, frame[snap_rows])
    is_at_snap = frame[ball] == snap_frame[b_owner]
    at_snap, at_snap_owner = ball[is_at_snap], b_owner[is_at_snap]
    first_snap = _first_per(at_snap_owner, (frame[at_snap],), n)
    has_ball = first_ball >= 0
    use_snap = first_snap >= 0
    out["line_of_scrimmage"][has_ball] = x[ball[first_ball[has_ball]]]
    out["line_of_scrimmage"][use_snap] = x[at_snap[first_snap[use_snap]]]
    out["los_source"][has_ball] = "first_ball_frame"
    out["los_source"][use_snap] = "ball_snap"

    # the passer at pass forward
    with_pf = np.flatnonzero(has_pf & (lengths > 0))
    a_owner, at = index.rows_at(start[with_pf], stop[with_pf], pf[with_pf])
    a_owner = with_pf[a_owner]
    is_ball = nfl[at] == BALL_ID
    first_ball_at = _first_per(a_owner[is_ball], (), n)  # the first ball row of each play
    ball_at = at[is_ball]
    ball_row = np.where(first_ball_at >= 0, ball_at[np.maximum(first_ball_at, 0)]
                        if len(ball_at) else -1, -1)  # fmt: skip
    is_off = index.side[at] == SIDE_OFFENSE
    offense, o_owner = at[is_off], a_owner[is_off]
    off_qb = index.qb_at(offense)
    qb, qb_owner = offense[off_qb], o_owner[off_qb]
    has_offense = np.bincount(o_owner, minlength=n) > 0
    has_qb = np.bincount(qb_owner, minlength=n) > 0
    in_pool = ~has_qb[o_owner] | off_qb
    pool, pool_owner = offense[in_pool], o_owner[in_pool]
    bx = np.where(ball_row >= 0, x[np.maximum(ball_row, 0)], np.nan)
    by = np.where(ball_row >= 0, y[np.maximum(ball_row, 0)], np.nan)
    d = np.hypot(x[pool] - bx[pool_owner], y[pool] - by[pool_owner])
    d = np.where(np.isfinite(d), d, np.inf)
    nearest = _first_per(pool_owner, (d,), n)
    first_qb = _first_per(qb_owner, (), n)
    passer = np.full(n, -1, np.int64)
    with_ball = has_offense & (ball_row >= 0) & (nearest >= 0)
    passer[with_ball] = nfl[pool[nearest[with_ball]]]
    without = has_offense & (ball_row < 0) & (first_qb >= 0)
    passer[without] = nfl[qb[first_qb[without]]]
    found = passer >= 0
    out["passer_nfl_id"][found] = passer[found]
    out["has_passer"][found] = True
    if found.any():
        where = np.flatnonzero(found)
        names = index.describe_columns(game_ids[where], play_ids[where], passer[where],
                                       keys=("name",))["name"]
        out["passer_name"][where] = np.array(names, dtype=object)
        is_mine = nfl[at] == passer[a_owner]
        mine = at[is_mine]
        first_mine = _first_per(a_owner[is_mine], (), n)
        known = found & (first_mine >= 0)
        out["passer_x"][known] = x[mine[first_mine[known]]]
        out["passer_y"][known] = y[mine[first_mine[known]]]

    # the outcome: the first outcome event at or after pass forward
    e_owner, events = _expand_rows(start, stop, index.outcome_rows)
    after = has_pf[e_owner] & (frame[events] >= pf[e_owner])
    hit, h_owner = events[after], e_owner[after]
    first_hit = _first_per(h_owner, (frame[hit],), n)
    labelled = first_hit >= 0
    out["complete"][labelled] = (index.outcome_codes[np.searchsorted(
        index.outcome_rows, hit[first_hit[labelled]])] == 1).tolist()
    out["label_source"][labelled] = "events"
    if pass_results is not None:
        for i in np.flatnonzero(has_pf & ~labelled & (lengths > 0)).tolist():
            verdict = pass_results.get((int(game_ids[i]), int(play_ids[i])))
            if verdict is not None:
                out["complete"][i] = bool(verdict)
                out["label_source"][i] = "pass_result"
    return out

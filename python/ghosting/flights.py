"""Flights: a defender's and a receiver's positions over a pass, cut by the C++ core.

:class:`FlightTable` holds the columns of a canonical tracking table the gatherer
reads (nfl_id, frame_id, x, y, a side code per row) and its plays' row offsets;
:func:`gather_flights` cuts, for many windows at once, the defender's positions from a
first history frame to the window's own end (arrival) frame, the receiver's over the
same frames and the nearest-offense / nearest-teammate context at pass forward, as
flat arrays plus int64 offsets per window (:class:`Flights`). The fill rules are
those of the ghosting model's windows (``cpp/include/ghosting/flights.hpp``):
missing history frames back-fill from the next tracked one, a receiver tracked at
pass forward repeats his last tracked position; the flags say which window lacks its
defender or receiver (in the play, at pass forward). :func:`play_rosters` lists
each play's players with their side. The numpy reference is
:mod:`ghosting.flights_py`.

>>> import ghosting
>>> tracking = ghosting.synth.generate_plays(1, seed=0)
>>> table = FlightTable.of(tracking)
>>> roster = play_rosters(table)
>>> d = roster.nfl_id[roster.side == SIDE_DEFENSE][0]
>>> o = roster.nfl_id[roster.side == SIDE_OFFENSE][0]
>>> f = gather_flights(table, [0], [d], [o], [6], [10], [20])
>>> f.defender_xy.shape, f.offsets.tolist(), bool(f.complete()[0])
((15, 2), [0, 15], True)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import _core
from ._columns import Columns, string_codes
from ._util import integers, run_starts
from .errors import InputError

__all__ = [
    "FlightTable",
    "Flights",
    "Rosters",
    "Tracks",
    "gather_flights",
    "gather_tracks",
    "play_rosters",
    "side_codes",
    "SIDE_OFFENSE",
    "SIDE_DEFENSE",
    "DEFENDER_IN_PLAY",
    "DEFENDER_AT_PASS_FORWARD",
    "RECEIVER_IN_PLAY",
    "RECEIVER_AT_PASS_FORWARD",
]

#: Side codes of the gatherer (any other value: neither offense nor defense).
SIDE_OFFENSE: int = _core.SIDE_OFFENSE
SIDE_DEFENSE: int = _core.SIDE_DEFENSE
#: Bits of :attr:`Flights.flags`.
DEFENDER_IN_PLAY: int = _core.FLIGHT_DEFENDER_IN_PLAY
DEFENDER_AT_PASS_FORWARD: int = _core.FLIGHT_DEFENDER_AT_PASS_FORWARD
RECEIVER_IN_PLAY: int = _core.FLIGHT_RECEIVER_IN_PLAY
RECEIVER_AT_PASS_FORWARD: int = _core.FLIGHT_RECEIVER_AT_PASS_FORWARD
_ALL_FOUND = (
    DEFENDER_IN_PLAY | DEFENDER_AT_PASS_FORWARD | RECEIVER_IN_PLAY | RECEIVER_AT_PASS_FORWARD
)

_COLUMNS = ("game_id", "play_id", "nfl_id", "frame_id", "x", "y", "side")


def side_codes(side: Any) -> np.ndarray:
    """int8 side codes of a ``side`` column (pyarrow array or strings): offense,
    defense, 0 for anything else (the ball, null).

    A string column is encoded once by the C++ core (:func:`ghosting._columns.string_codes`)
    and its few distinct values mapped to side codes in one pass; other types are
    compared row by row.

    >>> side_codes(["offense", None, "defense", "football"]).tolist() == [
    ...     SIDE_OFFENSE, 0, SIDE_DEFENSE, 0]
    True
    """
    arr = side if isinstance(side, pa.Array | pa.ChunkedArray) else pa.array(side, pa.string())
    value_type = arr.type.value_type if pa.types.is_dictionary(arr.type) else arr.type
    if pa.types.is_string(value_type) or pa.types.is_large_string(value_type):
        codes, values = string_codes(arr)
        lookup = np.zeros(len(values) + 1, np.int8)  # the last entry: null (code -1)
        for name, code in (("offense", SIDE_OFFENSE), ("defense", SIDE_DEFENSE)):
            if name in values:
                lookup[values.index(name)] = code
        return _core.look_up_codes(codes, lookup)
    out = np.zeros(len(arr), np.int8)
    for name, code in (("offense", SIDE_OFFENSE), ("defense", SIDE_DEFENSE)):
        out[pc.fill_null(pc.equal(arr, name), False).to_numpy(zero_copy_only=False)] = code
    return out


def _column(table: pa.Table, name: str, dtype: type) -> np.ndarray:
    if name not in table.column_names:
        raise InputError(f"tracking table has no column {name!r}")
    col = table.column(name)
    if pa.types.is_floating(col.type):
        return np.ascontiguousarray(col.to_numpy(), dtype=dtype)
    return np.ascontiguousarray(col.fill_null(0).to_numpy(), dtype=dtype)


@dataclass(frozen=True)
class FlightTable:
    """The columns of a canonical tracking table the gatherer reads, and its plays.

    ``play_offsets`` (``n_plays + 1``) cut the rows into plays (contiguous runs of
    ``(game_id, play_id)``), keyed by ``play_game_id``/``play_play_id``; rows of a
    play may be in any order.
    """

    nfl_id: np.ndarray  # (n_rows,) int64
    frame_id: np.ndarray  # int64
    x: np.ndarray  # float64
    y: np.ndarray
    side: np.ndarray  # int8 side codes
    play_offsets: np.ndarray  # (n_plays + 1,) int64
    play_game_id: np.ndarray  # (n_plays,) int64
    play_play_id: np.ndarray

    @property
    def n_plays(self) -> int:
        return int(self.play_offsets.shape[0] - 1)

    @classmethod
    def of(cls, tracking: pa.Table, columns: Columns | None = None) -> FlightTable:
        """The gatherer's view of ``tracking``; InputError when a column is missing or
        a play's rows are not contiguous. ``columns``: the table's
        :class:`~ghosting._columns.Columns` when the caller has them (``ghosting run``
        converts each column of a batch once); the same answer either way."""
        for name in _COLUMNS:
            if name not in tracking.column_names:
                raise InputError(f"tracking table has no column {name!r}")
        if columns is not None and columns.table is not tracking:
            raise ValueError("FlightTable.of: the columns are not the table's")

        def col(name: str, dtype: type) -> np.ndarray:
            if columns is None:
                return _column(tracking, name, dtype)
            # the batch's conversions (nulls of an integer column read as 0, as above)
            ints = np.dtype(dtype).kind != "f" and tracking.column(name).null_count
            return columns.get(name, dtype, 0 if ints else None)

        game = col("game_id", np.int64)
        play = col("play_id", np.int64)
        offsets = run_starts(game, play) if columns is None else columns.runs("game_id", "play_id")
        starts = offsets[:-1]
        g, p = game[starts], play[starts]
        order = np.lexsort((p, g))
        if order.size > 1 and np.any((np.diff(g[order]) == 0) & (np.diff(p[order]) == 0)):
            raise InputError(
                "tracking table is not grouped by (game_id, play_id): sort it as read_tracking does"
            )
        if columns is None:
            side = side_codes(tracking.column("side"))
        else:  # the side tests of the batch's earlier steps, reused
            side = np.zeros(tracking.num_rows, np.int8)
            side[columns.equals("side", "offense")] = SIDE_OFFENSE
            side[columns.equals("side", "defense")] = SIDE_DEFENSE
        return cls(
            nfl_id=col("nfl_id", np.int64),
            frame_id=col("frame_id", np.int64),
            x=col("x", np.float64),
            y=col("y", np.float64),
            side=side,
            play_offsets=offsets,
            play_game_id=g,
            play_play_id=p,
        )

    def play_index(self) -> dict[tuple[int, int], int]:
        """``(game_id, play_id) -> play index``."""
        keys = zip(self.play_game_id.tolist(), self.play_play_id.tolist(), strict=True)
        return {k: i for i, k in enumerate(keys)}


@dataclass(frozen=True)
class Flights:
    """The gathered windows: window i spans samples ``offsets[i]:offsets[i + 1]`` of
    ``defender_xy`` and ``receiver_xy`` (``(n_samples, 2)``), frames first..end.

    ``context`` (``(n, 4)``): the nearest offense player other than the receiver and
    the nearest other defender at pass forward, relative to the defender (NaN where
    none); ``flags``: bits ``DEFENDER_IN_PLAY``, ``DEFENDER_AT_PASS_FORWARD``,
    ``RECEIVER_IN_PLAY``, ``RECEIVER_AT_PASS_FORWARD``.
    """

    defender_xy: np.ndarray
    receiver_xy: np.ndarray
    offsets: np.ndarray
    context: np.ndarray
    flags: np.ndarray

    def __len__(self) -> int:
        return int(self.offsets.shape[0] - 1)

    def complete(self) -> np.ndarray:
        """True where both players are in the play and tracked at pass forward."""
        return (self.flags & _ALL_FOUND) == _ALL_FOUND

    def padded(self, index: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
        """Defender and receiver positions of the windows ``index`` as ``(m, width, 2)``
        arrays (frame j of window i at ``[i, j]``), NaN past each window's end
        (``_core.pad_windows``; :func:`ghosting.flights_py.padded_py` is its reference)."""
        index = np.asarray(index, np.int64)
        return (_core.pad_windows(self.defender_xy, self.offsets, index, width),
                _core.pad_windows(self.receiver_xy, self.offsets, index, width))


@dataclass(frozen=True)
class Rosters:
    """Each requested play's players, ascending nfl_id, cut by ``offsets``;
    ``side`` is the side code of the player's last row in the play."""

    offsets: np.ndarray
    nfl_id: np.ndarray
    side: np.ndarray


def gather_flights(
    table: FlightTable,
    play: Any,
    defender: Any,
    receiver: Any,
    first_frame: Any,
    pass_forward_frame: Any,
    end_frame: Any,
) -> Flights:
    """Gather one window per request (all arguments but ``table``: one value each).

    ``play`` indexes ``table``'s plays; ``defender``/``receiver`` are nfl_ids;
    frames satisfy ``first_frame <= pass_forward_frame <= end_frame``. Bad requests
    (play out of range, frames out of order, a window over 100,000 frames) raise
    InputError naming the window.
    """
    args = [
        integers(v, n)
        for v, n in (
            (play, "play"),
            (defender, "defender"),
            (receiver, "receiver"),
            (first_frame, "first_frame"),
            (pass_forward_frame, "pass_forward_frame"),
            (end_frame, "end_frame"),
        )
    ]
    try:
        d, r, off, ctx, flags = _core.gather_flights(
            table.nfl_id, table.frame_id, table.x, table.y, table.side, table.play_offsets, *args
        )
    except ValueError as exc:
        raise InputError(f"gather_flights: {exc}") from exc
    return Flights(defender_xy=d, receiver_xy=r, offsets=off, context=ctx, flags=flags)


@dataclass(frozen=True)
class Tracks:
    """Real tracks: track i spans samples ``offsets[i]:offsets[i + 1]`` of ``xy``
    (``(n_samples, 2)``, frames first..end as tracked, NaN where not, no fill).

    What the player's rows with a frame in the range say, in table order:
    ``n_rows`` how many, ``first_row`` the first one's row index (-1 when none),
    ``consecutive`` each steps exactly one frame past the one before, ``nonfinite``
    one has a non-finite x or y.
    """

    xy: np.ndarray
    offsets: np.ndarray
    n_rows: np.ndarray
    first_row: np.ndarray
    consecutive: np.ndarray
    nonfinite: np.ndarray

    def __len__(self) -> int:
        return int(self.offsets.shape[0] - 1)

    def complete(self) -> np.ndarray:
        """True where the track has exactly one finite row per frame of its range."""
        return (
            (self.n_rows == np.diff(self.offsets)) & self.consecutive & ~self.nonfinite
        )


def gather_tracks(
    table: FlightTable, play: Any, nfl_id: Any, first_frame: Any, end_frame: Any
) -> Tracks:
    """One player's real track per request over frames ``first_frame..end_frame`` of
    the play ``play`` (indices into ``table``'s plays), with what its rows say
    (:class:`Tracks`); bad requests raise InputError naming the request."""
    args = [
        integers(v, n)
        for v, n in ((play, "play"), (nfl_id, "nfl_id"), (first_frame, "first_frame"),
                     (end_frame, "end_frame"))
    ]
    try:
        xy, off, n_rows, first_row, consecutive, nonfinite = _core.gather_tracks(
            table.nfl_id, table.frame_id, table.x, table.y, table.side, table.play_offsets, *args
        )
    except ValueError as exc:
        raise InputError(f"gather_tracks: {exc}") from exc
    return Tracks(xy=xy, offsets=off, n_rows=n_rows, first_row=first_row,
                  consecutive=consecutive, nonfinite=nonfinite)


def play_rosters(table: FlightTable, plays: Any = None) -> Rosters:
    """The players of the plays ``plays`` (indices into ``table``'s plays; all when
    None) and their side codes, one roster per requested play (:class:`Rosters`)."""
    which = np.arange(table.n_plays) if plays is None else integers(plays, "plays")
    try:
        off, ids, side = _core.play_rosters(table.nfl_id, table.side, table.play_offsets, which)
    except ValueError as exc:
        raise InputError(f"play_rosters: {exc}") from exc
    return Rosters(offsets=off, nfl_id=ids, side=side)

"""Per-row numpy views of a sorted tracking table, shared by pass plays and targets."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .._columns import Columns
from ..io.normalise import sort_order
from ..passes import _KEYS
from ..schema import BALL_ID, ELIGIBLE_POSITIONS
from .defenders import COVERAGE_ROLE, back_rows

__all__ = ["ROUTE_RUNNER_ROLES", "COVERAGE_ROLE"]

ROUTE_RUNNER_ROLES = ("Targeted Receiver", "Other Route Runner")

#: The per-play columns (each play's first row) and the per-track ones (each track's
#: first row) that the pass plays and the run's context (``ghosting.pipeline.context``)
#: read: asked for together, each table takes them once (``Columns.firsts``).
PLAY_FIRSTS = ("play_description", "quarter", "game_clock", "down", "yards_to_go",
               "possession_team", "play_direction", "absolute_yardline_number")  # fmt: skip
TRACK_FIRSTS = ("display_name", "position", "club", "jersey_number")
_PLAY_KEYS = ("game_id", "play_id")
_TRACK_KEYS = ("game_id", "play_id", "nfl_id")


def play_firsts(cols: Columns) -> pa.Table:
    """:data:`PLAY_FIRSTS` of the table of ``cols`` (the ones it has) at each play's
    first row."""
    names = cols.table.column_names
    return cols.firsts([n for n in PLAY_FIRSTS if n in names], *_PLAY_KEYS)


def track_firsts(cols: Columns) -> pa.Table:
    """:data:`TRACK_FIRSTS` of the table of ``cols`` (the ones it has) at each track's
    first row."""
    names = cols.table.column_names
    return cols.firsts([n for n in TRACK_FIRSTS if n in names], *_TRACK_KEYS)


def _bool(array: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(array, False).to_numpy(zero_copy_only=False), dtype=bool)


def _strings(table: pa.Table, name: str) -> pa.ChunkedArray | None:
    if name not in table.column_names:
        return None
    column = table[name]
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    return column


def _sorted(tracking: pa.Table, cols: Columns | None = None) -> tuple[pa.Table, Columns]:
    """``tracking`` sorted by ``(game_id, play_id, nfl_id, frame_id)`` (as is when it is)
    and its :class:`~ghosting._columns.Columns` (``cols`` when it was sorted already)."""
    cols = Columns(tracking) if cols is None else cols
    if not _keys_sorted(tracking, cols):
        order = sort_order(tracking, cols)
        if order is not None:
            tracking = tracking.take(pa.array(order))
            cols = Columns(tracking)
    cols.sorted_keys = True
    return tracking, cols


_SORT_KEYS = ("game_id", "play_id", "nfl_id", "frame_id")


def _keys_sorted(tracking: pa.Table, cols: Columns) -> bool:
    """True when ``sort_order`` would find ``tracking`` sorted, decided on the runs that
    ``cols`` keeps for the steps after anyway: the ``(game_id, play_id)`` runs ascend,
    a play's tracks (runs of ``nfl_id``) ascend, and a track's ``frame_id`` never
    decreases (one pass over the rows). False (let ``sort_order`` decide) when a key
    has nulls."""
    if any(tracking[k].null_count for k in _SORT_KEYS):
        return False
    game, play, nfl, frame = (cols.get(k, np.int64) for k in _SORT_KEYS)
    plays = cols.runs("game_id", "play_id")[:-1]
    g, p = game[plays], play[plays]
    if not np.all((g[1:] > g[:-1]) | ((g[1:] == g[:-1]) & (p[1:] > p[:-1]))):
        return False
    tracks = cols.runs("game_id", "play_id", "nfl_id")[:-1]
    ids = nfl[tracks]
    new_play = np.isin(tracks[1:], plays, assume_unique=True)
    if not np.all(new_play | (ids[1:] > ids[:-1])):
        return False
    back = frame[1:] < frame[:-1]  # allowed only where a new track starts
    back[tracks[1:] - 1] = False
    return not bool(back.any())


def _by_play(plays: pa.Table, table: pa.Table, column: str) -> tuple[np.ndarray, np.ndarray]:
    """``column`` of a table with one row per play, in the row order of ``plays``.

    Both tables carry ``game_id, play_id``. Returns the values (0 where unknown) and a
    mask of the plays ``table`` has a non-null value for. Integer keys without nulls,
    each play once in ``table``, are matched in numpy (pair codes); others by a join.
    """
    matched = _match_plays(plays, table)
    if matched is not None:
        values = table[column]
        known = np.asarray(pc.is_valid(values).to_numpy(zero_copy_only=False), dtype=bool)
        filled = pc.fill_null(values, 0).to_numpy().astype(np.int64)
        at = np.maximum(matched, 0)
        has = (matched >= 0) & known[at] if len(known) else np.zeros(len(matched), dtype=bool)
        out = np.where(has, filled[at], 0) if len(filled) else np.zeros(len(matched), np.int64)
        return out.astype(np.int64), has
    keys = plays.select(_KEYS).append_column("__i", pa.array(np.arange(plays.num_rows)))
    joined = keys.join(table.select([*_KEYS, column]), _KEYS, join_type="left outer",
                       use_threads=False).sort_by("__i")
    values = joined[column]
    found = np.asarray(pc.is_valid(values).to_numpy(zero_copy_only=False), dtype=bool)
    return pc.fill_null(values, 0).to_numpy().astype(np.int64), found


def _match_plays(plays: pa.Table, table: pa.Table) -> np.ndarray | None:
    """Per row of ``plays``, the row of ``table`` with its ``(game_id, play_id)`` (-1:
    none); None unless both tables' keys are integers without nulls and each play is
    in ``table`` at most once (then a join says what a key means)."""
    columns = [t[k] for t in (plays, table) for k in _KEYS]
    if any(c.null_count or not pa.types.is_integer(c.type) for c in columns):
        return None
    pg, pp, tg, tp = (c.to_numpy().astype(np.int64) for c in columns)
    game, play = np.concatenate([pg, tg]), np.concatenate([pp, tp])
    order = np.lexsort((play, game))
    new = np.ones(len(order), dtype=bool)
    new[1:] = (game[order][1:] != game[order][:-1]) | (play[order][1:] != play[order][:-1])
    code = np.empty(len(order), dtype=np.int64)
    code[order] = np.cumsum(new) - 1
    theirs = code[len(pg):]
    if len(np.unique(theirs)) != len(theirs):
        return None  # a play twice: the join gives each of its rows
    row = np.full(len(order), -1, dtype=np.int64)
    row[theirs] = np.arange(len(theirs))
    return row[code[: len(pg)]]


@dataclass
class _PlayRows:
    """Per-row numpy views of a sorted tracking table, with play offsets (``cols``: the
    table's :class:`~ghosting._columns.Columns`, which hold them; read-only)."""

    table: pa.Table
    cols: Columns
    n_plays: int
    starts: np.ndarray
    play_idx: np.ndarray
    nfl: np.ndarray
    frame: np.ndarray
    x: np.ndarray
    y: np.ndarray
    is_ball: np.ndarray
    offense: np.ndarray
    defense: np.ndarray
    receiver_position: np.ndarray
    back_position: np.ndarray
    role: pa.ChunkedArray | None

    @classmethod
    def of(cls, table: pa.Table, n_plays: int, cols: Columns | None = None) -> _PlayRows:
        """The rows of the sorted ``table`` (``cols``: its Columns when the caller has
        them). A string column the table lacks counts as null."""
        cols = Columns(table) if cols is None else cols
        names = table.column_names
        n = table.num_rows
        none = np.zeros(n, dtype=bool)

        def isin(name: str, values: tuple[str, ...]) -> np.ndarray:
            return cols.isin(name, values) if name in names else none

        def equals(name: str, value: str) -> np.ndarray:
            return cols.equals(name, value) if name in names else none

        nfl = cols.get("nfl_id", np.int64)
        receiver = isin("position", tuple(ELIGIBLE_POSITIONS))
        if "player_role" in names:
            receiver = receiver | isin("player_role", ROUTE_RUNNER_ROLES)
        return cls(
            table=table,
            cols=cols,
            n_plays=n_plays,
            starts=cols.runs("game_id", "play_id"),
            play_idx=cols.run_index("game_id", "play_id"),
            nfl=nfl,
            frame=cols.get("frame_id", np.int64),
            x=cols.get("x", np.float64),
            y=cols.get("y", np.float64),
            is_ball=nfl == BALL_ID,
            offense=equals("side", "offense"),
            defense=equals("side", "defense"),
            receiver_position=receiver,
            back_position=back_rows(cols),
            role=_strings(table, "player_role"),
        )

    def at(self, frames: np.ndarray, known: np.ndarray) -> np.ndarray:
        """The rows (ascending) whose frame is ``frames[p]`` of their play ``p``, for the
        plays ``known``."""
        rows = self.cols.rows_at(frames, known)
        if rows is None:
            p = self.play_idx
            return np.flatnonzero(known[p] & (self.frame == frames[p]))
        return np.asarray(rows, dtype=np.int64)

    def first_of_play(self, name: str) -> np.ndarray:
        """The value of a per-play float column (its first row in each play; NaN for
        null)."""
        values = self.table[name].cast(pa.float64())
        return np.asarray(pc.fill_null(values, np.nan).to_numpy())[self.starts[:-1]]

    def first_of_play_int(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """The value of a per-play integer column (its first row in each play, 0 when
        null) and a mask of the plays where it is given."""
        first = self.table[name].take(pa.array(self.starts[:-1]))
        valid = np.asarray(pc.is_valid(first).to_numpy(zero_copy_only=False), dtype=bool)
        return pc.fill_null(first, 0).to_numpy().astype(np.int64), valid

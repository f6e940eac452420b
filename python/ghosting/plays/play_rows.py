"""Per-row numpy views of a sorted tracking table, shared by pass plays and targets."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .._util import run_starts
from ..io.normalise import sort_order
from ..passes import _KEYS
from ..schema import BALL_ID, ELIGIBLE_POSITIONS
from .defenders import COVERAGE_ROLE, back_mask

__all__ = ["ROUTE_RUNNER_ROLES", "COVERAGE_ROLE"]

ROUTE_RUNNER_ROLES = ("Targeted Receiver", "Other Route Runner")


def _bool(array: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(array, False).to_numpy(zero_copy_only=False), dtype=bool)


def _strings(table: pa.Table, name: str) -> pa.ChunkedArray | None:
    if name not in table.column_names:
        return None
    column = table[name]
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    return column


def _sorted(tracking: pa.Table) -> pa.Table:
    """``tracking`` sorted by ``(game_id, play_id, nfl_id, frame_id)`` (as is when it is)."""
    order = sort_order(tracking)
    return tracking if order is None else tracking.take(pa.array(order))


def _by_play(plays: pa.Table, table: pa.Table, column: str) -> tuple[np.ndarray, np.ndarray]:
    """``column`` of a table with one row per play, in the row order of ``plays``.

    Both tables carry ``game_id, play_id``. Returns the values (0 where unknown) and a
    mask of the plays ``table`` has a non-null value for.
    """
    keys = plays.select(_KEYS).append_column("__i", pa.array(np.arange(plays.num_rows)))
    joined = keys.join(table.select([*_KEYS, column]), _KEYS, join_type="left outer",
                       use_threads=False).sort_by("__i")
    values = joined[column]
    found = np.asarray(pc.is_valid(values).to_numpy(zero_copy_only=False), dtype=bool)
    return pc.fill_null(values, 0).to_numpy().astype(np.int64), found


@dataclass
class _PlayRows:
    """Per-row numpy views of a sorted tracking table, with play offsets."""

    table: pa.Table
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
    def of(cls, table: pa.Table, n_plays: int) -> _PlayRows:
        n = table.num_rows
        starts = run_starts(table["game_id"].to_numpy(), table["play_id"].to_numpy())
        nfl = table["nfl_id"].to_numpy().astype(np.int64)
        side = _strings(table, "side")
        position = _strings(table, "position")
        role = _strings(table, "player_role")
        receiver = _bool(pc.is_in(position, value_set=pa.array(sorted(ELIGIBLE_POSITIONS))))
        back = back_mask(position, role)
        if role is not None:
            receiver |= _bool(pc.is_in(role, value_set=pa.array(ROUTE_RUNNER_ROLES)))
        none = np.zeros(n, dtype=bool)
        return cls(
            table=table,
            n_plays=n_plays,
            starts=starts,
            play_idx=np.repeat(np.arange(n_plays), np.diff(starts)),
            nfl=nfl,
            frame=table["frame_id"].to_numpy().astype(np.int64),
            x=table["x"].to_numpy().astype(np.float64),
            y=table["y"].to_numpy().astype(np.float64),
            is_ball=nfl == BALL_ID,
            offense=_bool(pc.equal(side, "offense")) if side is not None else none,
            defense=_bool(pc.equal(side, "defense")) if side is not None else none,
            receiver_position=receiver,
            back_position=back,
            role=role,
        )

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

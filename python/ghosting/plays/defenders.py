"""Which rows of a tracking table are the defenders to score: the one place that
says what a defensive back is (a position of :data:`ghosting.schema.DEFENSIVE_BACKS`,
or in 2026 data the role :data:`COVERAGE_ROLE`)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from ..errors import InputError
from ..schema import DEFENSIVE_BACKS
from .play_rows import COVERAGE_ROLE

__all__ = ["DEFENSIVE_BACKS", "COVERAGE_ROLE", "defender_rows"]


def _strings(tracking: pa.Table, name: str) -> np.ndarray:
    return np.asarray(tracking.column(name).fill_null("").to_numpy(zero_copy_only=False))


def defender_rows(tracking: pa.Table, defenders: str = "backs") -> np.ndarray:
    """A boolean mask of the rows of ``tracking`` that are defenders to score: every
    defense player (``defenders="all"``) or only the defensive backs (``"backs"``),
    by position or by the 2026 role, as :func:`ghosting.pass_plays` finds them.

    Raises :class:`ghosting.errors.InputError` naming the column when ``side`` (or,
    for backs, both ``position`` and ``player_role``) is missing.

    >>> table = pa.table({"side": ["defense", "defense", "offense"],
    ...                   "position": ["CB", "DT", "WR"]})
    >>> defender_rows(table).tolist(), defender_rows(table, "all").tolist()
    ([True, False, False], [True, True, False])
    """
    names = tracking.column_names
    if "side" not in names:
        raise InputError("tracking table lacks the column 'side' needed to find defenders")
    mask = _strings(tracking, "side") == "defense"
    if defenders == "backs":
        if "position" not in names and "player_role" not in names:
            raise InputError("tracking table lacks the column 'position' needed to find backs")
        back = np.zeros(tracking.num_rows, dtype=bool)
        if "position" in names:
            back |= np.isin(_strings(tracking, "position"), sorted(DEFENSIVE_BACKS))
        if "player_role" in names:
            back |= _strings(tracking, "player_role") == COVERAGE_ROLE
        mask &= back
    return mask

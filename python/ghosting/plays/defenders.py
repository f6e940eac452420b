"""Which rows of a tracking table are the defenders to score: the one place that
says what a defensive back is (a position of :data:`ghosting.schema.DEFENSIVE_BACKS`,
or in 2026 data the role :data:`COVERAGE_ROLE`)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from .._columns import Columns
from ..errors import InputError
from ..schema import DEFENSIVE_BACKS

__all__ = ["DEFENSIVE_BACKS", "COVERAGE_ROLE", "back_mask", "back_rows", "defender_rows"]

#: The 2026 ``player_role`` of a defender in coverage.
COVERAGE_ROLE = "Defensive Coverage"


def _strings(tracking: pa.Table, name: str) -> np.ndarray:
    return np.asarray(tracking.column(name).fill_null("").to_numpy(zero_copy_only=False))


def back_mask(
    position: pa.ChunkedArray | pa.Array | None, role: pa.ChunkedArray | pa.Array | None
) -> np.ndarray:
    """True where a row is a defensive back: its ``position`` is one of
    :data:`DEFENSIVE_BACKS` or its 2026 ``player_role`` is :data:`COVERAGE_ROLE`
    (null is neither). The one test of a defensive back in the package.

    >>> back_mask(pa.array(["CB", "DT", None]), pa.array([None, None, COVERAGE_ROLE])).tolist()
    [True, False, True]
    """
    columns = {n: c for n, c in (("position", position), ("player_role", role))
               if c is not None}  # fmt: skip
    if not columns:
        raise InputError("tracking table lacks the column 'position' needed to find backs")
    return back_rows(Columns(pa.table(columns)))


def back_rows(cols: Columns) -> np.ndarray:
    """:func:`back_mask` of a table's ``position`` and ``player_role`` columns, from its
    :class:`~ghosting._columns.Columns` (each test run once per table and kept; a
    column the table lacks counts as null): where the rule is written."""
    names = cols.table.column_names
    tests = [cols.isin("position", tuple(DEFENSIVE_BACKS))] if "position" in names else []
    if "player_role" in names:
        tests.append(cols.equals("player_role", COVERAGE_ROLE))
    if not tests:
        return np.zeros(cols.table.num_rows, dtype=bool)
    return tests[0].copy() if len(tests) == 1 else tests[0] | tests[1]


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
        def column(name: str) -> pa.ChunkedArray | None:
            if name not in names:
                return None
            col = tracking.column(name)
            return col.cast(col.type.value_type) if pa.types.is_dictionary(col.type) else col

        mask &= back_mask(column("position"), column("player_role"))
    return mask

"""Down and distance of each pass play, and the yards a throw needs to be a success.

The value of a throw in the decision rule is its **success probability**
(docs/decision.md): a play is a success when it gains at least 40% of the yards to go
on 1st down, 60% on 2nd down and 100% on 3rd and 4th down (a touchdown is always a
success). Down and yards to go come from the tracking table's ``down`` and
``yards_to_go`` columns (the first non-null value of the play's rows; the 2019 tracking
files and the NGS highlights carry them). A play without them (the 2021 week files)
gets the documented default: **1st and 10** (4 yards needed), marked
``"default 1st and 10"`` in ``source``.

>>> import numpy as np
>>> needed_yards(np.array([1, 2, 3, 4]), np.array([10.0, 10.0, 4.0, 1.0])).tolist()
[4.0, 6.0, 4.0, 1.0]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .facts import PlayIndex

__all__ = ["SUCCESS_SHARE", "DEFAULT_DOWN", "DEFAULT_YARDS_TO_GO", "needed_yards",
           "play_situations"]

#: Share of the yards to go a play must gain to be a success, by down.
SUCCESS_SHARE = {1: 0.4, 2: 0.6, 3: 1.0, 4: 1.0}
#: Down and distance assumed where the tracking has none.
DEFAULT_DOWN = 1
DEFAULT_YARDS_TO_GO = 10.0


def needed_yards(down: np.ndarray, yards_to_go: np.ndarray) -> np.ndarray:
    """Yards a play must gain to be a success (:data:`SUCCESS_SHARE` x yards to go)."""
    d = np.asarray(down, np.int64)
    share = np.select([d == 1, d == 2], [SUCCESS_SHARE[1], SUCCESS_SHARE[2]], 1.0)
    return share * np.asarray(yards_to_go, np.float64)


def _first_valid(col: pa.ChunkedArray, sl: slice) -> Any:
    for v in col.slice(sl.start, sl.stop - sl.start).drop_null().to_pylist():
        if v == v:  # not NaN
            return v
    return None


def _numeric(col: pa.ChunkedArray) -> bool:
    return bool(pa.types.is_integer(col.type) or pa.types.is_floating(col.type))


def _play_bounds(
    index: PlayIndex, plays: Sequence[Mapping[str, Any]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First and end row of each play of ``plays`` in the index, and whether it is there."""
    return index.play_ranges(np.array([int(r["game_id"]) for r in plays], np.int64),
                             np.array([int(r["play_id"]) for r in plays], np.int64))


def _first_valid_numeric(
    col: pa.ChunkedArray, start: np.ndarray, stop: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The first value of each row range ``start:stop`` that is neither null nor NaN
    (as float64; an integer column's values are small: downs and yards) and whether
    there is one (an infinite value counts as none: it is no down nor distance).

    A play's first row nearly always has it: only the ranges whose first row does not
    read the whole column."""
    out = np.full(start.size, np.nan)
    has = np.zeros(start.size, bool)
    rows = np.flatnonzero(stop > start)
    if rows.size:
        first = pc.take(col, pa.array(start[rows], pa.int64()))
        values = np.asarray(first.to_numpy(zero_copy_only=False), np.float64)
        valid = np.isfinite(values)
        if first.null_count:
            valid &= np.asarray(first.is_valid().to_numpy(zero_copy_only=False), bool)
        out[rows[valid]] = values[valid]
        has[rows[valid]] = True
        rows = rows[~valid]
    if rows.size:
        rest, rest_has = _first_valid_scan(col, start[rows], stop[rows])
        out[rows] = rest
        has[rows] = rest_has
    return out, has


def _first_valid_scan(
    col: pa.ChunkedArray, start: np.ndarray, stop: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_first_valid_numeric` over the whole column."""
    values = np.asarray(col.to_numpy(zero_copy_only=False), np.float64)
    valid = np.isfinite(values)
    if col.null_count:
        valid &= np.asarray(col.is_valid().to_numpy(zero_copy_only=False), bool)
    rows = np.flatnonzero(valid)
    at = np.searchsorted(rows, start)
    has = at < rows.size
    first = rows[np.minimum(at, max(rows.size - 1, 0))] if rows.size else np.zeros_like(start)
    has &= first < stop
    out = np.full(start.size, np.nan)
    out[has] = values[first[has]]
    return out, has


def play_situations(
    tracking: pa.Table, index: PlayIndex, plays: Sequence[Mapping[str, Any]]
) -> dict[str, np.ndarray]:
    """Per play (aligned with ``plays``): ``down`` (int64), ``yards_to_go`` (float64),
    ``needed`` (yards for a success, float64) and ``source`` (object:
    ``"tracking"`` or ``"default 1st and 10"``).

    A down outside 1-4 or a yards to go not above 0 counts as missing.
    """
    n = len(plays)
    down = np.full(n, DEFAULT_DOWN, np.int64)
    togo = np.full(n, DEFAULT_YARDS_TO_GO)
    source = np.full(n, "default 1st and 10", object)
    have = (tracking.schema.get_field_index("down") >= 0
            and tracking.schema.get_field_index("yards_to_go") >= 0)
    numeric = have and _numeric(tracking.column("down")) and _numeric(
        tracking.column("yards_to_go"))
    if numeric:
        start, stop, found = _play_bounds(index, plays)
        d, d_ok = _first_valid_numeric(tracking.column("down"), start, stop)
        y, y_ok = _first_valid_numeric(tracking.column("yards_to_go"), start, stop)
        with np.errstate(invalid="ignore"):
            d_i = np.trunc(np.where(d_ok, d, 0.0))  # int() of the value, as below
            good = found & d_ok & y_ok & (d_i >= 1) & (d_i <= 4) & (y > 0)
        down[good] = d_i[good].astype(np.int64)
        togo[good] = y[good]
        source[good] = "tracking"
    elif have:  # strings or other types: the values one by one
        dcol, ycol = tracking.column("down"), tracking.column("yards_to_go")
        for i, row in enumerate(plays):
            sl = index.rows(row["game_id"], row["play_id"])
            if sl is None:
                continue
            dv, yv = _first_valid(dcol, sl), _first_valid(ycol, sl)
            try:
                d_one, y_one = int(dv), float(yv)
            except (TypeError, ValueError, OverflowError):
                continue
            if 1 <= d_one <= 4 and y_one > 0:
                down[i], togo[i], source[i] = d_one, y_one, "tracking"
    return {"down": down, "yards_to_go": togo, "needed": needed_yards(down, togo),
            "source": source}

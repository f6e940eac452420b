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
    have = "down" in tracking.column_names and "yards_to_go" in tracking.column_names
    if have:
        dcol, ycol = tracking.column("down"), tracking.column("yards_to_go")
        for i, row in enumerate(plays):
            sl = index.rows(row["game_id"], row["play_id"])
            if sl is None:
                continue
            d, y = _first_valid(dcol, sl), _first_valid(ycol, sl)
            try:
                d_i, y_f = int(d), float(y)
            except (TypeError, ValueError):
                continue
            if 1 <= d_i <= 4 and y_f > 0:
                down[i], togo[i], source[i] = d_i, y_f, "tracking"
    return {"down": down, "yards_to_go": togo, "needed": needed_yards(down, togo),
            "source": source}

"""The canonical tracking schema (docs/data.md).

One row per (game, play, player-or-ball, frame), sorted by
(game_id, play_id, nfl_id, frame_id); plays and tracks are contiguous ranges.
The ball's rows have ``nfl_id == BALL_ID`` and ``side == "ball"``.
Direction is normalised so the offense always moves toward +x.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from . import _core

__all__ = [
    "BALL_ID",
    "FIELD_LENGTH",
    "FIELD_WIDTH",
    "DT",
    "V_MAX",
    "CANONICAL_SCHEMA",
    "REQUIRED_COLUMNS",
    "PLAY_KEY",
    "play_keys",
    "DEFENSIVE_BACKS",
    "ELIGIBLE_POSITIONS",
]

BALL_ID = 0
# The field, the tracking rate and the speed limit are defined once, in the C++ core
# (cpp/include/ghosting/constants.hpp); these are its values.
#: Length of the field including end zones, yards (x).
FIELD_LENGTH: float = _core.FIELD_LENGTH
#: Width of the field, yards (y): 160 ft / 3.
FIELD_WIDTH: float = _core.FIELD_WIDTH
#: Seconds between tracking frames (10 Hz).
DT: float = _core.DT
#: Fastest plausible human speed, yd/s (a step longer than ``V_MAX * DT`` is superhuman).
V_MAX: float = _core.V_MAX

#: Positions scored by default ("Defensive Coverage" is the 2026 role).
DEFENSIVE_BACKS = frozenset({"CB", "S", "SS", "FS", "DB"})
#: Offensive positions that can be targeted by a pass.
ELIGIBLE_POSITIONS = frozenset({"WR", "TE", "RB", "FB", "HB"})

#: Columns every canonical table has, in this order. Optional layout-specific
#: columns (``play_description``, ``player_role``, ``ball_land_x`` ...) follow them.
CANONICAL_SCHEMA = pa.schema(
    [
        ("game_id", pa.int64()),
        ("play_id", pa.int64()),
        ("nfl_id", pa.int64()),
        ("frame_id", pa.int32()),
        ("x", pa.float64()),
        ("y", pa.float64()),
        ("s", pa.float64()),
        ("a", pa.float64()),
        ("dis", pa.float64()),
        ("o", pa.float64()),
        ("dir", pa.float64()),
        ("event", pa.string()),
        ("side", pa.string()),  # "offense" | "defense" | "ball" | null when unknown
        ("position", pa.string()),
        ("jersey_number", pa.int32()),
        ("display_name", pa.string()),
        ("club", pa.string()),
        ("play_direction", pa.string()),  # as shipped: "left" | "right" | null
    ]
)

REQUIRED_COLUMNS = ("game_id", "play_id", "nfl_id", "frame_id", "x", "y")

#: The key of a play as one numpy value: two int64 fields, compared and sorted as the
#: pair (game first). Use it with ``np.unique``/``np.isin`` instead of packing both ids
#: into one integer, which overflows or collides for large ids.
PLAY_KEY = np.dtype([("game_id", np.int64), ("play_id", np.int64)])


def play_keys(game_id: np.ndarray, play_id: np.ndarray) -> np.ndarray:
    """``(game_id, play_id)`` pairs as one structured array (dtype :data:`PLAY_KEY`).

    >>> keys = play_keys(np.array([2018120600, 2018120600]), np.array([10**6, 1]))
    >>> np.unique(keys)["play_id"].tolist()
    [1, 1000000]
    """
    out = np.empty(len(game_id), dtype=PLAY_KEY)
    out["game_id"] = game_id
    out["play_id"] = play_id
    return out

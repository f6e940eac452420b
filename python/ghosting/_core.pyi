"""Typed stubs of the private native module ``ghosting._core`` (use the public API)."""

from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import numpy.typing as npt

# --- constants (cpp/include/ghosting/constants.hpp, registered in module.cpp) -------
# The one source of these numbers; the kernels' defaults below are the same values
# (stub defaults are written ``...``: the values live in C++ alone).

FIELD_LENGTH: Final[float]  # yd, end zones included
FIELD_WIDTH: Final[float]  # yd
DT: Final[float]  # s between frames
V_MAX: Final[float]  # yd/s
PENALTY: Final[float]  # Trajectory Score lambda per superhuman step
RADIUS: Final[float]  # yd, play-score weight exp(-d(0) / radius)
FIELD_TOLERANCE: Final[float]  # yd, cleaning's default
OFF_FIELD_TOLERANCE: Final[float]  # yd, feasibility's default

# --- cleaning (cpp/bindings/register_cleaning.cpp) ---------------------------

#: Reason name -> bit of the per-sample cleaning mask.
CLEANING_REASONS: Final[dict[str, int]]
#: The reasons that apply to the ball's tracks (OR of their bits).
BALL_CLEANING_REASONS: Final[int]

def clean_tracks(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    s: npt.ArrayLike,
    frame_id: npt.NDArray[np.int32],
    track_offsets: npt.ArrayLike,
    play_offsets: npt.ArrayLike,
    is_player: npt.ArrayLike,
    in_window: npt.ArrayLike,
    *,
    policy: str = "play",
    v_max: float = ...,
    dt: float = ...,
    field_tolerance: float = ...,
) -> tuple[
    npt.NDArray[np.uint8],
    npt.NDArray[np.bool_],
    npt.NDArray[np.uint8],
    npt.NDArray[np.uint8],
]:
    """Flag samples and decide what to keep: (flags, keep, track_reasons, play_reasons)."""

# --- Trajectory Score (cpp/bindings/register_trajectory_score.cpp) -----------
# Trajectories: flat (n_samples, 2) float64 x/y cut by n + 1 int64 offsets. Every
# binding (clean_tracks too) copies its offsets before validating them and releasing
# the GIL: another thread rewriting the caller's offsets cannot make a loop read out
# of bounds (coordinates are read in place; rewriting them changes only the values).

def trajectory_score(
    defender_xy: npt.ArrayLike,
    receiver_xy: npt.ArrayLike,
    offsets: npt.ArrayLike,
    weights: str = "uniform",
    reference: str = "catch_point",
    v_max: float = ...,
    dt: float = ...,
    penalty: float = ...,
) -> tuple[
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
]:
    """(ps, dr, sp, ts) per trajectory."""

def play_scores(
    defender_xy: npt.ArrayLike,
    receiver_xy: npt.ArrayLike,
    offsets: npt.ArrayLike,
    ts: npt.ArrayLike,
    play_offsets: npt.ArrayLike,
    radius: float = ...,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(weight per trajectory, score per play)."""

def model_score(ts: npt.ArrayLike) -> float:
    """Mean of the finite trajectory scores (NaN if none)."""

# --- feasibility (cpp/bindings/register_feasibility.cpp) --------------------------

def feasibility(
    xy: npt.ArrayLike,
    offsets: npt.ArrayLike,
    v_max: float = ...,
    dt: float = ...,
    off_field_tolerance: float = ...,
) -> tuple[
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
]:
    """(max_speed, max_accel, n_long_steps, n_off_field, n_nonfinite) per trajectory."""

# --- flights (cpp/bindings/register_flights.cpp) -------------------------------
# The flight gatherer: the table's columns (read in place; the core copies each
# play's nfl_id and side before ordering its rows by them), play offsets and the
# requests copied and validated with the GIL held.

SIDE_OFFENSE: Final[int]
SIDE_DEFENSE: Final[int]
FLIGHT_DEFENDER_IN_PLAY: Final[int]
FLIGHT_DEFENDER_AT_PASS_FORWARD: Final[int]
FLIGHT_RECEIVER_IN_PLAY: Final[int]
FLIGHT_RECEIVER_AT_PASS_FORWARD: Final[int]

def gather_flights(
    nfl_id: npt.ArrayLike,
    frame_id: npt.ArrayLike,
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    side: npt.NDArray[np.int8],
    play_offsets: npt.ArrayLike,
    play: npt.ArrayLike,
    defender: npt.ArrayLike,
    receiver: npt.ArrayLike,
    first_frame: npt.ArrayLike,
    pass_forward_frame: npt.ArrayLike,
    end_frame: npt.ArrayLike,
) -> tuple[
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.int64],
    npt.NDArray[np.float64],
    npt.NDArray[np.uint8],
]:
    """(defender_xy, receiver_xy, offsets, context, flags) of each window."""

def gather_tracks(
    nfl_id: npt.ArrayLike,
    frame_id: npt.ArrayLike,
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    side: npt.NDArray[np.int8],
    play_offsets: npt.ArrayLike,
    play: npt.ArrayLike,
    nfl: npt.ArrayLike,
    first_frame: npt.ArrayLike,
    end_frame: npt.ArrayLike,
) -> tuple[
    npt.NDArray[np.float64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.bool_],
    npt.NDArray[np.bool_],
]:
    """(xy, offsets, n_rows, first_row, consecutive, nonfinite) of each track."""

def play_rosters(
    nfl_id: npt.ArrayLike,
    side: npt.NDArray[np.int8],
    play_offsets: npt.ArrayLike,
    plays: npt.ArrayLike,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int8]]:
    """(roster_offsets, nfl_id, side) of the plays `plays`."""

def pad_windows(
    xy: npt.ArrayLike, offsets: npt.ArrayLike, index: npt.ArrayLike, width: int
) -> npt.NDArray[np.float64]:
    """Windows ``index`` of flat (n, 2) points cut by offsets, as (m, width, 2), NaN-padded."""

# --- string codes (cpp/bindings/register_strings.cpp) ------------------------
# One chunk of an Arrow string / large_string array: (validity bitmap or None,
# offsets, data or None, the array's offset, its length), as ``Array.buffers()`` and
# ``Array.offset`` give them. Buffer sizes are checked with the GIL held; the codes
# are found without it.

def string_codes(
    chunks: Sequence[tuple[Any, Any, Any, int, int]],  # buffers (or None), offset, length
    large: bool,
) -> tuple[npt.NDArray[np.int8] | npt.NDArray[np.int16] | npt.NDArray[np.int32], list[str]]:
    """(codes, values): per row a code into the distinct values in first-appearance
    order (-1 at nulls); int8 below 127 values, int16 below 32767, else int32."""

def look_up_codes(
    codes: npt.NDArray[np.int8] | npt.NDArray[np.int16] | npt.NDArray[np.int32],
    table: npt.NDArray[np.bool_] | npt.NDArray[np.int8],
) -> npt.NDArray[Any]:
    """``table[codes]`` in one pass, ``table[-1]`` at code -1 (null); ``table``: bool or
    int8, one entry per value then one for null (ValueError for a code outside)."""

# --- the roll-out step (cpp/bindings/register_tiles.cpp) ----------------------
# The active rows, their tile starts and flight lengths and the kept columns are
# copied and validated with the GIL held; positions are read in place as values.
# advance_tiles writes defender and sigma in place (C-contiguous float64 only) and
# reads nothing it writes: replayed with the same arguments it writes the same values.

def tile_features(
    defender: npt.ArrayLike,
    receiver: npt.ArrayLike,
    flight_frames: npt.ArrayLike,
    catch: npt.ArrayLike,
    context: npt.ArrayLike,
    is_back: npt.ArrayLike | None,
    rows: npt.ArrayLike,
    start: npt.ArrayLike,
    horizon: int,
    history: int,
    columns: npt.ArrayLike,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(features (n_active, n_columns) column-major, velocity (n_active, 2))."""

def advance_tiles(
    defender: npt.NDArray[np.float64],
    sigma: npt.NDArray[np.float64],
    flight_frames: npt.ArrayLike,
    rows: npt.ArrayLike,
    start: npt.ArrayLike,
    base_sigma: npt.NDArray[np.float64],
    rel: npt.NDArray[np.float64],
    sig: npt.NDArray[np.float64],
    horizon: int,
    history: int,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """(end, last_sigma): write one tile's predictions into defender and sigma in place."""

"""Typed stubs of the private native module ``ghosting._core`` (use the public API)."""

from typing import Final

import numpy as np
import numpy.typing as npt

FIELD_LENGTH: Final[float]
FIELD_WIDTH: Final[float]

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
    v_max: float = 12.5,
    dt: float = 0.1,
    field_tolerance: float = 1.0,
) -> tuple[
    npt.NDArray[np.uint8],
    npt.NDArray[np.bool_],
    npt.NDArray[np.uint8],
    npt.NDArray[np.uint8],
]:
    """Flag samples and decide what to keep: (flags, keep, track_reasons, play_reasons)."""

# --- scoring (cpp/bindings/register_scoring.cpp) -----------------------------
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
    v_max: float = 12.5,
    dt: float = 0.1,
    penalty: float = 0.5,
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
    radius: float = 10.0,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(weight per trajectory, score per play)."""

def model_score(ts: npt.ArrayLike) -> float:
    """Mean of the finite trajectory scores (NaN if none)."""

def feasibility(
    xy: npt.ArrayLike,
    offsets: npt.ArrayLike,
    v_max: float = 12.5,
    dt: float = 0.1,
    off_field_tolerance: float = 0.0,
) -> tuple[
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
]:
    """(max_speed, max_accel, n_long_steps, n_off_field, n_nonfinite) per trajectory."""

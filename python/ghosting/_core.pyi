"""Typed stubs of the private native module ``ghosting._core`` (use the public API)."""

from typing import Final

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

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
    field_tolerance: float = 0.0,
) -> tuple[
    npt.NDArray[np.uint8],
    npt.NDArray[np.bool_],
    npt.NDArray[np.uint8],
    npt.NDArray[np.uint8],
]:
    """Flag samples and decide what to keep: (flags, keep, track_reasons, play_reasons)."""

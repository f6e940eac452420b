"""Plain numpy reference of the C++ cleaning kernel (``_core.clean_tracks``).

The property tests compare the kernel with it exactly, and the benchmarks use it
as the numpy baseline. It follows DESIGN section 4 rule by rule, vectorised over
the whole batch, with nothing borrowed from the kernel.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FIELD_LENGTH = 120.0
FIELD_WIDTH = 160.0 / 3.0

NON_FINITE = 1
OFF_FIELD = 2
OVER_SPEED = 4
LONG_STEP = 8
FRAME_GAP = 16
DUPLICATE_FRAME = 32
REASONS = {
    "NON_FINITE": NON_FINITE,
    "OFF_FIELD": OFF_FIELD,
    "OVER_SPEED": OVER_SPEED,
    "LONG_STEP": LONG_STEP,
    "FRAME_GAP": FRAME_GAP,
    "DUPLICATE_FRAME": DUPLICATE_FRAME,
}
BALL_REASONS = NON_FINITE | FRAME_GAP | DUPLICATE_FRAME


def _segment_or(values: npt.NDArray[np.uint8], offsets: npt.NDArray[np.int64]) -> np.ndarray:
    """OR of ``values`` over each segment [offsets[i], offsets[i+1]); 0 for empty ones."""
    out = np.zeros(len(offsets) - 1, dtype=np.uint8)
    starts = offsets[:-1]
    nonempty = np.flatnonzero(offsets[1:] > starts)
    if len(nonempty):
        out[nonempty] = np.bitwise_or.reduceat(values, starts[nonempty])
    return out


def clean_tracks_reference(
    x,
    y,
    s,
    frame_id,
    track_offsets,
    play_offsets,
    is_player,
    in_window,
    *,
    policy: str = "play",
    v_max: float = 12.5,
    dt: float = 0.1,
    field_tolerance: float = 1.0,
):
    """Return (flags, keep, track_reasons, play_reasons) like ``_core.clean_tracks``."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    s = np.asarray(s, dtype=np.float64)
    frame = np.asarray(frame_id).astype(np.int64)
    track_offsets = np.asarray(track_offsets, dtype=np.int64)
    play_offsets = np.asarray(play_offsets, dtype=np.int64)
    is_player = np.asarray(is_player).astype(bool)
    window = np.asarray(in_window).astype(bool)

    n_tracks = len(track_offsets) - 1
    track_of_sample = np.repeat(np.arange(n_tracks), np.diff(track_offsets))

    tol = field_tolerance
    with np.errstate(invalid="ignore"):
        non_finite = ~(np.isfinite(x) & np.isfinite(y))
        off_field = (x < -tol) | (x > FIELD_LENGTH + tol) | (y < -tol) | (y > FIELD_WIDTH + tol)
        over_speed = s > v_max
        dx = x[1:] - x[:-1]
        dy = y[1:] - y[:-1]
        step_max = v_max * dt
        long_step = dx * dx + dy * dy > step_max * step_max
    frame_step = frame[1:] - frame[:-1]
    duplicate = frame_step == 0
    gap = (frame_step != 1) & ~duplicate
    same_track = track_of_sample[1:] == track_of_sample[:-1]

    flags = (non_finite * NON_FINITE | off_field * OFF_FIELD | over_speed * OVER_SPEED).astype(
        np.uint8
    )
    step_flags = (
        long_step * LONG_STEP | gap * FRAME_GAP | duplicate * DUPLICATE_FRAME
    ) * same_track
    flags[1:] |= step_flags.astype(np.uint8)
    allowed = np.where(is_player, 0xFF, BALL_REASONS).astype(np.uint8)
    flags &= allowed[track_of_sample]

    in_window_flags = np.where(window, flags, 0).astype(np.uint8)
    track_reasons = _segment_or(in_window_flags, track_offsets)
    play_reasons = _segment_or(track_reasons, play_offsets)

    if policy == "play":
        play_of_track = np.repeat(np.arange(len(play_offsets) - 1), np.diff(play_offsets))
        keep = play_reasons[play_of_track][track_of_sample] == 0
    elif policy == "track":
        keep = track_reasons[track_of_sample] == 0
    elif policy == "sample":
        keep = in_window_flags == 0
    else:
        raise ValueError(f"unknown policy {policy!r}")
    return flags, keep, track_reasons, play_reasons

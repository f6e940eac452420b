"""A plain numpy reference of the C++ cleaning kernel (``_core.clean_tracks``).

The property tests compare the kernel with it exactly
(``tests/test_cleaning_kernel.py``), and it is the numpy baseline of
``bench/test_bench_cleaning.py``. It follows docs/cleaning.md rule by rule,
vectorised over the whole batch, with nothing borrowed from the kernel: its reason
bits are written here (a test checks them against ``_core.CLEANING_REASONS``).

>>> import numpy as np
>>> flags, keep, _, _ = clean_tracks(
...     np.array([10.0, 10.5, 30.0]), np.array([5.0, 5.0, 5.0]), np.zeros(3),
...     np.array([1, 2, 3], np.int32), np.array([0, 3]), np.array([0, 1]),
...     np.array([1], np.uint8), np.ones(3, bool))
>>> flags.tolist(), keep.tolist()
([0, 0, 8], [False, False, False])
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .cleaning import FIELD_TOLERANCE
from .schema import DT, FIELD_LENGTH, FIELD_WIDTH, V_MAX

__all__ = ["clean_tracks", "REASONS", "BALL_REASONS"]

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


def clean_tracks(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    s: npt.ArrayLike,
    frame_id: npt.ArrayLike,
    track_offsets: npt.ArrayLike,
    play_offsets: npt.ArrayLike,
    is_player: npt.ArrayLike,
    in_window: npt.ArrayLike,
    *,
    policy: str = "play",
    v_max: float = V_MAX,
    dt: float = DT,
    field_tolerance: float = FIELD_TOLERANCE,
) -> tuple[
    npt.NDArray[np.uint8], npt.NDArray[np.bool_], npt.NDArray[np.uint8], npt.NDArray[np.uint8]
]:
    """Return (flags, keep, track_reasons, play_reasons) like ``_core.clean_tracks``.

    ``flags`` holds each sample's reasons (bits of :data:`REASONS`), ``keep`` what
    the ``policy`` keeps, ``track_reasons`` and ``play_reasons`` the OR of the
    flags inside the analysed window (``in_window``) per track and per play.
    """
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

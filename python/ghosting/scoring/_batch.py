"""Trajectories as the scoring kernels take them: one flat batch cut by offsets.

The wrappers (:mod:`~ghosting.scoring.trajectory_score`,
:mod:`~ghosting.scoring.feasibility`) take trajectories as one ``(T + 1, 2)`` array,
a padded batch ``(N, L, 2)`` with optional ``lengths`` (trajectory i is
``xy[i, :lengths[i]]``), or a flat ``(n_samples, 2)`` array with ``offsets``
(``N + 1`` int64, trajectory i spans samples ``offsets[i]:offsets[i + 1]``) — the
layout of the C++ core. :func:`flatten` turns any of them into the last; the other
helpers check the arguments and name the bad one in an
:class:`~ghosting.errors.InputError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._util import integers
from ..errors import InputError

__all__ = [
    "numbers", "flatten", "segments", "check_choice", "number", "native"
]


def numbers(value: Any, name: str) -> np.ndarray:
    """``value`` as float64; strings, booleans and complex numbers are errors (numpy
    would parse, reinterpret or truncate them silently)."""
    raw = value if isinstance(value, np.ndarray) else np.asarray(value)
    if raw.dtype.kind in "USbc":
        raise InputError(f"{name}: not an array of numbers (dtype {raw.dtype})")
    try:
        return np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name}: not an array of numbers ({exc})") from exc


def flatten(
    xy: Any, lengths: Any, offsets: Any, name: str
) -> tuple[np.ndarray, np.ndarray, bool, tuple[int, ...]]:
    """Return (flat (n, 2) float64, offsets int64, single, original shape)."""
    arr = numbers(xy, name)
    if arr.ndim < 2 or arr.shape[-1] != 2:
        raise InputError(f"{name}: expected shape (T+1, 2) or (N, T+1, 2), got {arr.shape}")
    if offsets is not None:
        if lengths is not None:
            raise InputError("give either lengths (padded batch) or offsets (flat batch), not both")
        if arr.ndim != 2:
            raise InputError(
                f"{name}: with offsets, expected shape (n_samples, 2), got {arr.shape}"
            )
        off = integers(offsets, "offsets")
        if off.ndim != 1 or len(off) < 1 or off[0] != 0 or off[-1] != len(arr):
            raise InputError(
                f"offsets: expected N + 1 values from 0 to {len(arr)}, got {off[:3]}...{off[-1:]}"
            )
        if np.any(np.diff(off) < 1):
            raise InputError("offsets: every trajectory needs at least one sample")
        return np.ascontiguousarray(arr), off, False, arr.shape
    if arr.ndim == 2:
        if lengths is not None:
            raise InputError(f"{name}: lengths needs a padded batch of shape (N, L, 2)")
        if len(arr) == 0:
            raise InputError(f"{name}: a trajectory needs at least one sample")
        return np.ascontiguousarray(arr), np.array([0, len(arr)], np.int64), True, arr.shape
    if arr.ndim != 3:
        raise InputError(f"{name}: expected shape (T+1, 2) or (N, T+1, 2), got {arr.shape}")
    n, width = arr.shape[:2]
    if lengths is None:
        if width == 0 and n > 0:
            raise InputError(f"{name}: a trajectory needs at least one sample")
        flat = np.ascontiguousarray(arr).reshape(n * width, 2)
        return flat, np.arange(n + 1, dtype=np.int64) * width, False, arr.shape
    lens = np.asarray(lengths)
    if lens.shape != (n,) or not np.issubdtype(lens.dtype, np.integer):
        raise InputError(f"lengths: expected {n} integers, got shape {lens.shape} {lens.dtype}")
    if n and (lens.min() < 1 or lens.max() > width):
        raise InputError(f"lengths: every length must lie in [1, {width}]")
    mask = np.arange(width)[None, :] < lens[:, None]
    off = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lens, out=off[1:])
    return np.ascontiguousarray(arr[mask]), off, False, arr.shape


def check_choice(value: str, choices: Sequence[str], name: str) -> None:
    """An InputError naming ``name`` unless ``value`` is one of ``choices``."""
    if value not in choices:
        raise InputError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")


def number(value: Any, name: str) -> float:
    """``value`` as a float, or an InputError naming the parameter."""
    try:
        return float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number, got {value!r}") from None


def native(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)``, the core's ValueError turned into an InputError."""
    try:
        return fn(*args, **kwargs)
    except ValueError as exc:  # the core's validation (std::invalid_argument)
        raise InputError(str(exc)) from exc


def segments(offsets: Any) -> tuple[int, np.ndarray, np.ndarray]:
    """``(n, lengths, segment of each sample)`` of ``n + 1`` offsets.

    >>> n, lengths, of_sample = segments([0, 2, 3])
    >>> n, lengths.tolist(), of_sample.tolist()
    (2, [2, 1], [0, 0, 1])
    """
    offsets = np.asarray(offsets, dtype=np.int64)
    n = len(offsets) - 1
    lengths = np.diff(offsets)
    return n, lengths, np.repeat(np.arange(n), lengths)

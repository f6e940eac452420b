"""A plain numpy reference of the feasibility kernel (``_core.feasibility``).

Written from the definitions in ``cpp/include/ghosting/feasibility.hpp``, vectorised
over a flat batch, with nothing borrowed from the C++ core: the property tests
compare the kernel with it (``tests/test_feasibility.py``) and it is the numpy
baseline of ``bench/test_bench_feasibility.py``.

>>> import numpy as np
>>> max_speed, *_ = feasibility(np.array([[10.0, 10.0], [10.5, 10.0]]), np.array([0, 2]))
>>> float(max_speed[0])
5.0
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ..schema import DT, FIELD_LENGTH, FIELD_WIDTH, V_MAX
from ._batch import segments
from .feasibility import OFF_FIELD_TOLERANCE

__all__ = ["feasibility"]


def _norm(v: np.ndarray) -> np.ndarray:
    """Euclidean length of each row of ``v`` (n, 2)."""
    return np.sqrt(v[:, 0] * v[:, 0] + v[:, 1] * v[:, 1])


@np.errstate(invalid="ignore", divide="ignore")
def feasibility(
    xy: npt.ArrayLike,
    offsets: npt.ArrayLike,
    *,
    v_max: float = V_MAX,
    dt: float = DT,
    off_field_tolerance: float = OFF_FIELD_TOLERANCE,
) -> tuple[
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
]:
    """(max_speed, max_accel, n_long_steps, n_off_field, n_nonfinite) per trajectory,
    like ``_core.feasibility``: the maxima are NaN when undefined or when the
    trajectory has a non-finite sample; the counts cover its finite samples."""
    p = np.asarray(xy, dtype=np.float64)
    offsets = np.asarray(offsets, dtype=np.int64)
    n, _, traj = segments(offsets)
    t = np.arange(len(p)) - offsets[:-1][traj]
    finite = np.isfinite(p[:, 0]) & np.isfinite(p[:, 1])
    tol = off_field_tolerance
    with np.errstate(invalid="ignore"):
        off = finite & (
            (p[:, 0] < -tol)
            | (p[:, 0] > FIELD_LENGTH + tol)
            | (p[:, 1] < -tol)
            | (p[:, 1] > FIELD_WIDTH + tol)
        )
    nonfinite = np.bincount(traj, weights=(~finite).astype(np.float64), minlength=n)
    off_field = np.bincount(traj, weights=off.astype(np.float64), minlength=n)
    # velocity at sample k (k >= 1): (P_k - P_{k-1}) / dt
    has_v = np.zeros(len(p), dtype=bool)
    has_v[1:] = (t[1:] >= 1) & finite[1:] & finite[:-1]
    v = np.zeros_like(p)
    v[1:] = (p[1:] - p[:-1]) * (1.0 / dt)
    step = np.zeros(len(p))
    step[1:] = _norm(p[1:] - p[:-1])
    idx_v = np.flatnonzero(has_v)
    long_steps = np.bincount(
        traj[idx_v], weights=(step[idx_v] > v_max * dt).astype(np.float64), minlength=n
    )
    speed = np.full(n, -1.0)
    np.maximum.at(speed, traj[idx_v], step[idx_v] * (1.0 / dt))
    has_a = np.zeros(len(p), dtype=bool)
    has_a[1:] = has_v[1:] & has_v[:-1]
    idx_a = np.flatnonzero(has_a)
    accel = np.full(n, -1.0)
    np.maximum.at(accel, traj[idx_a], _norm(v[idx_a] - v[idx_a - 1]) * (1.0 / dt))
    clean = nonfinite == 0
    max_speed = np.where(clean & (speed >= 0), speed, np.nan)
    max_accel = np.where(clean & (accel >= 0), accel, np.nan)
    return (
        max_speed,
        max_accel,
        long_steps.astype(np.int64),
        off_field.astype(np.int64),
        nonfinite.astype(np.int64),
    )

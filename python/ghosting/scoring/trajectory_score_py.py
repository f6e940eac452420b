"""A plain numpy reference of the Trajectory Score kernels (docs/trajectory_score.md).

Written straight from the definitions, vectorised over a flat batch (no loop per
trajectory), with nothing borrowed from the C++ core: the property tests compare
the kernels with it (``tests/test_trajectory_score.py``) and it is the numpy
baseline of ``bench/test_bench_trajectory_score.py``. Same arguments and results as
``_core.trajectory_score`` and ``_core.play_scores``: flat ``(n_samples, 2)``
float64 arrays cut by ``n + 1`` int64 offsets.

>>> import numpy as np
>>> d = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]])
>>> r = np.array([[10.0, 0.0]] * 3)
>>> ps, dr, sp, ts = trajectory_score(d, r, np.array([0, 3]))
>>> float(ps[0]), float(sp[0])
(-1.0, 0.0)
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ..schema import DT, V_MAX
from ._batch import segments
from .trajectory_score import DEFAULT_PENALTY, DEFAULT_RADIUS

__all__ = ["trajectory_score", "play_scores"]

_Array = npt.NDArray[np.float64]


def _norm(v: np.ndarray) -> np.ndarray:
    """Euclidean length of each row of ``v`` (n, 2)."""
    return np.sqrt(v[:, 0] * v[:, 0] + v[:, 1] * v[:, 1])


@np.errstate(invalid="ignore", divide="ignore")
def trajectory_score(
    defender_xy: npt.ArrayLike,
    receiver_xy: npt.ArrayLike,
    offsets: npt.ArrayLike,
    *,
    weights: str = "uniform",
    reference: str = "catch_point",
    v_max: float = V_MAX,
    dt: float = DT,
    penalty: float = DEFAULT_PENALTY,
) -> tuple[_Array, _Array, _Array, _Array]:
    """(PS, DR, SP, TS) per trajectory, like ``_core.trajectory_score``.

    NaN for a trajectory of one sample (PS, TS) or with a non-finite coordinate
    of the defender or the receiver (all four).
    """
    d = np.asarray(defender_xy, dtype=np.float64)
    r = np.asarray(receiver_xy, dtype=np.float64)
    offsets = np.asarray(offsets, dtype=np.int64)
    n, lengths, traj = segments(offsets)
    starts, last = offsets[:-1], offsets[1:] - 1
    t = np.arange(len(d)) - starts[traj]
    catch = r[last]
    c = catch[traj] if reference == "catch_point" else r
    with np.errstate(invalid="ignore"):
        dist = _norm(d - c)
        step_all = _norm(d[1:] - d[:-1])
    idx = np.flatnonzero(t >= 1)
    step = step_all[idx - 1]
    w = np.ones(len(idx)) if weights == "uniform" else t[idx].astype(np.float64)
    straj = traj[idx]
    step_max = v_max * dt
    sum_w = np.bincount(straj, weights=w, minlength=n)
    sum_wd = np.bincount(straj, weights=w * (dist[idx] - dist[idx - 1]), minlength=n)
    actual = np.bincount(straj, weights=step, minlength=n)
    sp = np.bincount(straj, weights=(step > step_max).astype(np.float64), minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        ps = np.where(sum_w > 0, sum_wd / np.where(sum_w > 0, sum_w, 1.0), np.nan)
        optimal = np.minimum(_norm(catch - d[starts]), step_max * (lengths - 1))
        total = optimal + actual
        dr = np.where(total > 0, 1.0 - np.abs(optimal - actual) / total, 1.0)
        ts = np.where(ps <= 0, ps * dr, ps * (2.0 - dr)) + penalty * sp
    bad_sample = ~(np.isfinite(d).all(axis=1) & np.isfinite(r).all(axis=1))
    bad = np.bincount(traj, weights=bad_sample.astype(np.float64), minlength=n) > 0
    ps, dr, sp_out, ts = (np.where(bad, np.nan, a).astype(np.float64) for a in (ps, dr, sp, ts))
    return ps, dr, sp_out, ts


@np.errstate(invalid="ignore", divide="ignore")
def play_scores(
    defender_xy: npt.ArrayLike,
    receiver_xy: npt.ArrayLike,
    offsets: npt.ArrayLike,
    ts: npt.ArrayLike,
    play_offsets: npt.ArrayLike,
    radius: float = DEFAULT_RADIUS,
) -> tuple[_Array, _Array]:
    """(weight per trajectory, play score per play), like ``_core.play_scores``.

    ``w_i = exp(-|D_i(0) - R_i(0)| / radius)``; a play's score is the weighted mean
    of its trajectories' finite TS with a finite weight (NaN when none).
    """
    d = np.asarray(defender_xy, dtype=np.float64)
    r = np.asarray(receiver_xy, dtype=np.float64)
    starts = np.asarray(offsets, dtype=np.int64)[:-1]
    ts = np.asarray(ts, dtype=np.float64)
    d0 = _norm(d[starts] - r[starts])
    weight = np.where(np.isfinite(d0), np.exp(-d0 / radius), np.nan)
    n_plays, _, play = segments(play_offsets)
    ok = np.isfinite(ts) & np.isfinite(weight)
    sum_w = np.bincount(play[ok], weights=weight[ok], minlength=n_plays)
    sum_wts = np.bincount(play[ok], weights=weight[ok] * ts[ok], minlength=n_plays)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(sum_w > 0, sum_wts / sum_w, np.nan)
    return weight, score

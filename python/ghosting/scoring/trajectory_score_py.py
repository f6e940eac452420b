"""Plain numpy reference implementations of the scoring kernels (DESIGN section 5).

Written straight from the definitions, vectorised over a flat batch (no loop per
trajectory) so they double as the baseline in ``bench/test_bench_scoring.py``.
Layout as in the C++ core: flat ``(n_samples, 2)`` float64 arrays cut by
``n + 1`` int64 offsets. Importable by other modules' tests::

    from scoring_reference import reference_trajectory_score
"""

from __future__ import annotations

import numpy as np

FIELD_LENGTH = 120.0
FIELD_WIDTH = 160.0 / 3.0


def _segments(offsets: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    offsets = np.asarray(offsets, dtype=np.int64)
    n = len(offsets) - 1
    lengths = np.diff(offsets)
    traj = np.repeat(np.arange(n), lengths)
    return n, lengths, traj


def _norm(v: np.ndarray) -> np.ndarray:
    return np.sqrt(v[:, 0] * v[:, 0] + v[:, 1] * v[:, 1])


@np.errstate(invalid="ignore", divide="ignore")
def reference_trajectory_score(
    defender_xy: np.ndarray,
    receiver_xy: np.ndarray,
    offsets: np.ndarray,
    *,
    weights: str = "uniform",
    reference: str = "catch_point",
    v_max: float = 12.5,
    dt: float = 0.1,
    penalty: float = 0.5,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(PS, DR, SP, TS) per trajectory, NaN for T = 0 (PS, TS) or non-finite input (all)."""
    d = np.asarray(defender_xy, dtype=np.float64)
    r = np.asarray(receiver_xy, dtype=np.float64)
    offsets = np.asarray(offsets, dtype=np.int64)
    n, lengths, traj = _segments(offsets)
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
    ps, dr, sp, ts = (np.where(bad, np.nan, a).astype(np.float64) for a in (ps, dr, sp, ts))
    return ps, dr, sp, ts


@np.errstate(invalid="ignore", divide="ignore")
def reference_play_scores(
    defender_xy: np.ndarray,
    receiver_xy: np.ndarray,
    offsets: np.ndarray,
    ts: np.ndarray,
    play_offsets: np.ndarray,
    radius: float = 10.0,
) -> tuple[np.ndarray, np.ndarray]:
    """(weight per trajectory, play score per play), w_i = exp(-|D_i(0) - R_i(0)| / r)."""
    d = np.asarray(defender_xy, dtype=np.float64)
    r = np.asarray(receiver_xy, dtype=np.float64)
    starts = np.asarray(offsets, dtype=np.int64)[:-1]
    ts = np.asarray(ts, dtype=np.float64)
    d0 = _norm(d[starts] - r[starts])
    weight = np.where(np.isfinite(d0), np.exp(-d0 / radius), np.nan)
    n_plays, _, play = _segments(play_offsets)
    ok = np.isfinite(ts) & np.isfinite(weight)
    sum_w = np.bincount(play[ok], weights=weight[ok], minlength=n_plays)
    sum_wts = np.bincount(play[ok], weights=weight[ok] * ts[ok], minlength=n_plays)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(sum_w > 0, sum_wts / sum_w, np.nan)
    return weight, score


@np.errstate(invalid="ignore", divide="ignore")
def reference_feasibility(
    xy: np.ndarray,
    offsets: np.ndarray,
    *,
    v_max: float = 12.5,
    dt: float = 0.1,
    off_field_tolerance: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(max_speed, max_accel, n_long_steps, n_off_field, n_nonfinite) per trajectory."""
    p = np.asarray(xy, dtype=np.float64)
    offsets = np.asarray(offsets, dtype=np.int64)
    n, _, traj = _segments(offsets)
    t = np.arange(len(p)) - offsets[:-1][traj]
    finite = np.isfinite(p).all(axis=1)
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

"""The Trajectory Score and kinematic feasibility of trajectories given as arrays.

Thin wrappers over the C++ kernels (docs/trajectory_score.md); they score any
trajectories, real, predicted or hypothetical:

- :func:`trajectory_score` -> :class:`TrajectoryScores` (PS, DR, SP, TS),
- :func:`play_scores` and :func:`model_score` aggregate them,
- :func:`feasibility` -> :class:`Feasibility` (max speed, max acceleration,
  superhuman steps, samples off the field),
- :func:`random_replacement` builds the published sanity check (a random share
  of trajectories replaced by random-direction, random-speed runs).

Trajectories are given as one ``(T + 1, 2)`` array, a padded batch ``(N, L, 2)``
with optional ``lengths`` (trajectory i is ``xy[i, :lengths[i]]``), or a flat
``(n_samples, 2)`` array with ``offsets`` (``N + 1`` int64, trajectory i spans
samples ``offsets[i]:offsets[i + 1]``) — the layout of the C++ core.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _core
from ..errors import InputError
from ..schema import DT, V_MAX

__all__ = [
    "TrajectoryScores",
    "Feasibility",
    "trajectory_score",
    "play_scores",
    "model_score",
    "feasibility",
    "random_replacement",
    "DEFAULT_PENALTY",
    "DEFAULT_RADIUS",
]

DEFAULT_PENALTY = 0.5
DEFAULT_RADIUS = 10.0
_WEIGHTS = ("uniform", "linear")
_REFERENCES = ("catch_point", "receiver")


@dataclass(frozen=True)
class TrajectoryScores:
    """The four Trajectory Score components, per trajectory.

    Arrays of shape ``(N,)`` for a batch, Python floats for one trajectory.
    ``ps``: positional convergence (yd/frame, negative = closing in on the
    reference point); ``dr``: distance ratio in [0, 1] (1 = best-effort
    distance); ``sp``: number of superhuman steps (float so it can be NaN);
    ``ts``: the Trajectory Score (more negative is better).
    A trajectory of one sample has ``ps = ts = NaN``, ``dr = 1``, ``sp = 0``;
    a trajectory with a non-finite coordinate (defender or receiver) is NaN in
    all four.
    """

    ps: Any
    dr: Any
    sp: Any
    ts: Any


@dataclass(frozen=True)
class Feasibility:
    """Kinematic feasibility, per trajectory (arrays, or scalars for one trajectory).

    ``max_speed`` (yd/s) and ``max_accel`` (yd/s², from finite differences of
    positions) are NaN when undefined (fewer than 2 or 3 samples) or when the
    trajectory has a non-finite sample; ``n_long_steps`` counts steps longer
    than ``v_max * dt``, ``n_off_field`` finite samples off the field (beyond the
    tolerance), ``n_nonfinite`` samples with a NaN or infinite coordinate.
    """

    max_speed: Any
    max_accel: Any
    n_long_steps: Any
    n_off_field: Any
    n_nonfinite: Any


# --------------------------------------------------------------------------- layout


def _numbers(value: Any, name: str) -> np.ndarray:
    """``value`` as float64; strings, booleans and complex numbers are errors (numpy
    would parse, reinterpret or truncate them silently)."""
    raw = value if isinstance(value, np.ndarray) else np.asarray(value)
    if raw.dtype.kind in "USbc":
        raise InputError(f"{name}: not an array of numbers (dtype {raw.dtype})")
    try:
        return np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name}: not an array of numbers ({exc})") from exc


def _integers(value: Any, name: str) -> np.ndarray:
    """``value`` as contiguous int64; anything but integers is an error (no truncation)."""
    raw = np.asarray(value)
    if raw.dtype.kind not in "iu" and not (raw.size == 0 and raw.dtype.kind == "f"):
        raise InputError(f"{name}: expected integers, got dtype {raw.dtype}")
    return np.ascontiguousarray(raw, dtype=np.int64)


def _flatten(
    xy: Any, lengths: Any, offsets: Any, name: str
) -> tuple[np.ndarray, np.ndarray, bool, tuple[int, ...]]:
    """Return (flat (n, 2) float64, offsets int64, single, original shape)."""
    arr = _numbers(xy, name)
    if arr.ndim < 2 or arr.shape[-1] != 2:
        raise InputError(f"{name}: expected shape (T+1, 2) or (N, T+1, 2), got {arr.shape}")
    if offsets is not None:
        if lengths is not None:
            raise InputError("give either lengths (padded batch) or offsets (flat batch), not both")
        if arr.ndim != 2:
            raise InputError(
                f"{name}: with offsets, expected shape (n_samples, 2), got {arr.shape}"
            )
        off = _integers(offsets, "offsets")
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


def _check_choice(value: str, choices: Sequence[str], name: str) -> None:
    if value not in choices:
        raise InputError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")


def _number(value: Any, name: str) -> float:
    """``value`` as a float, or an InputError naming the parameter."""
    try:
        return float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number, got {value!r}") from None


def _native(fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except ValueError as exc:  # the core's validation (std::invalid_argument)
        raise InputError(str(exc)) from exc


# --------------------------------------------------------------------------- arrays


def trajectory_score(
    defender_xy: Any,
    receiver_xy: Any,
    *,
    lengths: Any = None,
    offsets: Any = None,
    reference: str = "catch_point",
    weights: str = "uniform",
    v_max: float = V_MAX,
    dt: float = DT,
    penalty: float = DEFAULT_PENALTY,
) -> TrajectoryScores:
    """Score defender trajectories against the targeted receiver (docs/trajectory_score.md).

    ``defender_xy`` and ``receiver_xy`` hold the same frames (t = 0 at pass
    forward, T at arrival) in yards, in one of the layouts of this module. The
    reference point is the catch point ``R_T`` (default) or the moving receiver
    ``R_t`` (``reference="receiver"``); ``weights`` is ``"uniform"`` or
    ``"linear"`` (w_t = t); a step longer than ``v_max * dt`` adds ``penalty``.

    >>> import numpy as np, ghosting
    >>> d = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]])   # runs at the receiver
    >>> r = np.array([[10.0, 0.0]] * 3)                     # standing still
    >>> s = ghosting.trajectory_score(d, r)
    >>> round(s.ps, 3), round(s.dr, 3), s.sp, round(s.ts, 3)
    (-1.0, 0.889, 0.0, -0.889)
    """
    _check_choice(weights, _WEIGHTS, "weights")
    _check_choice(reference, _REFERENCES, "reference")
    d, off, single, shape = _flatten(defender_xy, lengths, offsets, "defender_xy")
    r, _, _, rshape = _flatten(receiver_xy, lengths, offsets, "receiver_xy")
    if rshape != shape:
        raise InputError(f"receiver_xy has shape {rshape}, defender_xy {shape}: they must match")
    ps, dr, sp, ts = _native(
        _core.trajectory_score,
        d,
        r,
        off,
        weights,
        reference,
        _number(v_max, "v_max"),
        _number(dt, "dt"),
        _number(penalty, "penalty"),
    )
    if single:
        return TrajectoryScores(float(ps[0]), float(dr[0]), float(sp[0]), float(ts[0]))
    return TrajectoryScores(ps, dr, sp, ts)


def play_scores(
    defender_xy: Any,
    receiver_xy: Any,
    ts: Any,
    play_offsets: Any,
    *,
    lengths: Any = None,
    offsets: Any = None,
    radius: float = DEFAULT_RADIUS,
) -> tuple[np.ndarray, np.ndarray]:
    """Distance-weighted play scores: ``(weight per trajectory, score per play)``.

    Trajectories of a play are contiguous; ``play_offsets`` (``n_plays + 1``) cuts
    the ``N`` trajectories into plays. A defender's weight is
    ``exp(-d(0) / radius)``, d(0) its distance to the targeted receiver at pass
    forward; a play's score is the weighted mean of its finite TS (NaN if none).

    >>> import numpy as np, ghosting
    >>> d = np.array([[[0.0, 0.0], [1.0, 0.0]], [[20.0, 0.0], [20.0, 1.0]]])
    >>> r = np.full_like(d, 10.0)
    >>> s = ghosting.trajectory_score(d, r)
    >>> w, score = ghosting.scoring.play_scores(d, r, s.ts, [0, 2])
    >>> score.shape
    (1,)
    """
    d, off, single, shape = _flatten(defender_xy, lengths, offsets, "defender_xy")
    r, _, _, rshape = _flatten(receiver_xy, lengths, offsets, "receiver_xy")
    if rshape != shape:
        raise InputError(f"receiver_xy has shape {rshape}, defender_xy {shape}: they must match")
    ts_arr = np.atleast_1d(_numbers(ts, "ts"))
    play_off = _integers(play_offsets, "play_offsets")
    return _native(_core.play_scores, d, r, off, ts_arr, play_off, _number(radius, "radius"))


def model_score(ts: Any) -> float:
    """The model score: mean of the finite trajectory scores (NaN if none).

    >>> model_score([-0.5, 0.1, float("nan")])
    -0.2
    """
    return float(_native(_core.model_score, np.atleast_1d(_numbers(ts, "ts"))))


def feasibility(
    xy: Any,
    lengths: Any = None,
    *,
    offsets: Any = None,
    v_max: float = V_MAX,
    dt: float = DT,
    off_field_tolerance: float = 0.0,
) -> Feasibility:
    """Kinematic feasibility of trajectories (any layout of this module).

    >>> import numpy as np, ghosting
    >>> f = ghosting.feasibility(np.array([[10.0, 10.0], [10.5, 10.0], [13.0, 10.0]]))
    >>> f.max_speed, f.n_long_steps
    (25.0, 1)
    """
    p, off, single, _ = _flatten(xy, lengths, offsets, "xy")
    out = _native(
        _core.feasibility,
        p,
        off,
        _number(v_max, "v_max"),
        _number(dt, "dt"),
        _number(off_field_tolerance, "off_field_tolerance"),
    )
    if single:
        return Feasibility(float(out[0][0]), float(out[1][0]), *(int(a[0]) for a in out[2:]))
    return Feasibility(*out)


def random_replacement(
    defender_xy: Any,
    *,
    lengths: Any = None,
    offsets: Any = None,
    fraction: float = 0.25,
    seed: int = 0,
    dt: float = DT,
) -> tuple[np.ndarray, np.ndarray]:
    """Replace a random share of trajectories by random straight runs (the paper's check).

    ``round(fraction * N)`` trajectories, chosen with ``numpy.random.default_rng(seed)``,
    keep their start point but run in a uniformly random direction at a constant
    speed drawn uniformly from ``[0, mean speed of that trajectory]`` (its path
    length over its duration). Returns ``(new_xy, replaced)``: ``new_xy`` in the
    input's layout and shape (padding is filled too), ``replaced`` a bool ``(N,)``.

    >>> import numpy as np
    >>> xy = np.cumsum(np.ones((8, 11, 2)), axis=1)
    >>> new, replaced = random_replacement(xy, seed=1)
    >>> int(replaced.sum()), new.shape
    (2, (8, 11, 2))
    """
    if not 0.0 <= _number(fraction, "fraction") <= 1.0:
        raise InputError(f"fraction must lie in [0, 1], got {fraction}")
    p, off, single, shape = _flatten(defender_xy, lengths, offsets, "defender_xy")
    if single:
        raise InputError("random_replacement needs a batch of trajectories")
    n = len(off) - 1
    rng = np.random.default_rng(seed)
    replaced = np.zeros(n, dtype=bool)
    replaced[rng.choice(n, size=int(round(fraction * n)), replace=False)] = True
    angle = rng.uniform(0.0, 2.0 * np.pi, size=n)
    unit = rng.uniform(0.0, 1.0, size=n)
    lens = np.diff(off)
    traj = np.repeat(np.arange(n), lens)
    step = np.zeros(len(p))
    step[1:] = np.hypot(*(p[1:] - p[:-1]).T)
    step[off[:-1]] = 0.0
    path = np.bincount(traj, weights=step, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_speed = np.where(lens > 1, path / ((lens - 1) * dt), 0.0)
    speed = unit * mean_speed
    velocity = speed[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    if offsets is None and len(shape) == 3:  # padded (N, L, 2): rewrite whole rows
        arr = np.array(defender_xy, dtype=np.float64, copy=True)
        t = np.arange(shape[1], dtype=np.float64)[None, :, None] * dt
        runs = arr[:, :1, :] + t * velocity[:, None, :]
        arr[replaced] = runs[replaced]
        return arr, replaced
    t = (np.arange(len(p)) - off[:-1][traj]) * dt
    runs = p[off[:-1]][traj] + t[:, None] * velocity[traj]
    out = p.copy()
    rows = replaced[traj]
    out[rows] = runs[rows]
    return out, replaced

"""The Trajectory Score of trajectories given as arrays (docs/trajectory_score.md).

Thin wrappers over the C++ kernels (``_core.trajectory_score``, ``play_scores``,
``model_score``); they score any trajectories, real, predicted or hypothetical,
in any layout of :mod:`ghosting.scoring._batch`:

- :func:`trajectory_score` -> :class:`TrajectoryScores` (PS, DR, SP, TS),
- :func:`play_scores` and :func:`model_score` aggregate them,
- :func:`random_replacement` builds the published sanity check (a random share
  of trajectories replaced by random-direction, random-speed runs).

The numpy reference is :mod:`ghosting.scoring.trajectory_score_py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _core
from .._util import integers
from ..choices import REFERENCES, WEIGHTS, Reference, Weights
from ..errors import InputError
from ..schema import DT, V_MAX
from ._batch import check_choice, flatten, native, number, numbers

__all__ = [
    "TrajectoryScores",
    "trajectory_score",
    "play_scores",
    "model_score",
    "random_replacement",
    "DEFAULT_PENALTY",
    "DEFAULT_RADIUS",
]

#: Default lambda, added to the score per superhuman step (``_core``'s default).
DEFAULT_PENALTY: float = _core.PENALTY
#: Default radius (yd) of the play score's weight ``exp(-d(0) / radius)``.
DEFAULT_RADIUS: float = _core.RADIUS


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


def trajectory_score(
    defender_xy: Any,
    receiver_xy: Any,
    *,
    lengths: Any = None,
    offsets: Any = None,
    reference: Reference = "catch_point",
    weights: Weights = "uniform",
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
    check_choice(weights, WEIGHTS, "weights")
    check_choice(reference, REFERENCES, "reference")
    d, off, single, shape = flatten(defender_xy, lengths, offsets, "defender_xy")
    r, _, _, rshape = flatten(receiver_xy, lengths, offsets, "receiver_xy")
    if rshape != shape:
        raise InputError(f"receiver_xy has shape {rshape}, defender_xy {shape}: they must match")
    ps, dr, sp, ts = native(
        _core.trajectory_score,
        d,
        r,
        off,
        weights,
        reference,
        number(v_max, "v_max"),
        number(dt, "dt"),
        number(penalty, "penalty"),
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
    d, off, single, shape = flatten(defender_xy, lengths, offsets, "defender_xy")
    r, _, _, rshape = flatten(receiver_xy, lengths, offsets, "receiver_xy")
    if rshape != shape:
        raise InputError(f"receiver_xy has shape {rshape}, defender_xy {shape}: they must match")
    ts_arr = np.atleast_1d(numbers(ts, "ts"))
    play_off = integers(play_offsets, "play_offsets")
    return native(_core.play_scores, d, r, off, ts_arr, play_off, number(radius, "radius"))


def model_score(ts: Any) -> float:
    """The model score: mean of the finite trajectory scores (NaN if none).

    >>> model_score([-0.5, 0.1, float("nan")])
    -0.2
    """
    return float(native(_core.model_score, np.atleast_1d(numbers(ts, "ts"))))


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
    if not 0.0 <= number(fraction, "fraction") <= 1.0:
        raise InputError(f"fraction must lie in [0, 1], got {fraction}")
    p, off, single, shape = flatten(defender_xy, lengths, offsets, "defender_xy")
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

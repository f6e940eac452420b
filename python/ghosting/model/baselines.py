"""The baselines every model figure is reported beside (docs/model.md).

Both take the defender's observed positions up to pass forward and return its
positions for the next ``T`` frames, batched over defenders and numpy-vectorised.

* :func:`constant_velocity` keeps the last observed velocity.
* :func:`pursuit` accelerates toward the receiver's current position, with speed
  and acceleration capped at human values (tuned on training games only).

>>> import numpy as np
>>> hist = np.array([[[0.0, 0.0], [0.5, 0.0], [1.0, 0.0]]])  # 5 yd/s along +x
>>> constant_velocity(hist, 2)[0].tolist()
[[1.5, 0.0], [2.0, 0.0]]
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError
from ..schema import DT

__all__ = ["constant_velocity", "pursuit", "PURSUIT_DEFAULTS"]

#: Speed (yd/s) and acceleration (yd/s^2) caps of :func:`pursuit`; the shipped model's
#: card records the values tuned on its training games.
PURSUIT_DEFAULTS = {"max_speed": 8.0, "max_accel": 6.0}


def _check_history(history_xy: np.ndarray) -> np.ndarray:
    h = np.asarray(history_xy, dtype=np.float64)
    if h.ndim != 3 or h.shape[2] != 2 or h.shape[1] < 2:
        raise InputError(f"history must have shape (N, k>=2, 2), got {h.shape}")
    return h


def constant_velocity(history_xy: np.ndarray, frames: int) -> np.ndarray:
    """Extrapolate each defender at its last observed velocity.

    Parameters
    ----------
    history_xy : (N, k, 2) observed positions, the last one at pass forward.
    frames : number of frames T to predict.

    Returns
    -------
    (N, T, 2) positions at frames 1..T after pass forward.

    >>> import numpy as np
    >>> constant_velocity(np.array([[[0.0, 0.0], [0.0, 1.0]]]), 1).tolist()
    [[[0.0, 2.0]]]
    """
    h = _check_history(history_xy)
    step = h[:, -1, :] - h[:, -2, :]
    t = np.arange(1, int(frames) + 1, dtype=np.float64)
    return h[:, -1, None, :] + step[:, None, :] * t[None, :, None]


def pursuit(
    history_xy: np.ndarray,
    receiver_xy: np.ndarray,
    *,
    max_speed: float = PURSUIT_DEFAULTS["max_speed"],
    max_accel: float = PURSUIT_DEFAULTS["max_accel"],
    dt: float = DT,
) -> np.ndarray:
    """Chase the receiver: accelerate toward its current position, speed and
    acceleration capped.

    At every step the defender wants to run at ``max_speed`` straight at the
    receiver; its velocity moves toward that wish by at most ``max_accel * dt``
    and its speed never exceeds ``max_speed``. It starts at its observed velocity.

    Parameters
    ----------
    history_xy : (N, k, 2) observed positions, the last one at pass forward.
    receiver_xy : (N, T, 2) the receiver's positions at frames 1..T after pass forward.

    Returns
    -------
    (N, T, 2) positions at frames 1..T.

    >>> import numpy as np
    >>> hist = np.array([[[0.0, 0.0], [0.0, 0.0]]])
    >>> rec = np.array([[[10.0, 0.0]] * 3])
    >>> out = pursuit(hist, rec, max_speed=8.0, max_accel=5.0)
    >>> bool(np.all(np.diff(out[0, :, 0]) > 0) and abs(out[0, -1, 1]) < 1e-12)
    True
    """
    h = _check_history(history_xy)
    r = np.asarray(receiver_xy, dtype=np.float64)
    if r.ndim != 3 or r.shape[0] != h.shape[0] or r.shape[2] != 2:
        raise InputError(f"receiver must have shape (N, T, 2) with N={h.shape[0]}, got {r.shape}")
    if max_speed <= 0 or max_accel <= 0:
        raise InputError("max_speed and max_accel must be positive")
    pos = h[:, -1, :].copy()
    vel = (h[:, -1, :] - h[:, -2, :]) / dt
    speed = np.hypot(vel[:, 0], vel[:, 1])
    over = speed > max_speed
    vel[over] *= (max_speed / speed[over])[:, None]
    out = np.empty_like(r)
    dv_max = max_accel * dt
    for t in range(r.shape[1]):
        to = r[:, t, :] - pos
        dist = np.hypot(to[:, 0], to[:, 1])
        want = to * (max_speed / np.maximum(dist, 1e-9))[:, None]
        want[dist < 1e-9] = 0.0
        dv = want - vel
        dvn = np.hypot(dv[:, 0], dv[:, 1])
        scale = np.minimum(1.0, dv_max / np.maximum(dvn, 1e-12))
        vel = vel + dv * scale[:, None]
        sp = np.hypot(vel[:, 0], vel[:, 1])
        over = sp > max_speed
        vel[over] *= (max_speed / sp[over])[:, None]
        pos = pos + vel * dt
        out[:, t, :] = pos
    return out

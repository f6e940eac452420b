"""Model inputs (GhostInputs) and features for the ghosting model, shared by training and inference.

Two steps, both numpy-vectorised:

1. :func:`cut_ghost_inputs` (in :mod:`ghosting.model.ghost_inputs`, re-exported here)
   cuts, from a canonical tracking table and its pass plays,
   one *window* per (play, defender, target receiver): the defender's positions
   from ``history - 1`` frames before pass forward to arrival, the receiver's
   positions over the same frames, the ball's landing point and a little context
   (the nearest other offensive player and the nearest team-mate at pass forward).
2. :func:`tile_features` turns a batch of *tile starts* (the defender's last
   ``history`` positions, the receiver's path over the next ``horizon`` frames, the
   landing point and the frames left until arrival) into the network's flat feature
   vector. Everything is relative to the defender's position at the tile start
   (translation only: the field stays direction-normalised, offense toward +x), so
   the features do not change when a play is translated.

Only positions are used (velocities are finite differences at 10 Hz), so the same
code serves real history, predicted history (rolling out long flights in tiles) and
every data layout, including those without ``s``, ``a`` or ``dir``.

>>> import numpy as np
>>> hist = np.zeros((1, 5, 2)); hist[0, :, 0] = np.arange(5) * 0.5  # 5 yd/s along +x
>>> path = np.zeros((1, 22, 2)) + [10.0, 5.0]
>>> feats = tile_features(hist, path, np.array([[12.0, 6.0]]), np.array([15]), np.zeros((1, 4)))
>>> feats.shape == (1, len(feature_names(5, 20)))
True
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..errors import InputError
from ..schema import DT, FIELD_WIDTH
from .ghost_inputs import (
    GhostInputs,
    complete_mask,
    concat_inputs,
    cut_ghost_inputs,
    mirror_inputs,
    tile_inputs,
)
from .tiles import advance_tiles, advance_tiles_py, rollout_features

__all__ = [
    "FEATURE_GROUPS",
    "GhostInputs",
    "cut_ghost_inputs",
    "feature_groups",
    "feature_names",
    "tile_features",
    "tile_inputs",
    "mirror_inputs",
    "concat_inputs",
    "complete_mask",
    "rollout",
    "rollout_py",
    "select_columns",
]

#: Candidate feature groups, in the order of the full feature vector.
FEATURE_GROUPS = (
    "def_velocity_history",  # defender velocity at the last k-1 steps (most recent first)
    "def_speed",  # defender speed now
    "def_acceleration",  # last change of velocity
    "receiver_now",  # receiver relative position now, and its distance
    "receiver_velocity",  # receiver velocity now
    "receiver_relative_velocity",  # receiver velocity minus defender velocity
    "receiver_path",  # receiver relative positions over the next `horizon` frames
    "catch_point",  # landing point relative to the defender, and its distance
    "catch_bearing",  # cos/sin of the angle between defender heading and catch point
    "receiver_to_catch",  # landing point minus receiver position now
    "time_left",  # seconds until arrival, and the share of the tile inside the flight
    "field_position",  # defender x, y and distance to the nearer sideline
    "nearest_offense",  # nearest non-target offensive player at pass forward, relative
    "nearest_teammate",  # nearest other defender at pass forward, relative
    "defender_role",  # 1 for a defensive back (CB, S, SS, FS, DB), else 0
)


def feature_groups(history: int, horizon: int) -> dict[str, list[str]]:
    """Column names of every candidate group, in order (see :data:`FEATURE_GROUPS`)."""
    groups: dict[str, list[str]] = {
        "def_velocity_history": [f"def_v{c}_lag{j}" for j in range(history - 1) for c in "xy"],
        "def_speed": ["def_speed"],
        "def_acceleration": ["def_ax", "def_ay"],
        "receiver_now": ["rec_dx", "rec_dy", "rec_dist"],
        "receiver_velocity": ["rec_vx", "rec_vy"],
        "receiver_relative_velocity": ["rel_vx", "rel_vy"],
        "receiver_path": [f"rec_path_d{c}_{h}" for h in range(1, horizon + 1) for c in "xy"],
        "catch_point": ["catch_dx", "catch_dy", "catch_dist"],
        "catch_bearing": ["catch_cos", "catch_sin"],
        "receiver_to_catch": ["rec_catch_dx", "rec_catch_dy"],
        "time_left": ["time_left_s", "tile_in_flight"],
        "field_position": ["def_x", "def_y", "sideline_dist"],
        "nearest_offense": ["near_off_dx", "near_off_dy"],
        "nearest_teammate": ["near_def_dx", "near_def_dy"],
        "defender_role": ["is_back"],
    }
    return groups


def feature_names(history: int, horizon: int) -> list[str]:
    """All candidate feature names, in the order :func:`tile_features` returns them."""
    return [name for group in feature_groups(history, horizon).values() for name in group]


def select_columns(history: int, horizon: int, groups: list[str]) -> np.ndarray:
    """Indices of the columns of the kept ``groups`` in the full feature vector."""
    unknown = set(groups) - set(FEATURE_GROUPS)
    if unknown:
        raise InputError(f"unknown feature groups {sorted(unknown)}")
    idx: list[int] = []
    start = 0
    for name, cols in feature_groups(history, horizon).items():
        if name in groups:
            idx.extend(range(start, start + len(cols)))
        start += len(cols)
    return np.asarray(idx, dtype=np.int64)


def tile_features(
    history_xy: np.ndarray,
    receiver_path: np.ndarray,
    catch_xy: np.ndarray,
    frames_left: np.ndarray,
    context: np.ndarray,
    is_back: np.ndarray | None = None,
) -> np.ndarray:
    """The full candidate feature matrix for a batch of tile starts.

    Parameters
    ----------
    history_xy : (N, k, 2)
        The defender's last ``k`` positions, oldest first; the last is the tile start.
    receiver_path : (N, horizon + 2, 2)
        The receiver's positions from one frame before the tile start to ``horizon``
        frames after it (held at the arrival position past arrival).
    catch_xy : (N, 2)
        The ball's landing point.
    frames_left : (N,)
        Frames from the tile start until arrival (>= 1).
    context : (N, 4)
        Nearest other offensive player and nearest team-mate at pass forward,
        relative to the defender at pass forward (NaN when absent; zeroed here).
    is_back : (N,), optional
        True for defensive backs (default: all True).

    Returns
    -------
    (N, F) float64, columns as :func:`feature_names` lists them.
    """
    history_xy = np.asarray(history_xy, dtype=np.float64)
    receiver_path = np.asarray(receiver_path, dtype=np.float64)
    n, k, _ = history_xy.shape
    horizon = receiver_path.shape[1] - 2
    origin = history_xy[:, -1, :]
    vel = np.diff(history_xy, axis=1)[:, ::-1, :] / DT  # (N, k-1, 2), most recent first
    v0 = vel[:, 0, :]
    v1 = vel[:, 1, :] if k > 2 else v0
    speed = np.hypot(v0[:, 0], v0[:, 1])
    accel = (v0 - v1) / DT
    rec_now = receiver_path[:, 1, :] - origin
    rec_vel = (receiver_path[:, 1, :] - receiver_path[:, 0, :]) / DT
    rec_path = receiver_path[:, 2:, :] - origin[:, None, :]
    catch = np.asarray(catch_xy, dtype=np.float64) - origin
    catch_dist = np.hypot(catch[:, 0], catch[:, 1])
    heading = v0 / np.maximum(speed, 1e-6)[:, None]
    to_catch = catch / np.maximum(catch_dist, 1e-6)[:, None]
    moving = (speed > 0.1) & (catch_dist > 1e-6)
    cos = np.where(moving, (heading * to_catch).sum(1), 1.0)
    sin = np.where(moving, heading[:, 0] * to_catch[:, 1] - heading[:, 1] * to_catch[:, 0], 0.0)
    frames_left = np.asarray(frames_left, dtype=np.float64)
    ctx = np.nan_to_num(np.asarray(context, dtype=np.float64), nan=0.0)
    cols = [
        vel.reshape(n, 2 * (k - 1)),
        speed[:, None],
        accel,
        rec_now,
        np.hypot(rec_now[:, 0], rec_now[:, 1])[:, None],
        rec_vel,
        rec_vel - v0,
        rec_path.reshape(n, 2 * horizon),
        catch,
        catch_dist[:, None],
        cos[:, None],
        sin[:, None],
        catch - rec_now,
        (frames_left * DT)[:, None],
        np.minimum(frames_left / horizon, 1.0)[:, None],
        origin,
        np.minimum(origin[:, 1], FIELD_WIDTH - origin[:, 1])[:, None],
        ctx[:, :4],
        (np.ones(n) if is_back is None else np.asarray(is_back, dtype=np.float64))[:, None],
    ]
    return np.concatenate(cols, axis=1)


def rollout(
    predict: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
    w: GhostInputs,
    horizon: int,
    columns: np.ndarray,
    defender_history: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Predict every window's defender from pass forward to arrival, tile by tile.

    ``predict(features, velocity)`` maps the kept feature columns ``(N, F)`` and the
    defender's last velocity ``(N, 2)`` (yd/s) to positions relative to the tile start
    ``(N, horizon, 2)`` and a per-frame sigma ``(N, horizon)``. Flights longer than
    ``horizon`` continue from the predicted positions; sigmas of later tiles add in
    quadrature to the sigma at the end of the previous tile.

    ``defender_history`` (N, k, 2) replaces the observed history (e.g. distorted
    inputs). Returns positions ``(N, Tmax, 2)`` for frames 1..Tmax after pass
    forward and sigma ``(N, Tmax)``, NaN past each window's arrival.

    Each tile's kept features and the write-back of its predictions run in the C++
    core (:mod:`ghosting.model.tiles`); :func:`rollout_py` is the numpy reference,
    equal bit for bit.
    """
    n = len(w)
    lead = w.lead
    t_max = int(w.flight_frames.max()) if n else 0
    d = np.full((n, lead + t_max + 1, 2), np.nan)
    if defender_history is None:
        d[:, : lead + 1] = w.defender[:, : lead + 1]
    else:
        d[:, : lead + 1] = defender_history
    sigma = np.full((n, t_max), np.nan)
    start = np.zeros(n, dtype=np.int64)
    base_sigma = np.zeros(n)
    rows = np.arange(n)
    while n:
        active = start < w.flight_frames
        if not active.any():
            break
        idx = rows[active]
        first = start[idx]
        feats, vel = rollout_features(w, d, idx, first, horizon, columns)
        rel, sig = predict(feats, vel)
        start[idx], base_sigma[idx] = advance_tiles(
            d, sigma, w.flight_frames, idx, first, base_sigma[idx], rel, sig, horizon, w.history
        )
    return d[:, lead + 1 :], sigma


def rollout_py(
    predict: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
    w: GhostInputs,
    horizon: int,
    columns: np.ndarray,
    defender_history: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The numpy reference of :func:`rollout` (same arguments, same results, bit for bit):
    each tile through ``w.take``, :func:`tile_inputs` and :func:`tile_features` and the
    write-back through :func:`~ghosting.model.tiles.advance_tiles_py`."""
    n = len(w)
    lead = w.lead
    t_max = int(w.flight_frames.max()) if n else 0
    d = np.full((n, lead + t_max + 1, 2), np.nan)
    d[:, : lead + 1] = w.defender[:, : lead + 1] if defender_history is None else defender_history
    sigma = np.full((n, t_max), np.nan)
    start = np.zeros(n, dtype=np.int64)
    base_sigma = np.zeros(n)
    rows = np.arange(n)
    while n:
        active = start < w.flight_frames
        if not active.any():
            break
        idx = rows[active]
        sub = w.take(idx)
        hist, path, left, _ = tile_inputs(sub, start[idx], horizon, defender_xy=d[idx])
        feats = tile_features(hist, path, sub.catch, left, sub.context, sub.is_back)[:, columns]
        rel, sig = predict(feats, (hist[:, -1] - hist[:, -2]) / DT)
        start[idx], base_sigma[idx] = advance_tiles_py(
            d, sigma, w.flight_frames, idx, start[idx], base_sigma[idx], rel, sig, horizon,
            w.history,
        )
    return d[:, lead + 1 :], sigma

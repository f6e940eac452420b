"""Windows and features for the ghosting model, shared by training and inference.

Two steps, both numpy-vectorised:

1. :func:`extract_windows` cuts, from a canonical tracking table and its pass plays,
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
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from ..errors import InputError
from ..schema import DT, FIELD_WIDTH

__all__ = [
    "FEATURE_GROUPS",
    "Windows",
    "extract_windows",
    "feature_groups",
    "feature_names",
    "tile_features",
    "tile_inputs",
    "mirror_windows",
    "concat_windows",
    "complete_mask",
    "rollout",
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
        vel.reshape(n, -1),
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


@dataclass
class Windows:
    """One window per (play, defender, target receiver); frames on a common axis.

    Frame index ``lead = history - 1`` is pass forward (t = 0); index ``lead + T``
    is arrival, with ``T = flight_frames``. Positions past arrival are NaN.
    """

    history: int
    game_id: np.ndarray  # (N,) int64
    play_id: np.ndarray
    nfl_id: np.ndarray
    target_nfl_id: np.ndarray
    pass_forward_frame: np.ndarray  # (N,) int64
    flight_frames: np.ndarray  # (N,) int64, T >= 1
    defender: np.ndarray  # (N, lead + Tmax + 1, 2)
    receiver: np.ndarray  # (N, lead + Tmax + 1, 2)
    catch: np.ndarray  # (N, 2)
    context: np.ndarray  # (N, 4)
    is_back: np.ndarray  # (N,) bool
    skipped: dict[str, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.game_id.shape[0])

    @property
    def lead(self) -> int:
        return self.history - 1

    def take(self, index: np.ndarray) -> Windows:
        """A new Windows with the rows ``index`` (a boolean mask or integer indices)."""
        return Windows(
            history=self.history,
            game_id=self.game_id[index],
            play_id=self.play_id[index],
            nfl_id=self.nfl_id[index],
            target_nfl_id=self.target_nfl_id[index],
            pass_forward_frame=self.pass_forward_frame[index],
            flight_frames=self.flight_frames[index],
            defender=self.defender[index],
            receiver=self.receiver[index],
            catch=self.catch[index],
            context=self.context[index],
            is_back=self.is_back[index],
            skipped=dict(self.skipped),
        )


def mirror_windows(w: Windows) -> Windows:
    """The same windows mirrored across the field's long axis (y -> width - y)."""
    out = w.take(np.arange(len(w)))
    for arr in (out.defender, out.receiver):
        arr[..., 1] = FIELD_WIDTH - arr[..., 1]
    out.catch[:, 1] = FIELD_WIDTH - out.catch[:, 1]
    out.context[:, 1] = -out.context[:, 1]
    out.context[:, 3] = -out.context[:, 3]
    return out


def tile_inputs(
    w: Windows, start: np.ndarray, horizon: int, defender_xy: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Raw inputs of :func:`tile_features` for tiles starting ``start`` frames after pass forward.

    ``defender_xy`` replaces ``w.defender`` (e.g. with predicted positions during a
    roll-out). Returns ``history_xy, receiver_path, frames_left, origin``.
    """
    d = w.defender if defender_xy is None else defender_xy
    n = len(w)
    rows = np.arange(n)[:, None]
    start = np.asarray(start, dtype=np.int64)
    k = w.history
    hist_idx = start[:, None] + np.arange(k)[None, :]  # lead + start - (k-1) + j
    history_xy = d[rows, hist_idx]
    last = w.lead + w.flight_frames  # arrival index
    path_idx = w.lead + start[:, None] + np.arange(-1, horizon + 1)[None, :]
    path_idx = np.minimum(path_idx, last[:, None])
    receiver_path = w.receiver[rows, path_idx]
    frames_left = w.flight_frames - start
    return history_xy, receiver_path, frames_left, history_xy[:, -1, :]


def _play_bounds(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if keys.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    change = np.flatnonzero(np.diff(keys)) + 1
    starts = np.r_[0, change]
    ends = np.r_[change, keys.size]
    return starts.astype(np.int64), ends.astype(np.int64)


def _column(table: pa.Table, name: str, dtype: type | None = None) -> np.ndarray:
    if name not in table.column_names:
        raise InputError(f"tracking table has no column {name!r}")
    col = table.column(name)
    if dtype is not None and pa.types.is_floating(col.type):
        return col.to_numpy().astype(dtype)
    if dtype is not None:
        return col.fill_null(0).to_numpy().astype(dtype)
    return col.to_numpy(zero_copy_only=False)


def extract_windows(
    tracking: pa.Table,
    plays: pa.Table | list[dict],
    *,
    history: int,
    defenders: str = "backs",
    targets: str = "real",
    positions: np.ndarray | None = None,
) -> Windows:
    """Cut one window per (play, defender, target receiver).

    Parameters
    ----------
    tracking : canonical tracking table (sorted by game, play, nfl_id, frame).
    plays : a ``pass_plays`` table (or its rows as dicts); rows not analysable are skipped.
    history : observed frames k >= 3 up to and including pass forward.
    defenders : ``"backs"`` (the play's defensive backs) or ``"all"`` (every defender).
    targets : ``"real"`` (the targeted receiver) or ``"all"`` (every eligible receiver,
        the what-if question; the landing point becomes that receiver's position at
        arrival unless it is the real target).

    Defenders whose pass-forward position is missing are skipped (counted in
    ``Windows.skipped``); missing history frames repeat the earliest known one
    (zero velocity) and missing receiver frames repeat the last known one.
    """
    if history < 3:
        raise InputError(f"history must be >= 3 observed frames, got {history}")
    if defenders not in ("backs", "all"):
        raise InputError(f"defenders must be 'backs' or 'all', got {defenders!r}")
    if targets not in ("real", "all"):
        raise InputError(f"targets must be 'real' or 'all', got {targets!r}")
    rows = plays.to_pylist() if isinstance(plays, pa.Table) else list(plays)
    lead = history - 1
    empty = _empty_windows(history)
    if not rows or tracking.num_rows == 0:
        return empty
    game = _column(tracking, "game_id", np.int64)
    play = _column(tracking, "play_id", np.int64)
    nfl = _column(tracking, "nfl_id", np.int64)
    frame = _column(tracking, "frame_id", np.int64)
    x = _column(tracking, "x", np.float64)
    y = _column(tracking, "y", np.float64)
    side = _column(tracking, "side")
    keys = game * 1_000_000 + play
    starts, ends = _play_bounds(keys)
    index = {int(keys[s]): (int(s), int(e)) for s, e in zip(starts, ends, strict=True)}

    parts: list[dict[str, np.ndarray]] = []
    skipped: dict[str, int] = {}
    for row in rows:
        if not row.get("analysable", True) or row.get("targeted_receiver") is None:
            continue
        key = int(row["game_id"]) * 1_000_000 + int(row["play_id"])
        if key not in index:
            skipped["play not in tracking"] = skipped.get("play not in tracking", 0) + 1
            continue
        s, e = index[key]
        pf = int(row["pass_forward_frame"])
        flight = int(row["arrival_frame"]) - pf
        if flight < 1:
            skipped["arrival not after pass forward"] = (
                skipped.get("arrival not after pass forward", 0) + 1
            )
            continue
        ids, inv = np.unique(nfl[s:e], return_inverse=True)
        n_frames = lead + flight + 1
        fi = frame[s:e] - (pf - lead)
        ok = (fi >= 0) & (fi < n_frames)
        grid = np.full((ids.size, n_frames, 2), np.nan)
        grid[inv[ok], fi[ok], 0] = x[s:e][ok]
        grid[inv[ok], fi[ok], 1] = y[s:e][ok]
        sides = np.empty(ids.size, dtype=object)
        sides[inv] = side[s:e]
        pos_by_id = dict(zip(ids.tolist(), range(ids.size), strict=True))

        backs = [int(v) for v in (row.get("defensive_backs") or [])]
        if defenders == "backs":
            def_ids = [v for v in backs if v in pos_by_id]
        else:
            def_ids = [int(v) for v, sd in zip(ids, sides, strict=True) if sd == "defense"]
        real_target = int(row["targeted_receiver"])
        if targets == "real":
            tgt_ids = [real_target]
        else:
            elig = [int(v) for v in (row.get("eligible_receivers") or [])]
            tgt_ids = [v for v in elig] or [real_target]
        tgt_ids = [v for v in tgt_ids if v in pos_by_id]
        if not def_ids or not tgt_ids:
            skipped["no defenders or receiver in tracking"] = (
                skipped.get("no defenders or receiver in tracking", 0) + 1
            )
            continue
        di = np.array([pos_by_id[v] for v in def_ids])
        d_xy = grid[di]
        present = np.isfinite(d_xy[:, lead, 0])
        if not present.all():
            skipped["defender missing at pass forward"] = skipped.get(
                "defender missing at pass forward", 0
            ) + int((~present).sum())
        di, d_xy = di[present], d_xy[present]
        if di.size == 0:
            continue
        d_xy = _fill_history(d_xy, lead)
        offense = np.flatnonzero(sides == "offense")
        defense = np.flatnonzero(sides == "defense")
        at_pf = grid[:, lead, :]
        for tid in tgt_ids:
            ti = pos_by_id[tid]
            r_xy = _fill_receiver(grid[ti], lead)
            if r_xy is None:
                skipped["receiver missing at pass forward"] = (
                    skipped.get("receiver missing at pass forward", 0) + 1
                )
                continue
            if tid == real_target and row.get("ball_land_x") is not None:
                catch = np.array([row["ball_land_x"], row["ball_land_y"]], dtype=np.float64)
                if not np.isfinite(catch).all():
                    catch = r_xy[-1].copy()
            else:
                catch = r_xy[-1].copy()
            ctx = _context(at_pf, di, offense[offense != ti], defense)
            m = di.size
            parts.append(
                {
                    "game_id": np.full(m, int(row["game_id"]), np.int64),
                    "play_id": np.full(m, int(row["play_id"]), np.int64),
                    "nfl_id": ids[di].astype(np.int64),
                    "target_nfl_id": np.full(m, tid, np.int64),
                    "pass_forward_frame": np.full(m, pf, np.int64),
                    "flight_frames": np.full(m, flight, np.int64),
                    "defender": d_xy,
                    "receiver": np.broadcast_to(r_xy, (m,) + r_xy.shape),
                    "catch": np.broadcast_to(catch, (m, 2)),
                    "context": ctx,
                    "is_back": np.isin(ids[di], backs),
                }
            )
    if not parts:
        empty.skipped = skipped
        return empty
    width = max(p["defender"].shape[1] for p in parts)

    def pad(a: np.ndarray) -> np.ndarray:
        out = np.full((a.shape[0], width, 2), np.nan)
        out[:, : a.shape[1]] = a
        return out

    return Windows(
        history=history,
        game_id=np.concatenate([p["game_id"] for p in parts]),
        play_id=np.concatenate([p["play_id"] for p in parts]),
        nfl_id=np.concatenate([p["nfl_id"] for p in parts]),
        target_nfl_id=np.concatenate([p["target_nfl_id"] for p in parts]),
        pass_forward_frame=np.concatenate([p["pass_forward_frame"] for p in parts]),
        flight_frames=np.concatenate([p["flight_frames"] for p in parts]),
        defender=np.concatenate([pad(p["defender"]) for p in parts]),
        receiver=np.concatenate([pad(p["receiver"]) for p in parts]),
        catch=np.concatenate([p["catch"] for p in parts]).astype(np.float64),
        context=np.concatenate([p["context"] for p in parts]),
        is_back=np.concatenate([p["is_back"] for p in parts]),
        skipped=skipped,
    )


def concat_windows(parts: list[Windows]) -> Windows:
    """Stack several Windows (padding frames to the widest)."""
    parts = [p for p in parts if len(p)]
    if not parts:
        raise InputError("no usable pass plays with defenders in the training data")
    width = max(p.defender.shape[1] for p in parts)

    def pad(a: np.ndarray) -> np.ndarray:
        out = np.full((a.shape[0], width, 2), np.nan)
        out[:, : a.shape[1]] = a
        return out

    return Windows(
        history=parts[0].history,
        game_id=np.concatenate([p.game_id for p in parts]),
        play_id=np.concatenate([p.play_id for p in parts]),
        nfl_id=np.concatenate([p.nfl_id for p in parts]),
        target_nfl_id=np.concatenate([p.target_nfl_id for p in parts]),
        pass_forward_frame=np.concatenate([p.pass_forward_frame for p in parts]),
        flight_frames=np.concatenate([p.flight_frames for p in parts]),
        defender=np.concatenate([pad(p.defender) for p in parts]),
        receiver=np.concatenate([pad(p.receiver) for p in parts]),
        catch=np.concatenate([p.catch for p in parts]),
        context=np.concatenate([p.context for p in parts]),
        is_back=np.concatenate([p.is_back for p in parts]),
    )


def complete_mask(w: Windows) -> np.ndarray:
    """True where the defender is observed on every frame from history to arrival."""
    ok = np.ones(len(w), bool)
    for i in range(len(w)):
        n = w.lead + int(w.flight_frames[i]) + 1
        ok[i] = np.isfinite(w.defender[i, :n]).all()
    return ok


def _empty_windows(history: int) -> Windows:
    z = np.zeros(0, np.int64)
    return Windows(
        history=history,
        game_id=z,
        play_id=z.copy(),
        nfl_id=z.copy(),
        target_nfl_id=z.copy(),
        pass_forward_frame=z.copy(),
        flight_frames=z.copy(),
        defender=np.zeros((0, history + 1, 2)),
        receiver=np.zeros((0, history + 1, 2)),
        catch=np.zeros((0, 2)),
        context=np.zeros((0, 4)),
        is_back=np.zeros(0, bool),
    )


def _fill_history(d_xy: np.ndarray, lead: int) -> np.ndarray:
    """Fill missing frames before pass forward by back-filling from the next known one."""
    d = d_xy.copy()
    for j in range(lead - 1, -1, -1):
        miss = ~np.isfinite(d[:, j, 0])
        d[miss, j] = d[miss, j + 1]
    return d


def _fill_receiver(r: np.ndarray, lead: int) -> np.ndarray | None:
    """Receiver positions with gaps filled (back before pass forward, forward after)."""
    if not np.isfinite(r[lead, 0]):
        return None
    r = r.copy()
    for j in range(lead - 1, -1, -1):
        if not np.isfinite(r[j, 0]):
            r[j] = r[j + 1]
    for j in range(lead + 1, r.shape[0]):
        if not np.isfinite(r[j, 0]):
            r[j] = r[j - 1]
    return r


def _context(
    at_pf: np.ndarray, defenders: np.ndarray, offense: np.ndarray, defense: np.ndarray
) -> np.ndarray:
    """Nearest other offensive player and nearest team-mate at pass forward (relative)."""
    out = np.full((defenders.size, 4), np.nan)
    d = at_pf[defenders]
    for col, group in ((0, offense), (2, None)):
        if group is None:
            others = defense
        else:
            others = group
        if others.size == 0:
            continue
        rel = at_pf[others][None, :, :] - d[:, None, :]
        dist = np.hypot(rel[..., 0], rel[..., 1])
        if col == 2:
            dist[others[None, :] == defenders[:, None]] = np.inf
        dist = np.where(np.isfinite(dist), dist, np.inf)
        best = np.argmin(dist, axis=1)
        found = np.isfinite(dist[np.arange(defenders.size), best])
        out[found, col : col + 2] = rel[np.arange(defenders.size), best][found]
    return out


def rollout(
    predict: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
    w: Windows,
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
        sub = w.take(idx)
        hist, path, left, origin = tile_inputs(sub, start[idx], horizon, defender_xy=d[idx])
        feats = tile_features(hist, path, sub.catch, left, sub.context, sub.is_back)[:, columns]
        vel = (hist[:, -1] - hist[:, -2]) / DT
        rel, sig = predict(feats, vel)
        steps = np.minimum(left, horizon)
        for j in range(horizon):
            m = steps > j
            if not m.any():
                break
            t = start[idx][m] + j + 1
            d[idx[m], lead + t] = origin[m] + rel[m, j]
            sigma[idx[m], t - 1] = np.sqrt(base_sigma[idx[m]] ** 2 + sig[m, j] ** 2)
        end = start[idx] + steps
        base_sigma[idx] = sigma[idx, end - 1]
        start[idx] = end
    return d[:, lead + 1 :], sigma

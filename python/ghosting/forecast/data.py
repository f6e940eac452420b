"""Plays as sets of player tokens for forecast mode (numpy only).

A forecast sees only what is known at the throw. Each play becomes a set of player
tokens: token 0 is the targeted receiver, then up to :data:`MAX_DEFENDERS` defenders
(attention sees the whole defence), then, with ``receivers=True``, up to
:data:`MAX_RECEIVERS` other eligible receivers (their history: whom a defender
covers; the shipped model does without, see docs/forecast.md). Every token carries
the player's last ``history`` positions up to pass forward (the same frames for
every player), and the play carries the ball's landing point and the number of
frames in the air. The cutting is
:func:`ghosting.model.ghost_inputs.cut_ghost_inputs` (``defenders="all", targets="real"``):
one window per (play, defender) holds the defender's and the receiver's frames from
``history - 1`` frames before pass forward to arrival; the other receivers' frames
come from the same function with ``targets="all"`` (one receiver path per option).

**Scored players** ("in coverage"): the targeted receiver, and every defender that is
a defensive back of the play or stands, at pass forward, within
:data:`COVERAGE_RADIUS` yards of the segment from the receiver to the landing point.
When the tracking table has the 2026 ``player_to_predict`` flag for a play, that flag
decides instead (for the defenders; the target is always scored).

>>> import ghosting
>>> tracking = ghosting.synth.generate_plays(2, seed=0)
>>> tokens = play_tokens(tracking, ghosting.pass_plays(tracking), history=10)
>>> tokens.hist.shape[1:]
(12, 10, 2)
>>> bool(tokens.is_target[:, 0].all())
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InputError
from ..model.ghost_inputs import cut_ghost_inputs
from ..schema import DT, FIELD_LENGTH, FIELD_WIDTH

__all__ = [
    "MAX_TOKENS",
    "MAX_DEFENDERS",
    "MAX_RECEIVERS",
    "token_count",
    "COVERAGE_RADIUS",
    "PlayTokens",
    "play_tokens",
    "token_features",
    "feature_names",
    "mirror_tokens",
]

#: Defenders and other eligible receivers per play (beyond them: the nearest to the
#: landing point at pass forward are kept).
MAX_DEFENDERS = 11
MAX_RECEIVERS = 5
#: Players per play: the targeted receiver and the defenders (plus MAX_RECEIVERS
#: other receivers with ``receivers=True``; :func:`token_count`).
MAX_TOKENS = 1 + MAX_DEFENDERS


def token_count(receivers: bool) -> int:
    """Tokens per play: the target, the defenders and, if ``receivers``, the others."""
    return MAX_TOKENS + (MAX_RECEIVERS if receivers else 0)
#: A defender is "in coverage" when a defensive back or within this many yards, at
#: pass forward, of the segment from the targeted receiver to the landing point.
COVERAGE_RADIUS = 8.0


@dataclass
class PlayTokens:
    """Per-play arrays; P plays, K tokens (token 0 the target, :func:`token_count`),
    H history frames."""

    history: int
    game_id: np.ndarray  # (P,) int64
    play_id: np.ndarray  # (P,)
    pass_forward_frame: np.ndarray  # (P,)
    flight_frames: np.ndarray  # (P,) T >= 1
    landing: np.ndarray  # (P, 2) ball landing point
    nfl_id: np.ndarray  # (P, K) int64, 0 for padding
    valid: np.ndarray  # (P, K) bool
    is_target: np.ndarray  # (P, K) bool
    is_defense: np.ndarray  # (P, K) bool
    is_back: np.ndarray  # (P, K) bool
    scored: np.ndarray  # (P, K) bool: target or defender in coverage
    hist: np.ndarray  # (P, K, H, 2) positions up to pass forward (0 where not valid)
    future: np.ndarray  # (P, K, Tmax, 2) real positions frames 1..T (NaN unknown)
    skipped: dict[str, int]

    def __len__(self) -> int:
        return int(self.game_id.shape[0])

    def take(self, index: np.ndarray) -> PlayTokens:
        """The plays ``index`` (boolean mask or integer indices)."""
        return PlayTokens(
            history=self.history,
            game_id=self.game_id[index],
            play_id=self.play_id[index],
            pass_forward_frame=self.pass_forward_frame[index],
            flight_frames=self.flight_frames[index],
            landing=self.landing[index],
            nfl_id=self.nfl_id[index],
            valid=self.valid[index],
            is_target=self.is_target[index],
            is_defense=self.is_defense[index],
            is_back=self.is_back[index],
            scored=self.scored[index],
            hist=self.hist[index],
            future=self.future[index],
            skipped=dict(self.skipped),
        )


def _flags(tracking: pa.Table) -> dict[tuple[int, int, int], bool]:
    """``(game, play, nfl_id) -> player_to_predict`` where the table has that flag."""
    if "player_to_predict" not in tracking.column_names:
        return {}
    t = tracking.select(["game_id", "play_id", "nfl_id", "player_to_predict"])
    t = t.filter(pc.is_valid(t["player_to_predict"]))
    if t.num_rows == 0:
        return {}
    g = t.group_by(["game_id", "play_id", "nfl_id"], use_threads=False).aggregate(
        [("player_to_predict", "max")]
    )
    return {
        (int(a), int(b), int(c)): bool(d)
        for a, b, c, d in zip(
            g["game_id"].to_pylist(),
            g["play_id"].to_pylist(),
            g["nfl_id"].to_pylist(),
            g["player_to_predict_max"].to_pylist(),
            strict=True,
        )
    }


def _segment_distance(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance of points ``p`` (N, 2) to the segment from ``a`` to ``b`` (2,)."""
    ab = b - a
    denom = float(ab @ ab)
    if denom <= 1e-12:
        return np.hypot(*(p - a).T)
    u = np.clip(((p - a) @ ab) / denom, 0.0, 1.0)
    return np.hypot(*(p - (a + u[:, None] * ab)).T)


def play_tokens(
    tracking: pa.Table,
    plays: pa.Table | list[dict],
    *,
    history: int,
    coverage_radius: float = COVERAGE_RADIUS,
    receivers: bool = False,
) -> PlayTokens:
    """Cut the pass plays of ``tracking`` into player tokens (see the module docstring).

    Plays without a targeted receiver, pass window or defender are skipped (counted
    in ``skipped``). A play with more than ``MAX_DEFENDERS`` defenders (or
    ``MAX_RECEIVERS`` other receivers) keeps the ones nearest the landing point at
    pass forward. ``receivers=True`` adds the other eligible receivers.
    """
    w = cut_ghost_inputs(tracking, plays, history=history, defenders="all", targets="real")
    others = _other_receivers(tracking, plays, history) if receivers and len(w) else {}
    skipped = dict(w.skipped)
    lead = w.lead
    if len(w) == 0:
        return _empty(history, skipped, token_count(receivers))
    flags = _flags(tracking)
    order = np.lexsort((w.nfl_id, w.play_id, w.game_id))
    keys = np.stack([w.game_id[order], w.play_id[order]], axis=1)
    change = np.flatnonzero(np.any(np.diff(keys, axis=0) != 0, axis=1)) + 1
    groups = np.split(order, change)
    p_n = len(groups)
    k_max = token_count(receivers)
    t_max = int(w.flight_frames.max())
    out = {
        "game_id": np.zeros(p_n, np.int64),
        "play_id": np.zeros(p_n, np.int64),
        "pass_forward_frame": np.zeros(p_n, np.int64),
        "flight_frames": np.zeros(p_n, np.int64),
        "landing": np.zeros((p_n, 2)),
        "nfl_id": np.zeros((p_n, k_max), np.int64),
        "valid": np.zeros((p_n, k_max), bool),
        "is_target": np.zeros((p_n, k_max), bool),
        "is_defense": np.zeros((p_n, k_max), bool),
        "is_back": np.zeros((p_n, k_max), bool),
        "scored": np.zeros((p_n, k_max), bool),
        "hist": np.zeros((p_n, k_max, history, 2)),
        "future": np.full((p_n, k_max, t_max, 2), np.nan),
    }
    dropped = 0
    for p, rows in enumerate(groups):
        first = rows[0]
        t = int(w.flight_frames[first])
        game, play = int(w.game_id[first]), int(w.play_id[first])
        target = int(w.target_nfl_id[first])
        landing = w.catch[first]
        rec = w.receiver[first]
        rows = rows[w.nfl_id[rows] != target]  # a target listed as defender: data error
        start = w.defender[rows, lead]
        if rows.size > MAX_DEFENDERS:
            near = np.argsort(np.hypot(*(start - landing).T), kind="stable")[:MAX_DEFENDERS]
            dropped += rows.size - near.size
            rows = np.sort(rows[near])
            start = w.defender[rows, lead]
        m = rows.size
        out["game_id"][p], out["play_id"][p] = game, play
        out["pass_forward_frame"][p] = int(w.pass_forward_frame[first])
        out["flight_frames"][p] = t
        out["landing"][p] = landing
        out["nfl_id"][p, 0] = target
        out["nfl_id"][p, 1 : m + 1] = w.nfl_id[rows]
        out["valid"][p, : m + 1] = True
        out["is_target"][p, 0] = True
        out["is_defense"][p, 1 : m + 1] = True
        out["is_back"][p, 1 : m + 1] = w.is_back[rows]
        out["hist"][p, 0] = rec[: lead + 1]
        out["hist"][p, 1 : m + 1] = w.defender[rows, : lead + 1]
        out["future"][p, 0, :t] = rec[lead + 1 : lead + 1 + t]
        out["future"][p, 1 : m + 1, :t] = w.defender[rows, lead + 1 : lead + 1 + t]
        flagged = [flags.get((game, play, int(n))) for n in w.nfl_id[rows]]
        if any(f is not None for f in flagged):
            cover = np.array([bool(f) for f in flagged], dtype=bool)
        else:
            near_path = _segment_distance(start, rec[lead], landing) <= coverage_radius
            cover = w.is_back[rows] | near_path
        out["scored"][p, 0] = True
        out["scored"][p, 1 : m + 1] = cover
        paths = [(n, r) for n, r in others.get((game, play), []) if n != target]
        if len(paths) > MAX_RECEIVERS:
            dist = [float(np.hypot(*(r[lead] - landing))) for _n, r in paths]
            keep = sorted(np.argsort(dist, kind="stable")[:MAX_RECEIVERS].tolist())
            dropped += len(paths) - len(keep)
            paths = [paths[i] for i in keep]
        for j, (n, r) in enumerate(paths):
            k = 1 + MAX_DEFENDERS + j
            out["nfl_id"][p, k] = n
            out["valid"][p, k] = True
            out["hist"][p, k] = r[: lead + 1]
            out["future"][p, k, :t] = r[lead + 1 : lead + 1 + t]
    if dropped:
        skipped["players beyond the token limit"] = dropped
    return PlayTokens(history=history, skipped=skipped, **out)


def _other_receivers(
    tracking: pa.Table, plays: pa.Table | list[dict], history: int
) -> dict[tuple[int, int], list[tuple[int, np.ndarray]]]:
    """``(game, play) -> [(nfl_id, path)]``: every eligible receiver's frames (history up
    to arrival, gaps filled as for the target) from ``cut_ghost_inputs(targets="all")``."""
    w = cut_ghost_inputs(tracking, plays, history=history, defenders="all", targets="all")
    out: dict[tuple[int, int], list[tuple[int, np.ndarray]]] = {}
    seen: set[tuple[int, int, int]] = set()
    for i in range(len(w)):
        key = (int(w.game_id[i]), int(w.play_id[i]), int(w.target_nfl_id[i]))
        if key in seen:  # one window per defender: the same receiver path
            continue
        seen.add(key)
        out.setdefault(key[:2], []).append((key[2], w.receiver[i]))
    return out


def _empty(history: int, skipped: dict[str, int], k: int) -> PlayTokens:
    z = np.zeros(0, np.int64)
    return PlayTokens(
        history=history,
        game_id=z,
        play_id=z.copy(),
        pass_forward_frame=z.copy(),
        flight_frames=z.copy(),
        landing=np.zeros((0, 2)),
        nfl_id=np.zeros((0, k), np.int64),
        valid=np.zeros((0, k), bool),
        is_target=np.zeros((0, k), bool),
        is_defense=np.zeros((0, k), bool),
        is_back=np.zeros((0, k), bool),
        scored=np.zeros((0, k), bool),
        hist=np.zeros((0, k, history, 2)),
        future=np.zeros((0, k, 1, 2)),
        skipped=skipped,
    )


def concat_tokens(parts: list[PlayTokens]) -> PlayTokens:
    """Stack several PlayTokens (future frames padded with NaN to the longest)."""
    parts = [p for p in parts if len(p)]
    if not parts:
        raise InputError("no usable pass plays with a targeted receiver and defenders")
    width = max(p.future.shape[2] for p in parts)

    def pad(a: np.ndarray) -> np.ndarray:
        out = np.full(a.shape[:2] + (width, 2), np.nan)
        out[:, :, : a.shape[2]] = a
        return out

    fields = ("game_id", "play_id", "pass_forward_frame", "flight_frames", "landing",
              "nfl_id", "valid", "is_target", "is_defense", "is_back", "scored",
              "hist")  # fmt: skip
    return PlayTokens(
        history=parts[0].history,
        future=np.concatenate([pad(p.future) for p in parts]),
        skipped={},
        **{f: np.concatenate([getattr(p, f) for p in parts]) for f in fields},
    )


def mirror_tokens(t: PlayTokens) -> PlayTokens:
    """The plays mirrored across the field's long axis (y -> width - y)."""
    out = t.take(np.arange(len(t)))
    out.hist[..., 1] = np.where(t.valid[..., None], FIELD_WIDTH - t.hist[..., 1], 0.0)
    out.future[..., 1] = FIELD_WIDTH - t.future[..., 1]
    out.landing[:, 1] = FIELD_WIDTH - t.landing[:, 1]
    return out


def feature_names(history: int) -> list[str]:
    """Column names of :func:`token_features` (``history`` observed frames)."""
    names = []
    for j in range(history - 1):
        lag = history - 1 - j
        names += [f"dx_lag{lag}", f"dy_lag{lag}"]
    names += ["vx", "vy", "ax", "ay", "land_dx", "land_dy", "land_dist", "frames_air",
              "rel_target_dx", "rel_target_dy", "target_land_dx", "target_land_dy",
              "field_x", "field_y", "is_target", "is_defender", "is_back"]  # fmt: skip
    return names


def token_features(t: PlayTokens) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(features (P, K, F), velocity (P, K, 2), mask (P, K))`` as float32.

    Everything is relative to each player's own position at pass forward (history
    displacements, velocity and acceleration as 10 Hz differences, landing point), plus
    his position relative to the target, the landing point relative to the target, the
    field position, the frames in the air and the roles (target, defender, defensive
    back; an other receiver has none of them). Padding tokens are zeros.
    Mirroring the field (y -> width - y) negates exactly the y components except
    ``field_y``, which maps to its mirror image.
    """
    h = t.hist
    p0 = h[:, :, -1, :]
    disp = h[:, :, :-1, :] - p0[:, :, None, :]
    vel = (h[:, :, -1] - h[:, :, -2]) / DT
    acc = (h[:, :, -1] - 2 * h[:, :, -2] + h[:, :, -3]) / DT**2
    land = t.landing[:, None, :] - p0
    target0 = p0[:, :1, :]
    rel_t = p0 - target0
    t_land = np.broadcast_to((t.landing - p0[:, 0])[:, None, :], p0.shape)
    frames = np.broadcast_to((t.flight_frames / 10.0)[:, None, None], p0.shape[:2] + (1,))
    field = np.stack([p0[..., 0] - FIELD_LENGTH / 2, p0[..., 1] - FIELD_WIDTH / 2], axis=-1)
    roles = np.stack([t.is_target, t.is_defense, t.is_back], axis=-1).astype(float)
    feats = np.concatenate(
        [
            disp.reshape(disp.shape[0], disp.shape[1], -1),
            vel,
            acc,
            land,
            np.hypot(land[..., 0], land[..., 1])[..., None],
            frames,
            rel_t,
            t_land,
            field,
            roles,
        ],
        axis=-1,
    )
    mask = t.valid
    feats = np.where(mask[..., None], feats, 0.0)
    vel = np.where(mask[..., None], vel, 0.0)
    return feats.astype(np.float32), vel.astype(np.float32), mask.astype(np.float32)

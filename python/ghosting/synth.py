"""Synthetic pass plays in the canonical schema, for demos and season-size benchmarks.

:func:`generate_plays` draws plausible pass plays: 11 offensive players (quarterback,
five linemen, a running back, a tight end, three wide receivers; three to four of
them run routes), 11 defenders (four linemen rushing, two linebackers and five
defensive backs in man or zone coverage) and the ball, snapped, held by the
quarterback, thrown at ``pass_forward`` and arriving at the targeted receiver 0.8
to 3 s later. Frames are 10 Hz; every player stays on the field, at most 9.6 yd/s
and 0.96 yd per frame (cleaning's limits are 12.5 yd/s and 1.25 yd), so cleaning
flags nothing. ``s``, ``a``, ``dis``,
``dir`` and ``o`` are derived from the positions. Coordinates are already
normalised (offense toward +x); ``play_direction`` is "left" for about half of
the plays, as in real data after normalisation.

It is synthetic data: plausible, deterministic for a seed, fast (vectorised numpy
over padded blocks of plays) — never a substitute for real data in tests of
correctness.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from .errors import InputError
from .schema import BALL_ID, CANONICAL_SCHEMA, DT, FIELD_LENGTH, FIELD_WIDTH

__all__ = ["generate_plays", "DEFAULT_START_GAME_ID"]

#: First game id of synthetic games (outside the range of real NFL game ids).
DEFAULT_START_GAME_ID = 9_000_000_001

_CHUNK_PLAYS = 256
_N_PLAYERS = 22
_MID_Y = FIELD_WIDTH / 2.0

# Roster slots of one play: offense 0-10, defense 11-21.
_POSITIONS = (
    "QB", "C", "G", "G", "T", "T", "RB", "TE", "WR", "WR", "WR",
    "DE", "DT", "DT", "DE", "OLB", "ILB", "CB", "CB", "CB", "FS", "SS",
)  # fmt: skip
_JERSEYS = np.array(
    [12, 60, 65, 70, 75, 78, 28, 87, 11, 14, 81, 91, 95, 97, 99, 52, 54, 21, 24, 31, 33, 38],
    dtype=np.int32,
)
_CLUBS = (
    "ARI ATL BAL BUF CAR CHI CIN CLE DAL DEN DET GB HOU IND JAX KC "
    "LA LAC LV MIA MIN NE NO NYG NYJ PHI PIT SEA SF TB TEN WAS"
).split()
_SURNAMES = (
    "Abbott Barker Calloway Dempsey Ellison Fairbanks Garrity Holloway Ingram Jessup "
    "Kendrick Lockhart Merriman Norwood Ogden Pembrook Quinlan Radley Sheffield Thackery "
    "Underhill Vance Whitlock Yardley Ashby Brennan Colfax Dunmore Everly Fenwick Galloway "
    "Hartwell Iverson Jarrell Kingsley Langford Montrose Northcutt Oakley Prescott Ridley "
    "Stanhope Tolliver Upton Varner Winslow Yeager Zeller"
).split()
_INITIALS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Skill slots (running back, tight end, three receivers), the route runners' pool.
_SKILL = np.array([6, 7, 8, 9, 10])
# Coverage slots: OLB, ILB, three cornerbacks, two safeties.
_COVER = np.array([15, 16, 17, 18, 19, 20, 21])
_V_CAP_DB = 9.6  # yd/s, the fastest any synthetic player runs (cleaning flags > 12.5)
_EVENTS = ("ball_snap", "pass_forward", "pass_arrived", "pass_outcome_caught",
           "pass_outcome_incomplete")  # fmt: skip
_SCHEMA = CANONICAL_SCHEMA.append(pa.field("play_description", pa.string()))


def _smooth(u):
    u = np.clip(u, 0.0, 1.0)
    return u * u * (3.0 - 2.0 * u)


def _integrate(start, vx, vy):
    """Positions from per-frame velocities (frame k moves by v[k] * dt from k - 1)."""
    return (start[0][..., None] + np.cumsum(vx, axis=-1) * DT,
            start[1][..., None] + np.cumsum(vy, axis=-1) * DT)  # fmt: skip


def _cap_speed(vx, vy, cap):
    speed = np.hypot(vx, vy)
    scale = np.minimum(1.0, cap / np.maximum(speed, 1e-12))
    return vx * scale, vy * scale


def _contain(x, y, margin=1.0):
    """Shrink each track's displacement about its start so it stays on the field."""
    x0, y0 = x[..., :1], y[..., :1]
    k = np.ones(x.shape[:-1] + (1,))
    for pos, start, lo, hi in ((x, x0, margin, FIELD_LENGTH - margin),
                               (y, y0, margin, FIELD_WIDTH - margin)):  # fmt: skip
        top = pos.max(axis=-1, keepdims=True)
        bottom = pos.min(axis=-1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            k = np.minimum(k, np.where(top > hi, (hi - start) / (top - start), 1.0))
            k = np.minimum(k, np.where(bottom < lo, (lo - start) / (bottom - start), 1.0))
    k = np.clip(k, 0.0, 1.0)
    return x0 + (x - x0) * k, y0 + (y - y0) * k, k


def _easy_time(base, distance, speed=6.0, accel=6.5):
    """Duration of a smoothstep move over ``distance`` that keeps the peak speed and
    acceleration under ``speed`` and ``accel`` (and is at least ``base``)."""
    return np.maximum(np.maximum(base, 1.5 * distance / speed), np.sqrt(6.0 * distance / accel))


def _at(a, frame):
    """a[..., frame[p]] for each play p (frame has one entry per play, 0-based)."""
    idx = np.broadcast_to(frame.reshape((-1,) + (1,) * (a.ndim - 1)), a.shape[:-1] + (1,))
    return np.take_along_axis(a, idx, axis=-1)[..., 0]


def _routes(rng, y0):
    """Route parameters of the skill players: stem heading, stem length, break angle."""
    inside = np.sign(_MID_Y - y0)
    inside[inside == 0] = 1.0
    # Wide receiver routes: (stem min, stem max, break angle toward the middle, radians).
    table = np.array([
        [60.0, 60.0, 0.0],     # go
        [2.0, 4.0, 0.8],       # slant
        [5.0, 11.0, -1.5],     # out
        [6.0, 13.0, 1.5],      # in / dig
        [10.0, 14.0, 0.6],     # post
        [10.0, 14.0, -0.6],    # corner
        [8.0, 12.0, 2.6],      # curl
        [10.0, 13.0, -2.6],    # comeback
    ])  # fmt: skip
    kind = rng.integers(0, len(table), size=y0.shape)
    u = rng.random(y0.shape)
    stem = table[kind, 0] + u * (table[kind, 1] - table[kind, 0])
    turn = table[kind, 2] * inside
    heading = rng.normal(0.0, 0.08, size=y0.shape)
    # Running backs run a flat route toward their side, then turn upfield.
    rb = np.zeros(y0.shape, bool)
    rb[:, 0] = True
    side = np.where(y0 >= _MID_Y, 1.0, -1.0)
    heading = np.where(rb, 1.2 * side, heading)
    stem = np.where(rb, rng.uniform(3.0, 6.0, y0.shape), stem)
    turn = np.where(rb, -1.0 * side, turn)
    # Tight ends run shorter versions.
    te = np.zeros(y0.shape, bool)
    te[:, 1] = True
    stem = np.where(te, np.minimum(stem, rng.uniform(4.0, 9.0, y0.shape)), stem)
    top = np.where(rb | te, rng.uniform(6.5, 8.0, y0.shape), rng.uniform(7.5, 9.2, y0.shape))
    return heading, stem, turn, top


def _skill_velocity(tau, heading, stem, turn, top):
    """Route velocities (..., frames): accelerate, run the stem, turn, run on."""
    ramp_time = 1.1
    ramp = 1.0 - np.exp(-np.maximum(tau, 0.0) / ramp_time)
    t_break = (stem / top + ramp_time)[..., None]
    t_turn = (0.7 + 0.4 * np.abs(turn))[..., None]
    theta = heading[..., None] + turn[..., None] * _smooth((tau - t_break) / t_turn)
    # Slow down through the break so the turn stays within human acceleration.
    rate = top[..., None] * 1.5 * np.abs(turn[..., None]) / t_turn
    dip = np.clip(1.0 - 7.5 / np.maximum(rate, 1e-9), 0.0, 0.75)
    centre = t_break + t_turn / 2.0
    bump = 0.5 * (1.0 + np.cos(np.pi * np.clip((tau - centre) / (1.5 * t_turn), -1.0, 1.0)))
    speed = top[..., None] * ramp * (1.0 - dip * bump)
    return speed * np.cos(theta), speed * np.sin(theta)


def _derive_kinematics(x, y, facing):
    """s, a, dis, dir (and the step) from positions, backward differences per track."""
    dx = np.diff(x, axis=-1, prepend=x[..., :1])
    dy = np.diff(y, axis=-1, prepend=y[..., :1])
    dis = np.hypot(dx, dy)
    s = dis / DT
    vx, vy = dx / DT, dy / DT
    ax = np.diff(vx, axis=-1, prepend=0.0)
    ay = np.diff(vy, axis=-1, prepend=0.0)
    ax[..., 0] = 0.0
    ay[..., 0] = 0.0
    a = np.hypot(ax, ay) / DT
    moving = dis > 1e-9
    direction = np.where(moving, np.degrees(np.arctan2(dx, dy)) % 360.0, facing)
    return s, a, dis, direction


class _Block:
    """Arrays of a block of n plays: per play (n,), per player (n, 22), per frame (n, 22, F)."""

    # Filled in by the stages below (_pass, _ball).
    target: np.ndarray  # roster slot of the targeted receiver, per play
    hand_x: np.ndarray  # where the ball leaves the QB's hand
    hand_y: np.ndarray
    flight: np.ndarray  # frames in the air
    arrival: np.ndarray  # frame id of pass_arrived
    n_frames: np.ndarray  # frames of each play
    catch_x: np.ndarray  # the ball's position at arrival (the target's)
    catch_y: np.ndarray
    slow: np.ndarray  # speed factor after the arrival, (n, 1, F)
    runs: np.ndarray  # which skill players run routes, (n, 5)
    caught: np.ndarray

    def __init__(self, rng: np.random.Generator, n: int):
        self.rng, self.n = rng, n
        self.snap = rng.integers(16, 36, n)  # 1-based frame id of the snap
        self.forward = self.snap + rng.integers(18, 33, n)
        self.n_frames_max = 36 + 33 + 31 + 2 + 36
        frame_ids = np.arange(1, self.n_frames_max + 1)
        self.tau = (frame_ids[None, :] - self.snap[:, None]) * DT  # seconds since the snap
        self.tau3 = self.tau[:, None, :]
        self.tau_forward = (self.forward - self.snap) * DT
        self.los = rng.uniform(22.0, 78.0, n)
        self.ball_y = rng.uniform(_MID_Y - 3.3, _MID_Y + 3.3, n)
        self.shotgun = rng.random(n) < 0.6
        self.te_side = np.where(rng.random(n) < 0.5, 1.0, -1.0)
        self.rows = np.arange(n)


def _alignment(b: _Block):
    """Pre-snap positions (n, 22) of every player."""
    rng, n, los, ball_y = b.rng, b.n, b.los, b.ball_y
    x0 = np.zeros((n, _N_PLAYERS))
    y0 = np.zeros((n, _N_PLAYERS))
    x0[:, 0] = np.where(b.shotgun, los - 5.0, los - 1.2)
    y0[:, 0] = ball_y
    x0[:, 1:6] = los[:, None] - np.array([0.8, 1.0, 1.0, 1.3, 1.3])
    y0[:, 1:6] = ball_y[:, None] + np.array([0.0, 1.4, -1.4, 2.8, -2.8])
    x0[:, 6] = np.where(b.shotgun, los - 5.0, los - 6.5)
    y0[:, 6] = np.where(b.shotgun, ball_y - 2.0 * b.te_side, ball_y)
    x0[:, 7], y0[:, 7] = los - 1.2, ball_y + 4.2 * b.te_side
    x0[:, 8:11] = los[:, None] - rng.uniform(0.8, 1.5, (n, 3))
    y0[:, 8] = np.clip(ball_y + rng.uniform(11.0, 19.0, n), 3.0, FIELD_WIDTH - 3.0)
    y0[:, 9] = np.clip(ball_y - rng.uniform(11.0, 19.0, n), 3.0, FIELD_WIDTH - 3.0)
    y0[:, 10] = ball_y + np.where(rng.random(n) < 0.5, 1.0, -1.0) * rng.uniform(6.0, 9.0, n)
    x0[:, 11:15] = los[:, None] + rng.uniform(0.8, 1.3, (n, 4))
    y0[:, 11:15] = ball_y[:, None] + np.array([3.8, 1.1, -1.1, -3.8]) + rng.normal(0, 0.3, (n, 4))
    x0[:, 15] = los + rng.uniform(3.5, 5.5, n)
    y0[:, 15] = ball_y + rng.uniform(-6.0, 6.0, n)
    x0[:, 16] = los + rng.uniform(4.0, 6.0, n)
    y0[:, 16] = ball_y + rng.uniform(-2.0, 2.0, n)
    x0[:, 17:20] = los[:, None] + rng.uniform(1.0, 7.5, (n, 3))
    y0[:, 17:20] = y0[:, 8:11] + np.sign(_MID_Y - y0[:, 8:11]) * rng.uniform(0.0, 1.5, (n, 3))
    x0[:, 20] = los + rng.uniform(11.0, 15.0, n)
    y0[:, 20] = ball_y + rng.uniform(-4.0, 4.0, n)
    x0[:, 21] = los + rng.uniform(7.0, 12.0, n)
    y0[:, 21] = np.clip(ball_y + rng.uniform(-10.0, 10.0, n), 4.0, FIELD_WIDTH - 4.0)
    return x0, y0


def _trenches(b: _Block, x0, y0):
    """Closed-form motion of the QB drop, line pass sets, rushers and blocking backs."""
    rng, n, tau, tau3 = b.rng, b.n, b.tau, b.tau3
    x = np.repeat(x0[:, :, None], b.n_frames_max, axis=2)
    y = np.repeat(y0[:, :, None], b.n_frames_max, axis=2)
    drop = np.where(b.shotgun, rng.uniform(0.5, 1.5, n), rng.uniform(4.5, 6.5, n))
    qb_s = _smooth(tau / np.where(b.shotgun, 1.5, 2.0)[:, None])
    x[:, 0] += -drop[:, None] * qb_s + 0.5 * _smooth((tau - b.tau_forward[:, None]) / 1.2)
    y[:, 0] += rng.uniform(-0.8, 0.8, n)[:, None] * qb_s
    set_s = _smooth(tau3 / 1.3)
    x[:, 1:6] -= rng.uniform(1.0, 2.0, (n, 5))[:, :, None] * set_s
    y[:, 1:6] += rng.uniform(-0.5, 0.5, (n, 5))[:, :, None] * set_s
    rush_x = (x0[:, 0] - drop + 1.0)[:, None] - x0[:, 11:15]
    rush_y = b.ball_y[:, None] - y0[:, 11:15]
    length = rng.uniform(2.0, 4.5, (n, 4)) / np.hypot(rush_x, rush_y)
    rush_s = _smooth(tau3 / rng.uniform(1.8, 2.8, (n, 4))[:, :, None])
    x[:, 11:15] += (rush_x * length)[:, :, None] * rush_s
    y[:, 11:15] += (rush_y * length)[:, :, None] * rush_s
    block_s = _smooth(tau3 / 1.2)
    x[:, 6:8] += rng.uniform(-1.5, 0.5, (n, 2))[:, :, None] * block_s
    y[:, 6:8] += rng.uniform(-1.2, 1.2, (n, 2))[:, :, None] * block_s
    return x, y


def _pass(b: _Block, x, y, x0, y0):
    """Routes, the target, the flight time and the catch point; receivers move in x, y."""
    rng, n, rows = b.rng, b.n, b.rows
    runs = np.zeros((n, 5), bool)
    runs[:, 2:] = True
    extra = rng.random(n)
    runs[:, 1] = extra < 0.35
    runs[:, 0] = (extra >= 0.35) & (extra < 0.6)
    start = (x0[:, _SKILL], y0[:, _SKILL])
    heading, stem, turn, top = _routes(rng, y0[:, _SKILL])
    vx, vy = _skill_velocity(b.tau3, heading, stem, turn, top)
    rx, ry = _integrate(start, vx, vy)  # routes run on (only to time the throw)

    weights = runs * rng.random((n, 5)) * np.array([0.6, 0.8, 1.0, 1.0, 1.0])
    b.target = _SKILL[np.argmax(weights, axis=1)]
    b.hand_x = _at(x[:, 0], b.forward - 1) + 0.2
    b.hand_y = _at(y[:, 0], b.forward - 1)
    ball_speed = rng.uniform(14.0, 22.0, n)
    flight = np.full(n, 15)
    for _ in range(3):
        at = b.forward - 1 + flight
        to_x = rx[rows, b.target - 6, at] - b.hand_x
        dist = np.hypot(to_x, ry[rows, b.target - 6, at] - b.hand_y)
        flight = np.clip(np.rint(dist / ball_speed / DT), 8, 30).astype(np.int64)
    b.flight = flight
    b.arrival = b.forward + flight
    b.n_frames = b.arrival + 1 + rng.integers(15, 36, n)
    # Everyone slows down once the ball has arrived.
    b.slow = 1.0 - 0.8 * _smooth((b.tau3 - ((b.arrival - b.snap) * DT)[:, None, None]) / 2.5)
    rx, ry = _integrate(start, vx * b.slow, vy * b.slow)
    rx, ry, _ = _contain(rx, ry)
    b.catch_x = rx[rows, b.target - 6, b.arrival - 1]
    b.catch_y = ry[rows, b.target - 6, b.arrival - 1]
    x[:, _SKILL] = np.where(runs[:, :, None], rx, x[:, _SKILL])
    y[:, _SKILL] = np.where(runs[:, :, None], ry, y[:, _SKILL])
    b.runs = runs


def _coverage(b: _Block, x, y, x0, y0):
    """Defensive backs and linebackers: man or zone until the throw, then break on the ball."""
    rng, n, rows, tau3, los, ball_y = b.rng, b.n, b.rows, b.tau3, b.los, b.ball_y
    k = len(_COVER)
    assigned = np.broadcast_to(np.array([0, 1, 2, 3, 4, 1, 1]), (n, k))  # skill index
    is_man = (rng.random(n) < 0.5)[:, None] & np.array([1, 0, 1, 1, 1, 0, 1], bool)
    is_man &= np.take_along_axis(b.runs, assigned, axis=1)
    zone_x = los[:, None] + np.array([7.0, 8.0, 14.0, 14.0, 5.0, 15.0, 9.0])
    zone_y = np.stack([
        ball_y + 5.0 * b.te_side, ball_y, np.clip(y0[:, 8], 9.0, 44.0),
        np.clip(y0[:, 9], 9.0, 44.0), y0[:, 10], np.full(n, _MID_Y), ball_y - 8.0 * b.te_side,
    ], axis=1) + rng.normal(0.0, 1.0, (n, k))  # fmt: skip
    cx0, cy0 = x0[:, _COVER], y0[:, _COVER]
    drop_time = _easy_time(rng.uniform(1.8, 2.6, (n, k)), np.hypot(zone_x - cx0, zone_y - cy0))
    zone_s = _smooth(tau3 / drop_time[:, :, None])
    px = cx0[:, :, None] + (zone_x - cx0)[:, :, None] * zone_s
    py = cy0[:, :, None] + (zone_y - cy0)[:, :, None] * zone_s
    # Man: trail the receiver a few frames late, closing the cushion over 1.5-2.5 s.
    lag = rng.integers(2, 5, (n, k))
    shifted = np.clip(np.arange(b.n_frames_max)[None, None, :] - lag[:, :, None], 0, None)
    skill_x, skill_y = x[:, _SKILL], y[:, _SKILL]
    mx = skill_x[rows[:, None, None], assigned[:, :, None], shifted]
    my = skill_y[rows[:, None, None], assigned[:, :, None], shifted]
    trail_x = rng.uniform(0.5, 1.5, (n, k))
    trail_y = rng.uniform(-1.0, 1.0, (n, k))
    cushion_x, cushion_y = cx0 - mx[..., 0], cy0 - my[..., 0]
    close_time = _easy_time(rng.uniform(1.8, 2.6, (n, k)),
                            np.hypot(cushion_x - trail_x, cushion_y - trail_y))  # fmt: skip
    close = _smooth(tau3 / close_time[:, :, None])
    mx += cushion_x[:, :, None] * (1 - close) + trail_x[:, :, None] * close
    my += cushion_y[:, :, None] * (1 - close) + trail_y[:, :, None] * close
    px = np.where(is_man[:, :, None], mx, px)
    py = np.where(is_man[:, :, None], my, py)
    cap = np.where(np.arange(k) < 2, 7.5, _V_CAP_DB)[None, :, None]
    pvx, pvy = _cap_speed(np.diff(px, axis=2, prepend=px[..., :1]) / DT,
                          np.diff(py, axis=2, prepend=py[..., :1]) / DT, cap)  # fmt: skip
    pre_x, pre_y = _integrate((cx0, cy0), pvx, pvy)
    # After the throw (and a reaction time), run toward the catch point.
    react = rng.integers(2, 6, (n, k))
    to_x = b.catch_x[:, None] - _at(pre_x, b.forward - 1)
    to_y = b.catch_y[:, None] - _at(pre_y, b.forward - 1)
    dist = np.maximum(np.hypot(to_x, to_y), 1e-9)
    reach = np.maximum(dist - rng.uniform(0.5, 2.5, (n, k)), 0.0)
    time_left = np.maximum((b.flight[:, None] - react) * DT, 0.5)
    v_break = np.minimum(1.15 * reach / time_left, cap[..., 0])
    since = np.maximum(tau3 - (b.tau_forward[:, None] + react * DT)[:, :, None], 0.0)
    speed = v_break[:, :, None] * (1.0 - np.exp(-since / 0.35))
    at_react = (b.forward - 1)[:, None] + react
    turn_x = v_break * to_x / dist - np.take_along_axis(pvx, at_react[:, :, None], axis=2)[..., 0]
    turn_y = v_break * to_y / dist - np.take_along_axis(pvy, at_react[:, :, None], axis=2)[..., 0]
    blend = np.maximum(rng.uniform(0.9, 1.3, (n, k)), 1.5 * np.hypot(turn_x, turn_y) / 7.0)
    w = _smooth(since / blend[:, :, None])
    vx = ((1 - w) * pvx + w * speed * (to_x / dist)[:, :, None]) * b.slow
    vy = ((1 - w) * pvy + w * speed * (to_y / dist)[:, :, None]) * b.slow
    vx, vy = _cap_speed(vx, vy, cap)
    cx, cy = _integrate((cx0, cy0), vx, vy)
    x[:, _COVER], y[:, _COVER], _ = _contain(cx, cy)


def _ball(b: _Block, x, y):
    """The ball: at the centre, snapped to the QB, in hand, thrown, caught or not."""
    rng, n, rows = b.rng, b.n, b.rows
    frame = np.arange(1, b.n_frames_max + 1)[None, :]
    receive = b.snap + np.where(b.shotgun, rng.integers(3, 6, n), 1)
    hand_x, hand_y = x[:, 0] + 0.2, y[:, 0].copy()
    u = np.clip((frame - b.snap[:, None]) / (receive - b.snap)[:, None], 0.0, 1.0)
    at_receive_x = _at(hand_x, receive - 1)[:, None]
    at_receive_y = _at(hand_y, receive - 1)[:, None]
    centre_x, centre_y = (b.los - 0.2)[:, None], b.ball_y[:, None]
    not_in_hand = frame < receive[:, None]
    bx = np.where(not_in_hand, centre_x + (at_receive_x - centre_x) * u, hand_x)
    by = np.where(not_in_hand, centre_y + (at_receive_y - centre_y) * u, hand_y)
    fly = np.clip((frame - b.forward[:, None]) / b.flight[:, None], 0.0, 1.0)
    thrown_x = b.hand_x[:, None] + (b.catch_x - b.hand_x)[:, None] * fly
    thrown_y = b.hand_y[:, None] + (b.catch_y - b.hand_y)[:, None] * fly
    b.caught = rng.random(n) < 0.65
    after = frame > b.arrival[:, None]
    carrier_x = x[rows, b.target] + 0.2
    carrier_y = y[rows, b.target]
    throw_x, throw_y = b.catch_x - b.hand_x, b.catch_y - b.hand_y
    throw_length = np.maximum(np.hypot(throw_x, throw_y), 1e-9)
    heading_x, heading_y = throw_x / throw_length, throw_y / throw_length
    roll = 3.0 * (1.0 - np.exp(-np.maximum(frame - b.arrival[:, None], 0) * DT / 0.4))
    loose_x = np.clip(b.catch_x[:, None] + heading_x[:, None] * roll, 0.5, FIELD_LENGTH - 0.5)
    loose_y = np.clip(b.catch_y[:, None] + heading_y[:, None] * roll, 0.5, FIELD_WIDTH - 0.5)
    dead_x = np.where(b.caught[:, None], carrier_x, loose_x)
    dead_y = np.where(b.caught[:, None], carrier_y, loose_y)
    in_air = frame >= b.forward[:, None]
    bx = np.where(after, dead_x, np.where(in_air, thrown_x, bx))
    by = np.where(after, dead_y, np.where(in_air, thrown_y, by))
    return bx, by


def _names() -> list[str]:
    """Display names of every (club, slot) player: unique within a club."""
    names = []
    for c in range(len(_CLUBS)):
        for j in range(_N_PLAYERS):
            initial = _INITIALS[(c * 7 + j * 11) % len(_INITIALS)]
            names.append(f"{initial}.{_SURNAMES[(c * 5 + j * 7) % len(_SURNAMES)]}")
    return names


_NAMES = _names()


def _descriptions(b: _Block, names: np.ndarray) -> list[str]:
    """Play-by-play text naming the passer and the target, in the NFL's wording."""
    rng = b.rng
    air = b.catch_x - b.los
    depth = np.where(air > 15.0, "deep", "short")
    side = np.where(b.catch_y > 2 * FIELD_WIDTH / 3, "left",
                    np.where(b.catch_y < FIELD_WIDTH / 3, "right", "middle"))  # fmt: skip
    gain = np.rint(air + rng.uniform(0.0, 8.0, b.n)).astype(int)
    minutes = rng.integers(0, 15, b.n)
    seconds = rng.integers(0, 60, b.n)
    out = []
    for p in range(b.n):
        clock = f"({minutes[p]}:{seconds[p]:02d})"
        passer = _NAMES[names[p, 0]]
        target = _NAMES[names[p, b.target[p]]]
        if b.caught[p]:
            out.append(f"{clock} {passer} pass {depth[p]} {side[p]} to {target} "
                       f"for {gain[p]} yards.")  # fmt: skip
        else:
            out.append(f"{clock} {passer} pass incomplete {depth[p]} {side[p]} to {target}.")
    return out


def _block_table(b: _Block, first_play: int, start_game_id: int, plays_per_game: int,
                 descriptions: bool) -> pa.Table:  # fmt: skip
    x0, y0 = _alignment(b)
    x, y = _trenches(b, x0, y0)
    _pass(b, x, y, x0, y0)
    _coverage(b, x, y, x0, y0)
    bx, by = _ball(b, x, y)
    n, rng = b.n, b.rng

    game = (first_play + np.arange(n)) // plays_per_game
    play_in_game = (first_play + np.arange(n)) % plays_per_game
    home = game % len(_CLUBS)
    away = (game * 5 + 11) % len(_CLUBS)
    away = np.where(away == home, (away + 1) % len(_CLUBS), away)
    offense_home = rng.random(n) < 0.5
    club = np.where(np.arange(_N_PLAYERS) < 11, np.where(offense_home, home, away)[:, None],
                    np.where(offense_home, away, home)[:, None])  # fmt: skip
    slot = np.broadcast_to(np.arange(_N_PLAYERS), (n, _N_PLAYERS))
    names = club * _N_PLAYERS + slot
    nfl_id = np.concatenate([np.full((n, 1), BALL_ID), 40_000 + club * 100 + slot], axis=1)
    order = np.argsort(nfl_id, axis=1, kind="stable")  # the ball (0) comes first

    def tracks(a):  # (n, 23) in nfl_id order
        return np.take_along_axis(a, order, axis=1)

    def frames(a):  # (n, 23, F) in nfl_id order
        return np.take_along_axis(a, order[:, :, None], axis=1)

    X = frames(np.concatenate([bx[:, None], x], axis=1))
    Y = frames(np.concatenate([by[:, None], y], axis=1))
    side_code = tracks(np.concatenate([np.full((n, 1), 2), (slot >= 11).astype(int)], axis=1))
    facing = np.where(side_code == 1, 270.0, 90.0)[:, :, None]
    s, a, dis, direction = _derive_kinematics(X, Y, facing)
    to_ball = np.degrees(np.arctan2(X[:, :1] - X, Y[:, :1] - Y)) % 360.0
    sc = side_code[:, :, None]
    o = np.where(sc == 1, to_ball, np.where(s > 1.0, direction, 90.0))
    o = np.where(sc == 2, np.nan, o)

    # Flat indices of the real (unpadded) samples, in (play, track, frame) order.
    n_frames_max = b.n_frames_max
    valid = np.arange(n_frames_max) < b.n_frames[:, None]  # (n, F)
    flat = np.flatnonzero(np.broadcast_to(valid[:, None, :], X.shape).ravel())
    track_of_row = flat // n_frames_max
    play_of_row = track_of_row // (_N_PLAYERS + 1)
    frame_of_row = flat - track_of_row * n_frames_max

    def per_sample(a):
        return np.take(a.reshape(-1), flat)

    def per_track(a):
        return np.take(np.asarray(a).reshape(-1), track_of_row)

    def per_play(a):
        return np.take(np.asarray(a), play_of_row)

    def strings(dictionary, index):
        index = np.asarray(index)
        codes = pa.array(index.astype(np.int32), mask=index < 0)
        return pa.DictionaryArray.from_arrays(codes, pa.array(dictionary)).dictionary_decode()

    frame_id = (frame_of_row + 1).astype(np.int32)
    event = np.full((n, b.n_frames_max), -1, dtype=np.int64)
    event[b.rows, b.snap - 1] = 0
    event[b.rows, b.forward - 1] = 1
    event[b.rows, b.arrival - 1] = 2
    event[b.rows, b.arrival] = np.where(b.caught, 3, 4)
    position = tracks(np.concatenate([np.full((n, 1), -1), slot], axis=1))
    ball_club = np.full((n, 1), -1)
    columns = {
        "game_id": per_play(start_game_id + game).astype(np.int64),
        "play_id": per_play(56 + 23 * play_in_game).astype(np.int64),
        "nfl_id": per_track(tracks(nfl_id)).astype(np.int64),
        "frame_id": frame_id,
        "x": per_sample(X),
        "y": per_sample(Y),
        "s": per_sample(s),
        "a": per_sample(a),
        "dis": per_sample(dis),
        "o": per_sample(o),
        "dir": per_sample(direction),
        "event": strings(_EVENTS, np.take(event.reshape(-1), play_of_row * n_frames_max
                                                            + frame_of_row)),
        "side": strings(("offense", "defense", "ball"), per_track(side_code)),
        "position": strings(_POSITIONS, per_track(position)),
        "jersey_number": pa.array(
            per_track(tracks(np.concatenate([np.full((n, 1), 0), _JERSEYS[slot]], axis=1))),
            type=pa.int32(), mask=per_track(side_code == 2)),
        "display_name": strings(
            [*_NAMES, "football"],
            per_track(tracks(np.concatenate([np.full((n, 1), len(_NAMES)), names], axis=1)))),
        "club": strings(_CLUBS, per_track(tracks(np.concatenate([ball_club, club], axis=1)))),
        "play_direction": strings(("right", "left"), per_play(rng.random(n) < 0.5).astype(int)),
    }  # fmt: skip
    if descriptions:
        text = _descriptions(b, names)
        columns["play_description"] = strings(text, per_play(np.arange(n)))
    schema = _SCHEMA if descriptions else CANONICAL_SCHEMA
    return pa.table(columns, schema=schema)


def generate_plays(
    n_plays: int,
    seed: int = 0,
    *,
    start_game_id: int = DEFAULT_START_GAME_ID,
    plays_per_game: int = 60,
    descriptions: bool = True,
) -> pa.Table:
    """Plausible synthetic pass plays as a canonical tracking table.

    Parameters
    ----------
    n_plays : int
        Number of plays (about 2,100 rows each: 22 players and the ball, ~91 frames).
    seed : int
        Random seed; the same seed gives the same table, bit for bit.
    start_game_id : int
        ``game_id`` of the first game; each game holds ``plays_per_game`` plays.
    plays_per_game : int
        Plays per synthetic game.
    descriptions : bool
        Add the ``play_description`` column ("(4:12) J.Abbott pass short left to
        K.Barker ..."), which names the targeted receiver. Turn it off to save memory
        on season-size tables.

    Returns
    -------
    pyarrow.Table
        The canonical columns (``schema.CANONICAL_SCHEMA``), then ``play_description``,
        sorted by ``(game_id, play_id, nfl_id, frame_id)``.

    Examples
    --------
    >>> import ghosting
    >>> plays = ghosting.synth.generate_plays(3, seed=1)
    >>> plays.num_rows > 3 * 23 * 60
    True
    >>> sorted(set(plays["side"].to_pylist()))
    ['ball', 'defense', 'offense']
    """
    if isinstance(n_plays, bool) or not isinstance(n_plays, (int, np.integer)) or n_plays < 0:
        raise InputError(f"generate_plays: n_plays must be an integer >= 0, got {n_plays!r}")
    if isinstance(plays_per_game, bool) or not isinstance(plays_per_game, (int, np.integer)) \
            or plays_per_game < 1:  # fmt: skip
        raise InputError(f"generate_plays: plays_per_game must be >= 1, got {plays_per_game!r}")
    blocks = []
    for chunk, first in enumerate(range(0, int(n_plays), _CHUNK_PLAYS)):
        rng = np.random.default_rng([int(seed), chunk])
        n = min(_CHUNK_PLAYS, int(n_plays) - first)
        blocks.append(_block_table(_Block(rng, n), first, start_game_id, plays_per_game,
                                   descriptions))  # fmt: skip
    schema = _SCHEMA if descriptions else CANONICAL_SCHEMA
    if not blocks:
        return schema.empty_table()
    return pa.concat_tables(blocks)

"""Numpy reference of the flight gatherer (:mod:`ghosting.flights`), for the tests.

The same inputs and outputs as ``ghosting._core.gather_flights`` and
``ghosting._core.play_rosters``, one window at a time, written the way the model's
windows were cut before the C++ core did it: a dense (player, frame) grid per play
(the last row of a frame wins), the history back-fill, the receiver fill and the
nearest player at pass forward by ``argmin``. Slow; never used by the package.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .flights import (
    DEFENDER_AT_PASS_FORWARD,
    DEFENDER_IN_PLAY,
    RECEIVER_AT_PASS_FORWARD,
    RECEIVER_IN_PLAY,
    SIDE_DEFENSE,
    SIDE_OFFENSE,
)

__all__ = [
    "gather_flights_py",
    "gather_tracks_py",
    "play_rosters_py",
    "padded_py",
    "fill_history",
    "fill_receiver",
    "nearest",
]


def fill_history(d_xy: np.ndarray, lead: int) -> np.ndarray:
    """(M, F, 2) defender positions with frames before ``lead`` back-filled from the
    next frame with a finite x."""
    d = d_xy.copy()
    for j in range(lead - 1, -1, -1):
        miss = ~np.isfinite(d[:, j, 0])
        d[miss, j] = d[miss, j + 1]
    return d


def fill_receiver(r: np.ndarray, lead: int) -> np.ndarray | None:
    """(F, 2) receiver positions with gaps filled (back before ``lead``, forward after);
    None when not tracked at ``lead``."""
    if not np.isfinite(r[lead, 0]):
        return None
    idx = np.arange(r.shape[0])
    ok = np.isfinite(r[:, 0])
    after = np.maximum.accumulate(np.where(ok, idx, 0))  # last known frame <= j
    before = np.minimum.accumulate(np.where(ok, idx, idx.size)[::-1])[::-1]  # next known >= j
    return r[np.where(idx < lead, before, after)]


def nearest(
    at_pf: np.ndarray, defenders: np.ndarray, others: np.ndarray, exclude_self: bool = False
) -> np.ndarray:
    """Position (M, 2) of the nearest of ``others`` relative to each defender (NaN when
    none is at a finite distance); ``exclude_self`` skips the defender itself."""
    out = np.full((defenders.size, 2), np.nan)
    if others.size == 0:
        return out
    d = at_pf[defenders]
    rel = at_pf[others][None, :, :] - d[:, None, :]
    dist = np.hypot(rel[..., 0], rel[..., 1])
    if exclude_self:
        dist[others[None, :] == defenders[:, None]] = np.inf
    dist = np.where(np.isfinite(dist), dist, np.inf)
    rows = np.arange(defenders.size)
    best = np.argmin(dist, axis=1)
    found = np.isfinite(dist[rows, best])
    out[found] = rel[rows, best][found]
    return out


def _grid(
    nfl: np.ndarray, frame: np.ndarray, x: np.ndarray, y: np.ndarray, first: int, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ids, inv = np.unique(nfl, return_inverse=True)
    fi = frame - first
    ok = (fi >= 0) & (fi < n)
    grid = np.full((ids.size, n, 2), np.nan)
    grid[inv[ok], fi[ok], 0] = x[ok]
    grid[inv[ok], fi[ok], 1] = y[ok]
    return ids, inv, grid


def gather_flights_py(
    nfl_id: Any,
    frame_id: Any,
    x: Any,
    y: Any,
    side: Any,
    play_offsets: Any,
    play: Any,
    defender: Any,
    receiver: Any,
    first_frame: Any,
    pass_forward_frame: Any,
    end_frame: Any,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(defender_xy, receiver_xy, offsets, context, flags)`` as the C++ core's
    ``gather_flights`` returns them (valid input only)."""
    nfl_id, frame_id = np.asarray(nfl_id, np.int64), np.asarray(frame_id, np.int64)
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    side, play_offsets = np.asarray(side, np.int8), np.asarray(play_offsets, np.int64)
    reqs = [np.asarray(v, np.int64) for v in
            (play, defender, receiver, first_frame, pass_forward_frame, end_frame)]
    n = reqs[0].size
    lengths = reqs[5] - reqs[3] + 1
    offsets = np.zeros(n + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    d_out = np.full((int(offsets[-1]), 2), np.nan)
    r_out = np.full((int(offsets[-1]), 2), np.nan)
    context = np.full((n, 4), np.nan)
    flags = np.zeros(n, np.uint8)
    for i in range(n):
        p, did, rid, first, pf, _ = (int(v[i]) for v in reqs)
        s, e = int(play_offsets[p]), int(play_offsets[p + 1])
        m, lead = int(lengths[i]), pf - first
        ids, inv, grid = _grid(nfl_id[s:e], frame_id[s:e], x[s:e], y[s:e], first, m)
        sides = np.zeros(ids.size, np.int8)
        sides[inv] = side[s:e]  # the last row's side wins
        _, _, at = _grid(nfl_id[s:e], frame_id[s:e], x[s:e], y[s:e], pf, 1)
        at_pf = at[:, 0, :]
        pos = {int(v): k for k, v in enumerate(ids)}
        f = 0
        if did in pos:
            f |= DEFENDER_IN_PLAY
            d = grid[pos[did]]
            if np.isfinite(d[lead, 0]):
                f |= DEFENDER_AT_PASS_FORWARD
            d_out[offsets[i]:offsets[i + 1]] = fill_history(d[None], lead)[0]
        if rid in pos:
            f |= RECEIVER_IN_PLAY
            r = grid[pos[rid]]
            filled = fill_receiver(r, lead)
            if filled is not None:
                f |= RECEIVER_AT_PASS_FORWARD
                r = filled
            r_out[offsets[i]:offsets[i + 1]] = r
        flags[i] = f
        if did in pos:
            di = np.array([pos[did]])
            offense = np.flatnonzero((sides == SIDE_OFFENSE) & (ids != rid))
            defense = np.flatnonzero(sides == SIDE_DEFENSE)
            context[i, :2] = nearest(at_pf, di, offense)[0]
            context[i, 2:] = nearest(at_pf, di, defense, exclude_self=True)[0]
    return d_out, r_out, offsets, context, flags


def gather_tracks_py(
    nfl_id: Any,
    frame_id: Any,
    x: Any,
    y: Any,
    side: Any,
    play_offsets: Any,
    play: Any,
    nfl: Any,
    first_frame: Any,
    end_frame: Any,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(xy, offsets, n_rows, first_row, consecutive, nonfinite)`` as the C++ core's
    ``gather_tracks`` returns them (valid input only)."""
    nfl_id, frame_id = np.asarray(nfl_id, np.int64), np.asarray(frame_id, np.int64)
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    play_offsets = np.asarray(play_offsets, np.int64)
    play, nfl = np.asarray(play, np.int64), np.asarray(nfl, np.int64)
    first, end = np.asarray(first_frame, np.int64), np.asarray(end_frame, np.int64)
    n = play.size
    offsets = np.zeros(n + 1, np.int64)
    np.cumsum(end - first + 1, out=offsets[1:])
    xy = np.full((int(offsets[-1]), 2), np.nan)
    n_rows = np.zeros(n, np.int64)
    first_row = np.full(n, -1, np.int64)
    consecutive = np.ones(n, bool)
    nonfinite = np.zeros(n, bool)
    for i in range(n):
        s, e = int(play_offsets[play[i]]), int(play_offsets[play[i] + 1])
        m = int(end[i] - first[i] + 1)
        ids, _, grid = _grid(nfl_id[s:e], frame_id[s:e], x[s:e], y[s:e], int(first[i]), m)
        if int(nfl[i]) in ids.tolist():
            xy[offsets[i]:offsets[i + 1]] = grid[ids.tolist().index(int(nfl[i]))]
        rows = s + np.flatnonzero((nfl_id[s:e] == nfl[i]) & (frame_id[s:e] >= first[i])
                                  & (frame_id[s:e] <= end[i]))
        n_rows[i] = rows.size
        if rows.size:
            first_row[i] = rows[0]
            consecutive[i] = bool(np.all(np.diff(frame_id[rows]) == 1))
            nonfinite[i] = not (np.isfinite(x[rows]).all() and np.isfinite(y[rows]).all())
    return xy, offsets, n_rows, first_row, consecutive, nonfinite


def play_rosters_py(
    nfl_id: Any, side: Any, play_offsets: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(roster_offsets, nfl_id, side)`` as the C++ core's ``play_rosters``."""
    nfl_id, side = np.asarray(nfl_id, np.int64), np.asarray(side, np.int8)
    play_offsets = np.asarray(play_offsets, np.int64)
    ids_out, side_out, off = [], [], [0]
    for s, e in zip(play_offsets[:-1].tolist(), play_offsets[1:].tolist(), strict=True):
        ids, inv = np.unique(nfl_id[s:e], return_inverse=True)
        sides = np.zeros(ids.size, np.int8)
        sides[inv] = side[s:e]
        ids_out.append(ids)
        side_out.append(sides)
        off.append(off[-1] + ids.size)
    return (
        np.array(off, np.int64),
        np.concatenate(ids_out).astype(np.int64) if ids_out else np.zeros(0, np.int64),
        np.concatenate(side_out).astype(np.int8) if side_out else np.zeros(0, np.int8),
    )


def padded_py(xy: np.ndarray, offsets: np.ndarray, index: np.ndarray, width: int) -> np.ndarray:
    """``_core.pad_windows``: the windows ``index`` of flat ``(n, 2)`` points cut by
    ``offsets``, as ``(m, width, 2)`` (NaN past each window's end), one window at a time."""
    out = np.full((len(index), width, 2), np.nan)
    for k, i in enumerate(np.asarray(index, np.int64)):
        window = xy[offsets[i]:offsets[i + 1]]
        if len(window) > width:
            raise ValueError(f"window {i} has {len(window)} samples, more than width {width}")
        out[k, : len(window)] = window
    return out

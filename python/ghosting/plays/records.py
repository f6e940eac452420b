"""Pass plays: one record per play with its window, landing point, target and players.

:func:`pass_plays` builds on :func:`ghosting.plays.pass_windows` one record per
play with the ball's landing point, the targeted receiver (and where that came
from), the eligible receivers and the defensive backs, and says why a play cannot
be analysed.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .rows import _by_play, _PlayRows, _sorted
from .targets import _choose_targets
from .windows import _require, pass_windows

__all__ = ["pass_plays", "REASONS", "PLAYS_SCHEMA"]

#: Why a play cannot be analysed, in the order they are checked.
REASONS = (
    "no pass_forward",
    "no arrival",
    "no ball position at arrival",
    "sides unknown",
    "no eligible receivers",
    "no target",
    "target not tracked at pass_forward",
    "no defensive backs",
)

PLAYS_SCHEMA = pa.schema(
    [
        ("game_id", pa.int64()),
        ("play_id", pa.int64()),
        ("analysable", pa.bool_()),
        ("reason", pa.string()),
        ("pass_forward_frame", pa.int32()),
        ("arrival_frame", pa.int32()),
        ("ball_land_x", pa.float64()),
        ("ball_land_y", pa.float64()),
        ("targeted_receiver", pa.int64()),
        ("target_source", pa.string()),
        ("eligible_receivers", pa.list_(pa.int64())),
        ("defensive_backs", pa.list_(pa.int64())),
    ]
)


def _lists(play_idx: np.ndarray, nfl: np.ndarray, mask: np.ndarray, n_plays: int) -> pa.Array:
    rows = np.flatnonzero(mask)
    p, ids = play_idx[rows], nfl[rows]
    if len(rows) > 1:
        keep = np.ones(len(rows), dtype=bool)
        keep[1:] = (p[1:] != p[:-1]) | (ids[1:] != ids[:-1])
        p, ids = p[keep], ids[keep]
    offsets = np.zeros(n_plays + 1, dtype=np.int32)
    np.cumsum(np.bincount(p, minlength=n_plays), out=offsets[1:])
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(ids, pa.int64()))


def pass_plays(tracking: pa.Table, targets: object | None = None) -> pa.Table:
    """One record per play: pass window, landing point, target, receivers, defensive backs.

    Parameters
    ----------
    tracking : pyarrow.Table
        A canonical tracking table (from :func:`ghosting.read_tracking`).
    targets : path or pyarrow.Table, optional
        A targeted-receiver file (``targetedReciever.csv``) or a table from
        :func:`ghosting.read_targets`.

    Returns
    -------
    pyarrow.Table
        ``game_id, play_id, analysable, reason, pass_forward_frame, arrival_frame,
        ball_land_x, ball_land_y, targeted_receiver, target_source,
        eligible_receivers, defensive_backs`` -- one row per play, sorted. ``reason``
        says why a play is not analysable (null when it is). The target comes from,
        in order: the target file, the 2026 ``player_role``, the play description,
        inference (the eligible receiver nearest the ball at arrival).

    Examples
    --------
    >>> import ghosting
    >>> plays = ghosting.pass_plays(ghosting.synth.generate_plays(3, seed=1))
    >>> plays.num_rows
    3
    """
    _require(tracking, ("game_id", "play_id", "nfl_id", "frame_id", "x", "y", "event"),
             "pass_plays")
    tracking = _sorted(tracking)
    windows = pass_windows(tracking)
    rows = _PlayRows.of(tracking, windows.num_rows)
    forward, arrival = _pass_frames(rows, windows)
    at_forward = rows.frame == forward[rows.play_idx]
    at_arrival = rows.frame == arrival[rows.play_idx]
    land_x, land_y = _landing_points(rows, windows, forward, arrival)

    receivers = rows.offense & rows.receiver_position & ~rows.is_ball
    backs = rows.defense & rows.back_position & ~rows.is_ball
    eligible = _lists(rows.play_idx, rows.nfl, receivers & at_forward, rows.n_plays)
    defensive_backs = _lists(rows.play_idx, rows.nfl, backs & at_forward, rows.n_plays)
    target, source = _choose_targets(rows, windows, targets, receivers & at_arrival,
                                     land_x, land_y)

    reason = _reasons(rows, forward, arrival, land_x, land_y, at_forward, target,
                      eligible, defensive_backs)

    def nullable_int(values: np.ndarray, typ: pa.DataType) -> pa.Array:
        return pa.array(values, typ, mask=values < 0)

    return pa.table(
        [
            windows["game_id"],
            windows["play_id"],
            pa.array([r is None for r in reason], pa.bool_()),
            pa.array(reason, pa.string()),
            nullable_int(forward, pa.int32()),
            nullable_int(arrival, pa.int32()),
            pa.array(land_x),
            pa.array(land_y),
            nullable_int(target, pa.int64()),
            pa.array(source, pa.string()),
            eligible,
            defensive_backs,
        ],
        schema=PLAYS_SCHEMA,
    )


def _pass_frames(rows: _PlayRows, windows: pa.Table) -> tuple[np.ndarray, np.ndarray]:
    """Pass forward and arrival frames (-1 when unknown) from events or, in 2026 input
    files (frames end at the throw), from the last input frame and
    ``num_frames_output``."""
    forward = pc.fill_null(windows["pass_forward_frame"], -1).to_numpy().astype(np.int64)
    arrival = pc.fill_null(windows["arrival_frame"], -1).to_numpy().astype(np.int64)
    if "num_frames_output" in rows.table.column_names and rows.n_plays:
        # the throw is the last input frame; output rows read with their input
        # (ghosting.io pairs them) carry positions only, so they have no speed
        measured = np.isfinite(rows.table["s"].to_numpy())
        frames = np.where(measured, rows.frame, -1)
        last = np.maximum.reduceat(frames, rows.starts[:-1])
        last = np.where(last >= 0, last, np.maximum.reduceat(rows.frame, rows.starts[:-1]))
        frames_out = rows.first_of_play("num_frames_output").astype(np.int64)
        use = (forward < 0) & (frames_out > 0)
        forward = np.where(use, last, forward)
        arrival = np.where(use, last + frames_out, arrival)
    return forward, arrival


def _landing_points(
    rows: _PlayRows, windows: pa.Table, forward: np.ndarray, arrival: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``ball_land_x/y`` when given (2026), else the ball at arrival on its own clock."""
    land_x = np.full(rows.n_plays, np.nan)
    land_y = np.full(rows.n_plays, np.nan)
    ball_arrival = arrival + _ball_clock_shift(rows.table, rows.is_ball, windows, forward)
    found = (rows.is_ball & (rows.frame == ball_arrival[rows.play_idx])
             & np.isfinite(rows.x) & np.isfinite(rows.y))
    land_x[rows.play_idx[found]] = rows.x[found]
    land_y[rows.play_idx[found]] = rows.y[found]
    names = rows.table.column_names
    if "ball_land_x" in names and "ball_land_y" in names and rows.n_plays:
        given_x = rows.first_of_play("ball_land_x").astype(np.float64)
        given_y = rows.first_of_play("ball_land_y").astype(np.float64)
        given = np.isfinite(given_x) & np.isfinite(given_y)
        land_x = np.where(given, given_x, land_x)
        land_y = np.where(given, given_y, land_y)
    return land_x, land_y


def _reasons(
    rows: _PlayRows,
    forward: np.ndarray,
    arrival: np.ndarray,
    land_x: np.ndarray,
    land_y: np.ndarray,
    at_forward: np.ndarray,
    target: np.ndarray,
    eligible: pa.ListArray,
    defensive_backs: pa.ListArray,
) -> np.ndarray:
    """Why each play is not analysable (the first failed check), None when it is."""
    tracked = np.zeros(rows.n_plays, dtype=bool)
    present = np.flatnonzero(at_forward & ~rows.is_ball)
    hit = rows.nfl[present] == target[rows.play_idx[present]]
    tracked[rows.play_idx[present[hit]]] = True
    has_side = np.zeros(rows.n_plays, dtype=bool)
    has_side[rows.play_idx[rows.offense | rows.defense]] = True
    checks = [
        forward < 0,
        arrival < 0,
        ~(np.isfinite(land_x) & np.isfinite(land_y)),
        ~has_side,
        np.diff(eligible.offsets.to_numpy()) == 0,
        target < 0,
        ~tracked,
        np.diff(defensive_backs.offsets.to_numpy()) == 0,
    ]
    reason = np.full(rows.n_plays, None, dtype=object)
    for text, failed in zip(REASONS[::-1], checks[::-1], strict=True):
        reason[failed] = text
    return reason


def _ball_clock_shift(
    tracking: pa.Table, is_ball: np.ndarray, windows: pa.Table, forward: np.ndarray
) -> np.ndarray:
    """Per play, how many frames the ball's own pass_forward lies after the play's.

    Some highlight plays number the ball's frames differently from the players'
    (a constant shift); the ball's own events tell by how much. 0 when unknown.
    """
    shift = np.zeros(windows.num_rows, dtype=np.int64)
    if not is_ball.any():
        return shift
    own = pass_windows(tracking.filter(pa.array(is_ball)))
    ball_forward = _by_play(windows, own, "pass_forward_frame")
    known = (ball_forward >= 0) & (forward >= 0)
    shift[known] = ball_forward[known] - forward[known]
    return shift

"""Pass plays: one record per play with its window, landing point, target and players.

:func:`pass_plays` builds on :func:`ghosting.plays.pass_windows` one record per
play with the ball's landing point, the targeted receiver (and where that came
from), the eligible receivers and the defensive backs, and says why a play cannot
be analysed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .._columns import Columns
from ..passes import PassWindows, _require
from .play_rows import _by_play, _PlayRows, _sorted
from .targets import TARGET_FILE_REASONS, _choose_targets

__all__ = ["pass_plays", "REASONS", "PASS_PLAYS_SCHEMA"]

#: Said when a play's players have no position at all: where positions come from.
_POSITIONS_HINT = "no player positions (pass the competition's players.csv: --players / players=)"

#: Why a play cannot be analysed, in the order they are checked. Stable categories
#: (no ids inside): a summary can count them and say what to do.
REASONS = (
    "positions only: a 2026 output file needs its matching input file",
    "no pass_forward",
    "no arrival",
    "no ball position at arrival",
    f"sides unknown: {_POSITIONS_HINT}",
    "sides unknown",
    f"no eligible receivers: {_POSITIONS_HINT}",
    "no eligible receivers",
    *TARGET_FILE_REASONS.values(),
    "no target",
    "target not tracked at pass_forward",
    "no defensive backs",
)

PASS_PLAYS_SCHEMA = pa.schema(
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


def _lists(play_idx: np.ndarray, nfl: np.ndarray, rows: np.ndarray, n_plays: int) -> pa.Array:
    """Per play, the ids of the ascending ``rows`` (each id once where repeated)."""
    p, ids = play_idx[rows], nfl[rows]
    if len(rows) > 1:
        keep = np.ones(len(rows), dtype=bool)
        keep[1:] = (p[1:] != p[:-1]) | (ids[1:] != ids[:-1])
        p, ids = p[keep], ids[keep]
    offsets = np.zeros(n_plays + 1, dtype=np.int32)
    np.cumsum(np.bincount(p, minlength=n_plays), out=offsets[1:])
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(ids, pa.int64()))


def pass_plays(
    tracking: pa.Table,
    targets: object | None = None,
    *,
    infer_missing_targets: bool = False,
    windows: PassWindows | None = None,
    columns: Columns | None = None,
) -> pa.Table:
    """One record per play: pass window, landing point, target, receivers, defensive backs.

    Parameters
    ----------
    tracking : pyarrow.Table
        A canonical tracking table (from :func:`ghosting.read_tracking`).
    targets : path or pyarrow.Table, optional
        A targeted-receiver file (``targetedReciever.csv``) or a table from
        :func:`ghosting.read_targets`. Its word is final for the plays it lists: NA
        means "no target" (the play is not analysable), a play whose rows disagree
        gets no target, and a target tracked on the play but not as an eligible
        offensive receiver (a defender, the passer) is refused -- each with its reason.
    infer_missing_targets : bool, default False
        Infer the target of the plays whose target file entry is NA, as for plays
        the file does not list.
    windows : PassWindows, optional
        ``PassWindows.of(tracking)`` when the caller has it already (``ghosting run``
        scans a batch's events once for this and for cleaning); computed otherwise.
    columns : ghosting._columns.Columns, optional
        The numpy views of ``tracking``'s columns when the caller has them (``ghosting
        run`` shares one per batch); used when ``tracking`` is sorted already.

    Returns
    -------
    pyarrow.Table
        ``game_id, play_id, analysable, reason, pass_forward_frame, arrival_frame,
        ball_land_x, ball_land_y, targeted_receiver, target_source,
        eligible_receivers, defensive_backs`` -- one row per play, sorted. ``reason``
        says why a play is not analysable (null when it is; one of ``REASONS``). The
        target comes from, in order: the target file, the 2026 ``player_role``, the
        play description, inference (the eligible receiver nearest the ball at
        arrival). Frame ids of any sign are frames; unknown values are null.

    Examples
    --------
    >>> import ghosting
    >>> plays = ghosting.pass_plays(ghosting.synth.generate_plays(3, seed=1))
    >>> plays.num_rows
    3
    """
    _require(tracking, ("game_id", "play_id", "nfl_id", "frame_id", "x", "y", "event"),
             "pass_plays")
    tracking, cols = _sorted(tracking, columns)
    found = windows if windows is not None else PassWindows.of(tracking, cols)
    windows_table = found.windows
    rows = _PlayRows.of(tracking, windows_table.num_rows, cols)
    frames = _pass_frames(rows, windows_table)
    # the few rows at pass forward and at arrival (ascending): the tests below read
    # only them, not every row of the table
    at_forward = frames.at_forward(rows)
    at_arrival = frames.at_arrival(rows)
    land_x, land_y = _landing_points(rows, found, frames)

    def receivers(at: np.ndarray) -> np.ndarray:
        return at[rows.offense[at] & rows.receiver_position[at] & ~rows.is_ball[at]]

    backs = at_forward[rows.defense[at_forward] & rows.back_position[at_forward]
                       & ~rows.is_ball[at_forward]]  # fmt: skip
    eligible = _lists(rows.play_idx, rows.nfl, receivers(at_forward), rows.n_plays)
    defensive_backs = _lists(rows.play_idx, rows.nfl, backs, rows.n_plays)
    target, has_target, source, refused = _choose_targets(
        rows, windows_table, targets, receivers(at_arrival), land_x, land_y,
        infer_missing_targets)

    reason = _reasons(rows, frames, land_x, land_y, at_forward, target, has_target, refused,
                      eligible, defensive_backs)
    return pa.table(
        [
            windows_table["game_id"],
            windows_table["play_id"],
            pa.array([r is None for r in reason], pa.bool_()),
            pa.array(reason, pa.string()),
            pa.array(frames.forward, pa.int32(), mask=~frames.has_forward),
            pa.array(frames.arrival, pa.int32(), mask=~frames.has_arrival),
            pa.array(land_x),
            pa.array(land_y),
            pa.array(target, pa.int64(), mask=~has_target),
            pa.array(source, pa.string()),
            eligible,
            defensive_backs,
        ],
        schema=PASS_PLAYS_SCHEMA,
    )


@dataclass(frozen=True)
class _PassFrames:
    """Per play, the pass forward and arrival frames and masks of where they are known."""

    forward: np.ndarray
    has_forward: np.ndarray
    arrival: np.ndarray
    has_arrival: np.ndarray

    def at_forward(self, rows: _PlayRows) -> np.ndarray:
        """The rows (ascending) at each play's pass forward frame."""
        return rows.at(self.forward, self.has_forward)

    def at_arrival(self, rows: _PlayRows) -> np.ndarray:
        """The rows (ascending) at each play's arrival frame."""
        return rows.at(self.arrival, self.has_arrival)


def _frames_of(column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    known = np.asarray(pc.is_valid(column).to_numpy(zero_copy_only=False), dtype=bool)
    return pc.fill_null(column, 0).to_numpy().astype(np.int64), known


def _pass_frames(rows: _PlayRows, windows: pa.Table) -> _PassFrames:
    """Pass forward and arrival frames from events or, in 2026 input files (frames end
    at the throw), from the last input frame and ``num_frames_output``."""
    forward, has_forward = _frames_of(windows["pass_forward_frame"])
    arrival, has_arrival = _frames_of(windows["arrival_frame"])
    if "num_frames_output" in rows.table.column_names and rows.n_plays:
        # the throw is the last input frame; output rows read with their input
        # (ghosting.io pairs them) carry positions only, so they have no speed
        first = rows.starts[:-1]
        measured = np.isfinite(rows.table["s"].to_numpy())
        any_measured = np.logical_or.reduceat(measured, first)
        lowest = np.iinfo(np.int64).min  # the identity of max, never kept
        last_measured = np.maximum.reduceat(np.where(measured, rows.frame, lowest), first)
        last = np.where(any_measured, last_measured, np.maximum.reduceat(rows.frame, first))
        frames_out, has_out = rows.first_of_play_int("num_frames_output")
        use = ~has_forward & has_out & (frames_out > 0)
        forward = np.where(use, last, forward)
        arrival = np.where(use, last + frames_out, arrival)
        has_forward = has_forward | use
        has_arrival = has_arrival | use
    return _PassFrames(forward, has_forward, arrival, has_arrival)


def _landing_points(
    rows: _PlayRows, found: PassWindows, frames: _PassFrames
) -> tuple[np.ndarray, np.ndarray]:
    """``ball_land_x/y`` when given (2026), else the ball at arrival on its own clock."""
    land_x = np.full(rows.n_plays, np.nan)
    land_y = np.full(rows.n_plays, np.nan)
    ball_arrival = frames.arrival + _ball_clock_shift(rows.is_ball, found, frames)
    ball = np.flatnonzero(rows.is_ball)  # the ball's rows only
    p, x, y = rows.play_idx[ball], rows.x[ball], rows.y[ball]
    at = (frames.has_arrival[p] & (rows.frame[ball] == ball_arrival[p])
          & np.isfinite(x) & np.isfinite(y))  # fmt: skip
    land_x[p[at]] = x[at]
    land_y[p[at]] = y[at]
    names = rows.table.column_names
    if "ball_land_x" in names and "ball_land_y" in names and rows.n_plays:
        given_x = rows.first_of_play("ball_land_x")
        given_y = rows.first_of_play("ball_land_y")
        given = np.isfinite(given_x) & np.isfinite(given_y)
        land_x = np.where(given, given_x, land_x)
        land_y = np.where(given, given_y, land_y)
    return land_x, land_y


def _per_play_any(rows: _PlayRows, mask: np.ndarray) -> np.ndarray:
    """Per play, whether any of its rows is in ``mask`` (every play has rows)."""
    if not rows.n_plays:
        return np.zeros(0, dtype=bool)
    return np.logical_or.reduceat(mask, rows.starts[:-1])


def _reasons(
    rows: _PlayRows,
    frames: _PassFrames,
    land_x: np.ndarray,
    land_y: np.ndarray,
    at_forward: np.ndarray,
    target: np.ndarray,
    has_target: np.ndarray,
    refused: np.ndarray,
    eligible: pa.ListArray,
    defensive_backs: pa.ListArray,
) -> np.ndarray:
    """Why each play is not analysable (the first failed check), None when it is
    (``at_forward``: the rows at pass forward)."""
    present = at_forward[~rows.is_ball[at_forward]]
    hit = has_target[rows.play_idx[present]] & (rows.nfl[present] == target[
        rows.play_idx[present]])
    tracked = np.zeros(rows.n_plays, dtype=bool)
    tracked[rows.play_idx[present[hit]]] = True
    has_side = _per_play_any(rows, rows.offense | rows.defense)
    players = ~rows.is_ball
    # a receiver's or a back's position (or role) is a position: no null among them
    has_positions = _per_play_any(rows, players & _has_position(rows))
    # a 2026 output file read alone: x, y of players, nothing else
    has_event = _plays_with_values(rows, "event")
    positions_only = (~_per_play_any(rows, rows.is_ball) & ~has_side & ~has_event
                      & ~has_positions & ~frames.has_forward)
    no_receivers = np.diff(eligible.offsets.to_numpy()) == 0
    checks: list[tuple[object, np.ndarray]] = [
        (REASONS[0], positions_only),
        ("no pass_forward", ~frames.has_forward),
        ("no arrival", ~frames.has_arrival),
        ("no ball position at arrival", ~(np.isfinite(land_x) & np.isfinite(land_y))),
        (f"sides unknown: {_POSITIONS_HINT}", ~has_side & ~has_positions),
        ("sides unknown", ~has_side),
        (f"no eligible receivers: {_POSITIONS_HINT}", no_receivers & ~has_positions),
        ("no eligible receivers", no_receivers),
        (refused, ~has_target & np.asarray([r is not None for r in refused], dtype=bool)),
        ("no target", ~has_target),
        ("target not tracked at pass_forward", ~tracked),
        ("no defensive backs", np.diff(defensive_backs.offsets.to_numpy()) == 0),
    ]
    reason = np.full(rows.n_plays, None, dtype=object)
    for text, failed in checks[::-1]:
        reason[failed] = text[failed] if isinstance(text, np.ndarray) else text
    return reason


def _plays_with_values(rows: _PlayRows, name: str) -> np.ndarray:
    """Per play, whether any of its rows has a value in the column ``name`` (from the
    rows with values, which the pass windows listed: events are mostly null)."""
    if name not in rows.table.column_names:
        return np.zeros(rows.n_plays, dtype=bool)
    return np.bincount(rows.play_idx[rows.cols.valid_rows(name)], minlength=rows.n_plays) > 0


def _valid(rows: _PlayRows, name: str) -> np.ndarray:
    if name not in rows.table.column_names:
        return np.zeros(rows.table.num_rows, dtype=bool)
    return rows.cols.valid(name)


def _has_position(rows: _PlayRows) -> np.ndarray:
    """Rows with any position or 2026 role."""
    return _valid(rows, "position") | _valid(rows, "player_role")


def _ball_clock_shift(is_ball: np.ndarray, found: PassWindows, frames: _PassFrames
                      ) -> np.ndarray:  # fmt: skip
    """Per play, how many frames the ball's own pass_forward lies after the play's.

    Some highlight plays number the ball's frames differently from the players'
    (a constant shift); the ball's own events tell by how much. 0 when unknown.
    """
    shift = np.zeros(found.windows.num_rows, dtype=np.int64)
    if not is_ball.any():
        return shift
    ball_forward, has_own = _by_play(found.windows, found.ball, "pass_forward_frame")
    known = has_own & frames.has_forward
    shift[known] = ball_forward[known] - frames.forward[known]
    return shift

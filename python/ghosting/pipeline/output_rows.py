"""The rows one game adds to the output tables, from its ghosts and their scores."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .._util import run_starts
from ..flights import FlightTable
from ..model.ghost import PlayGhosts
from .columns import _np, _row_index
from .outputs import _ROW_OPTION_TYPE as OPTION_TYPE
from .outputs import _ROW_PLAYS_SCHEMA as PLAYS_SCHEMA
from .outputs import _ROW_SCORES_SCHEMA as SCORES_SCHEMA
from .outputs import _ROW_TRAJECTORIES_SCHEMA as TRAJECTORIES_SCHEMA
from .summary import _Tally


def _ints(column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """An integer column as int64 values (0 where null) and a validity mask."""
    valid = _np(pc.is_valid(column), bool)
    return _np(pc.fill_null(column, 0), np.int64), valid


@dataclass
class _Scored:
    """Scores of a batch of trajectories cut by offsets."""

    ps: np.ndarray
    dr: np.ndarray
    sp: np.ndarray
    ts: np.ndarray
    weight: np.ndarray  # per trajectory
    group_score: np.ndarray  # per group (option or play)


@dataclass
class _Ghosts:
    """A batch's ghost trajectories, sorted by (game, play, option, defender, frame),
    with their scores; per-trajectory arrays are indexed by trajectory."""

    rows: PlayGhosts
    offsets: np.ndarray  # trajectories into rows
    options: np.ndarray  # options (game, play, target) into trajectories
    game: np.ndarray
    play: np.ndarray
    play_row: np.ndarray  # the trajectory's row in the batch's plays table
    target: np.ndarray
    defender: np.ndarray
    is_real: np.ndarray  # the option is the real target
    score: _Scored
    feasibility: tuple[np.ndarray, ...]
    distance: np.ndarray  # to the option's receiver at arrival


def _real_trajectories(
    cleaned: pa.Table, scored: pa.Table, flight_table: FlightTable | None = None
) -> pa.Table:
    """Real positions of every player and the ball from pass forward to arrival
    (``flight_table``: ``FlightTable.of(cleaned)`` when the caller has it).

    The rows of each scored play (a run of ``(game, play)`` of ``cleaned``) whose frame
    lies in the play's flight, in table order. The numeric columns come from the
    gatherer's numpy copies where ``cleaned`` has no null in them (a fancy index on
    the few rows kept, no Arrow take over a table of many chunks)."""
    if not scored.num_rows:
        return TRAJECTORIES_SCHEMA.empty_table()
    if flight_table is not None:
        starts = flight_table.play_offsets
        keys = pa.table({"game_id": flight_table.play_game_id,
                         "play_id": flight_table.play_play_id})  # fmt: skip
        frame = flight_table.frame_id
        numeric = {"game_id": None, "play_id": None, "nfl_id": flight_table.nfl_id,
                   "frame_id": frame, "x": flight_table.x, "y": flight_table.y}
    else:
        game = _np(cleaned["game_id"], np.int64)
        play = _np(cleaned["play_id"], np.int64)
        starts = run_starts(game, play)
        first = starts[:-1]
        keys = pa.table({"game_id": game[first], "play_id": play[first]})
        frame = _np(cleaned["frame_id"], np.int64)
        numeric = {"game_id": None, "play_id": None, "frame_id": frame}
    # each play of the table: its row of ``scored`` and its flight (an empty range
    # [1, 0] where the play is not scored or has no pass window)
    at = _row_index(keys, scored, ["game_id", "play_id"])
    forward, forward_ok = _ints(scored["pass_forward_frame"])
    arrival, arrival_ok = _ints(scored["arrival_frame"])
    known = at >= 0
    where = np.where(known, at, 0)
    known &= forward_ok[where] & arrival_ok[where]
    lo = np.where(known, forward[where], 1)
    hi = np.where(known, arrival[where], 0)
    lengths = np.diff(starts)
    keep = np.flatnonzero((frame >= np.repeat(lo, lengths)) & (frame <= np.repeat(hi, lengths)))
    play_of = np.searchsorted(starts, keep, side="right") - 1  # the kept row's play
    play_keys = {"game_id": keys["game_id"].to_numpy(), "play_id": keys["play_id"].to_numpy()}
    names = ["game_id", "play_id", "nfl_id", "frame_id", "x", "y", "side", "jersey_number"]
    columns: dict[str, Any] = {}
    arrow = []
    for name in names:
        col = cleaned[name]
        if name in numeric and col.null_count == 0:
            values = numeric[name]
            columns[name] = (play_keys[name][play_of] if values is None else values[keep])
        else:
            arrow.append(name)
    if arrow:
        taken = cleaned.select(arrow).take(pa.array(keep))
        columns.update({name: taken[name] for name in arrow})
    n = keep.size
    return pa.table(
        {
            "game_id": columns["game_id"],
            "play_id": columns["play_id"],
            "kind": pa.repeat(pa.scalar("real", pa.string()), n),
            "nfl_id": columns["nfl_id"],
            "target_nfl_id": scored["targeted_receiver"].take(pa.array(at[play_of])),
            "frame_id": columns["frame_id"],
            "x": columns["x"],
            "y": columns["y"],
            "sigma": pa.array(np.full(n, np.nan)),
            "side": columns["side"],
            "jersey_number": columns["jersey_number"],
        },
        schema=TRAJECTORIES_SCHEMA,
    )


def _ghost_rows(ghosts: PlayGhosts) -> pa.Table:
    """The ``trajectories`` rows of the ghosts (the long table, built once here)."""
    table = ghosts.to_table()
    n = table.num_rows
    return pa.table(
        {
            "game_id": table["game_id"],
            "play_id": table["play_id"],
            "kind": pa.repeat(pa.scalar("ghost", pa.string()), n),
            "nfl_id": table["nfl_id"],
            "target_nfl_id": table["target_nfl_id"],
            "frame_id": table["frame_id"],
            "x": table["x"],
            "y": table["y"],
            "sigma": table["sigma"],
            "side": pa.repeat(pa.scalar("defense", pa.string()), n),
            "jersey_number": pa.nulls(n, pa.int32()),
        },
        schema=TRAJECTORIES_SCHEMA,
    )


def _scores_table(g: _Ghosts, real: dict[str, np.ndarray]) -> pa.Table:
    max_speed, max_accel, long_steps, off_field, nonfinite = g.feasibility
    return pa.table(
        {
            "game_id": g.game,
            "play_id": g.play,
            "nfl_id": g.defender,
            "target_nfl_id": g.target,
            "is_real_target": g.is_real,
            "frames": np.diff(g.offsets).astype(np.int32),
            "ps": g.score.ps,
            "dr": g.score.dr,
            "sp": g.score.sp,
            "ts": g.score.ts,
            "weight": g.score.weight,
            "distance_at_arrival": g.distance,
            "max_speed": max_speed,
            "max_acceleration": max_accel,
            "superhuman_steps": long_steps.astype(np.int32),
            "off_field": off_field.astype(np.int32),
            "feasible": (long_steps == 0) & (off_field == 0) & (nonfinite == 0),
            **{f"real_{name}": pa.array(real[name], mask=~g.is_real) for name in real},
        },
        schema=SCORES_SCHEMA,
    )


def _plays_table(
    plays: pa.Table,
    ok: np.ndarray,
    reason: np.ndarray,
    g: _Ghosts,
    real_play: np.ndarray,
    tally: _Tally,
) -> pa.Table:
    """One row per play: status, play scores, and the options ranked by separation
    (``real_play``: the real play score per play, NaN where none)."""
    n_plays = plays.num_rows
    starts = g.options[:-1]
    o_row, o_target, o_real = g.play_row[starts], g.target[starts], g.is_real[starts]
    o_score = g.score.group_score
    # Separation of an option: its receiver to the nearest ghost defender at arrival.
    o_sep = np.fmin.reduceat(g.distance, starts) if len(starts) else np.zeros(0)
    # Most open receiver first (NaN last), ties by nfl_id.
    order = np.lexsort((o_target, -np.where(np.isnan(o_sep), -np.inf, o_sep), o_row))
    o_row, o_target, o_real = o_row[order], o_target[order], o_real[order]
    o_score, o_sep = o_score[order], o_sep[order]
    group = run_starts(o_row)
    first_of = np.repeat(group[:-1], np.diff(group))
    rank = (np.arange(len(o_row)) - first_of + 1).astype(np.int32)

    def per_play(values: np.ndarray, mask: np.ndarray, fill: Any) -> np.ndarray:
        out = np.full(n_plays, fill, dtype=values.dtype)
        out[o_row[mask]] = values[mask]
        return out

    is_best = rank == 1
    best_option = per_play(o_target, is_best, 0)
    has_best = per_play(np.ones(len(o_target), dtype=bool), is_best, False)
    best_sep = per_play(o_sep, is_best, np.nan)
    target_sep = per_play(o_sep, o_real, np.nan)
    ghost_score = per_play(o_score, o_real, np.nan)
    real_score = np.asarray(real_play, dtype=np.float64).copy()
    real_score[~ok] = np.nan
    gain = best_sep - target_sep

    counts = np.bincount(o_row, minlength=n_plays)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    option_values = pa.StructArray.from_arrays(
        [pa.array(rank), pa.array(o_target), pa.array(o_real), pa.array(o_sep),
         pa.array(o_score)],
        fields=list(OPTION_TYPE),
    )
    option_lists = pa.ListArray.from_arrays(pa.array(offsets), option_values)
    n_defenders = np.bincount(g.play_row[g.is_real], minlength=n_plays).astype(np.int32)

    # The means add one sum per game, in the order one game alone gives (summary.py).
    play_game = _np(plays["game_id"], np.int64)
    option_game = play_game[o_row]
    tally.real_play.add_runs(real_score, run_starts(play_game), ok)
    option_games = run_starts(option_game)
    tally.ghost_play_target.add_runs(o_score, option_games, o_real)
    tally.ghost_play_all.add_runs(o_score, option_games)
    tally.better_option_plays += int(np.sum(ok & has_best & (gain > 0)))
    status = np.where(ok, "scored", "skipped").astype(object)
    reasons = np.where(ok, np.array(None, dtype=object), reason)

    return pa.table(
        {
            "game_id": plays["game_id"],
            "play_id": plays["play_id"],
            "status": pa.array(status, pa.string()),
            "reason": pa.array(reasons, pa.string()),
            "targeted_receiver": plays["targeted_receiver"],
            "target_source": plays["target_source"],
            "pass_forward_frame": plays["pass_forward_frame"],
            "arrival_frame": plays["arrival_frame"],
            "ball_land_x": plays["ball_land_x"],
            "ball_land_y": plays["ball_land_y"],
            "defenders": n_defenders,
            "real_play_score": real_score,
            "ghost_play_score": ghost_score,
            "target_separation": target_sep,
            "best_option": pa.array(best_option, mask=~has_best),
            "best_separation": best_sep,
            "separation_gain": gain,
            "options": option_lists,
        },
        schema=PLAYS_SCHEMA,
    )


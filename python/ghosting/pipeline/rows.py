"""The rows one game adds to the output tables, from its ghosts and their scores."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .._util import run_starts
from .arrays import _np
from .outputs import _ROW_OPTION_TYPE as OPTION_TYPE
from .outputs import _ROW_PLAYS_SCHEMA as PLAYS_SCHEMA
from .outputs import _ROW_SCORES_SCHEMA as SCORES_SCHEMA
from .outputs import _ROW_TRAJECTORIES_SCHEMA as TRAJECTORIES_SCHEMA
from .summary import _Tally


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
    """One game's ghost trajectories, sorted by (play, option, defender, frame), with
    their scores; per-trajectory arrays are indexed by trajectory."""

    rows: pa.Table
    offsets: np.ndarray  # trajectories into rows
    options: np.ndarray  # options (play, target) into trajectories
    play: np.ndarray
    target: np.ndarray
    defender: np.ndarray
    is_real: np.ndarray  # the option is the real target
    score: _Scored
    feasibility: tuple[np.ndarray, ...]
    distance: np.ndarray  # to the option's receiver at arrival


def _real_trajectories(
    cleaned: pa.Table, scored: pa.Table
) -> pa.Table:
    """Real positions of every player and the ball from pass forward to arrival."""
    windows = scored.select(["play_id", "pass_forward_frame", "arrival_frame", "targeted_receiver"])
    if not windows.num_rows:
        return TRAJECTORIES_SCHEMA.empty_table()
    rows = cleaned.select(
        ["game_id", "play_id", "nfl_id", "frame_id", "x", "y", "side", "jersey_number"]
    ).join(windows, keys="play_id", join_type="inner", use_threads=False)
    frame = rows["frame_id"]
    keep = pc.and_(
        pc.greater_equal(frame, rows["pass_forward_frame"]),
        pc.less_equal(frame, rows["arrival_frame"]),
    )
    rows = rows.filter(keep).sort_by(
        [("play_id", "ascending"), ("nfl_id", "ascending"), ("frame_id", "ascending")]
    )
    n = rows.num_rows
    return pa.table(
        {
            "game_id": rows["game_id"],
            "play_id": rows["play_id"],
            "kind": pa.array(["real"] * n, pa.string()) if n else pa.array([], pa.string()),
            "nfl_id": rows["nfl_id"],
            "target_nfl_id": rows["targeted_receiver"],
            "frame_id": rows["frame_id"],
            "x": rows["x"],
            "y": rows["y"],
            "sigma": pa.array(np.full(n, np.nan)),
            "side": rows["side"],
            "jersey_number": rows["jersey_number"],
        },
        schema=TRAJECTORIES_SCHEMA,
    )


def _ghost_rows(ghosts: pa.Table) -> pa.Table:
    n = ghosts.num_rows
    sigma = ghosts["sigma"] if "sigma" in ghosts.column_names else pa.array(np.full(n, np.nan))
    return pa.table(
        {
            "game_id": ghosts["game_id"],
            "play_id": ghosts["play_id"],
            "kind": pa.array(["ghost"] * n, pa.string()),
            "nfl_id": ghosts["nfl_id"],
            "target_nfl_id": ghosts["target_nfl_id"],
            "frame_id": ghosts["frame_id"],
            "x": ghosts["x"],
            "y": ghosts["y"],
            "sigma": sigma,
            "side": pa.array(["defense"] * n, pa.string()),
            "jersey_number": pa.nulls(n, pa.int32()),
        },
        schema=TRAJECTORIES_SCHEMA,
    )


def _scores_table(g: _Ghosts, real: dict[str, np.ndarray]) -> pa.Table:
    max_speed, max_accel, long_steps, off_field, nonfinite = g.feasibility
    first = g.offsets[:-1]
    return pa.table(
        {
            "game_id": _np(g.rows["game_id"], np.int64)[first],
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
    real_play: dict[int, float],
    tally: _Tally,
) -> pa.Table:
    """One row per play: status, play scores, and the options ranked by separation."""
    n_plays = plays.num_rows
    play_ids = _np(plays["play_id"], np.int64)
    starts = g.options[:-1]
    o_play, o_target, o_real = g.play[starts], g.target[starts], g.is_real[starts]
    o_score = g.score.group_score
    # Separation of an option: its receiver to the nearest ghost defender at arrival.
    o_sep = np.fmin.reduceat(g.distance, starts) if len(starts) else np.zeros(0)
    # Most open receiver first (NaN last), ties by nfl_id.
    order = np.lexsort((o_target, -np.where(np.isnan(o_sep), -np.inf, o_sep), o_play))
    o_play, o_target, o_real = o_play[order], o_target[order], o_real[order]
    o_score, o_sep = o_score[order], o_sep[order]
    o_row = np.searchsorted(play_ids, o_play)
    group = run_starts(o_play)
    first_of = np.repeat(group[:-1], np.diff(group))
    rank = (np.arange(len(o_play)) - first_of + 1).astype(np.int32)

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
    real_score = np.array([real_play.get(int(p), np.nan) for p in play_ids], dtype=np.float64)
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
    n_defenders = np.zeros(n_plays, dtype=np.int32)
    np.add.at(n_defenders, np.searchsorted(play_ids, g.play[g.is_real]), 1)

    tally.real_play.add(real_score[ok])
    tally.ghost_play_target.add(o_score[o_real])
    tally.ghost_play_all.add(o_score)
    tally.better_option_plays += int(np.sum(ok & has_best & (gain > 0)))

    return pa.table(
        {
            "game_id": plays["game_id"],
            "play_id": plays["play_id"],
            "status": pa.array(np.where(ok, "scored", "skipped").tolist(), pa.string()),
            "reason": pa.array([None if k else r for k, r in zip(ok, reason, strict=True)],
                               pa.string()),
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

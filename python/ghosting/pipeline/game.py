"""One game: clean, ghost every option of its pass plays in one batched model call,
and score real and ghost trajectories against each option's receiver."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .._util import list_lengths, run_starts
from ..errors import GhostingError
from ..model.ghost import PREDICTION_SCHEMA
from . import context
from .arrays import _np, _row_index, _xy
from .outputs import PLAYS_SCHEMA, SCORES_SCHEMA, TRAJECTORIES_SCHEMA, _MemorySink, _ParquetSink
from .rows import _ghost_rows, _Ghosts, _plays_table, _real_trajectories, _Scored, _scores_table
from .settings import RunSettings
from .summary import _STAT_FIELDS, _Tally

_GHOST_KEYS = ["game_id", "play_id", "target_nfl_id", "nfl_id", "frame_id"]


def _defensive_backs(plays: pa.Table) -> pa.Table:
    """(play_id, nfl_id) of each play's defensive backs."""
    lists = plays["defensive_backs"].combine_chunks()
    counts = list_lengths(lists)
    return pa.table(
        {
            "play_id": np.repeat(_np(plays["play_id"], np.int64), counts),
            "nfl_id": _np(pc.list_flatten(lists), np.int64),
        }
    )


def _score_batch(
    defender_xy: np.ndarray,
    receiver_xy: np.ndarray,
    offsets: np.ndarray,
    group_offsets: np.ndarray,
    settings: RunSettings,
) -> _Scored:
    from .. import scoring

    if len(offsets) < 2:
        empty = np.zeros(0)
        return _Scored(empty, empty, empty, empty, empty, np.zeros(len(group_offsets) - 1))
    parts = scoring.trajectory_score(
        defender_xy,
        receiver_xy,
        offsets=offsets,
        weights=settings.weights,
        reference=settings.reference,
        v_max=settings.v_max,
        dt=settings.dt,
        penalty=settings.penalty,
    )
    ps, dr, sp, ts = (np.asarray(getattr(parts, name), dtype=np.float64) for name in _STAT_FIELDS)
    weight, group_score = scoring.play_scores(
        defender_xy, receiver_xy, ts, group_offsets, offsets=offsets, radius=settings.radius
    )
    return _Scored(ps, dr, sp, ts, np.asarray(weight), np.asarray(group_score))


def _receiver_xy(rows: pa.Table, cleaned: pa.Table) -> np.ndarray:
    """The real position of each row's ``target_nfl_id`` at its frame (NaN when absent)."""
    probe = pa.table(
        {
            "play_id": rows["play_id"],
            "nfl_id": rows["target_nfl_id"],
            "frame_id": rows["frame_id"],
        }
    )
    index = _row_index(probe, cleaned, ["play_id", "nfl_id", "frame_id"])
    xy = np.full((rows.num_rows, 2), np.nan)
    found = index >= 0
    xy[found, 0] = _np(cleaned["x"], np.float64)[index[found]]
    xy[found, 1] = _np(cleaned["y"], np.float64)[index[found]]
    return xy


def _trajectory_offsets(rows: pa.Table) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Offsets of trajectories (play, target, defender) and of options (play, target) in
    rows sorted by ``_GHOST_KEYS``; the options' offsets index trajectories."""
    play = _np(rows["play_id"], np.int64)
    target, target_ok = _int_column(rows["target_nfl_id"])
    defender = _np(rows["nfl_id"], np.int64)
    traj = run_starts(play, target_ok, target, defender)
    first = traj[:-1]
    options = run_starts(play[first], target_ok[first], target[first])
    return traj, options, first


def _play_status(
    game: pa.Table, plays: pa.Table, settings: RunSettings, tally: _Tally
) -> tuple[pa.Table, np.ndarray, np.ndarray]:
    """Clean the game; return the cleaned rows, which plays can be ghosted, and why not."""
    from ..cleaning import clean

    reason = np.array(plays["reason"].to_pylist(), dtype=object)
    ok = _np(plays["analysable"], bool, False)
    reason[~ok & np.array([r is None for r in reason], dtype=bool)] = "not analysable"
    cleaned, report = clean(game, **settings.cleaning())  # type: ignore[arg-type]
    tally.add_cleaning(report)
    dropped = {int(d["play_id"]): ", ".join(d["reasons"]) for d in report.dropped_plays}
    play_ids = _np(plays["play_id"], np.int64)
    for i in np.flatnonzero(ok):  # one step per play, not per row
        why = dropped.get(int(play_ids[i]))
        if why is not None:
            ok[i] = False
            reason[i] = f"cleaning: {why}"
    # Bounded work: a flight longer than the maximum is bad data; skip it before the
    # model sees it (a 100,000-frame "flight" would take minutes and give nonsense).
    forward, forward_ok = _int_column(plays["pass_forward_frame"])
    arrival, arrival_ok = _int_column(plays["arrival_frame"])
    frames = arrival - forward + 1
    too_long = ok & forward_ok & arrival_ok & (frames > settings.max_flight_frames)
    ok[too_long] = False
    reason[too_long] = flight_reason(settings)
    return cleaned, ok, reason


def flight_reason(settings: RunSettings) -> str:
    """The skip reason of a play whose ball flight is longer than the maximum."""
    seconds = settings.max_flight_frames * settings.dt
    return (f"ball in the air longer than the maximum flight "
            f"({settings.max_flight_frames} frames, {seconds:g} s)")  # fmt: skip


#: The skip reason of a play whose ghosts are not finite or far off the field.
BROKEN_GHOSTS = "ghost trajectory not finite or far off the field"


def _int_column(column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """An integer column as int64 values and a validity mask (no sentinel)."""
    valid = _np(pc.is_valid(column), bool)
    return _np(pc.fill_null(column, 0), np.int64), valid


def _broken_plays(ghosts: pa.Table, settings: RunSettings) -> np.ndarray:
    """The play ids with a ghost position that is not finite or lies more than
    ``settings.max_off_field`` yards beyond the field."""
    from ..schema import FIELD_LENGTH, FIELD_WIDTH

    if not ghosts.num_rows:
        return np.zeros(0, dtype=np.int64)
    x, y = _np(ghosts["x"], np.float64), _np(ghosts["y"], np.float64)
    margin = settings.max_off_field
    with np.errstate(invalid="ignore"):
        good = (np.isfinite(x) & np.isfinite(y)
                & (x >= -margin) & (x <= FIELD_LENGTH + margin)
                & (y >= -margin) & (y <= FIELD_WIDTH + margin))  # fmt: skip
    return np.unique(_np(ghosts["play_id"], np.int64)[~good])


def _ghost_and_score(
    model: Any, cleaned: pa.Table, plays: pa.Table, candidates: pa.Table, settings: RunSettings
) -> tuple[_Ghosts, np.ndarray]:
    """Ghost every selected defender for every option of ``candidates`` (one batched
    model call) and score the trajectories against each option's receiver. Plays
    with broken ghosts (non-finite, far off the field) are left out; their ids are
    returned beside the ghosts."""
    ghosts = _predict(model, cleaned, candidates, settings.defenders)
    broken = _broken_plays(ghosts, settings)
    if len(broken):
        keep = ~np.isin(_np(ghosts["play_id"], np.int64), broken)
        ghosts = ghosts.filter(pa.array(keep))
    if settings.defenders == "backs":
        keep = _defensive_backs(candidates)
        ghosts = ghosts.filter(pa.array(_row_index(ghosts, keep, ["play_id", "nfl_id"]) >= 0))
    ghosts = ghosts.sort_by([(k, "ascending") for k in _GHOST_KEYS])
    gxy = _xy(ghosts)
    rxy = _receiver_xy(ghosts, cleaned)
    traj, options, first = _trajectory_offsets(ghosts)
    last = traj[1:] - 1
    play = _np(ghosts["play_id"], np.int64)[first]
    target, target_ok = _int_column(ghosts["target_nfl_id"])
    target, target_ok = target[first], target_ok[first]
    real_target, real_ok = _int_column(plays["targeted_receiver"])
    play_row = np.searchsorted(_np(plays["play_id"], np.int64), play)
    is_real = target_ok & real_ok[play_row] & (target == real_target[play_row])
    return _Ghosts(
        rows=ghosts,
        offsets=traj,
        options=options,
        play=play,
        target=target,
        defender=_np(ghosts["nfl_id"], np.int64)[first],
        is_real=is_real,
        score=_score_batch(gxy, rxy, traj, options, settings),
        feasibility=_feasibility(gxy, traj, settings),
        distance=np.hypot(*(gxy[last] - rxy[last]).T) if len(last) else np.zeros(0),
    ), broken


def _ghost_game(
    game: pa.Table,
    targets: pa.Table | None,
    model: Any,
    settings: RunSettings,
    tally: _Tally,
    sink: _MemorySink | _ParquetSink,
) -> None:
    """Ghost and score one game's pass plays; add the output tables to ``sink``."""
    from ..plays import pass_plays

    tally.game_ids.update(pc.unique(game["game_id"]).to_pylist())
    tally.rows_read += game.num_rows
    plays = pass_plays(game, targets)
    tally.plays_read += plays.num_rows
    cleaned, ok, reason = _play_status(game, plays, settings, tally)

    g, broken = _ghost_and_score(model, cleaned, plays, plays.filter(pa.array(ok)), settings)
    play_ids = _np(plays["play_id"], np.int64)
    has_ghosts = np.isin(play_ids, g.play)
    n_backs = list_lengths(plays["defensive_backs"])
    is_broken = ok & np.isin(play_ids, broken)
    reason[is_broken] = BROKEN_GHOSTS
    reason[ok & ~is_broken & ~has_ghosts & (n_backs == 0)] = "no defensive backs"
    reason[ok & ~is_broken & ~has_ghosts & (n_backs > 0)] = "no ghost prediction"
    ok &= has_ghosts
    scored = plays.filter(pa.array(ok))
    tally.plays_scored += int(ok.sum())
    tally.skip(reason[~ok], _np(plays["game_id"], np.int64)[~ok], play_ids[~ok])

    # The real trajectories of the same defenders, against the real target.
    real, real_play = _score_real(cleaned, scored, g.play, g.defender, g.is_real, settings)
    # names and the play's situation ride along (pipeline/context.py)
    names, situation = context.player_info(game), context.play_info(game, plays)
    for rows in (_ghost_rows(g.rows), _real_trajectories(cleaned, scored)):
        sink.add("trajectories", context.add_player_columns(rows, names, situation,
                                                            TRAJECTORIES_SCHEMA))
    scores = _scores_table(g, real)
    sink.add("scores", context.add_player_columns(scores, names, situation, SCORES_SCHEMA))
    play_rows = _plays_table(plays, ok, reason, g, real_play, tally)
    play_rows = context.add_play_columns(play_rows, names, situation, PLAYS_SCHEMA)
    sink.add("plays", _add_decision(play_rows, cleaned, plays, ok, model, tally))

    tally.ghost_trajectories += len(g.play)
    tally.options += len(g.options) - 1
    tally.infeasible_ghosts += int(len(g.play) - np.sum(_np(scores["feasible"], bool)))
    stats = {name: getattr(g.score, name) for name in _STAT_FIELDS}
    tally.ghost_all.add(stats)
    tally.ghost_target.add({k: v[g.is_real] for k, v in stats.items()})
    tally.real.add({k: real[k][g.is_real] for k in _STAT_FIELDS})
    tally.real_trajectories += int(np.isfinite(real["weight"]).sum())


def _add_decision(
    plays_out: pa.Table, cleaned: pa.Table, plays: pa.Table, ok: np.ndarray, model: Any,
    tally: _Tally,
) -> pa.Table:
    """The decision columns (docs/decision.md) appended to the game's plays table."""
    from ..decision.pipeline_step import add_decision

    out = add_decision(plays_out, cleaned, plays, ok, model)
    judged = _np(out["decision_judged"], bool, False)
    tally.decision_judged += int(judged.sum())
    tally.decision_better += int((_np(out["better_option"], bool, False) & judged).sum())
    tally.decision_target_first += int(
        (_np(out["target_rank"], np.int64, 0) == 1).sum()
    )
    return out


def _score_real(
    cleaned: pa.Table,
    scored: pa.Table,
    t_play: np.ndarray,
    t_defender: np.ndarray,
    is_real: np.ndarray,
    settings: RunSettings,
) -> tuple[dict[str, np.ndarray], dict[int, float]]:
    """Scores of the real trajectories (:func:`ghosting.score_real`) of the scored plays.

    Returns, aligned with the ghost trajectories, ``ps, dr, sp, ts, weight`` of the
    same defender's real trajectory against the real target (NaN off the real
    target's rows and where the real track is incomplete), and the real play score
    per play id.
    """
    from ..scoring import score_real

    n = len(t_play)
    out = {name: np.full(n, np.nan) for name in (*_STAT_FIELDS, "weight")}
    if not scored.num_rows:
        return out, {}
    real = score_real(
        cleaned,
        scored,
        defenders=settings.defenders,
        reference=settings.reference,
        weights=settings.weights,
        v_max=settings.v_max,
        dt=settings.dt,
        penalty=settings.penalty,
        radius=settings.radius,
    )
    rows = real.trajectories
    where = _row_index(
        pa.table({"play_id": t_play, "nfl_id": t_defender}), rows, ["play_id", "nfl_id"]
    )
    hit = is_real & (where >= 0)
    for name in (*_STAT_FIELDS, "weight"):
        out[name][hit] = _np(rows[name], np.float64)[where[hit]]
    play_scores = dict(
        zip(
            real.plays["play_id"].to_pylist(),
            _np(real.plays["play_score"], np.float64).tolist(),
            strict=True,
        )
    )
    return out, play_scores


def _feasibility(
    xy: np.ndarray, offsets: np.ndarray, settings: RunSettings
) -> tuple[np.ndarray, ...]:
    """(max_speed, max_accel, long_steps, off_field, nonfinite) per trajectory."""
    from .. import scoring

    n = len(offsets) - 1
    if n == 0:
        return np.zeros(0), np.zeros(0), *(np.zeros(0, np.int64) for _ in range(3))
    f = scoring.feasibility(xy, offsets=offsets, v_max=settings.v_max, dt=settings.dt)
    return (
        np.asarray(f.max_speed, np.float64),
        np.asarray(f.max_accel, np.float64),
        np.asarray(f.n_long_steps, np.int64),
        np.asarray(f.n_off_field, np.int64),
        np.asarray(f.n_nonfinite, np.int64),
    )


def _predict(model: Any, cleaned: pa.Table, plays: pa.Table, defenders: str) -> pa.Table:
    """Ghosts for every option of ``plays``: one batched model call."""
    if not plays.num_rows:
        return _EMPTY_GHOSTS
    ghosts = model.predict_plays(cleaned, plays, what_if=True, defenders=defenders)
    missing = [c for c in _EMPTY_GHOSTS.column_names if c not in ghosts.column_names]
    if missing:
        raise GhostingError(
            f"model {type(model).__name__}.predict_plays returned no column(s) "
            f"{', '.join(missing)}"
        )
    return ghosts.select(_EMPTY_GHOSTS.column_names).cast(_EMPTY_GHOSTS.schema)


_EMPTY_GHOSTS = PREDICTION_SCHEMA.empty_table()

"""One game: clean, ghost every option of its pass plays in one batched model call,
and score real and ghost trajectories against each option's receiver."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .._util import list_lengths, run_starts
from ..errors import GhostingError
from ..flights import FlightTable, gather_tracks
from ..model.ghost import GhostModel, PlayGhosts
from ..passes import PassWindows
from . import context
from .columns import Columns, _np, _row_index
from .output_rows import (
    _ghost_rows,
    _Ghosts,
    _plays_table,
    _real_trajectories,
    _Scored,
    _scores_table,
)
from .outputs import PLAYS_SCHEMA, SCORES_SCHEMA, TRAJECTORIES_SCHEMA, _MemorySink, _ParquetSink
from .settings import RunSettings
from .summary import _STAT_FIELDS, _Tally


def _defensive_backs(plays: pa.Table) -> pa.Table:
    """(game_id, play_id, nfl_id) of each play's defensive backs."""
    lists = plays["defensive_backs"].combine_chunks()
    counts = list_lengths(lists)
    return pa.table(
        {
            "game_id": np.repeat(_np(plays["game_id"], np.int64), counts),
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


def _receiver_xy(
    ghosts: PlayGhosts, cleaned: pa.Table, flight_table: FlightTable | None = None
) -> np.ndarray:
    """The real position of each ghost frame's target receiver (NaN when absent).

    With the batch's ``flight_table`` and trajectories of consecutive frames (what
    :class:`~ghosting.GhostModel` gives), the flight gatherer reads the receivers'
    tracks (:func:`ghosting.flights.gather_tracks`); else a key match per frame."""
    lengths = ghosts.lengths()
    if flight_table is not None and len(ghosts) and _consecutive(ghosts):
        plays = pa.table({"game_id": flight_table.play_game_id,
                          "play_id": flight_table.play_play_id})  # fmt: skip
        probe = pa.table({"game_id": ghosts.game_id, "play_id": ghosts.play_id})
        at = _row_index(probe, plays, ["game_id", "play_id"])
        if np.all(at >= 0):
            first = ghosts.frame_id[ghosts.offsets[:-1]].astype(np.int64)
            tracks = gather_tracks(flight_table, at, ghosts.target_nfl_id, first,
                                   first + lengths - 1)  # fmt: skip
            return np.asarray(tracks.xy, np.float64).reshape(-1, 2)
    probe = pa.table(
        {
            "game_id": np.repeat(ghosts.game_id, lengths),
            "play_id": np.repeat(ghosts.play_id, lengths),
            "nfl_id": np.repeat(ghosts.target_nfl_id, lengths),
            "frame_id": ghosts.frame_id,
        }
    )
    index = _row_index(probe, cleaned, ["game_id", "play_id", "nfl_id", "frame_id"])
    xy = np.full((len(index), 2), np.nan)
    found = index >= 0
    xy[found, 0] = _np(cleaned["x"], np.float64)[index[found]]
    xy[found, 1] = _np(cleaned["y"], np.float64)[index[found]]
    return xy


def _consecutive(ghosts: PlayGhosts) -> bool:
    """Each trajectory's frames step by one from its first."""
    lengths = ghosts.lengths()
    first = np.repeat(ghosts.frame_id[ghosts.offsets[:-1]].astype(np.int64), lengths)
    within = np.arange(int(ghosts.offsets[-1])) - np.repeat(ghosts.offsets[:-1], lengths)
    return bool(np.array_equal(ghosts.frame_id, first + within))


def _option_offsets(ghosts: PlayGhosts) -> np.ndarray:
    """Offsets of the options (game, play, target) into trajectories sorted by
    (game, play, target, defender)."""
    return run_starts(ghosts.game_id, ghosts.play_id, ghosts.target_nfl_id)


def _play_status(
    game: pa.Table, plays: pa.Table, windows: PassWindows, settings: RunSettings, tally: _Tally,
    columns: Columns | None = None,
) -> tuple[pa.Table, np.ndarray, np.ndarray, np.ndarray | None]:
    """Clean the games; return the cleaned rows, which plays can be ghosted, why not,
    and the mask of the rows kept (None: all, ``cleaned`` is ``game``)."""
    from ..cleaning import clean_columns

    reason = np.array(plays["reason"].to_pylist(), dtype=object)
    ok = _np(plays["analysable"], bool, False)
    reason[~ok & pc.is_null(plays["reason"]).to_numpy(zero_copy_only=False)] = "not analysable"
    cleaned, report, keep = clean_columns(
        game, columns, **settings.cleaning(),  # type: ignore[arg-type]
        pass_windows=windows.windows, report_in_metadata=False)  # fmt: skip
    tally.add_cleaning(report)
    if report.dropped_plays:  # one row per dropped play, matched by (game_id, play_id)
        dropped = pa.table({
            "game_id": pa.array([int(d["game_id"]) for d in report.dropped_plays], pa.int64()),
            "play_id": pa.array([int(d["play_id"]) for d in report.dropped_plays], pa.int64()),
        })  # fmt: skip
        why = np.array([f"cleaning: {', '.join(d['reasons'])}" for d in report.dropped_plays],
                       dtype=object)  # fmt: skip
        where = _row_index(plays, dropped, ["game_id", "play_id"])
        hit = ok & (where >= 0)
        ok[hit] = False
        reason[hit] = why[where[hit]]
    # Bounded work: a flight longer than the maximum is bad data; skip it before the
    # model sees it (a 100,000-frame "flight" would take minutes and give nonsense).
    forward, forward_ok = _int_column(plays["pass_forward_frame"])
    arrival, arrival_ok = _int_column(plays["arrival_frame"])
    frames = arrival - forward + 1
    too_long = ok & forward_ok & arrival_ok & (frames > settings.max_flight_frames)
    ok[too_long] = False
    reason[too_long] = flight_reason(settings)
    return cleaned, ok, reason, keep


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


def _broken_trajectories(ghosts: PlayGhosts, settings: RunSettings) -> np.ndarray:
    """Per trajectory: a ghost position that is not finite or lies more than
    ``settings.max_off_field`` yards beyond the field."""
    from ..schema import FIELD_LENGTH, FIELD_WIDTH

    if not len(ghosts):
        return np.zeros(0, dtype=bool)
    x, y = ghosts.xy[:, 0], ghosts.xy[:, 1]
    margin = settings.max_off_field
    with np.errstate(invalid="ignore"):
        good = (np.isfinite(x) & np.isfinite(y)
                & (x >= -margin) & (x <= FIELD_LENGTH + margin)
                & (y >= -margin) & (y <= FIELD_WIDTH + margin))  # fmt: skip
    bad = np.zeros(len(ghosts), dtype=bool)
    rows = np.flatnonzero(~good)  # few: each one's trajectory by a search, not per row
    bad[np.searchsorted(ghosts.offsets, rows, side="right") - 1] = True
    return bad


def _ghost_and_score(
    model: Any, cleaned: pa.Table, plays: pa.Table, candidates: pa.Table, settings: RunSettings,
    flight_table: FlightTable | None = None,
) -> tuple[_Ghosts, np.ndarray]:
    """Ghost every selected defender for every option of ``candidates`` (one batched
    model call) and score the trajectories against each option's receiver. Plays
    with broken ghosts (non-finite, far off the field) are left out; their rows of
    ``plays`` are returned beside the ghosts. Everything is per trajectory (flat
    arrays with offsets, :class:`~ghosting.model.PlayGhosts`): no long table."""
    ghosts = _predict(model, cleaned, candidates, settings.defenders, flight_table)
    keys = pa.table({"game_id": ghosts.game_id, "play_id": ghosts.play_id,
                     "nfl_id": ghosts.nfl_id})  # fmt: skip
    play_row = _row_index(keys, plays, ["game_id", "play_id"])
    broken = np.unique(play_row[_broken_trajectories(ghosts, settings)])
    keep = ~np.isin(play_row, broken)
    if settings.defenders == "backs":
        keep &= _row_index(keys, _defensive_backs(candidates),
                           ["game_id", "play_id", "nfl_id"]) >= 0  # fmt: skip
    index = np.flatnonzero(keep)
    order = np.lexsort((ghosts.nfl_id[index], ghosts.target_nfl_id[index],
                        ghosts.play_id[index], ghosts.game_id[index]))  # fmt: skip
    chosen = index[order]
    if len(chosen) < len(ghosts) or np.any(chosen != np.arange(len(chosen))):
        ghosts, play_row = ghosts.take(chosen), play_row[chosen]
    # else: every trajectory, in order already (the model's order): no copy
    gxy = ghosts.xy
    rxy = _receiver_xy(ghosts, cleaned, flight_table)
    traj = ghosts.offsets
    options = _option_offsets(ghosts)
    last = traj[1:] - 1
    real_target, real_ok = _int_column(plays["targeted_receiver"])
    is_real = real_ok[play_row] & (ghosts.target_nfl_id == real_target[play_row])
    return _Ghosts(
        rows=ghosts,
        offsets=traj,
        options=options,
        game=ghosts.game_id,
        play=ghosts.play_id,
        play_row=play_row,
        target=ghosts.target_nfl_id,
        defender=ghosts.nfl_id,
        is_real=is_real,
        score=_score_batch(gxy, rxy, traj, options, settings),
        feasibility=_feasibility(gxy, traj, settings),
        distance=np.hypot(*(gxy[last] - rxy[last]).T) if len(last) else np.zeros(0),
    ), broken


#: Rows of tracking a batch of games holds at most (whole games: a game larger than
#: this is a batch of its own). Every step of the pipeline runs once per batch; the
#: batch and what is computed from it bound the run's memory.
BATCH_ROWS = 1_000_000


def batches(
    chunks: Iterable[pa.Table], max_rows: int | None = None, total_rows: int | None = None
) -> Iterator[list[pa.Table]]:
    """Consecutive tables of whole games (pieces of whole plays) grouped into batches
    of at most ``max_rows`` rows (default :data:`BATCH_ROWS`). A batch only holds
    tables of one schema whose keys follow each other in (game_id, play_id) order,
    so that their concatenation is sorted as each of them is.

    With ``total_rows`` (the rows of all ``chunks``, when known in advance) the fewest
    batches that fit are made about the same size, each cut at the game boundary
    nearest its share: batches ghosted side by side on threads then end together."""
    max_rows = BATCH_ROWS if max_rows is None else max_rows
    even = bool(total_rows) and max_rows > 0
    batch: list[pa.Table] = []
    rows = 0
    done = 0  # rows in the batches yielded so far
    last: tuple[int, int] | None = None
    for chunk in chunks:
        if not chunk.num_rows:
            continue
        first = (int(chunk["game_id"][0].as_py()), int(chunk["play_id"][0].as_py()))
        past_share = False
        if even and batch:
            # this batch's share of the rows left; cut before the chunk when the share
            # ends nearer before it than after it, and the rest still fits in the
            # batches left
            left = max(int(total_rows or 0) - done, rows + chunk.num_rows)
            n_left = -(-left // max_rows)
            past_share = n_left > 1 and (
                rows + chunk.num_rows / 2 > left / n_left
                and left - rows <= (n_left - 1) * max_rows
            )
        if batch and (
            rows + chunk.num_rows > max_rows
            or past_share
            or last is None
            or first <= last
            or not chunk.schema.equals(batch[0].schema, check_metadata=False)
        ):
            yield batch
            done += rows
            batch, rows = [], 0
        batch.append(chunk)
        rows += chunk.num_rows
        last = (int(chunk["game_id"][-1].as_py()), int(chunk["play_id"][-1].as_py()))
    if batch:
        yield batch


def _concat(chunks: Sequence[pa.Table]) -> pa.Table:
    if len(chunks) == 1:
        return chunks[0]
    return pa.concat_tables(
        [c.replace_schema_metadata(chunks[0].schema.metadata) for c in chunks]
    )


def _ghost_games(
    chunks: Sequence[pa.Table],
    targets: pa.Table | None,
    model: Any,
    settings: RunSettings,
    tally: _Tally,
    sink: _MemorySink | _ParquetSink,
) -> None:
    """Ghost and score the pass plays of a batch of whole games (one of
    :func:`batches`); add the output tables to ``sink``, in game order."""
    from ..plays import pass_plays

    game = _concat(chunks)
    if not game.num_rows:
        return
    tally.rows_read += game.num_rows
    raw = Columns(game)  # the batch's columns, each converted once
    game_ids = raw.get("game_id", np.int64)
    tally.game_ids.update(np.unique(game_ids[raw.runs("game_id")[:-1]]).tolist())
    windows = PassWindows.of(game, raw)  # the batch's events, scanned once
    plays = pass_plays(game, targets, windows=windows, columns=raw)
    # names and the play's situation ride along (pipeline/context.py)
    names = context.player_info(game, raw)
    situation = context.play_info(game, plays, names, raw)
    tally.plays_read += plays.num_rows
    cleaned, ok, reason, keep = _play_status(game, plays, windows, settings, tally, raw)

    # the gatherer's view of the cleaned rows, shared by the ghosts and the decision
    flight_table = FlightTable.of(cleaned, raw.kept(cleaned, keep))
    del raw  # the converted columns are not needed past here
    g, broken = _ghost_and_score(model, cleaned, plays, plays.filter(pa.array(ok)), settings,
                                 flight_table)  # fmt: skip
    play_ids = _np(plays["play_id"], np.int64)
    play_games = _np(plays["game_id"], np.int64)
    has_ghosts = np.zeros(plays.num_rows, dtype=bool)
    has_ghosts[g.play_row] = True
    n_backs = list_lengths(plays["defensive_backs"])
    is_broken = np.zeros(plays.num_rows, dtype=bool)
    is_broken[broken] = True
    is_broken &= ok
    reason[is_broken] = BROKEN_GHOSTS
    reason[ok & ~is_broken & ~has_ghosts & (n_backs == 0)] = "no defensive backs"
    reason[ok & ~is_broken & ~has_ghosts & (n_backs > 0)] = "no ghost prediction"
    ok &= has_ghosts
    scored = plays.filter(pa.array(ok))
    tally.plays_scored += int(ok.sum())
    tally.skip(reason[~ok], play_games[~ok], play_ids[~ok])

    # The real trajectories of the same defenders, against the real target.
    real, real_play = _score_real(cleaned, plays, scored, g, settings, flight_table)
    real_rows = _real_trajectories(cleaned, scored, flight_table)
    trajectories = _in_game_order(_ghost_rows(g.rows), real_rows)
    sink.add("trajectories", context.add_player_columns(trajectories, names, situation,
                                                        TRAJECTORIES_SCHEMA))  # fmt: skip
    scores = _scores_table(g, real)
    sink.add("scores", context.add_player_columns(scores, names, situation, SCORES_SCHEMA))
    play_rows = _plays_table(plays, ok, reason, g, real_play, tally)
    play_rows = context.add_play_columns(play_rows, names, situation, PLAYS_SCHEMA)
    sink.add("plays", _add_decision(play_rows, cleaned, plays, ok, model, tally, flight_table))

    tally.ghost_trajectories += len(g.play)
    tally.options += len(g.options) - 1
    tally.infeasible_ghosts += int(len(g.play) - np.sum(_np(scores["feasible"], bool)))
    stats = {name: getattr(g.score, name) for name in _STAT_FIELDS}
    real_stats = {k: real[k] for k in _STAT_FIELDS}
    games = run_starts(g.game)  # the means add one sum per game (summary.py)
    tally.ghost_all.add_runs(stats, games)
    tally.ghost_target.add_runs(stats, games, g.is_real)
    tally.real.add_runs(real_stats, games, g.is_real)
    tally.real_trajectories += int(np.isfinite(real["weight"]).sum())


def _in_game_order(ghost: pa.Table, real: pa.Table) -> pa.Table:
    """Ghost then real rows of each game, game after game (both are sorted by game):
    the order one game at a time gives, whatever the batch."""
    g_games, r_games = _np(ghost["game_id"], np.int64), _np(real["game_id"], np.int64)
    if np.any(np.diff(g_games) < 0) or np.any(np.diff(r_games) < 0):  # not sorted by game
        both = pa.concat_tables([ghost, real])
        return both.take(pa.array(np.argsort(_np(both["game_id"], np.int64), kind="stable")))
    # each game's ghost rows, then its real rows: one take (a table of one chunk, not
    # two slices per game). A row's place: its own index plus the other table's rows
    # of the games before it (a ghost row) or of its game and those before (a real row).
    n_ghost = len(g_games)
    order = np.empty(n_ghost + len(r_games), dtype=np.int64)
    order[np.arange(n_ghost) + np.searchsorted(r_games, g_games, "left")] = np.arange(n_ghost)
    order[np.arange(len(r_games)) + np.searchsorted(g_games, r_games, "right")] = np.arange(
        n_ghost, len(order))
    both = pa.concat_tables([ghost, real])
    if np.array_equal(order, np.arange(len(order))):  # one game, or no rows of one kind
        return both
    return both.take(pa.array(order))


def _add_decision(
    plays_out: pa.Table, cleaned: pa.Table, plays: pa.Table, ok: np.ndarray, model: Any,
    tally: _Tally, flight_table: FlightTable | None = None,
) -> pa.Table:
    """The decision columns (docs/decision.md) appended to the game's plays table."""
    from ..decision.pipeline_step import add_decision

    out = add_decision(plays_out, cleaned, plays, ok, model, flight_table=flight_table)
    judged = _np(out["decision_judged"], bool, False)
    tally.decision_judged += int(judged.sum())
    tally.decision_better += int((_np(out["better_option"], bool, False) & judged).sum())
    tally.decision_target_first += int(
        (_np(out["target_rank"], np.int64, 0) == 1).sum()
    )
    return out


def _score_real(
    cleaned: pa.Table,
    plays: pa.Table,
    scored: pa.Table,
    g: _Ghosts,
    settings: RunSettings,
    flight_table: FlightTable | None = None,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Scores of the real trajectories (:func:`ghosting.score_real`) of the scored plays.

    Returns, aligned with the ghost trajectories ``g``, ``ps, dr, sp, ts, weight`` of
    the same defender's real trajectory against the real target (NaN off the real
    target's rows and where the real track is incomplete), and the real play score per
    row of ``plays`` (NaN where none).
    """
    from ..scoring import score_real

    n = len(g.play)
    out = {name: np.full(n, np.nan) for name in (*_STAT_FIELDS, "weight")}
    play_score = np.full(plays.num_rows, np.nan)
    if not scored.num_rows:
        return out, play_score
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
        flight_table=flight_table,
    )
    rows = real.trajectories
    probe = pa.table({"game_id": g.game, "play_id": g.play, "nfl_id": g.defender})
    where = _row_index(probe, rows, ["game_id", "play_id", "nfl_id"])
    hit = g.is_real & (where >= 0)
    for name in (*_STAT_FIELDS, "weight"):
        out[name][hit] = _np(rows[name], np.float64)[where[hit]]
    at = _row_index(plays, real.plays, ["game_id", "play_id"])
    found = at >= 0
    play_score[found] = _np(real.plays["play_score"], np.float64)[at[found]]
    return out, play_score


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


def _predict(
    model: Any, cleaned: pa.Table, plays: pa.Table, defenders: str,
    flight_table: FlightTable | None = None,
) -> PlayGhosts:
    """Ghosts for every option of ``plays``: one batched model call. A model of one's
    own may return :class:`~ghosting.model.PlayGhosts` or a table of
    :data:`~ghosting.model.ghost.PREDICTION_SCHEMA`."""
    if not plays.num_rows:
        return PlayGhosts.empty()
    if isinstance(model, GhostModel) and flight_table is not None:
        ghosts = model.predict_plays(cleaned, plays, what_if=True, defenders=defenders,
                                     flight_table=flight_table)  # fmt: skip
    else:  # a model of one's own: its own signature
        ghosts = model.predict_plays(cleaned, plays, what_if=True, defenders=defenders)
    if isinstance(ghosts, PlayGhosts):
        return ghosts
    if isinstance(ghosts, pa.Table):
        return PlayGhosts.from_table(ghosts, type(model).__name__)
    raise GhostingError(
        f"model {type(model).__name__}.predict_plays returned a {type(ghosts).__name__}, "
        "not PlayGhosts or a pyarrow Table"
    )

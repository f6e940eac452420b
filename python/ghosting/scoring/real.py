"""Real defender trajectories of pass plays, gathered and scored.

:func:`real_trajectories` gathers, from a canonical tracking table and its
:func:`ghosting.pass_plays` table, each defender's trajectory from pass forward to
arrival and the targeted receiver's at the same frames (in the C++ core's flat
layout, cut by the flight gatherer's :func:`ghosting.flights.gather_tracks`);
:func:`score_real` scores them with the functions of
:mod:`ghosting.scoring.trajectory_score` and accounts for every play and defender it could
not score.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .._util import list_lengths, run_starts
from ..choices import DEFENDERS, Defenders, Reference, Weights
from ..errors import InputError
from ..flights import FlightTable, Tracks, gather_tracks
from ..plays import defender_rows, pass_plays
from ..schema import DT, V_MAX
from ._batch import check_choice as _check_choice
from .feasibility import OFF_FIELD_TOLERANCE, feasibility
from .trajectory_score import (
    DEFAULT_PENALTY,
    DEFAULT_RADIUS,
    model_score,
    play_scores,
    trajectory_score,
)

if TYPE_CHECKING:  # pipeline imports scoring: only the annotation, no runtime import
    from ..pipeline.ledger import PlayLedger

__all__ = ["RealTrajectories", "RealScores", "real_trajectories", "score_real"]

_SKIPPED_SCHEMA = pa.schema(
    [
        ("game_id", pa.int64()),
        ("play_id", pa.int64()),
        ("nfl_id", pa.int64()),  # null: the whole play is skipped
        ("reason", pa.string()),
    ]
)


@dataclass(frozen=True)
class RealTrajectories:
    """Real defender trajectories over the pass windows, in the core's flat layout.

    ``defender_xy``/``receiver_xy`` are ``(n_samples, 2)``, cut by ``offsets``
    (``N + 1``) into one trajectory per defender, frames pass forward..arrival;
    the receiver rows are the targeted receiver at the same frames. Trajectories
    of a play are contiguous, cut by ``play_offsets`` into the plays of
    ``play_game_id``/``play_play_id``. ``game_id, play_id, nfl_id, position``
    label each trajectory. ``skipped`` lists every play (``nfl_id`` null) or
    defender that could not be gathered, with the reason.
    """

    defender_xy: np.ndarray
    receiver_xy: np.ndarray
    offsets: np.ndarray
    game_id: np.ndarray
    play_id: np.ndarray
    nfl_id: np.ndarray
    position: pa.Array
    play_offsets: np.ndarray
    play_game_id: np.ndarray
    play_play_id: np.ndarray
    skipped: pa.Table

    def __len__(self) -> int:
        return len(self.offsets) - 1


@dataclass(frozen=True)
class RealScores:
    """What :func:`score_real` returns.

    ``trajectories``: one row per scored defender (``game_id, play_id, nfl_id,
    position, n_frames, ps, dr, sp, ts, max_speed, max_accel, n_long_steps,
    n_off_field, weight``); ``plays``: one row per scored play (``game_id,
    play_id, n_defenders, play_score``); ``skipped``: every play (``nfl_id``
    null) or defender not scored, with its reason.
    """

    trajectories: pa.Table
    plays: pa.Table
    skipped: pa.Table

    def summary(self) -> dict[str, Any]:
        """Counts and means, JSON-ready: plays and trajectories scored, mean TS
        (the model score), mean play score, skipped plays and defenders with reasons."""
        ts = self.trajectories.column("ts").to_numpy()
        play = self.plays.column("play_score").to_numpy()
        skipped = self.skipped.to_pylist()
        whole = [s for s in skipped if s["nfl_id"] is None]
        reasons: dict[str, int] = {}
        for s in whole:
            reasons[s["reason"]] = reasons.get(s["reason"], 0) + 1
        return {
            "n_plays": self.plays.num_rows + len(whole),
            "n_plays_scored": self.plays.num_rows,
            "n_plays_skipped": len(whole),
            "n_trajectories": self.trajectories.num_rows,
            "n_defenders_skipped": len(skipped) - len(whole),
            "mean_ts": model_score(ts) if len(ts) else None,
            "mean_play_score": model_score(play) if len(play) else None,
            "skipped_reasons": reasons,
            "skipped_plays": whole,
            "skipped_defenders": [s for s in skipped if s["nfl_id"] is not None],
        }

    def account(self, ledger: PlayLedger) -> None:
        """Enter these plays in ``ledger`` (:class:`ghosting.pipeline.ledger.PlayLedger`):
        each scored play as scored, each whole play skipped (``nfl_id`` null) with its
        reason and nfl ids, in the order of ``skipped``."""
        keys = self.plays.select(["game_id", "play_id"]).to_pylist()
        ledger.mark_scored((k["game_id"], k["play_id"]) for k in keys)
        for row in self.skipped.filter(pc.is_null(self.skipped.column("nfl_id"))).to_pylist():
            ledger.skip_play(row["game_id"], row["play_id"], row["reason"],
                             nfl_ids=row.get("nfl_ids"))  # fmt: skip


def _np(table: pa.Table, name: str, dtype: Any = None) -> np.ndarray:
    col = table.column(name)
    if dtype is not None and pa.types.is_floating(col.type):
        col = col.fill_null(np.nan)
    arr = col.to_numpy()
    return arr if dtype is None else arr.astype(dtype, copy=False)


def _skip_rows(game: Any, play: Any, nfl: Any, reason: Any) -> pa.Table:
    return pa.table(
        {
            "game_id": pa.array(game, pa.int64()),
            "play_id": pa.array(play, pa.int64()),
            "nfl_id": pa.array(nfl, pa.int64()),
            "reason": pa.array(reason, pa.string()),
        },
        schema=_SKIPPED_SCHEMA,
    )


def _known(plays: pa.Table, name: str) -> tuple[np.ndarray, np.ndarray]:
    """An integer column as int64 (0 where null) and a mask of where it is given."""
    column = plays.column(name)
    known = np.asarray(column.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    return column.fill_null(0).to_numpy().astype(np.int64), known


def _play_frame(plays: pa.Table) -> dict[str, np.ndarray]:
    """The pass_plays columns scoring needs, as numpy (each nullable integer column
    with a ``has_`` mask; no value stands for "unknown")."""
    need = (
        "game_id",
        "play_id",
        "analysable",
        "pass_forward_frame",
        "arrival_frame",
        "targeted_receiver",
    )
    missing = [c for c in need if c not in plays.column_names]
    if missing:
        raise InputError(
            f"plays table lacks columns {missing} (expected ghosting.pass_plays output)"
        )
    out = {
        "game_id": _np(plays, "game_id").astype(np.int64),
        "play_id": _np(plays, "play_id").astype(np.int64),
        "analysable": plays.column("analysable").fill_null(False).to_numpy(zero_copy_only=False),
    }
    for key, column in (("pf", "pass_forward_frame"), ("arr", "arrival_frame"),
                        ("target", "targeted_receiver")):
        out[key], out[f"has_{key}"] = _known(plays, column)
    if "reason" in plays.column_names:
        out["reason"] = np.array(plays.column("reason").to_pylist(), dtype=object)
    else:
        out["reason"] = np.full(plays.num_rows, None, dtype=object)
    return out


def _play_verdicts(pp: dict[str, np.ndarray], known: np.ndarray) -> np.ndarray:
    """Per plays-table row: None if it can be scored, else why not."""
    verdict = np.full(len(pp["game_id"]), None, dtype=object)
    for i in range(len(verdict)):  # once per play, not per row
        if not known[i]:
            verdict[i] = "no tracking rows for this play"
        elif not pp["analysable"][i]:
            verdict[i] = pp["reason"][i] or "not an analysable pass play"
        elif not pp["has_target"][i]:
            verdict[i] = "no targeted receiver"
        elif not (pp["has_pf"][i] and pp["has_arr"][i]):
            verdict[i] = "no pass forward or arrival frame"
        elif pp["arr"][i] <= pp["pf"][i]:
            verdict[i] = "arrival frame is not after the pass forward frame"
    return verdict


@dataclass(frozen=True)
class _Rows:
    """The tracking columns gathering needs, as numpy, with the play runs (a row's
    game and play are its run's: :meth:`run_of`)."""

    nfl: np.ndarray
    frame: np.ndarray
    x: np.ndarray
    y: np.ndarray
    run_start: np.ndarray  # first row of each play (contiguous run of game, play)
    run_game: np.ndarray  # game_id and play_id of each run
    run_play: np.ndarray

    @classmethod
    def of(cls, tracking: pa.Table) -> _Rows:
        missing = [c for c in _TRACKING_COLUMNS if c not in tracking.column_names]
        if missing:
            raise InputError(f"tracking table lacks columns {missing}")
        game, play = _np(tracking, "game_id", np.int64), _np(tracking, "play_id", np.int64)
        run_start = run_starts(game, play)[:-1]
        return cls(
            nfl=_ids(tracking, "nfl_id"),
            frame=_ids(tracking, "frame_id"),
            x=_np(tracking, "x", np.float64),
            y=_np(tracking, "y", np.float64),
            run_start=run_start,
            run_game=game[run_start],
            run_play=play[run_start],
        )

    @classmethod
    def of_flights(cls, table: FlightTable) -> _Rows:
        """The rows of a :class:`~ghosting.flights.FlightTable` (``FlightTable.of``
        of the same tracking: its columns, no second conversion)."""
        return cls(
            nfl=table.nfl_id,
            frame=table.frame_id,
            x=table.x,
            y=table.y,
            run_start=table.play_offsets[:-1],
            run_game=table.play_game_id,
            run_play=table.play_play_id,
        )

    def run_of(self, rows: np.ndarray) -> np.ndarray:
        """The play run of each of ``rows``."""
        return np.searchsorted(self.run_start, rows, side="right") - 1

    def flight_table(self) -> FlightTable:
        """The flight gatherer's view of these rows (no side codes: tracks need none)."""
        return FlightTable(
            nfl_id=np.ascontiguousarray(self.nfl),
            frame_id=np.ascontiguousarray(self.frame),
            x=np.ascontiguousarray(self.x, dtype=np.float64),
            y=np.ascontiguousarray(self.y, dtype=np.float64),
            side=np.zeros(len(self.nfl), np.int8),
            play_offsets=np.append(self.run_start, len(self.nfl)).astype(np.int64),
            play_game_id=self.run_game,
            play_play_id=self.run_play,
        )


def _ids(tracking: pa.Table, name: str) -> np.ndarray:
    column = tracking.column(name)
    if column.null_count:
        raise InputError(f"tracking table: column {name!r} has {column.null_count} null "
                         "value(s); read the data with ghosting.read_tracking")
    return column.to_numpy().astype(np.int64)


_TRACKING_COLUMNS = ("game_id", "play_id", "nfl_id", "frame_id", "x", "y")
#: A (play run, nfl_id) key: two int64 fields, sorted run first (no packing: ids are
#: int64 end to end and any value is an id).
_PAIR = np.dtype([("run", np.int64), ("nfl", np.int64)])


def _pairs(run: np.ndarray, nfl: np.ndarray) -> np.ndarray:
    out = np.empty(len(run), dtype=_PAIR)
    out["run"] = run
    out["nfl"] = nfl
    return out


def _match_plays(rows: _Rows, pp: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Plays-table row of each tracking play run (-1: none) and whether each
    plays-table row has tracking rows."""
    index = {
        (int(g), int(p)): i
        for i, (g, p) in enumerate(zip(pp["game_id"], pp["play_id"], strict=True))
    }
    if len(index) != len(pp["game_id"]):
        raise InputError("plays table repeats a (game_id, play_id)")
    keys = list(
        zip(rows.run_game.tolist(), rows.run_play.tolist(), strict=True)
    )
    if len(set(keys)) != len(keys):
        raise InputError("tracking table is not sorted by (game_id, play_id, nfl_id, frame_id)")
    run_row = np.array([index.get(k, -1) for k in keys], dtype=np.int64)
    known = np.zeros(len(pp["game_id"]), dtype=bool)
    known[run_row[run_row >= 0]] = True
    return run_row, known


def _expected_defenders(
    tracking: pa.Table, plays: pa.Table, rows: _Rows, run_row: np.ndarray, defenders: str
) -> np.ndarray:
    """(run, nfl_id) keys (``_PAIR``) of the defenders to score, sorted."""
    if defenders == "backs" and "defensive_backs" in plays.column_names:
        backs = plays.column("defensive_backs").combine_chunks()
        owner = np.repeat(np.arange(plays.num_rows), list_lengths(backs))
        flat = backs.flatten()
        valid = np.asarray(flat.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        ids = flat.fill_null(0).to_numpy().astype(np.int64)
        play_to_run = np.zeros(plays.num_rows, dtype=np.int64)
        in_tracking = np.zeros(plays.num_rows, dtype=bool)
        play_to_run[run_row[run_row >= 0]] = np.flatnonzero(run_row >= 0)
        in_tracking[run_row[run_row >= 0]] = True
        keep = in_tracking[owner] & valid
        return np.unique(_pairs(play_to_run[owner[keep]], ids[keep]))
    is_def = defender_rows(tracking, defenders)
    return np.unique(_pairs(rows.run_of(np.flatnonzero(is_def)), rows.nfl[is_def]))


def _track_range(tracks: Tracks, lo: int, hi: int, keep: np.ndarray | None = None) -> Tracks:
    """The tracks ``lo:hi`` of ``tracks`` (of those, only ``keep`` when given)."""
    index = np.arange(lo, hi)
    if keep is not None:
        index = index[keep]
    start, stop = tracks.offsets[index], tracks.offsets[index + 1]
    offsets = np.zeros(index.size + 1, np.int64)
    np.cumsum(stop - start, out=offsets[1:])
    if index.size and np.array_equal(start[1:], stop[:-1]):  # one block of samples
        xy = tracks.xy[start[0]:stop[-1]]
    else:
        within = np.arange(int(offsets[-1])) - np.repeat(offsets[:-1], stop - start)
        xy = tracks.xy[np.repeat(start, stop - start) + within]
    return Tracks(xy=xy, offsets=offsets, n_rows=tracks.n_rows[index],
                  first_row=tracks.first_row[index], consecutive=tracks.consecutive[index],
                  nonfinite=tracks.nonfinite[index])


def _incomplete_reason(count: int, want: int, nonfinite: bool, who: str = "") -> str:
    if nonfinite and count == want:
        return f"{who}non-finite position in the pass window"
    return f"{who}{count} samples for the {want} frames between pass forward and arrival"


def real_trajectories(
    tracking: pa.Table,
    plays: pa.Table | None = None,
    *,
    targets: Any = None,
    defenders: Defenders = "backs",
    infer_missing_targets: bool = False,
    flight_table: FlightTable | None = None,
) -> RealTrajectories:
    """Gather real defender and targeted-receiver trajectories over each pass window.

    ``plays`` is a :func:`ghosting.pass_plays` table (computed from ``tracking``
    and ``targets`` when omitted; ``infer_missing_targets`` is passed on to it).
    ``defenders="backs"`` takes each play's ``defensive_backs`` (CB, S, SS, FS, DB,
    or the 2026 role "Defensive Coverage"), ``"all"`` every defense player. A
    defender or receiver must have exactly one finite sample per frame from pass
    forward to arrival; otherwise it is listed in ``skipped`` with the reason.
    ``flight_table`` is ``FlightTable.of(tracking)`` when the caller has it (its
    columns are used instead of converting ``tracking``'s again).

    >>> import ghosting
    >>> tracking = ghosting.read_tracking("week13_game_2018120600.csv.gz")  # doctest: +SKIP
    >>> real = real_trajectories(tracking, targets="targetedReciever.csv")  # doctest: +SKIP
    >>> len(real), real.defender_xy.shape  # doctest: +SKIP
    (321, (4334, 2))
    """
    _check_choice(defenders, DEFENDERS, "defenders")
    rows = _Rows.of(tracking) if flight_table is None else _Rows.of_flights(flight_table)
    if plays is None:
        plays = pass_plays(tracking, targets, infer_missing_targets=infer_missing_targets)
    pp = _play_frame(plays)
    run_row, known = _match_plays(rows, pp)
    verdict = _play_verdicts(pp, known)
    n_runs = len(rows.run_start)
    ok_run = run_row >= 0
    ok_run[ok_run] = np.array([verdict[r] is None for r in run_row[ok_run]], dtype=bool)
    safe = np.where(ok_run, run_row, 0)
    # outside ok_run these are never read: window rows, receivers and defenders all
    # come from ok_run plays only
    pf = np.where(ok_run, pp["pf"][safe], 0)
    arr = np.where(ok_run, pp["arr"][safe], 0)
    target = np.where(ok_run, pp["target"][safe], 0)
    table = rows.flight_table() if flight_table is None else flight_table
    # the targeted receiver's track of every play that can be scored, and every
    # expected defender's track over his play's pass window: one gatherer call
    ok_runs = np.flatnonzero(ok_run)
    expected = _expected_defenders(tracking, plays, rows, run_row, defenders)
    expected = expected[ok_run[expected["run"]]]
    run = expected["run"]
    both = gather_tracks(table, np.concatenate([ok_runs, run]),
                         np.concatenate([target[ok_runs], expected["nfl"]]),
                         np.concatenate([pf[ok_runs], pf[run]]),
                         np.concatenate([arr[ok_runs], arr[run]]))  # fmt: skip
    rec = _track_range(both, 0, ok_runs.size)
    rec_good = rec.complete()
    rec_reason = np.full(n_runs, None, dtype=object)
    rec_reason[ok_runs] = "targeted receiver has no frames between pass forward and arrival"
    want = np.diff(rec.offsets)
    for k in np.flatnonzero((rec.n_rows > 0) & ~rec_good):  # once per play, not per row
        rec_reason[ok_runs[k]] = _incomplete_reason(
            int(rec.n_rows[k]), int(want[k]), bool(rec.nonfinite[k]), "targeted receiver has "
        )
    rec_reason[ok_runs[rec_good]] = None
    play_ok = np.zeros(n_runs, dtype=bool)
    play_ok[ok_runs[rec_good]] = True
    rec_track = np.zeros(n_runs, dtype=np.int64)  # the receiver's track of each play run
    rec_track[ok_runs] = np.arange(ok_runs.size)

    # the defenders of the plays whose receiver's track is complete
    in_play = play_ok[run]
    expected, run = expected[in_play], run[in_play]
    dfn = _track_range(both, ok_runs.size, both.offsets.size - 1, in_play)
    def_ok = dfn.complete()
    present = dfn.n_rows > 0
    bad = present & ~def_ok
    d_want = np.diff(dfn.offsets)
    reasons = [
        _incomplete_reason(int(c), int(w), bool(nf))
        for c, w, nf in zip(dfn.n_rows[bad], d_want[bad], dfn.nonfinite[bad], strict=True)
    ]
    absent = expected[~present]
    skip_run = np.concatenate([run[bad], absent["run"]])
    defender_skips = _skip_rows(
        rows.run_game[skip_run],
        rows.run_play[skip_run],
        np.concatenate([expected["nfl"][bad], absent["nfl"]]),
        reasons + ["no frames between pass forward and arrival"] * len(absent),
    )

    # the kept tracks, the receiver's track of the play beside each, frame by frame
    keep_start = dfn.first_row[def_ok]
    keep_count = d_want[def_ok]
    keep_run = run[def_ok]
    offsets = np.zeros(len(keep_start) + 1, dtype=np.int64)
    np.cumsum(keep_count, out=offsets[1:])
    defender_xy = dfn.xy[np.repeat(def_ok, d_want)]
    owner = np.repeat(np.arange(len(keep_start)), keep_count)
    t = np.arange(offsets[-1]) - offsets[:-1][owner]
    receiver_xy = rec.xy[rec.offsets[rec_track[keep_run]][owner] + t]
    scored_runs, play_counts = np.unique(keep_run, return_counts=True)
    play_offsets = np.zeros(len(scored_runs) + 1, dtype=np.int64)
    np.cumsum(play_counts, out=play_offsets[1:])

    # Every play not scored, with its reason (one step per play, not per row).
    scored = np.zeros(n_runs, dtype=bool)
    scored[scored_runs] = True
    nobody = (
        f"no {'defensive backs' if defenders == 'backs' else 'defenders'} with a "
        "complete trajectory"
    )
    whole = []
    for i in np.flatnonzero(~scored):
        if run_row[i] < 0:
            why = "not in the plays table"
        else:
            why = verdict[run_row[i]] or rec_reason[i] or nobody
        whole.append((int(rows.run_game[i]), int(rows.run_play[i]), why))
    whole += [
        (int(pp["game_id"][i]), int(pp["play_id"][i]), verdict[i]) for i in np.flatnonzero(~known)
    ]
    play_skips = _skip_rows(
        [w[0] for w in whole], [w[1] for w in whole], [None] * len(whole), [w[2] for w in whole]
    )
    if "position" in tracking.column_names:
        position = tracking.column("position").take(pa.array(keep_start, pa.int64()))
        position = position.combine_chunks() if isinstance(position, pa.ChunkedArray) else position
    else:
        position = pa.nulls(len(keep_start), pa.string())
    return RealTrajectories(
        defender_xy=defender_xy,
        receiver_xy=receiver_xy,
        offsets=offsets,
        game_id=rows.run_game[keep_run],
        play_id=rows.run_play[keep_run],
        nfl_id=rows.nfl[keep_start],
        position=position,
        play_offsets=play_offsets,
        play_game_id=rows.run_game[scored_runs],
        play_play_id=rows.run_play[scored_runs],
        skipped=pa.concat_tables([play_skips, defender_skips]),
    )


def score_real(
    tracking: pa.Table,
    plays: pa.Table | None = None,
    *,
    targets: Any = None,
    defenders: Defenders = "backs",
    reference: Reference = "catch_point",
    weights: Weights = "uniform",
    v_max: float = V_MAX,
    dt: float = DT,
    penalty: float = DEFAULT_PENALTY,
    radius: float = DEFAULT_RADIUS,
    off_field_tolerance: float = OFF_FIELD_TOLERANCE,
    infer_missing_targets: bool = False,
    flight_table: FlightTable | None = None,
) -> RealScores:
    """Score the real defender trajectories of every pass play (docs/trajectory_score.md).

    Each defender (defensive backs by default, ``defenders="all"`` for every
    defense player) is scored from ``pass_forward_frame`` to ``arrival_frame``
    against the play's targeted receiver; ``plays`` is a
    :func:`ghosting.pass_plays` table, computed with ``targets`` (and
    ``infer_missing_targets``) when omitted.
    Every play of ``tracking`` and ``plays`` ends up in ``.plays`` (scored) or in
    ``.skipped`` with a reason. ``flight_table`` is ``FlightTable.of(tracking)`` when
    the caller has it.

    >>> import ghosting
    >>> tracking = ghosting.read_tracking("week13_game_2018120600.csv.gz")  # doctest: +SKIP
    >>> result = ghosting.score_real(tracking)  # doctest: +SKIP
    >>> result.summary()["mean_ts"]  # doctest: +SKIP
    """
    real = real_trajectories(tracking, plays, targets=targets, defenders=defenders,
                             infer_missing_targets=infer_missing_targets,
                             flight_table=flight_table)  # fmt: skip
    s = trajectory_score(
        real.defender_xy,
        real.receiver_xy,
        offsets=real.offsets,
        reference=reference,
        weights=weights,
        v_max=v_max,
        dt=dt,
        penalty=penalty,
    )
    f = feasibility(
        real.defender_xy,
        offsets=real.offsets,
        v_max=v_max,
        dt=dt,
        off_field_tolerance=off_field_tolerance,
    )
    weight, play_score = play_scores(
        real.defender_xy,
        real.receiver_xy,
        s.ts,
        real.play_offsets,
        offsets=real.offsets,
        radius=radius,
    )
    trajectories = pa.table(
        {
            "game_id": pa.array(real.game_id, pa.int64()),
            "play_id": pa.array(real.play_id, pa.int64()),
            "nfl_id": pa.array(real.nfl_id, pa.int64()),
            "position": real.position,
            "n_frames": pa.array(np.diff(real.offsets).astype(np.int32), pa.int32()),
            "ps": s.ps,
            "dr": s.dr,
            "sp": pa.array(s.sp.astype(np.int32), pa.int32()),
            "ts": s.ts,
            "max_speed": f.max_speed,
            "max_accel": f.max_accel,
            "n_long_steps": pa.array(f.n_long_steps.astype(np.int32), pa.int32()),
            "n_off_field": pa.array(f.n_off_field.astype(np.int32), pa.int32()),
            "weight": weight,
        }
    )
    play_table = pa.table(
        {
            "game_id": pa.array(real.play_game_id, pa.int64()),
            "play_id": pa.array(real.play_play_id, pa.int64()),
            "n_defenders": pa.array(np.diff(real.play_offsets).astype(np.int32), pa.int32()),
            "play_score": play_score,
        }
    )
    return RealScores(trajectories=trajectories, plays=play_table, skipped=real.skipped)

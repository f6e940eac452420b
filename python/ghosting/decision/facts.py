"""Per-play facts the decision analysis needs, read from the tracking table.

:class:`PlayIndex` holds the tracking columns as numpy arrays and the row range of
every play (one pass over the table); :func:`play_facts` gives, for each pass play,
the passer (the offensive player at QB nearest the ball at pass forward, else the
offensive player nearest the ball), the line of scrimmage (the ball's x at the
``ball_snap`` frame, else at its first tracked frame) and the pass's outcome from the
events (``pass_outcome_caught`` / ``pass_outcome_touchdown`` complete,
``pass_outcome_incomplete`` / ``pass_outcome_interception`` not), or from a plays
file's ``passResult`` when the events give none.

>>> import ghosting
>>> tracking = ghosting.synth.generate_plays(2, seed=0)
>>> facts = play_facts(PlayIndex(tracking), ghosting.pass_plays(tracking).to_pylist())
>>> len(facts["passer_nfl_id"]) == 2
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InputError
from ..flights import SIDE_DEFENSE, SIDE_OFFENSE, FlightTable
from ..schema import BALL_ID

__all__ = ["PlayIndex", "play_facts", "COMPLETE_EVENTS", "INCOMPLETE_EVENTS"]

#: Events that end a pass as complete, and as not complete (docs/decision.md).
COMPLETE_EVENTS = frozenset({"pass_outcome_caught", "pass_outcome_touchdown"})
INCOMPLETE_EVENTS = frozenset({"pass_outcome_incomplete", "pass_outcome_interception"})
#: ``passResult`` codes of the Big Data Bowl plays files: C complete; I, IN not.
PASS_RESULT_LABELS = {"C": True, "I": False, "IN": False}


def _col(table: pa.Table, name: str, dtype: Any = None) -> np.ndarray:
    if name not in table.column_names:
        raise InputError(f"tracking table has no column {name!r}")
    col = table.column(name)
    if dtype is None:
        return np.asarray(col.to_numpy(zero_copy_only=False), dtype=object)
    if pa.types.is_floating(col.type):
        return col.to_numpy().astype(dtype)
    return col.fill_null(0).to_numpy().astype(dtype)


def _flag(table: pa.Table, name: str, values: Sequence[str]) -> np.ndarray:
    """True where the string column ``name`` is one of ``values`` (False when absent)."""
    if name not in table.column_names:
        return np.zeros(table.num_rows, bool)
    hit = pc.is_in(table.column(name), value_set=pa.array(list(values), pa.string()))
    return np.asarray(pc.fill_null(hit, False).to_numpy(zero_copy_only=False), bool)


def _event_kind(table: pa.Table) -> np.ndarray:
    """Per row of ``event``: 1 a completion event, 0 an incompletion, 2 the snap,
    -1 anything else or null (and everywhere when there is no event column)."""
    if "event" not in table.column_names:
        return np.full(table.num_rows, -1, np.int8)
    names = [*sorted(INCOMPLETE_EVENTS), *sorted(COMPLETE_EVENTS), "ball_snap"]
    kind = np.array([0] * len(INCOMPLETE_EVENTS) + [1] * len(COMPLETE_EVENTS) + [2, -1],
                    np.int8)  # fmt: skip
    at = pc.index_in(table.column("event"), value_set=pa.array(names, pa.string()))
    code = np.asarray(pc.fill_null(at, len(names)).to_numpy(zero_copy_only=False), np.int64)
    return kind[code]


class PlayIndex:
    """Tracking columns as numpy arrays plus each play's row range.

    ``rows(game_id, play_id)`` returns the ``slice`` of the play's rows (None when the
    play is absent). String columns become boolean flags (``is_offense``,
    ``is_defense``, ``is_qb``, ``is_snap``) and an outcome code per row (1 complete,
    0 not, -1 no outcome event); names, positions and clubs stay pyarrow columns
    read only for the players :meth:`describe` is asked about. The table must be
    grouped by play, as :func:`ghosting.read_tracking` sorts it.
    """

    def __init__(self, tracking: pa.Table, flight_table: FlightTable | None = None) -> None:
        if "side" not in tracking.column_names:
            raise InputError("tracking table has no column 'side'")
        if flight_table is None:
            flight_table = FlightTable.of(tracking)
        t = flight_table  # the gatherer's view of the same rows: its columns, shared
        if int(t.play_offsets[-1]) != tracking.num_rows:
            raise InputError("flight_table is not the tracking table's")
        self.flight_table = t
        per_play = np.diff(t.play_offsets)
        self.game = np.repeat(t.play_game_id, per_play)
        self.play = np.repeat(t.play_play_id, per_play)
        self.nfl = t.nfl_id
        self.frame = t.frame_id
        self.x = t.x
        self.y = t.y
        self.is_offense = t.side == SIDE_OFFENSE
        self.is_defense = t.side == SIDE_DEFENSE
        self.is_qb = _flag(tracking, "position", ["QB"])
        # the event column read once: snap flag and outcome code from one look-up
        event = _event_kind(tracking)  # -1 other, 0 incomplete, 1 complete, 2 snap
        self.is_snap = event == 2
        self.outcome = np.where(event == 2, -1, event).astype(np.int8)
        n = tracking.num_rows
        # one array per column: ``take`` on a chunked column of a batch of games would
        # concatenate its chunks on every call
        self._strings = {
            key: (tracking.column(col).combine_chunks() if col in tracking.column_names
                  else pa.nulls(n))
            for key, col in (("name", "display_name"), ("position", "position"),
                             ("club", "club"), ("jersey_number", "jersey_number"))
        }  # fmt: skip
        self._bounds: dict[tuple[int, int], slice] = {}
        if n:
            change = np.flatnonzero((np.diff(self.game) != 0) | (np.diff(self.play) != 0)) + 1
            starts = np.r_[0, change]
            ends = np.r_[change, n]
            for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
                key = (int(self.game[s]), int(self.play[s]))
                if key in self._bounds:
                    raise InputError(
                        "tracking table is not grouped by (game_id, play_id): sort it as "
                        "read_tracking does"
                    )
                self._bounds[key] = slice(s, e)

    def rows(self, game_id: int, play_id: int) -> slice | None:
        """The play's row range, or None when the play is not in the table."""
        return self._bounds.get((int(game_id), int(play_id)))

    def player(self, sl: slice, nfl_id: int) -> np.ndarray:
        """Row indices of one player in the play ``sl``, in frame order."""
        idx = np.flatnonzero(self.nfl[sl] == nfl_id) + sl.start
        return idx[np.argsort(self.frame[idx], kind="stable")]

    def at_frame(self, sl: slice, frame: int) -> np.ndarray:
        """Row indices of the play ``sl`` at ``frame``."""
        return np.flatnonzero(self.frame[sl] == frame) + sl.start

    def describe(self, sl: slice, nfl_id: int) -> dict[str, Any]:
        """The player's name, position, club and jersey (first non-null of each)."""
        idx = np.flatnonzero(self.nfl[sl] == nfl_id)[:50] + sl.start
        take = pa.array(idx, pa.int64())
        out: dict[str, Any] = {}
        for key, col in self._strings.items():
            vals = [v for v in col.take(take).to_pylist() if v is not None and v == v]
            out[key] = vals[0] if vals else None
        if out["jersey_number"] is not None:
            out["jersey_number"] = int(out["jersey_number"])
        return out

    def describe_many(
        self, game_ids: np.ndarray, play_ids: np.ndarray, nfl_ids: np.ndarray
    ) -> list[dict[str, Any]]:
        """:meth:`describe` of many players at once: one ``take`` per column on each
        player's first row, :meth:`describe` only where that row has a null."""
        first = np.full(len(nfl_ids), -1, np.int64)
        for k, (g, p, nid) in enumerate(zip(game_ids.tolist(), play_ids.tolist(),
                                            nfl_ids.tolist(), strict=True)):
            sl = self.rows(g, p)
            if sl is not None:
                hit = np.flatnonzero(self.nfl[sl] == nid)
                if hit.size:
                    first[k] = hit[0] + sl.start
        found = first >= 0
        take = pa.array(np.where(found, first, 0), pa.int64())
        cols = {key: col.take(take).to_pylist() for key, col in self._strings.items()}
        out: list[dict[str, Any]] = []
        for k in range(len(nfl_ids)):
            if not found[k]:
                out.append({key: None for key in self._strings})
                continue
            rec = {key: cols[key][k] for key in self._strings}
            if any(v is None for v in rec.values()):
                sl = self.rows(int(game_ids[k]), int(play_ids[k]))
                rec = self.describe(sl, int(nfl_ids[k])) if sl is not None else rec
            elif rec["jersey_number"] is not None:
                rec["jersey_number"] = int(rec["jersey_number"])
            out.append(rec)
        return out


def _first_per(owner: np.ndarray, keys: tuple[np.ndarray, ...], n: int) -> np.ndarray:
    """Per owner ``0..n-1``, the index (into ``owner``) of its first element ordered by
    ``keys`` (most significant last, as :func:`numpy.lexsort`), -1 when it has none."""
    out = np.full(n, -1, np.int64)
    if not len(owner):
        return out
    order = np.lexsort((np.arange(len(owner)), *keys, owner))
    first = np.ones(len(order), dtype=bool)
    first[1:] = owner[order][1:] != owner[order][:-1]
    out[owner[order][first]] = order[first]
    return out


def play_facts(
    index: PlayIndex,
    plays: Sequence[Mapping[str, Any]],
    pass_results: Mapping[tuple[int, int], bool] | None = None,
) -> dict[str, np.ndarray]:
    """Passer, line of scrimmage and outcome of each play (arrays aligned with ``plays``).

    Keys: ``passer_nfl_id`` (int64, -1 where none: check ``has_passer``),
    ``has_passer``, ``passer_name`` (object), ``passer_x``, ``passer_y`` (at pass
    forward), ``line_of_scrimmage`` (x, NaN without ball rows), ``los_source``
    (``"ball_snap"`` | ``"first_ball_frame"`` | None), ``complete`` (object: True,
    False or None), ``label_source`` (``"events"`` | ``"pass_result"`` | None).
    ``pass_results`` maps ``(game_id, play_id)`` to a plays file's verdict.

    All plays at once on their rows (numpy on the plays' row ranges, no loop per
    play): the passer is the quarterback nearest the ball at pass forward (else the
    offensive player nearest it; the first quarterback when the ball is not there),
    the line of scrimmage the ball's x at the ``ball_snap`` frame (else at its first
    finite frame), the outcome the first outcome event at or after pass forward.
    """
    n = len(plays)
    out: dict[str, np.ndarray] = {
        "passer_nfl_id": np.full(n, -1, np.int64),
        "has_passer": np.zeros(n, bool),
        "passer_name": np.full(n, None, object),
        "passer_x": np.full(n, np.nan),
        "passer_y": np.full(n, np.nan),
        "line_of_scrimmage": np.full(n, np.nan),
        "los_source": np.full(n, None, object),
        "complete": np.full(n, None, object),
        "label_source": np.full(n, None, object),
    }
    if not n:
        return out
    ranges = [index.rows(r["game_id"], r["play_id"]) for r in plays]
    start = np.array([sl.start if sl is not None else 0 for sl in ranges], np.int64)
    stop = np.array([sl.stop if sl is not None else 0 for sl in ranges], np.int64)
    raw_pf = [r.get("pass_forward_frame") for r in plays]
    has_pf = np.array([v is not None for v in raw_pf], bool)
    pf = np.array([int(v) if v is not None else 0 for v in raw_pf], np.int64)
    # every play's rows, with the play (its position in ``plays``) that owns them
    lengths = stop - start
    owner = np.repeat(np.arange(n), lengths)
    offsets = np.zeros(n + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    rows = np.repeat(start - offsets[:-1], lengths) + np.arange(offsets[-1])
    if not len(rows):
        return out
    frame, nfl = index.frame[rows], index.nfl[rows]
    x, y = index.x[rows], index.y[rows]

    # line of scrimmage: the ball at the snap frame, else at its first finite frame
    ball = np.flatnonzero((nfl == BALL_ID) & np.isfinite(x))
    first_ball = _first_per(owner[ball], (frame[ball],), n)
    snap_rows = np.flatnonzero(index.is_snap[rows])
    snap_frame = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(snap_frame, owner[snap_rows], frame[snap_rows])
    at_snap = ball[frame[ball] == snap_frame[owner[ball]]]
    first_snap = _first_per(owner[at_snap], (frame[at_snap],), n)
    has_ball = first_ball >= 0
    use_snap = first_snap >= 0
    out["line_of_scrimmage"][has_ball] = x[ball[first_ball[has_ball]]]
    out["line_of_scrimmage"][use_snap] = x[at_snap[first_snap[use_snap]]]
    out["los_source"][has_ball] = "first_ball_frame"
    out["los_source"][use_snap] = "ball_snap"

    # the passer at pass forward
    at = np.flatnonzero(has_pf[owner] & (frame == pf[owner]))
    ball_at = at[nfl[at] == BALL_ID]
    first_ball_at = _first_per(owner[ball_at], (), n)  # the first ball row of each play
    ball_row = np.where(first_ball_at >= 0, ball_at[np.maximum(first_ball_at, 0)]
                        if len(ball_at) else -1, -1)  # fmt: skip
    offense = at[index.is_offense[rows[at]]]
    qb = offense[index.is_qb[rows[offense]]]
    has_offense = np.bincount(owner[offense], minlength=n) > 0
    has_qb = np.bincount(owner[qb], minlength=n) > 0
    pool = offense[~has_qb[owner[offense]] | index.is_qb[rows[offense]]]
    pool_owner = owner[pool]
    bx = np.where(ball_row >= 0, x[np.maximum(ball_row, 0)], np.nan)
    by = np.where(ball_row >= 0, y[np.maximum(ball_row, 0)], np.nan)
    d = np.hypot(x[pool] - bx[pool_owner], y[pool] - by[pool_owner])
    d = np.where(np.isfinite(d), d, np.inf)
    nearest = _first_per(pool_owner, (d,), n)
    first_qb = _first_per(owner[qb], (), n)
    passer = np.full(n, -1, np.int64)
    with_ball = has_offense & (ball_row >= 0) & (nearest >= 0)
    passer[with_ball] = nfl[pool[nearest[with_ball]]]
    without = has_offense & (ball_row < 0) & (first_qb >= 0)
    passer[without] = nfl[qb[first_qb[without]]]
    found = passer >= 0
    out["passer_nfl_id"][found] = passer[found]
    out["has_passer"][found] = True
    if found.any():
        where = np.flatnonzero(found)
        picked = [plays[i] for i in where.tolist()]
        names = index.describe_many(
            np.array([int(r["game_id"]) for r in picked], np.int64),
            np.array([int(r["play_id"]) for r in picked], np.int64),
            passer[where],
        )
        out["passer_name"][where] = np.array([rec["name"] for rec in names], dtype=object)
        mine = at[nfl[at] == passer[owner[at]]]
        first_mine = _first_per(owner[mine], (), n)
        known = found & (first_mine >= 0)
        out["passer_x"][known] = x[mine[first_mine[known]]]
        out["passer_y"][known] = y[mine[first_mine[known]]]

    # the outcome: the first outcome event at or after pass forward
    code = index.outcome[rows]
    hit = np.flatnonzero(has_pf[owner] & (frame >= pf[owner]) & (code >= 0))
    first_hit = _first_per(owner[hit], (frame[hit],), n)
    labelled = first_hit >= 0
    out["complete"][labelled] = (code[hit[first_hit[labelled]]] == 1).tolist()
    out["label_source"][labelled] = "events"
    if pass_results is not None:
        for i in np.flatnonzero(has_pf & ~labelled & (lengths > 0)).tolist():
            verdict = pass_results.get((int(plays[i]["game_id"]), int(plays[i]["play_id"])))
            if verdict is not None:
                out["complete"][i] = bool(verdict)
                out["label_source"][i] = "pass_result"
    return out

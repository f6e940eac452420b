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

from ..errors import InputError
from ..schema import BALL_ID

__all__ = ["PlayIndex", "play_facts", "COMPLETE_EVENTS", "INCOMPLETE_EVENTS"]

#: Events that end a pass as complete, and as not complete (DESIGN section 10).
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


class PlayIndex:
    """Tracking columns as numpy arrays plus each play's row range.

    ``rows(game_id, play_id)`` returns the ``slice`` of the play's rows (a
    :class:`~ghosting.PlayError`-free ``None`` when the play is absent). The table must
    be grouped by play, as :func:`ghosting.read_tracking` sorts it.
    """

    def __init__(self, tracking: pa.Table) -> None:
        self.game = _col(tracking, "game_id", np.int64)
        self.play = _col(tracking, "play_id", np.int64)
        self.nfl = _col(tracking, "nfl_id", np.int64)
        self.frame = _col(tracking, "frame_id", np.int64)
        self.x = _col(tracking, "x", np.float64)
        self.y = _col(tracking, "y", np.float64)
        self.side = _col(tracking, "side")
        names = tracking.column_names
        n = tracking.num_rows
        none = np.full(n, None, dtype=object)
        self.event = _col(tracking, "event") if "event" in names else none
        self.position = _col(tracking, "position") if "position" in names else none
        self.name = _col(tracking, "display_name") if "display_name" in names else none
        self.club = _col(tracking, "club") if "club" in names else none
        self.jersey = (
            _col(tracking, "jersey_number") if "jersey_number" in names else none
        )
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
        idx = np.flatnonzero(self.nfl[sl] == nfl_id) + sl.start
        out: dict[str, Any] = {}
        for key, arr in (
            ("name", self.name), ("position", self.position), ("club", self.club),
            ("jersey_number", self.jersey),
        ):
            vals = [v for v in arr[idx[:50]] if v is not None and v == v]
            out[key] = vals[0] if vals else None
        if out["jersey_number"] is not None:
            out["jersey_number"] = int(out["jersey_number"])
        return out


def _passer(ix: PlayIndex, sl: slice, pf: int) -> int | None:
    at = ix.at_frame(sl, pf)
    ball = at[ix.nfl[at] == BALL_ID]
    offense = at[ix.side[at] == "offense"]
    if offense.size == 0:
        return None
    qbs = offense[ix.position[offense] == "QB"]
    pool = qbs if qbs.size else offense
    if ball.size:
        bx, by = ix.x[ball[0]], ix.y[ball[0]]
        d = np.hypot(ix.x[pool] - bx, ix.y[pool] - by)
        d = np.where(np.isfinite(d), d, np.inf)
        return int(ix.nfl[pool[int(np.argmin(d))]])
    if qbs.size:
        return int(ix.nfl[qbs[0]])
    return None


def _line_of_scrimmage(ix: PlayIndex, sl: slice) -> tuple[float, str | None]:
    ball = np.flatnonzero(ix.nfl[sl] == BALL_ID) + sl.start
    ball = ball[np.argsort(ix.frame[ball], kind="stable")]
    ball = ball[np.isfinite(ix.x[ball])]
    if ball.size == 0:
        return float("nan"), None
    snaps = np.flatnonzero(ix.event[sl] == "ball_snap") + sl.start
    if snaps.size:
        frame = ix.frame[snaps].min()
        hit = ball[ix.frame[ball] == frame]
        if hit.size:
            return float(ix.x[hit[0]]), "ball_snap"
    return float(ix.x[ball[0]]), "first_ball_frame"


def _outcome(ix: PlayIndex, sl: slice, pf: int) -> bool | None:
    ev = ix.event[sl]
    fr = ix.frame[sl]
    best: tuple[int, bool] | None = None
    for i in np.flatnonzero(fr >= pf):
        e = ev[i]
        if e in COMPLETE_EVENTS or e in INCOMPLETE_EVENTS:
            if best is None or fr[i] < best[0]:
                best = (int(fr[i]), e in COMPLETE_EVENTS)
    return None if best is None else best[1]


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
    for i, row in enumerate(plays):
        sl = index.rows(row["game_id"], row["play_id"])
        if sl is None:
            continue
        pf = row.get("pass_forward_frame")
        los, los_src = _line_of_scrimmage(index, sl)
        out["line_of_scrimmage"][i] = los
        out["los_source"][i] = los_src
        if pf is None:
            continue
        pf = int(pf)
        passer = _passer(index, sl, pf)
        if passer is not None:
            out["passer_nfl_id"][i] = passer
            out["has_passer"][i] = True
            out["passer_name"][i] = index.describe(sl, passer)["name"]
            at = index.player(sl, passer)
            at = at[index.frame[at] == pf]
            if at.size:
                out["passer_x"][i] = index.x[at[0]]
                out["passer_y"][i] = index.y[at[0]]
        label = _outcome(index, sl, pf)
        if label is not None:
            out["complete"][i] = label
            out["label_source"][i] = "events"
        elif pass_results is not None:
            verdict = pass_results.get((int(row["game_id"]), int(row["play_id"])))
            if verdict is not None:
                out["complete"][i] = bool(verdict)
                out["label_source"][i] = "pass_result"
    return out

"""The ghosting model's inputs (GhostInputs): one per (play, defender, target receiver).

:func:`cut_ghost_inputs` cuts them from a canonical tracking table and its pass plays
(all windows in one call of the C++ flight gatherer, :mod:`ghosting.flights`);
:func:`tile_inputs` slices the raw inputs of a tile (the defender's last positions, the
receiver's path ahead) that
:func:`ghosting.model.features.tile_features` turns into features.

>>> import ghosting
>>> tracking = ghosting.synth.generate_plays(2, seed=0)
>>> w = cut_ghost_inputs(tracking, ghosting.pass_plays(tracking), history=5)
>>> w.defender.shape[0] == len(w) and w.defender.shape[2] == 2
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from .._util import comparable_keys, list_lengths
from ..errors import InputError
from ..flights import (
    DEFENDER_AT_PASS_FORWARD,
    DEFENDER_IN_PLAY,
    RECEIVER_AT_PASS_FORWARD,
    RECEIVER_IN_PLAY,
    SIDE_DEFENSE,
    FlightTable,
    gather_flights,
    play_rosters,
)
from ..schema import FIELD_WIDTH

__all__ = [
    "GhostInputs",
    "cut_ghost_inputs",
    "tile_inputs",
    "mirror_inputs",
    "concat_inputs",
    "complete_mask",
]


@dataclass
class GhostInputs:
    """One window per (play, defender, target receiver); frames on a common axis.

    Frame index ``lead = history - 1`` is pass forward (t = 0); index ``lead + T``
    is arrival, with ``T = flight_frames``. Positions past arrival are NaN.
    """

    history: int
    game_id: np.ndarray  # (N,) int64
    play_id: np.ndarray
    nfl_id: np.ndarray
    target_nfl_id: np.ndarray
    pass_forward_frame: np.ndarray  # (N,) int64
    flight_frames: np.ndarray  # (N,) int64, T >= 1
    defender: np.ndarray  # (N, lead + Tmax + 1, 2)
    receiver: np.ndarray  # (N, lead + Tmax + 1, 2)
    catch: np.ndarray  # (N, 2)
    context: np.ndarray  # (N, 4)
    is_back: np.ndarray  # (N,) bool
    skipped: dict[str, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.game_id.shape[0])

    @property
    def lead(self) -> int:
        return self.history - 1

    def take(self, index: np.ndarray) -> GhostInputs:
        """A new GhostInputs with the rows ``index`` (a boolean mask or integer indices)."""
        return GhostInputs(
            history=self.history,
            game_id=self.game_id[index],
            play_id=self.play_id[index],
            nfl_id=self.nfl_id[index],
            target_nfl_id=self.target_nfl_id[index],
            pass_forward_frame=self.pass_forward_frame[index],
            flight_frames=self.flight_frames[index],
            defender=self.defender[index],
            receiver=self.receiver[index],
            catch=self.catch[index],
            context=self.context[index],
            is_back=self.is_back[index],
            skipped=dict(self.skipped),
        )


def mirror_inputs(w: GhostInputs) -> GhostInputs:
    """The same windows mirrored across the field's long axis (y -> width - y)."""
    out = w.take(np.arange(len(w)))
    for arr in (out.defender, out.receiver):
        arr[..., 1] = FIELD_WIDTH - arr[..., 1]
    out.catch[:, 1] = FIELD_WIDTH - out.catch[:, 1]
    out.context[:, 1] = -out.context[:, 1]
    out.context[:, 3] = -out.context[:, 3]
    return out


def tile_inputs(
    w: GhostInputs, start: np.ndarray, horizon: int, defender_xy: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Raw inputs of :func:`tile_features` for tiles starting ``start`` frames after pass forward.

    ``defender_xy`` replaces ``w.defender`` (e.g. with predicted positions during a
    roll-out). Returns ``history_xy, receiver_path, frames_left, origin``.
    """
    d = w.defender if defender_xy is None else defender_xy
    n = len(w)
    rows = np.arange(n)[:, None]
    start = np.asarray(start, dtype=np.int64)
    k = w.history
    hist_idx = start[:, None] + np.arange(k)[None, :]  # lead + start - (k-1) + j
    history_xy = d[rows, hist_idx]
    last = w.lead + w.flight_frames  # arrival index
    path_idx = w.lead + start[:, None] + np.arange(-1, horizon + 1)[None, :]
    path_idx = np.minimum(path_idx, last[:, None])
    receiver_path = w.receiver[rows, path_idx]
    frames_left = w.flight_frames - start
    return history_xy, receiver_path, frames_left, history_xy[:, -1, :]


_PLAY_KEYS = ("game_id", "play_id", "pass_forward_frame", "arrival_frame", "targeted_receiver")

#: Why a play (or some of its windows) gave no window, in the order the checks run.
_REASONS = (
    "no pass window",
    "play not in tracking",
    "arrival not after pass forward",
    "no defenders or receiver in tracking",
    "defender missing at pass forward",
    "receiver missing at pass forward",
)


@dataclass
class PlayColumns:
    """The columns of pass plays that cutting windows reads, as numpy.

    Integer columns that may be unknown come with a ``has_`` mask; the list columns
    (``defensive_backs``, ``eligible_receivers``) are flat values cut by offsets.
    """

    game_id: np.ndarray
    play_id: np.ndarray
    analysable: np.ndarray
    pass_forward_frame: np.ndarray
    has_pass_forward: np.ndarray
    arrival_frame: np.ndarray
    has_arrival: np.ndarray
    targeted_receiver: np.ndarray
    has_target: np.ndarray
    ball_land_x: np.ndarray  # NaN where unknown
    ball_land_y: np.ndarray
    backs_offsets: np.ndarray
    backs: np.ndarray
    eligible_offsets: np.ndarray
    eligible: np.ndarray

    def __len__(self) -> int:
        return int(self.game_id.shape[0])

    @classmethod
    def of(cls, plays: pa.Table | Sequence[Mapping[str, Any]]) -> PlayColumns:
        """From a ``pass_plays`` table or its rows; InputError when a key is missing."""
        if isinstance(plays, pa.Table):
            return cls._of_table(plays)
        return cls._of_rows(list(plays))

    @classmethod
    def _of_table(cls, plays: pa.Table) -> PlayColumns:
        names = plays.column_names
        missing = [k for k in _PLAY_KEYS if k not in names]
        if missing and plays.num_rows:
            raise InputError(f"play rows must be pass_plays records; this one lacks {missing}")

        def ints(name: str) -> tuple[np.ndarray, np.ndarray]:
            col = plays.column(name)
            known = np.asarray(col.is_valid().to_numpy(zero_copy_only=False), bool)
            return col.fill_null(0).to_numpy().astype(np.int64), known

        def floats(name: str) -> np.ndarray:
            if name not in names:
                return np.full(plays.num_rows, np.nan)
            return plays.column(name).cast(pa.float64()).fill_null(np.nan).to_numpy()

        def lists(name: str) -> tuple[np.ndarray, np.ndarray]:
            if name not in names:
                return np.zeros(plays.num_rows + 1, np.int64), np.zeros(0, np.int64)
            col = plays.column(name).combine_chunks()
            flat = col.flatten()
            valid = np.asarray(flat.is_valid().to_numpy(zero_copy_only=False), bool)
            lengths = list_lengths(col)
            owner = np.repeat(np.arange(plays.num_rows), lengths)
            owner = owner[valid]
            off = np.zeros(plays.num_rows + 1, np.int64)
            np.cumsum(np.bincount(owner, minlength=plays.num_rows), out=off[1:])
            return off, flat.fill_null(0).to_numpy().astype(np.int64)[valid]

        game, _ = ints("game_id")
        play, _ = ints("play_id")
        pf, has_pf = ints("pass_forward_frame")
        arr, has_arr = ints("arrival_frame")
        target, has_target = ints("targeted_receiver")
        if "analysable" in names:
            analysable = plays.column("analysable").fill_null(False).to_numpy(zero_copy_only=False)
        else:
            analysable = np.ones(plays.num_rows, bool)
        backs_off, backs = lists("defensive_backs")
        elig_off, elig = lists("eligible_receivers")
        return cls(game, play, np.asarray(analysable, bool), pf, has_pf, arr, has_arr, target,
                   has_target, floats("ball_land_x"), floats("ball_land_y"), backs_off, backs,
                   elig_off, elig)

    @classmethod
    def _of_rows(cls, rows: list[Mapping[str, Any]]) -> PlayColumns:
        for row in rows:
            missing = [k for k in _PLAY_KEYS if k not in row]
            if missing:
                raise InputError(f"play rows must be pass_plays records; this one lacks {missing}")

        def ints(key: str) -> tuple[np.ndarray, np.ndarray]:
            values = [row[key] for row in rows]
            known = np.array([v is not None for v in values], bool)
            return np.array([0 if v is None else int(v) for v in values], np.int64), known

        def floats(key: str) -> np.ndarray:
            values = [row.get(key) for row in rows]
            return np.array([np.nan if v is None else v for v in values], np.float64)

        def lists(key: str) -> tuple[np.ndarray, np.ndarray]:
            parts = [[int(v) for v in (row.get(key) or []) if v is not None] for row in rows]
            off = np.zeros(len(rows) + 1, np.int64)
            np.cumsum([len(p) for p in parts], out=off[1:])
            return off, np.array([v for p in parts for v in p], np.int64)

        game = np.array([int(row["game_id"]) for row in rows], np.int64)
        play = np.array([int(row["play_id"]) for row in rows], np.int64)
        analysable = np.array([bool(row.get("analysable", True)) for row in rows], bool)
        pf, has_pf = ints("pass_forward_frame")
        arr, has_arr = ints("arrival_frame")
        target, has_target = ints("targeted_receiver")
        backs_off, backs = lists("defensive_backs")
        elig_off, elig = lists("eligible_receivers")
        return cls(game, play, analysable, pf, has_pf, arr, has_arr, target, has_target,
                   floats("ball_land_x"), floats("ball_land_y"), backs_off, backs, elig_off,
                   elig)


class SkipCounts:
    """Skip counts per reason, kept in the order the reasons first occur."""

    def __init__(self) -> None:
        self.first: dict[str, tuple[int, int]] = {}
        self.count: dict[str, int] = {}

    def add(self, reason: str, play_rows: np.ndarray, counts: np.ndarray | None = None) -> None:
        """Count ``reason`` for the plays-table rows ``play_rows`` (``counts`` each, 1
        by default; rows with a count of 0 are not counted)."""
        counts = np.ones(play_rows.size, np.int64) if counts is None else counts
        hit = counts > 0
        if not hit.any():
            return
        first = (int(play_rows[hit].min()), _REASONS.index(reason))
        self.count[reason] = self.count.get(reason, 0) + int(counts[hit].sum())
        self.first[reason] = min(self.first.get(reason, first), first)

    def as_dict(self) -> dict[str, int]:
        return {r: self.count[r] for r in sorted(self.count, key=self.first.__getitem__)}


def _segments(offsets: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Owner (position in ``rows``) and flat index of every value of the segments
    ``rows`` of ``offsets``."""
    lengths = offsets[rows + 1] - offsets[rows]
    owner = np.repeat(np.arange(rows.size), lengths)
    within = np.arange(owner.size) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return owner, offsets[rows][owner] + within


_PAIR = np.dtype([("a", np.int64), ("b", np.int64)])


def _pairs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    out = np.empty(a.size, _PAIR)
    out["a"], out["b"] = a, b
    return out


def _pairs_in(a: np.ndarray, b: np.ndarray, in_a: np.ndarray, in_b: np.ndarray) -> np.ndarray:
    """True where the pair ``(a[i], b[i])`` is one of the pairs ``(in_a, in_b)`` (int
    columns), compared as :func:`~ghosting._util.comparable_keys` (one int64 per pair
    when the spans fit: a far cheaper ``isin`` than on structured pairs)."""
    known, asked = comparable_keys((in_a, in_b), (a, b))
    return np.isin(asked, known)


@dataclass
class WindowPlan:
    """The plays to cut, one entry each, and the target receivers of each."""

    source: np.ndarray  # plays-table row (orders the skip reasons)
    table_play: np.ndarray  # play index in the FlightTable
    game_id: np.ndarray
    play_id: np.ndarray
    pass_forward_frame: np.ndarray
    backs_offsets: np.ndarray  # the play's defensive backs (flat, cut per entry)
    backs: np.ndarray
    target_offsets: np.ndarray  # the receivers to cut for (flat, cut per entry)
    target: np.ndarray
    target_end: np.ndarray  # each one's end (arrival) frame
    target_catch: np.ndarray  # (n_targets, 2) landing point, NaN: the receiver at the end
    width_flight: np.ndarray  # per entry: the flight that sets the padded width


def cut_windows(
    table: FlightTable, cut: WindowPlan, history: int, defenders: str, skips: SkipCounts
) -> GhostInputs:
    """One window per (entry, target, defender) of ``cut``, gathered in one kernel call."""
    lead = history - 1
    n = cut.source.size
    entries = np.arange(n)
    if defenders == "backs":
        def_off, def_ids = cut.backs_offsets, cut.backs
    else:
        roster = play_rosters(table, cut.table_play)
        owner = np.repeat(entries, np.diff(roster.offsets))
        is_def = roster.side == SIDE_DEFENSE
        def_off = np.zeros(n + 1, np.int64)
        np.cumsum(np.bincount(owner[is_def], minlength=n), out=def_off[1:])
        def_ids = roster.nfl_id[is_def]
    n_def = np.diff(def_off)
    n_tgt = np.diff(cut.target_offsets)
    # windows entry by entry, then target by target, then defender by defender
    per_entry = n_def * n_tgt
    w_entry = np.repeat(entries, per_entry)
    k = np.arange(w_entry.size) - np.repeat(np.cumsum(per_entry) - per_entry, per_entry)
    w_t = k // np.maximum(n_def[w_entry], 1)
    w_d = k % np.maximum(n_def[w_entry], 1)
    w_tslot = cut.target_offsets[w_entry] + w_t
    w_dslot = def_off[w_entry] + w_d
    pf = cut.pass_forward_frame[w_entry]
    f = gather_flights(table, cut.table_play[w_entry], def_ids[w_dslot], cut.target[w_tslot],
                       pf - lead, pf, cut.target_end[w_tslot])
    flags = f.flags
    # the presence of each defender (from its window with the entry's first target)
    # and each target (from its window with the entry's first defender)
    d_first = w_t == 0
    def_in = np.zeros(def_ids.size, bool)
    def_in[w_dslot[d_first]] = (flags[d_first] & DEFENDER_IN_PLAY) > 0
    def_pf = np.zeros(def_ids.size, bool)
    def_pf[w_dslot[d_first]] = (flags[d_first] & DEFENDER_AT_PASS_FORWARD) > 0
    t_first = w_d == 0
    tgt_in = np.zeros(cut.target.size, bool)
    tgt_in[w_tslot[t_first]] = (flags[t_first] & RECEIVER_IN_PLAY) > 0
    tgt_pf = np.zeros(cut.target.size, bool)
    tgt_pf[w_tslot[t_first]] = (flags[t_first] & RECEIVER_AT_PASS_FORWARD) > 0
    def_owner = np.repeat(entries, n_def)
    tgt_owner = np.repeat(entries, n_tgt)

    def per_entry_sum(mask: np.ndarray, owner: np.ndarray) -> np.ndarray:
        return np.bincount(owner[mask], minlength=n)

    nobody = (per_entry_sum(def_in, def_owner) == 0) | (per_entry_sum(tgt_in, tgt_owner) == 0)
    skips.add("no defenders or receiver in tracking", cut.source[nobody])
    def_missing = np.where(nobody, 0, per_entry_sum(def_in & ~def_pf, def_owner))
    skips.add("defender missing at pass forward", cut.source, def_missing)
    alive = ~nobody & (per_entry_sum(def_in & def_pf, def_owner) > 0)
    rec_missing = np.where(alive, per_entry_sum(tgt_in & ~tgt_pf, tgt_owner), 0)
    skips.add("receiver missing at pass forward", cut.source, rec_missing)

    keep = np.flatnonzero(
        alive[w_entry] & def_in[w_dslot] & def_pf[w_dslot] & tgt_in[w_tslot] & tgt_pf[w_tslot]
    )
    if keep.size == 0:
        out = _empty_inputs(history)
        out.skipped = skips.as_dict()
        return out
    ke, kt, kd = w_entry[keep], w_tslot[keep], w_dslot[keep]
    flight = cut.target_end[kt] - cut.pass_forward_frame[ke]
    has_window = np.zeros(n, bool)
    has_window[ke] = True
    width = int(lead + cut.width_flight[has_window].max() + 1)
    defender, receiver = f.padded(keep, width)
    last = f.receiver_xy[f.offsets[keep + 1] - 1]
    catch = cut.target_catch[kt]
    catch = np.where(np.isfinite(catch).all(axis=1)[:, None], catch, last)
    if defenders == "backs":
        is_back = np.ones(keep.size, bool)
    else:  # per defender of an entry, then per window
        backs_owner = np.repeat(entries, np.diff(cut.backs_offsets))
        slot_back = _pairs_in(def_owner, def_ids, backs_owner, cut.backs)
        is_back = slot_back[kd]
    return GhostInputs(
        history=history,
        game_id=cut.game_id[ke],
        play_id=cut.play_id[ke],
        nfl_id=def_ids[kd].astype(np.int64),
        target_nfl_id=cut.target[kt].astype(np.int64),
        pass_forward_frame=cut.pass_forward_frame[ke].astype(np.int64),
        flight_frames=flight.astype(np.int64),
        defender=defender,
        receiver=receiver,
        catch=catch.astype(np.float64),
        context=f.context[keep],
        is_back=is_back,
        skipped=skips.as_dict(),
    )


def plan_windows(
    table: FlightTable, cols: PlayColumns, targets: str, skips: SkipCounts
) -> WindowPlan:
    """The plays of ``cols`` to cut and the receivers of each (``targets``: ``"real"`` or
    ``"all"``); plays that cannot be cut are counted in ``skips``."""
    rows = np.arange(len(cols))
    chosen = cols.analysable & cols.has_target
    no_window = chosen & ~(cols.has_pass_forward & cols.has_arrival)
    skips.add("no pass window", rows[no_window])
    chosen &= ~no_window
    index = table.play_index()
    table_play = np.full(len(cols), -1, np.int64)
    for i in np.flatnonzero(chosen).tolist():
        table_play[i] = index.get((int(cols.game_id[i]), int(cols.play_id[i])), -1)
    absent = chosen & (table_play < 0)
    skips.add("play not in tracking", rows[absent])
    chosen &= ~absent
    flight = cols.arrival_frame - cols.pass_forward_frame
    short = chosen & (flight < 1)
    skips.add("arrival not after pass forward", rows[short])
    sel = np.flatnonzero(chosen & ~short)

    if targets == "real":
        target_off = np.arange(sel.size + 1, dtype=np.int64)
        target = cols.targeted_receiver[sel]
        target_owner = np.arange(sel.size)
    else:  # every eligible receiver, and the real target even when not listed
        owner, flat = _segments(cols.eligible_offsets, sel)
        listed = np.bincount(
            owner[cols.eligible[flat] == cols.targeted_receiver[sel][owner]], minlength=sel.size
        ) > 0
        counts = np.diff(cols.eligible_offsets)[sel] + ~listed
        target_off = np.zeros(sel.size + 1, np.int64)
        np.cumsum(counts, out=target_off[1:])
        target_owner = np.repeat(np.arange(sel.size), counts)
        target = np.empty(int(target_off[-1]), np.int64)
        at = np.arange(target.size) - target_off[:-1][target_owner]
        from_list = at < np.diff(cols.eligible_offsets)[sel][target_owner]
        target[from_list] = cols.eligible[flat]
        target[~from_list] = cols.targeted_receiver[sel][target_owner[~from_list]]
    is_real = target == cols.targeted_receiver[sel][target_owner]
    land = np.column_stack([cols.ball_land_x[sel], cols.ball_land_y[sel]])[target_owner]
    land[~is_real] = np.nan
    backs_owner, backs_flat = _segments(cols.backs_offsets, sel)
    backs_off = np.zeros(sel.size + 1, np.int64)
    np.cumsum(np.bincount(backs_owner, minlength=sel.size), out=backs_off[1:])
    return WindowPlan(
        source=sel,
        table_play=table_play[sel],
        game_id=cols.game_id[sel],
        play_id=cols.play_id[sel],
        pass_forward_frame=cols.pass_forward_frame[sel],
        backs_offsets=backs_off,
        backs=cols.backs[backs_flat],
        target_offsets=target_off,
        target=target,
        target_end=cols.arrival_frame[sel][target_owner],
        target_catch=land,
        width_flight=flight[sel],
    )


def cut_ghost_inputs(
    tracking: pa.Table,
    plays: pa.Table | Sequence[Mapping[str, Any]],
    *,
    history: int,
    defenders: str = "backs",
    targets: str = "real",
    positions: np.ndarray | None = None,
    flight_table: FlightTable | None = None,
) -> GhostInputs:
    """Cut one window per (play, defender, target receiver).

    Parameters
    ----------
    tracking : canonical tracking table (grouped by play; rows of a play in any order).
    plays : a ``pass_plays`` table (or its rows as dicts); rows not analysable are skipped.
    history : observed frames k >= 3 up to and including pass forward.
    defenders : ``"backs"`` (the play's defensive backs) or ``"all"`` (every defender).
    targets : ``"real"`` (the targeted receiver) or ``"all"`` (every eligible receiver
        and the real target, the what-if question; the landing point becomes that
        receiver's position at arrival unless it is the real target).
    flight_table : ``FlightTable.of(tracking)`` when the caller already has it.

    Defenders whose pass-forward position is missing are skipped (counted in
    ``GhostInputs.skipped``); missing history frames repeat the earliest known one
    (zero velocity) and missing receiver frames repeat the last known one. All
    windows are gathered in one call of the C++ flight gatherer
    (:func:`ghosting.flights.gather_flights`).
    """
    if history < 3:
        raise InputError(f"history must be >= 3 observed frames, got {history}")
    if defenders not in ("backs", "all"):
        raise InputError(f"defenders must be 'backs' or 'all', got {defenders!r}")
    if targets not in ("real", "all"):
        raise InputError(f"targets must be 'real' or 'all', got {targets!r}")
    cols = PlayColumns.of(plays)
    if not len(cols) or tracking.num_rows == 0:
        return _empty_inputs(history)
    table = flight_table if flight_table is not None else FlightTable.of(tracking)
    skips = SkipCounts()
    cut = plan_windows(table, cols, targets, skips)
    return cut_windows(table, cut, history, defenders, skips)


def concat_inputs(parts: list[GhostInputs]) -> GhostInputs:
    """Stack several GhostInputs (padding frames to the widest)."""
    parts = [p for p in parts if len(p)]
    if not parts:
        raise InputError("no usable pass plays with defenders in the training data")
    width = max(p.defender.shape[1] for p in parts)

    def pad(a: np.ndarray) -> np.ndarray:
        out = np.full((a.shape[0], width, 2), np.nan)
        out[:, : a.shape[1]] = a
        return out

    return GhostInputs(
        history=parts[0].history,
        game_id=np.concatenate([p.game_id for p in parts]),
        play_id=np.concatenate([p.play_id for p in parts]),
        nfl_id=np.concatenate([p.nfl_id for p in parts]),
        target_nfl_id=np.concatenate([p.target_nfl_id for p in parts]),
        pass_forward_frame=np.concatenate([p.pass_forward_frame for p in parts]),
        flight_frames=np.concatenate([p.flight_frames for p in parts]),
        defender=np.concatenate([pad(p.defender) for p in parts]),
        receiver=np.concatenate([pad(p.receiver) for p in parts]),
        catch=np.concatenate([p.catch for p in parts]),
        context=np.concatenate([p.context for p in parts]),
        is_back=np.concatenate([p.is_back for p in parts]),
    )


def complete_mask(w: GhostInputs) -> np.ndarray:
    """True where the defender is observed on every frame from history to arrival."""
    in_window = np.arange(w.defender.shape[1])[None, :] <= (w.lead + w.flight_frames)[:, None]
    return np.all(np.isfinite(w.defender).all(axis=2) | ~in_window, axis=1)


def _empty_inputs(history: int) -> GhostInputs:
    z = np.zeros(0, np.int64)
    return GhostInputs(
        history=history,
        game_id=z,
        play_id=z.copy(),
        nfl_id=z.copy(),
        target_nfl_id=z.copy(),
        pass_forward_frame=z.copy(),
        flight_frames=z.copy(),
        defender=np.zeros((0, history + 1, 2)),
        receiver=np.zeros((0, history + 1, 2)),
        catch=np.zeros((0, 2)),
        context=np.zeros((0, 4)),
        is_back=np.zeros(0, bool),
    )



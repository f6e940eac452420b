"""Windows of the ghosting model: one per (play, defender, target receiver).

:func:`extract_windows` cuts them from a canonical tracking table and its pass plays
(numpy, one pass per play, no loop over rows); :func:`tile_inputs` slices the raw
inputs of a tile (the defender's last positions, the receiver's path ahead) that
:func:`ghosting.model.features.tile_features` turns into features.

>>> import ghosting
>>> tracking = ghosting.synth.generate_plays(2, seed=0)
>>> w = extract_windows(tracking, ghosting.pass_plays(tracking), history=5)
>>> w.defender.shape[0] == len(w) and w.defender.shape[2] == 2
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from .._util import run_starts
from ..errors import InputError
from ..schema import FIELD_WIDTH

__all__ = [
    "Windows",
    "extract_windows",
    "tile_inputs",
    "mirror_windows",
    "concat_windows",
    "complete_mask",
]


@dataclass
class Windows:
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

    def take(self, index: np.ndarray) -> Windows:
        """A new Windows with the rows ``index`` (a boolean mask or integer indices)."""
        return Windows(
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


def mirror_windows(w: Windows) -> Windows:
    """The same windows mirrored across the field's long axis (y -> width - y)."""
    out = w.take(np.arange(len(w)))
    for arr in (out.defender, out.receiver):
        arr[..., 1] = FIELD_WIDTH - arr[..., 1]
    out.catch[:, 1] = FIELD_WIDTH - out.catch[:, 1]
    out.context[:, 1] = -out.context[:, 1]
    out.context[:, 3] = -out.context[:, 3]
    return out


def tile_inputs(
    w: Windows, start: np.ndarray, horizon: int, defender_xy: np.ndarray | None = None
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


def _play_rows(game: np.ndarray, play: np.ndarray) -> dict[tuple[int, int], tuple[int, int]]:
    """``(game_id, play_id) -> (first row, end row)`` of each play's contiguous rows."""
    offsets = run_starts(game, play)
    starts, ends = offsets[:-1], offsets[1:]
    index = {
        (int(g), int(p)): (int(s), int(e))
        for g, p, s, e in zip(game[starts], play[starts], starts, ends, strict=True)
    }
    if len(index) != starts.size:  # a play in several runs: only the last would be used
        raise InputError(
            "tracking table is not grouped by (game_id, play_id): sort it as read_tracking does"
        )
    return index


def _column(table: pa.Table, name: str, dtype: type | None = None) -> np.ndarray:
    if name not in table.column_names:
        raise InputError(f"tracking table has no column {name!r}")
    col = table.column(name)
    if dtype is not None and pa.types.is_floating(col.type):
        return col.to_numpy().astype(dtype)
    if dtype is not None:
        return col.fill_null(0).to_numpy().astype(dtype)
    return col.to_numpy(zero_copy_only=False)


def extract_windows(
    tracking: pa.Table,
    plays: pa.Table | list[dict],
    *,
    history: int,
    defenders: str = "backs",
    targets: str = "real",
    positions: np.ndarray | None = None,
) -> Windows:
    """Cut one window per (play, defender, target receiver).

    Parameters
    ----------
    tracking : canonical tracking table (sorted by game, play, nfl_id, frame).
    plays : a ``pass_plays`` table (or its rows as dicts); rows not analysable are skipped.
    history : observed frames k >= 3 up to and including pass forward.
    defenders : ``"backs"`` (the play's defensive backs) or ``"all"`` (every defender).
    targets : ``"real"`` (the targeted receiver) or ``"all"`` (every eligible receiver
        and the real target, the what-if question; the landing point becomes that
        receiver's position at arrival unless it is the real target).

    Defenders whose pass-forward position is missing are skipped (counted in
    ``Windows.skipped``); missing history frames repeat the earliest known one
    (zero velocity) and missing receiver frames repeat the last known one.
    """
    if history < 3:
        raise InputError(f"history must be >= 3 observed frames, got {history}")
    if defenders not in ("backs", "all"):
        raise InputError(f"defenders must be 'backs' or 'all', got {defenders!r}")
    if targets not in ("real", "all"):
        raise InputError(f"targets must be 'real' or 'all', got {targets!r}")
    rows = plays.to_pylist() if isinstance(plays, pa.Table) else list(plays)
    lead = history - 1
    empty = _empty_windows(history)
    if not rows or tracking.num_rows == 0:
        return empty
    game = _column(tracking, "game_id", np.int64)
    play = _column(tracking, "play_id", np.int64)
    nfl = _column(tracking, "nfl_id", np.int64)
    frame = _column(tracking, "frame_id", np.int64)
    x = _column(tracking, "x", np.float64)
    y = _column(tracking, "y", np.float64)
    side = _column(tracking, "side")
    index = _play_rows(game, play)

    parts: list[dict[str, np.ndarray]] = []
    skipped: dict[str, int] = {}
    for row in rows:
        missing = [k for k in _PLAY_KEYS if k not in row]
        if missing:
            raise InputError(f"play rows must be pass_plays records; this one lacks {missing}")
        if not row.get("analysable", True) or row.get("targeted_receiver") is None:
            continue
        if row["pass_forward_frame"] is None or row["arrival_frame"] is None:
            skipped["no pass window"] = skipped.get("no pass window", 0) + 1
            continue
        key = (int(row["game_id"]), int(row["play_id"]))
        if key not in index:
            skipped["play not in tracking"] = skipped.get("play not in tracking", 0) + 1
            continue
        s, e = index[key]
        pf = int(row["pass_forward_frame"])
        flight = int(row["arrival_frame"]) - pf
        if flight < 1:
            skipped["arrival not after pass forward"] = (
                skipped.get("arrival not after pass forward", 0) + 1
            )
            continue
        ids, inv = np.unique(nfl[s:e], return_inverse=True)
        n_frames = lead + flight + 1
        fi = frame[s:e] - (pf - lead)
        ok = (fi >= 0) & (fi < n_frames)
        grid = np.full((ids.size, n_frames, 2), np.nan)
        grid[inv[ok], fi[ok], 0] = x[s:e][ok]
        grid[inv[ok], fi[ok], 1] = y[s:e][ok]
        sides = np.empty(ids.size, dtype=object)
        sides[inv] = side[s:e]
        pos_by_id = dict(zip(ids.tolist(), range(ids.size), strict=True))

        backs = [int(v) for v in (row.get("defensive_backs") or [])]
        if defenders == "backs":
            def_ids = [v for v in backs if v in pos_by_id]
        else:
            def_ids = [int(v) for v, sd in zip(ids, sides, strict=True) if sd == "defense"]
        real_target = int(row["targeted_receiver"])
        if targets == "real":
            tgt_ids = [real_target]
        else:  # every eligible receiver, and the real target even when not listed
            tgt_ids = [int(v) for v in (row.get("eligible_receivers") or [])]
            if real_target not in tgt_ids:
                tgt_ids.append(real_target)
        tgt_ids = [v for v in tgt_ids if v in pos_by_id]
        if not def_ids or not tgt_ids:
            skipped["no defenders or receiver in tracking"] = (
                skipped.get("no defenders or receiver in tracking", 0) + 1
            )
            continue
        di = np.array([pos_by_id[v] for v in def_ids])
        d_xy = grid[di]
        present = np.isfinite(d_xy[:, lead, 0])
        if not present.all():
            skipped["defender missing at pass forward"] = skipped.get(
                "defender missing at pass forward", 0
            ) + int((~present).sum())
        di, d_xy = di[present], d_xy[present]
        if di.size == 0:
            continue
        d_xy = _fill_history(d_xy, lead)
        offense = np.flatnonzero(sides == "offense")
        defense = np.flatnonzero(sides == "defense")
        at_pf = grid[:, lead, :]
        # the same for every target: the team-mate half of the context and the roles
        teammate = _nearest(at_pf, di, defense, exclude_self=True)
        is_back = np.isin(ids[di], backs)
        for tid in tgt_ids:
            ti = pos_by_id[tid]
            r_xy = _fill_receiver(grid[ti], lead)
            if r_xy is None:
                skipped["receiver missing at pass forward"] = (
                    skipped.get("receiver missing at pass forward", 0) + 1
                )
                continue
            if tid == real_target and row.get("ball_land_x") is not None:
                catch = np.array([row["ball_land_x"], row["ball_land_y"]], dtype=np.float64)
                if not np.isfinite(catch).all():
                    catch = r_xy[-1].copy()
            else:
                catch = r_xy[-1].copy()
            ctx = np.concatenate([_nearest(at_pf, di, offense[offense != ti]), teammate], axis=1)
            m = di.size
            parts.append(
                {
                    "game_id": np.full(m, int(row["game_id"]), np.int64),
                    "play_id": np.full(m, int(row["play_id"]), np.int64),
                    "nfl_id": ids[di].astype(np.int64),
                    "target_nfl_id": np.full(m, tid, np.int64),
                    "pass_forward_frame": np.full(m, pf, np.int64),
                    "flight_frames": np.full(m, flight, np.int64),
                    "defender": d_xy,
                    "receiver": np.broadcast_to(r_xy, (m,) + r_xy.shape),
                    "catch": np.broadcast_to(catch, (m, 2)),
                    "context": ctx,
                    "is_back": is_back,
                }
            )
    if not parts:
        empty.skipped = skipped
        return empty
    width = max(p["defender"].shape[1] for p in parts)

    def pad(a: np.ndarray) -> np.ndarray:
        out = np.full((a.shape[0], width, 2), np.nan)
        out[:, : a.shape[1]] = a
        return out

    return Windows(
        history=history,
        game_id=np.concatenate([p["game_id"] for p in parts]),
        play_id=np.concatenate([p["play_id"] for p in parts]),
        nfl_id=np.concatenate([p["nfl_id"] for p in parts]),
        target_nfl_id=np.concatenate([p["target_nfl_id"] for p in parts]),
        pass_forward_frame=np.concatenate([p["pass_forward_frame"] for p in parts]),
        flight_frames=np.concatenate([p["flight_frames"] for p in parts]),
        defender=np.concatenate([pad(p["defender"]) for p in parts]),
        receiver=np.concatenate([pad(p["receiver"]) for p in parts]),
        catch=np.concatenate([p["catch"] for p in parts]).astype(np.float64),
        context=np.concatenate([p["context"] for p in parts]),
        is_back=np.concatenate([p["is_back"] for p in parts]),
        skipped=skipped,
    )


def concat_windows(parts: list[Windows]) -> Windows:
    """Stack several Windows (padding frames to the widest)."""
    parts = [p for p in parts if len(p)]
    if not parts:
        raise InputError("no usable pass plays with defenders in the training data")
    width = max(p.defender.shape[1] for p in parts)

    def pad(a: np.ndarray) -> np.ndarray:
        out = np.full((a.shape[0], width, 2), np.nan)
        out[:, : a.shape[1]] = a
        return out

    return Windows(
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


def complete_mask(w: Windows) -> np.ndarray:
    """True where the defender is observed on every frame from history to arrival."""
    in_window = np.arange(w.defender.shape[1])[None, :] <= (w.lead + w.flight_frames)[:, None]
    return np.all(np.isfinite(w.defender).all(axis=2) | ~in_window, axis=1)


def _empty_windows(history: int) -> Windows:
    z = np.zeros(0, np.int64)
    return Windows(
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


def _fill_history(d_xy: np.ndarray, lead: int) -> np.ndarray:
    """Fill missing frames before pass forward by back-filling from the next known one."""
    d = d_xy.copy()
    for j in range(lead - 1, -1, -1):
        miss = ~np.isfinite(d[:, j, 0])
        d[miss, j] = d[miss, j + 1]
    return d


def _fill_receiver(r: np.ndarray, lead: int) -> np.ndarray | None:
    """Receiver positions with gaps filled (back before pass forward, forward after)."""
    if not np.isfinite(r[lead, 0]):
        return None
    idx = np.arange(r.shape[0])
    ok = np.isfinite(r[:, 0])
    after = np.maximum.accumulate(np.where(ok, idx, 0))  # last known frame <= j
    before = np.minimum.accumulate(np.where(ok, idx, idx.size)[::-1])[::-1]  # next known >= j
    return r[np.where(idx < lead, before, after)]


def _nearest(
    at_pf: np.ndarray, defenders: np.ndarray, others: np.ndarray, exclude_self: bool = False
) -> np.ndarray:
    """Position (M, 2) of the nearest of ``others`` at pass forward relative to each
    defender (NaN when none is there); ``exclude_self`` skips the defender itself."""
    out = np.full((defenders.size, 2), np.nan)
    if others.size == 0:
        return out
    d = at_pf[defenders]
    rel = at_pf[others][None, :, :] - d[:, None, :]
    dist = np.hypot(rel[..., 0], rel[..., 1])
    if exclude_self:
        dist[others[None, :] == defenders[:, None]] = np.inf
    dist = np.where(np.isfinite(dist), dist, np.inf)
    rows = np.arange(defenders.size)
    best = np.argmin(dist, axis=1)
    found = np.isfinite(dist[rows, best])
    out[found] = rel[rows, best][found]
    return out

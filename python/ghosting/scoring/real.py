"""The Trajectory Score and kinematic feasibility (DESIGN section 5).

Array functions score any trajectories (real, predicted or hypothetical):

- :func:`trajectory_score` -> :class:`TrajectoryScores` (PS, DR, SP, TS),
- :func:`play_scores` and :func:`model_score` aggregate them,
- :func:`feasibility` -> :class:`Feasibility` (max speed, max acceleration,
  superhuman steps, samples off the field),
- :func:`random_replacement` builds the published sanity check (a random share
  of trajectories replaced by random-direction, random-speed runs).

:func:`score_real` scores the real defender trajectories of every pass play of a
canonical tracking table (from pass forward to arrival, against the targeted
receiver) and accounts for every play it could not score.

Trajectories are given as one ``(T + 1, 2)`` array, a padded batch ``(N, L, 2)``
with optional ``lengths`` (trajectory i is ``xy[i, :lengths[i]]``), or a flat
``(n_samples, 2)`` array with ``offsets`` (``N + 1`` int64, trajectory i spans
samples ``offsets[i]:offsets[i + 1]``) — the layout of the C++ core.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from .. import _core
from ..errors import InputError
from ..schema import DEFENSIVE_BACKS, DT, V_MAX

__all__ = [
    "TrajectoryScores",
    "Feasibility",
    "RealTrajectories",
    "RealScores",
    "trajectory_score",
    "play_scores",
    "model_score",
    "feasibility",
    "random_replacement",
    "real_trajectories",
    "score_real",
]

DEFAULT_PENALTY = 0.5
DEFAULT_RADIUS = 10.0
_WEIGHTS = ("uniform", "linear")
_REFERENCES = ("catch_point", "receiver")


@dataclass(frozen=True)
class TrajectoryScores:
    """The four Trajectory Score components, per trajectory.

    Arrays of shape ``(N,)`` for a batch, Python floats for one trajectory.
    ``ps``: positional convergence (yd/frame, negative = closing in on the
    reference point); ``dr``: distance ratio in [0, 1] (1 = best-effort
    distance); ``sp``: number of superhuman steps (float so it can be NaN);
    ``ts``: the Trajectory Score (more negative is better).
    A trajectory of one sample has ``ps = ts = NaN``, ``dr = 1``, ``sp = 0``;
    a trajectory with a non-finite coordinate (defender or receiver) is NaN in
    all four.
    """

    ps: Any
    dr: Any
    sp: Any
    ts: Any


@dataclass(frozen=True)
class Feasibility:
    """Kinematic feasibility, per trajectory (arrays, or scalars for one trajectory).

    ``max_speed`` (yd/s) and ``max_accel`` (yd/s², from finite differences of
    positions) are NaN when undefined (fewer than 2 or 3 samples) or when the
    trajectory has a non-finite sample; ``n_long_steps`` counts steps longer
    than ``v_max * dt``, ``n_off_field`` finite samples off the field (beyond the
    tolerance), ``n_nonfinite`` samples with a NaN or infinite coordinate.
    """

    max_speed: Any
    max_accel: Any
    n_long_steps: Any
    n_off_field: Any
    n_nonfinite: Any


# --------------------------------------------------------------------------- layout


def _flatten(
    xy: Any, lengths: Any, offsets: Any, name: str
) -> tuple[np.ndarray, np.ndarray, bool, tuple[int, ...]]:
    """Return (flat (n, 2) float64, offsets int64, single, original shape)."""
    try:
        arr = np.asarray(xy, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name}: not an array of numbers ({exc})") from exc
    if arr.ndim < 2 or arr.shape[-1] != 2:
        raise InputError(f"{name}: expected shape (T+1, 2) or (N, T+1, 2), got {arr.shape}")
    if offsets is not None:
        if lengths is not None:
            raise InputError("give either lengths (padded batch) or offsets (flat batch), not both")
        if arr.ndim != 2:
            raise InputError(
                f"{name}: with offsets, expected shape (n_samples, 2), got {arr.shape}"
            )
        off = np.ascontiguousarray(offsets, dtype=np.int64)
        if off.ndim != 1 or len(off) < 1 or off[0] != 0 or off[-1] != len(arr):
            raise InputError(
                f"offsets: expected N + 1 values from 0 to {len(arr)}, got {off[:3]}...{off[-1:]}"
            )
        if np.any(np.diff(off) < 1):
            raise InputError("offsets: every trajectory needs at least one sample")
        return np.ascontiguousarray(arr), off, False, arr.shape
    if arr.ndim == 2:
        if lengths is not None:
            raise InputError(f"{name}: lengths needs a padded batch of shape (N, L, 2)")
        if len(arr) == 0:
            raise InputError(f"{name}: a trajectory needs at least one sample")
        return np.ascontiguousarray(arr), np.array([0, len(arr)], np.int64), True, arr.shape
    if arr.ndim != 3:
        raise InputError(f"{name}: expected shape (T+1, 2) or (N, T+1, 2), got {arr.shape}")
    n, width = arr.shape[:2]
    if lengths is None:
        if width == 0 and n > 0:
            raise InputError(f"{name}: a trajectory needs at least one sample")
        flat = np.ascontiguousarray(arr).reshape(n * width, 2)
        return flat, np.arange(n + 1, dtype=np.int64) * width, False, arr.shape
    lens = np.asarray(lengths)
    if lens.shape != (n,) or not np.issubdtype(lens.dtype, np.integer):
        raise InputError(f"lengths: expected {n} integers, got shape {lens.shape} {lens.dtype}")
    if n and (lens.min() < 1 or lens.max() > width):
        raise InputError(f"lengths: every length must lie in [1, {width}]")
    mask = np.arange(width)[None, :] < lens[:, None]
    off = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lens, out=off[1:])
    return np.ascontiguousarray(arr[mask]), off, False, arr.shape


def _check_choice(value: str, choices: Sequence[str], name: str) -> None:
    if value not in choices:
        raise InputError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")


def _native(fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except ValueError as exc:  # the core's validation (std::invalid_argument)
        raise InputError(str(exc)) from exc


# --------------------------------------------------------------------------- arrays


def trajectory_score(
    defender_xy: Any,
    receiver_xy: Any,
    *,
    lengths: Any = None,
    offsets: Any = None,
    reference: str = "catch_point",
    weights: str = "uniform",
    v_max: float = V_MAX,
    dt: float = DT,
    penalty: float = DEFAULT_PENALTY,
) -> TrajectoryScores:
    """Score defender trajectories against the targeted receiver (DESIGN section 5).

    ``defender_xy`` and ``receiver_xy`` hold the same frames (t = 0 at pass
    forward, T at arrival) in yards, in one of the layouts of this module. The
    reference point is the catch point ``R_T`` (default) or the moving receiver
    ``R_t`` (``reference="receiver"``); ``weights`` is ``"uniform"`` or
    ``"linear"`` (w_t = t); a step longer than ``v_max * dt`` adds ``penalty``.

    >>> import numpy as np, ghosting
    >>> d = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]])   # runs at the receiver
    >>> r = np.array([[10.0, 0.0]] * 3)                     # standing still
    >>> s = ghosting.trajectory_score(d, r)
    >>> round(s.ps, 3), round(s.dr, 3), s.sp, round(s.ts, 3)
    (-1.0, 0.889, 0.0, -0.889)
    """
    _check_choice(weights, _WEIGHTS, "weights")
    _check_choice(reference, _REFERENCES, "reference")
    d, off, single, shape = _flatten(defender_xy, lengths, offsets, "defender_xy")
    r, _, _, rshape = _flatten(receiver_xy, lengths, offsets, "receiver_xy")
    if rshape != shape:
        raise InputError(f"receiver_xy has shape {rshape}, defender_xy {shape}: they must match")
    ps, dr, sp, ts = _native(
        _core.trajectory_score,
        d,
        r,
        off,
        weights,
        reference,
        float(v_max),
        float(dt),
        float(penalty),
    )
    if single:
        return TrajectoryScores(float(ps[0]), float(dr[0]), float(sp[0]), float(ts[0]))
    return TrajectoryScores(ps, dr, sp, ts)


def play_scores(
    defender_xy: Any,
    receiver_xy: Any,
    ts: Any,
    play_offsets: Any,
    *,
    lengths: Any = None,
    offsets: Any = None,
    radius: float = DEFAULT_RADIUS,
) -> tuple[np.ndarray, np.ndarray]:
    """Distance-weighted play scores: ``(weight per trajectory, score per play)``.

    Trajectories of a play are contiguous; ``play_offsets`` (``n_plays + 1``) cuts
    the ``N`` trajectories into plays. A defender's weight is
    ``exp(-d(0) / radius)``, d(0) its distance to the targeted receiver at pass
    forward; a play's score is the weighted mean of its finite TS (NaN if none).

    >>> import numpy as np, ghosting
    >>> d = np.array([[[0.0, 0.0], [1.0, 0.0]], [[20.0, 0.0], [20.0, 1.0]]])
    >>> r = np.full_like(d, 10.0)
    >>> s = ghosting.trajectory_score(d, r)
    >>> w, score = ghosting.scoring.play_scores(d, r, s.ts, [0, 2])
    >>> score.shape
    (1,)
    """
    d, off, single, shape = _flatten(defender_xy, lengths, offsets, "defender_xy")
    r, _, _, rshape = _flatten(receiver_xy, lengths, offsets, "receiver_xy")
    if rshape != shape:
        raise InputError(f"receiver_xy has shape {rshape}, defender_xy {shape}: they must match")
    ts_arr = np.atleast_1d(np.asarray(ts, dtype=np.float64))
    play_off = np.ascontiguousarray(play_offsets, dtype=np.int64)
    return _native(_core.play_scores, d, r, off, ts_arr, play_off, float(radius))


def model_score(ts: Any) -> float:
    """The model score: mean of the finite trajectory scores (NaN if none).

    >>> model_score([-0.5, 0.1, float("nan")])
    -0.2
    """
    return float(_native(_core.model_score, np.atleast_1d(np.asarray(ts, dtype=np.float64))))


def feasibility(
    xy: Any,
    lengths: Any = None,
    *,
    offsets: Any = None,
    v_max: float = V_MAX,
    dt: float = DT,
    off_field_tolerance: float = 0.0,
) -> Feasibility:
    """Kinematic feasibility of trajectories (any layout of this module).

    >>> import numpy as np, ghosting
    >>> f = ghosting.feasibility(np.array([[10.0, 10.0], [10.5, 10.0], [13.0, 10.0]]))
    >>> f.max_speed, f.n_long_steps
    (25.0, 1)
    """
    p, off, single, _ = _flatten(xy, lengths, offsets, "xy")
    out = _native(_core.feasibility, p, off, float(v_max), float(dt), float(off_field_tolerance))
    if single:
        return Feasibility(float(out[0][0]), float(out[1][0]), *(int(a[0]) for a in out[2:]))
    return Feasibility(*out)


def random_replacement(
    defender_xy: Any,
    *,
    lengths: Any = None,
    offsets: Any = None,
    fraction: float = 0.25,
    seed: int = 0,
    dt: float = DT,
) -> tuple[np.ndarray, np.ndarray]:
    """Replace a random share of trajectories by random straight runs (the paper's check).

    ``round(fraction * N)`` trajectories, chosen with ``numpy.random.default_rng(seed)``,
    keep their start point but run in a uniformly random direction at a constant
    speed drawn uniformly from ``[0, mean speed of that trajectory]`` (its path
    length over its duration). Returns ``(new_xy, replaced)``: ``new_xy`` in the
    input's layout and shape (padding is filled too), ``replaced`` a bool ``(N,)``.

    >>> import numpy as np
    >>> xy = np.cumsum(np.ones((8, 11, 2)), axis=1)
    >>> new, replaced = random_replacement(xy, seed=1)
    >>> int(replaced.sum()), new.shape
    (2, (8, 11, 2))
    """
    if not 0.0 <= fraction <= 1.0:
        raise InputError(f"fraction must lie in [0, 1], got {fraction}")
    p, off, single, shape = _flatten(defender_xy, lengths, offsets, "defender_xy")
    if single:
        raise InputError("random_replacement needs a batch of trajectories")
    n = len(off) - 1
    rng = np.random.default_rng(seed)
    replaced = np.zeros(n, dtype=bool)
    replaced[rng.choice(n, size=int(round(fraction * n)), replace=False)] = True
    angle = rng.uniform(0.0, 2.0 * np.pi, size=n)
    unit = rng.uniform(0.0, 1.0, size=n)
    lens = np.diff(off)
    traj = np.repeat(np.arange(n), lens)
    step = np.zeros(len(p))
    step[1:] = np.hypot(*(p[1:] - p[:-1]).T)
    step[off[:-1]] = 0.0
    path = np.bincount(traj, weights=step, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_speed = np.where(lens > 1, path / ((lens - 1) * dt), 0.0)
    speed = unit * mean_speed
    velocity = speed[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    if offsets is None and len(shape) == 3:  # padded (N, L, 2): rewrite whole rows
        arr = np.array(defender_xy, dtype=np.float64, copy=True)
        t = np.arange(shape[1], dtype=np.float64)[None, :, None] * dt
        runs = arr[:, :1, :] + t * velocity[:, None, :]
        arr[replaced] = runs[replaced]
        return arr, replaced
    t = (np.arange(len(p)) - off[:-1][traj]) * dt
    runs = p[off[:-1]][traj] + t[:, None] * velocity[traj]
    out = p.copy()
    rows = replaced[traj]
    out[rows] = runs[rows]
    return out, replaced


# --------------------------------------------------------------------------- real plays

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


def _np(table: pa.Table, name: str, dtype: Any = None) -> np.ndarray:
    col = table.column(name)
    if dtype is not None and pa.types.is_floating(col.type):
        col = col.fill_null(np.nan)
    arr = col.to_numpy()
    return arr if dtype is None else arr.astype(dtype, copy=False)


def _runs(*keys: np.ndarray) -> np.ndarray:
    """Start index of each run of equal consecutive key tuples."""
    n = len(keys[0])
    change = np.zeros(n, dtype=bool)
    if n:
        change[0] = True
        for k in keys:
            change[1:] |= k[1:] != k[:-1]
    return np.flatnonzero(change)


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


def _play_frame(plays: pa.Table) -> dict[str, np.ndarray]:
    """The pass_plays columns scoring needs, as numpy (nulls -> -1 / False)."""
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
        "pf": plays.column("pass_forward_frame").fill_null(-1).to_numpy().astype(np.int64),
        "arr": plays.column("arrival_frame").fill_null(-1).to_numpy().astype(np.int64),
        "target": plays.column("targeted_receiver").fill_null(-1).to_numpy().astype(np.int64),
    }
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
        elif pp["target"][i] < 0:
            verdict[i] = "no targeted receiver"
        elif pp["pf"][i] < 0 or pp["arr"][i] < 0:
            verdict[i] = "no pass forward or arrival frame"
        elif pp["arr"][i] <= pp["pf"][i]:
            verdict[i] = "arrival frame is not after the pass forward frame"
    return verdict


def _track_table(
    idx: np.ndarray, rows: _Rows, pf: np.ndarray, arr: np.ndarray
) -> dict[str, np.ndarray]:
    """Tracks (runs of one player in one play) among the sorted row indices ``idx``,
    and whether each has exactly one finite sample per frame of its pass window
    (``pf``, ``arr``: pass forward and arrival frame per play run)."""
    start = _runs(rows.row_run[idx], rows.nfl[idx])
    count = np.diff(np.append(start, len(idx)))
    owner = np.repeat(np.arange(len(start)), count)
    gap = np.ones(len(idx), dtype=bool)
    if len(idx) > 1:
        gap[1:] = rows.frame[idx[1:]] - rows.frame[idx[:-1]] != 1
    gap[start] = False
    bad_step = np.bincount(owner, weights=gap, minlength=len(start)) > 0
    finite = np.isfinite(rows.x[idx]) & np.isfinite(rows.y[idx])
    nonfinite = np.bincount(owner, weights=~finite, minlength=len(start)) > 0
    run = rows.row_run[idx[start]] if len(start) else np.zeros(0, np.int64)
    want = arr[run] - pf[run] + 1
    return {
        "start": start,
        "count": count,
        "run": run,
        "nfl": rows.nfl[idx[start]] if len(start) else np.zeros(0, np.int64),
        "want": want,
        "complete": (count == want) & ~bad_step,
        "nonfinite": nonfinite,
    }


@dataclass(frozen=True)
class _Rows:
    """The tracking columns gathering needs, as numpy, with the play runs."""

    game: np.ndarray
    play: np.ndarray
    nfl: np.ndarray
    frame: np.ndarray
    x: np.ndarray
    y: np.ndarray
    run_start: np.ndarray  # first row of each play (contiguous run of game, play)
    row_run: np.ndarray  # play run of each row

    @classmethod
    def of(cls, tracking: pa.Table) -> _Rows:
        missing = [c for c in _TRACKING_COLUMNS if c not in tracking.column_names]
        if missing:
            raise InputError(f"tracking table lacks columns {missing}")
        game, play = _np(tracking, "game_id", np.int64), _np(tracking, "play_id", np.int64)
        run_start = _runs(game, play)
        run_len = np.diff(np.append(run_start, len(game)))
        return cls(
            game=game,
            play=play,
            nfl=tracking.column("nfl_id").fill_null(-1).to_numpy().astype(np.int64),
            frame=tracking.column("frame_id").fill_null(-1).to_numpy().astype(np.int64),
            x=_np(tracking, "x", np.float64),
            y=_np(tracking, "y", np.float64),
            run_start=run_start,
            row_run=np.repeat(np.arange(len(run_start)), run_len),
        )


_TRACKING_COLUMNS = ("game_id", "play_id", "nfl_id", "frame_id", "x", "y")
_KEY = 1 << 32  # (play run, nfl_id) packed as run * _KEY + nfl_id


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
        zip(rows.game[rows.run_start].tolist(), rows.play[rows.run_start].tolist(), strict=True)
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
    """Packed (run, nfl_id) keys of the defenders to score, sorted."""
    if defenders == "backs" and "defensive_backs" in plays.column_names:
        backs = plays.column("defensive_backs").combine_chunks()
        owner = np.repeat(np.arange(plays.num_rows), pc_list_lengths(backs))
        ids = backs.flatten().fill_null(-1).to_numpy().astype(np.int64)
        play_to_run = np.full(plays.num_rows, -1, dtype=np.int64)
        play_to_run[run_row[run_row >= 0]] = np.flatnonzero(run_row >= 0)
        keep = (play_to_run[owner] >= 0) & (ids >= 0)
        return np.unique(play_to_run[owner[keep]] * _KEY + ids[keep])
    if "side" not in tracking.column_names:
        raise InputError("tracking table lacks the column 'side' needed to find defenders")
    is_def = tracking.column("side").fill_null("").to_numpy(zero_copy_only=False) == "defense"
    if defenders == "backs":
        if "position" not in tracking.column_names:
            raise InputError("tracking table lacks the column 'position' needed to find backs")
        pos = tracking.column("position").fill_null("").to_numpy(zero_copy_only=False)
        is_def &= np.isin(pos, sorted(DEFENSIVE_BACKS))
    return np.unique(rows.row_run[is_def] * _KEY + rows.nfl[is_def])


def _incomplete_reason(count: int, want: int, nonfinite: bool, who: str = "") -> str:
    if nonfinite and count == want:
        return f"{who}non-finite position in the pass window"
    return f"{who}{count} samples for the {want} frames between pass forward and arrival"


def _receivers(
    rows: _Rows,
    window: np.ndarray,
    target: np.ndarray,
    pf: np.ndarray,
    arr: np.ndarray,
    ok_run: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """First row of each play's complete receiver track (-1: unusable) and why not."""
    rec_rows = window[rows.nfl[window] == target[rows.row_run[window]]]
    rec = _track_table(rec_rows, rows, pf, arr)
    good = rec["complete"] & ~rec["nonfinite"]
    start = np.full(len(rows.run_start), -1, dtype=np.int64)
    start[rec["run"][good]] = rec_rows[rec["start"][good]]
    reason = np.full(len(rows.run_start), None, dtype=object)
    reason[ok_run] = "targeted receiver has no frames between pass forward and arrival"
    for r, c, w, nf in zip(
        rec["run"][~good],
        rec["count"][~good],
        rec["want"][~good],
        rec["nonfinite"][~good],
        strict=True,
    ):
        reason[r] = _incomplete_reason(int(c), int(w), bool(nf), "targeted receiver has ")
    reason[start >= 0] = None
    return start, reason


def real_trajectories(
    tracking: pa.Table,
    plays: pa.Table | None = None,
    *,
    targets: Any = None,
    defenders: str = "backs",
) -> RealTrajectories:
    """Gather real defender and targeted-receiver trajectories over each pass window.

    ``plays`` is a :func:`ghosting.pass_plays` table (computed from ``tracking``
    and ``targets`` when omitted). ``defenders="backs"`` takes each play's
    ``defensive_backs`` (CB, S, SS, FS, DB), ``"all"`` every defense player. A
    defender or receiver must have exactly one finite sample per frame from pass
    forward to arrival; otherwise it is listed in ``skipped`` with the reason.

    >>> import ghosting
    >>> tracking = ghosting.read_tracking("week13_game_2018120600.csv.gz")  # doctest: +SKIP
    >>> real = real_trajectories(tracking, targets="targetedReciever.csv")  # doctest: +SKIP
    >>> len(real), real.defender_xy.shape  # doctest: +SKIP
    (321, (4334, 2))
    """
    _check_choice(defenders, ("backs", "all"), "defenders")
    rows = _Rows.of(tracking)
    if plays is None:
        from ..plays import pass_plays

        plays = pass_plays(tracking, targets)
    pp = _play_frame(plays)
    run_row, known = _match_plays(rows, pp)
    verdict = _play_verdicts(pp, known)
    n_runs = len(rows.run_start)
    ok_run = run_row >= 0
    ok_run[ok_run] = np.array([verdict[r] is None for r in run_row[ok_run]], dtype=bool)
    safe = np.where(ok_run, run_row, 0)
    pf = np.where(ok_run, pp["pf"][safe], -1)
    arr = np.where(ok_run, pp["arr"][safe], -2)
    target = np.where(ok_run, pp["target"][safe], -2)
    r = rows.row_run
    window = np.flatnonzero(ok_run[r] & (rows.frame >= pf[r]) & (rows.frame <= arr[r]))

    rec_start, rec_reason = _receivers(rows, window, target, pf, arr, ok_run)
    play_ok = rec_start >= 0
    expected = _expected_defenders(tracking, plays, rows, run_row, defenders)
    expected = expected[play_ok[expected // _KEY]]
    def_rows = window[np.isin(r[window] * _KEY + rows.nfl[window], expected)]
    dfn = _track_table(def_rows, rows, pf, arr)
    def_ok = dfn["complete"] & ~dfn["nonfinite"]
    absent = expected[~np.isin(expected, dfn["run"] * _KEY + dfn["nfl"])]
    bad = ~def_ok
    reasons = [
        _incomplete_reason(int(c), int(w), bool(nf))
        for c, w, nf in zip(dfn["count"][bad], dfn["want"][bad], dfn["nonfinite"][bad], strict=True)
    ]
    skip_run = np.concatenate([dfn["run"][bad], absent // _KEY])
    defender_skips = _skip_rows(
        rows.game[rows.run_start[skip_run]],
        rows.play[rows.run_start[skip_run]],
        np.concatenate([dfn["nfl"][bad], absent % _KEY]),
        reasons + ["no frames between pass forward and arrival"] * len(absent),
    )

    # Gather the kept tracks, the receiver aligned frame by frame.
    keep_start = def_rows[dfn["start"][def_ok]]
    keep_count = dfn["count"][def_ok]
    keep_run = dfn["run"][def_ok]
    offsets = np.zeros(len(keep_start) + 1, dtype=np.int64)
    np.cumsum(keep_count, out=offsets[1:])
    owner = np.repeat(np.arange(len(keep_start)), keep_count)
    t = np.arange(offsets[-1]) - offsets[:-1][owner]
    src = keep_start[owner] + t
    rsrc = rec_start[keep_run][owner] + t
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
        whole.append((int(rows.game[rows.run_start[i]]), int(rows.play[rows.run_start[i]]), why))
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
        defender_xy=np.column_stack([rows.x[src], rows.y[src]]),
        receiver_xy=np.column_stack([rows.x[rsrc], rows.y[rsrc]]),
        offsets=offsets,
        game_id=rows.game[keep_start],
        play_id=rows.play[keep_start],
        nfl_id=rows.nfl[keep_start],
        position=position,
        play_offsets=play_offsets,
        play_game_id=rows.game[rows.run_start[scored_runs]],
        play_play_id=rows.play[rows.run_start[scored_runs]],
        skipped=pa.concat_tables([play_skips, defender_skips]),
    )


def pc_list_lengths(arr: pa.Array) -> np.ndarray:
    """Lengths of a list array's entries (0 for null entries)."""
    import pyarrow.compute as pc

    return pc.fill_null(pc.list_value_length(arr), 0).to_numpy().astype(np.int64)


def score_real(
    tracking: pa.Table,
    plays: pa.Table | None = None,
    *,
    targets: Any = None,
    defenders: str = "backs",
    reference: str = "catch_point",
    weights: str = "uniform",
    v_max: float = V_MAX,
    dt: float = DT,
    penalty: float = DEFAULT_PENALTY,
    radius: float = DEFAULT_RADIUS,
    off_field_tolerance: float = 0.0,
) -> RealScores:
    """Score the real defender trajectories of every pass play (DESIGN section 5).

    Each defender (defensive backs by default, ``defenders="all"`` for every
    defense player) is scored from ``pass_forward_frame`` to ``arrival_frame``
    against the play's targeted receiver; ``plays`` is a
    :func:`ghosting.pass_plays` table, computed with ``targets`` when omitted.
    Every play of ``tracking`` and ``plays`` ends up in ``.plays`` (scored) or in
    ``.skipped`` with a reason.

    >>> import ghosting
    >>> tracking = ghosting.read_tracking("week13_game_2018120600.csv.gz")  # doctest: +SKIP
    >>> result = ghosting.score_real(tracking)  # doctest: +SKIP
    >>> result.summary()["mean_ts"]  # doctest: +SKIP
    """
    real = real_trajectories(tracking, plays, targets=targets, defenders=defenders)
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

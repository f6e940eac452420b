"""The main job: ghost and score every pass play (``ghosting run``).

For every pass play: clean the tracking data, predict every defensive back's
trajectory for the real target and for each other eligible receiver (one batched
model call per game), and score real and ghost trajectories with the Trajectory
Score against each option's receiver. The result is four tables (see
:class:`Results`); :func:`run` keeps them in memory, :func:`run_files` streams
them game by game into an output folder.

>>> import ghosting
>>> results = ghosting.run(ghosting.synth.generate_plays(4, seed=0))  # doctest: +SKIP
>>> results.summary["counts"]["plays_scored"]  # doctest: +SKIP
4
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import shutil
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .errors import GhostingError, InputError
from .schema import CANONICAL_SCHEMA

__all__ = ["run", "run_files", "Results", "RunSettings", "OUTPUT_FILES"]

#: The files an output folder holds, in the order they are committed (summary last).
OUTPUT_FILES = ("trajectories.parquet", "scores.parquet", "plays.parquet", "summary.json")

TRAJECTORIES_SCHEMA = pa.schema(
    [
        ("game_id", pa.int64()),
        ("play_id", pa.int64()),
        ("kind", pa.string()),  # "ghost" | "real"
        ("nfl_id", pa.int64()),  # the player (0 = the ball, real rows only)
        ("target_nfl_id", pa.int64()),  # ghost: the option; real: the real target
        ("frame_id", pa.int32()),
        ("x", pa.float64()),
        ("y", pa.float64()),
        ("sigma", pa.float64()),  # ghost uncertainty in yards (NaN when none / real)
        ("side", pa.string()),
        ("jersey_number", pa.int32()),
    ]
)

SCORES_SCHEMA = pa.schema(
    [
        ("game_id", pa.int64()),
        ("play_id", pa.int64()),
        ("nfl_id", pa.int64()),  # the defender
        ("target_nfl_id", pa.int64()),  # the receiver of this option
        ("is_real_target", pa.bool_()),
        ("frames", pa.int32()),
        ("ps", pa.float64()),
        ("dr", pa.float64()),
        ("sp", pa.float64()),
        ("ts", pa.float64()),
        ("weight", pa.float64()),  # the play-score weight exp(-d(0) / r)
        ("distance_at_arrival", pa.float64()),  # ghost defender to the receiver at arrival
        ("max_speed", pa.float64()),
        ("max_acceleration", pa.float64()),
        ("superhuman_steps", pa.int32()),
        ("off_field", pa.int32()),
        ("feasible", pa.bool_()),
        ("real_ps", pa.float64()),  # the real trajectory's scores (real target rows only)
        ("real_dr", pa.float64()),
        ("real_sp", pa.float64()),
        ("real_ts", pa.float64()),
        ("real_weight", pa.float64()),
    ]
)

OPTION_TYPE = pa.struct(
    [
        ("rank", pa.int32()),
        ("nfl_id", pa.int64()),
        ("is_real_target", pa.bool_()),
        ("separation", pa.float64()),
        ("ghost_play_score", pa.float64()),
    ]
)

PLAYS_SCHEMA = pa.schema(
    [
        ("game_id", pa.int64()),
        ("play_id", pa.int64()),
        ("status", pa.string()),  # "scored" | "skipped"
        ("reason", pa.string()),  # why skipped (null when scored)
        ("targeted_receiver", pa.int64()),
        ("target_source", pa.string()),
        ("pass_forward_frame", pa.int32()),
        ("arrival_frame", pa.int32()),
        ("ball_land_x", pa.float64()),
        ("ball_land_y", pa.float64()),
        ("defenders", pa.int32()),
        ("real_play_score", pa.float64()),
        ("ghost_play_score", pa.float64()),  # ghosts for the real target
        ("target_separation", pa.float64()),
        ("best_option", pa.int64()),  # the receiver the ghosts leave most open
        ("best_separation", pa.float64()),
        ("separation_gain", pa.float64()),  # best - target separation (yards)
        ("options", pa.list_(OPTION_TYPE)),  # ranked by separation, most open first
    ]
)

SCHEMAS = {
    "trajectories": TRAJECTORIES_SCHEMA,
    "scores": SCORES_SCHEMA,
    "plays": PLAYS_SCHEMA,
}

DEFENDERS_CHOICES = ("backs", "all")
POLICY_CHOICES = ("play", "track", "sample")
REFERENCE_CHOICES = ("catch_point", "receiver")


@dataclass(frozen=True)
class RunSettings:
    """The settings of a run, recorded in ``summary.json``."""

    policy: str = "play"
    defenders: str = "backs"
    reference: str = "catch_point"
    weights: str = "uniform"
    v_max: float = 12.5
    dt: float = 0.1
    penalty: float = 0.5
    radius: float = 10.0

    def __post_init__(self) -> None:
        for name, choices in (
            ("policy", POLICY_CHOICES),
            ("defenders", DEFENDERS_CHOICES),
            ("reference", REFERENCE_CHOICES),
            ("weights", ("uniform", "linear")),
        ):
            if getattr(self, name) not in choices:
                raise InputError(
                    f"{name} must be one of {', '.join(choices)}, got {getattr(self, name)!r}"
                )
        for name in ("v_max", "dt", "radius"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise InputError(f"{name} must be a finite number > 0, got {value!r}")


# --------------------------------------------------------------------------- results


class Results:
    """The output of :func:`run`: three pyarrow tables and a summary.

    - ``trajectories``: ghost positions per (play, defender, target option, frame),
      plus the real positions of every player and the ball over the same frames
      (``kind`` is ``"ghost"`` or ``"real"``);
    - ``scores``: per defender and target option, the ghost trajectory's PS, DR, SP,
      TS and feasibility, with the real trajectory's scores beside the ghost's on
      the real target's rows;
    - ``plays``: one row per play of the input (scored or skipped, with the
      reason): real and ghost play scores and the target options ranked by the
      receiver's predicted separation from the nearest ghost defender at arrival;
    - ``summary``: counts, model, Trajectory Score table, throughput, settings.

    >>> results = ghosting.run(ghosting.synth.generate_plays(4, seed=0))  # doctest: +SKIP
    >>> results.write("out/")  # doctest: +SKIP
    >>> plays = results.to_pandas("plays")  # doctest: +SKIP
    """

    def __init__(
        self,
        trajectories: pa.Table,
        scores: pa.Table,
        plays: pa.Table,
        summary: dict[str, Any],
    ) -> None:
        self.trajectories = trajectories
        self.scores = scores
        self.plays = plays
        self.summary = summary

    def __repr__(self) -> str:
        counts = self.summary.get("counts", {})
        return (
            f"Results(plays_read={counts.get('plays_read')}, "
            f"plays_scored={counts.get('plays_scored')}, "
            f"ghost_trajectories={counts.get('ghost_trajectories')})"
        )

    def to_pandas(self, table: str | None = None) -> Any:
        """One table as a pandas DataFrame, or a dict of all three when ``table`` is None.

        Needs pandas (``pip install "ghosting[pandas]"``).
        """
        try:
            import pandas  # noqa: F401
        except ImportError as exc:
            raise GhostingError(
                'Results.to_pandas needs pandas: pip install "ghosting[pandas]"'
            ) from exc
        names = tuple(SCHEMAS)
        if table is None:
            return {name: getattr(self, name).to_pandas() for name in names}
        if table not in names:
            raise InputError(f"table must be one of {', '.join(names)}, got {table!r}")
        return getattr(self, table).to_pandas()

    def write(self, outdir: str | os.PathLike[str]) -> Path:
        """Write the four output files into ``outdir``, atomically; return its path.

        Files are written into a temporary folder beside ``outdir`` and renamed into
        place only when all of them are complete.
        """
        with staging_dir(outdir) as tmp:
            for name in SCHEMAS:
                pq.write_table(getattr(self, name), tmp / f"{name}.parquet")
            write_summary(self.summary, tmp / "summary.json")
        return Path(outdir)


def _json_ready(value: Any) -> Any:
    """``value`` with non-finite floats as None (strict JSON) and numpy scalars as Python."""
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_summary(summary: dict[str, Any], path: Path) -> None:
    text = json.dumps(_json_ready(summary), indent=2, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")


@contextlib.contextmanager
def staging_dir(outdir: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield an empty temporary folder; on success move its files into ``outdir``.

    A new ``outdir`` is created by renaming the temporary folder; an existing one
    gets each output file replaced by rename, ``summary.json`` last. On any error
    the temporary folder is removed and ``outdir`` is left as it was.
    """
    out = Path(outdir)
    if out.exists() and not out.is_dir():
        raise InputError(f"output folder {str(out)!r} exists and is not a folder")
    parent = out.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = parent / f".{out.name}.{uuid.uuid4().hex[:12]}.tmp"
        tmp.mkdir()
    except OSError as exc:
        raise InputError(f"cannot create output folder {str(out)!r}: {exc}") from exc
    try:
        yield tmp
        if not out.exists():
            os.replace(tmp, out)
        else:
            for name in OUTPUT_FILES:
                if (tmp / name).exists():
                    os.replace(tmp / name, out / name)
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


class _MemorySink:
    """Collects each game's output tables in memory."""

    def __init__(self) -> None:
        self.parts: dict[str, list[pa.Table]] = {name: [] for name in SCHEMAS}

    def add(self, name: str, table: pa.Table) -> None:
        if table.num_rows:
            self.parts[name].append(table)

    def tables(self) -> dict[str, pa.Table]:
        out = {}
        for name, schema in SCHEMAS.items():
            parts = self.parts[name]
            out[name] = pa.concat_tables(parts) if parts else schema.empty_table()
        return out


class _ParquetSink:
    """Appends each game's output tables to Parquet files in a folder (bounded memory)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.writers: dict[str, pq.ParquetWriter] = {}

    def add(self, name: str, table: pa.Table) -> None:
        if not table.num_rows:
            return
        writer = self.writers.get(name)
        if writer is None:
            writer = pq.ParquetWriter(self.folder / f"{name}.parquet", SCHEMAS[name])
            self.writers[name] = writer
        writer.write_table(table)

    def close(self, complete: bool = True) -> None:
        """Close the files; when ``complete``, write an empty table for any not begun."""
        for name, schema in SCHEMAS.items():
            writer = self.writers.pop(name, None)
            if writer is not None:
                writer.close()
            elif complete:
                pq.write_table(schema.empty_table(), self.folder / f"{name}.parquet")


# --------------------------------------------------------------------------- summary


_STAT_FIELDS = ("ps", "dr", "sp", "ts")


@dataclass
class _Mean:
    """Running means of PS, DR, SP, TS over trajectories with a finite TS."""

    n: int = 0
    sums: dict[str, float] = field(default_factory=lambda: dict.fromkeys(_STAT_FIELDS, 0.0))

    def add(self, columns: dict[str, np.ndarray]) -> None:
        ok = np.isfinite(columns["ts"])
        self.n += int(ok.sum())
        for name in _STAT_FIELDS:
            self.sums[name] += float(np.asarray(columns[name])[ok].sum())

    def as_dict(self) -> dict[str, Any]:
        means = {name: (self.sums[name] / self.n if self.n else None) for name in _STAT_FIELDS}
        return {"trajectories": self.n, **means}


@dataclass
class _PlayMean:
    n: int = 0
    total: float = 0.0

    def add(self, values: np.ndarray) -> None:
        values = np.asarray(values, dtype=np.float64)
        ok = np.isfinite(values)
        self.n += int(ok.sum())
        self.total += float(values[ok].sum())

    def mean(self) -> float | None:
        return self.total / self.n if self.n else None


@dataclass
class _Tally:
    """Everything ``summary.json`` counts, accumulated game by game."""

    rows_read: int = 0
    game_ids: set[int] = field(default_factory=set)
    plays_read: int = 0
    plays_scored: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    ghost_trajectories: int = 0
    real_trajectories: int = 0
    options: int = 0
    infeasible_ghosts: int = 0
    better_option_plays: int = 0
    cleaning: dict[str, int] = field(default_factory=dict)
    real: _Mean = field(default_factory=_Mean)
    ghost_target: _Mean = field(default_factory=_Mean)
    ghost_all: _Mean = field(default_factory=_Mean)
    real_play: _PlayMean = field(default_factory=_PlayMean)
    ghost_play_target: _PlayMean = field(default_factory=_PlayMean)
    ghost_play_all: _PlayMean = field(default_factory=_PlayMean)

    def skip(self, reasons: Iterable[str]) -> None:
        for reason in reasons:
            self.skipped[reason] = self.skipped.get(reason, 0) + 1

    def add_cleaning(self, report: Any) -> None:
        counts = {
            "rows_dropped": report.rows_in - report.rows_out,
            "plays_dropped": len(report.dropped_plays),
            "tracks_dropped": len(report.dropped_tracks),
            **{f"flagged_in_window_{k.lower()}": v for k, v in report.flagged_in_window.items()},
        }
        for key, value in counts.items():
            self.cleaning[key] = self.cleaning.get(key, 0) + int(value)

    def summary(
        self,
        *,
        settings: RunSettings,
        model_info: dict[str, Any],
        seconds: float,
        inputs: Sequence[str],
        extra_settings: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        from . import __version__

        skipped_total = sum(self.skipped.values())
        if self.plays_scored + skipped_total != self.plays_read:  # pragma: no cover - invariant
            raise GhostingError(
                f"internal error: {self.plays_read} plays read but {self.plays_scored} scored "
                f"and {skipped_total} skipped"
            )
        seconds = max(seconds, 1e-9)
        table = {
            "real": {**self.real.as_dict(), "play_score": self.real_play.mean()},
            "ghost_real_target": {
                **self.ghost_target.as_dict(),
                "play_score": self.ghost_play_target.mean(),
            },
            "ghost_all_options": {
                **self.ghost_all.as_dict(),
                "play_score": self.ghost_play_all.mean(),
            },
        }
        return _json_ready({
            "ghosting_version": __version__,
            "inputs": list(inputs),
            "counts": {
                "rows_read": self.rows_read,
                "games": len(self.game_ids),
                "plays_read": self.plays_read,
                "plays_scored": self.plays_scored,
                "plays_skipped": skipped_total,
                "skipped_by_reason": dict(sorted(self.skipped.items())),
                "target_options": self.options,
                "ghost_trajectories": self.ghost_trajectories,
                "real_trajectories": self.real_trajectories,
                "infeasible_ghost_trajectories": self.infeasible_ghosts,
                "plays_with_better_option": self.better_option_plays,
            },
            "cleaning": dict(sorted(self.cleaning.items())),
            "model": model_info,
            "trajectory_score": table,
            "throughput": {
                "seconds": round(seconds, 3),
                "rows_per_second": round(self.rows_read / seconds, 1),
                "plays_per_second": round(self.plays_read / seconds, 2),
                "scored_plays_per_second": round(self.plays_scored / seconds, 2),
                "ghost_trajectories_per_second": round(self.ghost_trajectories / seconds, 1),
            },
            "settings": {**asdict(settings), **(extra_settings or {})},
        })


# --------------------------------------------------------------------------- helpers


def _np(column: pa.ChunkedArray | pa.Array, dtype: Any = None, fill: Any = None) -> np.ndarray:
    """A column as a numpy array (nulls replaced by ``fill`` when given)."""
    if fill is not None:
        column = pc.fill_null(column, fill)
    out = column.to_numpy(zero_copy_only=False)
    return out if dtype is None else out.astype(dtype, copy=False)


def _row_index(left: pa.Table, right: pa.Table, keys: list[str]) -> np.ndarray:
    """For each row of ``left``, the index of a row of ``right`` with equal integer
    ``keys`` (-1 when there is none). Keys are recoded densely and matched with a
    sorted search (numpy, no Python loop)."""
    index = np.full(left.num_rows, -1, dtype=np.int64)
    if not left.num_rows or not right.num_rows:
        return index
    n_left = left.num_rows
    code_left = np.zeros(n_left, dtype=np.int64)
    code_right = np.zeros(right.num_rows, dtype=np.int64)
    radix = 1
    valid = np.ones(n_left, dtype=bool)
    for key in keys:
        valid &= _np(pc.is_valid(left[key]), bool)
        both = np.concatenate([_np(left[key], np.int64, -1), _np(right[key], np.int64, -1)])
        values, inverse = np.unique(both, return_inverse=True)
        if radix * len(values) >= 2**62:  # pragma: no cover - astronomically many keys
            raise GhostingError("internal error: too many distinct keys to match")
        code_left = code_left * len(values) + inverse[:n_left]
        code_right = code_right * len(values) + inverse[n_left:]
        radix *= len(values)
    order = np.argsort(code_right, kind="stable")
    sorted_codes = code_right[order]
    pos = np.searchsorted(sorted_codes, code_left)
    pos = np.minimum(pos, len(sorted_codes) - 1)
    found = (sorted_codes[pos] == code_left) & valid
    index[found] = order[pos[found]]
    return index


def _group_starts(*keys: np.ndarray) -> np.ndarray:
    """Offsets of the runs of equal key tuples in sorted key arrays (n_groups + 1)."""
    n = len(keys[0])
    if n == 0:
        return np.zeros(1, dtype=np.int64)
    change = np.zeros(n, dtype=bool)
    change[0] = True
    for key in keys:
        change[1:] |= key[1:] != key[:-1]
    return np.append(np.flatnonzero(change), n).astype(np.int64)


def split_games(tracking: pa.Table) -> Iterator[pa.Table]:
    """The games of a canonical tracking table, one zero-copy slice each."""
    if not tracking.num_rows:
        return
    games = _np(tracking["game_id"], np.int64)
    if np.any(games[1:] < games[:-1]):
        order = np.argsort(games, kind="stable")
        tracking = tracking.take(pa.array(order))
        games = games[order]
    bounds = _group_starts(games)
    for start, stop in zip(bounds[:-1], bounds[1:], strict=True):
        yield tracking.slice(int(start), int(stop - start))


# --------------------------------------------------------------------------- one game


_GHOST_KEYS = ["game_id", "play_id", "target_nfl_id", "nfl_id", "frame_id"]


def _defensive_backs(plays: pa.Table) -> pa.Table:
    """(play_id, nfl_id) of each play's defensive backs."""
    lists = plays["defensive_backs"].combine_chunks()
    counts = _np(pc.list_value_length(lists), np.int64, 0)
    return pa.table(
        {
            "play_id": np.repeat(_np(plays["play_id"], np.int64), counts),
            "nfl_id": _np(pc.list_flatten(lists), np.int64),
        }
    )


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


@dataclass
class _Scored:
    """Scores of a batch of trajectories cut by offsets."""

    ps: np.ndarray
    dr: np.ndarray
    sp: np.ndarray
    ts: np.ndarray
    weight: np.ndarray  # per trajectory
    group_score: np.ndarray  # per group (option or play)


def _score_batch(
    defender_xy: np.ndarray,
    receiver_xy: np.ndarray,
    offsets: np.ndarray,
    group_offsets: np.ndarray,
    settings: RunSettings,
) -> _Scored:
    from . import scoring

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


def _xy(rows: pa.Table) -> np.ndarray:
    return np.column_stack([_np(rows["x"], np.float64), _np(rows["y"], np.float64)])


def _trajectory_offsets(rows: pa.Table) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Offsets of trajectories (play, target, defender) and of options (play, target) in
    rows sorted by ``_GHOST_KEYS``; the options' offsets index trajectories."""
    play = _np(rows["play_id"], np.int64)
    target = _np(rows["target_nfl_id"], np.int64, -1)
    defender = _np(rows["nfl_id"], np.int64)
    traj = _group_starts(play, target, defender)
    first = traj[:-1]
    options = _group_starts(play[first], target[first])
    return traj, options, first


def _play_status(
    game: pa.Table, plays: pa.Table, settings: RunSettings, tally: _Tally
) -> tuple[pa.Table, np.ndarray, np.ndarray]:
    """Clean the game; return the cleaned rows, which plays can be ghosted, and why not."""
    from .cleaning import clean

    reason = np.array(plays["reason"].to_pylist(), dtype=object)
    ok = _np(plays["analysable"], bool, False)
    reason[~ok & np.array([r is None for r in reason], dtype=bool)] = "not analysable"
    cleaned, report = clean(game, policy=settings.policy, v_max=settings.v_max, dt=settings.dt)
    tally.add_cleaning(report)
    dropped = {int(d["play_id"]): ", ".join(d["reasons"]) for d in report.dropped_plays}
    play_ids = _np(plays["play_id"], np.int64)
    for i in np.flatnonzero(ok):  # one step per play, not per row
        why = dropped.get(int(play_ids[i]))
        if why is not None:
            ok[i] = False
            reason[i] = f"cleaning: {why}"
    return cleaned, ok, reason


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


def _ghost_and_score(
    model: Any, cleaned: pa.Table, plays: pa.Table, candidates: pa.Table, settings: RunSettings
) -> _Ghosts:
    """Ghost every selected defender for every option of ``candidates`` (one batched
    model call) and score the trajectories against each option's receiver."""
    ghosts = _predict(model, cleaned, candidates, settings.defenders)
    if settings.defenders == "backs":
        keep = _defensive_backs(candidates)
        ghosts = ghosts.filter(pa.array(_row_index(ghosts, keep, ["play_id", "nfl_id"]) >= 0))
    ghosts = ghosts.sort_by([(k, "ascending") for k in _GHOST_KEYS])
    gxy = _xy(ghosts)
    rxy = _receiver_xy(ghosts, cleaned)
    traj, options, first = _trajectory_offsets(ghosts)
    last = traj[1:] - 1
    play = _np(ghosts["play_id"], np.int64)[first]
    target = _np(ghosts["target_nfl_id"], np.int64, -1)[first]
    real_target = _np(plays["targeted_receiver"], np.int64, -1)
    play_row = np.searchsorted(_np(plays["play_id"], np.int64), play)
    return _Ghosts(
        rows=ghosts,
        offsets=traj,
        options=options,
        play=play,
        target=target,
        defender=_np(ghosts["nfl_id"], np.int64)[first],
        is_real=target == real_target[play_row],
        score=_score_batch(gxy, rxy, traj, options, settings),
        feasibility=_feasibility(gxy, traj, settings),
        distance=np.hypot(*(gxy[last] - rxy[last]).T) if len(last) else np.zeros(0),
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


def _ghost_game(
    game: pa.Table,
    targets: pa.Table | None,
    model: Any,
    settings: RunSettings,
    tally: _Tally,
    sink: _MemorySink | _ParquetSink,
) -> None:
    """Ghost and score one game's pass plays; add the output tables to ``sink``."""
    from .plays import pass_plays

    tally.game_ids.update(pc.unique(game["game_id"]).to_pylist())
    tally.rows_read += game.num_rows
    plays = pass_plays(game, targets)
    tally.plays_read += plays.num_rows
    cleaned, ok, reason = _play_status(game, plays, settings, tally)

    g = _ghost_and_score(model, cleaned, plays, plays.filter(pa.array(ok)), settings)
    has_ghosts = np.isin(_np(plays["play_id"], np.int64), g.play)
    n_backs = _np(pc.list_value_length(plays["defensive_backs"]), np.int64, 0)
    reason[ok & ~has_ghosts & (n_backs == 0)] = "no defensive backs"
    reason[ok & ~has_ghosts & (n_backs > 0)] = "no ghost prediction"
    ok &= has_ghosts
    scored = plays.filter(pa.array(ok))
    tally.plays_scored += int(ok.sum())
    tally.skip(reason[~ok])

    # The real trajectories of the same defenders, against the real target.
    real, real_play = _score_real(cleaned, scored, g.play, g.defender, g.is_real, settings)
    sink.add("trajectories", _ghost_rows(g.rows))
    sink.add("trajectories", _real_trajectories(cleaned, scored))
    scores = _scores_table(g, real)
    sink.add("scores", scores)
    sink.add("plays", _plays_table(plays, ok, reason, g, real_play, tally))

    tally.ghost_trajectories += len(g.play)
    tally.options += len(g.options) - 1
    tally.infeasible_ghosts += int(len(g.play) - np.sum(_np(scores["feasible"], bool)))
    stats = {name: getattr(g.score, name) for name in _STAT_FIELDS}
    tally.ghost_all.add(stats)
    tally.ghost_target.add({k: v[g.is_real] for k, v in stats.items()})
    tally.real.add({k: real[k][g.is_real] for k in _STAT_FIELDS})
    tally.real_trajectories += int(np.isfinite(real["weight"]).sum())


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
    from .scoring import score_real

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
    group = _group_starts(o_play)
    first_of = np.repeat(group[:-1], np.diff(group))
    rank = (np.arange(len(o_play)) - first_of + 1).astype(np.int32)

    def per_play(values: np.ndarray, mask: np.ndarray, fill: Any) -> np.ndarray:
        out = np.full(n_plays, fill, dtype=values.dtype)
        out[o_row[mask]] = values[mask]
        return out

    is_best = rank == 1
    best_option = per_play(o_target, is_best, -1)
    best_sep = per_play(o_sep, is_best, np.nan)
    target_sep = per_play(o_sep, o_real, np.nan)
    ghost_score = per_play(o_score, o_real, np.nan)
    real_score = np.array([real_play.get(int(p), np.nan) for p in play_ids], dtype=np.float64)
    real_score[~ok] = np.nan
    gain = best_sep - target_sep
    has_best = best_option >= 0

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


def _feasibility(
    xy: np.ndarray, offsets: np.ndarray, settings: RunSettings
) -> tuple[np.ndarray, ...]:
    """(max_speed, max_accel, long_steps, off_field, nonfinite) per trajectory."""
    from . import scoring

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


# --------------------------------------------------------------------------- model


def _load_model(model: Any) -> Any:
    """A model object: the shipped GhostModel by default, loaded from a folder when a
    path is given, or any object with ``predict_plays`` (used as is)."""
    if model is not None and hasattr(model, "predict_plays"):
        return model
    from .model import GhostModel

    if model is None:
        return GhostModel.load()
    return GhostModel.load(model)


def _model_info(model: Any) -> dict[str, Any]:
    card = getattr(model, "card", None) or {}
    name = card.get("name") or getattr(model, "name", None) or type(model).__name__
    digest = getattr(model, "card_sha256", None)
    card_file = Path(getattr(model, "directory", "") or "") / "card.json"
    if digest is None and getattr(model, "directory", None) and card_file.is_file():
        digest = hashlib.sha256(card_file.read_bytes()).hexdigest()
    if digest is None and card:
        canonical = json.dumps(card, sort_keys=True, separators=(",", ":"), default=str)
        digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return {
        "name": name,
        "version": card.get("version"),
        "card_sha256": digest,
        "onnx_sha256": card.get("onnx_sha256"),
    }


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


_EMPTY_GHOSTS = pa.schema(
    [
        ("game_id", pa.int64()),
        ("play_id", pa.int64()),
        ("nfl_id", pa.int64()),
        ("target_nfl_id", pa.int64()),
        ("frame_id", pa.int32()),
        ("x", pa.float64()),
        ("y", pa.float64()),
        ("sigma", pa.float64()),
    ]
).empty_table()


# --------------------------------------------------------------------------- inputs


_GAME_COLUMNS = ("game_id", "gameId")
_PLAY_COLUMNS = ("play_id", "playId")
_BATCH_ROWS = 1 << 18


def _is_parquet(path: Path) -> bool:
    return path.suffix.lower() in {".parquet", ".pq", ".parq"}


def _is_canonical(columns: Sequence[str]) -> bool:
    return set(CANONICAL_SCHEMA.names) <= set(columns)


def _canonical(
    source: Any, name: str | None = None, extra: dict[str, Any] | None = None
) -> pa.Table:
    """A canonical tracking table: a table that already has the canonical columns (from
    :func:`ghosting.read_tracking`, :func:`ghosting.synth.generate_plays`, or a Parquet
    file of either) is used as it is; anything else goes through ``read_tracking``
    (with ``extra``: its ``players``, ``plays`` and ``games`` side files)."""
    from .io import read_tracking

    if isinstance(source, pa.Table) and _is_canonical(source.column_names):
        try:
            fields = [*CANONICAL_SCHEMA, *(f for f in source.schema if f.name not in
                                           CANONICAL_SCHEMA.names)]
            table = source.select([f.name for f in fields]).cast(pa.schema(fields))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise InputError(
                f"{name or 'tracking table'}: canonical columns of the wrong type ({exc})"
            ) from exc
        return _sorted(table)
    if name is None or isinstance(source, (str, os.PathLike)):
        return read_tracking(source, **(extra or {}))
    try:  # a chunk of a file: name the file in the error
        return read_tracking(source, **(extra or {}))
    except GhostingError as exc:
        raise type(exc)(f"{name}: {exc}") from exc


def _sorted(table: pa.Table) -> pa.Table:
    """``table`` sorted by (game_id, play_id, nfl_id, frame_id) (no copy when it is)."""
    keys = [_np(table[k], np.int64, -1) for k in ("game_id", "play_id", "nfl_id", "frame_id")]
    if len(keys[0]) < 2:
        return table
    # Lexicographic order of consecutive rows, vectorised: a row is in order when at
    # the first key that differs from the previous row's, it is larger.
    decided = np.zeros(len(keys[0]) - 1, dtype=bool)
    in_order = np.ones(len(keys[0]) - 1, dtype=bool)
    for key in keys:
        step = np.sign(key[1:] - key[:-1])
        in_order &= decided | (step >= 0)
        decided |= step != 0
    if in_order.all():
        return table
    return table.take(pa.array(np.lexsort(keys[::-1])))


def _read_targets(targets: Any) -> pa.Table | None:
    if targets is None:
        return None
    from .io import read_targets

    return read_targets(targets)


def _read_side_file(path: str | os.PathLike[str]) -> pa.Table:
    """A players/plays/games file, read once for every game of the run."""
    from .io.sources import read_raw

    if not Path(path).is_file():
        raise InputError(f"{path}: no such file")
    return read_raw(str(path))


def _check_input(path: Path) -> None:
    """Fail early, before any output exists, on a missing or unrecognisable input."""
    from .io.layouts import detect_layout
    from .io.sources import header

    if path.is_dir():
        raise InputError(f"{path}: is a folder; give the tracking files in it")
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if _is_parquet(path):
        try:
            columns = pq.ParquetFile(path).schema_arrow.names
        except (OSError, pa.ArrowException) as exc:
            raise InputError(f"{path}: not a readable Parquet file ({exc})") from exc
        if not _is_canonical(columns):
            detect_layout(columns, str(path))
    else:
        detect_layout(header(str(path)), str(path))


def _parquet_columns(pf: pq.ParquetFile, path: Path) -> list[str]:
    """The columns of a Parquet file that reading it needs (its layout's columns)."""
    from .io.layouts import detect_layout

    names = pf.schema_arrow.names
    if _is_canonical(names):
        return names
    return detect_layout(names, str(path)).source_columns(names)


def _parquet_games(path: Path, extra: dict[str, Any]) -> tuple[int, Iterator[pa.Table]]:
    """Read a Parquet file game by game: ``(number of chunks, iterator of canonical
    tables)``.

    When every play's rows are together (sorted files have them) the file is
    streamed batch by batch and cut where the game changes, so memory holds one
    game (a game may come in several runs, each of whole plays). Otherwise only
    the columns the layout needs are read, and each game is taken out of them in
    turn. A file without game and play columns is read whole.
    """
    pf = pq.ParquetFile(path)
    names = pf.schema_arrow.names
    column = next((c for c in _GAME_COLUMNS if c in names), None)
    play_column = next((c for c in _PLAY_COLUMNS if c in names), None)
    if column is None or play_column is None:
        table = _canonical(
            pq.read_table(path, columns=_parquet_columns(pf, path)), str(path), extra
        )
        n = len(np.unique(_np(table["game_id"], np.int64))) if table.num_rows else 0
        return n, split_games(table)
    columns = _parquet_columns(pf, path)
    # Strings (descriptions, names: one value per play or player, repeated on every row)
    # stay dictionary-encoded as Parquet stores them: a fraction of the memory.
    dictionary = [] if _is_canonical(names) else [
        f.name
        for f in pf.schema_arrow
        if f.name in columns and (pa.types.is_string(f.type) or pa.types.is_large_string(f.type))
    ]
    keys = pf.read(columns=[column, play_column])
    games = _np(keys[column], np.int64, -1)
    plays = _np(keys[play_column], np.int64, -1)
    del keys
    play_runs = _group_starts(games, plays)[:-1]
    pairs = np.column_stack([games[play_runs], plays[play_runs]])
    if len(np.unique(pairs, axis=0)) != len(pairs):  # some play's rows are scattered
        order = np.argsort(games, kind="stable")
        bounds = _group_starts(games[order])
        del games, plays, pairs

        def by_game() -> Iterator[pa.Table]:
            raw = pq.read_table(path, columns=columns, read_dictionary=dictionary)
            raw = raw.take(pa.array(order))  # one gather; each game is then a slice
            for start, stop in zip(bounds[:-1], bounds[1:], strict=True):
                yield _canonical(raw.slice(int(start), int(stop - start)), str(path), extra)

        return len(bounds) - 1, by_game()
    n_chunks = len(_group_starts(games)) - 1
    del games, plays, pairs

    def chunks() -> Iterator[pa.Table]:
        pending: list[pa.RecordBatch] = []
        last: int | None = None
        reader = pq.ParquetFile(path, read_dictionary=dictionary)
        for batch in reader.iter_batches(batch_size=_BATCH_ROWS, columns=columns):
            ids = _np(batch.column(column), np.int64, -1)
            if not len(ids):
                continue
            if last is not None and ids[0] != last:
                yield _canonical(pa.Table.from_batches(pending), str(path), extra)
                pending = []
            cuts = np.flatnonzero(ids[1:] != ids[:-1]) + 1
            start = 0
            for cut in cuts:
                pending.append(batch.slice(start, cut - start))
                yield _canonical(pa.Table.from_batches(pending), str(path), extra)
                pending = []
                start = int(cut)
            pending.append(batch.slice(start))
            last = int(ids[-1])
        if pending:
            yield _canonical(pa.Table.from_batches(pending), str(path), extra)

    return n_chunks, chunks()


def _input_games(path: Path, extra: dict[str, Any]) -> tuple[int | None, Iterator[pa.Table]]:
    """The games of one input file, read as lazily as its format allows (Parquet game
    by game; text files whole, then split by game)."""
    if _is_parquet(path):
        return _parquet_games(path, extra)
    table = _canonical(str(path), extra=extra)
    n_games = len(np.unique(_np(table["game_id"], np.int64))) if table.num_rows else 0
    return n_games, split_games(table)


# --------------------------------------------------------------------------- entry points


def _run_games(
    sources: Iterable[tuple[str, int | None, Iterator[pa.Table]]],
    targets: pa.Table | None,
    model: Any,
    settings: RunSettings,
    sink: _MemorySink | _ParquetSink,
    show_progress: bool,
) -> _Tally:
    from ._util import progress

    tally = _Tally()
    for name, n_games, games in sources:
        for game in progress(games, total=n_games, desc=name, enabled=show_progress):
            _ghost_game(game, targets, model, settings, tally, sink)
    return tally


def run(
    tracking: Any,
    targets: Any = None,
    model: Any = None,
    *,
    policy: str = "play",
    defenders: str = "backs",
    reference: str = "catch_point",
    weights: str = "uniform",
    show_progress: bool = False,
) -> Results:
    """Ghost and score every pass play of ``tracking``; return the tables in memory.

    Parameters
    ----------
    tracking
        A canonical tracking table, or anything :func:`ghosting.read_tracking` reads
        (a file path, a pandas or polars DataFrame, an Arrow table in a shipped layout).
        Layouts that need side files (BDB 2019 positions from ``players.csv``) are read
        with ``ghosting.read_tracking(..., players=...)`` first.
    targets
        Targeted receivers (a ``targetedReciever.csv`` path or table); without it the
        target comes from the tracking data (role, play description, or inference).
    model
        A :class:`ghosting.GhostModel`, a model folder, or None for the shipped model.
    policy
        Cleaning policy: ``"play"`` (drop a play with any flagged sample), ``"track"``
        or ``"sample"``.
    defenders
        ``"backs"`` (the defensive backs, default) or ``"all"`` defenders.
    reference, weights
        Trajectory Score options (see :func:`ghosting.trajectory_score`).

    Returns
    -------
    Results
        ``trajectories``, ``scores``, ``plays`` (pyarrow tables) and ``summary``.

    Examples
    --------
    >>> import ghosting
    >>> results = ghosting.run(ghosting.synth.generate_plays(4, seed=0))  # doctest: +SKIP
    >>> results.plays.column_names[:4]  # doctest: +SKIP
    ['game_id', 'play_id', 'status', 'reason']
    """
    settings = RunSettings(
        policy=policy, defenders=defenders, reference=reference, weights=weights
    )
    start = time.perf_counter()
    ghost_model = _load_model(model)
    table = _canonical(tracking)
    target_table = _read_targets(targets)
    sink = _MemorySink()
    n_games = len(np.unique(_np(table["game_id"], np.int64))) if table.num_rows else 0
    sources = [("ghosting", n_games, split_games(table))]
    tally = _run_games(sources, target_table, ghost_model, settings, sink, show_progress)
    summary = tally.summary(
        settings=settings,
        model_info=_model_info(ghost_model),
        seconds=time.perf_counter() - start,
        inputs=[_source_label(tracking)],
        extra_settings={"targets": _source_label(targets) if targets is not None else None},
    )
    return Results(**sink.tables(), summary=summary)


def _source_label(source: Any) -> str:
    if isinstance(source, (str, os.PathLike)):
        return str(source)
    return f"<{type(source).__module__.split('.')[0]}.{type(source).__name__}>"


def run_files(
    inputs: Sequence[str | os.PathLike[str]] | None,
    outdir: str | os.PathLike[str],
    *,
    targets: str | os.PathLike[str] | None = None,
    model: Any = None,
    settings: RunSettings | None = None,
    demo_plays: int | None = None,
    demo_seed: int = 0,
    show_progress: bool = False,
    players: str | os.PathLike[str] | None = None,
    plays: str | os.PathLike[str] | None = None,
    games: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Ghost and score every pass play of tracking files, streaming game by game into
    ``outdir`` (what ``ghosting run`` does); return the summary.

    ``inputs=None`` with ``demo_plays=N`` ghosts N built-in synthetic plays instead.
    ``players``, ``plays`` and ``games`` are the competition's side files, passed to
    :func:`ghosting.read_tracking` (positions for BDB 2019, the possession team).
    Nothing is written unless every input is read and every game processed: the
    outputs appear in ``outdir`` together at the end.

    >>> summary = run_files(None, "out/", demo_plays=8)  # doctest: +SKIP
    >>> sorted(p.name for p in Path("out").iterdir())  # doctest: +SKIP
    ['plays.parquet', 'scores.parquet', 'summary.json', 'trajectories.parquet']
    """
    settings = settings or RunSettings()
    start = time.perf_counter()
    paths = [Path(p) for p in inputs or []]
    if inputs is None and demo_plays is None:
        raise InputError("give input files or demo_plays")
    for path in paths:
        _check_input(path)
    target_table = _read_targets(str(targets)) if targets is not None else None
    side_paths = {"players": players, "plays": plays, "games": games}
    side_files = {k: _read_side_file(v) for k, v in side_paths.items() if v is not None}
    ghost_model = _load_model(model)

    def sources() -> Iterator[tuple[str, int | None, Iterator[pa.Table]]]:
        if inputs is None:
            from .synth import generate_plays

            demo = generate_plays(int(demo_plays or 0), seed=demo_seed)
            n = len(np.unique(_np(demo["game_id"], np.int64))) if demo.num_rows else 0
            yield "demo", n, split_games(demo)
            return
        for k, path in enumerate(paths, 1):
            n_games, games = _input_games(path, side_files)
            yield f"[{k}/{len(paths)}] {path.name}", n_games, games

    labels = [str(p) for p in paths] if inputs is not None else [f"demo:{demo_plays}"]
    with staging_dir(outdir) as tmp:
        sink = _ParquetSink(tmp)
        try:
            tally = _run_games(sources(), target_table, ghost_model, settings, sink, show_progress)
        except BaseException:
            sink.close(complete=False)
            raise
        sink.close()
        summary = tally.summary(
            settings=settings,
            model_info=_model_info(ghost_model),
            seconds=time.perf_counter() - start,
            inputs=labels,
            extra_settings={
                "targets": str(targets) if targets is not None else None,
                **{k: str(v) for k, v in side_paths.items() if v is not None},
                "demo_seed": demo_seed if inputs is None else None,
            },
        )
        write_summary(summary, tmp / "summary.json")
    return summary

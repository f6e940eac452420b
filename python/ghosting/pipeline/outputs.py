"""The output tables, :class:`Results`, and writing an output folder atomically."""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ..decision.tables import DECISION_PLAY_FIELDS, PASSERS_SCHEMA, passers_table
from ..errors import GhostingError, InputError

__all__ = [
    "OUTPUT_FILES",
    "TRAJECTORIES_SCHEMA",
    "SCORES_SCHEMA",
    "PLAYS_SCHEMA",
    "PLAYS_OUTPUT_SCHEMA",
    "PASSERS_SCHEMA",
    "OPTION_TYPE",
    "Results",
    "staging_dir",
    "write_summary",
]


#: The files an output folder holds, in the order they are committed (summary last).
OUTPUT_FILES = (
    "trajectories.parquet", "scores.parquet", "plays.parquet", "passers.parquet", "summary.json"
)


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

#: ``plays.parquet``: the play columns, then the quarterback's decision
#: (:data:`ghosting.decision.tables.DECISION_PLAY_FIELDS`, added per game by
#: :func:`ghosting.decision.pipeline_step.add_decision`).
PLAYS_OUTPUT_SCHEMA = pa.schema([*PLAYS_SCHEMA, *DECISION_PLAY_FIELDS])


SCHEMAS = {
    "trajectories": TRAJECTORIES_SCHEMA,
    "scores": SCORES_SCHEMA,
    "plays": PLAYS_OUTPUT_SCHEMA,
    "passers": PASSERS_SCHEMA,  # derived from plays at the end of a run
}


class Results:
    """The output of :func:`run`: four pyarrow tables and a summary.

    - ``trajectories``: ghost positions per (play, defender, target option, frame),
      plus the real positions of every player and the ball over the same frames
      (``kind`` is ``"ghost"`` or ``"real"``);
    - ``scores``: per defender and target option, the ghost trajectory's PS, DR, SP,
      TS and feasibility, with the real trajectory's scores beside the ghost's on
      the real target's rows;
    - ``plays``: one row per play of the input (scored or skipped, with the
      reason): real and ghost play scores and the target options ranked by the
      receiver's predicted separation from the nearest ghost defender at arrival,
      then the quarterback's decision: the passer, the line of scrimmage, every
      option with its own flight, P(complete), expected yards and rank
      (``decision_options``), and whether a better option existed (DESIGN section 10);
    - ``passers``: per passer, plays judged, the share with a better option and the
      expected yards left on the field;
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
        passers: pa.Table | None = None,
    ) -> None:
        self.trajectories = trajectories
        self.scores = scores
        self.plays = plays
        self.passers = passers_table(plays) if passers is None else passers
        self.summary = summary

    def __repr__(self) -> str:
        counts = self.summary.get("counts", {})
        return (
            f"Results(plays_read={counts.get('plays_read')}, "
            f"plays_scored={counts.get('plays_scored')}, "
            f"ghost_trajectories={counts.get('ghost_trajectories')})"
        )

    def to_pandas(self, table: str | None = None) -> Any:
        """One table as a pandas DataFrame, or a dict of all four when ``table`` is None.

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
        """Write the five output files into ``outdir``, atomically; return its path.

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
        out["passers"] = passers_table(out["plays"])
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
            elif complete and name != "passers":
                pq.write_table(schema.empty_table(), self.folder / f"{name}.parquet")
        if complete:  # the per-passer table, from the finished plays table
            plays = pq.read_table(self.folder / "plays.parquet")
            pq.write_table(passers_table(plays), self.folder / "passers.parquet")

"""The output tables, :class:`Results`, and writing an output folder atomically."""

from __future__ import annotations

import contextlib
import errno
import json
import math
import os
import shutil
import stat
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from .._util import exchange_paths, remove_owned, staging_name, stale_staging
from ..decision.tables import DECISION_PLAY_FIELDS, PASSERS_SCHEMA, passers_table
from ..errors import GhostingError, GhostingWarning, InputError
from .context import PLAY_FIELDS, PLAYER_FIELDS, TARGET_FIELDS

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


# The columns above are what one game's rows are built with (``pipeline/output_rows.py``);
# the output tables add the names and the play's situation after them
# (``pipeline/context.py``): the public schemas below are the full ones.
_ROW_TRAJECTORIES_SCHEMA = TRAJECTORIES_SCHEMA
_ROW_SCORES_SCHEMA = SCORES_SCHEMA
_ROW_PLAYS_SCHEMA = PLAYS_SCHEMA
_ROW_OPTION_TYPE = OPTION_TYPE

#: An option of ``plays.options``: rank, receiver, separation, ghost play score, names.
OPTION_TYPE = pa.struct([*_ROW_OPTION_TYPE, *PLAYER_FIELDS])
TRAJECTORIES_SCHEMA = pa.schema(
    [*_ROW_TRAJECTORIES_SCHEMA, *PLAYER_FIELDS, pa.field("play_direction", pa.string())]
)
SCORES_SCHEMA = pa.schema([*_ROW_SCORES_SCHEMA, *PLAYER_FIELDS, *TARGET_FIELDS])
PLAYS_SCHEMA = pa.schema(
    [
        *(f if f.name != "options" else pa.field("options", pa.list_(OPTION_TYPE))
          for f in _ROW_PLAYS_SCHEMA),
        *PLAY_FIELDS,
        *TARGET_FIELDS,
        pa.field("best_option_display_name", pa.string()),
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

    Positions are in yards in the normalised frame (the offense moves toward +x; plays
    going left are mirrored): :func:`ghosting.to_raw_coordinates` maps any of these
    tables back to the raw file's frame with their ``play_direction``. Names, positions
    and clubs are as the input gives them (null when it has none).

    ``trajectories`` — one row per (play, player, option, frame), pass forward to arrival:
        ``game_id, play_id``; ``kind`` (``"ghost"`` predicted / ``"real"`` observed, every
        player and the ball); ``nfl_id`` (0 = the ball); ``target_nfl_id`` (ghost rows: the
        option's receiver; real rows: the real target); ``frame_id, x, y``; ``sigma`` (the
        model's per-frame uncertainty, yd; NaN when none and on real rows); ``side``,
        ``jersey_number``; ``display_name, position, club``; ``play_direction``.

    ``scores`` — one row per ghosted defender and option:
        ``game_id, play_id, nfl_id`` (the defender), ``target_nfl_id``, ``is_real_target``,
        ``frames``; ``ps, dr, sp, ts`` (the ghost's Trajectory Score), ``weight`` (its
        play-score weight), ``distance_at_arrival`` (to the option's receiver);
        feasibility ``max_speed, max_acceleration, superhuman_steps, off_field,
        feasible``; ``real_ps, real_dr, real_sp, real_ts, real_weight`` (the defender's
        real trajectory, real target's rows only); ``display_name, position, club`` (the
        defender); ``target_display_name, target_position, target_club``.

    ``plays`` — one row per play of the input, scored or not:
        ``game_id, play_id, status`` (``scored``/``skipped``), ``reason``,
        ``targeted_receiver, target_source, pass_forward_frame, arrival_frame,
        ball_land_x, ball_land_y, defenders, real_play_score, ghost_play_score,
        target_separation, best_option, best_separation, separation_gain``; ``options``
        (a list, most open first, of ``rank, nfl_id, is_real_target, separation,
        ghost_play_score, display_name, position, club``); the situation
        ``play_description, quarter, game_clock, down, yards_to_go, possession_team,
        play_direction, line_of_scrimmage, first_down_line`` (x of the ball at the snap,
        and that plus the yards to go); ``passer_nfl_id, passer_display_name``;
        ``target_display_name, target_position, target_club, best_option_display_name``;
        then the quarterback's decision (``docs/decision.md``): ``decision_judged,
        decision_reason, target_p_complete, target_expected_yards, target_rank,
        best_alternative, best_alternative_expected_yards, expected_yards_gain,
        better_option, decision_value, target_value, best_alternative_value, value_gain,
        decision_down, decision_yards_to_go`` and ``decision_options`` (every option
        with its own flight, P(complete), expected points added, expected yards and rank).

    ``passers`` — per passer: plays judged, the share with a better option and the
        expected points and yards left on the field.

    ``summary`` — counts, model, Trajectory Score table, throughput, settings.

    >>> results = ghosting.run(ghosting.synth.generate_plays(4, seed=0))  # doctest: +SKIP
    >>> results.write("out/")  # doctest: +SKIP
    >>> plays = results.to_pandas("plays")  # doctest: +SKIP
    >>> scores = results.to_polars("scores")  # doctest: +SKIP
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

    def _chosen(self, table: str | None) -> tuple[str, ...]:
        names = tuple(SCHEMAS)
        if table is None:
            return names
        if table not in names:
            raise InputError(f"table must be one of {', '.join(names)}, got {table!r}")
        return (table,)

    def to_pandas(self, table: str | None = None) -> Any:
        """One table as a pandas DataFrame, or a dict of all four when ``table`` is None.

        Integer ids and frames stay integers (pandas' nullable ``Int64``/``Int32``, so a
        missing id is ``<NA>``, never a float), flags are nullable ``boolean`` and text is
        ``string``; measurements are ``float64``. Needs pandas
        (``pip install "ghosting[pandas]"``).
        """
        try:
            import pandas as pd
        except ImportError as exc:
            raise GhostingError(
                'Results.to_pandas needs pandas: pip install "ghosting[pandas]"'
            ) from exc
        mapping = {
            pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(),
            pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype(),
            pa.string(): pd.StringDtype(),
        }
        frames = {
            name: getattr(self, name).to_pandas(types_mapper=mapping.get)
            for name in self._chosen(table)
        }
        return frames if table is None else frames[table]

    def to_polars(self, table: str | None = None) -> Any:
        """One table as a polars DataFrame, or a dict of all three when ``table`` is None
        (types kept: ids Int64, frames Int32, options a list of structs). Needs polars
        (``pip install "ghosting[polars]"``)."""
        try:
            import polars as pl
        except ImportError as exc:
            raise GhostingError(
                'Results.to_polars needs polars: pip install "ghosting[polars]"'
            ) from exc
        frames = {name: pl.from_arrow(getattr(self, name)) for name in self._chosen(table)}
        return frames if table is None else frames[table]

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


def _foreign_entries(folder: Path) -> list[str]:
    """Names in ``folder`` that are not output files of ours (sorted)."""
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise InputError(f"cannot read output folder {str(folder)!r}: {exc}") from exc
    return sorted(
        n for n in names if n not in OUTPUT_FILES or not (folder / n).is_file()
    )


def _refuse_foreign(out: Path) -> None:
    foreign = _foreign_entries(out)
    if foreign:
        shown = ", ".join(repr(n) for n in foreign[:5]) + (" ..." if len(foreign) > 5 else "")
        raise InputError(
            f"output folder {str(out)!r} holds files ghosting did not write ({shown}); "
            "it is replaced as a whole, so move them or choose another folder "
            "(nothing was written)"
        )


def _remove_stale(out: Path) -> None:
    """Remove the staging folders that killed runs left beside ``out``; an aside copy
    of the previous outputs (the fallback swap) is put back when ``out`` is missing."""
    for path, kind in stale_staging(out.parent, out.name):
        if not path.is_dir():
            continue
        if kind == "old" and not os.path.lexists(out) and not _foreign_entries(path):
            with contextlib.suppress(OSError):
                os.rename(path, out)
            continue
        remove_owned(path, OUTPUT_FILES)


def _swap_in(tmp: Path, out: Path) -> None:
    """Make ``tmp`` the folder ``out`` in one step, then delete the previous outputs.

    A new ``out`` is a rename. An existing one is exchanged with ``tmp`` atomically
    (``renameat2(RENAME_EXCHANGE)``), else moved aside and replaced (a reader then sees
    no folder for a moment, never a mix). Where a folder cannot be renamed at all (a
    mount point), its output files are replaced one by one.
    """
    if not os.path.lexists(out):
        try:
            os.rename(tmp, out)
            return
        except OSError:
            if not out.is_dir():  # not a race with another writer: a real error
                raise
    _refuse_foreign(out)
    with contextlib.suppress(OSError):
        tmp.chmod(stat.S_IMODE(out.stat().st_mode))
    try:
        if exchange_paths(tmp, out):
            old = tmp
        else:
            old = out.parent / staging_name(out.name, "old")
            os.rename(out, old)
            try:
                os.rename(tmp, out)
            except BaseException:
                os.rename(old, out)
                raise
    except OSError as exc:
        if exc.errno not in (errno.EBUSY, errno.EXDEV):
            raise
        for name in OUTPUT_FILES:  # a mount point: file by file, summary last
            if (tmp / name).exists():
                os.replace(tmp / name, out / name)
            else:
                with contextlib.suppress(FileNotFoundError):
                    (out / name).unlink()
        old = tmp
    if not remove_owned(old, OUTPUT_FILES):
        warnings.warn(
            f"kept {str(old)!r}: files ghosting did not write appeared in {str(out)!r} "
            "while it was being replaced",
            GhostingWarning,
            stacklevel=3,
        )


@contextlib.contextmanager
def staging_dir(outdir: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield an empty temporary folder beside ``outdir``; on success it becomes ``outdir``.

    The folder is swapped in by one rename (an existing ``outdir`` is exchanged
    atomically where the system can), so a reader sees the previous outputs or the new
    ones, never a mix, and every file of the new folder comes from this run. An
    existing ``outdir`` holding anything but output files is refused
    (:class:`~ghosting.InputError`) before any work: it is never swapped away. On any
    error (SIGTERM in the CLI too) the temporary folder is removed and ``outdir`` is
    left as it was; folders left by killed runs (their process gone) are removed on
    the next write beside them.
    """
    out = Path(outdir)
    if out.is_symlink():  # write where the link points; never replace the link
        out = Path(os.path.realpath(out))
    if os.path.lexists(out) and not out.is_dir():
        raise InputError(f"output folder {str(out)!r} exists and is not a folder")
    out = out.absolute()
    _refuse_foreign(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale(out)
    except OSError as exc:
        raise InputError(f"cannot create output folder {str(out)!r}: {exc}") from exc
    tmp = out.parent / staging_name(out.name, "tmp")
    ours = True
    try:  # entered before the folder exists: a signal right after mkdir still cleans up
        try:
            tmp.mkdir()
        except FileExistsError as exc:  # not ours (names are unique): leave it alone
            ours = False
            raise InputError(f"cannot create a temporary folder beside {str(out)!r}") from exc
        except OSError as exc:
            raise InputError(f"cannot create output folder {str(out)!r}: {exc}") from exc
        yield tmp
        _swap_in(tmp, out)
    except BaseException:
        if ours:
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


#: Rows per row group of the Parquet outputs: tables are buffered and written in
#: groups of exactly this many rows (the last one shorter), so the files' bytes depend
#: only on their rows, not on how games were batched (or spread over Dask workers).
ROW_GROUP_ROWS = 131_072


class _ParquetSink:
    """Appends a batch's output tables to Parquet files in a folder (bounded memory:
    at most a row group per file is held back)."""

    def __init__(self, folder: Path, row_group_rows: int = ROW_GROUP_ROWS) -> None:
        self.folder = folder
        self.row_group_rows = row_group_rows
        self.writers: dict[str, pq.ParquetWriter] = {}
        self.pending: dict[str, list[pa.Table]] = {}

    def add(self, name: str, table: pa.Table) -> None:
        if not table.num_rows:
            return
        pending = self.pending.setdefault(name, [])
        pending.append(table)
        held = sum(t.num_rows for t in pending)
        if held >= self.row_group_rows:
            both = pa.concat_tables(pending)
            full = held - held % self.row_group_rows
            self._write(name, both.slice(0, full))
            rest = both.slice(full)
            self.pending[name] = [rest] if rest.num_rows else []

    def _write(self, name: str, table: pa.Table) -> None:
        writer = self.writers.get(name)
        if writer is None:
            writer = pq.ParquetWriter(self.folder / f"{name}.parquet", SCHEMAS[name])
            self.writers[name] = writer
        writer.write_table(table, row_group_size=self.row_group_rows)

    def close(self, complete: bool = True) -> None:
        """Close the files; when ``complete``, write an empty table for any not begun."""
        for name, held in list(self.pending.items()):
            if complete and held:
                self._write(name, pa.concat_tables(held))
        self.pending.clear()
        for name, schema in SCHEMAS.items():
            writer = self.writers.pop(name, None)
            if writer is not None:
                writer.close()
            elif complete and name != "passers":
                pq.write_table(schema.empty_table(), self.folder / f"{name}.parquet")
        if complete:  # the per-passer table, from the finished plays table
            plays = pq.read_table(self.folder / "plays.parquet")
            pq.write_table(passers_table(plays), self.folder / "passers.parquet")

"""Reading tracking data of every Big Data Bowl / NGS layout into the canonical table.

>>> import ghosting
>>> tracking = ghosting.read_tracking("week13_game_2018120600.csv.gz")  # doctest: +SKIP
>>> ghosting.io.read_report(tracking)["layout"]  # doctest: +SKIP
'bdb2021'
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InputError, MissingColumnsError
from ..passes import PassWindows
from ..schema import CANONICAL_SCHEMA
from .ids import parse_ids
from .layouts import LAYOUTS, Layout, check_required, detect_layout, get_layout
from .normalise import (
    EXTRA_SCHEMA,
    NORMALISED_FLAG,
    csv_column_types,
    normalise_direction,
    play_starts,
    sort_and_deduplicate,
    to_canonical,
)
from .pairing import pair_2026_outputs, plain_strings
from .sides import (
    _play_index,
    assign_sides,
    attach_positions,
    per_play_values,
    play_directions,
    read_plays_info,
)
from .sources import Source, header, is_path, read_raw, source_name, to_arrow

__all__ = [
    "read_tracking",
    "read_targets",
    "read_report",
    "detect_layout",
    "LAYOUTS",
    "REPORT_KEY",
]

#: Schema metadata key holding the JSON read report.
REPORT_KEY = b"ghosting.read_report"


def _sources(source: Source) -> list[Source]:
    if isinstance(source, (list, tuple)):
        if not source:
            raise InputError("read_tracking: an empty list of sources")
        return list(source)
    return [source]


def _read_one(source: Source, layout: str | Layout | None) -> tuple[pa.Table, dict[str, Any]]:
    name = source_name(source)
    if not is_path(source):
        source = to_arrow(source)  # convert a DataFrame once
    columns = header(source)
    if isinstance(layout, Layout):
        chosen = layout
    elif layout is not None:
        chosen = get_layout(layout)
    else:
        chosen = detect_layout(columns, name)
    check_required(chosen, columns, name)
    wanted = chosen.source_columns(columns)
    types = csv_column_types(chosen) if is_path(source) else None  # text and Parquet
    raw = read_raw(source, wanted, types)
    table, part = to_canonical(raw, chosen, name)
    part = {"name": name, "layout": chosen.name, "rows": raw.num_rows, **part}
    return table, part


def _unify(tables: list[pa.Table]) -> pa.Table:
    if len(tables) == 1:
        return tables[0]
    if any(t.schema != tables[0].schema for t in tables[1:]):
        # e.g. a column dictionary-encoded in one part and plain in another
        tables = [plain_strings(t) for t in tables]
    return pa.concat_tables(tables, promote_options="default")


def _final_columns(table: pa.Table) -> pa.Table:
    names = [f.name for f in CANONICAL_SCHEMA]
    names += [f.name for f in EXTRA_SCHEMA if f.name in table.column_names]
    out = table.select(names)
    fields = [*CANONICAL_SCHEMA, *(f for f in EXTRA_SCHEMA if f.name in out.column_names)]
    return out.cast(pa.schema(fields))


def read_tracking(
    source: Source | Sequence[Source],
    layout: str | None = None,
    *,
    players: Source | None = None,
    plays: Source | None = None,
    games: Source | None = None,
) -> pa.Table:
    """Read tracking data of any supported layout into the canonical table.

    Parameters
    ----------
    source : path, list of paths, pyarrow.Table, pandas or polars DataFrame
        CSV, TSV (optionally gzip), or Parquet files; several files are concatenated.
        Big Data Bowl 2026 output files read with their input files continue the
        input's frames and take its players' attributes (side, role, direction).
    layout : str, optional
        Force a layout (``"bdb2019"`` ... ``"bdb2025"``, ``"bdb2026_input"``,
        ``"bdb2026_output"``, ``"ngs_highlights"``); detected from the columns when
        omitted.
    players : path or table, optional
        The competition's ``players.csv``: positions for layouts without them
        (column ``PositionAbbr`` in 2019, ``officialPosition`` in 2023, ``position``
        in the others). A player listed twice takes their first row's position; the
        read report counts players whose rows disagree
        (``players_conflicting_positions``).
    plays : path or table, optional
        A plays file: ``possessionTeam`` decides the offense, ``playDescription``
        becomes the ``play_description`` column when the tracking has none.
    games : path or table, optional
        ``games.csv``, to map ``possessionTeam`` onto home/away team labels.

    Returns
    -------
    pyarrow.Table
        Canonical columns (``schema.CANONICAL_SCHEMA``), then the optional ones the
        source has; sorted by ``(game_id, play_id, nfl_id, frame_id)``; direction
        normalised (offense toward +x); ids exact int64 (an integral float id such as
        ``33131.0`` is that integer). :func:`read_report` gives what was done,
        among it ``plays_with_repeated_pass_forward`` (plays whose pass forward event
        is on several frames: the first is used, see :func:`ghosting.pass_windows`).

    Raises
    ------
    LayoutError
        The columns match no known layout (the message names the file and columns).
    MissingColumnsError
        A column the layout requires is missing.
    InputError
        The file is missing, empty or unreadable, or an id is not an integer (the
        message names the file and column).

    Examples
    --------
    >>> import pyarrow as pa, ghosting
    >>> t = pa.table({"game_id": [1, 1], "play_id": [5, 5], "nfl_id": [7, 7],
    ...               "frame_id": [2, 1], "x": [10.0, 9.5], "y": [20.0, 20.0]})
    >>> out = ghosting.read_tracking(t)
    >>> out["frame_id"].to_pylist(), ghosting.io.read_report(out)["layout"]
    ([1, 2], 'bdb2026_output')
    """
    table, report = _read_sources(_sources(source), layout)
    starts = play_starts(table)
    if players is not None:
        table, filled = attach_positions(table, players)
        report["positions_from_players"] = filled["rows"]
        report["players_conflicting_positions"] = filled["conflicting_players"]
    info = read_plays_info(plays, games) if plays is not None else None
    if info is not None:
        table = _attach_play_columns(table, starts, info)
    table, report["sides"] = assign_sides(table, starts, info)
    table, report["direction"] = _normalise_directions(table, starts)
    has_events = table.num_rows > 0 and bool(pc.any(pc.is_valid(table["event"])).as_py())
    found = PassWindows.of(table) if has_events else None  # one scan of the events
    report["ball_clock_shifted_plays"] = _ball_clock_shifts(found)
    report["plays_with_repeated_pass_forward"] = found.repeated_forwards if found else 0

    table = _final_columns(table)
    report["rows_out"] = table.num_rows
    report["plays"] = len(starts) - 1
    report["games"] = int(len(np.unique(table["game_id"].to_numpy()))) if table.num_rows else 0
    meta = dict(table.schema.metadata or {})
    meta[REPORT_KEY] = json.dumps(report).encode()
    return table.replace_schema_metadata(meta)


def _read_sources(sources: list[Source], layout: str | None) -> tuple[pa.Table, dict[str, Any]]:
    """Read, map, pair, concatenate, sort and de-duplicate; the report so far."""
    parts: list[pa.Table] = []
    file_reports: list[dict[str, Any]] = []
    for item in sources:
        table, part = _read_one(item, layout)
        parts.append(table)
        file_reports.append(part)
    parts, pairing = pair_2026_outputs(parts, [p["layout"] for p in file_reports])
    table, exact_dropped, conflicting = sort_and_deduplicate(_unify(parts))
    layouts = sorted({p["layout"] for p in file_reports})
    report: dict[str, Any] = {
        "layout": layouts[0] if len(layouts) == 1 else layouts,
        "sources": [{k: p[k] for k in ("name", "layout", "rows")} for p in file_reports],
        "rows_in": sum(p["rows"] for p in file_reports),
        "rows_without_ids_dropped": sum(p["rows_without_ids_dropped"] for p in file_reports),
        "exact_duplicates_dropped": exact_dropped,
        "conflicting_duplicates": conflicting,
        "columns_filled_nan": sorted({c for p in file_reports for c in p["columns_filled_nan"]}),
        "events_none_to_null": sum(p.get("events_none_to_null", 0) for p in file_reports),
        **pairing,
    }
    return table, report


def _normalise_directions(table: pa.Table, starts: np.ndarray) -> tuple[pa.Table, dict[str, Any]]:
    """Fill/infer each play's direction and mirror the plays going left."""
    direction, left, inferred = play_directions(table, starts)
    table = table.set_column(
        table.schema.get_field_index("play_direction"), "play_direction", direction
    )
    if NORMALISED_FLAG in table.column_names:  # read back from ghosting's own output
        already = pc.fill_null(table[NORMALISED_FLAG], False).to_numpy(zero_copy_only=False)
        left = left & ~already
    table = normalise_direction(table, left)
    first_rows = starts[:-1]
    unknown = pc.sum(pc.is_null(direction.take(pa.array(first_rows)))).as_py() if len(
        first_rows) else 0
    return table, {
        "plays": len(first_rows),
        "left_plays_mirrored": int(left[first_rows].sum()) if len(first_rows) else 0,
        "inferred_plays": inferred,
        "direction_inferred": inferred > 0,
        "unknown_plays": int(unknown or 0),
    }


def _ball_clock_shifts(found: PassWindows | None) -> list[list[int]]:
    """``[game_id, play_id, frames]`` for plays whose ball events lie ``frames`` after
    the players' (a shifted ball clock, as on some highlight plays)."""
    if found is None:
        return []
    joined = found.ball.join(found.players, ["game_id", "play_id"],
                             right_suffix="_players", join_type="inner")  # fmt: skip
    # the shift needs both pass_forward frames only (an arrival may be missing)
    shift = pc.subtract(joined["pass_forward_frame"], joined["pass_forward_frame_players"])
    joined, shift = joined.filter(pc.is_valid(shift)), shift.filter(pc.is_valid(shift))
    shifted = joined.filter(pc.not_equal(shift, 0)).append_column(
        "shift", shift.filter(pc.not_equal(shift, 0))).sort_by([("game_id", "ascending"),
                                                                 ("play_id", "ascending")])
    return [[g, p, s] for g, p, s in zip(shifted["game_id"].to_pylist(),
                                         shifted["play_id"].to_pylist(),
                                         shifted["shift"].to_pylist(), strict=True)]


def _attach_play_columns(table: pa.Table, starts: np.ndarray, info: pa.Table) -> pa.Table:
    """Add ``play_description``/``possession_team`` and the situation (quarter, down,
    yards to go, ...) from a plays file when missing."""
    play_idx = _play_index(starts)
    columns = ("play_description", "possession_team", "quarter", "game_clock", "down",
               "yards_to_go", "absolute_yardline_number")
    for column in columns:
        if column in table.column_names or column not in info.column_names:
            continue
        values = per_play_values(table, starts, info, column)
        if values.null_count == len(values):
            continue
        indices = pa.array(play_idx.astype(np.int32))
        if pa.types.is_string(values.type):
            table = table.append_column(column, pa.DictionaryArray.from_arrays(indices, values))
        else:
            table = table.append_column(column, values.take(indices))
    return table


def read_report(table: pa.Table) -> dict[str, Any]:
    """The read report that :func:`read_tracking` attached to ``table``.

    >>> import pyarrow as pa, ghosting
    >>> t = ghosting.read_tracking(pa.table({"game_id": [1], "play_id": [1],
    ...     "nfl_id": [3], "frame_id": [1], "x": [1.0], "y": [2.0]}))
    >>> read_report(t)["rows_out"]
    1
    """
    meta = table.schema.metadata or {}
    if REPORT_KEY not in meta:
        raise InputError("this table carries no read report (it was not made by read_tracking)")
    return dict(json.loads(meta[REPORT_KEY]))


def read_targets(source: Source) -> pa.Table:
    """Read a targeted-receiver file (``gameId, playId, targetNflId``; NA allowed).

    Parameters
    ----------
    source : path or table
        ``targetedReciever.csv`` of Big Data Bowl 2021 (its spelling), or any table
        with game, play and target id columns (camelCase or snake_case).

    Returns
    -------
    pyarrow.Table
        ``game_id, play_id`` (int64), ``target_nfl_id`` (int64, null for NA: "no
        target"), every row of the file in its order. Ids are exact (an integral float
        such as ``2495454.0`` is that integer). :func:`read_report` gives ``rows``,
        ``no_target_rows`` (NA), ``duplicate_rows`` (a play listed again with the same
        target) and ``conflicting_plays`` (a play whose rows disagree: two targets, or a
        target and NA); :func:`ghosting.pass_plays` refuses the target of such a play.

    Raises
    ------
    MissingColumnsError
        A game, play or target column is missing.
    InputError
        An id is not an integer (the message names the file and column).

    Examples
    --------
    >>> import pyarrow as pa
    >>> read_targets(pa.table({"gameId": [1], "playId": [2], "targetNflId": [None]})
    ...              )["target_nfl_id"].to_pylist()
    [None]
    """
    name = source_name(source)
    available = header(source)
    lower = {c.lower(): c for c in available}
    wanted = {
        "game_id": ("gameid", "game_id"),
        "play_id": ("playid", "play_id"),
        "target_nfl_id": ("targetnflid", "target_nfl_id", "targeted_receiver", "nfl_id"),
    }
    columns = {}
    missing = []
    for canonical, options in wanted.items():
        found = next((lower[o] for o in options if o in lower), None)
        if found is None:
            missing.append(canonical)
        else:
            columns[canonical] = found
    if missing:
        raise MissingColumnsError(
            f"{name}: a targets file needs column(s) {', '.join(missing)} "
            f"(gameId, playId, targetNflId); columns: {', '.join(available)}"
        )
    raw = read_raw(source, list(columns.values()), {c: pa.string() for c in columns.values()})
    out = {}
    for canonical, column in columns.items():
        array = raw[column]
        if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
            array = pc.if_else(pc.is_in(array, pa.array(["", "NA", "None"])),
                               pa.scalar(None, array.type), array)
        out[canonical] = parse_ids(array, name, column)
    table = pa.table(out)
    keyed = table.filter(pc.and_(pc.is_valid(table["game_id"]), pc.is_valid(table["play_id"])))
    if keyed.num_rows < table.num_rows:
        raise InputError(f"{name}: {table.num_rows - keyed.num_rows} row(s) without a game or "
                         f"play id (columns {columns['game_id']!r}, {columns['play_id']!r})")
    report = {"name": name, "rows": table.num_rows,
              "no_target_rows": table["target_nfl_id"].null_count, **target_conflicts(table)}
    meta = {REPORT_KEY: json.dumps(report).encode()}
    return table.replace_schema_metadata(meta)


def target_conflicts(targets: pa.Table) -> dict[str, int]:
    """``duplicate_rows`` (a play repeated with the same target) and
    ``conflicting_plays`` (a play whose rows disagree) of a targets table."""
    marked = targets.append_column("__na", pc.is_null(targets["target_nfl_id"]))
    per_play = marked.group_by(["game_id", "play_id"], use_threads=False).aggregate(
        [([], "count_all"), ("target_nfl_id", "count_distinct"), ("__na", "any")])
    kinds = pc.add(per_play["target_nfl_id_count_distinct"],
                   pc.cast(per_play["__na_any"], pa.int64()))
    conflicting = pc.greater(kinds, 1)
    repeated = pc.subtract(per_play["count_all"], 1)
    duplicates = pc.sum(pc.if_else(conflicting, 0, repeated)).as_py() or 0
    return {"duplicate_rows": int(duplicates),
            "conflicting_plays": int(pc.sum(conflicting).as_py() or 0)}

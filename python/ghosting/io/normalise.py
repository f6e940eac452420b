"""From a raw table in a known layout to the canonical columns, rows and order.

Every step is a vectorised pyarrow/numpy operation over whole columns:
renaming and casting, the ball's rows, sorting, exact duplicates, and the play
direction (offense toward +x).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .._columns import Columns
from .._util import run_starts
from ..errors import InputError
from ..schema import BALL_ID, CANONICAL_SCHEMA, FIELD_LENGTH, FIELD_WIDTH
from .ids import parse_ids
from .layouts import Layout

__all__ = [
    "EXTRA_SCHEMA",
    "HELPER_COLUMNS",
    "to_canonical",
    "sort_order",
    "sort_and_deduplicate",
    "play_starts",
    "normalise_direction",
]

#: Optional layout-specific columns, in the order they follow the canonical ones.
EXTRA_SCHEMA = pa.schema(
    [
        ("play_description", pa.string()),
        ("player_role", pa.string()),
        ("player_to_predict", pa.bool_()),
        ("ball_land_x", pa.float64()),
        ("ball_land_y", pa.float64()),
        ("num_frames_output", pa.int32()),
        ("route", pa.string()),
        ("possession_team", pa.string()),
        # the situation before the snap (highlights, 2026 input, or a plays file)
        ("quarter", pa.int32()),
        ("game_clock", pa.string()),
        ("down", pa.int32()),
        ("yards_to_go", pa.int32()),
        ("absolute_yardline_number", pa.float64()),  # raw x of the line of scrimmage
    ]
)
#: Marks rows whose coordinates are already direction-normalised (dropped at the end).
NORMALISED_FLAG = "__normalised"
#: Columns used while reading (to decide sides) and dropped from the result.
HELPER_COLUMNS = {"player_side": pa.string(), "possession_flag": pa.float64()}

_MEASUREMENTS = ("x", "y", "s", "a", "dis", "o", "dir")
_OPTIONAL_MEASUREMENTS = ("s", "a", "dis", "o", "dir")
_BALL_NAMES = pa.array(["football", "ball"])
_TRUE_STRINGS = pa.array(["true", "t", "1", "yes", "1.0"])
_TYPES = {f.name: f.type for f in [*CANONICAL_SCHEMA, *EXTRA_SCHEMA]} | HELPER_COLUMNS


def csv_column_types(layout: Layout) -> dict[str, pa.DataType]:
    """Types to force when reading a text file in ``layout`` (source names)."""
    forced = {
        # ids as text, parsed exactly by io.ids (the highlights write 497016.0)
        **{name: pa.string() for name in ID_COLUMNS},
        "jersey_number": pa.float64(),
        "player_to_predict": pa.string(),
        "num_frames_output": pa.float64(),
        "possession_flag": pa.float64(),
    }
    out: dict[str, pa.DataType] = {}
    for source, canonical in layout.rename.items():
        if canonical in forced:
            out[source] = forced[canonical]
        elif canonical in _MEASUREMENTS or canonical in ("ball_land_x", "ball_land_y"):
            out[source] = pa.float64()
        elif canonical in DICTIONARY_COLUMNS:
            out[source] = pa.dictionary(pa.int32(), pa.string())
        else:
            out[source] = pa.string()
    return out


def _nan_to_null(array: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_floating(array.type):
        return pc.if_else(pc.is_nan(array), pa.scalar(None, array.type), array)
    return array


def _to_string(array: Any) -> Any:
    """Strings with empty values as null; dictionary-encoded input stays encoded."""
    if isinstance(array, pa.ChunkedArray):
        if pa.types.is_dictionary(array.type):
            array = array.combine_chunks() if array.num_chunks != 1 else array.chunk(0)
        elif pa.types.is_null(array.type):
            return array.cast(pa.string())
    if pa.types.is_dictionary(array.type):
        values = array.dictionary.cast(pa.string())
        empty = np.flatnonzero(
            pc.fill_null(pc.equal(pc.binary_length(values), 0), False).to_numpy(
                zero_copy_only=False
            )
        )
        indices = array.indices
        if len(empty):
            bad = pc.is_in(indices, value_set=pa.array(empty, indices.type))
            indices = pc.if_else(bad, pa.scalar(None, indices.type), indices)
        return pa.DictionaryArray.from_arrays(indices, values)
    if pa.types.is_null(array.type):
        return array.cast(pa.string())
    array = array.cast(pa.string())
    empty = pc.equal(pc.binary_length(array), 0)
    if pc.any(empty).as_py():
        array = pc.if_else(empty, pa.scalar(None, pa.string()), array)
    return array


#: Id columns, read as exact int64 by :func:`ghosting.io.ids.parse_ids`.
ID_COLUMNS = ("game_id", "play_id", "nfl_id", "frame_id")

#: String columns kept dictionary-encoded while reading (long, repeated values).
DICTIONARY_COLUMNS = ("display_name", "play_description", "player_role", "route")


def _cast(array: pa.ChunkedArray, target: pa.DataType, column: str, source: str) -> Any:
    if pa.types.is_dictionary(array.type) and not (
        pa.types.is_string(target) and column in DICTIONARY_COLUMNS
    ):
        array = array.cast(array.type.value_type)
    try:
        if pa.types.is_string(target):
            return _to_string(array)
        if pa.types.is_boolean(target):
            if pa.types.is_boolean(array.type):
                return array
            text = pc.utf8_lower(_to_string(array))
            return pc.if_else(pc.is_null(text), pa.scalar(None, pa.bool_()),
                              pc.is_in(text, value_set=_TRUE_STRINGS))
        if pa.types.is_floating(target):
            if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
                array = _to_string(array)
            return pc.fill_null(array.cast(target), float("nan"))
        if pa.types.is_integer(target):
            if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
                array = _to_string(array).cast(pa.float64())
            return _nan_to_null(array).cast(target)
        return array.cast(target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise InputError(
            f"{source}: column {column!r} cannot be read as {target} ({exc})"
        ) from exc


def _frame_ids(array: Any, source: str, column: str) -> Any:
    """Frame ids as int32 (exact integers, any sign; beyond int32 is an error)."""
    frames = parse_ids(array, source, column)
    if len(frames) - frames.null_count:
        low, high = pc.min_max(frames).values()
        limit = np.iinfo(np.int32)
        if low.as_py() < limit.min or high.as_py() > limit.max:
            raise InputError(f"{source}: column {column!r}: frame ids must fit in 32 bits "
                             f"(found {low.as_py()} .. {high.as_py()})")
    return frames.cast(pa.int32())


def _lower_in(array: Any, names: pa.Array) -> Any:
    """Case-insensitive membership test; dictionary arrays are tested on their values."""
    if pa.types.is_dictionary(array.type):
        hits = pc.is_in(pc.utf8_lower(array.dictionary), value_set=names)
        return pc.fill_null(hits.take(array.indices), False)
    return pc.fill_null(pc.is_in(pc.utf8_lower(array), value_set=names), False)


def to_canonical(raw: pa.Table, layout: Layout, source: str) -> tuple[pa.Table, dict[str, Any]]:
    """Rename and cast ``raw`` to canonical columns; mark the ball; drop id-less rows.

    Returns the table (canonical columns, then the extras present, then helper
    columns) unsorted, and a partial report.
    """
    columns: dict[str, Any] = {}
    sources: dict[str, str] = {}  # canonical name -> the source's name (for errors)
    for name in raw.column_names:
        canonical = layout.rename.get(name)
        if canonical is not None and canonical not in columns:
            columns[canonical] = raw[name]
            sources[canonical] = name
    n = raw.num_rows
    report: dict[str, Any] = {}

    # cast first (they tell the ball), and once: the loop below takes them as they are
    cast_early = ("display_name", "club")
    for name in cast_early:
        if name in columns:
            columns[name] = _cast(columns[name], pa.string(), name, source)
    is_ball = pa.chunked_array([pa.array(np.zeros(n, dtype=bool))])
    if layout.has_ball:
        for name in ("club", "display_name"):
            if name in columns:
                is_ball = pc.or_(is_ball, _lower_in(columns[name], _BALL_NAMES))

    nfl_id = parse_ids(columns["nfl_id"], source, sources["nfl_id"])
    is_ball = pc.or_(is_ball, pc.fill_null(pc.equal(nfl_id, BALL_ID), False))
    nfl_id = pc.if_else(is_ball, pa.scalar(BALL_ID, pa.int64()), nfl_id)
    columns["nfl_id"] = nfl_id
    for name in ("game_id", "play_id"):
        columns[name] = parse_ids(columns[name], source, sources[name])
    columns["frame_id"] = _frame_ids(columns["frame_id"], source, sources["frame_id"])

    out: dict[str, Any] = {}
    filled: list[str] = []
    for field in CANONICAL_SCHEMA:
        name = field.name
        if name == "side":
            out[name] = pa.nulls(n, pa.string())
        elif name in cast_early and name in columns:
            out[name] = columns[name]
        elif name in columns:
            out[name] = _cast(columns[name], field.type, name, source)
        elif pa.types.is_floating(field.type):
            out[name] = pa.array(np.full(n, np.nan))
            if name in _OPTIONAL_MEASUREMENTS:
                filled.append(name)
        else:
            out[name] = pa.nulls(n, field.type)
    for field in EXTRA_SCHEMA:
        if field.name in columns:
            out[field.name] = _cast(columns[field.name], field.type, field.name, source)
    for name, typ in HELPER_COLUMNS.items():
        if name in columns:
            out[name] = _cast(columns[name], typ, name, source)
    out["side"] = pc.if_else(is_ball, pa.scalar("ball"), pa.nulls(n, pa.string()))
    if layout.normalised:
        out[NORMALISED_FLAG] = pa.array(np.ones(n, dtype=bool))
    out["club"] = pc.if_else(is_ball, pa.scalar(None, pa.string()), out["club"])  # not a club
    table = pa.table(out)

    if "event" in columns:
        none_events = pc.fill_null(pc.equal(table["event"], "None"), False)
        count = int(pc.sum(none_events).as_py() or 0)
        if count:
            event = pc.if_else(none_events, pa.scalar(None, pa.string()), table["event"])
            table = table.set_column(table.schema.get_field_index("event"), "event", event)
        report["events_none_to_null"] = count

    keys_valid = pc.and_(
        pc.and_(pc.is_valid(table["game_id"]), pc.is_valid(table["play_id"])),
        pc.and_(pc.is_valid(table["nfl_id"]), pc.is_valid(table["frame_id"])),
    )
    dropped = n - int(pc.sum(keys_valid).as_py() or 0)
    if dropped:
        table = table.filter(keys_valid)
    report["rows_without_ids_dropped"] = dropped
    report["columns_filled_nan"] = filled
    return table, report


def sort_order(table: pa.Table, cols: Columns | None = None) -> np.ndarray | None:
    """Stable order by ``(game_id, play_id, nfl_id, frame_id)``; None if already sorted.

    Frames are ordered by their id, never by time. ``cols``: the table's
    :class:`~ghosting._columns.Columns` when the caller has them (the keys are read
    from there; keys with nulls are read afresh).
    """
    if table.num_rows < 2:
        return None
    names = ("game_id", "play_id", "nfl_id", "frame_id")
    if cols is not None and not any(table[c].null_count for c in names):
        return _order_of([cols.get(c, np.int64) for c in names])
    return _order_of(_sort_keys(table))


def _sort_keys(table: pa.Table) -> list[np.ndarray]:
    return [table[c].to_numpy() for c in ("game_id", "play_id", "nfl_id", "frame_id")]


def _order_of(columns: list[np.ndarray]) -> np.ndarray | None:
    """:func:`sort_order` of the key columns ``game, play, nfl, frame`` (n >= 2)."""
    game, play, nfl, frame = columns
    if _is_sorted(game, play, nfl, frame):
        return None
    n = len(game)
    span = 1 << 16
    packable = (
        play.min() >= 0 and play.max() < span and frame.min() >= 0 and frame.max() < span
        and game.min() >= 0 and game.max() < (1 << 46) and nfl.min() >= 0
        and nfl.max() < (1 << 46)
    )
    if packable:  # two packed keys sort faster than four
        keys = [nfl.astype(np.int64) * span + frame, game.astype(np.int64) * span + play]
    else:
        keys = [frame, nfl, play, game]
    greater = np.zeros(n - 1, dtype=bool)
    equal = np.ones(n - 1, dtype=bool)
    for k in reversed(keys):  # most significant first
        greater |= equal & (k[1:] > k[:-1])
        equal &= k[1:] == k[:-1]
    if (greater | equal).all():
        return None
    return np.lexsort(keys)


def _is_sorted(game: np.ndarray, play: np.ndarray, nfl: np.ndarray, frame: np.ndarray) -> bool:
    """Whether integer keys are sorted by ``(game, play, nfl, frame)`` (False for keys
    with nulls, which numpy holds as NaN floats: the full check decides those).

    Sorted means: each (game, play) run follows a smaller one, and within a run
    (nfl, frame) never decreases; a few passes over the rows, no packing."""
    if not all(np.issubdtype(k.dtype, np.integer) for k in (game, play, nfl, frame)):
        return False
    new_play = (game[1:] != game[:-1]) | (play[1:] != play[:-1])
    at = np.flatnonzero(new_play)
    later = (game[at + 1] > game[at]) | ((game[at + 1] == game[at]) & (play[at + 1] > play[at]))
    if not later.all():
        return False
    back = (nfl[1:] < nfl[:-1]) | ((nfl[1:] == nfl[:-1]) & (frame[1:] < frame[:-1]))
    return not (back & ~new_play).any()


def sort_and_deduplicate(table: pa.Table) -> tuple[pa.Table, int, int]:
    """Sort by ``(game_id, play_id, nfl_id, frame_id)`` and drop exact duplicate rows.

    One gather for both. Returns the table, the number of exact duplicates dropped,
    and the number of (player, frame) keys still present more than once with
    different values (kept for cleaning to flag).
    """
    n = table.num_rows
    if n < 2:
        return table, 0, 0
    keys = _sort_keys(table)
    order = _order_of(keys)
    if order is None:
        index = np.arange(n)
    else:
        index = order
        keys = [k[order] for k in keys]
    same = np.ones(n - 1, dtype=bool)
    for k in keys:
        same &= k[1:] == k[:-1]
    dropped = conflicting = 0
    if same.any():
        in_group = np.zeros(n, dtype=bool)
        in_group[1:] |= same
        in_group[:-1] |= same
        positions = np.flatnonzero(in_group)  # positions in sorted order
        subset = table.take(pa.array(index[positions]))
        subset = subset.append_column("__pos", pa.array(positions))
        distinct = subset.group_by(table.column_names, use_threads=False).aggregate(
            [("__pos", "min")]
        )
        keep_positions = np.sort(distinct["__pos_min"].to_numpy())
        keep = ~in_group
        keep[keep_positions] = True
        dropped = int(n - keep.sum())
        if dropped:
            index = index[keep]
        # conflicting keys: groups that still hold more than one row
        kept_subset = subset.take(pa.array(np.searchsorted(positions, keep_positions)))
        per_key = kept_subset.group_by(["game_id", "play_id", "nfl_id", "frame_id"]).aggregate(
            [([], "count_all")]
        )
        conflicting = int(pc.sum(pc.greater(per_key["count_all"], 1)).as_py() or 0)
    if order is None and not dropped:
        return table, 0, conflicting
    return table.take(pa.array(index)), dropped, conflicting


def play_starts(table: pa.Table) -> np.ndarray:
    """Row offsets where each play starts, plus the total row count at the end."""
    return run_starts(table["game_id"].to_numpy(), table["play_id"].to_numpy())


def _flip_angle(angle: np.ndarray, left: np.ndarray) -> np.ndarray:
    return np.where(left, np.mod(angle + 180.0, 360.0), angle)


def normalise_direction(table: pa.Table, left: np.ndarray) -> pa.Table:
    """Mirror the rows of plays going left so the offense moves toward +x."""
    if not left.any():
        return table
    updates: dict[str, np.ndarray] = {}
    for name, limit in (("x", FIELD_LENGTH), ("y", FIELD_WIDTH),
                        ("ball_land_x", FIELD_LENGTH), ("ball_land_y", FIELD_WIDTH)):
        if name in table.column_names:
            values = table[name].to_numpy()
            updates[name] = np.where(left, limit - values, values)
    for name in ("o", "dir"):
        updates[name] = _flip_angle(table[name].to_numpy(), left)
    for name, values in updates.items():
        index = table.schema.get_field_index(name)
        table = table.set_column(index, name, pa.array(values, pa.float64()))
    return table

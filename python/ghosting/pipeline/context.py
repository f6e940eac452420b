"""Names and situation carried into the output tables.

Every output row that names a player gets his ``display_name``, ``position`` and
``club`` (as the input gives them: an abbreviation, or ``home``/``away`` in the
2021 and 2022 layouts); every play gets its description, quarter, game clock,
down, yards to go, possession team, ``play_direction`` (as shipped, so outputs can
be mapped back to the raw coordinates), line of scrimmage and first-down line (in
the output frame: offense toward +x), and the passer. Columns the input does not
have are null.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .._util import run_starts
from ..plays.play_rows import play_firsts, track_firsts
from ..schema import BALL_ID, FIELD_LENGTH
from .columns import Columns, _np, _row_index

#: Columns added to every row that names a player.
PLAYER_FIELDS = [
    pa.field("display_name", pa.string()),
    pa.field("position", pa.string()),
    pa.field("club", pa.string()),
]

#: Columns added to each play of ``plays``.
PLAY_FIELDS = [
    pa.field("play_description", pa.string()),
    pa.field("quarter", pa.int32()),
    pa.field("game_clock", pa.string()),
    pa.field("down", pa.int32()),
    pa.field("yards_to_go", pa.int32()),
    pa.field("possession_team", pa.string()),
    pa.field("play_direction", pa.string()),
    pa.field("line_of_scrimmage", pa.float64()),  # x of the ball at the snap (output frame)
    pa.field("first_down_line", pa.float64()),  # line_of_scrimmage + yards_to_go
    pa.field("passer_nfl_id", pa.int64()),
    pa.field("passer_display_name", pa.string()),
]

#: Columns naming a play's or a score row's receivers.
TARGET_FIELDS = [
    pa.field("target_display_name", pa.string()),
    pa.field("target_position", pa.string()),
    pa.field("target_club", pa.string()),
]

_GOAL_LINE = FIELD_LENGTH - 10.0


def _strings(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    return column.cast(pa.string())


def player_info(game: pa.Table, cols: Columns | None = None) -> pa.Table:
    """``game_id, play_id, nfl_id, display_name, position, club, jersey_number`` of each
    track of ``game`` (one game or a batch of games; its first row's values; the ball
    has none). ``cols``: the batch's :class:`~ghosting.pipeline.columns.Columns` of
    ``game`` when the caller has them."""
    cols = Columns(game) if cols is None else cols
    games = cols.get("game_id", np.int64)
    play = cols.get("play_id", np.int64)
    nfl = cols.get("nfl_id", np.int64)
    first = cols.runs("game_id", "play_id", "nfl_id")[:-1]
    columns: dict[str, pa.Array] = {
        "game_id": pa.array(games[first]), "play_id": pa.array(play[first]),
        "nfl_id": pa.array(nfl[first]),
    }
    firsts = track_firsts(cols)  # PLAYER_FIELDS and jersey_number, once per table
    for field in PLAYER_FIELDS:
        if field.name in game.column_names:
            columns[field.name] = _strings(firsts[field.name])
        else:
            columns[field.name] = pa.nulls(len(first), pa.string())
    columns["jersey_number"] = (
        firsts["jersey_number"].combine_chunks().cast(pa.int32())
        if "jersey_number" in game.column_names else pa.nulls(len(first), pa.int32())
    )
    return pa.table(columns)


def _names(
    info: pa.Table, game_id: pa.Array, play_id: pa.Array, nfl_id: pa.Array,
    names: tuple[str, ...] | None = None, index: np.ndarray | None = None,
) -> list[pa.Array]:
    """``PLAYER_FIELDS`` (or the columns ``names``) of :func:`player_info` for
    (game_id, play_id, nfl_id) triples, null where unknown (``index``: the triples'
    rows of ``info`` when the caller matched them already)."""
    if index is None:
        index = _info_rows(info, game_id, play_id, nfl_id)
    return _info_at(info, index, names)


def _info_at(info: pa.Table, index: np.ndarray, names: tuple[str, ...] | None = None
             ) -> list[pa.Array]:  # fmt: skip
    """``PLAYER_FIELDS`` (or the columns ``names``) of the rows ``index`` of
    :func:`player_info` ``info``, null where the index is -1."""
    wanted = list(names or tuple(f.name for f in PLAYER_FIELDS))
    if not info.num_rows:
        return [pa.nulls(len(index), info.schema.field(name).type) for name in wanted]
    take = pa.array(index, mask=index < 0)  # a null index takes a null
    taken = info.select(wanted).take(take)  # one take for all the columns
    return [taken[name].combine_chunks() for name in wanted]


def _info_rows(info: pa.Table, game_id: pa.Array, play_id: pa.Array, nfl_id: pa.Array
               ) -> np.ndarray:  # fmt: skip
    """The row of :func:`player_info` ``info`` of each (game_id, play_id, nfl_id) triple
    (-1 where none)."""
    probe = pa.table({"game_id": game_id, "play_id": play_id, "nfl_id": nfl_id})
    return _row_index(probe, info, ["game_id", "play_id", "nfl_id"])


def _key_runs(table: pa.Table, keys: list[str]) -> tuple[np.ndarray, pa.Table]:
    """Starts (and end) of the runs of equal ``keys`` of ``table`` (a null differs from
    every value) and the ``keys`` on each run's first row: a long table (a
    trajectory's frames) is matched run by run, not row by row."""
    values: list[np.ndarray] = []
    valid: list[np.ndarray | None] = []
    for key in keys:
        column = table[key]
        if column.null_count:
            valid.append(_np(pc.is_valid(column), bool))
            column = pc.fill_null(column, 0)
        else:
            valid.append(None)
        values.append(_np(column, np.int64))
    starts = run_starts(*values, *(v for v in valid if v is not None))
    first = starts[:-1]
    heads = pa.table({
        key: pa.array(v[first], mask=None if ok is None else ~ok[first])
        for key, v, ok in zip(keys, values, valid, strict=True)
    })  # fmt: skip
    return starts, heads


def add_player_columns(
    table: pa.Table, info: pa.Table, situation: pa.Table, schema: pa.Schema
) -> pa.Table:
    """``table`` (rows naming a player by ``nfl_id``) with ``PLAYER_FIELDS`` appended,
    ``TARGET_FIELDS`` for its ``target_nfl_id`` and the play's ``play_direction`` when
    ``schema`` has them (``situation`` is :func:`play_info`); cast to ``schema``.

    Every look-up is made once per run of equal keys (a trajectory's rows) and spread
    over its rows."""
    if not table.num_rows:
        return schema.empty_table()
    with_targets = "target_display_name" in schema.names
    starts, heads = _key_runs(
        table, ["game_id", "play_id", "nfl_id", *(["target_nfl_id"] if with_targets else [])])
    lengths = np.diff(starts)
    # the players and (with targets) the targets of the runs, matched in one look-up
    who = ["nfl_id", *(["target_nfl_id"] if with_targets else [])]
    found = _info_rows(info, _stacked(heads["game_id"], len(who)),
                       _stacked(heads["play_id"], len(who)),
                       pa.concat_arrays([heads[name].combine_chunks() for name in who]))
    n_runs = heads.num_rows
    rows = np.repeat(found[:n_runs], lengths)
    for field, values in zip(PLAYER_FIELDS, _info_at(info, rows), strict=True):
        table = table.append_column(field, values)
    if "jersey_number" in table.column_names and table["jersey_number"].null_count:
        # ghost rows carry the defender's number too
        jersey = _info_at(info, rows, ("jersey_number",))[0]
        table = table.set_column(table.schema.get_field_index("jersey_number"),
                                 "jersey_number", pc.coalesce(table["jersey_number"], jersey))
    if with_targets:
        target_rows = np.repeat(found[n_runs:], lengths)
        for field, values in zip(TARGET_FIELDS, _info_at(info, target_rows), strict=True):
            table = table.append_column(field, values)
    if "play_direction" in schema.names and "play_direction" not in table.column_names:
        index = np.repeat(_row_index(heads, situation, ["game_id", "play_id"]), lengths)
        direction = situation["play_direction"].take(pa.array(index, mask=index < 0))
        table = table.append_column("play_direction", direction)
    return _finish(table, schema)


def _stacked(column: pa.ChunkedArray | pa.Array, times: int) -> pa.Array:
    """``column`` ``times`` times over, one after the other (one array)."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    return column if times == 1 else pa.concat_arrays([column] * times)


def _finish(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """``table`` with the columns of ``schema`` it lacks as nulls, in schema order."""
    n = table.num_rows
    have = dict(zip(table.column_names, table.columns, strict=True))
    columns = []
    for f in schema:
        column = have.get(f.name)
        if column is None:
            columns.append(pa.nulls(n, f.type))
        else:
            columns.append(column if column.type == f.type else column.cast(f.type))
    return pa.Table.from_arrays(columns, schema=schema)


def _per_play_first(firsts: pa.Table, name: str, typ: pa.DataType) -> pa.Array:
    """The column ``name`` of ``firsts`` (each play's first row) as ``typ``."""
    if name not in firsts.column_names:
        return pa.nulls(firsts.num_rows, typ)
    column = firsts[name].combine_chunks()
    if pa.types.is_string(typ):
        return _strings(column)
    return column.cast(typ)


def play_info(
    game: pa.Table, plays: pa.Table, info: pa.Table | None = None,
    cols: Columns | None = None,
) -> pa.Table:
    """``game_id, play_id`` and ``PLAY_FIELDS`` for each play of ``plays`` (of one game
    or a batch of games; ``plays`` as :func:`ghosting.pass_plays` returns them;
    ``info``: :func:`player_info` of ``game`` when the caller has it; ``cols``: the
    batch's :class:`~ghosting.pipeline.columns.Columns` of ``game``)."""
    cols = Columns(game) if cols is None else cols
    games = cols.get("game_id", np.int64)
    play = cols.get("play_id", np.int64)
    starts = cols.runs("game_id", "play_id")
    game_ids, ids = games[starts[:-1]], play[starts[:-1]]
    columns: dict[str, pa.Array] = {"game_id": pa.array(game_ids), "play_id": pa.array(ids)}
    firsts = play_firsts(cols)  # PLAY_FIELDS[:7] and the yardline, once per table
    for field in PLAY_FIELDS[:7]:
        columns[field.name] = _per_play_first(firsts, field.name, field.type)
    if "possession_team" not in game.column_names:
        columns["possession_team"] = _offense_club(game, starts, cols)
    los = _line_of_scrimmage(firsts, starts, columns["play_direction"], cols)
    columns["line_of_scrimmage"] = pa.array(los)
    to_go = _np(columns["yards_to_go"].cast(pa.float64()), np.float64, np.nan)
    first_down = np.minimum(los + to_go, _GOAL_LINE)
    columns["first_down_line"] = pa.array(first_down, mask=~np.isfinite(first_down))
    passer, passer_row = _passer(game, plays, starts, game_ids, ids, cols)
    columns["passer_nfl_id"] = pa.array(passer, mask=passer < 0)
    index = None
    if info is None or _is_player_info(info, cols):
        # info lists the tracks in order: the passer's row says his track
        tracks = cols.runs("game_id", "play_id", "nfl_id")
        index = np.where(passer_row >= 0, np.searchsorted(tracks, passer_row, "right") - 1, -1)
    info = player_info(game, cols) if info is None else info
    columns["passer_display_name"] = _names(
        info, pa.array(game_ids), pa.array(ids), pa.array(passer, mask=passer < 0),
        index=index,
    )[0]
    table = pa.table(columns)
    if _same_plays(plays, game_ids, ids):  # pass_plays of ``game``: its plays, in order
        return table
    index = _row_index(plays, table, ["game_id", "play_id"])
    found = index >= 0
    out = table.take(pa.array(np.where(found, index, 0)))
    if not found.all():  # plays with no rows cannot happen; keep the shape regardless
        out = pa.Table.from_arrays(
            [pc.if_else(pa.array(found), c, pa.scalar(None, c.type)) for c in out.columns],
            names=out.column_names,
        )
    return out


def _is_player_info(info: pa.Table, cols: Columns) -> bool:
    """True when ``info`` lists the tracks of the table of ``cols`` in order (as
    :func:`player_info` of it does)."""
    first = cols.runs("game_id", "play_id", "nfl_id")[:-1]
    if info.num_rows != len(first):
        return False
    for key in ("game_id", "play_id", "nfl_id"):
        if info[key].null_count or not np.array_equal(_np(info[key], np.int64),
                                                      cols.get(key, np.int64)[first]):
            return False
    return True


def _same_plays(plays: pa.Table, game_ids: np.ndarray, ids: np.ndarray) -> bool:
    """True when ``plays`` lists exactly the plays ``game_ids, ids``, in that order."""
    if plays.num_rows != len(ids) or any(plays[k].null_count for k in ("game_id", "play_id")):
        return False
    return bool(np.array_equal(_np(plays["game_id"], np.int64), game_ids)
                and np.array_equal(_np(plays["play_id"], np.int64), ids))  # fmt: skip


def _offense_club(game: pa.Table, starts: np.ndarray, cols: Columns) -> pa.Array:
    """The club of each play's offense (from the ``side`` the reader decided)."""
    n_plays = len(starts) - 1
    if "club" not in game.column_names:
        return pa.nulls(n_plays, pa.string())
    offense = cols.equals("side", "offense")
    codes, names = cols.codes("club")
    play_index = cols.run_index("game_id", "play_id")
    ok = offense & (codes >= 0)
    if not (ok.any() and names):
        return pa.nulls(n_plays, pa.string())
    width = len(names)
    counts = np.bincount(play_index[ok] * width + codes[ok],
                         minlength=n_plays * width).reshape(n_plays, width)  # fmt: skip
    best = counts.argmax(axis=1)  # the first value listed wins a tie
    return pa.array(names, pa.string()).take(pa.array(best, mask=counts.max(axis=1) == 0))


def _line_of_scrimmage(
    firsts: pa.Table, starts: np.ndarray, direction: pa.Array, cols: Columns
) -> np.ndarray:
    """The ball's x at the snap (output frame); else the shipped absolute yardline
    (raw frame, mapped like the coordinates; ``firsts``: each play's first row); NaN
    when neither is known."""
    n_plays = len(starts) - 1
    los = np.full(n_plays, np.nan)
    play_index = cols.run_index("game_id", "play_id")
    snap = np.zeros(0, dtype=np.int64)
    if "event" in cols.table.column_names:
        # the few rows with an event (kept for the pass windows), not a mask of them all
        rows, text = cols.valid_values("event")
        snap = rows[_np(pc.fill_null(pc.equal(text, "ball_snap"), False), bool)]
    snap = snap[cols.get("nfl_id", np.int64)[snap] == BALL_ID]
    if len(snap):
        x = cols.get("x", np.float64)[snap]
        plays_of = play_index[snap]
        keep = np.unique(plays_of, return_index=True)[1]
        los[plays_of[keep]] = x[keep]
    if "absolute_yardline_number" in firsts.column_names:
        shipped = _np(firsts["absolute_yardline_number"], np.float64)
        left = _np(pc.fill_null(pc.equal(direction, "left"), False), bool)
        shipped = np.where(left, FIELD_LENGTH - shipped, shipped)
        los = np.where(np.isnan(los), shipped, los)
    return los


def _passer(
    game: pa.Table, plays: pa.Table, starts: np.ndarray, game_ids: np.ndarray, ids: np.ndarray,
    cols: Columns,
) -> tuple[np.ndarray, np.ndarray]:
    """Per play (``game_ids``, ``ids``: the runs ``starts`` of ``game``): the passer, the
    quarterback nearest the ball at pass forward, else the offensive player nearest it
    (-1 when there is no pass forward, ball or offensive player then); and his row of
    ``game`` at pass forward (-1 where none)."""
    out = np.full(len(ids), -1, dtype=np.int64)
    out_rows = np.full(len(ids), -1, dtype=np.int64)
    plays_pf = _np(plays["pass_forward_frame"], np.int64, -1)
    if _same_plays(plays, game_ids, ids):
        where = np.arange(len(ids), dtype=np.int64)
    else:
        where = _row_index(plays, pa.table({"game_id": game_ids, "play_id": ids}),
                           ["game_id", "play_id"])  # fmt: skip
    forward = np.full(len(ids), -1, dtype=np.int64)
    ok = where >= 0
    forward[where[ok]] = plays_pf[ok]
    row_play = cols.run_index("game_id", "play_id")
    found = cols.rows_at(forward, forward >= 0)
    if found is None:
        forward_of_row = forward[row_play]
        at_forward = (cols.get("frame_id", np.int64) == forward_of_row) & (forward_of_row >= 0)
        found = np.flatnonzero(at_forward)
    rows = found
    if not len(rows):
        return out, out_rows
    nfl = cols.get("nfl_id", np.int64)[rows]
    x = cols.get("x", np.float64)[rows]
    y = cols.get("y", np.float64)[rows]
    offense = cols.equals("side", "offense")[rows]
    ball = nfl == BALL_ID
    p = row_play[rows]
    ball_x = np.full(len(ids), np.nan)
    ball_y = np.full(len(ids), np.nan)
    ball_x[p[ball]], ball_y[p[ball]] = x[ball], y[ball]
    distance = np.hypot(x - ball_x[p], y - ball_y[p])
    candidate = offense & np.isfinite(distance)
    if not candidate.any():
        return out, out_rows
    qb = np.zeros(len(rows), dtype=bool)
    if "position" in game.column_names:
        qb = cols.equals("position", "QB")[rows]
    p, distance, nfl, qb = p[candidate], distance[candidate], nfl[candidate], qb[candidate]
    order = np.lexsort((nfl, distance, ~qb, p))  # a quarterback first, then the nearest
    first = np.unique(p[order], return_index=True)[1]
    out[p[order][first]] = nfl[order][first]
    out_rows[p[order][first]] = rows[candidate][order][first]
    return out, out_rows


def add_play_columns(
    table: pa.Table, info: pa.Table, situation: pa.Table, schema: pa.Schema
) -> pa.Table:
    """The ``plays`` output ``table`` (in the order of ``situation``, :func:`play_info`)
    with the play's situation, the passer and the names of the targeted receiver, the
    most open option and each option; cast to ``schema``."""
    if not table.num_rows:
        return schema.empty_table()
    for field in PLAY_FIELDS:
        table = table.append_column(field, situation[field.name])
    # the targeted receivers, the most open options and every option: one look-up
    lists = table["options"].combine_chunks()
    lengths = np.asarray(pc.fill_null(pc.list_value_length(lists), 0), dtype=np.int64)
    flat = pc.list_flatten(lists)
    games, plays = (_np(table[name], np.int64) for name in ("game_id", "play_id"))
    n = table.num_rows
    rows = _info_rows(
        info,
        pa.array(np.concatenate([games, games, np.repeat(games, lengths)])),
        pa.array(np.concatenate([plays, plays, np.repeat(plays, lengths)])),
        pa.concat_arrays([table["targeted_receiver"].combine_chunks().cast(pa.int64()),
                          table["best_option"].combine_chunks().cast(pa.int64()),
                          flat.field("nfl_id").cast(pa.int64())]),
    )
    for field, values in zip(TARGET_FIELDS, _info_at(info, rows[:n]), strict=True):
        table = table.append_column(field, values)
    best = _info_at(info, rows[n:2 * n], ("display_name",))
    table = table.append_column("best_option_display_name", best[0])
    options_field = schema.field("options")
    table = table.set_column(
        table.schema.get_field_index("options"),
        options_field,
        _named_options(lists, lengths, flat, rows[2 * n:], info, options_field.type),
    )
    return _finish(table, schema)


def _named_options(
    lists: pa.Array, lengths: np.ndarray, flat: pa.Array, rows: np.ndarray, info: pa.Table,
    typ: pa.DataType,
) -> pa.Array:
    """The options ``lists`` (``lengths`` entries each, ``flat`` all of them) with each
    receiver's ``display_name``, ``position`` and ``club`` (``rows``: each entry's row of
    ``info``, -1 where none)."""
    names = _info_at(info, rows)
    struct_type = typ.value_type
    children = []
    for field in struct_type:
        if field.name in {f.name for f in PLAYER_FIELDS}:
            children.append(names[[f.name for f in PLAYER_FIELDS].index(field.name)])
        else:
            children.append(flat.field(field.name).cast(field.type))
    values = pa.StructArray.from_arrays(children, fields=list(struct_type))
    offsets = pa.array(np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32))
    return pa.ListArray.from_arrays(offsets, values, type=typ)

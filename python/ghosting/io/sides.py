"""Who is on offense, players' positions, and which way each play goes.

Works on a table already sorted by ``(game_id, play_id, nfl_id, frame_id)``:
per-play values are computed over play offsets with numpy (no loops over rows).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InputError, MissingColumnsError
from .ids import parse_ids
from .sources import Source, header, read_raw, source_name

__all__ = [
    "POSITION_COLUMNS",
    "attach_positions",
    "assign_sides",
    "per_play_values",
    "play_directions",
    "read_plays_info",
]


def _pick(columns: list[str], *names: str) -> str | None:
    lower = {c.lower(): c for c in columns}
    for name in names:
        if name.lower() in lower:
            return lower[name.lower()]
    return None


def _set(table: pa.Table, name: str, values: Any) -> pa.Table:
    index = table.schema.get_field_index(name)
    if index < 0:
        return table.append_column(name, values)
    return table.set_column(index, name, values)


def _lookup(keys: np.ndarray, table_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index into ``table_keys`` (any order) for each of ``keys``, and a found mask."""
    order = np.argsort(table_keys, kind="stable")
    sorted_keys = table_keys[order]
    pos = np.searchsorted(sorted_keys, keys)
    pos = np.clip(pos, 0, max(len(sorted_keys) - 1, 0))
    found = (sorted_keys[pos] == keys) if len(sorted_keys) else np.zeros(len(keys), bool)
    return order[pos] if len(sorted_keys) else pos, found


#: Spellings of the position column of a players file (2019, 2023, the others, 2026).
POSITION_COLUMNS = ("position", "PositionAbbr", "officialPosition", "player_position")


def _read_side_file(source: Source, id_columns: list[str], other: list[str]) -> pa.Table:
    """Only the named columns of a side file, its id columns read as text (exact ids)."""
    wanted = [c for c in dict.fromkeys([*id_columns, *other]) if c]
    return read_raw(source, wanted, {c: pa.string() for c in id_columns})


def attach_positions(table: pa.Table, players: Source) -> tuple[pa.Table, dict[str, int]]:
    """Fill null positions from a players table (``nflId`` + a position column).

    The position column is any of ``POSITION_COLUMNS`` (``position``,
    ``PositionAbbr`` of 2019, ``officialPosition`` of 2023, ``player_position``).
    A player listed more than once takes the position of their first row that has
    one; players whose rows give different positions are counted. Returns the table
    and ``{"rows": rows that got a position, "conflicting_players": ...}``.
    """
    name = source_name(players)
    columns = header(players)
    id_col = _pick(columns, "nflId", "nfl_id")
    pos_col = _pick(columns, *POSITION_COLUMNS)
    if id_col is None or pos_col is None:
        pairs = (("nflId", id_col), ("/".join(POSITION_COLUMNS), pos_col))
        missing = [n for n, c in pairs if c is None]
        raise MissingColumnsError(
            f"{name}: a players file needs column(s) {', '.join(missing)} "
            f"(columns: {', '.join(columns)})"
        )
    raw = _read_side_file(players, [id_col], [pos_col])
    ids = parse_ids(raw[id_col], name, id_col)
    positions = pc.utf8_trim_whitespace(raw[pos_col].cast(pa.string()))
    positions = pc.if_else(pc.equal(pc.binary_length(positions), 0),
                           pa.scalar(None, pa.string()), positions)
    usable = pc.and_(pc.is_valid(ids), pc.is_valid(positions))
    listed = pa.table({"nfl_id": ids, "position": positions,
                       "__row": np.arange(raw.num_rows)}).filter(usable)
    per_player = listed.group_by("nfl_id", use_threads=False).aggregate(
        [("__row", "min"), ("position", "count_distinct")])
    conflicting = int(pc.sum(pc.greater(per_player["position_count_distinct"], 1)).as_py() or 0)
    first = listed.take(pc.index_in(per_player["__row_min"], listed["__row"]))
    report = {"rows": 0, "conflicting_players": conflicting}
    if table.num_rows == 0 or first.num_rows == 0:
        return table, report
    idx, found = _lookup(table["nfl_id"].to_numpy(), first["nfl_id"].to_numpy())
    current = table["position"]
    need = pc.is_null(current).to_numpy(zero_copy_only=False) & found
    if not need.any():
        return table, report
    nulls = pa.nulls(len(idx), pa.string())
    looked = pc.if_else(pa.array(need), first["position"].combine_chunks().take(pa.array(idx)),
                        nulls)
    filled = pc.coalesce(current, looked)
    report["rows"] = int(need.sum())
    return _set(table, "position", filled), report


#: Situation columns a plays file may give: canonical name, source names, type.
_SITUATION_COLUMNS = (
    ("quarter", ("quarter",), pa.int32()),
    ("game_clock", ("gameClock", "game_clock"), pa.string()),
    ("down", ("down",), pa.int32()),
    ("yards_to_go", ("yardsToGo", "yards_to_go"), pa.int32()),
    ("absolute_yardline_number", ("absoluteYardlineNumber", "absolute_yardline_number"),
     pa.float64()),
)


def read_plays_info(plays: Source, games: Source | None) -> pa.Table:
    """``game_id, play_id, possession_team, play_description[, home_team, away_team]``.

    A play listed more than once takes its first row.
    """
    name = source_name(plays)
    cols = header(plays)
    game_col, play_col = _pick(cols, "gameId", "game_id"), _pick(cols, "playId", "play_id")
    poss_col = _pick(cols, "possessionTeam", "possession_team")
    desc_col = _pick(cols, "playDescription", "play_description")
    missing = [n for n, c in (("gameId", game_col), ("playId", play_col)) if c is None]
    if missing or (poss_col is None and desc_col is None):
        if poss_col is None and desc_col is None:
            missing.append("possessionTeam or playDescription")
        raise MissingColumnsError(
            f"{name}: a plays file needs column(s) {', '.join(missing)} "
            f"(columns: {', '.join(cols)})"
        )
    assert game_col is not None and play_col is not None
    situation = [(canonical, _pick(cols, *names), typ) for canonical, names, typ
                 in _SITUATION_COLUMNS]
    raw = _read_side_file(
        plays,
        [game_col, play_col],
        [c for c in (poss_col, desc_col, *(col for _, col, _ in situation)) if c],
    )
    out = {
        "game_id": parse_ids(raw[game_col], name, game_col),
        "play_id": parse_ids(raw[play_col], name, play_col),
        "possession_team": raw[poss_col].cast(pa.string()) if poss_col
        else pa.nulls(raw.num_rows, pa.string()),
        "play_description": raw[desc_col].cast(pa.string()) if desc_col
        else pa.nulls(raw.num_rows, pa.string()),
    }
    # the situation before the snap, when the plays file has it
    for canonical, col, typ in situation:
        if col is not None:
            try:
                out[canonical] = pc.cast(
                    raw[col].cast(pa.string()).cast(pa.float64())
                    if pa.types.is_integer(typ) else raw[col], typ, safe=False)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise InputError(
                    f"{name}: column {col!r} cannot be read as {typ} ({exc})"
                ) from exc
    info = _first_per_key(pa.table(out), ["game_id", "play_id"])
    if games is not None:
        gname = source_name(games)
        gcols = header(games)
        g_id = _pick(gcols, "gameId", "game_id")
        home = _pick(gcols, "homeTeamAbbr", "home_team_abbr")
        away = _pick(gcols, "visitorTeamAbbr", "visitor_team_abbr", "awayTeamAbbr")
        if g_id is None or home is None or away is None:
            raise MissingColumnsError(
                f"{gname}: a games file needs gameId, homeTeamAbbr, visitorTeamAbbr "
                f"(columns: {', '.join(gcols)})"
            )
        graw = _read_side_file(games, [g_id], [home, away])
        gtable = _first_per_key(pa.table({
            "game_id": parse_ids(graw[g_id], gname, g_id),
            "home_team": graw[home].cast(pa.string()),
            "away_team": graw[away].cast(pa.string()),
        }), ["game_id"])
        info = info.join(gtable, "game_id", join_type="left outer", use_threads=False)
    return info


def _first_per_key(table: pa.Table, keys: list[str]) -> pa.Table:
    """The first row of each key (rows with a null key dropped)."""
    valid = pc.is_valid(table[keys[0]])
    for key in keys[1:]:
        valid = pc.and_(valid, pc.is_valid(table[key]))
    table = table.filter(valid)
    rows = table.append_column("__row", pa.array(np.arange(table.num_rows)))
    first = rows.group_by(keys, use_threads=False).aggregate([("__row", "min")])
    return table.take(pa.array(np.sort(first["__row_min"].to_numpy())))


def _play_index(starts: np.ndarray) -> np.ndarray:
    counts = np.diff(starts)
    return np.repeat(np.arange(len(counts)), counts)


def per_play_values(table: pa.Table, starts: np.ndarray, info: pa.Table, column: str) -> pa.Array:
    """Values of ``info[column]`` for each play of ``table`` (null when absent)."""
    first = starts[:-1]
    game = table["game_id"].to_numpy()[first]
    play = table["play_id"].to_numpy()[first]
    keys = pa.table({"game_id": game, "play_id": play, "__i": np.arange(len(first))})
    joined = keys.join(info.select(["game_id", "play_id", column]),
                       ["game_id", "play_id"], join_type="left outer", use_threads=False)
    joined = joined.sort_by("__i")
    return joined[column].combine_chunks()


def assign_sides(
    table: pa.Table, starts: np.ndarray, info: pa.Table | None
) -> tuple[pa.Table, dict[str, Any]]:
    """Set ``side`` (offense/defense/ball) for every row; report how it was decided.

    Order: 2026 ``player_side``; highlights ``possession_flag``; the possession team
    of a plays file (mapped to home/away with a games file when needed); else the
    club of the player at QB on that play.
    """
    n = table.num_rows
    report: dict[str, Any] = {"methods": []}
    side = np.zeros(n, dtype=np.int8)  # codes into _SIDE_NAMES (0: unknown)
    decided = np.zeros(n, dtype=bool)
    is_ball = pc.fill_null(pc.equal(table["side"], "ball"), False).to_numpy(zero_copy_only=False)
    side[is_ball] = _BALL
    decided |= is_ball

    if "player_side" in table.column_names:
        ps = pc.utf8_lower(table["player_side"]).to_numpy(zero_copy_only=False)
        offense, defense = ~decided & (ps == "offense"), ~decided & (ps == "defense")
        ok = offense | defense
        side[offense] = _OFFENSE
        side[defense] = _DEFENSE
        decided |= ok
        if ok.any():
            report["methods"].append("player_side")
    if "possession_flag" in table.column_names:
        flag = table["possession_flag"].to_numpy(zero_copy_only=False)
        ok = ~decided & np.isfinite(flag)
        side[ok & (flag == 1)] = _OFFENSE
        side[ok & (flag != 1)] = _DEFENSE
        decided |= ok
        if ok.any():
            report["methods"].append("possession_flag")

    n_plays = len(starts) - 1
    play_idx = _play_index(starts)
    if (~decided).any() and n_plays > 0:
        club = table["club"]
        codes_arr = pc.dictionary_encode(club).combine_chunks()
        dictionary = codes_arr.dictionary.to_pylist()
        has_club = np.asarray(pc.is_valid(codes_arr.indices).to_numpy(zero_copy_only=False),
                              dtype=bool)
        codes = pc.fill_null(codes_arr.indices, 0).to_numpy(zero_copy_only=False).astype(
            np.int64)
        n_clubs = len(dictionary)
        offense = np.zeros(n_plays, dtype=np.int64)  # the offense's club code per play
        has_offense = np.zeros(n_plays, dtype=bool)
        if info is not None and n_clubs:
            offense, has_offense = _offense_from_plays(table, starts, info, dictionary)
            if has_offense.any():
                report["methods"].append("possession_team")
        todo = ~has_offense
        if todo.any() and n_clubs:
            qb = (pc.fill_null(pc.equal(table["position"], "QB"), False)
                  .to_numpy(zero_copy_only=False) & has_club & ~is_ball)
            counts = np.bincount(play_idx[qb] * n_clubs + codes[qb],
                                 minlength=n_plays * n_clubs).reshape(n_plays, n_clubs)
            has_qb = counts.max(axis=1) > 0
            pick = todo & has_qb
            offense[pick] = counts.argmax(axis=1)[pick]
            has_offense |= pick
            if pick.any():
                report["methods"].append("quarterback_club")
        known = ~decided & has_offense[play_idx] & has_club
        on_offense = codes == offense[play_idx]
        side[known & on_offense] = _OFFENSE
        side[known & ~on_offense] = _DEFENSE
        decided |= known
        if (~decided & has_club).any():
            # no quarterback, and one club tracked (some files track only part of the
            # field): its players' positions tell its side. With both clubs on the
            # field and no quarterback (kicks, punts) the side stays unknown.
            by_position = _sides_by_position(table, play_idx, codes, has_club, n_plays, n_clubs)
            one_club = _clubs_per_play(play_idx, codes, has_club, n_plays, n_clubs) == 1
            rest = ~decided & (by_position != 0) & ~is_ball & one_club[play_idx]
            side[rest & (by_position > 0)] = _OFFENSE
            side[rest & (by_position < 0)] = _DEFENSE
            decided |= rest
            if rest.any():
                report["methods"].append("position_groups")
    report["rows_without_side"] = int(np.count_nonzero(~decided))
    report["plays_without_side"] = int(np.unique(play_idx[~decided]).size)
    return _set(table, "side", pc.take(_SIDE_NAMES, pa.array(side))), report


#: The side column's values by code (assign_sides works on int8 codes, one string
#: column at the end).
_SIDE_NAMES = pa.array([None, "ball", "offense", "defense"], pa.string())
_BALL, _OFFENSE, _DEFENSE = 1, 2, 3


_OFFENSE_POSITIONS = ["QB", "WR", "TE", "RB", "FB", "HB", "T", "G", "C", "OT", "OG", "OL"]
_DEFENSE_POSITIONS = ["CB", "S", "SS", "FS", "DB", "LB", "ILB", "OLB", "MLB", "DE", "DT",
                      "NT", "DL"]


def _clubs_per_play(
    play_idx: np.ndarray, codes: np.ndarray, ok: np.ndarray, n_plays: int, n_clubs: int
) -> np.ndarray:
    """How many clubs each play has rows of (``ok``: rows with a club)."""
    present = np.zeros(n_plays * n_clubs, dtype=bool)
    present[play_idx[ok] * n_clubs + codes[ok]] = True
    return present.reshape(n_plays, n_clubs).sum(axis=1)


def _sides_by_position(
    table: pa.Table, play_idx: np.ndarray, codes: np.ndarray, ok: np.ndarray, n_plays: int,
    n_clubs: int,
) -> np.ndarray:
    """Per row, the sign of (offensive - defensive) position rows of its club on its play."""
    position = table["position"]
    off = pc.fill_null(pc.is_in(position, value_set=pa.array(_OFFENSE_POSITIONS)), False)
    dfn = pc.fill_null(pc.is_in(position, value_set=pa.array(_DEFENSE_POSITIONS)), False)
    vote = off.to_numpy(zero_copy_only=False).astype(np.int64) - dfn.to_numpy(
        zero_copy_only=False
    ).astype(np.int64)
    key = play_idx[ok] * n_clubs + codes[ok]
    score = np.bincount(key, weights=vote[ok], minlength=n_plays * n_clubs)
    out = np.zeros(len(codes), dtype=np.int64)
    out[ok] = np.sign(score[key]).astype(np.int64)
    return out


def _offense_from_plays(
    table: pa.Table, starts: np.ndarray, info: pa.Table, dictionary: list[Any]
) -> tuple[np.ndarray, np.ndarray]:
    """Per play, the club code of the plays file's possession team, and where known."""
    def values(column: str) -> list[Any]:
        return per_play_values(table, starts, info, column).to_pylist()

    poss = values("possession_team")
    clubs = {c: i for i, c in enumerate(dictionary)}
    if {"home", "away"} & set(clubs) and "home_team" in info.column_names:
        labels = {"home": values("home_team"), "away": values("away_team")}
        poss = [
            next((label for label, teams in labels.items() if p is not None and teams[i] == p),
                 None)
            for i, p in enumerate(poss)
        ]
    found = np.array([p is not None and p in clubs for p in poss], dtype=bool)
    codes = np.array([clubs[p] if ok else 0 for p, ok in zip(poss, found, strict=True)],
                     dtype=np.int64)
    return codes, found


def play_directions(table: pa.Table, starts: np.ndarray) -> tuple[pa.Array, np.ndarray, int]:
    """Each row's play direction: as shipped, else the play's, else inferred.

    Rows without a direction take the one other rows of their play give. A play
    without any is inferred from the sides at the snap (the first ``ball_snap`` frame,
    else the play's first frame): the offense lines up behind the defense, so if its
    mean x is smaller the play goes right. Returns the per-row directions
    ("left"/"right"/null), a per-row "goes left" mask and how many plays were inferred.
    """
    n = table.num_rows
    direction = pc.utf8_lower(table["play_direction"]).combine_chunks()
    known = pc.fill_null(pc.is_in(direction, value_set=pa.array(["left", "right"])), False)
    direction = pc.if_else(known, direction, pa.nulls(n, pa.string()))
    inferred = 0
    if n and not pc.all(known).as_py():
        play_idx = _play_index(starts)
        n_plays = len(starts) - 1
        rows = np.flatnonzero(known.to_numpy(zero_copy_only=False))
        plays_with, first = np.unique(play_idx[rows], return_index=True)
        per_play = np.full(n_plays, None, dtype=object)
        per_play[plays_with] = np.asarray(direction.take(pa.array(rows[first])).to_pylist(),
                                          dtype=object)
        missing = np.array([d is None for d in per_play], dtype=bool)  # per play
        if missing.any():
            guess, ok = _infer_directions(table, play_idx, n_plays)
            ok &= missing
            per_play[ok] = guess[ok]
            inferred = int(ok.sum())
        filled = pa.array(per_play, pa.string()).take(pa.array(play_idx))
        direction = pc.coalesce(direction, filled)
    left = pc.fill_null(pc.equal(direction, "left"), False).to_numpy(zero_copy_only=False)
    return direction, np.asarray(left, dtype=bool), inferred


def _infer_directions(
    table: pa.Table, play_idx: np.ndarray, n_plays: int
) -> tuple[np.ndarray, np.ndarray]:
    frame = table["frame_id"].to_numpy().astype(np.int64)
    snap_rows = pc.fill_null(pc.equal(table["event"], "ball_snap"), False).to_numpy(
        zero_copy_only=False
    )
    big = np.iinfo(np.int64).max
    snap = np.full(n_plays, big, dtype=np.int64)
    np.minimum.at(snap, play_idx[snap_rows], frame[snap_rows])
    first = np.full(n_plays, big, dtype=np.int64)
    np.minimum.at(first, play_idx, frame)
    snap = np.where(snap == big, first, snap)
    at_snap = frame == snap[play_idx]
    x = table["x"].to_numpy()
    usable = at_snap & np.isfinite(x)
    means = {}
    for name in ("offense", "defense"):
        on_side = pc.fill_null(pc.equal(table["side"], name), False).to_numpy(zero_copy_only=False)
        sel = usable & on_side
        total = np.bincount(play_idx[sel], weights=x[sel], minlength=n_plays)
        count = np.bincount(play_idx[sel], minlength=n_plays)
        with np.errstate(invalid="ignore", divide="ignore"):
            means[name] = total / count
    ok = np.isfinite(means["offense"]) & np.isfinite(means["defense"])
    guess = np.where(means["offense"] < means["defense"], "right", "left")
    return guess, ok

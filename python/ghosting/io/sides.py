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
from .sources import Source, read_raw, source_name

__all__ = [
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


def attach_positions(table: pa.Table, players: Source) -> tuple[pa.Table, int]:
    """Fill null positions from a players table (``nflId`` + ``position``/``PositionAbbr``).

    Returns the table and how many rows got a position.
    """
    name = source_name(players)
    raw = read_raw(players)
    id_col = _pick(raw.column_names, "nflId", "nfl_id")
    pos_col = _pick(raw.column_names, "position", "PositionAbbr", "player_position")
    if id_col is None or pos_col is None:
        pairs = (("nflId", id_col), ("position/PositionAbbr", pos_col))
        missing = [n for n, c in pairs if c is None]
        raise MissingColumnsError(
            f"{name}: a players file needs column(s) {', '.join(missing)} "
            f"(columns: {', '.join(raw.column_names)})"
        )
    ids = pc.cast(raw[id_col], pa.float64()).to_numpy(zero_copy_only=False)
    valid = np.isfinite(ids)
    positions = raw[pos_col].cast(pa.string()).combine_chunks().filter(pa.array(valid))
    ids = ids[valid].astype(np.int64)
    if table.num_rows == 0 or len(ids) == 0:
        return table, 0
    idx, found = _lookup(table["nfl_id"].to_numpy(), ids)
    current = table["position"]
    need = pc.is_null(current).to_numpy(zero_copy_only=False) & found
    if not need.any():
        return table, 0
    nulls = pa.nulls(len(idx), pa.string())
    looked = pc.if_else(pa.array(need), positions.take(pa.array(idx)), nulls)
    filled = pc.coalesce(current, looked)
    return _set(table, "position", filled), int(need.sum())


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
    """``game_id, play_id, possession_team, play_description[, home_team, away_team]``."""
    name = source_name(plays)
    raw = read_raw(plays)
    cols = raw.column_names
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
    out = {
        "game_id": raw[game_col].cast(pa.int64()),
        "play_id": raw[play_col].cast(pa.int64()),
        "possession_team": raw[poss_col].cast(pa.string()) if poss_col
        else pa.nulls(raw.num_rows, pa.string()),
        "play_description": raw[desc_col].cast(pa.string()) if desc_col
        else pa.nulls(raw.num_rows, pa.string()),
    }
    # the situation before the snap, when the plays file has it
    for canonical, names, typ in _SITUATION_COLUMNS:
        col = _pick(cols, *names)
        if col is not None:
            try:
                out[canonical] = pc.cast(
                    raw[col].cast(pa.string()).cast(pa.float64())
                    if pa.types.is_integer(typ) else raw[col], typ, safe=False)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise InputError(
                    f"{name}: column {col!r} cannot be read as {typ} ({exc})"
                ) from exc
    info = pa.table(out)
    if games is not None:
        gname = source_name(games)
        graw = read_raw(games)
        gcols = graw.column_names
        g_id = _pick(gcols, "gameId", "game_id")
        home = _pick(gcols, "homeTeamAbbr", "home_team_abbr")
        away = _pick(gcols, "visitorTeamAbbr", "visitor_team_abbr", "awayTeamAbbr")
        if g_id is None or home is None or away is None:
            raise MissingColumnsError(
                f"{gname}: a games file needs gameId, homeTeamAbbr, visitorTeamAbbr "
                f"(columns: {', '.join(gcols)})"
            )
        gtable = pa.table({
            "game_id": graw[g_id].cast(pa.int64()),
            "home_team": graw[home].cast(pa.string()),
            "away_team": graw[away].cast(pa.string()),
        })
        info = info.join(gtable, "game_id", join_type="left outer", use_threads=False)
    return info


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
    side = np.full(n, None, dtype=object)
    decided = np.zeros(n, dtype=bool)
    is_ball = pc.fill_null(pc.equal(table["side"], "ball"), False).to_numpy(zero_copy_only=False)
    side[is_ball] = "ball"
    decided |= is_ball

    if "player_side" in table.column_names:
        ps = pc.utf8_lower(table["player_side"]).to_numpy(zero_copy_only=False)
        ok = ~decided & np.isin(ps, ["offense", "defense"])
        side[ok] = ps[ok]
        decided |= ok
        if ok.any():
            report["methods"].append("player_side")
    if "possession_flag" in table.column_names:
        flag = table["possession_flag"].to_numpy(zero_copy_only=False)
        ok = ~decided & np.isfinite(flag)
        side[ok & (flag == 1)] = "offense"
        side[ok & (flag != 1)] = "defense"
        decided |= ok
        if ok.any():
            report["methods"].append("possession_flag")

    n_plays = len(starts) - 1
    play_idx = _play_index(starts)
    if (~decided).any() and n_plays > 0:
        club = table["club"]
        codes_arr = pc.dictionary_encode(club).combine_chunks()
        dictionary = codes_arr.dictionary.to_pylist()
        codes = pc.fill_null(codes_arr.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
        n_clubs = len(dictionary)
        offense = np.full(n_plays, -1, dtype=np.int64)
        if info is not None and n_clubs:
            offense = _offense_from_plays(table, starts, info, dictionary)
            if (offense >= 0).any():
                report["methods"].append("possession_team")
        todo = offense < 0
        if todo.any() and n_clubs:
            qb = (pc.fill_null(pc.equal(table["position"], "QB"), False)
                  .to_numpy(zero_copy_only=False) & (codes >= 0) & ~is_ball)
            counts = np.bincount(play_idx[qb] * n_clubs + codes[qb],
                                 minlength=n_plays * n_clubs).reshape(n_plays, n_clubs)
            has_qb = counts.max(axis=1) > 0
            pick = todo & has_qb
            offense[pick] = counts.argmax(axis=1)[pick]
            if pick.any():
                report["methods"].append("quarterback_club")
        row_off = offense[play_idx]
        known = ~decided & (row_off >= 0) & (codes >= 0)
        side[known & (codes == row_off)] = "offense"
        side[known & (codes != row_off)] = "defense"
        decided |= known
        if (~decided & (codes >= 0)).any():
            # no quarterback, and one club tracked (some files track only part of the
            # field): its players' positions tell its side. With both clubs on the
            # field and no quarterback (kicks, punts) the side stays unknown.
            by_position = _sides_by_position(table, play_idx, codes, n_plays, n_clubs)
            one_club = _clubsper_play_values(play_idx, codes, n_plays, n_clubs) == 1
            rest = ~decided & (by_position != 0) & ~is_ball & one_club[play_idx]
            side[rest & (by_position > 0)] = "offense"
            side[rest & (by_position < 0)] = "defense"
            decided |= rest
            if rest.any():
                report["methods"].append("position_groups")
    report["rows_without_side"] = int(np.count_nonzero(~decided))
    report["plays_without_side"] = int(np.unique(play_idx[~decided]).size)
    return _set(table, "side", pa.array(side, pa.string())), report


_OFFENSE_POSITIONS = ["QB", "WR", "TE", "RB", "FB", "HB", "T", "G", "C", "OT", "OG", "OL"]
_DEFENSE_POSITIONS = ["CB", "S", "SS", "FS", "DB", "LB", "ILB", "OLB", "MLB", "DE", "DT",
                      "NT", "DL"]


def _clubsper_play_values(
    play_idx: np.ndarray, codes: np.ndarray, n_plays: int, n_clubs: int
) -> np.ndarray:
    ok = codes >= 0
    present = np.zeros(n_plays * n_clubs, dtype=bool)
    present[play_idx[ok] * n_clubs + codes[ok]] = True
    return present.reshape(n_plays, n_clubs).sum(axis=1)


def _sides_by_position(
    table: pa.Table, play_idx: np.ndarray, codes: np.ndarray, n_plays: int, n_clubs: int
) -> np.ndarray:
    """Per row, the sign of (offensive - defensive) position rows of its club on its play."""
    position = table["position"]
    off = pc.fill_null(pc.is_in(position, value_set=pa.array(_OFFENSE_POSITIONS)), False)
    dfn = pc.fill_null(pc.is_in(position, value_set=pa.array(_DEFENSE_POSITIONS)), False)
    vote = off.to_numpy(zero_copy_only=False).astype(np.int64) - dfn.to_numpy(
        zero_copy_only=False
    ).astype(np.int64)
    ok = codes >= 0
    key = play_idx[ok] * n_clubs + codes[ok]
    score = np.bincount(key, weights=vote[ok], minlength=n_plays * n_clubs)
    out = np.zeros(len(codes), dtype=np.int64)
    out[ok] = np.sign(score[key]).astype(np.int64)
    return out


def _offense_from_plays(
    table: pa.Table, starts: np.ndarray, info: pa.Table, dictionary: list[Any]
) -> np.ndarray:
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
    return np.array([clubs.get(p, -1) if p is not None else -1 for p in poss], dtype=np.int64)


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

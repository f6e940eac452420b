"""Targeted receivers: who each pass was thrown to, and where that came from.

The sources, in the order :func:`ghosting.pass_plays` consults them
(``TARGET_SOURCES``): a target file, the 2026 ``player_role``, the play
description (:func:`parse_target_name`, :func:`match_target`), and inference (the
eligible receiver nearest the ball at arrival, :func:`infer_targets`).
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .rows import _bool, _by_play, _PlayRows, _strings
from .windows import _KEYS

__all__ = [
    "parse_target_name",
    "match_target",
    "infer_targets",
    "TARGET_SOURCES",
    "TARGETED_ROLE",
]

TARGET_SOURCES = ("target_file", "player_role", "play_description", "inference")
TARGETED_ROLE = "Targeted Receiver"

_PASS_TO = re.compile(
    r"\bpass\s+(?:incomplete\s+)?(?:(?:short|deep)\s+)?(?:(?:left|middle|right)\s+)?"
    r"(?:to|intended\s+for)\s+(?P<first>[A-Z][A-Za-z]{0,3})\.\s?(?P<rest>[A-Za-z].*)"
)
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "v"}


def _name_words(text: str) -> list[str]:
    return [w.lower() for w in re.findall(r"[A-Za-z]+", text)]


def parse_target_name(description: str | None) -> tuple[str, list[str]] | None:
    """The abbreviated receiver name of a play description, as (initials, name words).

    >>> parse_target_name("(6:17) P.Mahomes pass short right to T.Kelce for 1 yard")
    ('T', ['kelce', 'for', 'yard'])
    """
    if not description:
        return None
    match = _PASS_TO.search(description)
    if match is None:
        return None
    return match.group("first"), _name_words(match.group("rest"))


def match_target(
    parsed: tuple[str, list[str]], names: list[str | None], eligible: list[bool]
) -> int | None:
    """Index of the player in ``names`` that the parsed abbreviation names, or None.

    The first name must start with the initials and the last name's words must open
    the text after the dot ("R.Seals-Jones for 35 yards" matches "Ricky Seals-Jones").
    Ambiguity is settled by the longest last name, then eligibility; else None.
    """
    initials, rest = parsed
    best: list[tuple[int, int, int]] = []
    for i, name in enumerate(names):
        if not name:
            continue
        name = name.strip()
        # "Ricky Seals-Jones", or already abbreviated: "R.Seals-Jones"
        first, _, last = name.partition(" ") if " " in name else name.partition(".")
        words = [w for w in _name_words(last) if w not in _SUFFIXES] or _name_words(last)
        if not words or not first.lower().startswith(initials.lower()):
            continue
        if rest[: len(words)] == words:
            best.append((len(words), int(eligible[i]), i))
    if not best:
        return None
    best.sort(reverse=True)
    if len(best) > 1 and best[0][:2] == best[1][:2]:
        return None
    return best[0][2]


def _per_play_first(play_idx: np.ndarray, values: np.ndarray, mask: np.ndarray,
                    n_plays: int) -> np.ndarray:
    """Per play, the value at the first row selected by ``mask`` (-1 when none)."""
    out = np.full(n_plays, -1, dtype=np.int64)
    rows = np.flatnonzero(mask)
    # numpy does not promise which of repeated fancy-index writes wins: pick the
    # first selected row of each play explicitly
    plays, first = np.unique(play_idx[rows], return_index=True)
    out[plays] = values[rows[first]]
    return out


def _target_file(plays: pa.Table, targets: object) -> np.ndarray:
    from ..io import read_targets

    table = targets if isinstance(targets, pa.Table) and "target_nfl_id" in targets.column_names \
        else read_targets(targets)
    wanted = table.select([*_KEYS, "target_nfl_id"]).filter(pc.is_valid(table["target_nfl_id"]))
    wanted = wanted.group_by(_KEYS, use_threads=False).aggregate([("target_nfl_id", "first")])
    return _by_play(plays, wanted, "target_nfl_id_first")


def _choose_targets(
    rows: _PlayRows,
    windows: pa.Table,
    targets: object | None,
    candidates_at_arrival: np.ndarray,
    land_x: np.ndarray,
    land_y: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Target per play (-1 unknown) and its source, from the first source that knows."""
    target = np.full(rows.n_plays, -1, dtype=np.int64)
    source = np.full(rows.n_plays, None, dtype=object)

    def take(found: np.ndarray, name: str) -> None:
        use = (target < 0) & (found >= 0)
        target[use] = found[use]
        source[use] = name

    if targets is not None:
        take(_target_file(windows, targets), "target_file")
    if rows.role is not None:
        targeted = _bool(pc.equal(rows.role, TARGETED_ROLE)) & ~rows.is_ball
        take(_per_play_first(rows.play_idx, rows.nfl, targeted, rows.n_plays), "player_role")
    description = _strings(rows.table, "play_description")
    if description is not None and rows.n_plays and (target < 0).any():
        take(_targets_from_descriptions(rows, description, target < 0), "play_description")
    take(infer_targets(rows.play_idx, rows.nfl, rows.x, rows.y, candidates_at_arrival,
                       land_x, land_y, rows.n_plays), "inference")
    return target, source


def infer_targets(
    play_idx: np.ndarray,
    nfl: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    candidates: np.ndarray,
    land_x: np.ndarray,
    land_y: np.ndarray,
    n_plays: int,
) -> np.ndarray:
    """Per play, the candidate row's player nearest the landing point (-1 if none)."""
    rows = np.flatnonzero(candidates)
    p = play_idx[rows]
    dist = np.hypot(x[rows] - land_x[p], y[rows] - land_y[p])
    ok = np.isfinite(dist)
    rows, p, dist = rows[ok], p[ok], dist[ok]
    order = np.lexsort((dist, p))
    rows, p = rows[order], p[order]
    first = np.ones(len(p), dtype=bool)
    first[1:] = p[1:] != p[:-1]
    out = np.full(n_plays, -1, dtype=np.int64)
    out[p[first]] = nfl[rows[first]]
    return out


def _targets_from_descriptions(
    rows: _PlayRows, description: pa.ChunkedArray, wanted: np.ndarray
) -> np.ndarray:
    """Per play, the offensive player the description names as the receiver (-1 if none).

    One Python step per play (not per row): parse the play's description once and
    match it against the names of that play's offensive players.
    """
    out = np.full(rows.n_plays, -1, dtype=np.int64)
    names = _strings(rows.table, "display_name")
    if names is None:
        return out
    texts = description.take(pa.array(rows.starts[:-1])).to_pylist()
    play_idx, nfl = rows.play_idx, rows.nfl
    # one row per (play, offensive player): the first row of each track
    track_start = np.ones(len(nfl), dtype=bool)
    track_start[1:] = (play_idx[1:] != play_idx[:-1]) | (nfl[1:] != nfl[:-1])
    players = np.flatnonzero(track_start & rows.offense)
    player_names = names.take(pa.array(players)).to_pylist()
    player_eligible = rows.receiver_position[players].tolist()
    bounds = np.searchsorted(play_idx[players], np.arange(rows.n_plays + 1))
    for p in np.flatnonzero(wanted):
        parsed = parse_target_name(texts[p])
        if parsed is None:
            continue
        lo, hi = bounds[p], bounds[p + 1]
        index = match_target(parsed, player_names[lo:hi], player_eligible[lo:hi])
        if index is not None:
            out[p] = nfl[players[lo + index]]
    return out

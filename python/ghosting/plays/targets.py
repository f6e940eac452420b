"""Targeted receivers: who each pass was thrown to, and where that came from.

The sources, in the order :func:`ghosting.pass_plays` consults them
(``TARGET_SOURCES``): a target file, the 2026 ``player_role``, the play
description (:func:`parse_target_name`, :func:`match_target`), and inference (the
eligible receiver nearest the ball at arrival, :func:`infer_targets`).
"""

from __future__ import annotations

import functools
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..passes import _KEYS
from .play_rows import _bool, _by_play, _PlayRows, play_firsts, track_firsts

__all__ = [
    "TARGET_FILE_REASONS",
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


@functools.lru_cache(maxsize=4096)
def _name_parts(name: str) -> tuple[str, list[str]]:
    """A player's first name (lower case) and the words of his last name, suffixes
    dropped unless that leaves none; the same players come back play after play. The
    list is shared: never change it."""
    name = name.strip()
    # "Ricky Seals-Jones", or already abbreviated: "R.Seals-Jones"
    first, _, last = name.partition(" ") if " " in name else name.partition(".")
    words = [w for w in _name_words(last) if w not in _SUFFIXES] or _name_words(last)
    return first.lower(), words


def match_target(
    parsed: tuple[str, list[str]], names: list[str | None], eligible: list[bool]
) -> int | None:
    """Index of the player in ``names`` that the parsed abbreviation names, or None.

    The first name must start with the initials and the last name's words must open
    the text after the dot ("R.Seals-Jones for 35 yards" matches "Ricky Seals-Jones").
    Ambiguity is settled by the longest last name, then eligibility; else None.
    """
    initials, rest = parsed
    initials = initials.lower()
    best: list[tuple[int, int, int]] = []
    for i, name in enumerate(names):
        if not name:
            continue
        first, words = _name_parts(name)
        if not words or not first.startswith(initials):
            continue
        if rest[: len(words)] == words:
            best.append((len(words), int(eligible[i]), i))
    if not best:
        return None
    best.sort(reverse=True)
    if len(best) > 1 and best[0][:2] == best[1][:2]:
        return None
    return best[0][2]


#: Why a target file's entry for a play was not used (a category of the plays table's
#: ``reason``; :data:`ghosting.plays.REASONS` lists them).
TARGET_FILE_REASONS = {
    "conflicting": "target file gives conflicting targets",
    "no_target": "target file gives no target (NA)",
    "not_eligible": "target file names a player who is not an eligible offensive receiver",
}


def _per_play_first(play_idx: np.ndarray, values: np.ndarray, mask: np.ndarray,
                    n_plays: int) -> tuple[np.ndarray, np.ndarray]:
    """Per play, the value at the first row selected by ``mask`` (0 when none) and a
    mask of the plays that have one."""
    out = np.zeros(n_plays, dtype=np.int64)
    found = np.zeros(n_plays, dtype=bool)
    rows = np.flatnonzero(mask)
    # numpy does not promise which of repeated fancy-index writes wins: pick the
    # first selected row of each play explicitly
    plays, first = np.unique(play_idx[rows], return_index=True)
    out[plays] = values[rows[first]]
    found[plays] = True
    return out, found


def _target_file(plays: pa.Table, targets: object) -> dict[str, np.ndarray]:
    """Per play of ``plays``: the target file's ``target`` and masks ``given`` (one
    target), ``no_target`` (only NA rows) and ``conflicting`` (rows that disagree)."""
    from ..io import read_targets

    table = targets if isinstance(targets, pa.Table) and "target_nfl_id" in targets.column_names \
        else read_targets(targets)
    marked = table.select([*_KEYS, "target_nfl_id"]).append_column(
        "__na", pc.is_null(table["target_nfl_id"]))
    per_play = marked.group_by(_KEYS, use_threads=False).aggregate(
        [("target_nfl_id", "min"), ("target_nfl_id", "count_distinct"), ("__na", "any")])
    distinct = per_play["target_nfl_id_count_distinct"]
    na = per_play["__na_any"]
    kinds = pc.add(distinct, pc.cast(na, pa.int64()))
    per_play = per_play.append_column("__kinds", kinds)
    target, in_file = _by_play(plays, per_play, "target_nfl_id_min")
    kinds_of_play, listed = _by_play(plays, per_play, "__kinds")
    return {
        "target": target,
        "given": listed & (kinds_of_play == 1) & in_file,
        "no_target": listed & (kinds_of_play == 1) & ~in_file,
        "conflicting": listed & (kinds_of_play > 1),
    }


def _eligible_target(rows: _PlayRows, target: np.ndarray, given: np.ndarray) -> np.ndarray:
    """Per play, False where ``target`` is tracked on the play but never as an eligible
    offensive receiver (a defender, the passer, a lineman); True otherwise."""
    hit = given[rows.play_idx] & (rows.nfl == target[rows.play_idx]) & ~rows.is_ball
    tracked = np.bincount(rows.play_idx[hit], minlength=rows.n_plays) > 0
    eligible_rows = hit & rows.offense & rows.receiver_position
    eligible = np.bincount(rows.play_idx[eligible_rows], minlength=rows.n_plays) > 0
    return ~tracked | eligible


def _choose_targets(
    rows: _PlayRows,
    windows: pa.Table,
    targets: object | None,
    candidates_at_arrival: np.ndarray,
    land_x: np.ndarray,
    land_y: np.ndarray,
    infer_missing_targets: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Target per play, a mask of the plays that have one, its source, and why a target
    file entry was refused (None where not), from the first source that knows
    (``candidates_at_arrival``: the rows, ascending, of the receivers to infer from).

    A target file's play whose rows disagree, or that names a player tracked on the
    play but not as an eligible offensive receiver, gets no target (refused); one
    whose target is NA gets none either, unless ``infer_missing_targets``.
    """
    target = np.zeros(rows.n_plays, dtype=np.int64)
    known = np.zeros(rows.n_plays, dtype=bool)
    source = np.full(rows.n_plays, None, dtype=object)
    refused = np.full(rows.n_plays, None, dtype=object)
    blocked = np.zeros(rows.n_plays, dtype=bool)

    def take(found: np.ndarray, found_mask: np.ndarray, name: str) -> None:
        use = ~known & ~blocked & found_mask
        target[use] = found[use]
        known[use] = True
        source[use] = name

    if targets is not None:
        file = _target_file(windows, targets)
        ok = _eligible_target(rows, file["target"], file["given"])
        refused[file["conflicting"]] = TARGET_FILE_REASONS["conflicting"]
        refused[file["given"] & ~ok] = TARGET_FILE_REASONS["not_eligible"]
        if not infer_missing_targets:
            refused[file["no_target"]] = TARGET_FILE_REASONS["no_target"]
        blocked |= np.asarray([r is not None for r in refused], dtype=bool)
        take(file["target"], file["given"] & ok, "target_file")
    if rows.role is not None:
        targeted = _bool(pc.equal(rows.role, TARGETED_ROLE)) & ~rows.is_ball
        take(*_per_play_first(rows.play_idx, rows.nfl, targeted, rows.n_plays), "player_role")
    wanted = ~known & ~blocked
    names = rows.table.column_names
    if "play_description" in names and rows.n_plays and wanted.any():
        take(*_targets_from_descriptions(rows, wanted), "play_description")
    take(*_nearest(rows.play_idx, rows.nfl, rows.x, rows.y, candidates_at_arrival,
                   land_x, land_y, rows.n_plays), "inference")
    return target, known, source, refused


def infer_targets(
    play_idx: np.ndarray,
    nfl: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    candidates: np.ndarray,
    land_x: np.ndarray,
    land_y: np.ndarray,
    n_plays: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Per play, the candidate row's player nearest the landing point, and a mask of
    the plays that have one (the id is 0 where not).

    >>> import numpy as np
    >>> ids, found = infer_targets(np.array([0, 0, 1]), np.array([7, 8, 9]),
    ...     np.array([1.0, 5.0, 0.0]), np.zeros(3), np.array([True, True, False]),
    ...     np.array([4.0, 0.0]), np.zeros(2), 2)
    >>> ids.tolist(), found.tolist()
    ([8, 0], [True, False])
    """
    return _nearest(play_idx, nfl, x, y, np.flatnonzero(candidates), land_x, land_y, n_plays)


def _nearest(
    play_idx: np.ndarray,
    nfl: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    rows: np.ndarray,
    land_x: np.ndarray,
    land_y: np.ndarray,
    n_plays: int,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`infer_targets` from the candidate rows' indices (ascending)."""
    p = play_idx[rows]
    dist = np.hypot(x[rows] - land_x[p], y[rows] - land_y[p])
    ok = np.isfinite(dist)
    rows, p, dist = rows[ok], p[ok], dist[ok]
    order = np.lexsort((dist, p))
    rows, p = rows[order], p[order]
    first = np.ones(len(p), dtype=bool)
    first[1:] = p[1:] != p[:-1]
    out = np.zeros(n_plays, dtype=np.int64)
    found = np.zeros(n_plays, dtype=bool)
    out[p[first]] = nfl[rows[first]]
    found[p[first]] = True
    return out, found


def _plain(values: pa.Array) -> pa.Array:
    return values.cast(values.type.value_type) if pa.types.is_dictionary(values.type) else values


def _plain_values(values: pa.Array) -> list[object]:
    return _plain(values).to_pylist()


def _targets_from_descriptions(rows: _PlayRows, wanted: np.ndarray
                               ) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Per play, the offensive player the description names as the receiver, and a mask
    of the plays where one is named.

    One Python step per play (not per row): parse the play's description once and
    match it against the names of that play's offensive players. The descriptions and
    names come from each play's and each track's first row, taken once per table
    (the run's context reads them too).
    """
    out = np.zeros(rows.n_plays, dtype=np.int64)
    found = np.zeros(rows.n_plays, dtype=bool)
    if "display_name" not in rows.table.column_names:
        return out, found
    texts = _plain_values(play_firsts(rows.cols)["play_description"].combine_chunks())
    # one row per (play, offensive player): the first row of each track
    tracks = rows.cols.runs("game_id", "play_id", "nfl_id")[:-1]
    offense = np.flatnonzero(rows.offense[tracks])
    players = tracks[offense]
    track_names = track_firsts(rows.cols)["display_name"].combine_chunks()
    encoded = pc.dictionary_encode(_plain(track_names.take(pa.array(offense))))
    distinct: list[str | None] = encoded.dictionary.to_pylist()
    name_of = np.asarray(pc.fill_null(encoded.indices, -1), dtype=np.int64)
    parsed_plays: list[int] = []
    parses: list[tuple[str, list[str]]] = []
    for p in np.flatnonzero(wanted).tolist():
        parsed = parse_target_name(texts[p])  # type: ignore[arg-type]
        if parsed is not None:
            parsed_plays.append(p)
            parses.append(parsed)
    # only a player whose last name's first word opens the text after the dot can
    # match (match_target): each distinct name's first word and each parsed text's,
    # as ids, compared in numpy; match_target reads the few candidates of each play
    word_ids: dict[str, int] = {}
    lead = [word_ids.setdefault(_name_parts(n)[1][0], len(word_ids))
            if n and _name_parts(n)[1] else -1 for n in distinct]  # fmt: skip
    track_word = np.asarray(lead + [-1], dtype=np.int64)[name_of]  # -1 (null): the last
    play_word = np.full(rows.n_plays, -2, dtype=np.int64)
    play_word[parsed_plays] = [word_ids.get(rest[0], -2) for _, rest in parses]
    candidates = np.flatnonzero(track_word == play_word[rows.play_idx[players]])
    bounds = np.searchsorted(rows.play_idx[players[candidates]],
                             np.arange(rows.n_plays + 1)).tolist()  # fmt: skip
    candidate_list = candidates.tolist()
    candidate_names = [distinct[i] for i in name_of[candidates].tolist()]
    candidate_eligible = rows.receiver_position[players[candidates]].tolist()
    named_plays: list[int] = []
    named_rows: list[int] = []
    for p, parsed in zip(parsed_plays, parses, strict=True):
        lo, hi = bounds[p], bounds[p + 1]
        if lo == hi:
            continue
        index = match_target(parsed, candidate_names[lo:hi], candidate_eligible[lo:hi])
        if index is not None:
            named_plays.append(p)
            named_rows.append(candidate_list[lo + index])
    out[named_plays] = rows.nfl[players[named_rows]]
    found[named_plays] = True
    return out, found

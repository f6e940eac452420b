"""Pass plays: when the ball is in the air, where it lands, who it was thrown to.

:func:`pass_windows` finds each play's pass forward and arrival frames from the
events alone; :func:`pass_plays` builds on it one record per play with the ball's
landing point, the targeted receiver (and where that came from), the eligible
receivers and the defensive backs, and says why a play cannot be analysed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import MissingColumnsError
from ..schema import BALL_ID, DEFENSIVE_BACKS, ELIGIBLE_POSITIONS

__all__ = [
    "pass_windows",
    "pass_plays",
    "parse_target_name",
    "match_target",
    "infer_targets",
    "FORWARD_EVENTS",
    "ARRIVAL_EVENT",
]

#: Events that mark the ball leaving the quarterback's hand.
FORWARD_EVENTS = ("pass_forward", "pass_shovel")
#: The event that marks the ball's arrival; without it, the first ``pass_outcome_*``.
ARRIVAL_EVENT = "pass_arrived"
OUTCOME_PREFIX = "pass_outcome_"

_KEYS = ["game_id", "play_id"]

WINDOW_SCHEMA = pa.schema(
    [
        ("game_id", pa.int64()),
        ("play_id", pa.int64()),
        ("pass_forward_frame", pa.int32()),
        ("arrival_frame", pa.int32()),
    ]
)


def _require(table: pa.Table, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in table.column_names]
    if missing:
        raise MissingColumnsError(
            f"{what}: the tracking table lacks column(s) {', '.join(missing)} "
            f"(it has {', '.join(table.column_names)})"
        )


def _distinct_plays(tracking: pa.Table) -> pa.Table:
    plays = tracking.select(_KEYS).group_by(_KEYS, use_threads=False).aggregate([])
    return plays.cast(pa.schema([("game_id", pa.int64()), ("play_id", pa.int64())]))


def _event_frame(events: pa.Table, mask: pa.ChunkedArray | pa.Array, name: str) -> pa.Table:
    """Per play, the frame at which most rows carry the events selected by ``mask``.

    Every row of a frame carries that frame's event, so the frame with the most such
    rows is the play's (a lone track whose clock is shifted, as the ball's is on some
    highlight plays, is outvoted); ties go to the earliest frame.
    """
    rows = events.filter(mask)
    counts = rows.group_by([*_KEYS, "frame_id"], use_threads=False).aggregate(
        [([], "count_all")]
    )
    if counts.num_rows == 0:
        return pa.table({"game_id": pa.array([], pa.int64()), "play_id": pa.array([], pa.int64()),
                         name: pa.array([], pa.int32())})
    game = counts["game_id"].to_numpy()
    play = counts["play_id"].to_numpy()
    frame = counts["frame_id"].to_numpy()
    count = counts["count_all"].to_numpy()
    order = np.lexsort((frame, -count, play, game))
    game, play, frame = game[order], play[order], frame[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = (game[1:] != game[:-1]) | (play[1:] != play[:-1])
    return pa.table({"game_id": game[first], "play_id": play[first],
                     name: pa.array(frame[first], pa.int32())})


def pass_windows(tracking: pa.Table) -> pa.Table:
    """The frames at which each play's pass leaves the hand and arrives.

    From the events alone: ``pass_forward_frame`` is the ``pass_forward`` or
    ``pass_shovel`` frame; ``arrival_frame`` the ``pass_arrived`` frame after it, else
    the first ``pass_outcome_*`` frame after it. Both are null when missing. When rows
    disagree on an event's frame (a track with a shifted clock), the frame most rows
    give wins, ties to the earliest.

    Parameters
    ----------
    tracking : pyarrow.Table
        A canonical tracking table (at least ``game_id, play_id, frame_id, event``).

    Returns
    -------
    pyarrow.Table
        ``game_id, play_id, pass_forward_frame, arrival_frame`` (nullable int32), one
        row per play of ``tracking``, sorted by ``(game_id, play_id)``.

    Examples
    --------
    >>> import ghosting
    >>> from ghosting.plays import pass_windows
    >>> windows = pass_windows(ghosting.synth.generate_plays(2, seed=0))
    >>> windows.column_names
    ['game_id', 'play_id', 'pass_forward_frame', 'arrival_frame']
    """
    _require(tracking, ("game_id", "play_id", "frame_id", "event"), "pass_windows")
    plays = _distinct_plays(tracking)
    event = tracking["event"]
    if pa.types.is_dictionary(event.type):
        event = event.cast(pa.string())
    events = pa.table(
        {
            "game_id": tracking["game_id"].cast(pa.int64()),
            "play_id": tracking["play_id"].cast(pa.int64()),
            "frame_id": tracking["frame_id"].cast(pa.int32()),
            "event": event.cast(pa.string()),
        }
    )
    is_forward = pc.is_in(events["event"], value_set=pa.array(FORWARD_EVENTS))
    is_arrived = pc.equal(events["event"], ARRIVAL_EVENT)
    is_outcome = pc.starts_with(events["event"], OUTCOME_PREFIX)
    interesting = pc.fill_null(pc.or_(pc.or_(is_forward, is_arrived), is_outcome), False)
    events = events.filter(interesting)

    forward = _event_frame(
        events, pc.fill_null(pc.is_in(events["event"], pa.array(FORWARD_EVENTS)), False),
        "pass_forward_frame",
    )
    after = events.join(forward, _KEYS, join_type="inner", use_threads=False)
    after = after.filter(pc.greater(after["frame_id"], after["pass_forward_frame"]))
    arrived = _event_frame(after, pc.equal(after["event"], ARRIVAL_EVENT), "arrived")
    outcome = _event_frame(after, pc.starts_with(after["event"], OUTCOME_PREFIX), "outcome")

    out = plays.join(forward, _KEYS, join_type="left outer", use_threads=False)
    out = out.join(arrived, _KEYS, join_type="left outer", use_threads=False)
    out = out.join(outcome, _KEYS, join_type="left outer", use_threads=False)
    out = out.sort_by([("game_id", "ascending"), ("play_id", "ascending")])
    arrival = pc.coalesce(out["arrived"], out["outcome"])
    return pa.table(
        [
            out["game_id"],
            out["play_id"],
            out["pass_forward_frame"].cast(pa.int32()),
            arrival.cast(pa.int32()),
        ],
        schema=WINDOW_SCHEMA,
    )


# --------------------------------------------------------------------------- pass plays

#: Why a play cannot be analysed, in the order they are checked.
REASONS = (
    "no pass_forward",
    "no arrival",
    "no ball position at arrival",
    "sides unknown",
    "no eligible receivers",
    "no target",
    "target not tracked at pass_forward",
    "no defensive backs",
)
TARGET_SOURCES = ("target_file", "player_role", "play_description", "inference")
TARGETED_ROLE = "Targeted Receiver"
ROUTE_RUNNER_ROLES = ("Targeted Receiver", "Other Route Runner")
COVERAGE_ROLE = "Defensive Coverage"

PLAYS_SCHEMA = pa.schema(
    [
        ("game_id", pa.int64()),
        ("play_id", pa.int64()),
        ("analysable", pa.bool_()),
        ("reason", pa.string()),
        ("pass_forward_frame", pa.int32()),
        ("arrival_frame", pa.int32()),
        ("ball_land_x", pa.float64()),
        ("ball_land_y", pa.float64()),
        ("targeted_receiver", pa.int64()),
        ("target_source", pa.string()),
        ("eligible_receivers", pa.list_(pa.int64())),
        ("defensive_backs", pa.list_(pa.int64())),
    ]
)

_PASS_TO = re.compile(
    r"\bpass\s+(?:incomplete\s+)?(?:(?:short|deep)\s+)?(?:(?:left|middle|right)\s+)?"
    r"(?:to|intended\s+for)\s+(?P<first>[A-Z][A-Za-z]{0,3})\.\s?(?P<rest>[A-Za-z].*)"
)
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "v"}


def _bool(array: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(array, False).to_numpy(zero_copy_only=False), dtype=bool)


def _strings(table: pa.Table, name: str) -> pa.ChunkedArray | None:
    if name not in table.column_names:
        return None
    column = table[name]
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    return column


def _sorted(tracking: pa.Table) -> pa.Table:
    keys = [tracking[c].to_numpy() for c in ("game_id", "play_id", "nfl_id", "frame_id")]
    n = tracking.num_rows
    if n < 2:
        return tracking
    greater = np.zeros(n - 1, dtype=bool)
    equal = np.ones(n - 1, dtype=bool)
    for k in keys:
        greater |= equal & (k[1:] > k[:-1])
        equal &= k[1:] == k[:-1]
    if (greater | equal).all():
        return tracking
    order = np.lexsort([keys[3], keys[2], keys[1], keys[0]])
    return tracking.take(pa.array(order))


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
    # the first selected row of each play wins: write in reverse order
    out[play_idx[rows[::-1]]] = values[rows[::-1]]
    return out


def _lists(play_idx: np.ndarray, nfl: np.ndarray, mask: np.ndarray, n_plays: int) -> pa.Array:
    rows = np.flatnonzero(mask)
    p, ids = play_idx[rows], nfl[rows]
    if len(rows) > 1:
        keep = np.ones(len(rows), dtype=bool)
        keep[1:] = (p[1:] != p[:-1]) | (ids[1:] != ids[:-1])
        p, ids = p[keep], ids[keep]
    offsets = np.zeros(n_plays + 1, dtype=np.int32)
    np.cumsum(np.bincount(p, minlength=n_plays), out=offsets[1:])
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(ids, pa.int64()))


def _target_file(plays: pa.Table, targets: object) -> np.ndarray:
    from ..io import read_targets

    table = targets if isinstance(targets, pa.Table) and "target_nfl_id" in targets.column_names \
        else read_targets(targets)
    keys = plays.select(_KEYS).append_column("__i", pa.array(np.arange(plays.num_rows)))
    wanted = table.select([*_KEYS, "target_nfl_id"]).filter(pc.is_valid(table["target_nfl_id"]))
    wanted = wanted.group_by(_KEYS, use_threads=False).aggregate([("target_nfl_id", "first")])
    joined = keys.join(wanted, _KEYS, join_type="left outer", use_threads=False).sort_by("__i")
    return pc.fill_null(joined["target_nfl_id_first"], -1).to_numpy().astype(np.int64)


def pass_plays(tracking: pa.Table, targets: object | None = None) -> pa.Table:
    """One record per play: pass window, landing point, target, receivers, defensive backs.

    Parameters
    ----------
    tracking : pyarrow.Table
        A canonical tracking table (from :func:`ghosting.read_tracking`).
    targets : path or pyarrow.Table, optional
        A targeted-receiver file (``targetedReciever.csv``) or a table from
        :func:`ghosting.read_targets`.

    Returns
    -------
    pyarrow.Table
        ``game_id, play_id, analysable, reason, pass_forward_frame, arrival_frame,
        ball_land_x, ball_land_y, targeted_receiver, target_source,
        eligible_receivers, defensive_backs`` -- one row per play, sorted. ``reason``
        says why a play is not analysable (null when it is). The target comes from,
        in order: the target file, the 2026 ``player_role``, the play description,
        inference (the eligible receiver nearest the ball at arrival).

    Examples
    --------
    >>> import ghosting
    >>> plays = ghosting.pass_plays(ghosting.synth.generate_plays(3, seed=1))
    >>> plays.num_rows
    3
    """
    _require(tracking, ("game_id", "play_id", "nfl_id", "frame_id", "x", "y", "event"),
             "pass_plays")
    tracking = _sorted(tracking)
    windows = pass_windows(tracking)
    rows = _PlayRows.of(tracking, windows.num_rows)
    forward, arrival = _pass_frames(rows, windows)
    at_forward = rows.frame == forward[rows.play_idx]
    at_arrival = rows.frame == arrival[rows.play_idx]
    land_x, land_y = _landing_points(rows, windows, forward, arrival)

    receivers = rows.offense & rows.receiver_position & ~rows.is_ball
    backs = rows.defense & rows.back_position & ~rows.is_ball
    eligible = _lists(rows.play_idx, rows.nfl, receivers & at_forward, rows.n_plays)
    defensive_backs = _lists(rows.play_idx, rows.nfl, backs & at_forward, rows.n_plays)
    target, source = _choose_targets(rows, windows, targets, receivers & at_arrival,
                                     land_x, land_y)

    reason = _reasons(rows, forward, arrival, land_x, land_y, at_forward, target,
                      eligible, defensive_backs)

    def nullable_int(values: np.ndarray, typ: pa.DataType) -> pa.Array:
        return pa.array(values, typ, mask=values < 0)

    return pa.table(
        [
            windows["game_id"],
            windows["play_id"],
            pa.array([r is None for r in reason], pa.bool_()),
            pa.array(reason, pa.string()),
            nullable_int(forward, pa.int32()),
            nullable_int(arrival, pa.int32()),
            pa.array(land_x),
            pa.array(land_y),
            nullable_int(target, pa.int64()),
            pa.array(source, pa.string()),
            eligible,
            defensive_backs,
        ],
        schema=PLAYS_SCHEMA,
    )


@dataclass
class _PlayRows:
    """Per-row numpy views of a sorted tracking table, with play offsets."""

    table: pa.Table
    n_plays: int
    starts: np.ndarray
    play_idx: np.ndarray
    nfl: np.ndarray
    frame: np.ndarray
    x: np.ndarray
    y: np.ndarray
    is_ball: np.ndarray
    offense: np.ndarray
    defense: np.ndarray
    receiver_position: np.ndarray
    back_position: np.ndarray
    role: pa.ChunkedArray | None

    @classmethod
    def of(cls, table: pa.Table, n_plays: int) -> _PlayRows:
        n = table.num_rows
        game, play = table["game_id"].to_numpy(), table["play_id"].to_numpy()
        change = np.flatnonzero((game[1:] != game[:-1]) | (play[1:] != play[:-1])) + 1
        starts = np.concatenate([[0], change, [n]]).astype(np.int64) if n else np.zeros(
            1, dtype=np.int64)
        nfl = table["nfl_id"].to_numpy().astype(np.int64)
        side = _strings(table, "side")
        position = _strings(table, "position")
        role = _strings(table, "player_role")
        receiver = _bool(pc.is_in(position, value_set=pa.array(sorted(ELIGIBLE_POSITIONS))))
        back = _bool(pc.is_in(position, value_set=pa.array(sorted(DEFENSIVE_BACKS))))
        if role is not None:
            receiver |= _bool(pc.is_in(role, value_set=pa.array(ROUTE_RUNNER_ROLES)))
            back |= _bool(pc.equal(role, COVERAGE_ROLE))
        none = np.zeros(n, dtype=bool)
        return cls(
            table=table,
            n_plays=n_plays,
            starts=starts,
            play_idx=np.repeat(np.arange(n_plays), np.diff(starts)),
            nfl=nfl,
            frame=table["frame_id"].to_numpy().astype(np.int64),
            x=table["x"].to_numpy().astype(np.float64),
            y=table["y"].to_numpy().astype(np.float64),
            is_ball=nfl == BALL_ID,
            offense=_bool(pc.equal(side, "offense")) if side is not None else none,
            defense=_bool(pc.equal(side, "defense")) if side is not None else none,
            receiver_position=receiver,
            back_position=back,
            role=role,
        )

    def first_of_play(self, name: str) -> np.ndarray:
        """The value of a per-play column (its first row in each play)."""
        values = self.table[name]
        if pa.types.is_floating(values.type):
            array = values.to_numpy()
        else:
            array = pc.fill_null(values, -1).to_numpy()
        return np.asarray(array)[self.starts[:-1]]


def _pass_frames(rows: _PlayRows, windows: pa.Table) -> tuple[np.ndarray, np.ndarray]:
    """Pass forward and arrival frames (-1 when unknown) from events or, in 2026 input
    files (frames end at the throw), from the last input frame and
    ``num_frames_output``."""
    forward = pc.fill_null(windows["pass_forward_frame"], -1).to_numpy().astype(np.int64)
    arrival = pc.fill_null(windows["arrival_frame"], -1).to_numpy().astype(np.int64)
    if "num_frames_output" in rows.table.column_names and rows.n_plays:
        # the throw is the last input frame; output rows read with their input
        # (ghosting.io pairs them) carry positions only, so they have no speed
        measured = np.isfinite(rows.table["s"].to_numpy())
        frames = np.where(measured, rows.frame, -1)
        last = np.maximum.reduceat(frames, rows.starts[:-1])
        last = np.where(last >= 0, last, np.maximum.reduceat(rows.frame, rows.starts[:-1]))
        frames_out = rows.first_of_play("num_frames_output").astype(np.int64)
        use = (forward < 0) & (frames_out > 0)
        forward = np.where(use, last, forward)
        arrival = np.where(use, last + frames_out, arrival)
    return forward, arrival


def _landing_points(
    rows: _PlayRows, windows: pa.Table, forward: np.ndarray, arrival: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``ball_land_x/y`` when given (2026), else the ball at arrival on its own clock."""
    land_x = np.full(rows.n_plays, np.nan)
    land_y = np.full(rows.n_plays, np.nan)
    ball_arrival = arrival + _ball_clock_shift(rows.table, rows.is_ball, windows, forward)
    found = (rows.is_ball & (rows.frame == ball_arrival[rows.play_idx])
             & np.isfinite(rows.x) & np.isfinite(rows.y))
    land_x[rows.play_idx[found]] = rows.x[found]
    land_y[rows.play_idx[found]] = rows.y[found]
    names = rows.table.column_names
    if "ball_land_x" in names and "ball_land_y" in names and rows.n_plays:
        given_x = rows.first_of_play("ball_land_x").astype(np.float64)
        given_y = rows.first_of_play("ball_land_y").astype(np.float64)
        given = np.isfinite(given_x) & np.isfinite(given_y)
        land_x = np.where(given, given_x, land_x)
        land_y = np.where(given, given_y, land_y)
    return land_x, land_y


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


def _reasons(
    rows: _PlayRows,
    forward: np.ndarray,
    arrival: np.ndarray,
    land_x: np.ndarray,
    land_y: np.ndarray,
    at_forward: np.ndarray,
    target: np.ndarray,
    eligible: pa.ListArray,
    defensive_backs: pa.ListArray,
) -> np.ndarray:
    """Why each play is not analysable (the first failed check), None when it is."""
    tracked = np.zeros(rows.n_plays, dtype=bool)
    present = np.flatnonzero(at_forward & ~rows.is_ball)
    hit = rows.nfl[present] == target[rows.play_idx[present]]
    tracked[rows.play_idx[present[hit]]] = True
    has_side = np.zeros(rows.n_plays, dtype=bool)
    has_side[rows.play_idx[rows.offense | rows.defense]] = True
    checks = [
        forward < 0,
        arrival < 0,
        ~(np.isfinite(land_x) & np.isfinite(land_y)),
        ~has_side,
        np.diff(eligible.offsets.to_numpy()) == 0,
        target < 0,
        ~tracked,
        np.diff(defensive_backs.offsets.to_numpy()) == 0,
    ]
    reason = np.full(rows.n_plays, None, dtype=object)
    for text, failed in zip(REASONS[::-1], checks[::-1], strict=True):
        reason[failed] = text
    return reason


def _ball_clock_shift(
    tracking: pa.Table, is_ball: np.ndarray, windows: pa.Table, forward: np.ndarray
) -> np.ndarray:
    """Per play, how many frames the ball's own pass_forward lies after the play's.

    Some highlight plays number the ball's frames differently from the players'
    (a constant shift); the ball's own events tell by how much. 0 when unknown.
    """
    shift = np.zeros(windows.num_rows, dtype=np.int64)
    if not is_ball.any():
        return shift
    own = pass_windows(tracking.filter(pa.array(is_ball)))
    keys = windows.select(_KEYS).append_column("__i", pa.array(np.arange(windows.num_rows)))
    joined = keys.join(own.select([*_KEYS, "pass_forward_frame"]), _KEYS,
                       join_type="left outer", use_threads=False).sort_by("__i")
    ball_forward = pc.fill_null(joined["pass_forward_frame"], -1).to_numpy().astype(np.int64)
    known = (ball_forward >= 0) & (forward >= 0)
    shift[known] = ball_forward[known] - forward[known]
    return shift


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

"""The options of each pass play: every eligible receiver (the real target included),
its own flight, and the ghosts of every defender rolled out to that arrival.

:func:`build_options` finds each option's arrival frame from the air-time model
(:func:`~ghosting.decision.air_time.arrival_frames`); options whose route ends before
the ball could arrive are kept with ``analysable = False`` and their reason.
:func:`ghost_options` ghosts all defenders of every analysable option in one batched
roll-out and measures, at the option's arrival, the separations of the two nearest
ghosts from the receiver's real position and their calibrated sigmas.
:func:`real_pass_features` measures the same features on the real pass from the real
positions (training data of the completion model, and the validation reference).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from .._util import comparable_keys
from ..flights import FlightTable, gather_tracks
from ..model.features import GhostInputs, cut_ghost_inputs
from ..model.ghost_inputs import PlayColumns, SkipCounts, cut_windows, plan_windows
from ..schema import DT, FIELD_WIDTH
from .air_time import MAX_FLIGHT_FRAMES, AirTimeModel, arrival_frames
from .facts import PlayIndex
from .sigma import SigmaCalibration

__all__ = [
    "Options",
    "ArrivalSeparations",
    "build_options",
    "ghost_options",
    "option_inputs",
    "arrival_separations",
    "arrival_separation_arrays",
    "real_pass_features",
    "GOAL_LINE_X",
]

#: x of the goal line the offense attacks (normalised coordinates): a catch in the end
#: zone gains the yards to the goal line, no more.
GOAL_LINE_X = 110.0


@dataclass
class Options:
    """One row per (play, receiver option); per-option arrays of equal length."""

    play_row: np.ndarray  # index into the plays sequence
    game_id: np.ndarray
    play_id: np.ndarray
    nfl_id: np.ndarray  # the receiver
    is_real_target: np.ndarray
    analysable: np.ndarray
    reason: np.ndarray  # object: None or why the option cannot be judged
    pass_forward_frame: np.ndarray
    flight_frames: np.ndarray  # 0 where not analysable
    catch_x: np.ndarray  # the receiver's real position at the option's arrival
    catch_y: np.ndarray
    air_distance: np.ndarray
    air_time: np.ndarray
    air_yards: np.ndarray  # catch x - line of scrimmage (capped at the goal line)
    sideline_distance: np.ndarray
    rusher_distance: np.ndarray
    separation_1: np.ndarray  # nearest (ghost) defender at arrival
    separation_2: np.ndarray
    nearest_defender: np.ndarray  # int64 nfl_id, 0 where none
    sigma_1: np.ndarray  # calibrated sigma of the nearest ghost at arrival (yd)
    sigma_2: np.ndarray

    def __len__(self) -> int:
        return int(self.game_id.shape[0])

    def take(self, index: np.ndarray) -> Options:
        """The options ``index`` (mask or indices)."""
        return Options(**{f.name: getattr(self, f.name)[index] for f in fields(self)})

    def feature_values(self) -> dict[str, np.ndarray]:
        """The completion model's inputs, keyed by feature name, and ``air_yards``
        (the depth prior's input)."""
        return {
            "air_yards": self.air_yards,
            "air_distance": self.air_distance,
            "separation_1": self.separation_1,
            "separation_2": self.separation_2,
            "sideline_distance": self.sideline_distance,
            "rusher_distance": self.rusher_distance,
            "air_time": self.air_time,
        }


def _play_table(index: PlayIndex) -> FlightTable:
    """The flight gatherer's view of the PlayIndex's rows (the one it was built from)."""
    return index.flight_table


def _play_slices(
    index: PlayIndex, plays: Sequence[Mapping[str, Any]], need: Sequence[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Plays (positions in ``plays``) in the tracking with every key of ``need`` given,
    and their first and end rows."""
    given = [i for i, row in enumerate(plays) if all(row.get(k) is not None for k in need)]
    picked = np.array(given, np.int64)
    start, stop, found = index.play_ranges(
        np.array([int(plays[i]["game_id"]) for i in given], np.int64),
        np.array([int(plays[i]["play_id"]) for i in given], np.int64))
    return picked[found], start[found], stop[found]


def _rows_at(
    index: PlayIndex, start: np.ndarray, stop: np.ndarray, frame: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(owner, row) of every row of play ``k`` (rows ``start[k]:stop[k]``) at ``frame[k]``,
    in row order (:meth:`PlayIndex.rows_at`)."""
    return index.rows_at(start, stop, frame)


def _rusher_distances(
    index: PlayIndex, start: np.ndarray, stop: np.ndarray, pf: np.ndarray, passer: np.ndarray
) -> np.ndarray:
    """Per play: the nearest defender to the passer at pass forward (NaN when none or
    no passer)."""
    owner, rows = _rows_at(index, start, stop, pf)
    keep = index.is_defense[rows]
    owner, rows = owner[keep], rows[keep]
    d = np.hypot(index.x[rows] - passer[owner, 0], index.y[rows] - passer[owner, 1])
    ok = np.isfinite(d)
    out = np.full(start.size, np.inf)
    np.minimum.at(out, owner[ok], d[ok])
    out[~np.isfinite(out) | ~np.isfinite(passer).all(axis=1)] = np.nan
    return out


def _receiver_tracks(
    index: PlayIndex, table: FlightTable, play_of: np.ndarray, rid: np.ndarray,
    pf: np.ndarray, max_flight: int,
) -> np.ndarray:
    """Each receiver's path over the ``max_flight`` frames after pass forward, (n,
    max_flight, 2). One gatherer call also reads the route before the throw (from the
    play's first snap frame to pass forward, where there is one) and leaves it with the
    index (:meth:`PlayIndex.remember_track_xy`) for the eligibility rule, which asks
    for exactly those tracks (:func:`~ghosting.decision.eligibility.route_before_throw`)."""
    snap = index.snap_frame[play_of]
    route = (snap != np.iinfo(np.int64).max) & (snap <= pf)
    first = np.where(route, snap, pf + 1)
    tracks = gather_tracks(table, play_of, rid, first, pf + max_flight)
    xy = np.asarray(tracks.xy).reshape(-1, 2)
    ends = tracks.offsets[1:]
    paths = xy[(ends - max_flight)[:, None] + np.arange(max_flight)]
    want = np.flatnonzero(route)
    count = pf[want] - snap[want] + 1
    offsets = np.zeros(want.size + 1, np.int64)
    np.cumsum(count, out=offsets[1:])
    within = np.arange(int(offsets[-1])) - np.repeat(offsets[:-1], count)
    index.remember_track_xy(play_of[want], rid[want], snap[want], pf[want],
                            xy[np.repeat(tracks.offsets[:-1][want], count) + within], offsets)
    return paths


def _nearest_two_groups(
    owner: np.ndarray, d: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per group of ``owner``: the smallest finite ``d`` and the second (20 yd when there
    is none); NaN and NaN for a group with no finite value."""
    finite = np.where(np.isfinite(d), d, np.inf)
    order = np.lexsort((finite, owner))
    o, v = owner[order], finite[order]
    first = np.r_[0, np.flatnonzero(np.diff(o) != 0) + 1] if o.size else np.zeros(0, np.int64)
    s1, s2 = np.full(n, np.nan), np.full(n, np.nan)
    if o.size:
        g = o[first]
        has_2 = np.r_[first[1:], o.size] - first > 1
        second = v[np.minimum(first + 1, o.size - 1)]
        found = np.isfinite(v[first])
        s1[g[found]] = v[first][found]
        s2[g[found]] = np.where(has_2 & np.isfinite(second), second, 20.0)[found]
    return s1, s2


def _yards(catch_x: np.ndarray, los: np.ndarray) -> np.ndarray:
    return np.minimum(catch_x, GOAL_LINE_X) - los


def build_options(
    index: PlayIndex,
    plays: Sequence[Mapping[str, Any]],
    facts: Mapping[str, np.ndarray],
    air_time: AirTimeModel,
    *,
    max_flight: int = MAX_FLIGHT_FRAMES,
) -> Options:
    """Every option of every play with a pass window and a passer, with its arrival.

    Options are the play's eligible receivers plus the real target. Features that
    need ghosts (separations, sigmas) are NaN until :func:`ghost_options`. Every
    receiver's path is gathered in one call of the flight gatherer
    (:func:`ghosting.flights.gather_tracks`).
    """
    picked, start, stop = _play_slices(index, plays, ("pass_forward_frame",
                                                      "targeted_receiver"))
    if picked.size == 0:
        return _empty_options()
    rows = [plays[int(i)] for i in picked]
    pf = np.array([int(r["pass_forward_frame"]) for r in rows], np.int64)
    target = np.array([int(r["targeted_receiver"]) for r in rows], np.int64)
    receivers = []
    for r, tgt in zip(rows, target.tolist(), strict=True):
        listed = [int(v) for v in (r.get("eligible_receivers") or [])]
        receivers.append(listed if tgt in listed else listed + [tgt])
    counts = np.array([len(v) for v in receivers], np.int64)
    rid = np.array([v for vs in receivers for v in vs], np.int64)
    owner = np.repeat(np.arange(picked.size), counts)
    passer = np.column_stack([np.asarray(facts["passer_x"], np.float64)[picked],
                              np.asarray(facts["passer_y"], np.float64)[picked]])
    rusher = _rusher_distances(index, start, stop, pf, passer)
    table = _play_table(index)
    play_of = np.searchsorted(table.play_offsets[:-1], start)[owner]
    path_arr = _receiver_tracks(index, table, play_of, rid, pf[owner], max_flight)
    passer_arr = passer[owner]
    n = rid.size
    flight, ok, reason = arrival_frames(air_time, passer_arr, path_arr, max_flight=max_flight)
    no_passer = ~np.isfinite(passer_arr).all(axis=1)
    reason[no_passer] = "no passer at pass forward"
    ok &= ~no_passer
    play_row = picked[owner]
    los = np.asarray(facts["line_of_scrimmage"], np.float64)[play_row]
    no_los = ok & ~np.isfinite(los)
    reason[no_los] = "no line of scrimmage (no ball in the tracking)"
    ok &= ~no_los
    flight[~ok] = 0
    k = np.arange(n)
    catch = np.where(ok[:, None], path_arr[k, np.maximum(flight - 1, 0)], np.nan)
    air_distance = np.hypot(*(catch - passer_arr).T)
    nan = np.full(n, np.nan)
    return Options(
        play_row=play_row.astype(np.int64),
        game_id=np.array([int(r["game_id"]) for r in rows], np.int64)[owner],
        play_id=np.array([int(r["play_id"]) for r in rows], np.int64)[owner],
        nfl_id=rid,
        is_real_target=rid == target[owner],
        analysable=ok,
        reason=reason,
        pass_forward_frame=pf[owner],
        flight_frames=flight,
        catch_x=catch[:, 0],
        catch_y=catch[:, 1],
        air_distance=air_distance,
        air_time=np.where(ok, flight * DT, np.nan),
        air_yards=_yards(catch[:, 0], los),
        sideline_distance=np.minimum(catch[:, 1], FIELD_WIDTH - catch[:, 1]),
        rusher_distance=rusher[owner],
        separation_1=nan.copy(),
        separation_2=nan.copy(),
        nearest_defender=np.zeros(n, np.int64),
        sigma_1=nan.copy(),
        sigma_2=nan.copy(),
    )


def _empty_options() -> Options:
    z = np.zeros(0, np.int64)
    f = np.zeros(0)
    return Options(
        play_row=z, game_id=z, play_id=z, nfl_id=z, is_real_target=np.zeros(0, bool),
        analysable=np.zeros(0, bool), reason=np.zeros(0, object), pass_forward_frame=z,
        flight_frames=z, catch_x=f, catch_y=f, air_distance=f, air_time=f, air_yards=f,
        sideline_distance=f, rusher_distance=f, separation_1=f, separation_2=f,
        nearest_defender=z, sigma_1=f, sigma_2=f,
    )


def option_rows(options: Options, plays: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``pass_plays``-shaped rows, one per analysable option: the option's receiver as
    the target and its own arrival frame (the landing point: his position there)."""
    out = []
    for k in np.flatnonzero(options.analysable):
        row = plays[int(options.play_row[k])]
        pf = int(options.pass_forward_frame[k])
        rid = int(options.nfl_id[k])
        out.append(
            {
                "game_id": int(options.game_id[k]),
                "play_id": int(options.play_id[k]),
                "analysable": True,
                "pass_forward_frame": pf,
                "arrival_frame": pf + int(options.flight_frames[k]),
                "ball_land_x": None,
                "ball_land_y": None,
                "targeted_receiver": rid,
                "eligible_receivers": [rid],
                "defensive_backs": list(row.get("defensive_backs") or []),
            }
        )
    return out


@dataclass
class ArrivalSeparations:
    """Per (game, play, receiver) group of windows: the two nearest defenders'
    distances to the receiver's position at arrival (20 yd for a missing second), the
    nearest's nfl_id and the two sigmas (0 for a missing second)."""

    game_id: np.ndarray
    play_id: np.ndarray
    target_nfl_id: np.ndarray
    separation_1: np.ndarray
    separation_2: np.ndarray
    nearest_defender: np.ndarray
    sigma_1: np.ndarray
    sigma_2: np.ndarray

    def __len__(self) -> int:
        return int(self.game_id.shape[0])


def arrival_separation_arrays(
    w: GhostInputs, end_xy: np.ndarray, end_sigma: np.ndarray
) -> ArrivalSeparations:
    """:class:`ArrivalSeparations` of the windows ``w`` from the defenders' positions
    ``end_xy`` (N, 2) and sigmas ``end_sigma`` (N,) at arrival, groups sorted by key."""
    n = len(w)
    if n == 0:
        z, f = np.zeros(0, np.int64), np.zeros(0)
        return ArrivalSeparations(z, z, z, f, f, z, f, f)
    rows = np.arange(n)
    rec_end = w.receiver[rows, w.lead + w.flight_frames]
    dist = np.hypot(*(end_xy - rec_end).T)
    dist = np.where(np.isfinite(dist), dist, np.inf)
    none = np.zeros(0, np.int64)
    group, _ = comparable_keys((w.game_id, w.play_id, w.target_nfl_id), (none, none, none))
    if group.dtype.names is None:  # one int64 per (game, play, target), in their order
        order = np.lexsort((w.nfl_id, dist, group))
    else:
        order = np.lexsort((w.nfl_id, dist, w.target_nfl_id, w.play_id, w.game_id))
    g, p, t = w.game_id[order], w.play_id[order], w.target_nfl_id[order]
    start = np.r_[0, np.flatnonzero((np.diff(g) != 0) | (np.diff(p) != 0) | (np.diff(t) != 0)) + 1]
    end = np.r_[start[1:], n]
    i1 = order[start]
    has_2 = end - start > 1
    i2 = order[np.minimum(start + 1, n - 1)]
    sigma = np.asarray(end_sigma)
    return ArrivalSeparations(
        game_id=g[start].astype(np.int64),
        play_id=p[start].astype(np.int64),
        target_nfl_id=t[start].astype(np.int64),
        separation_1=dist[i1].astype(np.float64),
        separation_2=np.where(has_2, dist[i2], 20.0).astype(np.float64),
        nearest_defender=w.nfl_id[i1].astype(np.int64),
        sigma_1=sigma[i1].astype(np.float64),
        sigma_2=np.where(has_2, sigma[i2], 0.0).astype(np.float64),
    )


def arrival_separations(
    w: GhostInputs, end_xy: np.ndarray, end_sigma: np.ndarray
) -> dict[tuple[int, int, int], tuple[float, float, int, float, float]]:
    """Per (game, play, receiver): the two nearest defenders' distances to the receiver's
    position at arrival, the nearest's nfl_id, and the two sigmas
    (:func:`arrival_separation_arrays` as a dict)."""
    a = arrival_separation_arrays(w, end_xy, end_sigma)
    return {
        (g, p, t): (s1, s2, d, sg1, sg2)
        for g, p, t, s1, s2, d, sg1, sg2 in zip(
            a.game_id.tolist(), a.play_id.tolist(), a.target_nfl_id.tolist(),
            a.separation_1.tolist(), a.separation_2.tolist(), a.nearest_defender.tolist(),
            a.sigma_1.tolist(), a.sigma_2.tolist(), strict=True,
        )
    }


def _find(keys: np.ndarray, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index in ``keys`` of each ``query`` (of repeated keys, the last) and whether found."""
    if keys.size == 0:
        return np.zeros(query.size, np.int64), np.zeros(query.size, bool)
    rev = np.arange(keys.size)[::-1]
    uniq, first = np.unique(keys[rev], return_index=True)
    pos = np.minimum(np.searchsorted(uniq, query), uniq.size - 1)
    return rev[first][pos], uniq[pos] == query


def _lookup(
    keys: np.ndarray, query: np.ndarray, values: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``values`` of ``query`` among ``keys`` (0 where not found) and whether found."""
    at, found = _find(keys, query)
    return np.where(found, values[at] if values.size else 0, 0), found


def option_inputs(
    tracking: Any,
    options: Options,
    plays: Sequence[Mapping[str, Any]],
    history: int,
    *,
    flight_table: FlightTable | None = None,
) -> GhostInputs:
    """Model inputs of every defender for every analysable option, each cut to the option's
    own flight and landing at the receiver's position at its arrival.

    One flight-gatherer call for every option of every play
    (:func:`ghosting.flights.gather_flights`, each window to its option's own arrival
    frame): the same windows as cutting each option alone (:func:`option_rows`),
    without re-reading the play once per option.
    """
    keep = np.flatnonzero(options.analysable)
    if keep.size == 0:
        return cut_ghost_inputs(tracking, [], history=history)
    table = flight_table if flight_table is not None else FlightTable.of(tracking)
    play_of = options.play_row[keep]
    play_rows = np.unique(play_of)
    entry = np.searchsorted(play_rows, play_of)
    flight = options.flight_frames[keep].astype(np.int64)
    longest = np.zeros(play_rows.size, np.int64)
    np.maximum.at(longest, entry, flight)
    order = np.argsort(entry, kind="stable")
    receiver_off = np.zeros(play_rows.size + 1, np.int64)
    np.cumsum(np.bincount(entry, minlength=play_rows.size), out=receiver_off[1:])
    picked = [plays[int(r)] for r in play_rows]
    backs = [[int(v) for v in (row.get("defensive_backs") or []) if v is not None]
             for row in picked]
    backs_off = np.zeros(play_rows.size + 1, np.int64)
    np.cumsum([len(b) for b in backs], out=backs_off[1:])
    pf = np.array([int(row["pass_forward_frame"]) for row in picked], np.int64)
    ones = np.ones(play_rows.size, bool)
    cols = PlayColumns(
        game_id=np.array([int(row["game_id"]) for row in picked], np.int64),
        play_id=np.array([int(row["play_id"]) for row in picked], np.int64),
        analysable=ones, pass_forward_frame=pf, has_pass_forward=ones,
        arrival_frame=pf + longest, has_arrival=ones,
        targeted_receiver=np.array([int(row["targeted_receiver"]) for row in picked], np.int64),
        has_target=ones, ball_land_x=np.full(play_rows.size, np.nan),
        ball_land_y=np.full(play_rows.size, np.nan), backs_offsets=backs_off,
        backs=np.array([v for b in backs for v in b], np.int64),
        eligible_offsets=receiver_off, eligible=options.nfl_id[keep][order].astype(np.int64),
    )
    skips = SkipCounts()
    plan = plan_windows(table, cols, "all", skips)
    # each receiver to his option's own arrival; the real target when not an option
    # to the play's longest flight (his windows are dropped below)
    option_cols = (options.game_id[keep], options.play_id[keep], options.nfl_id[keep])
    slot_entry = np.repeat(np.arange(plan.source.size), np.diff(plan.target_offsets))
    own, is_option = _lookup(*comparable_keys(option_cols, (
        plan.game_id[slot_entry], plan.play_id[slot_entry], plan.target)), flight)
    plan.target_end = plan.pass_forward_frame[slot_entry] + np.where(
        is_option, own, longest[plan.source][slot_entry])
    w = cut_windows(table, plan, history, "all", skips)
    if not len(w):
        return w
    option_key, window_key = comparable_keys(option_cols, (w.game_id, w.play_id, w.target_nfl_id))
    _, found = _find(option_key, window_key)
    return w if found.all() else w.take(found)


def ghost_options(
    tracking: Any,
    options: Options,
    plays: Sequence[Mapping[str, Any]],
    ghost_model: Any,
    sigma: SigmaCalibration | None = None,
    *,
    flight_table: FlightTable | None = None,
) -> Options:
    """Ghost every defender for every analysable option (one batched roll-out to each
    option's own arrival) and fill separations, nearest defender and sigmas in place.

    Options the model cannot ghost (no defender tracked at pass forward, receiver
    missing) become not analysable with the reason ``"no ghost prediction"``.
    """
    w = option_inputs(tracking, options, plays, ghost_model.history, flight_table=flight_table)
    if len(w):
        pos, sig = ghost_model.predict_windows(w)
        last = w.flight_frames - 1
        idx = np.arange(len(w))
        end_xy = pos[idx, last]
        end_sig = sig[idx, last]
        if sigma is not None:
            end_sig = end_sig * sigma.scale_at(w.flight_frames)
    else:
        end_xy, end_sig = np.zeros((0, 2)), np.zeros(0)
    found = arrival_separation_arrays(w, end_xy, end_sig)
    k = np.flatnonzero(options.analysable)
    at, hit = _find(*comparable_keys((found.game_id, found.play_id, found.target_nfl_id),
                               (options.game_id[k], options.play_id[k], options.nfl_id[k])))
    hit &= np.isfinite(found.separation_1[at]) if len(found) else hit
    lost, k, at = k[~hit], k[hit], at[hit]
    options.analysable[lost] = False
    options.reason[lost] = "no ghost prediction"
    options.separation_1[k] = found.separation_1[at]
    options.separation_2[k] = found.separation_2[at]
    options.nearest_defender[k] = found.nearest_defender[at]
    options.sigma_1[k] = found.sigma_1[at]
    options.sigma_2[k] = found.sigma_2[at]
    return options


def real_pass_features(
    index: PlayIndex,
    plays: Sequence[Mapping[str, Any]],
    facts: Mapping[str, np.ndarray],
) -> dict[str, np.ndarray]:
    """Completion features of each play's real pass from the real positions.

    Catch point = the ball's landing point; separations are those of the real
    defenders at the real arrival frame from the receiver's real position. Returns
    arrays aligned with ``plays`` (NaN where the play has no pass window or target),
    keyed by feature name, plus ``air_yards``.
    """
    n = len(plays)
    out = {k: np.full(n, np.nan) for k in (
        "air_distance", "separation_1", "separation_2", "sideline_distance",
        "rusher_distance", "air_time", "air_yards",
    )}
    picked, start, stop = _play_slices(index, plays, ("pass_forward_frame", "arrival_frame",
                                                      "targeted_receiver"))
    if picked.size == 0:
        return out
    rows = [plays[int(i)] for i in picked]
    pf = np.array([int(r["pass_forward_frame"]) for r in rows], np.int64)
    arr = np.array([int(r["arrival_frame"]) for r in rows], np.int64)
    target = np.array([int(r["targeted_receiver"]) for r in rows], np.int64)
    land = np.array([[np.nan if r.get(k) is None else r[k] for k in ("ball_land_x", "ball_land_y")]
                     for r in rows], np.float64).reshape(-1, 2)
    passer = np.column_stack([np.asarray(facts["passer_x"], np.float64)[picked],
                              np.asarray(facts["passer_y"], np.float64)[picked]])
    m = picked.size
    owner, at = _rows_at(index, start, stop, arr)
    # the receiver: his first row at arrival
    is_rec = index.nfl[at] == target[owner]
    none = index.nfl.size
    rec_row = np.full(m, none, np.int64)
    np.minimum.at(rec_row, owner[is_rec], at[is_rec])  # the first row wins
    ok = (rec_row < none) & np.isfinite(passer).all(axis=1)
    rec_row = np.where(ok, rec_row, 0)
    rx = np.where(ok, index.x[rec_row], np.nan)
    ry = np.where(ok, index.y[rec_row], np.nan)
    use_land = np.isfinite(land).all(axis=1)
    cx = np.where(use_land, land[:, 0], rx)
    cy = np.where(use_land, land[:, 1], ry)
    is_def = index.is_defense[at] & ok[owner]
    d_owner, d_rows = owner[is_def], at[is_def]
    s1, s2 = _nearest_two_groups(
        d_owner, np.hypot(index.x[d_rows] - rx[d_owner], index.y[d_rows] - ry[d_owner]), m)
    rusher = _rusher_distances(index, start, stop, pf, passer)
    k = picked[ok]
    los = np.asarray(facts["line_of_scrimmage"], np.float64)[picked]
    out["air_distance"][k] = np.hypot(cx - passer[:, 0], cy - passer[:, 1])[ok]
    out["separation_1"][k] = s1[ok]
    out["separation_2"][k] = s2[ok]
    out["sideline_distance"][k] = np.minimum(ry, FIELD_WIDTH - ry)[ok]
    out["rusher_distance"][k] = rusher[ok]
    out["air_time"][k] = ((arr - pf) * DT)[ok]
    out["air_yards"][k] = (np.minimum(cx, GOAL_LINE_X) - los)[ok]
    return out

"""Which alternatives are real options (docs/decision.md, "Eligible options").

An alternative (never the real target: that throw was made) is not judged, with its
reason, when

* it **stayed in to block**: between the snap and the throw the receiver moved less
  than :data:`BLOCK_TRAVEL_YARDS` (start to end) and never got more than
  :data:`BLOCK_DEPTH_YARDS` past the line of scrimmage; or
* it is **far behind the line**: at its own arrival it stands more than
  :data:`BEHIND_LINE_YARDS` behind the line of scrimmage.

Both thresholds were fixed by looking at the real targets of the ghost model's
training and validation games: applied to them they would exclude 11 of 270 (4%:
8 quick throws to a back beside the passer, 3 screens more than 5 yd behind the
line), and they exclude 161 of the alternatives of those games.

After the ghosting, an alternative is **covered** (:func:`mark_covered`) when its
nearest ghost at arrival is closer than the completion card's
``decision_rule.min_separation``: the 10th percentile of the separation of the real
targets of the training games (every defender ghosted, each target's own flight). The
league's completion rate for a depth is the rate of throws quarterbacks chose to
make; the tracking features, fitted on 219 highlight passes with 20 incompletions,
cannot say how much lower it is for a receiver covered more tightly than 90% of those
throws, so such an option is not valued.

>>> import numpy as np
>>> behind_line(np.array([-7.0, -2.0, 12.0])).tolist()
[True, False, False]
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..flights import gather_tracks
from .facts import PlayIndex
from .options import Options

__all__ = ["BLOCK_TRAVEL_YARDS", "BLOCK_DEPTH_YARDS", "BEHIND_LINE_YARDS",
           "REASON_BLOCKER", "REASON_BEHIND", "REASON_COVERED", "behind_line",
           "mark_ineligible", "mark_covered", "min_separation"]

#: A receiver who moved less than this from the snap to the throw ...
BLOCK_TRAVEL_YARDS = 3.0
#: ... and never got further than this past the line of scrimmage stayed in to block.
BLOCK_DEPTH_YARDS = 1.0
#: An option arriving more than this behind the line of scrimmage is not an option.
BEHIND_LINE_YARDS = 5.0
REASON_BLOCKER = "not an option: stayed in to block (no route before the throw)"
REASON_BEHIND = f"not an option: more than {BEHIND_LINE_YARDS:g} yd behind the line at arrival"
#: Start of the reason of a covered alternative.
REASON_COVERED = "not judged: covered"


def behind_line(air_yards: np.ndarray) -> np.ndarray:
    """True where an option's catch point is more than :data:`BEHIND_LINE_YARDS` behind
    the line of scrimmage (``air_yards`` < -5)."""
    return np.asarray(np.asarray(air_yards, np.float64) < -BEHIND_LINE_YARDS)


def route_before_throw(
    index: PlayIndex, options: Options, los: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per option: distance moved from the snap to pass forward (start to end) and the
    furthest x past the line of scrimmage in that time (NaN without a snap or rows).

    Every option's track from the play's first snap frame to pass forward in one call
    of the flight gatherer (:func:`ghosting.flights.gather_tracks`); the finite
    positions count (at least two)."""
    n = len(options)
    travel = np.full(n, np.nan)
    depth = np.full(n, np.nan)
    if n == 0:
        return travel, depth
    table = index.flight_table
    # each option's play in the gatherer's table (-1 when the play has no rows)
    play_of = index.play_numbers(options.game_id, options.play_id)
    snap = index.snap_frame  # the first snap frame of each play
    pf = np.asarray(options.pass_forward_frame, np.int64)
    first = np.where(play_of >= 0, snap[np.maximum(play_of, 0)], 0)
    want = np.flatnonzero((play_of >= 0) & (first != np.iinfo(np.int64).max) & (first <= pf))
    if not want.size:
        return travel, depth
    request = (play_of[want], options.nfl_id[want], first[want], pf[want])
    known = index.track_xy(*request)  # gathered with the options' flights
    if known is None:
        tracks = gather_tracks(table, *request)
        known = tracks.xy, tracks.offsets
    xy = np.asarray(known[0], np.float64)
    good = np.isfinite(xy).all(axis=1)
    sample = np.repeat(np.arange(want.size), np.diff(known[1]))[good]
    gx, gy = xy[good, 0], xy[good, 1]
    count = np.bincount(sample, minlength=want.size)
    ok = count >= 2
    if not ok.any():
        return travel, depth
    start = np.searchsorted(sample, np.arange(want.size))  # first finite sample
    last = start + count - 1
    done = want[ok]
    s0, s1 = start[ok], last[ok]
    travel[done] = np.hypot(gx[s1] - gx[s0], gy[s1] - gy[s0])
    top = np.full(want.size, -np.inf)
    np.maximum.at(top, sample, gx)
    depth[done] = top[ok] - los[done]
    return travel, depth


def mark_ineligible(
    index: PlayIndex, options: Options, facts: Mapping[str, np.ndarray]
) -> Options:
    """Mark alternatives that are not real options as not analysable, with the reason
    (in place; returns ``options``). The real target is never excluded."""
    if len(options) == 0:
        return options
    los = np.asarray(facts["line_of_scrimmage"], np.float64)[options.play_row]
    travel, depth = route_before_throw(index, options, los)
    alt = options.analysable & ~options.is_real_target
    blocker = alt & (travel < BLOCK_TRAVEL_YARDS) & (depth <= BLOCK_DEPTH_YARDS)
    behind = alt & ~blocker & behind_line(options.air_yards)
    options.analysable[blocker | behind] = False
    options.reason[blocker] = REASON_BLOCKER
    options.reason[behind] = REASON_BEHIND
    return options


def min_separation(card: Mapping[str, object]) -> float:
    """The completion card's ``decision_rule.min_separation`` (0: none)."""
    rule = card.get("decision_rule")
    if isinstance(rule, dict):
        try:
            return float(rule.get("min_separation", 0.0))
        except (TypeError, ValueError):
            return 0.0
    return 0.0


def mark_covered(options: Options, minimum: float) -> Options:
    """Mark analysable alternatives whose nearest ghost at arrival is closer than
    ``minimum`` yd as not analysable, with the reason (in place; returns ``options``).
    The real target is never excluded."""
    if minimum <= 0 or len(options) == 0:
        return options
    hit = (options.analysable & ~options.is_real_target
           & (options.separation_1 < minimum))
    for k in np.flatnonzero(hit):
        options.reason[k] = (f"{REASON_COVERED} (nearest defender {options.separation_1[k]:.2f} "
                             f"yd at arrival, under {minimum:.2f} yd)")
    options.analysable[hit] = False
    return options

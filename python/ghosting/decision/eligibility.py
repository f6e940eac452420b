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
    furthest x past the line of scrimmage in that time (NaN without a snap or rows)."""
    n = len(options)
    travel = np.full(n, np.nan)
    depth = np.full(n, np.nan)
    snap_of: dict[int, int | None] = {}
    for k in range(n):
        row = int(options.play_row[k])
        sl = index.rows(int(options.game_id[k]), int(options.play_id[k]))
        if sl is None:
            continue
        if row not in snap_of:
            snaps = np.flatnonzero(index.is_snap[sl]) + sl.start
            snap_of[row] = int(index.frame[snaps].min()) if snaps.size else None
        snap = snap_of[row]
        if snap is None:
            continue
        idx = index.player(sl, int(options.nfl_id[k]))
        fr = index.frame[idx]
        idx = idx[(fr >= snap) & (fr <= options.pass_forward_frame[k])]
        x, y = index.x[idx], index.y[idx]
        good = np.isfinite(x) & np.isfinite(y)
        if good.sum() < 2:
            continue
        x, y = x[good], y[good]
        travel[k] = float(np.hypot(x[-1] - x[0], y[-1] - y[0]))
        depth[k] = float(x.max() - los[k])
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

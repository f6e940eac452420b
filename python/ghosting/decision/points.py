"""Expected points, and the expected points a throw adds (docs/decision.md).

**Expected points** EP(yards to goal, down, yards to go) is the mean of the *next
score* of the half, signed for the team with the ball (+7 for its touchdown with the
extra point, +3 for its field goal, -2 for a safety against it, the opponent's the
other way; 0 when nobody scores before the half ends), fitted by least squares on the
non-special-teams plays of a Big Data Bowl 2019 plays file (``down``, ``yardsToGo``,
``yardlineSide``, ``yardlineNumber``, ``possessionTeam``, the scores before and after
each play, ``isSTPlay``, ``SpecialTeamsPlayType``; ``games.csv`` beside it gives the
home team). The basis: a linear spline in the yards to goal (knots every 10 yd),
down indicators and the yards to go (capped at 20) per down. The clock, timeouts and
the score are not in it.

**Expected points added** of throwing to an option (:func:`throw_epa`), with
P = P(complete) and q = the league's share of interceptions among the incompletions
at that depth:

* complete: the catch gains ``air yards + yards after catch``, the latter drawn from
  the depth prior's yards-after-catch survival; a gain to the goal line is a touchdown
  (7 - EP of the opponent's 1st and 10 at its 25), a gain of the yards to go a 1st and
  10 (goal to go inside the 10), less the next down (after 4th down the opponent's
  ball at that spot);
* incomplete (1 - P)(1 - q): the next down at the same spot (after 4th down the
  opponent's ball);
* intercepted (1 - P) q: the opponent's 1st and 10 at the catch point (no return);

EPA = P E[EP | complete] + (1 - P)((1 - q) EP(incomplete) + q EP(intercepted)) - EP(now).

>>> import numpy as np
>>> m = ExpectedPoints(np.zeros(len(basis_names())))
>>> float(m.predict(np.array([75.0]), np.array([1]), np.array([10.0]))[0])
0.0
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError, ModelError
from .prior import YAC_GRID, DepthPrior

__all__ = ["ExpectedPoints", "EP_KNOTS", "basis_names", "read_next_scores", "throw_epa",
           "TOUCHDOWN_POINTS"]

#: Knots of the yards-to-goal spline.
EP_KNOTS = tuple(float(k) for k in range(10, 100, 10))
#: A touchdown with the extra point (the next-score convention).
TOUCHDOWN_POINTS = 7.0
#: Yards to go are capped at this in the basis.
TOGO_CAP = 20.0
#: The opponent's spot after a touchdown or field goal's kickoff (yards to goal).
KICKOFF_YARDS_TO_GOAL = 75.0


def basis_names() -> list[str]:
    """Names of the EP basis columns, in order."""
    return (["1", "ytg_goal"] + [f"max(ytg_goal - {k:g}, 0)" for k in EP_KNOTS]
            + ["down2", "down3", "down4"] + [f"togo*down{d}" for d in (1, 2, 3, 4)])


def _basis_columns(
    to_goal: np.ndarray, down: np.ndarray, togo: np.ndarray
) -> Iterator[np.ndarray]:
    """The EP basis columns (:func:`basis_names`), one at a time."""
    g, d, t = np.broadcast_arrays(np.clip(np.asarray(to_goal, np.float64), 1.0, 99.0),
                                  np.asarray(down, np.int64),
                                  np.clip(np.asarray(togo, np.float64), 0.0, TOGO_CAP))
    yield np.ones_like(g)
    yield g
    for k in EP_KNOTS:
        yield np.maximum(g - k, 0.0)
    for k in (2, 3, 4):
        yield (d == k).astype(np.float64)
    for k in (1, 2, 3, 4):
        yield t * (d == k)


def _basis(to_goal: np.ndarray, down: np.ndarray, togo: np.ndarray) -> np.ndarray:
    return np.stack(list(_basis_columns(to_goal, down, togo)), axis=-1)


@dataclass
class NextScores:
    """Plays of a plays file with their state and the half's next score."""

    game_id: np.ndarray
    to_goal: np.ndarray
    down: np.ndarray
    togo: np.ndarray
    points: np.ndarray
    path: str


def _side_to_goal(side: Any, number: Any, team: Any) -> float:
    if side is None or side != side:  # the 50-yard line has no side (nor a number)
        return 50.0
    if number is None or number != number:
        return float("nan")
    n = float(number)
    if n >= 50:
        return 50.0
    return 100.0 - n if str(side) == str(team) else n


def read_next_scores(path: str | os.PathLike[str]) -> NextScores | None:
    """The non-special-teams plays (down 1-4) of a Big Data Bowl 2019 plays file with the
    half's next score for the team with the ball; None when the file lacks the columns
    or no ``games.csv`` (with ``homeTeamAbbr``) is beside it."""
    import pyarrow as pa
    import pyarrow.csv as pv

    need = {"gameId", "playId", "quarter", "down", "yardsToGo", "possessionTeam",
            "yardlineSide", "yardlineNumber", "HomeScoreBeforePlay", "HomeScoreAfterPlay",
            "VisitorScoreBeforePlay", "VisitorScoreAfterPlay", "isSTPlay"}
    games_path = Path(path).parent / "games.csv"
    opts = pv.ConvertOptions(null_values=["NA", ""], strings_can_be_null=True)
    try:
        plays = pv.read_csv(path, convert_options=opts)
        if not need <= set(plays.column_names) or not games_path.is_file():
            return None
        games = pv.read_csv(games_path, convert_options=opts)
    except (OSError, pa.ArrowInvalid) as exc:
        raise InputError(f"{path}: cannot read the plays file: {exc}") from exc
    if not {"gameId", "homeTeamAbbr"} <= set(games.column_names):
        return None
    home = {int(g): str(t) for g, t in zip(games.column("gameId").to_pylist(),
                                           games.column("homeTeamAbbr").to_pylist(),
                                           strict=True) if g is not None}
    plays = plays.sort_by([("gameId", "ascending"), ("playId", "ascending")])

    def num(name: str, fill: float) -> np.ndarray:
        vals = plays.column(name).to_pylist()
        try:
            return np.array([fill if v is None else float(v) for v in vals])
        except (TypeError, ValueError) as exc:
            raise InputError(f"{path}: column {name} is not numeric") from exc

    def text(name: str) -> list[Any]:
        return plays.column(name).to_pylist()

    dh = num("HomeScoreAfterPlay", 0.0) - num("HomeScoreBeforePlay", 0.0)
    dv = num("VisitorScoreAfterPlay", 0.0) - num("VisitorScoreBeforePlay", 0.0)
    dh, dv = np.nan_to_num(dh), np.nan_to_num(dv)
    game = num("gameId", -1.0).astype(np.int64)
    half = np.minimum((num("quarter", 1.0).astype(np.int64) + 1) // 2, 3)
    team = [str(t) for t in text("possessionTeam")]
    n = plays.num_rows
    points = np.zeros(n)
    nxt_pts, nxt_home = 0.0, True  # the next score seen walking backwards
    for i in range(n - 1, -1, -1):
        if i == n - 1 or game[i] != game[i + 1] or half[i] != half[i + 1]:
            nxt_pts, nxt_home = 0.0, True
        if dh[i] > 0 or dv[i] > 0:
            pts = float(max(dh[i], dv[i]))
            try_after_td = pts in (1.0, 2.0) and i > 0 and max(dh[i - 1], dv[i - 1]) == 6
            if not try_after_td:  # a try is counted with its touchdown
                nxt_pts = TOUCHDOWN_POINTS if pts == 6 else pts
                nxt_home = bool(dh[i] > 0)
        is_home = team[i] == home.get(int(game[i]), "")
        points[i] = nxt_pts if nxt_home == is_home else -nxt_pts
    down = num("down", 0.0).astype(np.int64)
    to_goal = np.array([_side_to_goal(s, k, t) for s, k, t in zip(
        text("yardlineSide"), text("yardlineNumber"), team, strict=True)])
    st = np.array([v is None or str(v).upper() == "TRUE" or v is True
                   for v in text("isSTPlay")], bool)
    togo = num("yardsToGo", np.nan)
    keep = ~st & (down >= 1) & (down <= 4) & np.isfinite(to_goal) & np.isfinite(togo)
    return NextScores(game[keep], to_goal[keep], down[keep], togo[keep], points[keep],
                      str(path))


@dataclass
class ExpectedPoints:
    """EP(yards to goal, down, yards to go) = basis . coefficients (least squares)."""

    coefficients: np.ndarray

    @classmethod
    def fit(cls, to_goal: np.ndarray, down: np.ndarray, togo: np.ndarray,
            points: np.ndarray) -> ExpectedPoints:
        """Least squares of the next score on the basis."""
        x = _basis(to_goal, down, togo)
        if x.shape[0] < 50:
            raise InputError(f"expected points need plays, got {x.shape[0]}")
        beta, *_ = np.linalg.lstsq(x, np.asarray(points, np.float64), rcond=None)
        return cls(beta)

    def predict(self, to_goal: np.ndarray, down: np.ndarray, togo: np.ndarray) -> np.ndarray:
        """EP of the team with the ball (summed column by column, so that a play's value
        does not depend on the other plays computed with it)."""
        out: np.ndarray | None = None
        for column, c in zip(_basis_columns(to_goal, down, togo), self.coefficients.tolist(),
                             strict=True):  # each column made, used and dropped in turn
            out = (np.zeros(column.shape) if out is None else out) + column * c
        assert out is not None
        return out

    def first_down(self, to_goal: np.ndarray) -> np.ndarray:
        """EP of a 1st and 10 (goal to go inside the 10) at ``to_goal``."""
        g = np.asarray(to_goal, np.float64)
        return self.predict(g, np.ones(g.shape, np.int64), np.minimum(10.0, g))

    def to_card(self, **extra: Any) -> dict[str, Any]:
        """JSON body with its sha256."""
        body = {"basis": basis_names(), "coefficients": [float(v) for v in self.coefficients],
                "touchdown_points": TOUCHDOWN_POINTS, "togo_cap": TOGO_CAP,
                "kickoff_yards_to_goal": KICKOFF_YARDS_TO_GOAL}
        return {**body, "sha256": _digest(body), **extra}

    @classmethod
    def from_card(cls, card: Any, source: str = "expected points") -> ExpectedPoints:
        """Rebuild from :meth:`to_card` (basis, finiteness and sha256 checked)."""
        try:
            coef = np.array(card["coefficients"], np.float64)
            names = list(card["basis"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"{source}: missing or malformed expected points ({exc})") from exc
        if names != basis_names() or coef.shape != (len(names),) or not np.isfinite(coef).all():
            raise ModelError(f"{source}: expected points do not match their basis")
        body = {k: card[k] for k in ("basis", "coefficients", "touchdown_points", "togo_cap",
                                     "kickoff_yards_to_goal") if k in card}
        if "sha256" in card and card["sha256"] != _digest(body):
            raise ModelError(f"{source}: expected points do not match their sha256")
        return cls(coef)


def _digest(values: Any) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()


_Request = tuple[np.ndarray, np.ndarray, np.ndarray]


def _first_down_request(to_goal: np.ndarray) -> _Request:
    """The inputs of :meth:`ExpectedPoints.first_down` at ``to_goal``."""
    g = np.asarray(to_goal, np.float64)
    return g, np.ones(g.shape, np.int64), np.minimum(10.0, g)


def _predict_many(ep: ExpectedPoints, requests: list[_Request]) -> list[np.ndarray]:
    """:meth:`ExpectedPoints.predict` of every request ``(to_goal, down, togo)`` (1-d),
    in one call over their concatenation (each element's EP is computed on its own:
    the same values as one call per request)."""
    sizes = [r[0].size for r in requests]
    out = ep.predict(*(np.concatenate([r[k] for r in requests]) for k in range(3)))
    return np.split(out, np.cumsum(sizes)[:-1])


def _after_gain_plan(
    to_goal: np.ndarray, down: np.ndarray, togo: np.ndarray, gain: np.ndarray
) -> tuple[tuple[np.ndarray, ...], list[_Request]]:
    """The outcome masks of :func:`_after_gain` (touchdown, first down, turnover, next
    down) and the EP look-ups of the last three, each only where it applies."""
    left = to_goal - gain
    g, d, t, gn, lf = np.broadcast_arrays(to_goal, down, togo, gain, left)
    td = lf <= 0
    conv = ~td & (gn >= t)
    turnover = ~td & ~conv & (d >= 4)
    nxt = ~td & ~conv & ~turnover
    requests = [
        _first_down_request(np.clip(lf[conv], 1.0, 99.0)),
        _first_down_request(np.clip(100.0 - lf[turnover], 1.0, 99.0)),
        (np.clip(lf[nxt], 1.0, 99.0), np.minimum(d[nxt] + 1, 4), np.maximum(t[nxt] - gn[nxt], 1.0)),
    ]
    return (td, conv, turnover, nxt), requests


def _after_gain_fill(
    masks: tuple[np.ndarray, ...], values: list[np.ndarray], opp_kick: float
) -> np.ndarray:
    """:func:`_after_gain` from its plan's masks and the EP of its look-ups."""
    td, conv, turnover, nxt = masks
    out = np.empty(td.shape)
    out[td] = opp_kick
    out[conv] = values[0]
    out[turnover] = -values[1]
    out[nxt] = values[2]
    return out


def _after_gain(ep: ExpectedPoints, to_goal: np.ndarray, down: np.ndarray,
                togo: np.ndarray, gain: np.ndarray, opp_kick: float | None = None) -> np.ndarray:
    """EP for the offense after a play gaining ``gain`` (broadcast): a touchdown's
    ``opp_kick`` (7 - the opponent's EP after the kickoff), a first down, the
    opponent's ball after a 4th down, else the next down. Each is computed only where
    it applies (the same values, element by element)."""
    if opp_kick is None:
        opp_kick = TOUCHDOWN_POINTS - float(ep.first_down(np.array([KICKOFF_YARDS_TO_GOAL]))[0])
    masks, requests = _after_gain_plan(to_goal, down, togo, gain)
    return _after_gain_fill(masks, _predict_many(ep, requests), opp_kick)


def _row_sums(x: np.ndarray) -> np.ndarray:
    """Per column of ``x`` (R, N): ``((0 + x[0]) + x[1]) + ...`` in row order (a reduce
    over the outer axis of a C-ordered array adds the rows one after the other; over a
    contiguous axis numpy would sum pairwise, another order)."""
    return np.add.reduce(np.ascontiguousarray(x), axis=0, initial=0.0)


def throw_epa(
    ep: ExpectedPoints,
    prior: DepthPrior,
    to_goal: np.ndarray,
    down: np.ndarray,
    togo: np.ndarray,
    air_yards: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per option: (EP if complete, EP if not complete, EP now), so that EPA = P x
    first + (1 - P) x second - third. ``to_goal``, ``down``, ``togo``: the play's
    situation; ``air_yards`` past the line (the catch point).

    Every EP look-up (each yards-after-catch outcome of each option, the miss, the
    interception, the situation now, the kickoff) is made in one
    :meth:`ExpectedPoints.predict` call."""
    g = np.asarray(to_goal, np.float64)
    d = np.asarray(down, np.int64)
    t = np.asarray(togo, np.float64)
    a = np.asarray(air_yards, np.float64)
    ok = np.isfinite(a) & np.isfinite(g)
    a0 = np.where(ok, a, 0.0)
    grid = np.array(YAC_GRID)
    if prior.yac_survival is None:
        raise InputError("expected points added need the depth prior's yards-after-catch table")
    bins = np.searchsorted(np.asarray(prior.knots), a0, side="right")
    surv = prior.yac_survival[bins].T  # (R, N): one row per yards-after-catch outcome
    pmf = surv - np.concatenate([surv[1:], np.zeros((1, surv.shape[1]))], axis=0)
    pmf[0] += 1.0 - surv[0]  # below the grid: counted at its first value
    # the outcomes (R, N), the miss (N) at the same spot
    after_masks, after_requests = _after_gain_plan(g[None, :], d[None, :], t[None, :],
                                                   grid[:, None] + a0[None, :])
    inc_masks, inc_requests = _after_gain_plan(g, d, t, np.zeros_like(g))
    ep_values = _predict_many(ep, [
        *after_requests, *inc_requests,
        _first_down_request(np.clip(100.0 - (g - np.maximum(a0, 0.0)), 1.0, 99.0)),
        (g, d, t),
        _first_down_request(np.array([KICKOFF_YARDS_TO_GOAL])),
    ])
    kick = TOUCHDOWN_POINTS - float(ep_values[8][0])
    after = _after_gain_fill(after_masks, ep_values[0:3], kick)
    num = _row_sums(pmf * after)  # outcome by outcome: independent of the other options
    den = _row_sums(pmf)
    complete = num / np.maximum(den, 1e-12)
    inc = _after_gain_fill(inc_masks, ep_values[3:6], kick)
    intercepted = -ep_values[6]
    q = prior.interception_share(a0)
    not_complete = (1.0 - q) * inc + q * intercepted
    now = ep_values[7]
    nan = np.where(ok, 0.0, np.nan)
    return complete + nan, not_complete + nan, now + nan

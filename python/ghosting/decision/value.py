"""Option value and the decision rule (docs/decision.md), vectorised over options.

* **The value** of an option is its **success probability**: P(complete) x P(the
  catch gains the yards a success needs | complete), the second factor being the
  depth prior's yards-after-catch survival (:meth:`~ghosting.decision.prior.DepthPrior.
  gain_at_least`) at the yards needed (:mod:`ghosting.decision.situation`: 40% of the
  yards to go on 1st down, 60% on 2nd, all of them on 3rd and 4th; a catch at the goal
  line always succeeds). An incompletion or an interception is a failure. The completion
  card's ``decision_rule.value`` selects it (``"success"``); a card without it (or
  without a survival table) values options by expected yards as before.
* **Expected yards** of an option = P(complete) x (``air_yards`` + expected yards
  after catch), ``air_yards`` being the yards the catch would gain past the line of
  scrimmage (the ball's x at the snap; a catch in the end zone gains the yards to the
  goal line) and the yards after catch the depth prior's league mean for a completion
  at that depth, never past the goal line. Always reported, beside the value.
* **Uncertainty** of a value P x payoff (payoff: the success factor, or the yards),
  two parts: (1) the ghosts' calibrated sigma at arrival moves the two separations;
  propagated through the completion model (central differences) it gives
  ``|payoff| * sqrt((dP/ds1 sigma1)^2 + (dP/ds2 sigma2)^2)``; (2) the completion
  model's own estimation error (the covariance of its coefficients, in the card)
  gives ``|payoff| P (1 - P) sqrt(z' C z)``. For the difference between an
  alternative and the real target the second part is computed on the difference of
  the two gradients (the same coefficients move both), the first adds in quadrature.
* **Better option**: an alternative whose value exceeds the real target's by more
  than the margin *and* by more than ``z`` times the uncertainty of the difference.
  The completion card's ``decision_rule`` (chosen on the validation games by
  ``ghosting train-decision``) gives both; without one, :data:`MARGIN_SUCCESS` (or
  :data:`MARGIN_YARDS` for expected yards) and :data:`Z_UNCERTAINTY`.

>>> import numpy as np
>>> better_than_real(np.array([4.0, 4.0, 0.5]), np.array([1.0, 5.0, 0.1])).tolist()
[True, False, False]
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._util import comparable_keys
from ..errors import InputError
from .completion import FEATURE_CLIPS, CompletionModel, completion_features
from .options import GOAL_LINE_X, Options
from .points import ExpectedPoints, throw_epa
from .situation import needed_yards

__all__ = [
    "MARGIN_YARDS",
    "MARGIN_SUCCESS",
    "MARGIN_POINTS",
    "MARGIN_KEYS",
    "VALUE_KINDS",
    "value_kind",
    "Z_UNCERTAINTY",
    "OptionValues",
    "value_options",
    "better_than_real",
    "gain_sigma",
    "Decisions",
    "decide",
    "catch_yards",
    "decision_rule",
]

#: An alternative must beat the real target's expected yards by more than this (the
#: default when the completion card has no ``decision_rule``).
MARGIN_YARDS = 1.0
#: The same for the success probability (a card's ``decision_rule`` overrides it).
MARGIN_SUCCESS = 0.05
#: The same for expected points added.
MARGIN_POINTS = 0.1
#: What an option's value is: the expected points its throw adds, its success
#: probability, or its expected yards.
VALUE_KINDS = ("expected_points", "success", "expected_yards")
#: ... and by more than this many standard deviations of the difference.
Z_UNCERTAINTY = 1.0
#: Step of the central differences for dP/dseparation (yd).
_STEP = 0.25


@dataclass
class OptionValues:
    """Per option: P(complete), expected yards, its sigma, and its rank in its play."""

    p_complete: np.ndarray
    expected_yards: np.ndarray
    sigma_expected_yards: np.ndarray  # both parts of the uncertainty, in quadrature
    rank: np.ndarray  # 1 = highest value among the play's analysable options; 0 = none
    sigma_ghost: np.ndarray  # the part of the value's sigma from the ghosts' sigma
    gradient: np.ndarray  # (N, F+1) d value / d coefficients
    covariance: np.ndarray  # (F+1, F+1) of the completion model's coefficients
    yards_after_catch: np.ndarray  # the depth prior's (0 without one), NaN without a value
    value: np.ndarray  # what options are ranked and judged by (see ``kind``)
    sigma_value: np.ndarray
    success_if_caught: np.ndarray  # P(a catch gains the yards needed); NaN without one
    kind: str = "expected_yards"  # one of VALUE_KINDS


def catch_yards(
    air_yards: np.ndarray, catch_x: np.ndarray | None, completion: CompletionModel
) -> np.ndarray:
    """Yards a completion gains past the line of scrimmage: ``air_yards`` plus the depth
    prior's expected yards after catch, never past the goal line (``catch_x`` in the
    normalised frame; None: no cap); ``air_yards`` alone without a prior."""
    air = np.asarray(air_yards, np.float64)
    if completion.prior is None:
        return air
    yac = completion.prior.yards_after_catch(air)
    if catch_x is not None:
        yac = np.minimum(yac, np.maximum(GOAL_LINE_X - np.asarray(catch_x, np.float64), 0.0))
    return air + yac


def value_kind(completion: CompletionModel) -> str:
    """What the completion card's ``decision_rule.value`` asks options to be valued by,
    when the card has what it needs (``"expected_points"``: an ``expected_points``
    model and the depth prior's yards-after-catch table; ``"success"``: that table),
    else ``"expected_yards"``."""
    rule = completion.card.get("decision_rule")
    prior = completion.prior
    want = rule.get("value") if isinstance(rule, dict) else None
    table = prior is not None and prior.yac_survival is not None
    if want == "expected_points" and table and isinstance(
            completion.card.get("expected_points"), dict):
        return "expected_points"
    if want == "success" and table:
        return "success"
    return "expected_yards"


MARGIN_KEYS = {"expected_points": "margin_points", "success": "margin",
               "expected_yards": "margin_yards"}


def decision_rule(completion: CompletionModel) -> tuple[float, float]:
    """(margin, z) of the better-option rule, the margin in the units of
    :func:`value_kind`: the completion card's ``decision_rule`` when it has one, else
    :data:`MARGIN_POINTS`, :data:`MARGIN_SUCCESS` or :data:`MARGIN_YARDS`, and
    :data:`Z_UNCERTAINTY`."""
    rule = completion.card.get("decision_rule")
    kind = value_kind(completion)
    if isinstance(rule, dict):
        try:
            return float(rule[MARGIN_KEYS[kind]]), float(rule["z"])
        except (KeyError, TypeError, ValueError):
            pass
    default = {"expected_points": MARGIN_POINTS, "success": MARGIN_SUCCESS,
               "expected_yards": MARGIN_YARDS}[kind]
    return default, Z_UNCERTAINTY


def option_payoff(
    completion: CompletionModel,
    air_yards: np.ndarray,
    catch_x: np.ndarray,
    situation: Mapping[str, np.ndarray] | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(base, payoff, success if caught) per option so that value = base + P x payoff
    for the card's :func:`value_kind`. ``situation`` holds per-option ``down``,
    ``yards_to_go``, ``needed`` and ``line_of_scrimmage`` (None: 1st and 10 from the
    catch's own line, ``catch_x - air_yards``)."""
    air = np.asarray(air_yards, np.float64)
    cx = np.asarray(catch_x, np.float64)
    n = air.size
    kind = value_kind(completion)
    if kind == "expected_yards":
        return np.zeros(n), catch_yards(air, cx, completion), np.full(n, np.nan)
    sit = dict(situation or {})
    los = np.asarray(sit.get("line_of_scrimmage", np.minimum(cx, GOAL_LINE_X) - air),
                     np.float64)
    down = np.asarray(sit.get("down", np.ones(n, np.int64)), np.int64)
    togo = np.asarray(sit.get("yards_to_go", np.full(n, 10.0)), np.float64)
    to_goal = GOAL_LINE_X - los
    need = np.asarray(sit.get("needed", needed_yards(down, togo)), np.float64)
    success = success_if_caught(np.minimum(need, to_goal), air, cx, completion)
    if kind == "success":
        return np.zeros(n), success, success
    assert completion.prior is not None
    ep = _expected_points(completion.card["expected_points"])
    # 1st and 10 inside the 10 is goal to go
    togo = np.minimum(togo, np.maximum(to_goal, 1.0))
    complete, missed, now = throw_epa(ep, completion.prior, to_goal, down, togo, air)
    return missed - now, complete - missed, success


def _frozen(value: Any) -> Any:
    """``value`` (a JSON card) as a hashable key: dicts and lists as tuples."""
    if isinstance(value, dict):
        return ("dict", tuple((k, _frozen(v)) for k, v in sorted(value.items())))
    if isinstance(value, list | tuple):
        return ("list", tuple(_frozen(v) for v in value))
    hash(value)
    return value


def _thawed(key: Any) -> Any:
    if isinstance(key, tuple) and len(key) == 2 and key[0] == "dict":
        return {k: _thawed(v) for k, v in key[1]}
    if isinstance(key, tuple) and len(key) == 2 and key[0] == "list":
        return [_thawed(v) for v in key[1]]
    return key


#: The keys of an expected points card :meth:`ExpectedPoints.from_card` reads.
_EP_CARD_KEYS = ("basis", "coefficients", "touchdown_points", "togo_cap",
                 "kickoff_yards_to_goal", "sha256")


@functools.lru_cache(maxsize=8)
def _expected_points_of(key: Any) -> ExpectedPoints:
    return ExpectedPoints.from_card(_thawed(key))


def _expected_points(card: Any) -> ExpectedPoints:
    """:meth:`ExpectedPoints.from_card` of ``card``, checked and built once per card
    content (every batch of a run reads the same card)."""
    if not isinstance(card, dict):
        return ExpectedPoints.from_card(card)
    try:
        key = _frozen({k: card[k] for k in _EP_CARD_KEYS if k in card})
    except TypeError:  # not a JSON card: from_card says what is wrong
        return ExpectedPoints.from_card(card)
    return _expected_points_of(key)


def success_if_caught(
    needed: np.ndarray, air_yards: np.ndarray, catch_x: np.ndarray | None,
    completion: CompletionModel,
) -> np.ndarray:
    """P(a completion at ``air_yards`` gains ``needed`` yards): the depth prior's
    yards-after-catch survival; 1 for a catch at or past the goal line (``catch_x``)."""
    if completion.prior is None:
        raise InputError("the success probability needs the completion card's depth prior")
    s = completion.prior.gain_at_least(needed, air_yards)
    if catch_x is not None:
        s = np.where(np.asarray(catch_x, np.float64) >= GOAL_LINE_X, 1.0, s)
    return np.asarray(s, np.float64)


def value_options(
    options: Options,
    completion: CompletionModel,
    situation: Mapping[str, np.ndarray] | None = None,
) -> OptionValues:
    """P(complete), expected yards, the value, their uncertainty and the rank of every
    option. ``situation`` (per option: ``down``, ``yards_to_go``, ``needed``,
    ``line_of_scrimmage``; see :mod:`ghosting.decision.situation`) is used by the
    expected-points and success values; without it every play is a 1st and 10."""
    values = options.feature_values()
    n = len(options)
    # the features and the prior's offset once: the moved separations below change
    # one column (completion.predict_values of each moved set, the same values)
    off = completion.offset(values, n) if completion.prior is not None else None
    x = (completion_features(values, completion.features) if completion.features
         else np.zeros((n, 0)))
    p = completion.predict(x, off)
    dps = []
    for name, sig in (("separation_1", options.sigma_1), ("separation_2", options.sigma_2)):
        if name in completion.features:
            j = completion.features.index(name)
            lo, hi = FEATURE_CLIPS[name]
            moved_up, moved_down = values[name] + _STEP, np.maximum(values[name] - _STEP, 0.0)
            x_up, x_down = x.copy(), x.copy()
            x_up[:, j] = np.clip(moved_up, lo, hi)
            x_down[:, j] = np.clip(moved_down, lo, hi)
            width = moved_up - moved_down
            dp = (completion.predict(x_up, off) - completion.predict(x_down, off)) / width
            dps.append(dp * np.where(np.isfinite(sig), sig, 0.0))
    yards = catch_yards(options.air_yards, options.catch_x, completion)
    kind = value_kind(completion)
    # the payoffs of the analysable options only (the others get no value)
    live = np.flatnonzero(options.analysable)
    base, payoff, success = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    if live.size:
        base[live], payoff[live], success[live] = option_payoff(
            completion, options.air_yards[live], options.catch_x[live],
            None if situation is None else {k: np.asarray(v)[live] for k, v in situation.items()},
        )
    ok = (options.analysable & np.isfinite(p) & np.isfinite(payoff) & np.isfinite(base)
          & np.isfinite(yards))
    for k in np.flatnonzero(options.analysable & ~ok):  # say which input is missing
        missing = [f for f in completion.features if not np.isfinite(values[f][k])]
        options.reason[k] = (f"no value: {', '.join(missing)} unknown" if missing
                             else "no value: air yards unknown")
    cov = None if completion.covariance is None else completion.covariance
    ev, sigma_ev, _, _ = _valued(p, yards, ok, dps, completion, x, cov)
    val, sigma_val, sigma_ghost, grad = _valued(p, payoff, ok, dps, completion, x, cov)
    val = val + np.where(ok, base, np.nan)
    covariance = cov if cov is not None else np.zeros((grad.shape[1], grad.shape[1]))
    return OptionValues(
        p_complete=np.where(ok, p, np.nan),
        expected_yards=ev,
        sigma_expected_yards=sigma_ev,
        rank=_rank(options.game_id, options.play_id, options.nfl_id, val),
        sigma_ghost=sigma_ghost,
        gradient=grad,
        covariance=covariance,
        yards_after_catch=np.where(ok, yards - options.air_yards, np.nan),
        value=val,
        sigma_value=sigma_val,
        success_if_caught=np.where(ok, success, np.nan),
        kind=kind,
    )


def _valued(
    p: np.ndarray, payoff: np.ndarray, ok: np.ndarray, dps: list[np.ndarray],
    completion: CompletionModel, x: np.ndarray, cov: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """P x payoff, its sigma (both parts), the ghosts' part and d value / d coefficients
    (a constant added to the value changes none of them)."""
    value = np.where(ok, p * payoff, np.nan)
    spread = np.sqrt(sum(g**2 for g in dps)) if dps else np.zeros(p.shape[0])
    sigma_ghost = np.where(ok, np.abs(payoff) * spread, np.nan)
    grad = completion.logit_gradient(x) * np.where(ok, payoff * p * (1 - p), 0.0)[:, None]
    grad = np.where(np.isfinite(grad), grad, 0.0)
    c = cov if cov is not None else np.zeros((grad.shape[1], grad.shape[1]))
    param_var = np.einsum("ni,ij,nj->n", grad, c, grad)
    sigma = np.where(ok, np.sqrt(sigma_ghost**2 + np.maximum(param_var, 0.0)), np.nan)
    return value, sigma, sigma_ghost, grad


def _rank(game: np.ndarray, play: np.ndarray, nfl: np.ndarray, ev: np.ndarray) -> np.ndarray:
    """Rank by value within each play (1 = best; ties by nfl_id; 0 = no value)."""
    n = ev.size
    rank = np.zeros(n, np.int32)
    if n == 0:
        return rank
    key = np.where(np.isfinite(ev), -ev, np.inf)
    play_key, _ = comparable_keys((game, play), (np.zeros(0, np.int64),) * 2)
    if play_key.dtype.names is None:  # one int64 per (game, play), in their order
        order = np.lexsort((nfl, key, play_key))
    else:
        order = np.lexsort((nfl, key, play, game))
    g, p = game[order], play[order]
    new = np.r_[True, (np.diff(g) != 0) | (np.diff(p) != 0)]
    start = np.maximum.accumulate(np.where(new, np.arange(n), 0))
    r = (np.arange(n) - start + 1).astype(np.int32)
    r[~np.isfinite(ev[order])] = 0
    rank[order] = r
    return rank


def better_than_real(
    gain: np.ndarray,
    sigma_gain: np.ndarray,
    margin: float = MARGIN_YARDS,
    z: float = Z_UNCERTAINTY,
) -> np.ndarray:
    """True where an alternative's value ``gain`` over the real target beats
    the margin and ``z`` times the gain's uncertainty ``sigma_gain``."""
    gain = np.asarray(gain, np.float64)
    return np.asarray((gain > margin) & (gain > z * np.asarray(sigma_gain)) & np.isfinite(gain))


def gain_sigma(values: OptionValues, alt: np.ndarray, real: np.ndarray) -> np.ndarray:
    """Uncertainty of value(alt) - value(real) for index pairs."""
    g = values.gradient[alt] - values.gradient[real]
    param = np.einsum("ni,ij,nj->n", g, values.covariance, g)
    ghost = values.sigma_ghost[alt] ** 2 + values.sigma_ghost[real] ** 2
    return np.sqrt(np.maximum(param, 0.0) + ghost)


@dataclass
class Decisions:
    """Per play (aligned with the plays sequence the options came from)."""

    judged: np.ndarray  # bool: the real target and at least one alternative have a value
    reason: np.ndarray  # object: why not judged
    target_expected_yards: np.ndarray
    target_p_complete: np.ndarray
    target_rank: np.ndarray  # int32, 0 where not judged
    best_alternative: np.ndarray  # int64 nfl_id (the highest value), 0 where none
    best_alternative_expected_yards: np.ndarray
    expected_yards_gain: np.ndarray  # best alternative - real target (may be negative)
    better_option: np.ndarray  # bool: the rule says a better option existed
    n_options: np.ndarray  # int32: analysable options
    is_better: np.ndarray  # per option: this option passes the rule against the real target
    sigma_gain: np.ndarray  # per option: uncertainty of its value gain over the real target
    target_value: np.ndarray
    best_alternative_value: np.ndarray
    value_gain: np.ndarray  # best alternative's value - the real target's (may be negative)


def decide(
    options: Options,
    values: OptionValues,
    n_plays: int,
    margin: float = MARGIN_YARDS,
    z: float = Z_UNCERTAINTY,
) -> Decisions:
    """Apply the decision rule to every play (vectorised over options); ``margin`` and
    ``z`` as :func:`better_than_real` (callers pass :func:`decision_rule`'s)."""
    row = options.play_row
    ev = values.value
    yards = values.expected_yards
    valued = np.isfinite(ev)
    real = options.is_real_target
    t_ev = np.full(n_plays, np.nan)
    t_yards = np.full(n_plays, np.nan)
    t_p = np.full(n_plays, np.nan)
    t_rank = np.zeros(n_plays, np.int32)
    has_real = np.zeros(n_plays, bool)
    m = real & valued
    t_ev[row[m]] = ev[m]
    t_yards[row[m]] = yards[m]
    t_p[row[m]] = values.p_complete[m]
    t_rank[row[m]] = values.rank[m]
    has_real[row[m]] = True
    n_opt = np.bincount(row[valued], minlength=n_plays).astype(np.int32)
    alt = ~real & valued
    best_ev = np.full(n_plays, -np.inf)
    np.maximum.at(best_ev, row[alt], ev[alt])
    is_best_alt = alt & (ev == best_ev[row])
    best_id = np.zeros(n_plays, np.int64)
    best_yards = np.full(n_plays, np.nan)
    # the first (lowest nfl_id) of tied best alternatives
    # (of the same receiver twice, the later option, as an assignment in that order)
    cand = np.flatnonzero(is_best_alt)
    if cand.size:
        order = cand[np.lexsort((-cand, options.nfl_id[cand], row[cand]))]
        first = np.ones(order.size, bool)
        first[1:] = row[order][1:] != row[order][:-1]
        pick = order[first]
        best_id[row[pick]] = options.nfl_id[pick]
        best_yards[row[pick]] = yards[pick]
    has_alt = np.isfinite(best_ev)
    judged = has_real & has_alt
    real_of_play = np.full(n_plays, -1, np.int64)
    real_of_play[row[m]] = np.flatnonzero(m)
    cand = np.flatnonzero(alt & judged[row])
    is_better = np.zeros(len(options), bool)
    sigma_gain = np.full(len(options), np.nan)
    if cand.size:
        sigma_gain[cand] = gain_sigma(values, cand, real_of_play[row[cand]])
        is_better[cand] = better_than_real(
            ev[cand] - t_ev[row[cand]], sigma_gain[cand], margin, z
        )
    better = np.zeros(n_plays, bool)
    better[row[is_better]] = True
    reason = np.full(n_plays, None, dtype=object)
    seen = np.zeros(n_plays, bool)
    seen[row] = True
    reason[~seen] = "no options (no pass window, passer or target)"
    reason[seen & ~has_real] = "real target has no value"
    reason[seen & has_real & ~has_alt] = "no alternative with a value"
    # the real target's own reason when it has one
    for k in np.flatnonzero(real & ~valued):
        if options.reason[k] is not None:
            reason[row[k]] = f"real target: {options.reason[k]}"
    best_alt_ev = np.where(has_alt, best_ev, np.nan)
    reason[judged] = None
    return Decisions(
        judged=judged,
        reason=reason,
        target_expected_yards=t_yards,
        target_p_complete=t_p,
        target_rank=np.where(judged, t_rank, 0).astype(np.int32),
        best_alternative=np.where(has_alt, best_id, 0),
        best_alternative_expected_yards=np.where(has_alt, best_yards, np.nan),
        expected_yards_gain=np.where(judged, best_yards - t_yards, np.nan),
        better_option=better,
        n_options=n_opt,
        is_better=is_better,
        sigma_gain=sigma_gain,
        target_value=t_ev,
        best_alternative_value=best_alt_ev,
        value_gain=np.where(judged, best_alt_ev - t_ev, np.nan),
    )

"""The league-wide depth prior of the completion model (docs/decision.md).

Fitted on a plays file with the Big Data Bowl 2019 columns ``PassLength`` (air yards,
past the line of scrimmage), ``PassResult`` (C complete; I, IN not; S, R and empty are
no pass) and ``YardsAfterCatch``, without the plays of the games it must not see:

* ``P(complete | air yards)``: a logistic regression on a linear spline of the air
  yards (clipped to [-10, 50], knots at 0, 10, 20 and 30 yd), maximum likelihood;
* ``E[yards after catch | complete, air yards]``: least squares on the same spline,
  over the completions, never below 0;
* ``P(yards after catch >= r | complete, air yards)``: the completions' empirical
  survival function in five depth bins (below 0, 0-10, 10-20, 20-30, 30+ air yards:
  the knots), tabulated at r = -10, -9, ..., 40 yd and interpolated linearly (1 below
  -10, the last value above 40). The decision's success probability uses it.

The completion model uses ``logit(prior)`` as an offset, so the tracking features only
adjust it; expected yards add the expected yards after catch at that depth.

>>> import numpy as np
>>> d = np.array([-3.0, 2, 5, 8, 12, 18, 25, 35, 45] * 20)
>>> y = (np.arange(d.size) % 9 > d / 6).astype(float)
>>> prior = DepthPrior.fit(d, y, np.where(y == 1, 4.0, np.nan))
>>> bool(prior.p_complete(np.array([2.0]))[0] > prior.p_complete(np.array([40.0]))[0])
True
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InputError, ModelError

__all__ = ["DepthPrior", "read_depth_plays", "DepthPlays", "KNOTS", "DEPTH_CLIP", "YAC_GRID"]

#: Knots of the linear spline in air yards.
KNOTS = (0.0, 10.0, 20.0, 30.0)
#: Air yards are clipped to this range before the spline.
DEPTH_CLIP = (-10.0, 50.0)
_LABELS = {"C": 1.0, "I": 0.0, "IN": 0.0}
#: Yards after catch at which the survival function is tabulated.
YAC_GRID = tuple(float(r) for r in range(-10, 41))


def _depth_bin(depth: np.ndarray, knots: Iterable[float]) -> np.ndarray:
    return np.searchsorted(np.asarray(tuple(knots), np.float64),
                           np.asarray(depth, np.float64), side="right")


def _basis(depth: np.ndarray, knots: Iterable[float]) -> np.ndarray:
    d = np.clip(np.asarray(depth, np.float64), *DEPTH_CLIP)
    return np.column_stack([np.ones_like(d), d] + [np.maximum(d - k, 0.0) for k in knots])


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -35.0, 35.0)))


@dataclass
class DepthPlays:
    """The labelled passes of a plays file (one entry per pass)."""

    game_id: np.ndarray
    air_yards: np.ndarray
    complete: np.ndarray
    yac: np.ndarray  # NaN where not a completion
    rows: int  # rows of the file
    path: str
    intercepted: np.ndarray | None = None  # 1 where PassResult is IN


def read_depth_plays(path: str | os.PathLike[str]) -> DepthPlays | None:
    """The passes (C, I, IN with a ``PassLength``) of a plays file; None when the file
    lacks the ``PassLength`` / ``PassResult`` columns (another season's layout)."""
    import pyarrow as pa
    import pyarrow.csv as pv

    try:
        table = pv.read_csv(path, convert_options=pv.ConvertOptions(
            null_values=["NA", ""], strings_can_be_null=True))
    except (OSError, pa.ArrowInvalid) as exc:
        raise InputError(f"{path}: cannot read the plays file: {exc}") from exc
    cols = {"gameId", "PassLength", "PassResult", "YardsAfterCatch"}
    if not cols <= set(table.column_names):
        return None
    try:
        game = np.array(table.column("gameId").to_pylist(), dtype=object)
        length = np.array(table.column("PassLength").to_pylist(), dtype=object)
        yac = np.array(table.column("YardsAfterCatch").to_pylist(), dtype=object)
        length = np.array([np.nan if v is None else float(v) for v in length])
        yac = np.array([np.nan if v is None else float(v) for v in yac])
    except (TypeError, ValueError) as exc:
        raise InputError(f"{path}: column PassLength or YardsAfterCatch is not numeric") from exc
    result = table.column("PassResult").to_pylist()
    label = np.array([_LABELS.get(str(r), np.nan) if r is not None else np.nan for r in result])
    keep = np.isfinite(label) & np.isfinite(length) & np.array([g is not None for g in game])
    return DepthPlays(
        game_id=np.array([int(g) for g in game[keep]], np.int64),
        air_yards=length[keep],
        complete=label[keep],
        yac=np.where(label[keep] == 1, yac[keep], np.nan),
        rows=int(table.num_rows),
        path=str(path),
        intercepted=np.array([r == "IN" for r in result], bool)[keep].astype(np.float64),
    )


@dataclass
class DepthPrior:
    """League P(complete | air yards) and E[yards after catch | complete, air yards]."""

    knots: tuple[float, ...]
    p_coefficients: np.ndarray
    yac_coefficients: np.ndarray
    #: (len(knots) + 1, len(YAC_GRID)) P(YAC >= r | complete, depth bin); None: not fitted
    yac_survival: np.ndarray | None = None
    #: (len(knots) + 1,) share of interceptions among the incompletions per depth bin
    interceptions: np.ndarray | None = None

    @classmethod
    def fit(cls, air_yards: np.ndarray, complete: np.ndarray, yac: np.ndarray,
            knots: Iterable[float] = KNOTS,
            intercepted: np.ndarray | None = None) -> DepthPrior:
        """Fit both curves (``yac`` is used where ``complete`` is 1 and it is finite), the
        yards-after-catch survival and, with ``intercepted`` (1 for an interception), the
        interceptions' share of the incompletions per depth bin."""
        knots = tuple(float(k) for k in knots)
        d = np.asarray(air_yards, np.float64)
        y = np.asarray(complete, np.float64)
        if d.size < 20 or y.min() == y.max():
            raise InputError(f"depth prior needs passes of both outcomes, got {d.size}")
        x = _basis(d, knots)
        beta = np.zeros(x.shape[1])
        beta[0] = np.log(y.mean() / (1 - y.mean()))
        for _ in range(100):
            p = _sigmoid(x @ beta)
            h = (x * (p * (1 - p))[:, None]).T @ x + 1e-9 * np.eye(x.shape[1])
            step = np.linalg.solve(h, x.T @ (p - y))
            beta -= step
            if np.max(np.abs(step)) < 1e-10:
                break
        c = (y == 1) & np.isfinite(yac)
        g, *_ = np.linalg.lstsq(_basis(d[c], knots), np.asarray(yac)[c], rcond=None)
        bins = _depth_bin(d[c], knots)
        after = np.asarray(yac, np.float64)[c]
        grid = np.array(YAC_GRID)
        surv = np.ones((len(knots) + 1, grid.size))
        for b in range(len(knots) + 1):
            vals = after[bins == b]
            if vals.size:
                surv[b] = np.round((vals[:, None] >= grid[None, :]).mean(axis=0), 6)
        inter = None
        if intercepted is not None:
            miss = y == 0
            ib = _depth_bin(d[miss], knots)
            iv = np.asarray(intercepted, np.float64)[miss]
            inter = np.array([round(float(iv[ib == b].mean()), 6) if (ib == b).any() else 0.0
                              for b in range(len(knots) + 1)])
        return cls(knots, beta, g, surv, inter)

    def interception_share(self, air_yards: np.ndarray) -> np.ndarray:
        """The league's share of interceptions among incompletions at ``air_yards``
        (0 where not fitted)."""
        a = np.asarray(air_yards, np.float64)
        if self.interceptions is None:
            return np.zeros(a.shape)
        return np.asarray(self.interceptions[_depth_bin(np.where(np.isfinite(a), a, 0.0),
                                                         self.knots)])

    def gain_at_least(self, needed: np.ndarray, air_yards: np.ndarray) -> np.ndarray:
        """P(yards after catch >= ``needed`` - ``air_yards`` | complete at ``air_yards``):
        the chance a completion gains at least ``needed`` yards past the line (NaN where
        an input is NaN; 1 where no survival table was fitted and ``needed`` <= air)."""
        need = np.asarray(needed, np.float64)
        air = np.asarray(air_yards, np.float64)
        r = need - air
        ok = np.isfinite(r)
        out = np.full(np.broadcast(need, air).shape, np.nan)
        if self.yac_survival is None:
            return np.where(ok, (r <= 0).astype(np.float64), np.nan)
        grid = np.array(YAC_GRID)
        bins = np.broadcast_to(_depth_bin(np.where(np.isfinite(air), air, 0.0), self.knots),
                               out.shape)
        rr = np.broadcast_to(np.where(ok, r, 0.0), out.shape)
        for b in np.unique(bins):
            m = bins == b
            out[m] = np.interp(rr[m], grid, self.yac_survival[b], left=1.0)
        return np.where(np.broadcast_to(ok, out.shape), out, np.nan)

    def p_complete(self, air_yards: np.ndarray) -> np.ndarray:
        """League P(complete) at ``air_yards`` (NaN stays NaN)."""
        return _sigmoid(_basis(air_yards, self.knots) @ self.p_coefficients)

    def logit(self, air_yards: np.ndarray) -> np.ndarray:
        """logit of :meth:`p_complete` (the completion model's offset)."""
        return _basis(air_yards, self.knots) @ self.p_coefficients

    def yards_after_catch(self, air_yards: np.ndarray) -> np.ndarray:
        """Expected yards after catch of a completion at ``air_yards`` (>= 0)."""
        return np.maximum(_basis(air_yards, self.knots) @ self.yac_coefficients, 0.0)

    def to_card(self) -> dict[str, Any]:
        """JSON body (part of the completion card's sha256)."""
        return {
            "knots": list(self.knots),
            "depth_clip": list(DEPTH_CLIP),
            "basis": "[1, d, max(d - k, 0) for k in knots], d = clip(air yards, depth_clip)",
            "p_complete": "1 / (1 + exp(-basis . p_coefficients))",
            "yards_after_catch": "max(basis . yac_coefficients, 0)",
            "p_coefficients": [float(v) for v in self.p_coefficients],
            "yac_coefficients": [float(v) for v in self.yac_coefficients],
            **({} if self.yac_survival is None else {
                "yac_survival": "P(yards after catch >= r | complete) per depth bin (below "
                "the first knot, between knots, above the last), r = yac_grid; linear "
                "interpolation, 1 below the grid, the last value above it",
                "yac_grid": list(YAC_GRID),
                "yac_survival_table": [[round(float(v), 6) for v in row]
                                       for row in self.yac_survival],
            }),
            **({} if self.interceptions is None else {
                "interception_share": [float(v) for v in self.interceptions],
            }),
        }

    @classmethod
    def from_card(cls, card: Any, source: str = "depth prior") -> DepthPrior:
        """Rebuild from :meth:`to_card`'s dict (shapes and finiteness checked)."""
        try:
            knots = tuple(float(k) for k in card["knots"])
            p = np.array(card["p_coefficients"], np.float64)
            g = np.array(card["yac_coefficients"], np.float64)
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"{source}: missing or malformed depth prior ({exc})") from exc
        if p.shape != (len(knots) + 2,) or g.shape != p.shape:
            raise ModelError(f"{source}: depth prior coefficients do not match its knots")
        if not (np.isfinite(p).all() and np.isfinite(g).all()):
            raise ModelError(f"{source}: non-finite depth prior coefficients")
        surv = None
        if card.get("yac_survival_table") is not None:
            try:
                surv = np.array(card["yac_survival_table"], np.float64)
                grid = [float(v) for v in card["yac_grid"]]
            except (KeyError, TypeError, ValueError) as exc:
                raise ModelError(f"{source}: malformed yards-after-catch survival ({exc})") \
                    from exc
            if (grid != list(YAC_GRID) or surv.shape != (len(knots) + 1, len(YAC_GRID))
                    or not np.isfinite(surv).all()):
                raise ModelError(f"{source}: yards-after-catch survival does not match its grid")
        inter = None
        if card.get("interception_share") is not None:
            try:
                inter = np.array(card["interception_share"], np.float64)
            except (TypeError, ValueError) as exc:
                raise ModelError(f"{source}: malformed interception share ({exc})") from exc
            if inter.shape != (len(knots) + 1,) or not np.isfinite(inter).all():
                raise ModelError(f"{source}: interception share does not match its bins")
        return cls(knots, p, g, surv, inter)

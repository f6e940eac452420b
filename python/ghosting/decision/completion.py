"""Completion probability: a small logistic regression in numpy (docs/decision.md).

Features (each clipped to a documented range, then standardised with the training
means and scales stored in the card):

* ``air_distance``: passer at pass forward to the catch point (yd), clipped to [0, 70];
* ``separation_1``, ``separation_2``: the nearest and second-nearest defender to the
  receiver at arrival (yd), clipped to [0, 10] and [0, 15];
* ``sideline_distance``: the receiver to the nearer sideline at arrival (yd), [0, 15];
* ``rusher_distance``: the nearest defender to the passer at pass forward (yd), [0, 10];
* ``air_time``: seconds from pass forward to arrival, [0, 6].

With a league depth prior (:class:`~ghosting.decision.prior.DepthPrior`) the logit
of the prior's P(complete) at the option's ``air_yards`` is an offset: the features
only adjust it, and the intercept is held at 0 (the training passes are NGS highlights,
91% complete: a fitted intercept would learn that selection, not football).

The fit is L2-penalised maximum likelihood (Newton's method, deterministic); the
card holds features, clips, means, scales, coefficients (with their sha256), the
prior, the penalty and the training games. No pickles.

>>> import numpy as np
>>> x = np.array([[1.0], [2.0], [3.0], [4.0]]); y = np.array([0, 0, 1, 1])
>>> m = CompletionModel.fit(x, y, ["separation_1"], l2=0.1)
>>> bool(m.predict(np.array([[4.0]]))[0] > m.predict(np.array([[1.0]]))[0])
True
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError, ModelError
from .air_time import read_card
from .prior import DepthPrior

__all__ = [
    "CompletionModel",
    "FEATURES",
    "FEATURE_CLIPS",
    "completion_features",
    "classification_metrics",
    "reliability_table",
    "COMPLETION_FORMAT",
]

COMPLETION_FORMAT = "ghosting-completion/1"

#: Every feature the completion model may use, in order, and its clip range.
FEATURE_CLIPS: dict[str, tuple[float, float]] = {
    "air_distance": (0.0, 70.0),
    "separation_1": (0.0, 10.0),
    "separation_2": (0.0, 15.0),
    "sideline_distance": (0.0, 15.0),
    "rusher_distance": (0.0, 10.0),
    "air_time": (0.0, 6.0),
}
FEATURES = tuple(FEATURE_CLIPS)
#: The sign football says each coefficient has (+1: more of it helps a completion). A
#: fitted coefficient of the other sign is set to zero and the rest refitted: the
#: training passes (mostly NGS highlights, 91% complete and deep) would otherwise
#: teach that longer throws complete more often.
FEATURE_SIGNS: dict[str, int] = {
    "air_distance": -1,
    "separation_1": 1,
    "separation_2": 1,
    "sideline_distance": 1,
    "rusher_distance": 1,
    "air_time": -1,
}

#: Bin edges of the reliability table (predicted probability).
RELIABILITY_EDGES = (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0)


def completion_features(values: dict[str, np.ndarray], names: Sequence[str]) -> np.ndarray:
    """The (N, F) clipped feature matrix of ``names`` from per-option arrays ``values``."""
    cols = []
    for name in names:
        if name not in FEATURE_CLIPS:
            raise InputError(f"unknown completion feature {name!r}; known: {', '.join(FEATURES)}")
        lo, hi = FEATURE_CLIPS[name]
        cols.append(np.clip(np.asarray(values[name], np.float64), lo, hi))
    return np.column_stack(cols) if cols else np.zeros((0, 0))


def _newton(
    z: np.ndarray, y: np.ndarray, l2: float, active: np.ndarray, offset: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Penalised logistic regression (logit = offset + z . beta) on the ``active``
    columns of ``z`` (the others held at 0)."""
    beta = np.zeros(z.shape[1])
    rate = float(np.clip(y.mean(), 1e-6, 1 - 1e-6))
    if active[0]:
        beta[0] = np.log(rate / (1 - rate)) - float(np.mean(offset))
    pen = np.full(z.shape[1], l2)
    pen[0] = 0.0
    za = z[:, active]
    hess = np.eye(z.shape[1])
    for _ in range(100 if active.any() else 0):
        p = _sigmoid(offset + z @ beta)
        grad = za.T @ (p - y) + pen[active] * beta[active]
        h = (za * (p * (1 - p))[:, None]).T @ za + np.diag(pen[active])
        h += 1e-9 * np.eye(h.shape[0])
        step = np.linalg.solve(h, grad)
        beta[active] -= step
        if np.max(np.abs(step)) < 1e-10:
            break
    p = _sigmoid(offset + z @ beta)
    hess = (z * (p * (1 - p))[:, None]).T @ z + np.diag(pen) + 1e-9 * np.eye(z.shape[1])
    return beta, hess


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -35.0, 35.0)))


@dataclass
class CompletionModel:
    """P(complete) = sigmoid(offset + intercept + coefficients . (clip(x) - mean) / scale),
    ``offset`` = logit of the depth prior at the option's air yards (0 without a prior).

    With no features and no prior it is the base rate (``sigmoid(intercept)``).
    """

    features: list[str]
    mean: np.ndarray
    scale: np.ndarray
    intercept: float
    coefficients: np.ndarray
    l2: float = 0.0
    covariance: np.ndarray | None = None  # (F+1, F+1), intercept first, standardised
    card: dict[str, Any] = field(default_factory=dict)
    prior: DepthPrior | None = None

    @classmethod
    def fit(
        cls,
        x: np.ndarray,
        y: np.ndarray,
        features: Sequence[str],
        l2: float = 1.0,
        signs: bool = True,
        prior: DepthPrior | None = None,
        air_yards: np.ndarray | None = None,
    ) -> CompletionModel:
        """Fit on the clipped features ``x`` (N, F) and labels ``y`` (N,) in {0, 1}.

        With a ``prior`` (and the passes' ``air_yards``) its logit is the offset and the
        intercept is held at 0: only the features' adjustments are fitted.

        ``l2`` penalises the squared standardised coefficients (not the intercept).
        With ``signs``, a coefficient whose sign contradicts :data:`FEATURE_SIGNS` is
        fixed at zero and the others refitted, until every sign agrees. The
        covariance of the estimates (the inverse penalised Hessian at the optimum, over
        every coefficient, those held at zero included) is kept.
        """
        x = np.asarray(x, np.float64).reshape(len(y), len(features))
        y = np.asarray(y, np.float64)
        ok = np.isfinite(x).all(axis=1) & np.isfinite(y)
        offset = np.zeros(y.size)
        if prior is not None:
            if air_yards is None:
                raise InputError("a completion fit with a depth prior needs the air yards")
            offset = prior.logit(np.asarray(air_yards, np.float64))
            ok &= np.isfinite(offset)
        x, y, offset = x[ok], y[ok], offset[ok]
        if y.size < 2 or y.min() == y.max():
            raise InputError(
                f"completion fit needs passes of both outcomes, got {int(y.sum())} complete "
                f"of {y.size}"
            )
        mean = x.mean(axis=0) if x.size else np.zeros(0)
        scale = x.std(axis=0) if x.size else np.zeros(0)
        scale = np.where(scale > 1e-9, scale, 1.0)
        z = np.column_stack([np.ones(y.size), (x - mean) / scale])
        active = np.ones(z.shape[1], bool)
        active[0] = prior is None
        want = np.array([0] + [FEATURE_SIGNS.get(f, 0) if signs else 0 for f in features])
        while True:
            beta, hess = _newton(z, y, float(l2), active, offset)
            wrong = active & (want != 0) & (np.sign(beta) == -want) & (beta != 0)
            if not wrong.any():
                break
            worst = np.flatnonzero(wrong)[np.argmax(np.abs(beta[wrong]))]
            active[worst] = False
        # Laplace approximation at the (sign-constrained) optimum over every feature, the
        # ones held at zero included: their effect is unknown, not known to be zero
        cov = np.zeros_like(hess)
        free = np.arange(hess.shape[0]) >= (0 if prior is None else 1)  # intercept held at 0
        cov[np.ix_(free, free)] = np.linalg.inv(hess[np.ix_(free, free)])
        return cls(
            list(features), mean, scale, float(beta[0]), beta[1:].copy(), float(l2), cov,
            prior=prior,
        )

    def offset(self, values: dict[str, np.ndarray], n: int) -> np.ndarray:
        """logit of the depth prior at ``values["air_yards"]`` (zeros without a prior)."""
        if self.prior is None:
            return np.zeros(n)
        if "air_yards" not in values:
            raise InputError("the completion model's depth prior needs the options' air_yards")
        return self.prior.logit(np.asarray(values["air_yards"], np.float64))

    def predict(self, x: np.ndarray, offset: np.ndarray | None = None) -> np.ndarray:
        """P(complete) for clipped features ``x`` (N, F) and the prior's logit ``offset``
        (N,; needed when the model has a prior), NaN where an input is NaN."""
        x = np.asarray(x, np.float64)
        if self.prior is not None and offset is None:
            raise InputError("this completion model has a depth prior: pass its offset")
        off = np.zeros(x.shape[0]) if offset is None else np.asarray(offset, np.float64)
        if not self.features:
            return np.asarray(_sigmoid(off + self.intercept))
        z = off + self.intercept + ((x - self.mean) / self.scale) @ self.coefficients
        p = _sigmoid(z)
        return np.where(np.isfinite(x).all(axis=1) & np.isfinite(off), p, np.nan)

    def logit_gradient(self, x: np.ndarray) -> np.ndarray:
        """d logit / d parameters (N, F+1) at clipped ``x``: ``[1, (x - mean) / scale]``."""
        x = np.asarray(x, np.float64)
        if not self.features:
            return np.ones((x.shape[0], 1))
        return np.column_stack([np.ones(x.shape[0]), (x - self.mean) / self.scale])

    def predict_values(self, values: dict[str, np.ndarray]) -> np.ndarray:
        """P(complete) from per-option arrays keyed by feature name (clipped here)."""
        n = len(next(iter(values.values()))) if values else 0
        off = self.offset(values, n) if self.prior is not None else None
        if not self.features:
            return self.predict(np.zeros((n, 0)), off)
        return self.predict(completion_features(values, self.features), off)

    # -- card ------------------------------------------------------------------------
    def to_card(self, **extra: Any) -> dict[str, Any]:
        """The JSON card (features, clips, normalisation, coefficients and their sha256)."""
        body: dict[str, Any] = {
            "features": list(self.features),
            "clips": {f: list(FEATURE_CLIPS[f]) for f in self.features},
            "mean": [float(v) for v in self.mean],
            "scale": [float(v) for v in self.scale],
            "intercept": float(self.intercept),
            "coefficients": [float(v) for v in self.coefficients],
        }
        if self.covariance is not None:
            body["covariance"] = [[float(v) for v in r] for r in self.covariance]
        if self.prior is not None:
            body["depth_prior"] = self.prior.to_card()
        return {
            "format": COMPLETION_FORMAT,
            "model": "P(complete) = 1 / (1 + exp(-(offset + intercept + sum_f coefficients[f] "
            "* (clip(x_f) - mean[f]) / scale[f]))), offset = logit of depth_prior's "
            "p_complete at the option's air yards (0 without a depth_prior)",
            **body,
            "l2": self.l2,
            "sha256": _digest(body),
            **self.card,
            **extra,
        }

    @classmethod
    def from_card(cls, card: dict[str, Any], source: str = "completion card") -> CompletionModel:
        """Build the model from a card dict (checks format, shapes and the sha256)."""
        if card.get("format") != COMPLETION_FORMAT:
            raise ModelError(
                f"{source}: format is {card.get('format')!r}, not {COMPLETION_FORMAT}"
            )
        try:
            feats = [str(f) for f in card["features"]]
            mean = np.array(card["mean"], np.float64)
            scale = np.array(card["scale"], np.float64)
            coef = np.array(card["coefficients"], np.float64)
            intercept = float(card["intercept"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"{source}: missing or malformed field ({exc})") from exc
        unknown = [f for f in feats if f not in FEATURE_CLIPS]
        if unknown:
            raise ModelError(f"{source}: unknown features {unknown}")
        if not (mean.shape == scale.shape == coef.shape == (len(feats),)):
            raise ModelError(f"{source}: features, mean, scale and coefficients differ in length")
        if not (np.isfinite(mean).all() and np.isfinite(coef).all() and (scale > 0).all()):
            raise ModelError(f"{source}: non-finite coefficients or non-positive scales")
        cov = None
        if card.get("covariance") is not None:
            try:
                cov = np.array(card["covariance"], np.float64)
            except (TypeError, ValueError) as exc:
                raise ModelError(f"{source}: malformed covariance ({exc})") from exc
            if cov.shape != (len(feats) + 1, len(feats) + 1) or not np.isfinite(cov).all():
                raise ModelError(f"{source}: covariance must be finite and (F+1) x (F+1)")
        body = {k: card[k] for k in ("features", "clips", "mean", "scale", "intercept",
                                     "coefficients", "covariance", "depth_prior")
                if k in card}
        if "sha256" in card and card["sha256"] != _digest(body):
            raise ModelError(f"{source}: coefficients do not match their sha256: corrupt or edited")
        prior = (DepthPrior.from_card(card["depth_prior"], source)
                 if card.get("depth_prior") is not None else None)
        rest = {k: v for k, v in card.items() if k not in body}
        return cls(feats, mean, scale, intercept, coef, float(card.get("l2", 0.0)), cov, rest,
                   prior)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> CompletionModel:
        """Load a card file."""
        return cls.from_card(read_card(Path(path)), str(path))


def _digest(values: Any) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()


def _auc(p: np.ndarray, y: np.ndarray) -> float:
    pos, neg = p[y == 1], p[y == 0]
    if pos.size == 0 or neg.size == 0:
        return float("nan")
    allp = np.concatenate([pos, neg])
    order = np.argsort(allp, kind="mergesort")
    ranks = np.empty(allp.size)
    sorted_p = allp[order]
    # average ranks of ties
    i = 0
    while i < sorted_p.size:
        j = i
        while j + 1 < sorted_p.size and sorted_p[j + 1] == sorted_p[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    r_pos = ranks[: pos.size].sum()
    return float((r_pos - pos.size * (pos.size + 1) / 2.0) / (pos.size * neg.size))


def classification_metrics(p: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """``n``, ``complete_rate``, ``brier``, ``log_loss``, ``auc`` of probabilities ``p``.

    >>> import numpy as np
    >>> classification_metrics(np.array([0.9, 0.2]), np.array([1, 0]))["auc"]
    1.0
    """
    p = np.asarray(p, np.float64)
    y = np.asarray(y, np.float64)
    ok = np.isfinite(p) & np.isfinite(y)
    p, y = p[ok], y[ok]
    if p.size == 0:
        nan = float("nan")
        return {"n": 0, "complete_rate": nan, "brier": nan, "log_loss": nan, "auc": nan}
    q = np.clip(p, 1e-6, 1 - 1e-6)
    return {
        "n": int(p.size),
        "complete_rate": float(y.mean()),
        "brier": float(np.mean((p - y) ** 2)),
        "log_loss": float(-np.mean(y * np.log(q) + (1 - y) * np.log(1 - q))),
        "auc": _auc(p, y),
    }


def reliability_table(
    p: np.ndarray, y: np.ndarray, edges: Sequence[float] = RELIABILITY_EDGES
) -> list[dict[str, float]]:
    """Per bin of predicted probability: ``lo``, ``hi``, ``n``, mean predicted, observed rate."""
    p = np.asarray(p, np.float64)
    y = np.asarray(y, np.float64)
    ok = np.isfinite(p) & np.isfinite(y)
    p, y = p[ok], y[ok]
    out = []
    for k, (lo, hi) in enumerate(zip(edges[:-1], edges[1:], strict=True)):
        last = k == len(edges) - 2
        m = (p >= lo) & ((p <= hi) if last else (p < hi))
        out.append(
            {
                "lo": float(lo),
                "hi": float(hi),
                "n": int(m.sum()),
                "predicted": float(p[m].mean()) if m.any() else float("nan"),
                "observed": float(y[m].mean()) if m.any() else float("nan"),
            }
        )
    return out

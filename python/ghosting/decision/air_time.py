"""The air-time model: how long the ball takes to reach a receiver (docs/decision.md).

A least-squares polynomial of air time (seconds, pass forward to arrival) against
throw distance (yards, the passer at pass forward to the catch point), fitted on the
real passes of training games and stored as a JSON card. :func:`arrival_frames`
turns it into each option's own flight: the first frame after pass forward at which
the modelled air time to the receiver's real position at that frame has elapsed.

>>> import numpy as np
>>> model = AirTimeModel.fit(np.array([10.0, 20.0, 40.0]), np.array([0.6, 1.1, 2.1]))
>>> round(float(model.predict(np.array([30.0]))[0]), 2)
1.6
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError, ModelError
from ..schema import DT

__all__ = ["AirTimeModel", "arrival_frames", "MAX_FLIGHT_FRAMES", "AIR_TIME_FORMAT"]

AIR_TIME_FORMAT = "ghosting-air-time/1"
#: The longest flight an option may get (frames at 10 Hz): 6 s, past any real pass.
MAX_FLIGHT_FRAMES = 60
#: Shortest modelled air time (s): a pass never arrives in less than one frame.
MIN_AIR_TIME = DT


@dataclass
class AirTimeModel:
    """Air time (s) = sum_k coefficients[k] * distance**k, floored at one frame.

    ``residual_sd`` is the training residuals' standard deviation (s); ``card`` holds
    the rest of the card (training games, metrics) when loaded from or written to one.
    """

    coefficients: np.ndarray
    residual_sd: float
    card: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def fit(cls, distance: np.ndarray, air_time: np.ndarray, degree: int = 1) -> AirTimeModel:
        """Least-squares fit of ``air_time`` (s) on ``distance`` (yd), polynomial ``degree``."""
        d = np.asarray(distance, np.float64)
        t = np.asarray(air_time, np.float64)
        ok = np.isfinite(d) & np.isfinite(t)
        if ok.sum() <= degree + 1:
            raise InputError(
                f"air-time fit needs more than {degree + 1} passes with a distance and an "
                f"air time, got {int(ok.sum())}"
            )
        a = np.vander(d[ok], degree + 1, increasing=True)
        coef, *_ = np.linalg.lstsq(a, t[ok], rcond=None)
        resid = t[ok] - a @ coef
        return cls(np.asarray(coef, np.float64), float(np.std(resid, ddof=degree + 1)))

    def predict(self, distance: np.ndarray) -> np.ndarray:
        """Modelled air time (s) for throw distances (yd), at least one frame."""
        d = np.asarray(distance, np.float64)
        t = np.polynomial.polynomial.polyval(d, self.coefficients)
        return np.maximum(t, MIN_AIR_TIME)

    def metrics(self, distance: np.ndarray, air_time: np.ndarray) -> dict[str, float]:
        """``n``, ``rmse`` and ``mae`` (s), ``bias`` (mean residual) and ``r2`` on passes."""
        d = np.asarray(distance, np.float64)
        t = np.asarray(air_time, np.float64)
        ok = np.isfinite(d) & np.isfinite(t)
        if not ok.any():
            return {"n": 0, "rmse": float("nan"), "mae": float("nan"), "bias": float("nan"),
                    "r2": float("nan")}
        r = t[ok] - self.predict(d[ok])
        var = float(np.var(t[ok]))
        return {
            "n": int(ok.sum()),
            "rmse": float(np.sqrt(np.mean(r**2))),
            "mae": float(np.mean(np.abs(r))),
            "bias": float(np.mean(r)),
            "r2": float(1.0 - np.mean(r**2) / var) if var > 0 else float("nan"),
        }

    # -- card ------------------------------------------------------------------------
    def to_card(self, **extra: Any) -> dict[str, Any]:
        """The JSON card: format, coefficients, residual spread, their sha256, ``extra``."""
        coef = [float(c) for c in self.coefficients]
        card = {
            "format": AIR_TIME_FORMAT,
            "model": "air_time_s = max(0.1, sum_k coefficients[k] * distance_yd**k); distance "
            "from the passer at pass forward to the catch point",
            "coefficients": coef,
            "residual_sd_s": self.residual_sd,
            "coefficients_sha256": _digest(coef),
            **self.card,
            **extra,
        }
        return card

    @classmethod
    def from_card(cls, card: dict[str, Any], source: str = "air-time card") -> AirTimeModel:
        """Build the model from a card dict (checks the format and the coefficients' hash)."""
        if card.get("format") != AIR_TIME_FORMAT:
            raise ModelError(f"{source}: format is {card.get('format')!r}, not {AIR_TIME_FORMAT}")
        try:
            coef = [float(c) for c in card["coefficients"]]
            sd = float(card["residual_sd_s"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"{source}: no usable coefficients / residual_sd_s ({exc})") from exc
        if not coef or not all(np.isfinite(coef)):
            raise ModelError(f"{source}: coefficients must be finite numbers")
        if card.get("coefficients_sha256") not in (None, _digest(coef)):
            raise ModelError(f"{source}: coefficients do not match their sha256: corrupt or edited")
        rest = {k: v for k, v in card.items() if k not in ("coefficients", "residual_sd_s")}
        return cls(np.array(coef), sd, rest)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> AirTimeModel:
        """Load a card file."""
        return cls.from_card(read_card(Path(path)), str(path))


def _digest(values: Any) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()


def read_card(path: Path) -> dict[str, Any]:
    """A JSON card as a dict, or a :class:`~ghosting.ModelError` naming the file."""
    try:
        card = json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise ModelError(f"decision card {path} not found") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"decision card {path} is not valid JSON: {exc}") from exc
    if not isinstance(card, dict):
        raise ModelError(f"decision card {path} is not a JSON object")
    return card


def arrival_frames(
    model: AirTimeModel,
    passer_xy: np.ndarray,
    receiver_path: np.ndarray,
    max_flight: int = MAX_FLIGHT_FRAMES,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each option's flight: the first frame the ball could reach the receiver.

    ``passer_xy`` (N, 2) is the passer at pass forward; ``receiver_path`` (N, T, 2)
    the receiver's real positions at frames 1..T after pass forward (NaN where not
    tracked). Frame t is reachable when ``t * 0.1 s >= air_time(|receiver(t) - passer|)``.
    Returns ``flight`` (N,) int64 frames (0 where none), ``ok`` (N,) bool and
    ``reason`` (N,) object: None, ``"receiver not tracked after pass forward"``,
    ``"route ends before the ball could arrive"`` or
    ``"no arrival within the maximum flight"``.

    >>> import numpy as np
    >>> m = AirTimeModel(np.array([0.0, 0.1]), 0.2)           # 0.1 s per yard
    >>> path = np.zeros((1, 30, 2)); path[0, :, 0] = 20.0     # a receiver 20 yd away
    >>> arrival_frames(m, np.zeros((1, 2)), path)[0].tolist()  # 2 s: frame 20
    [20]
    """
    p = np.asarray(passer_xy, np.float64)
    r = np.asarray(receiver_path, np.float64)
    if r.ndim != 3 or r.shape[2] != 2 or p.shape != (r.shape[0], 2):
        raise InputError(
            f"arrival_frames needs passer (N, 2) and receiver paths (N, T, 2), got {p.shape} "
            f"and {r.shape}"
        )
    n, t_len = r.shape[:2]
    flight = np.zeros(n, np.int64)
    ok = np.zeros(n, bool)
    reason = np.full(n, None, dtype=object)
    if n == 0:
        return flight, ok, reason
    t_len = min(t_len, max_flight)
    r = r[:, :t_len]
    tracked = np.asarray(np.isfinite(r).all(axis=2), dtype=bool)
    dist = np.hypot(r[..., 0] - p[:, None, 0], r[..., 1] - p[:, None, 1])
    need = model.predict(np.where(tracked, dist, 0.0))
    elapsed = np.arange(1, t_len + 1)[None, :] * DT
    reach = tracked & (elapsed + 1e-9 >= need)
    any_reach = reach.any(axis=1)
    first = np.argmax(reach, axis=1)
    flight[any_reach] = first[any_reach] + 1
    ok[any_reach] = True
    # why not: never tracked, tracked to the end of the window, or the route stops
    ever = tracked.any(axis=1)
    last_tracked = t_len - 1 - np.argmax(tracked[:, ::-1], axis=1)
    reason[~any_reach & ~ever] = "receiver not tracked after pass forward"
    ends_early = ~any_reach & ever & (last_tracked < t_len - 1)
    if np.asarray(receiver_path).shape[1] < max_flight:
        ends_early |= ~any_reach & ever
    reason[ends_early] = "route ends before the ball could arrive"
    reason[~any_reach & ever & ~ends_early] = "no arrival within the maximum flight"
    return flight, ok, reason

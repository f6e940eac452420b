"""Held-out evaluation of the forecast model with the Big Data Bowl 2026 metric.

:func:`evaluate_forecast` drops every play of a game in the forecast card's train or
validation split and measures, on the scored players (the targeted receiver and the
defenders in coverage) of the rest, RMSE = sqrt(0.5 * (mean dx^2 + mean dy^2)) over
all predicted player-frames, beside constant velocity on the same player-frames and
ghost mode on the same defender-frames. Ghost mode knows the receiver's real route
during the flight (forecast mode does not), so it is compared on the defenders only.
Figures are given for all scored players, the targeted receiver and the defenders,
over every flight and by flight length.

>>> from ghosting.forecast.evaluate import evaluate_forecast   # doctest: +SKIP
>>> report = evaluate_forecast(datasets, ghosting.ForecastModel.load())   # doctest: +SKIP
>>> report["rmse"]["all"]["model"]   # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from ..errors import InputError, ModelError
from ..model.baselines import constant_velocity
from ..model.ghost import GhostModel
from .data import PlayTokens, concat_tokens
from .model import ForecastModel, ghost_on_route
from .predict import rmse

__all__ = ["evaluate_forecast", "FLIGHT_BINS", "token_constant_velocity", "ghost_positions"]

#: Flight-length bins (frames in the air, inclusive).
FLIGHT_BINS = (("1-10", 1, 10), ("11-20", 11, 20), ("21-30", 21, 30), ("31+", 31, 10**9))


def token_constant_velocity(t: PlayTokens) -> np.ndarray:
    """Constant-velocity positions (P, K, Tmax, 2) of every token (NaN on padding)."""
    p, k = t.valid.shape
    t_max = t.future.shape[2]
    flat = constant_velocity(t.hist.reshape(p * k, t.history, 2), t_max).reshape(p, k, t_max, 2)
    inside = np.arange(1, t_max + 1)[None, None, :] <= t.flight_frames[:, None, None]
    return np.where((inside & t.valid[:, :, None])[..., None], flat, np.nan)


def ghost_positions(
    ghost: GhostModel, tracking: pa.Table, rows: list[dict], t: PlayTokens
) -> np.ndarray:
    """Ghost-mode positions (P, K, Tmax, 2) of the defender tokens of ``t`` given the
    targeted receiver's real route (NaN for other tokens)."""
    return ghost_on_route(ghost, tracking, rows, t, None)


def _stack(parts: list[np.ndarray], shape: tuple[int, ...]) -> np.ndarray:
    """Per-dataset (P_i, K, T_i, 2) arrays stacked into ``shape`` (NaN padded)."""
    out = np.full(shape, np.nan)
    row = 0
    for a in parts:
        out[row : row + a.shape[0], :, : a.shape[2]] = a
        row += a.shape[0]
    return out


def _figures(preds: dict[str, np.ndarray], real: np.ndarray, keep: np.ndarray) -> dict:
    out: dict[str, Any] = {}
    n = 0
    for name, pred in preds.items():
        value, n = rmse(pred, real, keep)
        out[name] = value
    out["n_player_frames"] = n
    return out


def evaluate_forecast(
    datasets: Sequence[tuple[str, pa.Table, pa.Table]],
    model: ForecastModel,
    ghost: GhostModel | None = None,
    *,
    games: str = "unseen",
) -> dict[str, Any]:
    """Forecast RMSE on the plays of games the model never saw (see the module docstring).

    ``datasets`` holds ``(name, cleaned tracking, pass_plays)``. ``games="unseen"``
    excludes the games of the card's train and validation split; ``"validation"``
    keeps only the validation games (model selection); ``"all"`` everything.
    ``ghost`` (default: none) adds ghost mode on the same defender-frames.
    """
    if games not in ("unseen", "validation", "all"):
        raise InputError(f"games must be 'unseen', 'validation' or 'all', got {games!r}")
    split = model.card.get("training", {}).get("split_by_game")
    if games != "all" and not (isinstance(split, dict) and "train" in split
                               and "validation" in split):  # fmt: skip
        raise ModelError(f"forecast model card in {model.directory} lists no train/validation "
                         "split by game (training.split_by_game)")  # fmt: skip
    seen_games: set[int] = set()
    if games == "unseen":
        seen_games = {int(g) for g in split["train"]} | {int(g) for g in split["validation"]}
    validation = {int(g) for g in split["validation"]} if games == "validation" else set()

    parts: list[PlayTokens] = []
    model_parts, net_parts, ghost_parts = [], [], []
    excluded_games: set[int] = set()
    excluded = 0
    for _name, tracking, plays in datasets:
        rows = [r for r in plays.to_pylist() if r.get("analysable") and r.get("targeted_receiver")]
        keep = []
        for r in rows:
            g = int(r["game_id"])
            if g in seen_games or (games == "validation" and g not in validation):
                excluded_games.add(g)
                excluded += 1
            else:
                keep.append(r)
        if not keep:
            continue
        t, pos = model.forecast(tracking, keep)
        if len(t) == 0:
            continue
        parts.append(t)
        model_parts.append(pos)
        net_parts.append(model.predict_tokens(t)[0])
        if ghost is not None:
            ghost_parts.append(ghost_positions(ghost, tracking, keep, t))
    if not parts:
        raise InputError(f"no unseen pass plays to evaluate the forecast on ({excluded} plays "
                         f"of {len(excluded_games)} games excluded)")  # fmt: skip
    t = concat_tokens(parts)
    t_max = t.future.shape[2]
    preds = {"model": _stack(model_parts, t.future.shape)}
    if model.ghost is not None:  # the network's own defenders, for comparison
        preds["network_only"] = _stack(net_parts, t.future.shape)
    preds["constant_velocity"] = token_constant_velocity(t)
    ghost_xy = _stack(ghost_parts, t.future.shape) if ghost is not None else None
    real = t.future
    known = np.isfinite(real).all(-1)
    shape = real.shape[:3]
    scored = np.broadcast_to(t.scored[:, :, None], shape) & known
    target = np.broadcast_to(t.is_target[:, :, None], shape)
    defenders = scored & np.broadcast_to(t.is_defense[:, :, None], shape)
    if ghost_xy is not None:  # the same defender-frames for all three
        defenders = defenders & np.isfinite(ghost_xy).all(-1)
    frames = np.broadcast_to(t.flight_frames[:, None, None], shape)

    def table(extra: np.ndarray) -> dict[str, Any]:
        out = {
            "all": _figures(preds, real, scored & extra & (target | defenders)),
            "target": _figures(preds, real, scored & target & extra),
        }
        with_ghost = dict(preds) if ghost_xy is None else {**preds, "ghost_mode": ghost_xy}
        out["defenders"] = _figures(with_ghost, real, defenders & extra)
        return out

    everything = np.ones(shape, bool)
    by_flight = {}
    for name, lo, hi in FLIGHT_BINS:
        in_bin = (frames >= lo) & (frames <= hi)
        entry = table(in_bin)
        entry["n_plays"] = int(((t.flight_frames >= lo) & (t.flight_frames <= hi)).sum())
        by_flight[name] = entry
    return {
        "metric": "sqrt(0.5 * (mean dx^2 + mean dy^2)) over the predicted player-frames (yd)",
        "n_plays": len(t),
        "n_games": int(np.unique(t.game_id).size),
        "excluded": {"games": len(excluded_games), "plays": excluded,
                     "why": {"unseen": "game in the forecast card's train or validation split",
                             "validation": "game not in the forecast card's validation split",
                             "all": "nothing excluded"}[games]},  # fmt: skip
        "players": "the targeted receiver and the defenders in coverage (defensive backs, or "
        "within the card's coverage radius of the receiver-to-landing-point segment at pass "
        "forward; the 2026 player_to_predict flag when present)",
        "defenders_by": model.card.get("defenders", "network"),
        "ghost_mode": None if ghost is None else "ghost mode is given the targeted receiver's "
        "real route during the flight (forecast mode is not): compared on the defenders only, "
        "on the same defender-frames",
        "rmse": table(everything),
        "by_flight": by_flight,
        "max_flight_frames": int(t_max),
        "model": {"sha256": model.sha256, "directory": str(model.directory)},
        "games": games,
    }

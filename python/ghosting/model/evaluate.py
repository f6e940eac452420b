"""Honest evaluation of a ghosting model on plays it never saw (docs/model.md).

:func:`evaluate_model` takes tracking tables and their pass plays, drops every play
of a game the model trained or validated on (the card lists them), and measures on
the defensive backs of the rest, beside the constant-velocity and pursuit
baselines computed on the same plays:

* ``horizons`` -> ``1s`` / ``full`` -> ``model`` / ``constant_velocity`` /
  ``pursuit`` -> ``ade``, ``fde``, ``rmse`` (yards; ``rmse`` is the Big Data Bowl's
  ``sqrt(sum(dx^2 + dy^2) / 2N)``). ``1s`` uses the first 10 frames of the flights
  that last at least 10 frames; ``full`` every frame until arrival.
* ``trajectory_score`` -> ``real``, ``model``, ``replaced_25`` (25% of the real
  trajectories replaced by random-direction, random-speed runs,
  :func:`ghosting.scoring.random_replacement`), ``distorted_25`` (25% of the
  defenders given a random initial direction and speed in the model's input, then
  predicted): mean Trajectory Score against the catch point.
* ``what_if_validity``: over plays and alternative receivers B, the share of cases
  where the defensive back nearest B at pass forward ends (at arrival) closer to B's
  arrival position when B is the target than when the real target is.

>>> from ghosting.model.evaluate import evaluate_model   # doctest: +SKIP
>>> report = evaluate_model([("2021", tracking, plays)], model)   # doctest: +SKIP
>>> report["horizons"]["full"]["model"]["ade"]   # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from ..errors import InputError, ModelError
from ..schema import DT, play_keys
from ..scoring import random_replacement, trajectory_score
from .baselines import PURSUIT_DEFAULTS, constant_velocity, pursuit
from .features import GhostInputs, complete_mask, concat_inputs, cut_ghost_inputs
from .ghost import GhostModel

__all__ = ["evaluate_model", "displacement_metrics", "what_if_validity", "distort_history"]

#: Seed of the random replacement / distortion draws (fixed so reports reproduce).
EVAL_SEED = 0


def _errors(pred: np.ndarray, w: GhostInputs) -> np.ndarray:
    t_max = pred.shape[1]
    real = w.defender[:, w.lead + 1 : w.lead + 1 + t_max]
    err = np.hypot(pred[..., 0] - real[..., 0], pred[..., 1] - real[..., 1])
    valid = np.arange(1, t_max + 1)[None, :] <= w.flight_frames[:, None]
    return np.where(valid, err, np.nan)


def displacement_metrics(pred: np.ndarray, w: GhostInputs) -> dict[str, dict[str, float]]:
    """ADE, FDE and Big Data Bowl RMSE at 1 s and over the whole flight.

    ``pred`` (N, Tmax, 2) holds frames 1..T after pass forward. ADE is the mean over
    trajectories of the mean per-frame error, FDE the mean error at the horizon's
    last frame, RMSE ``sqrt(sum(dx^2 + dy^2) / 2N)`` over every frame.

    >>> import numpy as np
    >>> from ghosting.model.features import GhostInputs
    >>> w = GhostInputs(3, *(np.zeros(1, np.int64),) * 5, np.array([2]),
    ...             np.zeros((1, 5, 2)), np.zeros((1, 5, 2)), np.zeros((1, 2)),
    ...             np.zeros((1, 4)), np.ones(1, bool))
    >>> displacement_metrics(np.full((1, 2, 2), [3.0, 4.0]), w)["full"]["ade"]
    5.0
    """
    err = _errors(pred, w)
    out: dict[str, dict[str, float]] = {}
    for name, frames in (("1s", 10), ("full", None)):
        if frames is None:
            keep = np.ones(len(w), bool)
            e = err
            last = w.flight_frames - 1
        else:
            keep = w.flight_frames >= frames
            e = err[:, :frames]
            last = np.full(len(w), frames - 1)
        if not keep.any():
            out[name] = {"ade": float("nan"), "fde": float("nan"), "rmse": float("nan"), "n": 0}
            continue
        ek = e[keep]
        out[name] = {
            "ade": float(np.mean(np.nanmean(ek, axis=1))),
            "fde": float(np.mean(err[np.flatnonzero(keep), last[keep]])),
            "rmse": float(np.sqrt(np.nansum(ek**2) / (2 * np.isfinite(ek).sum()))),
            "n": int(keep.sum()),
        }
    return out


def flight_receiver(w: GhostInputs) -> np.ndarray:
    """The receiver's positions (N, Tmax, 2) at frames 1..Tmax (held after arrival)."""
    t_max = int(w.flight_frames.max())
    idx = np.minimum(w.lead + np.arange(1, t_max + 1)[None, :], (w.lead + w.flight_frames)[:, None])
    return w.receiver[np.arange(len(w))[:, None], idx]


def baseline_predictions(w: GhostInputs, caps: dict[str, float]) -> dict[str, np.ndarray]:
    """Constant-velocity and pursuit predictions (N, Tmax, 2) for the windows."""
    t_max = int(w.flight_frames.max())
    hist = w.defender[:, : w.lead + 1]
    return {
        "constant_velocity": constant_velocity(hist, t_max),
        "pursuit": pursuit(hist, flight_receiver(w), **caps),
    }


def distort_history(
    w: GhostInputs, fraction: float = 0.25, seed: int = EVAL_SEED
) -> tuple[np.ndarray, np.ndarray]:
    """Histories (N, k, 2) where ``fraction`` of the defenders get a random direction and
    speed (uniform in [0, 2 pi) and [0, the defender's mean speed over the flight]); the
    pass-forward position is kept. Returns ``(history, distorted)``.
    """
    hist = w.defender[:, : w.lead + 1].copy()
    n = len(w)
    rng = np.random.default_rng(seed)
    distorted = np.zeros(n, bool)
    distorted[rng.choice(n, size=int(round(fraction * n)), replace=False)] = True
    angle = rng.uniform(0.0, 2.0 * np.pi, n)
    unit = rng.uniform(0.0, 1.0, n)
    real = _real_xy(w)
    steps = np.hypot(*np.moveaxis(np.diff(real, axis=1), -1, 0))
    mean_speed = np.nansum(steps, axis=1) / (w.flight_frames * DT)
    vel = (unit * mean_speed)[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    lag = (np.arange(w.history) - w.lead)[None, :, None] * DT  # -lead*dt .. 0
    runs = hist[:, -1:, :] + lag * vel[:, None, :]
    hist[distorted] = runs[distorted]
    return hist, distorted


def _real_xy(w: GhostInputs) -> np.ndarray:
    """Real defender positions (N, Tmax + 1, 2) from pass forward, NaN past arrival."""
    t_max = int(w.flight_frames.max())
    out = w.defender[:, w.lead : w.lead + t_max + 1].copy()
    past = np.arange(t_max + 1)[None, :] > w.flight_frames[:, None]
    out[past] = np.nan
    return out


def _with_start(w: GhostInputs, pred: np.ndarray) -> np.ndarray:
    return np.concatenate([w.defender[:, w.lead : w.lead + 1], pred], axis=1)


def mean_ts(w: GhostInputs, xy: np.ndarray) -> float:
    """Mean Trajectory Score (catch point) of trajectories ``xy`` (N, Tmax + 1, 2)."""
    receiver = np.concatenate([w.receiver[:, w.lead : w.lead + 1], flight_receiver(w)], axis=1)
    lengths = (w.flight_frames + 1).astype(np.int64)
    xy = np.where(np.isfinite(xy), xy, 0.0)
    s = trajectory_score(xy, receiver, lengths=lengths)
    ts = np.asarray(s.ts, dtype=np.float64)
    return float(np.nanmean(ts)) if np.isfinite(ts).any() else float("nan")


def what_if_validity(model: GhostModel, w_all: GhostInputs, real_target: np.ndarray) -> dict:
    """Share of (play, alternative receiver B) where the back nearest B ends closer to B
    when B is the target than when the real target is.

    ``w_all`` holds the windows of every (play, back, eligible receiver);
    ``real_target`` (N,) is True where the window's target is the play's real one.
    Returns ``validity`` (NaN without cases), ``n_cases`` and ``n_better``.
    """
    if len(w_all) == 0:
        return {"validity": float("nan"), "n_cases": 0, "n_better": 0}
    pred, _ = model.predict_windows(w_all)
    end = pred[np.arange(len(w_all)), w_all.flight_frames - 1]
    rec_end = w_all.receiver[np.arange(len(w_all)), w_all.lead + w_all.flight_frames]
    start = w_all.defender[:, w_all.lead]
    rec_start = w_all.receiver[:, w_all.lead]
    plays, play_of_row = np.unique(play_keys(w_all.game_id, w_all.play_id),
                                   return_inverse=True)
    ok = better = 0
    for index in range(len(plays)):
        in_play = play_of_row == index
        real_rows = np.flatnonzero(in_play & real_target)
        if real_rows.size == 0:
            continue
        real_end = {int(w_all.nfl_id[i]): end[i] for i in real_rows}
        for b in np.unique(w_all.target_nfl_id[in_play & ~real_target]):
            rows = np.flatnonzero(in_play & (w_all.target_nfl_id == b))
            dist0 = np.hypot(*(start[rows] - rec_start[rows]).T)
            i = rows[np.argmin(dist0)]
            defender = int(w_all.nfl_id[i])
            if defender not in real_end:
                continue
            target_b = rec_end[i]
            d_b = np.hypot(*(end[i] - target_b))
            d_a = np.hypot(*(real_end[defender] - target_b))
            ok += 1
            better += bool(d_b < d_a)
    return {"validity": better / ok if ok else float("nan"), "n_cases": ok, "n_better": better}


def evaluate_model(
    datasets: Sequence[tuple[str, pa.Table, pa.Table]],
    model: GhostModel,
    *,
    seed: int = EVAL_SEED,
    games: str = "unseen",
) -> dict[str, Any]:
    """Evaluate ``model`` on the defensive backs of plays from games it never saw.

    ``datasets`` holds ``(name, tracking, plays)`` (cleaned canonical tracking and its
    ``pass_plays``). ``games="unseen"`` (the default, the honest figure) excludes the
    games of the card's train and validation split; ``"validation"`` keeps only the
    validation games (for model selection during development, never the test games);
    ``"all"`` keeps everything (diagnostics only). A card without that split (game
    ids under ``training.split_by_game``) raises :class:`~ghosting.ModelError`
    unless ``games="all"``.
    """
    if games not in ("unseen", "validation", "all"):
        raise InputError(f"games must be 'unseen', 'validation' or 'all', got {games!r}")
    card = model.card
    split = card.get("training", {}).get("split_by_game")
    if games != "all" and not (
        isinstance(split, dict) and "train" in split and "validation" in split
    ):
        # without the split nothing can be excluded: every figure would include the
        # games the model was fitted on
        raise ModelError(
            f"model card in {model.directory} lists no train/validation split by game "
            "(training.split_by_game), so the games the model saw cannot be excluded"
        )
    if games == "unseen":
        seen = {int(g) for g in split["train"]} | {int(g) for g in split["validation"]}
    elif games == "validation":
        validation = {int(g) for g in split["validation"]}
        seen = {int(g) for d in datasets for g in d[2].column("game_id").to_pylist()}
        seen -= validation
    else:
        seen = set()
    caps = {k: float(card.get("pursuit_caps", {}).get(k, v)) for k, v in PURSUIT_DEFAULTS.items()}

    real_parts, all_parts = [], []
    excluded_games: set[int] = set()
    excluded_plays = 0
    per_source = []
    for name, tracking, plays in datasets:
        rows = [r for r in plays.to_pylist() if r.get("analysable") and r.get("targeted_receiver")]
        keep = []
        for r in rows:
            if int(r["game_id"]) in seen:
                excluded_games.add(int(r["game_id"]))
                excluded_plays += 1
            else:
                keep.append(r)
        w = cut_ghost_inputs(tracking, keep, history=model.history, defenders="backs")
        w = w.take(complete_mask(w))
        wa = cut_ghost_inputs(
            tracking, keep, history=model.history, defenders="backs", targets="all"
        )
        real_parts.append(w)
        all_parts.append((wa, keep))
        per_source.append(
            {
                "name": name,
                "plays": len(set(zip(w.game_id, w.play_id, strict=True))),
                "trajectories": len(w),
            }
        )
    nonempty = [p for p in real_parts if len(p)]
    if not nonempty:
        raise InputError(
            f"no unseen plays with defensive backs to evaluate on ({excluded_plays} plays "
            f"of {len(excluded_games)} games excluded as seen in training)"
        )
    w = concat_inputs(nonempty)
    pred, _ = model.predict_windows(w)
    preds = {"model": pred, **baseline_predictions(w, caps)}
    horizons: dict[str, dict[str, Any]] = {"1s": {}, "full": {}}
    for name, p in preds.items():
        m = displacement_metrics(p, w)
        for h in horizons:
            horizons[h][name] = {k: m[h][k] for k in ("ade", "fde", "rmse")}
            horizons[h]["n_trajectories"] = m[h]["n"]

    real_xy = _real_xy(w)
    lengths = (w.flight_frames + 1).astype(np.int64)
    replaced_xy, _ = _replace(real_xy, lengths, seed)
    hist, _distorted = distort_history(w, 0.25, seed)
    dpred, _ = model.predict_windows(w, defender_history=hist)
    ts = {
        "real": mean_ts(w, real_xy),
        "model": mean_ts(w, _with_start(w, pred)),
        "replaced_25": mean_ts(w, replaced_xy),
        "distorted_25": mean_ts(w, _with_start(w, dpred)),
        "constant_velocity": mean_ts(w, _with_start(w, preds["constant_velocity"])),
        "pursuit": mean_ts(w, _with_start(w, preds["pursuit"])),
    }

    validity_cases = better = 0
    for wa, _rows in all_parts:
        if len(wa) == 0:
            continue
        real_of_play = {
            (int(r["game_id"]), int(r["play_id"])): int(r["targeted_receiver"])
            for r in _rows
        }
        real_target = np.array(
            [
                real_of_play.get((int(g), int(p))) == int(t)
                for g, p, t in zip(wa.game_id, wa.play_id, wa.target_nfl_id, strict=True)
            ],
            dtype=bool,
        )
        v = what_if_validity(model, wa, real_target)
        validity_cases += v["n_cases"]
        better += v["n_better"]

    full = horizons["full"]
    best_baseline = min(full["constant_velocity"]["ade"], full["pursuit"]["ade"])
    validity = better / validity_cases if validity_cases else float("nan")
    return {
        "n_plays": int(len(set(zip(w.game_id.tolist(), w.play_id.tolist(), strict=True)))),
        "n_trajectories": len(w),
        "n_games": int(np.unique(w.game_id).size),
        "excluded": {
            "games": len(excluded_games),
            "plays": excluded_plays,
            "why": {
                "unseen": "game in the model card's train or validation split",
                "validation": "game not in the model card's validation split",
                "all": "nothing excluded",
            }[games],
        },
        "sources": per_source,
        "defenders": "defensive backs (CB, S, SS, FS, DB)",
        "horizons": horizons,
        "trajectory_score": ts,
        "what_if_validity": validity,
        "what_if_cases": validity_cases,
        "targets": {
            "ade_ratio_to_best_baseline": full["model"]["ade"] / best_baseline,
            "ade_ratio_ok": bool(full["model"]["ade"] <= 0.75 * best_baseline),
            "ts_gap": abs(ts["model"] - ts["real"]),
            "ts_gap_ok": bool(abs(ts["model"] - ts["real"]) <= 0.03),
            "replaced_above_real": bool(ts["replaced_25"] > ts["real"]),
            "what_if_ok": bool(validity >= 0.85),
        },
        "model": {"sha256": model.sha256, "directory": str(model.directory)},
        "pursuit_caps": caps,
        "seed": seed,
        "games": games,
    }


def _replace(real_xy: np.ndarray, lengths: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    xy = np.where(np.isfinite(real_xy), real_xy, 0.0)
    return random_replacement(xy, lengths=lengths, fraction=0.25, seed=seed)

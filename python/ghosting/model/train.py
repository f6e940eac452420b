"""Training pipeline of the ghosting model (optional extra ``train``).

Steps (docs/model.md): real pass plays, cleaned with the ``play`` policy and
direction-normalised, are split by **game** into train / validation / test; every
defender becomes a window (mirror-y augmented for training), cut into tiles that
start every few frames of the flight; LightGBM ranks the candidate feature groups
by importance for the displacement at the end of the tile; the kept groups feed a
small PyTorch MLP that predicts per-frame displacements (a residual over constant
velocity) and a per-frame sigma with a Gaussian negative log-likelihood; the best
epoch on the validation games is exported to ONNX with its JSON model card.

torch, lightgbm and onnx are imported lazily: without them a clear
:class:`~ghosting.GhostingError` names ``pip install "ghosting[train]"``.

>>> from ghosting.model.train import train_model  # doctest: +SKIP
>>> card = train_model(["tracking.csv"], "my_model", seed=0)  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import platform
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from .._util import atomic_path
from ..cleaning import check_options
from ..errors import GhostingError, InputError
from ..pipeline.paths import check_outputs, expand_inputs
from ..schema import DT
from .baselines import PURSUIT_DEFAULTS, pursuit
from .config import TrainConfig
from .data import load_sources
from .evaluate import _errors, baseline_predictions, displacement_metrics, flight_receiver
from .features import (
    FEATURE_GROUPS,
    GhostInputs,
    complete_mask,
    concat_inputs,
    cut_ghost_inputs,
    feature_groups,
    feature_names,
    mirror_inputs,
    rollout,
    select_columns,
    tile_features,
    tile_inputs,
)
from .network import build_ensemble, export_onnx, onnx_torch_difference, train_member

__all__ = ["TrainConfig", "train_model", "train_on_tables", "split_games", "require_training"]

LICENCE = (
    "Trained on NFL Big Data Bowl and NGS highlights tracking data, published by the NFL "
    "for research and non-commercial use only (Big Data Bowl 2026 data: CC BY-NC 4.0). "
    "The model inherits that restriction: research and non-commercial use only."
)

# Feature groups always kept whatever the ranking says: the model's residual is
# built on the defender's velocity and the tile's time budget.
MANDATORY_GROUPS = ("def_velocity_history", "time_left")


def require_training() -> tuple[Any, Any, Any]:
    """Import torch, lightgbm and onnx, or raise a GhostingError saying how to get them."""
    mods = []
    for name in ("torch", "lightgbm", "onnx"):
        try:
            mods.append(importlib.import_module(name))
        except ImportError as exc:
            raise GhostingError(
                f'training needs the optional dependency {name!r}: pip install "ghosting[train]"'
            ) from exc
    return mods[0], mods[1], mods[2]


def split_games(
    game_ids: Sequence[int],
    split: tuple[float, float, float],
    seed: int,
    test_games: Sequence[int] = (),
) -> dict:
    """Assign whole games to ``train`` / ``validation`` / ``test`` (seeded, deterministic).

    ``test_games`` present in ``game_ids`` always go to ``test``; the others are split
    in the given proportions.

    >>> s = split_games([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], (0.6, 0.2, 0.2), seed=0)
    >>> sorted(len(v) for v in s.values())
    [2, 2, 6]
    """
    forced = sorted(set(int(g) for g in game_ids) & set(int(g) for g in test_games))
    games = np.array(sorted(set(int(g) for g in game_ids) - set(forced)), dtype=np.int64)
    rng = np.random.default_rng(seed)
    order = games[rng.permutation(games.size)]
    n_val = max(1, int(round(split[1] * games.size))) if games.size >= 3 else 0
    n_test = max(1, int(round(split[2] * games.size))) if games.size >= 3 else 0
    n_train = games.size - n_val - n_test
    return {
        "train": sorted(int(g) for g in order[:n_train]),
        "validation": sorted(int(g) for g in order[n_train : n_train + n_val]),
        "test": sorted([int(g) for g in order[n_train + n_val :]] + forced),
    }


def _tiles(w: GhostInputs, horizon: int, stride: int) -> dict[str, np.ndarray]:
    """Every tile start (0, stride, 2*stride, ... < T) of every window, with targets."""
    reps = (w.flight_frames + stride - 1) // stride
    win = np.repeat(np.arange(len(w)), reps)
    offsets = np.arange(reps.sum()) - np.repeat(np.cumsum(reps) - reps, reps)
    start = offsets * stride
    sub = w.take(win)
    hist, path, left, origin = tile_inputs(sub, start, horizon)
    feats = tile_features(hist, path, sub.catch, left, sub.context, sub.is_back)
    rows = np.arange(win.size)[:, None]
    t_idx = w.lead + start[:, None] + np.arange(1, horizon + 1)[None, :]
    valid = np.arange(1, horizon + 1)[None, :] <= left[:, None]
    t_idx = np.minimum(t_idx, sub.defender.shape[1] - 1)
    target = sub.defender[rows, t_idx] - origin[:, None, :]
    target = np.where(valid[..., None], target, 0.0)
    vel = (hist[:, -1] - hist[:, -2]) / DT
    return {
        "features": feats,
        "velocity": vel,
        "target": target,
        "mask": valid,
        "frames_left": left,
        "window": win,
    }


def _rank_features(lgb: Any, tiles: dict[str, np.ndarray], cfg: TrainConfig, seed: int) -> dict:
    """Rank candidate groups by LightGBM gain on the displacement at the tile's end."""
    names = feature_names(cfg.history, cfg.horizon)
    h = np.minimum(tiles["frames_left"], cfg.horizon) - 1
    rows = np.arange(h.size)
    # what the network must add to constant velocity at the tile's last frame
    final = tiles["target"][rows, h] - tiles["velocity"] * ((h + 1) * DT)[:, None]
    gain = np.zeros(len(names))
    for c in range(2):
        params = {
            "objective": "regression",
            "learning_rate": 0.05,
            "num_leaves": 31,
            "bagging_fraction": 0.8,
            "bagging_freq": 1,
            "feature_fraction": 0.8,
            "seed": seed,
            "num_threads": cfg.threads,
            "verbose": -1,
            "deterministic": True,
            "force_row_wise": True,
        }
        data = lgb.Dataset(tiles["features"], label=final[:, c], free_raw_data=False)
        booster = lgb.train(params, data, num_boost_round=200)
        gain += booster.feature_importance(importance_type="gain")
    gain = gain / max(gain.sum(), 1e-12)
    groups = feature_groups(cfg.history, cfg.horizon)
    share: dict[str, float] = {}
    start = 0
    for name, cols in groups.items():
        share[name] = float(gain[start : start + len(cols)].sum())
        start += len(cols)
    ranking = sorted(share.items(), key=lambda kv: -kv[1])
    kept: list[str] = []
    total = 0.0
    for name, s in ranking:
        if total >= cfg.importance_share and len(kept) >= cfg.min_groups:
            break
        kept.append(name)
        total += s
    for name in MANDATORY_GROUPS:
        if name not in kept:
            kept.append(name)
    kept = [g for g in FEATURE_GROUPS if g in kept]
    top_columns = sorted(zip(names, gain.tolist(), strict=True), key=lambda kv: -kv[1])[:15]
    return {
        "method": "LightGBM (200 trees) regressing the displacement at the tile's last frame "
        "beyond constant velocity (x and y, the part the network must learn); gain "
        "importance summed over both and over each group's columns",
        "group_ranking": [{"group": g, "share": round(s, 5)} for g, s in ranking],
        "top_columns": [{"column": c, "share": round(s, 5)} for c, s in top_columns],
        "kept_groups": kept,
        "rule": f"keep groups by rank until {cfg.importance_share:.0%} of the gain, at least "
        f"{cfg.min_groups}; always keep {list(MANDATORY_GROUPS)}",
    }


def _what_if_pairs(
    sources: list[tuple[pa.Table, pa.Table]], games: set[int], cfg: TrainConfig, cols: np.ndarray
) -> dict[str, np.ndarray] | None:
    """Pairs (real target A, alternative receiver B) for the defenders near B, training games.

    For every training play, alternative receiver B and defender within
    ``what_if_radius`` of B at pass forward (or nearest to B), the first tile's inputs
    with A and with B as the target, the tile frame of the comparison (arrival, or the
    tile's last frame) and B's position there, relative to the defender. Mirrored too.
    """
    parts = []
    for tracking, plays in sources:
        # plays whose real target is not among the listed eligible receivers give no
        # pairs, as when the shipped model was trained (the what-if windows lacked that
        # target then): keeps `ghosting train` reproducing it
        rows = [
            r
            for r in plays.to_pylist()
            if r.get("analysable")
            and r.get("targeted_receiver") is not None
            and int(r["game_id"]) in games
            and (
                not r.get("eligible_receivers")
                or int(r["targeted_receiver"]) in r["eligible_receivers"]
            )
        ]
        if not rows:
            continue
        w = cut_ghost_inputs(tracking, rows, history=cfg.history, defenders="all", targets="all")
        if len(w):
            parts.append(
                (
                    w,
                    {
                        (int(r["game_id"]), int(r["play_id"])): int(r["targeted_receiver"])
                        for r in rows
                    },
                )
            )
    if not parts:
        return None
    a_idx, b_idx, windows = [], [], []
    offset = 0
    for w, real in parts:
        keys = list(
            zip(
                w.game_id.tolist(),
                w.play_id.tolist(),
                w.nfl_id.tolist(),
                w.target_nfl_id.tolist(),
                strict=True,
            )
        )
        where = {k: i for i, k in enumerate(keys)}
        start = w.defender[:, w.lead]
        rec0 = w.receiver[:, w.lead]
        dist = np.hypot(*(start - rec0).T)
        play_target = np.array([real[(g, p)] for g, p, _n, _t in keys])
        alt = np.flatnonzero(w.target_nfl_id != play_target)
        groups: dict[tuple[int, int, int], list[int]] = {}
        for i in alt:
            groups.setdefault((keys[i][0], keys[i][1], keys[i][3]), []).append(int(i))
        for (g, p, _b), members in groups.items():
            m = np.array(members)
            near = m[(dist[m] <= cfg.what_if_radius) | (dist[m] == dist[m].min())]
            for i in near:
                j = where.get((g, p, keys[i][2], real[(g, p)]))
                if j is not None:
                    b_idx.append(offset + int(i))
                    a_idx.append(offset + j)
        windows.append(w)
        offset += len(w)
    if not b_idx:
        return None
    allw = concat_inputs(windows)
    wa, wb = allw.take(np.array(a_idx)), allw.take(np.array(b_idx))
    out: dict[str, list[np.ndarray]] = {k: [] for k in ("xa", "va", "xb", "vb", "end", "goal")}
    for pa_w, pb_w in ((wa, wb), (mirror_inputs(wa), mirror_inputs(wb))):
        zero = np.zeros(len(pb_w), np.int64)
        for tag, win in (("a", pa_w), ("b", pb_w)):
            hist, path, left, _origin = tile_inputs(win, zero, cfg.horizon)
            feats = tile_features(hist, path, win.catch, left, win.context, win.is_back)
            out["x" + tag].append(feats[:, cols].astype(np.float32))
            out["v" + tag].append(((hist[:, -1] - hist[:, -2]) / DT).astype(np.float32))
        end = np.minimum(pb_w.flight_frames, cfg.horizon) - 1
        goal = (
            pb_w.receiver[np.arange(len(pb_w)), pb_w.lead + end + 1] - pb_w.defender[:, pb_w.lead]
        )
        out["end"].append(end.astype(np.int64))
        out["goal"].append(goal.astype(np.float32))
    return {k: np.concatenate(v) for k, v in out.items()}


def tune_pursuit(w: GhostInputs) -> dict[str, Any]:
    """Grid-search pursuit's speed and acceleration caps for full-flight ADE (training games)."""
    hist = w.defender[:, : w.lead + 1]
    rec = flight_receiver(w)
    best: tuple[float, float, float] | None = None
    for speed in (6.0, 7.0, 8.0, 9.0, 10.0):  # realistic top speeds (yd/s)
        for accel in (1.0, 1.5, 2.0, 3.0, 4.5, 6.0, 8.0):  # yd/s^2
            pred = pursuit(hist, rec, max_speed=speed, max_accel=accel)
            ade = float(np.nanmean(np.nanmean(_errors(pred, w), axis=1)))
            if best is None or ade < best[0]:
                best = (ade, speed, accel)
    assert best is not None
    return {"max_speed": best[1], "max_accel": best[2], "train_ade": round(best[0], 4)}


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def train_on_tables(
    datasets: Sequence[tuple[str, pa.Table, pa.Table]],
    out_dir: str | os.PathLike[str],
    *,
    seed: int = 0,
    config: TrainConfig | None = None,
    log: Any = None,
    cleaning: dict[str, Any] | None = None,
) -> dict:
    """Train on already-read data and write ``ghost.onnx`` and ``card.json`` into ``out_dir``.

    ``datasets`` holds ``(name, tracking, plays)``: a cleaned canonical tracking table
    and its ``pass_plays`` table; ``cleaning`` the :func:`ghosting.clean` options it was
    cleaned with, recorded in the card. Returns the model card.
    """
    torch, lgb, _onnx = require_training()
    cfg = config or TrainConfig()
    say = log or (lambda msg: None)
    t_start = time.perf_counter()
    torch.manual_seed(seed)
    np.random.seed(seed)
    torch.set_num_threads(cfg.threads)

    parts, data_card, sources = [], [], []
    for name, tracking, plays in datasets:
        sources.append((tracking, plays))
        w = cut_ghost_inputs(tracking, plays, history=cfg.history, defenders="all")
        ok = complete_mask(w)
        parts.append(w.take(ok))
        analysable = int(np.sum(plays.column("analysable").to_numpy(zero_copy_only=False)))
        data_card.append(
            {
                "name": name,
                "plays": analysable,
                "games": int(np.unique(w.game_id).size),
                "windows": int(ok.sum()),
                "dropped_incomplete_windows": int((~ok).sum()),
            }
        )
    windows = concat_inputs(parts)
    split = split_games(windows.game_id.tolist(), cfg.split, cfg.split_seed, cfg.test_games)
    in_split = {k: np.isin(windows.game_id, v) for k, v in split.items()}
    train_w = windows.take(in_split["train"])
    val_w = windows.take(in_split["validation"])
    if len(train_w) == 0 or len(val_w) == 0:
        raise InputError(
            f"need at least 3 games to split train/validation/test, got {len(split['train'])} "
            f"train and {len(split['validation'])} validation games"
        )
    if not train_w.is_back.any() or not val_w.is_back.any():
        # pursuit is tuned on the training backs and epochs are chosen on the validation ones
        raise InputError(
            "no defensive back with a complete track in the "
            f"{'training' if not train_w.is_back.any() else 'validation'} games: the tracking "
            "data must say which defenders are backs (a position or role column)"
        )
    say(f"windows: train {len(train_w)}, validation {len(val_w)}")

    caps = tune_pursuit(train_w.take(train_w.is_back))
    say(f"pursuit caps {caps}")
    fit_w = train_w if cfg.train_defenders == "all" else train_w.take(train_w.is_back)
    aug = concat_inputs([fit_w, mirror_inputs(fit_w)])
    tiles = _tiles(aug, cfg.horizon, cfg.tile_stride)
    say(f"tiles: {tiles['features'].shape}")
    screening = _rank_features(lgb, tiles, cfg, seed)
    cols = select_columns(cfg.history, cfg.horizon, screening["kept_groups"])
    say(f"kept groups {screening['kept_groups']} ({cols.size} columns)")

    x = tiles["features"][:, cols].astype(np.float32)
    mean = x.mean(0)
    std = np.maximum(x.std(0), 1e-3).astype(np.float32)
    pairs = None
    if cfg.what_if_weight > 0:
        pairs = _what_if_pairs(sources, set(split["train"]), cfg, cols)
        say(f"what-if pairs: {0 if pairs is None else len(pairs['end'])}")
    val_backs = val_w.take(val_w.is_back)
    members, member_card = [], []
    for m in range(cfg.ensemble):
        member_seed = seed * 1000 + m
        net, best_epoch, history = train_member(
            torch, tiles, x, cols, mean, std, cfg, member_seed, val_backs, say, pairs
        )
        members.append(net)
        member_card.append({"seed": member_seed, "best_epoch": best_epoch, "history": history})
    net = build_ensemble(torch, members, cfg.horizon)
    net.eval()
    n = x.shape[0]
    tx = torch.from_numpy(x)
    tv = torch.from_numpy(tiles["velocity"].astype(np.float32))

    def predict_torch(feats: np.ndarray, vel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        with torch.no_grad():
            p, s = net(
                torch.from_numpy(feats.astype(np.float32)), torch.from_numpy(vel.astype(np.float32))
            )
        return p.numpy().astype(np.float64), s.numpy().astype(np.float64)

    pred, _ = rollout(predict_torch, val_backs, cfg.horizon, cols)
    val_metrics = {"model": displacement_metrics(pred, val_backs)}
    for name, p in baseline_predictions(val_backs, {k: caps[k] for k in PURSUIT_DEFAULTS}).items():
        val_metrics[name] = displacement_metrics(p, val_backs)

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    onnx_path = out / "ghost.onnx"
    with atomic_path(onnx_path) as tmp:
        export_onnx(torch, net, tmp, cols.size)
    check_x = tx[: min(512, n)]
    check_v = tv[: min(512, n)]
    onnx_diff = onnx_torch_difference(torch, net, onnx_path, check_x.numpy(), check_v.numpy())
    if onnx_diff > 1e-4:
        raise GhostingError(f"exported ONNX model differs from torch by {onnx_diff:.2e} yd")
    elapsed = time.perf_counter() - t_start
    names = feature_names(cfg.history, cfg.horizon)
    card = {
        "name": "ghosting default ghost-mode model",
        "format": "ghosting-model/1",
        "task": "ghost mode: defender positions from pass forward to arrival, given the "
        "defender's last `history` positions, the targeted receiver's real path over the "
        "flight and the ball's landing point",
        "onnx_file": "ghost.onnx",
        "onnx_sha256": _sha256(onnx_path),
        "onnx_bytes": onnx_path.stat().st_size,
        "history": cfg.history,
        "horizon": cfg.horizon,
        "inputs": {
            "features": {"shape": ["batch", int(cols.size)], "dtype": "float32"},
            "velocity": {
                "shape": ["batch", 2],
                "dtype": "float32",
                "meaning": "defender velocity at the tile start (yd/s), last position step / 0.1 s",
            },
        },
        "outputs": {
            "position": {
                "shape": ["batch", cfg.horizon, 2],
                "meaning": "positions relative to the tile start (yd) for frames 1..horizon",
            },
            "sigma": {"shape": ["batch", cfg.horizon], "meaning": "per-frame sigma (yd)"},
        },
        "features": {
            "groups": screening["kept_groups"],
            "columns": [names[i] for i in cols],
            "normalisation": {
                "kind": "standardise inside the ONNX graph: (x - mean) / std",
                "mean": [round(float(v), 6) for v in mean],
                "std": [round(float(v), 6) for v in std],
            },
            "screening": screening,
        },
        "architecture": f"ensemble of {cfg.ensemble} MLPs ({cfg.layers}x{cfg.hidden}, GELU), "
        "each predicting per-frame residual displacements over constant velocity (summed "
        "into positions) and a softplus sigma, trained with a Gaussian NLL; the graph "
        "averages the positions and combines sigmas as a mixture",
        "training": {
            "config": {k: (list(v) if isinstance(v, tuple) else v) for k, v in vars(cfg).items()},
            "seed": seed,
            "data": data_card,
            "split_by_game": split,
            "augmentation": "mirror y (y -> 53.33 - y)",
            "objective": "Gaussian NLL of every tile frame (tiles start every "
            f"{cfg.tile_stride} frames of each flight), plus {cfg.what_if_weight} x a what-if "
            "hinge: for defenders within "
            f"{cfg.what_if_radius} yd of (or nearest to) an alternative receiver B at pass "
            "forward in training games, the prediction with B as the target must end at least "
            f"{cfg.what_if_margin} yd closer to B than the (detached) real-target prediction; "
            f"plus {cfg.smooth_weight} x mean (|acceleration| / 10 yd/s^2)^2 of the predicted "
            "frames (against the observed velocity at the tile start)",
            "selection": "per member, the epoch with the best full-flight ADE of the "
            "validation games' defensive backs (checked every 3 epochs)",
            "tiles": int(tiles["features"].shape[0]),
            "windows": {"train": len(train_w), "validation": len(val_w)},
            "members": member_card,
            "seconds": round(elapsed, 1),
            "torch": torch.__version__,
            "onnx_vs_torch_max_abs_diff": onnx_diff,
            "python": platform.python_version(),
            "cleaning": "play policy (drop plays with any flagged sample in the pass window)"
            if cleaning is None else dict(cleaning),
        },
        "pursuit_caps": caps,
        "metrics": {
            "validation_defensive_backs": val_metrics,
            "n_validation_trajectories": len(val_backs),
        },
        "licence": LICENCE,
    }
    with atomic_path(out / "card.json") as tmp:
        tmp.write_text(json.dumps(card, indent=2) + "\n")
    say(f"wrote {onnx_path} ({card['onnx_bytes']} bytes) in {elapsed:.0f} s")
    return card


def train_model(
    sources: Sequence[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    *,
    seed: int = 0,
    targets: str | os.PathLike[str] | None = None,
    config: TrainConfig | None = None,
    log: Any = None,
    cleaning: dict[str, Any] | None = None,
    epochs: int | None = None,
) -> dict:
    """Read, clean and train on tracking files; write the model into ``out_dir``.

    Each source (a file, a folder or a glob pattern) is read with
    :func:`ghosting.read_tracking`, cleaned with ``cleaning`` (:func:`ghosting.clean`'s
    keywords; default the ``play`` policy and its defaults) and turned into pass plays
    (with ``targets`` when given). ``epochs`` overrides ``config.epochs`` (fewer than
    1 count as 1). Before anything is read, bad cleaning options and an ``out_dir``
    that is, holds or lies inside an input are refused (an
    :class:`~ghosting.errors.InputError`). Returns the model's card;
    :func:`training_summary` puts its headline in one line.

    >>> card = train_model(["week1/"], "my_model/", epochs=5)  # doctest: +SKIP
    """
    check_options(**(cleaning or {}))
    check_outputs({"sources": [*sources, *expand_inputs(sources)], "targets": targets},
                  {"out_dir": out_dir}, folders=["out_dir"])  # fmt: skip
    if epochs is not None:
        config = replace(config or TrainConfig(), epochs=max(1, int(epochs)))
    require_training()
    datasets = load_sources(sources, targets=targets, log=log, cleaning=cleaning)
    return train_on_tables(datasets, out_dir, seed=seed, config=config, log=log,
                           cleaning=cleaning)


def training_summary(card: dict[str, Any], out_dir: str | os.PathLike[str]) -> str:
    """One line on a trained model: where it went, its validation full-flight ADE on
    the defensive backs beside the two baselines', and the training time.

    >>> m = {"model": {"full": {"ade": 1.25}}, "constant_velocity": {"full": {"ade": 2.5}},
    ...      "pursuit": {"full": {"ade": 2.0}}}
    >>> card = {"metrics": {"validation_defensive_backs": m}, "training": {"seconds": 61.2}}
    >>> training_summary(card, "my_model")
    'model written to my_model: validation full-flight ADE 1.250 yd (constant velocity 2.500, \
pursuit 2.000) in 61 s'
    """
    full = card["metrics"]["validation_defensive_backs"]
    return (
        f"model written to {out_dir}: validation full-flight ADE "
        f"{full['model']['full']['ade']:.3f} yd (constant velocity "
        f"{full['constant_velocity']['full']['ade']:.3f}, pursuit "
        f"{full['pursuit']['full']['ade']:.3f}) in {card['training']['seconds']:.0f} s"
    )

"""Training of the forecast model (optional extra ``train``; docs/forecast.md).

The real pass plays are read, cleaned and assembled as for the ghost model
(:func:`ghosting.model.data.load_sources`), cut into player tokens
(:func:`ghosting.forecast.data.play_tokens`) and split by game **exactly as the ghost
model's card** (``training.split_by_game``: train / validation / test). Members of an
ensemble, each a small transformer across the players of a play trained with a
Gaussian NLL on mirror-augmented training plays and kept at its best validation
epoch, are averaged inside one ONNX graph, written with its JSON card.

Run it as ``python -m ghosting.forecast.train DATA... -o MODEL_DIR``.

>>> from ghosting.forecast.train import train_forecast   # doctest: +SKIP
>>> card = train_forecast(["../shared/data"], "forecast_model")   # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from .._util import atomic_path
from ..errors import GhostingError, InputError
from ..model import GhostModel
from ..model.data import load_sources
from ..model.train import LICENCE, _sha256, require_training
from ..pipeline import check_outputs, expand_inputs
from .data import (
    COVERAGE_RADIUS,
    PlayTokens,
    concat_tokens,
    feature_names,
    mirror_tokens,
    play_tokens,
    token_count,
    token_features,
)
from .evaluate import evaluate_forecast, token_constant_velocity
from .model import DEFENDER_METHODS, ForecastModel
from .network import (
    build_forecast_ensemble,
    build_forecast_net,
    export_forecast_onnx,
    forecast_onnx_difference,
    gaussian_nll,
)
from .predict import forecast_positions, rmse

__all__ = ["ForecastConfig", "train_forecast", "train_forecast_on_tables", "main"]


@dataclass
class ForecastConfig:
    """Hyper-parameters; every one is written to the card."""

    history: int = 20
    #: frames the network predicts (longer flights continue at the last velocity)
    frames: int = 40
    width: int = 96
    heads: int = 4
    blocks: int = 2
    epochs: int = 60
    batch_size: int = 32
    learning_rate: float = 1e-3
    weight_decay: float = 1e-4
    ensemble: int = 3
    #: validation RMSE is checked every this many epochs (the best epoch is kept)
    eval_every: int = 5
    sigma_floor: float = 0.05
    dropout: float = 0.1
    #: loss weight of the defenders not in coverage (the scored players weigh 1)
    unscored_weight: float = 1.0
    coverage_radius: float = COVERAGE_RADIUS
    #: the other eligible receivers as tokens (history in, trained on their flight too)
    receivers: bool = False
    #: "ghost_on_forecast_route": the defenders from the ghost-mode model rolled out on the
    #: network's forecast of the target; "network": from the network itself
    defenders: str = "ghost_on_forecast_route"
    threads: int = 1


def _tensors(torch: Any, t: PlayTokens, frames: int, unscored_weight: float = 1.0
             ) -> dict[str, Any]:  # fmt: skip
    feats, vel, mask = token_features(t)
    p0 = t.hist[:, :, -1, :]
    fut = np.full(t.future.shape[:2] + (frames, 2), np.nan)
    width = min(frames, t.future.shape[2])
    fut[:, :, :width] = t.future[:, :, :width]
    target = fut - p0[:, :, None, :]
    inside = np.arange(1, frames + 1)[None, None, :] <= t.flight_frames[:, None, None]
    weight = inside & np.isfinite(target).all(-1) & t.valid[:, :, None]
    target = np.where(weight[..., None], target, 0.0)
    weight = weight * np.where(t.scored, 1.0, unscored_weight)[:, :, None]
    return {
        "tokens": torch.from_numpy(feats),
        "velocity": torch.from_numpy(vel),
        "mask": torch.from_numpy(mask),
        "target": torch.from_numpy(target.astype(np.float32)),
        "weight": torch.from_numpy(weight.astype(np.float32)),
    }


def _runner(torch: Any, net: Any) -> Any:
    def run(f: np.ndarray, v: np.ndarray, m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        with torch.no_grad():
            d, s = net(torch.from_numpy(f), torch.from_numpy(v), torch.from_numpy(m))
        return d.numpy().astype(np.float64), s.numpy().astype(np.float64)

    return run


def forecast_metrics(pred: np.ndarray, t: PlayTokens) -> dict[str, Any]:
    """RMSE of the scored player-frames: all, targeted receiver, defenders."""
    real = t.future[:, :, : pred.shape[2]]
    scored = np.broadcast_to(t.scored[:, :, None], real.shape[:3])
    target = np.broadcast_to(t.is_target[:, :, None], real.shape[:3])
    out = {}
    for name, keep in (("all", scored), ("target", scored & target),
                       ("defenders", scored & ~target)):  # fmt: skip
        value, n = rmse(pred, real, keep)
        out[name] = {"rmse": value, "n": n}
    return out


def _train_member(
    torch: Any, cfg: ForecastConfig, train: dict[str, Any], val: PlayTokens, mean: np.ndarray,
    std: np.ndarray, seed: int, say: Any,
) -> tuple[Any, int, list[dict[str, float]]]:  # fmt: skip
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    n_in = train["tokens"].shape[-1]
    net = build_forecast_net(torch, n_in, cfg.frames, mean, std, width=cfg.width,
                             heads=cfg.heads, blocks=cfg.blocks,
                             sigma_floor=cfg.sigma_floor, dropout=cfg.dropout)  # fmt: skip
    opt = torch.optim.AdamW(net.parameters(), lr=cfg.learning_rate,
                            weight_decay=cfg.weight_decay)  # fmt: skip
    steps_per_epoch = max(1, -(-train["tokens"].shape[0] // cfg.batch_size))
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=cfg.learning_rate, total_steps=cfg.epochs * steps_per_epoch
    )
    n = train["tokens"].shape[0]
    best: tuple[float, int, dict[str, Any]] | None = None
    history = []
    for epoch in range(1, cfg.epochs + 1):
        net.train()
        order = rng.permutation(n)
        for s in range(0, n, cfg.batch_size):
            idx = torch.from_numpy(order[s : s + cfg.batch_size])
            pred, sigma = net(train["tokens"][idx], train["velocity"][idx], train["mask"][idx])
            loss = gaussian_nll(torch, pred, sigma, train["target"][idx], train["weight"][idx])
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
            sched.step()
        if epoch % cfg.eval_every == 0 or epoch == cfg.epochs:
            net.eval()
            pos, _ = forecast_positions(_runner(torch, net), val, cfg.frames)
            score = forecast_metrics(pos, val)["all"]["rmse"]
            history.append({"epoch": epoch, "val_rmse": round(score, 5)})
            if best is None or score < best[0]:
                best = (score, epoch, {k: v.clone() for k, v in net.state_dict().items()})
    assert best is not None
    net.load_state_dict(best[2])
    net.eval()
    say(f"member seed {seed}: best validation RMSE {best[0]:.4f} at epoch {best[1]}")
    return net, best[1], history


def _split_of(ghost_card: dict) -> dict[str, list[int]]:
    split = ghost_card.get("training", {}).get("split_by_game")
    if not isinstance(split, dict) or not {"train", "validation"} <= set(split):
        raise GhostingError("the ghost model's card lists no split by game (training."
                            "split_by_game): the forecast model reuses it")  # fmt: skip
    return {k: sorted(int(g) for g in v) for k, v in split.items()}


def train_forecast_on_tables(
    datasets: Sequence[tuple[str, pa.Table, pa.Table]],
    out_dir: str | os.PathLike[str],
    *,
    seed: int = 0,
    config: ForecastConfig | None = None,
    split: dict[str, list[int]] | None = None,
    ghost: Any = None,
    log: Any = None,
    cleaning: dict[str, Any] | None = None,
) -> dict:
    """Train on already-read data; write ``forecast.onnx`` and ``card.json`` to ``out_dir``.

    ``datasets`` holds ``(name, cleaned tracking, pass_plays)``; ``split`` maps
    ``train`` / ``validation`` / ``test`` to game ids (default: the ghost model's
    card's ``training.split_by_game``); ``ghost`` is the ghost-mode model (default: the
    shipped one) that forecasts the defenders when ``config.defenders`` says so.
    Returns the card.
    """

    torch, _lgb, _onnx = require_training()
    cfg = config or ForecastConfig()
    if cfg.defenders not in DEFENDER_METHODS:
        raise InputError(f"defenders must be one of {', '.join(DEFENDER_METHODS)}, "
                         f"got {cfg.defenders!r}")  # fmt: skip
    say = log or (lambda msg: None)
    t_start = time.perf_counter()
    torch.set_num_threads(cfg.threads)
    np.random.seed(seed)
    if ghost is None and (split is None or cfg.defenders != "network"):
        ghost = GhostModel.load()
    if split is None:
        split = _split_of(ghost.card)
    parts, data_card = [], []
    for name, tracking, plays in datasets:
        t = play_tokens(tracking, plays, history=cfg.history,
                        coverage_radius=cfg.coverage_radius, receivers=cfg.receivers)
        parts.append(t)
        data_card.append({"name": name, "plays": len(t),
                          "players": int(t.valid.sum()), "scored": int(t.scored.sum())})
    tokens = concat_tokens(parts)
    in_split = {k: np.isin(tokens.game_id, v) for k, v in split.items()}
    train_t = tokens.take(in_split["train"])
    val_t = tokens.take(in_split["validation"])
    if len(train_t) == 0 or len(val_t) == 0:
        raise InputError(f"no plays of the split's {'train' if not len(train_t) else 'validation'}"
                         " games in the data")  # fmt: skip
    say(f"plays: train {len(train_t)}, validation {len(val_t)}")
    aug = concat_tokens([train_t, mirror_tokens(train_t)])
    train = _tensors(torch, aug, cfg.frames, cfg.unscored_weight)
    flat = train["tokens"].numpy()[train["mask"].numpy() > 0]
    mean = flat.mean(0)
    std = np.maximum(flat.std(0), 1e-3).astype(np.float32)
    members, member_card = [], []
    for m in range(cfg.ensemble):
        member_seed = seed * 1000 + m
        net, best_epoch, history = _train_member(torch, cfg, train, val_t, mean, std,
                                                 member_seed, say)  # fmt: skip
        members.append(net)
        member_card.append({"seed": member_seed, "best_epoch": best_epoch, "history": history})
    net = build_forecast_ensemble(torch, members)
    net.eval()
    pos, _ = forecast_positions(_runner(torch, net), val_t, cfg.frames)
    val_metrics = {"network": forecast_metrics(pos, val_t)}

    cv = token_constant_velocity(val_t)
    val_metrics["constant_velocity"] = forecast_metrics(cv, val_t)

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    onnx_path = out / "forecast.onnx"
    n_feat = train["tokens"].shape[-1]
    n_tok = token_count(cfg.receivers)
    with atomic_path(onnx_path) as tmp:
        export_forecast_onnx(torch, net, tmp, n_feat, n_tok)
    sub = slice(0, min(256, train["tokens"].shape[0]))
    onnx_diff = forecast_onnx_difference(
        torch, net, onnx_path, train["tokens"][sub].numpy(), train["velocity"][sub].numpy(),
        train["mask"][sub].numpy(),
    )
    if onnx_diff > 1e-4:
        raise GhostingError(f"exported ONNX model differs from torch by {onnx_diff:.2e} yd")
    elapsed = time.perf_counter() - t_start
    card = {
        "name": "ghosting default forecast-mode model",
        "format": "ghosting-forecast/1",
        "task": "forecast mode (Big Data Bowl 2026): the targeted receiver's and the defenders' "
        "positions from pass forward to arrival, from what is known at the throw only: every "
        "player's last `history` positions, the target's identity, the ball's landing point "
        "and the frames in the air",
        "onnx_file": "forecast.onnx",
        "onnx_sha256": _sha256(onnx_path),
        "onnx_bytes": onnx_path.stat().st_size,
        "history": cfg.history,
        "horizon": cfg.frames,
        "max_frames": cfg.frames,
        "tokens": n_tok,
        "defenders": cfg.defenders,
        **({"ghost_model_sha256": ghost.sha256} if cfg.defenders != "network" else {}),
        "beyond_max_frames": "each player continues at the velocity of his last two predicted "
        "frames",
        "scored_players": "the targeted receiver, and the defenders that are defensive backs or "
        f"stand within {cfg.coverage_radius} yd of the segment from the receiver to the landing "
        "point at pass forward (or the 2026 player_to_predict flag when the input has it)",
        "inputs": {
            "tokens": {"shape": ["batch", n_tok, n_feat], "dtype": "float32",
                       "meaning": "token 0 the targeted receiver, then up to 11 defenders"
                       + (", then up to 5 other eligible receivers" if cfg.receivers else "")},
            "velocity": {"shape": ["batch", n_tok, 2], "dtype": "float32",
                         "meaning": "velocity at pass forward (yd/s), last step / 0.1 s"},
            "mask": {"shape": ["batch", n_tok], "dtype": "float32",
                     "meaning": "1 for a player, 0 for padding"},
        },  # fmt: skip
        "outputs": {
            "displacement": {"shape": ["batch", n_tok, cfg.frames, 2],
                             "meaning": "position minus the pass-forward position (yd), "
                             "frames 1..max_frames"},
            "sigma": {"shape": ["batch", n_tok, cfg.frames],
                      "meaning": "per-frame isotropic sigma (yd)"},
        },  # fmt: skip
        "features": {
            "columns": feature_names(cfg.history),
            "normalisation": {
                "kind": "standardise inside the ONNX graph: (x - mean) / std",
                "mean": [round(float(v), 6) for v in mean],
                "std": [round(float(v), 6) for v in std],
            },
        },
        "architecture": f"ensemble of {cfg.ensemble} transformers across the players of a play: "
        f"per-player MLP encoder (width {cfg.width}), {cfg.blocks} pre-norm self-attention blocks "
        f"({cfg.heads} heads, padding masked), a head giving per-frame residual steps over "
        "constant velocity (summed into displacements) and a softplus sigma; the graph averages "
        "the members' displacements and combines their sigmas as a mixture",
        "training": {
            "config": dict(vars(cfg)),
            "seed": seed,
            "data": data_card,
            "split_by_game": split,
            "split_source": "the ghost-mode model card's training.split_by_game",
            "augmentation": "mirror y (y -> 53.33 - y)",
            "objective": "Gaussian NLL of every known frame up to arrival (at most max_frames) of "
            "every player of the training plays (the target, every defender and, when "
            f"receivers is on, the other receivers), the players not scored weighted "
            f"{cfg.unscored_weight}",
            "selection": f"per member, the epoch with the best validation RMSE of the scored "
            f"players (checked every {cfg.eval_every} epochs)",
            "plays": {"train": len(train_t), "validation": len(val_t)},
            "members": member_card,
            "seconds": round(elapsed, 1),
            "torch": torch.__version__,
            "onnx_vs_torch_max_abs_diff": onnx_diff,
            "python": platform.python_version(),
            "cleaning": "play policy (drop plays with any flagged sample in the pass window)"
            if cleaning is None else dict(cleaning),
        },
        "metrics": {"validation": val_metrics},
        "licence": LICENCE,
    }
    with atomic_path(out / "card.json") as tmp:
        tmp.write_text(json.dumps(card, indent=2) + "\n")
    # the model as shipped (ONNX; the defenders by the method of the card) on validation
    shipped = ForecastModel.load(out, ghost=ghost if cfg.defenders != "network" else None)
    rep = evaluate_forecast(datasets, shipped, games="validation")["rmse"]
    val_metrics["model"] = {k: {"rmse": rep[k]["model"], "n": rep[k]["n_player_frames"]}
                            for k in ("all", "target", "defenders")}  # fmt: skip
    if "network_only" in rep["all"]:
        val_metrics["network_only"] = {
            k: {"rmse": rep[k]["network_only"], "n": rep[k]["n_player_frames"]}
            for k in ("all", "target", "defenders")
        }
    card["metrics"] = {"validation": val_metrics}
    with atomic_path(out / "card.json") as tmp:
        tmp.write_text(json.dumps(card, indent=2) + "\n")
    say(f"validation RMSE: model {val_metrics['model']['all']['rmse']:.4f}, network "
        f"{val_metrics['network']['all']['rmse']:.4f}, constant velocity "
        f"{val_metrics['constant_velocity']['all']['rmse']:.4f}")  # fmt: skip
    say(f"wrote {onnx_path} ({card['onnx_bytes']} bytes) in {elapsed:.0f} s")
    return card


def train_forecast(
    sources: Sequence[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    *,
    seed: int = 0,
    config: ForecastConfig | None = None,
    log: Any = None,
    cleaning: dict[str, Any] | None = None,
) -> dict:
    """Read, clean (the ``play`` policy by default) and train on tracking files."""

    require_training()
    datasets = load_sources(sources, log=log, cleaning=cleaning)
    return train_forecast_on_tables(datasets, out_dir, seed=seed, config=config, log=log,
                                    cleaning=cleaning)  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m ghosting.forecast.train DATA... -o MODEL_DIR [--seed N] [--epochs N]``."""
    parser = argparse.ArgumentParser(prog="python -m ghosting.forecast.train")
    parser.add_argument("data", nargs="+", help="tracking files or folders")
    parser.add_argument("-o", "--output", required=True, help="model folder to write")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--field-tolerance", type=float, default=None,
                        help="cleaning field tolerance (yd; default: ghosting.clean's)")
    args = parser.parse_args(argv)

    cfg = ForecastConfig()
    if args.epochs is not None:
        cfg.epochs = max(1, args.epochs)
    cleaning = None
    if args.field_tolerance is not None:
        cleaning = {"policy": "play", "field_tolerance": args.field_tolerance}
    try:
        check_outputs({"DATA": [*args.data, *expand_inputs(args.data)]}, {"-o": args.output},
                      folders=["-o"])  # fmt: skip
        card = train_forecast(args.data, args.output, seed=args.seed, config=cfg,
                              log=lambda m: print(m, file=sys.stderr), cleaning=cleaning)
    except GhostingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    val = card["metrics"]["validation"]
    print(f"validation RMSE {val['model']['all']['rmse']:.4f} (constant velocity "
          f"{val['constant_velocity']['all']['rmse']:.4f}) in {card['training']['seconds']} s")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

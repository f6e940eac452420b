"""The PyTorch side of training (extra ``train``): the network, its losses, one
ensemble member's training loop, and the ONNX export with its torch check.

torch is passed in as a module (imported lazily by :mod:`ghosting.model.train`), so
importing this file needs no torch.

>>> from ghosting.model.network import export_onnx   # doctest: +SKIP
"""

from __future__ import annotations

import os
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from ..schema import DT
from .config import TrainConfig
from .evaluate import displacement_metrics
from .features import rollout

if TYPE_CHECKING:
    from .features import GhostInputs

__all__ = [
    "build_net",
    "build_ensemble",
    "gaussian_nll",
    "what_if_loss",
    "acceleration_penalty",
    "train_member",
    "export_onnx",
    "onnx_torch_difference",
]


def build_net(torch: Any, n_in: int, cfg: TrainConfig, mean: np.ndarray, std: np.ndarray) -> Any:
    nn = torch.nn
    horizon = cfg.horizon

    class GhostNet(nn.Module):  # type: ignore[name-defined]  # torch is imported lazily
        """MLP: features -> per-frame residual displacements and log-sigmas."""

        def __init__(self) -> None:
            super().__init__()
            self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32))
            self.register_buffer("std", torch.tensor(std, dtype=torch.float32))
            layers: list[Any] = []
            width = n_in
            for _ in range(cfg.layers):
                layers += [nn.Linear(width, cfg.hidden), nn.GELU()]
                width = cfg.hidden
            self.body = nn.Sequential(*layers)
            self.head = nn.Linear(width, horizon * 3)
            nn.init.zeros_(self.head.weight)
            nn.init.zeros_(self.head.bias)
            steps = torch.arange(1, horizon + 1, dtype=torch.float32) * DT
            self.register_buffer("steps", steps)

        def forward(self, features: Any, velocity: Any) -> tuple[Any, Any]:
            z = self.body((features - self.mean) / self.std)
            out = self.head(z).reshape(-1, horizon, 3)
            residual = torch.cumsum(out[..., :2], dim=1)
            base = velocity[:, None, :] * self.steps[None, :, None]
            position = base + residual
            sigma = torch.nn.functional.softplus(out[..., 2] - 1.0) + cfg.sigma_floor
            return position, sigma

    return GhostNet()


def build_ensemble(torch: Any, members: list[Any], horizon: int) -> Any:
    """Average of the members' positions; sigma from the mixture (mean variance + spread)."""
    nn = torch.nn

    class GhostEnsemble(nn.Module):  # type: ignore[name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.members = nn.ModuleList(members)

        def forward(self, features: Any, velocity: Any) -> tuple[Any, Any]:
            outs = [m(features, velocity) for m in self.members]
            pos = torch.stack([o[0] for o in outs], 0)
            sig = torch.stack([o[1] for o in outs], 0)
            mean = pos.mean(0)
            spread = ((pos - mean[None]) ** 2).sum(-1).mean(0) / 2.0
            sigma = torch.sqrt((sig**2).mean(0) + spread)
            return mean, sigma

    return GhostEnsemble()


def gaussian_nll(torch: Any, pos: Any, sigma: Any, target: Any, mask: Any) -> Any:
    err2 = ((pos - target) ** 2).sum(-1)
    nll = err2 / (2 * sigma**2) + 2 * torch.log(sigma)
    return (nll * mask).sum() / mask.sum().clamp(min=1)


def acceleration_penalty(torch: Any, pos: Any, velocity: Any, mask: Any) -> Any:
    """Mean of (|a| / 10 yd/s^2)^2 over the valid predicted frames, the first one against
    the observed velocity: keeps the per-frame outputs from jittering."""
    start = torch.zeros_like(pos[:, :1])
    before = -velocity[:, None, :] * DT
    full = torch.cat([before, start, pos], dim=1)
    acc = (full[:, 2:] - 2 * full[:, 1:-1] + full[:, :-2]) / (DT * DT)
    a2 = (acc**2).sum(-1) / 100.0
    return (a2 * mask).sum() / mask.sum().clamp(min=1)


def what_if_loss(torch: Any, net: Any, tp: dict[str, Any], j: Any, cfg: TrainConfig) -> Any:
    """Hinge: with B as the target the defender must end closer to B than with A.

    The real-target prediction (A) is detached: real data supervise it; only the
    counterfactual (B) is pushed.
    """
    with torch.no_grad():
        pos_a, _ = net(tp["xa"][j], tp["va"][j])
    pos_b, _ = net(tp["xb"][j], tp["vb"][j])
    rows = torch.arange(j.shape[0])
    end = tp["end"][j]
    goal = tp["goal"][j]
    d_a = torch.linalg.vector_norm(pos_a[rows, end] - goal, dim=-1)
    d_b = torch.linalg.vector_norm(pos_b[rows, end] - goal, dim=-1)
    return torch.relu(d_b - d_a + cfg.what_if_margin).mean()


def train_member(
    torch: Any,
    tiles: dict[str, np.ndarray],
    x: np.ndarray,
    cols: np.ndarray,
    mean: np.ndarray,
    std: np.ndarray,
    cfg: TrainConfig,
    seed: int,
    val_backs: GhostInputs,
    say: Any,
    pairs: dict[str, np.ndarray] | None = None,
) -> tuple[Any, int, list[dict]]:
    """Train one network; keep the epoch with the best validation full-flight ADE.

    With ``pairs`` (see :func:`_what_if_pairs`) every step adds the what-if hinge
    loss on a random batch of pairs.
    """
    torch.manual_seed(seed)
    net = build_net(torch, cols.size, cfg, mean, std)
    opt = torch.optim.AdamW(net.parameters(), lr=cfg.learning_rate, weight_decay=cfg.weight_decay)
    n = x.shape[0]
    steps_per_epoch = max(1, n // cfg.batch_size)
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=cfg.learning_rate, total_steps=cfg.epochs * steps_per_epoch
    )
    tx = torch.from_numpy(x)
    tv = torch.from_numpy(tiles["velocity"].astype(np.float32))
    ty = torch.from_numpy(tiles["target"].astype(np.float32))
    tm = torch.from_numpy(tiles["mask"].astype(np.float32))
    gen = torch.Generator().manual_seed(seed)
    tp = None
    if pairs is not None and len(pairs["end"]):
        tp = {k: torch.from_numpy(v) for k, v in pairs.items()}
        n_pairs = len(pairs["end"])

    def predict_torch(feats: np.ndarray, vel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        with torch.no_grad():
            p, s = net(
                torch.from_numpy(feats.astype(np.float32)), torch.from_numpy(vel.astype(np.float32))
            )
        return p.numpy().astype(np.float64), s.numpy().astype(np.float64)

    best_ade, best_state, best_epoch, history = np.inf, None, -1, []
    for epoch in range(cfg.epochs):
        net.train()
        perm = torch.randperm(n, generator=gen)
        total = 0.0
        for b in range(steps_per_epoch):
            idx = perm[b * cfg.batch_size : (b + 1) * cfg.batch_size]
            pos, sig = net(tx[idx], tv[idx])
            loss = gaussian_nll(torch, pos, sig, ty[idx], tm[idx])
            if cfg.smooth_weight > 0:
                loss = loss + cfg.smooth_weight * acceleration_penalty(torch, pos, tv[idx], tm[idx])
            if tp is not None:
                j = torch.randint(0, n_pairs, (cfg.batch_size,), generator=gen)
                loss = loss + cfg.what_if_weight * what_if_loss(torch, net, tp, j, cfg)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss.detach())
        if epoch % 3 == 2 or epoch == cfg.epochs - 1:
            net.eval()
            pred, _ = rollout(predict_torch, val_backs, cfg.horizon, cols)
            ade = displacement_metrics(pred, val_backs)["full"]["ade"]
            history.append(
                {"epoch": epoch + 1, "loss": round(total / steps_per_epoch, 4), "val_ade": ade}
            )
            say(
                f"seed {seed} epoch {epoch + 1}: loss {total / steps_per_epoch:.3f} "
                f"val full ADE {ade:.3f}"
            )
            if ade < best_ade:
                best_ade, best_epoch = ade, epoch + 1
                best_state = {k: v.clone() for k, v in net.state_dict().items()}
    assert best_state is not None
    net.load_state_dict(best_state)
    net.eval()
    return net, best_epoch, history


def export_onnx(torch: Any, net: Any, path: str | os.PathLike[str], n_features: int) -> None:
    """Export ``net`` (inputs ``features`` (B, F), ``velocity`` (B, 2)) to ONNX, batch dynamic."""
    net.eval()
    example = (torch.zeros(2, n_features), torch.zeros(2, 2))
    with warnings.catch_warnings():
        # dynamo=False is the documented choice (no onnxscript); silence its deprecation note
        warnings.simplefilter("ignore", DeprecationWarning)
        _export(torch, net, example, path)


def _export(torch: Any, net: Any, example: tuple, path: str | os.PathLike[str]) -> None:
    torch.onnx.export(
        net,
        example,
        str(path),
        input_names=["features", "velocity"],
        output_names=["position", "sigma"],
        dynamic_axes={
            "features": {0: "batch"},
            "velocity": {0: "batch"},
            "position": {0: "batch"},
            "sigma": {0: "batch"},
        },
        opset_version=17,
        dynamo=False,
    )


def onnx_torch_difference(
    torch: Any, net: Any, path: str | os.PathLike[str], features: np.ndarray, velocity: np.ndarray
) -> float:
    """Largest absolute difference between onnxruntime and torch outputs on one batch."""
    import onnxruntime as ort

    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    f32 = np.ascontiguousarray(features, dtype=np.float32)
    v32 = np.ascontiguousarray(velocity, dtype=np.float32)
    pos, sig = sess.run(None, {"features": f32, "velocity": v32})
    with torch.no_grad():
        tpos, tsig = net(torch.from_numpy(f32), torch.from_numpy(v32))
    return float(max(np.abs(pos - tpos.numpy()).max(), np.abs(sig - tsig.numpy()).max()))

"""The PyTorch side of forecast mode (extra ``train``): the player-set transformer, its
loss, one ensemble member's training loop and the ONNX export with its torch check.

torch is passed in as a module (imported lazily by :mod:`ghosting.forecast.train`), so
importing this file needs no torch.

>>> from ghosting.forecast.network import build_forecast_net   # doctest: +SKIP
"""

from __future__ import annotations

import math
import os
import warnings
from typing import Any

import numpy as np

from ..schema import DT

__all__ = ["build_forecast_net", "build_forecast_ensemble", "export_forecast_onnx",
           "forecast_onnx_difference", "INPUT_NAMES", "OUTPUT_NAMES"]  # fmt: skip

INPUT_NAMES = ("tokens", "velocity", "mask")
OUTPUT_NAMES = ("displacement", "sigma")


def build_forecast_net(
    torch: Any,
    n_in: int,
    frames: int,
    mean: np.ndarray,
    std: np.ndarray,
    *,
    width: int = 96,
    heads: int = 4,
    blocks: int = 2,
    sigma_floor: float = 0.05,
    dropout: float = 0.0,
) -> Any:
    """Per-player encoder, ``blocks`` pre-norm self-attention blocks across the players
    of a play (padding masked), and a head giving per-frame residual steps over
    constant velocity (summed into displacements from the pass-forward position) and a
    per-frame softplus sigma. ``dropout`` acts in training only (none in the export).

    Inputs ``tokens (B, K, F)``, ``velocity (B, K, 2)`` (yd/s), ``mask (B, K)`` (1 for a
    player, 0 for padding); outputs ``displacement (B, K, frames, 2)`` and
    ``sigma (B, K, frames)``.
    """
    nn = torch.nn
    head_dim = width // heads

    class Block(nn.Module):  # type: ignore[name-defined]  # torch is imported lazily
        def __init__(self) -> None:
            super().__init__()
            self.norm1 = nn.LayerNorm(width)
            self.qkv = nn.Linear(width, 3 * width)
            self.proj = nn.Linear(width, width)
            self.norm2 = nn.LayerNorm(width)
            self.ff = nn.Sequential(
                nn.Linear(width, 2 * width), nn.GELU(), nn.Linear(2 * width, width)
            )
            self.drop = nn.Dropout(dropout)

        def forward(self, z: Any, bias: Any) -> Any:
            b, k, _ = z.shape
            q, key, v = self.qkv(self.norm1(z)).chunk(3, dim=-1)

            def split(a: Any) -> Any:
                return a.reshape(b, k, heads, head_dim).transpose(1, 2)

            att = torch.matmul(split(q), split(key).transpose(-1, -2)) / math.sqrt(head_dim)
            att = torch.softmax(att + bias, dim=-1)
            mixed = torch.matmul(att, split(v)).transpose(1, 2).reshape(b, k, width)
            z = z + self.drop(self.proj(mixed))
            return z + self.drop(self.ff(self.norm2(z)))

    class ForecastNet(nn.Module):  # type: ignore[name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32))
            self.register_buffer("std", torch.tensor(std, dtype=torch.float32))
            self.encode = nn.Sequential(
                nn.Linear(n_in, width), nn.GELU(), nn.Linear(width, width)
            )
            self.blocks = nn.ModuleList([Block() for _ in range(blocks)])
            self.norm = nn.LayerNorm(width)
            self.head = nn.Sequential(nn.Linear(width, width), nn.GELU(),
                                      nn.Linear(width, frames * 3))  # fmt: skip
            nn.init.zeros_(self.head[2].weight)
            nn.init.zeros_(self.head[2].bias)
            steps = torch.arange(1, frames + 1, dtype=torch.float32) * DT
            self.register_buffer("steps", steps)

        def forward(self, tokens: Any, velocity: Any, mask: Any) -> tuple[Any, Any]:
            b, k, _ = tokens.shape
            z = self.encode((tokens - self.mean) / self.std)
            # padding keys get -1e4 (every play has its target, so no row is all padding)
            bias = ((mask - 1.0) * 1e4).reshape(b, 1, 1, k)
            for block in self.blocks:
                z = block(z, bias)
            out = self.head(self.norm(z)).reshape(b, k, frames, 3)
            residual = torch.cumsum(out[..., :2], dim=2)
            base = velocity[:, :, None, :] * self.steps[None, None, :, None]
            sigma = torch.nn.functional.softplus(out[..., 2] - 1.0) + sigma_floor
            return base + residual, sigma

    return ForecastNet()


def build_forecast_ensemble(torch: Any, members: list[Any]) -> Any:
    """Average of the members' displacements; sigma of the mixture (mean variance plus
    the spread of the members' means)."""
    nn = torch.nn

    class ForecastEnsemble(nn.Module):  # type: ignore[name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.members = nn.ModuleList(members)

        def forward(self, tokens: Any, velocity: Any, mask: Any) -> tuple[Any, Any]:
            outs = [m(tokens, velocity, mask) for m in self.members]
            pos = torch.stack([o[0] for o in outs])
            sig = torch.stack([o[1] for o in outs])
            mean_pos = pos.mean(0)
            spread = ((pos - mean_pos[None]) ** 2).sum(-1).mean(0) / 2.0
            return mean_pos, torch.sqrt((sig**2).mean(0) + spread)

    return ForecastEnsemble()


def gaussian_nll(torch: Any, pred: Any, sigma: Any, target: Any, weight: Any) -> Any:
    """Isotropic 2-D Gaussian negative log-likelihood, averaged with ``weight`` (B, K, T)."""
    sq = ((pred - target) ** 2).sum(-1)
    nll = 2.0 * torch.log(sigma) + sq / (2.0 * sigma**2)
    return (nll * weight).sum() / weight.sum().clamp_min(1.0)


def export_forecast_onnx(
    torch: Any, net: Any, path: str | os.PathLike[str], n_features: int, tokens: int
) -> None:
    """Export ``net`` to ONNX (opset 17, dynamic batch; ``tokens`` players per play)."""
    net.eval()
    example = (
        torch.zeros(2, tokens, n_features),
        torch.zeros(2, tokens, 2),
        torch.ones(2, tokens),
    )
    axes = {name: {0: "batch"} for name in (*INPUT_NAMES, *OUTPUT_NAMES)}
    with warnings.catch_warnings():
        # dynamo=False is the documented choice (no onnxscript); silence its deprecation note
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.onnx.export(
            net,
            example,
            str(path),
            input_names=list(INPUT_NAMES),
            output_names=list(OUTPUT_NAMES),
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )


def forecast_onnx_difference(
    torch: Any, net: Any, path: str | os.PathLike[str], tokens: np.ndarray,
    velocity: np.ndarray, mask: np.ndarray,
) -> float:  # fmt: skip
    """Largest absolute difference between onnxruntime and torch outputs on one batch."""
    import onnxruntime as ort  # optional extra (train): loaded only to compare exports

    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    feeds = {
        "tokens": np.ascontiguousarray(tokens, dtype=np.float32),
        "velocity": np.ascontiguousarray(velocity, dtype=np.float32),
        "mask": np.ascontiguousarray(mask, dtype=np.float32),
    }
    pos, sig = sess.run(None, feeds)
    with torch.no_grad():
        tpos, tsig = net(*(torch.from_numpy(feeds[n]) for n in INPUT_NAMES))
    return float(max(np.abs(pos - tpos.numpy()).max(), np.abs(sig - tsig.numpy()).max()))

"""From network outputs to positions (numpy only; shared by training and inference).

The network predicts ``frames`` frames after pass forward. A longer flight continues
each player at the velocity of his last two predicted frames (constant velocity from
there), so every frame until arrival gets a position.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .data import PlayTokens, token_features

__all__ = ["forecast_positions", "rmse"]

Runner = Callable[[np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def forecast_positions(
    run: Runner, tokens: PlayTokens, frames: int, batch: int = 256
) -> tuple[np.ndarray, np.ndarray]:
    """Positions ``(P, K, Tmax, 2)`` and sigma ``(P, K, Tmax)`` for frames 1..Tmax after
    pass forward (Tmax the longest flight), NaN past each play's arrival and on padding.

    ``run(tokens, velocity, mask)`` is the network (onnxruntime or torch) returning
    displacements ``(B, K, frames, 2)`` and sigmas ``(B, K, frames)``.
    """
    n, k = tokens.valid.shape
    t_max = int(tokens.flight_frames.max()) if n else 0
    pos = np.full((n, k, t_max, 2), np.nan)
    sig = np.full((n, k, t_max), np.nan)
    if n == 0:
        return pos, sig
    feats, vel, mask = token_features(tokens)
    disp = np.zeros((n, k, frames, 2))
    sigma = np.zeros((n, k, frames))
    for s in range(0, n, batch):
        d, g = run(feats[s : s + batch], vel[s : s + batch], mask[s : s + batch])
        disp[s : s + batch], sigma[s : s + batch] = d, g
    if t_max > frames:  # beyond the network: the last predicted velocity, kept
        last = disp[:, :, -1:, :]
        step = disp[:, :, -1:, :] - (disp[:, :, -2:-1, :] if frames > 1 else 0.0)
        extra = last + step * np.arange(1, t_max - frames + 1)[None, None, :, None]
        disp = np.concatenate([disp, extra], axis=2)
        sigma = np.concatenate(
            [sigma, np.repeat(sigma[:, :, -1:], t_max - frames, axis=2)], axis=2
        )
    p0 = tokens.hist[:, :, -1, :]
    out = p0[:, :, None, :] + disp[:, :, :t_max]
    inside = np.arange(1, t_max + 1)[None, None, :] <= tokens.flight_frames[:, None, None]
    inside = inside & tokens.valid[:, :, None]
    pos[:] = np.where(inside[..., None], out, np.nan)
    sig[:] = np.where(inside, sigma[:, :, :t_max], np.nan)
    return pos, sig


def rmse(pred: np.ndarray, real: np.ndarray, keep: np.ndarray | None = None) -> tuple[float, int]:
    """The Big Data Bowl 2026 RMSE ``sqrt(0.5 * (mean dx^2 + mean dy^2))`` over the
    player-frames where both are known (and ``keep``); returns ``(rmse, n)``.

    >>> import numpy as np
    >>> rmse(np.array([[3.0, 4.0]]), np.zeros((1, 2)))
    (3.5355339059327378, 1)
    """
    ok = np.isfinite(pred).all(-1) & np.isfinite(real).all(-1)
    if keep is not None:
        ok &= keep
    n = int(ok.sum())
    if n == 0:
        return float("nan"), 0
    d = pred[ok] - real[ok]
    return float(np.sqrt(0.5 * (np.mean(d[:, 0] ** 2) + np.mean(d[:, 1] ** 2)))), n

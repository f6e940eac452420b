"""One step of the ghosting model's roll-out in the C++ core (``cpp/src/tiles.cpp``).

:func:`ghosting.model.features.rollout` predicts each window tile by tile; per tile
it needs the kept feature columns and the defender's last velocity of every window
still in flight, then writes the predicted positions and sigmas back into its state.
:func:`rollout_features` computes the former straight from the roll-out's state (no
copy of the windows, no full feature matrix); :func:`advance_tiles` does the latter.
Both agree bit for bit with their numpy references: ``tile_features(*tile_inputs(
...))[:, columns]`` (:mod:`ghosting.model.features`, :mod:`ghosting.model.ghost_inputs`,
public and used by training) and :func:`advance_tiles_py`.

>>> import numpy as np
>>> import ghosting
>>> from ghosting.model.features import cut_ghost_inputs, tile_features, tile_inputs
>>> tracking = ghosting.synth.generate_plays(1, seed=0)
>>> w = cut_ghost_inputs(tracking, ghosting.pass_plays(tracking), history=5)
>>> rows, start = np.arange(len(w)), np.zeros(len(w), np.int64)
>>> feats, vel = rollout_features(w, w.defender, rows, start, 20, np.arange(10))
>>> hist, path, left, _ = tile_inputs(w, start, 20)
>>> ref = tile_features(hist, path, w.catch, left, w.context, w.is_back)[:, :10]
>>> bool(np.array_equal(feats, ref, equal_nan=True))
True
"""

from __future__ import annotations

import numpy as np

from .. import _core
from ..errors import InputError
from .ghost_inputs import GhostInputs

__all__ = ["rollout_features", "advance_tiles", "advance_tiles_py"]


def rollout_features(
    w: GhostInputs,
    defender_xy: np.ndarray,
    rows: np.ndarray,
    start: np.ndarray,
    horizon: int,
    columns: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The kept feature columns and the defender's last velocity of the tiles of ``rows``.

    ``defender_xy`` (N, frames, 2) holds the defender's positions on the windows' frame
    axis (observed history, then the roll-out's predictions), ``start`` (one per row)
    each tile's start in frames after pass forward (``0 <= start < flight_frames``),
    ``columns`` indices into :func:`~ghosting.model.features.feature_names`. Returns
    ``features`` ``(len(rows), len(columns))`` float64, equal to
    ``tile_features(*tile_inputs(w.take(rows), start, horizon, defender_xy[rows])
    ...)[:, columns]`` (also in memory order), and ``velocity`` ``(len(rows), 2)``
    yd/s. Bad shapes, rows, starts or columns raise :class:`~ghosting.InputError`.
    """
    try:
        features, velocity = _core.tile_features(
            defender_xy, w.receiver, w.flight_frames, w.catch, w.context, w.is_back, rows,
            start, horizon, w.history, columns,
        )
    except ValueError as exc:
        raise InputError(f"rollout_features: {exc}") from exc
    return features, velocity


def advance_tiles(
    defender_xy: np.ndarray,
    sigma: np.ndarray,
    flight_frames: np.ndarray,
    rows: np.ndarray,
    start: np.ndarray,
    base_sigma: np.ndarray,
    rel: np.ndarray,
    sig: np.ndarray,
    horizon: int,
    history: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Write one tile's predictions into the roll-out's positions and sigmas, in place.

    For the windows ``rows`` (unique) with tile starts ``start`` and the sigmas at the
    end of their previous tiles ``base_sigma`` (one per row), step
    ``j < min(flight_frames - start, horizon)`` puts ``origin + rel[:, j]`` at frame
    index ``history - 1 + start + j + 1`` of ``defender_xy`` (origin: the position at
    the tile start) and ``sqrt(base_sigma**2 + sig[:, j]**2)`` at
    ``sigma[:, start + j]``. Returns each row's next tile start and the sigma written
    last. ``defender_xy`` (N, frames, 2) and ``sigma`` (N, frames) must be C-contiguous
    float64. The C++ kernel runs when ``base_sigma``, ``rel`` and ``sig`` are float64
    (what the ONNX and training predictors return); other dtypes take
    :func:`advance_tiles_py`, whose arithmetic they change. Bad shapes or rows raise
    :class:`~ghosting.InputError`.
    """
    if any(a.dtype != np.float64 for a in (base_sigma, rel, sig)):
        return advance_tiles_py(defender_xy, sigma, flight_frames, rows, start, base_sigma, rel,
                                sig, horizon, history)
    try:
        end, last = _core.advance_tiles(defender_xy, sigma, flight_frames, rows, start,
                                        base_sigma, rel, sig, horizon, history)
    except ValueError as exc:
        raise InputError(f"advance_tiles: {exc}") from exc
    return end, last


def advance_tiles_py(
    defender_xy: np.ndarray,
    sigma: np.ndarray,
    flight_frames: np.ndarray,
    rows: np.ndarray,
    start: np.ndarray,
    base_sigma: np.ndarray,
    rel: np.ndarray,
    sig: np.ndarray,
    horizon: int,
    history: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The numpy reference of :func:`advance_tiles` (same arguments, writes and results)."""
    lead = history - 1
    origin = defender_xy[rows, lead + start]
    steps = np.minimum(flight_frames[rows] - start, horizon)
    # every (window, step) of the tile at once: step j < steps of its window
    i, j = np.nonzero(np.arange(horizon)[None, :] < steps[:, None])
    at, t = rows[i], start[i] + j + 1
    defender_xy[at, lead + t] = origin[i] + rel[i, j]
    sigma[at, t - 1] = np.sqrt(base_sigma[i] ** 2 + sig[i, j] ** 2)
    end = start + steps
    return end, sigma[rows, end - 1]

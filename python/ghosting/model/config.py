"""The training hyper-parameters (:class:`TrainConfig`), in a module of their own so
that :mod:`ghosting.model.network` and :mod:`ghosting.model.train` both import it
and neither imports the other for it; ``ghosting.model.train.TrainConfig`` stays."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TrainConfig"]


@dataclass
class TrainConfig:
    """Hyper-parameters; every one is written to the model card."""

    history: int = 5
    horizon: int = 20
    tile_stride: int = 3
    hidden: int = 192
    layers: int = 3
    epochs: int = 30
    batch_size: int = 256
    learning_rate: float = 2e-3
    weight_decay: float = 1e-4
    min_groups: int = 6
    importance_share: float = 0.95
    split: tuple[float, float, float] = (0.7, 0.15, 0.15)
    split_seed: int = 2026
    #: games always held out for testing (the 2021 game: official targets, a full game)
    test_games: tuple[int, ...] = (2018120600,)
    sigma_floor: float = 0.02
    #: networks trained with different seeds and averaged (one ONNX graph)
    ensemble: int = 3
    #: defenders whose windows train the network: "all" or "backs"
    train_defenders: str = "all"
    #: weight of the what-if consistency (hinge) loss; 0 switches it off
    what_if_weight: float = 1.0
    #: hinge margin (yd) and the radius (yd) around the alternative receiver at pass forward
    #: within which defenders form what-if pairs (the nearest one always does)
    what_if_margin: float = 0.25
    what_if_radius: float = 5.0
    #: weight of the acceleration penalty (|a| / 10 yd/s^2)^2 on predicted frames
    smooth_weight: float = 0.1
    threads: int = 1

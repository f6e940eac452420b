"""The ghosting model: ghost-mode defender trajectories from an ONNX network.

``GhostModel.load()`` loads the default model shipped in ``ghosting/model/default``;
``features`` builds the model's inputs; ``baselines`` holds the constant-velocity and
pursuit baselines; ``train`` (extra ``train``) and ``evaluate`` reproduce and judge it.

>>> import ghosting
>>> model = ghosting.GhostModel.load()
>>> model.card["licence"].startswith("Trained on NFL")
True
"""

from __future__ import annotations

from .ghost import DEFAULT_MODEL_DIR, PREDICTION_SCHEMA, GhostModel, PlayGhosts

__all__ = ["GhostModel", "PlayGhosts", "DEFAULT_MODEL_DIR", "PREDICTION_SCHEMA"]

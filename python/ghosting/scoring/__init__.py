"""The Trajectory Score and kinematic feasibility (docs/trajectory_score.md).

Two parts:

- :mod:`ghosting.scoring.arrays` scores any trajectories given as arrays (real,
  predicted or hypothetical): :func:`trajectory_score` -> :class:`TrajectoryScores`
  (PS, DR, SP, TS), :func:`play_scores` and :func:`model_score` aggregate them,
  :func:`feasibility` -> :class:`Feasibility`, and :func:`random_replacement` builds
  the published sanity check;
- :mod:`ghosting.scoring.real` gathers the real defender trajectories of every pass
  play of a canonical tracking table (:func:`real_trajectories`) and scores them
  against the targeted receiver (:func:`score_real`), accounting for every play it
  could not score.

Every public name is importable from here: ``from ghosting.scoring import score_real``.
"""

from __future__ import annotations

from .arrays import (
    DEFAULT_PENALTY,
    DEFAULT_RADIUS,
    Feasibility,
    TrajectoryScores,
    feasibility,
    model_score,
    play_scores,
    random_replacement,
    trajectory_score,
)
from .real import (
    RealScores,
    RealTrajectories,
    real_trajectories,
    score_real,
)

__all__ = [
    "TrajectoryScores",
    "Feasibility",
    "RealTrajectories",
    "RealScores",
    "trajectory_score",
    "play_scores",
    "model_score",
    "feasibility",
    "random_replacement",
    "real_trajectories",
    "score_real",
    "DEFAULT_PENALTY",
    "DEFAULT_RADIUS",
]

# doctest.testmod(ghosting.scoring) only looks at objects defined in this module;
# point it at the examples of the re-exported functions and classes.
__test__ = {name: globals()[name] for name in __all__ if callable(globals()[name])}

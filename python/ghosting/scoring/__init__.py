"""The Trajectory Score and kinematic feasibility (docs/trajectory_score.md).

Three parts:

- :mod:`ghosting.scoring.trajectory_score` scores any trajectories given as arrays
  (real, predicted or hypothetical): :func:`trajectory_score` ->
  :class:`TrajectoryScores` (PS, DR, SP, TS), :func:`play_scores` and
  :func:`model_score` aggregate them, and :func:`random_replacement` builds the
  published sanity check; its numpy reference is
  :mod:`ghosting.scoring.trajectory_score_py`;
- :mod:`ghosting.scoring.feasibility`: :func:`feasibility` -> :class:`Feasibility`
  (reference :mod:`ghosting.scoring.feasibility_py`);
- :mod:`ghosting.scoring.real` gathers the real defender trajectories of every pass
  play of a canonical tracking table (:func:`real_trajectories`) and scores them
  against the targeted receiver (:func:`score_real`), accounting for every play it
  could not score.

Every public name is importable from here: ``from ghosting.scoring import score_real``.
(The functions ``trajectory_score`` and ``feasibility`` share their modules' names:
``ghosting.scoring.trajectory_score`` is the function; import the module's other
names with ``from ghosting.scoring.trajectory_score import ...``.)
"""

from __future__ import annotations

from .feasibility import Feasibility, feasibility
from .real import (
    RealScores,
    RealTrajectories,
    real_trajectories,
    score_real,
)
from .trajectory_score import (
    DEFAULT_PENALTY,
    DEFAULT_RADIUS,
    TrajectoryScores,
    model_score,
    play_scores,
    random_replacement,
    trajectory_score,
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

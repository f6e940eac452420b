"""The Trajectory Score and kinematic feasibility (DESIGN section 5).

Every public name is importable from here: ``from ghosting.scoring import score_real``.
"""

from __future__ import annotations

from .real import (
    DEFAULT_PENALTY,
    DEFAULT_RADIUS,
    Feasibility,
    RealScores,
    RealTrajectories,
    TrajectoryScores,
    feasibility,
    model_score,
    pc_list_lengths,
    play_scores,
    random_replacement,
    real_trajectories,
    score_real,
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
    "pc_list_lengths",
]

# doctest.testmod(ghosting.scoring) only looks at objects defined in this module;
# point it at the examples of the re-exported functions and classes.
__test__ = {name: globals()[name] for name in __all__ if callable(globals()[name])}

"""ghosting: defender ghosting on NFL player-tracking data.

Clean tracking data, predict where each defensive back would have run while the
ball was in the air (for the real target and every other receiver), and score
trajectories with the Trajectory Score. The hot loops run in a C++ core.

>>> import ghosting
>>> plays = ghosting.synth.generate_plays(2, seed=0)
>>> cleaned, report = ghosting.clean(plays)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import (
    GhostingError,
    GhostingWarning,
    InputError,
    LayoutError,
    MissingColumnsError,
    ModelError,
    PlayError,
)
from .schema import BALL_ID

__version__ = "0.1.0"

if TYPE_CHECKING:  # the lazy names below, for type checkers
    from . import synth as synth
    from .cleaning import CleaningReport as CleaningReport
    from .cleaning import clean as clean
    from .coordinates import to_raw_coordinates as to_raw_coordinates
    from .forecast import ForecastModel as ForecastModel
    from .io import read_targets as read_targets
    from .io import read_tracking as read_tracking
    from .model import GhostModel as GhostModel
    from .pipeline import Results as Results
    from .pipeline import run as run
    from .plays import pass_plays as pass_plays
    from .scoring import score_real as score_real
    from .scoring.feasibility import feasibility as feasibility
    from .scoring.files import score_files as score_files
    from .scoring.trajectory_score import trajectory_score as trajectory_score

# Public names and the module that defines each; imported on first use so that
# `import ghosting` stays fast and optional parts load only when needed.
_LAZY = {
    "read_tracking": "ghosting.io",
    "read_targets": "ghosting.io",
    "pass_plays": "ghosting.plays",
    "clean": "ghosting.cleaning",
    "CleaningReport": "ghosting.cleaning",
    "trajectory_score": "ghosting.scoring",
    "score_real": "ghosting.scoring",
    "score_files": "ghosting.scoring.files",
    "feasibility": "ghosting.scoring",
    "GhostModel": "ghosting.model",
    "ForecastModel": "ghosting.forecast",
    "run": "ghosting.pipeline",
    "Results": "ghosting.pipeline",
    "to_raw_coordinates": "ghosting.coordinates",
}
_SUBMODULES = {
    "synth", "io", "plays", "cleaning", "scoring", "model", "pipeline", "schema", "coordinates",
    "plot", "animate", "report", "forecast",
}

__all__ = [
    "BALL_ID",
    "GhostingError",
    "GhostingWarning",
    "InputError",
    "LayoutError",
    "MissingColumnsError",
    "ModelError",
    "PlayError",
    "__version__",
    *sorted(_LAZY),
    "synth",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"ghosting.{name}")
    else:
        raise AttributeError(f"module 'ghosting' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

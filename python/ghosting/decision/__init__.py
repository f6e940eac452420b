"""The quarterback's decision (docs/decision.md): what-if flights, completion
probability, option value and the "better option" rule.

* :mod:`~ghosting.decision.air_time`: air time against throw distance, and each
  option's own arrival frame;
* :mod:`~ghosting.decision.prior`: the league depth prior (P(complete | air yards) and
  yards after catch) from a plays file, the completion model's offset;
* :mod:`~ghosting.decision.completion`: a logistic completion-probability model in numpy;
* :mod:`~ghosting.decision.sigma`: calibration of the ghost model's per-frame sigma;
* :mod:`~ghosting.decision.options`: options, their ghosts (all defenders) and features;
* :mod:`~ghosting.decision.value`: expected yards, uncertainty and the decision rule;
* :mod:`~ghosting.decision.analyse`: all of it for a set of plays; ``train`` and
  ``evaluate`` fit the cards in ``default/`` and judge them on held-out games.
"""

from __future__ import annotations

from .air_time import AirTimeModel, arrival_frames
from .analyse import DecisionModels, DecisionResult, analyse_plays
from .completion import CompletionModel
from .sigma import SigmaCalibration
from .value import MARGIN_YARDS, Z_UNCERTAINTY, better_than_real

__all__ = [
    "AirTimeModel",
    "CompletionModel",
    "DecisionModels",
    "DecisionResult",
    "MARGIN_YARDS",
    "SigmaCalibration",
    "Z_UNCERTAINTY",
    "analyse_plays",
    "arrival_frames",
    "better_than_real",
]

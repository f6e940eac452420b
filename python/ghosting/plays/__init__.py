"""Pass plays: when the ball is in the air, where it lands, who it was thrown to.

:func:`pass_windows` (:mod:`ghosting.passes`, a leaf module the reader uses too)
finds each play's pass forward and arrival frames from the events alone; :func:`pass_plays`
(:mod:`ghosting.plays.records`) builds on it one record per play with the ball's
landing point, the targeted receiver (and where that came from, see
:mod:`ghosting.plays.targets`), the eligible receivers and the defensive backs,
and says why a play cannot be analysed.

Every public name is importable from here: ``from ghosting.plays import pass_plays``.
"""

from __future__ import annotations

from ..passes import (
    ARRIVAL_EVENT,
    AUTO_FORWARD_EVENT,
    FORWARD_EVENTS,
    OUTCOME_PREFIX,
    WINDOW_SCHEMA,
    pass_windows,
    repeated_pass_forwards,
)
from .defenders import defender_rows
from .play_rows import COVERAGE_ROLE, ROUTE_RUNNER_ROLES
from .records import PASS_PLAYS_SCHEMA, REASONS, pass_plays
from .targets import (
    TARGET_FILE_REASONS,
    TARGET_SOURCES,
    TARGETED_ROLE,
    infer_targets,
    match_target,
    parse_target_name,
)

__all__ = [
    "pass_windows",
    "pass_plays",
    "parse_target_name",
    "match_target",
    "infer_targets",
    "repeated_pass_forwards",
    "FORWARD_EVENTS",
    "AUTO_FORWARD_EVENT",
    "ARRIVAL_EVENT",
    "OUTCOME_PREFIX",
    "WINDOW_SCHEMA",
    "REASONS",
    "PASS_PLAYS_SCHEMA",
    "TARGET_SOURCES",
    "TARGET_FILE_REASONS",
    "TARGETED_ROLE",
    "ROUTE_RUNNER_ROLES",
    "COVERAGE_ROLE",
    "defender_rows",
]

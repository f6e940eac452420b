"""Pass plays: when the ball is in the air, where it lands, who it was thrown to.

Every public name is importable from here: ``from ghosting.plays import pass_plays``.
"""

from __future__ import annotations

from .records import (
    ARRIVAL_EVENT,
    COVERAGE_ROLE,
    FORWARD_EVENTS,
    OUTCOME_PREFIX,
    PLAYS_SCHEMA,
    REASONS,
    ROUTE_RUNNER_ROLES,
    TARGET_SOURCES,
    TARGETED_ROLE,
    WINDOW_SCHEMA,
    infer_targets,
    match_target,
    parse_target_name,
    pass_plays,
    pass_windows,
)

__all__ = [
    "pass_windows",
    "pass_plays",
    "parse_target_name",
    "match_target",
    "infer_targets",
    "FORWARD_EVENTS",
    "ARRIVAL_EVENT",
    "OUTCOME_PREFIX",
    "WINDOW_SCHEMA",
    "REASONS",
    "PLAYS_SCHEMA",
    "TARGET_SOURCES",
    "TARGETED_ROLE",
    "ROUTE_RUNNER_ROLES",
    "COVERAGE_ROLE",
]

"""Pass windows (:mod:`ghosting.passes`, a leaf module the reader imports too)."""

from __future__ import annotations

from ..passes import (
    _KEYS,
    ARRIVAL_EVENT,
    AUTO_FORWARD_EVENT,
    FORWARD_EVENTS,
    OUTCOME_PREFIX,
    WINDOW_SCHEMA,
    PassWindows,
    _require,
    pass_windows,
    repeated_pass_forwards,
)

__all__ = [
    "PassWindows",
    "pass_windows",
    "repeated_pass_forwards",
    "FORWARD_EVENTS",
    "AUTO_FORWARD_EVENT",
    "ARRIVAL_EVENT",
    "OUTCOME_PREFIX",
    "WINDOW_SCHEMA",
    "_KEYS",
    "_require",
]

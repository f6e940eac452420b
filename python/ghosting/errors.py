"""The package's one error hierarchy: every error ghosting raises on purpose
derives from :class:`GhostingError`."""

from __future__ import annotations

__all__ = [
    "GhostingError",
    "InputError",
    "LayoutError",
    "MissingColumnsError",
    "PlayError",
    "ModelError",
    "GhostingWarning",
]


class GhostingError(Exception):
    """Base class of every error raised by ghosting."""


class InputError(GhostingError, ValueError):
    """Input data (a file, a table, an array) is unusable; the message names it."""


class LayoutError(InputError):
    """The columns of a tracking source match no known layout."""


class MissingColumnsError(InputError):
    """A tracking source lacks columns its layout requires."""


class PlayError(GhostingError, ValueError):
    """A play cannot be analysed (no pass, no target, ...); the message names the play."""


class ModelError(GhostingError):
    """A ghosting model file is missing, corrupt or does not match its card."""


class GhostingWarning(UserWarning):
    """Something in the input was repaired or dropped; the message says what and why."""

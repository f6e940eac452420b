"""The choices of the options a user picks from, each one ``Literal`` type defined once.

Every list of choices (the run settings, :func:`ghosting.clean`, the Trajectory
Score's wrappers, the command line's ``choices=``) is read from here, the tuple
taken from the type with :func:`typing.get_args`, so that a new choice is added in
one place.

>>> POLICIES
('play', 'track', 'sample')
>>> "receiver" in REFERENCES
True
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = [
    "CleaningPolicy",
    "CleaningWindow",
    "Reference",
    "Weights",
    "Defenders",
    "POLICIES",
    "WINDOWS",
    "REFERENCES",
    "WEIGHTS",
    "DEFENDERS",
]

#: What a flagged sample drops: its play, its track, or itself (docs/cleaning.md).
CleaningPolicy = Literal["play", "track", "sample"]
#: The frames cleaning analyses: around the pass, or all of them.
CleaningWindow = Literal["pass", "all"]
#: The Trajectory Score's reference point: the catch point or the moving receiver.
Reference = Literal["catch_point", "receiver"]
#: The weights of the positional convergence's frames: uniform, or w_t = t.
Weights = Literal["uniform", "linear"]
#: The defenders ghosted and scored: the defensive backs, or every defender.
Defenders = Literal["backs", "all"]

POLICIES: tuple[CleaningPolicy, ...] = get_args(CleaningPolicy)
WINDOWS: tuple[CleaningWindow, ...] = get_args(CleaningWindow)
REFERENCES: tuple[Reference, ...] = get_args(Reference)
WEIGHTS: tuple[Weights, ...] = get_args(Weights)
DEFENDERS: tuple[Defenders, ...] = get_args(Defenders)

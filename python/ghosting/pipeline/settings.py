"""The settings of a run (recorded in ``summary.json``)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..choices import (
    DEFENDERS,
    POLICIES,
    REFERENCES,
    WEIGHTS,
    CleaningPolicy,
    CleaningWindow,
    Defenders,
    Reference,
    Weights,
)
from ..cleaning import FIELD_TOLERANCE, HISTORY, check_options
from ..errors import InputError
from ..schema import DT, V_MAX
from ..scoring import DEFAULT_PENALTY, DEFAULT_RADIUS

__all__ = ["RunSettings", "MAX_FLIGHT_FRAMES", "MAX_OFF_FIELD"]

#: Longest ball flight ghosted, in frames (8 s at 10 Hz): real passes are in the air
#: under 5 s; a longer "flight" is bad data and would only cost model time.
MAX_FLIGHT_FRAMES = 80

#: How far (yd) beyond the field a ghost position may lie before the play's ghosts are
#: rejected as broken (non-finite positions are always rejected).
MAX_OFF_FIELD = 10.0


@dataclass(frozen=True)
class RunSettings:
    """The settings of a run, recorded in ``summary.json``.

    ``policy``, ``field_tolerance``, ``v_max``, ``dt``, ``window`` and ``history``
    are the cleaning options (:func:`ghosting.clean`; ``v_max`` and ``dt`` are also
    the Trajectory Score's). ``max_flight_frames`` bounds the ball flight ghosted
    (longer plays are skipped before any model work); ``max_off_field`` is how far
    beyond the field a ghost may be before its play is skipped as broken.
    """

    policy: CleaningPolicy = "play"
    defenders: Defenders = "backs"
    reference: Reference = "catch_point"
    weights: Weights = "uniform"
    v_max: float = V_MAX
    dt: float = DT
    penalty: float = DEFAULT_PENALTY
    radius: float = DEFAULT_RADIUS
    field_tolerance: float = FIELD_TOLERANCE
    window: CleaningWindow = "pass"
    history: int = HISTORY
    max_flight_frames: int = MAX_FLIGHT_FRAMES
    max_off_field: float = MAX_OFF_FIELD

    def cleaning(self) -> dict[str, object]:
        """The keywords of :func:`ghosting.clean` these settings give."""
        return {
            "policy": self.policy,
            "v_max": self.v_max,
            "dt": self.dt,
            "field_tolerance": self.field_tolerance,
            "window": self.window,
            "history": self.history,
        }

    def __post_init__(self) -> None:
        for name, choices in (
            ("policy", POLICIES),
            ("defenders", DEFENDERS),
            ("reference", REFERENCES),
            ("weights", WEIGHTS),
        ):
            if getattr(self, name) not in choices:
                raise InputError(
                    f"{name} must be one of {', '.join(choices)}, got {getattr(self, name)!r}"
                )
        for name in ("v_max", "dt", "radius", "penalty"):
            value = getattr(self, name)
            try:
                valid = math.isfinite(value) and (name == "penalty" or value > 0)
            except TypeError:
                valid = False
            if not valid:
                bound = "" if name == "penalty" else " > 0"
                raise InputError(f"{name} must be a finite number{bound}, got {value!r}")
        check_options(**self.cleaning())  # type: ignore[arg-type]
        frames = self.max_flight_frames
        if isinstance(frames, bool) or not isinstance(frames, int) or frames < 1:
            raise InputError(f"max_flight_frames must be an integer >= 1, got {frames!r}")
        off = self.max_off_field
        if not (isinstance(off, (int, float)) and not isinstance(off, bool)
                and math.isfinite(off) and off >= 0):  # fmt: skip
            raise InputError(f"max_off_field must be a finite number >= 0, got {off!r}")

"""The settings of a run (recorded in ``summary.json``)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..errors import InputError
from ..schema import DT, V_MAX
from ..scoring import DEFAULT_PENALTY, DEFAULT_RADIUS

__all__ = ["RunSettings"]


DEFENDERS_CHOICES = ("backs", "all")


POLICY_CHOICES = ("play", "track", "sample")


REFERENCE_CHOICES = ("catch_point", "receiver")


@dataclass(frozen=True)
class RunSettings:
    """The settings of a run, recorded in ``summary.json``."""

    policy: str = "play"
    defenders: str = "backs"
    reference: str = "catch_point"
    weights: str = "uniform"
    v_max: float = V_MAX
    dt: float = DT
    penalty: float = DEFAULT_PENALTY
    radius: float = DEFAULT_RADIUS

    def __post_init__(self) -> None:
        for name, choices in (
            ("policy", POLICY_CHOICES),
            ("defenders", DEFENDERS_CHOICES),
            ("reference", REFERENCE_CHOICES),
            ("weights", ("uniform", "linear")),
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

"""The settings of a run (recorded in ``summary.json``)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..errors import InputError

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
    v_max: float = 12.5
    dt: float = 0.1
    penalty: float = 0.5
    radius: float = 10.0

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
        for name in ("v_max", "dt", "radius"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise InputError(f"{name} must be a finite number > 0, got {value!r}")

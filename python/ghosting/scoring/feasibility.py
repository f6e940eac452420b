"""Kinematic feasibility of trajectories given as arrays (docs/trajectory_score.md).

A thin wrapper over the C++ kernel (``_core.feasibility``): per trajectory its
maximum speed and acceleration, its superhuman steps (longer than ``v_max * dt``),
its samples off the field and its non-finite samples, in any layout of
:mod:`ghosting.scoring._batch`. The numpy reference is
:mod:`ghosting.scoring.feasibility_py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import _core
from ..schema import DT, V_MAX
from ._batch import flatten, native, number

__all__ = ["Feasibility", "feasibility", "OFF_FIELD_TOLERANCE"]

#: Default yards beyond the field still counted on it (none: ``_core``'s default).
OFF_FIELD_TOLERANCE: float = _core.OFF_FIELD_TOLERANCE


@dataclass(frozen=True)
class Feasibility:
    """Kinematic feasibility, per trajectory (arrays, or scalars for one trajectory).

    ``max_speed`` (yd/s) and ``max_accel`` (yd/s², from finite differences of
    positions) are NaN when undefined (fewer than 2 or 3 samples) or when the
    trajectory has a non-finite sample; ``n_long_steps`` counts steps longer
    than ``v_max * dt``, ``n_off_field`` finite samples off the field (beyond the
    tolerance), ``n_nonfinite`` samples with a NaN or infinite coordinate.
    """

    max_speed: Any
    max_accel: Any
    n_long_steps: Any
    n_off_field: Any
    n_nonfinite: Any


def feasibility(
    xy: Any,
    lengths: Any = None,
    *,
    offsets: Any = None,
    v_max: float = V_MAX,
    dt: float = DT,
    off_field_tolerance: float = OFF_FIELD_TOLERANCE,
) -> Feasibility:
    """Kinematic feasibility of trajectories (any layout of this module).

    >>> import numpy as np, ghosting
    >>> f = ghosting.feasibility(np.array([[10.0, 10.0], [10.5, 10.0], [13.0, 10.0]]))
    >>> f.max_speed, f.n_long_steps
    (25.0, 1)
    """
    p, off, single, _ = flatten(xy, lengths, offsets, "xy")
    out = native(
        _core.feasibility,
        p,
        off,
        number(v_max, "v_max"),
        number(dt, "dt"),
        number(off_field_tolerance, "off_field_tolerance"),
    )
    if single:
        return Feasibility(float(out[0][0]), float(out[1][0]), *(int(a[0]) for a in out[2:]))
    return Feasibility(*out)

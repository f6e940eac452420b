"""How well the ghost model's per-frame sigma is calibrated, and its recalibration.

The model's sigma is the per-axis standard deviation of an isotropic 2-D Gaussian
(its training loss is ``|err|^2 / (2 sigma^2) + 2 log sigma``), so the real position
should lie within 1 sigma of the ghost 39.3% of the time and within 2 sigma 86.5%
(``1 - exp(-k^2 / 2)``). :func:`sigma_coverage` measures those shares per horizon
(frames after pass forward); :class:`SigmaCalibration` holds one scale per horizon
bucket, the maximum-likelihood factor ``sqrt(mean(|err|^2 / (2 sigma^2)))`` fitted on
validation games, which the decision analysis multiplies into the model's sigma.

>>> import numpy as np
>>> cal = SigmaCalibration((1, 11), (2.0, 3.0))
>>> cal.scale_at(np.array([5, 15])).tolist()
[2.0, 3.0]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ModelError

__all__ = ["SigmaCalibration", "sigma_coverage", "HORIZON_BUCKETS", "EXPECTED_COVERAGE"]

#: First frame of each horizon bucket (frames after pass forward): 1-10, 11-20, 21-30, 31+.
HORIZON_BUCKETS = (1, 11, 21, 31)
#: Share of real positions within 1 and 2 sigma for a calibrated isotropic Gaussian.
EXPECTED_COVERAGE = {"1sigma": float(1 - np.exp(-0.5)), "2sigma": float(1 - np.exp(-2.0))}


@dataclass(frozen=True)
class SigmaCalibration:
    """Scale factors for the model's sigma, one per horizon bucket (first frames)."""

    starts: tuple[int, ...]
    scales: tuple[float, ...]

    def scale_at(self, frame: np.ndarray) -> np.ndarray:
        """The scale of each horizon ``frame`` (frames after pass forward, >= 1)."""
        k = np.searchsorted(np.asarray(self.starts), np.asarray(frame), side="right") - 1
        return np.asarray(self.scales, np.float64)[np.clip(k, 0, len(self.scales) - 1)]

    def to_card(self) -> dict[str, Any]:
        """The card's ``sigma_calibration`` entry."""
        return {"horizon_starts": list(self.starts), "scales": [float(s) for s in self.scales]}

    @classmethod
    def from_card(cls, entry: dict[str, Any], source: str = "card") -> SigmaCalibration:
        """Read the entry written by :meth:`to_card`."""
        try:
            starts = tuple(int(v) for v in entry["horizon_starts"])
            scales = tuple(float(v) for v in entry["scales"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"{source}: malformed sigma_calibration ({exc})") from exc
        if len(starts) != len(scales) or not starts or not all(s > 0 for s in scales):
            raise ModelError(f"{source}: sigma_calibration needs one positive scale per bucket")
        return cls(starts, scales)

    @classmethod
    def identity(cls) -> SigmaCalibration:
        """No recalibration."""
        return cls(HORIZON_BUCKETS, (1.0,) * len(HORIZON_BUCKETS))

    @classmethod
    def fit(cls, err: np.ndarray, sigma: np.ndarray) -> SigmaCalibration:
        """Maximum-likelihood scale per bucket from errors and sigmas (N, T), frames 1..T."""
        t = np.arange(1, err.shape[1] + 1)
        scales: list[float] = []
        for k, lo in enumerate(HORIZON_BUCKETS):
            hi = HORIZON_BUCKETS[k + 1] if k + 1 < len(HORIZON_BUCKETS) else t.size + 1
            m = (t >= lo) & (t < hi)
            e, s = err[:, m], sigma[:, m]
            ok = np.isfinite(e) & np.isfinite(s) & (s > 0)
            if ok.sum() < 20:  # too few frames: keep the previous bucket's scale
                scales.append(scales[-1] if scales else 1.0)
                continue
            scales.append(float(np.sqrt(np.mean(e[ok] ** 2 / (2 * s[ok] ** 2)))))
        return cls(HORIZON_BUCKETS, tuple(scales))


def sigma_coverage(
    err: np.ndarray, sigma: np.ndarray, calibration: SigmaCalibration | None = None
) -> list[dict[str, Any]]:
    """Per horizon bucket: frames, the share of real positions within 1 and 2 sigma of
    the ghost, and the expected shares. ``err`` and ``sigma`` are (N, T) for frames 1..T."""
    t = np.arange(1, err.shape[1] + 1)
    scale = calibration.scale_at(t)[None, :] if calibration is not None else 1.0
    s = sigma * scale
    out = []
    for k, lo in enumerate(HORIZON_BUCKETS):
        hi = HORIZON_BUCKETS[k + 1] if k + 1 < len(HORIZON_BUCKETS) else None
        m = (t >= lo) if hi is None else ((t >= lo) & (t < hi))
        e, sg = err[:, m], s[:, m] if np.ndim(s) else s
        ok = np.isfinite(e) & np.isfinite(sg) & (sg > 0)
        n = int(ok.sum())
        out.append(
            {
                "frames": f"{lo}-{hi - 1}" if hi is not None else f"{lo}+",
                "n": n,
                "within_1sigma": float(np.mean(e[ok] <= sg[ok])) if n else float("nan"),
                "within_2sigma": float(np.mean(e[ok] <= 2 * sg[ok])) if n else float("nan"),
                "expected_1sigma": EXPECTED_COVERAGE["1sigma"],
                "expected_2sigma": EXPECTED_COVERAGE["2sigma"],
            }
        )
    return out

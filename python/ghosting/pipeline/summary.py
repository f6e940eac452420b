"""What ``summary.json`` counts, accumulated game by game (bounded memory)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from ..errors import GhostingError
from .outputs import _json_ready
from .settings import RunSettings

_STAT_FIELDS = ("ps", "dr", "sp", "ts")


@dataclass
class _Mean:
    """Running means of PS, DR, SP, TS over trajectories with a finite TS."""

    n: int = 0
    sums: dict[str, float] = field(default_factory=lambda: dict.fromkeys(_STAT_FIELDS, 0.0))

    def add(self, columns: dict[str, np.ndarray]) -> None:
        ok = np.isfinite(columns["ts"])
        self.n += int(ok.sum())
        for name in _STAT_FIELDS:
            self.sums[name] += float(np.asarray(columns[name])[ok].sum())

    def as_dict(self) -> dict[str, Any]:
        means = {name: (self.sums[name] / self.n if self.n else None) for name in _STAT_FIELDS}
        return {"trajectories": self.n, **means}


@dataclass
class _PlayMean:
    n: int = 0
    total: float = 0.0

    def add(self, values: np.ndarray) -> None:
        values = np.asarray(values, dtype=np.float64)
        ok = np.isfinite(values)
        self.n += int(ok.sum())
        self.total += float(values[ok].sum())

    def mean(self) -> float | None:
        return self.total / self.n if self.n else None


@dataclass
class _Tally:
    """Everything ``summary.json`` counts, accumulated game by game."""

    rows_read: int = 0
    game_ids: set[int] = field(default_factory=set)
    plays_read: int = 0
    plays_scored: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    ghost_trajectories: int = 0
    real_trajectories: int = 0
    options: int = 0
    infeasible_ghosts: int = 0
    better_option_plays: int = 0  # the old rule: any separation gain above 0 yd
    decision_judged: int = 0
    decision_better: int = 0  # the decision rule (ghosting.decision.value)
    decision_target_first: int = 0
    cleaning: dict[str, int] = field(default_factory=dict)
    real: _Mean = field(default_factory=_Mean)
    ghost_target: _Mean = field(default_factory=_Mean)
    ghost_all: _Mean = field(default_factory=_Mean)
    real_play: _PlayMean = field(default_factory=_PlayMean)
    ghost_play_target: _PlayMean = field(default_factory=_PlayMean)
    ghost_play_all: _PlayMean = field(default_factory=_PlayMean)

    def skip(self, reasons: Iterable[str]) -> None:
        for reason in reasons:
            self.skipped[reason] = self.skipped.get(reason, 0) + 1

    def add_cleaning(self, report: Any) -> None:
        counts = {
            "rows_dropped": report.rows_in - report.rows_out,
            "plays_dropped": len(report.dropped_plays),
            "tracks_dropped": len(report.dropped_tracks),
            **{f"flagged_in_window_{k.lower()}": v for k, v in report.flagged_in_window.items()},
        }
        for key, value in counts.items():
            self.cleaning[key] = self.cleaning.get(key, 0) + int(value)

    def summary(
        self,
        *,
        settings: RunSettings,
        model_info: dict[str, Any],
        seconds: float,
        inputs: Sequence[str],
        extra_settings: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        from .. import __version__

        skipped_total = sum(self.skipped.values())
        if self.plays_scored + skipped_total != self.plays_read:  # pragma: no cover - invariant
            raise GhostingError(
                f"internal error: {self.plays_read} plays read but {self.plays_scored} scored "
                f"and {skipped_total} skipped"
            )
        seconds = max(seconds, 1e-9)
        table = {
            "real": {**self.real.as_dict(), "play_score": self.real_play.mean()},
            "ghost_real_target": {
                **self.ghost_target.as_dict(),
                "play_score": self.ghost_play_target.mean(),
            },
            "ghost_all_options": {
                **self.ghost_all.as_dict(),
                "play_score": self.ghost_play_all.mean(),
            },
        }
        return _json_ready({
            "ghosting_version": __version__,
            "inputs": list(inputs),
            "counts": {
                "rows_read": self.rows_read,
                "games": len(self.game_ids),
                "plays_read": self.plays_read,
                "plays_scored": self.plays_scored,
                "plays_skipped": skipped_total,
                "skipped_by_reason": dict(sorted(self.skipped.items())),
                "target_options": self.options,
                "ghost_trajectories": self.ghost_trajectories,
                "real_trajectories": self.real_trajectories,
                "infeasible_ghost_trajectories": self.infeasible_ghosts,
                "plays_judged": self.decision_judged,
                "plays_with_better_option": self.decision_better,
                "plays_real_target_first": self.decision_target_first,
                "plays_with_more_open_receiver": self.better_option_plays,
            },
            "cleaning": dict(sorted(self.cleaning.items())),
            "model": model_info,
            "trajectory_score": table,
            "throughput": {
                "seconds": round(seconds, 3),
                "rows_per_second": round(self.rows_read / seconds, 1),
                "plays_per_second": round(self.plays_read / seconds, 2),
                "scored_plays_per_second": round(self.plays_scored / seconds, 2),
                "ghost_trajectories_per_second": round(self.ghost_trajectories / seconds, 1),
            },
            "settings": {**asdict(settings), **(extra_settings or {})},
        })

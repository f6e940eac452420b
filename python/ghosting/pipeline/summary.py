"""What ``summary.json`` counts, accumulated game by game (bounded memory)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np

from ..errors import GhostingError
from .ledger import PlayLedger
from .outputs import _json_ready
from .settings import RunSettings

_STAT_FIELDS = ("ps", "dr", "sp", "ts")


#: Advice for the most common skip reason when nothing was scored (matched by prefix:
#: the reader's reasons may say more after it).
_HINTS = (
    ("sides unknown", "offense and defense are unknown: BDB 2019 tracking needs the "
     "competition's players.csv (--players FILE, or players= in Python)"),
    ("no target", "no targeted receiver: give the target file (--targets FILE) or the "
     "competition's plays.csv (--plays FILE) for the play descriptions"),
    ("no ball position", "the ball is not tracked at arrival: a BDB 2026 output file needs "
     "its matching input file (give both: input_2023_wNN.csv and output_2023_wNN.csv)"),
    ("no pass_forward", "the input has no pass plays (no pass_forward event)"),
    ("cleaning", "cleaning dropped the plays: see the cleaning counts, and --policy / "
     "--field-tolerance"),
    ("ball in the air longer", "every flight is longer than the maximum (a frame-rate or "
     "event problem in the data)"),
)


def nothing_scored_hint(
    plays_read: int,
    plays_scored: int,
    skipped: dict[str, int],
    *,
    unpaired_2026_outputs: bool = False,
) -> str | None:
    """Why nothing was scored, from the most common skip reason of the plays with a
    pass (None when a play was scored). Plays of a BDB 2026 output file without its
    input have no events, ball or sides: the hint names the missing input file."""
    if plays_scored:
        return None
    if not plays_read:
        return "nothing was scored: no plays in the input"
    # Plays without a pass are not the problem when there are pass plays: the most
    # common reason among the others says why the pass plays were not scored.
    passes = {r: n for r, n in skipped.items() if not r.startswith("no pass_forward")}
    reason, count = max((passes or skipped).items(), key=lambda kv: (kv[1], -len(kv[0]), kv[0]))
    text = f"nothing was scored: {count} of {plays_read} plays skipped as '{reason}'"
    if unpaired_2026_outputs:
        return (f"{text}; a BDB 2026 output file holds only x, y while the ball is in the "
                "air: give it together with its matching input file "
                "(input_2023_wNN.csv beside output_2023_wNN.csv)")
    for prefix, advice in _HINTS:
        if reason.startswith(prefix) or prefix in reason:
            return f"{text}; {advice}"
    return text


def really_no_pass_plays(summary: dict[str, Any]) -> bool:
    """The run scored nothing because the input has no pass plays: every play lacks a
    pass_forward (and the input is not a BDB 2026 output file without its input)."""
    counts = summary["counts"]
    return not counts["unpaired_2026_outputs"] and all(
        reason.startswith("no pass_forward") for reason in counts["skipped_by_reason"]
    )


def _total(parts: list[float]) -> float:
    """The partial sums added one after the other, in order (not ``sum()``, which
    compensates): a run's total does not depend on how its games were batched."""
    total = 0.0
    for part in parts:
        total += part
    return total


def _kept_bounds(keep: np.ndarray, bounds: np.ndarray) -> list[int]:
    """The run bounds ``bounds`` (into the rows of ``keep``) as bounds into the rows
    kept: run ``i`` of ``values[keep]`` is ``out[i]:out[i + 1]``."""
    kept_before = np.zeros(len(keep) + 1, dtype=np.int64)
    np.cumsum(keep, out=kept_before[1:])
    return kept_before[np.asarray(bounds, dtype=np.int64)].tolist()  # type: ignore[no-any-return]


def _run_sums(values: np.ndarray, cuts: list[int]) -> list[float]:
    """``float(values[a:b].sum())`` of each run: each a sum of its own contiguous values,
    as the run alone gives (no running or compensated sum across runs)."""
    return [float(values[a:b].sum()) for a, b in zip(cuts[:-1], cuts[1:], strict=True)]


@dataclass
class _Mean:
    """Running means of PS, DR, SP, TS over trajectories with a finite TS. Each
    :meth:`add` (one game's values) keeps its sum; the total adds them in order."""

    n: int = 0
    sums: dict[str, list[float]] = field(
        default_factory=lambda: {name: [] for name in _STAT_FIELDS}
    )

    def add(self, columns: dict[str, np.ndarray]) -> None:
        ok = np.isfinite(columns["ts"])
        self.n += int(ok.sum())
        for name in _STAT_FIELDS:
            self.sums[name].append(float(np.asarray(columns[name])[ok].sum()))

    def add_runs(
        self, columns: dict[str, np.ndarray], bounds: np.ndarray, where: np.ndarray | None = None
    ) -> None:
        """:meth:`add` of each run ``bounds[i]:bounds[i + 1]`` of ``columns`` (one game's
        values each; ``where``: only those rows), in order: the same sums, bit for bit,
        with the finite rows picked once for all the runs."""
        ok = np.isfinite(columns["ts"])
        if where is not None:
            ok &= where
        cuts = _kept_bounds(ok, bounds)
        self.n += int(cuts[-1] - cuts[0])
        for name in _STAT_FIELDS:
            self.sums[name].extend(_run_sums(np.asarray(columns[name])[ok], cuts))

    def as_dict(self) -> dict[str, Any]:
        means = {
            name: (_total(self.sums[name]) / self.n if self.n else None)
            for name in _STAT_FIELDS
        }
        return {"trajectories": self.n, **means}


@dataclass
class _PlayMean:
    """The running mean of play scores (one partial sum per game, as :class:`_Mean`)."""

    n: int = 0
    parts: list[float] = field(default_factory=list)

    def add(self, values: np.ndarray) -> None:
        values = np.asarray(values, dtype=np.float64)
        ok = np.isfinite(values)
        self.n += int(ok.sum())
        self.parts.append(float(values[ok].sum()))

    def add_runs(
        self, values: np.ndarray, bounds: np.ndarray, where: np.ndarray | None = None
    ) -> None:
        """:meth:`add` of each run ``bounds[i]:bounds[i + 1]`` of ``values`` (``where``:
        only those rows), in order, bit for bit as one call per run."""
        values = np.asarray(values, dtype=np.float64)
        ok = np.isfinite(values)
        if where is not None:
            ok &= where
        cuts = _kept_bounds(ok, bounds)
        self.n += int(cuts[-1] - cuts[0])
        self.parts.extend(_run_sums(values[ok], cuts))

    def mean(self) -> float | None:
        return _total(self.parts) / self.n if self.n else None


@dataclass
class _Tally:
    """Everything ``summary.json`` counts, accumulated game by game."""

    rows_read: int = 0
    game_ids: set[int] = field(default_factory=set)
    #: Plays read, scored and skipped by reason (the ledger ``ghosting score`` keeps too).
    ledger: PlayLedger = field(default_factory=PlayLedger)
    ghost_trajectories: int = 0
    real_trajectories: int = 0
    options: int = 0
    infeasible_ghosts: int = 0
    better_option_plays: int = 0  # the old rule: any separation gain above 0 yd
    decision_judged: int = 0
    decision_better: int = 0  # the decision rule (ghosting.decision.value)
    decision_target_first: int = 0
    duplicate_rows_dropped: int = 0
    rows_without_game_id: int = 0
    repeated_inputs: int = 0
    unpaired_2026_outputs: bool = False
    cleaning: dict[str, int] = field(default_factory=dict)
    real: _Mean = field(default_factory=_Mean)
    ghost_target: _Mean = field(default_factory=_Mean)
    ghost_all: _Mean = field(default_factory=_Mean)
    real_play: _PlayMean = field(default_factory=_PlayMean)
    ghost_play_target: _PlayMean = field(default_factory=_PlayMean)
    ghost_play_all: _PlayMean = field(default_factory=_PlayMean)

    @property
    def plays_read(self) -> int:
        """Plays read (in the ledger)."""
        return self.ledger.plays_read

    @plays_read.setter
    def plays_read(self, value: int) -> None:
        self.ledger.plays_read = value

    @property
    def plays_scored(self) -> int:
        """Plays scored (in the ledger)."""
        return self.ledger.plays_scored

    @plays_scored.setter
    def plays_scored(self, value: int) -> None:
        self.ledger.plays_scored = value

    def skip(self, reasons: Iterable[str], game_ids: Iterable[int],
             play_ids: Iterable[int]) -> None:
        """Count each skipped play under its reason (a category) and list it there
        (:meth:`PlayLedger.skip`)."""
        self.ledger.skip(reasons, game_ids, play_ids)

    def merge(self, part: _Tally) -> None:
        """Add one batch's tally (ghosted on a thread or a Dask worker) exactly as a
        single thread adds it: the means keep one partial sum per game, so float
        totals are bitwise the same."""
        for f in fields(_Tally):
            mine, theirs = getattr(self, f.name), getattr(part, f.name)
            if isinstance(mine, PlayLedger):
                mine.merge(theirs)
            elif isinstance(mine, bool):
                setattr(self, f.name, mine or theirs)
            elif isinstance(mine, int):
                setattr(self, f.name, mine + theirs)
            elif isinstance(mine, set):
                mine.update(theirs)
            elif isinstance(mine, dict):
                for key, value in theirs.items():
                    mine[key] = mine.get(key, 0) + value
            elif isinstance(mine, _Mean):
                mine.n += theirs.n
                for key, value in theirs.sums.items():
                    mine.sums[key].extend(value)
            elif isinstance(mine, _PlayMean):
                mine.n += theirs.n
                mine.parts.extend(theirs.parts)
            else:
                raise GhostingError(f"internal error: cannot merge tally field {f.name}")

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

        plays = self.ledger.summary()
        counts = plays["counts"]
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
            "command": "run",
            "inputs": list(inputs),
            "counts": {
                "rows_read": self.rows_read,
                "games": len(self.game_ids),
                "plays_read": counts["plays_read"],
                "plays_scored": counts["plays_scored"],
                "plays_skipped": counts["plays_skipped"],
                "skipped_by_reason": counts["skipped_by_reason"],
                "target_options": self.options,
                "ghost_trajectories": self.ghost_trajectories,
                "real_trajectories": self.real_trajectories,
                "infeasible_ghost_trajectories": self.infeasible_ghosts,
                "plays_judged": self.decision_judged,
                "plays_with_better_option": self.decision_better,
                "plays_real_target_first": self.decision_target_first,
                "plays_with_more_open_receiver": self.better_option_plays,
                "duplicate_rows_dropped": self.duplicate_rows_dropped,
                "rows_without_game_id": self.rows_without_game_id,
                "repeated_inputs_ignored": self.repeated_inputs,
                "unpaired_2026_outputs": self.unpaired_2026_outputs,
            },
            "skipped_plays_by_reason": plays["skipped_plays_by_reason"],
            "hint": nothing_scored_hint(self.plays_read, self.plays_scored, self.ledger.skipped,
                                        unpaired_2026_outputs=self.unpaired_2026_outputs),
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

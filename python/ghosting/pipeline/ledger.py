"""Every play accounted for: the one ledger of plays read, scored and skipped.

``ghosting run`` (through its summary tally) and ``ghosting score``
(:func:`ghosting.scoring.files.score_files`) count their plays in a
:class:`PlayLedger`: each play read is either scored or skipped under a reason
category (the same text for every play it applies to), optionally with the full
reason and the nfl ids that caused it; plays cleaning dropped are merged in as
skips. :meth:`PlayLedger.summary` gives the ``counts`` and
``skipped_plays_by_reason`` of ``summary.json`` (docs/run.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import GhostingError

__all__ = ["PlayLedger", "reason_category"]

#: Numbers inside a skip reason that vary from play to play (sample counts): the
#: category drops them and the listed play keeps the full reason as ``detail``.
_COUNTS = re.compile(r"\d+ samples for the \d+ frames")


def reason_category(reason: str) -> str:
    """The category of a skip reason: the same text for every play it applies to (no
    nfl ids, no per-play sample counts).

    >>> reason_category("receiver 12 samples for the 20 frames between pass forward and arrival")
    'receiver too few samples for the frames between pass forward and arrival'
    """
    return _COUNTS.sub("too few samples for the frames", reason)


@dataclass
class PlayLedger:
    """Plays read, scored and skipped (by reason category), merged across games.

    >>> ledger = PlayLedger()
    >>> ledger.read(3)
    >>> ledger.mark_scored([(1, 10)])
    >>> ledger.skip_play(1, 11, "no pass_forward event")
    >>> ledger.merge_cleaning({(1, 12): ("cleaning (play policy): off_field", [42])})
    >>> ledger.summary()["counts"]
    {'plays_read': 3, 'plays_scored': 1, 'plays_skipped': 2, 'skipped_by_reason': \
{'cleaning (play policy): off_field': 1, 'no pass_forward event': 1}}
    >>> ledger.skipped_list()[1]["nfl_ids"]
    [42]
    """

    plays_read: int = 0
    plays_scored: int = 0
    #: Plays skipped, by reason category.
    skipped: dict[str, int] = field(default_factory=dict)
    #: The ``[game_id, play_id]`` of the plays skipped, by reason category.
    skipped_plays: dict[str, list[list[int]]] = field(default_factory=dict)
    #: Each play skipped through :meth:`skip_play`: category, full reason, nfl ids.
    entries: list[dict[str, Any]] = field(default_factory=list)
    #: The (game_id, play_id) of the plays scored or skipped by key.
    keys: set[tuple[int, int]] = field(default_factory=set)

    @property
    def plays_skipped(self) -> int:
        """How many plays were skipped (every reason)."""
        return sum(self.skipped.values())

    def read(self, n: int) -> None:
        """Count ``n`` more plays read."""
        self.plays_read += int(n)

    def mark_scored(self, keys: Iterable[tuple[int, int]]) -> None:
        """Count the plays of ``keys`` (game_id, play_id) as scored."""
        new = set(keys) - self.keys
        self.keys |= new
        self.plays_scored += len(new)

    def accounted(self, key: tuple[int, int]) -> bool:
        """Whether the play ``key`` was marked scored or skipped by key."""
        return key in self.keys

    def skip(self, reasons: Iterable[str], game_ids: Iterable[int],
             play_ids: Iterable[int]) -> None:
        """Count each skipped play under its reason (already a category) and list it
        there (one step per reason, not per play)."""
        why = np.asarray(list(reasons), dtype=object)
        games = np.asarray(list(game_ids), dtype=np.int64)
        plays = np.asarray(list(play_ids), dtype=np.int64)
        if not (len(why) == len(games) == len(plays)):
            raise GhostingError("internal error: skip lists of different lengths")
        if not len(why):
            return
        names, inverse = np.unique(why.astype(str), return_inverse=True)
        order = np.argsort(inverse, kind="stable")  # each reason's plays in their order
        bounds = np.searchsorted(inverse[order], np.arange(len(names) + 1))
        for k, name in enumerate(names.tolist()):
            rows = order[bounds[k]:bounds[k + 1]]
            self.skipped[name] = self.skipped.get(name, 0) + len(rows)
            self.skipped_plays.setdefault(name, []).extend(
                [[g, p] for g, p in zip(games[rows].tolist(), plays[rows].tolist(), strict=True)]
            )

    def skip_play(self, game_id: int, play_id: int, reason: str, *,
                  nfl_ids: Iterable[int] | None = None) -> None:
        """Skip one play: counted under :func:`reason_category` of ``reason`` and
        listed in :meth:`skipped_list` with the full reason and ``nfl_ids``."""
        category = reason_category(reason)
        self.skipped[category] = self.skipped.get(category, 0) + 1
        self.skipped_plays.setdefault(category, []).append([int(game_id), int(play_id)])
        self.entries.append({"game_id": game_id, "play_id": play_id, "reason": category,
                             "detail": reason, "nfl_ids": list(nfl_ids or [])})  # fmt: skip
        self.keys.add((game_id, play_id))

    def merge_cleaning(self, dropped: Mapping[Any, tuple[str, list[int]]]) -> None:
        """Skip each play cleaning dropped (key ``(game_id, play_id)``: its reason and
        the nfl ids that caused it) unless it is already accounted for; track keys
        (three ids) are ignored here."""
        for key, (why, nfl_ids) in dropped.items():
            if len(key) == 2 and key not in self.keys:
                self.skip_play(key[0], key[1], why, nfl_ids=nfl_ids)

    def merge(self, other: PlayLedger) -> None:
        """Add another ledger (one batch of games) to this one."""
        self.plays_read += other.plays_read
        self.plays_scored += other.plays_scored
        for name, n in other.skipped.items():
            self.skipped[name] = self.skipped.get(name, 0) + n
        for name, plays in other.skipped_plays.items():
            self.skipped_plays[name] = self.skipped_plays.get(name, []) + plays
        self.entries.extend(other.entries)
        self.keys |= other.keys

    def skipped_list(self) -> list[dict[str, Any]]:
        """The plays skipped through :meth:`skip_play`, in order: ``game_id``,
        ``play_id``, ``reason`` (the category), ``detail`` (the full reason), ``nfl_ids``."""
        return list(self.entries)

    def summary(self) -> dict[str, Any]:
        """``counts`` (``plays_read``, ``plays_scored``, ``plays_skipped``,
        ``skipped_by_reason``) and ``skipped_plays_by_reason`` (each category's plays,
        sorted); raises an internal error unless every play read is scored or skipped."""
        skipped_total = self.plays_skipped
        if self.plays_scored + skipped_total != self.plays_read:
            raise GhostingError(
                f"internal error: {self.plays_read} plays read but {self.plays_scored} scored "
                f"and {skipped_total} skipped"
            )
        return {
            "counts": {
                "plays_read": self.plays_read,
                "plays_scored": self.plays_scored,
                "plays_skipped": skipped_total,
                "skipped_by_reason": dict(sorted(self.skipped.items())),
            },
            "skipped_plays_by_reason": {
                reason: sorted(self.skipped_plays.get(reason, []))
                for reason in sorted(self.skipped)
            },
        }

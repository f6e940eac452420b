"""PlayLedger: every play read is scored or skipped, in run and score alike."""

from __future__ import annotations

import pytest

from ghosting.errors import GhostingError
from ghosting.pipeline.ledger import PlayLedger, reason_category
from ghosting.pipeline.summary import _Tally


def test_skips_by_category_with_detail_and_cleaning_drops() -> None:
    ledger = PlayLedger()
    ledger.mark_scored([(1, 1), (1, 1), (1, 2)])  # a key twice counts once
    ledger.skip_play(1, 3, "defender 4 samples for the 9 frames between pass forward and arrival",
                     nfl_ids=[77])
    dropped = {
        (1, 2): ("cleaning (play policy): speed", [5]),  # already scored: not skipped again
        (1, 4): ("cleaning (play policy): speed", [6, 7]),
        (1, 4, 6): ("cleaning (track policy) dropped the track: speed", [6]),  # a track
    }
    ledger.merge_cleaning(dropped)
    ledger.read(4)
    summary = ledger.summary()
    assert summary["counts"] == {
        "plays_read": 4,
        "plays_scored": 2,
        "plays_skipped": 2,
        "skipped_by_reason": {
            "cleaning (play policy): speed": 1,
            "defender too few samples for the frames between pass forward and arrival": 1,
        },
    }
    assert summary["skipped_plays_by_reason"]["cleaning (play policy): speed"] == [[1, 4]]
    first, second = ledger.skipped_list()
    assert first["detail"].startswith("defender 4 samples") and first["nfl_ids"] == [77]
    assert second == {"game_id": 1, "play_id": 4, "reason": "cleaning (play policy): speed",
                      "detail": "cleaning (play policy): speed", "nfl_ids": [6, 7]}
    assert reason_category("no pass_forward event") == "no pass_forward event"


def test_a_play_neither_scored_nor_skipped_is_an_internal_error() -> None:
    ledger = PlayLedger()
    ledger.read(2)
    ledger.mark_scored([(1, 1)])
    with pytest.raises(GhostingError, match="2 plays read but 1 scored and 0 skipped"):
        ledger.summary()


def test_merge_adds_batches_as_one_ledger_and_the_tally_delegates() -> None:
    a, b = _Tally(), _Tally()
    a.plays_read += 3
    a.plays_scored += 1
    a.skip(["no target", "no target"], [1, 1], [5, 6])
    b.plays_read += 1
    b.skip(["no pass_forward event"], [2], [9])
    a.ledger.merge(b.ledger)
    assert (a.plays_read, a.plays_scored, a.ledger.plays_skipped) == (4, 1, 3)
    assert a.ledger.summary()["skipped_plays_by_reason"] == {
        "no pass_forward event": [[2, 9]],
        "no target": [[1, 5], [1, 6]],
    }
    with pytest.raises(GhostingError, match="different lengths"):
        a.skip(["x"], [1, 2], [3])

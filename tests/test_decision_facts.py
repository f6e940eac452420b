"""``decision.facts.play_facts`` (numpy over all plays' rows) against the per-play loop
it replaced, on synthetic plays and on the real 2021 game."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pytest

import ghosting
from ghosting.decision.facts import PlayIndex, play_facts
from ghosting.schema import BALL_ID


def _passer(ix: PlayIndex, sl: slice, pf: int) -> int | None:
    at = ix.at_frame(sl, pf)
    ball = at[ix.nfl[at] == BALL_ID]
    offense = at[ix.is_offense[at]]
    if offense.size == 0:
        return None
    qbs = offense[ix.is_qb[offense]]
    pool = qbs if qbs.size else offense
    if ball.size:
        bx, by = ix.x[ball[0]], ix.y[ball[0]]
        d = np.hypot(ix.x[pool] - bx, ix.y[pool] - by)
        d = np.where(np.isfinite(d), d, np.inf)
        return int(ix.nfl[pool[int(np.argmin(d))]])
    if qbs.size:
        return int(ix.nfl[qbs[0]])
    return None


def _line_of_scrimmage(ix: PlayIndex, sl: slice) -> tuple[float, str | None]:
    ball = np.flatnonzero(ix.nfl[sl] == BALL_ID) + sl.start
    ball = ball[np.argsort(ix.frame[ball], kind="stable")]
    ball = ball[np.isfinite(ix.x[ball])]
    if ball.size == 0:
        return float("nan"), None
    snaps = np.flatnonzero(ix.is_snap[sl]) + sl.start
    if snaps.size:
        frame = ix.frame[snaps].min()
        hit = ball[ix.frame[ball] == frame]
        if hit.size:
            return float(ix.x[hit[0]]), "ball_snap"
    return float(ix.x[ball[0]]), "first_ball_frame"


def _outcome(ix: PlayIndex, sl: slice, pf: int) -> bool | None:
    """The first outcome event at or after pass forward: True complete, False not."""
    fr = ix.frame[sl]
    code = ix.outcome[sl]
    hit = np.flatnonzero((fr >= pf) & (code >= 0))
    if hit.size == 0:
        return None
    first = hit[int(np.argmin(fr[hit]))]  # argmin returns the first of equal frames
    return bool(code[first] == 1)


def reference_play_facts(
    index: PlayIndex,
    plays: Sequence[Mapping[str, Any]],
    pass_results: Mapping[tuple[int, int], bool] | None = None,
) -> dict[str, np.ndarray]:
    """The per-play loop ``play_facts`` replaced (one step per play)."""
    n = len(plays)
    out: dict[str, np.ndarray] = {
        "passer_nfl_id": np.full(n, -1, np.int64),
        "has_passer": np.zeros(n, bool),
        "passer_name": np.full(n, None, object),
        "passer_x": np.full(n, np.nan),
        "passer_y": np.full(n, np.nan),
        "line_of_scrimmage": np.full(n, np.nan),
        "los_source": np.full(n, None, object),
        "complete": np.full(n, None, object),
        "label_source": np.full(n, None, object),
    }
    for i, row in enumerate(plays):
        sl = index.rows(row["game_id"], row["play_id"])
        if sl is None:
            continue
        pf = row.get("pass_forward_frame")
        los, los_src = _line_of_scrimmage(index, sl)
        out["line_of_scrimmage"][i] = los
        out["los_source"][i] = los_src
        if pf is None:
            continue
        pf = int(pf)
        passer = _passer(index, sl, pf)
        if passer is not None:
            out["passer_nfl_id"][i] = passer
            out["has_passer"][i] = True
            out["passer_name"][i] = index.describe(sl, passer)["name"]
            at = index.player(sl, passer)
            at = at[index.frame[at] == pf]
            if at.size:
                out["passer_x"][i] = index.x[at[0]]
                out["passer_y"][i] = index.y[at[0]]
        label = _outcome(index, sl, pf)
        if label is not None:
            out["complete"][i] = label
            out["label_source"][i] = "events"
        elif pass_results is not None:
            verdict = pass_results.get((int(row["game_id"]), int(row["play_id"])))
            if verdict is not None:
                out["complete"][i] = bool(verdict)
                out["label_source"][i] = "pass_result"
    return out


def _same(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> None:
    assert a.keys() == b.keys()
    for key in a:
        if a[key].dtype.kind == "f":
            np.testing.assert_array_equal(a[key], b[key], err_msg=key)
        else:
            assert a[key].tolist() == b[key].tolist(), key


def _plays(tracking) -> list[dict[str, Any]]:
    rows = ghosting.pass_plays(tracking).to_pylist()
    # a play twice, one absent, one without a pass: every branch of the loop
    extra = [dict(rows[0]), {**rows[0], "play_id": -7}, {**rows[-1], "pass_forward_frame": None}]
    return rows + extra


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_play_facts_equal_the_per_play_loop(seed: int) -> None:
    tracking = ghosting.synth.generate_plays(12, seed=seed, plays_per_game=4)
    rng = np.random.default_rng(seed)
    if seed:  # hide some ball rows and snaps: the fallbacks
        import pyarrow as pa
        import pyarrow.compute as pc

        drop = pc.and_(pc.equal(tracking["nfl_id"], BALL_ID),
                       pa.array(rng.random(tracking.num_rows) < 0.3))  # fmt: skip
        tracking = tracking.filter(pc.invert(drop))
    index = PlayIndex(tracking)
    plays = _plays(tracking)
    results = {(r["game_id"], r["play_id"]): bool(i % 2) for i, r in enumerate(plays)}
    _same(play_facts(index, plays, results), reference_play_facts(index, plays, results))
    _same(play_facts(index, []), reference_play_facts(index, []))


def test_play_facts_on_the_2021_game(data_dir) -> None:
    tracking = ghosting.read_tracking(data_dir / "bdb2021/week13_game_2018120600.csv.gz")
    index = PlayIndex(tracking)
    plays = _plays(tracking)
    facts = play_facts(index, plays)
    _same(facts, reference_play_facts(index, plays))
    assert facts["has_passer"].sum() >= 60 and np.isfinite(facts["passer_x"]).sum() >= 60
    assert set(facts["los_source"].tolist()) >= {"ball_snap"}
    assert set(facts["complete"].tolist()) == {True, False, None}

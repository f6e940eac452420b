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


def _shuffled_within_plays(tracking, seed: int):
    """The same rows, each play's rows in a random order (a play's players no longer
    one run of rows each): PlayIndex only needs the plays grouped."""
    import pyarrow as pa

    game = tracking["game_id"].to_numpy()
    play = tracking["play_id"].to_numpy()
    rng = np.random.default_rng(seed)
    order = np.lexsort((rng.random(tracking.num_rows), play, game))
    return tracking.take(pa.array(order))


@pytest.mark.parametrize("seed", [0, 3])
def test_play_facts_equal_the_per_play_loop_on_rows_in_any_order(seed: int) -> None:
    tracking = _shuffled_within_plays(
        ghosting.synth.generate_plays(8, seed=seed, plays_per_game=4), seed)
    index = PlayIndex(tracking)
    plays = _plays(tracking)
    _same(play_facts(index, plays), reference_play_facts(index, plays))


def _describe_reference(
    tracking: Any, index: PlayIndex, game_id: int, play_id: int, nfl_id: int
) -> dict:
    """One player at a time: his first row's values, :meth:`describe` when one is null."""
    sl = index.rows(game_id, play_id)
    keys = ("name", "position", "club", "jersey_number")
    if sl is None:
        return dict.fromkeys(keys)
    hit = np.flatnonzero(index.nfl[sl] == nfl_id)
    if not hit.size:
        return dict.fromkeys(keys)
    row = int(hit[0]) + sl.start
    cols = {"name": "display_name", "position": "position", "club": "club",
            "jersey_number": "jersey_number"}
    rec = {k: tracking[cols[k]][row].as_py() for k in keys}
    if any(v is None for v in rec.values()):
        return index.describe(sl, nfl_id)
    if rec["jersey_number"] is not None:
        rec["jersey_number"] = int(rec["jersey_number"])
    return rec


@pytest.mark.parametrize("shuffle", [False, True])
def test_describe_many_equals_one_player_at_a_time(shuffle: bool) -> None:
    import pyarrow as pa
    import pyarrow.compute as pc

    tracking = ghosting.synth.generate_plays(6, seed=4, plays_per_game=3)
    rng = np.random.default_rng(4)
    # some names and clubs missing on some rows: the first row's null takes describe()
    names = tracking["display_name"].combine_chunks()
    hide = pa.array(rng.random(tracking.num_rows) < 0.2)
    tracking = tracking.set_column(tracking.schema.get_field_index("display_name"),
                                   "display_name", pc.if_else(hide, None, names))
    if shuffle:
        tracking = _shuffled_within_plays(tracking, 4)
    # many chunks, as a batch of games
    tracking = pa.Table.from_batches(tracking.to_batches(max_chunksize=997))
    index = PlayIndex(tracking)
    g = tracking["game_id"].to_numpy()
    p = tracking["play_id"].to_numpy()
    n = tracking["nfl_id"].to_numpy()
    pick = rng.choice(tracking.num_rows, 60)
    game_ids = np.r_[g[pick], g[0], 1]
    play_ids = np.r_[p[pick], p[0], 1]
    nfl_ids = np.r_[n[pick], -5, n[0]]  # a player not in the play, a play not there
    got = index.describe_many(game_ids, play_ids, nfl_ids)
    want = [_describe_reference(tracking, index, int(a), int(b), int(c))
            for a, b, c in zip(game_ids, play_ids, nfl_ids, strict=True)]
    assert got == want
    assert any(w["name"] is not None for w in want) and want[-1]["name"] is None
    cols = index.describe_columns(game_ids, play_ids, nfl_ids)
    assert [dict(zip(cols, v, strict=True)) for v in zip(*cols.values(), strict=True)] == got
    rows = index.first_rows(game_ids, play_ids, nfl_ids)
    for k in range(len(nfl_ids)):
        sl = index.rows(int(game_ids[k]), int(play_ids[k]))
        hit = [] if sl is None else np.flatnonzero(index.nfl[sl] == nfl_ids[k])
        assert rows[k] == (hit[0] + sl.start if len(hit) else -1)


def test_play_index_flags_equal_the_whole_column_reading() -> None:
    import pyarrow as pa
    import pyarrow.compute as pc

    from ghosting.decision.facts import COMPLETE_EVENTS, INCOMPLETE_EVENTS

    tracking = ghosting.synth.generate_plays(4, seed=2)
    tracking = pa.Table.from_batches(tracking.to_batches(max_chunksize=1500))
    index = PlayIndex(tracking)
    event = tracking["event"].to_pylist()
    assert index.is_snap.tolist() == [e == "ball_snap" for e in event]
    assert index.outcome.tolist() == [1 if e in COMPLETE_EVENTS else
                                      0 if e in INCOMPLETE_EVENTS else -1 for e in event]
    assert index.snap_rows.tolist() == np.flatnonzero(index.is_snap).tolist()
    assert index.outcome_rows.tolist() == np.flatnonzero(index.outcome >= 0).tolist()
    qb = pc.fill_null(pc.equal(tracking["position"], "QB"), False).to_numpy(
        zero_copy_only=False)
    assert index.is_qb.tolist() == qb.tolist() and qb.any()
    rows = np.array([5, 0, 3, tracking.num_rows - 1])
    assert index.qb_at(rows).tolist() == qb[rows].tolist()
    assert index.game.tolist() == tracking["game_id"].to_pylist()
    assert index.play.tolist() == tracking["play_id"].to_pylist()
    # no event column: no snaps, no outcomes
    bare = PlayIndex(tracking.drop_columns(["event", "position"]))
    assert not bare.is_snap.any() and (bare.outcome == -1).all() and not bare.is_qb.any()


def test_rows_at_a_frame_are_each_plays_rows_in_order() -> None:
    tracking = _shuffled_within_plays(ghosting.synth.generate_plays(3, seed=1), 1)
    index = PlayIndex(tracking)
    t = index.flight_table
    start, stop = t.play_offsets[:-1], t.play_offsets[1:]
    frame = index.frame[start] + np.array([0, 3, 10_000])  # the last: no row
    for _ in range(2):  # the second call reads the cache
        owner, rows = index.rows_at(start, stop, frame)
        want = [(k, r) for k in range(3) for r in range(start[k], stop[k])
                if index.frame[r] == frame[k]]
        assert list(zip(owner.tolist(), rows.tolist(), strict=True)) == want
        assert set(owner.tolist()) == {0, 1}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_first_per_owner_equals_the_sorting_one(seed: int) -> None:
    from ghosting.decision.facts import _first_per, _first_per_sorted

    rng = np.random.default_rng(seed)
    owner = np.sort(rng.integers(0, 30, 400))
    ints = rng.integers(0, 5, 400)
    floats = rng.choice([0.0, -0.0, 1.5, 2.0, np.inf], 400)
    for keys in [(), (ints,), (floats,)]:
        assert _first_per(owner, keys, 32).tolist() == _first_per_sorted(
            owner, keys, 32).tolist()
    with_nan = np.where(rng.random(400) < 0.1, np.nan, floats)
    assert _first_per(owner, (with_nan,), 32).tolist() == _first_per_sorted(
        owner, (with_nan,), 32).tolist()
    shuffled = rng.permutation(owner)  # owners out of order: the sorting path
    assert _first_per(shuffled, (ints,), 32).tolist() == _first_per_sorted(
        shuffled, (ints,), 32).tolist()


@pytest.mark.parametrize("shuffle", [False, True])
def test_ball_rows_equal_the_whole_column_comparison(shuffle: bool) -> None:
    """The ball's rows found from the players' runs are those a comparison over every
    row finds (ascending, finite x only), in a sorted table and in any row order."""
    import pyarrow as pa

    tracking = ghosting.synth.generate_plays(5, seed=6, plays_per_game=2)
    x = tracking["x"].to_numpy().copy()
    x[np.random.default_rng(6).random(x.size) < 0.05] = np.nan  # some untracked
    tracking = tracking.set_column(tracking.schema.get_field_index("x"), "x", pa.array(x))
    if shuffle:
        tracking = _shuffled_within_plays(tracking, 6)
    index = PlayIndex(tracking)
    want = np.flatnonzero((index.nfl == BALL_ID) & np.isfinite(index.x))
    assert want.size > 100 and (~np.isfinite(index.x[index.nfl == BALL_ID])).any()
    assert index.ball_rows.dtype == np.int64
    np.testing.assert_array_equal(index.ball_rows, want)
    empty = PlayIndex(tracking.slice(0, 0))
    assert empty.ball_rows.size == 0

"""The decision step's vectorised look-ups and sums equal their plain references.

Packed (int64) pair keys against structured-array ones, the one-call EP look-ups and
the outcome sums of ``throw_epa`` against the loops they replace (bitwise).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ghosting.decision.facts import _lookup_pairs, _PairKeys, _pairs
from ghosting.model.ghost_inputs import _pairs_in

_BIG = np.iinfo(np.int64)


def _pair_columns(draw_ints: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    a = np.array([p[0] for p in draw_ints], np.int64)
    b = np.array([p[1] for p in draw_ints], np.int64)
    return a, b


_SMALL = st.integers(-50, 50)
_WIDE = st.one_of(_SMALL, st.integers(_BIG.min, _BIG.max))
_PAIRS = st.lists(st.tuples(_WIDE, _WIDE), max_size=40)
_SMALL_PAIRS = st.lists(st.tuples(_SMALL, _SMALL), max_size=40)


@settings(max_examples=200, deadline=None)
@given(keys=st.one_of(_PAIRS, _SMALL_PAIRS), query=st.one_of(_PAIRS, _SMALL_PAIRS))
def test_pair_keys_find_what_structured_keys_find(keys, query) -> None:
    a, b = _pair_columns(keys)
    qa, qb = _pair_columns(query)
    found = _PairKeys(a, b)
    # reference: sorted unique structured pairs, the first occurrence of each
    uniq, first = np.unique(_pairs(a, b), return_index=True)
    assert found.first.tolist() == first.tolist()
    want = _lookup_pairs(uniq, np.arange(uniq.size), _pairs(qa, qb))
    assert found.find(qa, qb).tolist() == want.tolist()
    # every key finds itself
    at = found.find(a, b)
    assert (at >= 0).all()
    assert (a[found.first[at]] == a).all() and (b[found.first[at]] == b).all()


def test_pair_keys_pack_when_they_fit_and_fall_back_when_not() -> None:
    game = np.array([2021091200, 2021091200, 2018120600], np.int64)
    play = np.array([56, 4000, 56], np.int64)
    packed = _PairKeys(game, play)
    assert packed.keys.dtype == np.int64  # packed: one int64 per pair
    assert packed.find(np.array([2018120600, 2021091200, 7]),
                       np.array([56, 4000, 56])).tolist() == [0, 2, -1]
    # a query outside the keys' span is absent, never a wrapped-around hit
    assert packed.find(np.array([_BIG.max, _BIG.min]), np.array([56, 56])).tolist() == [-1, -1]
    wide = _PairKeys(np.array([_BIG.min, _BIG.max]), np.array([0, 1]))
    assert wide.keys.dtype.names == ("a", "b")  # 64 bits of span: structured
    assert wide.find(np.array([_BIG.max, _BIG.min, 0]), np.array([1, 0, 0])).tolist() == [1, 0, -1]
    empty = _PairKeys(np.zeros(0, np.int64), np.zeros(0, np.int64))
    assert empty.find(np.array([1]), np.array([2])).tolist() == [-1]


@settings(max_examples=200, deadline=None)
@given(pairs=st.one_of(_PAIRS, _SMALL_PAIRS), within=st.one_of(_PAIRS, _SMALL_PAIRS))
def test_pairs_in_equals_the_structured_isin(pairs, within) -> None:
    a, b = _pair_columns(pairs)
    in_a, in_b = _pair_columns(within)
    got = _pairs_in(a, b, in_a, in_b)
    want = np.isin(_pairs(a, b), _pairs(in_a, in_b)) if a.size else np.zeros(0, bool)
    assert got.dtype == bool and got.tolist() == want.tolist()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_row_sums_add_the_rows_in_order_bitwise(seed: int) -> None:
    from ghosting.decision.points import _row_sums

    rng = np.random.default_rng(seed)
    for _ in range(50):
        r, n = int(rng.integers(1, 60)), int(rng.integers(1, 700))
        x = rng.normal(0, 1, (r, n)) * 10.0 ** rng.integers(-12, 12, (r, n))
        x[rng.random((r, n)) < 0.3] = 0.0
        x[rng.random((r, n)) < 0.1] = -0.0
        x[:, :3] = -0.0  # all signed zeros: 0 + -0 is +0
        want = np.zeros(n)
        for k in range(r):
            want = want + x[k]
        assert _row_sums(x).tobytes() == want.tobytes()
        assert _row_sums(np.asfortranarray(x)).tobytes() == want.tobytes()


def _throw_epa_reference(ep, prior, to_goal, down, togo, air_yards):
    """throw_epa as it was first written: one EP look-up per outcome, the sums column by
    column."""
    from ghosting.decision.points import KICKOFF_YARDS_TO_GOAL, TOUCHDOWN_POINTS
    from ghosting.decision.prior import YAC_GRID

    def after_gain(g, d, t, gain, kick):
        left = g - gain
        g, d, t, gn, lf = np.broadcast_arrays(g, d, t, gain, left)
        td = lf <= 0
        conv = ~td & (gn >= t)
        turnover = ~td & ~conv & (d >= 4)
        nxt = ~td & ~conv & ~turnover
        out = np.empty(lf.shape)
        out[td] = kick
        out[conv] = ep.first_down(np.clip(lf[conv], 1.0, 99.0))
        out[turnover] = -ep.first_down(np.clip(100.0 - lf[turnover], 1.0, 99.0))
        out[nxt] = ep.predict(np.clip(lf[nxt], 1.0, 99.0), np.minimum(d[nxt] + 1, 4),
                              np.maximum(t[nxt] - gn[nxt], 1.0))
        return out

    g, d, t, a = to_goal, down, togo, air_yards
    ok = np.isfinite(a) & np.isfinite(g)
    a0 = np.where(ok, a, 0.0)
    grid = np.array(YAC_GRID)
    surv = prior.yac_survival[np.searchsorted(np.asarray(prior.knots), a0, side="right")]
    pmf = surv - np.concatenate([surv[:, 1:], np.zeros((surv.shape[0], 1))], axis=1)
    pmf[:, 0] += 1.0 - surv[:, 0]
    kick = TOUCHDOWN_POINTS - float(ep.first_down(np.array([KICKOFF_YARDS_TO_GOAL]))[0])
    after = after_gain(g[:, None], d[:, None], t[:, None], a0[:, None] + grid[None, :], kick)
    num, den = np.zeros(a0.shape), np.zeros(a0.shape)
    for r in range(grid.size):
        num = num + pmf[:, r] * after[:, r]
        den = den + pmf[:, r]
    complete = num / np.maximum(den, 1e-12)
    inc = after_gain(g, d, t, np.zeros_like(g), kick)
    intercepted = -ep.first_down(np.clip(100.0 - (g - np.maximum(a0, 0.0)), 1.0, 99.0))
    q = prior.interception_share(a0)
    nan = np.where(ok, 0.0, np.nan)
    return (complete + nan, (1.0 - q) * inc + q * intercepted + nan,
            ep.predict(g, d, t) + nan)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_throw_epa_equals_one_look_up_per_outcome_bitwise(seed: int) -> None:
    from ghosting.decision.analyse import DecisionModels
    from ghosting.decision.points import ExpectedPoints, basis_names, throw_epa

    rng = np.random.default_rng(seed)
    prior = DecisionModels.load().completion.prior
    assert prior is not None and prior.yac_survival is not None
    ep = ExpectedPoints(rng.normal(0, 1, len(basis_names())))
    n = int(rng.integers(1, 400))
    g = rng.uniform(-5, 105, n)
    g[rng.random(n) < 0.05] = np.nan
    d = rng.integers(1, 5, n)
    t = rng.uniform(0, 25, n)
    a = rng.uniform(-15, 70, n)
    a[rng.random(n) < 0.1] = np.nan
    got = throw_epa(ep, prior, g, d, t, a)
    want = _throw_epa_reference(ep, prior, g, d, t, a)
    for x, y in zip(got, want, strict=True):
        assert x.tobytes() == y.tobytes()


@pytest.mark.parametrize("hide_clubs", [False, True])
def test_describe_arrays_equal_describe_columns(hide_clubs: bool) -> None:
    import pyarrow as pa
    import pyarrow.compute as pc

    import ghosting
    from ghosting.decision.facts import PlayIndex
    from ghosting.decision.tables import _DESCRIBE_TYPES

    tracking = ghosting.synth.generate_plays(5, seed=7, plays_per_game=2)
    rng = np.random.default_rng(7)
    names = tracking["display_name"].combine_chunks()
    hide = pa.array(rng.random(tracking.num_rows) < 0.3)
    tracking = tracking.set_column(tracking.schema.get_field_index("display_name"),
                                   "display_name", pc.if_else(hide, None, names))
    if hide_clubs:  # a column missing altogether: every value null, another type
        tracking = tracking.drop_columns(["club"])
    tracking = pa.Table.from_batches(tracking.to_batches(max_chunksize=1009))
    index = PlayIndex(tracking)
    g, p, n = (tracking[c].to_numpy() for c in ("game_id", "play_id", "nfl_id"))
    pick = rng.choice(tracking.num_rows, 80)
    game_ids, play_ids = np.r_[g[pick], g[0], 1], np.r_[p[pick], p[0], 1]
    nfl_ids = np.r_[n[pick], -5, n[0]]  # a player not in the play, a play not there
    got = index.describe_arrays(game_ids, play_ids, nfl_ids, _DESCRIBE_TYPES)
    want = index.describe_columns(game_ids, play_ids, nfl_ids)
    assert list(got) == list(_DESCRIBE_TYPES)
    for key, type_ in _DESCRIBE_TYPES.items():
        assert got[key].type == type_
        assert got[key].to_pylist() == want[key], key
    assert got["name"].null_count >= 2 and any(v is not None for v in want["name"])


def _rows_at_reference(index, start, stop, frame):
    pairs = [(k, s + int(r)) for k, (s, e, f) in enumerate(zip(start, stop, frame, strict=True))
             for r in np.flatnonzero(index.frame[s:e] == f)]
    return [p[0] for p in pairs], [p[1] for p in pairs]


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_rows_at_equal_the_row_by_row_comparison(seed: int) -> None:
    """Tracks with gaps, repeated frames, frames out of order and ranges that are not
    whole tracks: every row at the frame, range by range and in row order."""
    import pyarrow as pa

    import ghosting
    from ghosting.decision.facts import PlayIndex

    rng = np.random.default_rng(seed)
    tracking = ghosting.synth.generate_plays(4, seed=seed, plays_per_game=2)
    n = tracking.num_rows
    keep = np.flatnonzero(rng.random(n) > 0.05)  # gaps in the tracks
    repeat = rng.random(keep.size) < 0.01  # a repeated frame now and then
    rows = np.repeat(keep, np.where(repeat, 2, 1))
    game, play = (tracking[c].to_numpy()[rows] for c in ("game_id", "play_id"))
    first_play = (game == game[0]) & (play == play[0])
    noise = np.where(first_play, rng.random(rows.size), 0.0)  # one play's rows shuffled
    rows = rows[np.lexsort((noise, np.arange(rows.size) if seed % 2 else -noise, play, game))]
    table = tracking.take(pa.array(rows))
    index = PlayIndex(table)
    t = index.flight_table
    start, stop = t.play_offsets[:-1], t.play_offsets[1:]
    total = 0
    for _ in range(5):
        frame = index.frame[start] + rng.integers(-3, 60, start.size)
        s, e, f = start, stop, frame
        if rng.random() < 0.5:  # ranges that are not whole tracks, an empty one
            s = np.r_[start + 1, 0, 7]
            e = np.r_[stop - 2, 0, 3]
            f = np.r_[frame, 1, 1]
        owner, got = index.rows_at(s, e, f)
        want_owner, want = _rows_at_reference(index, s, e, f)
        assert owner.tolist() == want_owner and got.tolist() == want
        assert owner.dtype == np.int64 and got.dtype == np.int64
        total += len(want)
    assert total > 20
    assert index._irregular_tracks().any()  # the repeated and shuffled frames


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_best_alternative_is_the_lowest_nfl_id_of_the_tied_best(seed: int) -> None:
    """decide's best alternative per play equals the option-by-option assignment (the
    highest nfl_id first, so the lowest of tied best values wins; of the same receiver
    twice, the later option)."""
    from ghosting.decision.options import _empty_options
    from ghosting.decision.value import decide

    rng = np.random.default_rng(seed)
    n_plays, m = 12, 90
    base = _empty_options()
    opts = base.take(np.zeros(0, np.int64))
    row = np.sort(rng.integers(0, n_plays, m))
    fields = {f: getattr(opts, f) for f in opts.__dataclass_fields__}
    for name, value in fields.items():
        fields[name] = np.zeros(m, value.dtype)
    fields["play_row"] = row
    fields["nfl_id"] = rng.integers(1, 6, m)  # repeats: the same receiver twice
    fields["is_real_target"] = rng.random(m) < 0.2
    fields["reason"] = np.full(m, None, object)
    opts = type(opts)(**fields)

    class Values:
        value = rng.choice([0.1, 0.2, np.nan], m)  # ties and options without a value
        expected_yards = rng.normal(5, 2, m)
        p_complete = rng.random(m)
        rank = np.ones(m, np.int32)
        gradient = np.zeros((m, 2))
        covariance = np.zeros((2, 2))
        sigma_ghost = np.zeros(m)

    d = decide(opts, Values, n_plays)  # type: ignore[arg-type]
    ev, nfl = Values.value, opts.nfl_id
    alt = ~opts.is_real_target & np.isfinite(ev)
    want_id, want_yards = np.zeros(n_plays, np.int64), np.full(n_plays, np.nan)
    best = np.full(n_plays, -np.inf)
    np.maximum.at(best, row[alt], ev[alt])
    tied = np.flatnonzero(alt & (ev == best[row]))
    for k in tied[np.argsort(-nfl[tied], kind="stable")]:
        want_id[row[k]], want_yards[row[k]] = nfl[k], Values.expected_yards[k]
    has = np.isfinite(best)
    assert d.best_alternative.tolist() == np.where(has, want_id, 0).tolist()
    assert d.best_alternative_expected_yards.tobytes() == np.where(
        has, want_yards, np.nan).tobytes()

"""The decision analysis (DESIGN section 10): air time, per-option flights, completion
model, sigma calibration and the better-option rule."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

import ghosting
from ghosting.decision import (
    AirTimeModel,
    CompletionModel,
    DecisionModels,
    SigmaCalibration,
    analyse_plays,
    arrival_frames,
    better_than_real,
)
from ghosting.decision.completion import classification_metrics, reliability_table
from ghosting.decision.eligibility import REASON_BEHIND, REASON_BLOCKER, REASON_COVERED
from ghosting.decision.facts import PlayIndex, play_facts
from ghosting.decision.options import Options, build_options
from ghosting.decision.sigma import sigma_coverage
from ghosting.decision.value import decide, value_options
from ghosting.errors import ModelError

# -- air time ---------------------------------------------------------------------------


def test_air_time_fit_recovers_the_line_and_its_spread():
    rng = np.random.default_rng(0)
    d = rng.uniform(5, 50, 400)
    t = 0.3 + 0.05 * d + rng.normal(0, 0.2, d.size)
    m = AirTimeModel.fit(d, t)
    assert m.coefficients[0] == pytest.approx(0.3, abs=0.06)
    assert m.coefficients[1] == pytest.approx(0.05, abs=0.002)
    assert m.residual_sd == pytest.approx(0.2, abs=0.02)
    assert m.metrics(d, t)["bias"] == pytest.approx(0.0, abs=1e-9)
    # never shorter than one frame
    assert AirTimeModel(np.array([-5.0, 0.0]), 0.1).predict(np.array([1.0]))[0] == 0.1


def test_air_time_card_round_trip_and_tampering():
    m = AirTimeModel.fit(np.array([10.0, 20.0, 30.0, 40.0]), np.array([0.8, 1.2, 1.7, 2.1]))
    card = m.to_card(note="x")
    back = AirTimeModel.from_card(json.loads(json.dumps(card)))
    np.testing.assert_array_equal(back.coefficients, m.coefficients)
    card["coefficients"][0] += 0.1
    with pytest.raises(ModelError, match="sha256"):
        AirTimeModel.from_card(card)
    with pytest.raises(ModelError, match="format"):
        AirTimeModel.from_card({"format": "other"})


def test_arrival_is_the_first_reachable_frame_and_short_routes_get_a_reason():
    m = AirTimeModel(np.array([0.0, 0.1]), 0.2)  # 0.1 s per yard
    path = np.full((3, 40, 2), np.nan)
    path[0, :, 0] = 20.0  # standing 20 yd away: 2.0 s, frame 20
    path[1, :, 0] = 10.0 + 0.5 * np.arange(1, 41)  # running away at 5 yd/s
    path[2, :10, 0] = 30.0  # 30 yd away (3 s) but tracked for 10 frames only
    path[:2, :, 1] = 0.0
    path[2, :10, 1] = 0.0
    flight, ok, reason = arrival_frames(m, np.zeros((3, 2)), path, max_flight=40)
    assert flight.tolist()[:2] == [20, 20]  # 10 + 0.5 t = t  ->  t = 20 frames
    assert ok.tolist() == [True, True, False]
    assert reason.tolist() == [None, None, "route ends before the ball could arrive"]


def test_build_options_gives_each_option_its_flight_and_skips_a_route_that_ends():
    tracking = ghosting.synth.generate_plays(1, seed=3)
    play = ghosting.pass_plays(tracking).to_pylist()[0]
    cut = [v for v in play["eligible_receivers"] if v != play["targeted_receiver"]][0]
    pf = play["pass_forward_frame"]
    keep = pc.invert(pc.and_(pc.equal(tracking["nfl_id"], cut),
                             pc.greater(tracking["frame_id"], pf + 2)))
    tracking = tracking.filter(keep)
    ix = PlayIndex(tracking)
    facts = play_facts(ix, [play])
    opts = build_options(ix, [play], facts, AirTimeModel(np.array([0.3, 0.05]), 0.2))
    assert set(opts.nfl_id.tolist()) == set(play["eligible_receivers"]) | {
        play["targeted_receiver"]}
    k = int(np.flatnonzero(opts.nfl_id == cut)[0])
    assert not opts.analysable[k]
    assert opts.reason[k] == "route ends before the ball could arrive"
    others = opts.analysable.copy()
    assert others.sum() == len(opts) - 1
    # each option's flight follows from its own distance
    d = opts.air_distance[others]
    expect = np.ceil((0.3 + 0.05 * d) / 0.1 - 1e-6)
    assert np.all(np.abs(opts.flight_frames[others] - expect) <= 3)
    assert np.all(opts.flight_frames[others] >= 1)


# -- completion model -------------------------------------------------------------------


def test_completion_metrics_are_exact():
    p = np.array([0.9, 0.2, 0.6, 0.4])
    y = np.array([1, 0, 0, 1])
    m = classification_metrics(p, y)
    assert m["brier"] == pytest.approx((0.01 + 0.04 + 0.36 + 0.36) / 4)
    assert m["log_loss"] == pytest.approx(-np.mean(np.log([0.9, 0.8, 0.4, 0.4])))
    assert m["auc"] == pytest.approx(0.75)
    table = reliability_table(p, y, edges=(0.0, 0.5, 1.0))
    assert [(b["n"], b["observed"]) for b in table] == [(2, 0.5), (2, 0.5)]


def test_completion_fit_learns_separation_and_respects_signs():
    rng = np.random.default_rng(1)
    sep = rng.uniform(0, 8, 600)
    dist = rng.uniform(5, 50, 600)
    logit = -1.0 + 0.8 * sep
    y = (rng.uniform(size=600) < 1 / (1 + np.exp(-logit))).astype(float)
    x = np.column_stack([dist, sep])
    m = CompletionModel.fit(x, y, ["air_distance", "separation_1"], l2=0.1)
    # distance has no effect in the data: its coefficient is tiny or forced to 0 (sign)
    assert m.coefficients[1] > 1.0
    assert m.coefficients[0] <= 0.2
    # a wrong-signed truth (longer throws complete more) is refused
    y2 = (rng.uniform(size=600) < 1 / (1 + np.exp(-(dist - 25) / 5))).astype(float)
    m2 = CompletionModel.fit(x, y2, ["air_distance", "separation_1"], l2=0.1)
    assert m2.coefficients[0] == 0.0
    card = json.loads(json.dumps(m.to_card()))
    back = CompletionModel.from_card(card)
    np.testing.assert_allclose(back.predict(x[:5]), m.predict(x[:5]))
    card["coefficients"][1] = 9.0
    with pytest.raises(ModelError, match="sha256"):
        CompletionModel.from_card(card)


def test_shipped_cards_load_and_name_their_training_games():
    models = DecisionModels.load()
    card = models.completion.card
    assert card["passes_by_split"]["train"]["labelled"] > 100
    assert set(card["training_games"]).isdisjoint(card["validation_games"])
    assert models.air_time.card["training_games"] == card["training_games"]
    split = ghosting.GhostModel.load().card["training"]["split_by_game"]
    assert set(card["training_games"]) <= set(split["train"])


def test_sigma_calibration_recovers_a_scale():
    rng = np.random.default_rng(2)
    sigma = np.full((4000, 25), 0.5)
    err = np.hypot(*rng.normal(0, 1.0, (2, 4000, 25)))  # true sigma 1.0 = 2 x the model's
    cal = SigmaCalibration.fit(err, sigma)
    assert cal.scales[0] == pytest.approx(2.0, rel=0.03)
    after = sigma_coverage(err, sigma, cal)[0]
    assert after["within_1sigma"] == pytest.approx(1 - np.exp(-0.5), abs=0.02)
    before = sigma_coverage(err, sigma)[0]
    assert before["within_1sigma"] < 0.15


# -- the decision rule ------------------------------------------------------------------


def _options(rows: list[tuple[int, int, bool, float, float]]) -> Options:
    """(play_row, receiver, is_real, separation_1, air_yards) -> Options."""
    n = len(rows)
    a = np.array
    f = np.full(n, 10.0)
    return Options(
        play_row=a([r[0] for r in rows]), game_id=np.ones(n, np.int64),
        play_id=a([r[0] + 1 for r in rows]), nfl_id=a([r[1] for r in rows], np.int64),
        is_real_target=a([r[2] for r in rows]), analysable=np.ones(n, bool),
        reason=np.full(n, None, object), pass_forward_frame=np.ones(n, np.int64),
        flight_frames=np.full(n, 10), catch_x=f, catch_y=f, air_distance=f, air_time=f / 10,
        air_yards=a([r[4] for r in rows], float), sideline_distance=f, rusher_distance=f,
        separation_1=a([r[3] for r in rows], float), separation_2=a([r[3] + 2 for r in rows]),
        nearest_defender=np.ones(n, np.int64), sigma_1=np.full(n, 0.5),
        sigma_2=np.full(n, 0.5),
    )


def test_decision_rule_finds_the_clearly_better_option_and_only_it():
    comp = CompletionModel(["separation_1"], np.array([3.0]), np.array([2.0]), 0.5,
                           np.array([1.5]))
    opts = _options([
        # play 0: the real target is covered 5 yd downfield; a receiver 20 yd open-ish
        (0, 11, True, 0.5, 5.0), (0, 12, False, 6.0, 20.0), (0, 13, False, 1.0, 3.0),
        # play 1: the real target is open; the alternatives are covered or short
        (1, 21, True, 6.0, 12.0), (1, 22, False, 1.0, 14.0), (1, 23, False, 7.0, 2.0),
    ])
    values = value_options(opts, comp)
    d = decide(opts, values, 2)
    assert d.judged.tolist() == [True, True]
    assert d.better_option.tolist() == [True, False]
    assert d.best_alternative.tolist() == [12, 22]
    assert d.target_rank.tolist() == [2, 1]
    assert d.is_better.tolist() == [False, True, False, False, False, False]
    assert np.all(values.rank == np.array([2, 1, 3, 1, 2, 3]))
    assert np.all(values.sigma_expected_yards > 0)


def test_better_option_needs_the_margin_and_the_uncertainty():
    assert better_than_real(np.array([4.0, 4.0, 0.5, np.nan]),
                            np.array([1.0, 5.0, 0.1, 0.0])).tolist() == [
        True, False, False, False]


# -- end to end -------------------------------------------------------------------------


def test_analyse_plays_on_synthetic_plays_is_deterministic():
    tracking = ghosting.synth.generate_plays(3, seed=5)
    plays = ghosting.pass_plays(tracking).to_pylist()
    gm, dm = ghosting.GhostModel.load(), DecisionModels.load()
    a = analyse_plays(tracking, plays, gm, dm)
    b = analyse_plays(tracking, plays, gm, dm)
    np.testing.assert_array_equal(a.values.expected_yards, b.values.expected_yards)
    assert a.decisions.judged.all()
    assert (a.facts["passer_nfl_id"] > 0).all()


def test_decision_on_the_2021_game(data_dir):
    tracking = ghosting.read_tracking(data_dir / "bdb2021" / "week13_game_2018120600.csv.gz")
    targets = ghosting.read_targets(data_dir / "bdb2021" / "targetedReciever.csv")
    cleaned, _ = ghosting.clean(tracking, policy="play")
    plays = [r for r in ghosting.pass_plays(cleaned, targets=targets).to_pylist()
             if r["analysable"]]
    result = analyse_plays(cleaned, plays, ghosting.GhostModel.load(), DecisionModels.load())
    d, o = result.decisions, result.options
    assert len(plays) == 64  # the NA target of play 3749 is skipped; 1 yd tolerance
    assert d.judged.sum() >= 60
    # every passer is a named quarterback; the line of scrimmage is on the field
    names = {n for n in result.facts["passer_name"]}
    assert None not in names and len(names) <= 3
    los = result.facts["line_of_scrimmage"]
    assert np.all((los > 10) & (los < 110))
    # each option has its own flight: alternatives' flights differ from the real pass's
    real_flight = {(p["game_id"], p["play_id"]): p["arrival_frame"] - p["pass_forward_frame"]
                   for p in plays}
    alt = o.analysable & ~o.is_real_target
    own = np.array([real_flight[(g, p)] for g, p in zip(o.game_id[alt], o.play_id[alt],
                                                        strict=True)])
    assert np.mean(o.flight_frames[alt] != own) > 0.5
    # options whose route ends, that are no real option or are covered keep their reason
    reasons = set(o.reason[~o.analysable].tolist())
    known = {"route ends before the ball could arrive", "no ghost prediction", REASON_BLOCKER,
             REASON_BEHIND}
    assert all(r in known or r.startswith(REASON_COVERED + " (") for r in reasons)
    assert not (~o.analysable & o.is_real_target & np.array(
        [r is not None and (r in (REASON_BLOCKER, REASON_BEHIND)
                            or r.startswith(REASON_COVERED)) for r in o.reason.tolist()],
        bool)).any()  # the real target is never excluded
    # ranks: exactly one first option per judged play
    firsts = pa.table({"play": o.play_id, "rank": result.values.rank}).filter(
        pc.equal(pa.array(result.values.rank), 1))
    assert firsts.num_rows == int((d.n_options > 0).sum())
    assert 0 < d.better_option[d.judged].mean() < 1


def test_option_windows_equal_cutting_each_option_alone():
    from ghosting.decision.options import option_inputs, option_rows
    from ghosting.model.features import cut_ghost_inputs

    tracking = ghosting.synth.generate_plays(6, seed=7)
    plays = ghosting.pass_plays(tracking).to_pylist()
    ix = PlayIndex(tracking)
    opts = build_options(ix, plays, play_facts(ix, plays), DecisionModels.load().air_time)
    alone = cut_ghost_inputs(tracking, option_rows(opts, plays), history=5, defenders="all")
    batched = option_inputs(tracking, opts, plays, 5)

    def order(w):
        return w.take(np.lexsort((w.nfl_id, w.target_nfl_id, w.play_id, w.game_id)))

    alone, batched = order(alone), order(batched)
    assert len(alone) == len(batched) > 0
    for name in ("game_id", "play_id", "nfl_id", "target_nfl_id", "flight_frames", "catch",
                 "context", "is_back"):
        np.testing.assert_array_equal(getattr(alone, name), getattr(batched, name))
    model = ghosting.GhostModel.load()
    pa_, sa = model.predict_windows(alone)
    pb, sb = model.predict_windows(batched)
    width = min(pa_.shape[1], pb.shape[1])
    np.testing.assert_array_equal(pa_[:, :width], pb[:, :width])
    np.testing.assert_array_equal(sa[:, :width], sb[:, :width])


def test_a_play_without_ball_rows_is_not_judged_and_says_why():
    tracking = ghosting.synth.generate_plays(2, seed=6)
    plays = ghosting.pass_plays(tracking).to_pylist()
    no_ball = tracking.filter(pc.not_equal(tracking["nfl_id"], ghosting.BALL_ID))
    result = analyse_plays(no_ball, plays, ghosting.GhostModel.load(), DecisionModels.load())
    assert not result.decisions.judged.any()
    assert set(result.options.reason.tolist()) == {
        "no line of scrimmage (no ball in the tracking)"}
    assert set(result.decisions.reason.tolist()) == {
        "real target: no line of scrimmage (no ball in the tracking)"}


def test_missing_tracking_columns_name_the_column():
    tracking = ghosting.synth.generate_plays(1, seed=0).drop_columns(["side"])
    with pytest.raises(ghosting.InputError, match="'side'"):
        PlayIndex(tracking)


def test_an_option_with_a_missing_feature_says_which():
    comp = CompletionModel(["separation_1", "rusher_distance"], np.zeros(2), np.ones(2), 0.0,
                           np.array([1.0, 1.0]))
    opts = _options([(0, 11, True, 2.0, 5.0), (0, 12, False, 3.0, 8.0)])
    opts.rusher_distance[:] = np.nan
    values = value_options(opts, comp)
    assert not np.isfinite(values.expected_yards).any()
    assert opts.reason.tolist() == ["no value: rusher_distance unknown"] * 2
    assert decide(opts, values, 1).reason.tolist() == [
        "real target: no value: rusher_distance unknown"]


@pytest.mark.parametrize("wide", [False, True])
def test_option_keys_are_found_the_same_packed_or_not(wide: bool):
    from ghosting._util import comparable_keys as _key_pair
    from ghosting._util import row_keys as _keys
    from ghosting.decision.options import _find

    rng = np.random.default_rng(1)
    span = 1 << 40 if wide else 3000  # wide: three 40-bit columns do not fit one int64
    keys = tuple(rng.integers(0, 6, 200) * (span // 5) for _ in range(3))
    some = rng.integers(0, 200, 150)  # 150 keys, then 50 random rows
    query = tuple(np.r_[k[some], rng.integers(0, 6, 50) * (span // 5) + 1] for k in keys)
    packed_keys, packed_query = _key_pair(keys, query)
    assert packed_keys.dtype == (np.dtype(np.int64) if not wide else _keys(*keys).dtype)
    at, found = _find(packed_keys, packed_query)
    ref_at, ref_found = _find(_keys(*keys), _keys(*query))
    assert found.tolist() == ref_found.tolist() and found[:150].all() and not found[150:].any()
    assert at[found].tolist() == ref_at[ref_found].tolist()
    # the last of repeated keys
    rows = list(zip(*[k.tolist() for k in keys], strict=True))
    for i in np.flatnonzero(found):
        want = max(j for j, r in enumerate(rows) if r == tuple(int(q[i]) for q in query))
        assert at[i] == want

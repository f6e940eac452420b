"""The value of a throw (expected points added), down and distance, eligible options."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pytest

from ghosting.decision import CompletionModel, DecisionModels
from ghosting.decision.eligibility import (
    REASON_BEHIND,
    REASON_BLOCKER,
    REASON_COVERED,
    mark_covered,
    mark_ineligible,
    min_separation,
    route_before_throw,
)
from ghosting.decision.facts import PlayIndex
from ghosting.decision.options import Options
from ghosting.decision.points import ExpectedPoints, basis_names, read_next_scores, throw_epa
from ghosting.decision.prior import YAC_GRID, DepthPrior
from ghosting.decision.situation import needed_yards, play_situations
from ghosting.decision.value import decide, decision_rule, value_kind, value_options
from ghosting.errors import ModelError

# -- helpers ----------------------------------------------------------------------------


def _prior(p: float = 0.6, interceptions: float = 0.0) -> DepthPrior:
    """A flat league prior: P(complete) = p at every depth, no yards after catch."""
    grid = np.array(YAC_GRID)
    surv = np.tile((grid <= 0).astype(float), (5, 1))  # YAC is always 0
    return DepthPrior((0.0, 10.0, 20.0, 30.0), np.array([np.log(p / (1 - p)), 0, 0, 0, 0, 0]),
                      np.zeros(6), surv, np.full(5, interceptions))


def _linear_ep(a: float = 6.0, b: float = -0.07) -> ExpectedPoints:
    """EP = a + b x yards to goal, whatever the down."""
    coef = np.zeros(len(basis_names()))
    coef[0], coef[1] = a, b
    return ExpectedPoints(coef)


def _ep_model(sep_coefficient: float = 1.5, rule: dict | None = None) -> CompletionModel:
    comp = CompletionModel(["separation_1"], np.array([3.0]), np.array([2.0]), 0.0,
                           np.array([sep_coefficient]), prior=_prior())
    comp.card["expected_points"] = _linear_ep().to_card()
    comp.card["decision_rule"] = rule or {"value": "expected_points", "margin_points": 0.1,
                                          "z": 1.0}
    return comp


def _options(rows: list[tuple[int, int, bool, float, float]], los: float = 40.0) -> Options:
    """(play_row, receiver, is_real, separation_1, air_yards) -> Options (catch on the
    line of scrimmage + air yards)."""
    n = len(rows)
    a = np.array
    f = np.full(n, 10.0)
    air = a([r[4] for r in rows], float)
    return Options(
        play_row=a([r[0] for r in rows]), game_id=np.ones(n, np.int64),
        play_id=a([r[0] + 1 for r in rows]), nfl_id=a([r[1] for r in rows], np.int64),
        is_real_target=a([r[2] for r in rows]), analysable=np.ones(n, bool),
        reason=np.full(n, None, object), pass_forward_frame=np.full(n, 20, np.int64),
        flight_frames=np.full(n, 10), catch_x=los + air, catch_y=f, air_distance=f,
        air_time=f / 10, air_yards=air, sideline_distance=f, rusher_distance=f,
        separation_1=a([r[3] for r in rows], float), separation_2=a([r[3] + 2 for r in rows]),
        nearest_defender=np.ones(n, np.int64), sigma_1=np.full(n, 0.3),
        sigma_2=np.full(n, 0.3),
    )


def _situation(n: int, down: int, togo: float, los: float = 40.0) -> dict[str, np.ndarray]:
    d = np.full(n, down, np.int64)
    t = np.full(n, togo)
    return {"down": d, "yards_to_go": t, "needed": needed_yards(d, t),
            "line_of_scrimmage": np.full(n, los)}


# -- down and distance ------------------------------------------------------------------


def test_success_needs_40_60_100_percent_of_the_yards_to_go():
    assert needed_yards(np.array([1, 2, 3, 4]), np.array([10.0, 10, 7, 2])).tolist() == [
        4.0, 6.0, 7.0, 2.0]


def test_situations_come_from_the_tracking_else_the_documented_default():
    n = 6
    table = pa.table({
        "game_id": np.ones(n, np.int64), "play_id": np.array([1, 1, 2, 2, 3, 3]),
        "nfl_id": np.arange(n), "frame_id": np.ones(n, np.int64), "x": np.zeros(n),
        "y": np.zeros(n), "side": ["offense"] * n,
        "down": pa.array([None, 3, 2, 2, 0, 0], pa.int64()),
        "yards_to_go": pa.array([None, 7.0, 5.0, 5.0, 0.0, 0.0]),
    })
    ix = PlayIndex(table)
    plays = [{"game_id": 1, "play_id": p} for p in (1, 2, 3, 9)]
    sit = play_situations(table, ix, plays)
    assert sit["down"].tolist() == [3, 2, 1, 1]
    assert sit["yards_to_go"].tolist() == [7.0, 5.0, 10.0, 10.0]
    assert sit["needed"].tolist() == [7.0, 3.0, 4.0, 4.0]
    assert sit["source"].tolist() == ["tracking", "tracking", "default 1st and 10",
                                      "default 1st and 10"]
    # no down column at all (the 2021 week files): every play the default
    bare = play_situations(table.drop_columns(["down"]), ix, plays)
    assert set(bare["source"].tolist()) == {"default 1st and 10"}


def _first_situation(downs: list, togos: list) -> tuple[int, float] | None:
    """Reference: the first non-null, non-NaN down and yards to go of one play."""
    d = next((v for v in downs if v is not None and v == v), None)
    y = next((v for v in togos if v is not None and v == v), None)
    if d is None or y is None or not (1 <= int(d) <= 4 and y > 0):
        return None
    return int(d), float(y)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_situations_of_many_plays_match_a_play_by_play_reference(seed):
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 9, 40)
    play = np.repeat(np.arange(1, 41), sizes)
    n = play.size
    downs = [None if rng.random() < 0.6 else int(rng.integers(0, 6)) for _ in range(n)]
    togos = [None if r < 0.3 else (float("nan") if r < 0.6 else float(rng.normal(5, 5)))
             for r in rng.random(n)]
    table = pa.table({
        "game_id": np.ones(n, np.int64), "play_id": play, "nfl_id": np.arange(n),
        "frame_id": np.ones(n, np.int64), "x": np.zeros(n), "y": np.zeros(n),
        "side": ["offense"] * n, "down": pa.array(downs, pa.int64()),
        "yards_to_go": pa.array(togos, pa.float64()),
    })
    plays = [{"game_id": 1, "play_id": int(p)} for p in rng.permutation(np.arange(1, 43))]
    sit = play_situations(table, PlayIndex(table), plays)
    for i, row in enumerate(plays):
        rows = np.flatnonzero(play == row["play_id"]).tolist()
        want = _first_situation([downs[r] for r in rows], [togos[r] for r in rows])
        if want is None:
            assert (sit["down"][i], sit["yards_to_go"][i]) == (1, 10.0)
            assert sit["source"][i] == "default 1st and 10"
        else:
            assert (int(sit["down"][i]), float(sit["yards_to_go"][i])) == want
            assert sit["source"][i] == "tracking"
    # a string column takes the value-by-value path: the same answer
    text = table.set_column(table.schema.get_field_index("down"), "down",
                            table["down"].cast(pa.string()))
    again = play_situations(text, PlayIndex(text), plays)
    for key in ("down", "yards_to_go", "needed", "source"):
        assert again[key].tolist() == sit[key].tolist()


def _route_reference(index, options, los):
    """Reference: each option's rows one by one, as the play-by-play code read them."""
    travel, depth = np.full(len(options), np.nan), np.full(len(options), np.nan)
    for k in range(len(options)):
        sl = index.rows(int(options.game_id[k]), int(options.play_id[k]))
        if sl is None:
            continue
        snaps = np.flatnonzero(index.is_snap[sl]) + sl.start
        if not snaps.size:
            continue
        snap = int(index.frame[snaps].min())
        idx = index.player(sl, int(options.nfl_id[k]))
        fr = index.frame[idx]
        idx = idx[(fr >= snap) & (fr <= options.pass_forward_frame[k])]
        x, y = index.x[idx], index.y[idx]
        good = np.isfinite(x) & np.isfinite(y)
        if good.sum() < 2:
            continue
        x, y = x[good], y[good]
        travel[k] = np.hypot(x[-1] - x[0], y[-1] - y[0])
        depth[k] = x.max() - los[k]
    return travel, depth


@pytest.mark.parametrize("seed", [0, 5])
def test_route_before_throw_matches_the_option_by_option_reference(seed):
    import ghosting
    from ghosting.decision import DecisionModels
    from ghosting.decision.facts import play_facts
    from ghosting.decision.options import build_options

    tracking = ghosting.synth.generate_plays(6, seed=seed)
    rng = np.random.default_rng(seed)
    x = tracking["x"].to_numpy().copy()
    x[rng.random(x.size) < 0.15] = np.nan  # gaps in the routes
    tracking = tracking.set_column(tracking.schema.get_field_index("x"), "x", pa.array(x))
    plays = ghosting.pass_plays(tracking).to_pylist()
    ix = PlayIndex(tracking)
    facts = play_facts(ix, plays)
    opts = build_options(ix, plays, facts, DecisionModels.load().air_time)
    assert len(opts)
    los = np.asarray(facts["line_of_scrimmage"], np.float64)[opts.play_row]
    got = route_before_throw(ix, opts, los)
    want = _route_reference(ix, opts, los)
    assert np.isfinite(want[0]).any()
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)


def test_route_before_throw_reads_the_tracks_gathered_with_the_options(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """build_options gathers each option's route with its flight (one call) and leaves
    it with the index: route_before_throw reads it, not the table, and finds what it
    finds on an index that was never told (one gatherer call of its own)."""
    import ghosting
    from ghosting.decision import DecisionModels
    from ghosting.decision import eligibility as eligibility_module
    from ghosting.decision.facts import play_facts
    from ghosting.decision.options import build_options

    tracking = ghosting.synth.generate_plays(6, seed=2)
    plays = ghosting.pass_plays(tracking).to_pylist()
    ix = PlayIndex(tracking)
    facts = play_facts(ix, plays)
    opts = build_options(ix, plays, facts, DecisionModels.load().air_time)
    los = np.asarray(facts["line_of_scrimmage"], np.float64)[opts.play_row]
    calls: list[int] = []
    gather = eligibility_module.gather_tracks

    def counted(*args):
        calls.append(1)
        return gather(*args)

    monkeypatch.setattr(eligibility_module, "gather_tracks", counted)
    got = route_before_throw(ix, opts, los)
    assert not calls  # from the index
    fresh = route_before_throw(PlayIndex(tracking), opts, los)
    assert len(calls) == 1
    assert np.isfinite(got[0]).sum() > len(opts) // 2
    for g, w in zip(got, fresh, strict=True):
        np.testing.assert_array_equal(g, w)
    for g, w in zip(got, _route_reference(ix, opts, los), strict=True):
        np.testing.assert_array_equal(g, w)
    # other options (a different set of requests) are gathered again
    route_before_throw(ix, opts.take(np.arange(len(opts) - 1)), los[:-1])
    assert len(calls) == 2
    # the flights read from the longer tracks are those gathered alone
    from ghosting.decision.air_time import MAX_FLIGHT_FRAMES
    from ghosting.decision.options import _receiver_tracks
    from ghosting.flights import gather_tracks

    play_of = ix.play_numbers(opts.game_id, opts.play_id)
    pf = opts.pass_forward_frame
    paths = _receiver_tracks(PlayIndex(tracking), ix.flight_table, play_of, opts.nfl_id, pf,
                             MAX_FLIGHT_FRAMES)
    alone = gather_tracks(ix.flight_table, play_of, opts.nfl_id, pf + 1, pf + MAX_FLIGHT_FRAMES)
    np.testing.assert_array_equal(paths, alone.xy.reshape(len(opts), MAX_FLIGHT_FRAMES, 2))


# -- yards after catch and expected points ----------------------------------------------


def test_yards_after_catch_survival_is_measured_per_depth_bin():
    air = np.array([2.0] * 4 + [15.0] * 4 + [-3.0] * 2 + [25.0] * 2 + [40.0] * 2)
    y = np.ones(air.size)
    y[-2:] = 0  # two incompletions at 40 yd, one of them intercepted
    yac = np.array([0.0, 2, 4, 10, 0, 0, 1, 3, 5, 5, 0, 0, np.nan, np.nan])
    prior = DepthPrior.fit(np.r_[air, air], np.r_[y, y], np.r_[yac, yac],
                           intercepted=np.r_[np.zeros(13), 1.0, np.zeros(13), 1.0])
    # 0-10 bin: YAC 0, 2, 4, 10 -> P(YAC >= 3) = 0.5; at 2 air yards, 5 needed
    assert prior.gain_at_least(np.array([5.0]), np.array([2.0]))[0] == pytest.approx(0.5)
    # 10-20 bin: YAC 0, 0, 1, 3 -> P(YAC >= 1) = 0.5, >= 0.5 interpolates (0.5 + 1) / 2
    assert prior.gain_at_least(np.array([16.0]), np.array([15.0]))[0] == pytest.approx(0.5)
    assert prior.gain_at_least(np.array([15.5]), np.array([15.0]))[0] == pytest.approx(0.75)
    assert prior.gain_at_least(np.array([1.0]), np.array([15.0]))[0] == 1.0  # far below
    assert np.isnan(prior.gain_at_least(np.array([np.nan]), np.array([3.0]))[0])
    # the 30+ bin has two incompletions, one intercepted
    assert prior.interception_share(np.array([40.0, 2.0])).tolist() == [0.5, 0.0]
    card = json.loads(json.dumps(prior.to_card()))
    back = DepthPrior.from_card(card)
    np.testing.assert_array_equal(back.yac_survival, prior.yac_survival)
    np.testing.assert_array_equal(back.interceptions, prior.interceptions)
    card["yac_grid"] = card["yac_grid"][:-1]
    with pytest.raises(ModelError, match="grid"):
        DepthPrior.from_card(card)


def _write_plays(tmp_path):
    head = ("gameId,playId,quarter,down,yardsToGo,possessionTeam,yardlineSide,yardlineNumber,"
            "HomeScoreBeforePlay,HomeScoreAfterPlay,VisitorScoreBeforePlay,"
            "VisitorScoreAfterPlay,isSTPlay\n")
    rows = [
        "1,1,1,1,10,HOM,HOM,25,0,0,0,0,FALSE",  # HOM at its 25: 75 yd to goal
        "1,2,1,2,5,HOM,VIS,30,0,0,0,0,FALSE",
        "1,3,1,3,5,HOM,VIS,25,0,6,0,0,FALSE",  # HOM touchdown
        "1,4,1,0,0,HOM,VIS,15,6,7,0,0,TRUE",  # the extra point
        "1,5,1,1,10,VIS,VIS,25,7,7,0,0,FALSE",
        "1,6,2,3,4,VIS,NA,NA,7,7,0,0,FALSE",  # midfield: no side, no number
        "1,7,2,4,2,HOM,VIS,20,7,10,0,0,TRUE",  # HOM field goal
        "1,8,3,1,10,HOM,HOM,40,10,10,0,0,FALSE",  # second half: nobody scores
    ]
    (tmp_path / "plays.csv").write_text(head + "\n".join(rows) + "\n")
    (tmp_path / "games.csv").write_text("gameId,homeTeamAbbr,visitorTeamAbbr\n1,HOM,VIS\n")
    return tmp_path / "plays.csv"


def test_next_scores_are_signed_for_the_team_with_the_ball(tmp_path):
    s = read_next_scores(_write_plays(tmp_path))
    assert s is not None
    assert s.points.tolist() == [7.0, 7.0, 7.0, -3.0, -3.0, 0.0]  # special teams dropped
    assert s.to_goal.tolist() == [75.0, 30.0, 25.0, 75.0, 50.0, 60.0]
    assert s.down.tolist() == [1, 2, 3, 1, 3, 1]
    (tmp_path / "games.csv").unlink()  # without games.csv: not usable
    assert read_next_scores(tmp_path / "plays.csv") is None


def test_expected_points_fit_recovers_a_linear_truth_and_its_card_checks_itself():
    rng = np.random.default_rng(3)
    g = rng.uniform(1, 99, 3000)
    d = rng.integers(1, 5, g.size)
    t = rng.uniform(1, 15, g.size)
    ep = ExpectedPoints.fit(g, d, t, 6.0 - 0.07 * g + rng.normal(0, 0.5, g.size))
    assert ep.predict(np.array([75.0]), np.array([1]), np.array([10.0]))[0] == pytest.approx(
        0.75, abs=0.1)
    card = json.loads(json.dumps(ep.to_card()))
    np.testing.assert_array_equal(ExpectedPoints.from_card(card).coefficients, ep.coefficients)
    card["coefficients"][0] += 1
    with pytest.raises(ModelError, match="sha256"):
        ExpectedPoints.from_card(card)


def test_throw_epa_counts_first_downs_touchdowns_turnovers_and_interceptions():
    ep, prior = _linear_ep(), _prior(interceptions=0.25)
    # 1st and 10, 70 yd to goal: a 12-yd catch is a 1st down 58 yd out, a 5-yd one 2nd down
    c, m, now = throw_epa(ep, prior, np.full(3, 70.0), np.ones(3, np.int64), np.full(3, 10.0),
                          np.array([12.0, 5.0, 70.0]))
    assert now[0] == pytest.approx(6 - 0.07 * 70)
    assert c[0] == pytest.approx(6 - 0.07 * 58)
    assert c[1] == pytest.approx(6 - 0.07 * 65)
    assert c[2] == pytest.approx(7 - (6 - 0.07 * 75))  # touchdown, then the kickoff
    # a miss: 3 in 4 incomplete (same spot), 1 in 4 intercepted at the catch point
    inc = 6 - 0.07 * 70
    picked = -(6 - 0.07 * (100 - 58))
    assert m[0] == pytest.approx(0.75 * inc + 0.25 * picked)
    # 4th down: an incompletion or a short catch gives the ball away at the spot
    c4, m4, _ = throw_epa(ep, _prior(), np.array([30.0]), np.array([4]), np.array([5.0]),
                          np.array([2.0]))
    assert c4[0] == pytest.approx(-(6 - 0.07 * 72))
    assert m4[0] == pytest.approx(-(6 - 0.07 * 70))


def _after_gain_everywhere(ep, to_goal, down, togo, gain):
    """Reference: every outcome's EP computed on every element, then chosen (the EP
    after a play as it was first written)."""
    from ghosting.decision.points import KICKOFF_YARDS_TO_GOAL, TOUCHDOWN_POINTS, _basis

    def predict(g, d, t):
        x = _basis(g, d, t)
        out = np.zeros(x.shape[:-1])
        for k, c in enumerate(ep.coefficients.tolist()):
            out = out + x[..., k] * c
        return out

    def first_down(g):
        return predict(g, np.ones(g.shape, np.int64), np.minimum(10.0, g))

    left = to_goal - gain
    safe_left = np.clip(left, 1.0, 99.0)
    opp_kick = TOUCHDOWN_POINTS - first_down(np.array([KICKOFF_YARDS_TO_GOAL]))[0]
    nxt = predict(safe_left, np.minimum(down + 1, 4), np.maximum(togo - gain, 1.0))
    turnover = -first_down(np.clip(100.0 - left, 1.0, 99.0))
    out = np.where(gain >= togo, first_down(safe_left), np.where(down >= 4, turnover, nxt))
    return np.where(left <= 0, opp_kick, out), predict


def test_expected_points_after_a_gain_are_bitwise_those_of_every_outcome_computed():
    from ghosting.decision.points import _after_gain

    rng = np.random.default_rng(5)
    ep = ExpectedPoints(rng.normal(0, 1, len(basis_names())))
    n = 300
    g = rng.uniform(-5, 105, (n, 1))
    d = rng.integers(1, 5, (n, 1))
    t = np.where(rng.random((n, 1)) < 0.1, np.nan, rng.uniform(0, 25, (n, 1)))
    gain = np.array(YAC_GRID)[None, :] + rng.uniform(-20, 60, (n, 1))
    gain[rng.random(gain.shape) < 0.05] = np.nan
    want, predict = _after_gain_everywhere(ep, g, d, t, gain)
    got = _after_gain(ep, g, d, t, gain)
    assert got.shape == want.shape == gain.shape
    assert got.tobytes() == want.tobytes()  # NaNs and signed zeros included
    flat = _after_gain(ep, g[:, 0], d[:, 0], t[:, 0], gain[:, 0])
    assert flat.tobytes() == _after_gain_everywhere(ep, g[:, 0], d[:, 0], t[:, 0],
                                                    gain[:, 0])[0].tobytes()
    # the column-by-column sum equals the stacked basis's, element by element
    assert ep.predict(g, d, t).tobytes() == predict(g, d, t).tobytes()


# -- the decision rule on hand-built plays ------------------------------------------------


def test_a_clearly_better_option_is_found_and_a_sound_choice_is_left_alone():
    comp = _ep_model()
    assert value_kind(comp) == "expected_points"
    assert decision_rule(comp) == (0.1, 1.0)
    opts = _options([
        # play 0: the real target is covered 5 yd out; a receiver 12 yd out is wide open
        (0, 11, True, 0.8, 5.0), (0, 12, False, 6.0, 12.0), (0, 13, False, 1.0, 3.0),
        # play 1: the real target is open past the sticks; the others are covered or short
        (1, 21, True, 6.0, 12.0), (1, 22, False, 1.0, 14.0), (1, 23, False, 7.0, 2.0),
    ])
    values = value_options(opts, comp, _situation(len(opts), 1, 10.0))
    d = decide(opts, values, 2, *decision_rule(comp))
    assert values.kind == "expected_points"
    assert d.better_option.tolist() == [True, False]
    assert d.best_alternative.tolist() == [12, 22]  # 22 is covered: not better than 21
    assert d.target_rank.tolist() == [2, 1]
    assert d.is_better.tolist() == [False, True, False, False, False, False]
    # the value is the expected points added: P x EP(complete) + (1 - P) EP(miss) - EP(now)
    p = values.p_complete[1]
    assert values.value[1] == pytest.approx(p * (-0.07 * -12.0))
    assert d.value_gain[0] == pytest.approx(values.value[1] - values.value[0])
    assert np.all(values.sigma_value[np.isfinite(values.value)] > 0)
    # expected yards are still reported beside the value
    np.testing.assert_allclose(values.expected_yards, values.p_complete * opts.air_yards)


def test_down_and_distance_change_the_answer():
    comp = _ep_model(sep_coefficient=0.0)  # every option completes 60%
    # the real target at 3 yd, an alternative at 8 yd, 3rd and 6: only 8 yd converts
    opts = _options([(0, 1, True, 3.0, 3.0), (0, 2, False, 3.0, 8.0)])
    third = decide(opts, value_options(opts, comp, _situation(2, 3, 6.0)), 1,
                   *decision_rule(comp))
    assert third.better_option.tolist() == [True]
    # 3rd and 2: both convert, and the 5 extra yards are worth 0.6 x 0.35 = 0.21 EP
    short = value_options(opts, comp, _situation(2, 3, 2.0))
    assert short.value[1] - short.value[0] == pytest.approx(0.6 * 0.07 * 5)
    # 4th and 6 the 3-yd catch gives the ball away 67 yd from the goal; the 8-yd one is a
    # 1st down 62 yd out: 0.6 x ((6 - 0.07 x 62) + (6 - 0.07 x 33))
    fourth = value_options(opts, comp, _situation(2, 4, 6.0))
    assert fourth.value[1] - fourth.value[0] == pytest.approx(0.6 * (1.66 + 3.69))


def test_without_an_expected_points_card_options_fall_back_to_expected_yards():
    comp = _ep_model()
    del comp.card["expected_points"]
    assert value_kind(comp) == "expected_yards"
    opts = _options([(0, 1, True, 3.0, 3.0), (0, 2, False, 3.0, 8.0)])
    v = value_options(opts, comp, _situation(2, 3, 6.0))
    np.testing.assert_allclose(v.value, v.expected_yards)
    comp.card["decision_rule"] = {"value": "success", "margin": 0.05, "z": 1.0}
    assert value_kind(comp) == "success"
    s = value_options(opts, comp, _situation(2, 3, 6.0))
    np.testing.assert_allclose(s.value, [0.0, 0.6])  # only the 8-yd catch converts


# -- eligible options -------------------------------------------------------------------


def _tracking_with_a_blocker_and_a_route() -> pa.Table:
    """One play, line of scrimmage at x = 40, snap at frame 5, pass forward at frame 20:
    receiver 2 runs 15 yd, back 3 stays beside the passer, receiver 4 drifts back."""
    frames = np.arange(1, 31)
    rows: dict[str, list] = {k: [] for k in ("nfl_id", "frame_id", "x", "y", "side",
                                             "position", "event")}

    def add(nfl, side, pos, xs, ys):
        for f, x, y in zip(frames, xs, ys, strict=True):
            rows["nfl_id"].append(nfl)
            rows["frame_id"].append(int(f))
            rows["x"].append(float(x))
            rows["y"].append(float(y))
            rows["side"].append(side)
            rows["position"].append(pos)
            rows["event"].append("ball_snap" if f == 5 else None)

    t = np.clip(frames - 5, 0, None)
    add(0, "ball", None, np.full(30, 40.0), np.full(30, 26.0))
    add(1, "offense", "QB", 40 - np.minimum(t, 7) * 0.5, np.full(30, 26.0))
    add(2, "offense", "WR", 40 + t * 0.6, np.full(30, 10.0))
    add(3, "offense", "RB", np.full(30, 36.0) + 0.02 * t, np.full(30, 24.0))
    add(4, "offense", "WR", 40 - t * 0.3, np.full(30, 40.0))
    add(5, "defense", "CB", 45 + t * 0.5, np.full(30, 11.0))
    n = len(rows["nfl_id"])
    return pa.table({"game_id": np.ones(n, np.int64), "play_id": np.ones(n, np.int64),
                     **rows})


def test_alternatives_that_block_or_sit_far_behind_the_line_are_not_options():
    table = _tracking_with_a_blocker_and_a_route()
    ix = PlayIndex(table)
    opts = _options([(0, 2, False, 2.0, 15.0), (0, 3, False, 3.0, -4.0),
                     (0, 4, False, 4.0, -7.5), (0, 1, True, 1.0, -6.0)])
    opts.play_id[:] = 1
    out = mark_ineligible(ix, opts, {"line_of_scrimmage": np.array([40.0])})
    assert out.reason.tolist() == [None, REASON_BLOCKER, REASON_BEHIND, None]
    assert out.analysable.tolist() == [True, False, False, True]  # the real target stays


def test_covered_alternatives_are_not_valued_and_say_why():
    comp = _ep_model(rule={"value": "expected_points", "margin_points": 0.1, "z": 1.0,
                           "min_separation": 0.7})
    assert min_separation(comp.card) == 0.7
    assert min_separation({}) == 0.0
    opts = _options([(0, 1, True, 0.3, 5.0), (0, 2, False, 0.5, 12.0), (0, 3, False, 2.0, 9.0)])
    mark_covered(opts, min_separation(comp.card))
    assert opts.analysable.tolist() == [True, False, True]
    assert opts.reason[1] == (f"{REASON_COVERED} (nearest defender 0.50 yd at arrival, "
                              "under 0.70 yd)")
    d = decide(opts, value_options(opts, comp, _situation(3, 1, 10.0)), 1,
               *decision_rule(comp))
    assert d.n_options.tolist() == [2] and d.best_alternative.tolist() == [3]


def test_shipped_cards_value_options_by_expected_points():
    comp = DecisionModels.load().completion
    assert value_kind(comp) == "expected_points"
    prior = comp.prior
    assert prior is not None and prior.yac_survival is not None
    assert prior.interceptions is not None
    # interceptions are rarer on short throws than deep ones (league passes)
    assert prior.interception_share(np.array([2.0]))[0] < prior.interception_share(
        np.array([25.0]))[0]

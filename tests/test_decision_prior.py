"""The completion model's league depth prior: P(complete | air yards), yards after
catch, the offset in the completion model and the card's decision rule."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from ghosting.decision import CompletionModel, DecisionModels
from ghosting.decision.prior import DepthPrior, read_depth_plays
from ghosting.decision.train import fit_depth_prior
from ghosting.decision.value import (
    MARGIN_YARDS,
    Z_UNCERTAINTY,
    catch_yards,
    decision_rule,
    value_kind,
)
from ghosting.errors import InputError, ModelError

PLAYS_HEADER = "gameId,playId,PassLength,PassResult,YardsAfterCatch,down,yardsToGo\n"


def _league(n: int = 4000, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Passes whose completion rate falls with depth as 1 / (1 + exp(-(1.2 - 0.06 d)))
    and whose yards after catch are 6 - 0.1 d (+ noise) on a completion."""
    rng = np.random.default_rng(seed)
    d = rng.uniform(-5, 45, n)
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-(1.2 - 0.06 * d)))).astype(float)
    yac = np.where(y == 1, 6.0 - 0.1 * d + rng.normal(0, 1, n), np.nan)
    return d, y, yac


def test_prior_recovers_a_falling_completion_rate_and_the_yards_after_catch():
    d, y, yac = _league()
    prior = DepthPrior.fit(d, y, yac)
    at = np.array([0.0, 10.0, 20.0, 35.0])
    truth = 1 / (1 + np.exp(-(1.2 - 0.06 * at)))
    np.testing.assert_allclose(prior.p_complete(at), truth, atol=0.06)
    assert np.all(np.diff(prior.p_complete(at)) < 0)
    np.testing.assert_allclose(prior.yards_after_catch(at), 6.0 - 0.1 * at, atol=0.5)
    np.testing.assert_allclose(prior.logit(at), np.log(prior.p_complete(at) /
                                                       (1 - prior.p_complete(at))))
    back = DepthPrior.from_card(json.loads(json.dumps(prior.to_card())))
    np.testing.assert_array_equal(back.p_complete(at), prior.p_complete(at))
    with pytest.raises(ModelError, match="knots"):
        DepthPrior.from_card(dict(prior.to_card(), knots=[0.0]))


def test_read_depth_plays_keeps_passes_and_says_when_the_layout_differs(tmp_path: Path):
    path = tmp_path / "plays.csv.gz"
    with gzip.open(path, "wt") as fh:
        fh.write(PLAYS_HEADER)
        fh.write("1,10,5,C,3,1,10\n1,11,12,I,NA,2,7\n2,12,NA,NA,NA,0,0\n"
                 "2,13,20,IN,NA,3,4\n2,14,NA,S,NA,3,8\n")
    got = read_depth_plays(path)
    assert got is not None and got.rows == 5
    assert got.game_id.tolist() == [1, 1, 2]
    assert got.air_yards.tolist() == [5.0, 12.0, 20.0]
    assert got.complete.tolist() == [1.0, 0.0, 0.0]
    assert got.yac[0] == 3.0 and np.isnan(got.yac[1:]).all()
    other = tmp_path / "other.csv"
    other.write_text("gameId,playId,passResult\n1,2,C\n")
    assert read_depth_plays(other) is None
    bad = tmp_path / "bad.csv"
    bad.write_text(PLAYS_HEADER + "1,10,five,C,3,1,10\n")
    with pytest.raises(InputError, match="bad.csv"):
        read_depth_plays(bad)


def test_fit_depth_prior_excludes_the_held_out_games_and_counts_them(tmp_path: Path):
    d, y, yac = _league(600)
    path = tmp_path / "plays.csv"
    games = 100 + np.arange(d.size) % 6
    with path.open("w") as fh:
        fh.write(PLAYS_HEADER)
        for k in range(d.size):
            fh.write(f"{games[k]},{k},{d[k]:.1f},{'C' if y[k] else 'I'},"
                     f"{'NA' if np.isnan(yac[k]) else round(yac[k], 1)},1,10\n")
    plays = read_depth_plays(path)
    assert plays is not None
    prior, info = fit_depth_prior([plays], {101, 104, 999})
    assert info["excluded_games"] == [101, 104]
    assert info["excluded_passes"] == 200 and info["passes_used"] == 400
    assert info["games_used"] == 4
    assert info["complete_used"] == int(y[(games != 101) & (games != 104)].sum())
    assert info["files"][0]["rows"] == 600
    assert set(info["cross_validation"]) == {"folds", "prior", "base_rate"}
    keep = (games != 101) & (games != 104)
    alone = DepthPrior.fit(plays.air_yards[keep], plays.complete[keep], plays.yac[keep])
    np.testing.assert_allclose(prior.p_coefficients, alone.p_coefficients)
    with pytest.raises(InputError, match="PassLength"):
        fit_depth_prior([], set())


def test_completion_with_the_prior_only_adjusts_it():
    d, y, yac = _league(3000, seed=1)
    prior = DepthPrior.fit(d, y, yac)
    rng = np.random.default_rng(2)
    sep = rng.uniform(0, 6, d.size)
    # separation raises the odds over the prior: logit = prior + 0.4 (sep - 3)
    p_true = 1 / (1 + np.exp(-(prior.logit(d) + 0.4 * (sep - 3))))
    lab = (rng.uniform(size=d.size) < p_true).astype(float)
    m = CompletionModel.fit(sep[:, None], lab, ["separation_1"], l2=0.1, prior=prior,
                            air_yards=d)
    assert m.intercept == 0.0
    assert m.coefficients[0] / m.scale[0] == pytest.approx(0.4, abs=0.08)
    assert m.covariance is not None and m.covariance[0, 0] == 0.0
    at_mean = {"separation_1": np.full(3, m.mean[0]), "air_yards": np.array([0.0, 15, 35])}
    np.testing.assert_allclose(m.predict_values(at_mean), prior.p_complete(at_mean["air_yards"]))
    with pytest.raises(InputError, match="air_yards"):
        m.predict_values({"separation_1": np.ones(2)})
    card = json.loads(json.dumps(m.to_card()))
    back = CompletionModel.from_card(card)
    np.testing.assert_allclose(back.predict_values(at_mean), m.predict_values(at_mean))
    card["depth_prior"]["p_coefficients"][0] += 0.5
    with pytest.raises(ModelError, match="sha256"):
        CompletionModel.from_card(card)


def test_catch_yards_add_the_yards_after_catch_up_to_the_goal_line():
    d, y, yac = _league()
    m = CompletionModel([], np.zeros(0), np.zeros(0), 0.0, np.zeros(0),
                        prior=DepthPrior.fit(d, y, yac))
    assert m.prior is not None
    air = np.array([5.0, 10.0, 10.0])
    expect = air + m.prior.yards_after_catch(air)
    got = catch_yards(air, np.array([40.0, 50.0, 108.0]), m)
    np.testing.assert_allclose(got[:2], expect[:2])
    assert got[2] == pytest.approx(12.0)  # 2 yd from the goal line at the catch
    plain = CompletionModel([], np.zeros(0), np.zeros(0), 0.0, np.zeros(0))
    np.testing.assert_array_equal(catch_yards(air, None, plain), air)


def test_decision_rule_comes_from_the_card():
    plain = CompletionModel([], np.zeros(0), np.zeros(0), 0.0, np.zeros(0))
    assert decision_rule(plain) == (MARGIN_YARDS, Z_UNCERTAINTY)
    plain.card["decision_rule"] = {"margin_yards": 0.8, "z": 1.5}
    assert decision_rule(plain) == (0.8, 1.5)


def test_shipped_completion_card_has_the_prior_fitted_without_the_test_games():
    comp = DecisionModels.load().completion
    assert comp.prior is not None
    fit = comp.card["depth_prior_fit"]
    assert 2017090700 in fit["excluded_games"]
    assert fit["files"][0]["file"] == "bdb2019/plays.csv.gz"
    assert fit["passes_used"] + fit["excluded_passes"] == fit["files"][0]["passes"]
    cv = fit["cross_validation"]
    assert cv["prior"]["brier"] < cv["base_rate"]["brier"]
    at = comp.prior.p_complete(np.array([0.0, 10.0, 20.0, 30.0]))
    assert np.all(np.diff(at) < 0)
    rule = comp.card["decision_rule"]
    assert rule["value"] == "expected_points" and value_kind(comp) == "expected_points"
    assert rule["margin_points"] >= 0.05 and rule["z"] == 1.0
    assert decision_rule(comp) == (rule["margin_points"], rule["z"])
    assert 0.3 < rule["min_separation"] < 1.5 and rule["n_training_targets"] > 200
    # the expected points are fitted without the test game, and beat a constant
    ep = comp.card["expected_points"]["fit"]
    assert ep["plays_used"] > 10_000 and ep["games_used"] == fit["games_used"]
    assert ep["cross_validation"]["rmse"] < ep["cross_validation"]["rmse_constant"]
    first = list(ep["ep_1st_and_10_at"].values())  # 95, 75, 50, 25, 10, 5 yd to goal
    assert np.all(np.diff(first) > 0) and first[0] < 0 < first[1]

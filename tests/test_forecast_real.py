"""Forecast mode on the real plays (skipped without GHOSTING_DATA): the shipped model's
held-out RMSE is below constant velocity's on the same player-frames."""

from __future__ import annotations

import json
import math

import pytest

import ghosting
from ghosting.cli import main
from ghosting.forecast.evaluate import FLIGHT_BINS, evaluate_forecast
from ghosting.model.data import load_sources


@pytest.fixture(scope="module")
def datasets(data_dir):
    return load_sources([data_dir])


@pytest.fixture(scope="module")
def report(datasets):
    return evaluate_forecast(datasets, ghosting.ForecastModel.load(), ghosting.GhostModel.load())


def test_held_out_rmse_beats_constant_velocity(report):
    split = ghosting.ForecastModel.load().card["training"]["split_by_game"]
    assert report["excluded"]["plays"] > 200  # every play of a train / validation game
    assert report["n_plays"] >= 150 and report["games"] == "unseen"
    r = report["rmse"]
    for who in ("all", "target", "defenders"):
        assert r[who]["n_player_frames"] > 0
        assert r[who]["model"] < r[who]["constant_velocity"], who
    assert r["all"]["model"] < 0.75 * r["all"]["constant_velocity"]
    # ghost mode is measured on the same defender-frames
    assert math.isfinite(r["defenders"]["ghost_mode"])
    assert sum(report["by_flight"][b]["n_plays"] for b, _, _ in FLIGHT_BINS) == report["n_plays"]
    for name, _lo, _hi in FLIGHT_BINS:
        entry = report["by_flight"][name]["all"]
        if entry["n_player_frames"]:
            assert entry["model"] < entry["constant_velocity"], name
    total = sum(report["by_flight"][b]["all"]["n_player_frames"] for b, _, _ in FLIGHT_BINS)
    assert total == r["all"]["n_player_frames"]
    assert 2018120600 in split["test"]


def test_validation_games_only(datasets):
    model = ghosting.ForecastModel.load()
    rep = evaluate_forecast(datasets, model, games="validation")
    card = model.card["metrics"]["validation"]["model"]["all"]
    assert rep["rmse"]["all"]["model"] == pytest.approx(card["rmse"], rel=1e-6)
    assert rep["rmse"]["all"]["n_player_frames"] == card["n"]
    assert rep["rmse"]["defenders"].get("ghost_mode") is None


def test_evaluate_cli_reports_the_forecast(data_dir, tmp_path):
    out = tmp_path / "eval.json"
    code = main(["evaluate", str(data_dir / "bdb2021" / "week13_game_2018120600.csv.gz"),
                 "--json", str(out), "-q"])
    assert code == 0
    fc = json.loads(out.read_text())["forecast"]
    assert fc["n_games"] == 1 and fc["n_plays"] > 40
    r = fc["rmse"]
    assert r["all"]["model"] < r["all"]["constant_velocity"]
    assert set(fc["by_flight"]) == {b for b, _, _ in FLIGHT_BINS}

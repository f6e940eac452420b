"""Training pipeline smoke test (seconds), ONNX export vs torch, evaluation report keys."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import numpy as np
import pytest

import ghosting
from ghosting.errors import GhostingError

torch = pytest.importorskip("torch")
pytest.importorskip("lightgbm")
pytest.importorskip("onnx")

from ghosting.model import GhostModel  # noqa: E402
from ghosting.model.evaluate import evaluate_model  # noqa: E402
from ghosting.model.network import build_net, export_onnx, onnx_torch_difference  # noqa: E402
from ghosting.model.train import (  # noqa: E402
    TrainConfig,
    require_training,
    split_games,
    train_on_tables,
)

TINY = TrainConfig(epochs=2, hidden=16, layers=2, tile_stride=4, ensemble=2, test_games=())


@pytest.fixture(scope="module")
def synth() -> tuple:
    tracking = ghosting.synth.generate_plays(14, seed=2, plays_per_game=2)
    return tracking, ghosting.pass_plays(tracking)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory, synth: tuple) -> tuple[Path, dict]:
    tracking, plays = synth
    out = tmp_path_factory.mktemp("tiny")
    card = train_on_tables([("synthetic", tracking, plays)], out, seed=0, config=TINY)
    return out, card


def test_training_produces_a_loadable_model(tiny_model: tuple, synth: tuple) -> None:
    out, card = tiny_model
    assert (out / "ghost.onnx").is_file() and (out / "card.json").is_file()
    assert json.loads((out / "card.json").read_text()) == card
    split = card["training"]["split_by_game"]
    games = set(split["train"]) | set(split["validation"]) | set(split["test"])
    assert len(games) == 7 and not set(split["train"]) & set(split["test"])
    screening = card["features"]["screening"]
    assert len(screening["group_ranking"]) == len(ghosting.model.features.FEATURE_GROUPS)
    assert set(card["features"]["groups"]) == set(screening["kept_groups"])
    assert card["training"]["onnx_vs_torch_max_abs_diff"] < 1e-4
    model = GhostModel.load(out)
    tracking, plays = synth
    row = [r for r in plays.to_pylist() if r["analysable"]][0]
    ghosts = model.predict(tracking, row)
    assert ghosts.num_rows > 0 and np.isfinite(ghosts["x"].to_numpy()).all()


def test_training_is_reproducible(tmp_path: Path, synth: tuple, tiny_model: tuple) -> None:
    tracking, plays = synth
    card = train_on_tables([("synthetic", tracking, plays)], tmp_path, seed=0, config=TINY)
    assert card["onnx_sha256"] == tiny_model[1]["onnx_sha256"]


def test_onnx_matches_torch(tmp_path: Path) -> None:
    torch.manual_seed(0)
    cfg = TrainConfig(hidden=24, layers=2, horizon=12)
    n_in = 9
    net = build_net(torch, n_in, cfg, np.zeros(n_in, np.float32), np.ones(n_in, np.float32))
    with torch.no_grad():  # the head starts at zero: give it weights worth comparing
        for p in net.parameters():
            p.normal_(0, 0.3)
    path = tmp_path / "net.onnx"
    export_onnx(torch, net, path, n_in)
    rng = np.random.default_rng(0)
    feats = rng.normal(0, 2, (37, n_in))
    vel = rng.normal(0, 3, (37, 2))
    assert onnx_torch_difference(torch, net, path, feats, vel) < 1e-5


def test_split_is_by_game_and_deterministic() -> None:
    games = list(range(100, 120)) + [7]
    a = split_games(games, (0.7, 0.15, 0.15), seed=3, test_games=(7,))
    b = split_games(games, (0.7, 0.15, 0.15), seed=3, test_games=(7,))
    assert a == b and 7 in a["test"]
    assert sorted(a["train"] + a["validation"] + a["test"]) == sorted(games)


def test_missing_training_extra_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.import_module

    def fake(name: str, *args: object) -> object:
        if name == "lightgbm":
            raise ImportError("No module named 'lightgbm'")
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", fake)
    with pytest.raises(GhostingError, match=r'pip install "ghosting\[train\]"'):
        require_training()


def test_evaluation_report_has_every_key(tiny_model: tuple, synth: tuple) -> None:
    out, card = tiny_model
    tracking, plays = synth
    report = evaluate_model([("synthetic", tracking, plays)], GhostModel.load(out))
    assert report["n_plays"] > 0 and report["n_trajectories"] > 0
    test_games = set(card["training"]["split_by_game"]["test"])
    assert report["n_games"] <= len(test_games)
    assert report["excluded"]["games"] == 7 - len(test_games)
    for horizon in ("1s", "full"):
        for name in ("model", "constant_velocity", "pursuit"):
            assert set(report["horizons"][horizon][name]) == {"ade", "fde", "rmse"}
    assert {"real", "model", "replaced_25", "distorted_25"} <= set(report["trajectory_score"])
    assert 0.0 <= report["what_if_validity"] <= 1.0
    full = report["horizons"]["full"]
    assert np.isfinite(full["model"]["ade"]) and full["pursuit"]["ade"] > 0


def test_too_few_games_names_the_split_sizes(tmp_path: Path) -> None:
    tracking = ghosting.synth.generate_plays(2, seed=4, plays_per_game=2)
    plays = ghosting.pass_plays(tracking)
    with pytest.raises(ghosting.errors.InputError, match=r"got \d+ train and \d+ validation games"):
        train_on_tables([("two games", tracking, plays)], tmp_path, seed=0, config=TINY)


def test_no_defensive_backs_is_an_input_error(tmp_path: Path, synth: tuple) -> None:
    import pyarrow as pa

    tracking, plays = synth
    empty = pa.array([[] for _ in range(plays.num_rows)], type=plays["defensive_backs"].type)
    no_backs = plays.set_column(
        plays.schema.get_field_index("defensive_backs"), "defensive_backs", empty
    )
    with pytest.raises(ghosting.errors.InputError, match="no defensive back"):
        train_on_tables([("synthetic", tracking, no_backs)], tmp_path, seed=0, config=TINY)

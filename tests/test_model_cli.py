"""``ghosting evaluate`` and ``ghosting train`` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ghosting.cli import main
from ghosting.model import GhostModel


def test_evaluate_held_out_game_writes_every_key(data_dir: Path, tmp_path: Path) -> None:
    game = data_dir / "bdb2021" / "week13_game_2018120600.csv.gz"
    split = GhostModel.load().card["training"]["split_by_game"]
    if 2018120600 not in split["test"]:
        pytest.skip("the shipped model did not hold the 2021 game out")
    out = tmp_path / "eval.json"
    code = main(
        [
            "evaluate",
            str(game),
            "--targets",
            str(data_dir / "bdb2021" / "targetedReciever.csv"),
            "--json",
            str(out),
            "-q",
        ]
    )
    assert code == 0
    report = json.loads(out.read_text())
    assert report["n_plays"] > 40 and report["n_trajectories"] > 150
    assert report["excluded"]["plays"] == 0
    for horizon in ("1s", "full"):
        for name in ("model", "constant_velocity", "pursuit"):
            values = report["horizons"][horizon][name]
            assert set(values) == {"ade", "fde", "rmse"}
            assert all(v > 0 for v in values.values())
    ts = report["trajectory_score"]
    assert {"real", "model", "replaced_25", "distorted_25"} <= set(ts)
    assert 0.0 <= report["what_if_validity"] <= 1.0
    # the model beats both baselines over the whole flight on this unseen game
    full = report["horizons"]["full"]
    assert full["model"]["ade"] < min(full["constant_velocity"]["ade"], full["pursuit"]["ade"])


def test_evaluate_bad_input_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["evaluate", str(tmp_path / "missing.csv"), "--json", str(tmp_path / "o.json")])
    assert code == 1
    assert "missing.csv" in capsys.readouterr().err
    assert not (tmp_path / "o.json").exists()


def test_evaluate_bad_model_dir_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["evaluate", str(tmp_path), "--model", str(tmp_path), "--json", str(tmp_path / "o.json")]
    )
    assert code == 1
    assert "card" in capsys.readouterr().err


def test_train_bad_input_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("torch")
    code = main(["train", str(tmp_path / "nothing"), "-o", str(tmp_path / "m")])
    assert code == 1
    assert "nothing" in capsys.readouterr().err

"""``ghosting train-decision`` and the decision figures of ``ghosting evaluate``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ghosting.cli import main
from ghosting.decision.analyse import DEFAULT_DECISION_DIR


def test_evaluate_reports_the_decision_figures_on_the_2021_game(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "eval.json"
    code = main(["evaluate", str(data_dir / "bdb2021" / "week13_game_2018120600.csv.gz"),
                 "--targets", str(data_dir / "bdb2021" / "targetedReciever.csv"),
                 "--json", str(out)])
    assert code == 0
    assert "better option" in capsys.readouterr().out
    rep = json.loads(out.read_text())["decision"]
    comp = rep["completion"]
    assert comp["n_passes"] == 64
    for name in ("model", "separation_only", "base_rate"):
        assert set(comp[name]) >= {"brier", "log_loss", "auc"}
    assert sum(b["n"] for b in comp["reliability"]) == 64
    # the league depth prior beats the training base rate (highlights, 91% complete)
    assert comp["prior_only"]["brier"] < comp["base_rate"]["brier"]
    (source,) = rep["decisions"]["sources"]
    # the old rule (any separation gain to the ghosted backs) as the issue measured it
    assert (source["old_rule_plays"], source["old_rule_better_plays"]) == (64, 52)
    assert source["judged"] >= 60
    assert source["better_option_plays"] < 52
    assert -1 <= rep["ghost_vs_real"]["correlation"] <= 1
    assert {"defensive_backs", "linebackers", "other_defenders"} == set(rep["ghost_error"])
    assert [b["frames"] for b in rep["sigma"]["calibrated"]] == ["1-10", "11-20", "21-30", "31+"]


def test_train_decision_without_training_games_exits_1(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the 2021 game is a test game of the shipped split: nothing to fit on
    code = main(["train-decision", str(data_dir / "bdb2021"), "-o", str(tmp_path / "c"), "-q"])
    assert code == 1
    assert "training games" in capsys.readouterr().err
    assert not (tmp_path / "c").exists()


def test_train_decision_bad_input_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["train-decision", str(tmp_path / "nothing"), "-o", str(tmp_path / "c")])
    assert code == 1
    assert "nothing" in capsys.readouterr().err


def test_evaluate_bad_decision_dir_exits_1(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "d").mkdir()
    code = main(["evaluate", str(data_dir / "bdb2021" / "week13_game_2018120600.csv.gz"),
                 "--decision", str(tmp_path / "d"), "--json", str(tmp_path / "o.json"), "-q"])
    assert code == 1
    assert "sigma.json" in capsys.readouterr().err
    assert not (tmp_path / "o.json").exists()


@pytest.mark.slow
def test_train_decision_reproduces_the_shipped_cards(data_dir: Path, tmp_path: Path) -> None:
    code = main(["train-decision", str(data_dir / "bdb2019"), str(data_dir / "bdb2021"),
                 str(data_dir / "ngs_highlights"), "-o", str(tmp_path / "c"), "-q"])
    assert code == 0
    for name in ("air_time", "completion", "sigma"):
        made = json.loads((tmp_path / "c" / f"{name}.json").read_text())
        shipped = json.loads((DEFAULT_DECISION_DIR / f"{name}.json").read_text())
        assert made == shipped, name


@pytest.mark.slow
def test_held_out_completion_beats_the_base_rate(data_dir: Path, tmp_path: Path) -> None:
    """The acceptance figure: on the 33 test games the completion model's Brier score is
    below the base rate's (docs/decision.md)."""
    out = tmp_path / "eval.json"
    code = main(["evaluate", str(data_dir / "bdb2019"), str(data_dir / "bdb2021"),
                 str(data_dir / "ngs_highlights"), "--json", str(out), "-q"])
    assert code == 0
    rep = json.loads(out.read_text())["decision"]
    comp = rep["completion"]
    assert comp["n_passes"] == 177
    assert comp["model"]["brier"] < comp["base_rate"]["brier"]
    assert comp["model"]["brier"] < comp["separation_only"]["brier"]
    by_source = {s["name"]: s for s in rep["decisions"]["sources"]}
    assert by_source["highlights.parquet"]["judged"] == 41  # one play: no valued alternative


def test_train_decision_output_that_is_a_file_exits_1(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    game = data_dir / "ngs_highlights" / "highlights.parquet"
    before = game.stat().st_mtime_ns
    code = main(["train-decision", str(data_dir / "ngs_highlights"), "-o", str(game), "-q"])
    assert code == 1
    assert "is not a folder" in capsys.readouterr().err
    assert game.stat().st_mtime_ns == before


def test_evaluate_without_a_test_split_skips_the_decision(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    from ghosting.model import DEFAULT_MODEL_DIR

    model_dir = tmp_path / "model"
    shutil.copytree(DEFAULT_MODEL_DIR, model_dir)
    card = json.loads((model_dir / "card.json").read_text())
    del card["training"]["split_by_game"]["test"]
    (model_dir / "card.json").write_text(json.dumps(card))
    out = tmp_path / "eval.json"
    code = main(["evaluate", str(data_dir / "bdb2021" / "week13_game_2018120600.csv.gz"),
                 "--model", str(model_dir), "--json", str(out)])
    assert code == 0
    assert "decision figures skipped" in capsys.readouterr().out
    assert "test" in json.loads(out.read_text())["decision"]["skipped"]

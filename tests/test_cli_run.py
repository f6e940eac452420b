"""`ghosting run` end to end: exit codes, the four outputs, bad input leaves nothing."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import ghosting
from ghosting.cli import main
from ghosting.cli.run import format_summary
from ghosting.pipeline import OUTPUT_FILES

BDB2021 = "bdb2021/week13_game_2018120600.csv.gz"
TARGETS = "bdb2021/targetedReciever.csv"
HEADER_2021 = (
    "time,x,y,s,a,dis,o,dir,event,nflId,displayName,jerseyNumber,position,frameId,"
    "team,gameId,playId,playDirection,route"
)


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _run(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(["run", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_demo_acceptance_in_a_fresh_process(tmp_path) -> None:
    """The README's first command: under a minute, four files, JSON when piped."""
    out = tmp_path / "out"
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "ghosting", "run", "--demo", "-o", str(out)],
        capture_output=True, text=True, check=False, timeout=300,
    )
    elapsed = time.perf_counter() - start
    assert proc.returncode == 0, proc.stderr
    assert elapsed < 60
    assert _files(out) == sorted(OUTPUT_FILES)
    summary = json.loads(proc.stdout)  # stdout is not a terminal: machine-readable
    assert summary == json.loads((out / "summary.json").read_text())
    counts = summary["counts"]
    assert counts["plays_read"] == 40
    assert counts["plays_scored"] + counts["plays_skipped"] == 40
    assert counts["ghost_trajectories"] == pq.read_metadata(out / "scores.parquet").num_rows
    assert proc.stderr == ""  # no progress bar off a terminal


def test_json_flag_and_options_reach_the_summary(tmp_path, capsys) -> None:
    out = tmp_path / "o"
    code, stdout, _ = _run(
        ["--demo", "--demo-plays", "4", "-o", str(out), "--json", "--policy", "track",
         "--defenders", "all", "--reference", "receiver"],
        capsys,
    )
    assert code == 0
    summary = json.loads(stdout)
    assert summary["settings"]["policy"] == "track"
    assert summary["settings"]["defenders"] == "all"
    assert summary["settings"]["reference"] == "receiver"
    assert summary["inputs"] == ["demo:4"]
    plays = pq.read_table(out / "plays.parquet")
    assert plays.num_rows == summary["counts"]["plays_read"] == 4


def test_human_summary_names_the_throughput(tmp_path, capsys) -> None:
    out = tmp_path / "o"
    _run(["--demo", "--demo-plays", "3", "-o", str(out)], capsys)
    summary = json.loads((out / "summary.json").read_text())
    text = format_summary(summary, str(out))
    assert "plays/s" in text and "ghost trajectories/s" in text
    assert "plays read 3" in text
    assert "(1 game," in text  # one game, not "1 games"


def test_real_game_accounts_for_all_73_plays(data_dir, tmp_path, capsys) -> None:
    out = tmp_path / "real"
    code, stdout, _ = _run(
        [str(data_dir / BDB2021), "--targets", str(data_dir / TARGETS), "-o", str(out)], capsys
    )
    assert code == 0
    summary = json.loads(stdout)
    counts = summary["counts"]
    assert counts["plays_read"] == 73
    assert counts["plays_scored"] + sum(counts["skipped_by_reason"].values()) == 73
    plays = pq.read_table(out / "plays.parquet")
    assert plays.num_rows == 73
    assert sorted(set(plays["status"].to_pylist())) == ["scored", "skipped"]
    assert summary["settings"]["targets"].endswith("targetedReciever.csv")


@pytest.mark.parametrize(
    "args, message",
    [
        ([], "INPUT"),
        (["--demo", "x.csv"], "not both"),
        (["--demo", "--demo-plays", "0"], "demo-plays"),
        (["no_such_file.csv"], "no_such_file.csv"),
    ],
)
def test_bad_arguments_fail_without_outputs(tmp_path, capsys, args, message) -> None:
    out = tmp_path / "out"
    code, _, err = _run([*args, "-o", str(out)], capsys)
    assert code == 1
    assert message in err
    assert not out.exists()


def test_empty_folder_as_input_fails(tmp_path, capsys) -> None:
    (tmp_path / "data").mkdir()
    code, _, err = _run([str(tmp_path / "data"), "-o", str(tmp_path / "out")], capsys)
    assert code == 1
    assert "data: a folder without tracking files" in err
    assert _files(tmp_path) == ["data"]


def test_unknown_layout_fails_without_outputs(tmp_path, capsys) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("foo,bar\n1,2\n")
    out = tmp_path / "out"
    code, _, err = _run([str(bad), "-o", str(out)], capsys)
    assert code == 1
    assert "bad.csv" in err and "layout" in err
    assert _files(tmp_path) == ["bad.csv"]


def test_bad_second_input_leaves_no_half_outputs(tmp_path, capsys) -> None:
    """The first file is fine and processed; the second breaks while reading."""
    good = tmp_path / "good.parquet"
    pq.write_table(ghosting.synth.generate_plays(3, seed=5), good)
    broken = tmp_path / "broken.csv"
    broken.write_text(
        HEADER_2021 + "\n"
        + "2018-12-07T01:21:02.800,notanumber,28.4,0,0,0,0,0,None,1,A B,10,WR,1,home,"
        "2018120600,75,left,\n"
    )
    out = tmp_path / "out"
    code, _, err = _run([str(good), str(broken), "-o", str(out)], capsys)
    assert code == 1
    assert "broken.csv" in err
    assert _files(tmp_path) == ["broken.csv", "good.parquet"]  # no output, no temp folder


def test_bad_input_keeps_earlier_outputs(tmp_path, capsys) -> None:
    out = tmp_path / "out"
    assert _run(["--demo", "--demo-plays", "2", "-o", str(out)], capsys)[0] == 0
    before = {name: (out / name).read_bytes() for name in OUTPUT_FILES}
    code, _, _ = _run([str(tmp_path / "missing.parquet"), "-o", str(out)], capsys)
    assert code == 1
    assert {name: (out / name).read_bytes() for name in OUTPUT_FILES} == before
    assert _files(tmp_path) == ["out"]


def test_missing_targets_file_fails(tmp_path, capsys) -> None:
    out = tmp_path / "out"
    code, _, err = _run(
        ["--demo", "--demo-plays", "2", "--targets", str(tmp_path / "t.csv"), "-o", str(out)],
        capsys,
    )
    assert code == 1
    assert "t.csv" in err
    assert not out.exists()


def test_output_path_that_is_a_file_fails(tmp_path, capsys) -> None:
    out = tmp_path / "taken"
    out.write_text("x")
    code, _, err = _run(["--demo", "--demo-plays", "2", "-o", str(out)], capsys)
    assert code == 1
    assert "not a folder" in err
    assert out.read_text() == "x"


def test_side_files_give_2019_tracking_its_positions(data_dir, tmp_path, capsys) -> None:
    """BDB 2019 tracking has no positions: without players.csv no play has sides; with
    the side files the pass plays are ghosted."""
    folder = data_dir / "bdb2019"
    tracking = str(folder / "tracking_gameId_2017090700.csv.gz")
    code, stdout, err = _run([tracking, "-o", str(tmp_path / "bare")], capsys)
    assert code == 3  # pass plays read, none scored: not a success
    assert json.loads(stdout)["counts"]["plays_scored"] == 0
    assert "--players" in err and "players.csv" in err
    code, stdout, _ = _run(
        [tracking, "--players", str(folder / "players.csv"), "--plays",
         str(folder / "plays.csv.gz"), "--games", str(folder / "games.csv"),
         "-o", str(tmp_path / "full")],
        capsys,
    )
    assert code == 0
    counts = json.loads(stdout)["counts"]
    assert counts["plays_read"] == 177
    assert counts["plays_scored"] > 50
    code, _, err = _run(
        [tracking, "--players", str(tmp_path / "nope.csv"), "-o", str(tmp_path / "x")], capsys
    )
    assert code == 1 and "nope.csv" in err
    assert not (tmp_path / "x").exists()


def test_model_option(tmp_path, capsys) -> None:
    from ghosting.model.ghost import DEFAULT_MODEL_DIR

    code, stdout, _ = _run(
        ["--demo", "--demo-plays", "2", "--model", str(DEFAULT_MODEL_DIR), "-o",
         str(tmp_path / "ok")], capsys,
    )
    assert code == 0
    assert json.loads(stdout)["model"]["card_sha256"]
    code, _, err = _run(
        ["--demo", "--demo-plays", "2", "--model", str(tmp_path / "none"), "-o",
         str(tmp_path / "bad")], capsys,
    )
    assert code == 1 and "card" in err
    assert not (tmp_path / "bad").exists()


def test_interrupted_run_leaves_no_output(tmp_path, capsys, monkeypatch) -> None:
    from ghosting.pipeline import game

    real = game._ghost_games
    calls = []

    def interrupt_on_second(chunks, *args, **kwargs):
        calls.append(sum(c.num_rows for c in chunks))
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(chunks, *args, **kwargs)

    monkeypatch.setattr(game, "BATCH_ROWS", 1)  # one game per batch
    monkeypatch.setattr(game, "_ghost_games", interrupt_on_second)
    path = tmp_path / "two_games.parquet"
    pq.write_table(ghosting.synth.generate_plays(4, seed=2, plays_per_game=2), path)
    code, _, err = _run([str(path), "-o", str(tmp_path / "out")], capsys)
    assert code == 130 and "interrupted" in err
    assert len(calls) == 2
    assert _files(tmp_path) == ["two_games.parquet"]


def _schema(value: object) -> object:
    """The key structure of a JSON value (dict keys, recursively; not the values)."""
    if isinstance(value, dict):
        return {k: _schema(v) for k, v in value.items()}
    return None


def test_run_and_score_summaries_share_the_schema(data_dir, tmp_path, capsys) -> None:
    game, targets = str(data_dir / BDB2021), str(data_dir / TARGETS)
    assert _run([game, "--targets", targets, "-o", str(tmp_path / "run")], capsys)[0] == 0
    assert main(["score", game, "--targets", targets, "-o", str(tmp_path / "s.parquet"),
                 "--json", str(tmp_path / "score.json")]) == 0  # fmt: skip
    capsys.readouterr()
    run = json.loads((tmp_path / "run" / "summary.json").read_text())
    score = json.loads((tmp_path / "score.json").read_text())
    assert (run["command"], score["command"]) == ("run", "score")
    shared = {"ghosting_version", "command", "inputs", "counts", "skipped_plays_by_reason",
              "hint", "trajectory_score", "settings"}  # fmt: skip
    assert shared <= set(run) and shared <= set(score)
    assert run["inputs"] == score["inputs"] == [game]
    # the shared counts: same names, same meaning
    for key in ("games", "plays_read", "plays_scored", "plays_skipped", "skipped_by_reason",
                "duplicate_rows_dropped", "repeated_inputs_ignored", "unpaired_2026_outputs"):
        assert key in run["counts"] and key in score["counts"], key
    assert run["counts"]["plays_read"] == score["counts"]["plays_read"] == 73
    assert set(_schema(score["trajectory_score"]["real"])) == set(  # type: ignore[arg-type]
        _schema(run["trajectory_score"]["real"]))  # type: ignore[arg-type]
    shared_settings = {"policy", "defenders", "reference", "v_max", "dt"}
    assert shared_settings <= set(run["settings"]) & set(score["settings"])
    for summary in (run, score):
        counts, listed = summary["counts"], summary["skipped_plays_by_reason"]
        assert set(listed) == set(counts["skipped_by_reason"])
        assert {r: len(p) for r, p in listed.items()} == counts["skipped_by_reason"]
        plays = [tuple(p) for keys in listed.values() for p in keys]
        assert len(plays) == len(set(plays)) == counts["plays_skipped"]  # each under one reason
        assert counts["plays_scored"] + counts["plays_skipped"] == 73
        assert all(not any(ch.isdigit() for ch in r) for r in listed), list(listed)


def test_cleaning_reasons_are_categories_with_the_plays_listed(data_dir, tmp_path, capsys):
    """With no field tolerance, cleaning drops 3 plays of the 2021 game for players off
    the field: one reason for all three (no nfl ids in it), the plays listed under it, the
    nfl ids with each listed play; run skips them too."""
    game, targets = str(data_dir / BDB2021), str(data_dir / TARGETS)
    common = ["--targets", targets, "--field-tolerance", "0"]
    assert main(["score", game, *common, "-o", str(tmp_path / "s.parquet"),
                 "--json", str(tmp_path / "score.json")]) == 0  # fmt: skip
    assert _run([game, *common, "-o", str(tmp_path / "run")], capsys)[0] == 0
    score = json.loads((tmp_path / "score.json").read_text())
    run = json.loads((tmp_path / "run" / "summary.json").read_text())
    reason = "cleaning (play policy): OFF_FIELD"
    assert score["counts"]["skipped_by_reason"][reason] == 3
    listed = score["skipped_plays_by_reason"][reason]
    assert len(listed) == 3 and all(g == 2018120600 for g, _ in listed)
    rows = [p for p in score["skipped_plays"] if p["reason"] == reason]
    assert sorted([p["game_id"], p["play_id"]] for p in rows) == listed
    assert all(p["nfl_ids"] and all(isinstance(n, int) for n in p["nfl_ids"]) for p in rows)
    # run skips a play for its first reason: the cleaning ones are among score's
    ran = run["skipped_plays_by_reason"]["cleaning: OFF_FIELD"]
    assert ran and all(p in listed for p in ran)
    every = [p for plays in run["skipped_plays_by_reason"].values() for p in plays]
    assert all(p in every for p in listed)  # skipped by run too, under one reason

"""The main job and the command line, hardened: no command writes onto its inputs,
games are whole across input files, one reader path, bounded flights, the shared
cleaning options, folders and globs, the nothing-scored hint and exit code, ids with
no sentinel. Built from the real files in GHOSTING_DATA (skipped without them)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

import ghosting
from ghosting import pipeline
from ghosting.cli import build_parser, main
from ghosting.errors import InputError
from ghosting.pipeline.columns import _row_index
from ghosting.pipeline.game import BROKEN_GHOSTS

GAME_2021 = "bdb2021/week13_game_2018120600.csv.gz"
GAME_2019 = "bdb2019/tracking_gameId_2017090700.csv.gz"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _summary(out: Path) -> dict[str, Any]:
    return json.loads((out / "summary.json").read_text())


@pytest.fixture(scope="module")
def raw_2021(data_dir: Path) -> pa.Table:
    return pacsv.read_csv(data_dir / GAME_2021)


@pytest.fixture(scope="module")
def whole_2021(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """``ghosting run`` on the 2021 game as one file: the reference answer."""
    out = tmp_path_factory.mktemp("whole") / "out"
    summary = pipeline.run_files([data_dir / GAME_2021], out)
    plays = pq.read_table(out / "plays.parquet").sort_by([("play_id", "ascending")])
    return {"summary": summary, "plays": plays}


@pytest.fixture(scope="module")
def side_2019(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Copies of the 2019 side files in a folder of the user's (writable)."""
    folder = tmp_path_factory.mktemp("bdb2019")
    out = {}
    for name in ("players.csv", "plays.csv.gz", "games.csv"):
        shutil.copy(data_dir / "bdb2019" / name, folder / name)
        out[name] = folder / name
    return out


# ---- 1. data loss: no command writes onto one of its inputs -------------------------


def test_the_reported_score_command_keeps_plays_csv(data_dir, side_2019, tmp_path, capsys):
    """The issue's command: ``--plays`` is the competition's plays.csv (an input) in
    score as in run; the per-play scores go to ``--play-scores``."""
    plays = side_2019["plays.csv.gz"]
    before = _digest(plays)
    code, out, _ = _cli(
        ["score", data_dir / GAME_2019, "--players", side_2019["players.csv"], "--plays", plays,
         "--games", side_2019["games.csv"], "-o", tmp_path / "s.parquet",
         "--play-scores", tmp_path / "ps.parquet"], capsys,
    )  # fmt: skip
    assert code == 0
    assert _digest(plays) == before
    assert "wrote" in out
    assert pq.read_table(tmp_path / "ps.parquet").num_rows == pq.read_metadata(
        tmp_path / "ps.parquet").num_rows > 0  # fmt: skip


@pytest.mark.parametrize("flag", ["-o", "--play-scores", "--json"])
@pytest.mark.parametrize("victim", ["plays.csv.gz", "players.csv", "games.csv", "tracking"])
def test_score_refuses_every_output_onto_every_input(
    data_dir, side_2019, tmp_path, capsys, flag, victim
):
    tracking = tmp_path / "game.csv.gz"
    shutil.copy(data_dir / GAME_2019, tracking)
    target = tracking if victim == "tracking" else side_2019[victim]
    before = _digest(target)
    outputs = {"-o": tmp_path / "s.parquet", "--play-scores": tmp_path / "p.parquet",
               "--json": tmp_path / "s.json", flag: target}  # fmt: skip
    args = ["score", tracking, "--players", side_2019["players.csv"], "--plays",
            side_2019["plays.csv.gz"], "--games", side_2019["games.csv"]]  # fmt: skip
    for key, value in outputs.items():
        args += [key, value]
    code, _, err = _cli(args, capsys)
    assert code == 1
    assert f"{flag} {target} is the input" in err and "would overwrite an input" in err
    assert _digest(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["game.csv.gz"]


@pytest.mark.parametrize("link", ["symlink", "hardlink"])
def test_links_to_an_input_are_refused(data_dir, tmp_path, capsys, link):
    game = tmp_path / "game.csv.gz"
    shutil.copy(data_dir / GAME_2021, game)
    alias = tmp_path / "alias.csv.gz"
    (os.symlink if link == "symlink" else os.link)(game, alias)
    before = _digest(game)
    code, _, err = _cli(["clean", game, "-o", alias], capsys)
    assert code == 1 and "would overwrite an input" in err
    assert _digest(game) == before


@pytest.mark.parametrize(
    "where", ["the input's folder", "an input file", "inside an input folder", "holds a hard link"]
)
def test_run_refuses_an_output_folder_that_is_or_holds_an_input(
    data_dir, tmp_path, capsys, where
):
    folder = tmp_path / "data"
    folder.mkdir()
    game = folder / "game.csv.gz"
    shutil.copy(data_dir / GAME_2021, game)
    before = sorted(p.name for p in folder.iterdir())
    inputs: list[Any] = [game]
    if where == "the input's folder":
        out = folder
    elif where == "an input file":
        out = game
    elif where == "inside an input folder":
        out, inputs = folder / "out", [folder]
    else:
        out = tmp_path / "previous"
        out.mkdir()
        os.link(game, out / "copy.csv.gz")
    code, _, err = _cli(["run", *inputs, "-o", out, "--json"], capsys)
    assert code == 1 and "would overwrite an input" in err
    assert sorted(p.name for p in folder.iterdir()) == before
    assert _digest(game) == _digest(data_dir / GAME_2021)


def test_clean_evaluate_train_plot_report_refuse_their_inputs(data_dir, tmp_path, capsys):
    game = tmp_path / "game.csv.gz"
    shutil.copy(data_dir / GAME_2021, game)
    before = _digest(game)
    run_out = tmp_path / "out"
    assert pipeline.run_files([game], run_out)["counts"]["plays_read"] == 73
    plays_before = _digest(run_out / "plays.parquet")
    refused = [
        ["clean", game, "-o", tmp_path / "c.parquet", "--report", game],
        ["clean", game, "-o", tmp_path / "same.json", "--report", tmp_path / "same.json"],
        ["evaluate", game, "--json", game],
        ["train", game, "-o", tmp_path],
        ["plot", run_out, "--play", "2018120600:75", "-o", run_out / "plays.parquet"],
        ["report", run_out, "-o", run_out / "summary.json"],
    ]
    for args in refused:
        code, _, err = _cli(args, capsys)
        assert code == 1, args
        assert "would overwrite an input" in err or "are the same path" in err, err
    assert _digest(game) == before and _digest(run_out / "plays.parquet") == plays_before
    assert not (tmp_path / "c.parquet").exists() and not (tmp_path / "same.json").exists()


def test_refusal_in_a_fresh_process_has_no_traceback(data_dir, tmp_path):
    game = tmp_path / "game.csv.gz"
    shutil.copy(data_dir / GAME_2021, game)
    proc = subprocess.run(
        [sys.executable, "-m", "ghosting", "score", str(game), "-o", str(game)],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("ghosting score: error: -o ")
    assert _digest(game) == _digest(data_dir / GAME_2021)


# ---- 2. the same plays in two inputs, a play split across inputs --------------------


def _split(raw: pa.Table, folder: Path, how: str) -> list[Path]:
    if how == "by play":
        half = sorted(set(raw["playId"].to_pylist()))[36]
        masks = [pc.less(raw["playId"], half), pc.greater_equal(raw["playId"], half)]
    else:  # by frame: every play split across the two files
        masks = [pc.less_equal(raw["frameId"], 30), pc.greater(raw["frameId"], 30)]
    paths = []
    for k, mask in enumerate(masks):
        path = folder / f"part{k}.csv"
        pacsv.write_csv(raw.filter(mask), path)
        paths.append(path)
    return paths


@pytest.mark.parametrize("how", ["by play", "by frame"])
def test_a_game_split_across_files_is_one_game(raw_2021, whole_2021, tmp_path, how):
    parts = _split(raw_2021, tmp_path, how)
    summary = pipeline.run_files(parts, tmp_path / "out")
    counts, want = summary["counts"], whole_2021["summary"]["counts"]
    assert (counts["plays_read"], counts["plays_scored"]) == (73, want["plays_scored"])
    assert counts["skipped_by_reason"] == want["skipped_by_reason"]
    assert counts["duplicate_rows_dropped"] == 0
    plays = pq.read_table(tmp_path / "out" / "plays.parquet").sort_by([("play_id", "ascending")])
    for column in ("play_id", "status", "reason", "targeted_receiver", "pass_forward_frame",
                   "arrival_frame"):  # fmt: skip
        assert plays[column].to_pylist() == whole_2021["plays"][column].to_pylist()
    for column in ("real_play_score", "ghost_play_score", "separation_gain"):
        np.testing.assert_allclose(plays[column].to_numpy(), whole_2021["plays"][column]
                                   .to_numpy(), rtol=1e-12)  # fmt: skip


def test_the_same_file_twice_and_a_copy_count_once(data_dir, raw_2021, whole_2021, tmp_path):
    game = data_dir / GAME_2021
    copy = tmp_path / "copy.csv.gz"
    shutil.copy(game, copy)
    twice = pipeline.run_files([game, game], tmp_path / "twice")["counts"]
    assert (twice["plays_read"], twice["repeated_inputs_ignored"]) == (73, 1)
    copied = pipeline.run_files([game, copy], tmp_path / "copy")["counts"]
    assert copied["plays_read"] == 73
    assert copied["plays_scored"] == whole_2021["summary"]["counts"]["plays_scored"]
    assert copied["duplicate_rows_dropped"] == raw_2021.num_rows
    assert pq.read_metadata(tmp_path / "copy" / "plays.parquet").num_rows == 73


def test_score_reads_games_across_files_like_run(raw_2021, data_dir, tmp_path, capsys):
    parts = _split(raw_2021, tmp_path, "by frame")
    code, _, _ = _cli(["score", *parts, "-o", tmp_path / "s.parquet", "--json",
                       tmp_path / "split.json"], capsys)  # fmt: skip
    assert code == 0
    code, _, _ = _cli(["score", data_dir / GAME_2021, "-o", tmp_path / "w.parquet", "--json",
                       tmp_path / "whole.json"], capsys)  # fmt: skip
    assert code == 0
    split, whole = (json.loads((tmp_path / n).read_text()) for n in ("split.json", "whole.json"))
    assert split["counts"]["plays_read"] == whole["counts"]["plays_read"] == 73
    for key in ("plays_scored", "skipped_by_reason", "real_trajectories"):
        assert split["counts"][key] == whole["counts"][key], key
    assert split["skipped_plays_by_reason"] == whole["skipped_plays_by_reason"]


def test_parquet_games_split_across_files_stream_whole(data_dir, tmp_path):
    source = _highlights_games(data_dir, 2)
    frames = source["frame"]
    early, late = source.filter(pc.less(frames, 200)), source.filter(pc.greater_equal(frames, 200))
    pq.write_table(early, tmp_path / "early.parquet", row_group_size=5000)
    pq.write_table(late, tmp_path / "late.parquet", row_group_size=5000)
    pq.write_table(source, tmp_path / "whole.parquet")
    split = pipeline.run_files([tmp_path / "early.parquet", tmp_path / "late.parquet"],
                               tmp_path / "o_split")["counts"]  # fmt: skip
    whole = pipeline.run_files([tmp_path / "whole.parquet"], tmp_path / "o_whole")["counts"]
    for key in ("plays_read", "plays_scored", "skipped_by_reason", "ghost_trajectories"):
        assert split[key] == whole[key], key
    assert split["games"] == whole["games"] == 2


# ---- 3. one reader path ---------------------------------------------------------------


def _highlights_games(data_dir: Path, n: int) -> pa.Table:
    h = pq.read_table(data_dir / "ngs_highlights" / "highlights.parquet")
    games = sorted(set(h["gameId"].to_pylist()))[:n]
    return h.filter(pc.is_in(h["gameId"], pa.array(games)))


def test_highlights_with_ids_and_x_as_strings(data_dir, tmp_path, capsys):
    plain = _highlights_games(data_dir, 3)
    text = plain
    for name in ("gameId", "x"):
        index = text.schema.get_field_index(name)
        text = text.set_column(index, name, text[name].cast(pa.string()))
    pq.write_table(plain, tmp_path / "plain.parquet")
    pq.write_table(text, tmp_path / "strings.parquet")
    want = pipeline.run_files([tmp_path / "plain.parquet"], tmp_path / "a")["counts"]
    code, _, err = _cli(["run", tmp_path / "strings.parquet", "-o", tmp_path / "b", "--json"],
                        capsys)  # fmt: skip
    assert code == 0, err
    got = _summary(tmp_path / "b")["counts"]
    assert (got["plays_read"], got["plays_scored"]) == (want["plays_read"], want["plays_scored"])
    assert got["plays_read"] == 5


def test_a_corrupt_data_page_is_an_input_error(data_dir, tmp_path, capsys):
    table = _highlights_games(data_dir, 2)
    good = tmp_path / "good.parquet"
    pq.write_table(table, good, compression="none", row_group_size=10_000)
    column = pq.ParquetFile(good).metadata.row_group(1).column(table.schema.names.index("x"))
    data = bytearray(good.read_bytes())
    data[column.data_page_offset + 10: column.data_page_offset + 60] = b"\xff" * 50
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(bytes(data))
    for command, out in (("run", "o_run"), ("score", "o.parquet"), ("clean", "c.parquet")):
        code, _, err = _cli([command, bad, "-o", tmp_path / out], capsys)
        assert code == 1, command
        assert f"error: {bad}: cannot read" in err
        assert not (tmp_path / out).exists()


# ---- 4. bounded work ------------------------------------------------------------------


def _longest_pass_play(tracking: pa.Table) -> int:
    plays = ghosting.pass_plays(tracking)
    ok = plays.filter(plays["analysable"])
    return int(ok["play_id"][0].as_py())


def test_a_long_flight_is_skipped_before_the_model(data_dir, tmp_path):
    tracking = ghosting.read_tracking(data_dir / GAME_2021)
    play = _longest_pass_play(tracking)
    calls: list[int] = []
    model = ghosting.GhostModel.load()

    class Counting:
        card, history, horizon = model.card, model.history, model.horizon

        def predict_plays(self, cleaned, plays, **kwargs):
            calls.append(plays.num_rows)
            return model.predict_plays(cleaned, plays, **kwargs)

    settings = pipeline.RunSettings(max_flight_frames=5)  # every real flight is longer
    res = ghosting.run(tracking, model=Counting(), settings=settings)
    row = res.plays.filter(pc.equal(res.plays["play_id"], play)).to_pylist()[0]
    assert row["status"] == "skipped"
    assert row["reason"] == "ball in the air longer than the maximum flight (5 frames, 0.5 s)"
    assert res.summary["counts"]["plays_scored"] == 0
    assert calls == [] and res.trajectories.num_rows == 0
    with pytest.raises(InputError, match="max_flight_frames must be an integer >= 1"):
        pipeline.RunSettings(max_flight_frames=0)


@pytest.mark.parametrize("value", [float("nan"), 4e38])
def test_broken_ghosts_are_never_reported_as_scored(data_dir, value):
    tracking = ghosting.read_tracking(data_dir / GAME_2021)
    model = ghosting.GhostModel.load()
    victim: list[int] = []

    class Broken:
        card, history, horizon = model.card, model.history, model.horizon

        def predict_plays(self, cleaned, plays, **kwargs):
            out = model.predict_plays(cleaned, plays, **kwargs).to_table()  # a table of its own
            victim.append(int(out["play_id"][0].as_py()))
            bad = pc.equal(out["play_id"], victim[0])
            x = pc.if_else(bad, pa.scalar(value), out["x"])
            return out.set_column(out.schema.get_field_index("x"), "x", x)

    res = ghosting.run(tracking, model=Broken())
    row = res.plays.filter(pc.equal(res.plays["play_id"], victim[0])).to_pylist()[0]
    assert (row["status"], row["reason"]) == ("skipped", BROKEN_GHOSTS)
    assert res.summary["counts"]["skipped_by_reason"][BROKEN_GHOSTS] == 1
    for name in ("scores", "trajectories"):
        table = getattr(res, name)
        assert victim[0] not in table["play_id"].to_pylist()
    assert np.isfinite(res.scores["ts"].to_numpy()).all()


def test_max_flight_option_reaches_the_summary(data_dir, tmp_path, capsys):
    code, out, _ = _cli(["run", data_dir / GAME_2021, "-o", tmp_path / "o",
                         "--max-flight-frames", "12"], capsys)  # fmt: skip
    summary = json.loads(out)
    assert summary["settings"]["max_flight_frames"] == 12
    reason = "ball in the air longer than the maximum flight (12 frames, 1.2 s)"
    assert summary["counts"]["skipped_by_reason"][reason] > 0
    assert code == (0 if summary["counts"]["plays_scored"] else 3)


# ---- 5. cleaning options, shared by every command that cleans --------------------------


def test_every_cleaning_command_takes_the_same_cleaning_options() -> None:
    parser = build_parser()
    flags = ["--policy", "track", "--field-tolerance", "2.5", "--v-max", "11", "--dt", "0.1",
             "--window", "all", "--history", "7"]  # fmt: skip
    want = {"policy": "track", "field_tolerance": 2.5, "v_max": 11.0, "dt": 0.1,
            "window": "all", "history": 7}  # fmt: skip
    commands = {
        "run": ["run", "x.csv", "-o", "out"],
        "clean": ["clean", "x.csv", "-o", "c.parquet"],
        "score": ["score", "x.csv", "-o", "s.parquet"],
        "evaluate": ["evaluate", "x.csv", "--json", "e.json"],
        "train": ["train", "x.csv", "-o", "m"],
    }
    for name, args in commands.items():
        parsed = vars(parser.parse_args([*args, *flags]))
        assert {k: parsed[k] for k in want} == want, name
        defaults = vars(parser.parse_args(args))
        assert defaults["field_tolerance"] == 1.0 == ghosting.cleaning.FIELD_TOLERANCE, name


def test_run_cleans_with_the_given_tolerance(data_dir, tmp_path, capsys):
    runs = {}
    for tolerance in ("0", "1", "5"):
        out = tmp_path / f"t{tolerance}"
        code, stdout, _ = _cli(["run", data_dir / GAME_2021, "-o", out, "--field-tolerance",
                                tolerance], capsys)  # fmt: skip
        assert code == 0
        runs[tolerance] = json.loads(stdout)
        assert runs[tolerance]["settings"]["field_tolerance"] == float(tolerance)
    off = {t: s["counts"]["skipped_by_reason"].get("cleaning: OFF_FIELD", 0)
           for t, s in runs.items()}  # fmt: skip
    assert off["0"] > off["1"] >= off["5"]
    assert runs["0"]["counts"]["plays_scored"] < runs["1"]["counts"]["plays_scored"]
    _, report = ghosting.clean(ghosting.read_tracking(data_dir / GAME_2021))
    assert report.field_tolerance == 1.0


@pytest.mark.parametrize("command", ["run", "clean", "score"])
def test_a_bad_cleaning_option_writes_nothing(data_dir, tmp_path, capsys, command):
    out = tmp_path / ("out" if command == "run" else "out.parquet")
    code, _, err = _cli([command, data_dir / GAME_2021, "-o", out, "--field-tolerance", "-1"],
                        capsys)  # fmt: skip
    assert code == 1
    assert "field_tolerance must be a finite number >= 0, got -1.0" in err
    assert list(tmp_path.iterdir()) == []


# ---- 6. folders and globs ---------------------------------------------------------------


def test_folders_and_globs_name_the_same_files(data_dir, raw_2021, tmp_path, capsys):
    folder = tmp_path / "weeks"
    folder.mkdir()
    _split(raw_2021, folder, "by play")
    shutil.copy(data_dir / "bdb2021" / "players.csv", folder / "players.csv")  # a companion
    assert [p.name for p in pipeline.expand_inputs([folder])] == ["part0.csv", "part1.csv"]
    assert [p.name for p in pipeline.expand_inputs([str(folder / "part*.csv")])] == [
        "part0.csv", "part1.csv"]  # fmt: skip
    for source in (folder, folder / "part*.csv"):
        for command, out in (("run", tmp_path / "o_run"), ("score", tmp_path / "s.parquet")):
            code, _, err = _cli([command, source, "-o", out], capsys)
            assert code == 0, err
    assert _summary(tmp_path / "o_run")["counts"]["plays_read"] == 73
    code, _, _ = _cli(["clean", folder, "-o", tmp_path / "c.parquet", "--policy", "sample"],
                      capsys)  # fmt: skip
    assert code == 0
    assert pq.read_metadata(tmp_path / "c.parquet").num_rows <= raw_2021.num_rows
    with pytest.raises(InputError, match="week\\*.csv: the pattern matches no file"):
        pipeline.expand_inputs([str(tmp_path / "week*.csv")])


# ---- 7. nothing scored: a hint, and the exit code --------------------------------------


def test_2019_without_players_hints_and_exits_3(data_dir, tmp_path, capsys):
    code, out, err = _cli(["run", data_dir / GAME_2019, "-o", tmp_path / "o"], capsys)
    assert code == 3
    summary = json.loads(out)
    assert summary["counts"]["plays_scored"] == 0 and summary["counts"]["plays_read"] == 177
    assert summary["hint"].startswith("nothing was scored: ")
    assert "players.csv (--players FILE" in summary["hint"]
    assert err == f"ghosting run: {summary['hint']}\n"
    assert (tmp_path / "o" / "plays.parquet").exists()  # the outputs still say why


def test_a_2026_output_file_alone_names_its_input(data_dir, tmp_path, capsys):
    code, out, err = _cli(["run", data_dir / "bdb2026/output_2023_w01.csv.gz", "-o",
                           tmp_path / "o"], capsys)  # fmt: skip
    assert code == 3
    hint = json.loads(out)["hint"]
    assert "BDB 2026 output file" in hint and "matching input file" in hint
    assert hint in err
    code, _, err = _cli(["score", data_dir / "bdb2026/output_2023_w01.csv.gz", "-o",
                         tmp_path / "s.parquet"], capsys)  # fmt: skip
    assert code == 3 and "matching input file" in err


def test_no_pass_plays_is_a_success_with_a_hint(raw_2021, tmp_path, capsys):
    no_events = raw_2021.set_column(raw_2021.schema.get_field_index("event"), "event",
                                    pa.array(["None"] * raw_2021.num_rows))  # fmt: skip
    path = tmp_path / "no_passes.csv"
    pacsv.write_csv(no_events, path)
    code, out, err = _cli(["run", path, "-o", tmp_path / "o"], capsys)
    assert code == 0
    summary = json.loads(out)
    assert summary["counts"]["skipped_by_reason"] == {"no pass_forward": 73}
    assert summary["hint"] == (
        "nothing was scored: 73 of 73 plays skipped as 'no pass_forward'; the input has no "
        "pass plays (no pass_forward event)"
    )
    assert whole_hint_is_none(tmp_path)


def whole_hint_is_none(tmp_path: Path) -> bool:
    """A run that scores plays has no hint."""
    summary = pipeline.run_files(None, tmp_path / "demo", demo_plays=2)
    return summary["hint"] is None and summary["counts"]["plays_scored"] == 2


# ---- 8. ids: no float conversion, no sentinel -------------------------------------------


def test_ids_above_2_53_survive_the_pipeline(data_dir, tmp_path):
    tracking = ghosting.read_tracking(data_dir / GAME_2021)
    shift = 2**60 + 1
    nfl = tracking["nfl_id"]
    shifted = pc.if_else(pc.equal(nfl, 0), nfl, pc.add(nfl, pa.scalar(shift, pa.int64())))
    big = tracking.set_column(tracking.schema.get_field_index("nfl_id"), "nfl_id", shifted)
    pq.write_table(big.replace_schema_metadata(None), tmp_path / "big.parquet")
    small = pipeline.run_files([data_dir / GAME_2021], tmp_path / "small")
    large = pipeline.run_files([tmp_path / "big.parquet"], tmp_path / "large")
    assert large["counts"]["plays_scored"] == small["counts"]["plays_scored"] > 60
    want = pq.read_table(tmp_path / "small" / "plays.parquet").sort_by("play_id")
    got = pq.read_table(tmp_path / "large" / "plays.parquet").sort_by("play_id")
    for column in ("targeted_receiver", "best_option"):
        expect = [None if v is None else v + shift for v in want[column].to_pylist()]
        assert got[column].to_pylist() == expect
    scores = pq.read_table(tmp_path / "large" / "scores.parquet")
    assert pc.min(scores["nfl_id"]).as_py() > 2**60


def test_game_ids_are_read_exactly_whatever_their_type(tmp_path) -> None:
    from ghosting.pipeline.inputs import _ids

    big = 2**53 + 1
    for column in (pa.array([str(big), "", None, " 7 "]), pa.array([big, None, None, 7]),
                   pa.array([float(2**40), None, float("nan"), 7.0])):  # fmt: skip
        values, valid = _ids(column, tmp_path / "f.csv", "gameId")
        assert valid.tolist() == [True, False, False, True]
        assert values[valid].tolist() == [int(column[0].as_py()), 7]
    for bad in (pa.array(["12", "abc"]), pa.array([1.5, 2.0])):
        with pytest.raises(InputError, match="f.csv: column 'gameId' holds"):
            _ids(bad, tmp_path / "f.csv", "gameId")


def test_a_null_key_matches_no_id_not_even_minus_one() -> None:
    left = pa.table({"play_id": pa.array([1, 1, None], pa.int64()),
                     "nfl_id": pa.array([-1, None, 7], pa.int64())})  # fmt: skip
    right = pa.table({"play_id": pa.array([1, 1, 1], pa.int64()),
                      "nfl_id": pa.array([None, -1, 7], pa.int64())})  # fmt: skip
    assert _row_index(left, right, ["play_id", "nfl_id"]).tolist() == [1, -1, -1]


# ---- 9. memory: any row order is read in bounded pieces ----------------------------------


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_scattered_rows_go_through_small_buckets(data_dir, tmp_path, monkeypatch, fmt):
    """Rows in random order: copied into temporary buckets of whole games, read bucket
    by bucket; the answer is the sorted file's, and no temporary file is left."""
    from ghosting.pipeline import inputs

    table = _highlights_games(data_dir, 3)
    shuffled = table.take(pa.array(np.random.default_rng(5).permutation(table.num_rows)))
    pq.write_table(table, tmp_path / "sorted.parquet")
    path = tmp_path / f"shuffled.{fmt}"
    if fmt == "parquet":
        pq.write_table(shuffled, path, row_group_size=4000)
    else:
        pacsv.write_csv(shuffled, path)
    want = pipeline.run_files([tmp_path / "sorted.parquet"], tmp_path / "a")["counts"]
    spill = tmp_path / "tmp"
    spill.mkdir()
    monkeypatch.setattr(inputs.tempfile, "tempdir", str(spill))
    monkeypatch.setattr(inputs, "_BUCKET_ROWS", 6000)  # each game (> 6000 rows) its own
    monkeypatch.setattr(inputs, "_BATCH_ROWS", 2500)
    scanned = inputs._scan(path)
    assert scanned.bucketed and scanned.bucket_of.tolist() == [0, 1, 2]
    got = pipeline.run_files([path], tmp_path / "b")["counts"]
    for key in ("rows_read", "games", "plays_read", "plays_scored", "skipped_by_reason",
                "ghost_trajectories", "duplicate_rows_dropped"):  # fmt: skip
        assert got[key] == want[key], key
    assert list(spill.iterdir()) == []


@pytest.mark.parametrize("threads", [1, 2])
def test_buckets_are_removed_when_the_run_fails(data_dir, tmp_path, monkeypatch, threads):
    """On one thread the second game is still unread (in its bucket) when the first
    fails; on two it may be read already. Either way no bucket and no output remain."""
    from ghosting.pipeline import game, inputs

    monkeypatch.setattr(game, "BATCH_ROWS", 1)  # the first game fails, the second unread

    table = _highlights_games(data_dir, 2)
    path = tmp_path / "shuffled.parquet"
    pq.write_table(table.take(pa.array(np.random.default_rng(1).permutation(table.num_rows))),
                   path)  # fmt: skip
    spill = tmp_path / "tmp"
    spill.mkdir()
    monkeypatch.setattr(inputs.tempfile, "tempdir", str(spill))

    class Failing:
        card: dict[str, Any] = {}

        def predict_plays(self, *args, **kwargs):
            if threads == 1:  # the buckets exist while the run does
                assert len(list(spill.iterdir())) == 1
            raise ghosting.errors.ModelError("the model broke")

    with pytest.raises(ghosting.errors.ModelError, match="the model broke"):
        pipeline.run_files([path], tmp_path / "out", model=Failing(), threads=threads)
    assert list(spill.iterdir()) == [] and not (tmp_path / "out").exists()


def test_files_sharing_games_in_different_orders(data_dir, tmp_path):
    """Two files of the same games, one in reverse game order: games are read in id
    order, the reversed file through buckets; every play once."""
    table = _highlights_games(data_dir, 3)
    frames = table["frame"]
    early = table.filter(pc.less(frames, 150))
    late = table.filter(pc.greater_equal(frames, 150)).sort_by([("gameId", "descending"),
                                                                 ("playId", "ascending")])
    pq.write_table(early, tmp_path / "early.parquet")
    pq.write_table(late, tmp_path / "late.parquet")
    pq.write_table(table, tmp_path / "whole.parquet")
    got = pipeline.run_files([tmp_path / "early.parquet", tmp_path / "late.parquet"],
                             tmp_path / "o")["counts"]  # fmt: skip
    want = pipeline.run_files([tmp_path / "whole.parquet"], tmp_path / "w")["counts"]
    for key in ("rows_read", "plays_read", "plays_scored", "skipped_by_reason"):
        assert got[key] == want[key], key

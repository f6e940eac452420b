"""Bad input end to end (DESIGN section 8): ``ghosting run/clean/score`` in a subprocess and
``ghosting.read_tracking`` / ``ghosting.run`` in process.

A file that cannot be used gives a :class:`ghosting.GhostingError` in process, and exit
code 1 from the CLI with a one-line message that names the file (and the column where
there is one), no Python traceback, and no output file left behind (an output that
existed before is left untouched). Defects the design says to repair or report instead
(non-finite positions, a play without ball rows, frames out of order, duplicate rows,
rows without a player id) never crash and never disappear silently: the play is
skipped with a reason naming it, or the read report counts what was dropped, and the
scores of the rest are exactly those of the clean file.

Every input is built in ``tmp_path`` from synthetic plays written in the Big Data Bowl
2021 week-file layout (no real data needed).
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

import ghosting
from ghosting.io import read_report

# Column order of the BDB 2021 week files (DESIGN section 3).
COLUMNS_2021 = (
    "time,x,y,s,a,dis,o,dir,event,nflId,displayName,jerseyNumber,position,frameId,team,"
    "gameId,playId,playDirection,route"
).split(",")


def table_2021(n_plays: int = 2, seed: int = 0) -> pa.Table:
    """Synthetic plays as a BDB 2021 week file: team home/away/football, ball without nflId,
    events "None" for no event."""
    t = ghosting.synth.generate_plays(n_plays, seed=seed)
    side = np.asarray(t["side"].to_pylist(), dtype=object)
    team = np.where(side == "ball", "football", np.where(side == "offense", "home", "away"))
    nfl = t["nfl_id"].to_numpy()
    n = t.num_rows
    columns = {
        "time": pa.array(["2018-12-07T01:23:42.598Z"] * n),
        "x": t["x"],
        "y": t["y"],
        "s": t["s"],
        "a": t["a"],
        "dis": t["dis"],
        "o": t["o"],
        "dir": t["dir"],
        "event": pc.fill_null(t["event"].cast(pa.string()), "None"),
        "nflId": pa.array(nfl, mask=nfl == 0),
        "displayName": t["display_name"],
        "jerseyNumber": t["jersey_number"],
        "position": t["position"],
        "frameId": t["frame_id"],
        "team": pa.array(team.tolist()),
        "gameId": t["game_id"],
        "playId": t["play_id"],
        "playDirection": t["play_direction"],
        "route": pa.nulls(n, pa.string()),
    }
    assert list(columns) == COLUMNS_2021
    return pa.table(columns)


def write_csv(table: pa.Table, path: Path) -> Path:
    pacsv.write_csv(table, str(path))
    return path


@pytest.fixture(scope="module")
def plays() -> pa.Table:
    return table_2021()


@pytest.fixture(scope="module")
def model() -> Any:
    return ghosting.GhostModel.load()


@pytest.fixture
def good(tmp_path: Path, plays: pa.Table) -> Path:
    return write_csv(plays, tmp_path / "week1.csv")


# --------------------------------------------------------------------------- the CLI


def ghosting_cli(*args: str | os.PathLike[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ghosting", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def cli_outputs(command: str, out: Path) -> list[str]:
    """The output arguments of ``command`` writing under the folder ``out``."""
    if command == "run":
        return ["-o", str(out / "run_out"), "--json"]
    if command == "clean":
        return ["-o", str(out / "clean.parquet"), "--report", str(out / "clean.json")]
    return ["-o", str(out / "scores.parquet"), "--play-scores", str(out / "plays.parquet"),
            "--json", str(out / "summary.json")]  # fmt: skip


def assert_cli_fails(
    command: str, inputs: list[str | os.PathLike[str]], tmp_path: Path, *names: str
) -> str:
    """Exit code 1, one clear message naming each of ``names``, no traceback, nothing
    written (the output folder stays empty)."""
    out = tmp_path / f"out_{command}_{len(list(tmp_path.glob('out_*')))}"
    out.mkdir()
    result = ghosting_cli(command, *inputs, *cli_outputs(command, out))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    errors = [
        line
        for line in result.stderr.splitlines()
        if line.startswith(f"ghosting {command}: error: ")
    ]
    assert len(errors) == 1, result.stderr
    for name in names:
        assert name in errors[0], (name, errors[0])
    assert sorted(os.listdir(out)) == [], "a failed command left output behind"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "temporary file left"
    return errors[0]


COMMANDS = ("run", "clean", "score")


# --------------------------------------------------------------------------- unusable files

# name -> (builds the bad file in tmp_path from the good plays, what the message must name)
BadFile = Callable[[Path, pa.Table], Path]


def _truncated_gzip(tmp: Path, plays: pa.Table) -> Path:
    data = gzip.compress(write_csv(plays, tmp / "whole.csv").read_bytes())
    (tmp / "whole.csv").unlink()
    path = tmp / "week1.csv.gz"
    path.write_bytes(data[: len(data) // 2])
    return path


def _empty(tmp: Path, plays: pa.Table) -> Path:
    path = tmp / "week1.csv"
    path.write_bytes(b"")
    return path


def _x_text(tmp: Path, plays: pa.Table) -> Path:
    x = pa.array(plays["x"].to_pylist(), pa.float64()).cast(pa.string()).to_pylist()
    x[7] = "abc"
    return write_csv(plays.set_column(1, "x", pa.array(x)), tmp / "week1.csv")


def _unknown_layout(tmp: Path, plays: pa.Table) -> Path:
    path = tmp / "week1.csv"
    path.write_text("foo,bar,baz\n1,2,3\n4,5,6\n")
    return path


def _directory(tmp: Path, plays: pa.Table) -> Path:
    """A folder without tracking files (a folder of tracking files is an input: see
    tests/test_hardening_cli.py)."""
    path = tmp / "week1"
    path.mkdir()
    (path / "notes.txt").write_text("no tracking here\n")
    return path


def _missing(tmp: Path, plays: pa.Table) -> Path:
    return tmp / "week1.csv"


def _not_parquet(tmp: Path, plays: pa.Table) -> Path:
    path = tmp / "week1.parquet"
    path.write_bytes(write_csv(plays.slice(0, 50), tmp / "x.csv").read_bytes())
    (tmp / "x.csv").unlink()
    return path


def _missing_column(tmp: Path, plays: pa.Table) -> Path:
    return write_csv(plays.drop_columns(["x"]), tmp / "week1.csv")


def _binary(tmp: Path, plays: pa.Table) -> Path:
    path = tmp / "week1.csv"
    path.write_bytes(bytes(range(256)) * 64)
    return path


def _ragged(tmp: Path, plays: pa.Table) -> Path:
    path = write_csv(plays, tmp / "week1.csv")
    lines = path.read_text().splitlines()
    lines[9] += ",1,2"
    path.write_text("\n".join(lines) + "\n")
    return path


def _game_id_text(tmp: Path, plays: pa.Table) -> Path:
    games = plays["gameId"].cast(pa.string()).to_pylist()
    games[3] = "game-one"
    return write_csv(plays.set_column(15, "gameId", pa.array(games)), tmp / "week1.csv")


BAD_FILES: dict[str, tuple[BadFile, tuple[str, ...]]] = {
    "truncated gzip": (_truncated_gzip, ("week1.csv.gz",)),
    "empty file": (_empty, ("week1.csv", "empty")),
    "x holds text": (_x_text, ("week1.csv", "'x'")),
    "unknown layout": (_unknown_layout, ("week1.csv", "layout")),
    "a directory": (_directory, ("week1", "folder")),
    "missing file": (_missing, ("week1.csv",)),
    "not Parquet": (_not_parquet, ("week1.parquet", "Parquet")),
    "2021 without x": (_missing_column, ("week1.csv", "column(s) x")),
    "binary garbage": (_binary, ("week1.csv",)),
    "ragged row": (_ragged, ("week1.csv",)),
    "gameId text": (_game_id_text, ("week1.csv", "'gameId'")),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_unusable_file_in_process(case: str, tmp_path: Path, plays: pa.Table, model: Any) -> None:
    build, names = BAD_FILES[case]
    path = build(tmp_path, plays)
    for call in (lambda: ghosting.read_tracking(path), lambda: ghosting.run(path, model=model)):
        with pytest.raises(ghosting.GhostingError) as info:
            call()
        for name in names:
            assert name in str(info.value)


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_unusable_file_cli(case: str, command: str, tmp_path: Path, plays: pa.Table) -> None:
    build, names = BAD_FILES[case]
    path = build(tmp_path, plays)
    assert_cli_fails(command, [path], tmp_path, *names)


def test_bad_file_after_a_good_one_writes_nothing(tmp_path: Path, good: Path) -> None:
    """The good first input is processed, the second fails: no partial output."""
    (tmp_path / "b").mkdir()
    bad = _x_text(tmp_path / "b", table_2021(1, seed=3))
    for command in COMMANDS:
        assert_cli_fails(command, [good, bad], tmp_path, str(bad), "'x'")


def test_failed_command_keeps_an_existing_output(tmp_path: Path, plays: pa.Table) -> None:
    """An output from an earlier run is not truncated or replaced by a failed one."""
    old = tmp_path / "clean.parquet"
    pq.write_table(pa.table({"kept": [1, 2, 3]}), old)
    before = old.read_bytes()
    bad = _x_text(tmp_path, plays)
    result = ghosting_cli("clean", bad, "-o", old)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert old.read_bytes() == before


def test_header_only_file(tmp_path: Path, plays: pa.Table, model: Any) -> None:
    """In process a header-only file reads as an empty table (the reader's contract);
    a CLI job with no row at all to work on is an error naming the file."""
    path = write_csv(plays.slice(0, 0), tmp_path / "week1.csv")
    table = ghosting.read_tracking(path)
    assert table.num_rows == 0 and read_report(table)["rows_in"] == 0
    assert ghosting.run(table, model=model).plays.num_rows == 0
    for command in COMMANDS:
        assert_cli_fails(command, [path], tmp_path, "week1.csv")


# --------------------------------------------------------------------------- side files


def _targets_missing_column(tmp: Path) -> Path:
    path = tmp / "targets.csv"
    path.write_text("gameId,playId\n9000000001,56\n")
    return path


def _targets_text(tmp: Path) -> Path:
    path = tmp / "targets.csv"
    path.write_text("gameId,playId,targetNflId\n9000000001,56,somebody\n")
    return path


def _targets_empty(tmp: Path) -> Path:
    path = tmp / "targets.csv"
    path.write_bytes(b"")
    return path


TARGETS = {
    "missing column": (_targets_missing_column, "target"),
    "text id": (_targets_text, "targetNflId"),
    "empty": (_targets_empty, "empty"),
}


@pytest.mark.parametrize("case", sorted(TARGETS))
def test_malformed_targets_file(case: str, tmp_path: Path, good: Path, model: Any) -> None:
    build, word = TARGETS[case]
    targets = build(tmp_path)
    with pytest.raises(ghosting.GhostingError, match="targets.csv"):
        ghosting.read_targets(targets)
    with pytest.raises(ghosting.GhostingError, match="targets.csv"):
        ghosting.run(good, targets=targets, model=model)
    for command in ("run", "score"):
        message = assert_cli_fails(command, [good, "--targets", targets], tmp_path, "targets.csv")
        assert word in message


def test_malformed_plays_and_players_files(tmp_path: Path, good: Path) -> None:
    bad = tmp_path / "plays.csv"
    bad.write_text('nothing,useful\n"unterminated,1\n')
    for side in ("plays", "players"):
        with pytest.raises(ghosting.GhostingError, match="plays.csv"):
            ghosting.read_tracking(good, **{side: bad})
    assert_cli_fails("run", [good, "--plays", bad], tmp_path, "plays.csv")
    assert_cli_fails("score", [good, "--plays", bad], tmp_path, "plays.csv")
    assert_cli_fails("run", [good, "--players", tmp_path / "none.csv"], tmp_path, "none.csv")


def test_wrong_in_memory_sources() -> None:
    with pytest.raises(ghosting.GhostingError, match="int"):
        ghosting.read_tracking(5)  # type: ignore[arg-type]
    with pytest.raises(ghosting.GhostingError, match="empty list"):
        ghosting.read_tracking([])
    text_x = table_2021(1).set_column(1, "x", pa.array(["abc"] * table_2021(1).num_rows))
    with pytest.raises(ghosting.GhostingError, match="'x'"):
        ghosting.read_tracking(text_x)
    with pytest.raises(ghosting.GhostingError, match="bdb1999"):
        ghosting.read_tracking(table_2021(1), layout="bdb1999")


# --------------------------------------------------------------------------- defects in the rows


def _row(plays: pa.Table, *, position: str, play: int, frame: int) -> int:
    mask = (
        (np.asarray(plays["position"].to_pylist(), dtype=object) == position)
        & (plays["playId"].to_numpy() == play)
        & (plays["frameId"].to_numpy() == frame)
    )
    return int(np.flatnonzero(mask)[0])


@pytest.fixture(scope="module")
def windows(plays: pa.Table) -> list[dict[str, Any]]:
    return ghosting.plays.pass_windows(ghosting.read_tracking(plays)).to_pylist()


@pytest.fixture(scope="module")
def clean_scores(plays: pa.Table, model: Any, tmp_path_factory: Any) -> ghosting.Results:
    """The results of the defect-free file (written and read back like the others)."""
    path = write_csv(plays, tmp_path_factory.mktemp("good") / "week1.csv")
    return ghosting.run(path, model=model)


def _play_rows(results: Any) -> dict[int, dict[str, Any]]:
    return {r["play_id"]: r for r in results.plays.to_pylist()}


def _same_table(a: pa.Table, b: pa.Table) -> None:
    """Equal column by column (NaN equal to NaN, which ``Table.equals`` does not do)."""
    assert a.schema == b.schema and a.num_rows == b.num_rows
    for name in a.column_names:
        if pa.types.is_floating(a.schema.field(name).type):
            np.testing.assert_array_equal(a[name].to_numpy(), b[name].to_numpy(), err_msg=name)
        else:
            assert a[name].equals(b[name]), name


def _same_scores(a: Any, b: Any) -> None:
    _same_table(a.scores, b.scores)
    _same_table(a.trajectories, b.trajectories)
    _same_table(a.plays, b.plays)


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_position_skips_its_play(
    value: float, tmp_path: Path, plays: pa.Table, windows: list[dict[str, Any]], model: Any,
    clean_scores: Any,
) -> None:  # fmt: skip
    first, second = windows
    i = _row(plays, position="CB", play=first["play_id"], frame=first["pass_forward_frame"] + 2)
    x = plays["x"].to_numpy().copy()
    x[i] = value
    path = write_csv(plays.set_column(1, "x", pa.array(x)), tmp_path / "week1.csv")
    rows = _play_rows(ghosting.run(path, model=model))
    assert rows[first["play_id"]]["status"] == "skipped"
    assert "NON_FINITE" in rows[first["play_id"]]["reason"]
    assert rows[second["play_id"]] == _play_rows(clean_scores)[second["play_id"]]
    out = tmp_path / "out"
    result = ghosting_cli("run", path, "-o", out, "--json")
    assert result.returncode == 0 and "Traceback" not in result.stderr
    counts = json.loads(result.stdout)["counts"]
    assert counts["plays_skipped"] == 1 and counts["plays_scored"] == 1
    assert any("NON_FINITE" in reason for reason in counts["skipped_by_reason"])


def test_play_without_ball_rows_is_skipped_by_name(
    tmp_path: Path, plays: pa.Table, windows: list[dict[str, Any]], model: Any, clean_scores: Any
) -> None:
    first, second = windows
    is_ball = pc.equal(plays["team"], "football")
    no_ball = pc.and_(is_ball, pc.equal(plays["playId"], first["play_id"]))
    path = write_csv(plays.filter(pc.invert(no_ball)), tmp_path / "week1.csv")
    rows = _play_rows(ghosting.run(path, model=model))
    assert rows[first["play_id"]]["status"] == "skipped"
    assert "ball" in rows[first["play_id"]]["reason"]
    assert rows[second["play_id"]] == _play_rows(clean_scores)[second["play_id"]]
    out = tmp_path / "scores.parquet"
    summary = tmp_path / "summary.json"
    result = ghosting_cli("score", path, "-o", out, "--json", summary)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    skipped = json.loads(summary.read_text())["skipped_plays"]
    assert [(s["play_id"], "ball" in s["reason"]) for s in skipped] == [(first["play_id"], True)]


def test_frames_out_of_order_give_the_same_scores(
    tmp_path: Path, plays: pa.Table, model: Any, clean_scores: Any
) -> None:
    order = np.random.default_rng(1).permutation(plays.num_rows)
    path = write_csv(plays.take(order), tmp_path / "week1.csv")
    _same_scores(ghosting.run(path, model=model), clean_scores)


def test_exact_duplicate_rows_are_dropped_and_counted(
    tmp_path: Path, plays: pa.Table, model: Any, clean_scores: Any
) -> None:
    doubled = pa.concat_tables([plays, plays.slice(100, 300)])
    path = write_csv(doubled, tmp_path / "week1.csv")
    table = ghosting.read_tracking(path)
    assert read_report(table)["exact_duplicates_dropped"] == 300
    _same_scores(ghosting.run(table, model=model), clean_scores)


def test_conflicting_duplicate_skips_its_play(
    tmp_path: Path, plays: pa.Table, windows: list[dict[str, Any]], model: Any
) -> None:
    first = windows[0]
    i = _row(plays, position="CB", play=first["play_id"], frame=first["pass_forward_frame"] + 1)
    copy = plays.slice(i, 1)
    copy = copy.set_column(1, "x", pa.array([copy["x"][0].as_py() + 3.0]))
    path = write_csv(pa.concat_tables([plays, copy]), tmp_path / "week1.csv")
    table = ghosting.read_tracking(path)
    assert read_report(table)["conflicting_duplicates"] >= 1
    rows = _play_rows(ghosting.run(table, model=model))
    assert rows[first["play_id"]]["status"] == "skipped"
    assert "DUPLICATE_FRAME" in rows[first["play_id"]]["reason"]


def test_rows_without_player_id_are_dropped_and_counted(
    tmp_path: Path, plays: pa.Table, windows: list[dict[str, Any]], model: Any
) -> None:
    first = windows[0]
    i = _row(plays, position="CB", play=first["play_id"], frame=first["pass_forward_frame"] + 1)
    nfl = plays["nflId"].to_pylist()
    nfl[i] = None
    path = write_csv(plays.set_column(9, "nflId", pa.array(nfl, pa.int64())), tmp_path / "w.csv")
    table = ghosting.read_tracking(path)
    assert read_report(table)["rows_without_ids_dropped"] == 1
    assert table.num_rows == plays.num_rows - 1
    # The player's track now has a frame gap inside the window: cleaning drops the play.
    rows = _play_rows(ghosting.run(table, model=model))
    assert rows[first["play_id"]]["status"] == "skipped"
    assert "FRAME_GAP" in rows[first["play_id"]]["reason"]


# --------------------------------------------------------------------------- public array API

NOT_NUMBERS = {
    "strings": lambda a: a.astype(str),
    "bool": lambda a: a > 0.5,
    "complex": lambda a: a + 1j,
    "object text": lambda a: np.array([["1", "x"]] * len(a), dtype=object),
}


@pytest.mark.parametrize("case", sorted(NOT_NUMBERS))
def test_array_functions_reject_what_is_not_a_number(case: str) -> None:
    """Coordinates numpy would parse, reinterpret or truncate are named errors."""
    d = np.random.default_rng(0).random((5, 2))
    bad = NOT_NUMBERS[case](d)
    with pytest.raises(ghosting.GhostingError, match="defender_xy"):
        ghosting.trajectory_score(bad, d)
    with pytest.raises(ghosting.GhostingError, match="xy"):
        ghosting.feasibility(bad)


@pytest.mark.parametrize("offsets", [[0, 2.5, 5], ["0", "5"], [0.0, 5.0], [True, True]])
def test_array_functions_reject_offsets_that_are_not_integers(offsets: list[Any]) -> None:
    d = np.random.default_rng(0).random((5, 2))
    with pytest.raises(ghosting.GhostingError, match="offsets"):
        ghosting.trajectory_score(d, d, offsets=offsets)

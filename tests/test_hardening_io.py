"""Hardening of reading, ids, targets and play detection, on files built from the REAL
data the way a user would break them: re-saved with float ids, a text id, ids above
2**53, negative frames, large game and play ids, a target file naming a defender, NA
targets, contradictory duplicates, repeated pass_forward events, the 2023 layout's
``officialPosition`` and ``autoevent_passforward``, a polars LazyFrame, and runs that
score nothing. Each case asserts the exact outcome: the error class and that its
message names the file and column, or the correct result -- through the Python API
and through ``python -m ghosting run/clean/score`` (exit 1, no traceback, nothing
written). The real-data cases are skipped when ``GHOSTING_DATA`` is absent; the id
parser's own cases at the end need no data.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

import ghosting
from ghosting.io import read_report
from ghosting.model.evaluate import what_if_validity
from ghosting.model.ghost_inputs import cut_ghost_inputs
from ghosting.plays import REASONS, TARGET_FILE_REASONS, pass_plays, pass_windows

GAME_2021 = "bdb2021/week13_game_2018120600.csv.gz"
GAME_2019 = "bdb2019/tracking_gameId_2017090700.csv.gz"
BIG = 2**53 + 1  # float64 cannot hold BIG + an odd id
PLAYERS_HINT = "pass the competition's players.csv: --players / players="
NA_PLAY = 3749  # 2021: NA in the official file, the ball lands 5 yd out of bounds


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def raw2021(data_dir: Path) -> pa.Table:
    """The 2021 game as shipped (pyarrow's own type inference)."""
    return pacsv.read_csv(data_dir / GAME_2021)


@pytest.fixture(scope="module")
def canonical2021(data_dir: Path) -> pa.Table:
    return ghosting.read_tracking(data_dir / GAME_2021)


@pytest.fixture(scope="module")
def targets2021(data_dir: Path) -> pa.Table:
    return ghosting.read_targets(data_dir / "bdb2021" / "targetedReciever.csv")


@pytest.fixture(scope="module")
def plays2021(canonical2021: pa.Table, targets2021: pa.Table) -> pa.Table:
    return pass_plays(canonical2021, targets=targets2021)


def write(table: pa.Table, path: Path) -> Path:
    pacsv.write_csv(table, path)
    return path


def as_text(table: pa.Table, column: str, edit: Callable[[list], list] | None = None) -> pa.Table:
    """``column`` as text (null stays empty), optionally edited as a Python list."""
    values = table[column].cast(pa.string()).to_pylist()
    if edit is not None:
        values = edit(values)
    return table.set_column(table.schema.get_field_index(column), column,
                            pa.array(values, pa.string()))


def set_at(index: int, value: str) -> Callable[[list], list]:
    def edit(values: list) -> list:
        values[index] = value
        return values
    return edit


def as_float_text(values: list) -> list:
    """Ids as a re-saving tool writes them: ``2495469.0``."""
    return [None if v is None else f"{v}.0" for v in values]


def shifted(table: pa.Table, column: str, by: int) -> pa.Table:
    return table.set_column(table.schema.get_field_index(column), column,
                            pc.add(table[column], pa.scalar(by, table[column].type)))


def rows_equal(a: pa.Table, b: pa.Table) -> None:
    assert a.schema.remove_metadata() == b.schema.remove_metadata()
    for name in a.column_names:
        if pa.types.is_floating(a.schema.field(name).type):
            np.testing.assert_array_equal(a[name].to_numpy(), b[name].to_numpy(), err_msg=name)
        else:
            assert a[name].to_pylist() == b[name].to_pylist(), name


def by_play(plays: pa.Table) -> dict[int, dict]:
    return {row["play_id"]: row for row in plays.to_pylist()}


def a_play(plays: pa.Table, canonical: pa.Table, position: str) -> tuple[int, int, int]:
    """An analysable play with its target file target, and a player at ``position`` on it:
    ``(play_id, that player's nfl_id, the real target)``."""
    for row in plays.filter(plays["analysable"]).to_pylist():
        if row["target_source"] != "target_file":
            continue
        on_play = canonical.filter(pc.and_(pc.equal(canonical["play_id"], row["play_id"]),
                                           pc.equal(canonical["position"], position)))
        if on_play.num_rows:
            return row["play_id"], on_play["nfl_id"][0].as_py(), row["targeted_receiver"]
    raise AssertionError(f"no analysable play with a {position}")


# ---------------------------------------------------------------------------- the CLI


def ghosting_cli(*args: str | os.PathLike[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ghosting", *map(str, args)],
                          capture_output=True, text=True, timeout=300)


def cli_outputs(command: str, out: Path) -> list[str]:
    if command == "run":
        return ["-o", str(out / "run_out"), "--json"]
    if command == "clean":
        return ["-o", str(out / "clean.parquet"), "--report", str(out / "clean.json")]
    return ["-o", str(out / "scores.parquet"), "--play-scores", str(out / "plays.parquet"),
            "--json", str(out / "summary.json")]


def assert_cli_fails(command: str, args: list, tmp_path: Path, *names: str) -> None:
    """Exit 1, one error line naming each of ``names``, no traceback, nothing written."""
    out = tmp_path / f"out_{command}"
    out.mkdir()
    result = ghosting_cli(command, *args, *cli_outputs(command, out))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines()
              if line.startswith(f"ghosting {command}: error: ")]
    assert len(errors) == 1, result.stderr
    for name in names:
        assert name in errors[0], (name, errors[0])
    assert os.listdir(out) == [], "a failed command left output behind"


# ------------------------------------------------------- 1, 2: ids that are not integers

# name -> (builds the bad side file in tmp from the real data; the keyword and CLI flags
# it is passed with; what the message names)
SideBuilder = Callable[[Path, Path], Path]


def _players_text(data: Path, tmp: Path) -> Path:
    players = pacsv.read_csv(data / "bdb2019" / "players.csv")
    return write(as_text(players, "nflId", set_at(3, "abc")), tmp / "players.csv")


def _players_fraction(data: Path, tmp: Path) -> Path:
    players = pacsv.read_csv(data / "bdb2019" / "players.csv")
    return write(as_text(players, "nflId", set_at(10, "79860.5")), tmp / "players.csv")


def _plays_text(data: Path, tmp: Path) -> Path:
    plays = pacsv.read_csv(data / "bdb2019" / "plays.csv.gz")
    return write(as_text(plays, "playId", set_at(7, "play-7")), tmp / "plays.csv")


def _plays_game_fraction(data: Path, tmp: Path) -> Path:
    plays = pacsv.read_csv(data / "bdb2019" / "plays.csv.gz")
    return write(as_text(plays, "gameId", set_at(0, "2017091004.25")), tmp / "plays.csv")


def _games_text(data: Path, tmp: Path) -> Path:
    games = pacsv.read_csv(data / "bdb2019" / "games.csv")
    return write(as_text(games, "gameId", set_at(0, "opening-day")), tmp / "games.csv")


def _targets_text(data: Path, tmp: Path) -> Path:
    targets = pacsv.read_csv(data / "bdb2021" / "targetedReciever.csv")
    return write(as_text(targets, "targetNflId", set_at(2, "abc")), tmp / "targets.csv")


def _targets_too_large(data: Path, tmp: Path) -> Path:
    targets = pacsv.read_csv(data / "bdb2021" / "targetedReciever.csv")
    edit = set_at(5, "99999999999999999999")
    return write(as_text(targets, "targetNflId", edit), tmp / "targets.csv")


BAD_SIDE_FILES: dict[str, tuple[SideBuilder, str, tuple[str, ...]]] = {
    "players nflId text": (_players_text, "players", ("players.csv", "'nflId'", "'abc'")),
    "players nflId fraction": (_players_fraction, "players", ("players.csv", "'nflId'",
                                                              "79860.5")),
    "plays playId text": (_plays_text, "plays", ("plays.csv", "'playId'", "'play-7'")),
    "plays gameId fraction": (_plays_game_fraction, "plays", ("plays.csv", "'gameId'")),
    "games gameId text": (_games_text, "games", ("games.csv", "'gameId'")),
    "targets targetNflId text": (_targets_text, "targets", ("targets.csv", "'targetNflId'")),
    "targets beyond int64": (_targets_too_large, "targets", ("targets.csv", "'targetNflId'",
                                                             "int64")),
}


def _side_kwargs(data: Path, kind: str, bad: Path) -> dict[str, Path]:
    folder = data / "bdb2019"
    files = {"players": folder / "players.csv", "plays": folder / "plays.csv.gz",
             "games": folder / "games.csv"}
    if kind != "targets":
        files[kind] = bad
    return files


@pytest.mark.parametrize("case", sorted(BAD_SIDE_FILES))
def test_bad_id_in_a_side_file_in_process(case: str, data_dir: Path, tmp_path: Path) -> None:
    build, kind, names = BAD_SIDE_FILES[case]
    bad = build(data_dir, tmp_path)
    with pytest.raises(ghosting.InputError) as info:
        if kind == "targets":
            ghosting.read_targets(bad)
        else:
            ghosting.read_tracking(data_dir / GAME_2019, **_side_kwargs(data_dir, kind, bad))
    for name in names:
        assert name in str(info.value)
    assert "Arrow" not in type(info.value).__name__


@pytest.mark.parametrize("command", ["score", "run"])
@pytest.mark.parametrize("case", sorted(BAD_SIDE_FILES))
def test_bad_id_in_a_side_file_cli(case: str, command: str, data_dir: Path,
                                   tmp_path: Path) -> None:
    build, kind, names = BAD_SIDE_FILES[case]
    bad = build(data_dir, tmp_path)
    side = _side_kwargs(data_dir, kind, bad)
    plays_flag = "--plays"
    args: list = [data_dir / GAME_2019, "--players", side["players"], plays_flag, side["plays"],
                  "--games", side["games"]]
    if kind == "targets":
        args += ["--targets", bad]
    assert_cli_fails(command, args, tmp_path, *names)


# name -> (edits the shipped 2021 week file, what the message names)
BAD_TRACKING: dict[str, tuple[Callable[[pa.Table], pa.Table], tuple[str, ...]]] = {
    "nflId text": (lambda t: as_text(t, "nflId", set_at(5, "abc")), ("'nflId'", "'abc'")),
    "frameId fraction": (lambda t: as_text(t, "frameId", set_at(9, "1.5")), ("'frameId'",
                                                                             "'1.5'")),
    "gameId beyond int64": (lambda t: as_text(t, "gameId", set_at(0, "99999999999999999999")),
                            ("'gameId'", "int64")),
    "frameId beyond int32": (lambda t: as_text(t, "frameId", set_at(1, "3000000000")),
                             ("'frameId'", "32 bits")),
    "playId boolean-looking": (lambda t: as_text(t, "playId", set_at(2, "true")),
                               ("'playId'", "'true'")),
}


@pytest.mark.parametrize("case", sorted(BAD_TRACKING))
def test_bad_id_in_tracking(case: str, raw2021: pa.Table, tmp_path: Path) -> None:
    edit, names = BAD_TRACKING[case]
    path = write(edit(raw2021), tmp_path / "week13.csv")
    with pytest.raises(ghosting.InputError) as info:
        ghosting.read_tracking(path)
    for name in ("week13.csv", *names):
        assert name in str(info.value)
    assert_cli_fails("clean", [path], tmp_path, "week13.csv", *names)


def test_float_ids_above_2_53_in_parquet_are_refused(raw2021: pa.Table, tmp_path: Path) -> None:
    """A float64 id above 2**53 may already have lost digits: refused, not rounded."""
    ids = pc.cast(pc.add(raw2021["nflId"], BIG), pa.float64(), safe=False)
    path = tmp_path / "week13.parquet"
    pq.write_table(raw2021.set_column(raw2021.schema.get_field_index("nflId"), "nflId", ids),
                   path)
    with pytest.raises(ghosting.InputError, match=r"week13.parquet: column 'nflId'.*2\*\*53"):
        ghosting.read_tracking(path)
    assert_cli_fails("score", [path], tmp_path, "week13.parquet", "'nflId'", "2**53")


# ------------------------------------------------- 2: re-saved ids, ids above 2**53


@pytest.mark.parametrize("column", ["nflId", "gameId", "playId", "frameId"])
def test_resaved_float_ids_read_as_the_integers(column: str, raw2021: pa.Table,
                                                canonical2021: pa.Table, tmp_path: Path) -> None:
    path = write(as_text(raw2021, column, as_float_text), tmp_path / "week13.csv")
    rows_equal(canonical2021, ghosting.read_tracking(path))


def test_resaved_float_target_and_player_ids(data_dir: Path, targets2021: pa.Table,
                                             tmp_path: Path) -> None:
    raw = pacsv.read_csv(data_dir / "bdb2021" / "targetedReciever.csv")
    for column in raw.column_names:
        raw = as_text(raw, column, as_float_text)
    got = ghosting.read_targets(write(raw, tmp_path / "targets.csv"))
    assert got.to_pylist() == targets2021.to_pylist()
    players = as_text(pacsv.read_csv(data_dir / "bdb2019" / "players.csv"), "nflId",
                      as_float_text)
    folder = data_dir / "bdb2019"
    resaved = ghosting.read_tracking(folder / GAME_2019.split("/")[1],
                                     players=write(players, tmp_path / "players.csv"))
    shipped = ghosting.read_tracking(folder / GAME_2019.split("/")[1],
                                     players=folder / "players.csv")
    assert resaved["position"].to_pylist() == shipped["position"].to_pylist()
    assert read_report(resaved)["positions_from_players"] == \
        read_report(shipped)["positions_from_players"] > 300_000


def test_ids_above_2_53_end_to_end(raw2021: pa.Table, data_dir: Path, plays2021: pa.Table,
                                   tmp_path: Path) -> None:
    """nflIds of BIG + id in tracking and target file: exact, same plays, same scores
    (``ghosting score`` raised IndexError at scoring/real.py)."""
    week = write(shifted(raw2021, "nflId", BIG), tmp_path / "week13.csv")
    raw_targets = pacsv.read_csv(data_dir / "bdb2021" / "targetedReciever.csv")
    targets = write(shifted(raw_targets, "targetNflId", BIG), tmp_path / "targets.csv")
    tracking = ghosting.read_tracking(week)
    ids = set(tracking["nfl_id"].to_pylist()) - {0}
    assert min(ids) > 2**53 and (min(ids) - BIG) in set(raw2021["nflId"].drop_null().to_pylist())
    plays = pass_plays(tracking, targets=targets)
    assert plays["analysable"].to_pylist() == plays2021["analysable"].to_pylist()
    expected = [None if t is None else t + BIG for t in plays2021["targeted_receiver"].to_pylist()]
    assert plays["targeted_receiver"].to_pylist() == expected

    out = tmp_path / "out"
    result = ghosting_cli("score", week, "--targets", targets, *cli_outputs("score", out))
    assert result.returncode == 0, result.stderr
    result = ghosting_cli("score", data_dir / GAME_2021, "--targets",
                          data_dir / "bdb2021" / "targetedReciever.csv",
                          "-o", tmp_path / "small.parquet")
    assert result.returncode == 0, result.stderr
    big, small = pq.read_table(out / "scores.parquet"), pq.read_table(tmp_path / "small.parquet")
    assert big.num_rows == small.num_rows > 250
    assert (big["nfl_id"].to_numpy() - small["nfl_id"].to_numpy() == BIG).all()
    np.testing.assert_array_equal(big["ts"].to_numpy(), small["ts"].to_numpy())


# ----------------------------------------------------- 3: no sentinel for "unknown"


@pytest.mark.parametrize("by", [-100, -1_000_000])
def test_negative_frame_ids_are_frames(by: int, raw2021: pa.Table, canonical2021: pa.Table,
                                       plays2021: pa.Table, targets2021: pa.Table,
                                       tmp_path: Path) -> None:
    week = write(shifted(raw2021, "frameId", by), tmp_path / "week13.csv")
    tracking = ghosting.read_tracking(week)
    assert tracking["frame_id"].to_pylist() == pc.add(canonical2021["frame_id"], by).to_pylist()
    plays = pass_plays(tracking, targets=targets2021)
    assert plays["reason"].to_pylist() == plays2021["reason"].to_pylist()
    for column in ("pass_forward_frame", "arrival_frame"):
        expected = [None if f is None else f + by for f in plays2021[column].to_pylist()]
        assert plays[column].to_pylist() == expected
    scores = ghosting.score_real(tracking, plays)
    reference = ghosting.score_real(canonical2021, plays2021)
    np.testing.assert_array_equal(scores.trajectories["ts"].to_numpy(),
                                  reference.trajectories["ts"].to_numpy())


# ------------------------------------------------------- 4: keys of large game/play ids


def _two_games(canonical: pa.Table, games: tuple[int, int], play_offsets: tuple[int, int]
               ) -> pa.Table:
    parts = []
    for game, offset in zip(games, play_offsets, strict=True):
        part = canonical.set_column(0, "game_id", pa.array(np.full(canonical.num_rows, game)))
        parts.append(shifted(part, "play_id", offset))
    return pa.concat_tables(parts)


@pytest.mark.parametrize(
    ("games", "play_offsets"),
    [((7, 8), (10**6, 0)),  # 7 * 10**6 + (p + 10**6) == 8 * 10**6 + p: the old keys collided
     ((2**62, 2**62 + 1), (0, 0))],  # 2**62 * 10**6 overflowed int64
    ids=["play ids >= 10**6", "game ids near 2**62"],
)
def test_large_game_and_play_ids_keep_their_windows(
    games: tuple[int, int], play_offsets: tuple[int, int], canonical2021: pa.Table,
    plays2021: pa.Table,
) -> None:
    model = ghosting.GhostModel.load()
    doubled = _two_games(canonical2021, games, play_offsets)
    plays = pass_plays(doubled)
    single = pass_plays(canonical2021)
    assert plays.num_rows == 2 * single.num_rows
    original = cut_ghost_inputs(canonical2021, single, history=model.history, targets="all")
    both = cut_ghost_inputs(doubled, plays, history=model.history, targets="all")
    assert len(both) == 2 * len(original)
    for game, offset in zip(games, play_offsets, strict=True):
        part = both.take(both.game_id == game)
        np.testing.assert_array_equal(part.play_id - offset, original.play_id)
        np.testing.assert_array_equal(part.nfl_id, original.nfl_id)
        np.testing.assert_array_equal(part.defender, original.defender)
        np.testing.assert_array_equal(part.receiver, original.receiver)
    once = what_if_validity(model, original, _real_targets(original, single))
    twice = what_if_validity(model, both, _real_targets(both, plays))
    assert twice["n_cases"] == 2 * once["n_cases"] > 0
    assert twice["n_better"] == 2 * once["n_better"]


def _real_targets(windows, plays: pa.Table) -> np.ndarray:
    real = {(row["game_id"], row["play_id"]): row["targeted_receiver"]
            for row in plays.to_pylist()}
    return np.array([real[g, p] == t for g, p, t in zip(
        windows.game_id.tolist(), windows.play_id.tolist(), windows.target_nfl_id.tolist(),
        strict=True)])


# --------------------------------------------------------------- 5, 6, 7: target files


def _targets_with(targets: pa.Table, rows: list[tuple[int, int, int | None]]) -> pa.Table:
    extra = pa.table({"game_id": pa.array([r[0] for r in rows], pa.int64()),
                      "play_id": pa.array([r[1] for r in rows], pa.int64()),
                      "target_nfl_id": pa.array([r[2] for r in rows], pa.int64())})
    return pa.concat_tables([targets.replace_schema_metadata(None), extra])


def _replace_target(targets: pa.Table, play: int, target: int) -> pa.Table:
    ids = pc.if_else(pc.equal(targets["play_id"], play), pa.scalar(target, pa.int64()),
                     targets["target_nfl_id"])
    return targets.set_column(2, "target_nfl_id", ids).replace_schema_metadata(None)


@pytest.mark.parametrize("position", ["CB", "FS", "QB"])
def test_target_file_naming_a_non_receiver_is_refused(
    position: str, canonical2021: pa.Table, plays2021: pa.Table, targets2021: pa.Table,
    data_dir: Path, tmp_path: Path,
) -> None:
    game = canonical2021["game_id"][0].as_py()
    play, player, _ = a_play(plays2021, canonical2021, position)
    bad = _replace_target(targets2021, play, player)
    row = by_play(pass_plays(canonical2021, targets=bad))[play]
    assert not row["analysable"] and row["targeted_receiver"] is None
    assert row["reason"] == TARGET_FILE_REASONS["not_eligible"]
    assert row["reason"] in REASONS and "eligible offensive receiver" in row["reason"]
    skipped = ghosting.score_real(canonical2021, targets=bad).skipped.to_pylist()
    assert {"game_id": game, "play_id": play, "nfl_id": None,
            "reason": TARGET_FILE_REASONS["not_eligible"]} in skipped
    # the other plays keep their target
    others = pass_plays(canonical2021, targets=bad).filter(pc.not_equal(
        pass_plays(canonical2021, targets=bad)["play_id"], play))
    assert others["targeted_receiver"].to_pylist() == plays2021.filter(pc.not_equal(
        plays2021["play_id"], play))["targeted_receiver"].to_pylist()


def test_na_target_means_no_target(canonical2021: pa.Table, targets2021: pa.Table,
                                   data_dir: Path, tmp_path: Path) -> None:
    official = {r["play_id"]: r["target_nfl_id"] for r in targets2021.to_pylist()
                if r["game_id"] == 2018120600}
    assert official[NA_PLAY] is None
    row = by_play(pass_plays(canonical2021, targets=targets2021))[NA_PLAY]
    assert row["reason"] == "target file gives no target (NA)" and not row["analysable"]
    assert row["targeted_receiver"] is None and row["target_source"] is None
    inferred = by_play(pass_plays(canonical2021, targets=targets2021,
                                  infer_missing_targets=True))[NA_PLAY]
    assert inferred["target_source"] == "inference" and inferred["analysable"]
    plain = ghosting.score_real(canonical2021, targets=targets2021)
    anyway = ghosting.score_real(canonical2021, targets=targets2021, infer_missing_targets=True)
    assert NA_PLAY not in plain.plays["play_id"].to_pylist()
    assert NA_PLAY in anyway.plays["play_id"].to_pylist()
    # the command line scores it no more
    out = tmp_path / "out"
    result = ghosting_cli("score", data_dir / GAME_2021, "--targets",
                          data_dir / "bdb2021" / "targetedReciever.csv",
                          *cli_outputs("score", out))
    assert result.returncode == 0, result.stderr
    assert NA_PLAY not in pq.read_table(out / "plays.parquet")["play_id"].to_pylist()
    summary = json.loads((out / "summary.json").read_text())
    reason = "target file gives no target (NA)"
    assert {"game_id": 2018120600, "play_id": NA_PLAY, "reason": reason, "detail": reason,
            "nfl_ids": []} in summary["skipped_plays"]
    assert [2018120600, NA_PLAY] in summary["skipped_plays_by_reason"][reason]


def test_contradictory_target_rows_are_refused(canonical2021: pa.Table, plays2021: pa.Table,
                                               targets2021: pa.Table, tmp_path: Path) -> None:
    play, other, target = a_play(plays2021, canonical2021, "WR")
    if other == target:
        other = by_play(plays2021)[play]["eligible_receivers"][-1]
    assert other != target
    conflicting = _targets_with(targets2021, [(2018120600, play, other)])
    path = write(conflicting.rename_columns(["gameId", "playId", "targetNflId"]),
                 tmp_path / "targets.csv")
    read = ghosting.read_targets(path)
    assert read_report(read)["conflicting_plays"] == 1
    assert read_report(read)["duplicate_rows"] == 0
    row = by_play(pass_plays(canonical2021, targets=path))[play]
    assert row["reason"] == TARGET_FILE_REASONS["conflicting"]
    assert row["targeted_receiver"] is None
    # a target and NA for one play disagree too
    with_na = _targets_with(targets2021, [(2018120600, play, None)])
    assert by_play(pass_plays(canonical2021, targets=with_na))[play]["reason"] == \
        TARGET_FILE_REASONS["conflicting"]


def test_exact_duplicate_target_rows_are_counted_and_harmless(
    canonical2021: pa.Table, plays2021: pa.Table, targets2021: pa.Table, tmp_path: Path
) -> None:
    play, _, target = a_play(plays2021, canonical2021, "WR")
    repeated = _targets_with(targets2021, [(2018120600, play, target)] * 2)
    path = write(repeated.rename_columns(["gameId", "playId", "targetNflId"]),
                 tmp_path / "targets.csv")
    read = ghosting.read_targets(path)
    assert read_report(read)["duplicate_rows"] == 2
    assert read_report(read)["conflicting_plays"] == 0
    rows_equal(pass_plays(canonical2021, targets=read), plays2021)


# -------------------------------------------------------------- 7, 8: pass_forward events


def _add_event(raw: pa.Table, play: int, frame: int, event: str) -> pa.Table:
    where = pc.and_(pc.equal(raw["playId"], play), pc.equal(raw["frameId"], frame))
    return raw.set_column(raw.schema.get_field_index("event"), "event",
                          pc.if_else(where, event, raw["event"]))


@pytest.mark.parametrize("offset", [-3, 4])
def test_two_pass_forward_frames_take_the_first(offset: int, raw2021: pa.Table,
                                                canonical2021: pa.Table, plays2021: pa.Table,
                                                tmp_path: Path) -> None:
    row = plays2021.filter(plays2021["analysable"]).to_pylist()[0]
    play, forward = row["play_id"], row["pass_forward_frame"]
    assert forward + offset < row["arrival_frame"]
    raw = _add_event(raw2021, play, forward + offset, "pass_forward")
    tracking = ghosting.read_tracking(write(raw, tmp_path / "week13.csv"))
    assert read_report(tracking)["plays_with_repeated_pass_forward"] == 1
    assert read_report(canonical2021)["plays_with_repeated_pass_forward"] == 0
    got = by_play(pass_windows(tracking))[play]
    assert got["pass_forward_frame"] == min(forward, forward + offset)
    assert got["arrival_frame"] == row["arrival_frame"]


def test_autoevent_passforward_stands_in(raw2021: pa.Table, canonical2021: pa.Table,
                                         tmp_path: Path) -> None:
    """BDB 2023 to 2025 files mark some throws ``autoevent_passforward`` only."""
    event = raw2021["event"]
    auto = pc.if_else(pc.equal(event, "pass_forward"), "autoevent_passforward", event)
    raw = raw2021.set_column(raw2021.schema.get_field_index("event"), "event", auto)
    tracking = ghosting.read_tracking(write(raw, tmp_path / "week13.csv"))
    assert pass_windows(tracking).to_pylist() == pass_windows(canonical2021).to_pylist()
    # beside a real pass_forward (at another frame) it is ignored
    both = pc.if_else(pc.equal(raw2021["frameId"], 5), "autoevent_passforward", event)
    raw = raw2021.set_column(raw2021.schema.get_field_index("event"), "event", both)
    tracking = ghosting.read_tracking(write(raw, tmp_path / "week13b.csv"))
    windows = pass_windows(canonical2021)
    known = pc.is_valid(windows["pass_forward_frame"])
    assert pass_windows(tracking).filter(known).to_pylist() == windows.filter(known).to_pylist()


# ----------------------------------------------------------- 8: layouts and spellings


@pytest.mark.parametrize("spelling", ["position", "PositionAbbr", "officialPosition"])
def test_2023_layout_with_every_position_spelling(spelling: str, raw2021: pa.Table,
                                                  canonical2021: pa.Table, data_dir: Path,
                                                  tmp_path: Path) -> None:
    cols = ("gameId,playId,nflId,frameId,time,jerseyNumber,team,playDirection,x,y,s,a,dis,o,"
            "dir,event").split(",")
    event = pc.if_else(pc.equal(raw2021["event"], "None"), pa.scalar(None, pa.string()),
                       raw2021["event"])
    raw = raw2021.set_column(raw2021.schema.get_field_index("event"), "event", event)
    week = write(raw.select(cols), tmp_path / "week1.csv")
    players = pacsv.read_csv(data_dir / "bdb2021" / "players.csv")
    players = players.rename_columns([spelling if c == "position" else c
                                      for c in players.column_names])
    got = ghosting.read_tracking(week, players=write(players, tmp_path / "players.csv"))
    assert read_report(got)["layout"] == "bdb2023"
    assert got["position"].to_pylist() == canonical2021["position"].to_pylist()
    assert got["side"].to_pylist() == canonical2021["side"].to_pylist()
    assert pass_plays(got)["analysable"].to_pylist() == \
        pass_plays(canonical2021)["analysable"].to_pylist()


def test_contradictory_player_rows_take_the_first(data_dir: Path, tmp_path: Path) -> None:
    folder = data_dir / "bdb2019"
    players = pacsv.read_csv(folder / "players.csv")
    shipped = ghosting.read_tracking(folder / GAME_2019.split("/")[1], players=folder /
                                     "players.csv")
    tracked = shipped.filter(pc.equal(shipped["position"], "WR"))["nfl_id"][0].as_py()
    again = players.filter(pc.equal(players["nflId"], tracked))
    again = again.set_column(again.schema.get_field_index("PositionAbbr"), "PositionAbbr",
                             pa.array(["CB"] * again.num_rows))
    path = write(pa.concat_tables([players, again]), tmp_path / "players.csv")
    got = ghosting.read_tracking(folder / GAME_2019.split("/")[1], players=path)
    assert read_report(got)["players_conflicting_positions"] == 1
    assert read_report(shipped)["players_conflicting_positions"] == 0
    assert got["position"].to_pylist() == shipped["position"].to_pylist()


# ----------------------------------------------------------------- 9: polars LazyFrame


def test_polars_lazyframe_is_collected(data_dir: Path, raw2021: pa.Table) -> None:
    pl = pytest.importorskip("polars")
    frame = pl.from_arrow(raw2021)
    players = pl.read_csv(data_dir / "bdb2021" / "players.csv")
    eager = ghosting.read_tracking(frame, players=players)
    lazy = ghosting.read_tracking(frame.lazy(), players=players.lazy())
    rows_equal(eager, lazy)
    assert lazy.num_rows == raw2021.num_rows
    assert ghosting.read_targets(pl.read_csv(data_dir / "bdb2021" / "targetedReciever.csv",
                                             null_values="NA").lazy()).num_rows == 19_239


# ----------------------------------------------------- 10: runs that score nothing say why


def test_2019_without_players_says_to_pass_them(data_dir: Path, tmp_path: Path) -> None:
    tracking = ghosting.read_tracking(data_dir / GAME_2019)
    plays = pass_plays(tracking)
    reasons = set(plays["reason"].to_pylist())
    assert not pc.any(plays["analysable"]).as_py()
    assert f"sides unknown: no player positions ({PLAYERS_HINT})" in reasons
    assert reasons <= set(REASONS)
    assert all(r == "no pass_forward" or PLAYERS_HINT in r for r in reasons)
    out = tmp_path / "out"
    result = ghosting_cli("score", data_dir / GAME_2019, *cli_outputs("score", out))
    assert result.returncode == 3, result.stderr  # pass plays read, none scored
    assert "--players" in result.stderr  # the hint
    summary = json.loads((out / "summary.json").read_text())
    assert summary["counts"]["plays_scored"] == 0
    by_reason = summary["counts"]["skipped_by_reason"]
    hinted = {r: n for r, n in by_reason.items() if PLAYERS_HINT in r}
    assert sum(hinted.values()) >= 60  # the 68 passes, less any without an arrival
    for reason in by_reason:
        assert not any(ch.isdigit() for ch in reason.split("(")[0]), reason  # no ids


def test_positions_missing_with_sides_known_says_to_pass_players(data_dir: Path) -> None:
    """Highlights without their position columns: sides from possessionFlag, but no
    receivers can be told."""
    raw = sorted((data_dir / "ngs_highlights" / "raw").glob("*.tsv.gz"))
    table = pa.concat_tables([pacsv.read_csv(p, parse_options=pacsv.ParseOptions(
        delimiter="\t")) for p in raw], promote_options="permissive")
    tracking = ghosting.read_tracking(table.drop_columns(["position", "positionGroup"]))
    plays = pass_plays(tracking.drop_columns(["play_description"]))
    passes = plays.filter(pc.is_valid(plays["arrival_frame"]))
    assert passes.num_rows >= 3
    assert set(passes["reason"].to_pylist()) == {
        f"no eligible receivers: no player positions ({PLAYERS_HINT})"}


def test_2026_output_alone_says_it_needs_its_input(data_dir: Path, tmp_path: Path) -> None:
    path = data_dir / "bdb2026" / "output_2023_w18.csv.gz"
    plays = pass_plays(ghosting.read_tracking(path))
    assert set(plays["reason"].to_pylist()) == {
        "positions only: a 2026 output file needs its matching input file"}
    out = tmp_path / "out"
    result = ghosting_cli("score", path, *cli_outputs("score", out))
    assert result.returncode == 3, result.stderr  # pass plays read, none scored
    assert "matching input file" in result.stderr  # the hint
    summary = json.loads((out / "summary.json").read_text())
    by_reason = summary["counts"]["skipped_by_reason"]
    assert list(by_reason) == [
        "positions only: a 2026 output file needs its matching input file"]
    assert by_reason[
        "positions only: a 2026 output file needs its matching input file"] == plays.num_rows


# ------------------------------------------------------- the id parser on its own


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (pa.array(["33131.0", "9007199254740993", None, ""]), [33131, 2**53 + 1, None, None]),
        (pa.array([" 7 ", "+5", "-3", "+6.0", "-4.00"]), [7, 5, -3, 6, -4]),
        (pa.array(["2.495469e+06"]), [2495469]),
        (pa.array([2495469.0, float("nan")]), [2495469, None]),
        (pa.array([2**63 - 1], pa.uint64()), [2**63 - 1]),
        (pa.array(["9007199254740993.00"]).cast(pa.decimal128(20, 2)), [2**53 + 1]),
        (pa.array(["2018120600"]).dictionary_encode(), [2018120600]),
    ],
    ids=["text", "signs and spaces", "scientific", "float", "uint64", "decimal", "dictionary"],
)
def test_parse_ids_exact(values: pa.Array, expected: list) -> None:
    from ghosting.io.ids import parse_ids

    got = parse_ids(values, "f.csv", "nflId")
    assert got.type == pa.int64()
    assert got.to_pylist() == expected


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (pa.array(["12", "abc"]), "'abc' is not an integer"),
        (pa.array(["1.5e0"]), "'1.5e0' is not an integer"),
        (pa.array([0.5]), "0.5 is not an integer"),
        (pa.array([float(2**60)]), "above 2**53"),
        (pa.array(["99999999999999999999"]), "beyond the int64 range"),
        (pa.array([2**64 - 1], pa.uint64()), "beyond the int64 range"),
        (pa.array([True]), "its type is bool"),
    ],
    ids=["text", "fraction text", "fraction", "float above 2**53", "beyond int64",
         "uint64 beyond int64", "boolean"],
)
def test_parse_ids_refuses(values: pa.Array, message: str) -> None:
    from ghosting.io.ids import parse_ids

    with pytest.raises(ghosting.InputError) as info:
        parse_ids(values, "f.csv", "nflId")
    assert str(info.value).startswith("f.csv: column 'nflId' must hold integer ids; ")
    assert message in str(info.value)

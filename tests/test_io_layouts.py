"""Layouts without a real sample (BDB 2022 to 2025, 2026 input): written from the 2021
game in the exact shipped column order, read back, compared with the 2021 reading."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pytest

import ghosting
from ghosting.io import read_report
from ghosting.io.layouts import LAYOUTS
from ghosting.plays import pass_plays, pass_windows

GAME = "bdb2021/week13_game_2018120600.csv.gz"
KEYS = ["game_id", "play_id", "nfl_id", "frame_id"]
MEASURED = ["x", "y", "s", "a", "dis", "o", "dir"]


@pytest.fixture(scope="module")
def raw2021(data_dir: Path) -> pa.Table:
    """The 2021 game as shipped (no conversions beyond pyarrow's type inference)."""
    return pacsv.read_csv(data_dir / GAME)


@pytest.fixture(scope="module")
def canonical2021(data_dir: Path) -> pa.Table:
    return ghosting.read_tracking(data_dir / GAME)


def _write(table: pa.Table, columns: str, path: Path) -> Path:
    names = columns.split(",")
    assert names == list(LAYOUTS[_layout_of(path)].columns)
    pacsv.write_csv(table.select(names), path,
                    pacsv.WriteOptions(quoting_style="needed"))
    return path


def _layout_of(path: Path) -> str:
    return path.name.split("__")[0]


def _event_nulls(raw: pa.Table) -> pa.Table:
    """Later layouts write no event as NA (empty), not the literal "None"."""
    event = pc.if_else(pc.equal(raw["event"], "None"), pa.scalar(None, pa.string()),
                       raw["event"])
    return raw.set_column(raw.schema.get_field_index("event"), "event", event)


def _assert_same(expected: pa.Table, got: pa.Table, columns: list[str]) -> None:
    assert got.num_rows == expected.num_rows
    for name in columns:
        a, b = expected[name], got[name]
        if pa.types.is_floating(a.type):
            np.testing.assert_array_equal(a.to_numpy(), b.to_numpy(), err_msg=name)
        else:
            assert a.to_pylist() == b.to_pylist(), name


def _club_abbreviations(raw: pa.Table, data_dir: Path) -> pa.Array:
    games = pacsv.read_csv(data_dir / "bdb2021" / "games.csv")
    row = pc.index(games["gameId"], raw["gameId"][0]).as_py()
    home, away = games["homeTeamAbbr"][row].as_py(), games["visitorTeamAbbr"][row].as_py()
    team = raw["team"]
    return pc.if_else(pc.equal(team, "home"), home,
                      pc.if_else(pc.equal(team, "away"), away, team))


def test_2022_layout(raw2021, canonical2021, tmp_path):
    cols = ("time,x,y,s,a,dis,o,dir,event,nflId,displayName,jerseyNumber,position,team,"
            "frameId,gameId,playId,playDirection")
    path = _write(raw2021, cols, tmp_path / "bdb2022__tracking2018.csv")
    got = ghosting.read_tracking(path)
    assert read_report(got)["layout"] == "bdb2022"
    assert "route" not in got.column_names
    _assert_same(canonical2021, got, [f.name for f in ghosting.schema.CANONICAL_SCHEMA])


def test_2023_layout_positions_from_players(raw2021, canonical2021, data_dir, tmp_path):
    cols = ("gameId,playId,nflId,frameId,time,jerseyNumber,team,playDirection,x,y,s,a,dis,o,"
            "dir,event")
    path = _write(_event_nulls(raw2021), cols, tmp_path / "bdb2023__week1.csv")
    with pytest.raises(ghosting.MissingColumnsError, match="possessionTeam"):
        # a plays file must give the possession team or the description
        ghosting.read_tracking(path, plays=data_dir / "bdb2021" / "players.csv")
    got = ghosting.read_tracking(path, players=data_dir / "bdb2021" / "players.csv")
    report = read_report(got)
    assert report["layout"] == "bdb2023"
    assert report["positions_from_players"] > 0
    _assert_same(canonical2021, got,
                 [*KEYS, *MEASURED, "event", "jersey_number", "club", "play_direction"])
    assert got["display_name"].null_count == got.num_rows
    # sides decided from the QB's club with the players file's positions
    same_side = pc.equal(canonical2021["side"], got["side"])
    assert pc.all(pc.fill_null(same_side, False)).as_py()


@pytest.mark.parametrize("year", [2024, 2025])
def test_2024_2025_layouts(year, raw2021, canonical2021, data_dir, tmp_path):
    raw = _event_nulls(raw2021)
    raw = raw.append_column("club", _club_abbreviations(raw, data_dir))
    ball = pc.equal(raw["team"], "football")
    raw = raw.set_column(raw.schema.get_field_index("displayName"), "displayName",
                         pc.if_else(ball, "football", raw["displayName"]))
    if year == 2024:
        cols = ("gameId,playId,nflId,displayName,frameId,time,jerseyNumber,club,playDirection,"
                "x,y,s,a,dis,o,dir,event")
    else:
        frame_type = pc.if_else(pc.fill_null(pc.equal(raw["event"], "ball_snap"), False),
                                "SNAP", "AFTER_SNAP")
        raw = raw.append_column("frameType", frame_type)
        cols = ("gameId,playId,nflId,displayName,frameId,frameType,time,jerseyNumber,club,"
                "playDirection,x,y,s,a,dis,o,dir,event")
    path = _write(raw, cols, tmp_path / f"bdb{year}__tracking_week_1.csv")
    got = ghosting.read_tracking(path, players=data_dir / "bdb2021" / "players.csv")
    assert read_report(got)["layout"] == f"bdb{year}"
    _assert_same(canonical2021, got,
                 [*KEYS, *MEASURED, "event", "jersey_number", "play_direction", "side"])
    assert set(pc.unique(got["club"]).to_pylist()) == {"JAX", "TEN", None}


def _input_2026(raw: pa.Table, canonical: pa.Table, data_dir: Path) -> tuple[pa.Table, pa.Table]:
    """A 2026 input file from the 2021 game: players up to the throw, roles, landing point."""
    windows = pass_windows(canonical).drop_null()
    targets = ghosting.read_targets(data_dir / "bdb2021" / "targetedReciever.csv")
    windows = windows.join(targets, ["game_id", "play_id"], join_type="inner").drop_null()
    sides = canonical.select([*KEYS, "side"]).filter(pc.not_equal(canonical["nfl_id"], 0))
    sides = sides.set_column(3, "frame_id", sides["frame_id"].cast(pa.int64()))
    renamed = raw.rename_columns([
        {"gameId": "game_id", "playId": "play_id", "nflId": "nfl_id", "frameId": "frame_id",
         "playDirection": "play_direction", "displayName": "player_name",
         "position": "player_position"}.get(c, c) for c in raw.column_names])
    ball = renamed.filter(pc.equal(renamed["team"], "football"))
    land = ball.join(windows, ["game_id", "play_id"], join_type="inner")
    land = land.filter(pc.equal(land["frame_id"], land["arrival_frame"].cast(pa.int64())))
    land = land.select(["game_id", "play_id", "x", "y"]).rename_columns(
        ["game_id", "play_id", "ball_land_x", "ball_land_y"])
    players = renamed.filter(pc.not_equal(renamed["team"], "football"))
    inner = {"join_type": "inner"}
    players = players.join(sides, KEYS, **inner).join(windows, ["game_id", "play_id"], **inner)
    players = players.join(land, ["game_id", "play_id"], **inner)
    players = players.filter(
        pc.less_equal(players["frame_id"], players["pass_forward_frame"].cast(pa.int64())))
    players = players.sort_by([(k, "ascending") for k in KEYS])
    offense = pc.equal(players["side"], "offense")
    targeted = pc.equal(players["nfl_id"], players["target_nfl_id"])
    role = pc.if_else(targeted, "Targeted Receiver",
                      pc.if_else(pc.equal(players["player_position"], "QB"), "Passer",
                                 pc.if_else(offense, "Other Route Runner", "Defensive Coverage")))
    n = players.num_rows
    columns = {
        "player_to_predict": pc.or_(targeted, pc.invert(offense)),
        "absolute_yardline_number": pa.nulls(n, pa.int64()),
        "player_height": pa.array(["6-1"] * n),
        "player_weight": pa.array(np.full(n, 200)),
        "player_birth_date": pa.array(["1995-01-01"] * n),
        "player_side": pc.if_else(offense, "Offense", "Defense"),
        "player_role": role,
        "num_frames_output": pc.subtract(players["arrival_frame"], players["pass_forward_frame"]),
    }
    for name, values in columns.items():
        players = players.append_column(name, values)
    return players, windows


def test_2026_input_layout(raw2021, canonical2021, data_dir, tmp_path):
    table, windows = _input_2026(raw2021, canonical2021, data_dir)
    cols = ("game_id,play_id,player_to_predict,nfl_id,frame_id,play_direction,"
            "absolute_yardline_number,player_name,player_height,player_weight,"
            "player_birth_date,player_position,player_side,player_role,x,y,s,a,dir,o,"
            "num_frames_output,ball_land_x,ball_land_y")
    path = _write(table, cols, tmp_path / "bdb2026_input__input_2023_w01.csv")
    got = ghosting.read_tracking(path)
    report = read_report(got)
    assert report["layout"] == "bdb2026_input"
    assert report["columns_filled_nan"] == ["dis"]
    assert report["sides"]["methods"] == ["player_side"]

    # the same rows of the 2021 reading: players up to the throw of the targeted plays
    expected = canonical2021.join(windows.select(["game_id", "play_id", "pass_forward_frame"]),
                                  ["game_id", "play_id"])
    expected = expected.filter(pc.and_(
        pc.not_equal(expected["nfl_id"], 0),
        pc.less_equal(expected["frame_id"], expected["pass_forward_frame"])))
    expected = expected.sort_by([(k, "ascending") for k in KEYS])
    _assert_same(expected, got, [*KEYS, "x", "y", "s", "a", "o", "dir", "side", "position",
                                 "display_name", "play_direction"])
    assert got["player_to_predict"].type == pa.bool_()

    # pass plays: window from num_frames_output, target from the role, landing point given
    plays = pass_plays(got)
    reference = pass_plays(canonical2021)
    reference = reference.filter(pc.is_in(reference["play_id"], windows["play_id"]))
    plays = plays.sort_by("play_id")
    assert plays["play_id"].to_pylist() == reference["play_id"].to_pylist()
    assert plays["pass_forward_frame"].to_pylist() == reference["pass_forward_frame"].to_pylist()
    assert plays["arrival_frame"].to_pylist() == reference["arrival_frame"].to_pylist()
    np.testing.assert_allclose(plays["ball_land_x"].to_numpy(), reference["ball_land_x"].to_numpy())
    np.testing.assert_allclose(plays["ball_land_y"].to_numpy(), reference["ball_land_y"].to_numpy())
    # the target comes from the role whenever the targeted receiver is tracked
    tracked = set(zip(table["play_id"].to_pylist(), table["nfl_id"].to_pylist(), strict=True))
    by_play = dict(zip(windows["play_id"].to_pylist(), windows["target_nfl_id"].to_pylist(),
                       strict=True))
    expected_targets = [by_play[p] if (p, by_play[p]) in tracked else None
                        for p in plays["play_id"].to_pylist()]
    assert sum(t is not None for t in expected_targets) >= len(expected_targets) - 1
    assert plays["targeted_receiver"].to_pylist() == expected_targets
    sources = plays["target_source"].to_pylist()
    assert sources == ["player_role" if t is not None else None for t in expected_targets]


def test_forced_layout_and_aliases(raw2021, canonical2021, tmp_path):
    path = tmp_path / "bdb2021__week13.csv"
    pacsv.write_csv(raw2021, path)
    for name in ("bdb2021", "2021"):
        got = ghosting.read_tracking(path, layout=name)
        assert read_report(got)["layout"] == "bdb2021"
    with pytest.raises(ghosting.LayoutError, match="unknown layout"):
        ghosting.read_tracking(path, layout="bdb1999")
    # forcing a layout whose columns are absent names them
    with pytest.raises(ghosting.MissingColumnsError, match="club"):
        ghosting.read_tracking(path, layout="bdb2024")


def test_2026_output_read_with_its_input(raw2021, canonical2021, data_dir, tmp_path):
    """Output frames continue the input's, and take its players' side and direction."""
    table, windows = _input_2026(raw2021, canonical2021, data_dir)
    input_cols = list(LAYOUTS["bdb2026_input"].columns)
    input_path = tmp_path / "bdb2026_input__input_2023_w01.csv"
    pacsv.write_csv(table.select(input_cols), input_path)

    # the output: scored players while the ball is in the air, frames from 1, x and y only
    raw = raw2021.rename_columns([{"gameId": "game_id", "playId": "play_id",
                                   "nflId": "nfl_id", "frameId": "frame_id"}.get(c, c)
                                  for c in raw2021.column_names])
    last = table.group_by(["game_id", "play_id"]).aggregate([("frame_id", "max")])
    scored = table.filter(table["player_to_predict"]).select(["game_id", "play_id", "nfl_id"])
    scored = scored.group_by(["game_id", "play_id", "nfl_id"]).aggregate([])
    inner = {"join_type": "inner"}
    flight = raw.join(scored, ["game_id", "play_id", "nfl_id"], **inner).join(
        windows, ["game_id", "play_id"], **inner).join(last, ["game_id", "play_id"], **inner)
    frame = flight["frame_id"]
    in_air = pc.and_(pc.greater(frame, flight["frame_id_max"]),
                     pc.less_equal(frame, flight["arrival_frame"].cast(pa.int64())))
    flight = flight.filter(in_air)
    flight = flight.set_column(flight.schema.get_field_index("frame_id"), "frame_id",
                               pc.subtract(flight["frame_id"], flight["frame_id_max"]))
    output_path = tmp_path / "bdb2026_output__output_2023_w01.csv"
    pacsv.write_csv(flight.select(list(LAYOUTS["bdb2026_output"].columns)), output_path)

    got = ghosting.read_tracking([input_path, output_path])
    report = read_report(got)
    assert report["layout"] == ["bdb2026_input", "bdb2026_output"]
    assert report["output_rows_paired_with_input"] == flight.num_rows > 1000
    assert report["output_rows_without_input"] == 0
    assert report["conflicting_duplicates"] == 0
    assert got.num_rows == table.num_rows + flight.num_rows

    # each output row equals the 2021 reading of that player and (original) frame
    expected = {(r["play_id"], r["nfl_id"], r["frame_id"]): r for r in canonical2021.select(
        ["play_id", "nfl_id", "frame_id", "x", "y", "side", "position", "play_direction"]
    ).to_pylist()}
    outputs = got.filter(pc.is_nan(got["s"]))  # the output rows carry only x, y
    assert outputs.num_rows == flight.num_rows
    for row in outputs.to_pylist():
        want = expected[row["play_id"], row["nfl_id"], row["frame_id"]]
        for name in ("x", "y", "side", "position", "play_direction"):
            assert row[name] == want[name], name

    # the pass window still comes out right: the throw is the last input frame
    plays = pass_plays(got).sort_by("play_id")
    reference = pass_plays(canonical2021)
    reference = reference.filter(pc.is_in(reference["play_id"], windows["play_id"]))
    assert plays["pass_forward_frame"].to_pylist() == reference["pass_forward_frame"].to_pylist()
    assert plays["arrival_frame"].to_pylist() == reference["arrival_frame"].to_pylist()

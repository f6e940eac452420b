"""Names, teams, positions and the play's situation in every output table; the
coordinate frame and the way back to raw coordinates; Results as DataFrames."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pytest

import ghosting
from ghosting import pipeline
from ghosting.schema import DEFENSIVE_BACKS

GAME_2021 = "bdb2021/week13_game_2018120600.csv.gz"


@pytest.fixture(scope="module")
def results_2021(data_dir: Path) -> ghosting.Results:
    return ghosting.run(data_dir / GAME_2021, targets=data_dir / "bdb2021/targetedReciever.csv")


@pytest.fixture(scope="module")
def raw_2021(data_dir: Path) -> pa.Table:
    with gzip.open(data_dir / GAME_2021, "rb") as fh:
        return pacsv.read_csv(fh, convert_options=pacsv.ConvertOptions(
            null_values=["NA", ""], strings_can_be_null=True))


def _scored(plays: pa.Table) -> pa.Table:
    return plays.filter(pc.equal(plays["status"], "scored"))


def test_schemas_are_the_public_ones() -> None:
    results = ghosting.run(ghosting.synth.generate_plays(3, seed=1))
    for name, schema in pipeline.SCHEMAS.items():
        assert getattr(results, name).schema.equals(schema), name
    for column in ("display_name", "position", "club", "play_direction"):
        assert column in pipeline.TRAJECTORIES_SCHEMA.names
    for column in ("display_name", "position", "club", "target_display_name"):
        assert column in pipeline.SCORES_SCHEMA.names
    for column in ("play_description", "quarter", "down", "yards_to_go", "possession_team",
                   "play_direction", "line_of_scrimmage", "first_down_line", "passer_nfl_id",
                   "passer_display_name", "target_display_name", "best_option_display_name"):
        assert column in pipeline.PLAYS_SCHEMA.names
    assert {"display_name", "position", "club"} <= set(pipeline.OPTION_TYPE.names)


def test_2021_players_carry_name_position_team(results_2021, raw_2021) -> None:
    raw = raw_2021.filter(pc.is_valid(raw_2021["nflId"]))
    people = {
        int(i): (n, p, t)
        for i, n, p, t in zip(raw["nflId"].to_pylist(), raw["displayName"].to_pylist(),
                              raw["position"].to_pylist(), raw["team"].to_pylist(), strict=True)
    }
    scores = results_2021.scores
    assert scores.num_rows > 1000
    for row in scores.select(["nfl_id", "display_name", "position", "club", "target_nfl_id",
                              "target_display_name", "target_position"]).to_pylist():
        assert (row["display_name"], row["position"], row["club"]) == people[row["nfl_id"]]
        assert row["position"] in DEFENSIVE_BACKS
        assert row["club"] in ("home", "away")
        name, position, _ = people[row["target_nfl_id"]]
        assert (row["target_display_name"], row["target_position"]) == (name, position)
    traj = results_2021.trajectories
    players = traj.filter(pc.not_equal(traj["nfl_id"], 0))
    assert players["display_name"].null_count == 0
    assert players["jersey_number"].null_count == 0  # ghost rows too
    ball = traj.filter(pc.equal(traj["nfl_id"], 0))
    assert ball.num_rows and ball["club"].null_count == ball.num_rows  # the ball has no club


def test_2021_plays_carry_passer_target_and_direction(results_2021, raw_2021) -> None:
    plays = _scored(results_2021.plays)
    assert plays.num_rows == 64
    assert set(plays["passer_display_name"].to_pylist()) == {"Marcus Mariota", "Cody Kessler"}
    assert plays["target_display_name"].null_count == 0
    directions = dict(zip(raw_2021["playId"].to_pylist(),
                          raw_2021["playDirection"].to_pylist(), strict=True))
    for row in plays.to_pylist():
        assert row["play_direction"] == directions[row["play_id"]]
        assert row["possession_team"] in ("home", "away")
        # the passer is on the offense: his club is the possession team
        options = row["options"]
        assert all(o["display_name"] for o in options)
        real = [o for o in options if o["is_real_target"]]
        assert real[0]["display_name"] == row["target_display_name"]
        best = [o for o in options if o["rank"] == 1][0]
        assert best["display_name"] == row["best_option_display_name"]
        assert 10.0 < row["line_of_scrimmage"] < 110.0
    # no plays file here: no description or down
    assert plays["play_description"].null_count == plays.num_rows


def test_to_raw_coordinates_gives_back_the_file(results_2021, raw_2021) -> None:
    traj = results_2021.trajectories
    real = traj.filter(pc.and_(pc.equal(traj["kind"], "real"), pc.not_equal(traj["nfl_id"], 0)))
    back = ghosting.to_raw_coordinates(real)
    raw = raw_2021.filter(pc.is_valid(raw_2021["nflId"]))
    lookup = {
        (p, int(n), f): (x, y)
        for p, n, f, x, y in zip(raw["playId"].to_pylist(), raw["nflId"].to_pylist(),
                                 raw["frameId"].to_pylist(), raw["x"].to_pylist(),
                                 raw["y"].to_pylist(), strict=True)
    }
    rows = back.select(["play_id", "nfl_id", "frame_id", "x", "y", "play_direction"]).to_pylist()
    left = 0
    for row in rows:
        x, y = lookup[(row["play_id"], row["nfl_id"], row["frame_id"])]
        assert row["x"] == pytest.approx(x, abs=1e-9)
        assert row["y"] == pytest.approx(y, abs=1e-9)
        left += row["play_direction"] == "left"
    assert 0 < left < len(rows)  # both directions checked


def test_to_raw_coordinates_through_the_plays_table() -> None:
    table = pa.table({"game_id": [1, 1, 2], "play_id": [5, 6, 5], "x": [30.0, 30.0, None],
                      "dir": [10.0, 10.0, 350.0], "line_of_scrimmage": [25.0, 25.0, 40.0]})
    plays = pa.table({"game_id": [1, 1, 2], "play_id": [5, 6, 5],
                      "play_direction": ["left", "right", "left"]})
    out = ghosting.to_raw_coordinates(table, plays=plays)
    assert out["x"].to_pylist() == [90.0, 30.0, None]
    assert out["dir"].to_pylist() == [190.0, 10.0, 170.0]
    assert out["line_of_scrimmage"].to_pylist() == [95.0, 25.0, 80.0]
    with pytest.raises(ghosting.MissingColumnsError, match="play_direction"):
        ghosting.to_raw_coordinates(table)
    pd = pytest.importorskip("pandas")
    frame = ghosting.to_raw_coordinates(table.to_pandas(), plays=plays)
    assert isinstance(frame, pd.DataFrame) and frame["x"].tolist()[:2] == [90.0, 30.0]


def test_highlight_play_has_its_situation(data_dir: Path) -> None:
    path = data_dir / "ngs_highlights/raw/2018_ARI_2018092311_141.tsv.gz"
    results = ghosting.run(path)
    plays = _scored(results.plays)
    assert plays.num_rows == 1
    row = plays.to_pylist()[0]
    with gzip.open(path, "rb") as fh:
        raw = pacsv.read_csv(fh, parse_options=pacsv.ParseOptions(delimiter="\t"),
                             convert_options=pacsv.ConvertOptions(
                                 column_types={"gameClock": pa.string()}))
    first = raw.slice(0, 1).to_pylist()[0]
    assert row["play_description"] == first["playDescription"]
    assert (row["quarter"], row["down"], row["yards_to_go"]) == (
        first["quarter"], first["down"], first["yardsToGo"])
    assert row["game_clock"] == first["gameClock"]
    assert row["play_direction"] == first["playDirection"] == "left"
    assert row["possession_team"] == "ARI"
    assert row["passer_display_name"] == "Sam Bradford"
    assert row["target_display_name"] == "Ricky Seals-Jones"
    # the line of scrimmage is the ball at the snap; mirrored, the shipped yardline
    snap = raw.filter(pc.and_(pc.equal(raw["event"], "ball_snap"),
                              pc.equal(raw["displayName"], "ball")))
    assert row["line_of_scrimmage"] == pytest.approx(120.0 - snap["x"][0].as_py())
    assert abs((120.0 - row["line_of_scrimmage"]) - first["absoluteYardlineNumber"]) < 1.5
    assert row["first_down_line"] == pytest.approx(row["line_of_scrimmage"] + first["yardsToGo"])


def test_plays_file_gives_description_and_down(data_dir: Path) -> None:
    folder = data_dir / "bdb2019"
    tracking = ghosting.read_tracking(
        folder / "tracking_gameId_2017090700.csv.gz", players=folder / "players.csv",
        plays=folder / "plays.csv.gz", games=folder / "games.csv")
    results = ghosting.run(tracking)
    plays = _scored(results.plays)
    assert plays.num_rows > 30
    assert plays["play_description"].null_count == 0
    assert plays["down"].null_count == 0
    assert set(plays["down"].to_pylist()) <= {1, 2, 3, 4}
    assert set(plays["possession_team"].to_pylist()) == {"KC", "NE"}
    los = np.asarray(plays["line_of_scrimmage"].to_numpy(zero_copy_only=False), float)
    first_down = np.asarray(plays["first_down_line"].to_numpy(zero_copy_only=False), float)
    to_go = np.asarray(plays["yards_to_go"].to_numpy(zero_copy_only=False), float)
    np.testing.assert_allclose(first_down, np.minimum(los + to_go, 110.0))
    for row in plays.select(["play_description", "passer_display_name"]).to_pylist():
        # "(14:54) (Shotgun) T.Brady pass short right to ...": the passer's last name
        assert row["passer_display_name"].split()[-1] in row["play_description"]


# ---------------------------------------------------------------- pictures and report


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory) -> Path:
    pytest.importorskip("matplotlib")
    out = tmp_path_factory.mktemp("analyst") / "out"
    pipeline.run_files(None, out, demo_plays=4, demo_seed=2)
    return out


def _first_scored(outdir: Path) -> tuple[int, int]:
    import pyarrow.parquet as pq

    plays = pq.read_table(outdir / "plays.parquet")
    row = _scored(plays).to_pylist()[0]
    return row["game_id"], row["play_id"]


@pytest.mark.parametrize(
    ("suffix", "magic"),
    [(".png", b"\x89PNG\r\n\x1a\n"), (".svg", b"<?xml"), (".pdf", b"%PDF-"),
     (".jpg", b"\xff\xd8\xff"), (".jpeg", b"\xff\xd8\xff")],
)
def test_plot_writes_the_format_its_suffix_names(demo_out, tmp_path, suffix, magic) -> None:
    from ghosting.cli import main

    game_id, play_id = _first_scored(demo_out)
    path = tmp_path / f"play{suffix}"
    assert main(["plot", str(demo_out), "--play", f"{game_id}:{play_id}", "-o", str(path)]) == 0
    data = path.read_bytes()
    assert data.startswith(magic), data[:16]
    if suffix == ".svg":
        assert b"<svg" in data[:2000]


@pytest.mark.parametrize("name", ["play.gif", "play.txt", "play"])
def test_plot_refuses_other_suffixes(demo_out, tmp_path, capsys, name) -> None:
    from ghosting.cli import main

    game_id, play_id = _first_scored(demo_out)
    path = tmp_path / name
    code = main(["plot", str(demo_out), "--play", f"{game_id}:{play_id}", "-o", str(path)])
    assert code == 1
    err = capsys.readouterr().err
    assert "cannot write a picture" in err and ".png, .svg, .pdf" in err
    assert not path.exists()


def test_option_panels_fill_rows_evenly() -> None:
    from ghosting.plot import option_grid

    assert [option_grid(n) for n in range(1, 10)] == [
        (1, 1), (1, 2), (1, 3), (2, 2), (2, 3), (2, 3), (3, 3), (3, 3), (3, 3)]


def test_field_shows_scrimmage_first_down_and_legend(data_dir, tmp_path) -> None:
    pytest.importorskip("matplotlib")
    from ghosting.plot import plot_play

    results = ghosting.run(data_dir / "ngs_highlights/raw/2018_ARI_2018092311_141.tsv.gz")
    row = _scored(results.plays).to_pylist()[0]
    fig = plot_play(results, row["game_id"], row["play_id"])
    main = fig.axes[0]
    vertical = {round(line.get_xdata()[0], 2) for line in main.lines
                if len(line.get_xdata()) == 2 and line.get_xdata()[0] == line.get_xdata()[1]}
    assert round(row["line_of_scrimmage"], 2) in vertical
    assert round(row["first_down_line"], 2) in vertical
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "line of scrimmage" in labels and "first-down line" in labels
    assert "ghost defender" in labels
    texts = " ".join(t.get_text() for t in fig.texts)
    assert "Sam Bradford" in texts and "2nd & 6" in texts and "TOUCHDOWN" in texts
    y0, y1 = main.get_ylim()
    assert y0 < 0 and y1 > 160 / 3  # both sidelines whole
    assert main.get_xticks().size == 0  # yard numbers instead of x ticks
    numbers = {t.get_text() for t in main.texts}
    assert {"10", "20", "30", "40"} <= numbers


def test_report_for_analysts(data_dir, tmp_path) -> None:
    from ghosting.report import defender_table, write_report

    out = tmp_path / "out"
    results = ghosting.run(data_dir / "ngs_highlights/raw/2018_ARI_2018092311_141.tsv.gz")
    results.write(out)
    path = write_report(out, tmp_path / "r.html", top=2)
    text = path.read_text(encoding="utf-8")
    assert "throughput" not in text.lower() and "plays/s" not in text
    assert "Sam Bradford" in text and "Ricky Seals-Jones" in text
    assert "S.Bradford pass deep left to R.Seals-Jones" in text
    assert "Q1 12:20 · 2nd &amp; 6 · ARI ball" in text
    assert "Defensive backs" in text and 'class="sortable"' in text
    rows = defender_table(results.scores)
    real_rows = results.scores.filter(pc.equal(results.scores["is_real_target"], True))
    assert len(rows) == real_rows.num_rows  # one highlight play: one row per back
    for row in rows:
        one = real_rows.filter(pc.equal(real_rows["nfl_id"], row["nfl_id"])).to_pylist()[0]
        assert row["real_ts"] == pytest.approx(one["real_ts"])
        assert row["ghost_ts"] == pytest.approx(one["ts"])
        assert row["display_name"] in text


def test_report_when_nothing_was_scored(tmp_path) -> None:
    from ghosting.cli import main

    tracking = ghosting.synth.generate_plays(2, seed=4)
    event = pc.if_else(pc.equal(tracking["event"], "pass_forward"), None, tracking["event"])
    tracking = tracking.set_column(tracking.schema.get_field_index("event"), "event", event)
    ghosting.run(tracking).write(tmp_path / "out")
    path = tmp_path / "r.html"
    assert main(["report", str(tmp_path / "out"), "-o", str(path)]) == 0
    text = path.read_text(encoding="utf-8")
    assert "Nothing was scored" in text and "no pass_forward: 2" in text
    assert "never leaves another receiver more open" not in text
    assert "more open receiver" not in text


# ---------------------------------------------------------------- Results as DataFrames


@pytest.fixture(scope="module")
def demo_results() -> ghosting.Results:
    return ghosting.run(ghosting.synth.generate_plays(3, seed=1))


def test_to_pandas_keeps_integers(demo_results) -> None:
    pd = pytest.importorskip("pandas")
    plays = demo_results.to_pandas("plays")
    for column in ("game_id", "play_id", "targeted_receiver", "best_option", "passer_nfl_id"):
        assert plays[column].dtype == pd.Int64Dtype(), column
    for column in ("pass_forward_frame", "arrival_frame", "defenders", "down"):
        assert plays[column].dtype == pd.Int32Dtype(), column
    assert plays["status"].dtype == pd.StringDtype()
    scores = demo_results.to_pandas("scores")
    assert scores["nfl_id"].dtype == pd.Int64Dtype()
    assert scores["feasible"].dtype == pd.BooleanDtype()
    assert scores["ts"].dtype == np.float64
    # a null id stays <NA> beside the integers, not a float NaN
    traj = demo_results.to_pandas("trajectories")
    assert traj["frame_id"].dtype == pd.Int32Dtype()
    assert traj["nfl_id"].tolist() == demo_results.trajectories["nfl_id"].to_pylist()
    assert plays["down"].isna().all()  # synthetic plays have no down
    assert set(demo_results.to_pandas()) == {"trajectories", "scores", "plays", "passers"}


def test_to_polars(demo_results) -> None:
    pl = pytest.importorskip("polars")
    frames = demo_results.to_polars()
    assert set(frames) == {"trajectories", "scores", "plays", "passers"}
    plays = frames["plays"]
    assert isinstance(plays, pl.DataFrame)
    assert plays.schema["game_id"] == pl.Int64 and plays.schema["arrival_frame"] == pl.Int32
    assert plays.height == demo_results.plays.num_rows
    assert plays["play_id"].to_list() == demo_results.plays["play_id"].to_pylist()
    options = plays.schema["options"]
    assert isinstance(options, pl.List)
    with pytest.raises(ghosting.InputError, match="table must be one of"):
        demo_results.to_polars("nope")


def test_to_polars_without_polars_names_the_extra(demo_results, monkeypatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "polars", None)
    with pytest.raises(ghosting.GhostingError, match=r"ghosting\[polars\]"):
        demo_results.to_polars("plays")


def test_report_never_overwrites_its_inputs(demo_out, capsys) -> None:
    from ghosting.cli import main

    before = (demo_out / "plays.parquet").read_bytes()
    code = main(["report", str(demo_out), "-o", str(demo_out / "plays.parquet")])
    assert code == 1
    assert "would overwrite an input" in capsys.readouterr().err
    assert (demo_out / "plays.parquet").read_bytes() == before


def test_a_ball_thrown_out_of_bounds_stays_in_the_picture(results_2021) -> None:
    pytest.importorskip("matplotlib")
    from ghosting.plot import plot_play

    plays = _scored(results_2021.plays)
    outside = plays.filter(pc.less(plays["ball_land_y"], -1.0)).to_pylist()
    assert outside  # the 2021 game has passes thrown beyond the sideline
    row = outside[0]
    fig = plot_play(results_2021, row["game_id"], row["play_id"])
    for ax in fig.axes:
        y0, y1 = ax.get_ylim()
        assert y0 < row["ball_land_y"] and y1 > 160 / 3

"""``ghosting score`` on synthetic plays (no real data needed)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

import ghosting
from ghosting.cli import main


def _as_bdb2021_csv(table: pa.Table, path: Path) -> None:
    """Write a canonical table in the BDB 2021 week-file layout (the original
    direction restored), the way the NFL ships it."""
    left = pc.equal(table["play_direction"], "left").to_numpy(zero_copy_only=False)
    x, y = table["x"].to_numpy(), table["y"].to_numpy()
    o, d = table["o"].to_numpy(), table["dir"].to_numpy()
    club = table["club"].to_pylist()
    first = next(c for c in club if c)
    columns = {
        "time": ["2030-01-01T00:00:00.000"] * table.num_rows,
        "x": np.where(left, 120.0 - x, x),
        "y": np.where(left, 160 / 3 - y, y),
        "s": table["s"],
        "a": table["a"],
        "dis": table["dis"],
        "o": np.where(left, (o + 180) % 360, o),
        "dir": np.where(left, (d + 180) % 360, d),
        "event": pc.fill_null(table["event"], "None"),
        "nflId": pc.if_else(pc.equal(table["nfl_id"], 0), None, table["nfl_id"]),
        "displayName": table["display_name"],
        "jerseyNumber": table["jersey_number"],
        "position": table["position"],
        "frameId": table["frame_id"],
        "team": ["football" if c is None else "home" if c == first else "away" for c in club],
        "gameId": table["game_id"],
        "playId": table["play_id"],
        "playDirection": table["play_direction"],
        "route": [None] * table.num_rows,
    }
    pacsv.write_csv(pa.table(columns), path)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> tuple[Path, Path]:
    """Six synthetic pass plays as a BDB 2021 week file and its target file."""
    folder = tmp_path_factory.mktemp("synth")
    table = ghosting.synth.generate_plays(6, seed=3)
    _as_bdb2021_csv(table, folder / "week1.csv")
    targets = ghosting.pass_plays(table).select(["game_id", "play_id", "targeted_receiver"])
    targets = targets.rename_columns(["gameId", "playId", "targetNflId"])
    pacsv.write_csv(targets, folder / "targets.csv")
    return folder / "week1.csv", folder / "targets.csv"


def test_score_writes_scores_plays_and_summary(synthetic, tmp_path: Path, capsys):
    week, targets = synthetic
    out, plays, summary = tmp_path / "s.parquet", tmp_path / "p.parquet", tmp_path / "s.json"
    code = main(
        [
            "score",
            str(week),
            "--targets",
            str(targets),
            "-o",
            str(out),
            "--play-scores",
            str(plays),
            "--json",
            str(summary),
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "plays 6" in printed and "mean TS" in printed
    scores, per_play = pq.read_table(out), pq.read_table(plays)
    report = json.loads(summary.read_text())
    counts = report["counts"]
    assert report["command"] == "score"
    assert counts["plays_read"] == 6
    assert counts["plays_scored"] + counts["plays_skipped"] == 6
    assert counts["plays_skipped"] == sum(counts["skipped_by_reason"].values())
    assert counts["real_trajectories"] == scores.num_rows > 0
    assert per_play.num_rows == counts["plays_scored"]
    assert scores.column_names == [
        "game_id",
        "play_id",
        "nfl_id",
        "position",
        "n_frames",
        "ps",
        "dr",
        "sp",
        "ts",
        "max_speed",
        "max_accel",
        "n_long_steps",
        "n_off_field",
        "weight",
    ]
    # The file agrees with the library on the same data.
    tracking = ghosting.clean(ghosting.read_tracking(week), policy="play")[0]
    direct = ghosting.score_real(tracking, targets=ghosting.read_targets(targets))
    np.testing.assert_allclose(
        scores.column("ts").to_numpy(), direct.trajectories.column("ts").to_numpy()
    )
    mean_ts = float(np.mean(scores.column("ts").to_numpy()))
    assert report["trajectory_score"]["real"]["ts"] == pytest.approx(mean_ts)


def test_score_options_change_the_scores(synthetic, tmp_path: Path):
    week = str(synthetic[0])
    base, other = tmp_path / "a.parquet", tmp_path / "b.parquet"
    assert main(["score", week, "-o", str(base), "--policy", "none"]) == 0
    assert (
        main(
            [
                "score",
                week,
                "-o",
                str(other),
                "--policy",
                "none",
                "--reference",
                "receiver",
                "--defenders",
                "all",
                "--weights",
                "linear",
            ]
        )
        == 0
    )
    a, b = pq.read_table(base), pq.read_table(other)
    assert b.num_rows > a.num_rows  # every defender, not only the backs
    assert set(b.column("position").to_pylist()) - ghosting.schema.DEFENSIVE_BACKS


def test_score_errors_are_clean(synthetic, tmp_path: Path, capsys):
    week = str(synthetic[0])
    assert main(["score", str(tmp_path / "missing.csv"), "-o", str(tmp_path / "s.parquet")]) == 1
    assert "ghosting score: error" in capsys.readouterr().err
    assert main(["score", week, "-o", week]) == 1
    assert "overwrite an input" in capsys.readouterr().err
    assert not (tmp_path / "s.parquet").exists()
    with pytest.raises(SystemExit):
        main(["score", week])  # -o is required


def test_track_policy_defenders_include_the_2026_coverage_role() -> None:
    """With --policy track, a dropped back's track is listed as a skipped defender; the
    backs are found by position or, in 2026 data, by the "Defensive Coverage" role."""
    from ghosting.scoring.files import _defender_keys

    table = pa.table(
        {
            "game_id": [1, 1, 1, 1],
            "play_id": [2, 2, 2, 2],
            "nfl_id": [10, 11, 12, 13],
            "side": ["defense", "defense", "defense", "offense"],
            "position": ["CB", None, "DT", "WR"],
            "player_role": [None, "Defensive Coverage", "Pass Rush", "Targeted Receiver"],
        }
    )
    assert _defender_keys(table, "backs") == {(1, 2, 10), (1, 2, 11)}
    assert _defender_keys(table, "all") == {(1, 2, 10), (1, 2, 11), (1, 2, 12)}
    no_role = table.drop_columns(["player_role"])
    assert _defender_keys(no_role, "backs") == {(1, 2, 10)}


def test_defender_rows_is_the_one_definition_of_a_defensive_back() -> None:
    """ghosting.plays.defender_rows finds backs by position or 2026 role, and names the
    missing column; score's track-policy bookkeeping and score_real both use it."""
    from ghosting.errors import InputError
    from ghosting.plays import defender_rows

    table = pa.table(
        {
            "side": ["defense", "defense", "defense", "offense", None],
            "position": ["FS", None, "LB", "CB", "CB"],
            "player_role": [None, "Defensive Coverage", "Pass Rush", None, None],
        }
    )
    assert defender_rows(table).tolist() == [True, True, False, False, False]
    assert defender_rows(table, "all").tolist() == [True, True, True, False, False]
    with pytest.raises(InputError, match="'side'"):
        defender_rows(table.drop_columns(["side"]))
    with pytest.raises(InputError, match="'position'"):
        defender_rows(table.drop_columns(["position", "player_role"]))
    assert defender_rows(table.drop_columns(["position", "player_role"]), "all").sum() == 3

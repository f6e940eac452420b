"""The Trajectory Score on real plays (GHOSTING_DATA): mean TS of real defensive-back
trajectories per dataset, the random-replacement sanity check, and the CLI's
accounting of every play. Skipped when the data folder is absent."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

import ghosting
from ghosting.scoring import random_replacement, real_trajectories, trajectory_score

DATASETS = {
    "bdb2019": dict(
        source="bdb2019/tracking_gameId_2017090700.csv.gz",
        players="bdb2019/players.csv",
        plays="bdb2019/plays.csv.gz",
        games="bdb2019/games.csv",
    ),
    "bdb2021": dict(source="bdb2021/week13_game_2018120600.csv.gz"),
    "highlights": dict(source="ngs_highlights/highlights.parquet"),
}
TARGETS = {"bdb2021": "bdb2021/targetedReciever.csv"}


@pytest.fixture(scope="module", params=list(DATASETS))
def dataset(request, data_dir: Path):
    name = request.param
    kwargs = {k: str(data_dir / v) for k, v in DATASETS[name].items()}
    tracking = ghosting.read_tracking(kwargs.pop("source"), **kwargs)
    cleaned, _ = ghosting.clean(tracking, policy="play")
    targets = ghosting.read_targets(data_dir / TARGETS[name]) if name in TARGETS else None
    plays = ghosting.pass_plays(cleaned, targets)
    return name, tracking, cleaned, plays


def test_real_defensive_backs_score(dataset):
    name, tracking, cleaned, plays = dataset
    result = ghosting.score_real(cleaned, plays)
    summary = result.summary()
    traj = result.trajectories
    print(
        f"\n{name}: {summary['n_trajectories']} trajectories of {summary['n_plays_scored']} plays, "
        f"mean TS {summary['mean_ts']:+.4f}, mean play score {summary['mean_play_score']:+.4f} "
        "(paper, real trajectories: -0.1036)"
    )
    assert summary["n_trajectories"] > 200
    assert set(traj.column("position").to_pylist()) <= ghosting.schema.DEFENSIVE_BACKS
    ts = traj.column("ts").to_numpy()
    assert np.all(np.isfinite(ts))
    # Cleaned with the play policy: no superhuman step, no one off the field.
    assert traj.column("sp").to_numpy().sum() == 0
    assert traj.column("n_long_steps").to_numpy().sum() == 0
    assert np.all(traj.column("max_speed").to_numpy() <= 12.5 + 1e-9)
    # Real defenders close in on the catch point more often than not (the paper's
    # premise), and score inside the "typical" range of DESIGN section 5.
    assert np.mean(traj.column("ps").to_numpy() < 0) > 0.5
    assert -2.0 < summary["mean_ts"] < 2.0
    assert summary["mean_play_score"] < summary["mean_ts"]  # near defenders close in best


def test_random_replacement_raises_mean_score(dataset):
    """The paper's sanity check: 25% of the defenders replaced by random runs
    (random direction, speed uniform up to the defender's mean speed) score worse."""
    name, _, cleaned, plays = dataset
    real = real_trajectories(cleaned, plays)
    base = trajectory_score(real.defender_xy, real.receiver_xy, offsets=real.offsets)
    rises = []
    for seed in range(20):
        xy, replaced = random_replacement(real.defender_xy, offsets=real.offsets, seed=seed)
        assert replaced.sum() == round(0.25 * len(real))
        np.testing.assert_array_equal(xy[real.offsets[:-1]], real.defender_xy[real.offsets[:-1]])
        moved = trajectory_score(xy, real.receiver_xy, offsets=real.offsets)
        rises.append(float(np.mean(moved.ts) - np.mean(base.ts)))
    rise = np.array(rises)
    print(
        f"\n{name}: mean TS {np.mean(base.ts):+.4f} -> rise with 25% random trajectories "
        f"{rise.mean():+.4f} (sd {rise.std():.4f} over 20 seeds; paper +0.0452)"
    )
    # The mean over seeds rises by more than 3 standard errors; on the highlights
    # (1,500 trajectories of longer flights) every single seed does.
    assert rise.mean() > 3 * rise.std() / np.sqrt(len(rise))
    if name == "highlights":
        assert rise.min() > 0


def test_score_cli_accounts_for_every_play_of_the_2021_game(data_dir: Path, tmp_path: Path):
    game = data_dir / "bdb2021/week13_game_2018120600.csv.gz"
    out, plays_out, summary_out = (tmp_path / n for n in ("s.parquet", "p.parquet", "s.json"))
    cmd = [
        sys.executable,
        "-m",
        "ghosting",
        "score",
        str(game),
        "--targets",
        str(data_dir / "bdb2021/targetedReciever.csv"),
        "-o",
        str(out),
        "--play-scores",
        str(plays_out),
        "--json",
        str(summary_out),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "mean TS" in proc.stdout
    summary = json.loads(summary_out.read_text())
    scores, plays = pq.read_table(out), pq.read_table(plays_out)
    counts = summary["counts"]
    assert counts["plays_read"] == 73
    skipped = {(s["game_id"], s["play_id"]) for s in summary["skipped_plays"]}
    scored = set(
        zip(plays.column("game_id").to_pylist(), plays.column("play_id").to_pylist(), strict=True)
    )
    assert not skipped & scored
    assert len(skipped | scored) == 73
    assert all(s["reason"] for s in summary["skipped_plays"])
    assert counts["plays_scored"] == plays.num_rows == len(scored)
    assert counts["real_trajectories"] == scores.num_rows
    real = summary["trajectory_score"]["real"]
    assert real["ts"] == pytest.approx(float(np.mean(scores.column("ts").to_numpy())))
    assert sum(counts["skipped_by_reason"].values()) == len(skipped) == counts["plays_skipped"]
    assert not list(tmp_path.glob(".*.tmp"))  # atomic writes left nothing behind

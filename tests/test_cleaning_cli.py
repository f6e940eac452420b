"""`ghosting clean` end to end, in a subprocess, on synthetic plays written to Parquet."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ghosting import synth


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ghosting", "clean", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> tuple[Path, Path, int]:
    folder = tmp_path_factory.mktemp("clean_cli")
    first = synth.generate_plays(4, seed=1)
    # Damage one sample of the second file: a player off the field inside a pass window.
    second = synth.generate_plays(3, seed=2, start_game_id=9_100_000_001)
    df = second.select(["nfl_id", "event", "frame_id", "play_id"]).to_pandas()
    forward = int(df[(df.event == "pass_forward")].frame_id.iloc[0])
    play_id = int(df.play_id.iloc[0])
    row = int(np.flatnonzero((df.nfl_id != 0) & (df.frame_id == forward))[0])
    y = second["y"].to_numpy().copy()
    y[row] = -4.0
    second = second.set_column(second.schema.get_field_index("y"), "y", pa.array(y))
    paths = [folder / "week1.parquet", folder / "week2.parquet"]
    pq.write_table(first, paths[0])
    pq.write_table(second, paths[1])
    return paths[0], paths[1], play_id


def test_clean_two_files(inputs, tmp_path):
    first, second, damaged_play = inputs
    out, report = tmp_path / "out" / "clean.parquet", tmp_path / "report.json"
    proc = run(str(first), str(second), "-o", str(out), "--report", str(report), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "cleaned 2 file(s)" in proc.stdout and "1 play(s)" in proc.stdout
    assert "dropped plays: 1" in proc.stderr  # the per-file summary
    cleaned = pq.read_table(out)
    rows_in = pq.read_metadata(first).num_rows + pq.read_metadata(second).num_rows
    doc = json.loads(report.read_text())
    assert doc["totals"]["rows_in"] == rows_in
    assert doc["totals"]["rows_out"] == cleaned.num_rows < rows_in
    assert doc["totals"]["dropped_plays"] == 1
    assert [e["path"] for e in doc["inputs"]] == [str(first), str(second)]
    dropped = doc["inputs"][1]["cleaning"]["dropped_plays"]
    assert dropped[0]["play_id"] == damaged_play
    assert set(dropped[0]["reasons"]) == {"OFF_FIELD", "LONG_STEP"}
    # The output is canonical and cleaning it again drops nothing more.
    again = tmp_path / "again.parquet"
    proc = run(str(out), "-o", str(again), "-q", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout == ""
    assert pq.read_table(again).num_rows == cleaned.num_rows


def test_policy_and_limits(inputs, tmp_path):
    first = inputs[0]
    out, report = tmp_path / "o.parquet", tmp_path / "r.json"
    args = [str(first), "-o", str(out), "--report", str(report), "--policy", "sample"]
    proc = run(*args, "--v-max", "6", "--window", "all", "-q", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    cleaning = json.loads(report.read_text())["inputs"][0]["cleaning"]
    assert cleaning["policy"] == "sample" and cleaning["v_max"] == 6.0
    assert cleaning["flagged"]["OVER_SPEED"] > 0
    assert pq.read_table(out).num_rows == cleaning["rows_out"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: ["missing.parquet"], "missing.parquet: no such file or folder"),
        (lambda d: [_write(d / "odd.csv", "a,b\n1,2\n")], "odd.csv: the columns match no known"),
        (lambda d: [_write(d / "junk.parquet", "not parquet")], "junk.parquet"),
    ],
)
def test_bad_input_fails_cleanly(tmp_path, make, message):
    out = tmp_path / "out.parquet"
    existing = b"previous output"
    out.write_bytes(existing)
    proc = run(*map(str, make(tmp_path)), "-o", str(out), cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.startswith("ghosting clean: error:") and message in proc.stderr
    assert "Traceback" not in proc.stderr
    assert out.read_bytes() == existing  # untouched: outputs are atomic
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_usage_errors(tmp_path):
    proc = run("x.parquet", cwd=tmp_path)  # no -o
    assert proc.returncode == 2 and "-o/--output" in proc.stderr
    proc = run("x.parquet", "-o", "y.parquet", "--policy", "game", cwd=tmp_path)
    assert proc.returncode == 2 and "invalid choice" in proc.stderr


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path

"""``ghosting forecast`` on synthetic Big Data Bowl 2026 input files: the predictions,
the submission CSV's round trip through the 2026 output reader, and bad input."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from forecast_synth import write_2026_pair

import ghosting
from ghosting.cli import main
from ghosting.forecast.model import DEFAULT_FORECAST_DIR
from ghosting.io import read_report
from ghosting.io.layouts import LAYOUTS


@pytest.fixture(scope="module")
def pair(tmp_path_factory) -> tuple[Path, Path]:
    return write_2026_pair(tmp_path_factory.mktemp("bdb2026"), n_plays=6, seed=2)


@pytest.fixture(scope="module")
def forecast(pair, tmp_path_factory):
    out = tmp_path_factory.mktemp("forecast")
    code = main(["forecast", str(pair[0]), "-o", str(out / "pred.parquet"),
                 "--submission", str(out / "sub.csv"), "-q"])
    assert code == 0
    return pq.read_table(out / "pred.parquet"), out / "sub.csv"


def test_forecast_predicts_every_scored_player_frame(pair, forecast):
    pred, _ = forecast
    truth = pacsv.read_csv(pair[1])  # the scored players while the ball is in the air
    inputs = pacsv.read_csv(pair[0])
    last = inputs.group_by(["game_id", "play_id"]).aggregate([("frame_id", "max")])
    truth = truth.join(last, ["game_id", "play_id"])
    want = set(zip(truth["game_id"].to_pylist(), truth["play_id"].to_pylist(),
                   truth["nfl_id"].to_pylist(),
                   pc.add(truth["frame_id"], truth["frame_id_max"]).to_pylist(), strict=True))
    got = list(zip(pred["game_id"].to_pylist(), pred["play_id"].to_pylist(),
                   pred["nfl_id"].to_pylist(), pred["frame_id"].to_pylist(), strict=True))
    assert len(got) == len(set(got)) == len(want)
    assert set(got) == want
    assert np.isfinite(pred["x"].to_numpy()).all()


def test_forecast_beats_standing_still_on_synthetic_flights(pair, forecast):
    """The predictions are real forecasts: closer to the truth than the throw position."""
    pred, _ = forecast
    both = ghosting.read_tracking(list(pair))
    truth = both.select(["game_id", "play_id", "nfl_id", "frame_id", "x", "y"]).rename_columns(
        ["game_id", "play_id", "nfl_id", "frame_id", "tx", "ty"])
    joined = pred.join(truth, ["game_id", "play_id", "nfl_id", "frame_id"])
    assert joined.num_rows == pred.num_rows
    err = np.hypot(joined["x"].to_numpy() - joined["tx"].to_numpy(),
                   joined["y"].to_numpy() - joined["ty"].to_numpy())
    plays = ghosting.pass_plays(both)
    start = both.join(plays.select(["game_id", "play_id", "pass_forward_frame"]),
                      ["game_id", "play_id"])
    start = start.filter(pc.equal(start["frame_id"], start["pass_forward_frame"]))
    start = start.select(["game_id", "play_id", "nfl_id", "x", "y"]).rename_columns(
        ["game_id", "play_id", "nfl_id", "sx", "sy"])
    still = joined.join(start, ["game_id", "play_id", "nfl_id"])
    err_still = np.hypot(still["sx"].to_numpy() - still["tx"].to_numpy(),
                         still["sy"].to_numpy() - still["ty"].to_numpy())
    assert np.sqrt(np.mean(err**2)) < 0.7 * np.sqrt(np.mean(err_still**2))


def test_submission_round_trips_through_the_2026_output_reader(pair, forecast, tmp_path):
    pred, sub_path = forecast
    sub = pacsv.read_csv(sub_path)
    assert sub.column_names == ["id", "x", "y"]
    assert sub_path.read_text().splitlines()[0] == "id,x,y"
    parts = [s.split("_") for s in sub["id"].to_pylist()]
    assert all(len(p) == 4 for p in parts)
    ids = np.array(parts, dtype=np.int64)
    # the ids are exactly those of the 2026 output file (frames counted from the throw)
    truth = pacsv.read_csv(pair[1])
    want = {f"{g}_{p}_{n}_{f}" for g, p, n, f in zip(
        *(truth[c].to_pylist() for c in ("game_id", "play_id", "nfl_id", "frame_id")),
        strict=True)}
    assert set(sub["id"].to_pylist()) == want
    # written as a 2026 output file, read with its input: back to the predictions
    as_output = pa.table({"game_id": ids[:, 0], "play_id": ids[:, 1], "nfl_id": ids[:, 2],
                          "frame_id": ids[:, 3], "x": sub["x"], "y": sub["y"]})
    out_path = tmp_path / "output_2023_w01.csv"
    pacsv.write_csv(as_output.select(list(LAYOUTS["bdb2026_output"].columns)), out_path)
    back = ghosting.read_tracking([pair[0], out_path])
    report = read_report(back)
    assert report["output_rows_paired_with_input"] == sub.num_rows
    assert report["output_rows_without_input"] == 0
    flight = back.filter(pc.is_nan(back["s"]))  # output rows carry positions only
    key = ["game_id", "play_id", "nfl_id", "frame_id"]
    flight = flight.select([*key, "x", "y"]).rename_columns([*key, "bx", "by"])
    joined = pred.join(flight, key)
    assert joined.num_rows == pred.num_rows == sub.num_rows
    np.testing.assert_allclose(joined["bx"].to_numpy(), joined["x"].to_numpy(), atol=1e-9)
    np.testing.assert_allclose(joined["by"].to_numpy(), joined["y"].to_numpy(), atol=1e-9)
    # the plays going left were mirrored back to their raw frame in the CSV
    raw_in = pacsv.read_csv(pair[0])
    left = set(raw_in.filter(pc.equal(raw_in["play_direction"], "left"))["play_id"].to_pylist())
    assert left
    normal = dict(zip(zip(*(pred[c].to_pylist() for c in key), strict=True),
                      pred["x"].to_pylist(), strict=True))
    pf = dict(zip(raw_in["play_id"].to_pylist(), raw_in["frame_id"].to_pylist(), strict=True))
    last = {p: max(f for q, f in zip(raw_in["play_id"].to_pylist(),
                                     raw_in["frame_id"].to_pylist(), strict=True) if q == p)
            for p in pf}
    for (g, p, n, f), x in zip(ids.tolist(), sub["x"].to_pylist(), strict=True):
        x_norm = normal[(g, p, n, last[p] + f)]
        assert x == pytest.approx(120.0 - x_norm if p in left else x_norm, abs=1e-9)


def _run(args: list[str]) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    return subprocess.run([sys.executable, "-m", "ghosting", *args], capture_output=True,
                          text=True, env=env, timeout=300)


def test_no_pass_play_is_a_clear_error(pair, tmp_path):
    out = tmp_path / "pred.parquet"
    proc = _run(["forecast", str(pair[1]), "-o", str(out)])  # an output file alone
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "nothing to forecast" in proc.stderr
    assert not out.exists()


def test_outputs_never_overwrite_inputs(pair, tmp_path):
    copy = tmp_path / "input.csv"
    shutil.copy(pair[0], copy)
    before = copy.read_bytes()
    for flag in ("-o", "--submission"):
        args = ["forecast", str(copy), "-o", str(tmp_path / "p.parquet")]
        args = args[:2] + ["-o", str(copy)] if flag == "-o" else args + [flag, str(copy)]
        assert main(args) == 1
        assert copy.read_bytes() == before
    assert not (tmp_path / "p.parquet").exists()


def test_bad_model_and_bad_input(pair, tmp_path, capsys):
    out = tmp_path / "p.parquet"
    assert main(["forecast", str(pair[0]), "-o", str(out), "--model-sha256", "ab" * 32]) == 1
    assert "not the pinned" in capsys.readouterr().err
    broken = tmp_path / "model"
    shutil.copytree(DEFAULT_FORECAST_DIR, broken)
    (broken / "forecast.onnx").write_bytes((broken / "forecast.onnx").read_bytes()[:-1])
    assert main(["forecast", str(pair[0]), "-o", str(out), "--model", str(broken)]) == 1
    assert "does not match its card" in capsys.readouterr().err
    # a 2026 input file without its position column
    table = pacsv.read_csv(pair[0]).drop_columns(["x"])
    bad = tmp_path / "input_no_x.csv"
    pacsv.write_csv(table, bad)
    assert main(["forecast", str(bad), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "input_no_x.csv" in err and "x" in err
    assert main(["forecast", str(tmp_path / "missing.csv"), "-o", str(out)]) == 1
    assert "no such file" in capsys.readouterr().err
    assert not out.exists()


def test_every_defender_option(pair, forecast, tmp_path):
    pred, _ = forecast
    out = tmp_path / "all.parquet"
    assert main(["forecast", str(pair[0]), "-o", str(out), "--defenders", "all", "-q"]) == 0
    every = pq.read_table(out)
    assert every.num_rows >= pred.num_rows  # synthetic flags: every defender is scored
    assert set(pred["nfl_id"].to_pylist()) <= set(every["nfl_id"].to_pylist())

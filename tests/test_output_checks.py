"""The library functions behind the thin command line refuse, before reading or
drawing anything, an output that would overwrite what they read (plot, animate,
report, train, train-decision); the CLI modules only parse and call them."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

import ghosting
from ghosting import synth
from ghosting.animate import animate_play
from ghosting.decision.train import train_decision_files
from ghosting.model.train import train_model
from ghosting.pipeline import OUTPUT_FILES
from ghosting.plot import check_output_path, plot_play
from ghosting.report import write_report


@pytest.fixture
def run_folder(tmp_path) -> Path:
    """A folder holding a run's file names (check_output_path reads none of them)."""
    folder = tmp_path / "out"
    folder.mkdir()
    for name in OUTPUT_FILES:
        (folder / name).write_bytes(b"input")
    return folder


@pytest.mark.parametrize("name", OUTPUT_FILES)
def test_check_output_path_refuses_each_file_of_the_run_folder(run_folder, name):
    with pytest.raises(ghosting.InputError, match="would overwrite an input"):
        check_output_path(run_folder, run_folder / name)


def test_check_output_path_refuses_the_folder_and_a_hard_link(run_folder, tmp_path):
    with pytest.raises(ghosting.InputError, match="is the run folder read"):
        check_output_path(run_folder, run_folder)
    link = tmp_path / "plays_link.png"
    link.hardlink_to(run_folder / "plays.parquet")
    with pytest.raises(ghosting.InputError, match="would overwrite an input"):
        check_output_path(run_folder, link)
    check_output_path(run_folder, run_folder / "play.png")  # a new file beside them: fine
    check_output_path(run_folder, None)


@pytest.mark.parametrize(
    "write",
    [
        lambda src, out: plot_play(src, 1, 1, out),
        lambda src, out: animate_play(src, 1, 1, out),
        lambda src, out: write_report(src, out),
    ],
    ids=["plot_play", "animate_play", "write_report"],
)
def test_pictures_and_report_refuse_their_inputs(run_folder, write):
    with pytest.raises(ghosting.InputError, match="would overwrite an input"):
        write(run_folder, run_folder / "summary.json")
    assert all((run_folder / name).read_bytes() == b"input" for name in OUTPUT_FILES)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [(dict(max_options=0), "max_options must be at least 1"), (dict(dpi=5), "dpi must be")],
)
def test_plot_play_checks_its_options_first(run_folder, kwargs, match):
    with pytest.raises(ghosting.InputError, match=match):
        plot_play(run_folder, 1, 1, run_folder / "play.png", **kwargs)


@pytest.fixture
def tracking_file(tmp_path) -> Path:
    path = tmp_path / "data" / "week1.parquet"
    path.parent.mkdir()
    pq.write_table(synth.generate_plays(1, seed=0), path)
    return path


def test_train_model_refuses_an_output_folder_holding_its_input(tracking_file):
    before = tracking_file.read_bytes()
    for out in (tracking_file, tracking_file.parent):
        with pytest.raises(ghosting.InputError, match="would overwrite an input"):
            train_model([tracking_file], out)
    assert tracking_file.read_bytes() == before


def test_train_model_refuses_bad_cleaning_options_first(tracking_file, tmp_path):
    with pytest.raises(ghosting.InputError, match="field_tolerance must be"):
        train_model([tracking_file], tmp_path / "model", cleaning={"field_tolerance": -1.0})
    assert not (tmp_path / "model").exists()


def test_train_decision_files_refuses_a_file_as_its_output_folder(tracking_file):
    with pytest.raises(ghosting.InputError, match="exists and is not a folder"):
        train_decision_files([tracking_file], tracking_file)

"""``ghosting.cleaning_files.clean_files``, the library behind ``ghosting clean``:
in-process, on synthetic plays written to Parquet."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import ghosting
from ghosting import synth
from ghosting.cleaning_files import clean_files, report_totals


@pytest.fixture(scope="module")
def weeks(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("clean_files")
    paths = [folder / "week1.parquet", folder / "week2.parquet"]
    pq.write_table(synth.generate_plays(3, seed=4), paths[0])
    pq.write_table(synth.generate_plays(2, seed=5, start_game_id=9_200_000_001), paths[1])
    return paths


def test_clean_files_writes_the_rows_and_the_report_of_every_input(weeks, tmp_path):
    out, report = tmp_path / "clean.parquet", tmp_path / "report.json"
    logged: list[str] = []
    document = clean_files(weeks, out, report=report, policy="track", log=logged.append)
    one_by_one = [ghosting.clean(ghosting.read_tracking(p), policy="track")[1] for p in weeks]
    assert document["totals"] == report_totals(one_by_one)
    assert document["totals"]["rows_out"] == pq.read_metadata(out).num_rows
    assert document["totals"]["rows_in"] == sum(pq.read_metadata(p).num_rows for p in weeks)
    assert [e["path"] for e in document["inputs"]] == [str(p) for p in weeks]
    assert all(e["cleaning"]["policy"] == "track" for e in document["inputs"])
    assert json.loads(report.read_text()) == json.loads(json.dumps(document))
    assert len(logged) == 2 and logged[0].startswith(f"{weeks[0]}:\ncleaning: policy=track")


def test_clean_files_reads_a_folder(weeks, tmp_path):
    document = clean_files([weeks[0].parent], tmp_path / "clean.parquet")
    assert [e["path"] for e in document["inputs"]] == [str(p) for p in weeks]


def test_report_totals_sums_every_count():
    _, a = ghosting.clean(synth.generate_plays(2, seed=0))
    _, b = ghosting.clean(synth.generate_plays(1, seed=3))
    totals = report_totals([a, b])
    assert totals["rows_in"] == a.rows_in + b.rows_in
    assert totals["plays_out"] == a.plays_out + b.plays_out
    assert totals["flagged"] == {k: a.flagged[k] + b.flagged[k] for k in ghosting.cleaning.REASONS}


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(policy="game"), "policy must be one of play, track, sample"),
        (dict(v_max=0.0), "v_max must be a finite number > 0"),
    ],
)
def test_bad_options_are_refused_before_anything_is_read(tmp_path, kwargs, match):
    with pytest.raises(ghosting.InputError, match=match):
        clean_files([tmp_path / "missing.csv"], tmp_path / "clean.parquet", **kwargs)
    assert list(tmp_path.iterdir()) == []


def test_no_output_onto_an_input_and_nothing_half_written(weeks, tmp_path):
    before = weeks[0].read_bytes()
    with pytest.raises(ghosting.InputError, match="would overwrite an input"):
        clean_files(weeks, tmp_path / "clean.parquet", report=weeks[0])
    with pytest.raises(ghosting.InputError, match="are the same path"):
        clean_files(weeks, tmp_path / "same", report=tmp_path / "same")
    assert weeks[0].read_bytes() == before and list(tmp_path.iterdir()) == []

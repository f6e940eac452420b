"""Cleaning: the C++ kernel against the numpy reference and against pandas.

One synthetic season slice (2,600 plays, about 5.5 M rows, with a few defects
sprinkled in) is built once; in the same process the kernel, the numpy reference
(``ghosting.cleaning_py``) and a pandas groupby implementation written the
way an analyst would, all with the ``play`` policy over every frame, return the
same rows. Group ``cleaning-kernel`` compares the flagging cores on flat arrays,
``cleaning-end-to-end`` the public ``ghosting.clean`` (offsets, report, filtered
table) with the pandas version on a DataFrame. Run with::

    python -m pytest bench/test_bench_cleaning.py --benchmark-enable

The summary at the end prints M rows/s and ratios per group.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import ghosting
from ghosting import _core, cleaning_py, synth
from ghosting.cleaning import _structure

N_PLAYS = 2_600  # ~5.5 M rows
V_MAX, DT = 12.5, 0.1


def clean_pandas(df: pd.DataFrame, v_max: float = V_MAX, dt: float = DT) -> pd.DataFrame:
    """The cleaning rules as an analyst writes them with pandas: drop every play
    with any flagged sample (policy ``play``, every frame analysed)."""
    by_track = df.groupby(["game_id", "play_id", "nfl_id"], sort=False)
    step = np.sqrt(by_track["x"].diff() ** 2 + by_track["y"].diff() ** 2)
    frame_step = by_track["frame_id"].diff()
    player = df["nfl_id"] != 0
    bad = (
        ~np.isfinite(df["x"])
        | ~np.isfinite(df["y"])
        | (player & ((df["x"] < 0) | (df["x"] > 120) | (df["y"] < 0) | (df["y"] > 160 / 3)))
        | (player & (df["s"] > v_max))
        | (player & (step > v_max * dt))
        | (frame_step.notna() & (frame_step != 1))
    )
    bad_play = bad.groupby([df["game_id"], df["play_id"]], sort=False).transform("any")
    return df[~bad_play]


@pytest.fixture(scope="module")
def season() -> pa.Table:
    table = synth.generate_plays(N_PLAYS, seed=2024, descriptions=False)
    rng = np.random.default_rng(7)
    n = table.num_rows
    columns = {name: table[name].to_numpy().copy() for name in ("x", "y", "s")}
    for name, value in (("x", np.nan), ("y", -2.0), ("s", 13.0), ("x", 500.0)):
        columns[name][rng.choice(n, 40, replace=False)] = value
    for name, values in columns.items():
        table = table.set_column(table.schema.get_field_index(name), name, pa.array(values))
    return table.combine_chunks()


@pytest.fixture(scope="module")
def arrays(season):
    game, play, nfl = (season[c].to_numpy() for c in ("game_id", "play_id", "nfl_id"))
    track_offsets, play_offsets, track_starts = _structure(game, play, nfl)
    return (
        season["x"].to_numpy(),
        season["y"].to_numpy(),
        season["s"].to_numpy(),
        season["frame_id"].to_numpy(),
        track_offsets,
        play_offsets,
        (nfl[track_starts] != 0).astype(np.uint8),
        np.ones(season.num_rows, dtype=bool),
    )


@pytest.fixture(scope="module")
def frame(season) -> pd.DataFrame:
    return season.select(["game_id", "play_id", "nfl_id", "frame_id", "x", "y", "s"]).to_pandas()


@pytest.fixture(scope="module")
def expected_keep(arrays) -> np.ndarray:
    return _core.clean_tracks(*arrays, policy="play")[1]


@pytest.mark.benchmark(group="cleaning-kernel")
def test_kernel(benchmark, arrays, expected_keep):
    benchmark.extra_info["rows"] = len(arrays[0])
    result = benchmark.pedantic(
        _core.clean_tracks, args=arrays, kwargs={"policy": "play"}, rounds=15, warmup_rounds=2
    )
    np.testing.assert_array_equal(result[1], expected_keep)
    assert 0 < expected_keep.sum() < len(expected_keep)  # some plays dropped, most kept


@pytest.mark.benchmark(group="cleaning-kernel")
def test_numpy_reference(benchmark, arrays, expected_keep):
    benchmark.extra_info["rows"] = len(arrays[0])
    result = benchmark.pedantic(
        cleaning_py.clean_tracks, args=arrays, kwargs={"policy": "play"}, rounds=3, warmup_rounds=0
    )
    np.testing.assert_array_equal(result[1], expected_keep)


@pytest.mark.benchmark(group="cleaning-kernel")
def test_pandas_groupby(benchmark, frame, expected_keep):
    benchmark.extra_info["rows"] = len(frame)
    result = benchmark.pedantic(clean_pandas, args=(frame,), rounds=2, warmup_rounds=0)
    assert len(result) == expected_keep.sum()
    np.testing.assert_array_equal(result.index.to_numpy(), np.flatnonzero(expected_keep))


@pytest.mark.benchmark(group="cleaning-end-to-end")
def test_clean_api(benchmark, season, expected_keep):
    benchmark.extra_info["rows"] = season.num_rows
    cleaned, report = benchmark.pedantic(
        ghosting.clean, args=(season,), kwargs={"window": "all"}, rounds=5, warmup_rounds=1
    )
    assert cleaned.num_rows == report.rows_out == expected_keep.sum()
    assert len(report.dropped_plays) > 0


@pytest.mark.benchmark(group="cleaning-end-to-end")
def test_clean_api_pass_window(benchmark, season):
    benchmark.extra_info["rows"] = season.num_rows
    cleaned, report = benchmark.pedantic(ghosting.clean, args=(season,), rounds=3)
    assert report.plays_without_pass_window == 0 and cleaned.num_rows == report.rows_out


@pytest.mark.benchmark(group="cleaning-end-to-end")
def test_pandas_end_to_end(benchmark, frame, expected_keep):
    benchmark.extra_info["rows"] = len(frame)
    result = benchmark.pedantic(clean_pandas, args=(frame,), rounds=2, warmup_rounds=0)
    assert len(result) == expected_keep.sum()


@pytest.mark.benchmark(group="synth")
def test_generate_plays(benchmark):
    table = benchmark.pedantic(
        synth.generate_plays, args=(500,), kwargs={"seed": 1}, rounds=2, warmup_rounds=0
    )
    benchmark.extra_info["rows"] = table.num_rows

"""The flight gatherer against its numpy reference, and cut_ghost_inputs on top of it.

Synthetic plays (``ghosting.synth.generate_plays``, 60 plays), every defender against
every eligible receiver: the C++ kernel and the numpy reference
(``ghosting.flights_py``) gather the same windows in the same process; then
``cut_ghost_inputs(..., defenders="all", targets="all")`` end to end, and through the
reference. Run with::

    python -m pytest bench/test_bench_flights.py --benchmark-enable -s

With real data (``GHOSTING_DATA``), ``cut_ghost_inputs`` and
``ghosting.decision.analyse_plays`` on the NGS highlights (3.5 M rows, 446 plays) too.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import ghosting
from ghosting import _core, flights
from ghosting.flights_py import gather_flights_py
from ghosting.model import ghost_inputs as inputs_module
from ghosting.model.ghost_inputs import cut_ghost_inputs

N_PLAYS = 60
HISTORY = 5


@pytest.fixture(scope="module")
def synth() -> tuple[Any, Any]:
    tracking = ghosting.synth.generate_plays(N_PLAYS, seed=7)
    return tracking, ghosting.pass_plays(tracking)


@pytest.fixture(scope="module")
def requests(synth: tuple) -> tuple[list[np.ndarray], list[np.ndarray]]:
    tracking, plays = synth
    table = flights.FlightTable.of(tracking)
    index = table.play_index()
    roster = flights.play_rosters(table)
    req: list[list[int]] = [[] for _ in range(6)]
    for row in plays.to_pylist():
        if row["arrival_frame"] is None:
            continue
        p = index[(row["game_id"], row["play_id"])]
        ids = roster.nfl_id[roster.offsets[p]:roster.offsets[p + 1]]
        side = roster.side[roster.offsets[p]:roster.offsets[p + 1]]
        pf = row["pass_forward_frame"]
        for d in ids[side == flights.SIDE_DEFENSE]:
            for r in row["eligible_receivers"]:
                for col, v in zip(req, [p, d, r, pf - HISTORY + 1, pf, row["arrival_frame"]],
                                  strict=True):
                    col.append(int(v))
    columns = [table.nfl_id, table.frame_id, table.x, table.y, table.side, table.play_offsets]
    return columns, [np.array(c, np.int64) for c in req]


@pytest.mark.benchmark(group="gather_flights")
def test_gather_flights_kernel(benchmark, requests):
    columns, req = requests
    benchmark.extra_info["rows"] = len(req[0])  # windows
    benchmark.pedantic(_core.gather_flights, args=(*columns, *req), rounds=5, iterations=1)


@pytest.mark.benchmark(group="gather_flights")
def test_gather_flights_numpy_reference(benchmark, requests):
    columns, req = requests
    benchmark.extra_info["rows"] = len(req[0])
    benchmark.pedantic(gather_flights_py, args=(*columns, *req), rounds=1, iterations=1)


def _padded_numpy(xy: np.ndarray, offsets: np.ndarray, index: np.ndarray,
                  width: int) -> np.ndarray:
    """``Flights.padded`` before ``_core.pad_windows``: one masked numpy assignment."""
    starts = offsets[:-1][index]
    lengths = offsets[1:][index] - starts
    out = np.full((len(index), width, 2), np.nan)
    inside = np.arange(width)[None, :] < lengths[:, None]
    within = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    out[inside] = xy[np.repeat(starts, lengths) + within]
    return out


@pytest.fixture(scope="module")
def padded_input(requests: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    d, _, offsets, _, _ = _core.gather_flights(*requests[0], *requests[1])
    index = np.arange(len(offsets) - 1, dtype=np.int64)[::2]  # every other window
    width = int(np.diff(offsets).max())
    return d, offsets, index, width


@pytest.mark.benchmark(group="pad_windows")
def test_pad_windows_kernel(benchmark, padded_input):
    benchmark.extra_info["rows"] = len(padded_input[2])  # windows
    out = benchmark.pedantic(_core.pad_windows, args=padded_input, rounds=20, iterations=1)
    assert np.array_equal(out, _padded_numpy(*padded_input), equal_nan=True)


@pytest.mark.benchmark(group="pad_windows")
def test_pad_windows_numpy_baseline(benchmark, padded_input):
    benchmark.extra_info["rows"] = len(padded_input[2])
    benchmark.pedantic(_padded_numpy, args=padded_input, rounds=20, iterations=1)


def _reference_gather(table: flights.FlightTable, *request: Any) -> flights.Flights:
    d, r, off, ctx, flags = gather_flights_py(
        table.nfl_id, table.frame_id, table.x, table.y, table.side, table.play_offsets,
        *[np.asarray(v, np.int64) for v in request],
    )
    return flights.Flights(defender_xy=d, receiver_xy=r, offsets=off, context=ctx, flags=flags)


@pytest.mark.benchmark(group="cut_ghost_inputs")
def test_cut_ghost_inputs(benchmark, synth):
    tracking, plays = synth
    benchmark.extra_info["rows"] = tracking.num_rows
    benchmark.pedantic(cut_ghost_inputs, args=(tracking, plays),
                       kwargs={"history": HISTORY, "defenders": "all", "targets": "all"},
                       rounds=5, iterations=1)


@pytest.mark.benchmark(group="cut_ghost_inputs")
def test_cut_ghost_inputs_numpy_reference(benchmark, synth, monkeypatch):
    tracking, plays = synth
    monkeypatch.setattr(inputs_module, "gather_flights", _reference_gather)
    benchmark.extra_info["rows"] = tracking.num_rows
    benchmark.pedantic(cut_ghost_inputs, args=(tracking, plays),
                       kwargs={"history": HISTORY, "defenders": "all", "targets": "all"},
                       rounds=1, iterations=1)


@pytest.fixture(scope="module")
def highlights() -> tuple[Any, Any]:
    root = os.environ.get("GHOSTING_DATA")
    path = Path(root or "") / "ngs_highlights" / "highlights.parquet"
    if not root or not path.is_file():
        pytest.skip("real tracking data not available (set GHOSTING_DATA)")
    tracking = ghosting.read_tracking(path)
    return tracking, ghosting.pass_plays(tracking)


@pytest.mark.benchmark(group="highlights")
def test_cut_ghost_inputs_highlights(benchmark, highlights):
    tracking, plays = highlights
    benchmark.extra_info["rows"] = tracking.num_rows
    benchmark.pedantic(cut_ghost_inputs, args=(tracking, plays),
                       kwargs={"history": HISTORY, "defenders": "all", "targets": "all"},
                       rounds=5, iterations=1)


@pytest.mark.benchmark(group="highlights")
def test_analyse_plays_highlights(benchmark, highlights):
    from ghosting.decision import DecisionModels, analyse_plays

    tracking, plays = highlights
    rows = [r for r in plays.to_pylist() if r["analysable"]]
    ghost, models = ghosting.GhostModel.load(), DecisionModels.load()
    benchmark.extra_info["rows"] = tracking.num_rows
    benchmark.pedantic(analyse_plays, args=(tracking, rows, ghost, models), rounds=3,
                       iterations=1)

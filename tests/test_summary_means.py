"""The summary's running means: one partial sum per game, bit for bit whether a batch's
games are added one call each or all at once (``add_runs``)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ghosting.pipeline.summary import _Mean, _PlayMean

_VALUES = st.one_of(
    st.floats(-1e6, 1e6, allow_nan=False, width=64),
    st.just(float("nan")),
    st.just(float("inf")),
)


@st.composite
def _batches(draw: st.DrawFn) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    sizes = draw(st.lists(st.integers(0, 40), min_size=0, max_size=8))
    n = sum(sizes)
    columns = {
        name: draw(hnp.arrays(np.float64, n, elements=_VALUES))
        for name in ("ps", "dr", "sp", "ts")
    }
    where = draw(hnp.arrays(bool, n))
    bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    return columns, bounds, where


@settings(max_examples=60, deadline=None)
@given(_batches(), st.booleans())
def test_mean_add_runs_is_one_add_per_run(batch, masked: bool) -> None:
    columns, bounds, where = batch
    one_by_one, at_once = _Mean(), _Mean()
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        part = {k: v[lo:hi][where[lo:hi]] if masked else v[lo:hi] for k, v in columns.items()}
        one_by_one.add(part)
    at_once.add_runs(columns, bounds, where if masked else None)
    assert at_once.n == one_by_one.n
    for name in one_by_one.sums:  # the same partial sums, bit for bit
        assert np.array(at_once.sums[name]).tobytes() == np.array(one_by_one.sums[name]).tobytes()
    assert repr(at_once.as_dict()) == repr(one_by_one.as_dict())  # NaN means too


@settings(max_examples=60, deadline=None)
@given(_batches(), st.booleans())
def test_play_mean_add_runs_is_one_add_per_run(batch, masked: bool) -> None:
    columns, bounds, where = batch
    values = columns["ts"]
    one_by_one, at_once = _PlayMean(), _PlayMean()
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        one_by_one.add(values[lo:hi][where[lo:hi]] if masked else values[lo:hi])
    at_once.add_runs(values, bounds, where if masked else None)
    assert at_once.n == one_by_one.n
    assert np.array(at_once.parts).tobytes() == np.array(one_by_one.parts).tobytes()


def test_add_runs_keeps_one_sum_per_run_even_when_empty() -> None:
    mean = _Mean()
    ts = np.array([1.0, np.nan, 2.0, np.nan])
    mean.add_runs({"ps": ts, "dr": ts, "sp": ts, "ts": ts}, np.array([0, 2, 2, 4]))
    assert mean.n == 2
    assert mean.sums["ts"] == [1.0, 0.0, 2.0]  # the middle game has no rows
    plays = _PlayMean()
    plays.add_runs(np.array([3.0, 4.0, np.nan]), np.array([0, 1, 3]), np.array([False, True, True]))
    assert plays.n == 1 and plays.parts == [0.0, 4.0]
    assert plays.mean() == pytest.approx(4.0)

"""The feasibility kernel: hand-computed cases, the numpy reference
(:mod:`ghosting.scoring.feasibility_py`, hypothesis), edge cases and invalid input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ghosting
from ghosting import _core
from ghosting.scoring import feasibility_py
from ghosting.scoring.feasibility import OFF_FIELD_TOLERANCE, Feasibility


def assert_same(a, b):
    for x, y in zip(a, b, strict=True):
        np.testing.assert_allclose(x, y, rtol=1e-12, atol=1e-12, equal_nan=True)


def test_speed_acceleration_and_long_steps_by_hand():
    # 0.5 yd then 2.5 yd in 0.1 s: 5 and 25 yd/s, the velocity changes by 20 yd/s in 0.1 s
    f = ghosting.feasibility(np.array([[10.0, 10.0], [10.5, 10.0], [13.0, 10.0]]))
    assert isinstance(f, Feasibility)
    assert f.max_speed == pytest.approx(25.0)
    assert f.max_accel == pytest.approx(200.0)
    assert (f.n_long_steps, f.n_off_field, f.n_nonfinite) == (1, 0, 0)
    slower = ghosting.feasibility(np.array([[10.0, 10.0], [10.5, 10.0], [13.0, 10.0]]), v_max=30.0)
    assert slower.n_long_steps == 0


def test_off_field_samples_counted_with_tolerance():
    xy = np.array([[-0.5, 10.0], [0.0, 10.0], [119.0, 53.0], [120.4, 53.5]])
    assert ghosting.feasibility(xy).n_off_field == 2
    assert ghosting.feasibility(xy, off_field_tolerance=0.6).n_off_field == 0
    assert OFF_FIELD_TOLERANCE == 0.0


@st.composite
def batches(draw):
    """Flat batches of random walks over and beyond the field, some with holes."""
    lengths = draw(st.lists(st.integers(1, 30), min_size=1, max_size=12))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = int(sum(lengths))
    scale = draw(st.sampled_from([0.0, 0.05, 1.0, 3.0]))  # 0: nobody moves
    start = rng.uniform([-5.0, -5.0], [125.0, 58.0], size=(1, 2))
    xy = start + rng.normal(scale=scale, size=(n, 2)).cumsum(axis=0)
    if draw(st.booleans()):
        xy[rng.integers(n), rng.integers(2)] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    return xy, offsets


@settings(max_examples=100, deadline=None)
@given(batch=batches(), tol=st.floats(0.0, 3.0), v_max=st.floats(0.5, 20.0))
def test_feasibility_matches_numpy_reference(batch, tol, v_max):
    xy, offsets = batch
    f = ghosting.feasibility(xy, offsets=offsets, v_max=v_max, off_field_tolerance=tol)
    expected = feasibility_py.feasibility(xy, offsets, v_max=v_max, off_field_tolerance=tol)
    got = (f.max_speed, f.max_accel, f.n_long_steps, f.n_off_field, f.n_nonfinite)
    assert_same(got, expected)


def test_feasibility_of_an_empty_trajectory_in_a_flat_batch():
    xy = np.array([[1.0, 1.0], [2.0, 1.0]])
    out = _core.feasibility(xy, np.array([0, 2, 2], dtype=np.int64))
    expected = feasibility_py.feasibility(xy, np.array([0, 2, 2]))
    assert_same(out, expected)
    assert np.isnan(out[0][1]) and out[2][1] == out[3][1] == out[4][1] == 0


def test_core_validates_offsets_shapes_and_parameters():
    d = np.zeros((4, 2))
    with pytest.raises(ValueError, match="start at 0"):
        _core.feasibility(d, np.array([1, 4]))
    with pytest.raises(ValueError, match="n_samples, 2"):
        _core.feasibility(np.zeros(8), np.array([0, 8]))
    with pytest.raises(ValueError, match="off_field_tolerance"):
        _core.feasibility(d, np.array([0, 4]), 12.5, 0.1, -1.0)
    with pytest.raises(ValueError, match="v_max must be finite and > 0"):
        _core.feasibility(d, np.array([0, 4]), 0.0, 0.1, 0.0)
    with pytest.raises(ValueError, match="dt must be finite and > 0"):
        _core.feasibility(d, np.array([0, 4]), 12.5, np.nan, 0.0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(v_max=-1.0), "v_max"),
        (dict(dt="fast"), "dt"),
        (dict(off_field_tolerance=-0.5), "off_field_tolerance"),
        (dict(offsets=[0, 2]), "offsets"),
    ],
)
def test_invalid_input_raises_input_error(kwargs, match):
    with pytest.raises(ghosting.InputError, match=match):
        ghosting.feasibility(np.zeros((3, 2)), **kwargs)

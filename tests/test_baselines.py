"""Constant-velocity and pursuit baselines on hand-made cases."""

from __future__ import annotations

import numpy as np
import pytest

from ghosting.errors import InputError
from ghosting.model.baselines import constant_velocity, pursuit


def test_constant_velocity_straight_line() -> None:
    hist = np.array([[[10.0, 20.0], [10.3, 20.4], [10.6, 20.8]]])  # 5 yd/s diagonal
    out = constant_velocity(hist, 4)
    expected = np.array([[10.9, 21.2], [11.2, 21.6], [11.5, 22.0], [11.8, 22.4]])
    np.testing.assert_allclose(out[0], expected, atol=1e-12)


def test_constant_velocity_standing_defender_stays() -> None:
    hist = np.full((3, 4, 2), 7.0)
    out = constant_velocity(hist, 6)
    assert out.shape == (3, 6, 2)
    np.testing.assert_array_equal(out, 7.0)


def test_pursuit_runs_straight_at_a_standing_receiver() -> None:
    hist = np.zeros((1, 3, 2))
    rec = np.tile([[20.0, 0.0]], (1, 15, 1))
    out = pursuit(hist, rec, max_speed=8.0, max_accel=4.0)
    assert np.all(out[0, :, 1] == 0.0)
    step = np.diff(np.concatenate([[[0.0, 0.0]], out[0]]), axis=0)[:, 0]
    # accelerates by max_accel * dt^2 per frame until the cap
    np.testing.assert_allclose(step[:3], [0.04, 0.08, 0.12], atol=1e-12)
    assert np.all(np.diff(step) >= -1e-12)


def test_pursuit_caps_speed_and_acceleration() -> None:
    rng = np.random.default_rng(3)
    hist = np.cumsum(rng.normal(0, 0.6, (50, 5, 2)), axis=1)
    rec = rng.uniform(-30, 30, (50, 25, 2))
    out = pursuit(hist, rec, max_speed=7.0, max_accel=5.0)
    path = np.concatenate([hist[:, -1:], out], axis=1)
    vel = np.diff(path, axis=1) / 0.1
    speed = np.hypot(vel[..., 0], vel[..., 1])
    assert speed[:, 1:].max() <= 7.0 + 1e-9
    start = (hist[:, -1] - hist[:, -2]) / 0.1
    start_speed = np.minimum(np.hypot(start[:, 0], start[:, 1]), 7.0)
    capped = start * (start_speed / np.maximum(np.hypot(start[:, 0], start[:, 1]), 1e-12))[:, None]
    dv = np.diff(np.concatenate([capped[:, None], vel], axis=1), axis=1)
    assert np.hypot(dv[..., 0], dv[..., 1]).max() <= 5.0 * 0.1 + 1e-9


def test_pursuit_turns_toward_a_receiver_behind() -> None:
    hist = np.array([[[0.0, 0.0], [0.6, 0.0]]])  # running +x at 6 yd/s
    rec = np.tile([[-10.0, 0.0]], (1, 40, 1))
    out = pursuit(hist, rec, max_speed=8.0, max_accel=6.0)
    assert out[0, 0, 0] > 0.6  # keeps momentum first
    assert out[0, -1, 0] < out[0, 10, 0]  # then turns back
    assert out[0, -1, 0] < -5.0  # and reaches the receiver's side
    assert np.all(out[0, :, 1] == 0.0)  # never leaves the line


@pytest.mark.parametrize("shape", [(3, 2), (2, 1, 2), (2, 3, 3)])
def test_bad_history_shape(shape: tuple[int, ...]) -> None:
    with pytest.raises(InputError):
        constant_velocity(np.zeros(shape), 3)


def test_pursuit_bad_inputs() -> None:
    with pytest.raises(InputError):
        pursuit(np.zeros((2, 3, 2)), np.zeros((3, 5, 2)))
    with pytest.raises(InputError):
        pursuit(np.zeros((2, 3, 2)), np.zeros((2, 5, 2)), max_speed=0.0)

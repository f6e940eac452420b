"""Trajectory Score kernels: hand-computed cases, the numpy reference
(:mod:`ghosting.scoring.trajectory_score_py`, hypothesis), invariances, edge cases
and invalid input. Feasibility has its own file (tests/test_feasibility.py); a few
cases here check both kernels on the same trajectories."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ghosting
from ghosting import _core
from ghosting.scoring import model_score, play_scores, random_replacement, trajectory_score_py

STANDING_RECEIVER = np.array([[10.0, 0.0]] * 5)


def line(start, step, n):
    start, step = np.asarray(start, float), np.asarray(step, float)
    return start + np.arange(n)[:, None] * step


# ---------------------------------------------------------------- hand-computed


def test_defender_running_straight_at_a_standing_receiver():
    d = line([0, 0], [1, 0], 5)  # distances 10, 9, 8, 7, 6
    s = ghosting.trajectory_score(d, STANDING_RECEIVER)
    # PS: every step closes 1 yd. act = 4, opt = min(10, 1.25 * 4) = 5.
    dr = 1 - abs(5 - 4) / (5 + 4)
    assert s.ps == pytest.approx(-1.0)
    assert s.dr == pytest.approx(dr)
    assert s.sp == 0
    assert s.ts == pytest.approx(-1.0 * dr)
    linear = ghosting.trajectory_score(d, STANDING_RECEIVER, weights="linear")
    assert linear.ps == pytest.approx(-1.0)  # every weighted step is -1 too


def test_defender_running_away():
    d = line([0, 0], [-1, 0], 4)  # distances 10, 11, 12, 13
    s = ghosting.trajectory_score(d, STANDING_RECEIVER[:4])
    act, opt = 3.0, min(10.0, 1.25 * 3)
    dr = 1 - abs(opt - act) / (opt + act)
    assert s.ps == pytest.approx(1.0)
    assert s.dr == pytest.approx(dr)
    assert s.ts == pytest.approx(1.0 * (2 - dr))  # PS > 0: PS (2 - DR)
    assert s.ts > 0


def test_defender_running_parallel_to_the_receiver():
    d = line([0, 0], [0, 1], 3)  # (0, t)
    r = line([10, 0], [0, 1], 3)  # (10, t): 10 yd apart all along
    act, opt = 2.0, min(math.hypot(10, 2), 1.25 * 2)
    dr = 1 - abs(opt - act) / (opt + act)
    follow = ghosting.trajectory_score(d, r, reference="receiver")
    assert follow.ps == pytest.approx(0.0, abs=1e-15)
    assert follow.dr == pytest.approx(dr)
    assert follow.ts == pytest.approx(0.0, abs=1e-15)
    # Against the catch point (10, 2): d = sqrt(104), sqrt(101), 10.
    catch = ghosting.trajectory_score(d, r)
    ps = (10 - math.sqrt(104)) / 2
    assert catch.ps == pytest.approx(ps)
    assert catch.ts == pytest.approx(ps * dr)


def test_superhuman_jump():
    d = np.array([[0.0, 0.0], [3.0, 0.0], [3.0, 0.0], [3.0, 0.0]])  # 3 yd in 0.1 s
    r = STANDING_RECEIVER[:4]
    act, opt = 3.0, min(10.0, 1.25 * 3)
    dr = 1 - abs(opt - act) / (opt + act)
    s = ghosting.trajectory_score(d, r)
    assert s.sp == 1
    assert s.ps == pytest.approx(-3.0 / 3)
    assert s.ts == pytest.approx(-1.0 * dr + 0.5)
    linear = ghosting.trajectory_score(d, r, weights="linear", penalty=2.0)
    assert linear.ps == pytest.approx(1 * -3.0 / (1 + 2 + 3))
    assert linear.ts == pytest.approx(-0.5 * dr + 2.0)
    f = ghosting.feasibility(d)
    assert f.n_long_steps == 1
    assert f.max_speed == pytest.approx(30.0)
    assert f.max_accel == pytest.approx(300.0)  # 30 yd/s to 0 in 0.1 s


def test_standing_defender_at_the_catch_point_has_distance_ratio_one():
    d = np.array([[5.0, 5.0]] * 3)
    s = ghosting.trajectory_score(d, d.copy())
    assert (s.ps, s.dr, s.sp, s.ts) == (0.0, 1.0, 0.0, 0.0)


def test_single_sample_trajectory_is_documented_nan():
    s = ghosting.trajectory_score([[0.0, 0.0]], [[5.0, 5.0]])
    assert math.isnan(s.ps) and math.isnan(s.ts)
    assert s.dr == 1.0 and s.sp == 0.0
    f = ghosting.feasibility([[0.0, 0.0]])
    assert math.isnan(f.max_speed) and math.isnan(f.max_accel)


def test_non_finite_positions_give_nan_for_that_trajectory_only():
    d = np.stack([line([0, 0], [1, 0], 4)] * 3)
    r = np.full_like(d, 10.0)
    d[1, 2, 0] = np.nan
    r[2, 0, 1] = np.inf
    s = ghosting.trajectory_score(d, r)
    for values in (s.ps, s.dr, s.sp, s.ts):
        assert np.isfinite(values[0]) and np.isnan(values[1]) and np.isnan(values[2])
    f = ghosting.feasibility(d)
    assert list(f.n_nonfinite) == [0, 1, 0]
    assert np.isnan(f.max_speed[1]) and np.isfinite(f.max_speed[0])


def test_padded_batch_with_lengths_matches_one_by_one():
    rng = np.random.default_rng(3)
    d = rng.normal(size=(4, 6, 2)).cumsum(axis=1)
    r = rng.normal(size=(4, 6, 2)).cumsum(axis=1)
    lengths = np.array([6, 2, 1, 4])
    batch = ghosting.trajectory_score(d, r, lengths=lengths, weights="linear")
    for i, n in enumerate(lengths):
        one = ghosting.trajectory_score(d[i, :n], r[i, :n], weights="linear")
        np.testing.assert_equal(batch.ts[i], one.ts)
        np.testing.assert_equal(batch.dr[i], one.dr)
    d[:, 5:] = np.nan  # padding is never read
    again = ghosting.trajectory_score(d, r, lengths=lengths, weights="linear")
    np.testing.assert_array_equal(np.isnan(again.ts), [True, False, True, False])


def test_play_and_model_scores_by_hand():
    d = np.array([[[0.0, 0.0], [1.0, 0.0]], [[20.0, 0.0], [21.0, 0.0]], [[0.0, 5.0], [0.0, 4.0]]])
    r = np.full_like(d, 10.0)
    r[..., 1] = 0.0
    s = ghosting.trajectory_score(d, r)
    weight, score = play_scores(d, r, s.ts, [0, 2, 3])
    w = np.exp(-np.array([10.0, 10.0, math.hypot(10, 5)]) / 10.0)
    np.testing.assert_allclose(weight, w)
    np.testing.assert_allclose(score, [(w[0] * s.ts[0] + w[1] * s.ts[1]) / (w[0] + w[1]), s.ts[2]])
    assert model_score(s.ts) == pytest.approx(np.mean(s.ts))
    assert math.isnan(model_score([np.nan]))


# ---------------------------------------------------------------- reference


@st.composite
def batches(draw):
    lengths = draw(st.lists(st.integers(1, 30), min_size=1, max_size=12))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n = int(sum(lengths))
    scale = draw(st.sampled_from([0.0, 0.05, 1.0, 3.0]))  # 0: nobody moves
    d = rng.uniform(0, 120, size=(1, 2)) + rng.normal(scale=scale, size=(n, 2)).cumsum(axis=0)
    r = rng.uniform(0, 50, size=(1, 2)) + rng.normal(scale=scale, size=(n, 2)).cumsum(axis=0)
    if draw(st.booleans()):
        d[rng.integers(n)] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    if draw(st.booleans()):
        r = d.copy()  # the defender is the receiver: DR = 1 when standing still
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    return d, r, offsets


def assert_same(a, b):
    for x, y in zip(a, b, strict=True):
        np.testing.assert_allclose(x, y, rtol=1e-12, atol=1e-12, equal_nan=True)


@settings(max_examples=150, deadline=None)
@given(
    batch=batches(),
    weights=st.sampled_from(["uniform", "linear"]),
    reference=st.sampled_from(["catch_point", "receiver"]),
    v_max=st.floats(0.5, 20.0),
    penalty=st.floats(0.0, 2.0),
)
def test_kernel_matches_numpy_reference(batch, weights, reference, v_max, penalty):
    d, r, offsets = batch
    kw = dict(weights=weights, reference=reference, v_max=v_max, dt=0.1, penalty=penalty)
    native = ghosting.trajectory_score(d, r, offsets=offsets, **kw)
    expected = trajectory_score_py.trajectory_score(d, r, offsets, **kw)
    assert_same((native.ps, native.dr, native.sp, native.ts), expected)
    n = len(offsets) - 1
    play_offsets = np.unique(np.concatenate([[0, n], np.arange(0, n, 3)])).astype(np.int64)
    got = play_scores(d, r, native.ts, play_offsets, offsets=offsets, radius=7.0)
    expected_plays = trajectory_score_py.play_scores(
        d, r, offsets, native.ts, play_offsets, radius=7.0
    )
    assert_same(got, expected_plays)


# ---------------------------------------------------------------- invariance


def transforms():
    theta = 1.234
    rot = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    return {
        "translate": lambda p: p + np.array([37.5, -12.25]),
        "rotate": lambda p: p @ rot.T,
        "mirror": lambda p: p * np.array([1.0, -1.0]),
        "field flip": lambda p: np.array([120.0, 160 / 3]) - p,
    }


@pytest.mark.parametrize("name", list(transforms()))
@pytest.mark.parametrize("reference", ["catch_point", "receiver"])
@pytest.mark.parametrize("weights", ["uniform", "linear"])
def test_score_is_invariant_under_rigid_motions(name, reference, weights):
    rng = np.random.default_rng(11)
    d = rng.uniform(0, 50, size=(200, 1, 2)) + rng.normal(scale=0.6, size=(200, 16, 2)).cumsum(1)
    r = rng.uniform(0, 50, size=(200, 1, 2)) + rng.normal(scale=0.6, size=(200, 16, 2)).cumsum(1)
    lengths = rng.integers(2, 17, size=200)
    move = transforms()[name]
    kw = dict(lengths=lengths, reference=reference, weights=weights)
    before = ghosting.trajectory_score(d, r, **kw)
    after = ghosting.trajectory_score(move(d), move(r), **kw)
    np.testing.assert_array_equal(before.sp, after.sp)
    assert before.sp.sum() > 0  # the batch has superhuman steps
    np.testing.assert_allclose(after.ts, before.ts, rtol=0, atol=1e-9)


# ---------------------------------------------------------------- random replacement


def test_random_replacement_keeps_start_and_is_seeded():
    rng = np.random.default_rng(0)
    xy = rng.uniform(0, 50, size=(40, 1, 2)) + rng.normal(size=(40, 12, 2)).cumsum(axis=1)
    lengths = rng.integers(2, 13, size=40)
    new, replaced = random_replacement(xy, lengths=lengths, seed=5)
    again, replaced_again = random_replacement(xy, lengths=lengths, seed=5)
    np.testing.assert_array_equal(new, again)
    np.testing.assert_array_equal(replaced, replaced_again)
    assert replaced.sum() == 10
    np.testing.assert_array_equal(new[:, 0], xy[:, 0])
    np.testing.assert_array_equal(new[~replaced], xy[~replaced])
    # straight runs at a constant speed no faster than the defender's mean speed
    steps = np.diff(new[replaced], axis=1)
    speed = np.hypot(steps[..., 0], steps[..., 1]) / 0.1
    np.testing.assert_allclose(speed, speed[:, :1] * np.ones_like(speed), atol=1e-9)
    f = ghosting.feasibility(xy, lengths)
    path = [np.hypot(*np.diff(xy[i, : lengths[i]], axis=0).T).sum() for i in range(40)]
    mean_speed = np.array(path) / ((lengths - 1) * 0.1)
    assert np.all(speed[:, 0] <= mean_speed[replaced] + 1e-9)
    assert np.all(f.max_speed >= mean_speed - 1e-9)
    flat, mask = random_replacement(xy.reshape(-1, 2), offsets=np.arange(41) * 12, seed=5)
    np.testing.assert_array_equal(mask, replaced)


# ---------------------------------------------------------------- invalid input


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(defender_xy=np.zeros((3, 3)), receiver_xy=np.zeros((3, 3))), "shape"),
        (dict(defender_xy=np.zeros((3, 2)), receiver_xy=np.zeros((4, 2))), "must match"),
        (dict(defender_xy=np.zeros((0, 2)), receiver_xy=np.zeros((0, 2))), "at least one"),
        (
            dict(defender_xy=np.zeros((2, 3, 2)), receiver_xy=np.zeros((2, 3, 2)), lengths=[1, 4]),
            "lengths",
        ),
        (
            dict(defender_xy=np.zeros((2, 3, 2)), receiver_xy=np.zeros((2, 3, 2)), lengths=[1, 0]),
            "lengths",
        ),
        (
            dict(
                defender_xy=np.zeros((2, 3, 2)), receiver_xy=np.zeros((2, 3, 2)), lengths=[1.5, 2.0]
            ),
            "lengths",
        ),
        (
            dict(defender_xy=np.zeros((3, 2)), receiver_xy=np.zeros((3, 2)), weights="cubic"),
            "weights",
        ),
        (
            dict(defender_xy=np.zeros((3, 2)), receiver_xy=np.zeros((3, 2)), reference="ball"),
            "reference",
        ),
        (dict(defender_xy=np.zeros((3, 2)), receiver_xy=np.zeros((3, 2)), v_max=-1.0), "v_max"),
        (dict(defender_xy=np.zeros((3, 2)), receiver_xy=np.zeros((3, 2)), dt=0.0), "dt"),
        (
            dict(defender_xy=np.zeros((3, 2)), receiver_xy=np.zeros((3, 2)), penalty=np.nan),
            "penalty",
        ),
        (
            dict(defender_xy=np.zeros((3, 2)), receiver_xy=np.zeros((3, 2)), offsets=[0, 2]),
            "offsets",
        ),
        (
            dict(defender_xy=np.zeros((3, 2)), receiver_xy=np.zeros((3, 2)), offsets=[0, 0, 3]),
            "at least one",
        ),
        (dict(defender_xy=[["a", "b"]], receiver_xy=[[0, 0]]), "not an array"),
    ],
)
def test_invalid_input_raises_input_error(kwargs, match):
    with pytest.raises(ghosting.InputError, match=match):
        ghosting.trajectory_score(**kwargs)


def test_core_validates_offsets_and_shapes():
    d = np.zeros((4, 2))
    with pytest.raises(ValueError, match="decrease"):
        _core.trajectory_score(d, d, np.array([0, 3, 2, 4]))
    with pytest.raises(ValueError, match="start at 0"):
        _core.trajectory_score(d, d, np.array([1, 4]))
    with pytest.raises(ValueError, match="n_samples, 2"):
        _core.trajectory_score(np.zeros(8), np.zeros(8), np.array([0, 8]))
    with pytest.raises(ValueError, match="no sample"):
        _core.trajectory_score(d, d, np.array([0, 0, 4]))
    with pytest.raises(ValueError, match="same number"):
        _core.trajectory_score(d, np.zeros((3, 2)), np.array([0, 3]))
    with pytest.raises(ValueError, match="play_offsets"):
        _core.play_scores(d, d, np.array([0, 4]), np.zeros(1), np.array([0, 2]), 10.0)
    with pytest.raises(ValueError, match="radius"):
        _core.play_scores(d, d, np.array([0, 4]), np.zeros(1), np.array([0, 1]), 0.0)


def test_random_replacement_rejects_bad_fraction_and_single_trajectory():
    with pytest.raises(ghosting.InputError, match="fraction"):
        random_replacement(np.zeros((3, 4, 2)), fraction=1.5)
    with pytest.raises(ghosting.InputError, match="batch"):
        random_replacement(np.zeros((4, 2)))


# ---------------------------------------------------------------- fuzzing the core


@settings(max_examples=300, deadline=None)
@given(
    n_samples=st.integers(0, 12),
    width=st.sampled_from([1, 2, 3]),
    offsets=st.lists(st.integers(-3, 15), min_size=0, max_size=6),
    receiver_extra=st.sampled_from([0, 0, 0, 1]),
    play_offsets=st.lists(st.integers(-1, 6), min_size=0, max_size=4),
)
def test_core_rejects_or_scores_any_input(n_samples, width, offsets, receiver_extra, play_offsets):
    """Whatever the shapes and offsets, the core raises ValueError or returns
    results of the right length: it never reads out of bounds or crashes."""
    d = np.arange(n_samples * width, dtype=np.float64).reshape(n_samples, width)
    r = np.ones((n_samples + receiver_extra, width))
    off = np.array(offsets, dtype=np.int64)
    try:
        out = _core.trajectory_score(d, r, off)
    except ValueError:
        pass
    else:
        assert all(len(a) == len(off) - 1 for a in out)
        try:
            w, score = _core.play_scores(d, r, off, out[3], np.array(play_offsets, np.int64))
        except ValueError:
            pass
        else:
            assert len(w) == len(off) - 1 and len(score) == len(play_offsets) - 1
    try:
        feas = _core.feasibility(d, off)
    except ValueError:
        pass
    else:
        assert all(len(a) == len(off) - 1 for a in feas)


def test_docstring_examples_run():
    import doctest

    import ghosting.scoring

    result = doctest.testmod(ghosting.scoring, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 10 and result.failed == 0


@pytest.mark.parametrize("param", ["v_max", "dt", "penalty"])
def test_non_numeric_parameter_names_itself(param):
    xy = np.zeros((3, 2))
    with pytest.raises(ghosting.InputError, match=param):
        ghosting.trajectory_score(xy, xy, **{param: "fast"})


def test_model_score_and_fraction_reject_text():
    """Strings are never parsed as numbers: '1' is not a score, 'half' not a fraction."""
    with pytest.raises(ghosting.InputError, match="ts"):
        model_score(["1", "2"])
    with pytest.raises(ghosting.InputError, match="fraction"):
        random_replacement(np.zeros((4, 3, 2)), fraction="half")

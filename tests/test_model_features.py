"""Feature windows of the ghosting model: shapes, invariances, window cutting."""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pytest

import ghosting
from ghosting.errors import InputError
from ghosting.model import features as F
from ghosting.schema import FIELD_WIDTH

K, H = 5, 20


def _batch(n: int = 16, seed: int = 0) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    hist = 20 + np.cumsum(rng.normal(0, 0.5, (n, K, 2)), axis=1)
    path = 25 + np.cumsum(rng.normal(0, 0.6, (n, H + 2, 2)), axis=1)
    catch = path[:, -1] + rng.normal(0, 1, (n, 2))
    left = rng.integers(1, 35, n)
    ctx = rng.normal(0, 5, (n, 4))
    return hist, path, catch, left, ctx


def test_shapes_and_names() -> None:
    hist, path, catch, left, ctx = _batch()
    x = F.tile_features(hist, path, catch, left, ctx)
    names = F.feature_names(K, H)
    assert x.shape == (16, len(names))
    assert len(set(names)) == len(names)
    assert np.isfinite(x).all()
    groups = F.feature_groups(K, H)
    assert list(groups) == list(F.FEATURE_GROUPS)
    cols = F.select_columns(K, H, ["receiver_path", "time_left"])
    assert cols.size == 2 * H + 2
    with pytest.raises(InputError):
        F.select_columns(K, H, ["no_such_group"])


def test_translation_invariance() -> None:
    hist, path, catch, left, ctx = _batch()
    shift = np.array([7.5, -3.25])
    a = F.tile_features(hist, path, catch, left, ctx)
    b = F.tile_features(hist + shift, path + shift, catch + shift, left, ctx)
    field_cols = F.select_columns(K, H, ["field_position"])
    other = np.setdiff1d(np.arange(a.shape[1]), field_cols)
    np.testing.assert_allclose(a[:, other], b[:, other], atol=1e-9)
    assert not np.allclose(a[:, field_cols], b[:, field_cols])


def test_mirror_flips_y_components() -> None:
    """Mirroring the field (y -> width - y) negates every y component and keeps the rest."""
    hist, path, catch, left, ctx = _batch()
    mirror = np.array([1.0, -1.0])
    offset = np.array([0.0, FIELD_WIDTH])
    a = F.tile_features(hist, path, catch, left, ctx)
    b = F.tile_features(
        hist * mirror + offset,
        path * mirror + offset,
        catch * mirror + offset,
        left,
        ctx * np.array([1.0, -1.0, 1.0, -1.0]),
    )
    names = F.feature_names(K, H)
    for i, name in enumerate(names):
        if name in ("def_y", "sideline_dist"):
            continue
        flips = name == "catch_sin" or re.search(r"_[dva]y(_|$)", name) is not None
        sign = -1.0 if flips else 1.0
        np.testing.assert_allclose(b[:, i], sign * a[:, i], atol=1e-9, err_msg=name)
    iy = names.index("def_y")
    np.testing.assert_allclose(b[:, iy], FIELD_WIDTH - a[:, iy], atol=1e-9)


def test_velocity_history_is_most_recent_first() -> None:
    hist = np.zeros((1, K, 2))
    hist[0, :, 0] = [0.0, 0.1, 0.3, 0.6, 1.0]  # accelerating along +x
    path = np.zeros((1, H + 2, 2))
    x = F.tile_features(hist, path, np.zeros((1, 2)), np.array([10]), np.zeros((1, 4)))
    names = F.feature_names(K, H)
    assert x[0, names.index("def_vx_lag0")] == pytest.approx(4.0)
    assert x[0, names.index("def_vx_lag3")] == pytest.approx(1.0)
    assert x[0, names.index("def_speed")] == pytest.approx(4.0)
    assert x[0, names.index("def_ax")] == pytest.approx(10.0)
    assert x[0, names.index("time_left_s")] == pytest.approx(1.0)


@pytest.fixture(scope="module")
def synth_plays() -> tuple:
    tracking = ghosting.synth.generate_plays(6, seed=1, plays_per_game=2)
    return tracking, ghosting.pass_plays(tracking)


def test_cut_ghost_inputs_on_synthetic_plays(synth_plays: tuple) -> None:
    tracking, plays = synth_plays
    w = F.cut_ghost_inputs(tracking, plays, history=K)
    rows = [r for r in plays.to_pylist() if r["analysable"]]
    assert len(w) == sum(len(r["defensive_backs"]) for r in rows)
    assert w.is_back.all()
    # the window's pass-forward frame holds the tracking position
    first = rows[0]
    nfl = w.nfl_id[0]
    sel = (
        (tracking["game_id"].to_numpy() == first["game_id"])
        & (tracking["play_id"].to_numpy() == first["play_id"])
        & (tracking["nfl_id"].to_numpy() == nfl)
        & (tracking["frame_id"].to_numpy() == first["pass_forward_frame"])
    )
    real = np.column_stack([tracking["x"].to_numpy()[sel], tracking["y"].to_numpy()[sel]])[0]
    np.testing.assert_allclose(w.defender[0, K - 1], real)
    flight = {
        (r["game_id"], r["play_id"]): r["arrival_frame"] - r["pass_forward_frame"] for r in rows
    }
    expected = [flight[(g, p)] for g, p in zip(w.game_id.tolist(), w.play_id.tolist(), strict=True)]
    np.testing.assert_array_equal(w.flight_frames, expected)
    assert F.complete_mask(w).all()
    # what-if windows: one per (back, eligible receiver)
    wa = F.cut_ghost_inputs(tracking, plays, history=K, targets="all")
    assert len(wa) == sum(len(r["defensive_backs"]) * len(r["eligible_receivers"]) for r in rows)
    # the mirror is an involution
    back = F.mirror_inputs(F.mirror_inputs(w))
    np.testing.assert_allclose(back.defender, w.defender)


def test_tile_inputs_hold_the_receiver_after_arrival(synth_plays: tuple) -> None:
    tracking, plays = synth_plays
    w = F.cut_ghost_inputs(tracking, plays, history=K)
    hist, path, left, origin = F.tile_inputs(w, np.zeros(len(w), int), H)
    assert hist.shape == (len(w), K, 2) and path.shape == (len(w), H + 2, 2)
    np.testing.assert_array_equal(left, w.flight_frames)
    i = int(np.argmin(w.flight_frames))
    arrival = w.receiver[i, K - 1 + w.flight_frames[i]]
    np.testing.assert_allclose(path[i, -1], arrival)
    np.testing.assert_allclose(origin, w.defender[:, K - 1])


def test_cut_ghost_inputs_rejects_short_history(synth_plays: tuple) -> None:
    tracking, plays = synth_plays
    with pytest.raises(InputError):
        F.cut_ghost_inputs(tracking, plays, history=2)
    with pytest.raises(InputError):
        F.cut_ghost_inputs(tracking, plays, history=K, defenders="everyone")


def test_cut_ghost_inputs_rejects_rows_that_are_not_pass_plays(synth_plays: tuple) -> None:
    tracking, _plays = synth_plays
    with pytest.raises(InputError, match="pass_forward_frame"):
        F.cut_ghost_inputs(tracking, [{"game_id": 1, "play_id": 2}], history=K)


def test_cut_ghost_inputs_counts_what_it_skips(synth_plays: tuple) -> None:
    tracking, plays = synth_plays
    row = dict(plays.to_pylist()[0], play_id=999999)
    w = F.cut_ghost_inputs(tracking, [row], history=K)
    assert len(w) == 0 and w.skipped == {"play not in tracking": 1}
    row = dict(plays.to_pylist()[0], pass_forward_frame=None)
    assert F.cut_ghost_inputs(tracking, [row], history=K).skipped == {"no pass window": 1}


def test_context_is_the_nearest_other_player_at_pass_forward(synth_plays: tuple) -> None:
    """Brute force over the tracking rows at pass forward: the nearest offensive player
    other than the target, and the nearest defender other than the defender itself."""
    tracking, plays = synth_plays
    w = F.cut_ghost_inputs(tracking, plays, history=K, targets="all")
    cols = {c: tracking[c].to_numpy(zero_copy_only=False) for c in tracking.column_names}
    pf_of = {(r["game_id"], r["play_id"]): r["pass_forward_frame"] for r in plays.to_pylist()}
    for i in range(0, len(w), 7):
        g, p = int(w.game_id[i]), int(w.play_id[i])
        at = (cols["game_id"] == g) & (cols["play_id"] == p) & (cols["frame_id"] == pf_of[(g, p)])
        me = at & (cols["nfl_id"] == w.nfl_id[i])
        origin = np.array([cols["x"][me][0], cols["y"][me][0]])
        for side, exclude, ctx in (
            ("offense", w.target_nfl_id[i], w.context[i, :2]),
            ("defense", w.nfl_id[i], w.context[i, 2:]),
        ):
            sel = at & (cols["side"] == side) & (cols["nfl_id"] != exclude)
            rel = np.column_stack([cols["x"][sel], cols["y"][sel]]) - origin
            np.testing.assert_allclose(ctx, rel[np.argmin(np.hypot(*rel.T))])


def test_receiver_gaps_are_filled_from_the_pass_forward_side() -> None:
    from ghosting.flights_py import fill_receiver as _fill_receiver

    r = np.column_stack([np.arange(9.0), np.arange(9.0) * 2])
    r[[0, 1, 5, 7, 8]] = np.nan
    out = _fill_receiver(r, lead=3)
    assert out is not None
    # before pass forward: the next known frame; after it: the last known one
    np.testing.assert_array_equal(out[:, 0], [2, 2, 2, 3, 4, 4, 6, 6, 6])
    np.testing.assert_array_equal(out[:, 1], 2 * out[:, 0])
    r[3] = np.nan
    assert _fill_receiver(r, lead=3) is None


def test_complete_mask_looks_only_inside_each_window(synth_plays: tuple) -> None:
    tracking, plays = synth_plays
    w = F.cut_ghost_inputs(tracking, plays, history=K)
    w.flight_frames[1] = w.flight_frames[1] - 1  # frees the frame at index lead + T
    w.defender[0, K - 1 + w.flight_frames[0], 1] = np.nan  # the arrival frame: incomplete
    w.defender[1, K + w.flight_frames[1]] = np.nan  # past the (shortened) arrival: ignored
    ok = F.complete_mask(w)
    assert not ok[0] and ok[1:].all()


def test_cut_ghost_inputs_rejects_a_play_split_in_the_table(synth_plays: tuple) -> None:
    tracking, plays = synth_plays
    # the first row moved to the end: its play now comes in two runs
    swapped = pa.concat_tables([tracking.slice(1), tracking.slice(0, 1)])
    with pytest.raises(InputError, match="not grouped by"):
        F.cut_ghost_inputs(swapped, plays, history=K)

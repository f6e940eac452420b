"""Forecast mode: tokens, features, the shipped model and its card, export and training."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pytest

import ghosting
from ghosting.forecast.data import (
    MAX_TOKENS,
    feature_names,
    mirror_tokens,
    play_tokens,
    token_features,
)
from ghosting.forecast.model import DEFAULT_FORECAST_DIR, ForecastModel
from ghosting.forecast.predict import rmse


@pytest.fixture(scope="module")
def synth():
    tracking = ghosting.synth.generate_plays(6, seed=3)
    return tracking, ghosting.pass_plays(tracking)


def _position(tracking, game, play, nfl, frame):
    rows = tracking.filter(pc.and_(pc.and_(pc.equal(tracking["game_id"], game),
                                           pc.equal(tracking["play_id"], play)),
                                   pc.and_(pc.equal(tracking["nfl_id"], nfl),
                                           pc.equal(tracking["frame_id"], frame))))
    assert rows.num_rows == 1
    return rows["x"][0].as_py(), rows["y"][0].as_py()


def test_tokens_hold_target_first_and_real_positions(synth):
    tracking, plays = synth
    t = play_tokens(tracking, plays, history=8, receivers=True)
    rows = [r for r in plays.to_pylist() if r["analysable"] and r["targeted_receiver"]]
    assert len(t) == len(rows)
    assert t.hist.shape == (len(rows), MAX_TOKENS + 5, 8, 2)
    for p, row in enumerate(sorted(rows, key=lambda r: (r["game_id"], r["play_id"]))):
        assert (t.game_id[p], t.play_id[p]) == (row["game_id"], row["play_id"])
        assert t.nfl_id[p, 0] == row["targeted_receiver"] and t.is_target[p, 0]
        assert not t.is_target[p, 1:].any()
        pf = row["pass_forward_frame"]
        assert t.flight_frames[p] == row["arrival_frame"] - pf
        for k in np.flatnonzero(t.valid[p]):
            nfl = int(t.nfl_id[p, k])
            assert tuple(t.hist[p, k, -1]) == _position(tracking, row["game_id"],
                                                        row["play_id"], nfl, pf)
            assert tuple(t.hist[p, k, 0]) == _position(tracking, row["game_id"],
                                                       row["play_id"], nfl, pf - 7)
            last = int(t.flight_frames[p]) - 1
            assert tuple(t.future[p, k, last]) == _position(
                tracking, row["game_id"], row["play_id"], nfl, row["arrival_frame"])
        # every defensive back is scored, and the target
        backs = set(row["defensive_backs"])
        scored = {int(n) for n in t.nfl_id[p][t.scored[p]]}
        assert backs <= scored and row["targeted_receiver"] in scored
        # the other eligible receivers are tokens too, never scored
        others = set(row["eligible_receivers"]) - {row["targeted_receiver"]}
        assert {int(n) for n in t.nfl_id[p][t.valid[p] & ~t.is_defense[p]]} == (
            others | {row["targeted_receiver"]})
        assert not (t.scored[p] & ~t.is_defense[p] & ~t.is_target[p]).any()


def test_features_mirror_exactly(synth):
    tracking, plays = synth
    t = play_tokens(tracking, plays, history=6)
    f, v, m = token_features(t)
    fm, vm, mm = token_features(mirror_tokens(t))
    names = feature_names(6)
    assert f.shape[-1] == len(names)
    valid = m > 0
    for i, name in enumerate(names):
        a, b = f[..., i][valid], fm[..., i][valid]
        if name == "field_y":
            np.testing.assert_allclose(b, -a, atol=1e-4)  # centred: mirrors to its negative
        elif name.startswith(("dy", "vy", "ay")) or name.endswith("_dy"):
            np.testing.assert_allclose(b, -a, atol=1e-4)
        else:
            np.testing.assert_allclose(b, a, atol=1e-4)
    np.testing.assert_array_equal(vm[..., 1], -v[..., 1])
    np.testing.assert_array_equal(mm, m)
    assert not f[~valid].any()  # padding is zeros


def test_shipped_model_card_and_split():
    model = ghosting.ForecastModel.load()
    ghost = ghosting.GhostModel.load()
    card = model.card
    assert card["training"]["split_by_game"] == {
        k: sorted(int(g) for g in v) for k, v in ghost.card["training"]["split_by_game"].items()
    }
    assert 2018120600 in card["training"]["split_by_game"]["test"]
    assert card["features"]["columns"] == feature_names(model.history)
    assert card["training"]["onnx_vs_torch_max_abs_diff"] < 1e-4
    val = card["metrics"]["validation"]
    assert val["model"]["all"]["rmse"] < val["constant_velocity"]["all"]["rmse"]
    assert ghosting.ForecastModel.load(sha256=model.sha256.upper()).sha256 == model.sha256


def test_predict_rows_and_determinism(synth):
    tracking, plays = synth
    model = ForecastModel.load()
    a = model.predict(tracking, plays)
    b = model.predict(tracking, plays.to_pylist())
    assert a.equals(b)
    assert a.column_names == ["game_id", "play_id", "nfl_id", "frame_id", "x", "y"]
    t = model.tokens(tracking, plays)
    expected = int((t.scored.sum(1) * t.flight_frames).sum())
    assert a.num_rows == expected
    for row in plays.to_pylist():
        sub = a.filter(pc.equal(a["play_id"], row["play_id"]))
        frames = sorted(set(sub["frame_id"].to_pylist()))
        assert frames == list(range(row["pass_forward_frame"] + 1, row["arrival_frame"] + 1))
        assert row["targeted_receiver"] in sub["nfl_id"].to_pylist()
    every = model.predict(tracking, plays, players="all")
    players = (t.is_target | t.is_defense).sum(1)
    assert every.num_rows == int((players * t.flight_frames).sum()) > a.num_rows
    assert np.isfinite(every["x"].to_numpy()).all()
    with pytest.raises(ghosting.InputError, match="players"):
        model.predict(tracking, plays, players="some")


def _copy_model(tmp_path: Path) -> Path:
    folder = tmp_path / "model"
    shutil.copytree(DEFAULT_FORECAST_DIR, folder)
    return folder


def test_changed_byte_refuses_to_load(tmp_path):
    folder = _copy_model(tmp_path)
    assert ForecastModel.load(folder).sha256 == ForecastModel.load().sha256
    blob = bytearray((folder / "forecast.onnx").read_bytes())
    blob[len(blob) // 2] ^= 0x01
    (folder / "forecast.onnx").write_bytes(bytes(blob))
    with pytest.raises(ghosting.ModelError, match="does not match its card"):
        ForecastModel.load(folder)


def test_pinned_hash_and_bad_cards(tmp_path):
    folder = _copy_model(tmp_path)
    with pytest.raises(ghosting.ModelError, match="not the pinned"):
        ForecastModel.load(folder, sha256="0" * 64)
    card_path = folder / "card.json"
    card = json.loads(card_path.read_text())
    for key, value, message in (("max_frames", 0, "max_frames must be in"),
                                ("tokens", "12", "tokens must be an integer"),
                                ("history", 200, "history must be in")):
        bad = dict(card, **{key: value})
        card_path.write_text(json.dumps(bad))
        with pytest.raises(ghosting.ModelError, match=message):
            ForecastModel.load(folder)
    del card["max_frames"]
    card_path.write_text(json.dumps(card))
    with pytest.raises(ghosting.ModelError, match="lacks the key 'max_frames'"):
        ForecastModel.load(folder)
    card = json.loads((DEFAULT_FORECAST_DIR / "card.json").read_text())
    card["features"]["columns"] = card["features"]["columns"][::-1]
    card_path.write_text(json.dumps(card))
    with pytest.raises(ghosting.ModelError, match="feature columns"):
        ForecastModel.load(folder)
    # a ghost model is not a forecast model
    with pytest.raises(ghosting.ModelError):
        ForecastModel.load(ghosting.model.DEFAULT_MODEL_DIR)


def test_rmse_is_the_competition_metric():
    pred = np.array([[1.0, 0.0], [0.0, 3.0], [np.nan, 0.0]])
    real = np.zeros((3, 2))
    value, n = rmse(pred, real)
    assert n == 2
    assert value == pytest.approx(np.sqrt(0.5 * (0.5 + 4.5)))


def test_export_matches_torch_and_masks_padding(tmp_path):
    torch = pytest.importorskip("torch")
    pytest.importorskip("onnx")
    import onnxruntime as ort

    from ghosting.forecast.network import build_forecast_net, export_forecast_onnx

    torch.manual_seed(0)
    n_in, frames = 9, 7
    net = build_forecast_net(torch, n_in, frames, np.zeros(n_in, np.float32),
                             np.ones(n_in, np.float32), width=16, heads=2, blocks=2)
    with torch.no_grad():  # a non-trivial head (it starts at zero)
        for p in net.head.parameters():
            p.normal_(0.0, 0.3)
    net.eval()
    path = tmp_path / "net.onnx"
    export_forecast_onnx(torch, net, path, n_in, 5)
    rng = np.random.default_rng(0)
    tokens = rng.normal(size=(3, 5, n_in)).astype(np.float32)
    velocity = rng.normal(size=(3, 5, 2)).astype(np.float32)
    mask = np.ones((3, 5), np.float32)
    mask[0, 3:] = 0
    mask[2, 1:] = 0
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    feeds = {"tokens": tokens, "velocity": velocity, "mask": mask}
    disp, sigma = sess.run(None, feeds)
    with torch.no_grad():
        tdisp, tsig = net(*(torch.from_numpy(feeds[k]) for k in ("tokens", "velocity", "mask")))
    assert np.abs(disp - tdisp.numpy()).max() < 1e-5
    assert np.abs(sigma - tsig.numpy()).max() < 1e-5
    assert disp.shape == (3, 5, frames, 2) and (sigma > 0).all()
    # padding players change nothing for the real ones
    changed = dict(feeds, tokens=tokens.copy())
    changed["tokens"][0, 3:] = 50.0
    changed["tokens"][2, 1:] = -20.0
    disp2, _ = sess.run(None, changed)
    np.testing.assert_allclose(disp2[0, :3], disp[0, :3], atol=1e-5)
    np.testing.assert_allclose(disp2[2, :1], disp[2, :1], atol=1e-5)
    assert np.abs(disp2[0, 3:] - disp[0, 3:]).max() > 1e-3


def test_training_is_deterministic_and_loadable(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("onnx")
    pytest.importorskip("lightgbm")
    from ghosting.forecast.train import ForecastConfig, train_forecast_on_tables

    tracking = ghosting.synth.generate_plays(12, seed=5, plays_per_game=2)
    plays = ghosting.pass_plays(tracking)
    games = sorted(set(plays["game_id"].to_pylist()))
    split = {"train": games[:4], "validation": games[4:5], "test": games[5:]}
    cfg = ForecastConfig(history=6, frames=12, width=16, heads=2, blocks=1, epochs=4,
                         ensemble=2, eval_every=2, batch_size=4)
    cards = [train_forecast_on_tables([("synth", tracking, plays)], tmp_path / f"m{i}",
                                      config=cfg, split=split, seed=1) for i in range(2)]
    assert cards[0]["onnx_sha256"] == cards[1]["onnx_sha256"]
    assert cards[0]["training"]["onnx_vs_torch_max_abs_diff"] < 1e-4
    assert cards[0]["training"]["split_by_game"] == split
    model = ForecastModel.load(tmp_path / "m0")
    assert (model.history, model.max_frames) == (6, 12)
    out = model.predict(tracking, plays)
    assert out.num_rows > 0 and np.isfinite(out["x"].to_numpy()).all()
    # flights longer than max_frames are continued, never cut
    longest = max(r["arrival_frame"] - r["pass_forward_frame"] for r in plays.to_pylist()
                  if r["analysable"])
    assert longest > 12
    assert out.num_rows == int((model.tokens(tracking, plays).scored.sum(1)
                                * model.tokens(tracking, plays).flight_frames).sum())

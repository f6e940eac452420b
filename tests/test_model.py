"""GhostModel: loading and hash checks, predictions on a real play, threads, determinism."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

import ghosting
from ghosting.errors import ModelError, PlayError
from ghosting.model import DEFAULT_MODEL_DIR, PREDICTION_SCHEMA, GhostModel


@pytest.fixture(scope="module")
def model() -> GhostModel:
    return GhostModel.load()


def test_default_model_loads_with_its_card(model: GhostModel) -> None:
    card = model.card
    assert model.history >= 3 and model.horizon >= 10
    assert card["onnx_sha256"] == model.sha256
    assert "non-commercial" in card["licence"]
    assert card["features"]["groups"] and card["features"]["screening"]["group_ranking"]
    assert set(card["training"]["split_by_game"]) == {"train", "validation", "test"}
    assert (DEFAULT_MODEL_DIR / "ghost.onnx").stat().st_size <= 5 * 1024 * 1024
    # card() returns a copy
    card["history"] = -1
    assert model.history >= 3
    # a directory, its card or its ONNX file all name the same model
    for path in (
        DEFAULT_MODEL_DIR,
        DEFAULT_MODEL_DIR / "card.json",
        DEFAULT_MODEL_DIR / "ghost.onnx",
    ):
        assert GhostModel.load(path).sha256 == model.sha256
    assert model.sha256[:12] in repr(model)


def _copy_model(tmp_path: Path) -> Path:
    dst = tmp_path / "m"
    shutil.copytree(DEFAULT_MODEL_DIR, dst)
    return dst


def test_hash_mismatch_is_a_model_error(tmp_path: Path) -> None:
    d = _copy_model(tmp_path)
    blob = bytearray((d / "ghost.onnx").read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    (d / "ghost.onnx").write_bytes(bytes(blob))
    with pytest.raises(ModelError, match="does not match its card"):
        GhostModel.load(d)


def test_corrupt_file_with_matching_hash_is_a_model_error(tmp_path: Path) -> None:
    import hashlib

    d = _copy_model(tmp_path)
    junk = b"not an onnx model at all"
    (d / "ghost.onnx").write_bytes(junk)
    card = json.loads((d / "card.json").read_text())
    card["onnx_sha256"] = hashlib.sha256(junk).hexdigest()
    (d / "card.json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match="not a loadable ONNX model"):
        GhostModel.load(d)


def test_missing_or_broken_card(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not found"):
        GhostModel.load(tmp_path)
    d = _copy_model(tmp_path)
    (d / "card.json").write_text("{not json")
    with pytest.raises(ModelError, match="not valid JSON"):
        GhostModel.load(d)
    (d / "card.json").write_text(json.dumps({"onnx_file": "ghost.onnx"}))
    with pytest.raises(ModelError, match="lacks the key"):
        GhostModel.load(d / "card.json")
    assert isinstance(ModelError("x"), ghosting.GhostingError)


def test_unknown_feature_column_in_card(tmp_path: Path) -> None:
    d = _copy_model(tmp_path)
    card = json.loads((d / "card.json").read_text())
    card["features"]["columns"][0] = "shoe_size"
    (d / "card.json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match="shoe_size"):
        GhostModel.load(d)


@pytest.fixture(scope="module")
def game_2021(data_dir: Path) -> tuple[pa.Table, pa.Table]:
    base = data_dir / "bdb2021"
    tracking = ghosting.read_tracking(base / "week13_game_2018120600.csv.gz")
    targets = ghosting.read_targets(base / "targetedReciever.csv")
    return tracking, ghosting.pass_plays(tracking, targets=targets)


def _first_play(plays: pa.Table) -> dict:
    rows = [r for r in plays.to_pylist() if r["analysable"] and len(r["eligible_receivers"]) > 2]
    return rows[0]


def test_predict_real_play(model: GhostModel, game_2021: tuple) -> None:
    tracking, plays = game_2021
    row = _first_play(plays)
    out = model.predict(tracking, row)
    assert out.schema == PREDICTION_SCHEMA
    backs = set(out.column("nfl_id").to_pylist())
    assert backs and backs <= set(row["defensive_backs"])
    assert set(out.column("target_nfl_id").to_pylist()) == {row["targeted_receiver"]}
    n_frames = row["arrival_frame"] - row["pass_forward_frame"] + 1
    assert out.num_rows == len(backs) * n_frames
    frames = np.array(out.column("frame_id").to_pylist()).reshape(len(backs), n_frames)
    np.testing.assert_array_equal(
        frames,
        np.tile(np.arange(row["pass_forward_frame"], row["arrival_frame"] + 1), (len(backs), 1)),
    )
    xy = np.column_stack([out["x"].to_numpy(), out["y"].to_numpy()]).reshape(
        len(backs), n_frames, 2
    )
    sigma = out["sigma"].to_numpy().reshape(len(backs), n_frames)
    assert np.isfinite(xy).all() and np.isfinite(sigma).all()
    assert np.all(sigma[:, 0] == 0) and np.all(sigma[:, 1:] > 0)
    speed = np.hypot(*np.moveaxis(np.diff(xy, axis=1), -1, 0)) / 0.1
    assert speed.max() < 12.5  # no superhuman step
    # t = 0 is the real position
    same = model.predict(tracking, (row["game_id"], row["play_id"]))
    assert same.equals(out)


def test_what_if_covers_every_eligible_receiver(model: GhostModel, game_2021: tuple) -> None:
    tracking, plays = game_2021
    row = _first_play(plays)
    options = model.what_if(tracking, row)
    assert set(options.column("target_nfl_id").to_pylist()) == set(row["eligible_receivers"])
    other = [r for r in row["eligible_receivers"] if r != row["targeted_receiver"]][0]
    alt = model.predict(tracking, row, target=other)
    from_what_if = options.filter(pa.compute.equal(options["target_nfl_id"], other))
    np.testing.assert_allclose(alt["x"].to_numpy(), from_what_if["x"].to_numpy())
    real = model.predict(tracking, row)
    assert not np.allclose(alt["x"].to_numpy(), real["x"].to_numpy())
    with pytest.raises(PlayError):
        model.predict(tracking, row, target=123456789)
    # without a list of eligible receivers the target must still be in the play
    no_list = dict(row, eligible_receivers=None)
    with pytest.raises(PlayError, match="123456789 is not in the tracking table"):
        model.predict(tracking, no_list, target=123456789)
    np.testing.assert_array_equal(
        model.predict(tracking, no_list, target=other)["x"].to_numpy(), alt["x"].to_numpy()
    )


def test_ghosts_move_like_players(model: GhostModel, game_2021: tuple) -> None:
    """Over a whole real game, cleaned as the main job does: human speeds and
    accelerations, nothing off the field."""
    tracking, plays = game_2021
    cleaned, _report = ghosting.clean(tracking, policy="play")
    kept = set(cleaned["play_id"].to_pylist())
    plays = plays.filter(pa.array([p in kept for p in plays["play_id"].to_pylist()]))
    ghosts = model.predict_plays(cleaned, plays, what_if=True).to_table()
    key = np.stack(
        [ghosts[c].to_numpy() for c in ("game_id", "play_id", "nfl_id", "target_nfl_id")], 1
    )
    new = np.r_[True, np.any(key[1:] != key[:-1], axis=1)]
    offsets = np.r_[np.flatnonzero(new), len(key)].astype(np.int64)
    xy = np.column_stack([ghosts["x"].to_numpy(), ghosts["y"].to_numpy()])
    f = ghosting.feasibility(xy, offsets=offsets)
    assert np.nanmax(f.max_speed) < 11.0
    assert np.nanpercentile(f.max_accel, 99) < 15.0  # real defenders: about 12
    assert int(np.sum(f.n_long_steps)) == 0 and int(np.sum(f.n_off_field)) == 0


def test_not_analysable_play_is_a_play_error(model: GhostModel, game_2021: tuple) -> None:
    tracking, plays = game_2021
    bad = [r for r in plays.to_pylist() if not r["analysable"]][0]
    with pytest.raises(PlayError, match=str(bad["play_id"])):
        model.predict(tracking, bad)


def test_deterministic_and_thread_safe(model: GhostModel, game_2021: tuple) -> None:
    tracking, plays = game_2021
    ref = model.predict_plays(tracking, plays, what_if=True).to_table()
    assert ref.num_rows > 1000
    results: list[pa.Table] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            results.append(model.predict_plays(tracking, plays, what_if=True).to_table())
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 4
    for r in results:
        assert r.equals(ref)  # bitwise identical


def test_plays_table_and_its_rows_give_the_same_ghosts(model: GhostModel) -> None:
    """The table is chosen column-wise (analysable, a target), the rows one by one: the
    same plays, the same ghosts bit for bit - also with a null analysable, a null
    target, and without the analysable column."""
    tracking = ghosting.synth.generate_plays(6, seed=3)
    plays = ghosting.pass_plays(tracking)
    analysable = plays["analysable"].to_pylist()
    analysable[1], analysable[4] = None, False
    targets = plays["targeted_receiver"].to_pylist()
    targets[2] = None
    plays = plays.set_column(plays.schema.get_field_index("analysable"), "analysable",
                             pa.array(analysable, pa.bool_()))
    plays = plays.set_column(plays.schema.get_field_index("targeted_receiver"),
                             "targeted_receiver", pa.array(targets, pa.int64()))
    for table in (plays, plays.drop_columns(["analysable"])):
        by_table = model.predict_plays(tracking, table, what_if=True).to_table()
        by_rows = model.predict_plays(tracking, table.to_pylist(), what_if=True).to_table()
        assert by_table.num_rows > 0
        assert by_table.equals(by_rows)
    ghosted = set(model.predict_plays(tracking, plays).to_table()["play_id"].to_pylist())
    ids = plays["play_id"].to_pylist()
    assert ghosted == {ids[i] for i in (0, 3, 5)}
    assert len(model.predict_plays(tracking, plays.drop_columns(["targeted_receiver"]))) == 0


def test_empty_plays_give_an_empty_table(model: GhostModel, game_2021: tuple) -> None:
    tracking, plays = game_2021
    ghosts = model.predict_plays(tracking, plays.slice(0, 0))
    assert len(ghosts) == 0 and ghosts.offsets.tolist() == [0]
    out = ghosts.to_table()
    assert out.num_rows == 0 and out.schema == PREDICTION_SCHEMA


def _model_with_split(tmp_path: Path, split: dict | None) -> GhostModel:
    d = _copy_model(tmp_path)
    card = json.loads((d / "card.json").read_text())
    if split is None:
        del card["training"]["split_by_game"]
    else:
        card["training"]["split_by_game"] = split
    (d / "card.json").write_text(json.dumps(card))
    return GhostModel.load(d)


def test_evaluate_excludes_every_seen_game_and_needs_the_split(tmp_path: Path) -> None:
    from ghosting.errors import InputError
    from ghosting.model.evaluate import evaluate_model

    tracking = ghosting.synth.generate_plays(4, seed=0, plays_per_game=2)
    plays = ghosting.pass_plays(tracking)
    data = [("synthetic", tracking, plays)]
    first, second = sorted(set(plays["game_id"].to_pylist()))
    # game ids written as strings in a card still count as seen
    m = _model_with_split(tmp_path / "a", {"train": [str(first)], "validation": [second]})
    with pytest.raises(InputError, match="2 games excluded"):
        evaluate_model(data, m)
    m = _model_with_split(tmp_path / "b", {"train": [first], "validation": [], "test": [second]})
    report = evaluate_model(data, m)
    assert report["n_games"] == 1 and report["excluded"]["games"] == 1
    assert report["excluded"]["plays"] == 2
    # a card that cannot say which games it saw cannot be evaluated honestly
    m = _model_with_split(tmp_path / "c", None)
    with pytest.raises(ModelError, match="split"):
        evaluate_model(data, m)
    assert evaluate_model(data, m, games="all")["excluded"]["games"] == 0


def test_edge_plays(model: GhostModel) -> None:
    """One-frame and three-tile flights, a receiver that vanishes, one eligible
    receiver, no defensive back."""
    tracking = ghosting.synth.generate_plays(1, seed=0)
    row = ghosting.pass_plays(tracking).to_pylist()[0]
    pf, n_backs = row["pass_forward_frame"], len(row["defensive_backs"])
    one = model.predict(tracking, dict(row, arrival_frame=pf + 1))
    assert one.num_rows == 2 * n_backs
    assert sorted(set(one["frame_id"].to_pylist())) == [pf, pf + 1]
    # a flight longer than two tiles (the tracking ends before it: receiver held)
    flight = 2 * model.horizon + 7
    long = model.predict(tracking, dict(row, arrival_frame=pf + flight))
    xy = np.column_stack([long["x"].to_numpy(), long["y"].to_numpy()])
    assert long.num_rows == n_backs * (flight + 1) and np.isfinite(xy).all()
    sigma = long["sigma"].to_numpy().reshape(n_backs, flight + 1)
    assert np.all(np.diff(sigma, axis=1) >= 0)  # tiles add uncertainty, never remove it
    step = np.hypot(*np.diff(xy.reshape(n_backs, flight + 1, 2), axis=1).T)
    assert step.max() < 1.25  # no jump where a tile hands over to the next
    # the receiver's rows after the second flight frame are gone: held, not NaN
    gone = _without_rows_after(tracking, row["targeted_receiver"], pf + 2)
    held = model.predict(tracking.filter(gone), row)
    assert held.num_rows == model.predict(tracking, row).num_rows
    assert np.isfinite(held["x"].to_numpy()).all()
    # a real target missing from the eligible list is still ghosted in what-if mode
    others = [r for r in row["eligible_receivers"] if r != row["targeted_receiver"]]
    unlisted = model.what_if(tracking, dict(row, eligible_receivers=others))
    assert set(unlisted["target_nfl_id"].to_pylist()) == set(row["eligible_receivers"])
    # what-if with a single eligible receiver: the real target only
    single = model.what_if(tracking, dict(row, eligible_receivers=[row["targeted_receiver"]]))
    assert single.equals(model.predict(tracking, row))
    # nothing to ghost: an empty table with the schema
    none = model.predict(tracking, dict(row, defensive_backs=[]))
    assert none.num_rows == 0 and none.schema == PREDICTION_SCHEMA


def _without_rows_after(tracking: pa.Table, nfl_id: int, after: int) -> pa.Array:
    """Mask keeping every row but ``nfl_id``'s after frame ``after``."""
    import pyarrow.compute as pc

    drop = pc.and_(pc.equal(tracking["nfl_id"], nfl_id), pc.greater(tracking["frame_id"], after))
    return pc.invert(drop)


def test_single_play_calls_equal_the_batched_call(model: GhostModel, game_2021: tuple) -> None:
    """predict/what_if cut the play's rows first; the batched call cuts from the table."""
    tracking, plays = game_2021
    for row in [r for r in plays.to_pylist() if r["analysable"]][:5]:
        assert model.predict(tracking, row).equals(
            model.predict_plays(tracking, [row]).to_table()
        )
        assert model.what_if(tracking, row).equals(
            model.predict_plays(tracking, [row], what_if=True).to_table()
        )
    with pytest.raises(ghosting.errors.InputError, match="play_id"):
        model.predict(tracking.drop_columns(["play_id"]), _first_play(plays))

"""The decision step inside ``ghosting.run``: plays columns and the passers table."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import ghosting
from ghosting.decision.tables import DECISION_PLAY_FIELDS, PASSERS_SCHEMA


def test_run_adds_the_decision_and_the_passers_table(tmp_path):
    tracking = ghosting.synth.generate_plays(6, seed=4)
    results = ghosting.run(tracking)
    plays = results.plays
    for field in DECISION_PLAY_FIELDS:
        assert plays.schema.field(field.name).type == field.type
    scored = pc.equal(plays["status"], "scored").to_numpy(zero_copy_only=False)
    judged = plays["decision_judged"].to_numpy(zero_copy_only=False)
    assert judged[scored].all() and not judged[~scored].any()
    for row in plays.filter(pa.array(judged)).to_pylist():
        opts = row["decision_options"]
        ranks = [o["rank"] for o in opts if o["rank"] is not None]
        assert ranks == list(range(1, len(ranks) + 1))
        (real,) = [o for o in opts if o["is_real_target"]]
        assert real["rank"] == row["target_rank"]
        assert real["expected_yards"] == row["target_expected_yards"]
        assert real["value"] == row["target_value"]
        assert row["decision_value"] == "expected_points"
        assert row["decision_down"] in (1, 2, 3, 4) and row["decision_yards_to_go"] > 0
        best = max(o["value"] for o in opts if not o["is_real_target"] and o["analysable"])
        assert row["value_gain"] == pytest.approx(best - real["value"])
        assert row["better_option"] == any(o["better"] for o in opts)
        for o in opts:
            if o["analysable"]:
                assert o["yards_after_catch"] >= 0
                assert o["expected_yards"] == pytest.approx(
                    o["p_complete"] * (o["air_yards"] + o["yards_after_catch"]), rel=1e-12)
                assert o["arrival_frame"] - o["flight_frames"] == row["pass_forward_frame"]
    passers = results.passers
    assert passers.schema == PASSERS_SCHEMA
    assert sum(passers["plays_judged"].to_pylist()) == int(judged.sum())
    assert sum(passers["better_option_plays"].to_pylist()) == int(
        np.sum(plays["better_option"].to_numpy(zero_copy_only=False)))
    better = plays.filter(pc.fill_null(plays["better_option"], False))
    assert sum(passers["value_left"].to_pylist()) == pytest.approx(
        sum(better["value_gain"].to_pylist()))
    assert results.summary["counts"]["plays_judged"] == int(judged.sum())
    out = results.write(tmp_path / "out")
    assert pq.read_table(out / "passers.parquet").equals(passers)


def test_run_files_writes_the_same_passers_table(tmp_path):
    summary = ghosting.pipeline.run_files(None, tmp_path / "out", demo_plays=5)
    memory = ghosting.run(ghosting.synth.generate_plays(5, seed=0))
    written = pq.read_table(tmp_path / "out" / "passers.parquet")
    assert written.equals(memory.passers)
    assert summary["counts"]["plays_with_better_option"] == sum(
        written["better_option_plays"].to_pylist())


def test_a_model_without_windows_leaves_the_decision_empty():
    tracking = ghosting.synth.generate_plays(2, seed=1)
    model = ghosting.GhostModel.load()

    class Plain:  # predict_plays only: no per-option roll-out possible
        card = model.card

        def predict_plays(self, *args, **kwargs):
            return model.predict_plays(*args, **kwargs)

    results = ghosting.run(tracking, model=Plain())
    assert not any(results.plays["decision_judged"].to_pylist())
    assert set(results.plays["decision_reason"].to_pylist()) == {
        "the model cannot ghost every defender per option"}
    assert sum(results.passers["plays_judged"].to_pylist()) == 0  # passers, none judged


def test_report_shows_the_passer_table_and_the_options(tmp_path):
    from ghosting.report import render_report

    results = ghosting.run(ghosting.synth.generate_plays(6, seed=4))
    out = results.write(tmp_path / "out")
    text = render_report(out, top=3, pictures=False)
    assert "The quarterback&#x27;s decision" in text or "The quarterback's decision" in text
    for name in results.passers["passer_display_name"].to_pylist():
        assert name in text
    better = [p for p in results.plays.to_pylist() if p["better_option"]]
    if better:
        assert "exp. yards" in text and "(real target)" in text
    else:
        assert "No play had a better option" in text


def test_cards_fitted_for_another_ghost_model_warn():
    import pytest

    from ghosting.decision import pipeline_step

    base = ghosting.GhostModel.load()

    class Other:  # the shipped network under another identity
        card = base.card
        history = base.history
        sha256 = "0" * 64

        def predict_plays(self, *args, **kwargs):
            return base.predict_plays(*args, **kwargs)

        def predict_windows(self, *args, **kwargs):
            return base.predict_windows(*args, **kwargs)

    pipeline_step._WARNED.discard("0" * 64)
    with pytest.warns(ghosting.GhostingWarning, match="train-decision"):
        results = ghosting.run(ghosting.synth.generate_plays(2, seed=2), model=Other())
    assert all(results.plays["decision_judged"].to_pylist())

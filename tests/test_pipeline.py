"""ghosting.run and Results: every play accounted for, tables consistent with each
other and with the scoring reference, atomic writes."""

from __future__ import annotations

import json
import sys

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import ghosting
from ghosting import pipeline
from ghosting.pipeline import OUTPUT_FILES, Results, game, inputs, outputs
from ghosting.scoring import trajectory_score_py


@pytest.fixture(scope="module")
def demo() -> pa.Table:
    return ghosting.synth.generate_plays(10, seed=3, plays_per_game=5)


@pytest.fixture(scope="module")
def model() -> ghosting.GhostModel:
    return ghosting.GhostModel.load()


@pytest.fixture(scope="module")
def results(demo: pa.Table, model: ghosting.GhostModel) -> Results:
    return ghosting.run(demo, model=model)


def _track(table: pa.Table, **keys: int) -> pa.Table:
    mask = None
    for name, value in keys.items():
        eq = pc.equal(table[name], value)
        mask = eq if mask is None else pc.and_(mask, eq)
    table = table.filter(mask)
    return table.sort_by("frame_id") if "frame_id" in table.column_names else table


def _xy(table: pa.Table) -> np.ndarray:
    return np.column_stack([table["x"].to_numpy(), table["y"].to_numpy()])


def assert_tables_equal(a: pa.Table, b: pa.Table) -> None:
    """Equal schemas and values, NaN equal to NaN."""
    assert a.schema.equals(b.schema)
    for name in a.column_names:
        x, y = a[name], b[name]
        if pa.types.is_floating(x.type):
            np.testing.assert_array_equal(x.to_numpy(), y.to_numpy())
        else:
            assert x.to_pylist() == y.to_pylist(), name


def test_tables_have_the_documented_schemas(results: Results) -> None:
    assert results.trajectories.schema.equals(pipeline.TRAJECTORIES_SCHEMA)
    assert results.scores.schema.equals(pipeline.SCORES_SCHEMA)
    assert results.plays.schema.equals(pipeline.PLAYS_OUTPUT_SCHEMA)
    assert set(pc.unique(results.trajectories["kind"]).to_pylist()) == {"real", "ghost"}


def test_every_play_is_accounted_for(demo: pa.Table, results: Results) -> None:
    keys = demo.select(["game_id", "play_id"]).group_by(["game_id", "play_id"]).aggregate([])
    counts = results.summary["counts"]
    assert counts["plays_read"] == keys.num_rows == results.plays.num_rows
    assert counts["games"] == 2
    status = results.plays["status"].to_pylist()
    assert counts["plays_scored"] == status.count("scored") > 0
    assert counts["plays_scored"] + sum(counts["skipped_by_reason"].values()) == keys.num_rows
    skipped = results.plays.filter(pc.equal(results.plays["status"], "skipped"))
    assert skipped["reason"].null_count == 0
    json.dumps(results.summary, allow_nan=False)  # JSON-clean


def test_ghost_scores_match_the_numpy_reference(results: Results) -> None:
    """Rebuild each ghost trajectory and its option's receiver from trajectories and
    score them with the plain numpy reference, trajectory by trajectory."""
    traj = results.trajectories
    ghosts = traj.filter(pc.equal(traj["kind"], "ghost"))
    real = traj.filter(pc.equal(traj["kind"], "real"))
    rows = results.scores.to_pylist()
    assert len(rows) == results.summary["counts"]["ghost_trajectories"] > 0
    for row in rows[::7]:
        g = _track(ghosts, game_id=row["game_id"], play_id=row["play_id"],
                   nfl_id=row["nfl_id"], target_nfl_id=row["target_nfl_id"])
        r = _track(real, game_id=row["game_id"], play_id=row["play_id"],
                   nfl_id=row["target_nfl_id"])
        r = r.filter(pc.is_in(r["frame_id"], g["frame_id"]))
        assert r["frame_id"].to_pylist() == g["frame_id"].to_pylist()
        assert g.num_rows == row["frames"]
        offsets = np.array([0, g.num_rows])
        ps, dr, sp, ts = trajectory_score_py.trajectory_score(_xy(g), _xy(r), offsets)
        np.testing.assert_allclose([row["ps"], row["dr"], row["sp"], row["ts"]],
                                   [ps[0], dr[0], sp[0], ts[0]], rtol=1e-9, atol=1e-12)
        weight, _ = trajectory_score_py.play_scores(_xy(g), _xy(r), offsets, ts, np.array([0, 1]))
        np.testing.assert_allclose(row["weight"], weight[0], rtol=1e-9)
        separation = np.hypot(*(_xy(g)[-1] - _xy(r)[-1]))
        np.testing.assert_allclose(row["distance_at_arrival"], separation, rtol=1e-9)


def test_ghosts_start_at_the_real_position(results: Results) -> None:
    traj = results.trajectories
    ghosts = traj.filter(pc.equal(traj["kind"], "ghost"))
    real = traj.filter(pc.equal(traj["kind"], "real"))
    for play in results.plays.filter(pc.equal(results.plays["status"], "scored")).to_pylist():
        keys = {"game_id": play["game_id"], "play_id": play["play_id"],
                "frame_id": play["pass_forward_frame"]}
        first = _track(ghosts, **keys)
        at = _track(real, **keys)
        where = dict(zip(at["nfl_id"].to_pylist(), _xy(at).tolist(), strict=True))
        for nfl_id, xy in zip(first["nfl_id"].to_pylist(), _xy(first).tolist(), strict=True):
            np.testing.assert_allclose(xy, where[nfl_id])


def test_options_are_ranked_by_separation(results: Results) -> None:
    scores = results.scores
    for play in results.plays.filter(pc.equal(results.plays["status"], "scored")).to_pylist():
        options = play["options"]
        assert [o["rank"] for o in options] == list(range(1, len(options) + 1))
        seps = [o["separation"] for o in options]
        assert seps == sorted(seps, reverse=True)
        mine = _track(scores, game_id=play["game_id"], play_id=play["play_id"])
        for option in options:
            rows = mine.filter(pc.equal(mine["target_nfl_id"], option["nfl_id"]))
            assert option["separation"] == pytest.approx(
                float(np.min(rows["distance_at_arrival"].to_numpy()))
            )
            assert option["is_real_target"] == (option["nfl_id"] == play["targeted_receiver"])
        assert sum(o["is_real_target"] for o in options) == 1
        real = next(o for o in options if o["is_real_target"])
        assert play["best_option"] == options[0]["nfl_id"]
        assert play["target_separation"] == pytest.approx(real["separation"])
        assert play["ghost_play_score"] == pytest.approx(real["ghost_play_score"])
        assert play["separation_gain"] == pytest.approx(
            options[0]["separation"] - real["separation"]
        )


def test_real_scores_sit_beside_the_ghost_for_the_real_target(
    demo: pa.Table, results: Results
) -> None:
    scores = results.scores
    is_real = scores["is_real_target"].to_numpy(zero_copy_only=False)
    real_ts = scores["real_ts"]
    assert real_ts.null_count >= int((~is_real).sum())
    assert pc.all(pc.is_null(real_ts.filter(pa.array(~is_real)))).as_py()
    # Against score_real on the same (clean) plays.
    scored = results.plays.filter(pc.equal(results.plays["status"], "scored"))
    expected = ghosting.score_real(demo)
    by_key = {
        (r["game_id"], r["play_id"], r["nfl_id"]): r for r in expected.trajectories.to_pylist()
    }
    checked = 0
    for row in scores.filter(pa.array(is_real)).to_pylist():
        ref = by_key[(row["game_id"], row["play_id"], row["nfl_id"])]
        assert row["real_ts"] == pytest.approx(ref["ts"], rel=1e-12)
        assert row["real_weight"] == pytest.approx(ref["weight"], rel=1e-12)
        checked += 1
    assert checked == results.summary["counts"]["real_trajectories"] > 0
    play_scores = {
        (p["game_id"], p["play_id"]): p["play_score"] for p in expected.plays.to_pylist()
    }
    for play in scored.to_pylist():
        key = (play["game_id"], play["play_id"])
        assert play["real_play_score"] == pytest.approx(play_scores[key])


def test_summary_trajectory_score_table_is_the_mean_of_the_scores(results: Results) -> None:
    table = results.summary["trajectory_score"]
    scores = results.scores
    is_real = scores["is_real_target"].to_numpy(zero_copy_only=False)
    ts = scores["ts"].to_numpy()
    real_ts = scores["real_ts"].to_numpy(zero_copy_only=False).astype(float)
    assert table["ghost_all_options"]["ts"] == pytest.approx(np.nanmean(ts))
    assert table["ghost_real_target"]["ts"] == pytest.approx(np.nanmean(ts[is_real]))
    assert table["real"]["ts"] == pytest.approx(np.nanmean(real_ts[is_real]))
    plays = results.plays.filter(pc.equal(results.plays["status"], "scored"))
    assert table["real"]["play_score"] == pytest.approx(
        np.nanmean(plays["real_play_score"].to_numpy())
    )
    assert results.summary["model"]["card_sha256"]
    assert results.summary["throughput"]["plays_per_second"] > 0


def test_plays_without_a_pass_are_skipped_with_the_reason(
    demo: pa.Table, model: ghosting.GhostModel
) -> None:
    first_game, first_play = demo["game_id"][0].as_py(), demo["play_id"][0].as_py()
    event = demo["event"]
    this_play = pc.and_(
        pc.equal(demo["game_id"], first_game), pc.equal(demo["play_id"], first_play)
    )
    is_pass = pc.and_(this_play,
                      pc.is_in(event, pa.array(["pass_forward", "pass_shovel"])))
    no_pass = demo.set_column(
        demo.schema.get_field_index("event"), "event",
        pc.if_else(pc.fill_null(is_pass, False), pa.scalar(None, pa.string()), event),
    )
    res = ghosting.run(no_pass, model=model)
    plays = res.plays
    row = plays.filter(pc.and_(pc.equal(plays["game_id"], first_game),
                               pc.equal(plays["play_id"], first_play))).to_pylist()[0]
    assert row["status"] == "skipped"
    assert "pass_forward" in row["reason"]
    counts = res.summary["counts"]
    assert counts["plays_scored"] + counts["plays_skipped"] == counts["plays_read"]
    scores = res.scores
    assert not pc.any(pc.and_(pc.equal(scores["game_id"], first_game),
                              pc.equal(scores["play_id"], first_play))).as_py()


def test_defenders_all_ghosts_more_defenders(
    demo: pa.Table, model: ghosting.GhostModel, results: Results
) -> None:
    every = ghosting.run(demo, model=model, defenders="all")
    assert every.summary["counts"]["ghost_trajectories"] > results.summary["counts"][
        "ghost_trajectories"
    ]
    assert every.summary["settings"]["defenders"] == "all"


@pytest.mark.parametrize(
    "kwargs", [{"policy": "nope"}, {"defenders": "linemen"}, {"reference": "ball"}]
)
def test_bad_settings_are_input_errors(demo: pa.Table, kwargs: dict) -> None:
    with pytest.raises(ghosting.InputError, match=next(iter(kwargs))):
        ghosting.run(demo, **kwargs)


@pytest.mark.parametrize(
    "kwargs", [{"penalty": float("nan")}, {"v_max": "fast"}, {"radius": 0.0}, {"dt": None}]
)
def test_bad_numeric_settings_are_input_errors(kwargs: dict) -> None:
    from ghosting.pipeline import RunSettings

    with pytest.raises(ghosting.InputError, match=next(iter(kwargs))):
        RunSettings(**kwargs)


def test_unrecognised_table_is_a_clear_error() -> None:
    with pytest.raises(ghosting.GhostingError, match="layout"):
        ghosting.run(pa.table({"a": [1], "b": [2]}))


def test_results_write_round_trips(results: Results, tmp_path) -> None:
    out = results.write(tmp_path / "out")
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)
    for name in ("trajectories", "scores", "plays"):
        assert_tables_equal(pq.read_table(out / f"{name}.parquet"), getattr(results, name))
    assert json.loads((out / "summary.json").read_text()) == results.summary
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temporary folder left


def test_failed_write_leaves_no_output(results: Results, tmp_path, monkeypatch) -> None:
    real_write = pq.write_table

    def failing(table, where, *args, **kwargs):
        if str(where).endswith("plays.parquet"):
            raise OSError("disk full")
        return real_write(table, where, *args, **kwargs)

    monkeypatch.setattr(outputs.pq, "write_table", failing)
    with pytest.raises(OSError, match="disk full"):
        results.write(tmp_path / "new")
    assert list(tmp_path.iterdir()) == []

    # An earlier complete output stays as it was.
    monkeypatch.setattr(outputs.pq, "write_table", real_write)
    results.write(tmp_path / "old")
    before = {p.name: p.read_bytes() for p in (tmp_path / "old").iterdir()}
    monkeypatch.setattr(outputs.pq, "write_table", failing)
    with pytest.raises(OSError):
        results.write(tmp_path / "old")
    assert {p.name: p.read_bytes() for p in (tmp_path / "old").iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["old"]


def test_to_pandas(results: Results, monkeypatch) -> None:
    pytest.importorskip("pandas")
    plays = results.to_pandas("plays")
    assert len(plays) == results.plays.num_rows
    assert set(results.to_pandas()) == {"trajectories", "scores", "plays", "passers"}
    with pytest.raises(ghosting.InputError, match="table must be"):
        results.to_pandas("nope")
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ghosting.GhostingError, match=r"ghosting\[pandas\]"):
        results.to_pandas("plays")


def test_split_games_handles_unsorted_input(demo: pa.Table) -> None:
    shuffled = demo.take(pa.array(np.random.default_rng(0).permutation(demo.num_rows)))
    games = list(pipeline.game_tables(shuffled))
    assert len(games) == 2
    assert sum(g.num_rows for g in games) == demo.num_rows
    assert all(len(pc.unique(g["game_id"])) == 1 for g in games)


def test_unsorted_canonical_table_gives_the_same_results(
    demo: pa.Table, model: ghosting.GhostModel, results: Results
) -> None:
    shuffled = demo.take(pa.array(np.random.default_rng(1).permutation(demo.num_rows)))
    again = ghosting.run(shuffled, model=model)
    assert_tables_equal(again.plays, results.plays)
    assert_tables_equal(again.scores, results.scores)


def test_real_game_accounts_for_all_73_plays(data_dir, model) -> None:
    folder = data_dir / "bdb2021"
    res = ghosting.run(
        str(folder / "week13_game_2018120600.csv.gz"),
        targets=str(folder / "targetedReciever.csv"),
        model=model,
    )
    counts = res.summary["counts"]
    assert counts["plays_read"] == 73 == res.plays.num_rows
    assert counts["plays_scored"] + sum(counts["skipped_by_reason"].values()) == 73
    assert counts["plays_scored"] >= 60
    sources = set(res.plays.filter(pc.equal(res.plays["status"], "scored"))["target_source"]
                  .to_pylist())
    assert "target_file" in sources


SORT_KEYS = {
    "trajectories": [(k, "ascending") for k in
                     ("game_id", "play_id", "kind", "target_nfl_id", "nfl_id", "frame_id")],
    "scores": [(k, "ascending") for k in ("game_id", "play_id", "target_nfl_id", "nfl_id")],
    "plays": [(k, "ascending") for k in ("game_id", "play_id")],
}


def _spy_games(monkeypatch) -> list[int]:
    """The row counts of the tables (games, or pieces of whole plays) the run batched."""
    seen: list[int] = []
    real = game._ghost_games

    def spy(chunks, *args, **kwargs):
        seen.extend(c.num_rows for c in chunks)
        return real(chunks, *args, **kwargs)

    monkeypatch.setattr(game, "_ghost_games", spy)
    return seen


def _reorder(demo: pa.Table, layout: str) -> tuple[pa.Table, int]:
    """The demo rows in a file order, and how many chunks streaming should give."""
    if layout == "sorted":
        return demo, 2
    if layout == "games interleaved by play":  # whole plays, the two games alternating
        keys = np.column_stack([demo["game_id"].to_numpy(), demo["play_id"].to_numpy()])
        _, play_index = np.unique(keys, axis=0, return_inverse=True)
        play_index = play_index.ravel()  # 0..4 in the first game, 5..9 in the second
        order = np.argsort((play_index % 5) * 2 + play_index // 5, kind="stable")
        return demo.take(pa.array(order)), 10
    # rows scattered: the file is read whole and split by game
    return demo.take(pa.array(np.random.default_rng(2).permutation(demo.num_rows))), 2


@pytest.mark.parametrize("layout", ["sorted", "games interleaved by play", "rows scattered"])
def test_run_files_streams_parquet_game_by_game(
    demo: pa.Table, model, results: Results, tmp_path, monkeypatch, layout: str
) -> None:
    table, chunks = _reorder(demo, layout)
    path = tmp_path / "demo.parquet"
    pq.write_table(table, path, row_group_size=3000)
    monkeypatch.setattr(inputs, "_BATCH_ROWS", 777)  # games span many batches
    seen = _spy_games(monkeypatch)
    out = tmp_path / "out"
    summary = pipeline.run_files([path], out, model=model)
    assert len(seen) == chunks and sum(seen) == demo.num_rows
    for name, keys in SORT_KEYS.items():
        written = pq.read_table(out / f"{name}.parquet").sort_by(keys)
        assert_tables_equal(written, getattr(results, name).sort_by(keys))
    assert summary["counts"] == results.summary["counts"]
    for kind, row in results.summary["trajectory_score"].items():
        assert summary["trajectory_score"][kind] == pytest.approx(row)
    assert json.loads((out / "summary.json").read_text()) == summary


def test_a_game_without_any_pass_play(demo: pa.Table, model, tmp_path) -> None:
    no_events = demo.set_column(
        demo.schema.get_field_index("event"), "event", pa.nulls(demo.num_rows, pa.string())
    )
    res = ghosting.run(no_events, model=model)
    counts = res.summary["counts"]
    assert counts["plays_scored"] == 0
    assert counts["plays_skipped"] == counts["plays_read"] == res.plays.num_rows == 10
    assert res.scores.num_rows == 0 and res.trajectories.num_rows == 0
    assert res.summary["trajectory_score"]["real"]["ts"] is None
    out = res.write(tmp_path / "out")
    assert pq.read_table(out / "scores.parquet").schema.equals(pipeline.SCORES_SCHEMA)


def test_run_files_on_a_raw_layout_parquet(data_dir, model, tmp_path) -> None:
    """A shipped layout (NGS highlights) in Parquet, some plays repeated: streamed or
    gathered game by game, the same answer as the table read whole."""
    source = pq.read_table(data_dir / "ngs_highlights" / "highlights.parquet")
    games = pc.unique(source["gameId"]).to_pylist()[:6]
    subset = source.filter(pc.is_in(source["gameId"], pa.array(games)))
    path = tmp_path / "highlights_subset.parquet"
    pq.write_table(subset, path, row_group_size=20_000)
    summary = pipeline.run_files([path], tmp_path / "out", model=model)
    whole = ghosting.run(subset, model=model)
    assert summary["counts"] == whole.summary["counts"]
    assert summary["counts"]["games"] == 6
    for name, keys in SORT_KEYS.items():
        written = pq.read_table(tmp_path / "out" / f"{name}.parquet").sort_by(keys)
        assert_tables_equal(written, getattr(whole, name).sort_by(keys))


def test_docstring_examples() -> None:
    import doctest

    from ghosting.pipeline import api

    for module in (pipeline, api, outputs):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert result.failed == 0
    assert doctest.testmod(api).attempted >= 2


def test_receiver_positions_from_the_gatherer_match_the_key_match_with_gaps():
    """The receivers' positions under the ghosts, read by the flight gatherer, are those
    a key match per frame finds, NaN where a receiver's frame is missing."""
    from ghosting.flights import FlightTable

    tracking = ghosting.synth.generate_plays(4, seed=3)
    cleaned, _ = ghosting.clean(tracking)
    plays = ghosting.pass_plays(cleaned)
    model = ghosting.GhostModel.load()
    ghosts = model.predict_plays(cleaned, plays.filter(plays["analysable"]), what_if=True,
                                 defenders="all")
    assert len(ghosts)
    # drop every third row of the ghosted receivers: gaps in their tracks
    targets = pa.array(np.unique(ghosts.target_nfl_id))
    receiver = pc.is_in(cleaned["nfl_id"], value_set=targets).to_numpy(zero_copy_only=False)
    drop = receiver & (np.arange(cleaned.num_rows) % 3 == 0)
    gappy = cleaned.filter(pa.array(~drop))
    by_key = game._receiver_xy(ghosts, gappy)
    gathered = game._receiver_xy(ghosts, gappy, FlightTable.of(gappy))
    assert np.isnan(by_key).any() and np.isfinite(by_key).any()
    np.testing.assert_array_equal(gathered, by_key)
    # trajectories whose frames do not step by one take the key match
    skipped = ghosts.take(np.arange(len(ghosts)))
    skipped.frame_id[skipped.offsets[0] + 1] += 5
    np.testing.assert_array_equal(
        game._receiver_xy(skipped, gappy, FlightTable.of(gappy)), game._receiver_xy(skipped, gappy)
    )


@pytest.mark.parametrize(
    ("ghost_games", "real_games", "want"),
    [
        ([1, 1, 2], [1, 2, 2], ["g1", "g1", "r1", "g2", "r2", "r2"]),
        ([2, 3], [1], ["r1", "g2", "g3"]),
        ([], [4, 5], ["r4", "r5"]),
        ([3, 1], [2], ["g1", "r2", "g3"]),  # not sorted by game: ordered all the same
    ],
)
def test_trajectories_are_written_game_after_game(ghost_games, real_games, want) -> None:
    from ghosting.pipeline.game import _in_game_order

    def table(games: list[int], kind: str) -> pa.Table:
        return pa.table({"game_id": pa.array(games, pa.int64()),
                         "kind": pa.array([f"{kind}{g}" for g in games], pa.string())})  # fmt: skip

    out = _in_game_order(table(ghost_games, "g"), table(real_games, "r"))
    assert out["kind"].to_pylist() == want


@pytest.mark.parametrize(
    ("ghost_games", "real_games"),
    [
        ([1, 1, 2, 2, 2, 5], [1, 1, 3, 5, 5, 6]),
        ([7, 7, 7], [7, 7]),  # one game: ghost rows, then real rows
        ([1, 2, 3], []),
        ([4, 4, 9], [1, 2, 2, 9, 9, 9, 12]),
    ],
)
def test_game_order_keeps_each_games_rows_in_their_order(ghost_games, real_games) -> None:
    from ghosting.pipeline.game import _in_game_order

    def table(games: list[int], kind: str) -> pa.Table:
        rows = [f"{kind}{i}" for i in range(len(games))]
        return pa.table({"game_id": pa.array(games, pa.int64()),
                         "row": pa.array(rows, pa.string())})  # fmt: skip

    out = _in_game_order(table(ghost_games, "g"), table(real_games, "r"))
    want = []
    for game_id in sorted(set(ghost_games) | set(real_games)):  # game by game
        want += [f"g{i}" for i, g in enumerate(ghost_games) if g == game_id]
        want += [f"r{i}" for i, g in enumerate(real_games) if g == game_id]
    assert out["row"].to_pylist() == want
    assert out["game_id"].to_pylist() == sorted(ghost_games + real_games)


def test_broken_trajectories_flag_the_trajectories_of_bad_frames() -> None:
    from ghosting.model.ghost import PlayGhosts
    from ghosting.pipeline.game import _broken_trajectories
    from ghosting.pipeline.settings import RunSettings

    lengths = [3, 0, 2, 4, 1]  # an empty trajectory too
    n = sum(lengths)
    xy = np.full((n, 2), 30.0)
    xy[3] = [np.nan, 1.0]  # trajectory 2, first frame
    xy[8, 1] = 1e4  # trajectory 3, last frame: far off the field
    xy[9, 0] = np.inf  # trajectory 4
    ids = np.arange(len(lengths), dtype=np.int64)
    ghosts = PlayGhosts(ids, ids, ids, ids, np.concatenate([[0], np.cumsum(lengths)]),
                        np.arange(n, dtype=np.int32), xy, np.zeros(n))  # fmt: skip
    settings = RunSettings()
    assert _broken_trajectories(ghosts, settings).tolist() == [False, False, True, True, True]
    xy[3:] = 30.0
    assert _broken_trajectories(ghosts, settings).tolist() == [False] * 5

"""Names and situation carried into the output tables (``ghosting.pipeline.context``).

``add_player_columns`` looks every player up once per run of equal keys (a
trajectory's rows) and takes names with null indices; the reference below is the
former one (a key match per row, a take then an ``if_else`` per column). Both are
compared exactly on long tables built from synthetic plays (runs, unknown players,
null keys and jersey numbers, several chunks) and on a real run's output rows.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

import ghosting
from ghosting.pipeline import context
from ghosting.pipeline.columns import _row_index
from ghosting.pipeline.context import PLAYER_FIELDS, TARGET_FIELDS
from ghosting.pipeline.outputs import SCORES_SCHEMA, TRAJECTORIES_SCHEMA


def _names_reference(info: pa.Table, game_id: Any, play_id: Any, nfl_id: Any,
                     names: tuple[str, ...] | None = None) -> list[pa.Array]:
    probe = pa.table({"game_id": game_id, "play_id": play_id, "nfl_id": nfl_id})
    index = _row_index(probe, info, ["game_id", "play_id", "nfl_id"])
    mask = pa.array(index < 0)
    take = pa.array(np.where(index < 0, 0, index))
    out = []
    for name in names or tuple(f.name for f in PLAYER_FIELDS):
        typ = info.schema.field(name).type
        if not info.num_rows:
            out.append(pa.nulls(len(index), typ))
            continue
        values = info[name].take(take).combine_chunks()
        out.append(pc.if_else(mask, pa.scalar(None, typ), values))
    return out


def _add_player_columns_reference(
    table: pa.Table, info: pa.Table, situation: pa.Table, schema: pa.Schema
) -> pa.Table:
    """The former ``add_player_columns``: every look-up row by row."""
    if not table.num_rows:
        return schema.empty_table()
    key = (info, table["game_id"], table["play_id"])
    for field, values in zip(PLAYER_FIELDS, _names_reference(*key, table["nfl_id"]),
                             strict=True):
        table = table.append_column(field, values)
    if "jersey_number" in table.column_names and table["jersey_number"].null_count:
        jersey = _names_reference(*key, table["nfl_id"], ("jersey_number",))[0]
        table = table.set_column(table.schema.get_field_index("jersey_number"),
                                 "jersey_number", pc.coalesce(table["jersey_number"], jersey))
    if "target_display_name" in schema.names:
        for field, values in zip(TARGET_FIELDS, _names_reference(*key, table["target_nfl_id"]),
                                 strict=True):
            table = table.append_column(field, values)
    if "play_direction" in schema.names and "play_direction" not in table.column_names:
        index = _row_index(table, situation, ["game_id", "play_id"])
        direction = situation["play_direction"].take(pa.array(np.maximum(index, 0)))
        table = table.append_column(
            "play_direction", pc.if_else(pa.array(index < 0), pa.scalar(None, pa.string()),
                                         direction))
    n = table.num_rows
    return pa.Table.from_arrays(
        [table[f.name].cast(f.type) if f.name in table.column_names else pa.nulls(n, f.type)
         for f in schema], schema=schema)


def _same(a: pa.Table, b: pa.Table) -> None:
    assert a.schema.equals(b.schema)
    assert a.num_rows == b.num_rows
    for name in a.column_names:
        x, y = a[name].combine_chunks(), b[name].combine_chunks()
        if pa.types.is_floating(x.type):  # bitwise, NaN included
            assert x.is_valid().equals(y.is_valid()), name
            assert np.array_equal(x.fill_null(0.0).to_numpy().view(np.int64),
                                  y.fill_null(0.0).to_numpy().view(np.int64)), name
        else:
            assert x.equals(y), name


@pytest.fixture(scope="module")
def game() -> tuple[pa.Table, pa.Table, pa.Table]:
    tracking = ghosting.synth.generate_plays(5, seed=11, plays_per_game=2)
    plays = ghosting.pass_plays(tracking)
    info = context.player_info(tracking)
    return tracking, info, context.play_info(tracking, plays, info)


def _long_rows(tracking: pa.Table, rng: np.random.Generator) -> pa.Table:
    """A trajectories-shaped table: runs of frames of every player, with a target per
    play, some unknown players, null keys and null jersey numbers, in many chunks."""
    n = tracking.num_rows
    nfl = tracking["nfl_id"].to_numpy().copy()
    unknown = rng.random(n) < 0.05
    nfl[unknown] = 99_999_999
    target = np.where(rng.random(n) < 0.5, nfl, np.roll(nfl, 500))
    jersey = tracking["jersey_number"].to_numpy(zero_copy_only=False)
    rows = pa.table({
        "game_id": tracking["game_id"],
        "play_id": pa.array(tracking["play_id"].to_numpy(), mask=rng.random(n) < 0.01),
        "kind": pa.array(np.where(rng.random(n) < 0.5, "ghost", "real")),
        "nfl_id": pa.array(nfl, mask=rng.random(n) < 0.01),
        "target_nfl_id": pa.array(target, mask=rng.random(n) < 0.02),
        "frame_id": tracking["frame_id"],
        "x": tracking["x"], "y": tracking["y"],
        "sigma": pa.array(rng.random(n)),
        "side": tracking["side"],
        "jersey_number": pa.array(np.nan_to_num(jersey).astype(np.int32),
                                  mask=rng.random(n) < 0.3),
    })
    return pa.Table.from_batches(rows.to_batches(max_chunksize=1000))


def test_player_columns_equal_the_reference(game: tuple) -> None:
    tracking, info, situation = game
    rows = _long_rows(tracking, np.random.default_rng(0))
    new = context.add_player_columns(rows, info, situation, TRAJECTORIES_SCHEMA)
    _same(new, _add_player_columns_reference(rows, info, situation, TRAJECTORIES_SCHEMA))
    # names are there for known players, null for unknown ones
    named = new.filter(pc.equal(new["nfl_id"], 99_999_999))
    assert named.num_rows and named["display_name"].null_count == named.num_rows
    assert new["display_name"].null_count < new.num_rows // 4
    assert new["play_direction"].null_count == rows["play_id"].null_count


def test_score_rows_with_targets_equal_the_reference(game: tuple) -> None:
    tracking, info, situation = game
    rng = np.random.default_rng(1)
    rows = _long_rows(tracking, rng)
    keep = np.sort(rng.choice(rows.num_rows, 3000, replace=False))
    scores = rows.take(pa.array(keep)).select(["game_id", "play_id", "nfl_id",
                                              "target_nfl_id"])
    new = context.add_player_columns(scores, info, situation, SCORES_SCHEMA)
    _same(new, _add_player_columns_reference(scores, info, situation, SCORES_SCHEMA))
    assert new["target_display_name"].null_count < new.num_rows
    empty = context.add_player_columns(scores.slice(0, 0), info, situation, SCORES_SCHEMA)
    assert empty.num_rows == 0 and empty.schema.equals(SCORES_SCHEMA)
    no_info = context.add_player_columns(scores, info.slice(0, 0), situation, SCORES_SCHEMA)
    _same(no_info, _add_player_columns_reference(scores, info.slice(0, 0), situation,
                                                 SCORES_SCHEMA))
    assert no_info["display_name"].null_count == scores.num_rows


def test_player_columns_of_a_real_run_equal_the_reference(
    data_dir: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    tracking = ghosting.read_tracking(data_dir / "bdb2021/week13_game_2018120600.csv.gz")
    targets = ghosting.read_targets(data_dir / "bdb2021" / "targetedReciever.csv")
    seen: list[tuple[Any, ...]] = []
    real = context.add_player_columns

    def keep(*args: Any) -> pa.Table:
        seen.append(args)
        return real(*args)

    monkeypatch.setattr(context, "add_player_columns", keep)
    ghosting.run(tracking, targets=targets, threads=1)
    assert len(seen) == 2  # the trajectories and the scores
    for table, info, situation, schema in seen:
        _same(real(table, info, situation, schema),
              _add_player_columns_reference(table, info, situation, schema))


def test_first_row_columns_cover_the_context_fields() -> None:
    from ghosting.plays.play_rows import PLAY_FIRSTS, TRACK_FIRSTS

    assert list(PLAY_FIRSTS) == [f.name for f in context.PLAY_FIELDS[:7]] + [
        "absolute_yardline_number"]
    assert list(TRACK_FIRSTS) == [f.name for f in PLAYER_FIELDS] + ["jersey_number"]


@pytest.mark.parametrize("chunk", [37, 1000, None])
def test_play_and_player_info_share_the_pass_plays_columns(chunk: int | None) -> None:
    """player_info and play_info of a table in many chunks, after pass_plays took the
    first rows on the same Columns, equal the same calls on one chunk without it, row
    for row (and the descriptions name the same targets)."""
    from ghosting._columns import Columns

    tracking = ghosting.synth.generate_plays(6, seed=5, plays_per_game=3)
    whole = tracking.combine_chunks()
    plays = ghosting.pass_plays(whole)
    want_info = context.player_info(whole)
    want_play = context.play_info(whole, plays, want_info)
    split = whole if chunk is None else pa.Table.from_batches(
        whole.to_batches(max_chunksize=chunk))
    cols = Columns(split)
    got_plays = ghosting.pass_plays(split, columns=cols)
    assert got_plays.equals(plays)
    assert ("firsts", "play_description", ("game_id", "play_id")) in cols._cache
    info = context.player_info(split, cols)
    assert info.equals(want_info)
    assert context.play_info(split, got_plays, info, cols).equals(want_play)
    assert want_play["passer_display_name"].null_count < want_play.num_rows
    assert plays["target_source"].to_pylist().count("play_description") > 0


def test_play_info_passer_names_from_any_player_info(game: tuple) -> None:
    """The passer's name is the same whether play_info finds it from his row (info of
    the tracks in order, or none given) or matches an info table in another order."""
    tracking, info, situation = game
    plays = ghosting.pass_plays(tracking)
    shuffled = info.take(pa.array(np.random.default_rng(3).permutation(info.num_rows)))
    names = situation["passer_display_name"]
    assert names.null_count < len(names)
    first = situation.slice(0, 1).to_pylist()[0]  # without the first play's passer
    other = pc.invert(pc.and_(pc.and_(pc.equal(info["game_id"], first["game_id"]),
                                      pc.equal(info["play_id"], first["play_id"])),
                              pc.equal(info["nfl_id"], first["passer_nfl_id"])))
    assert first["passer_nfl_id"] is not None
    for given in (None, info, shuffled, info.filter(other)):
        got = context.play_info(tracking, plays, given)
        if given is not None and given.num_rows < info.num_rows:
            # the last tracks are unknown to it: their names are null, the others equal
            triples = set(zip(*(given[k].to_pylist() for k in ("game_id", "play_id", "nfl_id")),
                              strict=True))
            known = pa.array([t in triples for t in zip(
                *(got[k].to_pylist() for k in ("game_id", "play_id", "passer_nfl_id")),
                strict=True)])
            assert not pc.all(known).as_py()
            assert got.filter(known).equals(situation.filter(known))
            assert got.filter(pc.invert(known))["passer_display_name"].null_count == \
                pc.sum(pc.invert(known)).as_py()
            continue
        assert got.equals(situation)

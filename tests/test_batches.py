"""Batches of whole games (pipeline/game.py ``batches``) and the batch's shared columns
(``Columns.kept``, ``clean_columns``, ``FlightTable.of(columns=)``)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

import ghosting
from ghosting._columns import Columns
from ghosting.cleaning import clean_columns
from ghosting.flights import FlightTable
from ghosting.pipeline import game


def _games(sizes: list[int]) -> list[pa.Table]:
    """One table per game of ``sizes[i]`` rows (game ids ascending)."""
    return [
        pa.table({"game_id": np.full(n, g, np.int64), "play_id": np.arange(n, dtype=np.int64)})
        for g, n in enumerate(sizes, start=1)
    ]


def _sizes(out: list[list[pa.Table]]) -> list[int]:
    return [sum(t.num_rows for t in b) for b in out]


def _same(a: pa.Table, b: pa.Table) -> bool:
    """Equal tables, NaN equal to NaN (Arrow's ``equals`` says NaN differs from NaN)."""
    if a.schema != b.schema or a.num_rows != b.num_rows:
        return False
    for name in a.column_names:
        if pa.types.is_floating(a.schema.field(name).type):
            if not np.array_equal(a[name].to_numpy(), b[name].to_numpy(), equal_nan=True):
                return False
        elif not a[name].equals(b[name]):
            return False
    return True


def test_batches_without_a_total_fill_up_to_the_cap() -> None:
    out = list(game.batches(_games([30] * 10), max_rows=100))
    assert _sizes(out) == [90, 90, 90, 30]


def test_batches_with_a_total_are_even() -> None:
    # 350 rows, at most 100 a batch: 4 batches, cut at the games nearest each share
    chunks = _games([10] * 35)
    assert _sizes(list(game.batches(chunks, max_rows=100))) == [100, 100, 100, 50]
    assert _sizes(list(game.batches(chunks, max_rows=100, total_rows=350))) == [90, 90, 90, 80]
    # whole games of 30 rows: 3 batches of 100 cannot be cut, 4 are made (as without a
    # total) and the shares of the rows left even them out
    chunks = _games([30] * 10)
    assert _sizes(list(game.batches(chunks, max_rows=100))) == [90, 90, 90, 30]
    assert _sizes(list(game.batches(chunks, max_rows=100, total_rows=300))) == [90, 60, 90, 60]
    # one batch when everything fits
    assert _sizes(list(game.batches(chunks, max_rows=1000, total_rows=300))) == [300]


@pytest.mark.parametrize("seed", range(20))
def test_even_batches_keep_every_game_in_order_under_the_cap(seed: int) -> None:
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 60, rng.integers(1, 80)).tolist()
    cap = int(rng.integers(60, 400))
    chunks = _games(sizes)
    even = list(game.batches(chunks, max_rows=cap, total_rows=sum(sizes)))
    plain = list(game.batches(chunks, max_rows=cap))
    assert [t for b in even for t in b] == chunks  # every game, once, in order
    assert max(_sizes(even)) <= cap
    assert len(even) <= len(plain) + 1
    if max(sizes) * 4 <= cap:  # games small beside a batch: as few batches, sizes close
        assert len(even) == len(plain)
        assert max(_sizes(even)) - min(_sizes(even)) <= 2 * max(sizes)


def test_highlights_sized_input_makes_four_even_batches() -> None:
    # 258 games of about 13,500 rows, as the NGS highlights: greedy batches of 1 M rows
    # end with a small one; even ones differ by about one game
    rng = np.random.default_rng(0)
    sizes = rng.integers(9_000, 18_000, 258).tolist()
    chunks = _games(sizes)
    plain = _sizes(list(game.batches(chunks)))
    even = _sizes(list(game.batches(chunks, total_rows=sum(sizes))))
    assert len(even) == len(plain) == 4
    assert max(even) - min(even) <= 2 * max(sizes) < max(plain) - min(plain)


def test_kept_columns_take_the_string_tests_at_the_kept_rows() -> None:
    table = ghosting.synth.generate_plays(3, seed=1)
    raw = Columns(table)
    offense = raw.equals("side", "offense")
    keep = np.random.default_rng(0).random(table.num_rows) < 0.7
    sub = table.filter(pa.array(keep))
    kept = raw.kept(sub, keep)
    assert np.array_equal(kept.equals("side", "offense"), offense[keep])
    assert np.array_equal(kept.equals("side", "defense"), Columns(sub).equals("side", "defense"))
    assert np.array_equal(kept.get("x", np.float64), Columns(sub).get("x", np.float64))
    same = raw.kept(table.replace_schema_metadata({"a": "b"}), None)
    assert same.equals("side", "offense") is offense
    with pytest.raises(ValueError):
        raw.kept(sub, keep[:-1])
    with pytest.raises(ValueError):
        raw.kept(table.slice(1), None)


@pytest.mark.parametrize("policy", ["play", "track", "sample"])
def test_clean_with_the_batch_columns_is_clean(policy: str) -> None:
    table = ghosting.synth.generate_plays(6, seed=3)
    x = table["x"].to_numpy().copy()
    x[::97] = 500.0  # off the field: something to drop
    table = table.set_column(table.column_names.index("x"), "x", pa.array(x))
    expected, report = ghosting.clean(table, policy=policy)
    for sorted_keys in (False, True):
        cols = Columns(table)
        cols.sorted_keys = sorted_keys
        cleaned, got, keep = clean_columns(table, cols, policy)
        assert _same(cleaned, expected)
        assert got.to_json() == report.to_json()
        assert keep is not None and int(keep.sum()) == cleaned.num_rows
        ft, ref = FlightTable.of(cleaned, cols.kept(cleaned, keep)), FlightTable.of(cleaned)
        for name in ("nfl_id", "frame_id", "x", "y", "side", "play_offsets", "play_game_id",
                     "play_play_id"):
            assert np.array_equal(getattr(ft, name), getattr(ref, name), equal_nan=True), name
    bare, _, _ = clean_columns(table, Columns(table), policy, report_in_metadata=False)
    assert _same(bare, expected)
    assert b"ghosting.cleaning_report" in expected.schema.metadata
    assert b"ghosting.cleaning_report" not in (bare.schema.metadata or {})
    with pytest.raises(ValueError):
        clean_columns(table, Columns(table.slice(1)), policy)


def test_clean_columns_returns_the_table_when_nothing_is_dropped() -> None:
    table = ghosting.synth.generate_plays(2, seed=0)
    cleaned, report, keep = clean_columns(table, Columns(table), report_in_metadata=False)
    assert cleaned is table and keep is None and report.rows_out == table.num_rows

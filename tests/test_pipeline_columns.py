"""The pipeline's key matcher (``pipeline.columns._row_index``) against a dict reference."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from ghosting.pipeline.columns import _row_index


def _reference(left: pa.Table, right: pa.Table, keys: list[str]) -> np.ndarray:
    first: dict[tuple, int] = {}
    for i, key in enumerate(zip(*(right[k].to_pylist() for k in keys), strict=True)):
        if None not in key:
            first.setdefault(key, i)
    rows = zip(*(left[k].to_pylist() for k in keys), strict=True)
    return np.array([-1 if None in key else first.get(key, -1) for key in rows], np.int64)


@pytest.mark.parametrize("seed", range(40))
def test_row_index_matches_the_first_equal_row(seed: int) -> None:
    rng = np.random.default_rng(seed)
    keys = [f"k{i}" for i in range(int(rng.integers(1, 5)))]
    huge = seed % 3 == 0  # ids near the int64 range: the dense-recode path

    def column(n: int) -> pa.Array:
        values = rng.integers(-2, 3, n) * (2**61 if huge and rng.random() < 0.5 else 1)
        return pa.array(values, mask=rng.random(n) < 0.1)

    for _ in range(5):
        n, m = (int(v) for v in rng.integers(0, 60, 2))
        left = pa.table({k: column(n) for k in keys})
        right = pa.table({k: column(m) for k in keys})
        if rng.random() < 0.5:  # sorted as the pipeline's tables are
            right = right.sort_by([(k, "ascending") for k in keys])
        got = _row_index(left, right, keys)
        assert got.dtype == np.int64
        np.testing.assert_array_equal(got, _reference(left, right, keys))


@pytest.mark.parametrize("seed", range(12))
def test_row_index_of_long_runs(seed: int) -> None:
    # many rows in few runs of equal keys (a trajectory's rows): searched run by run
    rng = np.random.default_rng(seed)
    keys = ["g", "p", "n"]
    n_runs = int(rng.integers(1, 40))
    lengths = rng.integers(1, 60, n_runs)

    def runs_of(values: np.ndarray) -> pa.Array:
        return pa.array(np.repeat(values, lengths), mask=np.repeat(rng.random(n_runs) < 0.05,
                                                                   lengths))  # fmt: skip

    left = pa.table({k: runs_of(rng.integers(-1, 3, n_runs)) for k in keys})
    right = pa.table({k: pa.array(rng.integers(-1, 3, 30)) for k in keys})
    got = _row_index(left, right, keys)
    np.testing.assert_array_equal(got, _reference(left, right, keys))


@pytest.mark.parametrize("seed", range(20))
def test_take_rows_equals_arrow_take(seed: int) -> None:
    from ghosting._util import take_rows

    rng = np.random.default_rng(seed)
    chunks = [[f"s{i}" if rng.random() > 0.2 else None for i in range(int(rng.integers(0, 7)))]
              for _ in range(int(rng.integers(1, 8)))]  # fmt: skip
    column = pa.chunked_array(chunks, pa.string())
    n = len(column)
    index = rng.integers(0, n, int(rng.integers(0, 20))) if n else np.zeros(0, np.int64)
    if seed % 2:
        index = np.sort(index)
    want = column.take(pa.array(index, pa.int64())).to_pylist()
    assert take_rows(column, index).to_pylist() == want


@pytest.mark.parametrize("seed", range(40))
def test_columns_string_tests_equal_arrow(seed: int) -> None:
    import pyarrow.compute as pc

    from ghosting._columns import Columns

    rng = np.random.default_rng(seed)
    words = ["offense", "defense", "football", "CB", "", "QB"]
    n = int(rng.integers(0, 80))
    null_share = [0.0, 0.1, 0.7][seed % 3]  # the last: mostly null, as events are
    run = max(1, int(rng.integers(1, 12)))  # values repeat over runs, as over a track
    picks = np.repeat(rng.integers(0, len(words), n // run + 1), run)[:n]
    nulls = np.repeat(rng.random(n // run + 1) < null_share, run)[:n] if seed % 2 else \
        rng.random(n) < null_share
    values = [None if null else words[i] for i, null in zip(picks, nulls, strict=True)]
    column = pa.array(values, pa.string())
    if seed % 5 == 0:
        column = pc.dictionary_encode(column)
    table = pa.table({"s": pa.chunked_array([column[: n // 2], column[n // 2:]])})
    cols = Columns(table)
    codes, dictionary = cols.codes("s")
    reference = pc.dictionary_encode(pa.array(values, pa.string()))
    assert dictionary == reference.dictionary.to_pylist()
    np.testing.assert_array_equal(codes, reference.indices.fill_null(-1).to_numpy())
    for value in words:
        want = pc.fill_null(pc.equal(pa.array(values, pa.string()), value), False)
        np.testing.assert_array_equal(cols.equals("s", value), want.to_numpy(zero_copy_only=False))
    chosen = ("CB", "QB", "nowhere")
    want = pc.fill_null(pc.is_in(pa.array(values, pa.string()), pa.array(chosen)), False)
    np.testing.assert_array_equal(cols.isin("s", chosen), want.to_numpy(zero_copy_only=False))
    np.testing.assert_array_equal(cols.valid("s"), [v is not None for v in values])
    np.testing.assert_array_equal(cols.valid_rows("s"),
                                  [i for i, v in enumerate(values) if v is not None])


@pytest.mark.parametrize("seed", range(20))
def test_columns_take_equals_arrow_take(seed: int) -> None:
    from ghosting._columns import Columns

    rng = np.random.default_rng(seed)
    parts = []
    for _ in range(int(rng.integers(1, 6))):
        m = int(rng.integers(0, 6))
        parts.append(pa.table({"a": pa.array(rng.integers(0, 9, m)),
                               "s": pa.array([f"v{i}" for i in rng.integers(0, 3, m)],
                                             pa.string())}))
    table = pa.concat_tables(parts)
    n = table.num_rows
    rows = rng.integers(0, n, int(rng.integers(0, 12))) if n else np.zeros(0, np.int64)
    if seed % 2:
        rows = np.sort(rows)
    got = Columns(table).take(["s", "a"], rows)
    assert got.column_names == ["s", "a"]
    assert got.to_pylist() == table.select(["s", "a"]).take(pa.array(rows, pa.int64())).to_pylist()


@pytest.mark.parametrize("seed", range(40))
def test_rows_at_equals_comparing_every_row(seed: int) -> None:
    from ghosting._columns import Columns

    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 120))
    keys = {"game_id": rng.integers(1, 3, n), "play_id": rng.integers(-1, 3, n),
            "nfl_id": rng.integers(0, 4, n), "frame_id": rng.integers(-4, 9, n)}  # fmt: skip
    table = pa.table(keys).sort_by([(k, "ascending") for k in keys])  # repeats and gaps
    cols = Columns(table)
    assert cols.rows_at(np.zeros(0, np.int64), np.zeros(0, bool)) is None  # not known sorted
    cols.sorted_keys = True
    n_plays = len(cols.runs("game_id", "play_id")) - 1
    frames = rng.integers(-6, 11, n_plays)  # some beyond every track's frames
    known = rng.random(n_plays) < 0.8
    play = cols.run_index("game_id", "play_id")
    frame = table["frame_id"].to_numpy()
    got = cols.rows_at(frames, known)
    if not n:  # nothing to search: the caller compares (no rows)
        assert got is None
        return
    want = np.flatnonzero(known[play] & (frame == frames[play]))
    assert got is not None
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("seed", range(30))
def test_rows_at_of_long_consecutive_tracks(seed: int) -> None:
    # tracks of consecutive frames (found by arithmetic), some with a gap or a
    # repeated frame (compared row by row), frames far from zero
    from ghosting._columns import Columns

    rng = np.random.default_rng(seed)
    keys: dict[str, list[int]] = {"game_id": [], "play_id": [], "nfl_id": [], "frame_id": []}
    for play in range(int(rng.integers(1, 5))):
        start = int(rng.integers(-(2**40), 2**40)) if seed % 3 == 0 else int(rng.integers(0, 5))
        for nfl in sorted(rng.choice(50, int(rng.integers(1, 6)), replace=False).tolist()):
            lo = start + int(rng.integers(0, 4))
            frames = list(range(lo, lo + int(rng.integers(1, 30))))
            if rng.random() < 0.4:  # a gap
                del frames[int(rng.integers(0, len(frames)))]
            if rng.random() < 0.4 and frames:  # a repeated frame
                at = int(rng.integers(0, len(frames)))
                frames.insert(at, frames[at])
            for f in frames:
                keys["game_id"].append(7)
                keys["play_id"].append(play)
                keys["nfl_id"].append(nfl)
                keys["frame_id"].append(f)
    table = pa.table({k: pa.array(v, pa.int64()) for k, v in keys.items()})
    cols = Columns(table)
    cols.sorted_keys = True
    play = cols.run_index("game_id", "play_id")
    n_plays = int(play[-1]) + 1
    frame = np.asarray(keys["frame_id"])
    firsts = frame[cols.runs("game_id", "play_id")[:-1]]
    frames = firsts + rng.integers(-2, 34, n_plays)
    known = rng.random(n_plays) < 0.9
    got = cols.rows_at(frames, known)
    assert got is not None
    np.testing.assert_array_equal(got, np.flatnonzero(known[play] & (frame == frames[play])))
    far = pa.table({**{k: table[k] for k in ("game_id", "play_id", "nfl_id")},
                    "frame_id": pa.array(frame + 2**62, pa.int64())})  # fmt: skip
    cols = Columns(far)
    cols.sorted_keys = True
    assert cols.rows_at(frames + 2**62, np.ones(n_plays, bool)) is None  # could overflow


@pytest.mark.parametrize("seed", range(30))
def test_columns_firsts_are_the_first_row_of_each_run(seed: int) -> None:
    """Both ways of taking them: a slice per run (few runs, many chunks) and a take
    per chunk."""
    from ghosting._columns import Columns

    rng = np.random.default_rng(seed)
    parts = []
    for _ in range(int(rng.integers(1, 6))):
        m = int(rng.integers(0, 8))
        parts.append(pa.table({"k": pa.array(np.sort(rng.integers(0, 4, m))),
                               "a": pa.array(rng.integers(0, 9, m)),
                               "s": pa.array([f"v{i}" for i in rng.integers(0, 3, m)],
                                             pa.string())}))
    table = pa.concat_tables(parts)
    if seed % 3 == 1:  # one row per chunk: slices
        table = pa.Table.from_batches(table.to_batches(max_chunksize=1), table.schema)
    elif seed % 3 == 2:  # one chunk: a take
        table = table.combine_chunks()
    keys = table["k"].to_numpy()
    first = [i for i in range(len(keys)) if i == 0 or keys[i] != keys[i - 1]]
    cols = Columns(table)
    got = cols.firsts(["s"], "k")
    assert got.column_names == ["s"]
    assert got["s"].to_pylist() == [table["s"][i].as_py() for i in first]
    cached = cols._cache[("firsts", "s", ("k",))]
    both = cols.firsts(["a", "s"], "k")  # "s" from the cache, "a" taken now
    assert both.column_names == ["a", "s"]
    assert both.to_pylist() == table.select(["a", "s"]).take(pa.array(first, pa.int64())
                                                             ).to_pylist()
    assert cols._cache[("firsts", "s", ("k",))] is cached

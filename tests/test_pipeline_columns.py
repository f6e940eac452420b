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

"""String codes: the C++ kernel (``ghosting._columns.string_codes``) against its Arrow
and numpy reference (``_string_codes``: a comparison of neighbours, then
``dictionary_encode`` of the run starts) and plain ``pyarrow.compute.dictionary_encode``.

A synthetic column shaped like a tracking table's ``side`` / ``position`` columns:
1,000,000 rows in 80 chunks (a batch of games), each value repeated over a track of
50 to 150 rows, a few nulls (the ball has no position). The codes of the three agree
(checked once). Run with::

    python -m pytest bench/test_bench_strings.py --benchmark-enable -s
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from ghosting._columns import _string_codes, string_codes

N_ROWS = 1_000_000
N_CHUNKS = 80
POSITIONS = ["WR", "TE", "RB", "QB", "CB", "SS", "FS", "OLB", "ILB", "DE", "DT", "T", "G", "C"]


@pytest.fixture(scope="module")
def column() -> pa.ChunkedArray:
    rng = np.random.default_rng(10)
    lengths = rng.integers(50, 151, N_ROWS // 50)
    values = rng.integers(0, len(POSITIONS) + 1, len(lengths))  # the last: null (the ball)
    codes = np.repeat(values, lengths)[:N_ROWS]
    words = np.array(POSITIONS + [""], dtype=object)[codes]
    words[codes == len(POSITIONS)] = None
    cuts = np.linspace(0, N_ROWS, N_CHUNKS + 1).astype(int)
    out = pa.chunked_array([pa.array(words[a:b].tolist(), pa.string())
                            for a, b in zip(cuts[:-1], cuts[1:], strict=True)])  # fmt: skip
    native, reference = string_codes(out), _string_codes(out)
    np.testing.assert_array_equal(native[0], reference[0])
    assert native[1] == reference[1]
    return out


@pytest.mark.benchmark(group="string_codes")
def test_string_codes_kernel(benchmark, column):
    benchmark.extra_info["rows"] = len(column)
    benchmark.pedantic(string_codes, args=(column,), rounds=10, iterations=1)


@pytest.mark.benchmark(group="string_codes")
def test_string_codes_arrow_reference(benchmark, column):
    benchmark.extra_info["rows"] = len(column)
    benchmark.pedantic(_string_codes, args=(column,), rounds=10, iterations=1)


@pytest.mark.benchmark(group="string_codes")
def test_dictionary_encode(benchmark, column):
    benchmark.extra_info["rows"] = len(column)
    benchmark.pedantic(pc.dictionary_encode, args=(column,), rounds=10, iterations=1)

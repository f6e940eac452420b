"""``io.normalise.sort_order``'s quick check of sorted keys against a full sort."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from ghosting.io.normalise import _is_sorted, sort_order

_KEYS = ("game_id", "play_id", "nfl_id", "frame_id")


@pytest.mark.parametrize("seed", range(80))
def test_is_sorted_agrees_with_a_stable_sort(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 40))
    low = int(rng.integers(-3, 1))
    keys = [rng.integers(low, low + int(rng.integers(1, 4)), n) for _ in _KEYS]
    if seed % 2:  # sorted, then maybe one swap
        order = np.lexsort(keys[::-1])
        keys = [k[order] for k in keys]
        if seed % 4 == 1:
            i = int(rng.integers(0, n - 1))
            for k in keys:
                k[[i, i + 1]] = k[[i + 1, i]]
    rows = [tuple(int(k[i]) for k in keys) for i in range(n)]
    want = all(a <= b for a, b in zip(rows[:-1], rows[1:], strict=True))
    assert _is_sorted(*keys) is want
    table = pa.table(dict(zip(_KEYS, keys, strict=True)))
    order = sort_order(table)
    if want:
        assert order is None
    else:
        assert order is not None
        np.testing.assert_array_equal(order, np.lexsort(keys[::-1]))


def test_null_keys_are_never_taken_as_sorted() -> None:
    table = pa.table({"game_id": [1, 1], "play_id": [1, 1], "nfl_id": pa.array([None, 1]),
                      "frame_id": [1, 2]})  # fmt: skip
    keys = [table[k].to_numpy() for k in _KEYS]
    assert not _is_sorted(*keys)

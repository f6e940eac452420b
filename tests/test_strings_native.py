"""The C++ string codes (``ghosting._core.string_codes`` behind
``ghosting._columns.string_codes``) against their Arrow reference ``_string_codes``.

Random strings (empty, unicode, runs as over a track), nulls at the ends and inside
runs, sliced arrays (a non-zero offset), chunked arrays (empty chunks too),
large_string, dictionary-typed columns and zero rows: the same codes, the same code
type and the same values in the same (first-appearance) order. Codes widen from int8
to int16 to int32 as the values outgrow them, inside a chunk or between chunks. Bad
buffers raise ValueError naming the chunk; a thread rewriting the offsets meanwhile
never makes a call read out of bounds (run by .ci/sanitize).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_hardening_native import _race

from ghosting import _core
from ghosting._columns import Columns, _string_codes, string_codes
from ghosting.flights import SIDE_DEFENSE, SIDE_OFFENSE, side_codes

WORDS = ["offense", "defense", "football", "", "CB", "QB", "é", "日本語", "a\x00b", "offensE"]


def _same(got: tuple[np.ndarray, list[Any]], want: tuple[np.ndarray, list[Any]]) -> None:
    assert got[0].dtype == want[0].dtype
    np.testing.assert_array_equal(got[0], want[0])
    assert got[1] == want[1]
    assert [type(v) for v in got[1]] == [type(v) for v in want[1]]


@st.composite
def runs_of_values(draw: Any) -> list[str | None]:
    """Values repeated over runs (a track repeats its side, position, name), nulls as
    whole runs and inside runs, at the ends or not."""
    text = st.one_of(st.sampled_from(WORDS), st.text(max_size=6))
    out: list[str | None] = []
    for _ in range(draw(st.integers(0, 8))):
        value = draw(st.one_of(st.none(), text))
        out += [value] * draw(st.integers(1, 9))
    for _ in range(draw(st.integers(0, 3))):  # single nulls anywhere, ends included
        if out:
            out[draw(st.integers(0, len(out) - 1))] = None
    return out


@st.composite
def long_runs(draw: Any) -> list[str | None]:
    """Runs longer than the kernel's blocks (32 rows), of values of one size
    ("offense" and "defense", as over a play's tracks) and of others, with nulls."""
    text = st.sampled_from(["offense", "defense", "offensE", "", "ab", "é", "football!"])
    out: list[str | None] = []
    for _ in range(draw(st.integers(0, 6))):
        value = draw(st.one_of(st.none(), text))
        out += [value] * draw(st.integers(1, 140))
    for _ in range(draw(st.integers(0, 4))):
        if out:
            out[draw(st.integers(0, len(out) - 1))] = draw(st.one_of(st.none(), text))
    return out


@st.composite
def columns(draw: Any) -> pa.ChunkedArray:
    """A chunked string column: random cuts into chunks (empty ones too), each chunk
    maybe a slice of a longer array, string or large_string or dictionary-typed."""
    values = draw(st.one_of(runs_of_values(), long_runs()))
    typ = draw(st.sampled_from([pa.string(), pa.large_string()]))
    cuts = sorted(draw(st.lists(st.integers(0, len(values)), max_size=3)))
    bounds = [0, *cuts, len(values)]
    chunks = []
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        pad = draw(st.integers(0, 3))  # rows before and after: the chunk is a slice
        padded = ["pad"] * pad + values[lo:hi] + [None, "pad"][: pad]
        chunks.append(pa.array(padded, typ).slice(pad, hi - lo))
    if draw(st.integers(0, 4)) == 0:
        dict_type = pa.dictionary(pa.int32(), typ)
        chunks = [pc.dictionary_encode(c) if len(c) else pa.array([], dict_type)
                  for c in chunks]  # fmt: skip
        return pa.chunked_array(chunks, dict_type)
    return pa.chunked_array(chunks, typ)


@settings(max_examples=400, deadline=None)
@given(columns())
def test_string_codes_equal_the_arrow_reference(column: pa.ChunkedArray) -> None:
    _same(string_codes(column), _string_codes(column))


@settings(max_examples=100, deadline=None)
@given(runs_of_values(), st.integers(0, 5))
def test_string_codes_of_a_sliced_array(values: list[str | None], start: int) -> None:
    array = pa.array(["x", None, "y", "x", "é"] + values, pa.string()).slice(start)
    assert array.offset == start
    _same(string_codes(array), _string_codes(pa.chunked_array([array])))


@pytest.mark.parametrize("n", [31, 32, 33, 64, 65, 97])
def test_one_odd_row_anywhere_in_a_long_run(n: int) -> None:
    # the kernel compares blocks of rows at once: a row that differs (same size or
    # not, or null) at any place of a block must still be found
    base: list[str | None] = ["offense"] * n + ["defense"] * 40 + ["football"] * 3
    for odd in ("offensE", "defense", "offens", None, ""):
        for at in range(n + 2):
            values = list(base)
            values[at] = odd
            for typ in (pa.string(), pa.large_string()):
                column = pa.chunked_array([pa.array(values, typ)])
                _same(string_codes(column), _string_codes(column))


def test_zero_rows() -> None:
    for column in (pa.chunked_array([], pa.string()), pa.array([], pa.large_string()),
                   pa.chunked_array([pa.array([], pa.string())] * 3)):  # fmt: skip
        codes, values = string_codes(column)
        assert codes.dtype == np.int8 and codes.shape == (0,) and values == []


def test_all_null_and_no_bitmap() -> None:
    _same(string_codes(pa.array([None] * 5, pa.string())), (np.full(5, -1, np.int8), []))
    array = pa.array(["a", "a", ""], pa.string())
    assert array.buffers()[0] is None  # no nulls: Arrow made no bitmap
    _same(string_codes(array), (np.array([0, 0, 1], np.int8), ["a", ""]))


@pytest.mark.parametrize("n_values, dtype", [(126, np.int8), (127, np.int16),
                                             (32766, np.int16), (32767, np.int32)])
@pytest.mark.parametrize("n_chunks", [1, 3])
def test_codes_widen_as_the_values_grow(n_values: int, dtype: type, n_chunks: int) -> None:
    # runs of two, nulls between, a value seen again late: widening mid-chunk keeps
    # the codes already written and the dictionary found so far
    names = [f"v{i}" for i in range(n_values)]
    values: list[str | None] = [v for name in names for v in (name, name, None)] + ["v0"]
    cut = np.linspace(0, len(values), n_chunks + 1).astype(int)
    column = pa.chunked_array([pa.array(values[a:b], pa.string())
                               for a, b in zip(cut[:-1], cut[1:], strict=True)])  # fmt: skip
    codes, got = string_codes(column)
    assert codes.dtype == dtype and got == names
    want = np.array([c for i in range(n_values) for c in (i, i, -1)] + [0])
    np.testing.assert_array_equal(codes, want)
    _same((codes, got), _string_codes(column))


def test_non_string_columns_use_the_reference() -> None:
    column = pa.chunked_array([pa.array([3, 3, None, 1])])
    _same(string_codes(column), _string_codes(column))


@settings(max_examples=100, deadline=None)
@given(columns())
def test_columns_tests_equal_arrow(column: pa.ChunkedArray) -> None:
    cols = Columns(pa.table({"s": column}))
    plain = column.cast(column.type.value_type) if pa.types.is_dictionary(column.type) \
        else column
    for value in WORDS[:4]:
        want = pc.fill_null(pc.equal(plain, value), False).to_numpy(zero_copy_only=False)
        np.testing.assert_array_equal(cols.equals("s", value), want)
    chosen = ("CB", "QB", "", "nowhere")
    want = pc.fill_null(pc.is_in(plain, pa.array(chosen)), False).to_numpy(zero_copy_only=False)
    np.testing.assert_array_equal(cols.isin("s", chosen), want)


def _side_codes_reference(side: pa.ChunkedArray | pa.Array) -> np.ndarray:
    out = np.zeros(len(side), np.int8)
    for name, code in (("offense", SIDE_OFFENSE), ("defense", SIDE_DEFENSE)):
        out[pc.fill_null(pc.equal(side, name), False).to_numpy(zero_copy_only=False)] = code
    return out


@settings(max_examples=100, deadline=None)
@given(columns())
def test_side_codes_equal_comparing_every_row(column: pa.ChunkedArray) -> None:
    got = side_codes(column)
    assert got.dtype == np.int8
    np.testing.assert_array_equal(got, _side_codes_reference(column))


def test_side_codes_of_python_strings_and_other_types() -> None:
    np.testing.assert_array_equal(side_codes(["offense", None, "defense", "ball"]),
                                  [SIDE_OFFENSE, 0, SIDE_DEFENSE, 0])  # fmt: skip
    ints = pa.array([1, 2])
    with pytest.raises(pa.ArrowException):  # as comparing ints with "offense" raises
        _side_codes_reference(ints)
    with pytest.raises(pa.ArrowException):
        side_codes(ints)


# ----------------------------------------------------------------- bad buffers

def _chunk(values: list[str | None]) -> list[Any]:
    array = pa.array(values, pa.string())
    validity, offsets, data = array.buffers()
    return [validity, offsets, data, array.offset, len(array)]


def _offsets_array(chunk: list[Any], dtype: type = np.int32) -> np.ndarray:
    return np.frombuffer(chunk[1], dtype=dtype).copy()


def test_bad_chunks_raise_value_error() -> None:
    good = _chunk(["ab", None, "c"])
    assert _core.string_codes([tuple(good)], False)[1] == ["ab", "c"]
    cases: list[tuple[Any, str]] = [
        ([good[:4]], "must be a tuple"),
        ([list(good)], "must be a tuple"),
        ([(good[0], good[1], good[2], -1, 3)], "negative"),
        ([(good[0], good[1], good[2], 0, -2)], "negative"),
        ([(good[0], good[1], good[2], 1, 3)], "offsets buffer holds 16 bytes, 20 needed"),
        ([(good[0], good[1], good[2], 0, 40)], "offsets buffer"),
        ([(good[0], good[1], good[2], 0, 2**62)], "too large|offsets buffer"),
        ([(good[0], None, good[2], 0, 3)], "offsets buffer is None"),
        ([(b"", good[1], good[2], 0, 3)], "validity bitmap holds 0 bytes"),
        ([(good[0], "0123", good[2], 0, 3)], "offsets is not a buffer"),
        ([(good[0], good[1], good[2], 0.0, 3)], "offset must be an int"),
        ([tuple(good), (good[0], good[1], None, 0, 3)], "chunk 1: row 0 has offsets"),
        ([(good[0], good[1], good[2][:2], 0, 3)], "row 2 has offsets \\[2, 3\\)"),
        ([(good[0], np.array([0, 2, 2, 1], np.int32), good[2], 0, 3)], "row 2 has offsets"),
        ([(good[0], np.array([-3, 2, 2, 3], np.int32), good[2], 0, 3)], "row 0 has offsets"),
        ([(good[0], np.zeros((4, 2), np.int32)[:, 0], good[2], 0, 3)], "not contiguous"),
        ([(None, good[1], b"\xff\xfe\x00", 0, 3)], "string value 0 is not valid UTF-8"),
    ]
    for chunks, message in cases:
        with pytest.raises(ValueError, match=message):
            _core.string_codes(chunks, False)
    with pytest.raises(ValueError, match="offsets buffer holds 16 bytes, 32 needed"):
        _core.string_codes([tuple(good)], True)  # int32 offsets read as int64


def test_null_rows_may_point_anywhere() -> None:
    # only valid rows are checked against the data buffer (a null's offsets are
    # never read through)
    validity = pa.array([True, False, True]).buffers()[1]
    offsets = np.array([0, 1, 1 << 20, 1 << 20], np.int64)
    with pytest.raises(ValueError, match="row 2 has offsets"):
        _core.string_codes([(validity, offsets, b"ab", 0, 3)], True)
    offsets = np.array([0, 1, 1 << 20, 2], np.int64)
    with pytest.raises(ValueError, match="row 2 has offsets"):
        _core.string_codes([(validity, offsets, b"ab", 0, 3)], True)
    offsets = np.array([0, 1, 1, 2], np.int64)
    codes, values = _core.string_codes([(validity, offsets, b"ab", 0, 3)], True)
    assert codes.tolist() == [0, -1, 1] and values == ["a", "b"]


class TestNativeRace:
    """A thread rewriting the offsets while the kernel runs (run by .ci/sanitize)."""

    def test_race_string_offsets(self) -> None:
        names = [f"player {i % 37}" for i in range(3000) for _ in range(5)]
        chunk = _chunk(names)
        offsets = _offsets_array(chunk)
        k = len(names) // 2
        own, before, after = int(offsets[k]), int(offsets[k - 1]), int(offsets[k + 1])

        def call() -> tuple[np.ndarray, np.ndarray]:
            codes, values = _core.string_codes([(None, offsets, chunk[2], 0, len(names))],
                                               False)  # fmt: skip
            return codes, np.array(values, dtype=object)

        # valid: its own offset, or one between its neighbours (two other strings)
        _race(call, offsets, k, [own, (before + own) // 2],
              [2**31 - 1, -(2**31), after + 3, len(chunk[2]) + 1])


# ----------------------------------------------------------------- look_up_codes

@settings(max_examples=100, deadline=None)
@given(st.integers(1, 40000), st.sampled_from([np.int8, np.int16, np.int32]),
       st.sampled_from([bool, np.int8]), st.integers(0, 2000))  # fmt: skip
def test_look_up_codes_is_table_at_codes(n_table: int, code_type: type, out_type: type,
                                         n: int) -> None:
    rng = np.random.default_rng(n_table * 7 + n)
    top = min(n_table - 1, int(np.iinfo(code_type).max))
    codes = rng.integers(-1, top, n, endpoint=False).astype(code_type) if top > 0 else \
        np.full(n, -1, code_type)
    table = rng.integers(0, 2 if out_type is bool else 100, n_table).astype(out_type)
    got = _core.look_up_codes(codes, table)
    assert got.dtype == np.dtype(out_type)
    np.testing.assert_array_equal(got, table[codes])  # -1: the last entry (null)


def test_look_up_codes_bad_input() -> None:
    table = np.array([True, False, False])
    for codes, message in [
        (np.array([0, 2], np.int8), "codes\\[1\\] is outside \\[-1, 2\\)"),
        (np.array([0, -2], np.int16), "codes\\[1\\] is outside"),
        (np.array([5, 0], np.int32), "codes\\[0\\] is outside"),
        (np.array([0, 1], np.int64), "must be int8, int16 or int32"),
        (np.zeros((2, 2), np.int8), "1-D"),
        ("ab", "1-D array of string codes"),
        (np.array(["a", "b"]), "must be int8, int16 or int32"),
    ]:
        with pytest.raises(ValueError, match=message):
            _core.look_up_codes(codes, table)
    codes = np.array([0, -1], np.int8)
    with pytest.raises(ValueError, match="at least one entry"):
        _core.look_up_codes(codes, np.zeros(0, bool))
    with pytest.raises(ValueError, match="bool or int8"):
        _core.look_up_codes(codes, np.zeros(3, np.float64))
    np.testing.assert_array_equal(_core.look_up_codes(codes[::-1], table), [False, True])


class TestNativeRaceLookUp:
    """A thread rewriting the codes while the lookup runs (run by .ci/sanitize)."""

    @pytest.mark.parametrize("code_type", [np.int8, np.int32])
    def test_race_look_up_codes(self, code_type: type) -> None:
        codes = np.tile(np.arange(-1, 5), 20000).astype(code_type)
        table = np.array([1, 2, 3, 4, 5, 0], np.int8)

        def call() -> tuple[np.ndarray]:
            return (_core.look_up_codes(codes, table),)

        _race(call, codes, len(codes) // 2, [int(codes[len(codes) // 2]), 4], [5, 100, -2])

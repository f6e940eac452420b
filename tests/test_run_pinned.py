"""`ghosting run` outputs pinned on real data: the 2021 game and the NGS highlights.

Every output file is reduced to its row count and a sha256 per column, taken over the
column's values in a canonical row order (rows sorted by every flat column); the
summary to its counts and a digest of its skip lists. ``tests/data/run_pins.json``
holds those digests and counts only, never data. A change to the pipeline that is
meant to keep the outputs must keep these pins.

Float columns are compared bitwise. The only tolerance is on the summary's Trajectory
Score means (``trajectory_score``): they are running sums over the games, and the
order in which the games' partial sums are added may change with how games are
batched, so they are compared within 1e-12 (relative).

Regenerate the pins (only when an output change is intended, and say why in the
commit) with ``GHOSTING_WRITE_PINS=1 pytest tests/test_run_pinned.py``.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from ghosting.pipeline import OUTPUT_FILES, run_files

PINS = Path(__file__).parent / "data" / "run_pins.json"
CASES = {
    "bdb2021": (["bdb2021/week13_game_2018120600.csv.gz"], "bdb2021/targetedReciever.csv"),
    "highlights": (["ngs_highlights/highlights.parquet"], None),
}
TOLERANCE = 1e-12


def _hash_array(arr: pa.Array, h: Any) -> None:
    """Feed a canonical byte form of ``arr`` (validity, then values) into ``h``."""
    h.update(str(arr.type).encode())
    h.update(np.asarray(arr.is_valid(), dtype=bool).tobytes())
    kind = arr.type
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        lengths = pc.fill_null(pc.list_value_length(arr), 0)
        h.update(np.asarray(lengths, dtype=np.int64).tobytes())
        _hash_array(arr.flatten(), h)
    elif pa.types.is_struct(kind):
        for child in arr.flatten():
            _hash_array(child, h)
    elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
        values = ["" if v is None else v for v in arr.to_pylist()]
        h.update(np.asarray([len(v.encode()) for v in values], dtype=np.int64).tobytes())
        h.update("".join(values).encode())
    elif pa.types.is_dictionary(kind):
        _hash_array(arr.dictionary_decode(), h)
    else:
        zero: Any = False if pa.types.is_boolean(kind) else 0
        values = pc.fill_null(arr, pa.scalar(zero, kind)) if arr.null_count else arr
        h.update(values.to_numpy(zero_copy_only=False).tobytes())


def table_pins(table: pa.Table) -> dict[str, Any]:
    """Row count and a sha256 per column of ``table`` in a canonical row order."""
    flat = [
        name
        for name, kind in zip(table.column_names, table.schema.types, strict=True)
        if not (pa.types.is_nested(kind))
    ]
    order = pc.sort_indices(table, sort_keys=[(name, "ascending") for name in flat])
    ordered = table.take(order)
    columns = {}
    for name in table.column_names:
        h = hashlib.sha256()
        _hash_array(ordered[name].combine_chunks(), h)
        columns[name] = h.hexdigest()
    return {"rows": table.num_rows, "columns": columns}


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def summary_pins(summary: dict[str, Any]) -> dict[str, Any]:
    """The summary's counts, cleaning counts, skip-list digest and score means."""
    return {
        "counts": summary["counts"],
        "cleaning": summary["cleaning"],
        "skipped_plays_by_reason": _digest(summary["skipped_plays_by_reason"]),
        "hint": summary["hint"],
        "trajectory_score": summary["trajectory_score"],
    }


def run_pins(folder: Path) -> dict[str, Any]:
    """The pins of one ``ghosting run`` output folder."""
    pins: dict[str, Any] = {
        name.removesuffix(".parquet"): table_pins(pq.read_table(folder / name))
        for name in sorted(OUTPUT_FILES)
        if name.endswith(".parquet")
    }
    pins["summary"] = summary_pins(json.loads((folder / "summary.json").read_text()))
    return pins


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=TOLERANCE)
    return bool(a == b)


def test_pin_digest_sees_a_one_bit_change() -> None:
    """The digest is order-free but sees any value change, null or type change."""
    t = pa.table({"k": [2, 1, 3], "x": [0.5, 0.25, None], "s": ["b", "a", None],
                  "l": [[1], [], None]})  # fmt: skip
    base = table_pins(t)
    assert table_pins(t.take([2, 0, 1])) == base
    nudged = pa.table({**{n: t[n] for n in t.column_names},
                       "x": [0.5, np.nextafter(0.25, 1.0), None]})  # fmt: skip
    assert table_pins(nudged)["columns"]["x"] != base["columns"]["x"]
    assert table_pins(nudged)["columns"]["k"] == base["columns"]["k"]
    filled = pa.table({**{n: t[n] for n in t.column_names}, "s": ["b", "a", ""]})
    assert table_pins(filled)["columns"]["s"] != base["columns"]["s"]
    listed = pa.table({**{n: t[n] for n in t.column_names}, "l": [[1], [], []]})
    assert table_pins(listed)["columns"]["l"] != base["columns"]["l"]


@pytest.mark.parametrize("case", sorted(CASES))
def test_run_outputs_are_pinned(case: str, data_dir: Path, tmp_path: Path) -> None:
    inputs, targets = CASES[case]
    out = tmp_path / "out"
    run_files(
        [data_dir / p for p in inputs], out,
        targets=data_dir / targets if targets else None,
    )  # fmt: skip
    got = run_pins(out)
    if os.environ.get("GHOSTING_WRITE_PINS"):
        pins = json.loads(PINS.read_text()) if PINS.exists() else {}
        pins[case] = got
        PINS.parent.mkdir(parents=True, exist_ok=True)
        PINS.write_text(json.dumps(pins, indent=1, sort_keys=True) + "\n")
    want = json.loads(PINS.read_text())[case]
    assert got.keys() == want.keys()
    for name in want:
        if name == "summary":
            assert _close(got[name], want[name]), f"{case}: summary differs"
            continue
        assert got[name]["rows"] == want[name]["rows"], f"{case}/{name}: row count"
        changed = [c for c in want[name]["columns"]
                   if got[name]["columns"].get(c) != want[name]["columns"][c]]  # fmt: skip
        assert got[name]["columns"].keys() == want[name]["columns"].keys(), f"{case}/{name}"
        assert not changed, f"{case}/{name}: columns changed: {changed}"


def test_outputs_do_not_depend_on_the_batches(tmp_path: Path, monkeypatch) -> None:
    """One game per batch (on one thread or three) and every game in one batch write
    the same bytes."""
    from ghosting import synth
    from ghosting.pipeline import game

    path = tmp_path / "demo.parquet"
    pq.write_table(synth.generate_plays(12, seed=3, plays_per_game=3), path)
    summaries = {}
    # one game per batch on one and on three threads; every game in one batch
    for name, rows, threads in (("one", 1, 1), ("threads", 1, 3), ("all", 10**9, 1)):
        monkeypatch.setattr(game, "BATCH_ROWS", rows)
        summaries[name] = run_files([path], tmp_path / name, threads=threads)
    for name in OUTPUT_FILES:
        if name.endswith(".parquet"):
            want = (tmp_path / "all" / name).read_bytes()
            assert (tmp_path / "one" / name).read_bytes() == want, name
            assert (tmp_path / "threads" / name).read_bytes() == want, name
    every = summaries["all"]
    assert summaries["one"]["counts"]["games"] == 4
    for case in ("one", "threads"):
        for key in ("counts", "skipped_plays_by_reason", "cleaning", "trajectory_score"):
            # bitwise: the means add one sum per game, in input order
            assert summaries[case][key] == every[key], (case, key)

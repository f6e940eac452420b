"""The Big Data Bowl 2026 submission CSV: ``id,x,y`` with
``id = {game_id}_{play_id}_{nfl_id}_{frame_id}``.

``frame_id`` counts the frames after the throw from 1, as the 2026 output files
number them (a 2026 input file ends at the throw), and ``x, y`` are in the original
coordinates of the input (plays going left mirrored back,
:func:`ghosting.to_raw_coordinates`).

>>> import pyarrow as pa
>>> pred = pa.table({"game_id": [7], "play_id": [3], "nfl_id": [11], "frame_id": [42],
...                  "x": [30.0], "y": [10.0]})
>>> plays = pa.table({"game_id": [7], "play_id": [3], "pass_forward_frame": [40],
...                   "play_direction": ["left"]})
>>> submission_table(pred, plays).to_pylist()
[{'id': '7_3_11_2', 'x': 90.0, 'y': 43.333333333333336}]
"""

from __future__ import annotations

import os

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .._util import atomic_path
from ..coordinates import to_raw_coordinates
from ..errors import InputError

__all__ = ["submission_table", "write_submission", "play_directions"]


def play_directions(tracking: pa.Table, plays: pa.Table) -> pa.Table:
    """``game_id, play_id, pass_forward_frame, play_direction`` of every pass play
    (the direction: the play's first row in ``tracking``)."""
    if "play_direction" not in tracking.column_names:
        raise InputError("tracking table has no column 'play_direction': the submission "
                         "needs it to map positions back to the original coordinates")  # fmt: skip
    first = tracking.select(["game_id", "play_id", "play_direction"]).group_by(
        ["game_id", "play_id"], use_threads=False
    ).aggregate([("play_direction", "first")]).rename_columns(
        ["game_id", "play_id", "play_direction"]
    )
    keys = plays.select(["game_id", "play_id", "pass_forward_frame"])
    return keys.join(first, ["game_id", "play_id"], join_type="left outer", use_threads=False)


def submission_table(predictions: pa.Table, plays: pa.Table) -> pa.Table:
    """``id, x, y`` rows of ``predictions`` (a :meth:`ForecastModel.predict` table).

    ``plays`` holds ``game_id, play_id, pass_forward_frame, play_direction``
    (:func:`play_directions`). Rows keep the order of ``predictions``.
    """

    if predictions.num_rows == 0:
        return pa.table({"id": pa.array([], pa.string()), "x": pa.array([], pa.float64()),
                         "y": pa.array([], pa.float64())})  # fmt: skip
    order = pa.array(np.arange(predictions.num_rows))
    joined = predictions.append_column("_row", order).join(
        plays.select(["game_id", "play_id", "pass_forward_frame", "play_direction"]),
        ["game_id", "play_id"], join_type="left outer", use_threads=False,
    ).sort_by("_row")  # fmt: skip
    if joined["pass_forward_frame"].null_count or joined["play_direction"].null_count:
        raise InputError("a forecast play has no pass-forward frame or play direction")
    raw = to_raw_coordinates(joined.select(["game_id", "play_id", "x", "y", "play_direction"]))
    frame = pc.subtract(joined["frame_id"].cast(pa.int64()), joined["pass_forward_frame"])
    parts = [pc.cast(joined[c], pa.string()) for c in ("game_id", "play_id", "nfl_id")]
    ids = pc.binary_join_element_wise(*parts, pc.cast(frame, pa.string()), "_")
    return pa.table({"id": ids, "x": raw["x"], "y": raw["y"]})


def write_submission(table: pa.Table, path: str | os.PathLike[str]) -> None:
    """Write ``id,x,y`` as CSV (atomic: a reader never sees half a file)."""
    if table.column_names != ["id", "x", "y"]:
        raise InputError(f"a submission has the columns id, x, y, not {table.column_names}")
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        fh.write(b"id,x,y\n")  # the header unquoted, whatever the pyarrow version
        pacsv.write_csv(table, fh, pacsv.WriteOptions(include_header=False,
                                                      quoting_style="none"))

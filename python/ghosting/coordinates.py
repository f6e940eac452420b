"""The coordinate frame of ghosting's tables, and the way back to the raw one.

Every table ghosting reads or writes is in the *normalised* frame: the offense
moves toward +x. A play going left in the raw file is mirrored through the
field's centre: ``x -> 120 - x``, ``y -> 160/3 - y``, angles ``o`` and ``dir`` ->
``(angle + 180) mod 360`` (degrees clockwise from +y). Plays going right are left
as they are. The mirror is its own inverse, so :func:`to_raw_coordinates` applies
the same mapping to the rows of plays whose ``play_direction`` is ``"left"``.

>>> import pyarrow as pa
>>> rows = pa.table({"x": [67.75], "y": [20.0], "play_direction": ["left"]})
>>> to_raw_coordinates(rows).to_pylist()
[{'x': 52.25, 'y': 33.333333333333336, 'play_direction': 'left'}]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .errors import InputError, MissingColumnsError
from .schema import FIELD_LENGTH, FIELD_WIDTH

__all__ = ["to_raw_coordinates", "X_COLUMNS", "Y_COLUMNS", "ANGLE_COLUMNS"]

#: Columns holding an x position (yards along the field) in ghosting's tables.
X_COLUMNS = ("x", "ball_land_x", "line_of_scrimmage", "first_down_line")
#: Columns holding a y position (yards across the field).
Y_COLUMNS = ("y", "ball_land_y")
#: Columns holding an angle in degrees clockwise from +y.
ANGLE_COLUMNS = ("o", "dir")


def _directions(table: pa.Table, plays: Any) -> np.ndarray:
    """Per row of ``table``: is its play going left in the raw file?"""
    if "play_direction" in table.column_names:
        direction = table["play_direction"]
    else:
        if plays is None:
            raise MissingColumnsError(
                "to_raw_coordinates: the table has no play_direction column; pass the plays "
                "table (plays.parquet of ghosting run) as plays="
            )
        plays = _as_table(plays)
        need = ("game_id", "play_id", "play_direction")
        missing = [c for c in need if c not in plays.column_names]
        if missing or not {"game_id", "play_id"} <= set(table.column_names):
            raise MissingColumnsError(
                "to_raw_coordinates: needs game_id, play_id in the table and "
                "game_id, play_id, play_direction in plays"
            )
        keys = table.select(["game_id", "play_id"]).append_column(
            "__row", pa.array(np.arange(table.num_rows))
        )
        joined = keys.join(
            plays.select(["game_id", "play_id", "play_direction"]),
            ["game_id", "play_id"],
            join_type="left outer",
            use_threads=False,
        ).sort_by("__row")
        direction = joined["play_direction"]
    return np.asarray(
        pc.fill_null(pc.equal(direction.cast(pa.string()), "left"), False), dtype=bool
    )


def _floats(column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """A numeric column as float64 values and its null mask."""
    nulls = np.asarray(column.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    values = np.asarray(pc.fill_null(column.cast(pa.float64()), 0.0).to_numpy(), np.float64)
    return values, nulls


def _as_table(data: Any) -> pa.Table:
    if isinstance(data, pa.Table):
        return data
    if hasattr(data, "to_arrow"):  # polars
        return data.to_arrow()
    if hasattr(data, "to_numpy") and hasattr(data, "columns"):  # pandas
        return pa.Table.from_pandas(data, preserve_index=False)
    raise InputError(
        f"to_raw_coordinates: expected a pyarrow Table or a pandas/polars DataFrame, "
        f"got {type(data).__name__}"
    )


def to_raw_coordinates(table: Any, plays: Any = None) -> Any:
    """Map positions and angles of ghosting's output (or canonical) tables back to the
    raw frame of the tracking file they came from.

    Parameters
    ----------
    table
        A pyarrow Table or a pandas/polars DataFrame with any of the columns
        ``x, ball_land_x, line_of_scrimmage, first_down_line`` (mapped ``120 - x``),
        ``y, ball_land_y`` (``160/3 - y``) and ``o, dir`` (``+180 mod 360``), and a
        ``play_direction`` column (every output table of ``ghosting run`` has one).
    plays
        Without ``play_direction`` in ``table``: a table with ``game_id, play_id,
        play_direction`` (``plays.parquet``) to look each row's play up in.

    Returns
    -------
    The same kind of table, the same columns and rows; the rows of plays going left
    mirrored, the others unchanged.

    >>> import pyarrow as pa
    >>> t = pa.table({"game_id": [1, 1], "play_id": [5, 6], "x": [30.0, 30.0]})
    >>> p = pa.table({"game_id": [1, 1], "play_id": [5, 6], "play_direction": ["left", "right"]})
    >>> to_raw_coordinates(t, plays=p)["x"].to_pylist()
    [90.0, 30.0]
    """
    kind = "arrow"
    if not isinstance(table, pa.Table):
        kind = "polars" if hasattr(table, "to_arrow") else "pandas"
    arrow = _as_table(table)
    left = _directions(arrow, plays)
    for names, mirror in ((X_COLUMNS, FIELD_LENGTH), (Y_COLUMNS, FIELD_WIDTH)):
        for name in names:
            if name in arrow.column_names:
                values, nulls = _floats(arrow[name])
                arrow = arrow.set_column(
                    arrow.schema.get_field_index(name), name,
                    pa.array(np.where(left, mirror - values, values), mask=nulls),
                )
    for name in ANGLE_COLUMNS:
        if name in arrow.column_names:
            values, nulls = _floats(arrow[name])
            arrow = arrow.set_column(
                arrow.schema.get_field_index(name), name,
                pa.array(np.where(left, np.mod(values + 180.0, 360.0), values), mask=nulls),
            )
    if kind == "polars":
        import polars as pl  # the optional extra `polars`: only for polars input

        return pl.from_arrow(arrow)
    if kind == "pandas":
        return arrow.to_pandas()
    return arrow

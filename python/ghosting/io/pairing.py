"""Joining Big Data Bowl 2026 output rows to their input rows.

A 2026 input file holds every player up to the throw (frames 1..k); the matching
output file holds the scored players while the ball is in the air, numbered again
from 1 and with nothing but ``x, y``. Read together, each output row takes the frame
``k + frame_id`` (k = the play's last input frame) and its player's attributes from
the input, so the play reads as one continuous, direction-normalised track.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["pair_2026_outputs", "plain_strings"]

_PLAY = ["game_id", "play_id"]
_PLAYER = ["game_id", "play_id", "nfl_id"]
#: Per-player columns an output row copies from its input rows.
_COPIED = (
    "position",
    "jersey_number",
    "display_name",
    "club",
    "play_direction",
    "player_role",
    "player_to_predict",
    "num_frames_output",
    "ball_land_x",
    "ball_land_y",
    "player_side",
)


def plain_strings(table: pa.Table) -> pa.Table:
    """Dictionary columns decoded (group-by and join need plain values)."""
    for i, field in enumerate(table.schema):
        if pa.types.is_dictionary(field.type):
            table = table.set_column(i, field.name, table[field.name].cast(field.type.value_type))
    return table


def pair_2026_outputs(
    parts: list[pa.Table], layouts: list[str]
) -> tuple[list[pa.Table], dict[str, Any]]:
    """Renumber and complete the 2026 output parts that have matching input parts."""
    inputs = [p for p, name in zip(parts, layouts, strict=True) if name == "bdb2026_input"]
    if not inputs or "bdb2026_output" not in layouts:
        return parts, {}
    source = plain_strings(pa.concat_tables(inputs, promote_options="default"))
    last = source.group_by(_PLAY).aggregate([("frame_id", "max")])
    copied = [c for c in _COPIED if c in source.column_names]
    players = source.group_by(_PLAYER, use_threads=False).aggregate(
        [(c, "first") for c in copied]
    ).rename_columns([*_PLAYER, *copied])

    out: list[pa.Table] = []
    paired = unmatched = 0
    for part, name in zip(parts, layouts, strict=True):
        if name != "bdb2026_output":
            out.append(part)
            continue
        part = part.drop_columns([c for c in copied if c in part.column_names])
        part = part.join(last, _PLAY, join_type="left outer", use_threads=False)
        found = pc.is_valid(part["frame_id_max"])
        frame = pc.if_else(found, pc.add(part["frame_id"], part["frame_id_max"]),
                           part["frame_id"]).cast(pa.int32())
        part = part.set_column(part.schema.get_field_index("frame_id"), "frame_id", frame)
        part = part.drop_columns(["frame_id_max"])
        part = part.join(players, _PLAYER, join_type="left outer", use_threads=False)
        matched = int(pc.sum(found).as_py() or 0)
        paired += matched
        unmatched += part.num_rows - matched
        out.append(part)
    return out, {"output_rows_paired_with_input": paired,
                 "output_rows_without_input": unmatched}

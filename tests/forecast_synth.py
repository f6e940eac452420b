"""Synthetic Big Data Bowl 2026 input and output files for the forecast tests.

The 2026 input files are not in the data, so they are built from ``ghosting.synth``
plays in the exact shipped column order: every player up to the throw (no ball rows),
``player_role``, ``player_to_predict`` (the target and the defenders),
``num_frames_output`` and the landing point; every second play goes left (positions
and angles written in the raw frame). The matching output file holds the scored
players while the ball is in the air, frames numbered from 1, ``x, y`` only.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

import ghosting
from ghosting.io.layouts import LAYOUTS
from ghosting.schema import FIELD_LENGTH, FIELD_WIDTH


def write_2026_pair(folder: Path, n_plays: int = 6, seed: int = 0) -> tuple[Path, Path]:
    """``input_2023_w01.csv`` and ``output_2023_w01.csv`` in ``folder``."""
    tracking = ghosting.synth.generate_plays(n_plays, seed=seed)
    plays = ghosting.pass_plays(tracking).to_pylist()
    plays = [p for p in plays if p["analysable"] and p["targeted_receiver"] is not None]
    inputs, outputs = [], []
    for i, play in enumerate(plays):
        mask = pc.and_(pc.equal(tracking["game_id"], play["game_id"]),
                       pc.equal(tracking["play_id"], play["play_id"]))
        rows = tracking.filter(mask)
        rows = rows.filter(pc.not_equal(rows["side"], "ball"))
        left = i % 2 == 1
        pf, arrival = play["pass_forward_frame"], play["arrival_frame"]
        frame = rows["frame_id"].to_numpy().astype(np.int64)
        x, y = rows["x"].to_numpy(), rows["y"].to_numpy()
        o, d = rows["o"].to_numpy(), rows["dir"].to_numpy()
        land_x, land_y = play["ball_land_x"], play["ball_land_y"]
        if left:
            x, y = FIELD_LENGTH - x, FIELD_WIDTH - y
            o, d = np.mod(o + 180.0, 360.0), np.mod(d + 180.0, 360.0)
            land_x, land_y = FIELD_LENGTH - land_x, FIELD_WIDTH - land_y
        nfl = rows["nfl_id"].to_numpy()
        side = np.array(rows["side"].to_pylist())
        position = np.array([p or "WR" for p in rows["position"].to_pylist()])
        target = nfl == play["targeted_receiver"]
        role = np.where(target, "Targeted Receiver",
                        np.where(position == "QB", "Passer",
                                 np.where(side == "offense", "Other Route Runner",
                                          "Defensive Coverage")))
        to_predict = target | (side == "defense")
        n = rows.num_rows
        before = frame <= pf
        table = {
            "game_id": rows["game_id"].to_numpy(),
            "play_id": rows["play_id"].to_numpy(),
            "player_to_predict": to_predict,
            "nfl_id": nfl,
            "frame_id": frame,
            "play_direction": np.full(n, "left" if left else "right"),
            "absolute_yardline_number": np.full(n, 50),
            "player_name": np.array(rows["display_name"].to_pylist()),
            "player_height": np.full(n, "6-1"),
            "player_weight": np.full(n, 200),
            "player_birth_date": np.full(n, "1995-01-01"),
            "player_position": position,
            "player_side": np.where(side == "offense", "Offense", "Defense"),
            "player_role": role,
            "x": x, "y": y,
            "s": rows["s"].to_numpy(), "a": rows["a"].to_numpy(),
            "dir": d, "o": o,
            "num_frames_output": np.full(n, arrival - pf),
            "ball_land_x": np.full(n, land_x), "ball_land_y": np.full(n, land_y),
        }
        inputs.append(pa.table({k: v[before] for k, v in table.items()}))
        flight = (frame > pf) & (frame <= arrival) & to_predict
        outputs.append(pa.table({
            "game_id": table["game_id"][flight], "play_id": table["play_id"][flight],
            "nfl_id": nfl[flight], "frame_id": frame[flight] - pf,
            "x": x[flight], "y": y[flight],
        }))
    folder.mkdir(parents=True, exist_ok=True)
    in_path, out_path = folder / "input_2023_w01.csv", folder / "output_2023_w01.csv"
    pacsv.write_csv(pa.concat_tables(inputs).select(list(LAYOUTS["bdb2026_input"].columns)),
                    in_path)
    pacsv.write_csv(pa.concat_tables(outputs).select(list(LAYOUTS["bdb2026_output"].columns)),
                    out_path)
    return in_path, out_path

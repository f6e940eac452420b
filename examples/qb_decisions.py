"""The quarterback decision table: for every scored pass, where the real target ranked
among the receivers the ghost defenders would have left open, and per passer how
often another receiver was clearly more open (needs pandas).

    python examples/qb_decisions.py out/              # an output folder of ghosting run
    python examples/qb_decisions.py --demo 8

"More open" is the model's separation at arrival (distance to the nearest ghost
defender had the ball gone to that receiver); a margin (default 2 yd) keeps small
differences out.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

import ghosting


def option_rows(plays: pd.DataFrame) -> pd.DataFrame:
    """One row per (play, option): receiver name, rank, separation, real target flag."""
    scored = plays[plays["status"] == "scored"]
    rows: list[dict[str, Any]] = []
    for play in scored.to_dict("records"):
        for option in play["options"]:
            rows.append({
                "game_id": play["game_id"], "play_id": play["play_id"],
                "passer": play["passer_display_name"], "receiver": option["display_name"],
                "position": option["position"], "rank": option["rank"],
                "separation": option["separation"], "is_real_target": option["is_real_target"],
            })
    return pd.DataFrame(rows)


def decision_table(plays: pd.DataFrame, margin: float = 2.0) -> pd.DataFrame:
    """Per passer: passes, how often the real target was the most open, how often another
    receiver was more open by more than ``margin`` yards, and the mean gain then."""
    scored = plays[plays["status"] == "scored"].copy()
    scored["target_rank"] = [
        next((o["rank"] for o in options if o["is_real_target"]), None)
        for options in scored["options"]
    ]
    scored["clearly_better"] = scored["separation_gain"].fillna(0.0) > margin
    table = scored.groupby("passer_display_name", dropna=False).agg(
        passes=("play_id", "size"),
        target_most_open=("target_rank", lambda r: float((r == 1).mean())),
        clearly_better_option=("clearly_better", "mean"),
        mean_gain_when_better=("separation_gain",
                               lambda g: float(g[g > margin].mean()) if (g > margin).any()
                               else float("nan")),
    )
    return table.sort_values("passes", ascending=False)


def load_plays(outdir: Path | None, demo: int | None) -> pd.DataFrame:
    """The plays table of an output folder, or of ``demo`` synthetic plays."""
    if demo is not None:
        results = ghosting.run(ghosting.synth.generate_plays(demo, seed=0))
        plays: pd.DataFrame = results.to_pandas("plays")
        return plays
    assert outdir is not None
    return pq.read_table(outdir / "plays.parquet").to_pandas()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", nargs="?", type=Path, help="output folder of ghosting run")
    parser.add_argument("--demo", type=int, metavar="N", help="N synthetic plays instead")
    parser.add_argument("--margin", type=float, default=2.0, help="yards (default 2)")
    args = parser.parse_args()
    if args.outdir is None and args.demo is None:
        parser.error("give an output folder or --demo N")
    plays = load_plays(args.outdir, args.demo)
    pd.set_option("display.width", 120)
    print(decision_table(plays, args.margin).to_string(float_format=lambda v: f"{v:.2f}"))
    print()
    options = option_rows(plays)
    print(options.head(10).to_string(index=False, float_format=lambda v: f"{v:.1f}"))


if __name__ == "__main__":
    main()

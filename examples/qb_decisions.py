"""The quarterback decision table: per passer, how often the real target was the best
option by expected points added and how often another receiver was a better option under the
decision rule; then every option of the first plays (needs pandas).

    python examples/qb_decisions.py out/              # an output folder of ghosting run
    python examples/qb_decisions.py --demo 8

Each option has its own flight (air-time model), P(complete) from the ghosts of every
defender at that option's arrival, and a value: the expected points its throw adds
(with the down and distance and the interception risk; expected yards beside it).
"Better" means the option beats the real target by more than the documented margin
and one sigma of the difference (docs/decision.md).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

import ghosting


def option_rows(plays: pd.DataFrame) -> pd.DataFrame:
    """One row per (play, option): passer, receiver, rank, P(complete), expected points
    added (``value``), expected yards and why an option was not valued."""
    scored = plays[plays["status"] == "scored"]
    rows: list[dict[str, Any]] = []
    for play in scored.to_dict("records"):
        for option in play["decision_options"]:
            rows.append({
                "game_id": play["game_id"], "play_id": play["play_id"],
                "passer": play["passer_display_name"], "receiver": option["display_name"],
                "position": option["position"], "rank": option["rank"],
                "p_complete": option["p_complete"], "value": option["value"],
                "expected_yards": option["expected_yards"],
                "is_real_target": option["is_real_target"], "better": option["better"],
                "not_valued": option["reason"],
            })
    return pd.DataFrame(rows)


def load(outdir: Path | None, demo: int | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The plays and passers tables of an output folder, or of ``demo`` synthetic plays."""
    if demo is not None:
        results = ghosting.run(ghosting.synth.generate_plays(demo, seed=0))
        return results.to_pandas("plays"), results.to_pandas("passers")
    assert outdir is not None
    return (pq.read_table(outdir / "plays.parquet").to_pandas(),
            pq.read_table(outdir / "passers.parquet").to_pandas())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", nargs="?", type=Path, help="output folder of ghosting run")
    parser.add_argument("--demo", type=int, metavar="N", help="N synthetic plays instead")
    args = parser.parse_args()
    if args.outdir is None and args.demo is None:
        parser.error("give an output folder or --demo N")
    plays, passers = load(args.outdir, args.demo)
    pd.set_option("display.width", 120)
    columns = ["passer_display_name", "plays", "plays_judged", "real_target_first_share",
               "better_option_share", "value_left", "expected_yards_left"]
    print(passers[columns].to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    print()
    options = option_rows(plays)
    print(options.head(10).to_string(index=False, float_format=lambda v: f"{v:.2f}"))


if __name__ == "__main__":
    main()

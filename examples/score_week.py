"""Score a week of tracking data: ghost every pass play, print the Trajectory Score
table and the most open options, and write the output folder.

    python examples/score_week.py week13.csv.gz --targets targetedReciever.csv -o out/
    python examples/score_week.py --demo 8 -o out/        # built-in synthetic plays
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pyarrow.compute as pc

import ghosting


def score(inputs: list[str], targets: str | None, demo: int | None) -> ghosting.Results:
    """Ghost and score the files (or ``demo`` synthetic plays), in memory."""
    if demo is not None:
        return ghosting.run(ghosting.synth.generate_plays(demo, seed=0))
    return ghosting.run(inputs if len(inputs) > 1 else inputs[0], targets=targets)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="*", help="tracking files (any supported layout)")
    parser.add_argument("--targets", help="targeted receivers, e.g. targetedReciever.csv")
    parser.add_argument("--demo", type=int, metavar="N", help="N synthetic plays instead")
    parser.add_argument("-o", "--outdir", type=Path, required=True)
    args = parser.parse_args()
    if not args.inputs and args.demo is None:
        parser.error("give tracking files or --demo N")

    results = score(args.inputs, args.targets, args.demo)
    counts = results.summary["counts"]
    print(f"{counts['plays_scored']} of {counts['plays_read']} plays scored")
    for name, row in results.summary["trajectory_score"].items():
        print(f"  mean TS {name:<18} {row['ts']:+.4f} over {row['trajectories']} trajectories")

    plays = results.plays.filter(pc.equal(results.plays["status"], "scored"))
    best = plays.sort_by([("separation_gain", "descending")]).slice(0, 3)
    for row in best.to_pylist():
        print(f"  {row['game_id']}:{row['play_id']} target {row['target_display_name']} "
              f"({row['target_separation']:.1f} yd), most open "
              f"{row['best_option_display_name']} ({row['best_separation']:.1f} yd)")
    results.write(args.outdir)
    print(f"wrote {args.outdir}")


if __name__ == "__main__":
    main()

"""``ghosting score``: Trajectory Scores of the real defender trajectories of every pass play.

Parses the arguments, checks the options and outputs before anything is read, and
calls :func:`ghosting.scoring.files.score_files` (read, clean and score game by
game, every play accounted for); writes its scores and summary and prints the counts.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from .._util import atomic_path
from ..choices import POLICIES, WEIGHTS
from ..pipeline import check_outputs, expand_inputs
from ..pipeline.summary import really_no_pass_plays
from ..scoring.files import score_files
from ._common import (
    add_cleaning_options,
    add_dask_options,
    add_scoring_choices,
    add_side_files,
    check_cleaning_options,
    cleaning_options,
    dask_client,
    read_inputs,
    side_files,
)

#: Exit code of a run that read pass plays but scored none (outputs written).
NOTHING_SCORED = 3


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "score",
        help="score the real defender trajectories of every pass play",
        description=(
            "Read tracking files, clean them, and score every defensive back (or every "
            "defender) of every pass play from pass forward to arrival against the "
            "targeted receiver with the Trajectory Score. Writes one row per defender "
            "(-o), optionally one row per play (--play-scores) and a JSON summary (--json); "
            "every play of the input is either scored or listed as skipped with a reason."
        ),
    )
    parser.add_argument("inputs", nargs="+", metavar="INPUT",
                        help="tracking files, folders or glob patterns (any layout)")  # fmt: skip
    parser.add_argument(
        "-o", "--output", required=True, metavar="SCORES.parquet", help="per-defender scores"
    )
    parser.add_argument("--play-scores", metavar="PLAY_SCORES.parquet",
                        help="also write per-play scores")  # fmt: skip
    parser.add_argument("--json", metavar="SUMMARY.json", help="also write the summary as JSON")
    add_cleaning_options(parser, policies=(*POLICIES, "none"))
    add_scoring_choices(parser, defenders_help="defenders to score")
    parser.add_argument(
        "--weights", choices=WEIGHTS, default="uniform", help="PS frame weights"
    )
    add_side_files(parser)
    add_dask_options(parser)
    parser.set_defaults(func=main)


def _write_parquet(table: pa.Table, path: str) -> None:
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)


def _fmt(value: Any) -> str:
    return "-" if value is None or not np.isfinite(value) else f"{value:+.4f}"


def main(args: argparse.Namespace) -> int:
    """Score the files (:func:`ghosting.scoring.files.score_files`, on Dask when asked),
    write the outputs and print the counts; exit 3 when pass plays were read but none
    was scored."""
    check_cleaning_options(cleaning_options(args))
    args.paths = expand_inputs(args.inputs, keep_repeats=True)
    check_outputs({**read_inputs(args), "INPUT": [*args.inputs, *args.paths]},
                  {"-o": args.output, "--play-scores": args.play_scores,
                   "--json": args.json})  # fmt: skip
    with dask_client(args) as client:
        result, summary = score_files(
            args.paths,
            targets=args.targets,
            side_files=side_files(args),
            cleaning=cleaning_options(args),
            defenders=args.defenders,
            reference=args.reference,
            weights=args.weights,
            client=client,
        )
    _write_parquet(result.trajectories, args.output)
    if args.play_scores:
        _write_parquet(result.plays, args.play_scores)
    if args.json:
        with atomic_path(args.json) as tmp:
            tmp.write_text(json.dumps(summary, indent=2, allow_nan=False) + "\n")
    out = sys.stdout
    counts = summary["counts"]
    out.write(
        f"plays {counts['plays_read']}: scored {counts['plays_scored']}, "
        f"skipped {counts['plays_skipped']}\n"
    )
    for reason, n in sorted(counts["skipped_by_reason"].items(), key=lambda kv: -kv[1]):
        out.write(f"  skipped {n:>5}  {reason}\n")
    real = summary["trajectory_score"]["real"]
    out.write(
        f"trajectories {counts['real_trajectories']} ({counts['defenders_skipped']} defenders "
        f"skipped); mean TS {_fmt(real['ts'])}, "
        f"mean play score {_fmt(real['play_score'])}\n"
    )
    out.write(f"wrote {args.output}\n")
    if summary["hint"]:
        print(f"ghosting score: {summary['hint']}", file=sys.stderr)
    no_pass_plays = really_no_pass_plays(summary)
    return 0 if counts["plays_scored"] or no_pass_plays else NOTHING_SCORED

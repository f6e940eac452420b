"""``ghosting forecast INPUT... -o OUT.parquet [--submission FILE.csv]``: forecast mode.

From what is known at the throw only, predict the targeted receiver and the defenders
in coverage for every frame of the flight (docs/forecast.md). Writes one row per
player-frame (Parquet) and, with ``--submission``, the Big Data Bowl 2026 CSV
(``id,x,y`` in the input's original coordinates). Both are written atomically, and
never onto an input.
"""

from __future__ import annotations

import argparse
from typing import Any

from ._common import (
    add_cleaning_options,
    add_side_files,
    check_cleaning_options,
    cleaning_options,
    read_inputs,
    side_files,
    stderr_log,
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "forecast",
        help="forecast the target and defenders in coverage from the throw (BDB 2026 task)",
        description="Forecast mode (Big Data Bowl 2026's task): from every player's history "
        "up to the throw, the targeted receiver, the ball's landing point and the frames in "
        "the air, predict the targeted receiver and the defenders in coverage (or the 2026 "
        "player_to_predict players) for every frame of the flight. Writes OUT.parquet "
        "(game_id, play_id, nfl_id, frame_id, x, y; normalised coordinates, offense toward "
        "+x) and optionally the submission CSV.",
    )
    parser.add_argument("inputs", nargs="+", metavar="INPUT",
                        help="tracking files, folders or glob patterns (any layout, e.g. "
                        "Big Data Bowl 2026 input files)")  # fmt: skip
    add_side_files(parser)
    parser.add_argument("-o", "--output", required=True, metavar="OUT.parquet",
                        help="per player-frame predictions (Parquet)")  # fmt: skip
    parser.add_argument(
        "--submission", metavar="FILE.csv",
        help="also write id,x,y (id = game_play_nfl_frame, frame counted from the throw as "
        "in 2026 output files; original coordinates)",
    )
    parser.add_argument("--model", metavar="DIR",
                        help="forecast model folder (default: the shipped model)")  # fmt: skip
    parser.add_argument("--model-sha256", metavar="HEX",
                        help="the sha256 the model's ONNX file must have")  # fmt: skip
    parser.add_argument(
        "--defenders", choices=("coverage", "all"), default="coverage",
        help="coverage: the defenders in coverage, or the 2026 player_to_predict ones "
        "(default); all: every defender (the target is always forecast)",
    )
    add_cleaning_options(parser, policies=("play", "track", "sample", "none"))
    # every play the user gave is forecast unless cleaning is asked for (a submission
    # needs them all); training and evaluation cleaned with the play policy
    parser.set_defaults(policy="none")
    for action in parser._actions:
        if action.dest == "policy":
            action.help = ("cleaning policy: none: use the data as read (default); play, track, "
                           "sample: drop the play, the track or the sample flagged")
    parser.add_argument("-q", "--quiet", action="store_true", help="no summary on stdout")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import pyarrow.parquet as pq

    from .. import clean, pass_plays, read_targets, read_tracking
    from .._util import atomic_path
    from ..errors import InputError
    from ..forecast import ForecastModel
    from ..forecast.submission import play_directions, submission_table, write_submission
    from ..pipeline import check_outputs, expand_inputs

    cleaning = cleaning_options(args)
    check_cleaning_options(cleaning)
    model = ForecastModel.load(args.model, sha256=args.model_sha256)
    files = expand_inputs(args.inputs)
    check_outputs({**read_inputs(args), "INPUT": [*args.inputs, *files]},
                  {"-o": args.output, "--submission": args.submission})  # fmt: skip
    log = stderr_log(args.quiet)
    tracking = read_tracking(files, **side_files(args))
    if cleaning["policy"] != "none":
        tracking, _report = clean(tracking, **cleaning)
    targets = read_targets(args.targets) if args.targets else None
    plays = pass_plays(tracking, targets=targets)
    rows = [r for r in plays.to_pylist() if r.get("analysable") and r.get("targeted_receiver")]
    if not rows:
        raise InputError(
            f"no pass play with a targeted receiver, pass forward and arrival in "
            f"{', '.join(str(f) for f in files[:3])}{' ...' if len(files) > 3 else ''} "
            f"({plays.num_rows} plays read): nothing to forecast"
        )
    who = "scored" if args.defenders == "coverage" else "all"
    table = model.predict(tracking, rows, players=who)
    sub = None
    if args.submission:
        sub = submission_table(table, play_directions(tracking, plays))
    with atomic_path(args.output) as tmp:
        pq.write_table(table, tmp)
    if sub is not None:
        write_submission(sub, args.submission)
    n_plays = len({(g, p) for g, p in zip(table["game_id"].to_pylist(),
                                           table["play_id"].to_pylist(), strict=True)})  # fmt: skip
    if not args.quiet:
        print(f"{n_plays} of {len(rows)} pass plays forecast: {table.num_rows} player-frames "
              f"written to {args.output}" + (f" and {args.submission}" if sub is not None else ""))
    log(f"model {model.sha256[:12]}... (history {model.history}, {model.max_frames} frames)")
    return 0

"""``ghosting train-decision DATA... -o DIR``: fit the decision cards (docs/decision.md).

Fits the air-time model, the ghost sigma's calibration and the completion-probability
model (its league depth prior from a Big Data Bowl 2019 ``plays.csv[.gz]`` beside the
tracking files, without the validation and test games) on the ghost model's training
games (choices, the better-option margin included, made on its validation games) and
writes ``air_time.json``, ``completion.json`` and ``sigma.json`` into DIR. Needs no
extra: numpy only. Load them with ``DecisionModels.load(DIR)``.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..decision.train import train_decision_files
from ._common import add_training_data, stderr_log


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "train-decision",
        help="fit the air-time, completion and sigma cards of the decision analysis",
        description="Fit the decision analysis's cards on the ghost model's training games "
        "(chosen on its validation games): air time against throw distance, the ghost "
        "sigma's calibration, and a logistic completion-probability model.",
    )
    add_training_data(parser)
    parser.add_argument("--model", metavar="DIR", help="ghost model directory (default: shipped)")
    parser.add_argument("-o", "--output", required=True, metavar="DIR",
                        help="folder to write the three JSON cards into")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Fit the cards (:func:`ghosting.decision.train.train_decision_files`) and print
    their validation headline."""
    cards = train_decision_files(args.data, args.output, model=args.model,
                                 targets=args.targets, log=stderr_log(args.quiet))  # fmt: skip
    comp = cards["completion"]["fit"]["validation"]
    air = cards["air_time"]["metrics"]["validation"]
    print(f"decision cards written to {args.output}: air-time validation RMSE "
          f"{air['rmse']:.3f} s; completion validation Brier {comp['brier']:.4f} "
          f"(n = {comp['n']})")
    return 0

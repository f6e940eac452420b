"""``ghosting train DATA... -o MODEL_DIR [--seed N] [--targets FILE]``: train a ghost model.

Needs the optional extra ``train`` (torch, lightgbm, onnx). Writes ``ghost.onnx`` and
``card.json`` into MODEL_DIR; load it with ``GhostModel.load(MODEL_DIR)``.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..model.train import train_model, training_summary
from ._common import add_cleaning_options, add_training_data, cleaning_options, stderr_log


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "train",
        help="train a ghosting model on real pass plays (extra: train)",
        description="Train the ghost-mode model: read and clean the tracking data, split by "
        "game, screen features with LightGBM, train the network, export ONNX and its card.",
    )
    add_training_data(parser)
    parser.add_argument(
        "-o", "--output", required=True, metavar="MODEL_DIR",
        help="model folder to write (ghost.onnx and card.json)",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--epochs", type=int, default=None,
        help="training epochs (fewer than 1 count as 1; default: the training "
        "configuration's, TrainConfig.epochs)",
    )
    add_cleaning_options(parser)
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Train (:func:`ghosting.model.train.train_model` checks the options and the
    output folder before reading anything) and print the headline."""
    card = train_model(
        args.data,
        args.output,
        seed=args.seed,
        targets=args.targets,
        epochs=args.epochs,
        log=stderr_log(args.quiet),
        cleaning=cleaning_options(args),
    )
    print(training_summary(card, args.output))
    return 0

"""``ghosting train DATA... -o MODEL_DIR [--seed N] [--targets FILE]``: train a ghost model.

Needs the optional extra ``train`` (torch, lightgbm, onnx). Writes ``ghost.onnx`` and
``card.json`` into MODEL_DIR; load it with ``GhostModel.load(MODEL_DIR)``.
"""

from __future__ import annotations

import argparse
from typing import Any

from ._common import (
    add_cleaning_options,
    add_training_data,
    check_cleaning_options,
    cleaning_options,
    read_inputs,
    stderr_log,
)


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
    from ..model.train import TrainConfig, train_model
    from ..pipeline import check_outputs, expand_inputs

    cleaning = cleaning_options(args)
    check_cleaning_options(cleaning)
    check_outputs({**read_inputs(args, "data"), "INPUT": [*args.data, *expand_inputs(args.data)]},
                  {"-o": args.output}, folders=["-o"])  # fmt: skip

    config = TrainConfig()
    if args.epochs is not None:
        config.epochs = max(1, int(args.epochs))
    card = train_model(
        args.data,
        args.output,
        seed=args.seed,
        targets=args.targets,
        config=config,
        log=stderr_log(args.quiet),
        cleaning=cleaning,
    )
    full = card["metrics"]["validation_defensive_backs"]
    print(
        f"model written to {args.output}: validation full-flight ADE "
        f"{full['model']['full']['ade']:.3f} yd (constant velocity "
        f"{full['constant_velocity']['full']['ade']:.3f}, pursuit "
        f"{full['pursuit']['full']['ade']:.3f}) in {card['training']['seconds']:.0f} s"
    )
    return 0

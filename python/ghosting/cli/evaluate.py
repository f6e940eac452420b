"""``ghosting evaluate DATA... [--targets FILE] [--model DIR] --json OUT.json``.

Evaluates a ghost model on the plays of games it never trained or validated on,
beside the constant-velocity and pursuit baselines (DESIGN section 6).
"""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from .._util import atomic_path
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
        "evaluate",
        help="evaluate a ghosting model on unseen plays",
        description="Evaluate a ghost model on held-out plays (games in its card's train or "
        "validation split are excluded) beside constant-velocity and pursuit baselines.",
    )
    add_training_data(parser)
    parser.add_argument("--model", metavar="DIR", help="model directory (default: shipped)")
    parser.add_argument("--json", required=True, metavar="OUT.json", help="report file")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random checks")
    add_cleaning_options(parser)
    parser.add_argument("-q", "--quiet", action="store_true", help="no summary on stdout")
    parser.set_defaults(func=run)


def _clean_json(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _clean_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean_json(v) for v in value]
    return value


def run(args: argparse.Namespace) -> int:
    from ..model import GhostModel
    from ..model.data import load_sources
    from ..model.evaluate import evaluate_model
    from ..pipeline import check_outputs, expand_inputs

    cleaning = cleaning_options(args)
    check_cleaning_options(cleaning)
    model = GhostModel.load(args.model)
    check_outputs({**read_inputs(args, "data"), "INPUT": [*args.data, *expand_inputs(args.data)]},
                  {"--json": args.json})  # fmt: skip
    datasets = load_sources(args.data, targets=args.targets, log=stderr_log(args.quiet),
                            cleaning=cleaning)  # fmt: skip
    report = evaluate_model(datasets, model, seed=args.seed)
    report["arguments"] = {
        "data": [str(d) for d in args.data],
        "targets": args.targets,
        "model": args.model,
        "seed": args.seed,
        "cleaning": cleaning,
    }
    with atomic_path(args.json) as tmp:
        tmp.write_text(json.dumps(_clean_json(report), indent=2) + "\n")
    if not args.quiet:
        full = report["horizons"]["full"]
        ts = report["trajectory_score"]
        print(
            f"{report['n_plays']} plays, {report['n_trajectories']} trajectories "
            f"({report['excluded']['plays']} plays of {report['excluded']['games']} seen games "
            f"excluded)\n"
            f"full-flight ADE: model {full['model']['ade']:.3f}, constant velocity "
            f"{full['constant_velocity']['ade']:.3f}, pursuit {full['pursuit']['ade']:.3f} yd\n"
            f"mean TS: real {ts['real']:.4f}, model {ts['model']:.4f}, replaced_25 "
            f"{ts['replaced_25']:.4f}, distorted_25 {ts['distorted_25']:.4f}\n"
            f"what-if validity: {report['what_if_validity']:.3f} "
            f"({report['what_if_cases']} cases)"
        )
    return 0

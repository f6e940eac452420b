"""``ghosting evaluate DATA... [--targets FILE] [--model DIR] [--model-sha256 HEX] --json OUT``.

Evaluates a ghost model on the plays of games it never trained or validated on,
beside the constant-velocity and pursuit baselines (docs/model.md).
"""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from .._util import atomic_path
from ..decision import DecisionModels
from ..decision.evaluate import evaluate_decision
from ..decision.train import game_split, pass_results_near
from ..errors import ModelError
from ..forecast import ForecastModel
from ..forecast.evaluate import evaluate_forecast
from ..model import GhostModel
from ..model.data import load_sources
from ..model.evaluate import evaluate_model
from ..pipeline import check_outputs, expand_inputs
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
    parser.add_argument(
        "--model-sha256",
        metavar="HEX",
        help="the sha256 the model's ONNX file must have (refuse any other model)",
    )
    parser.add_argument("--json", required=True, metavar="OUT.json", help="report file")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random checks")
    parser.add_argument(
        "--decision", metavar="DIR",
        help="decision cards folder (air_time.json, completion.json, sigma.json; default: "
        "shipped); their held-out figures go under the report's 'decision' key",
    )
    parser.add_argument(
        "--forecast-model", metavar="DIR",
        help="forecast model folder (default: shipped); its held-out figures go under the "
        "report's 'forecast' key",
    )
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
    cleaning = cleaning_options(args)
    check_cleaning_options(cleaning)
    model = GhostModel.load(args.model, sha256=args.model_sha256)
    check_outputs({**read_inputs(args, "data"), "INPUT": [*args.data, *expand_inputs(args.data)]},
                  {"--json": args.json})  # fmt: skip
    datasets = load_sources(args.data, targets=args.targets, log=stderr_log(args.quiet),
                            cleaning=cleaning)  # fmt: skip
    report = evaluate_model(datasets, model, seed=args.seed)
    report["decision"] = _decision_report(args, datasets, model)
    report["forecast"] = _forecast_report(args, datasets, model)
    report["arguments"] = {
        "data": [str(d) for d in args.data],
        "targets": args.targets,
        "model": args.model,
        "seed": args.seed,
        "decision": args.decision,
        "forecast_model": args.forecast_model,
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
        _print_decision(report["decision"])
        _print_forecast(report["forecast"])
    return 0


def _forecast_report(args: argparse.Namespace, datasets: Any, ghost: Any) -> dict[str, Any]:
    """Forecast mode's held-out RMSE beside constant velocity and ghost mode (docs/forecast.md)."""

    return evaluate_forecast(datasets, ForecastModel.load(args.forecast_model), ghost)


def _print_forecast(rep: dict[str, Any]) -> None:
    r = rep["rmse"]
    print(
        f"forecast RMSE ({rep['n_plays']} plays, {r['all']['n_player_frames']} player-frames): "
        f"model {r['all']['model']:.3f}, constant velocity {r['all']['constant_velocity']:.3f} "
        f"yd; defenders {r['defenders']['model']:.3f} (ghost mode, given the real route, "
        f"{r['defenders']['ghost_mode']:.3f})"
    )


def _decision_report(args: argparse.Namespace, datasets: Any, model: Any) -> dict[str, Any]:
    """The decision analysis's held-out figures (docs/decision.md)."""

    models = DecisionModels.load(args.decision)  # a bad card is an error
    try:
        game_split(model)
    except ModelError as exc:  # a model without a test split: no held-out games to judge on
        return {"skipped": str(exc)}
    return evaluate_decision(
        datasets, model, models, pass_results=pass_results_near(args.data)
    )


def _print_decision(rep: dict[str, Any]) -> None:
    if "skipped" in rep:
        print(f"decision figures skipped: {rep['skipped']}")
        return
    comp = rep["completion"]
    dec = rep["decisions"]
    gvr = rep["ghost_vs_real"]
    print(
        f"completion ({comp['n_passes']} test passes): Brier model "
        f"{comp['model']['brier']:.4f}, separation only "
        f"{comp['separation_only']['brier']:.4f}, base rate {comp['base_rate']['brier']:.4f}; "
        f"AUC {comp['model']['auc']:.3f}\n"
        f"P(complete) ghost vs real positions: r = {gvr['correlation']:.3f}, mean difference "
        f"{gvr['mean_difference']:+.4f}\n"
        f"decisions ({dec['judged']} plays): real target first {dec['real_target_first']:.3f}, "
        f"better option {dec['better_option']:.3f} (old rule {dec['old_rule_better_option']:.3f})"
    )

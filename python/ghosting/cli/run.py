"""``ghosting run``: ghost and score every pass play of tracking files (or the demo)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..errors import InputError
from ..model import GhostModel
from ..pipeline import RunSettings, run_files
from ..pipeline.settings import MAX_FLIGHT_FRAMES
from ..pipeline.summary import really_no_pass_plays
from ._common import (
    add_cleaning_options,
    add_dask_options,
    add_scoring_choices,
    add_side_files,
    cleaning_options,
    dask_client,
    side_files,
)

DEMO_PLAYS = 40

#: Exit code of a run that read pass plays but scored none (outputs written).
NOTHING_SCORED = 3


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "run",
        help="ghost and score every pass play",
        description=(
            "For every pass play of the input: clean, ghost every defensive back for the "
            "real target and for each other eligible receiver, score real and ghost "
            "trajectories with the Trajectory Score, and write trajectories.parquet, "
            "scores.parquet, plays.parquet and summary.json into OUTDIR (atomically). "
            "Input is streamed game by game, each game whole across the input files. "
            "Exit code 0 when a play was scored or the input has no pass plays, 3 when "
            "pass plays were read but none could be scored (the outputs say why, and a "
            "hint is printed), 1 on bad input (nothing written)."
        ),
    )
    parser.add_argument("inputs", nargs="*", metavar="INPUT",
                        help="tracking files, folders or glob patterns (any layout)")  # fmt: skip
    parser.add_argument(
        "--demo",
        action="store_true",
        help="ghost built-in synthetic plays (no input files, no network)",
    )
    parser.add_argument(
        "--demo-plays",
        type=int,
        default=DEMO_PLAYS,
        metavar="N",
        help=f"number of synthetic plays for --demo (default {DEMO_PLAYS})",
    )
    add_side_files(parser)
    parser.add_argument("-o", "--outdir", required=True, metavar="OUTDIR", help="output folder")
    parser.add_argument("--model", metavar="DIR", help="model folder (default: the shipped model)")
    parser.add_argument(
        "--model-sha256",
        metavar="HEX",
        help="the sha256 the model's ONNX file must have (refuse any other model)",
    )
    add_cleaning_options(parser)
    add_scoring_choices(parser, defenders_help="defenders to ghost and score")
    parser.add_argument(
        "--max-flight-frames", type=int, default=MAX_FLIGHT_FRAMES, metavar="N",
        help=f"longest ball flight ghosted, in frames (default {MAX_FLIGHT_FRAMES}, 8 s); "
        "longer plays are skipped with a reason",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="no progress bar; print the summary as JSON on stdout "
        "(the default when stdout is not a terminal)",
    )
    parser.add_argument(
        "--threads", type=int, default=None, metavar="N",
        help="batches of games ghosted at once on this machine (default 2, or 1 on a "
        "single core; each holds up to a million rows); the outputs are the same bytes "
        "whatever N",
    )
    add_dask_options(parser)
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    if args.demo and args.inputs:
        raise InputError("give INPUT files or --demo, not both")
    if not args.demo and not args.inputs:
        raise InputError("give one or more INPUT files, or --demo for built-in synthetic plays")
    if args.demo_plays < 1:
        raise InputError(f"--demo-plays must be at least 1, got {args.demo_plays}")
    settings = RunSettings(
        defenders=args.defenders,
        reference=args.reference,
        max_flight_frames=args.max_flight_frames,
        **cleaning_options(args),
    )
    machine = args.json or not sys.stdout.isatty()
    model = args.model
    if args.model_sha256 is not None:
        model = GhostModel.load(args.model, sha256=args.model_sha256)
    with dask_client(args) as client:
        summary = run_files(
            None if args.demo else args.inputs,
            args.outdir,
            targets=args.targets,
            model=model,
            settings=settings,
            demo_plays=args.demo_plays if args.demo else None,
            show_progress=not machine and sys.stderr.isatty(),
            client=client,
            threads=args.threads,
            **side_files(args),
        )
    if machine:
        json.dump(summary, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(format_summary(summary, args.outdir))
    return _exit_code(summary)


def _exit_code(summary: dict[str, Any]) -> int:
    """0 when a play was scored or the input has no pass plays; else 3, with the
    summary's hint on stderr."""
    hint = summary.get("hint")
    if hint:
        print(f"ghosting run: {hint}", file=sys.stderr)
    if summary["counts"]["plays_scored"] or really_no_pass_plays(summary):
        return 0
    return NOTHING_SCORED


def _fmt(value: float | None, digits: int = 4, signed: bool = True) -> str:
    if value is None:
        return "-"
    return f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"


def format_summary(summary: dict[str, Any], outdir: str) -> str:
    """The human-readable summary printed on a terminal."""
    counts = summary["counts"]
    lines = [
        f"plays read {counts['plays_read']}, scored {counts['plays_scored']}, "
        f"skipped {counts['plays_skipped']} ({counts['games']} "
        f"game{'' if counts['games'] == 1 else 's'}, "
        f"{counts['rows_read']:,} rows)",
    ]
    for reason, n in counts["skipped_by_reason"].items():
        lines.append(f"  skipped {n:>6}  {reason}")
    lines.append(
        f"ghost trajectories {counts['ghost_trajectories']:,} over "
        f"{counts['target_options']:,} target options; "
        f"{counts['plays_with_better_option']} of {counts['plays_judged']} judged plays with "
        "a better option (expected yards beyond margin and uncertainty)"
    )
    lines.append("Trajectory Score            n        PS       DR      SP       TS   play")
    for name, row in summary["trajectory_score"].items():
        lines.append(
            f"  {name:<20} {row['trajectories']:>7} {_fmt(row['ps'])} "
            f"{_fmt(row['dr'], 3, False):>7} {_fmt(row['sp'], 3, False):>7} {_fmt(row['ts'])} "
            f"{_fmt(row['play_score'])}"
        )
    tp = summary["throughput"]
    lines.append(
        f"{tp['seconds']:.1f} s: {tp['plays_per_second']:.1f} plays/s, "
        f"{tp['ghost_trajectories_per_second']:.0f} ghost trajectories/s"
    )
    cluster = summary.get("distributed")
    if cluster:
        lines.append(
            f"ran on Dask: {cluster['tasks']} task{'' if cluster['tasks'] == 1 else 's'} on "
            f"{cluster['workers']} worker{'' if cluster['workers'] == 1 else 's'} "
            f"({cluster['threads']} threads, scheduler {cluster['scheduler']})"
        )
    model = summary["model"]
    lines.append(f"model {model.get('name')} (card sha256 {str(model.get('card_sha256'))[:12]})")
    lines.append(f"wrote {outdir}: trajectories.parquet scores.parquet plays.parquet summary.json")
    return "\n".join(lines) + "\n"

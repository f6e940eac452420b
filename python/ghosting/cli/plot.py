"""``ghosting plot``: draw one ghosted play of an output folder."""

from __future__ import annotations

import argparse
from typing import Any

from ._common import add_run_folder


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "plot",
        help="draw one ghosted play (needs the extra 'plot')",
        description=(
            "Draw one play of an output folder of `ghosting run`: the real trajectories, "
            "the ball's landing point, and one panel per target option with the ghost "
            'trajectories. Needs matplotlib: pip install "ghosting[plot]".'
        ),
    )
    add_run_folder(parser, output_help="PNG file to write")
    parser.add_argument("--play", required=True, metavar="GAME:PLAY", help="the play to draw")
    parser.add_argument("--dpi", type=int, default=110, help="resolution (default 110)")
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..pipeline import OUTPUT_FILES, check_outputs

    check_outputs({"OUTDIR": [Path(args.outdir) / f for f in OUTPUT_FILES]}, {"-o": args.output})
    from ..plot import parse_play, plot_play

    game_id, play_id = parse_play(args.play)
    plot_play(args.outdir, game_id, play_id, args.output, dpi=args.dpi)
    print(f"wrote {args.output}")
    return 0

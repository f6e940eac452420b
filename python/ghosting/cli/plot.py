"""``ghosting plot``: draw one ghosted play of an output folder."""

from __future__ import annotations

import argparse
from typing import Any

from ..plot import parse_play, plot_play
from ._common import add_run_folder


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "plot",
        help="draw one ghosted play (needs the extra 'plot')",
        description=(
            "Draw one play of an output folder of `ghosting run`: the field with the line "
            "of scrimmage and the first-down line, the real trajectories, the ball's "
            "landing point, a legend, the play's description and situation, and one panel "
            "per target option with the ghost trajectories. Needs matplotlib: "
            'pip install "ghosting[plot]".'
        ),
    )
    add_run_folder(parser, output_help="picture to write: .png, .svg, .pdf or .jpg (the suffix "
                   "picks the format)")
    parser.add_argument("--play", required=True, metavar="GAME:PLAY", help="the play to draw")
    parser.add_argument("--dpi", type=int, default=110, help="resolution (default 110)")
    parser.add_argument("--max-options", type=int, default=6, metavar="N",
                        help="option panels at most (default 6; the real target always shown)")
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    """Draw the play (:func:`ghosting.plot.plot_play` checks the options and refuses an
    output onto the run folder)."""
    game_id, play_id = parse_play(args.play)
    plot_play(args.outdir, game_id, play_id, args.output, dpi=args.dpi,
              max_options=args.max_options)
    print(f"wrote {args.output}")
    return 0

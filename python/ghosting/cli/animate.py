"""``ghosting animate``: an animation (GIF or MP4) of one ghosted play."""

from __future__ import annotations

import argparse
from typing import Any

from ..animate import animate_play
from ..plot import parse_play
from ._common import add_run_folder


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "animate",
        help="animate one ghosted play as a GIF or MP4 (needs the extra 'plot')",
        description=(
            "Animate one play of an output folder of `ghosting run` while the ball is in "
            "the air: the field, the real players, the ball, a frame clock and the ghost "
            "defenders of one target option (or one panel per option with --option all). "
            '.gif needs matplotlib and Pillow (pip install "ghosting[plot]"); .mp4 also '
            "needs ffmpeg on the PATH."
        ),
    )
    add_run_folder(parser, output_help="animation to write: .gif or .mp4")
    parser.add_argument("--play", required=True, metavar="GAME:PLAY", help="the play to animate")
    parser.add_argument(
        "--option",
        default="real",
        metavar="WHO",
        help="whose ghosts: 'real' (the real target, default), 'all' (a panel per option) "
        "or a receiver's nfl_id",
    )
    parser.add_argument("--fps", type=int, default=10, help="frames per second (default 10: "
                        "real time)")
    parser.add_argument("--dpi", type=int, default=80, help="resolution (default 80)")
    parser.add_argument("--hold", type=int, default=5, metavar="N",
                        help="repeat the last frame N times (default 5)")
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    """Animate the play (:func:`ghosting.animate.animate_play`)."""
    game_id, play_id = parse_play(args.play)
    animate_play(args.outdir, game_id, play_id, args.output, option=args.option,
                 fps=args.fps, dpi=args.dpi, hold=args.hold)
    print(f"wrote {args.output}")
    return 0

"""``ghosting report``: a self-contained HTML page about an output folder."""

from __future__ import annotations

import argparse
from typing import Any

from ..report import write_report
from ._common import add_run_folder


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "report",
        help="write a self-contained HTML report (pictures need the extra 'plot')",
        description=(
            "Write one HTML page (pictures embedded) about an output folder of "
            "`ghosting run`: the summary, the Trajectory Score table, the plays where "
            "the quarterback had a more open receiver by the model, and the quarterback's "
            "decision (passer table; plays with a better option, their options and pictures)."
        ),
    )
    add_run_folder(parser, output_help="HTML file to write")
    parser.add_argument("--top", type=int, default=5, metavar="N", help="plays to show (default 5)")
    parser.add_argument(
        "--no-pictures", action="store_true", help="leave the pictures out (no matplotlib needed)"
    )
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    """Write the report (:func:`ghosting.report.write_report` refuses an output onto the
    run folder)."""
    write_report(args.outdir, args.output, top=args.top, pictures=not args.no_pictures)
    print(f"wrote {args.output}")
    return 0

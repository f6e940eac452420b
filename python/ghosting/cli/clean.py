"""``ghosting clean INPUT... -o OUT.parquet --report REPORT.json``: clean tracking files.

Parses the arguments and calls :func:`ghosting.cleaning_files.clean_files`: each
input is read, cleaned with :func:`ghosting.clean` and appended to one Parquet
output; the JSON report lists, per input, what the reader did and everything
cleaning dropped, and the totals. Both outputs are written atomically.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..cleaning_files import clean_files
from ._common import (
    add_cleaning_options,
    add_dask_options,
    cleaning_options,
    stderr_log,
)

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "clean",
        help="drop plays, tracks or samples that break the tracking-data rules",
        description=(
            "Read tracking files (CSV, TSV, gzip or Parquet, any supported layout; folders "
            "and glob patterns name the tracking files in them), flag non-finite or "
            "off-field positions, speeds over v_max, steps longer than v_max*dt, frame "
            "gaps and duplicate frames, and drop what the policy says. Writes one Parquet "
            "file of the kept rows and a JSON report of what was dropped."
        ),
    )
    parser.add_argument("inputs", nargs="+", metavar="INPUT",
                        help="tracking files, folders or glob patterns")  # fmt: skip
    parser.add_argument("-o", "--output", required=True, metavar="OUT.parquet",
                        help="Parquet file of the cleaned rows")  # fmt: skip
    parser.add_argument("--report", metavar="REPORT.json", help="JSON report of the cleaning")
    add_cleaning_options(parser)
    parser.add_argument("--layout", default=None, help="force an input layout (default: detect)")
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")
    add_dask_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Clean the files (:func:`ghosting.cleaning_files.clean_files`, on Dask when
    asked) and print the totals."""
    document = clean_files(
        args.inputs,
        args.output,
        report=args.report,
        layout=args.layout,
        scheduler=args.scheduler,
        workers=args.workers,
        log=stderr_log(args.quiet),
        **cleaning_options(args),
    )
    totals = document["totals"]
    if not args.quiet:
        print(
            f"cleaned {len(document['inputs'])} file(s): {totals['rows_in']:,} rows in, "
            f"{totals['rows_out']:,} out, {totals['dropped_plays']:,} play(s) and "
            f"{totals['dropped_tracks']:,} track(s) dropped -> {args.output}"
        )
    return 0

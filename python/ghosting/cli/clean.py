"""``ghosting clean INPUT... -o OUT.parquet --report REPORT.json``: clean tracking files.

Each input (any layout :func:`ghosting.read_tracking` knows) is read, cleaned with
:func:`ghosting.clean` and appended to one Parquet output; the JSON report lists,
per input, what the reader did and everything cleaning dropped, and the totals.
Both outputs are written atomically: on any error neither is left half-written.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..errors import InputError
from ._common import (
    add_cleaning_options,
    add_dask_options,
    check_cleaning_options,
    cleaning_options,
    dask_client,
    read_inputs,
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


def _totals(reports: list[Any]) -> dict[str, Any]:
    from ..cleaning import REASONS

    totals: dict[str, Any] = {
        key: sum(getattr(r, key) for r in reports)
        for key in ("rows_in", "rows_out", "plays_in", "plays_out", "tracks_in", "tracks_out")
    }
    for key in ("flagged", "flagged_in_window", "dropped_samples"):
        totals[key] = {name: sum(getattr(r, key)[name] for r in reports) for name in REASONS}
    totals["dropped_plays"] = sum(len(r.dropped_plays) for r in reports)
    totals["dropped_tracks"] = sum(len(r.dropped_tracks) for r in reports)
    return totals


def _conform(table: Any, schema: Any, path: str) -> Any:
    """``table`` with the writer's columns: optional ones it lacks are null-filled."""
    import pyarrow as pa

    extra = [name for name in table.column_names if name not in schema.names]
    if extra:
        raise InputError(
            f"{path}: has column(s) {', '.join(extra)} that the first input lacks; "
            "clean inputs of different layouts into separate outputs"
        )
    columns = [
        table.column(f.name) if f.name in table.column_names
        else pa.nulls(table.num_rows, f.type)
        for f in schema
    ]  # fmt: skip
    return pa.Table.from_arrays(columns, schema=schema)


def _read_input(path: str, layout: str | None) -> tuple[Any, dict[str, Any]]:
    """One input as a canonical table, and what the reader did."""
    import pyarrow as pa

    from ..io import read_report, read_tracking

    try:
        table = read_tracking(path, layout=layout)
    except (pa.ArrowException, OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc
    return table, read_report(table)


def _clean_file(
    path: str, layout: str | None, options: dict[str, Any]
) -> tuple[Any, dict[str, Any], Any]:
    """Read and clean one input (in this process or on a Dask worker): the cleaned
    rows, what the reader did, and the cleaning report."""
    from ..cleaning import clean

    tracking, read = _read_input(path, layout)
    cleaned, report = clean(tracking, **options)
    return cleaned.replace_schema_metadata(None), read, report


def run(args: argparse.Namespace) -> int:
    import pyarrow.parquet as pq

    from .._util import atomic_path, progress
    from ..pipeline import check_outputs, expand_inputs
    from ..pipeline.distributed import ordered_results

    options = cleaning_options(args)
    check_cleaning_options(options)
    paths = expand_inputs(args.inputs)
    check_outputs({**read_inputs(args), "INPUT": [*args.inputs, *paths]},
                  {"-o": args.output, "--report": args.report})  # fmt: skip

    entries: list[dict[str, Any]] = []
    reports = []
    with dask_client(args) as client, atomic_path(args.output) as tmp_out:
        writer = None
        try:
            files = [str(path) for path in paths]
            if client is None:
                results: Any = (_clean_file(path, args.layout, options) for path in files)
            else:
                results = ordered_results(client, _clean_file, files, args.layout, options)
            results = progress(results, total=len(files), desc="cleaning",
                               enabled=None if len(files) > 1 else False)  # fmt: skip
            for path, (cleaned, read, report) in zip(files, results, strict=True):
                if writer is None:
                    schema = cleaned.schema
                    writer = pq.ParquetWriter(tmp_out, schema)
                writer.write_table(_conform(cleaned, schema, str(path)))
                entries.append(
                    {"path": str(path), "read": read, "cleaning": report.to_dict()}
                )
                reports.append(report)
                if not args.quiet:
                    print(f"{path}:\n{report.summary()}", file=sys.stderr)
        finally:
            if writer is not None:
                writer.close()
        if not any(r.rows_in for r in reports):
            raise InputError(f"no tracking rows in {', '.join(map(str, paths))}")
        document: dict[str, Any] = {
            "output": str(args.output),
            "inputs": entries,
            "totals": _totals(reports),
        }
        if args.report:
            with atomic_path(args.report) as tmp_report:
                tmp_report.write_text(json.dumps(document, indent=2))
    totals = document["totals"]
    if not args.quiet:
        print(
            f"cleaned {len(entries)} file(s): {totals['rows_in']:,} rows in, "
            f"{totals['rows_out']:,} out, {totals['dropped_plays']:,} play(s) and "
            f"{totals['dropped_tracks']:,} track(s) dropped -> {args.output}"
        )
    return 0

"""Cleaning tracking files into one Parquet file and one JSON report (``ghosting clean``).

:func:`clean_files` reads each input (any layout :func:`ghosting.read_tracking`
knows), cleans it with :func:`ghosting.clean` and appends the kept rows to one
Parquet output; the report lists, per input, what the reader did and everything
cleaning dropped, and the totals. Both outputs are written atomically: on any error
neither is left half-written, and no output may overwrite an input.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ._util import atomic_path, progress
from .cleaning import REASONS, CleaningReport, check_options, clean
from .errors import InputError
from .io import read_report, read_tracking
from .pipeline.distributed import dask_client, ordered_results
from .pipeline.paths import check_outputs, expand_inputs

__all__ = ["clean_files", "report_totals"]


def report_totals(reports: Sequence[CleaningReport]) -> dict[str, Any]:
    """Rows, plays and tracks in and out, samples flagged per reason and the plays and
    tracks dropped, summed over the reports of several inputs.

    >>> import ghosting
    >>> _, report = ghosting.clean(ghosting.synth.generate_plays(2, seed=0))
    >>> totals = report_totals([report, report])
    >>> totals["rows_in"] == 2 * report.rows_in, totals["dropped_plays"]
    (True, 0)
    """
    totals: dict[str, Any] = {
        key: sum(getattr(r, key) for r in reports)
        for key in ("rows_in", "rows_out", "plays_in", "plays_out", "tracks_in", "tracks_out")
    }
    for key in ("flagged", "flagged_in_window", "dropped_samples"):
        totals[key] = {name: sum(getattr(r, key)[name] for r in reports) for name in REASONS}
    totals["dropped_plays"] = sum(len(r.dropped_plays) for r in reports)
    totals["dropped_tracks"] = sum(len(r.dropped_tracks) for r in reports)
    return totals


def _conform(table: pa.Table, schema: pa.Schema, path: str) -> pa.Table:
    """``table`` with the writer's columns: optional ones it lacks are null-filled."""
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


def _read_input(path: str, layout: str | None) -> tuple[pa.Table, dict[str, Any]]:
    """One input as a canonical table, and what the reader did."""
    try:
        table = read_tracking(path, layout=layout)
    except (pa.ArrowException, OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc
    return table, read_report(table)


def _clean_file(
    path: str, layout: str | None, options: dict[str, Any]
) -> tuple[pa.Table, dict[str, Any], CleaningReport]:
    """Read and clean one input (in this process or on a Dask worker): the cleaned
    rows, what the reader did, and the cleaning report."""
    tracking, read = _read_input(path, layout)
    cleaned, report = clean(tracking, **options)
    return cleaned.replace_schema_metadata(None), read, report


def clean_files(
    inputs: Sequence[str | os.PathLike[str]],
    output: str | os.PathLike[str],
    *,
    report: str | os.PathLike[str] | None = None,
    layout: str | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    log: Callable[[str], Any] | None = None,
    **options: Any,
) -> dict[str, Any]:
    """Clean tracking files into one Parquet file of the kept rows (and a JSON report).

    ``inputs`` are tracking files, folders or glob patterns (:func:`ghosting.pipeline.
    expand_inputs`); ``options`` are :func:`ghosting.clean`'s keywords (``policy``,
    ``v_max``, ``dt``, ``field_tolerance``, ``window``, ``history``), checked before
    anything is read, like the outputs (none may overwrite an input or another
    output). ``layout`` forces the inputs' layout; with ``scheduler`` (a Dask
    scheduler's address) or ``workers`` (a local Dask cluster of that many processes;
    extra ``dask``) the files are read and cleaned on Dask workers, started only once
    the checks passed; ``log`` gets each file's cleaning summary.
    Inputs of different layouts cannot share one output (an InputError).

    Returns the report's document: ``output``, one entry per input (``path``, what
    the reader did, the cleaning report) and the ``totals`` (:func:`report_totals`),
    also written to ``report`` when given.

    >>> document = clean_files(["week13.csv.gz"], "clean.parquet", policy="track")  # doctest: +SKIP
    >>> sorted(document)  # doctest: +SKIP
    ['inputs', 'output', 'totals']
    """
    check_options(**options)
    paths = expand_inputs(inputs)
    check_outputs({"inputs": [*inputs, *paths]}, {"output": output, "report": report})
    files = [str(path) for path in paths]
    entries: list[dict[str, Any]] = []
    reports: list[CleaningReport] = []
    with dask_client(scheduler, workers) as client, atomic_path(output) as tmp_out:
        writer = None
        try:
            if client is None:
                results: Any = (_clean_file(path, layout, options) for path in files)
            else:
                results = ordered_results(client, _clean_file, files, layout, options)
            results = progress(results, total=len(files), desc="cleaning",
                               enabled=None if len(files) > 1 else False)  # fmt: skip
            for path, (cleaned, read, cleaning) in zip(files, results, strict=True):
                if writer is None:
                    schema = cleaned.schema
                    writer = pq.ParquetWriter(tmp_out, schema)
                writer.write_table(_conform(cleaned, schema, path))
                entries.append({"path": path, "read": read, "cleaning": cleaning.to_dict()})
                reports.append(cleaning)
                if log is not None:
                    log(f"{path}:\n{cleaning.summary()}")
        finally:
            if writer is not None:
                writer.close()
        if not any(r.rows_in for r in reports):
            raise InputError(f"no tracking rows in {', '.join(map(str, paths))}")
        document: dict[str, Any] = {
            "output": str(output),
            "inputs": entries,
            "totals": report_totals(reports),
        }
        if report is not None:
            with atomic_path(Path(report)) as tmp_report:
                tmp_report.write_text(json.dumps(document, indent=2))
    return document

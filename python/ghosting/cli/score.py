"""``ghosting score``: Trajectory Scores of the real defender trajectories of every pass play."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import numpy as np
import pyarrow as pa

from .._util import atomic_path
from ..errors import InputError
from ..pipeline.summary import nothing_scored_hint
from ._common import (
    add_cleaning_options,
    add_dask_options,
    add_scoring_choices,
    add_side_files,
    check_cleaning_options,
    cleaning_options,
    dask_client,
    read_inputs,
    side_files,
)

#: Exit code of a run that read pass plays but scored none (outputs written).
NOTHING_SCORED = 3


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "score",
        help="score the real defender trajectories of every pass play",
        description=(
            "Read tracking files, clean them, and score every defensive back (or every "
            "defender) of every pass play from pass forward to arrival against the "
            "targeted receiver with the Trajectory Score. Writes one row per defender "
            "(-o), optionally one row per play (--play-scores) and a JSON summary (--json); "
            "every play of the input is either scored or listed as skipped with a reason."
        ),
    )
    parser.add_argument("inputs", nargs="+", metavar="INPUT",
                        help="tracking files, folders or glob patterns (any layout)")  # fmt: skip
    parser.add_argument(
        "-o", "--output", required=True, metavar="SCORES.parquet", help="per-defender scores"
    )
    parser.add_argument("--play-scores", metavar="PLAY_SCORES.parquet",
                        help="also write per-play scores")  # fmt: skip
    parser.add_argument("--json", metavar="SUMMARY.json", help="also write the summary as JSON")
    add_cleaning_options(parser, policies=("play", "track", "sample", "none"))
    add_scoring_choices(parser, defenders_help="defenders to score")
    parser.add_argument(
        "--weights", choices=("uniform", "linear"), default="uniform", help="PS frame weights"
    )
    add_side_files(parser)
    add_dask_options(parser)
    parser.set_defaults(func=main)


def _clean(tracking: pa.Table, options: dict[str, Any]) -> tuple[pa.Table, dict[Any, str]]:
    """Clean with ``options`` (:func:`ghosting.clean`'s keywords); return the table and
    why cleaning dropped each play (key ``(game_id, play_id)``) or track (key
    ``(game_id, play_id, nfl_id)``)."""
    policy = options["policy"]
    if policy == "none":
        return tracking, {}
    from ..cleaning import clean

    cleaned, report = clean(tracking, **options)
    dropped: dict[Any, str] = {}
    for row in report.dropped_plays:
        who = f" (nfl_id {', '.join(map(str, row['nfl_ids']))})" if row.get("nfl_ids") else ""
        dropped[(row["game_id"], row["play_id"])] = (
            f"cleaning ({policy} policy): {', '.join(row['reasons'])}{who}"
        )
    for row in report.dropped_tracks:
        dropped[(row["game_id"], row["play_id"], row["nfl_id"])] = (
            f"cleaning ({policy} policy) dropped the track: {', '.join(row['reasons'])}"
        )
    return cleaned, dropped


def _play_keys(table: pa.Table) -> set[tuple[int, int]]:
    keys = table.select(["game_id", "play_id"]).group_by(["game_id", "play_id"]).aggregate([])
    return set(
        zip(keys.column("game_id").to_pylist(), keys.column("play_id").to_pylist(), strict=True)
    )


def _defender_keys(tracking: pa.Table, defenders: str) -> set[tuple[int, int, int]]:
    """(game_id, play_id, nfl_id) of the players ``score_real`` would score: defense
    players, and with ``defenders="backs"`` only the defensive backs by position or by
    the 2026 role (as :func:`ghosting.pass_plays` finds them)."""
    from ..plays import COVERAGE_ROLE
    from ..schema import DEFENSIVE_BACKS

    names = tracking.column_names
    if "side" not in names:
        return set()

    def strings(name: str) -> np.ndarray:
        column = tracking.column(name).fill_null("")
        return np.asarray(column.to_numpy(zero_copy_only=False))

    mask = strings("side") == "defense"
    if defenders == "backs":
        back = np.zeros(tracking.num_rows, dtype=bool)
        if "position" in names:
            back |= np.isin(strings("position"), sorted(DEFENSIVE_BACKS))
        if "player_role" in names:
            back |= strings("player_role") == COVERAGE_ROLE
        mask &= back
    keys = tracking.filter(pa.array(mask)).select(["game_id", "play_id", "nfl_id"])
    keys = keys.group_by(["game_id", "play_id", "nfl_id"]).aggregate([])
    return set(zip(*(keys.column(c).to_pylist() for c in keys.column_names), strict=True))


def _score_games(
    games: Any, options: dict[str, Any], targets: Any
) -> tuple[list[Any], set[tuple[int, int]], set[tuple[int, int, int]], dict[Any, str]]:
    """Clean and score each game table of ``games``: the scores per game, the play
    keys, the defender keys (track policy) and why cleaning dropped what it dropped."""
    from ..scoring import score_real

    cleaning = options["cleaning"]
    parts: list[Any] = []
    all_plays: set[tuple[int, int]] = set()
    defenders: set[tuple[int, int, int]] = set()
    dropped: dict[Any, str] = {}
    for game in games:
        all_plays |= _play_keys(game)
        if cleaning["policy"] == "track":
            defenders |= _defender_keys(game, options["defenders"])
        cleaned, game_dropped = _clean(game, cleaning)
        dropped.update(game_dropped)
        parts.append(
            score_real(
                cleaned,
                targets=targets,
                defenders=options["defenders"],
                reference=options["reference"],
                weights=options["weights"],
                v_max=cleaning["v_max"],
                dt=cleaning["dt"],
            )
        )
    return parts, all_plays, defenders, dropped


def _score_task(task: Any, options: dict[str, Any], targets: Any, side: Any) -> tuple[Any, ...]:
    """Run on a Dask worker: score one task's games (whole games, as a single process
    reads them); what :func:`_score_games` returns, and the duplicate rows dropped."""
    from ..pipeline.tasks import TaskReader

    reader = TaskReader(task, None, side)
    return (*_score_games(reader, options, targets), reader.duplicate_rows_dropped)


def score_files(args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    """Read, clean and score game by game, each game whole across the input files
    (as ``ghosting run`` reads them; with ``--scheduler``/``--workers`` on Dask
    workers, tasks of whole games merged in the same order); return the scores and a
    summary accounting for every play."""
    from .._util import progress
    from ..io import read_targets
    from ..pipeline.distributed import file_tasks, ordered_results
    from ..pipeline.inputs import _read_side_file, game_stream
    from ..scoring import RealScores

    targets = read_targets(args.targets) if args.targets else None
    side = {k: _read_side_file(v) for k, v in side_files(args).items() if v is not None}
    options = {
        "cleaning": cleaning_options(args),
        **{k: getattr(args, k) for k in ("defenders", "reference", "weights")},
    }
    parts: list[Any] = []
    all_plays: set[tuple[int, int]] = set()
    defenders: set[tuple[int, int, int]] = set()
    dropped: dict[Any, str] = {}
    with dask_client(args) as client:
        if client is None:
            stream = game_stream(args.paths, side)
            try:
                games = progress((t for _, t in stream), total=stream.n_chunks, desc="score")
                parts, all_plays, defenders, dropped = _score_games(games, options, targets)
            finally:
                stream.close()
            kept = [str(f.path) for f in stream.files]
            duplicates, unpaired = stream.duplicate_rows_dropped, stream.unpaired_2026_outputs
        else:
            plan = file_tasks(client, args.paths)
            results = ordered_results(client, _score_task, plan.tasks, options, targets, side)
            duplicates = 0
            for task_parts, plays, task_defenders, task_dropped, dups in progress(
                results, total=len(plan.tasks), desc="score"
            ):
                parts.extend(task_parts)
                all_plays |= plays
                defenders |= task_defenders
                dropped.update(task_dropped)
                duplicates += dups
            kept, unpaired = plan.files, plan.unpaired_2026_outputs
    if not parts:
        raise InputError(f"no tracking rows in {', '.join(map(str, args.paths))}")
    result = RealScores(
        trajectories=pa.concat_tables([r.trajectories for r in parts]),
        plays=pa.concat_tables([r.plays for r in parts]),
        skipped=pa.concat_tables([r.skipped for r in parts]),
    )
    summary = result.summary()
    skipped = summary["skipped_plays"]
    accounted = _play_keys(result.plays) | {(s["game_id"], s["play_id"]) for s in skipped}
    for key, why in dropped.items():
        if len(key) == 2 and key not in accounted:
            skipped.append({"game_id": key[0], "play_id": key[1], "nfl_id": None, "reason": why})
            accounted.add(key)
    listed = set()
    for row in summary["skipped_defenders"]:
        key = (row["game_id"], row["play_id"], row["nfl_id"])
        listed.add(key)
        if key in dropped:
            row["reason"] = f"{row['reason']}: {dropped[key]}"
    for key, why in dropped.items():  # tracks the cleaning removed (track policy)
        if len(key) == 3 and key in defenders and key not in listed and key[:2] in accounted:
            summary["skipped_defenders"].append(
                {"game_id": key[0], "play_id": key[1], "nfl_id": key[2], "reason": why}
            )
    summary["n_defenders_skipped"] = len(summary["skipped_defenders"])
    for game_id, play_id in sorted(all_plays - accounted):
        skipped.append(
            {
                "game_id": game_id,
                "play_id": play_id,
                "nfl_id": None,
                "reason": f"cleaning ({args.policy} policy) dropped every row of the play",
            }
        )
    reasons: dict[str, int] = {}
    for s in skipped:
        reasons[s["reason"]] = reasons.get(s["reason"], 0) + 1
    summary.update(
        n_plays=len(all_plays),
        n_plays_skipped=len(skipped),
        skipped_reasons=dict(sorted(reasons.items(), key=lambda kv: -kv[1])),
        skipped_plays=skipped,
        inputs=kept,
        duplicate_rows_dropped=duplicates,
        repeated_inputs_ignored=len(args.paths) - len(kept),
        cleaning=options["cleaning"],
        policy=args.policy,
        defenders=args.defenders,
        reference=args.reference,
        weights=args.weights,
    )
    summary["unpaired_2026_outputs"] = unpaired
    summary["hint"] = nothing_scored_hint(
        summary["n_plays"], summary["n_plays_scored"], reasons,
        unpaired_2026_outputs=unpaired,
    )
    return result, summary


def _write_parquet(table: pa.Table, path: str) -> None:
    import pyarrow.parquet as pq

    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)


def _fmt(value: Any) -> str:
    return "-" if value is None or not np.isfinite(value) else f"{value:+.4f}"


def main(args: argparse.Namespace) -> int:
    from ..pipeline import check_outputs, expand_inputs

    check_cleaning_options(cleaning_options(args))
    args.paths = expand_inputs(args.inputs, keep_repeats=True)
    check_outputs({**read_inputs(args), "INPUT": [*args.inputs, *args.paths]},
                  {"-o": args.output, "--play-scores": args.play_scores,
                   "--json": args.json})  # fmt: skip
    result, summary = score_files(args)
    _write_parquet(result.trajectories, args.output)
    if args.play_scores:
        _write_parquet(result.plays, args.play_scores)
    if args.json:
        with atomic_path(args.json) as tmp:
            tmp.write_text(json.dumps(summary, indent=2) + "\n")
    out = sys.stdout
    out.write(
        f"plays {summary['n_plays']}: scored {summary['n_plays_scored']}, "
        f"skipped {summary['n_plays_skipped']}\n"
    )
    for reason, n in summary["skipped_reasons"].items():
        out.write(f"  skipped {n:>5}  {reason}\n")
    out.write(
        f"trajectories {summary['n_trajectories']} ({summary['n_defenders_skipped']} defenders "
        f"skipped); mean TS {_fmt(summary['mean_ts'])}, "
        f"mean play score {_fmt(summary['mean_play_score'])}\n"
    )
    out.write(f"wrote {args.output}\n")
    if summary["hint"]:
        print(f"ghosting score: {summary['hint']}", file=sys.stderr)
    no_pass_plays = not summary["unpaired_2026_outputs"] and all(
        reason.startswith("no pass_forward") for reason in summary["skipped_reasons"]
    )
    return 0 if summary["n_plays_scored"] or no_pass_plays else NOTHING_SCORED

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
from ._common import (
    add_dask_options,
    add_scoring_choices,
    add_side_files,
    dask_client,
    side_files,
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "score",
        help="score the real defender trajectories of every pass play",
        description=(
            "Read tracking files, clean them, and score every defensive back (or every "
            "defender) of every pass play from pass forward to arrival against the "
            "targeted receiver with the Trajectory Score. Writes one row per defender "
            "(-o), optionally one row per play (--plays) and a JSON summary (--json); "
            "every play of the input is either scored or listed as skipped with a reason."
        ),
    )
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="tracking files (any layout)")
    parser.add_argument(
        "-o", "--output", required=True, metavar="SCORES.parquet", help="per-defender scores"
    )
    parser.add_argument("--plays", metavar="PLAYS.parquet", help="also write per-play scores")
    parser.add_argument("--json", metavar="SUMMARY.json", help="also write the summary as JSON")
    add_scoring_choices(
        parser, policies=("play", "track", "sample", "none"), defenders_help="defenders to score"
    )
    parser.add_argument(
        "--weights", choices=("uniform", "linear"), default="uniform", help="PS frame weights"
    )
    add_side_files(parser, plays_flag="--play-info")
    add_dask_options(parser)
    parser.set_defaults(func=main)


def _clean(tracking: pa.Table, policy: str) -> tuple[pa.Table, dict[Any, str]]:
    """Clean with ``policy``; return the table and why cleaning dropped each play
    (key ``(game_id, play_id)``) or track (key ``(game_id, play_id, nfl_id)``)."""
    if policy == "none":
        return tracking, {}
    from ..cleaning import clean

    cleaned, report = clean(tracking, policy=policy)
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


def _score_file(path: str, options: dict[str, Any], targets: Any) -> tuple[Any, ...]:
    """Read, clean and score one file game by game (in this process or on a Dask
    worker): its scores per game, play keys, defender keys and what cleaning dropped."""
    from ..io import read_tracking
    from ..pipeline import split_games
    from ..scoring import score_real

    parts: list[Any] = []
    all_plays: set[tuple[int, int]] = set()
    defenders: set[tuple[int, int, int]] = set()
    dropped: dict[Any, str] = {}
    tracking = read_tracking(path, **options["side_files"])
    for game in split_games(tracking):  # read_tracking sorts by game: zero-copy slices
        all_plays |= _play_keys(game)
        if options["policy"] == "track":
            defenders |= _defender_keys(game, options["defenders"])
        cleaned, game_dropped = _clean(game, options["policy"])
        dropped.update(game_dropped)
        parts.append(
            score_real(
                cleaned,
                targets=targets,
                defenders=options["defenders"],
                reference=options["reference"],
                weights=options["weights"],
            )
        )
    return parts, all_plays, defenders, dropped


def score_files(args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    """Read, clean and score file by file and game by game (memory bounded by one
    input file; with ``--scheduler``/``--workers`` the files are scored on Dask
    workers and merged in input order); return the scores and a summary accounting
    for every play."""
    from .._util import progress
    from ..io import read_targets
    from ..pipeline.distributed import ordered_results
    from ..scoring import RealScores

    targets = read_targets(args.targets) if args.targets else None
    options = {
        "side_files": side_files(args),
        **{k: getattr(args, k) for k in ("policy", "defenders", "reference", "weights")},
    }
    parts: list[Any] = []
    all_plays: set[tuple[int, int]] = set()
    defenders: set[tuple[int, int, int]] = set()
    dropped: dict[Any, str] = {}
    with dask_client(args) as client:
        if client is None:
            results: Any = (_score_file(path, options, targets) for path in args.inputs)
        else:
            results = ordered_results(client, _score_file, args.inputs, options, targets)
        for file_parts, file_plays, file_defenders, file_dropped in progress(
            results, total=len(args.inputs), desc="score"
        ):
            parts.extend(file_parts)
            all_plays |= file_plays
            defenders |= file_defenders
            dropped.update(file_dropped)
    if not parts:
        raise InputError(f"no tracking rows in {', '.join(map(str, args.inputs))}")
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
        inputs=[str(p) for p in args.inputs],
        policy=args.policy,
        defenders=args.defenders,
        reference=args.reference,
        weights=args.weights,
    )
    return result, summary


def _write_parquet(table: pa.Table, path: str) -> None:
    import pyarrow.parquet as pq

    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)


def _fmt(value: Any) -> str:
    return "-" if value is None or not np.isfinite(value) else f"{value:+.4f}"


def main(args: argparse.Namespace) -> int:
    for name in ("output", "plays", "json"):
        path = getattr(args, name)
        if path is not None and path in args.inputs:
            raise InputError(f"--{name} {path} would overwrite an input file")
    result, summary = score_files(args)
    _write_parquet(result.trajectories, args.output)
    if args.plays:
        _write_parquet(result.plays, args.plays)
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
    return 0

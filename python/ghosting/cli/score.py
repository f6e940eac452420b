"""``ghosting score``: Trajectory Scores of the real defender trajectories of every pass play."""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import Any

import numpy as np
import pyarrow as pa

from .._util import atomic_path
from ..choices import POLICIES, WEIGHTS
from ..errors import InputError
from ..pipeline.summary import nothing_scored_hint, really_no_pass_plays
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

#: Why cleaning dropped a play or track: (reason category, nfl ids), by play or track key.
_Dropped = dict[Any, tuple[str, list[int]]]

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
    add_cleaning_options(parser, policies=(*POLICIES, "none"))
    add_scoring_choices(parser, defenders_help="defenders to score")
    parser.add_argument(
        "--weights", choices=WEIGHTS, default="uniform", help="PS frame weights"
    )
    add_side_files(parser)
    add_dask_options(parser)
    parser.set_defaults(func=main)


def _clean(
    tracking: pa.Table, options: dict[str, Any]
) -> tuple[pa.Table, _Dropped]:
    """Clean with ``options`` (:func:`ghosting.clean`'s keywords); return the table and
    why cleaning dropped each play (key ``(game_id, play_id)``) or track (key
    ``(game_id, play_id, nfl_id)``): the reason (a category, no ids) and the nfl ids
    of the players that made cleaning drop a play."""
    policy = options["policy"]
    if policy == "none":
        return tracking, {}
    from ..cleaning import clean

    cleaned, report = clean(tracking, **options)
    dropped: _Dropped = {}
    for row in report.dropped_plays:
        dropped[(row["game_id"], row["play_id"])] = (
            f"cleaning ({policy} policy): {', '.join(row['reasons'])}",
            [int(n) for n in row.get("nfl_ids") or []],
        )
    for row in report.dropped_tracks:
        dropped[(row["game_id"], row["play_id"], row["nfl_id"])] = (
            f"cleaning ({policy} policy) dropped the track: {', '.join(row['reasons'])}",
            [int(row["nfl_id"])],
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
) -> tuple[list[Any], set[tuple[int, int]], set[tuple[int, int, int]], _Dropped]:
    """Clean and score each game table of ``games``: the scores per game, the play
    keys, the defender keys (track policy) and why cleaning dropped what it dropped."""
    from ..scoring import score_real

    cleaning = options["cleaning"]
    parts: list[Any] = []
    all_plays: set[tuple[int, int]] = set()
    defenders: set[tuple[int, int, int]] = set()
    dropped: _Dropped = {}
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


#: Numbers inside a skip reason that vary from play to play (sample counts): the
#: category drops them and the listed play keeps the full reason as ``detail``.
_COUNTS = re.compile(r"\d+ samples for the \d+ frames")


def reason_category(reason: str) -> str:
    """The category of a skip reason: the same text for every play it applies to (no
    nfl ids, no per-play sample counts)."""
    return _COUNTS.sub("too few samples for the frames", reason)


def score_summary(
    result: Any,
    skipped: list[dict[str, Any]],
    defenders_skipped: list[dict[str, Any]],
    *,
    settings: dict[str, Any],
    inputs: list[str],
    games: int,
    duplicates: int,
    repeated: int,
    unpaired: bool,
) -> dict[str, Any]:
    """The ``--json`` summary of ``ghosting score`` in the schema of ``ghosting run``'s
    ``summary.json`` (docs/run.md): ``counts`` with the plays read, scored and skipped
    by reason (a category), ``skipped_plays_by_reason``, ``trajectory_score.real``,
    ``settings``, ``hint``; score's own extras are ``counts.defenders_skipped``,
    ``skipped_plays`` (each play with its category, full reason and nfl ids) and
    ``skipped_defenders``."""
    from .. import __version__
    from ..pipeline.outputs import _json_ready
    from ..pipeline.summary import _Mean

    plays_list = []
    by_reason: dict[str, list[list[int]]] = {}
    for row in skipped:
        category = reason_category(row["reason"])
        by_reason.setdefault(category, []).append([int(row["game_id"]), int(row["play_id"])])
        entry = {"game_id": row["game_id"], "play_id": row["play_id"], "reason": category,
                 "detail": row["reason"], "nfl_ids": row.get("nfl_ids") or []}  # fmt: skip
        plays_list.append(entry)
    counted = {name: len(keys) for name, keys in sorted(by_reason.items())}
    plays_scored = result.plays.num_rows
    traj = result.trajectories
    real = _Mean()
    if traj.num_rows and all(c in traj.column_names for c in ("ps", "dr", "sp", "ts")):
        real.add({c: traj.column(c).cast(pa.float64()).fill_null(np.nan).to_numpy()
                  for c in ("ps", "dr", "sp", "ts")})
    play = result.plays.column("play_score").fill_null(np.nan).to_numpy()
    finite = play[np.isfinite(play)]
    return _json_ready({
        "ghosting_version": __version__,
        "command": "score",
        "inputs": inputs,
        "counts": {
            "games": games,
            "plays_read": plays_scored + len(skipped),
            "plays_scored": plays_scored,
            "plays_skipped": len(skipped),
            "skipped_by_reason": counted,
            "real_trajectories": traj.num_rows,
            "defenders_skipped": len(defenders_skipped),
            "duplicate_rows_dropped": duplicates,
            "repeated_inputs_ignored": repeated,
            "unpaired_2026_outputs": unpaired,
        },
        "skipped_plays_by_reason": {k: sorted(v) for k, v in sorted(by_reason.items())},
        "hint": nothing_scored_hint(plays_scored + len(skipped), plays_scored, counted,
                                    unpaired_2026_outputs=unpaired),
        "trajectory_score": {
            "real": {**real.as_dict(),
                     "play_score": float(finite.mean()) if len(finite) else None},
        },
        "settings": settings,
        "skipped_plays": plays_list,
        "skipped_defenders": defenders_skipped,
    })


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
    dropped: _Dropped = {}
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
    api = result.summary()
    skipped = api["skipped_plays"]
    accounted = _play_keys(result.plays) | {(s["game_id"], s["play_id"]) for s in skipped}
    for key, (why, nfl_ids) in dropped.items():
        if len(key) == 2 and key not in accounted:
            skipped.append({"game_id": key[0], "play_id": key[1], "nfl_id": None,
                            "reason": why, "nfl_ids": nfl_ids})  # fmt: skip
            accounted.add(key)
    listed = set()
    defenders_skipped = api["skipped_defenders"]
    for row in defenders_skipped:
        key = (row["game_id"], row["play_id"], row["nfl_id"])
        listed.add(key)
        if key in dropped:
            row["reason"] = f"{row['reason']}: {dropped[key][0]}"
    for key, (why, _) in dropped.items():  # tracks the cleaning removed (track policy)
        if len(key) == 3 and key in defenders and key not in listed and key[:2] in accounted:
            defenders_skipped.append(
                {"game_id": key[0], "play_id": key[1], "nfl_id": key[2], "reason": why}
            )
    for game_id, play_id in sorted(all_plays - accounted):
        skipped.append(
            {
                "game_id": game_id,
                "play_id": play_id,
                "nfl_id": None,
                "reason": f"cleaning ({args.policy} policy) dropped every row of the play",
            }
        )
    settings = {**options["cleaning"],
                **{k: getattr(args, k) for k in ("defenders", "reference", "weights")}}
    summary = score_summary(result, skipped, defenders_skipped, settings=settings,
                            inputs=kept, games=len({g for g, _ in all_plays}),
                            duplicates=duplicates, repeated=len(args.paths) - len(kept),
                            unpaired=unpaired)  # fmt: skip
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
            tmp.write_text(json.dumps(summary, indent=2, allow_nan=False) + "\n")
    out = sys.stdout
    counts = summary["counts"]
    out.write(
        f"plays {counts['plays_read']}: scored {counts['plays_scored']}, "
        f"skipped {counts['plays_skipped']}\n"
    )
    for reason, n in sorted(counts["skipped_by_reason"].items(), key=lambda kv: -kv[1]):
        out.write(f"  skipped {n:>5}  {reason}\n")
    real = summary["trajectory_score"]["real"]
    out.write(
        f"trajectories {counts['real_trajectories']} ({counts['defenders_skipped']} defenders "
        f"skipped); mean TS {_fmt(real['ts'])}, "
        f"mean play score {_fmt(real['play_score'])}\n"
    )
    out.write(f"wrote {args.output}\n")
    if summary["hint"]:
        print(f"ghosting score: {summary['hint']}", file=sys.stderr)
    no_pass_plays = really_no_pass_plays(summary)
    return 0 if counts["plays_scored"] or no_pass_plays else NOTHING_SCORED

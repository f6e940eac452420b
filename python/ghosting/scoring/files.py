"""Scoring tracking files with the Trajectory Score (``ghosting score``).

:func:`score_files` reads tracking files game by game (each game whole across the
files, as ``ghosting run`` reads them), cleans each game with :func:`ghosting.clean`,
scores its real defender trajectories with :func:`ghosting.score_real` and returns
the scores with a summary (:func:`score_summary`, the schema of ``ghosting run``'s
``summary.json``) that accounts for every play read: scored, skipped by the scorer,
or dropped by cleaning, each with its reason.

This module reads files through :mod:`ghosting.pipeline`, which itself imports
:mod:`ghosting.scoring`; so ``ghosting.scoring`` does not import it: use
``ghosting.score_files`` or ``from ghosting.scoring.files import score_files``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from .. import __version__
from .._util import progress
from ..choices import Defenders, Reference, Weights
from ..cleaning import FIELD_TOLERANCE, HISTORY, clean
from ..errors import InputError
from ..io import read_targets
from ..pipeline.distributed import file_tasks, ordered_results
from ..pipeline.inputs import _read_side_file, game_stream
from ..pipeline.ledger import PlayLedger, reason_category
from ..pipeline.outputs import _json_ready
from ..pipeline.summary import _Mean, nothing_scored_hint
from ..pipeline.tasks import TaskReader
from ..plays import defender_rows
from ..schema import DT, V_MAX
from .real import RealScores, score_real

__all__ = ["score_files", "score_summary", "reason_category", "DEFAULT_CLEANING"]

#: Why cleaning dropped a play or track: (reason category, nfl ids), by play or track key.
_Dropped = dict[Any, tuple[str, list[int]]]

#: The cleaning options of :func:`score_files` when not given (those of
#: :func:`ghosting.clean`; ``policy="none"`` scores the data as read).
DEFAULT_CLEANING: dict[str, Any] = {
    "policy": "play",
    "field_tolerance": FIELD_TOLERANCE,
    "v_max": V_MAX,
    "dt": DT,
    "window": "pass",
    "history": HISTORY,
}


def _clean(tracking: pa.Table, options: dict[str, Any]) -> tuple[pa.Table, _Dropped]:
    """Clean with ``options`` (:func:`ghosting.clean`'s keywords); return the table and
    why cleaning dropped each play (key ``(game_id, play_id)``) or track (key
    ``(game_id, play_id, nfl_id)``): the reason (a category, no ids) and the nfl ids
    of the players that made cleaning drop a play."""
    policy = options["policy"]
    if policy == "none":
        return tracking, {}
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
    names = tracking.column_names
    if "side" not in names or (
        defenders == "backs" and "position" not in names and "player_role" not in names
    ):
        return set()  # score_real says why it scores nobody
    mask = defender_rows(tracking, defenders)
    keys = tracking.filter(pa.array(mask)).select(["game_id", "play_id", "nfl_id"])
    keys = keys.group_by(["game_id", "play_id", "nfl_id"]).aggregate([])
    return set(zip(*(keys.column(c).to_pylist() for c in keys.column_names), strict=True))


def _score_games(
    games: Iterable[pa.Table], options: dict[str, Any], targets: Any
) -> tuple[list[Any], set[tuple[int, int]], set[tuple[int, int, int]], _Dropped]:
    """Clean and score each game table of ``games``: the scores per game, the play
    keys, the defender keys (track policy) and why cleaning dropped what it dropped."""
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
    reader = TaskReader(task, None, side)
    return (*_score_games(reader, options, targets), reader.duplicate_rows_dropped)


def score_summary(
    result: RealScores,
    ledger: PlayLedger,
    defenders_skipped: list[dict[str, Any]],
    *,
    settings: dict[str, Any],
    inputs: list[str],
    games: int,
    duplicates: int,
    repeated: int,
    unpaired: bool,
) -> dict[str, Any]:
    """The summary of :func:`score_files` (``ghosting score --json``) in the schema of
    ``ghosting run``'s ``summary.json`` (docs/run.md): ``counts`` with the plays read,
    scored and skipped by reason (a category, from ``ledger``),
    ``skipped_plays_by_reason``, ``trajectory_score.real``, ``settings``, ``hint``;
    score's own extras are ``counts.defenders_skipped``, ``skipped_plays`` (each play
    with its category, full reason and nfl ids) and ``skipped_defenders``."""
    plays = ledger.summary()
    counted = plays["counts"]["skipped_by_reason"]
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
            **plays["counts"],
            "real_trajectories": traj.num_rows,
            "defenders_skipped": len(defenders_skipped),
            "duplicate_rows_dropped": duplicates,
            "repeated_inputs_ignored": repeated,
            "unpaired_2026_outputs": unpaired,
        },
        "skipped_plays_by_reason": plays["skipped_plays_by_reason"],
        "hint": nothing_scored_hint(ledger.plays_read, ledger.plays_scored, counted,
                                    unpaired_2026_outputs=unpaired),
        "trajectory_score": {
            "real": {**real.as_dict(),
                     "play_score": float(finite.mean()) if len(finite) else None},
        },
        "settings": settings,
        "skipped_plays": ledger.skipped_list(),
        "skipped_defenders": defenders_skipped,
    })


def score_files(
    paths: Sequence[str | os.PathLike[str]],
    *,
    targets: str | os.PathLike[str] | pa.Table | None = None,
    side_files: Mapping[str, str | os.PathLike[str] | None] | None = None,
    cleaning: Mapping[str, Any] | None = None,
    defenders: Defenders = "backs",
    reference: Reference = "catch_point",
    weights: Weights = "uniform",
    client: Any = None,
) -> tuple[RealScores, dict[str, Any]]:
    """Read, clean and score tracking files game by game, accounting for every play.

    ``paths`` are tracking files (:func:`ghosting.pipeline.expand_inputs` with
    ``keep_repeats=True`` gives them; a file given twice is read once and counted in
    ``repeated_inputs_ignored``). Each game is read whole across the files, as
    ``ghosting run`` reads it, cleaned with ``cleaning`` (:func:`ghosting.clean`'s
    keywords, missing ones from :data:`DEFAULT_CLEANING`; ``policy="none"`` scores
    the data as read) and scored with :func:`ghosting.score_real` (``defenders``,
    ``reference``, ``weights``, the cleaning's ``v_max`` and ``dt``). ``targets`` is
    a targeted-receiver file or table; ``side_files`` the ``players``, ``plays`` and
    ``games`` files (None: not given). With a Dask ``client`` the games are scored on
    its workers in tasks of whole games, merged in the same order.

    Returns the scores of every game (:class:`ghosting.scoring.RealScores`) and the
    summary (:func:`score_summary`): every play read is scored or listed as skipped
    with its reason, a play cleaning dropped as a cleaning reason. Raises
    :class:`ghosting.errors.InputError` when the files hold no tracking rows.

    >>> scores, summary = score_files(["week13.csv.gz"], targets="targets.csv")  # doctest: +SKIP
    >>> summary["counts"]["plays_read"] == summary["counts"]["plays_scored"] + summary[
    ...     "counts"]["plays_skipped"]  # doctest: +SKIP
    True
    """
    files = [Path(p) for p in paths]
    cleaning_options = {**DEFAULT_CLEANING, **(cleaning or {})}
    if isinstance(targets, (str, os.PathLike)):
        targets = read_targets(targets)
    side = {k: _read_side_file(v) for k, v in (side_files or {}).items() if v is not None}
    options = {"cleaning": cleaning_options, "defenders": defenders,
               "reference": reference, "weights": weights}  # fmt: skip
    parts: list[Any] = []
    all_plays: set[tuple[int, int]] = set()
    defender_keys: set[tuple[int, int, int]] = set()
    dropped: _Dropped = {}
    if client is None:
        stream = game_stream(files, side)
        try:
            games = progress((t for _, t in stream), total=stream.n_chunks, desc="score")
            parts, all_plays, defender_keys, dropped = _score_games(games, options, targets)
        finally:
            stream.close()
        kept = [str(f.path) for f in stream.files]
        duplicates, unpaired = stream.duplicate_rows_dropped, stream.unpaired_2026_outputs
    else:
        plan = file_tasks(client, files)
        results = ordered_results(client, _score_task, plan.tasks, options, targets, side)
        duplicates = 0
        for task_parts, plays, task_defenders, task_dropped, dups in progress(
            results, total=len(plan.tasks), desc="score"
        ):
            parts.extend(task_parts)
            all_plays |= plays
            defender_keys |= task_defenders
            dropped.update(task_dropped)
            duplicates += dups
        kept, unpaired = plan.files, plan.unpaired_2026_outputs
    if not parts:
        raise InputError(f"no tracking rows in {', '.join(map(str, paths))}")
    result = RealScores(
        trajectories=pa.concat_tables([r.trajectories for r in parts]),
        plays=pa.concat_tables([r.plays for r in parts]),
        skipped=pa.concat_tables([r.skipped for r in parts]),
    )
    api = result.summary()
    ledger = PlayLedger()
    result.account(ledger)
    ledger.merge_cleaning(dropped)
    listed = set()
    defenders_skipped = api["skipped_defenders"]
    for row in defenders_skipped:
        key = (row["game_id"], row["play_id"], row["nfl_id"])
        listed.add(key)
        if key in dropped:
            row["reason"] = f"{row['reason']}: {dropped[key][0]}"
    for key, (why, _) in dropped.items():  # tracks the cleaning removed (track policy)
        if len(key) == 3 and key in defender_keys and key not in listed and ledger.accounted(
            key[:2]
        ):
            defenders_skipped.append(
                {"game_id": key[0], "play_id": key[1], "nfl_id": key[2], "reason": why}
            )
    for game_id, play_id in sorted(all_plays - ledger.keys):
        reason = f"cleaning ({cleaning_options['policy']} policy) dropped every row of the play"
        ledger.skip_play(game_id, play_id, reason)
    ledger.read(len(ledger.keys))
    settings = {**cleaning_options, "defenders": defenders, "reference": reference,
                "weights": weights}  # fmt: skip
    summary = score_summary(result, ledger, defenders_skipped, settings=settings,
                            inputs=kept, games=len({g for g, _ in all_plays}),
                            duplicates=duplicates, repeated=len(files) - len(kept),
                            unpaired=unpaired)  # fmt: skip
    return result, summary

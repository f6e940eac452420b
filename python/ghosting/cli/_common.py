"""Arguments and helpers shared by the CLI subcommands (not a subcommand itself).

>>> import argparse
>>> parser = argparse.ArgumentParser()
>>> add_side_files(parser, plays_flag="--play-info")
>>> args = parser.parse_args(["--players", "players.csv", "--play-info", "plays.csv"])
>>> side_files(args)
{'players': 'players.csv', 'plays': 'plays.csv', 'games': None}
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any


def add_targets(parser: argparse.ArgumentParser) -> None:
    """``--targets FILE``: the targeted-receiver file."""
    parser.add_argument("--targets", metavar="FILE", help="targeted receivers (gameId,playId,...)")


def add_side_files(parser: argparse.ArgumentParser, *, plays_flag: str = "--plays") -> None:
    """``--targets``, ``--players``, the plays file (``plays_flag``) and ``--games``: the
    files read beside the tracking; :func:`side_files` gives the last three back."""
    add_targets(parser)
    parser.add_argument(
        "--players", metavar="FILE", help="players.csv: positions (needed for BDB 2019 tracking)"
    )
    parser.add_argument(
        plays_flag,
        dest="plays_file",
        metavar="FILE",
        help="the competition's plays.csv: possession team and play descriptions (for targets)",
    )
    parser.add_argument("--games", metavar="FILE", help="games.csv: home and away teams")


def side_files(args: argparse.Namespace) -> dict[str, Any]:
    """The players, plays and games files of :func:`add_side_files`, as the keywords
    of :func:`ghosting.read_tracking` and ``ghosting.pipeline.run_files``."""
    return {"players": args.players, "plays": args.plays_file, "games": args.games}


def add_scoring_choices(
    parser: argparse.ArgumentParser, *, policies: tuple[str, ...], defenders_help: str
) -> None:
    """``--policy`` (one of ``policies``, default play), ``--defenders`` and ``--reference``."""
    policy_help = "cleaning policy (default: play, drop any play with a flagged sample"
    if "none" in policies:
        policy_help += "; none: score the data as read"
    parser.add_argument("--policy", choices=policies, default="play", help=policy_help + ")")
    parser.add_argument(
        "--defenders",
        choices=("backs", "all"),
        default="backs",
        help=f"{defenders_help} (default: backs, the defensive backs)",
    )
    parser.add_argument(
        "--reference",
        choices=("catch_point", "receiver"),
        default="catch_point",
        help="Trajectory Score reference point: the catch point (default) or the moving receiver",
    )


def add_training_data(parser: argparse.ArgumentParser) -> None:
    """``DATA...`` (tracking files or folders) and ``--targets``."""
    parser.add_argument("data", nargs="+", metavar="DATA", help="tracking files or folders")
    add_targets(parser)


def stderr_log(quiet: bool) -> Callable[[str], None]:
    """A progress logger writing to stderr, silent when ``quiet``."""

    def log(msg: str) -> None:
        if not quiet:
            print(msg, file=sys.stderr, flush=True)

    return log


def add_run_folder(parser: argparse.ArgumentParser, *, output_help: str) -> None:
    """``OUTDIR`` (an output folder of ``ghosting run``) and ``-o/--output FILE``."""
    parser.add_argument("outdir", metavar="OUTDIR", help="output folder of ghosting run")
    parser.add_argument("-o", "--output", required=True, metavar="FILE", help=output_help)


def add_dask_options(parser: argparse.ArgumentParser) -> None:
    """``--scheduler ADDRESS`` and ``--workers N``: run on Dask (extra ``dask``)."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on the Dask cluster of this scheduler (tcp://HOST:8786); inputs must be "
        'readable by its workers (needs: pip install "ghosting[dask]")',
    )
    group.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="run on a Dask LocalCluster of N worker processes on this machine",
    )


def dask_client(args: argparse.Namespace) -> Any:
    """A context manager giving the Dask client of ``--scheduler``/``--workers`` (None
    without either: a single-process run)."""
    from ..pipeline.distributed import dask_client as connect

    return connect(args.scheduler, args.workers)

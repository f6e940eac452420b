"""Arguments and helpers shared by the CLI subcommands (not a subcommand itself).

Every flag means one thing in every subcommand: ``--plays`` is always the
competition's plays.csv (an input); outputs have their own names (``-o``,
``--play-scores``, ``--json``, ``--report``).

>>> import argparse
>>> parser = argparse.ArgumentParser()
>>> add_side_files(parser)
>>> args = parser.parse_args(["--players", "players.csv", "--plays", "plays.csv"])
>>> side_files(args)
{'players': 'players.csv', 'plays': 'plays.csv', 'games': None}
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..choices import DEFENDERS, POLICIES, REFERENCES, WINDOWS
from ..cleaning import FIELD_TOLERANCE, HISTORY, check_options
from ..pipeline.distributed import dask_client as _dask_client
from ..schema import DT, V_MAX

#: The cleaning policies of ``ghosting.clean`` (``score`` adds ``none``).
CLEANING_POLICIES = POLICIES


def add_targets(parser: argparse.ArgumentParser) -> None:
    """``--targets FILE``: the targeted-receiver file."""
    parser.add_argument("--targets", metavar="FILE", help="targeted receivers (gameId,playId,...)")


def add_side_files(parser: argparse.ArgumentParser) -> None:
    """``--targets``, ``--players``, ``--plays`` and ``--games``: the files read beside
    the tracking; :func:`side_files` gives the last three back."""
    add_targets(parser)
    parser.add_argument(
        "--players", metavar="FILE", help="players.csv: positions (needed for BDB 2019 tracking)"
    )
    parser.add_argument(
        "--plays",
        dest="plays_file",
        metavar="FILE",
        help="the competition's plays.csv (an input): possession team and play descriptions",
    )
    parser.add_argument("--games", metavar="FILE", help="games.csv: home and away teams")


def side_files(args: argparse.Namespace) -> dict[str, Any]:
    """The players, plays and games files of :func:`add_side_files`, as the keywords
    of :func:`ghosting.read_tracking` and ``ghosting.pipeline.run_files``."""
    return {"players": args.players, "plays": args.plays_file, "games": args.games}


def read_inputs(args: argparse.Namespace, attribute: str = "inputs") -> dict[str, Any]:
    """Everything a command reads, by the flag that names it (for
    :func:`ghosting.pipeline.check_outputs`)."""
    inputs: dict[str, Any] = {"INPUT": getattr(args, attribute, None)}
    for flag, name in (("--targets", "targets"), ("--players", "players"),
                       ("--plays", "plays_file"), ("--games", "games"),
                       ("--model", "model")):  # fmt: skip
        inputs[flag] = getattr(args, name, None)
    return inputs


def add_cleaning_options(
    parser: argparse.ArgumentParser, *, policies: Sequence[str] = CLEANING_POLICIES
) -> None:
    """The cleaning options every command that cleans takes (docs/cleaning.md):
    ``--policy``, ``--field-tolerance``, ``--v-max``, ``--dt``, ``--window`` and
    ``--history``, with the defaults of :func:`ghosting.clean`;
    :func:`cleaning_options` gives them back as its keywords."""
    policy_help = "cleaning policy: drop the whole play (default), the track, or the sample"
    if "none" in policies:
        policy_help += "; none: use the data as read"
    group = parser.add_argument_group("cleaning (as in ghosting clean)")
    group.add_argument("--policy", choices=tuple(policies), default="play", help=policy_help)
    group.add_argument("--field-tolerance", type=float, default=FIELD_TOLERANCE, metavar="YD",
                       help=f"yards beyond the field still accepted "
                            f"(default {FIELD_TOLERANCE:g})")  # fmt: skip
    group.add_argument("--v-max", type=float, default=V_MAX, metavar="YD_PER_S",
                       help=f"fastest plausible speed, yd/s (default {V_MAX:g}); a step "
                            "longer than v_max*dt is flagged")  # fmt: skip
    group.add_argument("--dt", type=float, default=DT, metavar="S",
                       help=f"seconds between frames (default {DT:g})")  # fmt: skip
    group.add_argument("--window", choices=WINDOWS, default="pass",
                       help="analysed frames: around the pass (default) or all")  # fmt: skip
    group.add_argument("--history", type=int, default=HISTORY, metavar="FRAMES",
                       help=f"frames before pass forward in the window "
                            f"(default {HISTORY})")  # fmt: skip


def cleaning_options(args: argparse.Namespace) -> dict[str, Any]:
    """The keywords of :func:`ghosting.clean` given by :func:`add_cleaning_options`
    (``policy`` included)."""
    return {
        "policy": args.policy,
        "field_tolerance": args.field_tolerance,
        "v_max": args.v_max,
        "dt": args.dt,
        "window": args.window,
        "history": args.history,
    }


def check_cleaning_options(options: Mapping[str, Any]) -> None:
    """Refuse bad cleaning options before anything is read (the checks of
    :func:`ghosting.clean`, on an empty table)."""
    check_options(**{k: v for k, v in options.items() if k != "policy" or v != "none"})


def add_scoring_choices(parser: argparse.ArgumentParser, *, defenders_help: str) -> None:
    """``--defenders`` and ``--reference``."""
    parser.add_argument(
        "--defenders",
        choices=DEFENDERS,
        default="backs",
        help=f"{defenders_help} (default: backs, the defensive backs)",
    )
    parser.add_argument(
        "--reference",
        choices=REFERENCES,
        default="catch_point",
        help="Trajectory Score reference point: the catch point (default) or the moving receiver",
    )


def add_training_data(parser: argparse.ArgumentParser) -> None:
    """``DATA...`` (tracking files, folders or glob patterns) and ``--targets``."""
    parser.add_argument("data", nargs="+", metavar="DATA",
                        help="tracking files, folders or glob patterns")  # fmt: skip
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
    return _dask_client(args.scheduler, args.workers)

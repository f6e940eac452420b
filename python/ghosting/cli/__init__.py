"""The ``ghosting`` command line: one small module per subcommand.

Each module ``ghosting.cli.<name>`` defines ``register(subparsers)``, which adds
its parser and sets ``func`` to a function ``(args) -> int`` (the exit code).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import sys
from collections.abc import Sequence

from ..errors import GhostingError

# In the order `ghosting --help` lists them.
SUBCOMMANDS = (
    "run", "clean", "score", "train", "train-decision", "evaluate", "plot", "report"
)


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__

    parser = argparse.ArgumentParser(
        prog="ghosting",
        description="Defender ghosting on NFL player-tracking data.",
    )
    parser.add_argument("--version", action="version", version=f"ghosting {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        module_name = f"{__name__}.{name.replace('-', '_')}"
        if importlib.util.find_spec(module_name) is None:
            continue
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.func(args))
    except GhostingError as exc:
        print(f"ghosting {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"ghosting {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of our stdout went away (`ghosting run ... --json | head`):
        # stop quietly, and keep Python from failing again when it flushes stdout.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

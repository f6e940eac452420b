"""The ``ghosting`` command line: one small module per subcommand.

Each module ``ghosting.cli.<name>`` defines ``register(subparsers)``, which adds
its parser and sets ``func`` to a function ``(args) -> int`` (the exit code).
:func:`main` prints a :class:`~ghosting.GhostingError` as one line (control
characters escaped) with exit code 1, and turns SIGTERM into a clean exit (143)
that removes temporary outputs.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import os
import signal
import sys
import threading
import warnings
from collections.abc import Iterator, Sequence
from types import FrameType
from typing import Any

from .. import __version__
from .._util import terminal_safe
from ..errors import GhostingError

# In the order `ghosting --help` lists them.
SUBCOMMANDS = (
    "run", "clean", "score", "train", "train-decision", "evaluate", "forecast", "plot", "animate",
    "report",
)


def build_parser() -> argparse.ArgumentParser:
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


class _Terminated(BaseException):
    """Raised in the main thread on SIGTERM, so that every ``finally`` and temporary
    output cleanup runs before the process exits (like KeyboardInterrupt for SIGINT)."""


@contextlib.contextmanager
def _sigterm_as_exit() -> Iterator[None]:
    """Turn SIGTERM into :class:`_Terminated` while the command runs (main thread only);
    later SIGTERMs are ignored while it unwinds. The previous handler is restored."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    fired = [False]

    def on_term(signum: int, frame: FrameType | None) -> None:
        if not fired[0]:
            fired[0] = True
            raise _Terminated()

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class _EscapingStream:
    """A text stream (stdout or stderr) that writes control characters escaped, except
    newlines, tabs and carriage returns (the progress bar): whatever a command echoes
    of its input (file names, headers, ids) cannot drive the user's terminal."""

    def __init__(self, raw: Any) -> None:
        self._raw = raw

    def write(self, text: str) -> int:
        self._raw.write(terminal_safe(text, keep="\n\t\r"))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


@contextlib.contextmanager
def _escaping_output() -> Iterator[None]:
    """sys.stdout and sys.stderr as :class:`_EscapingStream` while the command runs."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _EscapingStream(out), _EscapingStream(err)  # type: ignore[assignment]
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err


def _say(command: str, what: str, text: object) -> None:
    """One line on stderr, user-given text (paths, headers, ids) with control
    characters escaped."""
    print(f"ghosting {command}: {what}{terminal_safe(text)}", file=sys.stderr)


@contextlib.contextmanager
def _safe_warnings(command: str) -> Iterator[None]:
    """Warnings printed as one escaped line each while the command runs (only their
    format changes: code that records warnings still gets them)."""
    previous = warnings.formatwarning

    def fmt(message: Warning | str, category: type[Warning], *args: Any, **kw: Any) -> str:
        return f"ghosting {command}: warning: {category.__name__}: {terminal_safe(message)}\n"

    warnings.formatwarning = fmt
    try:
        yield
    finally:
        warnings.formatwarning = previous


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        with _sigterm_as_exit(), _safe_warnings(args.command), _escaping_output():
            return int(args.func(args))
    except GhostingError as exc:
        _say(args.command, "error: ", exc)
        return 1
    except KeyboardInterrupt:
        _say(args.command, "interrupted", "")
        return 130
    except _Terminated:
        _say(args.command, "terminated", "")
        return 143
    except BrokenPipeError:
        # The reader of our stdout went away (`ghosting run ... --json | head`):
        # stop quietly, and keep Python from failing again when it flushes stdout.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

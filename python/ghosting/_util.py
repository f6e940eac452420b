"""Small shared helpers: atomic output files, progress reporting, run offsets and
list lengths."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TypeVar

import numpy as np
import pyarrow as pa

T = TypeVar("T")


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success.

    On an exception the temporary file is removed and ``path`` is untouched, so a
    reader never sees a half-written output.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        # mkstemp creates 0600 files; give the output the mode a plain open() would.
        if tmp_path.exists():
            tmp_path.chmod(0o666 & ~_umask())
        os.replace(tmp_path, target)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def progress(
    items: Iterable[T], *, total: int | None = None, desc: str = "", enabled: bool | None = None
) -> Iterator[T]:
    """Iterate ``items``, drawing a one-line progress bar on stderr when it is a terminal."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        yield from items
        return
    if total is None:
        try:
            total = len(items)  # type: ignore[arg-type]
        except TypeError:
            total = None
    width = 30
    done = 0
    for item in items:
        yield item
        done += 1
        if total:
            filled = int(width * done / total)
            bar = "#" * filled + "-" * (width - filled)
            sys.stderr.write(f"\r{desc} [{bar}] {done}/{total}")
        else:
            sys.stderr.write(f"\r{desc} {done}")
        sys.stderr.flush()
    sys.stderr.write("\n")
    sys.stderr.flush()


def run_starts(*keys: np.ndarray) -> np.ndarray:
    """Offsets of the runs of equal consecutive key tuples, then the length (n_runs + 1).

    Run ``i`` is rows ``out[i]:out[i + 1]``; empty keys give ``[0]``.

    >>> run_starts(np.array([1, 1, 2, 2]), np.array([5, 6, 6, 6])).tolist()
    [0, 1, 2, 4]
    """
    n = len(keys[0])
    if n == 0:
        return np.zeros(1, dtype=np.int64)
    change = np.zeros(n, dtype=bool)
    change[0] = True
    for key in keys:
        change[1:] |= key[1:] != key[:-1]
    return np.append(np.flatnonzero(change), n).astype(np.int64)


def list_lengths(lists: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Lengths of a list array's entries as int64 (0 for null entries).

    >>> list_lengths(pa.array([[1, 2], None, []])).tolist()
    [2, 0, 0]
    """
    import pyarrow.compute as pc

    return pc.fill_null(pc.list_value_length(lists), 0).to_numpy().astype(np.int64)

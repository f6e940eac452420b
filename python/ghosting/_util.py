"""Small shared helpers: atomic output files and folders (temporary names, stale
leftovers, the atomic folder swap), progress reporting, run offsets and list lengths."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import os
import re
import socket
import sys
import unicodedata
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .errors import InputError

T = TypeVar("T")


#: The temporary files and folders of outputs are named
#: ``.<output name>.ghosting-<host>-<pid>-<random>.<tmp|old>`` beside the output, so
#: that a later run can tell its own leftovers from anything else and knows whether
#: the process that made them is gone.
_STAGING = re.compile(
    r"\.(?P<target>.+)\.ghosting-(?P<host>[0-9a-f]{8})-(?P<pid>[0-9]{1,10})-[0-9a-f]{12}"
    r"\.(?P<kind>tmp|old)"
)


def _host_tag() -> str:
    return hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]


def staging_name(target_name: str, kind: str = "tmp") -> str:
    """The name of a temporary file or folder beside the output ``target_name``.

    >>> staging_name("out", "tmp").startswith(".out.ghosting-")
    True
    """
    return f".{target_name}.ghosting-{_host_tag()}-{os.getpid()}-{uuid.uuid4().hex[:12]}.{kind}"


def _process_gone(pid: int) -> bool:
    """True only when no process ``pid`` exists on this host (never on Windows, where
    os.kill would terminate it)."""
    if os.name == "nt" or pid == os.getpid() or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (OSError, OverflowError):  # EPERM: it exists, another user's
        return False
    return False


def stale_staging(parent: Path, target_name: str) -> list[tuple[Path, str]]:
    """Temporary entries beside ``parent / target_name`` left by processes of this host
    that are gone (killed mid-run): (path, "tmp" or "old"). Symbolic links never count."""
    host = _host_tag()
    found = []
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return []
    for entry in entries:
        m = _STAGING.fullmatch(entry.name)
        if m is None or m["target"] != target_name or m["host"] != host:
            continue
        if entry.is_symlink() or not _process_gone(int(m["pid"])):
            continue
        found.append((Path(entry.path), m["kind"]))
    return found


def remove_owned(folder: Path, names: Iterable[str]) -> bool:
    """Delete the files ``names`` from ``folder``, then the folder if it is empty.

    Nothing else is ever deleted: a folder that still holds other entries is kept.
    Returns True when the folder is gone.
    """
    for name in names:
        with contextlib.suppress(FileNotFoundError, IsADirectoryError, NotADirectoryError):
            (folder / name).unlink()
    try:
        folder.rmdir()
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return True


def remove_stale_files(target: Path) -> None:
    """Delete the temporary files of :func:`atomic_path` that dead runs left beside
    ``target`` (regular files only)."""
    for path, kind in stale_staging(target.parent, target.name):
        if kind == "tmp" and path.is_file():
            with contextlib.suppress(OSError):
                path.unlink()


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success.

    On an exception (SIGTERM included, which the CLI turns into one) the temporary
    file is removed and ``path`` is untouched, so a reader never sees a half-written
    output; one left by a killed run is removed by the next write of the same path.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_files(target)
    tmp_path = target.parent / staging_name(target.name, "tmp")
    created = False
    try:  # entered before the file exists: a signal right after creating it cleans up
        os.close(os.open(tmp_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        created = True
        yield tmp_path
        # give the output the mode a plain open() would, whoever recreated the file
        if tmp_path.exists():
            tmp_path.chmod(0o666 & ~_umask())
        os.replace(tmp_path, target)
    except BaseException as exc:
        if created or not isinstance(exc, FileExistsError):  # never someone else's file
            tmp_path.unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def exchange_paths(a: Path, b: Path) -> bool:
    """Swap the two existing paths ``a`` and ``b`` in one atomic step
    (``renameat2(RENAME_EXCHANGE)``, Linux 3.15+, glibc 2.28+).

    Returns False when the system or the file system cannot do it (the caller falls
    back); raises OSError for any other failure.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def terminal_safe(text: object, keep: str = "") -> str:
    """``text`` with every control character shown as an escape, for a terminal.

    A file name or a CSV header can hold escape sequences that would recolour,
    retitle or rewrite the user's terminal; C0 and C1 controls, DEL and the Unicode
    bidirectional and other format characters are shown as ``\\xNN`` /
    ``\\uNNNN``, and newlines too (one message stays one line) unless listed in
    ``keep``.

    >>> terminal_safe("bad column '\\x1b[31mx'")
    "bad column '\\\\x1b[31mx'"
    """
    out = []
    for ch in str(text):
        code = ord(ch)
        if ch in keep:
            out.append(ch)
        elif code < 0x20 or 0x7F <= code <= 0x9F:
            out.append(f"\\x{code:02x}")
        elif unicodedata.category(ch) in ("Cf", "Cs", "Zl", "Zp"):
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            out.append(ch)
    return "".join(out)


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


def row_keys(*columns: np.ndarray) -> np.ndarray:
    """Rows of int64 columns as one structured array (sortable, searchable keys)."""
    out = np.empty(columns[0].size, np.dtype([(f"k{i}", np.int64) for i in range(len(columns))]))
    for i, c in enumerate(columns):
        out[f"k{i}"] = c
    return out


def comparable_keys(
    keys: tuple[np.ndarray, ...], query: tuple[np.ndarray, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """``keys`` and ``query`` rows (int64 columns) as comparable keys of the same kind:
    one int64 each when the columns' spans fit in 62 bits together (packed in the same
    order: sorting and equality are those of the rows), else :func:`row_keys`."""
    cols = [np.concatenate([np.asarray(k, np.int64), np.asarray(q, np.int64)])
            for k, q in zip(keys, query, strict=True)]
    if not cols[0].size:
        return row_keys(*keys), row_keys(*query)
    low = [int(c.min()) for c in cols]
    bits = [max(int(c.max()) - lo, 0).bit_length() for c, lo in zip(cols, low, strict=True)]
    if sum(bits) > 62:
        return row_keys(*keys), row_keys(*query)
    packed = np.zeros(cols[0].size, np.int64)
    for c, lo, b in zip(cols, low, bits, strict=True):
        packed = (packed << b) | (c - lo)
    n = len(keys[0])
    return packed[:n], packed[n:]


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
    return pc.fill_null(pc.list_value_length(lists), 0).to_numpy().astype(np.int64)


def take_rows(column: Any, indices: np.ndarray) -> Any:
    """``column.take(indices)`` as one array, chunk by chunk: Arrow's ``take`` on a
    column of many chunks (a batch of games) first concatenates every chunk.

    >>> import pyarrow as pa
    >>> take_rows(pa.chunked_array([["a", "b"], ["c"]]), np.array([2, 0])).to_pylist()
    ['c', 'a']
    """
    import pyarrow as pa

    indices = np.asarray(indices, dtype=np.int64)
    if not isinstance(column, pa.ChunkedArray):
        return column.take(pa.array(indices))
    if column.num_chunks <= 1:
        return column.combine_chunks().take(pa.array(indices))
    bounds = np.zeros(column.num_chunks + 1, dtype=np.int64)
    np.cumsum([len(c) for c in column.chunks], out=bounds[1:])
    which = np.searchsorted(bounds, indices, side="right") - 1
    order = np.argsort(which, kind="stable")
    cuts = np.searchsorted(which[order], np.arange(column.num_chunks + 1))
    parts = [
        column.chunk(k).take(pa.array(indices[order[cuts[k]:cuts[k + 1]]] - bounds[k]))
        for k in range(column.num_chunks) if cuts[k + 1] > cuts[k]
    ]
    if not parts:
        return pa.array([], type=column.type)
    out = pa.concat_arrays(parts)
    if np.any(order[1:] < order[:-1]):  # back to the order asked for
        inverse = np.empty_like(order)
        inverse[order] = np.arange(len(order))
        out = out.take(pa.array(inverse))
    return out


def integers(value: Any, name: str) -> np.ndarray:
    """``value`` as contiguous int64; anything but integers is an error (no truncation).

    The check of every integer array handed to a native kernel (offsets, ids, frames).
    """
    raw = np.asarray(value)
    if raw.dtype.kind not in "iu" and not (raw.size == 0 and raw.dtype.kind == "f"):
        raise InputError(f"{name}: expected integers, got dtype {raw.dtype}")
    return np.ascontiguousarray(raw, dtype=np.int64)

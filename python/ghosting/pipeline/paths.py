"""Input and output paths of the commands: folders and globs expanded into tracking
files, and the rule that no command ever writes onto one of its inputs.

>>> expand_inputs(["tracking/*.csv.gz"])  # doctest: +SKIP
[PosixPath('tracking/week1.csv.gz'), PosixPath('tracking/week2.csv.gz')]
>>> check_outputs({"--plays": "plays.csv.gz"}, {"-o": "plays.csv.gz"})  # doctest: +SKIP
Traceback (most recent call last):
InputError: -o plays.csv.gz is the input --plays plays.csv.gz: ...
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from ..errors import InputError

__all__ = ["expand_inputs", "check_outputs", "InputPath"]

InputPath = str | os.PathLike[str]

_GLOB_CHARS = frozenset("*?[")


def _has_glob(text: str) -> bool:
    return any(c in text for c in _GLOB_CHARS)


def expand_inputs(sources: Sequence[InputPath], *, keep_repeats: bool = False) -> list[Path]:
    """The tracking files named by ``sources``: files as given, folders searched as
    ``ghosting train`` and ``evaluate`` search them (their tracking files and those of
    their sub-folders, companion files such as ``players.csv`` left out), and glob
    patterns (``week*.csv.gz``) expanded in sorted order. A file named twice (or
    through a symbolic or hard link) is kept once, at its first place, unless
    ``keep_repeats`` (the reader then counts the repeats).

    Raises :class:`~ghosting.errors.InputError` naming a source that does not exist,
    a pattern that matches nothing, or a folder without tracking files.
    """
    from ..model.data import tracking_files

    out: list[Path] = []
    seen: set[tuple[int, int]] = set()
    for source in sources:
        text = os.fspath(source)
        path = Path(text)
        if path.exists():
            matches = [path]
        elif _has_glob(text):
            matches = [Path(m) for m in sorted(glob.glob(text, recursive=True))]
            if not matches:
                raise InputError(f"{text}: the pattern matches no file")
        else:
            raise InputError(f"{text}: no such file or folder")
        for match in matches:
            if match.is_dir():
                try:
                    files = tracking_files([match])
                except InputError as exc:
                    raise InputError(f"{match}: a folder without tracking files") from exc
            elif match.is_file():
                files = [match]
            else:
                raise InputError(f"{match}: not a regular file or folder")
            for file in files:
                st = file.stat()
                key = (st.st_dev, st.st_ino)
                if keep_repeats or key not in seen:
                    seen.add(key)
                    out.append(file)
    if not out:
        raise InputError("no input files given")
    return out


def _real(path: InputPath) -> Path:
    return Path(os.path.realpath(os.fspath(path)))


def _inside(child: Path, folder: Path) -> bool:
    """``child`` is ``folder`` or lies somewhere below it (both resolved)."""
    return child == folder or folder in child.parents


def _same_file(a: InputPath, b: InputPath) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def check_outputs(
    inputs: Mapping[str, InputPath | Iterable[InputPath] | None],
    outputs: Mapping[str, InputPath | None],
    *,
    folders: Iterable[str] = (),
) -> None:
    """Refuse, before anything is written, outputs that would overwrite an input.

    ``inputs`` maps a label (``"INPUT"``, ``"--players"``, ...) to a path or paths
    (files or folders) the command reads; ``outputs`` a label (``"-o"``,
    ``"--json"``) to a path it writes (None: not written). Labels in ``folders``
    are output folders. Paths are compared after resolving symbolic links, and by
    device and inode (hard links). Refused, with an
    :class:`~ghosting.errors.InputError` naming both:

    - an output file that is an input file, or lies inside an input folder;
    - an output folder that is an input, lies inside an input folder, or contains
      an input (or a hard link to one);
    - two outputs at the same path.
    """
    folder_labels = set(folders)
    read: list[tuple[str, Path]] = []
    for label, value in inputs.items():
        if value is None:
            continue
        items = [value] if isinstance(value, (str, os.PathLike)) else list(value)
        read.extend((label, Path(os.fspath(p))) for p in items if p is not None)
    written = [(label, Path(os.fspath(p))) for label, p in outputs.items() if p is not None]
    inodes: dict[tuple[int, int], tuple[str, Path]] = {}
    for label, path in read:
        try:
            st = path.stat()
        except OSError:
            continue
        inodes.setdefault((st.st_dev, st.st_ino), (label, path))

    def refuse(out_label: str, out: Path, in_label: str, source: Path, how: str) -> None:
        raise InputError(
            f"{out_label} {out} {how} the input {in_label} {source}: writing there would "
            "overwrite an input; nothing was written (choose an output outside the inputs)"
        )

    for out_label, out in written:
        real_out = _real(out)
        is_folder = out_label in folder_labels
        for in_label, source in read:
            real_in = _real(source)
            if real_out == real_in or _same_file(out, source):
                refuse(out_label, out, in_label, source, "is")
            if source.is_dir() and _inside(real_out, real_in):
                refuse(out_label, out, in_label, source, "lies inside")
            if is_folder and _inside(real_in, real_out):
                refuse(out_label, out, in_label, source, "contains")
        if is_folder and out.is_dir():
            for entry in out.iterdir():  # hard links to an input inside the folder
                try:
                    st = entry.stat()
                except OSError:
                    continue
                hit = inodes.get((st.st_dev, st.st_ino))
                if hit is not None:
                    refuse(out_label, out, hit[0], hit[1], f"holds {entry.name}, a link to")
    for i, (label_a, a) in enumerate(written):
        for label_b, b in written[i + 1:]:
            if _real(a) == _real(b) or _same_file(a, b):
                raise InputError(f"{label_a} and {label_b} are the same path ({a}): give "
                                 "each output its own file")
            for (la, pa_), (lb, pb) in ((label_a, a), (label_b, b)), ((label_b, b), (label_a, a)):
                if la in folder_labels and _inside(_real(pb), _real(pa_)):
                    raise InputError(f"{lb} {pb} lies inside the output folder {la} {pa_}")

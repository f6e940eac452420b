"""Read, clean and assemble pass plays for training and evaluation.

``ghosting train`` and ``ghosting evaluate`` take tracking files or folders. A folder
contributes its tracking files (and, one level down, those of its sub-folders);
companion files beside a tracking file are used when present: ``players.csv``
(positions, needed by the 2019 layout), ``plays.csv[.gz]`` and ``games.csv``
(possession team), and ``targetedReciever.csv`` (the official 2021 targets) unless
``targets`` is given. Every source is read with :func:`ghosting.read_tracking`,
cleaned with the ``play`` policy (:func:`ghosting.clean`) and turned into pass plays
(:func:`ghosting.pass_plays`). A play seen in an earlier source is dropped from a
later one (the NGS highlights ship both as Parquet and as raw TSV).

>>> from ghosting.model.data import tracking_files
>>> tracking_files(["../shared/data/bdb2021"])   # doctest: +SKIP
[PosixPath('../shared/data/bdb2021/week13_game_2018120600.csv.gz')]
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..cleaning import clean
from ..errors import InputError
from ..io import read_targets, read_tracking
from ..plays import pass_plays
from ..schema import play_keys

__all__ = ["tracking_files", "load_sources", "Dataset"]

Dataset = tuple[str, pa.Table, pa.Table]

_COMPANIONS = re.compile(
    r"^(players|plays|games|targetedReciever|targetedReceiver|.*index.*|output_.*)\.",
    re.IGNORECASE,
)
_TRACKING_SUFFIXES = (".csv", ".csv.gz", ".tsv", ".tsv.gz", ".parquet")


def _is_tracking(path: Path) -> bool:
    name = path.name
    return (
        path.is_file()
        and name.lower().endswith(_TRACKING_SUFFIXES)
        and not _COMPANIONS.match(name)
    )


def tracking_files(sources: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """The tracking files named by ``sources`` (files, or folders searched two levels deep).

    Within a folder, raw per-play TSV files in a ``raw`` sub-folder are skipped when
    the folder itself holds a Parquet file (the NGS highlights layout).
    """
    out: list[Path] = []
    for src in sources:
        p = Path(src)
        if p.is_file():
            out.append(p)
        elif p.is_dir():
            own = sorted(f for f in p.iterdir() if _is_tracking(f))
            out.extend(own)
            has_parquet = any(f.suffix == ".parquet" for f in own)
            for sub in sorted(d for d in p.iterdir() if d.is_dir()):
                if sub.name == "raw" and has_parquet:
                    continue
                inner = sorted(f for f in sub.iterdir() if _is_tracking(f))
                if any(f.suffix == ".parquet" for f in inner):
                    inner = [f for f in inner if f.suffix == ".parquet"]
                out.extend(inner)
        else:
            raise InputError(f"{p}: no such file or folder")
    if not out:
        raise InputError(f"no tracking files found in {[str(s) for s in sources]}")
    return out


def _sibling(path: Path, *names: str) -> Path | None:
    for name in names:
        cand = path.parent / name
        if cand.is_file():
            return cand
    return None


def load_sources(
    sources: Sequence[str | os.PathLike[str]],
    *,
    targets: str | os.PathLike[str] | None = None,
    log: Callable[[str], Any] | None = None,
    cleaning: dict[str, Any] | None = None,
) -> list[Dataset]:
    """Read, clean (``play`` policy) and assemble pass plays of every tracking file.

    ``cleaning`` holds :func:`ghosting.clean`'s keywords (policy, field_tolerance,
    v_max, ...; default: its defaults with the ``play`` policy). Returns ``(name,
    cleaned tracking, pass plays)`` per file with at least one play.
    """

    say = log or (lambda msg: None)
    given_targets = read_targets(targets) if targets is not None else None
    seen = play_keys(np.zeros(0, np.int64), np.zeros(0, np.int64))  # plays already read
    out: list[Dataset] = []
    for path in tracking_files(sources):
        players = _sibling(path, "players.csv", "players.csv.gz")
        plays_file = _sibling(path, "plays.csv", "plays.csv.gz")
        games = _sibling(path, "games.csv", "games.csv.gz")
        tracking = read_tracking(path, players=players, plays=plays_file, games=games)
        tgt = given_targets
        if tgt is None:
            tfile = _sibling(path, "targetedReciever.csv", "targetedReceiver.csv")
            tgt = read_targets(tfile) if tfile is not None else None
        if tracking.num_rows == 0:
            continue
        key = play_keys(tracking.column("game_id").to_numpy(),
                        tracking.column("play_id").to_numpy())
        if seen.size:
            fresh = ~np.isin(key, seen)
            if not fresh.all():
                tracking = tracking.filter(pa.array(fresh))
        if tracking.num_rows == 0:
            say(f"{path}: every play already read from an earlier source")
            continue
        cleaned, report = clean(tracking, **(cleaning or {"policy": "play"}))
        plays = pass_plays(cleaned, targets=tgt)
        analysable = int(pc.sum(plays.column("analysable")).as_py() or 0)
        seen = np.union1d(seen, np.unique(key))
        say(f"{path.name}: {plays.num_rows} plays, {analysable} analysable pass plays")
        out.append((path.name, cleaned, plays))
    if not out:
        raise InputError(f"no tracking rows in {[str(s) for s in sources]}")
    return out

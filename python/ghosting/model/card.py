"""Reading and checking a model folder: the JSON card and the ONNX file it names.

Every card field the package uses is checked here (type, range, sane limits), so a
broken or hostile card is a :class:`~ghosting.ModelError`, never a ``ValueError``,
``AttributeError`` or ``MemoryError`` further on. The ONNX file must be a plain
regular file inside the model folder, at most :data:`MAX_ONNX_BYTES` long.

The card's ``onnx_sha256`` sits beside the file it describes: it catches corruption
(a truncated download, a damaged disk), not a deliberate replacement, since whoever
can replace the file can rewrite the card too. Pin the hash you trust with
``GhostModel.load(path, sha256=...)`` for that.

>>> from ghosting.model.card import check_sha256
>>> check_sha256("AB" * 32, "sha256")
'abababababababababababababababababababababababababababababababab'
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import ModelError

__all__ = [
    "MAX_CARD_BYTES",
    "MAX_ONNX_BYTES",
    "HISTORY_RANGE",
    "HORIZON_RANGE",
    "MAX_FEATURE_COLUMNS",
    "read_card",
    "read_model_file",
    "check_sha256",
    "open_model",
]

#: Largest card and ONNX file read (a card is a few kB, the shipped network ~1.2 MB).
MAX_CARD_BYTES = 16 * 1024 * 1024
MAX_ONNX_BYTES = 256 * 1024 * 1024
#: Accepted ``history`` (observed frames; windows need at least 3) and ``horizon``
#: (frames per tile) of a card, inclusive.
HISTORY_RANGE = (3, 100)
HORIZON_RANGE = (1, 200)
MAX_FEATURE_COLUMNS = 100_000

_REQUIRED = ("onnx_file", "onnx_sha256", "history", "horizon", "features")
_HEX = frozenset("0123456789abcdef")


def _read_regular(path: Path, limit: int, what: str, follow: bool = True) -> bytes:
    """The bytes of ``path``, which must be a regular file of at most ``limit`` bytes.

    Opened without blocking (a FIFO would wait for a writer forever) and checked on the
    open descriptor, so a device such as ``/dev/zero`` is refused before any read.
    ``follow=False`` refuses a symbolic link as the last component.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    if not follow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError as exc:
        raise ModelError(f"{what} {path} not found") from exc
    except OSError as exc:
        raise ModelError(f"{what} {path} cannot be read: {exc.strerror or exc}") from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ModelError(f"{what} {path} is not a regular file")
        if info.st_size > limit:
            raise ModelError(
                f"{what} {path} is {info.st_size} bytes, more than the limit of {limit}"
            )
        chunks = []
        left = limit + 1  # one byte more than allowed: a file that grew is caught
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as exc:
        raise ModelError(f"{what} {path} cannot be read: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)
    blob = b"".join(chunks)
    if len(blob) > limit:
        raise ModelError(f"{what} {path} is more than the limit of {limit} bytes")
    return blob


def check_sha256(value: Any, what: str) -> str:
    """``value`` as a lower-case sha256 hex digest; :class:`~ghosting.ModelError` unless it
    is a string of 64 hex digits."""
    if not isinstance(value, str) or len(value) != 64 or not set(value.lower()) <= _HEX:
        raise ModelError(f"{what} must be a sha256 digest (64 hex digits), got {_short(value)}")
    return value.lower()


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _int_in(card: dict, key: str, bounds: tuple[int, int], where: str) -> int:
    value = card[key]
    lo, hi = bounds
    if isinstance(value, bool) or not isinstance(value, int):
        raise ModelError(f"model card {where}: {key} must be an integer, got {_short(value)}")
    if not lo <= value <= hi:
        raise ModelError(f"model card {where}: {key} must be in [{lo}, {hi}], got {value}")
    return value


def _is_game_id(value: Any) -> bool:
    """An integer game id, or one written as a string of digits."""
    if isinstance(value, str):
        return value.strip().lstrip("-").isdigit() and value.isascii()
    return isinstance(value, int) and not isinstance(value, bool)


def _check_card(card: dict, where: str, ints: Mapping[str, tuple[int, int]] = {}) -> None:
    """Raise ModelError unless every field the package reads has the right type and range
    (``ints``: further required integer fields of a kind of model and their ranges)."""
    for key in (*_REQUIRED, *ints):
        if key not in card:
            raise ModelError(f"model card {where} lacks the key {key!r}")
    for key, bounds in ints.items():
        _int_in(card, key, bounds, where)
    if not isinstance(card["onnx_file"], str) or not card["onnx_file"]:
        raise ModelError(f"model card {where}: onnx_file must be a file name")
    check_sha256(card["onnx_sha256"], f"model card {where}: onnx_sha256")
    _int_in(card, "history", HISTORY_RANGE, where)
    _int_in(card, "horizon", HORIZON_RANGE, where)
    features = card["features"]
    if not isinstance(features, dict):
        raise ModelError(f"model card {where}: features must be an object with 'columns'")
    columns = features.get("columns")
    if not isinstance(columns, list) or not columns or not all(isinstance(c, str) for c in columns):
        raise ModelError(f"model card {where} lists no feature columns (features.columns)")
    if len(columns) > MAX_FEATURE_COLUMNS or len(set(columns)) != len(columns):
        raise ModelError(
            f"model card {where}: features.columns must be at most {MAX_FEATURE_COLUMNS} "
            "distinct names"
        )
    for key in ("name", "version"):
        if card.get(key) is not None and not isinstance(card[key], str):
            raise ModelError(f"model card {where}: {key} must be a string")
    caps = card.get("pursuit_caps", {})
    if not isinstance(caps, dict) or not all(
        not isinstance(v, bool) and isinstance(v, (int, float)) and math.isfinite(v) and v > 0
        for v in caps.values()
    ):
        raise ModelError(f"model card {where}: pursuit_caps must map names to numbers > 0")
    training = card.get("training", {})
    if not isinstance(training, dict):
        raise ModelError(f"model card {where}: training must be an object")
    split = training.get("split_by_game")
    if split is not None and not (
        isinstance(split, dict)
        and all(
            isinstance(games, list)
            and all(_is_game_id(g) for g in games)
            for games in split.values()
        )
    ):
        raise ModelError(
            f"model card {where}: training.split_by_game must map split names to game ids"
        )


def read_card(path: Path, ints: Mapping[str, tuple[int, int]] = {}) -> dict:
    """The checked card at ``path`` (a regular JSON file of at most MAX_CARD_BYTES);
    ``ints`` names further required integer fields and their inclusive ranges."""
    blob = _read_regular(path, MAX_CARD_BYTES, "model card")
    try:
        card = json.loads(blob.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"model card {path} is not valid JSON: {exc}") from exc
    except RecursionError as exc:
        raise ModelError(f"model card {path} is nested too deeply") from exc
    if not isinstance(card, dict):
        raise ModelError(f"model card {path} is not a JSON object")
    _check_card(card, str(path), ints)
    return card


def _onnx_path(directory: Path, name: str, where: str) -> Path:
    """The card's ``onnx_file`` as a path inside ``directory``; ModelError when it is
    absolute, climbs out with ``..``, or resolves (through links) outside the folder.
    The message never says what lies outside."""
    rel = Path(name)
    if "\x00" in name or rel.is_absolute() or rel.drive or ".." in rel.parts:
        raise ModelError(
            f"model card {where}: onnx_file {_short(name)} must name a file inside the model folder"
        )
    folder = directory.resolve()
    target = (directory / rel).resolve()
    if target == folder or folder not in target.parents:
        raise ModelError(
            f"model card {where}: onnx_file {_short(name)} leads outside the model folder"
        )
    return target


def read_model_file(
    directory: Path, card: dict, card_path: Path, sha256: str | None = None
) -> tuple[Path, bytes]:
    """The path and bytes of the card's ONNX file, checked against the card's sha256, and
    against ``sha256`` (a digest the user pinned) when given."""
    where = str(card_path)
    pinned = None if sha256 is None else check_sha256(sha256, "the pinned sha256")
    onnx_path = _onnx_path(directory, card["onnx_file"], where)
    shown = directory / card["onnx_file"]
    # resolved already: a link in its place now was put there since, so refuse it
    blob = _read_regular(onnx_path, MAX_ONNX_BYTES, "model file", follow=False)
    digest = hashlib.sha256(blob).hexdigest()
    if digest != card["onnx_sha256"].lower():
        raise ModelError(
            f"model file {shown} does not match its card (sha256 {digest[:12]}..., "
            f"card says {card['onnx_sha256'][:12]}...): corrupt or replaced"
        )
    if pinned is not None and digest != pinned:
        raise ModelError(
            f"model file {shown} has sha256 {digest[:12]}..., not the pinned "
            f"{pinned[:12]}...: a different model"
        )
    return shown, blob


def open_model(
    path: str | os.PathLike[str] | None,
    default_dir: Path,
    sha256: str | None = None,
    *,
    ints: Mapping[str, tuple[int, int]] = {},
) -> tuple[dict, Path, Any]:
    """Read and check a model folder; ``(card, directory, onnxruntime session)``.

    ``path`` is a model directory (``card.json`` and the ONNX file it names), the card
    file, or the ONNX file (its card sits beside it); None means ``default_dir``. The
    ONNX bytes are read once, checked against the card's sha256 (and against
    ``sha256`` when given) and only then handed to onnxruntime (one intra-op thread,
    sequential execution: deterministic and safe to share between threads).
    ``ints`` names further required integer card fields (see :func:`read_card`).
    """
    import onnxruntime as ort

    p = default_dir if path is None else Path(path)
    if p.suffix == ".onnx":  # the network file itself: its card sits beside it
        p = p.parent
    card_path = p if p.suffix == ".json" else p / "card.json"
    directory = card_path.parent
    card = read_card(card_path, ints)
    onnx_path, blob = read_model_file(directory, card, card_path, sha256)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.log_severity_level = 3
    try:
        session = ort.InferenceSession(blob, sess_options=opts, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own types
        raise ModelError(f"model file {onnx_path} is not a loadable ONNX model: {exc}") from exc
    return card, directory, session

"""ONNX inference of the ghosting model (runtime: numpy, pyarrow, onnxruntime).

>>> import ghosting
>>> tracking = ghosting.synth.generate_plays(2, seed=0)
>>> model = ghosting.GhostModel.load()          # the default model shipped in the package
>>> model.horizon, model.history
(20, 5)
>>> ghosts = model.predict(tracking, ghosting.pass_plays(tracking).to_pylist()[0])
>>> ghosts.num_rows > 0
True
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InputError, ModelError, PlayError
from ..flights import FlightTable
from .card import open_model
from .features import GhostInputs, cut_ghost_inputs, feature_names, rollout

__all__ = ["GhostModel", "PlayGhosts", "DEFAULT_MODEL_DIR", "PREDICTION_SCHEMA"]

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "default"

#: Columns of every table ``predict`` and ``what_if`` return (and
#: ``PlayGhosts.to_table()``, what ``predict_plays`` gives as arrays).
PREDICTION_SCHEMA = pa.schema(
    [
        ("game_id", pa.int64()),
        ("play_id", pa.int64()),
        ("nfl_id", pa.int64()),
        ("target_nfl_id", pa.int64()),
        ("frame_id", pa.int32()),
        ("x", pa.float64()),
        ("y", pa.float64()),
        ("sigma", pa.float64()),
    ]
)


@dataclass
class PlayGhosts:
    """Ghost trajectories of many plays as flat arrays (what :meth:`GhostModel.predict_plays`
    returns): trajectory ``i`` is one defender ghosted for one target, its frames
    ``offsets[i]:offsets[i + 1]`` of ``frame_id``, ``xy`` and ``sigma``, from pass
    forward (the real position, sigma 0) to arrival, in frame order.

    :meth:`to_table` gives the long table of :data:`PREDICTION_SCHEMA` (the rows
    ``predict`` and ``what_if`` return).

    >>> import ghosting
    >>> tracking = ghosting.synth.generate_plays(2, seed=0)
    >>> plays = ghosting.pass_plays(tracking)
    >>> ghosts = ghosting.GhostModel.load().predict_plays(tracking, plays, what_if=True)
    >>> int(ghosts.offsets[-1]) == ghosts.to_table().num_rows == len(ghosts.frame_id)
    True
    """

    game_id: np.ndarray  # (N,) int64, per trajectory
    play_id: np.ndarray  # (N,) int64
    nfl_id: np.ndarray  # (N,) int64, the defender
    target_nfl_id: np.ndarray  # (N,) int64, the receiver the ball goes to
    offsets: np.ndarray  # (N + 1,) int64, into the frames
    frame_id: np.ndarray  # (M,) int32
    xy: np.ndarray  # (M, 2) float64
    sigma: np.ndarray  # (M,) float64, NaN where the model gives none

    def __len__(self) -> int:
        return int(self.game_id.shape[0])

    @classmethod
    def empty(cls) -> PlayGhosts:
        """No trajectories."""
        z = np.zeros(0, np.int64)
        return cls(z, z, z, z, np.zeros(1, np.int64), np.zeros(0, np.int32),
                   np.zeros((0, 2)), np.zeros(0))  # fmt: skip

    @classmethod
    def from_windows(cls, w: GhostInputs, pos: np.ndarray, sigma: np.ndarray) -> PlayGhosts:
        """The predicted windows ``w`` (positions ``pos``, ``sigma`` for frames 1..T),
        with t = 0 (the real position at pass forward) first."""
        n = len(w)
        if n == 0:
            return cls.empty()
        frames = np.arange(pos.shape[1] + 1)
        valid = frames[None, :] <= w.flight_frames[:, None]
        xy = np.concatenate([w.defender[:, w.lead : w.lead + 1], pos], axis=1)
        sig = np.concatenate([np.zeros((n, 1)), sigma], axis=1)
        offsets = np.zeros(n + 1, np.int64)
        np.cumsum(valid.sum(1), out=offsets[1:])
        return cls(
            game_id=np.asarray(w.game_id, np.int64),
            play_id=np.asarray(w.play_id, np.int64),
            nfl_id=np.asarray(w.nfl_id, np.int64),
            target_nfl_id=np.asarray(w.target_nfl_id, np.int64),
            offsets=offsets,
            frame_id=(w.pass_forward_frame[:, None] + frames[None, :])[valid].astype(np.int32),
            xy=np.column_stack([xy[..., 0][valid], xy[..., 1][valid]]),
            sigma=sig[valid].astype(np.float64, copy=False),
        )

    @classmethod
    def from_table(cls, table: pa.Table, source: str = "model") -> PlayGhosts:
        """A :data:`PREDICTION_SCHEMA` table (as a model of one's own may return from
        ``predict_plays``): its rows sorted by (game, play, target, defender, frame),
        each run of (game, play, target, defender) one trajectory. A null id raises
        :class:`~ghosting.errors.ModelError` naming ``source``."""
        missing = [c for c in PREDICTION_SCHEMA.names if c not in table.column_names]
        if missing:
            raise ModelError(f"{source}.predict_plays returned no column(s) {', '.join(missing)}")
        table = table.select(PREDICTION_SCHEMA.names).cast(PREDICTION_SCHEMA)
        ids = ("game_id", "play_id", "nfl_id", "target_nfl_id", "frame_id")
        nulls = [c for c in ids if table[c].null_count]
        if nulls:
            raise ModelError(f"{source}.predict_plays returned null {', '.join(nulls)}")
        table = table.sort_by([(c, "ascending") for c in
                               ("game_id", "play_id", "target_nfl_id", "nfl_id", "frame_id")])
        cols = {c: table[c].to_numpy() for c in PREDICTION_SCHEMA.names}
        keys = [cols[c] for c in ("game_id", "play_id", "target_nfl_id", "nfl_id")]
        n = table.num_rows
        change = np.zeros(n, dtype=bool)
        if n:
            change[0] = True
            for key in keys:
                change[1:] |= key[1:] != key[:-1]
        starts = np.flatnonzero(change)
        return cls(
            game_id=cols["game_id"][starts].astype(np.int64),
            play_id=cols["play_id"][starts].astype(np.int64),
            nfl_id=cols["nfl_id"][starts].astype(np.int64),
            target_nfl_id=cols["target_nfl_id"][starts].astype(np.int64),
            offsets=np.append(starts, n).astype(np.int64),
            frame_id=cols["frame_id"].astype(np.int32),
            xy=np.column_stack([cols["x"], cols["y"]]).astype(np.float64),
            sigma=cols["sigma"].astype(np.float64),
        )

    def lengths(self) -> np.ndarray:
        """Frames per trajectory."""
        return np.diff(self.offsets)

    def take(self, index: np.ndarray) -> PlayGhosts:
        """The trajectories ``index`` (integer indices or a boolean mask), in that order."""
        index = np.flatnonzero(index) if np.asarray(index).dtype == bool else np.asarray(
            index, np.int64)  # fmt: skip
        lengths = self.lengths()[index]
        offsets = np.zeros(len(index) + 1, np.int64)
        np.cumsum(lengths, out=offsets[1:])
        rows = (np.repeat(self.offsets[:-1][index] - offsets[:-1], lengths)
                + np.arange(offsets[-1]))  # fmt: skip
        return PlayGhosts(
            self.game_id[index], self.play_id[index], self.nfl_id[index],
            self.target_nfl_id[index], offsets, self.frame_id[rows], self.xy[rows],
            self.sigma[rows],
        )  # fmt: skip

    def to_table(self) -> pa.Table:
        """The long table (:data:`PREDICTION_SCHEMA`): one row per trajectory frame."""
        lengths = self.lengths()

        def per(a: np.ndarray) -> np.ndarray:
            return np.repeat(a, lengths)

        return pa.table(
            {
                "game_id": per(self.game_id),
                "play_id": per(self.play_id),
                "nfl_id": per(self.nfl_id),
                "target_nfl_id": per(self.target_nfl_id),
                "frame_id": self.frame_id.astype(np.int32, copy=False),
                "x": np.ascontiguousarray(self.xy[:, 0]),
                "y": np.ascontiguousarray(self.xy[:, 1]),
                "sigma": self.sigma,
            },
            schema=PREDICTION_SCHEMA,
        )


class GhostModel:
    """A loaded ghost-mode model: an ONNX network plus its card.

    Use :meth:`load`; then :meth:`predict`, :meth:`what_if` or :meth:`predict_plays`.
    Inference is batched over defenders and plays, deterministic (one intra-op thread,
    fixed graph) and safe to call from several threads at once.
    """

    def __init__(self, session: Any, card: dict, directory: Path) -> None:
        self._session = session
        self._card = card
        self.directory = directory
        names = feature_names(self.history, self.horizon)
        position = {n: i for i, n in enumerate(names)}
        cols = card["features"]["columns"]  # checked by read_card
        missing = [c for c in cols if c not in position]
        if missing:
            raise ModelError(
                f"model card in {directory} names feature columns this version of ghosting "
                f"does not build: {missing[:5]}"
            )
        self._columns = np.array([position[c] for c in cols], dtype=np.int64)
        inputs = {i.name: i.shape for i in session.get_inputs()}
        if set(inputs) != {"features", "velocity"} or inputs["features"][1] != len(cols):
            raise ModelError(
                f"ONNX model in {directory} does not match its card: inputs {inputs}, "
                f"card lists {len(cols)} feature columns"
            )

    # -- loading -------------------------------------------------------------------
    @classmethod
    def load(
        cls, path: str | os.PathLike[str] | None = None, *, sha256: str | None = None
    ) -> GhostModel:
        """Load the default model shipped with the package, or the one in ``path``.

        ``path`` is a model directory (``card.json`` + the ONNX file it names), or the
        card file itself. Every card field used is checked; the ONNX file must be a
        regular file inside the model folder (at most 256 MiB) whose sha256 equals the
        card's. The card's hash catches corruption only (it sits beside the file): pass
        ``sha256``, the ONNX file's digest as you trust it, to refuse any other model.
        A missing, corrupt, mismatched or out-of-folder file, or a bad card, raises
        :class:`~ghosting.ModelError`.

        >>> import ghosting
        >>> model = ghosting.GhostModel.load()
        >>> model.history >= 3
        True
        >>> ghosting.GhostModel.load(sha256=model.sha256).sha256 == model.sha256
        True
        """
        card, directory, session = open_model(path, DEFAULT_MODEL_DIR, sha256)
        return cls(session, card, directory)

    def __repr__(self) -> str:
        return (
            f"GhostModel(history={self.history}, horizon={self.horizon}, "
            f"sha256={self.sha256[:12]}..., directory={str(self.directory)!r})"
        )

    # -- properties ----------------------------------------------------------------
    @property
    def card(self) -> dict:
        """The model card (a copy): inputs, features, training data, licence, metrics."""
        return json.loads(json.dumps(self._card))

    @property
    def horizon(self) -> int:
        """Frames predicted per tile; longer flights are rolled out tile by tile."""
        return int(self._card["horizon"])

    @property
    def history(self) -> int:
        """Observed frames k of the defender up to and including pass forward."""
        return int(self._card["history"])

    @property
    def sha256(self) -> str:
        """The ONNX file's sha256 (as checked against the card)."""
        return str(self._card["onnx_sha256"]).lower()

    # -- low level -----------------------------------------------------------------
    def _run(self, features: np.ndarray, velocity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if features.shape[0] == 0:
            return np.zeros((0, self.horizon, 2)), np.zeros((0, self.horizon))
        pos, sigma = self._session.run(
            None,
            {
                "features": np.ascontiguousarray(features, dtype=np.float32),
                "velocity": np.ascontiguousarray(velocity, dtype=np.float32),
            },
        )
        return pos.astype(np.float64), sigma.astype(np.float64)

    def predict_windows(
        self, windows: GhostInputs, defender_history: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Positions (N, Tmax, 2) and sigma (N, Tmax) for frames 1..T of each window.

        ``defender_history`` (N, k, 2) replaces the observed history (what-if inputs).
        """
        if windows.history != self.history:
            raise InputError(
                f"windows were cut with history {windows.history}, the model needs {self.history}"
            )
        if len(windows) == 0:
            return np.zeros((0, 0, 2)), np.zeros((0, 0))
        return rollout(self._run, windows, self.horizon, self._columns, defender_history)

    # -- public API ----------------------------------------------------------------
    def predict(
        self,
        tracking: pa.Table,
        play: Mapping[str, Any] | tuple[int, int],
        target: int | None = None,
        *,
        defenders: str = "backs",
    ) -> pa.Table:
        """Ghost the play's defensive backs for the real target, or for ``target``.

        ``play`` is a row of :func:`ghosting.pass_plays` (a dict) or a
        ``(game_id, play_id)`` pair. Returns one row per defender and frame from pass
        forward (the real position, sigma 0) to arrival (see :data:`PREDICTION_SCHEMA`);
        empty when the play has no defender to ghost. For a ``target`` other than the
        real one the landing point is that receiver's position at arrival; a target
        that is not an eligible receiver of the play raises :class:`~ghosting.PlayError`.
        ``defenders="all"`` ghosts every defender instead of the defensive backs.

        >>> import ghosting
        >>> tracking = ghosting.synth.generate_plays(1, seed=0)
        >>> model = ghosting.GhostModel.load()
        >>> ghosts = model.predict(tracking, ghosting.pass_plays(tracking).to_pylist()[0])
        >>> ghosts.column_names
        ['game_id', 'play_id', 'nfl_id', 'target_nfl_id', 'frame_id', 'x', 'y', 'sigma']
        """
        row = self._resolve(tracking, play)
        if target is not None:
            target = int(target)
            if target != int(row["targeted_receiver"]):
                known = {int(v) for v in (row.get("eligible_receivers") or [])}
                if known and target not in known:
                    raise PlayError(
                        f"play {row['game_id']}:{row['play_id']}: {target} is not an "
                        f"eligible receiver ({sorted(known)})"
                    )
                if not known and not _has_player(_play_rows(tracking, row), target):
                    raise PlayError(
                        f"play {row['game_id']}:{row['play_id']}: {target} is not in the "
                        "tracking table"
                    )
                row = dict(row, targeted_receiver=target, ball_land_x=None, ball_land_y=None)
        return self._predict_rows(_play_rows(tracking, row), [row], "real", defenders)

    def what_if(
        self,
        tracking: pa.Table,
        play: Mapping[str, Any] | tuple[int, int],
        *,
        defenders: str = "backs",
    ) -> pa.Table:
        """Ghost the play's defensive backs once for every eligible receiver as the target.

        For the real target the ball's real landing point is used; for any other
        receiver the landing point is that receiver's position at arrival.

        >>> import ghosting
        >>> tracking = ghosting.synth.generate_plays(1, seed=0)
        >>> play = ghosting.pass_plays(tracking).to_pylist()[0]
        >>> options = ghosting.GhostModel.load().what_if(tracking, play)
        >>> set(options["target_nfl_id"].to_pylist()) == set(play["eligible_receivers"])
        True
        """
        row = self._resolve(tracking, play)
        return self._predict_rows(_play_rows(tracking, row), [row], "all", defenders)

    def predict_plays(
        self,
        tracking: pa.Table,
        plays: pa.Table | Sequence[Mapping[str, Any]],
        what_if: bool = False,
        *,
        defenders: str = "backs",
        flight_table: FlightTable | None = None,
    ) -> PlayGhosts:
        """Ghost many plays at once (one batched roll-out); rows not analysable are skipped.

        ``plays`` is a :func:`ghosting.pass_plays` table or its rows. ``what_if=True``
        ghosts every eligible receiver as the target (as :meth:`what_if` does);
        ``defenders="all"`` ghosts every defender instead of the defensive backs.
        Returns :class:`PlayGhosts`, flat arrays with offsets per trajectory;
        ``.to_table()`` gives the rows :meth:`predict` and :meth:`what_if` return.
        ``flight_table`` is ``ghosting.flights.FlightTable.of(tracking)`` when the
        caller already has it.

        >>> import ghosting
        >>> tracking = ghosting.synth.generate_plays(3, seed=0)
        >>> plays = ghosting.pass_plays(tracking)
        >>> ghosts = ghosting.GhostModel.load().predict_plays(tracking, plays, what_if=True)
        >>> sorted(set(ghosts.play_id.tolist())) == sorted(plays["play_id"].to_pylist())
        True
        """
        chosen: pa.Table | list[dict]
        if isinstance(plays, pa.Table):  # the plays chosen as columns, not row by row
            keep = _ghosted(plays)
            chosen = plays.filter(pa.array(keep)) if keep.any() else []
        else:
            chosen = [
                r for r in (dict(r) for r in plays)
                if r.get("analysable", True) and r.get("targeted_receiver") is not None
            ]
        return self._predict_arrays(tracking, chosen, "all" if what_if else "real", defenders,
                                    flight_table)

    # -- helpers ---------------------------------------------------------------------
    def _resolve(self, tracking: pa.Table, play: Mapping[str, Any] | tuple[int, int]) -> dict:
        if isinstance(play, Mapping):
            row = dict(play)
        elif isinstance(play, Iterable) and not isinstance(play, (str, bytes)):
            ids = list(play)
            if len(ids) != 2:
                raise InputError(
                    f"play must be a pass_plays row or (game_id, play_id), got {play!r}"
                )
            game_id, play_id = int(ids[0]), int(ids[1])
            mask = pc.and_(
                pc.equal(tracking.column("game_id"), game_id),
                pc.equal(tracking.column("play_id"), play_id),
            )
            sub = tracking.filter(mask)
            if sub.num_rows == 0:
                raise PlayError(f"play {game_id}:{play_id} is not in the tracking table")
            from ..plays import pass_plays

            found = pass_plays(sub).to_pylist()
            if not found:
                raise PlayError(f"play {game_id}:{play_id}: no pass play found")
            row = found[0]
        else:
            raise InputError(f"play must be a pass_plays row or (game_id, play_id), got {play!r}")
        for key in ("game_id", "play_id"):
            if key not in row:
                raise InputError(f"play row lacks {key!r}")
        if row.get("analysable") is False or row.get("targeted_receiver") is None:
            raise PlayError(
                f"play {row['game_id']}:{row['play_id']} cannot be ghosted: "
                f"{row.get('reason') or 'no targeted receiver'}"
            )
        for key in ("pass_forward_frame", "arrival_frame"):
            if row.get(key) is None:
                raise PlayError(f"play {row['game_id']}:{row['play_id']} has no {key}")
        return row

    def _predict_rows(
        self, tracking: pa.Table, rows: list[dict], targets: str, defenders: str
    ) -> pa.Table:
        w = cut_ghost_inputs(
            tracking, rows, history=self.history, defenders=defenders, targets=targets
        )
        if len(w) == 0:
            return PREDICTION_SCHEMA.empty_table()
        pos, sigma = self.predict_windows(w)
        return windows_table(w, pos, sigma)

    def _predict_arrays(
        self, tracking: pa.Table, rows: pa.Table | list[dict], targets: str, defenders: str,
        flight_table: FlightTable | None = None,
    ) -> PlayGhosts:
        w = cut_ghost_inputs(
            tracking, rows, history=self.history, defenders=defenders, targets=targets,
            flight_table=flight_table,
        )
        if len(w) == 0:
            return PlayGhosts.empty()
        pos, sigma = self.predict_windows(w)
        return PlayGhosts.from_windows(w, pos, sigma)


def _ghosted(plays: pa.Table) -> np.ndarray:
    """The plays of a ``pass_plays`` table :meth:`GhostModel.predict_plays` ghosts: those
    analysable (every play when the column is missing; not a null) with a target."""
    n = plays.num_rows
    if "targeted_receiver" not in plays.column_names:
        return np.zeros(n, dtype=bool)
    keep = np.asarray(plays["targeted_receiver"].is_valid(), dtype=bool)
    if "analysable" in plays.column_names:
        keep &= np.asarray(pc.fill_null(plays["analysable"].cast(pa.bool_()), False), dtype=bool)
    return keep


def _play_rows(tracking: pa.Table, row: Mapping[str, Any]) -> pa.Table:
    """The play's rows: windows are then cut from them, not from the whole table
    (converting every column of a season-sized table took 0.3 s per play)."""
    for name in ("game_id", "play_id", "nfl_id"):
        if name not in tracking.column_names:
            raise InputError(f"tracking table has no column {name!r}")
    mask = pc.and_(
        pc.equal(tracking.column("game_id"), int(row["game_id"])),
        pc.equal(tracking.column("play_id"), int(row["play_id"])),
    )
    return tracking.filter(mask)


def _has_player(play_tracking: pa.Table, nfl_id: int) -> bool:
    """True when ``nfl_id`` has a row in the play's tracking."""
    return bool(pc.any(pc.equal(play_tracking.column("nfl_id"), nfl_id)).as_py())


def windows_table(w: GhostInputs, pos: np.ndarray, sigma: np.ndarray) -> pa.Table:
    """Long table (:data:`PREDICTION_SCHEMA`) of predicted windows, t = 0 included."""
    n = len(w)
    t_max = pos.shape[1]
    frames = np.arange(t_max + 1)
    valid = frames[None, :] <= w.flight_frames[:, None]
    xy = np.concatenate([w.defender[:, w.lead : w.lead + 1], pos], axis=1)
    sig = np.concatenate([np.zeros((n, 1)), sigma], axis=1)
    rep = valid.sum(1)

    def per(a: np.ndarray) -> np.ndarray:
        return np.repeat(a, rep)

    return pa.table(
        {
            "game_id": per(w.game_id),
            "play_id": per(w.play_id),
            "nfl_id": per(w.nfl_id),
            "target_nfl_id": per(w.target_nfl_id),
            "frame_id": (w.pass_forward_frame[:, None] + frames[None, :])[valid].astype(np.int32),
            "x": xy[..., 0][valid],
            "y": xy[..., 1][valid],
            "sigma": sig[valid],
        },
        schema=PREDICTION_SCHEMA,
    )

"""ONNX inference of the forecast model (runtime: numpy, pyarrow, onnxruntime).

>>> import ghosting
>>> tracking = ghosting.synth.generate_plays(2, seed=0)
>>> model = ghosting.ForecastModel.load()      # the default model shipped in the package
>>> table = model.predict(tracking, ghosting.pass_plays(tracking))
>>> table.column_names
['game_id', 'play_id', 'nfl_id', 'frame_id', 'x', 'y']
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from ..errors import InputError, ModelError
from ..model.card import HISTORY_RANGE, HORIZON_RANGE, open_model
from ..model.ghost import GhostModel
from ..model.ghost_inputs import cut_ghost_inputs
from ..plays import pass_plays
from .data import COVERAGE_RADIUS, PlayTokens, feature_names, play_tokens, token_count
from .predict import forecast_positions

__all__ = ["ForecastModel", "DEFAULT_FORECAST_DIR", "FORECAST_SCHEMA", "DEFENDER_METHODS",
           "ghost_on_route"]

DEFAULT_FORECAST_DIR = Path(__file__).resolve().parent / "default"

#: Columns of the table :meth:`ForecastModel.predict` returns.
FORECAST_SCHEMA = pa.schema(
    [
        ("game_id", pa.int64()),
        ("play_id", pa.int64()),
        ("nfl_id", pa.int64()),
        ("frame_id", pa.int32()),
        ("x", pa.float64()),
        ("y", pa.float64()),
    ]
)

#: Integer card fields of a forecast model beyond a ghost model's, with their ranges.
_CARD_INTS = {"max_frames": HORIZON_RANGE, "tokens": (2, 64)}


#: How the defenders are forecast (card field ``defenders``): by the network itself, or
#: by the ghost-mode model rolled out along the network's forecast of the target.
DEFENDER_METHODS = ("network", "ghost_on_forecast_route")


class ForecastModel:
    """A loaded forecast-mode model: an ONNX network across the players of a play, and
    its card. Use :meth:`load`, then :meth:`predict`. Inference is batched over plays,
    deterministic and safe to share between threads.

    The network forecasts every player. With the card's ``defenders`` set to
    ``"ghost_on_forecast_route"`` (the shipped model: better on the validation games,
    docs/forecast.md) the defenders come from the ghost-mode model instead, given the
    network's forecast of the targeted receiver as his route (and the real landing
    point): still only what is known at the throw.
    """

    def __init__(self, session: Any, card: dict, directory: Path,
                 ghost: GhostModel | None = None) -> None:  # fmt: skip
        self._session = session
        self._card = card
        self.directory = directory
        method = card.get("defenders", "network")
        if method not in DEFENDER_METHODS:
            raise ModelError(f"model card in {directory}: defenders must be one of "
                             f"{', '.join(DEFENDER_METHODS)}, got {method!r}")  # fmt: skip
        self.ghost = ghost if method == "ghost_on_forecast_route" else None
        if method == "ghost_on_forecast_route" and ghost is None:
            raise ModelError(f"model card in {directory} forecasts defenders with a ghost "
                             "model, and none was given")  # fmt: skip
        if not HISTORY_RANGE[0] <= self.history <= HISTORY_RANGE[1]:  # checked by read_card
            raise ModelError(f"model card in {directory}: bad history {self.history}")
        expected = feature_names(self.history)
        if card["features"]["columns"] != expected:
            raise ModelError(
                f"model card in {directory} lists feature columns this version of ghosting "
                f"does not build for forecast mode (expected {len(expected)} columns "
                f"{expected[0]} ... {expected[-1]})"
            )
        tokens = token_count(self.receivers)
        if int(card["tokens"]) != tokens:
            raise ModelError(f"model card in {directory}: tokens must be {tokens}, "
                             f"got {card['tokens']}")  # fmt: skip
        inputs = {i.name: i.shape for i in session.get_inputs()}
        outputs = [o.name for o in session.get_outputs()]
        if (
            set(inputs) != {"tokens", "velocity", "mask"}
            or list(inputs["tokens"][1:]) != [tokens, len(expected)]
            or outputs != ["displacement", "sigma"]
        ):
            raise ModelError(
                f"ONNX model in {directory} does not match its forecast card: inputs "
                f"{inputs}, outputs {outputs}"
            )

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        sha256: str | None = None,
        ghost: GhostModel | None = None,
    ) -> ForecastModel:
        """Load the default forecast model shipped with the package, or the one in ``path``.

        ``path`` is a model directory (``card.json`` and the ONNX file it names), the
        card file or the ONNX file. The card is checked like a ghost model's
        (:mod:`ghosting.model.card`), plus ``max_frames`` and ``tokens``; the ONNX file's
        sha256 must equal the card's, and ``sha256`` when given (pin the digest you
        trust). Anything wrong raises :class:`~ghosting.ModelError`. A card whose
        defenders come from the ghost model uses ``ghost``, by default the shipped
        ghost model, whose sha256 must then be the one the card names
        (``ghost_model_sha256``).

        >>> import ghosting
        >>> model = ghosting.ForecastModel.load()
        >>> ghosting.ForecastModel.load(sha256=model.sha256).history == model.history
        True
        """
        card, directory, session = open_model(path, DEFAULT_FORECAST_DIR, sha256,
                                              ints=_CARD_INTS)  # fmt: skip
        if card.get("defenders") == "ghost_on_forecast_route" and ghost is None:
            pinned = card.get("ghost_model_sha256")
            ghost = GhostModel.load(sha256=None if pinned is None else str(pinned))
        return cls(session, card, directory, ghost)

    def __repr__(self) -> str:
        return (f"ForecastModel(history={self.history}, max_frames={self.max_frames}, "
                f"sha256={self.sha256[:12]}..., directory={str(self.directory)!r})")  # fmt: skip

    @property
    def card(self) -> dict:
        """The model card (a copy)."""
        return json.loads(json.dumps(self._card))

    @property
    def history(self) -> int:
        """Observed frames of every player up to and including pass forward."""
        return int(self._card["history"])

    @property
    def max_frames(self) -> int:
        """Frames the network predicts; longer flights continue at the last velocity."""
        return int(self._card["max_frames"])

    @property
    def sha256(self) -> str:
        """The ONNX file's sha256 (as checked against the card)."""
        return str(self._card["onnx_sha256"]).lower()

    @property
    def coverage_radius(self) -> float:
        """Yards around the receiver-to-landing-point segment that put a defender in
        coverage (the card's training configuration)."""
        value = self._card.get("training", {}).get("config", {}).get("coverage_radius")
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return float(value) if ok and 0 < value < 60 else COVERAGE_RADIUS

    @property
    def receivers(self) -> bool:
        """Whether the other eligible receivers are tokens (the card's configuration)."""
        return self._card.get("training", {}).get("config", {}).get("receivers") is True

    def _run(
        self, tokens: np.ndarray, velocity: np.ndarray, mask: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        disp, sigma = self._session.run(
            None,
            {
                "tokens": np.ascontiguousarray(tokens, dtype=np.float32),
                "velocity": np.ascontiguousarray(velocity, dtype=np.float32),
                "mask": np.ascontiguousarray(mask, dtype=np.float32),
            },
        )
        return disp.astype(np.float64), sigma.astype(np.float64)

    def tokens(self, tracking: pa.Table, plays: pa.Table | Sequence[Mapping[str, Any]]
               ) -> PlayTokens:  # fmt: skip
        """The plays cut into player tokens with this model's history and coverage."""
        rows = plays.to_pylist() if isinstance(plays, pa.Table) else [dict(r) for r in plays]
        return play_tokens(tracking, rows, history=self.history,
                           coverage_radius=self.coverage_radius, receivers=self.receivers)

    def predict_tokens(self, tokens: PlayTokens) -> tuple[np.ndarray, np.ndarray]:
        """The network's positions ``(P, K, Tmax, 2)`` and sigma ``(P, K, Tmax)`` of
        frames 1..T for every token (the defenders as the network itself forecasts them)."""
        if tokens.history != self.history:
            raise InputError(f"tokens were cut with history {tokens.history}, the model "
                             f"needs {self.history}")  # fmt: skip
        return forecast_positions(self._run, tokens, self.max_frames)

    def forecast(
        self, tracking: pa.Table, plays: pa.Table | Sequence[Mapping[str, Any]]
    ) -> tuple[PlayTokens, np.ndarray]:
        """The plays' tokens and the forecast positions ``(P, K, Tmax, 2)`` as
        :meth:`predict` gives them (the defenders from the ghost model when the card says
        so; a defender the ghost model cannot take keeps the network's forecast)."""
        rows = plays.to_pylist() if isinstance(plays, pa.Table) else [dict(r) for r in plays]
        t = self.tokens(tracking, rows)
        if len(t) == 0:
            return t, np.zeros(t.future.shape)
        pos, _sigma = self.predict_tokens(t)
        if self.ghost is not None:
            ghosted = ghost_on_route(self.ghost, tracking, rows, t, pos[:, 0])
            use = np.isfinite(ghosted).all(-1).any(-1) & t.is_defense
            pos = np.where(use[:, :, None, None], ghosted, pos)
        return t, pos

    def predict(
        self,
        tracking: pa.Table,
        plays: pa.Table | Sequence[Mapping[str, Any]] | None = None,
        *,
        players: str = "scored",
    ) -> pa.Table:
        """Forecast the targeted receiver and the defenders in coverage of every pass play.

        ``tracking`` is a canonical tracking table (direction-normalised, as
        :func:`ghosting.read_tracking` returns it); ``plays`` its
        :func:`ghosting.pass_plays` table or rows (default: computed). Plays without a
        targeted receiver, pass window or defender are skipped. ``players="all"``
        forecasts every defender, not only those in coverage. Returns one row per
        player and frame from pass forward + 1 to arrival (:data:`FORECAST_SCHEMA`),
        in the normalised coordinates of ``tracking``.
        """
        if players not in ("scored", "all"):
            raise InputError(f"players must be 'scored' or 'all', got {players!r}")
        if plays is None:
            plays = pass_plays(tracking)
        t, pos = self.forecast(tracking, plays)
        if len(t) == 0:
            return FORECAST_SCHEMA.empty_table()
        keep = t.scored if players == "scored" else (t.is_target | t.is_defense)
        return forecast_table(t, pos, keep)


def ghost_on_route(
    ghost: GhostModel,
    tracking: pa.Table,
    rows: list[dict],
    t: PlayTokens,
    route: np.ndarray | None,
) -> np.ndarray:
    """Ghost-mode positions (P, K, Tmax, 2) of the defender tokens of ``t`` (the plays
    ``rows`` of ``tracking``), NaN elsewhere. ``route`` (P, Tmax, 2) replaces the
    targeted receiver's path after pass forward (a forecast of it); None keeps his real
    route (ghost mode proper). The windows are ghost mode's own
    (:func:`~ghosting.model.ghost_inputs.cut_ghost_inputs`, every defender, the real target)."""
    out: np.ndarray = np.full(t.future.shape, np.nan)
    t_max = int(t.future.shape[2])
    w = cut_ghost_inputs(tracking, rows, history=ghost.history, defenders="all")
    if len(w) == 0:
        return out
    index = {(int(g), int(p)): i for i, (g, p) in enumerate(zip(t.game_id, t.play_id,
                                                                strict=True))}  # fmt: skip
    play_of = np.array([index.get((int(g), int(p)), -1) for g, p in
                        zip(w.game_id, w.play_id, strict=True)])  # fmt: skip
    w = w.take(play_of >= 0)
    play_of = play_of[play_of >= 0]
    if route is not None:
        receiver = w.receiver.copy()
        for row, play in enumerate(play_of):
            n = int(w.flight_frames[row])
            receiver[row, w.lead + 1 : w.lead + 1 + n] = route[play, :n]
        w.receiver = receiver
    ghosts: np.ndarray = ghost.predict_windows(w)[0]
    where = {(int(a), int(b)): j for j, (a, b) in enumerate(zip(play_of, w.nfl_id, strict=True))}
    width = min(int(ghosts.shape[1]), t_max)
    for p in range(len(t)):
        for k in np.flatnonzero(t.valid[p] & t.is_defense[p]):
            found = where.get((p, int(t.nfl_id[p, k])))
            if found is not None:
                out[p, k, :width] = ghosts[found, :width]
    inside = np.arange(1, t_max + 1)[None, None, :] <= t.flight_frames[:, None, None]
    return np.where(inside[..., None], out, np.nan)


def forecast_table(t: PlayTokens, pos: np.ndarray, keep: np.ndarray) -> pa.Table:
    """Long table (:data:`FORECAST_SCHEMA`) of the tokens ``keep`` (P, K), frames 1..T."""
    p_n, k, t_max = pos.shape[:3]
    frames = np.arange(1, t_max + 1)
    valid = (frames[None, None, :] <= t.flight_frames[:, None, None]) & keep[:, :, None]

    def per(a: np.ndarray) -> np.ndarray:
        return np.broadcast_to(a, (p_n, k, t_max))[valid]

    return pa.table(
        {
            "game_id": per(t.game_id[:, None, None]),
            "play_id": per(t.play_id[:, None, None]),
            "nfl_id": per(t.nfl_id[:, :, None]),
            "frame_id": per((t.pass_forward_frame[:, None] + frames[None, :])[:, None, :]
                            ).astype(np.int32),  # fmt: skip
            "x": pos[..., 0][valid],
            "y": pos[..., 1][valid],
        },
        schema=FORECAST_SCHEMA,
    )

"""The decision analysis of a set of pass plays, end to end (docs/decision.md).

:class:`DecisionModels` bundles the three cards shipped in ``decision/default/``
(air time, completion probability, sigma calibration); :func:`analyse_plays` builds
every option with its own flight, ghosts all defenders for it, values it and applies
the decision rule, returning a :class:`DecisionResult`.

>>> import ghosting
>>> from ghosting.decision import DecisionModels, analyse_plays
>>> tracking = ghosting.synth.generate_plays(2, seed=0)
>>> plays = ghosting.pass_plays(tracking).to_pylist()
>>> result = analyse_plays(tracking, plays, ghosting.GhostModel.load(), DecisionModels.load())
>>> len(result.decisions.judged) == len(plays)
True
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from ..flights import FlightTable
from .air_time import AirTimeModel, read_card
from .completion import CompletionModel
from .eligibility import mark_covered, mark_ineligible, min_separation
from .facts import PlayIndex, play_facts
from .options import Options, build_options, ghost_options
from .sigma import SigmaCalibration
from .situation import play_situations
from .value import Decisions, OptionValues, decide, decision_rule, value_options

__all__ = ["DecisionModels", "DecisionResult", "analyse_plays", "DEFAULT_DECISION_DIR"]

DEFAULT_DECISION_DIR = Path(__file__).resolve().parent / "default"
SIGMA_FORMAT = "ghosting-sigma-calibration/1"


@dataclass
class DecisionModels:
    """The air-time model, the completion model and the ghost sigma's calibration."""

    air_time: AirTimeModel
    completion: CompletionModel
    sigma: SigmaCalibration
    sigma_card_model: str | None = None  # sha256 of the ghost model the sigma was fitted for

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None) -> DecisionModels:
        """Load ``air_time.json``, ``completion.json`` and ``sigma.json`` from ``path``
        (default: the cards shipped in the package); bad cards raise ModelError."""
        from ..errors import ModelError

        d = DEFAULT_DECISION_DIR if path is None else Path(path)
        sigma_card = read_card(d / "sigma.json")
        if sigma_card.get("format") != SIGMA_FORMAT:
            raise ModelError(f"{d / 'sigma.json'}: format is not {SIGMA_FORMAT}")
        return cls(
            AirTimeModel.load(d / "air_time.json"),
            CompletionModel.load(d / "completion.json"),
            SigmaCalibration.from_card(sigma_card.get("sigma_calibration", {}),
                                       str(d / "sigma.json")),
            sigma_card.get("ghost_model_sha256"),
        )


@dataclass
class DecisionResult:
    """Everything the decision analysis found for a sequence of plays."""

    plays: list[dict[str, Any]]
    facts: dict[str, np.ndarray]
    options: Options
    values: OptionValues
    decisions: Decisions
    index: PlayIndex


def analyse_plays(
    tracking: pa.Table,
    plays: Sequence[Mapping[str, Any]],
    ghost_model: Any,
    models: DecisionModels,
    *,
    pass_results: Mapping[tuple[int, int], bool] | None = None,
    index: PlayIndex | None = None,
    flight_table: FlightTable | None = None,
) -> DecisionResult:
    """Options, values and decisions for ``plays`` (``pass_plays`` rows) of ``tracking``.

    Plays not analysable, without a target or a passer get no options and are
    reported as not judged with their reason. ``flight_table`` is
    ``FlightTable.of(tracking)`` when the caller already has it (built once per batch).
    """
    rows = [dict(r) for r in plays]
    ix = index if index is not None else PlayIndex(tracking, flight_table)
    facts = play_facts(ix, rows, pass_results)
    usable = [r if r.get("analysable", True) else dict(r, targeted_receiver=None) for r in rows]
    opts = build_options(ix, usable, facts, models.air_time)
    opts = mark_ineligible(ix, opts, facts)
    opts = ghost_options(tracking, opts, usable, ghost_model, models.sigma,
                         flight_table=ix.flight_table)
    opts = mark_covered(opts, min_separation(models.completion.card))
    situation = play_situations(tracking, ix, rows)
    facts.update({f"situation_{k}": v for k, v in situation.items()})
    per_option = {k: situation[k][opts.play_row] for k in ("down", "yards_to_go", "needed")}
    per_option["line_of_scrimmage"] = facts["line_of_scrimmage"][opts.play_row]
    vals = value_options(opts, models.completion, per_option)
    dec = decide(opts, vals, len(rows), *decision_rule(models.completion))
    for i, r in enumerate(rows):
        if not r.get("analysable", True) and not dec.judged[i]:
            dec.reason[i] = r.get("reason") or "not analysable"
    return DecisionResult(rows, facts, opts, vals, dec, ix)

"""The decision step of ``ghosting run``: one call per game, after the ghosts.

:func:`add_decision` runs :func:`~ghosting.decision.analyse_plays` on the game's
scored plays (every option with its own flight, all defenders ghosted in one batched
roll-out) and appends the decision columns (:mod:`ghosting.decision.tables`) to the
game's ``plays`` table. A model that is not a :class:`~ghosting.GhostModel` (no
``predict_windows``) leaves the columns empty with the reason.
"""

from __future__ import annotations

import functools
import time
import warnings
from typing import Any

import numpy as np
import pyarrow as pa

from ..errors import GhostingWarning
from ..flights import FlightTable
from .analyse import DecisionModels, analyse_plays
from .tables import decision_columns, empty_decision_columns

__all__ = ["add_decision", "default_models", "DECISION_SECONDS"]

_WARNED: set[str] = set()


def _check_cards(models: DecisionModels, model: Any) -> None:
    """Warn once per model when the cards' sigma calibration was fitted for another one."""
    fitted_for = models.sigma_card_model
    digest = getattr(model, "sha256", None)
    if fitted_for and digest and digest != fitted_for and digest not in _WARNED:
        _WARNED.add(digest)
        warnings.warn(
            f"the decision cards were fitted for ghost model {fitted_for[:12]}..., not "
            f"{digest[:12]}...: its sigma calibration may not fit (refit them with "
            "`ghosting train-decision`)",
            GhostingWarning,
            stacklevel=3,
        )

#: Wall time spent in the decision step in this process (the benchmark reads it).
DECISION_SECONDS = [0.0]


@functools.lru_cache(maxsize=1)
def default_models() -> DecisionModels:
    """The shipped decision cards, loaded once per process."""
    return DecisionModels.load()


def add_decision(
    plays_table: pa.Table,
    cleaned: pa.Table,
    plays: pa.Table,
    scored: np.ndarray,
    model: Any,
    models: DecisionModels | None = None,
    *,
    flight_table: FlightTable | None = None,
) -> pa.Table:
    """``plays_table`` (one row per row of ``plays``) with the decision columns appended.

    ``scored`` marks the plays that were ghosted and scored; the others get no options
    and the reason ``"not scored"``. ``flight_table`` is ``FlightTable.of(cleaned)``
    when the caller already has it.
    """
    start = time.perf_counter()
    n = plays.num_rows
    if not (hasattr(model, "predict_windows") and hasattr(model, "history")):
        extra = empty_decision_columns(n, "the model cannot ghost every defender per option")
    else:
        models = models or default_models()
        _check_cards(models, model)
        rows = plays.to_pylist()
        use = [r if ok else dict(r, analysable=False, reason="not scored")
               for r, ok in zip(rows, scored.tolist(), strict=True)]
        result = analyse_plays(cleaned, use, model, models, flight_table=flight_table)
        extra = decision_columns(result)
        if not np.all(scored):
            reasons = extra["decision_reason"].to_pylist()
            fixed = [("not scored" if not ok else r)
                     for r, ok in zip(reasons, np.asarray(scored).tolist(), strict=True)]
            extra = extra.set_column(
                extra.schema.get_field_index("decision_reason"), "decision_reason",
                pa.array(fixed, pa.string()),
            )
    schema = pa.schema([*plays_table.schema, *extra.schema],
                       metadata=plays_table.schema.metadata)
    out = pa.Table.from_arrays([*plays_table.columns, *extra.columns], schema=schema)
    DECISION_SECONDS[0] += time.perf_counter() - start
    return out

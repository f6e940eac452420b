"""The decision analysis's output columns: per play (added to ``plays.parquet``), per
option (the ``decision_options`` list of each play) and per passer (``passers.parquet``).

Coordinates are the normalised ones (offense toward +x); ``line_of_scrimmage`` and
each option's catch point are x values in that frame.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "DECISION_OPTION_TYPE",
    "DECISION_PLAY_FIELDS",
    "PASSERS_SCHEMA",
    "decision_columns",
    "empty_decision_columns",
    "passers_table",
]

DECISION_OPTION_TYPE = pa.struct(
    [
        ("rank", pa.int32()),  # by value among the play's valued options; null: none
        ("nfl_id", pa.int64()),
        ("display_name", pa.string()),
        ("position", pa.string()),
        ("club", pa.string()),
        ("jersey_number", pa.int32()),
        ("is_real_target", pa.bool_()),
        ("analysable", pa.bool_()),
        ("reason", pa.string()),  # why the option has no value (null when it has one)
        ("p_complete", pa.float64()),
        ("expected_yards", pa.float64()),
        ("sigma_expected_yards", pa.float64()),
        ("air_yards", pa.float64()),  # catch x (capped at the goal line) - line of scrimmage
        ("yards_after_catch", pa.float64()),  # the depth prior's, up to the goal line
        ("separation", pa.float64()),  # nearest ghost defender (all defenders) at arrival
        ("second_separation", pa.float64()),
        ("nearest_defender", pa.int64()),
        ("flight_frames", pa.int32()),  # the option's own flight (air-time model)
        ("arrival_frame", pa.int32()),
        ("catch_x", pa.float64()),
        ("catch_y", pa.float64()),
        ("better", pa.bool_()),  # passes the better-option rule against the real target
        ("value", pa.float64()),  # what options are ranked by: expected points added
        ("sigma_value", pa.float64()),
        ("success_if_caught", pa.float64()),  # P(a catch gains the yards a success needs)
    ]
)

#: Columns the decision analysis adds to ``plays.parquet``, in order.
DECISION_PLAY_FIELDS = [
    pa.field("decision_judged", pa.bool_()),
    pa.field("decision_reason", pa.string()),
    pa.field("target_p_complete", pa.float64()),
    pa.field("target_expected_yards", pa.float64()),
    pa.field("target_rank", pa.int32()),
    pa.field("best_alternative", pa.int64()),
    pa.field("best_alternative_expected_yards", pa.float64()),
    pa.field("expected_yards_gain", pa.float64()),
    pa.field("better_option", pa.bool_()),
    pa.field("decision_value", pa.string()),  # what options are valued by
    pa.field("target_value", pa.float64()),
    pa.field("best_alternative_value", pa.float64()),
    pa.field("value_gain", pa.float64()),  # best alternative's value - the real target's
    pa.field("decision_down", pa.int32()),  # the default 1st and 10 where the data has none
    pa.field("decision_yards_to_go", pa.float64()),
    pa.field("decision_options", pa.list_(DECISION_OPTION_TYPE)),
]

PASSERS_SCHEMA = pa.schema(
    [
        ("passer_nfl_id", pa.int64()),
        ("passer_display_name", pa.string()),
        ("plays", pa.int64()),  # scored pass plays with this passer
        ("plays_judged", pa.int64()),
        ("better_option_plays", pa.int64()),
        ("better_option_share", pa.float64()),
        ("real_target_first_share", pa.float64()),
        ("expected_yards", pa.float64()),  # sum over judged plays of the real target's
        ("expected_yards_left", pa.float64()),  # sum of the gains on better-option plays
        ("value_left", pa.float64()),  # sum of the value gains on better-option plays
    ]
)


#: The types of the options' player columns (:data:`DECISION_OPTION_TYPE`).
_DESCRIBE_TYPES = {"name": pa.string(), "position": pa.string(), "club": pa.string(),
                   "jersey_number": pa.int32()}


def _masked(values: np.ndarray, mask: np.ndarray, type_: pa.DataType) -> pa.Array:
    return pa.array(values, type=type_, mask=mask)


def _situation(result: Any, key: str, n: int, type_: pa.DataType) -> pa.Array:
    values = result.facts.get(key)
    return pa.nulls(n, type_) if values is None else pa.array(values, type_)


def decision_columns(result: Any) -> pa.Table:
    """The :data:`DECISION_PLAY_FIELDS` of a :class:`~ghosting.decision.DecisionResult`,
    one row per play of ``result.plays``."""
    n = len(result.plays)
    d, o, v = result.decisions, result.options, result.values
    info = result.index.describe_arrays(o.game_id, o.play_id, o.nfl_id, _DESCRIBE_TYPES)
    valued = np.isfinite(v.expected_yards)
    fin = np.isfinite
    opt = pa.StructArray.from_arrays(
        [
            _masked(v.rank, v.rank == 0, pa.int32()),
            pa.array(o.nfl_id, pa.int64()),
            info["name"],
            info["position"],
            info["club"],
            info["jersey_number"],
            pa.array(o.is_real_target, pa.bool_()),
            pa.array(valued, pa.bool_()),
            pa.array([None if ok else (why or "no value")
                      for ok, why in zip(valued.tolist(), o.reason.tolist(), strict=True)],
                     pa.string()),
            _masked(v.p_complete, ~fin(v.p_complete), pa.float64()),
            _masked(v.expected_yards, ~valued, pa.float64()),
            _masked(v.sigma_expected_yards, ~fin(v.sigma_expected_yards), pa.float64()),
            _masked(o.air_yards, ~fin(o.air_yards), pa.float64()),
            _masked(v.yards_after_catch, ~valued, pa.float64()),
            _masked(o.separation_1, ~fin(o.separation_1), pa.float64()),
            _masked(o.separation_2, ~fin(o.separation_2), pa.float64()),
            _masked(o.nearest_defender, o.nearest_defender <= 0, pa.int64()),
            _masked(o.flight_frames, o.flight_frames <= 0, pa.int32()),
            _masked(o.pass_forward_frame + o.flight_frames, o.flight_frames <= 0, pa.int32()),
            _masked(o.catch_x, ~fin(o.catch_x), pa.float64()),
            _masked(o.catch_y, ~fin(o.catch_y), pa.float64()),
            pa.array(d.is_better, pa.bool_()),
            _masked(v.value, ~valued, pa.float64()),
            _masked(v.sigma_value, ~fin(v.sigma_value), pa.float64()),
            _masked(v.success_if_caught, ~fin(v.success_if_caught), pa.float64()),
        ],
        fields=list(DECISION_OPTION_TYPE),
    )
    # options grouped by play, best first (valued options by rank, then the rest by id)
    key = np.where(v.rank > 0, v.rank, 10_000)
    order = np.lexsort((o.nfl_id, key, o.play_row)) if len(o) else np.zeros(0, np.int64)
    counts = np.bincount(o.play_row, minlength=n) if len(o) else np.zeros(n, np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    lists = pa.ListArray.from_arrays(pa.array(offsets), opt.take(pa.array(order, pa.int64())))
    judged = d.judged
    columns = {
        "decision_judged": pa.array(judged, pa.bool_()),
        "decision_reason": pa.array(list(d.reason), pa.string()),
        "target_p_complete": _masked(d.target_p_complete, ~judged, pa.float64()),
        "target_expected_yards": _masked(d.target_expected_yards, ~judged, pa.float64()),
        "target_rank": _masked(d.target_rank, ~judged, pa.int32()),
        "best_alternative": _masked(d.best_alternative, d.best_alternative <= 0, pa.int64()),
        "best_alternative_expected_yards": _masked(
            d.best_alternative_expected_yards, ~fin(d.best_alternative_expected_yards),
            pa.float64()),
        "expected_yards_gain": _masked(d.expected_yards_gain, ~judged, pa.float64()),
        "better_option": pa.array(d.better_option & judged, pa.bool_()),
        "decision_value": pa.array([v.kind] * n, pa.string()),
        "target_value": _masked(d.target_value, ~judged, pa.float64()),
        "best_alternative_value": _masked(d.best_alternative_value,
                                          ~fin(d.best_alternative_value), pa.float64()),
        "value_gain": _masked(d.value_gain, ~judged, pa.float64()),
        "decision_down": _situation(result, "situation_down", n, pa.int32()),
        "decision_yards_to_go": _situation(result, "situation_yards_to_go", n, pa.float64()),
        "decision_options": lists,
    }
    return pa.table(columns, schema=pa.schema(DECISION_PLAY_FIELDS))


def empty_decision_columns(n: int, reason: str | list[str | None]) -> pa.Table:
    """Decision columns for ``n`` plays none of which was judged (with ``reason``)."""
    reasons = [reason] * n if isinstance(reason, str) else list(reason)
    cols: dict[str, pa.Array] = {}
    for fld in DECISION_PLAY_FIELDS:
        if fld.name in ("decision_judged", "better_option"):
            cols[fld.name] = pa.array(np.zeros(n, bool), pa.bool_())
        elif fld.name == "decision_reason":
            cols[fld.name] = pa.array(reasons, pa.string())
        elif fld.name == "decision_options":
            cols[fld.name] = pa.array([[] for _ in range(n)], fld.type)
        else:
            cols[fld.name] = pa.nulls(n, fld.type)
    return pa.table(cols, schema=pa.schema(DECISION_PLAY_FIELDS))


def passers_table(plays: pa.Table) -> pa.Table:
    """One row per passer of a ``plays`` table with the decision columns.

    ``plays`` counts the passer's scored plays, ``plays_judged`` those the decision
    rule could judge; ``expected_yards_left`` and ``value_left`` sum, over the plays
    with a better option, the expected yards and the value (expected points added) the
    best alternative had over the real target.

    >>> import pyarrow as pa
    >>> passers_table(pa.table({"status": ["scored"], "passer_nfl_id": [7],
    ...     "passer_display_name": ["A.Passer"], "decision_judged": [True],
    ...     "better_option": [True],
    ...     "target_rank": [2], "target_expected_yards": [3.0],
    ...     "expected_yards_gain": [4.5], "value_gain": [0.3]}))["value_left"].to_pylist()
    [0.3]
    """
    needed = ("passer_nfl_id", "decision_judged", "better_option", "status")
    if plays.num_rows == 0 or any(c not in plays.column_names for c in needed):
        return PASSERS_SCHEMA.empty_table()
    t = plays.filter(pc.and_(pc.equal(plays["status"], "scored"),
                             pc.is_valid(plays["passer_nfl_id"])))
    if t.num_rows == 0:
        return PASSERS_SCHEMA.empty_table()
    pid = t["passer_nfl_id"].to_numpy()
    judged = t["decision_judged"].fill_null(False).to_numpy(zero_copy_only=False)
    better = t["better_option"].fill_null(False).to_numpy(zero_copy_only=False) & judged
    first = (t["target_rank"].fill_null(0).to_numpy() == 1) & judged
    ev = t["target_expected_yards"].fill_null(0.0).to_numpy()
    gain = t["expected_yards_gain"].fill_null(0.0).to_numpy()
    vgain = (t["value_gain"].fill_null(0.0).to_numpy() if "value_gain" in t.column_names
             else np.zeros(t.num_rows))
    names = t["passer_display_name"].to_pylist()
    ids, inv = np.unique(pid, return_inverse=True)
    first_name: dict[int, Any] = {}
    for i, nm in zip(inv.tolist(), names, strict=True):
        if first_name.get(i) is None:
            first_name[i] = nm

    def total(x: np.ndarray) -> np.ndarray:
        return np.bincount(inv, weights=x.astype(np.float64), minlength=ids.size)

    n_j = total(judged)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(n_j > 0, total(better) / n_j, np.nan)
        share_first = np.where(n_j > 0, total(first) / n_j, np.nan)
    out = pa.table(
        {
            "passer_nfl_id": pa.array(ids, pa.int64()),
            "passer_display_name": pa.array([first_name.get(i) for i in range(ids.size)],
                                            pa.string()),
            "plays": pa.array(np.bincount(inv, minlength=ids.size), pa.int64()),
            "plays_judged": pa.array(n_j.astype(np.int64), pa.int64()),
            "better_option_plays": pa.array(total(better).astype(np.int64), pa.int64()),
            "better_option_share": pa.array(share, mask=~np.isfinite(share)),
            "real_target_first_share": pa.array(share_first, mask=~np.isfinite(share_first)),
            "expected_yards": total(np.where(judged, ev, 0.0)),
            "expected_yards_left": total(np.where(better, gain, 0.0)),
            "value_left": total(np.where(better, vgain, 0.0)),
        },
        schema=PASSERS_SCHEMA,
    )
    return out.sort_by([("plays_judged", "descending"), ("passer_nfl_id", "ascending")])

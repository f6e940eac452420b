"""Held-out figures of the decision analysis (docs/decision.md, issue item 5).

:func:`evaluate_decision` measures, on the ghost model card's **test** games only:

* ``air_time``: RMSE, MAE, bias and R^2 of the air-time card on the real passes;
* ``completion``: Brier score, log loss and AUC of the completion model, the
  separation-only model and the base rate (the training completion rate) on the
  real targeted passes (features from the real positions), and the completion
  model's reliability table;
* ``sigma``: the share of real positions within 1 and 2 sigma of the ghost, per
  horizon, before and after the card's recalibration (every defender, real target,
  real flight);
* ``ghost_error``: full-flight ADE of the ghost model on defensive backs, on
  linebackers and on the other defenders (same windows);
* ``ghost_vs_real``: on the real targets (real flight, every defender ghosted),
  P(complete) from the ghost positions against P(complete) from the real
  positions: correlation and mean difference;
* ``decisions`` per source (and overall): plays judged, the share where the real
  target ranks first by the card's value (expected points added) beside the share a
  random pick among the play's valued options would give (the mean of 1 / options),
  the share with a better option under the rule (:mod:`ghosting.decision.value`),
  the same two shares valuing the same options by expected yards (the previous
  value, with its own validation margin: ``expected_yards_value``), and the first
  rule (any gain in separation to the ghosted defensive backs above 0 yd, the real
  flight for every option: ``old_rule``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from ..errors import InputError
from ..model.features import cut_ghost_inputs
from .analyse import DecisionModels, analyse_plays
from .completion import CompletionModel, classification_metrics, reliability_table
from .facts import PlayIndex
from .options import arrival_separations
from .sigma import sigma_coverage
from .train import game_split, ghost_errors, pass_table
from .train import ghost_vs_real as _ghost_vs_real
from .value import decide, decision_rule, value_options

__all__ = ["evaluate_decision", "LINEBACKERS"]

#: Positions counted as linebackers in the held-out ghost error.
LINEBACKERS = frozenset({"LB", "ILB", "OLB", "MLB"})


def _ade(err: np.ndarray) -> float:
    if err.shape[0] == 0:
        return float("nan")
    return float(np.mean(np.nanmean(err, axis=1)))


def _old_rule(tracking: pa.Table, rows: list[dict], ghost_model: Any) -> dict[str, Any]:
    """The separation rule shipped before: ghosted backs, real flight for every option."""
    w = cut_ghost_inputs(tracking, rows, history=ghost_model.history, defenders="backs",
                        targets="all")
    if not len(w):
        return {"plays": 0, "better": 0}
    pred, sig = ghost_model.predict_windows(w)
    idx = np.arange(len(w))
    seps = arrival_separations(w, pred[idx, w.flight_frames - 1], sig[idx, w.flight_frames - 1])
    plays = better = 0
    for r in rows:
        g, p, t = int(r["game_id"]), int(r["play_id"]), int(r["targeted_receiver"])
        own = {k[2]: v[0] for k, v in seps.items() if k[0] == g and k[1] == p}
        if t not in own:
            continue
        plays += 1
        better += bool(max(own.values()) - own[t] > 0)
    return {"plays": plays, "better": better}


def _expected_yards_model(comp: CompletionModel) -> CompletionModel | None:
    """The completion model with the rule valuing options by expected yards (the card's
    ``decision_rule.expected_yards_comparison``); None without one."""
    rule = comp.card.get("decision_rule")
    if not isinstance(rule, dict) or rule.get("value") == "expected_yards":
        return None
    other = rule.get("expected_yards_comparison")
    if not isinstance(other, dict):
        return None
    card = dict(comp.card, decision_rule={"value": "expected_yards", **other})
    return CompletionModel(comp.features, comp.mean, comp.scale, comp.intercept,
                           comp.coefficients, comp.l2, comp.covariance, card, comp.prior)


def evaluate_decision(
    datasets: Sequence[tuple[str, pa.Table, pa.Table]],
    ghost_model: Any,
    models: DecisionModels,
    *,
    pass_results: Mapping[tuple[int, int], bool] | None = None,
) -> dict[str, Any]:
    """The decision analysis's figures on the test games of the ghost model's split."""
    split = game_split(ghost_model)
    test_games = {g for g, s in split.items() if s == "test"}
    passes = pass_table(datasets, split, dict(pass_results or {}))
    te = passes.split == "test"
    if not te.any():
        raise InputError("no passes of the ghost model's test games in the data")
    f = passes.features
    air = models.air_time.metrics(f["air_distance"][te], f["air_time"][te])

    lab = te & np.isfinite(passes.complete)
    y = passes.complete[lab]
    comp = models.completion
    sep_card = comp.card.get("separation_only")
    sep_model = CompletionModel.from_card(sep_card) if isinstance(sep_card, dict) else None
    values = {k: v[lab] for k, v in f.items()}
    p_full = comp.predict_values(values)
    base = float(comp.card.get("base_rate", np.nan))
    completion = {
        "n_passes": int(lab.sum()),
        "complete_rate": float(y.mean()) if y.size else float("nan"),
        "model": classification_metrics(p_full, y),
        "separation_only": (classification_metrics(sep_model.predict_values(values), y)
                            if sep_model is not None else None),
        "prior_only": (classification_metrics(comp.prior.p_complete(values["air_yards"]), y)
                       if comp.prior is not None else None),
        "base_rate": {**classification_metrics(np.full(y.size, base), y),
                      "rate": base},
        "reliability": reliability_table(p_full, y),
    }

    ge = ghost_errors(datasets, ghost_model, test_games)
    is_lb = np.array([p in LINEBACKERS for p in ge["position"]], bool)
    sigma = {
        "raw": sigma_coverage(ge["err"], ge["sigma"]),
        "calibrated": sigma_coverage(ge["err"], ge["sigma"], models.sigma),
        "scales": list(models.sigma.scales),
    }
    ghost_error = {
        "defensive_backs": {"ade": _ade(ge["err"][ge["is_back"]]),
                            "n": int(ge["is_back"].sum())},
        "linebackers": {"ade": _ade(ge["err"][is_lb]), "n": int(is_lb.sum())},
        "other_defenders": {"ade": _ade(ge["err"][~ge["is_back"] & ~is_lb]),
                            "n": int((~ge["is_back"] & ~is_lb).sum())},
    }

    per_source = []
    gvr_ghost, gvr_real = [], []
    totals = {"judged": 0, "rank_first": 0, "better": 0, "old_plays": 0, "old_better": 0,
              "random_first": 0.0, "ey_first": 0, "ey_better": 0}
    ey = _expected_yards_model(comp)
    for name, tracking, plays in datasets:
        rows = [r for r in plays.to_pylist() if r.get("analysable")
                and r.get("targeted_receiver") is not None and int(r["game_id"]) in test_games]
        if not rows:
            continue
        ix = PlayIndex(tracking)
        result = analyse_plays(tracking, rows, ghost_model, models,
                               pass_results=pass_results, index=ix)
        d = result.decisions
        judged = int(d.judged.sum())
        first = int(np.sum(d.judged & (d.target_rank == 1)))
        better = int(np.sum(d.judged & d.better_option))
        old = _old_rule(tracking, rows, ghost_model)
        random_first = float(np.sum(1.0 / d.n_options[d.judged]))
        ey_first = ey_better = 0
        if ey is not None:
            o, f = result.options, result.facts
            sit = {k: f[f"situation_{k}"][o.play_row] for k in ("down", "yards_to_go", "needed")}
            sit["line_of_scrimmage"] = f["line_of_scrimmage"][o.play_row]
            d2 = decide(o, value_options(o, ey, sit), len(rows), *decision_rule(ey))
            ey_first = int(np.sum(d2.judged & (d2.target_rank == 1)))
            ey_better = int(np.sum(d2.judged & d2.better_option))
        per_source.append({
            "name": name, "plays": len(rows), "judged": judged,
            "real_target_first": first / judged if judged else float("nan"),
            "random_pick_first": random_first / judged if judged else float("nan"),
            "expected_yards_value": {
                "real_target_first": ey_first / judged if judged else float("nan"),
                "better_option": ey_better / judged if judged else float("nan"),
                "better_option_plays": ey_better,
            } if ey is not None else None,
            "better_option": better / judged if judged else float("nan"),
            "better_option_plays": better,
            "old_rule_better_option": old["better"] / old["plays"] if old["plays"] else
            float("nan"),
            "old_rule_plays": old["plays"], "old_rule_better_plays": old["better"],
        })
        totals["judged"] += judged
        totals["rank_first"] += first
        totals["better"] += better
        totals["old_plays"] += old["plays"]
        totals["old_better"] += old["better"]
        totals["random_first"] += random_first
        totals["ey_first"] += ey_first
        totals["ey_better"] += ey_better
        g, r, _ = _ghost_vs_real(tracking, rows, ghost_model, comp, ix, pass_results)
        gvr_ghost.append(g)
        gvr_real.append(r)
    pg = np.concatenate(gvr_ghost) if gvr_ghost else np.zeros(0)
    pr = np.concatenate(gvr_real) if gvr_real else np.zeros(0)
    ok = np.isfinite(pg) & np.isfinite(pr)
    ghost_vs_real = {
        "n": int(ok.sum()),
        "correlation": float(np.corrcoef(pg[ok], pr[ok])[0, 1]) if ok.sum() > 2 and
        np.std(pg[ok]) > 0 and np.std(pr[ok]) > 0 else float("nan"),
        "mean_difference": float(np.mean(pg[ok] - pr[ok])) if ok.any() else float("nan"),
        "mean_abs_difference": float(np.mean(np.abs(pg[ok] - pr[ok]))) if ok.any() else
        float("nan"),
    }
    j = totals["judged"]
    return {
        "games": "test games of the ghost model card's split",
        "n_test_games": len(test_games),
        "passes_by_split": {s: int((passes.split == s).sum()) for s in
                            ("train", "validation", "test")},
        "air_time": air,
        "completion": completion,
        "sigma": sigma,
        "ghost_error": ghost_error,
        "ghost_vs_real": ghost_vs_real,
        "decisions": {
            "sources": per_source,
            "judged": j,
            "value": models.completion.card.get("decision_rule", {}).get("value",
                                                                          "expected_yards"),
            "real_target_first": totals["rank_first"] / j if j else float("nan"),
            "random_pick_first": totals["random_first"] / j if j else float("nan"),
            "better_option": totals["better"] / j if j else float("nan"),
            "better_option_plays": totals["better"],
            "expected_yards_value": {
                "real_target_first": totals["ey_first"] / j if j else float("nan"),
                "better_option": totals["ey_better"] / j if j else float("nan"),
                "better_option_plays": totals["ey_better"],
            } if ey is not None else None,
            "old_rule_better_option": totals["old_better"] / totals["old_plays"]
            if totals["old_plays"] else float("nan"),
        },
    }


"""Fitting the decision cards: air time, sigma calibration, completion probability.

Uses the ghost model card's split by game (``training.split_by_game``): every model
is fitted on the training games' real passes, its choices (polynomial degree, L2
penalty) are made on the validation games, and the test games are only measured
(by :func:`ghosting.decision.evaluate.evaluate_decision`). Nothing here needs the
``train`` extra: numpy least squares and Newton's method.

>>> from ghosting.decision.train import train_decision   # doctest: +SKIP
>>> cards = train_decision(datasets, model, "cards/")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from .._util import atomic_path
from ..errors import InputError, ModelError
from ..model import GhostModel
from ..model.data import load_sources
from ..model.features import cut_ghost_inputs
from .air_time import AirTimeModel
from .analyse import SIGMA_FORMAT, DecisionModels, analyse_plays
from .completion import FEATURES, CompletionModel, classification_metrics, completion_features
from .facts import PlayIndex, play_facts
from .options import arrival_separations, real_pass_features
from .points import ExpectedPoints, NextScores, read_next_scores
from .prior import DepthPlays, DepthPrior, read_depth_plays
from .sigma import SigmaCalibration, sigma_coverage
from .situation import play_situations
from .value import MARGIN_KEYS, option_payoff, value_kind

__all__ = [
    "train_decision", "PassTable", "pass_table", "game_split", "ghost_errors",
    "check_output_folder", "read_pass_results", "pass_results_near", "depth_plays_near",
    "fit_depth_prior", "ghost_vs_real", "MARGIN_QUANTILE", "fit_expected_points",
    "next_scores_near", "train_decision_files",
]

#: L2 penalties tried for the completion model (chosen on validation log loss).
L2_GRID = (0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0)
#: Feature sets tried for the completion model (chosen, with the penalty, on validation
#: log loss); the separation-only model is always fitted too, as the comparison.
FEATURE_SETS = (
    FEATURES,
    ("air_distance", "separation_1", "separation_2", "sideline_distance"),
    ("air_distance", "separation_1", "separation_2"),
    ("separation_1", "separation_2"),
)
#: What an option is valued by (docs/decision.md): the expected points its throw adds.
#: Fixed by what an analyst counts as a good throw, not chosen on the data.
DECISION_VALUE = "expected_points"
#: Degrees tried for the air-time polynomial (chosen on validation RMSE).
DEGREES = (1, 2)
SPLITS = ("train", "validation", "test")
#: The better-option margin is this quantile of |expected yards from the ghosts -
#: expected yards from the real defenders| of the validation games' real targets.
MARGIN_QUANTILE = 0.9
#: ... never under this (per value kind: success probability, expected yards).
#: Alternatives more tightly covered than this quantile of the training real targets'
#: separation at arrival are not valued (docs/decision.md, "Eligible options").
COVERED_QUANTILE = 0.1
MARGIN_FLOOR = {"expected_points": 0.05, "success": 0.02, "expected_yards": 0.5}


def game_split(ghost_model: Any) -> dict[int, str]:
    """game_id -> ``"train"`` | ``"validation"`` | ``"test"`` from the ghost model's card."""
    split = ghost_model.card.get("training", {}).get("split_by_game")
    if not isinstance(split, dict) or not all(k in split for k in SPLITS):
        raise ModelError(
            "ghost model card lists no train/validation/test split by game "
            "(training.split_by_game): the decision models cannot use the same games"
        )
    return {int(g): k for k in SPLITS for g in split[k]}


@dataclass
class PassTable:
    """The real targeted passes of a set of datasets, one entry per pass."""

    source: np.ndarray  # dataset name
    game_id: np.ndarray
    play_id: np.ndarray
    split: np.ndarray  # train / validation / test / unknown
    complete: np.ndarray  # float: 1, 0 or NaN (no label)
    label_source: np.ndarray
    features: dict[str, np.ndarray]


def read_pass_results(path: str | os.PathLike[str]) -> dict[tuple[int, int], bool]:
    """``(game_id, play_id) -> complete`` from a Big Data Bowl plays file's ``passResult``
    (C complete; I, IN not; other codes, such as S for a sack, are no pass)."""
    import pyarrow.csv as pv

    from .facts import PASS_RESULT_LABELS

    try:
        table = pv.read_csv(path)
    except (OSError, pa.ArrowInvalid) as exc:
        raise InputError(f"{path}: cannot read the plays file: {exc}") from exc
    names = {n.lower(): n for n in table.column_names}
    needed = [names.get("gameid"), names.get("playid"), names.get("passresult")]
    if None in needed:
        return {}
    g, p, r = (table.column(str(n)).to_pylist() for n in needed)
    out = {}
    for gi, pi, ri in zip(g, p, r, strict=True):
        if gi is None or pi is None or ri not in PASS_RESULT_LABELS:
            continue
        out[(int(gi), int(pi))] = PASS_RESULT_LABELS[ri]
    return out


def pass_table(
    datasets: Sequence[tuple[str, pa.Table, pa.Table]],
    split: dict[int, str],
    pass_results: dict[tuple[int, int], bool] | None = None,
) -> PassTable:
    """Features (real positions) and labels of every analysable targeted pass."""
    parts: dict[str, list[Any]] = {k: [] for k in ("source", "game", "play", "split",
                                                   "complete", "label")}
    feats: dict[str, list[np.ndarray]] = {}
    for name, tracking, plays in datasets:
        rows = [r for r in plays.to_pylist()
                if r.get("analysable") and r.get("targeted_receiver") is not None]
        if not rows:
            continue
        ix = PlayIndex(tracking)
        facts = play_facts(ix, rows, pass_results)
        f = real_pass_features(ix, rows, facts)
        for k, v in f.items():
            feats.setdefault(k, []).append(v)
        parts["source"].extend([name] * len(rows))
        parts["game"].extend(int(r["game_id"]) for r in rows)
        parts["play"].extend(int(r["play_id"]) for r in rows)
        parts["split"].extend(split.get(int(r["game_id"]), "unknown") for r in rows)
        parts["complete"].extend(
            np.nan if c is None else float(bool(c)) for c in facts["complete"]
        )
        parts["label"].extend(facts["label_source"].tolist())
    return PassTable(
        source=np.array(parts["source"], object),
        game_id=np.array(parts["game"], np.int64),
        play_id=np.array(parts["play"], np.int64),
        split=np.array(parts["split"], object),
        complete=np.array(parts["complete"], np.float64),
        label_source=np.array(parts["label"], object),
        features={k: np.concatenate(v) for k, v in feats.items()},
    )


def ghost_errors(
    datasets: Sequence[tuple[str, pa.Table, pa.Table]],
    ghost_model: Any,
    games: set[int],
) -> dict[str, np.ndarray]:
    """Ghost every defender for the real target (real flight) on the plays of ``games``;
    return per-frame errors ``err`` and ``sigma`` (N, T), ``is_back``, ``position`` and
    the window keys (``game_id``, ``play_id``, ``nfl_id``) and ``end_xy`` (ghost at arrival)."""
    errs, sigs, backs, pos_names, keys, ends, reals = [], [], [], [], [], [], []
    for _name, tracking, plays in datasets:
        rows = [r for r in plays.to_pylist() if r.get("analysable")
                and r.get("targeted_receiver") is not None and int(r["game_id"]) in games]
        if not rows:
            continue
        w = cut_ghost_inputs(tracking, rows, history=ghost_model.history, defenders="all")
        if not len(w):
            continue
        pred, sigma = ghost_model.predict_windows(w)
        t_max = pred.shape[1]
        real = w.defender[:, w.lead + 1 : w.lead + 1 + t_max]
        err = np.hypot(*np.moveaxis(pred - real, -1, 0))
        valid = np.arange(1, t_max + 1)[None, :] <= w.flight_frames[:, None]
        errs.append(_pad(np.where(valid, err, np.nan)))
        sigs.append(_pad(np.where(valid, sigma, np.nan)))
        backs.append(w.is_back)
        ix = PlayIndex(tracking)
        names = []
        for g, p, d in zip(w.game_id, w.play_id, w.nfl_id, strict=True):
            sl = ix.rows(int(g), int(p))
            names.append(ix.describe(sl, int(d))["position"] if sl is not None else None)
        pos_names.append(np.array(names, object))
        keys.append(np.column_stack([w.game_id, w.play_id, w.nfl_id]))
        idx = np.arange(len(w))
        ends.append(pred[idx, w.flight_frames - 1])
        reals.append(real[idx, w.flight_frames - 1])
    if not errs:
        z = np.zeros((0, 1))
        return {"err": z, "sigma": z, "is_back": np.zeros(0, bool),
                "position": np.zeros(0, object), "keys": np.zeros((0, 3), np.int64),
                "end_xy": np.zeros((0, 2)), "real_end_xy": np.zeros((0, 2))}
    width = max(e.shape[1] for e in errs)
    return {
        "err": np.concatenate([_pad(e, width) for e in errs]),
        "sigma": np.concatenate([_pad(s, width) for s in sigs]),
        "is_back": np.concatenate(backs),
        "position": np.concatenate(pos_names),
        "keys": np.concatenate(keys),
        "end_xy": np.concatenate(ends),
        "real_end_xy": np.concatenate(reals),
    }


def _pad(a: np.ndarray, width: int | None = None) -> np.ndarray:
    width = a.shape[1] if width is None else width
    out = np.full((a.shape[0], width), np.nan)
    out[:, : a.shape[1]] = a
    return out


def fit_air_time(passes: PassTable) -> tuple[AirTimeModel, dict[str, Any]]:
    """The air-time polynomial: fitted on training passes, degree chosen on validation."""
    d = passes.features["air_distance"]
    t = passes.features["air_time"]
    tr = passes.split == "train"
    va = passes.split == "validation"
    tried = {}
    best: tuple[float, int, AirTimeModel] | None = None
    for degree in DEGREES:
        m = AirTimeModel.fit(d[tr], t[tr], degree)
        rmse = m.metrics(d[va], t[va])["rmse"]
        tried[str(degree)] = rmse
        if best is None or rmse < best[0] - 1e-4:  # a higher degree must clearly help
            best = (rmse, degree, m)
    assert best is not None
    model = best[2]
    info = {
        "degree": best[1],
        "validation_rmse_by_degree": tried,
        "metrics": {
            "train": model.metrics(d[tr], t[tr]),
            "validation": model.metrics(d[va], t[va]),
        },
    }
    return model, info


def _fit_completion(
    passes: PassTable, features: Sequence[str], prior: DepthPrior | None = None
) -> tuple[CompletionModel, dict[str, Any]]:
    tr = (passes.split == "train") & np.isfinite(passes.complete)
    va = (passes.split == "validation") & np.isfinite(passes.complete)
    x = completion_features(passes.features, features)
    ay = passes.features["air_yards"]
    tr &= np.isfinite(x).all(axis=1)
    va &= np.isfinite(x).all(axis=1)
    if prior is not None:
        tr &= np.isfinite(ay)
        va &= np.isfinite(ay)
    off = prior.logit(ay) if prior is not None else None

    def pred(m: CompletionModel, k: np.ndarray) -> np.ndarray:
        return m.predict(x[k], None if off is None else off[k])

    tried = {}
    best: tuple[float, CompletionModel] | None = None
    for l2 in L2_GRID:
        m = CompletionModel.fit(x[tr], passes.complete[tr], features, l2=l2, prior=prior,
                                air_yards=ay[tr])
        ll = classification_metrics(pred(m, va), passes.complete[va])["log_loss"]
        tried[str(l2)] = ll
        if best is None or ll < best[0]:
            best = (ll, m)
    assert best is not None
    m = best[1]
    return m, {
        "l2_grid_validation_log_loss": tried,
        "n_train": int(tr.sum()),
        "n_validation": int(va.sum()),
        "train": classification_metrics(pred(m, tr), passes.complete[tr]),
        "validation": classification_metrics(pred(m, va), passes.complete[va]),
    }


def fit_depth_prior(
    plays: Sequence[DepthPlays], exclude: set[int]
) -> tuple[DepthPrior, dict[str, Any]]:
    """The league depth prior from plays files' passes, without the games ``exclude``."""
    used = [p for p in plays]
    if not used:
        raise InputError(
            "no plays file with PassLength / PassResult / YardsAfterCatch beside the tracking "
            "data (a Big Data Bowl 2019 plays.csv[.gz]): the completion model's depth prior "
            "cannot be fitted"
        )
    d = np.concatenate([p.air_yards for p in used])
    y = np.concatenate([p.complete for p in used])
    inter = np.concatenate([p.intercepted if p.intercepted is not None
                            else np.zeros(p.complete.size) for p in used])
    yac = np.concatenate([p.yac for p in used])
    g = np.concatenate([p.game_id for p in used])
    keep = ~np.isin(g, np.array(sorted(exclude), np.int64))
    prior = DepthPrior.fit(d[keep], y[keep], yac[keep], intercepted=inter[keep])
    # held-out check of the prior on league passes: 5 folds by game (game_id mod 5)
    gk, dk, yk, ak = g[keep], d[keep], y[keep], yac[keep]
    p_cv = np.full(yk.size, np.nan)
    r_cv = np.full(yk.size, np.nan)
    for fold in range(5):
        te = gk % 5 == fold
        if te.any() and (~te).any():
            p_cv[te] = DepthPrior.fit(dk[~te], yk[~te], ak[~te]).p_complete(dk[te])
            r_cv[te] = yk[~te].mean()
    excluded_games = sorted(int(v) for v in np.unique(g[~keep]))
    info = {
        "files": [{"file": "/".join(Path(p.path).parts[-2:]), "rows": p.rows,
                   "passes": int(p.complete.size)} for p in used],
        "passes": "PassResult C (complete), I or IN (not) with a PassLength; S, R and "
        "empty rows are no pass",
        "excluded": "every play of a game in the ghost model's validation or test split",
        "excluded_games": excluded_games,
        "excluded_passes": int((~keep).sum()),
        "passes_used": int(keep.sum()),
        "complete_used": int(y[keep].sum()),
        "completions_with_yac": int(np.isfinite(yac[keep]).sum()),
        "games_used": int(np.unique(g[keep]).size),
        "complete_rate": float(y[keep].mean()),
        "cross_validation": {
            "folds": "5, by game (game_id mod 5)",
            "prior": classification_metrics(p_cv, yk),
            "base_rate": classification_metrics(r_cv, yk),
        },
        "p_complete_at": {f"{a:g}": float(prior.p_complete(np.array([a]))[0])
                          for a in (-5.0, 0.0, 5.0, 10.0, 20.0, 30.0, 40.0)},
        "yards_after_catch_at": {f"{a:g}": float(prior.yards_after_catch(np.array([a]))[0])
                                 for a in (-5.0, 0.0, 5.0, 10.0, 20.0, 30.0, 40.0)},
        "interceptions_used": int(inter[keep].sum()),
    }
    return prior, info


def fit_expected_points(
    scores: Sequence[NextScores], exclude: set[int]
) -> tuple[ExpectedPoints, dict[str, Any]]:
    """The expected-points model from plays files' next scores, without the games
    ``exclude``; checked by 5-fold cross-validation by game (``game_id mod 5``)."""
    if not scores:
        raise InputError(
            "no plays file with down, distance, yard line and scores (and a games.csv) "
            "beside the tracking data (a Big Data Bowl 2019 plays.csv[.gz]): the expected "
            "points of the decision value cannot be fitted"
        )
    g = np.concatenate([s.game_id for s in scores])
    cols = [np.concatenate([getattr(s, k) for s in scores])
            for k in ("to_goal", "down", "togo", "points")]
    keep = ~np.isin(g, np.array(sorted(exclude), np.int64))
    tg, dn, tt, pts = (c[keep] for c in cols)
    gk = g[keep]
    ep = ExpectedPoints.fit(tg, dn, tt, pts)
    cv = np.full(pts.size, np.nan)
    const = np.full(pts.size, np.nan)
    for fold in range(5):
        te = gk % 5 == fold
        if te.any() and (~te).any():
            cv[te] = ExpectedPoints.fit(tg[~te], dn[~te], tt[~te], pts[~te]).predict(
                tg[te], dn[te], tt[te])
            const[te] = pts[~te].mean()
    ok = np.isfinite(cv)
    info = {
        "files": ["/".join(Path(s.path).parts[-2:]) for s in scores],
        "plays": "non-special-teams plays with a down 1-4, a yard line and a yards to go; "
        "target: the half's next score for the team with the ball (TD 7, FG 3, safety 2)",
        "excluded": "every play of a game in the ghost model's validation or test split",
        "plays_used": int(keep.sum()),
        "games_used": int(np.unique(gk).size),
        "cross_validation": {
            "folds": "5, by game (game_id mod 5)",
            "rmse": float(np.sqrt(np.mean((cv[ok] - pts[ok]) ** 2))),
            "rmse_constant": float(np.sqrt(np.mean((const[ok] - pts[ok]) ** 2))),
        },
        "ep_1st_and_10_at": {f"{k:g} yd to goal": float(ep.first_down(np.array([k]))[0])
                             for k in (95.0, 75.0, 50.0, 25.0, 10.0, 5.0)},
        "ep_3rd_and_at_50": {f"3rd and {t:g}": float(ep.predict(
            np.array([50.0]), np.array([3]), np.array([t]))[0]) for t in (1.0, 5.0, 10.0)},
    }
    return ep, info


def plays_files_near(sources: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """Every plays file (``plays.csv[.gz]``) beside the tracking files of ``sources``,
    once each, in the order the tracking files are found."""
    from ..model.data import tracking_files

    out: list[Path] = []
    for path in tracking_files(sources):
        for name in ("plays.csv", "plays.csv.gz"):
            candidate = path.parent / name
            if candidate.is_file() and candidate not in out:
                out.append(candidate)
    return out


def next_scores_near(sources: Sequence[str | os.PathLike[str]]) -> list[NextScores]:
    """The next scores of every plays file (``plays.csv[.gz]``) beside the tracking files
    of ``sources`` that has the expected points' columns and a ``games.csv``."""
    found = (read_next_scores(path) for path in plays_files_near(sources))
    return [s for s in found if s is not None]


def depth_plays_near(sources: Sequence[str | os.PathLike[str]]) -> list[DepthPlays]:
    """The passes of every plays file (``plays.csv[.gz]``) beside the tracking files of
    ``sources`` that has the depth prior's columns (others contribute nothing)."""
    found = (read_depth_plays(path) for path in plays_files_near(sources))
    return [plays for plays in found if plays is not None]


def ghost_vs_real(
    tracking: pa.Table,
    rows: list[dict],
    ghost_model: Any,
    completion: CompletionModel,
    ix: PlayIndex,
    pass_results: Any,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """P(complete) of each real target from ghost and from real defender positions, and
    its payoff (:func:`~ghosting.decision.value.option_payoff`: what a catch adds to the
    value over a miss, in the units of :func:`~ghosting.decision.value.value_kind`)."""
    facts = play_facts(ix, rows, pass_results)
    real = real_pass_features(ix, rows, facts)
    sit = play_situations(tracking, ix, rows)
    situation = {k: sit[k] for k in ("down", "yards_to_go", "needed")}
    situation["line_of_scrimmage"] = facts["line_of_scrimmage"]
    catch_x = real["air_yards"] + facts["line_of_scrimmage"]
    _, yards, _ = option_payoff(completion, real["air_yards"], catch_x, situation)
    w = cut_ghost_inputs(tracking, rows, history=ghost_model.history, defenders="all")
    if not len(w):
        return np.zeros(0), np.zeros(0), np.zeros(0)
    pred, sig = ghost_model.predict_windows(w)
    idx = np.arange(len(w))
    seps = arrival_separations(w, pred[idx, w.flight_frames - 1], sig[idx, w.flight_frames - 1])
    ghost = {k: np.array(v, np.float64) for k, v in real.items()}
    for i, r in enumerate(rows):
        hit = seps.get((int(r["game_id"]), int(r["play_id"]), int(r["targeted_receiver"])))
        if hit is None:
            ghost["separation_1"][i] = np.nan
            continue
        ghost["separation_1"][i], ghost["separation_2"][i] = hit[0], hit[1]
    return completion.predict_values(ghost), completion.predict_values(real), yards


def _choose_margin(
    datasets: Sequence[tuple[str, pa.Table, pa.Table]],
    ghost_model: Any,
    completion: CompletionModel,
    games: set[int],
    pass_results: Any,
) -> dict[str, Any]:
    """The better-option rule from the validation games: the margin is the
    :data:`MARGIN_QUANTILE` quantile of |value (ghosts) - value (real defenders)| of
    their real targets (the success probability: never under 0.02), never under the
    :data:`MARGIN_FLOOR`; z stays 1."""
    diffs = []
    for _name, tracking, plays in datasets:
        rows = [r for r in plays.to_pylist() if r.get("analysable")
                and r.get("targeted_receiver") is not None and int(r["game_id"]) in games]
        if not rows:
            continue
        pg, pr, yards = ghost_vs_real(tracking, rows, ghost_model, completion,
                                      PlayIndex(tracking), pass_results)
        diffs.append((pg - pr) * yards)
    d = np.concatenate(diffs) if diffs else np.zeros(0)
    d = np.abs(d[np.isfinite(d)])
    if d.size < 10:
        raise InputError(f"only {d.size} validation real targets to choose the decision margin")
    q = float(np.quantile(d, MARGIN_QUANTILE))
    kind = value_kind(completion)
    unit = {"expected_points": "expected points added", "success": "success probability",
            "expected_yards": "expected yards"}[kind]
    floor = MARGIN_FLOOR[kind]
    rule: dict[str, Any] = {
        "value": kind,
        "z": 1.0,
        "chosen": f"margin = max({floor:g}, the {MARGIN_QUANTILE:g} quantile of |{unit} from "
        f"the ghosts - {unit} from the real defenders| of the validation games' real "
        "targets (real flight, every defender ghosted)), rounded; z = 1 sigma of "
        "the difference (the ghosts' sigma is calibrated on the same games)",
        "n_validation_targets": int(d.size),
        "validation_abs_difference": {"mean": float(d.mean()), "median": float(np.median(d)),
                                      f"q{MARGIN_QUANTILE:g}": q},
    }
    rule[MARGIN_KEYS[kind]] = round(max(q, floor), 3 if kind == "success" else 2)
    return rule


def _choose_min_separation(
    datasets: Sequence[tuple[str, pa.Table, pa.Table]],
    ghost_model: Any,
    models: DecisionModels,
    games: set[int],
    pass_results: Any,
) -> dict[str, Any]:
    """``min_separation``: the :data:`COVERED_QUANTILE` quantile of the nearest ghost's
    separation at arrival of the training games' real targets (their own flight, every
    defender ghosted, as :func:`~ghosting.decision.analyse_plays` measures options)."""
    seps = []
    for _name, tracking, plays in datasets:
        rows = [r for r in plays.to_pylist() if r.get("analysable")
                and r.get("targeted_receiver") is not None and int(r["game_id"]) in games]
        if not rows:
            continue
        res = analyse_plays(tracking, rows, ghost_model, models, pass_results=pass_results)
        o = res.options
        seps.append(o.separation_1[o.is_real_target & o.analysable])
    s = np.concatenate(seps) if seps else np.zeros(0)
    s = s[np.isfinite(s)]
    if s.size < 10:
        raise InputError(f"only {s.size} training real targets to choose the covered separation")
    q = float(np.quantile(s, COVERED_QUANTILE))
    return {
        "min_separation": round(q, 2),
        "min_separation_chosen": f"the {COVERED_QUANTILE:g} quantile of the nearest ghost's "
        "separation at arrival of the training games' real targets (their own flight, every "
        "defender ghosted); an alternative covered more tightly is not valued",
        "n_training_targets": int(s.size),
    }


def split_counts(passes: PassTable) -> dict[str, Any]:
    """Passes, labelled passes and completions per split."""
    out = {}
    for s in (*SPLITS, "unknown"):
        m = passes.split == s
        lab = m & np.isfinite(passes.complete)
        out[s] = {
            "passes": int(m.sum()),
            "labelled": int(lab.sum()),
            "complete": int(np.nansum(passes.complete[lab])),
            "games": int(np.unique(passes.game_id[m]).size),
            "by_source": {str(k): int((m & (passes.source == k)).sum())
                          for k in np.unique(passes.source)},
        }
    return out


def check_output_folder(output: str | os.PathLike[str]) -> Path:
    """``output`` as a Path; an existing file there (an input, say) is an InputError."""
    out = Path(output)
    if out.exists() and not out.is_dir():
        raise InputError(f"output folder {str(out)!r} exists and is not a folder")
    return out


def train_decision(
    datasets: Sequence[tuple[str, pa.Table, pa.Table]],
    ghost_model: Any,
    output: str | os.PathLike[str],
    *,
    pass_results: dict[tuple[int, int], bool] | None = None,
    depth_plays: Sequence[DepthPlays] = (),
    next_scores: Sequence[NextScores] = (),
    log: Callable[[str], Any] | None = None,
) -> dict[str, dict[str, Any]]:
    """Fit the three decision cards and write them into ``output`` (atomically per file).

    Returns the cards ``{"air_time": ..., "completion": ..., "sigma": ...}``. Only the
    training and validation games are used; the test games are left for
    :func:`~ghosting.decision.evaluate.evaluate_decision`.
    """
    say = log or (lambda msg: None)
    split = game_split(ghost_model)
    passes = pass_table(datasets, split, pass_results)
    counts = split_counts(passes)
    if counts["train"]["labelled"] < 10:
        raise InputError(
            f"only {counts['train']['labelled']} labelled passes in the ghost model's training "
            "games: pass the data the ghost model was trained on"
        )
    games = {
        s: sorted(int(g) for g in np.unique(passes.game_id[passes.split == s]))
        for s in ("train", "validation")
    }
    common = {
        "ghost_model_sha256": ghost_model.sha256,
        "split": "the ghost model card's training.split_by_game: fitted on train, chosen on "
        "validation, measured on test by `ghosting evaluate`",
        "passes_by_split": counts,
        "training_games": games["train"],
        "validation_games": games["validation"],
        "licence": ghost_model.card.get("licence"),
    }
    air, air_info = fit_air_time(passes)
    say(f"air time: degree {air_info['degree']}, validation RMSE "
        f"{air_info['metrics']['validation']['rmse']:.3f} s")
    air_card = air.to_card(**air_info, **common)

    val_errors = ghost_errors(datasets, ghost_model, set(games["validation"]))
    cal = SigmaCalibration.fit(val_errors["err"], val_errors["sigma"])
    sigma_card = {
        "format": SIGMA_FORMAT,
        "meaning": "multiply the ghost model's per-frame sigma by the scale of its horizon "
        "bucket (frames after pass forward); fitted by maximum likelihood on the "
        "validation games, every defender, the real target and the real flight",
        "sigma_calibration": cal.to_card(),
        "validation_coverage_raw": sigma_coverage(val_errors["err"], val_errors["sigma"]),
        "validation_coverage_calibrated": sigma_coverage(
            val_errors["err"], val_errors["sigma"], cal
        ),
        **common,
    }
    say(f"sigma scales by horizon: {', '.join(f'{s:.2f}' for s in cal.scales)}")

    held_out = {g for g, s in split.items() if s in ("validation", "test")}
    prior, prior_info = fit_depth_prior(depth_plays, held_out)
    say(f"depth prior: {prior_info['passes_used']} passes of {prior_info['games_used']} games "
        f"(excluded {prior_info['excluded_passes']} of games {prior_info['excluded_games']})")
    ep, ep_info = (fit_expected_points(next_scores, held_out) if DECISION_VALUE ==
                   "expected_points" else (None, None))
    if ep_info is not None:
        say(f"expected points: {ep_info['plays_used']} plays of {ep_info['games_used']} games, "
            f"cross-validated RMSE {ep_info['cross_validation']['rmse']:.3f} (constant "
            f"{ep_info['cross_validation']['rmse_constant']:.3f})")
    fits = [_fit_completion(passes, fs, prior) for fs in FEATURE_SETS]
    by_set = {",".join(m.features): min(i["l2_grid_validation_log_loss"].values())
              for m, i in fits}
    full, full_info = min(fits, key=lambda mi: min(mi[1]["l2_grid_validation_log_loss"].values()))
    va = (passes.split == "validation") & np.isfinite(passes.complete)
    va &= np.isfinite(passes.features["air_yards"])
    prior_val = classification_metrics(prior.p_complete(passes.features["air_yards"][va]),
                                       passes.complete[va])
    full_info = dict(full_info, validation_log_loss_by_feature_set=by_set,
                     validation_prior_only=prior_val)
    sep, sep_info = _fit_completion(passes, ["separation_1"])
    tr = (passes.split == "train") & np.isfinite(passes.complete)
    rate = float(passes.complete[tr].mean())
    comp_card = full.to_card(
        labels="tracking events (pass_outcome_caught / pass_outcome_touchdown complete; "
        "pass_outcome_incomplete / pass_outcome_interception not), else a plays file's "
        "passResult (C complete; I, IN not)",
        fit=full_info,
        base_rate=rate,
        separation_only=sep.to_card(fit=sep_info),
        depth_prior_fit=prior_info,
        **({} if ep is None else {"expected_points": ep.to_card(fit=ep_info)}),
        **common,
    )
    comp_card["decision_rule"] = {"value": DECISION_VALUE}  # the margin is in its units
    rule = _choose_margin(datasets, ghost_model, CompletionModel.from_card(comp_card),
                          set(games["validation"]), pass_results)
    # the same rule valuing options by expected yards, for `ghosting evaluate`'s comparison
    ey_card = dict(comp_card, decision_rule={"value": "expected_yards"})
    ey_rule = _choose_margin(datasets, ghost_model, CompletionModel.from_card(ey_card),
                             set(games["validation"]), pass_results)
    rule["expected_yards_comparison"] = {"margin_yards": ey_rule["margin_yards"],
                                         "z": ey_rule["z"]}
    rule.update(_choose_min_separation(
        datasets, ghost_model, DecisionModels(air, CompletionModel.from_card(comp_card), cal),
        set(games["train"]), pass_results))
    comp_card["decision_rule"] = rule
    say(f"decision rule: {rule['value']}, margin {rule[MARGIN_KEYS[rule['value']]]:g}, "
        f"z {rule['z']:g}")
    say(f"completion: l2 {full.l2}, validation Brier {full_info['validation']['brier']:.4f} "
        f"(separation only {sep_info['validation']['brier']:.4f})")
    out = check_output_folder(output)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create output folder {str(out)!r}: {exc}") from exc
    cards = {"air_time": air_card, "completion": comp_card, "sigma": sigma_card}
    for name, card in cards.items():
        with atomic_path(out / f"{name}.json") as tmp:
            tmp.write_text(json.dumps(_finite(card), indent=1) + "\n")
    return cards


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if np.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    if isinstance(value, np.generic):
        return _finite(value.item())
    return value


def pass_results_near(sources: Sequence[str | os.PathLike[str]]) -> dict[tuple[int, int], bool]:
    """The ``passResult`` of every plays file (``plays.csv[.gz]``) beside the tracking
    files of ``sources`` (a file without the column contributes nothing)."""
    out: dict[tuple[int, int], bool] = {}
    for path in plays_files_near(sources):
        out.update(read_pass_results(path))
    return out


def train_decision_files(
    sources: Sequence[str | os.PathLike[str]],
    output: str | os.PathLike[str],
    *,
    model: str | os.PathLike[str] | None = None,
    targets: str | os.PathLike[str] | None = None,
    log: Callable[[str], Any] | None = None,
) -> dict[str, dict[str, Any]]:
    """Fit the three decision cards on tracking files and write them into ``output``.

    ``sources`` are tracking files, folders or glob patterns; ``model`` the ghost
    model folder (default: the shipped one), whose training and validation games the
    cards are fitted and chosen on. The pass results and the league depth prior come
    from the ``plays.csv[.gz]`` files beside the tracking (:func:`pass_results_near`,
    :func:`depth_plays_near`), and the next scores of the expected-points model
    (:func:`next_scores_near`). ``output`` is checked before anything is read.
    Returns the cards, as :func:`train_decision`.

    >>> cards = train_decision_files(["bdb2019/"], "cards/")  # doctest: +SKIP
    """
    check_output_folder(output)  # before minutes of reading
    ghost_model = GhostModel.load(model)
    datasets = load_sources(sources, targets=targets, log=log)
    return train_decision(datasets, ghost_model, output,
                          pass_results=pass_results_near(sources),
                          depth_plays=depth_plays_near(sources),
                          next_scores=next_scores_near(sources), log=log)  # fmt: skip

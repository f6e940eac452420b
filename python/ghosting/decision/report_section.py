"""The decision part of the HTML report (:mod:`ghosting.report`): the passer table
and, for the plays where a better option existed, the play's description (when the
plays table carries one), every option with its name, value and rank, and the play's
picture (one panel per option)."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..errors import GhostingError
from .tables import passers_table
from .value import MARGIN_KEYS, MARGIN_YARDS, Z_UNCERTAINTY

__all__ = ["decision_section", "better_decisions"]


def _shipped_rule() -> tuple[float, float, str]:
    """The better-option rule (margin, z, value) of the shipped completion card."""
    import json

    from .analyse import DEFAULT_DECISION_DIR

    try:
        rule = json.loads((DEFAULT_DECISION_DIR / "completion.json").read_text())["decision_rule"]
        kind = str(rule.get("value", "expected_yards"))
        return float(rule[MARGIN_KEYS[kind]]), float(rule["z"]), kind
    except (OSError, KeyError, TypeError, ValueError):
        return MARGIN_YARDS, Z_UNCERTAINTY, "expected_yards"


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return html.escape(str(value))


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def better_decisions(plays: pa.Table, top: int = 5) -> pa.Table:
    """The ``top`` plays with a better option, largest value gain first."""
    if "better_option" not in plays.column_names:
        return plays.slice(0, 0)
    chosen = plays.filter(pc.fill_null(plays["better_option"], False))
    key = "value_gain" if "value_gain" in chosen.column_names else "expected_yards_gain"
    return chosen.sort_by([(key, "descending"), ("game_id", "ascending"),
                           ("play_id", "ascending")]).slice(0, top)


def _who(o: dict[str, Any]) -> str:
    jersey = f"#{o['jersey_number']}" if o.get("jersey_number") is not None else None
    label = o.get("display_name") or jersey or str(o["nfl_id"])
    pos = f" ({o['position']})" if o.get("position") else ""
    return html.escape(f"{label}{pos}")


def decision_section(
    folder: Path, plays: pa.Table, top: int, picture: Any | None = None
) -> list[str]:
    """HTML parts of the decision section; ``picture(data)`` renders a play's PNG tag
    (None: no pictures). Empty when the output folder predates the decision columns."""
    if "decision_judged" not in plays.column_names:
        return []
    path = folder / "passers.parquet"
    passers = pq.read_table(path) if path.is_file() else passers_table(plays)
    margin, z, kind = _shipped_rule()
    unit = {"expected_points": "EP", "success": "", "expected_yards": "yd"}.get(kind, "")
    parts = [
        "<h2>The quarterback's decision</h2>",
        "<p class='muted'>Every receiver running a route gets his own flight (air-time "
        "model) and every defender is ghosted for it. An option's value is the expected "
        "points its throw adds: P(complete) × the expected points after the catch (yards "
        "past the line of scrimmage plus the league's yards after catch at that depth, "
        "with the down and distance) + the rest × the expected points after an "
        "incompletion or an interception, less the expected points before the snap. "
        "Receivers who stayed in to block, stood more than 5 yd behind the line or were "
        "covered more tightly than 90% of real throws are not valued. A better option "
        "beats the real target's value by more than the completion card's margin "
        f"(shipped cards: {margin:g} {unit}) and by more than {z:g} σ of the "
        "difference.</p>",
    ]
    rows = [
        [_fmt(p["passer_display_name"] or p["passer_nfl_id"]), _fmt(p["plays"]),
         _fmt(p["plays_judged"]),
         _fmt(p["better_option_share"], 2), _fmt(p["real_target_first_share"], 2),
         _fmt(p["expected_yards"]), _fmt(p.get("value_left"), 2)]
        for p in passers.to_pylist()
    ]
    parts.append(_table(["passer", "plays", "judged", "better option (share)",
                         "real target first (share)", "expected yards",
                         "expected points left"], rows))
    chosen = better_decisions(plays, top)
    if not chosen.num_rows:
        parts.append("<p>No play had a better option under the rule.</p>")
        return parts
    from ..plot import load_play

    for p in chosen.to_pylist():
        parts.append(f"<h3>game {p['game_id']} play {p['play_id']} · passer "
                     f"{_fmt(p.get('passer_display_name'))}</h3>")
        desc = p.get("play_description")
        if desc:
            parts.append(f"<p>{html.escape(str(desc))}</p>")
        opt_rows = [
            [_fmt(o["rank"]), _who(o) + (" (real target)" if o["is_real_target"] else ""),
             _fmt(o.get("club")), _fmt(o["p_complete"], 2), _fmt(o.get("value"), 2),
             _fmt(o.get("sigma_value"), 2), _fmt(o["expected_yards"]), _fmt(o["air_yards"]),
             _fmt(o["separation"]), _fmt(o["flight_frames"]), "yes" if o["better"] else "",
             _fmt(o.get("reason"))]
            for o in p["decision_options"]
        ]
        parts.append(_table(["rank", "receiver", "club", "P(complete)", "EPA", "σ",
                             "exp. yards", "air yards", "sep. (yd)", "flight", "better",
                             "not valued"], opt_rows))
        if picture is not None:
            try:
                data = load_play(folder, p["game_id"], p["play_id"])
            except GhostingError:  # a picture is a bonus: the table stands without it
                continue
            parts.append(f"<figure>{picture(data)}</figure>")
    return parts

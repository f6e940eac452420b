"""A self-contained HTML report about an output folder of ``ghosting run``.

One page for analysts, no external files: what was scored (and why the rest was
not), the Trajectory Score of real against ghost trajectories, the plays where the
quarterback had a more open receiver by the model — each with its description,
situation, the players' names and its picture —, the quarterback's decision
(:mod:`ghosting.decision.report_section`: the passer table and the plays with a
better option by expected yards, with every option), every scored play, and one row per
defensive back (trajectories, mean Trajectory Score real against ghost). Every table
sorts by a click on its header (a few lines of inline script, nothing fetched).

>>> from ghosting.report import write_report
>>> write_report("out/", "report.html")  # doctest: +SKIP
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ._util import atomic_path
from .decision.report_section import decision_section
from .errors import InputError
from .field_plot import situation_text
from .plot import check_output_path, draw_play, load_play, require_matplotlib

__all__ = ["write_report", "better_options", "render_report", "defender_table"]

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;
max-width:1300px;color:#212121;line-height:1.45;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;margin-top:2.2rem;
border-bottom:1px solid #ddd}h3{font-size:1.05rem;margin:1.6rem 0 .3rem}
table{border-collapse:collapse;margin:.5rem 0;font-size:.92rem}
td,th{padding:.25rem .6rem;border-bottom:1px solid #eee;text-align:right;vertical-align:top}
th{background:#f5f5f5;white-space:nowrap}th.sortable{cursor:pointer}
th.sortable:after{content:" \\2195";color:#9e9e9e}
td.text,th.text{text-align:left}.muted{color:#666;font-size:.9rem}
.play{border-top:1px solid #eee;padding-top:.5rem}.situation{color:#424242}
figure{margin:.6rem 0}img{max-width:100%;border:1px solid #ddd}.wide{overflow-x:auto}
td.text{max-width:22rem}
"""

_SORT_SCRIPT = """
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("th").forEach(function (th, col) {
    th.classList.add("sortable");
    th.addEventListener("click", function () {
      var body = table.tBodies[0], rows = Array.from(body.rows);
      var up = th.dataset.dir !== "asc"; th.dataset.dir = up ? "asc" : "desc";
      function key(row) {
        var cell = row.cells[col], v = cell.dataset.v !== undefined ? cell.dataset.v
                                                                  : cell.textContent;
        var n = parseFloat(v); return isNaN(n) ? v.toLowerCase() : n;
      }
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        if (typeof x !== typeof y) return typeof x === "number" ? -1 : 1;
        return (x < y ? -1 : x > y ? 1 : 0) * (up ? 1 : -1);
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
"""


def _load(outdir: Path) -> tuple[dict[str, Any], pa.Table, pa.Table | None]:
    summary_path = outdir / "summary.json"
    plays_path = outdir / "plays.parquet"
    scores_path = outdir / "scores.parquet"
    for path in (summary_path, plays_path):
        if not path.is_file():
            raise InputError(
                f"{outdir}: no {path.name} (is it an output folder of ghosting run?)"
            )
    try:
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
        plays = pq.read_table(plays_path)
        scores = pq.read_table(scores_path) if scores_path.is_file() else None
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise InputError(f"{outdir}: cannot read the outputs ({exc})") from exc
    return summary, plays, scores


def better_options(plays: pa.Table, top: int = 5) -> pa.Table:
    """The scored plays where the model leaves another receiver more open than the real
    target, largest separation gain first (at most ``top`` rows)."""
    mask = pc.and_(
        pc.equal(plays["status"], "scored"),
        pc.and_(
            pc.fill_null(pc.not_equal(plays["best_option"], plays["targeted_receiver"]), False),
            pc.fill_null(pc.greater(plays["separation_gain"], 0.0), False),
        ),
    )
    chosen = plays.filter(mask).sort_by([("separation_gain", "descending")])
    return chosen.slice(0, max(int(top), 0))


def defender_table(scores: pa.Table) -> list[dict[str, Any]]:
    """One row per defender of ``scores.parquet``, from the real target's rows: plays,
    mean TS of his real and of his ghost trajectories, their difference (ghost - real:
    negative when the model covers better than he did), mean distance of the ghost to
    the receiver at arrival; most plays first.

    >>> rows = defender_table(pq.read_table("out/scores.parquet"))  # doctest: +SKIP
    """
    rows = scores.filter(pc.fill_null(scores["is_real_target"], False))
    if not rows.num_rows:
        return []
    ids = np.asarray(rows["nfl_id"].to_numpy(), np.int64)
    ghost = np.asarray(rows["ts"].to_numpy(zero_copy_only=False), np.float64)
    real = np.asarray(pc.fill_null(rows["real_ts"], np.nan).to_numpy(zero_copy_only=False),
                      np.float64)
    distance = np.asarray(rows["distance_at_arrival"].to_numpy(zero_copy_only=False),
                          np.float64)
    names = {c: rows[c].to_pylist() if c in rows.column_names else [None] * rows.num_rows
             for c in ("display_name", "position", "club")}
    out = []
    for nfl_id in np.unique(ids):
        at = np.flatnonzero(ids == nfl_id)
        both = at[np.isfinite(real[at]) & np.isfinite(ghost[at])]
        out.append({
            "nfl_id": int(nfl_id),
            "display_name": names["display_name"][at[0]],
            "position": names["position"][at[0]],
            "club": names["club"][at[0]],
            "plays": len(at),
            "real_ts": float(np.mean(real[both])) if len(both) else math.nan,
            "ghost_ts": float(np.mean(ghost[both])) if len(both) else math.nan,
            "ghost_minus_real": float(np.mean(ghost[both] - real[both])) if len(both)
            else math.nan,
            "ghost_distance": float(np.nanmean(distance[at])) if np.isfinite(distance[at]).any()
            else math.nan,
        })
    out.sort(key=lambda r: (-r["plays"], r["display_name"] or "", r["nfl_id"]))
    return out


def _fmt(value: Any, digits: int = 3, signed: bool = True) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if isinstance(value, float):
        return f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return html.escape(str(value))


def _cell(value: Any, digits: int = 3, signed: bool = True, text: bool = False) -> str:
    """A table cell; numbers carry their value for sorting."""
    shown = _fmt(value, digits, signed) if not text else html.escape(str(value or "–"))
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return f'<td data-v="{value}">{shown}</td>'
    return f'<td class="text">{shown}</td>' if text else f"<td>{shown}</td>"


def _table(header: list[str], rows: list[list[str]], *, text_columns: int = 1,
           sortable: bool = True) -> str:
    head = "".join(
        f'<th class="text">{html.escape(h)}</th>' if k < text_columns
        else f"<th>{html.escape(h)}</th>"
        for k, h in enumerate(header)
    )
    body = "".join("<tr>" + "".join(row) + "</tr>" for row in rows)
    cls = ' class="sortable"' if sortable else ""
    return (f"<div class='wide'><table{cls}><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table></div>")


def _names(plays: pa.Table) -> dict[tuple[int, int], str]:
    """(play_id, nfl_id) -> display name, from the plays' options."""
    out: dict[tuple[int, int], str] = {}
    if "options" not in plays.column_names:
        return out
    for play_id, options in zip(plays["play_id"].to_pylist(), plays["options"].to_pylist(),
                                strict=True):
        for option in options or []:
            if option.get("display_name"):
                out[(play_id, option["nfl_id"])] = option["display_name"]
    return out


def _who(play: dict[str, Any], nfl_id: int | None, names: dict[tuple[int, int], str]) -> str:
    if nfl_id is None:
        return "–"
    name = names.get((play["play_id"], nfl_id))
    return html.escape(name) if name else f"#{nfl_id}"


def _situation(play: dict[str, Any], direction: bool = True) -> str:
    return html.escape(situation_text(play, direction=direction))


def _picture(data: Any) -> str:
    """The play of :class:`~ghosting.plot.PlayData` ``data`` as an embedded PNG."""
    game_id, play_id = data.play["game_id"], data.play["play_id"]
    fig = draw_play(data, dpi=90)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="game {game_id} play {play_id}" src="data:image/png;base64,{encoded}">'


def _scored_sentence(counts: dict[str, Any]) -> str:
    read, scored = counts.get("plays_read", 0), counts.get("plays_scored", 0)
    games = counts.get("games", 0)
    text = (f"{_fmt(scored)} of {_fmt(read)} plays scored "
            f"({_fmt(games)} game{'s' if games != 1 else ''}); "
            f"{_fmt(counts.get('ghost_trajectories', 0))} ghost trajectories over "
            f"{_fmt(counts.get('target_options', 0))} target options.")
    better = counts.get("plays_with_better_option")
    if scored and better is not None:
        text += (f" On {_fmt(better)} scored play{'s' if better != 1 else ''} the model "
                 "leaves another receiver more open than the one targeted.")
    return text


def _nothing_scored(counts: dict[str, Any]) -> str:
    skipped = counts.get("skipped_by_reason") or {}
    if not counts.get("plays_read"):
        return "<p><strong>Nothing was scored: the input had no plays.</strong></p>"
    reasons = "; ".join(f"{html.escape(str(r))}: {_fmt(n)}" for r, n in skipped.items())
    return (
        "<p><strong>Nothing was scored</strong>, so there are no ghosts to compare and no "
        f"better options to show. Every play was skipped — {reasons or 'no reason given'}."
        "</p>"
    )


def _play_rows(plays: list[dict[str, Any]], names: dict[tuple[int, int], str]) -> list[list[str]]:
    rows = []
    for p in plays:
        rows.append([
            f'<td class="text">{p["game_id"]}:{p["play_id"]}</td>',
            f'<td class="text">{_situation(p, direction=False) or "–"}</td>',
            f'<td class="text">{html.escape(p.get("passer_display_name") or "–")}</td>',
            f'<td class="text">{_who(p, p["targeted_receiver"], names)}</td>',
            _cell(p["target_separation"], 1, False),
            f'<td class="text">{_who(p, p["best_option"], names)}</td>',
            _cell(p["best_separation"], 1, False),
            _cell(p["separation_gain"], 1),
            _cell(p["real_play_score"]),
            _cell(p["ghost_play_score"]),
        ])
    return rows


_PLAY_HEADER = ["play", "situation", "passer", "target", "sep. (yd)", "most open",
                "sep. (yd)", "gain (yd)", "real play score", "ghost play score"]


def render_report(outdir: str | os.PathLike[str], *, top: int = 5, pictures: bool = True) -> str:
    """The report's HTML text (see :func:`write_report`)."""
    folder = Path(outdir)
    summary, plays, scores = _load(folder)
    if pictures:
        require_matplotlib()
    counts = summary.get("counts", {})
    names = _names(plays)
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<title>Defender ghosting report</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Defender ghosting report</h1>",
        f"<p class='muted'>{html.escape(', '.join(map(str, summary.get('inputs', []))))}</p>",
        "<p>For every pass play, the model predicts where each defensive back would have run "
        "while the ball was in the air — for the receiver who was targeted and for every other "
        "receiver the quarterback could have thrown to — and scores each trajectory with the "
        "Trajectory Score (more negative: the defender closes on the catch point harder).</p>",
    ]
    scored = plays.filter(pc.equal(plays["status"], "scored")) if plays.num_rows else plays
    if not scored.num_rows:
        parts.append(_nothing_scored(counts))
    else:
        parts.append(f"<p>{_scored_sentence(counts)}</p>")
        skipped = counts.get("skipped_by_reason") or {}
        if skipped:
            parts.append("<p class='muted'>Not scored: " + "; ".join(
                f"{html.escape(str(r))} ({_fmt(n)})" for r, n in skipped.items()) + ".</p>")
        parts.extend(_ts_section(summary))
        parts.extend(_better_section(folder, plays, names, top, pictures))
        parts.extend(decision_section(folder, plays, top, _picture if pictures else None))
        parts.append("<h2>Every scored play</h2>")
        parts.append("<p class='muted'>Separation: the receiver's predicted distance to the "
                     "nearest ghost defender when the ball arrives, had the ball gone to him. "
                     "Click a header to sort.</p>")
        parts.append(_table(_PLAY_HEADER, _play_rows(scored.to_pylist(), names),
                            text_columns=4))
        if scores is not None:
            parts.extend(_defender_section(scores))
    model = summary.get("model", {})
    parts.append(
        f"<p class='muted'>Model: {html.escape(str(model.get('name')))}; ghosting "
        f"{html.escape(str(summary.get('ghosting_version')))}. Positions are in yards with "
        "the offense moving toward +x (plays going left are mirrored; "
        "<code>ghosting.to_raw_coordinates</code> maps them back). Tracking data: NFL Next "
        "Gen Stats, research and non-commercial use.</p>"
    )
    parts.append(f"<script>{_SORT_SCRIPT}</script>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _ts_section(summary: dict[str, Any]) -> list[str]:
    labels = {"real": "real", "ghost_real_target": "ghost real target",
              "ghost_all_options": "ghost all options"}
    rows = [
        [
            f'<td class="text">{html.escape(labels.get(name, name.replace("_", " ")))}</td>',
            _cell(row.get("trajectories")),
            _cell(row.get("ps"), 4),
            _cell(row.get("dr"), 3, False),
            _cell(row.get("sp"), 3, False),
            _cell(row.get("ts"), 4),
            _cell(row.get("play_score"), 4),
        ]
        for name, row in summary.get("trajectory_score", {}).items()
    ]
    return [
        "<h2>Trajectory Score</h2>",
        "<p class='muted'>Means over trajectories; more negative is better. <em>real</em>: what "
        "the defensive backs did; <em>ghost real target</em>: the model's runs for the same "
        "pass; <em>ghost all options</em>: the model's runs for every receiver. PS: closing "
        "speed on the catch point (yd/frame), DR: effort (1 = the best-effort distance), SP: "
        "superhuman steps, play score: weighted by closeness to the target.</p>",
        _table(["trajectories", "n", "PS", "DR", "SP", "TS", "play score"], rows),
    ]


def _better_section(folder: Path, plays: pa.Table, names: dict[tuple[int, int], str], top: int,
                    pictures: bool) -> list[str]:
    chosen = better_options(plays, top)
    parts = ["<h2>Plays with a more open receiver (ghosted backs, real flight)</h2>"]
    if not chosen.num_rows:
        parts.append("<p>On no scored play does the model leave another receiver more open "
                     "than the one targeted.</p>")
        return parts
    parts.append("<p class='muted'>By the model: another receiver would have been further "
                 "from the nearest ghost defender at arrival than the real target was; largest "
                 "gain first.</p>")
    rows = chosen.to_pylist()
    parts.append(_table(_PLAY_HEADER, _play_rows(rows, names), text_columns=4))
    for p in rows:
        parts.append("<div class='play'>")
        passer = html.escape(p.get("passer_display_name") or "pass")
        title = (f"{p['game_id']}:{p['play_id']} — {passer}"
                 f" to {_who(p, p['targeted_receiver'], names)}; most open: "
                 f"{_who(p, p['best_option'], names)} (+{_fmt(p['separation_gain'], 1, False)} yd)")
        parts.append(f"<h3>{title}</h3>")
        situation = _situation(p)
        if situation:
            parts.append(f"<p class='situation'>{situation}</p>")
        if p.get("play_description"):
            parts.append(f"<p>{html.escape(p['play_description'])}</p>")
        if pictures:
            data = load_play(folder, p["game_id"], p["play_id"])
            parts.append(f"<figure>{_picture(data)}</figure>")
        parts.append("</div>")
    return parts


def _defender_section(scores: pa.Table) -> list[str]:
    rows = defender_table(scores)
    if not rows:
        return []
    body = [
        [
            f'<td class="text">{html.escape(r["display_name"] or str(r["nfl_id"]))}</td>',
            f'<td class="text">{html.escape(r["position"] or "–")}</td>',
            f'<td class="text">{html.escape(r["club"] or "–")}</td>',
            _cell(r["plays"]),
            _cell(r["real_ts"]),
            _cell(r["ghost_ts"]),
            _cell(r["ghost_minus_real"]),
            _cell(r["ghost_distance"], 1, False),
        ]
        for r in rows
    ]
    return [
        "<h2>Defensive backs</h2>",
        "<p class='muted'>Per defender, over the passes he was ghosted on (the real target): "
        "mean Trajectory Score of what he ran and of the model's run; ghost − real below zero "
        "means the model would have closed harder than he did. Distance: the ghost to the "
        "receiver when the ball arrives.</p>",
        _table(["defender", "pos.", "team", "plays", "real TS", "ghost TS", "ghost − real",
                "ghost distance (yd)"], body, text_columns=3),
    ]


def write_report(
    outdir: str | os.PathLike[str],
    path: str | os.PathLike[str],
    *,
    top: int = 5,
    pictures: bool = True,
) -> Path:
    """Write the HTML report of an output folder to ``path`` (atomically).

    ``top`` plays where the quarterback had a better option are shown, each with
    its description, situation and picture (``pictures=True`` needs matplotlib:
    ``pip install "ghosting[plot]"``).

    >>> write_report("out/", "report.html", top=3)  # doctest: +SKIP
    PosixPath('report.html')
    """
    if top < 0:
        raise InputError(f"top must be >= 0, got {top}")
    check_output_path(outdir, path)
    text = render_report(outdir, top=top, pictures=pictures)
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)

"""A self-contained HTML report about an output folder of ``ghosting run``.

One page, no external files: the run's summary (counts, skipped plays by
reason, model, throughput, settings), the Trajectory Score table (real against
ghost trajectories), the plays where the ghost backs would have left another
receiver more open than the real target, and the quarterback's decision
(:mod:`ghosting.decision.report_section`: the passer table and the plays with a
better option by expected yards, with every option), each play with its picture
embedded as a base64 PNG.

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

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .errors import InputError

__all__ = ["write_report", "better_options", "render_report"]

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;
max-width:1100px;color:#212121;line-height:1.4;padding:0 1rem}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5rem 0}td,th{padding:.25rem .6rem;
border-bottom:1px solid #eee;text-align:right}th{background:#f5f5f5}
td:first-child,th:first-child{text-align:left}.muted{color:#757575;font-size:.9rem}
figure{margin:1rem 0}img{max-width:100%;border:1px solid #ddd}
code{background:#f5f5f5;padding:0 .2rem}
"""


def _load(outdir: Path) -> tuple[dict[str, Any], pa.Table]:
    summary_path = outdir / "summary.json"
    plays_path = outdir / "plays.parquet"
    for path in (summary_path, plays_path):
        if not path.is_file():
            raise InputError(
                f"{outdir}: no {path.name} (is it an output folder of ghosting run?)"
            )
    try:
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
        plays = pq.read_table(plays_path)
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise InputError(f"{outdir}: cannot read the outputs ({exc})") from exc
    return summary, plays


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


def _fmt(value: Any, digits: int = 3, signed: bool = True) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if isinstance(value, float):
        return f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return html.escape(str(value))


def _player(nfl_id: int | None, jerseys: dict[int, int]) -> str:
    """``#87 (2552471)``: the jersey number when known, and the nfl_id."""
    if nfl_id is None:
        return "–"
    number = jerseys.get(int(nfl_id))
    return f"#{number} ({nfl_id})" if number is not None else str(nfl_id)


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _picture(data: Any) -> str:
    """The play of :class:`~ghosting.plot.PlayData` ``data`` as an embedded PNG."""
    from .plot import draw_play

    game_id, play_id = data.play["game_id"], data.play["play_id"]
    fig = draw_play(data, dpi=80)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (
        f'<img alt="game {game_id} play {play_id}" src="data:image/png;base64,{data}">'
    )


def render_report(outdir: str | os.PathLike[str], *, top: int = 5, pictures: bool = True) -> str:
    """The report's HTML text (see :func:`write_report`)."""
    folder = Path(outdir)
    summary, plays = _load(folder)
    if pictures:
        from .plot import require_matplotlib

        require_matplotlib()
    counts = summary.get("counts", {})
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<title>ghosting report</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Ghosting report</h1>",
        f"<p class='muted'>{html.escape(str(folder))} · inputs: "
        f"{html.escape(', '.join(map(str, summary.get('inputs', []))))}</p>",
        "<h2>Summary</h2>",
    ]
    count_rows = [
        [html.escape(k.replace("_", " ")), _fmt(v)]
        for k, v in counts.items()
        if not isinstance(v, dict)
    ]
    parts.append(_table(["count", "value"], count_rows))
    skipped = counts.get("skipped_by_reason") or {}
    if skipped:
        parts.append("<p>Plays skipped, by reason:</p>")
        parts.append(
            _table(["reason", "plays"], [[html.escape(r), _fmt(n)] for r, n in skipped.items()])
        )
    model = summary.get("model", {})
    throughput = summary.get("throughput", {})
    parts.append(
        f"<p>Model <code>{html.escape(str(model.get('name')))}</code> (card sha256 "
        f"<code>{html.escape(str(model.get('card_sha256')))}</code>). "
        f"{_fmt(throughput.get('seconds'), 1, False)} s: "
        f"{_fmt(throughput.get('plays_per_second'), 1, False)} plays/s, "
        f"{_fmt(throughput.get('ghost_trajectories_per_second'), 0, False)} ghost "
        "trajectories/s.</p>"
    )

    parts.append("<h2>Trajectory Score</h2>")
    parts.append(
        "<p class='muted'>Means over trajectories with a finite score; more negative is "
        "better. PS: positional convergence (yd/frame), DR: distance ratio, SP: superhuman "
        "steps per trajectory, TS: Trajectory Score; play: distance-weighted play score.</p>"
    )
    ts_rows = [
        [
            html.escape(name.replace("_", " ")),
            _fmt(row.get("trajectories")),
            _fmt(row.get("ps"), 4),
            _fmt(row.get("dr"), 3, False),
            _fmt(row.get("sp"), 3, False),
            _fmt(row.get("ts"), 4),
            _fmt(row.get("play_score"), 4),
        ]
        for name, row in summary.get("trajectory_score", {}).items()
    ]
    parts.append(_table(["trajectories", "n", "PS", "DR", "SP", "TS", "play"], ts_rows))

    chosen = better_options(plays, top)
    parts.append("<h2>Plays with a more open receiver (ghosted backs, real flight)</h2>")
    if not chosen.num_rows:
        parts.append("<p>No play: the model never leaves another receiver more open.</p>")
    else:
        parts.append(
            "<p class='muted'>Separation: the receiver's predicted distance to the nearest "
            "ghost defender when the ball arrives, had the ball gone to him.</p>"
        )
        from .plot import load_play

        rows = []
        figures = []
        for p in chosen.to_pylist():
            data = load_play(folder, p["game_id"], p["play_id"])  # read once: table and picture
            jerseys = data.jerseys
            if pictures:
                figures.append(
                    f"<figure>{_picture(data)}<figcaption>game {p['game_id']} "
                    f"play {p['play_id']}</figcaption></figure>"
                )
            rows.append(
                [
                    f"{p['game_id']}:{p['play_id']}",
                    _player(p["targeted_receiver"], jerseys),
                    _fmt(p["target_separation"], 1, False),
                    _player(p["best_option"], jerseys),
                    _fmt(p["best_separation"], 1, False),
                    _fmt(p["separation_gain"], 1),
                    _fmt(p["real_play_score"]),
                    _fmt(p["ghost_play_score"]),
                ]
            )
        parts.append(
            _table(
                ["play", "target", "sep. (yd)", "most open", "sep. (yd)", "gain (yd)",
                 "real play", "ghost play"],
                rows,
            )
        )
        parts.extend(figures)
    from .decision.report_section import decision_section

    parts.extend(decision_section(folder, plays, top, _picture if pictures else None))
    settings = summary.get("settings", {})
    parts.append("<h2>Settings</h2>")
    parts.append(
        _table(
            ["setting", "value"],
            [[html.escape(k), html.escape("–" if v is None else str(v))]
             for k, v in settings.items()],
        )
    )
    parts.append(
        f"<p class='muted'>ghosting {html.escape(str(summary.get('ghosting_version')))}. "
        "Tracking data: NFL Next Gen Stats, research and non-commercial use.</p>"
    )
    parts.append("</body></html>\n")
    return "\n".join(parts)


def write_report(
    outdir: str | os.PathLike[str],
    path: str | os.PathLike[str],
    *,
    top: int = 5,
    pictures: bool = True,
) -> Path:
    """Write the HTML report of an output folder to ``path`` (atomically).

    ``top`` plays where the quarterback had a better option are shown, each with
    its picture (``pictures=True`` needs matplotlib: ``pip install "ghosting[plot]"``).

    >>> write_report("out/", "report.html", top=3)  # doctest: +SKIP
    PosixPath('report.html')
    """
    from ._util import atomic_path

    if top < 0:
        raise InputError(f"top must be >= 0, got {top}")
    text = render_report(outdir, top=top, pictures=pictures)
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


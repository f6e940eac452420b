"""Pictures of ghosted plays (extra ``plot``: matplotlib).

:func:`plot_play` draws one play of an output folder of ``ghosting run`` (or of a
:class:`~ghosting.pipeline.Results`): a large panel with the field (yard numbers,
hash marks, end zones, the line of scrimmage and the first-down line), every
player's real trajectory while the ball is in the air and the ball's landing
point, a legend and the play's description and situation; then one panel per
target option with the defensive backs' ghost trajectories had the ball gone to
that receiver. Players are labelled by jersey number. The figure is written in the
format its file name says (``.png``, ``.svg``, ``.pdf``, ``.jpg``).

>>> from ghosting.plot import plot_play
>>> fig = plot_play("out/", 2018120600, 75, "play.png")  # doctest: +SKIP
"""

from __future__ import annotations

import math
import os
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ._util import atomic_path
from .errors import GhostingError, InputError
from .field_plot import COLOURS, draw_field, field_box, legend_handles, situation_text
from .pipeline.outputs import OUTPUT_FILES
from .pipeline.paths import check_outputs

__all__ = [
    "plot_play", "draw_play", "parse_play", "PlayData", "load_play", "FIGURE_FORMATS",
    "figure_format",
]

if TYPE_CHECKING:
    from .pipeline import Results

_OFFENSE = COLOURS["offense"]
_DEFENSE = COLOURS["defense"]
_GHOST = COLOURS["ghost"]
_BALL = COLOURS["ball"]
_TARGET = COLOURS["target"]

#: File name suffix -> the format matplotlib writes.
FIGURE_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf", ".jpg": "jpeg",
                  ".jpeg": "jpeg"}


def require_matplotlib() -> Any:
    """Import matplotlib's Figure, or raise a GhostingError naming the extra."""
    try:  # matplotlib: the optional extra `plot`, loaded only to draw
        import matplotlib

        matplotlib.use("Agg", force=False)
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise GhostingError(
            'pictures need matplotlib: pip install "ghosting[plot]"'
        ) from exc
    return Figure


def check_output_path(
    source: str | os.PathLike[str] | Results, path: str | os.PathLike[str] | None
) -> None:
    """Refuse, before anything is drawn, an output ``path`` (a picture, an animation,
    a report) that would overwrite the run folder ``source`` reads: one of its files,
    a hard link to one, or the folder itself (an :class:`~ghosting.errors.InputError`
    naming both). A :class:`Results` in memory or no ``path``: nothing to check.

    >>> check_output_path("out/", "out/plays.parquet")
    Traceback (most recent call last):
    ...
    ghosting.errors.InputError: output out/plays.parquet is the input run folder \
out/plays.parquet: writing there would overwrite an input; nothing was written \
(choose an output outside the inputs)
    """
    if path is None or not isinstance(source, (str, os.PathLike)):
        return
    folder = Path(source)
    if Path(path).resolve() == folder.resolve():
        raise InputError(f"{path}: is the run folder read; write the output elsewhere")
    check_outputs({"run folder": [folder / name for name in OUTPUT_FILES]}, {"output": path})


def parse_play(text: str) -> tuple[int, int]:
    """``"GAME:PLAY"`` -> ``(game_id, play_id)``.

    >>> parse_play("2018120600:75")
    (2018120600, 75)
    """
    game, sep, play = str(text).partition(":")
    try:
        if not sep:
            raise ValueError
        return int(game), int(play)
    except ValueError:
        raise InputError(f"--play must be GAME:PLAY (two integers), got {text!r}") from None


@dataclass
class PlayData:
    """One play of an output folder: its ``plays`` row and trajectories."""

    play: dict[str, Any]
    real: pa.Table
    ghosts: pa.Table
    jerseys: dict[int, int]
    names: dict[int, str] = field(default_factory=dict)

    def name(self, nfl_id: int | None) -> str:
        """``"#87 T.Kelce"``-like label: jersey and name when known."""
        if nfl_id is None:
            return "-"
        number = self.jerseys.get(int(nfl_id))
        name = self.names.get(int(nfl_id))
        tag = f"#{number}" if number is not None else str(nfl_id)
        return f"{tag} {name}" if name else tag


def _read(source: Any, name: str, game_id: int, play_id: int) -> pa.Table:
    if hasattr(source, name):  # a Results
        table = getattr(source, name)
        mask = pc.and_(
            pc.equal(table["game_id"], game_id), pc.equal(table["play_id"], play_id)
        )
        return table.filter(mask)
    path = Path(source) / f"{name}.parquet"
    if not path.is_file():
        raise InputError(f"{source}: no {name}.parquet (is it an output folder of ghosting run?)")
    try:
        return pq.read_table(
            path, filters=[("game_id", "=", game_id), ("play_id", "=", play_id)]
        )
    except (OSError, pa.ArrowException) as exc:
        raise InputError(f"{path}: cannot read ({exc})") from exc


def load_play(source: str | os.PathLike[str] | Results, game_id: int, play_id: int) -> PlayData:
    """Read one play of an output folder (or a Results); InputError if it is not there
    or was not scored."""
    plays = _read(source, "plays", game_id, play_id)
    if not plays.num_rows:
        raise InputError(f"play {game_id}:{play_id} is not in {_label(source)}")
    play = plays.to_pylist()[0]
    if play["status"] != "scored":
        raise InputError(
            f"play {game_id}:{play_id} was not scored ({play['reason']}): nothing to draw"
        )
    rows = _read(source, "trajectories", game_id, play_id)
    real = rows.filter(pc.equal(rows["kind"], "real"))
    ghosts = rows.filter(pc.equal(rows["kind"], "ghost"))
    jerseys: dict[int, int] = {}
    known = real.filter(pc.is_valid(real["jersey_number"]))
    if known.num_rows:
        ids = known["nfl_id"].to_numpy()
        numbers = known["jersey_number"].to_numpy()
        _, first = np.unique(ids, return_index=True)
        jerseys = {int(ids[i]): int(numbers[i]) for i in first}
    names: dict[int, str] = {}
    if "display_name" in real.column_names:
        named = real.filter(pc.and_(pc.is_valid(real["display_name"]),
                                    pc.not_equal(real["nfl_id"], 0)))
        names = dict(zip(named["nfl_id"].to_pylist(), named["display_name"].to_pylist(),
                         strict=True))
    return PlayData(play, real, ghosts, jerseys, names)


def _label(source: Any) -> str:
    return "the results" if hasattr(source, "plays") else str(source)


def _tracks(table: pa.Table) -> dict[int, tuple[np.ndarray, np.ndarray, str]]:
    """nfl_id -> (x, y, side) of each track, in frame order."""
    if not table.num_rows:
        return {}
    table = table.sort_by([("nfl_id", "ascending"), ("frame_id", "ascending")])
    ids = table["nfl_id"].to_numpy()
    x = table["x"].to_numpy()
    y = table["y"].to_numpy()
    side = pc.fill_null(table["side"], "").to_pylist()
    cuts = np.flatnonzero(np.diff(ids)) + 1
    bounds = np.concatenate([[0], cuts, [len(ids)]])
    return {
        int(ids[a]): (x[a:b], y[a:b], side[a])
        for a, b in zip(bounds[:-1], bounds[1:], strict=True)
    }


def _jersey(data: PlayData, nfl_id: int) -> str:
    number = data.jerseys.get(nfl_id)
    return str(number) if number is not None else str(nfl_id)[-2:]


def _label_point(ax: Any, x: float, y: float, text: str, color: str, size: float) -> None:
    dark_text = color == _TARGET
    ax.text(x, y, text, ha="center", va="center", fontsize=size,
            color="black" if dark_text else "white", fontweight="bold", zorder=9,
            bbox={"boxstyle": "circle,pad=0.25", "fc": color, "ec": "white", "lw": 0.6,
                  "alpha": 0.95})


def _draw_real(ax: Any, data: PlayData, target: int | None, faint: bool = False,
               label_size: float = 8) -> None:
    for nfl_id, (x, y, side) in _tracks(data.real).items():
        if side == "ball" or nfl_id == 0:
            ax.plot(x, y, color=_BALL, lw=1.6 if not faint else 1.0, ls=":",
                    alpha=1.0 if not faint else 0.5, zorder=3)
            continue
        color = _OFFENSE if side == "offense" else _DEFENSE
        if faint:
            ax.plot(x, y, color=color, lw=1.0, alpha=0.3, zorder=2)
            continue
        is_target = target is not None and nfl_id == target
        if is_target:  # a dark edge so the gold reads on grass
            ax.plot(x, y, color="black", lw=4.2, alpha=0.6, zorder=4)
        ax.plot(x, y, color=_TARGET if is_target else color, lw=2.8 if is_target else 1.6,
                alpha=0.95, zorder=4)
        ax.plot(x[:1], y[:1], "o", color=color, ms=3, zorder=4)
        _label_point(ax, x[-1], y[-1], _jersey(data, nfl_id), _TARGET if is_target else color,
                     label_size)


def _shown_options(play: dict[str, Any], max_options: int) -> list[dict[str, Any]]:
    """The most open options, and the real target's whatever its rank."""
    options = list(play["options"] or [])
    shown = options[:max_options]
    real = [o for o in options[max_options:] if o["is_real_target"]]
    return shown[: max_options - len(real)] + real if real else shown


def _title(data: PlayData, game_id: int, play_id: int) -> str:
    play = data.play
    target, best = play["targeted_receiver"], play["best_option"]
    title = f"Game {game_id}, play {play_id}"
    passer = play.get("passer_nfl_id")
    if passer is not None:
        title += f": {data.name(passer)}"
    if target is None:
        return title
    title += f" to {data.name(target)}"
    if best is not None and best != target:
        title += f"\nmost open by the model: {data.name(best)}"
    return title


def _subtitle(data: PlayData) -> str:
    play = data.play
    lines = []
    description = play.get("play_description")
    if description:
        lines.append(_wrap(str(description), 150))
    situation = situation_text(play)
    scores = (f"play score real {_num(play['real_play_score'])}, ghost "
              f"{_num(play['ghost_play_score'])} (lower is better coverage)")
    lines.append(" · ".join(p for p in (situation, scores) if p))
    return "\n".join(lines)


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def _draw_option(
    ax: Any,
    data: PlayData,
    option: dict[str, Any],
    real_tracks: dict[int, tuple[np.ndarray, np.ndarray, str]],
    ghost_tracks: dict[int, tuple[np.ndarray, np.ndarray]],
) -> None:
    """One option's panel: the receiver's route and catch point, the ghosts' runs."""
    receiver = option["nfl_id"]
    if receiver in real_tracks:
        x, y, _ = real_tracks[receiver]
        color = _TARGET if option["is_real_target"] else _OFFENSE
        if option["is_real_target"]:
            ax.plot(x, y, color="black", lw=3.6, alpha=0.6, zorder=4)
        ax.plot(x, y, color=color, lw=2.4, zorder=4)
        ax.plot(x[-1:], y[-1:], marker="*", color=_TARGET, ms=15, mec="black", mew=0.6,
                zorder=8)
    for defender, (x, y) in ghost_tracks.items():
        ax.plot(x, y, color=_GHOST, lw=1.8, ls="--", zorder=5)
        _label_point(ax, x[-1], y[-1], _jersey(data, defender), _GHOST, 8)
    tag = f"option {option['rank']}" + (" (real target)" if option["is_real_target"] else "")
    ax.set_title(
        f"{tag}: {_short(data.name(receiver), 24)}\n"
        f"nearest ghost shown {_num(option['separation'], 1)} yd, "
        f"ghost play {_num(option['ghost_play_score'])}",
        fontsize=9,
    )


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def figure_format(path: str | os.PathLike[str]) -> str:
    """The format a picture file's suffix names (InputError for any other suffix).

    >>> figure_format("play.svg")
    'svg'
    """
    suffix = Path(path).suffix.lower()
    if suffix not in FIGURE_FORMATS:
        known = ", ".join(FIGURE_FORMATS)
        raise InputError(
            f"{path}: cannot write a picture as {suffix or 'a file without a suffix'!r}; "
            f"use one of {known}"
        )
    return FIGURE_FORMATS[suffix]


def plot_play(
    source: str | os.PathLike[str] | Results,
    game_id: int,
    play_id: int,
    path: str | os.PathLike[str] | None = None,
    *,
    dpi: int = 110,
    max_options: int = 6,
) -> Any:
    """Draw one ghosted play; save it to ``path`` (written atomically) if given.

    ``source`` is an output folder of ``ghosting run`` or a :class:`Results`. The
    large panel shows the real play; one panel per target option (the
    ``max_options`` most open, and always the real target) shows the ghosts. The
    file's suffix picks the format: ``.png``, ``.svg``, ``.pdf``, ``.jpg``/``.jpeg``
    (anything else is an InputError). Returns the matplotlib Figure. Needs the extra
    ``plot`` (matplotlib).

    >>> fig = plot_play("out/", 2018120600, 75, "play.svg")  # doctest: +SKIP
    """
    if int(max_options) < 1:
        raise InputError(f"max_options must be at least 1, got {max_options}")
    if int(dpi) < 10:
        raise InputError(f"dpi must be at least 10, got {dpi}")
    check_output_path(source, path)
    require_matplotlib()
    fmt = figure_format(path) if path is not None else None
    data = load_play(source, int(game_id), int(play_id))
    fig = draw_play(data, dpi=dpi, max_options=max_options)
    if path is not None:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=fmt)
    return fig


def option_grid(n: int, max_columns: int = 3) -> tuple[int, int]:
    """``(rows, columns)`` for ``n`` option panels: as few rows as ``max_columns``
    allows, the panels spread evenly over them (5 panels: 3 + 2, never 4 + 1).

    >>> [option_grid(n) for n in (1, 2, 4, 5, 6, 7)]
    [(1, 1), (1, 2), (2, 2), (2, 3), (2, 3), (3, 3)]
    """
    if n <= 0:
        return 0, 0
    rows = math.ceil(n / max_columns)
    return rows, math.ceil(n / rows)


def _play_box(data: PlayData) -> tuple[float, float, float, float]:
    play = data.play
    xs: list[float] = []
    ys: list[float] = []
    for table in (data.real, data.ghosts):
        for name, values in (("x", xs), ("y", ys)):
            if table.num_rows:
                v = table[name].to_numpy(zero_copy_only=False)
                v = v[np.isfinite(v)]
                if len(v):
                    values += [float(v.min()), float(v.max())]
    for key in ("ball_land_x", "line_of_scrimmage", "first_down_line"):
        value = play.get(key)
        if value is not None and math.isfinite(value):
            xs.append(float(value))
    land_y = play.get("ball_land_y")
    if land_y is not None and math.isfinite(land_y):
        ys.append(float(land_y))
    return field_box(xs, ys)


def draw_play(data: PlayData, *, dpi: int = 110, max_options: int = 6) -> Any:
    """The Figure of :func:`plot_play` for a play already read with :func:`load_play`.

    >>> fig = draw_play(load_play("out/", 2018120600, 75))  # doctest: +SKIP
    """
    figure_cls = require_matplotlib()
    play = data.play
    game_id, play_id = play["game_id"], play["play_id"]
    options = _shown_options(play, max(int(max_options), 1))
    land = (play["ball_land_x"], play["ball_land_y"])
    has_land = land[0] is not None and land[1] is not None and all(map(math.isfinite, land))
    box = _play_box(data)
    lines = {"line_of_scrimmage": play.get("line_of_scrimmage"),
             "first_down_line": play.get("first_down_line")}

    # Layout in inches: a header, the real play (with the legend at its right), then
    # the option panels in evenly filled rows.
    aspect = (box[3] - box[2]) / (box[1] - box[0])
    width, pad = 13.0, 0.25
    main_w = 9.0  # the legend at its right
    main_h = main_w * aspect
    rows, cols = option_grid(len(options))
    panel_w = (width - pad * (cols + 1)) / max(cols, 1)
    panel_h = panel_w * aspect
    title_h = 0.55  # each option panel's two title lines
    header = 1.45
    height = header + main_h + pad + rows * (panel_h + title_h) + pad
    fig = figure_cls(figsize=(width, height), dpi=dpi)

    def axes(left: float, top: float, w: float, h: float) -> Any:
        return fig.add_axes((left / width, 1 - (top + h) / height, w / width, h / height))

    main = axes(pad, header, main_w, main_h)
    draw_field(main, box, line_of_scrimmage=lines["line_of_scrimmage"],
               first_down_line=lines["first_down_line"])
    _draw_real(main, data, play["targeted_receiver"], label_size=9)
    if has_land:
        main.plot(*land, marker="X", color=_BALL, ms=12, mec="white", mew=1.5, zorder=10)
    fig.text(pad / width, 1 - 0.2 / height, _title(data, int(game_id), int(play_id)),
             fontsize=13, fontweight="bold", va="top")
    fig.text(pad / width, 1 - 0.78 / height, _subtitle(data), fontsize=9.5, va="top",
             color="#333333")
    shown_lines = {k: v is not None and math.isfinite(v) for k, v in lines.items()}
    handles = legend_handles(scrimmage=shown_lines["line_of_scrimmage"],
                             first_down=shown_lines["first_down_line"])
    fig.legend(handles=handles, loc="upper left", fontsize=9.5, frameon=False,
               bbox_to_anchor=((pad + main_w + 0.15) / width, 1 - header / height),
               title="real play (top), options (below)", title_fontsize=9)
    real_tracks = _tracks(data.real)
    ghost_tracks = _ghost_tracks(data.ghosts)
    top = header + main_h + pad
    for k, option in enumerate(options):
        row, col = divmod(k, cols)
        in_row = min(cols, len(options) - row * cols)
        indent = (cols - in_row) * (panel_w + pad) / 2  # a shorter last row is centred
        ax = axes(indent + pad + col * (panel_w + pad),
                  top + row * (panel_h + title_h) + title_h, panel_w, panel_h)
        draw_field(ax, box, number_size=8, direction_arrow=False,
                   line_of_scrimmage=lines["line_of_scrimmage"],
                   first_down_line=lines["first_down_line"])
        _draw_real(ax, data, None, faint=True)
        _draw_option(ax, data, option, real_tracks, ghost_tracks.get(option["nfl_id"], {}))
    return fig


def _ghost_tracks(ghosts: pa.Table) -> dict[int, dict[int, tuple[np.ndarray, np.ndarray]]]:
    """target -> defender -> (x, y) of the ghost trajectories."""
    out: dict[int, dict[int, tuple[np.ndarray, np.ndarray]]] = {}
    if not ghosts.num_rows:
        return out
    for target in pc.unique(ghosts["target_nfl_id"]).to_pylist():
        rows = ghosts.filter(pc.equal(ghosts["target_nfl_id"], target))
        out[int(target)] = {k: (x, y) for k, (x, y, _) in _tracks(rows).items()}
    return out


def _num(value: float | None, digits: int = 3) -> str:
    """``+0.123`` (3 digits, signed) or ``4.5`` (other digits); ``-`` when unknown."""
    if value is None or not math.isfinite(value):
        return "-"
    return f"{value:+.{digits}f}" if digits == 3 else f"{value:.{digits}f}"

"""Pictures of ghosted plays (extra ``plot``: matplotlib).

:func:`plot_play` draws one play of an output folder of ``ghosting run`` (or of a
:class:`~ghosting.pipeline.Results`): a large panel with the field, its yard lines,
every player's real trajectory while the ball is in the air and the ball's
landing point, then one small panel per target option with the defensive backs'
ghost trajectories for that receiver. Players are labelled by jersey number.

>>> from ghosting.plot import plot_play
>>> fig = plot_play("out/", 2018120600, 75, "play.png")  # doctest: +SKIP
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .errors import GhostingError, InputError
from .schema import FIELD_LENGTH, FIELD_WIDTH

__all__ = ["plot_play", "draw_play", "parse_play", "PlayData", "load_play"]

_OFFENSE = "#1f5fbf"
_DEFENSE = "#c62828"
_GHOST = "#ff6f00"
_BALL = "#6d4c41"
_TARGET = "#f9a825"
_GRASS = "#e8f2e4"


def require_matplotlib() -> Any:
    """Import matplotlib's Figure, or raise a GhostingError naming the extra."""
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise GhostingError(
            'pictures need matplotlib: pip install "ghosting[plot]"'
        ) from exc
    return Figure


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


def load_play(source: str | os.PathLike[str] | Any, game_id: int, play_id: int) -> PlayData:
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
    return PlayData(play, real, ghosts, jerseys)


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


def _draw_field(ax: Any, box: tuple[float, float, float, float], small: bool) -> None:
    x0, x1, y0, y1 = box
    ax.set_facecolor(_GRASS)
    for x in (0.0, 110.0):
        ax.axvspan(x, x + 10.0, color="#cfe3c8", zorder=0)
    for x in range(10, 111, 5):
        major = x % 10 == 0
        ax.axvline(x, color="#9e9e9e" if major else "#c8c8c8", lw=0.9 if major else 0.5, zorder=1)
        if major and not small and 10 < x < 110 and x0 <= x <= x1:
            yard = x - 10 if x <= 60 else 110 - x
            ax.text(x, y0 + 1.0, str(yard), ha="center", va="bottom", fontsize=8,
                    color="#757575", zorder=1)
    for y in (0.0, FIELD_WIDTH):
        ax.axhline(y, color="#616161", lw=1.0, zorder=1)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.tick_params(labelsize=6 if small else 8)


def _box(
    *tables: pa.Table, extra: Sequence[tuple[float, float]] = ()
) -> tuple[float, float, float, float]:
    xs = [t["x"].to_numpy() for t in tables if t.num_rows]
    ys = [t["y"].to_numpy() for t in tables if t.num_rows]
    xs += [np.array([p[0]]) for p in extra]
    ys += [np.array([p[1]]) for p in extra]
    x = np.concatenate(xs) if xs else np.array([0.0, FIELD_LENGTH])
    y = np.concatenate(ys) if ys else np.array([0.0, FIELD_WIDTH])
    x, y = x[np.isfinite(x)], y[np.isfinite(y)]
    margin = 4.0
    x0, x1 = max(float(x.min()) - margin, -8.0), min(float(x.max()) + margin, FIELD_LENGTH + 8)
    y0, y1 = max(float(y.min()) - margin, -8.0), min(float(y.max()) + margin, FIELD_WIDTH + 8)
    return x0, x1, y0, y1


def _jersey(data: PlayData, nfl_id: int) -> str:
    number = data.jerseys.get(nfl_id)
    return str(number) if number is not None else str(nfl_id)[-2:]


def _label_point(ax: Any, x: float, y: float, text: str, color: str, size: float) -> None:
    ax.text(x, y, text, ha="center", va="center", fontsize=size, color="white",
            fontweight="bold", zorder=6,
            bbox={"boxstyle": "circle,pad=0.2", "fc": color, "ec": "none", "alpha": 0.9})


def _draw_real(ax: Any, data: PlayData, target: int | None, faint: bool = False) -> None:
    for nfl_id, (x, y, side) in _tracks(data.real).items():
        if side == "ball" or nfl_id == 0:
            if not faint:
                ax.plot(x, y, color=_BALL, lw=1.2, ls=":", zorder=3)
            continue
        color = _OFFENSE if side == "offense" else _DEFENSE
        if faint:
            ax.plot(x, y, color=color, lw=0.8, alpha=0.25, zorder=2)
            continue
        is_target = target is not None and nfl_id == target
        ax.plot(x, y, color=_TARGET if is_target else color, lw=2.4 if is_target else 1.3,
                alpha=0.95, zorder=4 if is_target else 3)
        ax.plot(x[:1], y[:1], "o", color=color, ms=2.5, zorder=4)
        _label_point(ax, x[-1], y[-1], _jersey(data, nfl_id), _TARGET if is_target else color, 6)


def _shown_options(play: dict[str, Any], max_options: int) -> list[dict[str, Any]]:
    """The most open options, and the real target's whatever its rank."""
    options = list(play["options"] or [])
    shown = options[:max_options]
    real = [o for o in options[max_options:] if o["is_real_target"]]
    return shown[: max_options - len(real)] + real if real else shown


def _title(data: PlayData, game_id: int, play_id: int) -> str:
    play = data.play
    target, best = play["targeted_receiver"], play["best_option"]
    if target is None:
        return f"game {game_id} play {play_id}"
    title = (
        f"game {game_id} play {play_id} - real play score {_num(play['real_play_score'])}, "
        f"ghost {_num(play['ghost_play_score'])}; target #{_jersey(data, target)}"
    )
    if best is not None and best != target:
        title += f"; most open by the model #{_jersey(data, best)}"
    return title


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
        ax.plot(x, y, color=color, lw=2.0, zorder=4)
        ax.plot(x[-1:], y[-1:], marker="*", color=_TARGET, ms=10, mec="black", mew=0.4,
                zorder=7)
    for defender, (x, y) in ghost_tracks.items():
        ax.plot(x, y, color=_GHOST, lw=1.4, ls="--", zorder=5)
        _label_point(ax, x[-1], y[-1], _jersey(data, defender), _GHOST, 5)
    tag = f"rank {option['rank']}" + (", real target" if option["is_real_target"] else "")
    ax.set_title(  # two lines: one is wider than a small panel
        f"#{_jersey(data, receiver)} ({tag})\n"
        f"separation {_num(option['separation'], 1)} yd,"
        f" ghost play {_num(option['ghost_play_score'])}",
        fontsize=7,
    )


def plot_play(
    source: str | os.PathLike[str] | Any,
    game_id: int,
    play_id: int,
    path: str | os.PathLike[str] | None = None,
    *,
    dpi: int = 110,
    max_options: int = 6,
) -> Any:
    """Draw one ghosted play; save it to ``path`` (PNG, written atomically) if given.

    ``source`` is an output folder of ``ghosting run`` or a :class:`Results`. The
    large panel shows the real play; one small panel per target option (the
    ``max_options`` most open, and always the real target) shows the ghosts.
    Returns the matplotlib Figure. Needs the extra ``plot`` (matplotlib).

    >>> fig = plot_play("out/", 2018120600, 75, "play.png")  # doctest: +SKIP
    """
    require_matplotlib()
    data = load_play(source, int(game_id), int(play_id))
    fig = draw_play(data, dpi=dpi, max_options=max_options)
    if path is not None:
        from ._util import atomic_path

        with atomic_path(path) as tmp:
            fig.savefig(tmp, format="png")
    return fig


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
    box = _box(data.real, data.ghosts, extra=[land] if has_land else [])

    # The real play takes a 2 x 2 block at the top left; option panels fill the
    # two columns beside it, then rows of four below.
    aspect = (box[3] - box[2]) / max(box[1] - box[0], 1.0)
    unit = 3.4
    extra_rows = math.ceil(max(len(options) - 4, 0) / 4)
    nrows = 2 + extra_rows
    height = nrows * (unit * aspect + 0.45) + 0.55
    fig = figure_cls(figsize=(4 * unit, height), dpi=dpi)
    grid = fig.add_gridspec(nrows, 4, left=0.035, right=0.99, bottom=0.03,
                            top=1.0 - 0.8 / height, wspace=0.18, hspace=0.3)
    slots = [(0, 2), (0, 3), (1, 2), (1, 3)]
    slots += [(2 + k // 4, k % 4) for k in range(4 * extra_rows)]

    main = fig.add_subplot(grid[0:2, 0:2])
    _draw_field(main, box, small=False)
    _draw_real(main, data, play["targeted_receiver"])
    if has_land:
        main.plot(*land, marker="X", color=_BALL, ms=12, mec="white", mew=1.2, zorder=8)
    fig.suptitle(_title(data, int(game_id), int(play_id)), fontsize=11)
    main.set_title(
        "real trajectories while the ball is in the air (offense blue, defense red, "
        "target gold, ball dotted, landing point X)\n"
        "small panels: each option as the target (star: his position at arrival), "
        "the defensive backs' ghost runs dashed orange",
        fontsize=7,
    )
    real_tracks = _tracks(data.real)
    ghost_tracks = _ghost_tracks(data.ghosts)
    for slot, option in zip(slots, options, strict=False):
        ax = fig.add_subplot(grid[slot])
        _draw_field(ax, box, small=True)
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
    if value is None or not math.isfinite(value):
        return "-"
    return f"{value:+.{digits}f}" if digits == 3 else f"{value:.{digits}f}"

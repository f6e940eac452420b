"""Animations of ghosted plays (extra ``plot``: matplotlib, with Pillow for GIF and
``ffmpeg`` on the PATH for MP4).

:func:`animate_play` plays one play of an output folder of ``ghosting run`` frame by
frame while the ball is in the air: the field (line of scrimmage, first-down line),
every real player with a trail, the ball in flight, a frame clock, and the ghost
defenders of one target option — or, with ``option="all"``, one small panel per
option side by side.

>>> from ghosting.animate import animate_play
>>> anim = animate_play("out/", 2018120600, 75, "play.gif")  # doctest: +SKIP
"""

from __future__ import annotations

import math
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .errors import GhostingError, InputError
from .field_plot import COLOURS, draw_field, legend_handles, situation_text
from .plot import PlayData, _play_box, _shown_options, check_output_path, load_play, option_grid
from .plot import require_matplotlib as _require_matplotlib
from .schema import DT

__all__ = ["animate_play", "ANIMATION_FORMATS", "flight_frames"]

if TYPE_CHECKING:
    from .pipeline import Results

#: File name suffix -> the matplotlib writer that makes it.
ANIMATION_FORMATS = {".gif": "pillow", ".mp4": "ffmpeg"}


@dataclass
class _Track:
    nfl_id: int
    side: str
    x: np.ndarray  # one value per animation frame, NaN where not tracked
    y: np.ndarray


def flight_frames(play: dict[str, Any]) -> np.ndarray:
    """The frame ids of a ``plays`` row's flight, pass forward to arrival (inclusive).

    >>> flight_frames({"pass_forward_frame": 40, "arrival_frame": 43}).tolist()
    [40, 41, 42, 43]
    """
    first, last = play.get("pass_forward_frame"), play.get("arrival_frame")
    if first is None or last is None or last < first:
        raise InputError(
            f"play {play.get('game_id')}:{play.get('play_id')} has no flight to animate"
        )
    return np.arange(int(first), int(last) + 1)


def _aligned(table: pa.Table, frames: np.ndarray) -> list[_Track]:
    """The tracks of ``table`` with one position per frame of ``frames``."""
    if not table.num_rows:
        return []
    ids = np.asarray(table["nfl_id"].to_numpy(), np.int64)
    frame = np.asarray(table["frame_id"].to_numpy(), np.int64)
    x = np.asarray(table["x"].to_numpy(zero_copy_only=False), np.float64)
    y = np.asarray(table["y"].to_numpy(zero_copy_only=False), np.float64)
    side = pc.fill_null(table["side"], "").to_pylist()
    slot = frame - frames[0]
    inside = (slot >= 0) & (slot < len(frames))
    out = []
    for nfl_id in np.unique(ids):
        rows = np.flatnonzero((ids == nfl_id) & inside)
        tx = np.full(len(frames), np.nan)
        ty = np.full(len(frames), np.nan)
        tx[slot[rows]], ty[slot[rows]] = x[rows], y[rows]
        out.append(_Track(int(nfl_id), side[rows[0]] if len(rows) else "", tx, ty))
    return out


def _writer(path: Path, fps: int) -> Any:
    # matplotlib: the optional extra `plot`, loaded only to draw
    from matplotlib import animation

    suffix = path.suffix.lower()
    if suffix not in ANIMATION_FORMATS:
        raise InputError(
            f"{path}: cannot write an animation as {suffix or 'a file without a suffix'!r}; "
            f"use {' or '.join(ANIMATION_FORMATS)}"
        )
    if suffix == ".mp4":
        if not animation.writers.is_available("ffmpeg"):
            raise GhostingError(
                f"{path}: MP4 needs ffmpeg on the PATH (not found); write a .gif instead"
            )
        return animation.FFMpegWriter(fps=fps)
    return animation.PillowWriter(fps=fps)


class _Panel:
    """One animated field: real players, the ball, and one option's ghosts."""

    def __init__(self, ax: Any, data: PlayData, real: list[_Track],
                 ghosts: list[_Track], receiver: int | None, label_size: float) -> None:
        self.real, self.ghosts = real, ghosts
        self.artists: list[tuple[_Track, Any, Any, Any | None]] = []
        for track in real:
            is_ball = track.nfl_id == 0 or track.side == "ball"
            colour = (COLOURS["ball"] if is_ball else COLOURS["target"]
                      if track.nfl_id == receiver else COLOURS["offense"]
                      if track.side == "offense" else COLOURS["defense"])
            trail, = ax.plot([], [], color=colour, lw=1.2 if is_ball else 1.6,
                             ls=":" if is_ball else "-", alpha=0.8, zorder=3)
            dot, = ax.plot([], [], "o", color=colour, ms=6 if is_ball else 13,
                           mec="white", mew=0.8, zorder=6 if is_ball else 5)
            label = None if is_ball else ax.text(
                0, 0, _jersey(data, track.nfl_id), ha="center", va="center",
                fontsize=label_size, fontweight="bold", zorder=7,
                color="black" if track.nfl_id == receiver else "white")
            self.artists.append((track, trail, dot, label))
        for track in ghosts:
            trail, = ax.plot([], [], color=COLOURS["ghost"], lw=1.8, ls="--", zorder=4)
            dot, = ax.plot([], [], "o", color="none", ms=13, mec=COLOURS["ghost"], mew=2.2,
                           zorder=5)
            self.artists.append((track, trail, dot, None))

    def update(self, t: int) -> None:
        for track, trail, dot, label in self.artists:
            trail.set_data(track.x[: t + 1], track.y[: t + 1])
            seen = np.flatnonzero(np.isfinite(track.x[: t + 1]))
            if len(seen):
                k = seen[-1]
                dot.set_data([track.x[k]], [track.y[k]])
                if label is not None:
                    label.set_position((track.x[k], track.y[k]))
                    label.set_visible(True)
            else:
                dot.set_data([], [])
                if label is not None:
                    label.set_visible(False)


def _jersey(data: PlayData, nfl_id: int) -> str:
    number = data.jerseys.get(nfl_id)
    return str(number) if number is not None else str(nfl_id)[-2:]


def _options(data: PlayData, option: int | str | None, max_options: int) -> list[dict[str, Any]]:
    options = list(data.play["options"] or [])
    if option is None or option == "real":
        chosen = [o for o in options if o["is_real_target"]]
        if not chosen:
            raise InputError(
                f"play {data.play['game_id']}:{data.play['play_id']} has no ghosts for the "
                "real target"
            )
        return chosen
    if option == "all":
        return _shown_options(data.play, max_options)
    try:
        wanted = int(option)
    except (TypeError, ValueError):
        raise InputError(
            f"option must be 'real', 'all' or a receiver's nfl_id, got {option!r}"
        ) from None
    chosen = [o for o in options if o["nfl_id"] == wanted]
    if not chosen:
        ids = ", ".join(str(o["nfl_id"]) for o in options)
        raise InputError(
            f"play {data.play['game_id']}:{data.play['play_id']} has no option {wanted} "
            f"(options: {ids})"
        )
    return chosen


def animate_play(
    source: str | os.PathLike[str] | Results,
    game_id: int,
    play_id: int,
    path: str | os.PathLike[str] | None = None,
    *,
    option: int | str | None = None,
    fps: int = 10,
    dpi: int = 80,
    hold: int = 5,
    max_options: int = 6,
) -> Any:
    """Animate one ghosted play; write it to ``path`` (``.gif`` or ``.mp4``) if given.

    Parameters
    ----------
    source
        An output folder of ``ghosting run`` or a :class:`~ghosting.Results`.
    game_id, play_id
        The play (it must have been scored).
    path
        ``.gif`` (Pillow) or ``.mp4`` (needs ``ffmpeg`` on the PATH); written
        atomically. Other suffixes are an InputError.
    option
        Whose ghosts to show: ``None``/``"real"`` (the real target's), a receiver's
        ``nfl_id``, or ``"all"`` (one panel per option, the ``max_options`` most open
        and the real target).
    fps, dpi
        Frames per second (10 = real time) and resolution.
    hold
        Frames to hold the arrival before the loop starts again (a GIF shows its last
        frame ``hold`` frames longer).

    Returns
    -------
    matplotlib.animation.FuncAnimation
        One frame per tracking frame from pass forward to arrival, then ``hold``.

    >>> anim = animate_play("out/", 2018120600, 75, "all.gif", option="all")  # doctest: +SKIP
    """
    _require_matplotlib()
    if fps < 1 or dpi < 10 or hold < 0:
        raise InputError(f"fps must be >= 1, dpi >= 10 and hold >= 0 (got {fps}, {dpi}, {hold})")
    check_output_path(source, path)
    target_path = Path(path) if path is not None else None
    writer = _writer(target_path, fps) if target_path is not None else None
    data = load_play(source, int(game_id), int(play_id))
    anim = _build(data, _options(data, option, max(int(max_options), 1)), dpi, hold, fps)
    if target_path is not None:
        _save(anim, target_path, writer, dpi)
    return anim


def _build(data: PlayData, options: list[dict[str, Any]], dpi: int, hold: int,
           fps: int) -> Any:
    # matplotlib: the optional extra `plot`, loaded only to draw
    from matplotlib.animation import FuncAnimation
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    play = data.play
    frames = flight_frames(play)
    box = _play_box(data)
    aspect = (box[3] - box[2]) / (box[1] - box[0])
    rows, cols = option_grid(len(options))
    width = 9.0 if cols == 1 else 12.0
    panel_w = (width - 0.2 * (cols + 1)) / cols
    panel_h = panel_w * aspect
    title_h = 0.5
    header, footer = 1.25, 0.45
    height = header + rows * (panel_h + title_h) + footer
    fig = Figure(figsize=(width, height), dpi=dpi)
    FigureCanvasAgg(fig)  # a canvas to draw on, without pyplot
    real = _aligned(data.real, frames)
    ghosts_by_option = _ghost_tracks_aligned(data, frames)
    panels = []
    for k, opt in enumerate(options):
        row, col = divmod(k, cols)
        in_row = min(cols, len(options) - row * cols)  # a shorter last row is centred
        left = 0.2 + (col + (cols - in_row) / 2) * (panel_w + 0.2)
        top = header + row * (panel_h + title_h) + title_h
        ax = fig.add_axes((left / width, 1 - (top + panel_h) / height, panel_w / width,
                           panel_h / height))
        draw_field(ax, box, number_size=13 if cols == 1 else 8,
                   line_of_scrimmage=play.get("line_of_scrimmage"),
                   first_down_line=play.get("first_down_line"), direction_arrow=k == 0)
        receiver = int(opt["nfl_id"])
        panels.append(_Panel(ax, data, real, ghosts_by_option.get(receiver, []), receiver,
                             8 if cols == 1 else 6.5))
        tag = "real target" if opt["is_real_target"] else f"option {opt['rank']}"
        ax.set_title(f"ghosts if the ball goes to {data.name(receiver)}\n"
                     f"{tag}, nearest ghost shown at arrival {_fmt(opt['separation'])} yd",
                     fontsize=9 if cols == 1 else 8)
        land_x, land_y = play["ball_land_x"], play["ball_land_y"]
        if _finite(land_x) and _finite(land_y):
            ax.plot([float(land_x)], [float(land_y)], marker="X", color=COLOURS["ball"],
                    ms=11 if cols == 1 else 8, mec="white", mew=1.2, alpha=0.7, zorder=4)
    fig.text(0.2 / width, 1 - 0.15 / height,
             f"Game {play['game_id']}, play {play['play_id']}: "
             f"{data.name(play.get('passer_nfl_id')) if play.get('passer_nfl_id') else 'pass'}"
             f" to {data.name(play['targeted_receiver'])}",
             fontsize=12, fontweight="bold", va="top")
    description = play.get("play_description") or ""
    if len(description) > 120:
        description = description[:119] + "…"
    fig.text(0.2 / width, 1 - 0.5 / height,
             "\n".join(p for p in (description, situation_text(play)) if p),
             fontsize=8.5, va="top", color="#333333")
    fig.legend(handles=legend_handles(
        star=False, target_label="receiver the ball goes to",
        scrimmage=_finite(play.get("line_of_scrimmage")),
        first_down=_finite(play.get("first_down_line"))),
        loc="lower center", ncol=5, fontsize=7.5, frameon=False, bbox_to_anchor=(0.5, 0.0))
    clock = fig.text(0.2 / width, 1 - 0.88 / height, "", fontsize=11, va="top",
                     family="monospace", fontweight="bold")
    n = len(frames)

    def update(k: int) -> list[Any]:
        t = min(k, n - 1)
        for panel in panels:
            panel.update(t)
        state = "ball arrives" if t == n - 1 else "ball in the air"
        clock.set_text(f"t = {t * DT:3.1f} s after the throw · frame {int(frames[t])} · {state}")
        return []

    return FuncAnimation(fig, update, frames=n + hold, interval=1000 / fps, blit=False,
                         repeat=False)


def _finite(value: Any) -> bool:
    return value is not None and math.isfinite(value)


def _fmt(value: Any) -> str:
    return "-" if not _finite(value) else f"{value:.1f}"


def _ghost_tracks_aligned(data: PlayData, frames: np.ndarray) -> dict[int, list[_Track]]:
    """target -> the ghost defenders' tracks for that option, one position per frame."""
    out: dict[int, list[_Track]] = {}
    if not data.ghosts.num_rows:
        return out
    for target in pc.unique(data.ghosts["target_nfl_id"]).to_pylist():
        rows = data.ghosts.filter(pc.equal(data.ghosts["target_nfl_id"], target))
        out[int(target)] = _aligned(rows, frames)
    return out


def _save(anim: Any, path: Path, writer: Any, dpi: int) -> None:
    """Write the animation to a temporary file of the same suffix, then rename it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.{uuid.uuid4().hex[:8]}{path.suffix}")
    try:
        anim.save(str(tmp), writer=writer, dpi=dpi)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise

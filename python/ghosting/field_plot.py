"""Drawing a football field with matplotlib (used by :mod:`ghosting.plot` and
:mod:`ghosting.animate`; extra ``plot``).

The field is drawn in ghosting's frame (offense toward +x, x 0..120 with the end
zones 0..10 and 110..120, y 0..53.3): grass, end zones, goal lines, a line every 5
yards, yard numbers, hash marks and sideline ticks every yard, the sidelines
whole, the line of scrimmage and the first-down line, and an arrow for the
direction of play. Axis ticks are hidden: the yard numbers are the scale.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from .schema import FIELD_LENGTH, FIELD_WIDTH

__all__ = [
    "COLOURS",
    "draw_field",
    "field_box",
    "legend_handles",
    "situation_text",
]

#: The colours of every picture, one source.
COLOURS = {
    "grass": "#7cae6a",
    "end_zone": "#5e9450",
    "line": "#ffffff",
    "offense": "#1a47a8",
    "defense": "#c62828",
    "target": "#ffd600",
    "ghost": "#6a1b9a",
    "ball": "#4e342e",
    "scrimmage": "#0d47a1",
    "first_down": "#ffeb3b",
}

#: Hash marks: 70 ft 9 in from each sideline (NFL), in yards.
_HASH_Y = (70.75 / 3.0, FIELD_WIDTH - 70.75 / 3.0)
_MARGIN_Y = 2.5


def field_box(
    xs: Iterable[float], ys: Iterable[float] = (), *, min_length: float = 40.0,
    margin: float = 5.0,
) -> tuple[float, float, float, float]:
    """``(x0, x1, y0, y1)`` to draw: the x range of ``xs`` with ``margin`` yards (at least
    ``min_length`` yards long, inside the field and a little beyond it), and always
    the whole width with both sidelines, wider when a point of ``ys`` lies beyond them
    (a ball thrown out of bounds, a player on the sideline).

    >>> field_box([50.0, 60.0], [-4.0])
    (35.0, 75.0, -5.5, 55.833333333333336)
    """
    finite_y = [float(y) for y in ys if y is not None and math.isfinite(float(y))]
    y0 = min([-_MARGIN_Y, *(y - 1.5 for y in finite_y)])
    y1 = max([FIELD_WIDTH + _MARGIN_Y, *(y + 1.5 for y in finite_y)])
    y0, y1 = max(y0, -12.0), min(y1, FIELD_WIDTH + 12.0)
    finite = [float(x) for x in xs if x is not None and math.isfinite(float(x))]
    lo, hi = (min(finite), max(finite)) if finite else (0.0, FIELD_LENGTH)
    lo, hi = lo - margin, hi + margin
    if hi - lo < min_length:
        middle = (lo + hi) / 2.0
        lo, hi = middle - min_length / 2.0, middle + min_length / 2.0
    lo, hi = max(lo, -2.0), min(hi, FIELD_LENGTH + 2.0)
    return lo, hi, y0, y1


def draw_field(
    ax: Any,
    box: tuple[float, float, float, float],
    *,
    line_of_scrimmage: float | None = None,
    first_down_line: float | None = None,
    number_size: float = 13,
    direction_arrow: bool = True,
) -> None:
    """Draw the field on ``ax`` within ``box`` (see :func:`field_box`); yard numbers in
    ``number_size`` points (0: none), the lines where given."""
    # matplotlib: the optional extra `plot`, loaded only to draw
    from matplotlib.collections import LineCollection
    from matplotlib.patches import FancyArrow, Rectangle

    x0, x1, y0, y1 = box
    ax.set_facecolor("#e0e0e0")  # beyond the sidelines
    ax.add_patch(Rectangle((0, 0), FIELD_LENGTH, FIELD_WIDTH, color=COLOURS["grass"], zorder=0))
    for x in (0.0, FIELD_LENGTH - 10.0):
        ax.add_patch(Rectangle((x, 0), 10.0, FIELD_WIDTH, color=COLOURS["end_zone"], zorder=0))
    line = COLOURS["line"]
    yard_lines = [[(x, 0.0), (x, FIELD_WIDTH)] for x in range(15, 110, 5)]
    ax.add_collection(LineCollection(yard_lines, colors=line, linewidths=0.9, zorder=1))
    goal_lines = [[(x, 0.0), (x, FIELD_WIDTH)] for x in (10, 110)]
    ax.add_collection(LineCollection(goal_lines, colors=line, linewidths=2.0, zorder=1))
    ticks = [  # a tick every yard: by the sidelines and the hash marks
        [(x, y - 0.35), (x, y + 0.35)]
        for x in range(11, 110) if x % 5
        for y in (0.35, FIELD_WIDTH - 0.35, *_HASH_Y)
    ]
    ax.add_collection(LineCollection(ticks, colors=line, linewidths=0.6, zorder=1))
    ax.plot([0, FIELD_LENGTH, FIELD_LENGTH, 0, 0], [0, 0, FIELD_WIDTH, FIELD_WIDTH, 0],
            color=line, lw=2.2, zorder=1)
    if number_size:
        for x in range(20, 101, 10):
            if not x0 <= x <= x1:
                continue
            yard = str(x - 10 if x <= 60 else 110 - x)
            for y, rotation in ((9.0, 0), (FIELD_WIDTH - 9.0, 180)):
                ax.text(x, y, yard, ha="center", va="center", fontsize=number_size, color=line,
                        fontweight="bold", rotation=rotation, alpha=0.9, zorder=1)
    if line_of_scrimmage is not None and math.isfinite(line_of_scrimmage):
        ax.plot([line_of_scrimmage] * 2, [0, FIELD_WIDTH], color=COLOURS["scrimmage"], lw=2.0,
                zorder=2)
    if first_down_line is not None and math.isfinite(first_down_line):
        ax.plot([first_down_line] * 2, [0, FIELD_WIDTH], color=COLOURS["first_down"], lw=2.0,
                zorder=2)
    if direction_arrow:
        length = min(6.0, (x1 - x0) / 5.0)
        start = x0 + 1.0
        ax.add_patch(FancyArrow(start, y1 - 1.25, length, 0, width=0.35, head_width=1.4,
                                head_length=1.2, color="#424242", zorder=8,
                                length_includes_head=True))
        ax.text(start + length + 0.6, y1 - 1.25, "offense", fontsize=8, va="center",
                color="#424242", zorder=8)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


def legend_handles(
    *, ghosts: bool = True, star: bool = True, scrimmage: bool = True, first_down: bool = True,
    target_label: str = "targeted receiver",
) -> list[Any]:
    """Legend entries for the pictures' marks."""
    # matplotlib: the optional extra `plot`, loaded only to draw
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], color=COLOURS["offense"], lw=2, label="offense (real)"),
        Line2D([], [], color=COLOURS["defense"], lw=2, label="defense (real)"),
        Line2D([], [], color=COLOURS["target"], lw=3, label=target_label),
        Line2D([], [], color=COLOURS["ball"], lw=1.5, ls=":", label="ball in flight"),
        Line2D([], [], color=COLOURS["ball"], lw=0, marker="X", ms=10, mec="white",
               label="ball landing point"),
    ]
    if ghosts:
        handles.append(
            Line2D([], [], color=COLOURS["ghost"], lw=2, ls="--", label="ghost defender"))
    if star:
        handles.append(Line2D([], [], color=COLOURS["target"], lw=0, marker="*", ms=13,
                              mec="black", label="receiver at arrival"))
    if scrimmage:
        handles.append(Line2D([], [], color=COLOURS["scrimmage"], lw=2, label="line of scrimmage"))
    if first_down:
        handles.append(Line2D([], [], color=COLOURS["first_down"], lw=2, label="first-down line"))
    return handles


def _ordinal(n: int) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(n, f"{n}th")


def situation_text(play: dict[str, Any], *, direction: bool = True) -> str:
    """``"Q1 12:20 · 2nd & 6 · ARI ball · going left in the raw data"`` from a ``plays``
    row (the parts the input gave; the raw direction only when ``direction``)."""
    parts = []
    quarter, clock = play.get("quarter"), play.get("game_clock")
    if quarter is not None:
        parts.append(f"Q{quarter}" + (f" {clock}" if clock else ""))
    down, to_go = play.get("down"), play.get("yards_to_go")
    if down:
        parts.append(f"{_ordinal(int(down))} & {to_go}" if to_go is not None else _ordinal(down))
    team = play.get("possession_team")
    if team:
        parts.append(f"{team} ball")
    raw_direction = play.get("play_direction")
    if raw_direction and direction:
        parts.append(f"going {raw_direction} in the raw data")
    return " · ".join(parts)

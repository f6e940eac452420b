"""The tracking layouts ghosting reads: how each is recognised and mapped.

Each :class:`Layout` lists its columns in the order the NFL ships them (the table
in docs/data.md), the source columns it requires, and the renaming from its names to the
canonical snake_case ones. :func:`detect_layout` recognises a layout from the
column names alone (order does not matter).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..errors import LayoutError, MissingColumnsError
from ..schema import CANONICAL_SCHEMA, REQUIRED_COLUMNS

__all__ = ["Layout", "LAYOUTS", "detect_layout", "get_layout", "check_required"]

# Source name -> canonical name, shared by the camelCase layouts (2019 to 2025).
_CAMEL = {
    "gameId": "game_id",
    "playId": "play_id",
    "nflId": "nfl_id",
    "frameId": "frame_id",
    "x": "x",
    "y": "y",
    "s": "s",
    "a": "a",
    "dis": "dis",
    "o": "o",
    "dir": "dir",
    "event": "event",
    "displayName": "display_name",
    "jerseyNumber": "jersey_number",
    "position": "position",
    "team": "club",
    "club": "club",
    "playDirection": "play_direction",
    "route": "route",
}

_SNAKE = {
    "game_id": "game_id",
    "play_id": "play_id",
    "nfl_id": "nfl_id",
    "frame_id": "frame_id",
    "x": "x",
    "y": "y",
    "s": "s",
    "a": "a",
    "dir": "dir",
    "o": "o",
    "play_direction": "play_direction",
    "player_name": "display_name",
    "player_position": "position",
    "player_side": "player_side",
    "player_role": "player_role",
    "player_to_predict": "player_to_predict",
    "num_frames_output": "num_frames_output",
    "ball_land_x": "ball_land_x",
    "ball_land_y": "ball_land_y",
    "absolute_yardline_number": "absolute_yardline_number",
}


@dataclass(frozen=True)
class Layout:
    """One shipped tracking layout.

    ``columns`` is the shipped column order, ``required`` the source columns that
    must be present, ``rename`` maps source names to canonical ones (columns not in
    it are ignored), ``has_ball`` says whether the ball has rows of its own,
    ``normalised`` that the coordinates already point the offense toward +x.
    """

    name: str
    description: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    rename: dict[str, str] = field(default_factory=dict)
    has_ball: bool = True
    normalised: bool = False

    def source_columns(self, available: Sequence[str]) -> list[str]:
        """The columns of ``available`` this layout reads, in ``available`` order."""
        return [c for c in available if c in self.rename]


def _cols(text: str) -> tuple[str, ...]:
    return tuple(text.split(","))


_CANONICAL_EXTRAS = (
    "play_description",
    "player_role",
    "player_to_predict",
    "ball_land_x",
    "ball_land_y",
    "num_frames_output",
    "route",
    "possession_team",
    "quarter",
    "game_clock",
    "down",
    "yards_to_go",
    "absolute_yardline_number",
)

_HIGHLIGHTS_COLUMNS = _cols(
    "gameId,playId,playType,season,seasonType,week,preSnapHomeScore,preSnapVisitorScore,"
    "playDirection,quarter,gameClock,down,yardsToGo,yardline,yardlineSide,yardlineNumber,"
    "absoluteYardlineNumber,possessionFlag,homeTeamFlag,teamAbbr,frame,displayName,esbId,"
    "gsisId,jerseyNumber,nflId,position,positionGroup,time,x,y,s,o,dir,event,playDescription"
)

LAYOUTS: dict[str, Layout] = {
    layout.name: layout
    for layout in [
        Layout(
            "bdb2019",
            "Big Data Bowl 2019 tracking_gameId_*.csv (no o, no a; ball: team 'ball')",
            _cols("time,x,y,s,dis,dir,event,nflId,displayName,jerseyNumber,team,frame.id,gameId,playId"),
            ("gameId", "playId", "nflId", "frame.id", "x", "y", "team"),
            {**_CAMEL, "frame.id": "frame_id"},
        ),
        Layout(
            "bdb2021",
            "Big Data Bowl 2021 weekN.csv (team home/away/football, position, route)",
            _cols(
                "time,x,y,s,a,dis,o,dir,event,nflId,displayName,jerseyNumber,position,frameId,"
                "team,gameId,playId,playDirection,route"
            ),
            ("gameId", "playId", "nflId", "frameId", "x", "y", "team"),
            dict(_CAMEL),
        ),
        Layout(
            "bdb2022",
            "Big Data Bowl 2022 trackingYYYY.csv (team home/away/football, position)",
            _cols(
                "time,x,y,s,a,dis,o,dir,event,nflId,displayName,jerseyNumber,position,team,"
                "frameId,gameId,playId,playDirection"
            ),
            ("gameId", "playId", "nflId", "frameId", "x", "y", "team"),
            dict(_CAMEL),
        ),
        Layout(
            "bdb2023",
            "Big Data Bowl 2023 weekN.csv (team, no position: pass players=)",
            _cols(
                "gameId,playId,nflId,frameId,time,jerseyNumber,team,playDirection,x,y,s,a,dis,o,"
                "dir,event"
            ),
            ("gameId", "playId", "nflId", "frameId", "x", "y", "team"),
            dict(_CAMEL),
        ),
        Layout(
            "bdb2024",
            "Big Data Bowl 2024 tracking_week_N.csv (club; ball: club 'football')",
            _cols(
                "gameId,playId,nflId,displayName,frameId,time,jerseyNumber,club,playDirection,"
                "x,y,s,a,dis,o,dir,event"
            ),
            ("gameId", "playId", "nflId", "frameId", "x", "y", "club"),
            dict(_CAMEL),
        ),
        Layout(
            "bdb2025",
            "Big Data Bowl 2025 tracking_week_N.csv (club, frameType)",
            _cols(
                "gameId,playId,nflId,displayName,frameId,frameType,time,jerseyNumber,club,"
                "playDirection,x,y,s,a,dis,o,dir,event"
            ),
            ("gameId", "playId", "nflId", "frameId", "x", "y", "club"),
            dict(_CAMEL),
        ),
        Layout(
            "bdb2026_input",
            "Big Data Bowl 2026 input_2023_wNN.csv (snake_case, player_side, player_role; "
            "no ball rows, frames end at the throw)",
            _cols(
                "game_id,play_id,player_to_predict,nfl_id,frame_id,play_direction,"
                "absolute_yardline_number,player_name,player_height,player_weight,"
                "player_birth_date,player_position,player_side,player_role,x,y,s,a,dir,o,"
                "num_frames_output,ball_land_x,ball_land_y"
            ),
            ("game_id", "play_id", "nfl_id", "frame_id", "x", "y", "play_direction"),
            dict(_SNAKE),
            has_ball=False,
        ),
        Layout(
            "bdb2026_output",
            "Big Data Bowl 2026 output_2023_wNN.csv (positions while the ball is in the air; "
            "no direction, no sides)",
            _cols("game_id,play_id,nfl_id,frame_id,x,y"),
            ("game_id", "play_id", "nfl_id", "frame_id", "x", "y"),
            dict(_SNAKE),
            has_ball=False,
        ),
        Layout(
            "canonical",
            "ghosting's own canonical table (written by ghosting, read back as is)",
            tuple(f.name for f in CANONICAL_SCHEMA),
            REQUIRED_COLUMNS,
            {
                **{f.name: f.name for f in CANONICAL_SCHEMA},
                "side": "player_side",
                **{name: name for name in _CANONICAL_EXTRAS},
            },
            normalised=True,
        ),
        Layout(
            "ngs_highlights",
            "NGS highlights per-play TSV / highlights.parquet (36 columns; ball: displayName "
            "'ball')",
            _HIGHLIGHTS_COLUMNS,
            ("gameId", "playId", "nflId", "frame", "x", "y", "displayName"),
            {
                **_CAMEL,
                "frame": "frame_id",
                "teamAbbr": "club",
                "playDescription": "play_description",
                "possessionFlag": "possession_flag",
                "quarter": "quarter",
                "gameClock": "game_clock",
                "down": "down",
                "yardsToGo": "yards_to_go",
                "absoluteYardlineNumber": "absolute_yardline_number",
            },
        ),
    ]
}

_ALIASES = {
    "2019": "bdb2019",
    "2021": "bdb2021",
    "2022": "bdb2022",
    "2023": "bdb2023",
    "2024": "bdb2024",
    "2025": "bdb2025",
    "2026_input": "bdb2026_input",
    "2026_output": "bdb2026_output",
    "highlights": "ngs_highlights",
    "ghosting": "canonical",
}


def get_layout(name: str) -> Layout:
    """The layout called ``name`` (``"bdb2021"``, ``"2021"``, ``"highlights"`` ...)."""
    key = _ALIASES.get(str(name).lower(), str(name).lower())
    try:
        return LAYOUTS[key]
    except KeyError:
        known = ", ".join(LAYOUTS)
        raise LayoutError(f"unknown layout {name!r}; known layouts: {known}") from None


def detect_layout(columns: Sequence[str], source: str = "<table>") -> Layout:
    """Recognise a layout from its column names.

    Raises :class:`~ghosting.LayoutError` naming ``source`` and its columns when the
    columns match no known layout.

    >>> detect_layout(["game_id", "play_id", "nfl_id", "frame_id", "x", "y"]).name
    'bdb2026_output'
    """
    cols = set(columns)
    name: str | None = None
    if "game_id" in cols and {f.name for f in CANONICAL_SCHEMA} <= cols:
        name = "canonical"
    elif "game_id" in cols:
        if cols & {"player_side", "player_role", "player_to_predict", "num_frames_output"}:
            name = "bdb2026_input"
        elif {"nfl_id", "frame_id"} <= cols:
            name = "bdb2026_output"
    elif "frame.id" in cols:
        name = "bdb2019"
    elif "frame" in cols and cols & {"possessionFlag", "teamAbbr", "positionGroup"}:
        name = "ngs_highlights"
    elif "frameId" in cols or "gameId" in cols:
        if "club" in cols:
            name = "bdb2025" if "frameType" in cols else "bdb2024"
        elif "team" in cols:
            if "position" not in cols and "displayName" not in cols:
                name = "bdb2023"
            elif "route" in cols:
                name = "bdb2021"
            else:
                name = "bdb2022"
    if name is None:
        shown = ", ".join(columns) if columns else "(no columns)"
        raise LayoutError(
            f"{source}: the columns match no known tracking layout "
            f"({', '.join(LAYOUTS)}); columns: {shown}"
        )
    return LAYOUTS[name]


def check_required(layout: Layout, columns: Sequence[str], source: str) -> None:
    """Raise :class:`~ghosting.MissingColumnsError` if ``columns`` lack a required one."""
    missing = [c for c in layout.required if c not in columns]
    if missing:
        raise MissingColumnsError(
            f"{source}: layout {layout.name} requires column(s) {', '.join(missing)}, "
            f"which are missing (columns: {', '.join(columns)})"
        )

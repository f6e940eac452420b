"""Cleaning: drop what breaks the cardinal rules of tracking data (docs/cleaning.md).

Every sample gets a bit-mask of reasons, computed by the C++ kernel
(``_core.clean_tracks``):

=================  ====================================================================
``NON_FINITE``     x or y is NaN or infinite
``OFF_FIELD``      x outside [-tol, 120 + tol] or y outside [-tol, 160/3 + tol]
``OVER_SPEED``     the recorded speed ``s`` is above ``v_max`` (a missing ``s`` is not)
``LONG_STEP``      the step from the previous frame of the track is longer than
                   ``v_max * dt`` (1.25 yd by default)
``FRAME_GAP``      ``frame_id`` is not the previous frame + 1 (a jump, or backwards)
``DUPLICATE_FRAME`` the same ``frame_id`` as the previous sample of the track
=================  ====================================================================

The ball's tracks are checked for ``NON_FINITE``, ``FRAME_GAP`` and
``DUPLICATE_FRAME`` only. Only samples inside the **analysed window** count for
the policies: by default (``window="pass"``) the frames from ``history`` frames
before the pass forward to the pass arrival (the whole play when it has no pass),
or every frame (``window="all"``). Policies: ``play`` drops every play with a
flagged sample in the window (the paper's rule), ``track`` drops the flagged
tracks, ``sample`` drops the flagged samples. The report lists everything dropped.
"""

from __future__ import annotations

import json
import numbers
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import _core
from ._columns import Columns
from .choices import POLICIES, WINDOWS, CleaningPolicy, CleaningWindow
from .errors import InputError, MissingColumnsError
from .passes import pass_windows
from .schema import BALL_ID, CANONICAL_SCHEMA, DT, V_MAX

__all__ = [
    "clean",
    "check_options",
    "CleaningReport",
    "REASONS",
    "POLICIES",
    "WINDOWS",
    "FIELD_TOLERANCE",
    "HISTORY",
    "reason_names",
]

#: Reason names in bit order (bit i of a flag is REASONS[i]).
REASONS: tuple[str, ...] = tuple(
    sorted(_core.CLEANING_REASONS, key=lambda name: _core.CLEANING_REASONS[name])
)
#: Default yards beyond the field still accepted (docs/cleaning.md: players legally
#: step out of bounds; a tracking error puts a player far off). Defined once in the
#: C++ core; the command line and the pipeline take their default from here.
FIELD_TOLERANCE: float = _core.FIELD_TOLERANCE
#: Default frames before the pass forward inside the ``"pass"`` analysed window.
HISTORY = 10
#: Key of the cleaned table's schema metadata that holds the report as JSON.
METADATA_KEY = b"ghosting.cleaning_report"

_INT32_MIN = np.iinfo(np.int32).min
_INT32_MAX = np.iinfo(np.int32).max
_BITS = np.array([_core.CLEANING_REASONS[name] for name in REASONS], dtype=np.int64)


def reason_names(mask: int) -> list[str]:
    """The reason names set in a flag mask.

    >>> reason_names(0b1010)
    ['OFF_FIELD', 'LONG_STEP']
    """
    return [name for name, bit in zip(REASONS, _BITS, strict=True) if int(mask) & int(bit)]


@dataclass
class CleaningReport:
    """What :func:`clean` did: parameters, counts per reason, and everything dropped.

    ``flagged`` counts the samples carrying each reason anywhere in the table,
    ``flagged_in_window`` those inside the analysed window (the ones the policy
    acts on). ``dropped_plays`` (policy ``play``) lists each dropped play with its
    reasons and the ``nfl_id`` of its flagged tracks (0 is the ball);
    ``dropped_tracks`` (policy ``track``) each dropped track; ``dropped_samples``
    counts, among the dropped rows, those carrying each reason.
    """

    policy: str
    v_max: float
    dt: float
    field_tolerance: float
    window: str
    history: int
    rows_in: int = 0
    rows_out: int = 0
    plays_in: int = 0
    plays_out: int = 0
    tracks_in: int = 0
    tracks_out: int = 0
    plays_without_pass_window: int = 0
    flagged: dict[str, int] = field(default_factory=dict)
    flagged_in_window: dict[str, int] = field(default_factory=dict)
    dropped_plays: list[dict[str, Any]] = field(default_factory=list)
    dropped_tracks: list[dict[str, Any]] = field(default_factory=list)
    dropped_samples: dict[str, int] = field(default_factory=dict)

    @property
    def rows_dropped(self) -> int:
        return self.rows_in - self.rows_out

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict of the report.

        >>> import json, ghosting
        >>> _, report = ghosting.clean(ghosting.synth.generate_plays(1))
        >>> json.loads(json.dumps(report.to_dict()))["rows_in"] == report.rows_in
        True
        """
        out = asdict(self)
        out["rows_dropped"] = self.rows_dropped
        return out

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), **kwargs)

    def summary(self, max_listed: int = 10) -> str:
        """A short human-readable account of the cleaning.

        >>> import ghosting
        >>> _, report = ghosting.clean(ghosting.synth.generate_plays(1))
        >>> report.summary().startswith("cleaning: policy=play, v_max=12.5 yd/s")
        True
        """
        lines = [
            f"cleaning: policy={self.policy}, v_max={self.v_max:g} yd/s, dt={self.dt:g} s, "
            f"field tolerance {self.field_tolerance:g} yd, window={self.window}"
            + (f" (history {self.history})" if self.window == "pass" else ""),
            f"rows {self.rows_in:,} in, {self.rows_out:,} out ({self.rows_dropped:,} dropped); "
            f"plays {self.plays_in:,} in, {self.plays_out:,} out; "
            f"tracks {self.tracks_in:,} in, {self.tracks_out:,} out",
        ]
        if self.window == "pass" and self.plays_without_pass_window:
            lines.append(
                f"{self.plays_without_pass_window:,} play(s) without a pass window: "
                "analysed over the whole play"
            )
        lines.append("flagged samples: in window / anywhere / dropped")
        for name in REASONS:
            lines.append(
                f"  {name:<16} {self.flagged_in_window.get(name, 0):>10,} "
                f"{self.flagged.get(name, 0):>10,} {self.dropped_samples.get(name, 0):>10,}"
            )
        for label, items, keys in (
            ("dropped plays", self.dropped_plays, ("game_id", "play_id")),
            ("dropped tracks", self.dropped_tracks, ("game_id", "play_id", "nfl_id")),
        ):
            if not items:
                continue
            lines.append(f"{label}: {len(items):,}")
            for item in items[:max_listed]:
                ids = " ".join(f"{k}={item[k]}" for k in keys)
                lines.append(f"  {ids}: {', '.join(item['reasons'])}")
            if len(items) > max_listed:
                lines.append(f"  ... and {len(items) - max_listed:,} more (see the JSON report)")
        return "\n".join(lines)


def _is_number(value: Any) -> bool:
    """A real number, Python's or numpy's, but not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _check_table(tracking: Any) -> pa.Table:
    if isinstance(tracking, pa.RecordBatch):
        tracking = pa.Table.from_batches([tracking])
    if not isinstance(tracking, pa.Table):
        raise InputError(
            f"clean: expected a canonical pyarrow.Table, got {type(tracking).__name__} "
            "(load data with ghosting.read_tracking)"
        )
    missing = [f.name for f in CANONICAL_SCHEMA if f.name not in tracking.column_names]
    if missing:
        raise MissingColumnsError(
            f"clean: the table is not a canonical tracking table: it lacks column(s) "
            f"{', '.join(missing)} (load data with ghosting.read_tracking)"
        )
    wrong = [
        f"{f.name} is {tracking.schema.field(f.name).type}, expected {f.type}"
        for f in CANONICAL_SCHEMA
        if not tracking.schema.field(f.name).type.equals(f.type)
    ]
    if wrong:
        raise InputError(f"clean: non-canonical column types: {'; '.join(wrong)}")
    for name in ("game_id", "play_id", "nfl_id", "frame_id"):
        nulls = tracking.column(name).null_count
        if nulls:
            raise InputError(f"clean: column {name} has {nulls:,} null value(s)")
    return tracking


def _numpy(table: pa.Table, name: str, dtype: Any) -> np.ndarray:
    column = table.column(name)
    if column.num_chunks == 1:
        array = column.chunk(0).to_numpy(zero_copy_only=False)
    else:
        array = column.to_numpy()
    return np.asarray(array, dtype=dtype)


def _structure(game: np.ndarray, play: np.ndarray, nfl: np.ndarray):
    """Track and play offsets from the sorted keys; InputError when not sorted."""
    n = len(game)
    if n == 0:
        return np.zeros(1, np.int64), np.zeros(1, np.int64), np.zeros(0, np.int64)
    dn = np.diff(nfl)
    if game.min() >= 0 and game.max() < 1 << 46 and play.min() >= 0 and play.max() < 1 << 16:
        dk = np.diff((game << 16) | play)  # (game, play) packed in one key: one difference
        unsorted = (dk < 0) | ((dk == 0) & (dn < 0))
        new_play = dk != 0
    else:
        dg, dp = np.diff(game), np.diff(play)
        unsorted = (dg < 0) | ((dg == 0) & ((dp < 0) | ((dp == 0) & (dn < 0))))
        new_play = (dg != 0) | (dp != 0)
    if unsorted.any():
        i = int(np.argmax(unsorted)) + 1
        raise InputError(
            f"clean: the table is not sorted by (game_id, play_id, nfl_id, frame_id): row {i:,} "
            f"(game {game[i]}, play {play[i]}, nfl_id {nfl[i]}) comes after "
            f"(game {game[i - 1]}, play {play[i - 1]}, nfl_id {nfl[i - 1]})"
        )
    new_track = new_play | (dn != 0)
    track_starts = np.flatnonzero(np.concatenate([[True], new_track]))
    play_start_track = np.concatenate([[True], new_play])[track_starts]
    track_offsets = np.append(track_starts, n).astype(np.int64)
    play_offsets = np.append(np.flatnonzero(play_start_track), len(track_starts)).astype(np.int64)
    return track_offsets, play_offsets, track_starts


def _window_bounds(tracking, window, history, game_of_play, play_of_play, windows=None):
    """Per play, the first and last frame of the analysed window; and how many
    plays had no pass window."""
    n_plays = len(game_of_play)
    lo = np.full(n_plays, _INT32_MIN, dtype=np.int64)
    hi = np.full(n_plays, _INT32_MAX, dtype=np.int64)
    if window == "all" or n_plays == 0:
        return lo, hi, 0
    if windows is None:
        # Only rows with an event matter to pass_windows (it reads the events alone);
        # plays without any are missing from its answer and get no window below.
        events = tracking.select(["game_id", "play_id", "frame_id", "event"])
        windows = pass_windows(events.filter(pc.is_valid(events["event"])))
    windows = windows.select(["game_id", "play_id", "pass_forward_frame", "arrival_frame"])
    ours = pa.table({"game_id": game_of_play, "play_id": play_of_play,
                     "_index": np.arange(n_plays)})  # fmt: skip
    windows = ours.join(windows, ["game_id", "play_id"], join_type="left outer",
                        use_threads=False).sort_by("_index")  # fmt: skip
    forward = windows.column("pass_forward_frame")
    arrival = windows.column("arrival_frame")
    f = np.asarray(pc.fill_null(forward, _INT32_MIN).to_numpy(), dtype=np.int64)
    a = np.asarray(pc.fill_null(arrival, _INT32_MIN).to_numpy(), dtype=np.int64)
    has_window = (f != _INT32_MIN) & (a != _INT32_MIN) & (a >= f)
    # any history longer than the frame range reaches the play's first frame
    lo[has_window] = np.maximum(f[has_window] - min(history, 1 << 32), _INT32_MIN)
    hi[has_window] = a[has_window]
    return lo, hi, int(n_plays - has_window.sum())


def _kept_rows(table: pa.Table, keep: np.ndarray, n_kept: int) -> pa.Table:
    """The rows of ``table`` where ``keep``: zero-copy slices when the kept rows form
    few runs (whole plays or tracks dropped), else a filter."""
    if n_kept == table.num_rows:
        return table
    if n_kept == 0:
        return table.slice(0, 0)
    edges = np.flatnonzero(keep[1:] != keep[:-1]) + 1
    bounds = np.concatenate([[0], edges, [len(keep)]])
    starts = bounds[:-1][keep[bounds[:-1]]]
    stops = bounds[1:][keep[bounds[:-1]]]
    if len(starts) > max(64, table.num_rows // 20_000):
        return table.filter(pa.array(keep))
    return pa.concat_tables(
        [table.slice(int(a), int(b - a)) for a, b in zip(starts, stops, strict=True)]
    )


def _segment_any(values: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Per segment [offsets[i], offsets[i + 1]): 1 where a value is nonzero, else 0 (also
    when empty). ``values``: bool or uint8 (a maximum over bytes, no cast)."""
    values = values.view(np.uint8) if values.dtype == bool else values
    out = np.zeros(len(offsets) - 1, dtype=np.uint8)
    nonempty = np.flatnonzero(offsets[1:] > offsets[:-1])
    if len(nonempty):
        out[nonempty] = np.maximum.reduceat(values, offsets[:-1][nonempty]) != 0
    return out


def _nonzero_bytes(values: np.ndarray) -> np.ndarray:
    """``np.flatnonzero(values)`` of a bool or uint8 array with few nonzero entries: the
    nonzero 8-byte words are found first, then the bytes inside those only."""
    values = np.ascontiguousarray(values).view(np.uint8)
    n_words = len(values) // 8
    words = np.flatnonzero(values[: 8 * n_words].view(np.uint64))
    inside = (words[:, None] * 8 + np.arange(8)).ravel()
    tail = np.arange(8 * n_words, len(values))
    candidates = np.concatenate([inside, tail])
    return candidates[values[candidates] != 0]


def _reason_counts(codes: np.ndarray, selector_bits: int, selector: int) -> dict[str, int]:
    """Counts per reason over the histogram ``codes`` of (flag | extra bits << 6)."""
    values = np.arange(len(codes))
    chosen = (values >> 6) & selector_bits == selector
    return {
        name: int(codes[chosen & (values & int(bit) != 0)].sum())
        for name, bit in zip(REASONS, _BITS, strict=True)
    }


def check_options(
    *,
    policy: CleaningPolicy = "play",
    v_max: float = V_MAX,
    dt: float = DT,
    field_tolerance: float = FIELD_TOLERANCE,
    window: CleaningWindow = "pass",
    history: int = HISTORY,
) -> None:
    """Raise :class:`~ghosting.errors.InputError` when a cleaning option of
    :func:`clean` is invalid (the message names it); commands call it before
    reading anything.

    >>> check_options(field_tolerance=-1.0)
    Traceback (most recent call last):
    ...
    ghosting.errors.InputError: clean: field_tolerance must be a finite number >= 0, got -1.0
    """
    if policy not in POLICIES:
        raise InputError(f"clean: policy must be one of {', '.join(POLICIES)}, got {policy!r}")
    if window not in WINDOWS:
        raise InputError(f"clean: window must be one of {', '.join(WINDOWS)}, got {window!r}")
    for name, value in (("v_max", v_max), ("dt", dt)):
        if not (_is_number(value) and np.isfinite(value) and value > 0):
            raise InputError(f"clean: {name} must be a finite number > 0, got {value!r}")
    if not (_is_number(field_tolerance) and np.isfinite(field_tolerance)
            and field_tolerance >= 0):  # fmt: skip
        raise InputError(f"clean: field_tolerance must be a finite number >= 0, "
                         f"got {field_tolerance!r}")  # fmt: skip
    if isinstance(history, bool) or not isinstance(history, (int, np.integer)) or history < 0:
        raise InputError(f"clean: history must be an integer >= 0, got {history!r}")


def clean(
    tracking: pa.Table,
    policy: CleaningPolicy = "play",
    *,
    v_max: float = V_MAX,
    dt: float = DT,
    field_tolerance: float = FIELD_TOLERANCE,
    window: CleaningWindow = "pass",
    history: int = HISTORY,
    pass_windows: pa.Table | None = None,
) -> tuple[pa.Table, CleaningReport]:
    """Drop the plays, tracks or samples that break the cleaning rules.

    Parameters
    ----------
    tracking : pyarrow.Table
        A canonical tracking table (:func:`ghosting.read_tracking`), sorted by
        ``(game_id, play_id, nfl_id, frame_id)``.
    policy : {"play", "track", "sample"}
        What a flagged sample in the analysed window drops: its whole play (the
        paper's rule), its track, or only itself.
    v_max : float
        Fastest plausible speed in yd/s; also bounds a step to ``v_max * dt`` yd.
    dt : float
        Seconds between frames.
    field_tolerance : float
        Yards beyond the field (120 x 53.3 yd) still accepted (default
        :data:`FIELD_TOLERANCE`, 1 yd).
    window : {"pass", "all"}
        The analysed window: ``"pass"`` is from ``history`` frames before the pass
        forward to the arrival (the whole play for plays without a pass);
        ``"all"`` is every frame.
    history : int
        Frames before the pass forward inside the ``"pass"`` window.
    pass_windows : pyarrow.Table, optional
        :func:`ghosting.pass_windows` of ``tracking`` when the caller has it already
        (``ghosting run`` computes it once per batch, for this and ``pass_plays``);
        computed from the events otherwise.

    Returns
    -------
    (pyarrow.Table, CleaningReport)
        The rows kept (the input table itself when nothing is dropped; its schema
        metadata gains the report as JSON under ``ghosting.cleaning_report``),
        and the report.

    Examples
    --------
    >>> import ghosting
    >>> plays = ghosting.synth.generate_plays(4, seed=0)
    >>> cleaned, report = ghosting.clean(plays, policy="play")
    >>> report.rows_out == cleaned.num_rows == plays.num_rows
    True
    >>> report.flagged["LONG_STEP"]
    0
    """
    cleaned, report, _ = clean_columns(tracking, None, policy, v_max=v_max, dt=dt,
                                       field_tolerance=field_tolerance, window=window,
                                       history=history, pass_windows=pass_windows)  # fmt: skip
    return cleaned, report


def clean_columns(
    tracking: pa.Table,
    columns: Columns | None,
    policy: CleaningPolicy = "play",
    *,
    v_max: float = V_MAX,
    dt: float = DT,
    field_tolerance: float = FIELD_TOLERANCE,
    window: CleaningWindow = "pass",
    history: int = HISTORY,
    pass_windows: pa.Table | None = None,
    report_in_metadata: bool = True,
) -> tuple[pa.Table, CleaningReport, np.ndarray | None]:
    """:func:`clean`, reading the keys, x, y and the side tests from ``columns``
    (the batch's :class:`~ghosting._columns.Columns` of ``tracking``, converted once
    for every step of ``ghosting run``) when given; the same answer either way. Also
    returns the mask of the rows kept (None when all are). ``report_in_metadata=False``
    leaves the report out of the cleaned table's schema metadata (``ghosting run`` keeps
    the reports in its summary instead)."""
    check_options(policy=policy, v_max=v_max, dt=dt, field_tolerance=field_tolerance,
                  window=window, history=history)  # fmt: skip
    tracking = _check_table(tracking)
    if columns is not None and columns.table is not tracking:
        raise ValueError("clean_columns: the columns are not the table's")

    def column(name: str, dtype: Any) -> np.ndarray:
        if columns is not None:
            return columns.get(name, dtype)
        return _numpy(tracking, name, dtype)

    game, play, nfl = (column(n, np.int64) for n in ("game_id", "play_id", "nfl_id"))
    if columns is not None and columns.sorted_keys:
        # known sorted by (game_id, play_id, nfl_id, frame_id): the runs are the offsets
        track_offsets = columns.runs("game_id", "play_id", "nfl_id").astype(np.int64)
        play_offsets = np.searchsorted(track_offsets, columns.runs("game_id", "play_id"))
        track_starts = track_offsets[:-1]
    else:
        track_offsets, play_offsets, track_starts = _structure(game, play, nfl)
    frame = _numpy(tracking, "frame_id", np.int32)
    play_start_rows = track_offsets[play_offsets[:-1]]
    game_of_play, play_of_play = game[play_start_rows], play[play_start_rows]

    if columns is not None:
        is_ball = columns.equals("side", "ball")[track_starts]
    else:
        side_at_start = tracking.column("side").take(pa.array(track_starts))
        is_ball = pc.fill_null(pc.equal(side_at_start, "ball"), False).to_numpy(
            zero_copy_only=False)
    is_player = ((nfl[track_starts] != BALL_ID) & ~is_ball).astype(np.uint8)

    lo, hi, no_window = _window_bounds(tracking, window, int(history), game_of_play,
                                       play_of_play, pass_windows)  # fmt: skip
    rows_per_play = np.diff(track_offsets[play_offsets])
    if window == "all" or not len(lo):
        in_window = np.ones(len(frame), dtype=bool)
    else:
        lo32 = np.repeat(lo.astype(np.int32), rows_per_play)
        in_window = frame >= lo32
        in_window &= frame <= np.repeat(hi.astype(np.int32), rows_per_play)

    flags, keep, track_reasons, play_reasons = _core.clean_tracks(
        column("x", np.float64),
        column("y", np.float64),
        _numpy(tracking, "s", np.float64),
        frame,
        track_offsets,
        play_offsets,
        is_player,
        in_window,
        policy=policy,
        v_max=float(v_max),
        dt=float(dt),
        field_tolerance=float(field_tolerance),
    )

    report = CleaningReport(
        policy=policy,
        v_max=float(v_max),
        dt=float(dt),
        field_tolerance=float(field_tolerance),
        window=window,
        history=int(history),
        rows_in=tracking.num_rows,
        plays_in=len(play_offsets) - 1,
        tracks_in=len(track_offsets) - 1,
        plays_without_pass_window=no_window,
    )
    _fill_report(report, flags, keep, in_window, track_reasons, play_reasons,
                 track_offsets, play_offsets, game_of_play, play_of_play, nfl)  # fmt: skip

    cleaned = _kept_rows(tracking, keep, report.rows_out)
    kept = None if report.rows_out == tracking.num_rows else keep.astype(bool, copy=False)
    if not report_in_metadata:
        return cleaned, report, kept
    metadata = dict(cleaned.schema.metadata or {})
    metadata[METADATA_KEY] = report.to_json().encode()
    return cleaned.replace_schema_metadata(metadata), report, kept


def _fill_report(
    report: CleaningReport,
    flags: np.ndarray,
    keep: np.ndarray,
    in_window: np.ndarray,
    track_reasons: np.ndarray,
    play_reasons: np.ndarray,
    track_offsets: np.ndarray,
    play_offsets: np.ndarray,
    game_of_play: np.ndarray,
    play_of_play: np.ndarray,
    nfl: np.ndarray,
) -> None:
    """Counts per reason, rows/tracks/plays out, and the lists of what was dropped."""
    # One histogram of (flags | in window << 6 | dropped << 7), all in uint8, over the
    # flagged rows only: a row without a flag adds to no reason's count.
    flagged = _nonzero_bytes(flags)
    code = flags[flagged] | (in_window[flagged].view(np.uint8) << 6)
    code |= (~keep[flagged]).view(np.uint8) << 7
    codes = np.bincount(code, minlength=256)
    report.flagged = _reason_counts(codes, 0, 0)
    report.flagged_in_window = _reason_counts(codes, 0b01, 0b01)
    report.dropped_samples = _reason_counts(codes, 0b10, 0b10)
    report.rows_out = int(keep.sum())

    play_of_track = np.repeat(np.arange(len(play_offsets) - 1), np.diff(play_offsets))
    track_kept = _segment_any(keep, track_offsets)
    report.tracks_out = int(np.count_nonzero(track_kept))
    report.plays_out = int(np.count_nonzero(_segment_any(track_kept, play_offsets)))

    track_first_row = track_offsets[:-1]
    if report.policy == "play":
        flagged_tracks = np.flatnonzero(track_reasons)
        culprits: dict[int, list[int]] = {}
        for t in flagged_tracks.tolist():
            culprits.setdefault(int(play_of_track[t]), []).append(int(nfl[track_first_row[t]]))
        report.dropped_plays = [
            {
                "game_id": int(game_of_play[p]),
                "play_id": int(play_of_play[p]),
                "reasons": reason_names(play_reasons[p]),
                "nfl_ids": culprits.get(p, []),
            }
            for p in np.flatnonzero(play_reasons).tolist()
        ]
    elif report.policy == "track":
        report.dropped_tracks = [
            {
                "game_id": int(game_of_play[play_of_track[t]]),
                "play_id": int(play_of_play[play_of_track[t]]),
                "nfl_id": int(nfl[track_first_row[t]]),
                "reasons": reason_names(track_reasons[t]),
            }
            for t in np.flatnonzero(track_reasons).tolist()
        ]

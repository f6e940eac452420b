"""The model's windows and the decision's options cut by the flight gatherer.

- On real data (skipped without GHOSTING_DATA): ``cut_ghost_inputs``,
  ``option_inputs`` and the decision's options are identical when the gatherer is
  swapped for its numpy reference (``ghosting.flights_py``).
- On synthetic plays: every skip reason counted exactly and in the order the plays
  give them, rows of a play in any order give the same windows, and each option's
  windows end at its own arrival.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

import ghosting
from ghosting import flights
from ghosting.decision import DecisionModels, analyse_plays
from ghosting.decision import options as options_module
from ghosting.decision.facts import PlayIndex, play_facts
from ghosting.decision.options import build_options, option_inputs, real_pass_features
from ghosting.flights_py import gather_flights_py, gather_tracks_py
from ghosting.model import ghost_inputs as inputs_module
from ghosting.model.ghost_inputs import GhostInputs, cut_ghost_inputs
from ghosting.scoring import real as real_module

GAME_2021 = "bdb2021/week13_game_2018120600.csv.gz"


def _reference_gather(table: flights.FlightTable, *request: Any) -> flights.Flights:
    """gather_flights through the numpy reference."""
    req = [np.asarray(v, np.int64) for v in request]
    d, r, off, ctx, flags = gather_flights_py(
        table.nfl_id, table.frame_id, table.x, table.y, table.side, table.play_offsets, *req
    )
    return flights.Flights(defender_xy=d, receiver_xy=r, offsets=off, context=ctx, flags=flags)


def _reference_tracks(table: flights.FlightTable, *request: Any) -> flights.Tracks:
    """gather_tracks through the numpy reference."""
    req = [np.asarray(v, np.int64) for v in request]
    xy, off, n_rows, first_row, consecutive, nonfinite = gather_tracks_py(
        table.nfl_id, table.frame_id, table.x, table.y, table.side, table.play_offsets, *req
    )
    return flights.Tracks(xy=xy, offsets=off, n_rows=n_rows, first_row=first_row,
                          consecutive=consecutive, nonfinite=nonfinite)


def _assert_same_windows(a: GhostInputs, b: GhostInputs) -> None:
    for f in fields(GhostInputs):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and x.shape == y.shape, f.name
            np.testing.assert_array_equal(x, y, err_msg=f.name)
        else:
            assert x == y, f.name


def _windows_both_ways(
    monkeypatch: pytest.MonkeyPatch, tracking: pa.Table, plays: Any, **kw: Any
) -> tuple[GhostInputs, GhostInputs]:
    new = cut_ghost_inputs(tracking, plays, **kw)
    with monkeypatch.context() as m:
        m.setattr(inputs_module, "gather_flights", _reference_gather)
        ref = cut_ghost_inputs(tracking, plays, **kw)
    return new, ref


@pytest.fixture(scope="module")
def game_2021(data_dir: Any) -> tuple[pa.Table, pa.Table]:
    tracking = ghosting.read_tracking(data_dir / GAME_2021)
    targets = ghosting.read_targets(data_dir / "bdb2021" / "targetedReciever.csv")
    tracking, _ = ghosting.clean(tracking, policy="play")
    return tracking, ghosting.pass_plays(tracking, targets=targets)


@pytest.mark.parametrize(("defenders", "targets"), [("backs", "real"), ("all", "all")])
def test_windows_of_the_2021_game_equal_the_reference(
    monkeypatch: pytest.MonkeyPatch, game_2021: tuple, defenders: str, targets: str
) -> None:
    tracking, plays = game_2021
    new, ref = _windows_both_ways(monkeypatch, tracking, plays, history=5,
                                  defenders=defenders, targets=targets)
    _assert_same_windows(new, ref)
    assert len(new) == {"backs": 306, "all": 2683}[defenders]


def test_windows_of_highlight_plays_equal_the_reference(
    monkeypatch: pytest.MonkeyPatch, data_dir: Any
) -> None:
    tracking = ghosting.read_tracking(data_dir / "ngs_highlights" / "highlights.parquet")
    plays = ghosting.pass_plays(tracking).slice(0, 40)  # the reference is slow
    new, ref = _windows_both_ways(monkeypatch, tracking, plays, history=5,
                                  defenders="all", targets="all")
    _assert_same_windows(new, ref)
    assert len(new) > 500


def test_decision_options_of_the_2021_game_equal_the_reference(
    monkeypatch: pytest.MonkeyPatch, game_2021: tuple
) -> None:
    tracking, plays = game_2021
    rows = [r for r in plays.to_pylist() if r["analysable"]]
    gm, dm = ghosting.GhostModel.load(), DecisionModels.load()
    ix = PlayIndex(tracking)
    opts = build_options(ix, rows, play_facts(ix, rows, None), dm.air_time)
    new_w = option_inputs(tracking, opts, rows, gm.history)
    new = analyse_plays(tracking, rows, gm, dm).options
    with monkeypatch.context() as m:
        m.setattr(inputs_module, "gather_flights", _reference_gather)
        m.setattr(options_module, "gather_tracks", _reference_tracks)
        ref_w = option_inputs(tracking, opts, rows, gm.history)
        ref = analyse_plays(tracking, rows, gm, dm).options
    _assert_same_windows(new_w, ref_w)
    for f in fields(new):
        a, b = getattr(new, f.name), getattr(ref, f.name)
        if a.dtype == object:
            assert a.tolist() == b.tolist(), f.name
        else:
            np.testing.assert_array_equal(a, b, err_msg=f.name)
    # each window ends at its own option's arrival, not the play's longest flight
    flight = {(g, p, r): fl for g, p, r, fl, ok in zip(
        opts.game_id, opts.play_id, opts.nfl_id, opts.flight_frames, opts.analysable,
        strict=True) if ok}
    own = [flight[k] for k in zip(new_w.game_id, new_w.play_id, new_w.target_nfl_id,
                                  strict=True)]
    np.testing.assert_array_equal(new_w.flight_frames, own)
    end = new_w.lead + new_w.flight_frames
    assert np.isnan(new_w.receiver[np.arange(len(new_w)), np.minimum(
        end + 1, new_w.receiver.shape[1] - 1)][end + 1 < new_w.receiver.shape[1]]).all()


@pytest.mark.parametrize("defenders", ["backs", "all"])
def test_real_trajectories_of_the_2021_game_equal_the_reference(
    monkeypatch: pytest.MonkeyPatch, game_2021: tuple, defenders: str
) -> None:
    tracking, plays = game_2021
    new = real_module.real_trajectories(tracking, plays, defenders=defenders)
    with monkeypatch.context() as m:
        m.setattr(real_module, "gather_tracks", _reference_tracks)
        ref = real_module.real_trajectories(tracking, plays, defenders=defenders)
    for f in fields(new):
        a, b = getattr(new, f.name), getattr(ref, f.name)
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b, err_msg=f.name)
        else:
            assert a.equals(b), f.name
    assert len(new) == {"backs": 306, "all": 538}[defenders]
    # each trajectory is its defender's rows from pass forward to arrival, in order
    x = tracking.column("x").to_numpy()
    first = np.flatnonzero(
        (tracking.column("nfl_id").to_numpy() == new.nfl_id[0])
        & (tracking.column("play_id").to_numpy() == new.play_id[0])
        & (tracking.column("game_id").to_numpy() == new.game_id[0])
    )
    frames = tracking.column("frame_id").to_numpy()[first]
    row = {(k["game_id"], k["play_id"]): k for k in plays.to_pylist()}[
        (int(new.game_id[0]), int(new.play_id[0]))]
    inside = (frames >= row["pass_forward_frame"]) & (frames <= row["arrival_frame"])
    np.testing.assert_array_equal(new.defender_xy[new.offsets[0]:new.offsets[1], 0],
                                  x[first[inside]])


def _real_pass_features_per_play(ix: PlayIndex, rows: list[dict], facts: dict) -> dict:
    """real_pass_features the slow way: one play at a time, in plain Python."""
    out: dict[str, list[float]] = {k: [] for k in (
        "air_distance", "separation_1", "separation_2", "sideline_distance",
        "rusher_distance", "air_time", "air_yards")}
    for i, row in enumerate(rows):
        sl = ix.rows(row["game_id"], row["play_id"])
        px, py = facts["passer_x"][i], facts["passer_y"][i]
        at = ix.at_frame(sl, row["arrival_frame"])
        rec = at[ix.nfl[at] == row["targeted_receiver"]]
        if not rec.size or not (np.isfinite(px) and np.isfinite(py)):
            for v in out.values():
                v.append(np.nan)
            continue
        rx, ry = ix.x[rec[0]], ix.y[rec[0]]
        cx, cy = row["ball_land_x"], row["ball_land_y"]
        if cx is None or cy is None or not np.isfinite(cx + cy):
            cx, cy = rx, ry
        d = sorted(float(np.hypot(ix.x[j] - rx, ix.y[j] - ry)) for j in at
                   if ix.is_defense[j] and np.isfinite(np.hypot(ix.x[j] - rx, ix.y[j] - ry)))
        pf_rows = ix.at_frame(sl, row["pass_forward_frame"])
        rush = [float(np.hypot(ix.x[j] - px, ix.y[j] - py)) for j in pf_rows
                if ix.is_defense[j] and np.isfinite(np.hypot(ix.x[j] - px, ix.y[j] - py))]
        out["air_distance"].append(float(np.hypot(cx - px, cy - py)))
        out["separation_1"].append(d[0] if d else np.nan)
        out["separation_2"].append((d[1] if len(d) > 1 else 20.0) if d else np.nan)
        out["sideline_distance"].append(min(ry, 160 / 3 - ry))
        out["rusher_distance"].append(min(rush) if rush else np.nan)
        out["air_time"].append((row["arrival_frame"] - row["pass_forward_frame"]) * 0.1)
        out["air_yards"].append(min(cx, 110.0) - facts["line_of_scrimmage"][i])
    return {k: np.array(v) for k, v in out.items()}


def test_real_pass_features_of_the_2021_game_equal_a_per_play_reference(
    game_2021: tuple,
) -> None:
    tracking, plays = game_2021
    rows = [r for r in plays.to_pylist() if r["analysable"]]
    ix = PlayIndex(tracking)
    facts = play_facts(ix, rows, None)
    got = real_pass_features(ix, rows, facts)
    want = _real_pass_features_per_play(ix, rows, facts)
    for k, v in want.items():
        np.testing.assert_allclose(got[k], v, rtol=0, atol=1e-12, err_msg=k)
    assert np.isfinite(got["separation_1"]).sum() >= 60


# --------------------------------------------------------------------------- synthetic


@pytest.fixture(scope="module")
def synth() -> tuple[pa.Table, list[dict]]:
    tracking = ghosting.synth.generate_plays(3, seed=4)
    return tracking, ghosting.pass_plays(tracking).to_pylist()


def _drop(tracking: pa.Table, play_id: int, nfl_id: int, frame: int) -> pa.Table:
    cols = {c: tracking.column(c).to_numpy() for c in ("play_id", "nfl_id", "frame_id")}
    gone = (cols["play_id"] == play_id) & (cols["nfl_id"] == nfl_id) & (cols["frame_id"] == frame)
    assert gone.sum() == 1
    return tracking.filter(pa.array(~gone))


def test_every_skip_reason_is_counted_in_the_order_plays_give_it(synth: tuple) -> None:
    tracking, rows = synth
    a, b, c = rows
    back = a["defensive_backs"][1]
    tracking = _drop(tracking, a["play_id"], back, a["pass_forward_frame"])
    tracking = _drop(tracking, b["play_id"], b["targeted_receiver"], b["pass_forward_frame"])
    plays = [
        a,  # one back missing at pass forward: the others' windows
        b,  # the receiver missing at pass forward: no window
        dict(c, arrival_frame=None),
        dict(c, play_id=999999),
        dict(c, arrival_frame=c["pass_forward_frame"]),
        dict(c, defensive_backs=[123456789]),
        dict(c, analysable=False),  # not counted
        dict(c, targeted_receiver=None),  # not counted
    ]
    w = cut_ghost_inputs(tracking, plays, history=5)
    assert list(w.skipped.items()) == [
        ("defender missing at pass forward", 1),
        ("receiver missing at pass forward", 1),
        ("no pass window", 1),
        ("play not in tracking", 1),
        ("arrival not after pass forward", 1),
        ("no defenders or receiver in tracking", 1),
    ]
    assert len(w) == len(a["defensive_backs"]) - 1
    assert back not in w.nfl_id.tolist() and set(w.play_id.tolist()) == {a["play_id"]}
    # the same plays as a pass_plays-shaped table
    table = pa.Table.from_pylist(plays, schema=ghosting.pass_plays(tracking).schema)
    _assert_same_windows(cut_ghost_inputs(tracking, table, history=5), w)


def test_a_play_whose_rows_come_in_any_order_gives_the_same_windows(synth: tuple) -> None:
    tracking, rows = synth
    rng = np.random.default_rng(3)
    play = tracking.column("play_id").to_numpy()
    order = np.concatenate([rng.permutation(np.flatnonzero(play == p))
                            for p in dict.fromkeys(play.tolist())])
    shuffled = tracking.take(pa.array(order))
    for kw in ({"defenders": "backs"}, {"defenders": "all", "targets": "all"}):
        _assert_same_windows(cut_ghost_inputs(shuffled, rows, history=4, **kw),
                             cut_ghost_inputs(tracking, rows, history=4, **kw))


def test_a_table_not_grouped_by_play_is_an_input_error(synth: tuple) -> None:
    tracking, rows = synth
    twice = pa.concat_tables([tracking.slice(0, 10), tracking.slice(10), tracking.slice(0, 10)])
    with pytest.raises(ghosting.GhostingError, match="not grouped by"):
        cut_ghost_inputs(twice, rows, history=5)
    with pytest.raises(ghosting.GhostingError, match="no column 'side'"):
        cut_ghost_inputs(tracking.drop_columns(["side"]), rows, history=5)
    with pytest.raises(ghosting.GhostingError, match=r"lacks \['arrival_frame'\]"):
        cut_ghost_inputs(tracking, [{k: v for k, v in rows[0].items() if k != "arrival_frame"}],
                        history=5)


def test_a_flight_table_given_is_used_as_is(synth: tuple) -> None:
    tracking, rows = synth
    table = flights.FlightTable.of(tracking)
    _assert_same_windows(cut_ghost_inputs(tracking, rows, history=5, flight_table=table),
                         cut_ghost_inputs(tracking, rows, history=5))

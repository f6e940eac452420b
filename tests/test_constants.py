"""One source per constant and per list of choices (docs: ARCHITECTURE.md).

The numbers live in cpp/include/ghosting/constants.hpp and reach Python through
``ghosting._core``; every Python default must be that value. The choices live in
``ghosting.choices``; every checker and the command line must offer exactly them.
"""

from __future__ import annotations

import argparse
import doctest
import importlib
import inspect
import math
import typing

import numpy as np
import pytest

import ghosting
from ghosting import _core, choices, cleaning, cleaning_py, schema
from ghosting.cli import build_parser
from ghosting.pipeline import RunSettings
from ghosting.scoring import _batch, feasibility_py, real, trajectory_score_py

# `from ghosting.scoring import feasibility` is the function: the modules by name.
feasibility_module = importlib.import_module("ghosting.scoring.feasibility")
trajectory_score_module = importlib.import_module("ghosting.scoring.trajectory_score")

# The documented values (docs/trajectory_score.md, docs/cleaning.md): changing one is a
# deliberate change of the definitions, not an accident of one file.
DOCUMENTED = {
    "FIELD_LENGTH": 120.0,
    "FIELD_WIDTH": 160.0 / 3.0,
    "DT": 0.1,
    "V_MAX": 12.5,
    "PENALTY": 0.5,
    "RADIUS": 10.0,
    "FIELD_TOLERANCE": 1.0,
    "OFF_FIELD_TOLERANCE": 0.0,
}


def test_core_exposes_the_documented_constants():
    assert {name: getattr(_core, name) for name in DOCUMENTED} == DOCUMENTED


def test_python_constants_are_the_core_ones():
    assert schema.FIELD_LENGTH == _core.FIELD_LENGTH
    assert schema.FIELD_WIDTH == _core.FIELD_WIDTH
    assert schema.DT == _core.DT
    assert schema.V_MAX == _core.V_MAX
    assert ghosting.scoring.DEFAULT_PENALTY == _core.PENALTY
    assert ghosting.scoring.DEFAULT_RADIUS == _core.RADIUS
    assert cleaning.FIELD_TOLERANCE == _core.FIELD_TOLERANCE
    assert feasibility_module.OFF_FIELD_TOLERANCE == _core.OFF_FIELD_TOLERANCE


def _defaults(fn) -> dict[str, object]:
    return {
        name: p.default
        for name, p in inspect.signature(fn).parameters.items()
        if p.default is not inspect.Parameter.empty
    }


EXPECTED_DEFAULTS = {
    "v_max": "V_MAX",
    "dt": "DT",
    "penalty": "PENALTY",
    "radius": "RADIUS",
    "field_tolerance": "FIELD_TOLERANCE",
    "off_field_tolerance": "OFF_FIELD_TOLERANCE",
}


@pytest.mark.parametrize(
    "fn",
    [
        ghosting.trajectory_score,
        ghosting.scoring.play_scores,
        ghosting.feasibility,
        ghosting.scoring.random_replacement,
        ghosting.score_real,
        ghosting.clean,
        cleaning.check_options,
        trajectory_score_py.trajectory_score,
        trajectory_score_py.play_scores,
        feasibility_py.feasibility,
        cleaning_py.clean_tracks,
    ],
    ids=lambda fn: f"{fn.__module__}.{fn.__name__}",
)
def test_every_default_is_the_core_value(fn):
    defaults = _defaults(fn)
    checked = {name: defaults[name] for name in EXPECTED_DEFAULTS if name in defaults}
    assert checked, f"{fn.__name__} takes none of the shared parameters"
    assert checked == {name: getattr(_core, EXPECTED_DEFAULTS[name]) for name in checked}


def test_run_settings_defaults_are_the_core_values():
    settings = RunSettings()
    assert (settings.v_max, settings.dt, settings.penalty, settings.radius) == (
        _core.V_MAX,
        _core.DT,
        _core.PENALTY,
        _core.RADIUS,
    )
    assert settings.field_tolerance == _core.FIELD_TOLERANCE


def test_kernel_defaults_are_the_constants():
    """Each binding's own defaults (written in C++ from constants.hpp) give the same
    results as the constants passed explicitly, on data where each one matters."""
    rng = np.random.default_rng(7)
    # steps of about 1.2-1.3 yd straddle v_max * dt = 1.25 yd; some samples off the field
    d = np.cumsum(rng.uniform(0.85, 0.92, size=(40, 2)), axis=0) - 1.0
    r = d[::-1].copy()
    offsets = np.array([0, 15, 40], dtype=np.int64)
    explicit = _core.trajectory_score(d, r, offsets, "uniform", "catch_point",
                                      _core.V_MAX, _core.DT, _core.PENALTY)  # fmt: skip
    implicit = _core.trajectory_score(d, r, offsets)
    assert 0 < explicit[2].sum() < 38  # some steps superhuman, not all: v_max matters
    for a, b in zip(explicit, implicit, strict=True):
        np.testing.assert_array_equal(a, b)
    ts = explicit[3]
    play_offsets = np.array([0, 2], dtype=np.int64)
    np.testing.assert_array_equal(
        _core.play_scores(d, r, offsets, ts, play_offsets)[0],
        _core.play_scores(d, r, offsets, ts, play_offsets, _core.RADIUS)[0],
    )
    explicit_f = _core.feasibility(d, offsets, _core.V_MAX, _core.DT, _core.OFF_FIELD_TOLERANCE)
    implicit_f = _core.feasibility(d, offsets)
    assert explicit_f[3].sum() > 0  # samples off the field: the tolerance matters
    for a, b in zip(explicit_f, implicit_f, strict=True):
        np.testing.assert_array_equal(a, b)

    n = len(d)
    x = d[:, 0].copy()
    x[0] = -0.5  # off the field, but within the default tolerance (1 yd)
    args = (x, d[:, 1], np.full(n, 12.0), np.arange(n, dtype=np.int32),
            np.array([0, n]), np.array([0, 1]), np.ones(1, np.uint8), np.ones(n, bool))  # fmt: skip
    explicit_c = _core.clean_tracks(*args, v_max=_core.V_MAX, dt=_core.DT,
                                    field_tolerance=_core.FIELD_TOLERANCE)  # fmt: skip
    implicit_c = _core.clean_tracks(*args)
    for a, b in zip(explicit_c, implicit_c, strict=True):
        np.testing.assert_array_equal(a, b)
    off_field = _core.CLEANING_REASONS["OFF_FIELD"]
    assert not explicit_c[0][0] & off_field
    assert _core.clean_tracks(*args, field_tolerance=0.0)[0][0] & off_field
    assert explicit_c[0][1:].any()  # the long steps: v_max and dt matter


def _choices(parser: argparse.ArgumentParser, command: str, flag: str) -> tuple[str, ...]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    action = next(a for a in sub.choices[command]._actions if flag in a.option_strings)
    return tuple(action.choices)


def test_command_line_offers_the_choices_and_defaults():
    parser = build_parser()
    assert _choices(parser, "clean", "--policy") == choices.POLICIES
    assert _choices(parser, "clean", "--window") == choices.WINDOWS
    assert _choices(parser, "run", "--policy") == choices.POLICIES
    assert _choices(parser, "score", "--policy") == (*choices.POLICIES, "none")
    assert _choices(parser, "run", "--defenders") == choices.DEFENDERS
    assert _choices(parser, "run", "--reference") == choices.REFERENCES
    assert _choices(parser, "score", "--weights") == choices.WEIGHTS
    args = parser.parse_args(["clean", "in.csv", "-o", "out.parquet"])
    assert (args.v_max, args.dt, args.field_tolerance) == (
        _core.V_MAX,
        _core.DT,
        _core.FIELD_TOLERANCE,
    )


def test_choice_tuples_are_the_literal_types():
    assert choices.POLICIES == typing.get_args(choices.CleaningPolicy)
    assert choices.POLICIES == ("play", "track", "sample")
    assert choices.WINDOWS == ("pass", "all")
    assert choices.REFERENCES == ("catch_point", "receiver")
    assert choices.WEIGHTS == ("uniform", "linear")
    assert choices.DEFENDERS == ("backs", "all")
    assert cleaning.POLICIES is choices.POLICIES and cleaning.WINDOWS is choices.WINDOWS


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: RunSettings(weights="cubic"), "weights must be one of uniform, linear"),
        (lambda: RunSettings(defenders="ends"), "defenders must be one of backs, all"),
        (lambda: cleaning.check_options(policy="game"), "policy must be one of play, track"),
        (lambda: ghosting.trajectory_score([[0.0, 0.0]], [[0.0, 0.0]], reference="ball"),
         "reference must be one of 'catch_point', 'receiver'"),  # fmt: skip
        (lambda: real.real_trajectories(None, defenders="ends"), "defenders must be one of"),
    ],
)
def test_each_checker_refuses_what_the_choices_lack(call, match):
    with pytest.raises(ghosting.InputError, match=match):
        call()


@pytest.mark.parametrize(
    "module", [choices, cleaning_py, _batch, trajectory_score_py, feasibility_py],
    ids=lambda m: m.__name__,
)  # fmt: skip
def test_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 1 and result.failed == 0


def test_trajectory_score_module_and_function_share_a_name():
    """``ghosting.scoring.trajectory_score`` is the function; the module's names are
    reached with ``from ... import``."""
    assert callable(ghosting.scoring.trajectory_score)
    assert trajectory_score_module.trajectory_score is ghosting.trajectory_score
    assert feasibility_module.feasibility is ghosting.feasibility
    assert math.isclose(trajectory_score_module.DEFAULT_PENALTY, 0.5)


def test_the_core_parses_exactly_the_choices():
    """The C++ parsers of weights, references and cleaning policies accept every
    value of ghosting.choices and nothing else (the two lists cannot drift)."""
    d = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.5]])
    offsets = np.array([0, 3], dtype=np.int64)
    results = {
        (w, r): _core.trajectory_score(d, d[::-1].copy(), offsets, w, r)[3][0]
        for w in choices.WEIGHTS
        for r in choices.REFERENCES
    }
    assert len(set(results.values())) == 4  # each pair scores differently
    for weights, reference in (("cubic", "catch_point"), ("uniform", "ball")):
        with pytest.raises(ValueError, match="weights|reference"):
            _core.trajectory_score(d, d, offsets, weights, reference)
    arrays = (d[:, 0], d[:, 1], np.zeros(3), np.array([1, 2, 4], np.int32), offsets,
              np.array([0, 1]), np.ones(1, np.uint8), np.ones(3, bool))  # fmt: skip
    gap = _core.CLEANING_REASONS["FRAME_GAP"]
    for policy in choices.POLICIES:
        assert _core.clean_tracks(*arrays, policy=policy)[0][2] == gap
    with pytest.raises(ValueError, match="cleaning policy must be 'play', 'track' or 'sample'"):
        _core.clean_tracks(*arrays, policy="none")

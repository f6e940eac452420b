"""The main job: ghost and score every pass play (``ghosting run``).

For every pass play: clean the tracking data, predict every defensive back's
trajectory for the real target and for each other eligible receiver (one batched
model call per game), and score real and ghost trajectories with the Trajectory
Score against each option's receiver. The result is four tables (see
:class:`Results`); :func:`run` keeps them in memory, :func:`run_files` streams
them game by game into an output folder.

Modules: ``api`` (the entry points), ``inputs`` (reading game by game), ``game``
(one game's ghosts and scores), ``output_rows`` (its rows of the output tables),
``outputs`` (the tables, :class:`Results`, atomic output folders), ``paths``
(folder and glob inputs; no output onto an input), ``summary``
(the counts of ``summary.json``), ``settings``, ``columns`` (columnar helpers),
``tasks`` (a run's Dask tasks, whole games, from metadata) and ``distributed``
(the same games on Dask workers, extra ``dask``).

>>> import ghosting
>>> results = ghosting.run(ghosting.synth.generate_plays(4, seed=0))
>>> results.summary["counts"]["plays_read"]
4
"""

from __future__ import annotations

from .api import run, run_files
from .columns import game_tables
from .outputs import (
    OPTION_TYPE,
    OUTPUT_FILES,
    PLAYS_OUTPUT_SCHEMA,
    PLAYS_SCHEMA,
    SCHEMAS,
    SCORES_SCHEMA,
    TRAJECTORIES_SCHEMA,
    Results,
    staging_dir,
    write_summary,
)
from .paths import check_outputs, expand_inputs
from .settings import MAX_FLIGHT_FRAMES, RunSettings

__all__ = [
    "run",
    "run_files",
    "Results",
    "RunSettings",
    "MAX_FLIGHT_FRAMES",
    "check_outputs",
    "expand_inputs",
    "OUTPUT_FILES",
    "TRAJECTORIES_SCHEMA",
    "SCORES_SCHEMA",
    "PLAYS_OUTPUT_SCHEMA",
    "PLAYS_SCHEMA",
    "OPTION_TYPE",
    "SCHEMAS",
    "game_tables",
    "staging_dir",
    "write_summary",
]

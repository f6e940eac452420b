"""Runs on Dask (``ghosting.pipeline.distributed``): tasks from metadata, outputs
bitwise identical to a single process, a killed worker retried, bad input failing
the whole run cleanly, and the command line's --scheduler/--workers."""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import ghosting
from ghosting.cli import main as cli
from ghosting.errors import GhostingError, InputError
from ghosting.pipeline import OUTPUT_FILES, run_files
from ghosting.pipeline.distributed import dask_client
from ghosting.pipeline.inputs import _scan, game_stream
from ghosting.pipeline.tasks import Task, TaskReader, _row_group_games, list_tasks, plan_tasks

distributed = pytest.importorskip("distributed")

RAW_HIGHLIGHT_GAMES = {2018092311, 2018111807, 2018121600, 2018123015}


@pytest.fixture(scope="module")
def client():
    """A 2-worker LocalCluster in processes, one thread each."""
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
        silence_logs=50,
    )  # fmt: skip
    with distributed.Client(cluster) as c:
        c.wait_for_workers(2)
        yield c
    cluster.close()


@pytest.fixture(scope="module")
def model() -> ghosting.GhostModel:
    return ghosting.GhostModel.load()


def write_sorted(table: pa.Table, path: Path, column: str, row_group_size: int) -> Path:
    """``table`` sorted by ``column`` (stably), in row groups that declare the sort."""
    table = table.take(pc.sort_indices(table, [(column, "ascending")]))
    sorting = [pq.SortingColumn(table.column_names.index(column))]
    pq.write_table(table, path, row_group_size=row_group_size, sorting_columns=sorting)
    return path


@pytest.fixture(scope="module")
def real_inputs(data_dir: Path, tmp_path_factory) -> list[Path]:
    """The 2021 game, the four raw highlight TSVs, and four other highlight games as a
    Parquet file of small sorted row groups (so tasks are row-group ranges)."""
    source = data_dir / "ngs_highlights" / "highlights.parquet"
    games = pq.read_table(source, columns=["gameId"])["gameId"].to_numpy()
    chosen = [g for g in np.unique(games) if g not in RAW_HIGHLIGHT_GAMES][:4]
    subset = pq.read_table(source, filters=[("gameId", "in", chosen)])
    folder = tmp_path_factory.mktemp("highlights")
    part = write_sorted(subset, folder / "highlights_subset.parquet", "gameId", 6000)
    raw = sorted((data_dir / "ngs_highlights" / "raw").glob("*.tsv.gz"))
    return [data_dir / "bdb2021" / "week13_game_2018120600.csv.gz", *raw, part]


def comparable(summary: dict) -> dict:
    """A summary without what differs between runs: timings and the cluster."""
    out = dict(summary)
    out.pop("throughput")
    out.pop("distributed", None)
    return out


def local_plan(paths):
    """The tasks of a run over ``paths``, the first pass run here."""
    return plan_tasks([Path(p) for p in paths], lambda todo: [_scan(p) for p in todo])


def assert_same_outputs(a: Path, b: Path) -> None:
    for name in OUTPUT_FILES:
        if name.endswith(".parquet"):
            assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert comparable(json.loads((a / "summary.json").read_text())) == comparable(
        json.loads((b / "summary.json").read_text())
    )


def assert_bitwise_equal(a: pa.Table, b: pa.Table) -> None:
    """Same schema and values, floats compared bit for bit (NaN included)."""
    assert a.schema.equals(b.schema)
    for name in a.column_names:
        x, y = a[name].combine_chunks(), b[name].combine_chunks()
        assert x.is_null().equals(y.is_null()), name
        if pa.types.is_floating(x.type):
            bits = [c.fill_null(0).to_numpy().view(np.int64) for c in (x, y)]
            np.testing.assert_array_equal(bits[0], bits[1], err_msg=name)
        else:
            assert x.to_pylist() == y.to_pylist(), name


# -- tasks from metadata -------------------------------------------------------------------


def test_a_text_file_is_one_task(tmp_path: Path) -> None:
    path = tmp_path / "week1.csv"
    path.write_text("gameId,playId\n1,1\n")
    assert list_tasks([path]) == [Task(str(path))]


@pytest.mark.parametrize("rows_per_group", [997, 2500, 4100])
def test_sorted_parquet_splits_into_tasks_of_whole_games(tmp_path: Path, rows_per_group) -> None:
    """Row groups cut through games anywhere: every game is in exactly one task, whole,
    and the tasks' games are the single-process reader's, in order."""
    table = ghosting.synth.generate_plays(8, seed=1, plays_per_game=2, descriptions=False)
    path = write_sorted(table, tmp_path / "t.parquet", "game_id", rows_per_group)
    tasks = list_tasks([path])
    assert len(tasks) >= 2 and all(t.row_groups is not None for t in tasks)
    games = [g for t in tasks for g in TaskReader(t, None, {})]
    assert local_plan([path]).tasks == tasks  # a file alone: split by row groups as well
    stream = game_stream([path], {})
    expected = [g for _, g in stream]
    assert [g.num_rows for g in games] == [g.num_rows for g in expected]
    assert len(expected) == 4
    for mine, theirs in zip(games, expected, strict=True):
        assert_bitwise_equal(mine, theirs)
    for left, right in zip(tasks, tasks[1:], strict=False):
        assert left.games[1] < right.games[0]


def test_one_game_per_row_group_needs_no_declared_sort(tmp_path: Path) -> None:
    table = ghosting.synth.generate_plays(4, seed=2, plays_per_game=2, descriptions=False)
    path = tmp_path / "t.parquet"
    with pq.ParquetWriter(path, table.schema) as writer:
        for game in ghosting.pipeline.game_tables(table):
            writer.write_table(game)  # one row group per game, no sorting declared
    assert [t.row_groups for t in list_tasks([path])] == [(0, 1), (1, 2)]


def test_unsorted_or_undeclared_parquet_is_one_task(tmp_path: Path) -> None:
    table = ghosting.synth.generate_plays(4, seed=2, plays_per_game=2, descriptions=False)
    path = tmp_path / "t.parquet"
    pq.write_table(table, path, row_group_size=table.num_rows // 5)  # no sorting declared
    assert list_tasks([path]) == [Task(str(path))]


def test_a_false_sort_declaration_is_a_clean_error(tmp_path: Path) -> None:
    table = ghosting.synth.generate_plays(4, seed=2, plays_per_game=2, descriptions=False)
    games = list(ghosting.pipeline.game_tables(table))
    shuffled = pa.concat_tables([games[1].slice(0, 10), games[0], games[1].slice(10)])
    path = tmp_path / "liar.parquet"
    sorting = [pq.SortingColumn(0)]  # game_id, claimed but false
    pq.write_table(shuffled, path, row_group_size=shuffled.num_rows, sorting_columns=sorting)
    with pytest.raises(InputError, match=r"liar\.parquet: row groups 0\.\.0 are not sorted"):
        list(_row_group_games(path, (0, 1), None, {}))


# -- identical results ---------------------------------------------------------------------


def test_run_files_is_identical_to_one_process(
    client, model, real_inputs: list[Path], data_dir: Path, tmp_path: Path, capsys
) -> None:
    targets = data_dir / "bdb2021" / "targetedReciever.csv"
    single = run_files(real_inputs, tmp_path / "single", targets=targets, model=model)
    dask = run_files(
        real_inputs, tmp_path / "dask", targets=targets, model=model, client=client,
        show_progress=True,
    )  # fmt: skip
    assert_same_outputs(tmp_path / "single", tmp_path / "dask")
    assert (tmp_path / "dask" / "passers.parquet").is_file()
    tasks = local_plan(real_inputs).tasks
    assert sum(t.row_groups is not None for t in tasks) >= 2  # the Parquet file was split
    cluster = dask["distributed"]
    assert cluster["tasks"] == len(tasks) and cluster["threads"] == 2
    assert 1 <= cluster["workers"] <= 2
    assert single["counts"]["games"] == 1 + 4 + 4
    err = capsys.readouterr().err
    assert f"{len(tasks)}/{len(tasks)} tasks, {single['counts']['games']} games" in err


def test_run_in_memory_and_from_a_path_is_identical(
    client, model, data_dir: Path, tmp_path: Path
) -> None:
    table = ghosting.synth.generate_plays(90, seed=5, plays_per_game=30)
    single = ghosting.run(table, model=model)
    dask = ghosting.run(table, model=model, client=client)
    assert dask.summary["distributed"]["tasks"] == 3
    for name in ("trajectories", "scores", "plays"):
        assert_bitwise_equal(getattr(single, name), getattr(dask, name))
    assert comparable(single.summary) == comparable(dask.summary)

    path = data_dir / "bdb2021" / "week13_game_2018120600.csv.gz"
    single = ghosting.run(path, model=model)
    dask = ghosting.run(path, model=model, client=client)
    for name in ("trajectories", "scores", "plays"):
        assert_bitwise_equal(getattr(single, name), getattr(dask, name))
    assert comparable(single.summary) == comparable(dask.summary)


@pytest.fixture(scope="module")
def split_inputs(tmp_path_factory) -> dict[str, Path]:
    """Six synthetic games in three Parquet files: game 0 split across ``a`` and ``b``
    mid-play (rows of one player's track in both), games 3-5 in ``c``, sorted by game
    in small row groups; ``c_copy`` is a copy of ``c`` under another name."""
    folder = tmp_path_factory.mktemp("split")
    table = ghosting.synth.generate_plays(36, seed=21, plays_per_game=6, descriptions=False)
    games = list(ghosting.pipeline.game_tables(table))
    assert len(games) == 6
    cut = int(games[0].num_rows * 0.6)
    pq.write_table(pa.concat_tables([games[0].slice(0, cut), games[1]]), folder / "a.parquet")
    pq.write_table(pa.concat_tables([games[2], games[0].slice(cut)]), folder / "b.parquet")
    rest = pa.concat_tables(games[3:])
    write_sorted(rest, folder / "c.parquet", "game_id", rest.num_rows // 7)
    (folder / "c_copy.parquet").write_bytes((folder / "c.parquet").read_bytes())
    return {p.stem: p for p in folder.iterdir()}


def test_a_game_split_across_files_is_one_task(
    client, model, split_inputs: dict[str, Path], tmp_path: Path
) -> None:
    inputs = [split_inputs[k] for k in ("a", "b", "c")]
    plan = local_plan(inputs)
    grouped = [t for t in plan.tasks if t.files is not None]
    assert [[f.path.name for f in t.files] for t in grouped] == [["a.parquet", "b.parquet"]]
    assert len(plan.tasks) >= 3 and all(t.row_groups for t in plan.tasks[1:])
    single = run_files(inputs, tmp_path / "single", model=model)
    dask = run_files(inputs, tmp_path / "dask", model=model, client=client)
    assert_same_outputs(tmp_path / "single", tmp_path / "dask")
    assert single["counts"]["games"] == 6 and single["counts"]["plays_scored"] > 0
    assert dask["distributed"]["tasks"] == len(plan.tasks)
    plays = pq.read_table(tmp_path / "dask" / "plays.parquet", columns=["game_id", "play_id"])
    keys = list(zip(*(plays[c].to_pylist() for c in plays.column_names), strict=True))
    assert len(keys) == len(set(keys)) == 36  # the split play is one play, once


def test_the_same_file_twice_and_a_copy_count_as_in_one_process(
    client, model, split_inputs: dict[str, Path], tmp_path: Path
) -> None:
    a, b, c, copy = (split_inputs[k] for k in ("a", "b", "c", "c_copy"))
    inputs = [a, b, c, a, copy]
    plan = local_plan(inputs)
    assert plan.repeated_inputs == 1 and len(plan.files) == 4
    assert [[f.path.name for f in t.files or ()] for t in plan.tasks] == [
        ["a.parquet", "b.parquet"], ["c.parquet", "c_copy.parquet"]
    ]  # the copy meets c's games: both scanned, read together
    single = run_files(inputs, tmp_path / "single", model=model)
    dask = run_files(inputs, tmp_path / "dask", model=model, client=client)
    assert_same_outputs(tmp_path / "single", tmp_path / "dask")
    counts = dask["counts"]
    assert counts["repeated_inputs_ignored"] == 1
    assert counts["duplicate_rows_dropped"] == pq.read_metadata(c).num_rows
    assert counts == single["counts"]

    args = [str(p) for p in inputs]
    address = client.scheduler.address
    for extra, name in (([], "one"), (["--scheduler", address], "dask")):
        assert cli(["score", *args, "-o", str(tmp_path / f"{name}.parquet"),
                    "--json", str(tmp_path / f"{name}.json"), *extra]) == 0  # fmt: skip
    for suffix in (".parquet", ".json"):
        one, many = (tmp_path / f"{n}{suffix}" for n in ("one", "dask"))
        assert one.read_bytes() == many.read_bytes(), suffix
    score = json.loads((tmp_path / "dask.json").read_text())
    assert score["counts"]["repeated_inputs_ignored"] == 1
    assert score["counts"]["duplicate_rows_dropped"] == counts["duplicate_rows_dropped"]


class LazyModel:
    """A model object of the user's own (anything with ``predict_plays``): pickled
    without its session and loaded where it is first used."""

    def __init__(self) -> None:
        self.model = None
        self.loaded_here = False

    def predict_plays(self, *args, **kwargs):
        if self.model is None:
            self.model, self.loaded_here = ghosting.GhostModel.load(), True
        return self.model.predict_plays(*args, **kwargs)

    def __getstate__(self) -> dict:
        return {"model": None, "loaded_here": False}


def test_a_custom_model_object_is_sent_to_the_workers(client) -> None:
    table = ghosting.synth.generate_plays(40, seed=9, plays_per_game=20)
    single = ghosting.run(table, model=LazyModel())
    mine = LazyModel()
    dask = ghosting.run(table, model=mine, client=client)
    assert not mine.loaded_here  # the workers ran it, on their own copies
    for name in ("trajectories", "scores", "plays"):
        assert_bitwise_equal(getattr(single, name), getattr(dask, name))


# -- faults ----------------------------------------------------------------------------------


def test_a_bad_file_fails_the_whole_run_as_in_one_process(
    client, model, real_inputs: list[Path], tmp_path: Path
) -> None:
    bad = tmp_path / "week2.csv"
    good = real_inputs[0]
    header = (
        "gameId,playId,nflId,frameId,time,jerseyNumber,team,playDirection,x,y,s,a,dis,o,dir,event"
    )
    bad.write_text(header + "\n1,1,5,1,t,1,home,left,abc,1,1,1,1,1,1,None\n")
    outdir = tmp_path / "out"
    outdir.mkdir()
    (outdir / "plays.parquet").write_bytes(b"an earlier run")
    with pytest.raises(GhostingError) as one:
        run_files([good, bad], outdir, model=model)
    with pytest.raises(GhostingError) as many:
        run_files([good, bad], outdir, model=model, client=client)
    assert type(many.value) is type(one.value)
    assert str(many.value) == str(one.value) and "week2.csv" in str(one.value)
    assert sorted(p.name for p in outdir.iterdir()) == ["plays.parquet"]
    assert (outdir / "plays.parquet").read_bytes() == b"an earlier run"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_a_killed_worker_is_retried_and_nothing_is_lost(client, model, tmp_path: Path) -> None:
    table = ghosting.synth.generate_plays(160, seed=11, plays_per_game=20, descriptions=False)
    path = tmp_path / "season.parquet"
    with pq.ParquetWriter(path, table.schema) as writer:
        for game in ghosting.pipeline.game_tables(table):
            writer.write_table(game)  # 8 games, 8 tasks
    single = run_files([path], tmp_path / "single", model=model)
    pids = client.run(os.getpid)
    outcome: dict = {}

    def work() -> None:
        try:
            outcome["summary"] = run_files([path], tmp_path / "dask", model=model, client=client)
        except BaseException as exc:  # pragma: no cover - reported below
            outcome["error"] = exc

    thread = threading.Thread(target=work)
    thread.start()
    victim = None
    deadline = time.monotonic() + 60
    while victim is None and time.monotonic() < deadline:
        busy = [w for w, keys in client.processing().items()
                if any(str(k).startswith("ghosting-run") for k in keys)]  # fmt: skip
        if busy:
            victim = busy[0]
        else:
            time.sleep(0.02)
    assert victim is not None and thread.is_alive()
    os.kill(pids[victim], 9)  # SIGKILL while its task runs
    thread.join(120)
    assert "error" not in outcome, outcome.get("error")
    assert pids[victim] not in client.run(os.getpid).values()  # the process did die
    assert_same_outputs(tmp_path / "single", tmp_path / "dask")
    assert outcome["summary"]["counts"] == single["counts"]
    assert outcome["summary"]["distributed"]["tasks"] == 8
    client.wait_for_workers(2, timeout=60)


# -- command line and set-up ------------------------------------------------------------------


def test_cli_run_clean_score_with_a_scheduler(
    client, real_inputs: list[Path], tmp_path: Path, capsys
) -> None:
    address = client.scheduler.address
    inputs = [str(p) for p in real_inputs[:3]]
    assert cli(["run", *inputs, "-o", str(tmp_path / "a"), "--json"]) == 0
    assert cli(["run", *inputs, "-o", str(tmp_path / "b"), "--json", "--scheduler", address]) == 0
    assert_same_outputs(tmp_path / "a", tmp_path / "b")
    summary = json.loads((tmp_path / "b" / "summary.json").read_text())
    assert summary["distributed"]["scheduler"] == address and summary["distributed"]["tasks"] == 3

    highlights = [str(p) for p in real_inputs[1:5]]
    for extra, name in (([], "one"), (["--scheduler", address], "dask")):
        out = tmp_path / f"clean_{name}.parquet"
        assert cli(["clean", *highlights, "-o", str(out), "-q", *extra]) == 0
        assert cli(["score", *inputs, "-o", str(tmp_path / f"score_{name}.parquet"),
                    "--json", str(tmp_path / f"score_{name}.json"), *extra]) == 0  # fmt: skip
    for a, b in (("clean_one.parquet", "clean_dask.parquet"),
                 ("score_one.parquet", "score_dask.parquet"),
                 ("score_one.json", "score_dask.json")):  # fmt: skip
        assert (tmp_path / a).read_bytes() == (tmp_path / b).read_bytes(), a
    capsys.readouterr()


def test_cli_refuses_scheduler_and_workers_together(tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli(["run", "--demo", "-o", str(tmp_path / "o"), "--workers", "2", "--scheduler", "x"])
    assert exit_.value.code == 2
    assert "not allowed with" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_an_unreachable_scheduler_is_a_clean_error() -> None:
    with pytest.raises(GhostingError, match="cannot connect to the Dask scheduler at 'tcp://127"):
        with dask_client("tcp://127.0.0.1:9", timeout=1):
            pass  # pragma: no cover


def test_workers_must_be_positive(tmp_path: Path, capsys) -> None:
    assert cli(["run", "--demo", "-o", str(tmp_path / "o"), "--workers", "0"]) == 1
    assert "--workers must be at least 1, got 0" in capsys.readouterr().err


def test_without_dask_the_error_says_what_to_install(
    monkeypatch, tmp_path: Path, capsys
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    with pytest.raises(GhostingError, match=r'pip install "ghosting\[dask\]"'):
        with dask_client(workers=1):
            pass  # pragma: no cover
    assert cli(["run", "--demo", "-o", str(tmp_path / "o"), "--workers", "2"]) == 1
    err = capsys.readouterr().err
    assert 'pip install "ghosting[dask]"' in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()


def _worker_settings() -> tuple:
    import dask

    return os.environ.get("MALLOC_TRIM_THRESHOLD_"), dask.config.get(
        "distributed.worker.profile.enabled"
    )


def test_the_local_cluster_of_workers_n(monkeypatch) -> None:
    """``--workers N``: N processes of one thread, without the two Dask defaults that
    cost this workload CPU (the profiler, the nanny's malloc trim threshold)."""
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    with dask_client(workers=1) as client:
        info = client.scheduler_info()["workers"]
        assert [w["nthreads"] for w in info.values()] == [1]
        assert list(client.run(_worker_settings).values()) == [(None, False)]

"""Hardening of the native bindings, the model files, the output folder and the CLI's
messages.

- Races: a second thread rewrites the offsets of a call while the kernel runs. The
  bindings copy what they validated before releasing the GIL, so every call either
  raises ``ValueError`` (it saw the bad offsets) or returns exactly what one of the
  valid offsets gives; it never reads out of bounds (which crashes this process).
- Model cards and files: every card field is checked; ``onnx_file`` must be a plain
  regular file inside the model folder; a pinned sha256 is honoured.
- Output folders: stale staging folders of dead runs are removed; SIGTERM and SIGKILL
  mid-run leave nothing behind after a rerun; the folder swap is one rename; a folder
  holding files that are not ours is never swapped away.
- CLI messages: control characters of user input are shown escaped.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ghosting import _core, cli
from ghosting._util import atomic_path, exchange_paths, staging_name, terminal_safe
from ghosting.cli import main
from ghosting.errors import GhostingWarning, InputError, ModelError
from ghosting.model import GhostModel
from ghosting.model import card as card_module
from ghosting.model.ghost import DEFAULT_MODEL_DIR
from ghosting.pipeline import outputs as outputs_module
from ghosting.pipeline.outputs import OUTPUT_FILES, staging_dir

# --------------------------------------------------------------------------- races

RACE_CALLS = 150


def _walk(n: int, seed: int, start: float) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.cumsum(rng.normal(0.0, 0.5, (n, 2)), axis=0) + start


def _offsets(lengths: list[int]) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)


def _same(a: Any, b: Any) -> bool:
    """Exactly equal results (tuples of arrays, NaN equal to NaN)."""
    return all(
        x.dtype == y.dtype and np.array_equal(x, y, equal_nan=x.dtype.kind == "f")
        for x, y in zip(a, b, strict=True)
    )


def _race_phase(
    call: Callable[[], Any], target: np.ndarray, index: int, values: list[int], expected: list
) -> tuple[int, int]:
    """RACE_CALLS calls while a thread cycles ``target[index]`` through ``values``:
    (calls that returned one of the ``expected`` results exactly, calls that raised
    ValueError). Any other result fails the test."""
    stop = threading.Event()
    writes = [0]

    def mutate() -> None:
        while not stop.is_set():
            for v in values:
                target[index] = v
            writes[0] += 1

    old_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    thread = threading.Thread(target=mutate, daemon=True)
    thread.start()
    returned = rejected = 0
    try:
        for _ in range(RACE_CALLS):
            try:
                got = call()
            except ValueError:
                rejected += 1
                continue
            assert any(_same(got, want) for want in expected)
            returned += 1
    finally:
        stop.set()
        thread.join()
        sys.setswitchinterval(old_interval)
    assert writes[0] > 10  # the thread really ran beside the calls
    return returned, rejected


def _race(
    call: Callable[[], Any], target: np.ndarray, index: int, valid: list[int], invalid: list[int]
) -> None:
    """Race ``call`` against a thread rewriting ``target[index]``: first with ``valid``
    values only, then with the ``invalid`` ones too.

    With valid values only, every call must return exactly the result of one of them
    (never a mix of two). With invalid values too, every call must raise ValueError or
    return exactly such a result, and the process must survive.
    """
    expected = []
    for v in valid:
        target[index] = v
        expected.append(call())
    target[index] = valid[0]
    if len(valid) > 1:
        assert not _same(expected[0], expected[1]), "the valid values must differ in result"
    assert _race_phase(call, target, index, valid, expected) == (RACE_CALLS, 0)
    target[index] = valid[0]
    returned, rejected = _race_phase(call, target, index, valid + invalid, expected)
    target[index] = valid[0]
    assert returned + rejected == RACE_CALLS


N_TRAJ = 4000
LENGTHS = [5 + (i * 7) % 30 for i in range(N_TRAJ)]
OFF = _offsets(LENGTHS)
N_SAMPLES = int(OFF[-1])
DEFENDER = _walk(N_SAMPLES, 1, 40.0)
RECEIVER = _walk(N_SAMPLES, 2, 45.0)
BIG = 1 << 40  # far past any buffer: a read through it faults


def _mid_values(off: np.ndarray, k: int) -> tuple[list[int], list[int]]:
    """Valid values of off[k] (its own and one strictly between its neighbours), and
    invalid ones: far past the end, far negative, past the next offset."""
    own = int(off[k])
    alt = (int(off[k - 1]) + own) // 2 if own - int(off[k - 1]) > 1 else own + 1
    assert int(off[k - 1]) < alt < int(off[k + 1]) and alt != own
    return [own, alt], [BIG, -BIG, int(off[k + 1]) + 3]


def _cleaning_batch() -> tuple[list[np.ndarray], np.ndarray, np.ndarray, tuple[np.ndarray, ...]]:
    n_plays, per_play = 400, 12
    lengths = [20 + (t % 9) for t in range(n_plays * per_play)]
    track_off = _offsets(lengths)
    n = int(track_off[-1])
    xy = _walk(n, 3, 50.0)
    xy[::97] += 3.0  # some long steps, so that the flags depend on the track boundaries
    s = np.abs(np.random.default_rng(4).normal(5.0, 4.0, n))
    frame = np.concatenate([np.arange(m, dtype=np.int32) for m in lengths])
    play_off = _offsets([per_play] * n_plays)
    is_player = (np.arange(n_plays * per_play) % per_play != 0).astype(np.uint8)
    in_window = np.ones(n, dtype=bool)
    return (
        [xy[:, 0].copy(), xy[:, 1].copy(), s, frame],
        track_off,
        play_off,
        (
            is_player,
            in_window,
        ),
    )


class TestNativeRace:
    """Every binding against a thread that rewrites its offsets (run by .ci/sanitize)."""

    @pytest.mark.parametrize("k", [1, N_TRAJ // 2, N_TRAJ - 1])
    def test_race_trajectory_score_offsets(self, k: int) -> None:
        off = OFF.copy()
        _race(lambda: _core.trajectory_score(DEFENDER, RECEIVER, off), off, k, *_mid_values(off, k))

    def test_race_feasibility_offsets(self) -> None:
        off = OFF.copy()
        k = N_TRAJ // 3
        _race(lambda: _core.feasibility(DEFENDER, off), off, k, *_mid_values(off, k))

    def test_race_play_scores_offsets_and_play_offsets(self) -> None:
        off = OFF.copy()
        ts = np.linspace(-1.0, 1.0, N_TRAJ)
        play_off = _offsets([10] * (N_TRAJ // 10))
        k = N_TRAJ // 4

        def call() -> Any:
            return _core.play_scores(DEFENDER, RECEIVER, off, ts, play_off)

        _race(call, off, k, *_mid_values(off, k))
        _race(call, play_off, 7, [70, 65], [BIG, -BIG, 95])

    @pytest.mark.parametrize("which", ["track_offsets", "play_offsets", "is_player"])
    def test_race_clean_tracks(self, which: str) -> None:
        samples, track_off, play_off, (is_player, in_window) = _cleaning_batch()

        def call() -> Any:
            return _core.clean_tracks(
                *samples, track_off, play_off, is_player, in_window, policy="sample"
            )

        if which == "track_offsets":
            own = int(track_off[1000])
            _race(call, track_off, 1000, [own, own - 5], [BIG, -BIG, int(track_off[1001]) + 1])
        elif which == "play_offsets":
            _race(call, play_off, 10, [120, 117], [BIG, -BIG, 4000])
        else:  # a ball track read as a player's: other flags, never a crash or a mix
            _race(call, is_player, 24, [0, 1], [])


# --------------------------------------------------------------------------- model files


def _model_copy(tmp_path: Path, **card_changes: Any) -> Path:
    d = tmp_path / "model"
    shutil.copytree(DEFAULT_MODEL_DIR, d)
    if card_changes:
        card = json.loads((d / "card.json").read_text())
        card.update(card_changes)
        (d / "card.json").write_text(json.dumps(card))
    return d


def _edit_card(d: Path, edit: Callable[[dict], None]) -> None:
    card = json.loads((d / "card.json").read_text())
    edit(card)
    (d / "card.json").write_text(json.dumps(card))


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (lambda c: c.update(history="five"), r"history must be an integer, got 'five'"),
        (lambda c: c.update(history=1e9), r"history must be an integer, got 1000000000\.0"),
        (lambda c: c.update(history=10**9), r"history must be in \[3, 100\], got 1000000000"),
        (lambda c: c.update(history=True), r"history must be an integer, got True"),
        (lambda c: c.update(horizon=0), r"horizon must be in \[1, 200\], got 0"),
        (lambda c: c.update(features=[]), r"features must be an object with 'columns'"),
        (lambda c: c["features"].update(columns=[]), r"lists no feature columns"),
        (lambda c: c["features"].update(columns=[1, 2]), r"lists no feature columns"),
        (
            lambda c: c["features"].update(columns=["def_ax", "def_ax"]),
            r"at most 100000 distinct names",
        ),
        (lambda c: c.update(onnx_sha256="abc"), r"onnx_sha256 must be a sha256 digest"),
        (lambda c: c.update(onnx_file=7), r"onnx_file must be a file name"),
        (lambda c: c.update(pursuit_caps="fast"), r"pursuit_caps must map names to numbers"),
        (lambda c: c.update(pursuit_caps={"max_speed": -1}), r"pursuit_caps must map"),
        (lambda c: c.update(training=[]), r"training must be an object"),
        (
            lambda c: c["training"].update(split_by_game={"train": ["week one"]}),
            r"split_by_game must map split names to game ids",
        ),
        (lambda c: c.update(name=["x"]), r"name must be a string"),
        (lambda c: c.pop("horizon"), r"lacks the key 'horizon'"),
    ],
)
def test_bad_card_field_is_a_model_error(tmp_path: Path, edit: Callable, match: str) -> None:
    d = _model_copy(tmp_path)
    _edit_card(d, edit)
    with pytest.raises(ModelError, match=match) as info:
        GhostModel.load(d)
    assert str(d / "card.json") in str(info.value)


def test_onnx_file_outside_the_folder_is_refused_without_its_hash(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.onnx"
    outside.write_bytes(b"some file that is not the user's model")
    foreign_hash = hashlib.sha256(outside.read_bytes()).hexdigest()
    passwd_hash = hashlib.sha256(Path("/etc/passwd").read_bytes()).hexdigest()
    d = _model_copy(tmp_path)
    (d / "link.onnx").symlink_to(outside)
    (d / "zero.onnx").symlink_to("/dev/zero")
    cases = {
        "../elsewhere.onnx": "must name a file inside the model folder",
        str(outside): "must name a file inside the model folder",
        "/etc/passwd": "must name a file inside the model folder",
        "/dev/zero": "must name a file inside the model folder",
        "sub/../../elsewhere.onnx": "must name a file inside the model folder",
        "link.onnx": "leads outside the model folder",
        "zero.onnx": "leads outside the model folder",
        ".": "leads outside the model folder",
    }
    for name, match in cases.items():
        _edit_card(d, lambda c, name=name: c.update(onnx_file=name))
        with pytest.raises(ModelError, match=match) as info:
            GhostModel.load(d)
        message = str(info.value)
        assert foreign_hash[:12] not in message and passwd_hash[:12] not in message, name


def test_onnx_file_must_be_regular_and_not_too_big(tmp_path: Path, monkeypatch) -> None:
    d = _model_copy(tmp_path)
    os.mkfifo(d / "pipe.onnx")  # opening it for reading would wait for a writer forever
    _edit_card(d, lambda c: c.update(onnx_file="pipe.onnx"))
    with pytest.raises(ModelError, match=r"pipe\.onnx is not a regular file"):
        GhostModel.load(d)
    _edit_card(d, lambda c: c.update(onnx_file="ghost.onnx"))
    monkeypatch.setattr(card_module, "MAX_ONNX_BYTES", 1000)
    with pytest.raises(ModelError, match=r"ghost\.onnx is 1205613 bytes, more than the limit"):
        GhostModel.load(d)


def test_onnx_file_in_a_subfolder_loads(tmp_path: Path) -> None:
    d = _model_copy(tmp_path)
    (d / "net").mkdir()
    (d / "ghost.onnx").rename(d / "net" / "ghost.onnx")
    _edit_card(d, lambda c: c.update(onnx_file="net/ghost.onnx"))
    assert GhostModel.load(d).sha256 == GhostModel.load().sha256


def test_card_that_is_not_a_regular_file_or_too_deep(tmp_path: Path) -> None:
    d = tmp_path / "fifo_model"
    d.mkdir()
    os.mkfifo(d / "card.json")
    with pytest.raises(ModelError, match=r"card\.json is not a regular file"):
        GhostModel.load(d)
    deep = tmp_path / "deep"
    deep.mkdir()
    (deep / "card.json").write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ModelError, match="nested too deeply|not valid JSON"):
        GhostModel.load(deep)


def test_pinned_sha256(tmp_path: Path) -> None:
    shipped = GhostModel.load()
    assert GhostModel.load(sha256=shipped.sha256.upper()).sha256 == shipped.sha256
    # a consistent card and file, but not the model the user pinned
    d = _model_copy(tmp_path)
    blob = (d / "ghost.onnx").read_bytes() + b"\0"
    (d / "ghost.onnx").write_bytes(blob)
    _edit_card(d, lambda c: c.update(onnx_sha256=hashlib.sha256(blob).hexdigest()))
    with pytest.raises(ModelError, match=r"not the pinned 0943f84f45a9\.\.\.: a different model"):
        GhostModel.load(d, sha256=shipped.sha256)
    with pytest.raises(ModelError, match=r"the pinned sha256 must be a sha256 digest"):
        GhostModel.load(sha256="0943f84f")


def test_cli_model_sha256_refuses_another_model(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    code = main(["run", "--demo", "--demo-plays", "2", "-o", str(out), "--model-sha256", "0" * 64])
    err = capsys.readouterr().err
    assert code == 1
    assert "ghosting run: error: model file" in err and "not the pinned 000000000000" in err
    assert "Traceback" not in err and not out.exists()
    assert list(tmp_path.iterdir()) == []
    report = tmp_path / "report.json"
    code = main(["evaluate", "x.csv", "--model-sha256", "1" * 64, "--json", str(report)])
    err = capsys.readouterr().err
    assert code == 1 and "ghosting evaluate: error: model file" in err
    assert "not the pinned 111111111111" in err and not report.exists()


# --------------------------------------------------------------------------- output folders


def _leftovers(parent: Path, name: str = "out") -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(f".{name}.ghosting-"))


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _staged_name(name: str, pid: int, kind: str = "tmp") -> str:
    """A staging name as process ``pid`` of this host would have made it."""
    own = staging_name(name, kind)
    return own.replace(f"-{os.getpid()}-", f"-{pid}-", 1)


def _write_version(outdir: Path, version: str, names: tuple[str, ...] = OUTPUT_FILES) -> None:
    with staging_dir(outdir) as tmp:
        for name in names:
            (tmp / name).write_text(version)


def _start_run(out: Path, plays: int = 400) -> subprocess.Popen:
    """`ghosting run --demo` in a child process; returns once its staging folder exists."""
    cmd = [sys.executable, "-m", "ghosting", "run", "--demo", "--demo-plays", str(plays)]
    proc = subprocess.Popen(
        [*cmd, "-o", str(out), "--json"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not _leftovers(out.parent) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert proc.poll() is None and _leftovers(out.parent), "the run ended before it was stopped"
    return proc


def test_sigkill_mid_run_then_rerun_leaves_nothing_behind(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    proc = _start_run(out)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert len(_leftovers(tmp_path)) == 1 and not out.exists()  # what a killed run leaves
    assert main(["run", "--demo", "--demo-plays", "2", "-o", str(out), "--json"]) == 0
    capsys.readouterr()
    assert _leftovers(tmp_path) == []
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)


def test_sigterm_mid_run_removes_the_staging_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = _start_run(out)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143
    assert err.strip().endswith("ghosting run: terminated") and "Traceback" not in err
    assert _leftovers(tmp_path) == [] and not out.exists()


def test_only_dead_runs_leftovers_are_removed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    live = tmp_path / staging_name("out", "tmp")  # this process: alive
    dead = tmp_path / _staged_name("out", _dead_pid())
    dead_with_user_file = tmp_path / _staged_name("out", _dead_pid())
    other_output = tmp_path / _staged_name("other", _dead_pid())
    for folder in (live, dead, dead_with_user_file, other_output):
        folder.mkdir()
        (folder / "scores.parquet").write_text("partial")
    (dead_with_user_file / "notes.txt").write_text("mine")
    _write_version(out, "v1")
    assert not dead.exists() and not (dead_with_user_file / "scores.parquet").exists()
    assert (dead_with_user_file / "notes.txt").read_text() == "mine"
    assert (live / "scores.parquet").exists() and (other_output / "scores.parquet").exists()


def test_stale_files_of_atomic_path_are_removed(tmp_path: Path) -> None:
    target = tmp_path / "scores.parquet"
    dead = tmp_path / _staged_name("scores.parquet", _dead_pid())
    live = tmp_path / staging_name("scores.parquet", "tmp")
    dead.write_text("partial")
    live.write_text("being written")
    with atomic_path(target) as tmp:
        assert tmp.name.startswith(".scores.parquet.ghosting-") and tmp.exists()
        tmp.write_text("done")
    assert target.read_text() == "done"
    assert not dead.exists() and live.read_text() == "being written"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("stop")
    assert target.read_text() == "done" and sorted(p.name for p in tmp_path.iterdir()) == [
        live.name,
        "scores.parquet",
    ]


def test_a_folder_with_the_users_files_is_refused(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "scores.parquet").write_text("an old output")
    (out / "my_notes.txt").write_text("mine")
    with pytest.raises(InputError, match=r"holds files ghosting did not write \('my_notes\.txt'\)"):
        _write_version(out, "v2")
    code = main(["run", "--demo", "--demo-plays", "2", "-o", str(out), "--json"])
    captured = capsys.readouterr()
    assert code == 1 and "my_notes.txt" in captured.err and captured.out == ""
    assert sorted(p.name for p in out.iterdir()) == ["my_notes.txt", "scores.parquet"]
    assert (out / "my_notes.txt").read_text() == "mine"
    assert _leftovers(tmp_path) == []
    (out / "my_notes.txt").unlink()
    (out / "sub").mkdir()  # a folder is not an output file either
    with pytest.raises(InputError, match=r"\('sub'\)"):
        _write_version(out, "v2")


def test_after_the_swap_every_file_comes_from_the_new_run(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _write_version(out, "v1")
    assert {p.name: p.read_text() for p in out.iterdir()} == dict.fromkeys(OUTPUT_FILES, "v1")
    _write_version(out, "v2", names=("plays.parquet", "summary.json"))
    assert {p.name: p.read_text() for p in out.iterdir()} == {
        "plays.parquet": "v2",
        "summary.json": "v2",
    }
    assert _leftovers(tmp_path) == []


def test_the_folder_is_exchanged_in_one_step(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "f").write_text("a")
    (b / "f").write_text("b")
    assert exchange_paths(a, b) is True  # Linux: renameat2(RENAME_EXCHANGE)
    assert (a / "f").read_text() == "b" and (b / "f").read_text() == "a"


def test_a_reader_never_sees_a_mix(tmp_path: Path) -> None:
    """A reader that opens the folder once and reads every file through it sees one
    run's files only, while runs replace the folder as fast as they can."""
    out = tmp_path / "out"
    _write_version(out, "v0")
    stop = threading.Event()
    seen: list[set[str]] = []

    def read() -> None:
        while not stop.is_set():
            try:
                fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
            except FileNotFoundError:
                continue
            try:
                versions = set()
                for name in OUTPUT_FILES:
                    file_fd = os.open(name, os.O_RDONLY, dir_fd=fd)
                    try:
                        versions.add(os.read(file_fd, 100))
                    finally:
                        os.close(file_fd)
                seen.append(versions)
            except FileNotFoundError:  # the old folder was deleted while being read
                pass
            finally:
                os.close(fd)

    thread = threading.Thread(target=read)
    thread.start()
    try:
        for k in range(1, 150):
            _write_version(out, f"v{k}")
    finally:
        stop.set()
        thread.join()
    assert len(seen) > 20
    assert all(len(versions) == 1 for versions in seen)
    assert (out / "summary.json").read_text() == "v149" and _leftovers(tmp_path) == []


def test_a_symlinked_output_folder_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "real"
    _write_version(real, "v1")
    link = tmp_path / "link"
    link.symlink_to(real)
    _write_version(link, "v2")
    assert link.is_symlink() and (real / "summary.json").read_text() == "v2"


# --------------------------------------------------------------------------- messages


def test_cli_escapes_control_characters_of_a_header(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad\x1b]0;title\x07.csv"
    bad.write_text("time,x\x1b[31m,y\u202e\n1,2,3\n")
    code = main(["run", str(bad), "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert "\x1b" not in err and "\x07" not in err and "\u202e" not in err
    assert "x\\x1b[31m" in err and "y\\u202e" in err and "bad\\x1b]0;title\\x07.csv" in err
    assert err.count("\n") == 1  # one line


def test_terminal_safe_and_warning_format() -> None:
    assert terminal_safe("plain é ü 12") == "plain é ü 12"
    assert terminal_safe("a\x1b[2Jb\r\nc\x7f\x9b") == "a\\x1b[2Jb\\x0d\\x0ac\\x7f\\x9b"
    assert terminal_safe("\u202eevil\u200b") == "\\u202eevil\\u200b"
    with cli._safe_warnings("clean"):
        line = warnings.formatwarning(
            GhostingWarning("column '\x1b[31mred'"), GhostingWarning, "f.py", 1
        )
    assert line == "ghosting clean: warning: GhostingWarning: column '\\x1b[31mred'\n"
    assert warnings.formatwarning is not None and "ghosting" not in warnings.formatwarning(
        UserWarning("x"), UserWarning, "f.py", 1
    )


def test_cli_output_streams_escape_what_they_echo(tmp_path: Path, capsys) -> None:
    with cli._escaping_output():
        print("wrote o\x1b[2Jx\tok\r")
        sys.stderr.write("[1/1] g\x1b]0;t\x07.csv\r")
        assert sys.stdout.isatty() is False  # everything else is the real stream's
    captured = capsys.readouterr()
    assert captured.out == "wrote o\\x1b[2Jx\tok\r\n"
    assert captured.err == "[1/1] g\\x1b]0;t\\x07.csv\r"
    assert sys.stdout.write("\x1b") == 1 and capsys.readouterr().out == "\x1b"  # restored


def test_outputs_moved_aside_by_a_killed_run_are_put_back(tmp_path: Path) -> None:
    """The fallback swap moves the old folder aside first; a run killed right then
    leaves it there, and the next run puts it back before starting (so a failing
    next run still leaves the earlier outputs in place)."""
    out = tmp_path / "out"
    aside = tmp_path / _staged_name("out", _dead_pid(), "old")
    aside.mkdir()
    for name in OUTPUT_FILES:
        (aside / name).write_text("v1")
    with pytest.raises(RuntimeError), staging_dir(out):
        raise RuntimeError("the next run fails")
    assert {p.name: p.read_text() for p in out.iterdir()} == dict.fromkeys(OUTPUT_FILES, "v1")
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("system", ["no_exchange", "mount_point"])
def test_fallback_swaps_give_the_same_folder(tmp_path: Path, monkeypatch, system: str) -> None:
    def cannot_exchange(a: Path, b: Path) -> bool:
        if system == "mount_point":
            raise OSError(errno.EBUSY, "Device or resource busy", str(b))
        return False

    monkeypatch.setattr(outputs_module, "exchange_paths", cannot_exchange)
    if system == "mount_point":
        real_rename = os.rename

        def rename(a: Any, b: Any) -> None:
            if Path(a) == tmp_path / "out":  # the mount point itself cannot move
                raise OSError(errno.EBUSY, "Device or resource busy", str(a))
            real_rename(a, b)

        monkeypatch.setattr(outputs_module.os, "rename", rename)
    out = tmp_path / "out"
    _write_version(out, "v1")
    _write_version(out, "v2", names=("scores.parquet", "summary.json"))
    assert {p.name: p.read_text() for p in out.iterdir()} == {
        "scores.parquet": "v2",
        "summary.json": "v2",
    }
    assert _leftovers(tmp_path) == []

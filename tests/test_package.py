import subprocess
import sys

import pytest

import ghosting


def test_public_names_resolve_or_fail_clearly():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        ghosting.nope  # noqa: B018
    assert issubclass(ghosting.LayoutError, ghosting.GhostingError)
    assert issubclass(ghosting.InputError, ValueError)


def test_cli_without_command_prints_help_and_fails():
    proc = subprocess.run(
        [sys.executable, "-m", "ghosting"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2
    assert "usage: ghosting" in proc.stderr


def test_core_module_loads():
    from ghosting import _core

    assert _core.FIELD_LENGTH == 120.0


def test_closed_stdout_ends_quietly(tmp_path):
    # `ghosting run --demo --json | head`: the reader goes away before we write.
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ghosting",
            "run",
            "--demo",
            "--demo-plays",
            "2",
            "-o",
            str(tmp_path / "out"),
            "--json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait() == 141
    assert "Traceback" not in err

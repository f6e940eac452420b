"""Every script in examples/ runs (on synthetic plays, and on the real 2021 game when
GHOSTING_DATA is set) and type-checks against the public API."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pyarrow.csv as pacsv
import pytest

import ghosting

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _run(*args: str | Path, timeout: float = 300) -> str:
    done = subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_every_example_is_tested() -> None:
    scripts = sorted(p.name for p in EXAMPLES.glob("*.py"))
    assert scripts == ["play_picture.py", "qb_decisions.py", "score_week.py", "service.py"]


@pytest.fixture(scope="module")
def demo_outdir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("examples") / "out"
    text = _run(EXAMPLES / "score_week.py", "--demo", "4", "-o", out)
    assert "4 of 4 plays scored" in text
    assert "mean TS ghost_real_target" in text and f"wrote {out}" in text
    return out


def test_score_week_writes_an_output_folder(demo_outdir: Path) -> None:
    names = sorted(p.name for p in demo_outdir.iterdir())
    assert names == ["passers.parquet", "plays.parquet", "scores.parquet", "summary.json",
                     "trajectories.parquet"]
    summary = json.loads((demo_outdir / "summary.json").read_text())
    assert summary["counts"]["plays_scored"] == 4


def test_score_week_on_the_2021_game(data_dir: Path, tmp_path: Path) -> None:
    folder = data_dir / "bdb2021"
    text = _run(EXAMPLES / "score_week.py", folder / "week13_game_2018120600.csv.gz",
                "--targets", folder / "targetedReciever.csv", "-o", tmp_path / "out")
    assert "64 of 73 plays scored" in text
    assert "most open" in text and ("Cody Kessler" in text or "target " in text)


def test_qb_decisions_table(demo_outdir: Path) -> None:
    pytest.importorskip("pandas")
    text = _run(EXAMPLES / "qb_decisions.py", demo_outdir)
    header = text.splitlines()[0].split()
    assert header == ["passer_display_name", "plays", "plays_judged",
                      "real_target_first_share", "better_option_share", "value_left",
                      "expected_yards_left"]
    import pyarrow.parquet as pq

    passers = set(pq.read_table(demo_outdir / "plays.parquet")["passer_display_name"]
                  .to_pylist())
    assert passers and all(name in text for name in passers if name)


def test_play_picture_writes_pictures_and_animations(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    text = _run(EXAMPLES / "play_picture.py", "--demo", "--dpi", "25", "-o", tmp_path)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert len(written) == 4 and text.count("wrote ") == 4
    magic = {".png": b"\x89PNG", ".svg": b"<?xml", ".gif": b"GIF8"}
    for name in written:
        assert (tmp_path / name).read_bytes().startswith(magic[Path(name).suffix]), name


def _service():
    spec = importlib.util.spec_from_file_location("ghosting_example_service",
                                                  EXAMPLES / "service.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_service_answers_a_play_over_http(tmp_path: Path) -> None:
    from http.server import ThreadingHTTPServer

    service = _service()
    tracking = ghosting.synth.generate_plays(1, seed=0)
    csv_path = tmp_path / "play.csv"
    pacsv.write_csv(tracking, csv_path)
    server = ThreadingHTTPServer(("127.0.0.1", 0), service.Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/ghost"
        request = urllib.request.Request(url, data=csv_path.read_bytes(), method="POST")
        with urllib.request.urlopen(request, timeout=60) as response:
            answer = json.loads(response.read())
        bad = urllib.request.Request(url, data=b"a,b\n1,2\n", method="POST")
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(bad, timeout=60)
        assert info.value.code == 400
        assert "error" in json.loads(info.value.read())
    finally:
        server.shutdown()
        server.server_close()
    (play,) = answer["plays"]
    assert play["status"] == "scored" and play["passer"] and play["target"]
    direct = service.ghost_play(tracking)
    assert direct == answer  # the same answer over HTTP and in process
    options = play["options"]
    assert sum(o["is_real_target"] for o in options) == 1
    separations = [o["separation_yd"] for o in options]
    assert separations == sorted(separations, reverse=True)


def test_examples_type_check(tmp_path: Path) -> None:
    """mypy passes on the examples and catches a misuse of the typed API."""
    pytest.importorskip("mypy")
    scripts = sorted(str(p) for p in EXAMPLES.glob("*.py"))
    done = subprocess.run([sys.executable, "-m", "mypy", "--no-incremental", *scripts],
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    bad = tmp_path / "misuse.py"
    bad.write_text(
        "import ghosting\n\n"
        "results = ghosting.run('week.csv', policy=3)\n"
        "results.to_polars(3)\n"
        "ghosting.run('week.csv', reference='ball')\n",
        encoding="utf-8",
    )
    done = subprocess.run([sys.executable, "-m", "mypy", "--no-incremental", str(bad)],
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 1
    # the choices are Literal types (ghosting.choices): a wrong value is caught, not only
    # a wrong type
    assert 'Argument "policy" to "run" has incompatible type "Literal[3]"' in done.stdout
    assert ('Argument "reference" to "run" has incompatible type "Literal[\'ball\']"; '
            'expected "Literal[\'catch_point\', \'receiver\']"') in done.stdout
    assert 'Argument 1 to "to_polars" of "Results" has incompatible type "int"' in done.stdout


def test_cli_docs_match_the_help() -> None:
    """docs/cli/<subcommand>.md holds each subcommand's --help as it is today."""
    script = EXAMPLES.parent / "docs" / "cli" / "generate.py"
    done = subprocess.run([sys.executable, str(script), "--check"], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    from ghosting.cli import SUBCOMMANDS

    pages = sorted(p.stem for p in script.parent.glob("*.md"))
    assert pages == sorted(SUBCOMMANDS)
    for name in SUBCOMMANDS:
        text = (script.parent / f"{name}.md").read_text(encoding="utf-8")
        assert f"usage: ghosting {name}" in text
        assert "DESIGN" not in text


def test_docs_cite_no_unshipped_design_document() -> None:
    root = EXAMPLES.parent
    pages = [root / "README.md", root / "ARCHITECTURE.md", *sorted((root / "docs").rglob("*.md"))]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "DESIGN" not in text and "design document" not in text, page.name

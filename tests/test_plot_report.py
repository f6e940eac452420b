"""`ghosting plot` and `ghosting report`: a picture and a self-contained page are made
(checked for size and content, not pixels); clear errors otherwise."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import ghosting
from ghosting.cli import main
from ghosting.decision.report_section import better_decisions
from ghosting.pipeline import run_files
from ghosting.plot import parse_play, plot_play
from ghosting.report import better_options, write_report

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def outdir(tmp_path_factory) -> Path:
    pytest.importorskip("matplotlib")
    out = tmp_path_factory.mktemp("run") / "out"
    run_files(None, out, demo_plays=6, demo_seed=11)
    return out


@pytest.fixture(scope="module")
def scored_play(outdir: Path) -> tuple[int, int]:
    plays = pq.read_table(outdir / "plays.parquet")
    row = plays.filter(pc.equal(plays["status"], "scored")).to_pylist()[0]
    return row["game_id"], row["play_id"]


def test_plot_play_writes_a_png(outdir, scored_play, tmp_path) -> None:
    path = tmp_path / "play.png"
    fig = plot_play(outdir, *scored_play, path)
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC)
    assert len(data) > 20_000  # a field with trajectories, not a blank canvas
    plays = pq.read_table(outdir / "plays.parquet")
    row = plays.filter(pc.and_(pc.equal(plays["game_id"], scored_play[0]),
                               pc.equal(plays["play_id"], scored_play[1]))).to_pylist()[0]
    assert len(fig.axes) == 1 + len(row["options"])  # real play + one panel per option
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left


def test_plot_from_results_in_memory(scored_play, tmp_path) -> None:
    results = ghosting.run(ghosting.synth.generate_plays(6, seed=11))
    path = tmp_path / "mem.png"
    plot_play(results, *scored_play, path)
    assert path.read_bytes().startswith(PNG_MAGIC)


def test_cli_plot(outdir, scored_play, tmp_path, capsys) -> None:
    path = tmp_path / "cli.png"
    code = main(["plot", str(outdir), "--play", f"{scored_play[0]}:{scored_play[1]}",
                 "-o", str(path)])
    assert code == 0
    assert path.stat().st_size > 20_000


@pytest.mark.parametrize(
    "play, message", [("12", "GAME:PLAY"), ("a:b", "GAME:PLAY"), ("1:2", "not in")]
)
def test_cli_plot_bad_play(outdir, tmp_path, capsys, play, message) -> None:
    path = tmp_path / "x.png"
    code = main(["plot", str(outdir), "--play", play, "-o", str(path)])
    assert code == 1
    assert message in capsys.readouterr().err
    assert not path.exists()


def test_cli_plot_not_an_output_folder(tmp_path, capsys) -> None:
    code = main(["plot", str(tmp_path), "--play", "1:2", "-o", str(tmp_path / "p.png")])
    assert code == 1
    assert "plays.parquet" in capsys.readouterr().err


def test_parse_play() -> None:
    assert parse_play("2018120600:75") == (2018120600, 75)


def test_plot_without_matplotlib_names_the_extra(outdir, scored_play, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ghosting.GhostingError, match=r'pip install "ghosting\[plot\]"'):
        plot_play(outdir, *scored_play)
    with pytest.raises(ghosting.GhostingError, match=r"ghosting\[plot\]"):
        write_report(outdir, outdir.parent / "r.html")
    # the report still works without pictures
    path = write_report(outdir, outdir.parent / "r.html", pictures=False)
    assert "<img" not in path.read_text()


def test_report_is_self_contained(outdir, tmp_path, capsys) -> None:
    path = tmp_path / "report.html"
    code = main(["report", str(outdir), "-o", str(path), "--top", "3"])
    assert code == 0
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert "Trajectory Score" in text and "ghost all options" in text
    chosen = better_options(pq.read_table(outdir / "plays.parquet"), 3)
    decided = better_decisions(pq.read_table(outdir / "plays.parquet"), 3)
    images = re.findall(r'<img [^>]*src="([^"]+)"', text)
    assert len(images) == chosen.num_rows + decided.num_rows  # both sections' plays
    assert all(src.startswith("data:image/png;base64,") and len(src) > 10_000 for src in images)
    for game_id, play_id in zip(chosen["game_id"].to_pylist(), chosen["play_id"].to_pylist(),
                                strict=True):
        assert f"{game_id}:{play_id}" in text
    assert not re.search(r'(src|href)="(https?:)?//', text)  # nothing fetched from outside
    assert "<link" not in text and "<script src" not in text  # only the inline sort script


def test_report_better_options_are_ranked_by_gain(outdir) -> None:
    plays = pq.read_table(outdir / "plays.parquet")
    chosen = better_options(plays, 10).to_pylist()
    gains = [p["separation_gain"] for p in chosen]
    assert gains == sorted(gains, reverse=True)
    assert all(g > 0 for g in gains)
    assert all(p["best_option"] != p["targeted_receiver"] for p in chosen)


def test_report_bad_folder(tmp_path, capsys) -> None:
    code = main(["report", str(tmp_path / "nope"), "-o", str(tmp_path / "r.html")])
    assert code == 1
    assert "summary.json" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()


def test_picture_of_a_real_play(data_dir, tmp_path) -> None:
    pytest.importorskip("matplotlib")
    folder = data_dir / "bdb2021"
    results = ghosting.run(
        str(folder / "week13_game_2018120600.csv.gz"), targets=str(folder / "targetedReciever.csv")
    )
    best = better_options(results.plays, 1).to_pylist()[0]
    path = tmp_path / "real.png"
    plot_play(results, best["game_id"], best["play_id"], path)
    assert path.stat().st_size > 20_000


def test_the_real_target_panel_is_always_shown() -> None:
    from ghosting.plot import _shown_options

    options = [{"rank": k, "nfl_id": k, "is_real_target": k == 5} for k in range(1, 7)]
    shown = _shown_options({"options": options}, 3)
    assert [o["rank"] for o in shown] == [1, 2, 5]
    assert [o["rank"] for o in _shown_options({"options": options}, 6)] == [1, 2, 3, 4, 5, 6]


def test_option_panel_titles_fit_their_panels(outdir, scored_play) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = plot_play(outdir, *scored_play)
    renderer = FigureCanvasAgg(fig).get_renderer()
    for ax in fig.axes[1:]:  # the option panels
        title = ax.title.get_window_extent(renderer)
        assert title.width <= ax.get_window_extent(renderer).width * 1.05, ax.get_title()

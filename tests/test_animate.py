"""`ghosting animate`: a GIF with one frame per tracking frame of the flight (plus the
held last frame); clear errors for bad suffixes, options and missing ffmpeg."""

from __future__ import annotations

from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from ghosting.cli import main
from ghosting.pipeline import run_files

pytest.importorskip("matplotlib")
Image = pytest.importorskip("PIL.Image")


@pytest.fixture(scope="module")
def outdir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("anim") / "out"
    run_files(None, out, demo_plays=3, demo_seed=5)
    return out


@pytest.fixture(scope="module")
def play(outdir: Path) -> dict:
    plays = pq.read_table(outdir / "plays.parquet")
    return plays.filter(pc.equal(plays["status"], "scored")).to_pylist()[0]


def _frames(path: Path) -> int:
    with Image.open(path) as im:
        return int(im.n_frames)


def _last_duration(path: Path) -> int:
    """Milliseconds the GIF shows its last frame (Pillow merges repeated frames)."""
    with Image.open(path) as im:
        im.seek(im.n_frames - 1)
        return int(im.info["duration"])


def test_gif_has_one_frame_per_flight_frame(outdir, play, tmp_path) -> None:
    from ghosting.animate import animate_play

    path = tmp_path / "play.gif"
    animate_play(outdir, play["game_id"], play["play_id"], path, dpi=30, hold=2)
    flight = play["arrival_frame"] - play["pass_forward_frame"] + 1
    assert flight > 3
    assert _frames(path) == flight  # one per tracking frame, pass forward to arrival
    assert _last_duration(path) == 300  # the arrival held 2 frames longer, at 10 fps
    assert sorted(p.name for p in tmp_path.iterdir()) == ["play.gif"]  # no temporary left


def test_cli_animate_every_option(outdir, play, tmp_path, capsys) -> None:
    path = tmp_path / "all.gif"
    code = main(["animate", str(outdir), "--play", f"{play['game_id']}:{play['play_id']}",
                 "--option", "all", "--dpi", "25", "--hold", "0", "-o", str(path)])
    assert code == 0, capsys.readouterr().err
    assert _frames(path) == play["arrival_frame"] - play["pass_forward_frame"] + 1
    assert _last_duration(path) == 100
    with Image.open(path) as im:
        first = im.convert("RGB").copy()
        im.seek(im.n_frames - 1)
        last = im.convert("RGB")
        assert first.tobytes() != last.tobytes()  # the players moved
    assert f"wrote {path}" in capsys.readouterr().out


def test_cli_animate_one_receiver(outdir, play, tmp_path) -> None:
    other = [o for o in play["options"] if not o["is_real_target"]][0]
    path = tmp_path / "one.gif"
    code = main(["animate", str(outdir), "--play", f"{play['game_id']}:{play['play_id']}",
                 "--option", str(other["nfl_id"]), "--dpi", "25", "-o", str(path)])
    assert code == 0
    assert _frames(path) == play["arrival_frame"] - play["pass_forward_frame"] + 1
    assert _last_duration(path) == 600  # default hold: 5 frames


@pytest.mark.parametrize(
    ("extra", "name", "message"),
    [
        ([], "play.avi", "use .gif or .mp4"),
        (["--option", "12345"], "play.gif", "has no option 12345"),
        (["--option", "best"], "play.gif", "option must be 'real', 'all'"),
        (["--fps", "0"], "play.gif", "fps must be >= 1"),
    ],
)
def test_cli_animate_bad_arguments(outdir, play, tmp_path, capsys, extra, name, message) -> None:
    path = tmp_path / name
    code = main(["animate", str(outdir), "--play", f"{play['game_id']}:{play['play_id']}",
                 *extra, "-o", str(path)])
    assert code == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not path.exists()


def test_mp4_without_ffmpeg_is_a_clear_error(outdir, play, tmp_path, capsys,
                                              monkeypatch) -> None:
    from matplotlib import animation

    monkeypatch.setattr(animation.writers, "is_available", lambda name: False)
    path = tmp_path / "play.mp4"
    code = main(["animate", str(outdir), "--play", f"{play['game_id']}:{play['play_id']}",
                 "-o", str(path)])
    assert code == 1
    assert "needs ffmpeg" in capsys.readouterr().err
    assert not path.exists()


def test_animate_a_skipped_play_says_why(tmp_path, capsys) -> None:
    import ghosting

    tracking = ghosting.synth.generate_plays(2, seed=3)
    # drop the second play's pass_forward event: it is read, then skipped
    play_ids = sorted(set(tracking["play_id"].to_pylist()))
    event = pc.if_else(
        pc.and_(pc.equal(tracking["play_id"], play_ids[1]),
                pc.equal(tracking["event"], "pass_forward")),
        None, tracking["event"])
    tracking = tracking.set_column(tracking.schema.get_field_index("event"), "event", event)
    results = ghosting.run(tracking)
    results.write(tmp_path / "out")
    code = main(["animate", str(tmp_path / "out"), "--play",
                 f"{tracking['game_id'][0].as_py()}:{play_ids[1]}", "-o",
                 str(tmp_path / "x.gif")])
    assert code == 1
    assert "was not scored" in capsys.readouterr().err

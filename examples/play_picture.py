"""A picture and an animation of one play (needs matplotlib and Pillow:
pip install "ghosting[plot]").

    python examples/play_picture.py out/ --play 2018120600:927 -o pictures/
    python examples/play_picture.py --demo -o pictures/

Writes PLAY.png (the real play, a legend, one panel per target option), PLAY.svg
(the same picture as vectors), PLAY.gif (the flight, ghosts for the real target) and
PLAY-options.gif (one animated panel per option).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pyarrow.compute as pc

import ghosting
from ghosting.animate import animate_play
from ghosting.plot import parse_play, plot_play


def first_scored(results: ghosting.Results) -> tuple[int, int]:
    """The scored play with the largest separation gain."""
    plays = results.plays.filter(pc.equal(results.plays["status"], "scored"))
    row = plays.sort_by([("separation_gain", "descending")]).to_pylist()[0]
    return int(row["game_id"]), int(row["play_id"])


def draw(source: Any, game_id: int, play_id: int, folder: Path, dpi: int) -> list[Path]:
    """Write the picture (PNG and SVG) and both animations of one play into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{game_id}_{play_id}"
    paths = [folder / f"{stem}.png", folder / f"{stem}.svg"]
    for path in paths:
        fig = plot_play(source, game_id, play_id, path)  # a matplotlib Figure
        fig.clear()
    paths.append(folder / f"{stem}.gif")
    animate_play(source, game_id, play_id, paths[-1], dpi=dpi)
    paths.append(folder / f"{stem}-options.gif")
    animate_play(source, game_id, play_id, paths[-1], option="all", dpi=dpi)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", nargs="?", help="output folder of ghosting run")
    parser.add_argument("--play", metavar="GAME:PLAY", help="default: the largest gain")
    parser.add_argument("--demo", action="store_true", help="ghost 4 synthetic plays first")
    parser.add_argument("--dpi", type=int, default=60, help="animation resolution")
    parser.add_argument("-o", "--output", type=Path, required=True, help="folder to write")
    args = parser.parse_args()
    if args.outdir is None and not args.demo:
        parser.error("give an output folder or --demo")
    source: Any = args.outdir
    if args.demo:
        source = ghosting.run(ghosting.synth.generate_plays(4, seed=0))
    if args.play:
        game_id, play_id = parse_play(args.play)
    elif args.demo:
        game_id, play_id = first_scored(source)
    else:
        parser.error("give --play GAME:PLAY")
    for path in draw(source, game_id, play_id, args.output, args.dpi):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()

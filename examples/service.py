"""Embedding ghosting in a service: load the model once, then ghost the tracking of
one play per request and answer with JSON (standard library HTTP server).

    python examples/service.py --port 8080        # POST a play's tracking as CSV to /ghost
    curl --data-binary @play.csv http://localhost:8080/ghost

The request body is one play's tracking in any layout ghosting reads (CSV text
here); the answer lists each target option with its receiver, separation and the
ghost play score, most open first. ``ghost_play`` is the part a service calls; it
is thread-safe (one model, shared by every request thread).
"""

from __future__ import annotations

import argparse
import io
import json
import math
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

import ghosting

MODEL = ghosting.GhostModel.load()  # once per process: loading checks the model's hash


def ghost_play(tracking: pa.Table) -> dict[str, Any]:
    """Ghost the pass plays of ``tracking``; a JSON-ready answer (a GhostingError for
    input ghosting cannot use, with a message naming the column or play)."""
    results = ghosting.run(tracking, model=MODEL)
    answer: dict[str, Any] = {"plays": []}
    for play in results.plays.to_pylist():
        entry = {
            "game_id": play["game_id"],
            "play_id": play["play_id"],
            "status": play["status"],
            "reason": play["reason"],
            "passer": play["passer_display_name"],
            "target": play["target_display_name"],
            "description": play["play_description"],
            "options": [
                {
                    "receiver": o["display_name"],
                    "nfl_id": o["nfl_id"],
                    "separation_yd": _rounded(o["separation"], 2),
                    "ghost_play_score": _rounded(o["ghost_play_score"], 4),
                    "is_real_target": o["is_real_target"],
                }
                for o in play["options"]
            ],
        }
        answer["plays"].append(entry)
    return answer


def _rounded(value: float | None, digits: int) -> float | None:
    """``value`` rounded, or None when unknown (JSON has no NaN)."""
    return None if value is None or not math.isfinite(value) else round(value, digits)


class Handler(BaseHTTPRequestHandler):
    """``POST /ghost`` with CSV tracking in the body."""

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        if self.path != "/ghost":
            self._send(404, {"error": "POST tracking CSV to /ghost"})
            return
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        try:
            table = pacsv.read_csv(io.BytesIO(body))
            self._send(200, ghost_play(table))
        except (ghosting.GhostingError, pa.ArrowInvalid) as exc:
            self._send(400, {"error": str(exc)})

    def _send(self, code: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--once", metavar="CSV", help="answer one file on stdout and exit")
    args = parser.parse_args()
    if args.once:
        print(json.dumps(ghost_play(pacsv.read_csv(args.once)), indent=2))
        return
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(f"listening on http://127.0.0.1:{args.port}/ghost")
    server.serve_forever()


if __name__ == "__main__":
    main()

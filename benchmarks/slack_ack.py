"""How fast the Slack endpoint acks, while the lazy listeners answer in the background.

Builds (or reuses, ``--db``) the seeded demo world (as of 2026-06-30; its users carry
Slack ids U0REP01…), mounts the Slack app on ``create_app`` with the real offline
assistant, points the Web API at a sink on 127.0.0.1 that answers ``{"ok": true}``, and
sends signed app mentions, slash commands and retries as fast as one client can. The
ack time is measured twice: around the in-process request (TestClient, which adds a
thread hop) and inside the app (an HTTP middleware: ASGI + Bolt dispatch, the
server-side time); the answers keep running in Bolt's lazy-listener threads meanwhile,
competing for the same 2 cores.

Run: ``python -m benchmarks slack_ack [--events 200] [--commands 100] [--db PATH]``.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import numpy as np

from benchmarks.common import DEMO_AS_OF, demo_store
from crm.db import create_all
from crm.settings import Settings

AS_OF = DEMO_AS_OF
SECRET = "bench-secret"
REPS = [f"U0REP{n:02d}" for n in range(1, 9)]


class Sink(BaseHTTPRequestHandler):
    """Answers every Slack Web API call like Slack does; counts chat.postMessage."""

    posted = 0
    upload_url = ""

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if "chat.postMessage" in self.path or "/response/" in self.path:
            Sink.posted += 1
        answer = {"ok": True, "ts": "1.0", "user_id": "UBOT", "team_id": "T1", "file_id": "F1",
                  "upload_url": Sink.upload_url, "files": [{"id": "F1"}]}  # fmt: skip
        body = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST


def _signed(body: str) -> dict[str, str]:
    ts = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


RUN = f"{time.time_ns():x}"  # event ids are stored: a rerun on the same store needs new ones


def _mention(i: int) -> tuple[str, str]:
    text = "<@UBOT> show my open pipeline by stage"
    event = {"type": "app_mention", "user": REPS[i % len(REPS)], "channel": "C1",
             "text": text, "ts": f"{1000 + i}.0001"}  # fmt: skip
    body = {"type": "event_callback", "team_id": "T1", "event_id": f"Ev{RUN}-{i}", "event": event}
    return json.dumps(body), "application/json"


def _command(i: int, sink: str) -> tuple[str, str]:
    form = {"command": "/pipeline", "text": "me", "user_id": REPS[i % len(REPS)],
            "team_id": "T1", "channel_id": "C1",
            "response_url": f"{sink}/response/{i}"}  # fmt: skip
    return urlencode(form), "application/x-www-form-urlencoded"


def _world(db: Path) -> None:
    engine = demo_store(db, scale=1, as_of=AS_OF)
    create_all(engine)  # tables added since the store was built (e.g. Slack event ids)
    engine.dispose()


def _report(name: str, ms: list[float]) -> None:
    p50, p95, p99 = np.percentile(ms, [50, 95, 99])
    print(f"{name:<9} n={len(ms):>4}  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
          f"p99 {p99:6.1f} ms  max {max(ms):6.1f} ms")  # fmt: skip


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks slack_ack")
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--commands", type=int, default=100)
    parser.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "dw_slack.db")
    args = parser.parse_args(argv)
    _world(args.db)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sink = f"http://127.0.0.1:{server.server_address[1]}"
    Sink.upload_url = sink + "/upload"

    from fastapi.testclient import TestClient

    from api.app import create_app

    settings = Settings(
        _env_file=None, database_url=f"sqlite:///{args.db}", as_of=AS_OF,
        data_dir=args.db.parent / "dw_slack_data", slack_bot_token="xoxb-bench",
        slack_signing_secret=SECRET, slack_api_url=sink + "/api/",
    )  # fmt: skip
    app = create_app(settings, serving=True)  # as `dealwise serve` runs it
    inside: list[float] = []

    @app.middleware("http")
    async def server_side(request: Any, call_next: Any) -> Any:
        t0 = time.perf_counter()
        response = await call_next(request)
        inside.append((time.perf_counter() - t0) * 1000)
        return response

    timings: dict[str, list[float]] = {"mention": [], "command": [], "retry": []}
    start = time.perf_counter()
    with TestClient(app) as client:
        requests: list[tuple[str, str, str, dict[str, str]]]
        requests = [("mention", *_mention(i), {}) for i in range(args.events)]
        requests += [("command", *_command(i, sink), {}) for i in range(args.commands)]
        requests += [("retry", *_mention(i), {"X-Slack-Retry-Num": "1"}) for i in range(50)]
        for kind, body, content_type, extra in requests:
            headers = {"Content-Type": content_type, **_signed(body), **extra}
            t0 = time.perf_counter()
            response = client.post("/slack/events", content=body, headers=headers)
            timings[kind].append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, response.text
        acked = time.perf_counter() - start
        app.state.slack.listener_runner.listener_executor.shutdown(wait=True)
    total = time.perf_counter() - start
    for kind, ms in timings.items():
        _report(kind, ms)
    _report("in-app", inside)
    print("slowest in-app acks (request #, ms):",
          sorted(enumerate(inside), key=lambda p: -p[1])[:6])  # fmt: skip
    every = [m for ms in timings.values() for m in ms]
    slow = sum(m >= 100 for m in every)
    print(f"all acks: max {max(every):.1f} ms; {slow} of {len(every)} took >= 100 ms")
    print(f"acked {len(every)} requests in {acked:.1f} s; answered {Sink.posted} "
          f"(expected {args.events + args.commands}) after {total:.1f} s")  # fmt: skip
    server.shutdown()

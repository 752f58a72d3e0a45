"""HTTP load on the API over loopback: account summaries and offline ``/v1/ask``.

``python -m benchmarks api_load [--scale 10] [--db PATH | --url URL] [--workers 2]
[--clients 32] [--duration 60] [--warmup 10] [--rate 200] [--user rep01]
[--phases summary,ask,summary@rate]``

Builds (or reuses) the seeded demo world at ``--scale`` (as of 2026-06-30) in a SQLite
file (``--db``) or any database URL (``--url``, e.g. PostgreSQL), creates an API key for
``--user``, starts ``dealwise serve`` with ``--workers`` processes on 127.0.0.1 and,
after ``--warmup`` uncounted seconds, measures each phase for ``--duration`` seconds:

- ``summary`` / ``ask``: capacity. ``wrk`` (C, one thread; :mod:`benchmarks._wrk`) keeps
  ``--clients`` connections busy, each sending its next request when the last one is
  answered: ``GET /v1/accounts/{id}/summary`` over the user's accounts, or
  ``POST /v1/ask`` (offline planner) over typical questions. At full load the latency is
  mostly queueing (32 clients / throughput), so these report throughput.
- ``summary@rate``: latency under a steady load. ``--rate`` summaries per second as a
  Poisson stream over ``--clients`` connections (:mod:`benchmarks._paced`), latency from
  each request's scheduled time.

Each phase prints requests/s, latency percentiles, errors and the server's CPU time per
request (all server processes, from ``/proc``). Targets (issue 7): summary ≥ 200 req/s
with p99 < 100 ms at 32 clients; ask ≥ 50 req/s; 0 errors.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx
import numpy as np
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from benchmarks._paced import paced
from benchmarks._wrk import require_wrk, run_wrk
from benchmarks.common import DEMO_AS_OF, demo_store
from crm.db import create_all, make_engine

AS_OF = DEMO_AS_OF
QUESTIONS = (
    "How does my pipeline look?",
    "Which of my deals are stalled?",
    "Tell me about {account}",
    "What is my forecast for this quarter?",
    "Which accounts should I call this week?",
)


def _store(url: str | None, path: Path, scale: float) -> Engine:
    """The demo world: the cached SQLite file (:func:`demo_store`), or built at ``url``."""
    if url is None:
        engine = demo_store(path, scale=scale, as_of=AS_OF)
    else:
        from crm.demo import build_demo
        from crm.models import Account

        engine = make_engine(url)
        create_all(engine)
        with Session(engine) as session:
            fresh = session.exec(select(Account.id).limit(1)).first() is None
        if fresh:
            start = time.perf_counter()
            build_demo(engine, scale=scale, seed=7, as_of=AS_OF)
            print(f"built demo world scale {scale:g} in {time.perf_counter() - start:.0f} s")
    create_all(engine)  # tables added since the store was built (API keys, model fits)
    return engine


def _world(engine: Engine, user: str) -> tuple[str, list[tuple[str, str]]]:
    """A fresh API key for ``user`` and the user's accounts."""
    from api.auth import create_key
    from crm.models import Account
    from crm.scope import scope_for

    with Session(engine) as session:
        key = create_key(session, user).key
        session.commit()
        scope = scope_for(session, user)
        accounts = session.exec(
            select(Account.id, Account.name).where(scope.owner_filter(col(Account.owner_id)))
        ).all()
    engine.dispose()
    return key, [(str(a), str(n)) for a, n in accounts]


def _serve(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DEALWISE_DATABASE_URL": url,
        "DEALWISE_AS_OF": AS_OF.isoformat(),
        "DEALWISE_DATA_DIR": tempfile.mkdtemp(prefix="dealwise-load-"),
        "HF_HUB_OFFLINE": "1",
    }
    command = [
        str(Path(sys.executable).with_name("dealwise")), "serve", "--host", "127.0.0.1",
        "--port", str(port), "--workers", str(workers), "--log-level", "warning",
    ]  # fmt: skip
    server = subprocess.Popen(command, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("the server did not start")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` and its children (Linux ``/proc``)."""
    tick = os.sysconf("SC_CLK_TCK")
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    own = (int(fields[11]) + int(fields[12])) / tick
    return own + sum(_cpu_seconds(int(child)) for child in children)


def _report(name: str, rate: float, percentiles: dict[int, float], errors: dict[str, int],
            done: int, cpu: float) -> None:  # fmt: skip
    per_request = cpu * 1000 / max(done, 1)
    shown = ", ".join(f"p{p} {v:.1f} ms" for p, v in sorted(percentiles.items()))
    print(
        f"{name}: {done} ok, {rate:.1f} req/s, {shown}, errors {sum(errors.values())} "
        f"{errors or ''}; server CPU {per_request:.2f} ms/request; "
        f"load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )


Requests = list[tuple[str, str, str | None]]
"""(method, path, JSON body) of the requests a phase picks from."""


def _requests(accounts: list[tuple[str, str]]) -> dict[str, Requests]:
    """Per phase: every account's summary; typical questions, about each account."""
    summaries: Requests = [("GET", f"/v1/accounts/{quote(a)}/summary", None) for a, _ in accounts]
    asks: Requests = [
        ("POST", "/v1/ask", json.dumps({"question": q.format(account=name)}))
        for q in QUESTIONS
        for _, name in accounts
    ]
    return {"summary": summaries, "ask": asks}


def _phase(name: str, base: str, key: str, server: int, args: argparse.Namespace,
           requests: Requests) -> None:  # fmt: skip
    if name.endswith("@rate"):
        asyncio.run(paced(base, key, requests, rate=args.rate, connections=args.clients,
                          seconds=args.warmup))  # fmt: skip
        cpu = _cpu_seconds(server)
        out = asyncio.run(paced(base, key, requests, rate=args.rate, connections=args.clients,
                                seconds=args.duration))  # fmt: skip
        cpu = _cpu_seconds(server) - cpu
        done = len(out.latencies)
        levels = np.percentile(out.latencies, [50, 95, 99]) if done else [0.0, 0.0, 0.0]
        percentiles = dict(zip((50, 95, 99), map(float, levels), strict=True))
        label = f"{name} ({args.rate:g}/s offered, {args.clients} connections)"
        _report(label, done / args.duration, percentiles, out.errors, done, cpu)
        return
    run_wrk(base, key, requests, connections=args.clients, seconds=args.warmup)
    cpu = _cpu_seconds(server)
    out_wrk = run_wrk(base, key, requests, connections=args.clients, seconds=args.duration)
    cpu = _cpu_seconds(server) - cpu
    label = f"{name} ({args.clients} clients, closed loop)"
    _report(label, out_wrk.per_second, out_wrk.latency_ms, out_wrk.errors, out_wrk.requests, cpu)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks api_load")
    parser.add_argument("--scale", type=float, default=10)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--url", default=None, help="database URL instead of a SQLite file")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=10)
    parser.add_argument("--rate", type=float, default=200, help="summary@rate: requests/s")
    parser.add_argument("--user", default="rep01")
    parser.add_argument("--phases", default="summary,summary@rate,ask")
    args = parser.parse_args(argv)
    require_wrk()
    path = (args.db or Path(f".dealwise/bench/api_load_{args.scale:g}.db")).resolve()
    engine = _store(args.url, path, args.scale)
    url = args.url or f"sqlite:///{path}"
    key, accounts = _world(engine, args.user)
    engine.dispose()
    print(f"user {args.user}: {len(accounts)} accounts; server processes {args.workers}")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = _serve(url, port, args.workers)
    requests = _requests(accounts)
    try:
        for name in args.phases.split(","):
            _phase(name, f"http://127.0.0.1:{port}", key, server.pid, args,
                   requests[name.removesuffix("@rate")])  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)

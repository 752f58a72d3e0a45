"""HTTP load on the API over loopback: account summaries and offline ``/v1/ask``.

``python -m benchmarks api_load [--scale 10] [--db PATH | --url URL] [--workers 2]
[--clients 32] [--duration 60] [--warmup 5] [--user rep01] [--phases summary,ask]``

Builds (or reuses) the seeded demo world at ``--scale`` (as of 2026-06-30) in a SQLite
file (``--db``) or any database URL (``--url``, e.g. PostgreSQL), creates an
API key for ``--user``, starts ``uvicorn api.app:create_app`` with ``--workers`` processes
on 127.0.0.1 and drives it with ``--clients`` concurrent keep-alive clients (asyncio +
httpx) for ``--duration`` seconds per phase, after ``--warmup`` seconds that are not
counted. Phases: ``summary`` = GET /v1/accounts/{id}/summary over the user's accounts in
random order; ``ask`` = POST /v1/ask (offline planner) cycling through typical questions.
Prints requests/s, p50/p95/p99 latency and the error count of each phase, plus the
server's CPU time per request (all uvicorn processes, from ``/proc``): on a shared
machine throughput follows the CPU the server gets, while CPU-ms per request does not,
so ``cores × 1000 / cpu_ms`` estimates the throughput of an otherwise idle machine.
Targets (issue 7): summary ≥ 200 req/s with p99 < 100 ms; ask ≥ 50 req/s; 0 errors.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

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
Request = Callable[[httpx.AsyncClient, random.Random], Any]


@dataclass
class Tally:
    """Latencies (ms) of successful requests and the failures seen."""

    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)


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
        sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
        "--log-level", "warning", "--no-access-log",
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


async def _client(
    client: httpx.AsyncClient, request: Request, rng: random.Random, stop: float, tally: Tally
) -> None:
    while time.perf_counter() < stop:
        start = time.perf_counter()
        try:
            response = await request(client, rng)
            ok, reason = response.status_code == 200, f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            ok, reason = False, type(exc).__name__
        if ok:
            tally.latencies.append((time.perf_counter() - start) * 1000)
        else:
            tally.errors[reason] = tally.errors.get(reason, 0) + 1


async def _run(base: str, key: str, request: Request, clients: int, seconds: float) -> Tally:
    tally = Tally()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(
        base_url=base, headers=headers, limits=limits, timeout=30
    ) as client:
        stop = time.perf_counter() + seconds
        await asyncio.gather(
            *(_client(client, request, random.Random(i), stop, tally) for i in range(clients))
        )
    return tally


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


def _report(name: str, tally: Tally, clients: int, seconds: float, cpu: float) -> None:
    done = len(tally.latencies)
    p50, p95, p99 = np.percentile(tally.latencies, [50, 95, 99]) if done else (0.0, 0.0, 0.0)
    errors = sum(tally.errors.values())
    per_request = cpu * 1000 / max(done, 1)
    print(
        f"{name}: {clients} clients, {seconds:.0f} s, {done} ok, {done / seconds:.1f} req/s, "
        f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms, errors {errors} {tally.errors}; "
        f"server CPU {per_request:.1f} ms/request (≈ {2000 / per_request:.0f} req/s on 2 idle "
        f"cores); load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )


def _requests(accounts: list[tuple[str, str]]) -> dict[str, Request]:
    def summary(client: httpx.AsyncClient, rng: random.Random) -> Any:
        return client.get(f"/v1/accounts/{rng.choice(accounts)[0]}/summary")

    def ask(client: httpx.AsyncClient, rng: random.Random) -> Any:
        question = rng.choice(QUESTIONS).format(account=rng.choice(accounts)[1])
        return client.post("/v1/ask", json={"question": question})

    return {"summary": summary, "ask": ask}


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks api_load")
    parser.add_argument("--scale", type=float, default=10)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--url", default=None, help="database URL instead of a SQLite file")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--user", default="rep01")
    parser.add_argument("--phases", default="summary,ask")
    args = parser.parse_args(argv)
    path = (args.db or Path(f".dealwise/bench/api_load_{args.scale:g}.db")).resolve()
    engine = _store(args.url, path, args.scale)
    url = args.url or f"sqlite:///{path}"
    key, accounts = _world(engine, args.user)
    engine.dispose()
    print(f"user {args.user}: {len(accounts)} accounts; uvicorn workers {args.workers}")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = _serve(url, port, args.workers)
    base = f"http://127.0.0.1:{port}"
    try:
        for name in args.phases.split(","):
            request = _requests(accounts)[name]
            asyncio.run(_run(base, key, request, args.clients, args.warmup))
            cpu = _cpu_seconds(server.pid)
            tally = asyncio.run(_run(base, key, request, args.clients, args.duration))
            _report(name, tally, args.clients, args.duration, _cpu_seconds(server.pid) - cpu)
    finally:
        server.terminate()
        server.wait(timeout=30)

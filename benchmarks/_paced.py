"""Open-loop HTTP load at a fixed rate: the latency users see when the server is busy, not full.

Requests are scheduled as a Poisson stream at ``rate`` per second and sent over
``connections`` keep-alive HTTP/1.1 connections (raw asyncio streams: a few tens of
microseconds of client CPU per request, so the generator barely competes with the server
for the two cores). A request scheduled while every connection is busy waits for one,
and its latency is counted from the *scheduled* time, so a stalled server cannot hide
its queue by slowing the client down (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class PacedResult:
    """Latencies (ms, from the scheduled send time) of the answered requests, and failures."""

    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def fail(self, reason: str) -> None:
        """Count one failed request."""
        self.errors[reason] = self.errors.get(reason, 0) + 1


def _encode(host: str, key: str, method: str, path: str, body: str | None) -> bytes:
    payload = (body or "").encode()
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {key}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
    )
    return head.encode() + payload


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> int:
    """Send one request and read its whole response; return the status code."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    return status


async def paced(
    base: str, key: str, requests: Sequence[tuple[str, str, str | None]], *,
    rate: float, connections: int, seconds: float, seed: int = 7,
) -> PacedResult:  # fmt: skip
    """Send ``rate`` requests/s (random picks of ``requests``) for ``seconds``."""
    url = urlsplit(base)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    rng = random.Random(seed)
    encoded = [_encode(f"{host}:{port}", key, *r) for r in requests]
    result = PacedResult()
    idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    for _ in range(connections):
        idle.put_nowait(await asyncio.open_connection(host, port))

    async def one(scheduled: float, request: bytes) -> None:
        reader, writer = await idle.get()
        try:
            status = await asyncio.wait_for(_exchange(reader, writer, request), timeout=30)
        except (OSError, asyncio.IncompleteReadError, TimeoutError) as exc:
            result.fail(type(exc).__name__)
            writer.close()
            idle.put_nowait(await asyncio.open_connection(host, port))
            return
        idle.put_nowait((reader, writer))
        if status == 200:
            result.latencies.append((time.perf_counter() - scheduled) * 1000)
        else:
            result.fail(f"HTTP {status}")

    start = time.perf_counter()
    due, tasks = start, []
    while due < start + seconds:
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        tasks.append(asyncio.create_task(one(due, rng.choice(encoded))))
        due += rng.expovariate(rate)
    await asyncio.gather(*tasks)
    result.seconds = time.perf_counter() - start
    while not idle.empty():
        idle.get_nowait()[1].close()
    return result

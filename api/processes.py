"""Serve with several processes on one port, each with a listening socket of its own.

uvicorn's ``--workers`` shares one listening socket among its processes: whichever
process wakes first accepts every connection waiting, so a burst of keep-alive clients
can all land on one process while the other idles (measured with ``benchmarks api_load``:
all 32 connections on one of two workers, and a p50 over a second at 200 requests/s).
Here each process listens on its own socket with ``SO_REUSEPORT``, and the kernel spreads
new connections over them by a hash of the address pair.

The supervising process binds the sockets (so a taken port fails at once, before any
worker starts), starts the workers, restarts one that dies and stops them all on SIGINT
or SIGTERM. A worker that dies within :data:`STARTUP_GRACE_S` of starting (bad settings,
a database it cannot open) stops the server instead of being restarted in a loop.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import time
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from types import FrameType

APP = "api.app:serving_app"
STARTUP_GRACE_S = 10.0
log = logging.getLogger("dealwise.serve")


class WorkerFailed(RuntimeError):
    """A worker process exited while starting: the server cannot run."""


def reuse_port_supported() -> bool:
    """Whether this platform can give each process its own socket on one port."""
    return hasattr(socket, "SO_REUSEPORT")


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket listening on ``host:port`` that other processes may bind too."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def serve_processes(host: str, port: int, workers: int, log_level: str) -> None:
    """Run ``workers`` server processes on ``host:port`` until SIGINT or SIGTERM.

    ``port`` 0 picks a free port (shared by all workers). Raises :class:`WorkerFailed`
    when a worker dies while starting.
    """
    first = listening_socket(host, port)
    sockets = [first] + [listening_socket(host, first.getsockname()[1]) for _ in range(workers - 1)]
    spawn = multiprocessing.get_context("spawn")
    started: dict[int, float] = {}

    def start(slot: int) -> BaseProcess:
        process = spawn.Process(
            target=_worker, args=(sockets[slot], log_level), name=f"dealwise-worker-{slot}"
        )
        process.start()
        started[slot] = time.monotonic()
        return process

    processes = [start(slot) for slot in range(workers)]
    stopping = False

    def stop(_signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for process in processes:
            process.terminate()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stopping:
            wait([p.sentinel for p in processes])
            for slot, process in enumerate(processes):
                if process.is_alive() or stopping:
                    continue
                if time.monotonic() - started[slot] < STARTUP_GRACE_S:
                    raise WorkerFailed(
                        f"worker {slot} exited with code {process.exitcode} while starting; "
                        "see its log above"
                    )
                log.warning("worker %d exited with code %s; starting another", slot,
                            process.exitcode)  # fmt: skip
                processes[slot] = start(slot)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(timeout=30)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for sock in sockets:
            sock.close()


def _worker(sock: socket.socket, log_level: str) -> None:
    """One server process answering the connections the kernel gives ``sock``."""
    import uvicorn

    config = uvicorn.Config(APP, factory=True, log_level=log_level)
    uvicorn.Server(config).run(sockets=[sock])

"""``dealwise serve --workers N``: a listening socket per process, restarts, clean stops."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from api.processes import STARTUP_GRACE_S, listening_socket, reuse_port_supported

pytestmark = pytest.mark.skipif(not reuse_port_supported(), reason="needs SO_REUSEPORT")
DEALWISE = str(Path(sys.executable).with_name("dealwise"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _listeners(port: int) -> int:
    """How many sockets listen on 127.0.0.1:``port`` (Linux ``/proc/net/tcp``, state 0A)."""
    wanted = f"0100007F:{port:04X}"
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return sum(1 for row in rows if row.split()[1] == wanted and row.split()[3] == "0A")


def _serve(tmp_path: Path, port: int, database_url: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DEALWISE_DATABASE_URL": database_url,
        "DEALWISE_DATA_DIR": str(tmp_path),
        "HF_HUB_OFFLINE": "1",
    }
    command = [DEALWISE, "serve", "--port", str(port), "--workers", "2", "--log-level", "warning"]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)  # fmt: skip


def _wait_ready(port: int, server: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and server.poll() is None:
        if _listeners(port) == 2:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
        time.sleep(0.2)
    server.kill()
    pytest.fail(f"the server did not start: {server.communicate()[0]}")


def test_sockets_with_reuse_port_share_a_port_and_plain_ones_do_not() -> None:
    first = listening_socket("127.0.0.1", 0)
    port = first.getsockname()[1]
    second = listening_socket("127.0.0.1", port)
    with socket.socket() as plain, pytest.raises(OSError):
        plain.bind(("127.0.0.1", port))
    assert _listeners(port) == 2
    first.close()
    second.close()


def test_each_worker_listens_and_sigterm_stops_them_all(tmp_path: Path) -> None:
    port = _free_port()
    server = _serve(tmp_path, port, f"sqlite:///{tmp_path}/serve.db")
    try:
        _wait_ready(port, server)
        assert _listeners(port) == 2  # one socket per worker process
        for _ in range(20):  # a new connection each time, wherever the kernel sends it
            with httpx.Client() as client:
                assert client.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=60)
    finally:
        server.kill()
    assert server.returncode == 0, output
    assert _listeners(port) == 0  # no worker left behind


def test_a_worker_dying_at_start_stops_the_server_with_the_reason(tmp_path: Path) -> None:
    port = _free_port()
    server = _serve(tmp_path, port, "nosuchdriver://nowhere/db")
    output, _ = server.communicate(timeout=120)
    assert server.returncode == 2
    assert "exited with code" in output and "while starting" in output
    assert _listeners(port) == 0


def test_a_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = _serve(tmp_path, port, f"sqlite:///{tmp_path}/serve.db")
        output, _ = server.communicate(timeout=60)
    assert server.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in output


def _workers(pid: int) -> list[int]:
    """The worker processes (spawned by multiprocessing) of server ``pid``."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(c) for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]


def test_a_worker_that_dies_later_is_replaced(tmp_path: Path) -> None:
    port = _free_port()
    server = _serve(tmp_path, port, f"sqlite:///{tmp_path}/serve.db")
    try:
        _wait_ready(port, server)
        # Past the start-up grace of both workers: they were spawned (together) before one
        # answered. Counting from the Popen instead failed on a loaded machine, where the
        # supervisor's own imports delay the spawn by seconds.
        time.sleep(STARTUP_GRACE_S + 1)
        first, second = _workers(server.pid)
        os.kill(first, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(set(_workers(server.pid)) - {first}) < 2:
            time.sleep(0.2)
        assert second in _workers(server.pid) and first not in _workers(server.pid)
        assert len(_workers(server.pid)) == 2
        _wait_ready(port, server)
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=60)
    assert server.returncode == 0

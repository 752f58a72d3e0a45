"""Index and search through a real Chroma server (``chroma run``) on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from knowledge.indexing import index_notes
from knowledge.search import open_note_index
from knowledge.tools import search_notes
from tests.knowledge.builders_notes import build_world
from tests.knowledge.conftest import FakeEmbedder
from tools.context import ToolContext

CHROMA = Path(sys.executable).with_name("chroma")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_heartbeat(url: str, server: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"chroma exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"no chroma heartbeat at {url} within {timeout_s}s")


@pytest.fixture
def chroma_url(tmp_path: Path) -> Iterator[str]:
    if not CHROMA.exists() and shutil.which("chroma") is None:
        pytest.skip("the chroma CLI is not installed")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [str(CHROMA), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1"]
    server = subprocess.Popen(
        [*command, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_heartbeat(url, server, timeout_s=30)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_notes_are_indexed_and_searched_through_a_chroma_server(
    chroma_url: str, sqlite_store: Engine, tmp_path: Path
) -> None:
    build_world(sqlite_store)
    index = open_note_index(tmp_path / "unused", chroma_url=chroma_url, embedder=FakeEmbedder())
    with Session(sqlite_store) as session:
        assert index_notes(session, index).added == 5
        assert index_notes(session, index).unchanged == 5
        ctx = ToolContext.for_user(session, "rep1", dt.date(2024, 12, 31), knowledge=index)
        found = search_notes(ctx, query="the CFO approves the budget", limit=20)
    assert {p.note_id for p in found.passages} == {"N1", "N2", "N5"}
    assert found.passages[0].note_id in {"N1", "N5"}
    assert index.count() == 5
    assert not (tmp_path / "unused").exists()

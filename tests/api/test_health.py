"""``/healthz`` and ``/readyz``: no key needed; readiness checks the DB and the vector store."""

from __future__ import annotations

import socket
from pathlib import Path

from builders_api import make_assistant, settings_for
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from api.app import create_app
from crm.db import make_engine


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _client(tmp_path: Path, engine: Engine, **settings: str) -> TestClient:
    config = settings_for(tmp_path, **settings)
    app = create_app(config, engine=engine, assistant=make_assistant(engine, config, None))
    return TestClient(app)


def test_healthz_answers_without_a_key(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_reports_both_stores_ready(client: TestClient) -> None:
    body = client.get("/readyz").json()
    assert body["status"] == "ready"
    assert body["database"]["ok"] and body["vector_store"]["ok"]


def test_readyz_is_503_when_the_database_is_unreachable(tmp_path: Path) -> None:
    broken = make_engine(f"sqlite:///{tmp_path}/missing-dir/x.db")
    response = _client(tmp_path, broken).get("/readyz")
    assert response.status_code == 503
    assert response.json()["database"] == {
        "ok": False,
        "detail": "database unreachable: OperationalError",
    }


def test_readyz_is_503_when_the_chroma_server_does_not_answer(
    tmp_path: Path, sqlite_store: Engine
) -> None:
    url = f"http://127.0.0.1:{_free_port()}"
    response = _client(tmp_path, sqlite_store, chroma_url=url).get("/readyz")
    assert response.status_code == 503
    assert response.json()["vector_store"]["ok"] is False
    assert response.json()["database"]["ok"] is True

"""``dealwise apikey create/list/revoke`` and ``dealwise serve`` (uvicorn stubbed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from builders_deals import add_world
from sqlmodel import Session
from typer.testing import CliRunner

from api import processes
from api.auth import authenticate
from api.cli.main import app
from crm.db import create_all, make_engine
from crm.settings import get_settings

runner = CliRunner()


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path}/cli.db"
    engine = make_engine(url)
    create_all(engine)
    with Session(engine) as session:
        add_world(session)
        session.commit()
    engine.dispose()
    monkeypatch.setenv("DEALWISE_DATABASE_URL", url)
    get_settings.cache_clear()
    return url


def test_a_created_key_is_printed_once_and_authenticates(store: str) -> None:
    result = runner.invoke(app, ["apikey", "create", "--user", "rep1"])
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    with Session(make_engine(store)) as session:
        assert authenticate(session, key) == "rep1"
    listing = runner.invoke(app, ["apikey", "list"])
    assert key.split("_")[1] in listing.output and key not in listing.output


def test_a_key_for_an_unknown_user_is_refused(store: str) -> None:
    result = runner.invoke(app, ["apikey", "create", "--user", "ghost"])
    assert result.exit_code == 2
    assert "no CRM user with id 'ghost'" in result.output


def test_a_revoked_key_is_marked_in_the_list(store: str) -> None:
    key = runner.invoke(app, ["apikey", "create", "--user", "mgr"]).output.strip().splitlines()[-1]
    prefix = key.split("_")[1]
    assert runner.invoke(app, ["apikey", "revoke", prefix]).exit_code == 0
    assert runner.invoke(app, ["apikey", "revoke", "nope"]).exit_code == 2
    row = next(
        line
        for line in runner.invoke(app, ["apikey", "list"]).output.splitlines()
        if prefix in line
    )
    assert row.count("20") >= 2  # created and revoked dates


def test_serve_runs_uvicorn_with_the_app_factory(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda target, **kw: calls.append({"target": target, **kw}))
    result = runner.invoke(app, ["serve", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert calls == [
        {"target": "api.app:serving_app", "factory": True, "host": "127.0.0.1", "port": 8123,
         "workers": 1, "log_level": "info"}
    ]  # fmt: skip


def test_serve_with_workers_gives_each_process_its_own_socket(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[Any, ...]] = []
    monkeypatch.setattr(processes, "serve_processes", lambda *args: calls.append(args))
    result = runner.invoke(app, ["serve", "--port", "8123", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert calls == [("127.0.0.1", 8123, 2, "info")]

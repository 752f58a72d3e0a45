"""Shared fixtures: a store on SQLite (always) and PostgreSQL (when configured), no network."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool
from sqlmodel import Session

from crm.db import create_all, make_engine

PG_URL = os.environ.get("DEALWISE_TEST_DATABASE_URL")

_SCRUBBED = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "DEALWISE_LLM_MODEL",
    "DEALWISE_LLM_BASE_URL",
    "DEALWISE_LLM_API_KEY",
    "DEALWISE_SLACK_BOT_TOKEN",
    "DEALWISE_SLACK_SIGNING_SECRET",
    "DEALWISE_SLACK_APP_TOKEN",
    "DEALWISE_CHROMA_URL",
    "DEALWISE_AS_OF",
    "DEALWISE_DATABASE_URL",
)


@pytest.fixture(autouse=True)
def _no_credentials(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test may reach a real service: credentials and service URLs are removed."""
    for name in _SCRUBBED:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")
    from crm.settings import get_settings

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def sqlite_engine() -> Engine:
    """A fresh in-memory SQLite store with every table."""
    engine = make_engine("sqlite://", poolclass=StaticPool)
    create_all(engine)
    return engine


def _pg_schema_engine(schema: str) -> Engine:
    assert PG_URL is not None
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    admin.dispose()
    return make_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})


def drop_pg_schema(schema: str) -> None:
    """Remove a test schema and everything in it."""
    assert PG_URL is not None
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A fresh, empty store with every table, on SQLite and (when configured) PostgreSQL."""
    if request.param == "sqlite":
        eng = sqlite_engine()
        yield eng
        eng.dispose()
        return
    if not PG_URL:
        pytest.skip("DEALWISE_TEST_DATABASE_URL is not set")
    schema = f"dw_{uuid.uuid4().hex[:12]}"
    eng = _pg_schema_engine(schema)
    create_all(eng)
    yield eng
    eng.dispose()
    drop_pg_schema(schema)


@pytest.fixture
def sqlite_store() -> Iterator[Engine]:
    """A fresh in-memory SQLite store (for tests that need only one backend)."""
    eng = sqlite_engine()
    yield eng
    eng.dispose()


@pytest.fixture
def session(sqlite_store: Engine) -> Iterator[Session]:
    """A session on a fresh in-memory SQLite store."""
    with Session(sqlite_store) as s:
        yield s


@pytest.fixture(scope="session")
def demo_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The demo world (scale 1, seed 7, as of 2026-06-30) on a SQLite file, built once."""
    import datetime as dt

    from crm.demo import build_demo

    path = tmp_path_factory.mktemp("demo_world") / "demo.db"
    eng = make_engine(f"sqlite:///{path}")
    create_all(eng)
    build_demo(eng, scale=1, seed=7, as_of=dt.date(2026, 6, 30))
    yield eng
    eng.dispose()

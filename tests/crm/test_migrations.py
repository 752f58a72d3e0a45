"""Alembic migrations build exactly the schema of ``crm.models``, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool
from sqlmodel import SQLModel

from crm import migrate
from crm.db import make_engine

PG_URL = os.environ.get("DEALWISE_TEST_DATABASE_URL")


@pytest.fixture(params=["sqlite", "postgres"])
def empty(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A store with no tables at all."""
    if request.param == "sqlite":
        engine = make_engine("sqlite://", poolclass=StaticPool)
        yield engine
        engine.dispose()
        return
    if not PG_URL:
        pytest.skip("DEALWISE_TEST_DATABASE_URL is not set")
    schema = f"mig_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    yield engine
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def test_the_migrated_schema_equals_the_models(empty: Engine) -> None:
    migrate.upgrade(empty)
    with empty.connect() as conn:
        assert migrate.schema_diff(conn) == []
    assert set(SQLModel.metadata.tables) <= set(inspect(empty).get_table_names())


def test_upgrading_twice_is_a_no_op_and_reports_the_head(empty: Engine) -> None:
    migrate.upgrade(empty)
    migrate.upgrade(empty)
    assert migrate.current(empty) == migrate.head() is not None


def test_a_store_built_from_the_models_is_stamped_not_rebuilt(engine: Engine) -> None:
    assert migrate.current(engine) is None
    migrate.upgrade(engine)
    assert migrate.current(engine) == migrate.head()


def test_an_unversioned_store_that_differs_from_the_models_is_refused(empty: Engine) -> None:
    with empty.begin() as conn:
        conn.execute(text("CREATE TABLE users (id VARCHAR(64) PRIMARY KEY)"))
    with pytest.raises(migrate.SchemaMismatch, match="differs from the models"):
        migrate.upgrade(empty)


def test_downgrading_to_base_removes_every_table(empty: Engine) -> None:
    migrate.upgrade(empty)
    with empty.begin() as conn:
        command.downgrade(migrate.config(conn), "base")
    assert set(inspect(empty).get_table_names()) == {migrate.VERSION_TABLE}

"""Alembic environment: runs on the connection given by :func:`crm.migrate.config`."""

from alembic import context
from sqlmodel import SQLModel

import crm.models  # noqa: F401  (registers the tables)
from crm.db import make_engine
from crm.migrations.compare import context_options


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        from crm.settings import get_settings

        engine = make_engine(get_settings().database_url)
        with engine.begin() as conn:
            _migrate(conn)
        return
    _migrate(connection)


def _migrate(connection) -> None:
    context.configure(connection=connection, target_metadata=SQLModel.metadata, **context_options())
    with context.begin_transaction():
        context.run_migrations()


run()

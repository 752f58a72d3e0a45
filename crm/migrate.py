"""Schema migrations with Alembic, configured in code (no ``alembic.ini``, no ``cd``).

``upgrade(url_or_engine)`` brings a store to the newest schema; ``current(...)`` names
its revision. A store created directly from the models (``create_all``) without a
version table is stamped when it already matches the models, so it can be upgraded later.

Developers add a revision after changing ``crm/models.py`` with::

    python -m crm.migrate revision -m "add widgets"
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from crm.db import make_engine

MIGRATIONS = Path(__file__).with_name("migrations")
VERSION_TABLE = "alembic_version"


class SchemaMismatch(RuntimeError):
    """The store has tables but no version, and they differ from the models."""


def config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at ``crm/migrations`` (and at ``connection`` if given)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def _engine(target: Engine | str) -> Engine:
    return make_engine(target) if isinstance(target, str) else target


def schema_diff(conn: Connection) -> list[Any]:
    """Differences between the stored schema and ``crm.models`` (empty when equal)."""
    import crm.migrations.compare as rules

    context = MigrationContext.configure(conn, opts=rules.context_options())
    return list(compare_metadata(context, SQLModel.metadata))


def upgrade(target: Engine | str, revision: str = "head") -> None:
    """Apply every migration up to ``revision`` to the store at ``target`` (engine or URL)."""
    engine = _engine(target)
    with engine.begin() as conn:
        tables = set(inspect(conn).get_table_names())
        if tables and VERSION_TABLE not in tables:
            diff = schema_diff(conn)
            if diff:
                raise SchemaMismatch(
                    f"the store has tables but no migration version and differs from the "
                    f"models ({len(diff)} differences, e.g. {diff[0]}); migrate it by hand"
                )
            command.stamp(config(conn), "head")
            return
        command.upgrade(config(conn), revision)


def current(target: Engine | str) -> str | None:
    """The revision the store at ``target`` is at (``None`` when unversioned)."""
    with _engine(target).connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head() -> str | None:
    """The newest revision in ``crm/migrations/versions``."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(config()).get_current_head()


def revision(message: str) -> None:
    """Autogenerate a revision from the difference between the migrations and the models."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'autogen.db'}")
        with engine.begin() as conn:
            command.upgrade(config(conn), "head")
            command.revision(config(conn), message=message, autogenerate=True)
        engine.dispose()


def main(argv: list[str] | None = None) -> None:
    """``python -m crm.migrate revision -m MESSAGE`` | ``upgrade [URL]`` | ``current [URL]``."""
    parser = argparse.ArgumentParser(prog="python -m crm.migrate")
    sub = parser.add_subparsers(dest="action", required=True)
    rev = sub.add_parser("revision", help="autogenerate a revision from crm/models.py")
    rev.add_argument("-m", "--message", required=True)
    for name in ("upgrade", "current"):
        sub.add_parser(name, help=f"{name} the store").add_argument("url", nargs="?")
    args = parser.parse_args(argv)
    if args.action == "revision":
        revision(args.message)
        return
    from crm.settings import get_settings

    url = args.url or get_settings().database_url
    if args.action == "upgrade":
        upgrade(url)
    print(current(url))


if __name__ == "__main__":
    main()

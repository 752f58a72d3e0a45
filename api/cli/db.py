"""``dealwise db upgrade|current``: apply and inspect the store's schema migrations."""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli.common import console, engine_for, fail, settings_with

db_app = typer.Typer(help="Schema migrations of the CRM store.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the ``db`` command group to ``app``."""
    app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def upgrade(
    revision: Annotated[str, typer.Option(help="Target revision.")] = "head",
) -> None:
    """Create or migrate the store's tables to the newest schema."""
    from crm import migrate

    settings = settings_with()
    try:
        migrate.upgrade(engine_for(settings), revision)
    except migrate.SchemaMismatch as exc:
        raise fail(str(exc)) from exc
    console.print(f"{settings.database_url} is at revision {migrate.current(engine_for(settings))}")


@db_app.command("current")
def current() -> None:
    """Show the store's schema revision and the newest one available."""
    from crm import migrate

    settings = settings_with()
    found = migrate.current(engine_for(settings)) or "none (run `dealwise db upgrade`)"
    console.print(f"store: {found}\nnewest: {migrate.head()}")

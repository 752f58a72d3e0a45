"""Options and helpers shared by the CLI commands."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy.engine import Engine
from sqlmodel import Session

from crm.settings import Settings, get_settings

console = Console()
err_console = Console(stderr=True)


def _parse_date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not a date (expected YYYY-MM-DD)") from exc


AsOfOption = Annotated[
    dt.date | None,
    typer.Option(
        "--as-of",
        parser=_parse_date,
        metavar="YYYY-MM-DD",
        help="Analysis date ('today'); records dated later are ignored. Default: "
        "DEALWISE_AS_OF or the current date.",
    ),
]

UserOption = Annotated[
    str | None,
    typer.Option("--user", "-u", help="CRM user id to act as (default: the first admin)."),
]


def settings_with(as_of: dt.date | None = None) -> Settings:
    """The settings, with ``--as-of`` overriding ``DEALWISE_AS_OF``."""
    settings = get_settings()
    return settings.model_copy(update={"as_of": as_of}) if as_of else settings


def engine_for(settings: Settings) -> Engine:
    """An engine on the configured CRM store."""
    from crm.db import make_engine

    return make_engine(settings.database_url)


def require_schema(engine: Engine) -> None:
    """Exit with the next step to take when the store holds no Dealwise tables."""
    from sqlalchemy import inspect

    if "users" not in inspect(engine).get_table_names():
        raise fail(
            f"the store at {engine.url.render_as_string()} has no Dealwise tables yet: run "
            "`dealwise demo` for the demo world, or `dealwise db upgrade` and `dealwise import DIR`"
        )


def store_engine(settings: Settings) -> Engine:
    """An engine on the configured store, or a clear exit when it holds no Dealwise tables."""
    engine = engine_for(settings)
    require_schema(engine)
    return engine


@contextmanager
def open_session(settings: Settings) -> Iterator[Session]:
    """A session on the configured store (closed afterwards); exits clearly on an empty store."""
    with Session(store_engine(settings)) as session:
        yield session


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``message`` as an error and return the exit to raise."""
    err_console.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)

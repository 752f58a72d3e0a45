"""``dealwise serve`` (the API, the Slack endpoint and the web page) and ``dealwise apikey``.

``apikey create --user ID`` prints a new key once (only its hash is stored),
``apikey list`` shows prefixes, owners and dates, ``apikey revoke PREFIX|ID`` disables
a key for good.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from api.cli.common import console, fail, open_session, settings_with

apikey_app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the commands to ``app``."""
    app.command("serve")(serve)
    app.add_typer(apikey_app, name="apikey")


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, help="Worker processes (they share only the database).")
    ] = 1,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
) -> None:
    """Serve the REST API, the Slack endpoint and the web chat page with uvicorn.

    With several workers each process listens on its own socket (SO_REUSEPORT) and the
    kernel spreads connections over them; see :mod:`api.processes`.
    """
    import uvicorn

    from api.processes import APP, WorkerFailed, reuse_port_supported, serve_processes

    console.print(f"Dealwise on http://{host}:{port}/ (API docs at /docs)")
    if workers == 1 or not reuse_port_supported():
        uvicorn.run(APP, factory=True, host=host, port=port, workers=workers, log_level=log_level)
        return
    try:
        serve_processes(host, port, workers, log_level)
    except OSError as exc:
        raise fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    except WorkerFailed as exc:
        raise fail(str(exc)) from exc


@apikey_app.command("create")
def create(
    user: Annotated[str, typer.Option("--user", "-u", help="CRM user id the key acts as.")],
) -> None:
    """Create an API key for a CRM user and print it (shown this once only)."""
    from api.auth import create_key
    from crm.scope import UnknownUser

    with open_session(settings_with()) as session:
        try:
            issued = create_key(session, user)
        except UnknownUser as exc:
            raise fail(str(exc)) from exc
        session.commit()
    console.print(f"API key for [cyan]{user}[/] (prefix {issued.prefix}); store it now:")
    typer.echo(issued.key)


@apikey_app.command("list")
def list_() -> None:
    """List the API keys (prefix, user, created, last used, revoked); never the keys."""
    from api.auth import list_keys

    table = Table(title="API keys")
    for name in ("id", "prefix", "user", "created", "last used", "revoked"):
        table.add_column(name)
    with open_session(settings_with()) as session:
        for key in list_keys(session):
            dates = (key.created_at, key.last_used_at, key.revoked_at)
            table.add_row(key.id, key.prefix, key.user_id, *(_when(d) for d in dates))
    console.print(table)


@apikey_app.command("revoke")
def revoke(
    key: Annotated[str, typer.Argument(help="The key's prefix or id.")],
) -> None:
    """Revoke an API key: it never authenticates again."""
    from api.auth import revoke_key

    with open_session(settings_with()) as session:
        try:
            row = revoke_key(session, key)
        except LookupError as exc:
            raise fail(str(exc)) from exc
        session.commit()
        console.print(f"revoked key {row.prefix} of {row.user_id}")


def _when(moment: object) -> str:
    return "-" if moment is None else f"{moment:%Y-%m-%d %H:%M}"

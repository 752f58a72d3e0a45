"""``dealwise tool NAME --arg value``: call one catalog tool and print its typed result as JSON.

A debugging door into every tool: arguments are the tool's own (``--account-id A1``
for ``account_id``), values are parsed as JSON when they look like it (numbers, lists,
booleans) and kept as text otherwise. ``dealwise tool --list`` shows the catalog.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.table import Table

from api.cli.common import AsOfOption, UserOption, console, fail, open_session, settings_with


def register(app: typer.Typer) -> None:
    """Add the command to ``app``."""
    app.command(
        "tool",
        context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    )(tool)


def parse_tool_args(tokens: list[str]) -> dict[str, Any]:
    """Turn ``--some-name value`` pairs (or ``--flag``) into ``{"some_name": value}``."""
    args: dict[str, Any] = {}
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if not token.startswith("--") or len(token) == 2:
            raise ValueError(f"expected --name before {token!r}")
        key, eq, inline = token[2:].partition("=")
        key = key.replace("-", "_")
        if eq:
            raw: str | None = inline
        elif i + 1 < len(tokens) and not tokens[i + 1].startswith("--"):
            raw = tokens[i + 1]
            i += 1
        else:
            raw = None
        args[key] = True if raw is None else _value(raw)
        i += 1
    return args


def _value(raw: str) -> Any:
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


def tool(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="Tool name (see --list).")] = None,
    list_tools: Annotated[bool, typer.Option("--list", help="List the tools.")] = False,
    user: UserOption = None,
    as_of: AsOfOption = None,
) -> None:
    """Call one tool of the catalog and print its result as JSON."""
    from assistant.runtime import context_for, first_admin_id, open_notes
    from tools.catalog import load_catalog
    from tools.errors import ToolError

    catalog = load_catalog()
    if list_tools or name is None:
        table = Table(title="Dealwise tools")
        table.add_column("name")
        table.add_column("what it answers")
        for entry in catalog.values():
            table.add_row(entry.name, entry.summary)
        console.print(table)
        return
    spec = catalog.get(name)
    if spec is None:
        raise fail(f"no tool named {name!r}; `dealwise tool --list` shows them")
    try:
        args = parse_tool_args(list(ctx.args))
    except ValueError as exc:
        raise fail(str(exc)) from exc
    settings = settings_with(as_of)
    with open_session(settings) as session:
        tool_ctx = context_for(
            session, user or first_admin_id(session), settings, knowledge=open_notes(settings)
        )
        try:
            result = spec.call(tool_ctx, args)
        except ValidationError as exc:
            problems = "; ".join(
                f"--{'.'.join(map(str, e['loc'])).replace('_', '-')}: {e['msg']}"
                for e in exc.errors()
            )
            raise fail(f"bad arguments for {name}: {problems}") from exc
        except ToolError as exc:
            raise fail(str(exc), code=1) from exc
    typer.echo(result.model_dump_json(indent=2))

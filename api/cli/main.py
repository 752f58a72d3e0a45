"""``dealwise``: the command line entry point (assembles the command groups)."""

from __future__ import annotations

import typer

from api.cli import ask, db, demo, extract, imports, index, serve, slack, stats, tool, tour

app = typer.Typer(
    name="dealwise",
    help="Dealwise: a self-hosted conversational sales assistant over your CRM.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
for module in (stats, tool, db, imports, index, demo, extract, ask, serve, slack, tour):
    module.register(app)


if __name__ == "__main__":  # pragma: no cover
    app()

"""``dealwise stats``: row counts per table and the analysis date."""

from __future__ import annotations

import typer
from rich.table import Table
from sqlalchemy import func, inspect
from sqlmodel import SQLModel, select

from api.cli.common import AsOfOption, console, settings_with, store_engine


def register(app: typer.Typer) -> None:
    """Add the command to ``app``."""
    app.command("stats")(stats)


def stats(as_of: AsOfOption = None) -> None:
    """Show how many rows each table holds, and the as-of date analyses use."""
    settings = settings_with(as_of)
    engine = store_engine(settings)
    existing = set(inspect(engine).get_table_names())
    table = Table(title=f"Dealwise store · as of {settings.analysis_date().isoformat()}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    with engine.connect() as conn:
        for name, tbl in SQLModel.metadata.tables.items():
            if name in existing:
                count = conn.execute(select(func.count()).select_from(tbl)).scalar_one()
                table.add_row(name, f"{count:,}")
    console.print(table)

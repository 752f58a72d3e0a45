"""``dealwise demo``: build the realistic demo world and print what is in it."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.columns import Columns
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import inspect, select
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from api.cli.common import AsOfOption, console, engine_for, fail, settings_with
from crm.demo.summary import DemoSummary


def register(app: typer.Typer) -> None:
    """Add the command to ``app``."""
    app.command("demo")(demo)


def store_has_data(engine: Engine) -> bool:
    """Whether any Dealwise table in the store holds a row."""
    existing = set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        return any(
            conn.execute(select(1).select_from(table).limit(1)).first() is not None
            for table in SQLModel.metadata.sorted_tables
            if table.name in existing
        )


def demo(
    scale: Annotated[
        float, typer.Option(help="1 = ~200 accounts; 10 = ~2,000; 500 = ~100k.")
    ] = 1.0,
    seed: Annotated[int, typer.Option(help="Random seed; same seed + as-of = same world.")] = 7,
    replace: Annotated[
        bool, typer.Option(help="Empty every table first if the store has data.")
    ] = False,
    as_of: AsOfOption = None,
) -> None:
    """Build a realistic demo CRM world (dated relative to --as-of) and describe it."""
    from crm import migrate
    from crm.demo import build_demo
    from crm.demo.writer import empty_tables

    if scale <= 0:
        raise fail("--scale must be positive")
    settings = settings_with(as_of)
    engine = engine_for(settings)
    try:
        migrate.upgrade(engine)
    except migrate.SchemaMismatch as exc:
        raise fail(str(exc)) from exc
    if store_has_data(engine):
        if not replace:
            raise fail(
                f"{settings.database_url} already holds data; rerun with --replace to empty it"
            )
        empty_tables(engine)
    with Progress(
        TextColumn("{task.description:<28}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("starting", total=1)

        def report(step: str, done: int, total: int) -> None:
            progress.update(task, description=step, completed=done, total=max(total, 1))

        summary = build_demo(
            engine, scale=scale, seed=seed, as_of=settings.analysis_date(), progress=report
        )
    show_summary(summary, settings.database_url)


def _table(title: str, *columns: str) -> Table:
    table = Table(title=title, title_justify="left")
    for i, name in enumerate(columns):
        table.add_column(name, justify="left" if i == 0 else "right")
    return table


def show_summary(summary: DemoSummary, url: str) -> None:
    """Print the world: rows, revenue, behaviours, pipeline, scenarios and names to ask about."""
    console.print(
        f"[bold green]Demo world ready[/] in {url} · as of {summary.as_of} · seed {summary.seed}"
        f" · scale {summary.scale:g}"
    )
    rows = _table("Rows", "table", "rows")
    for name, count in summary.rows.items():
        rows.add_row(name, f"{count:,}")
    revenue = _table("Revenue (orders)", "year", "EUR")
    for year, amount in summary.revenue_by_year.items():
        revenue.add_row(str(year), f"{amount:,.0f}")
    behaviours = _table("Accounts by behaviour", "behaviour", "accounts")
    for name, count in summary.customers_by_behaviour.items():
        behaviours.add_row(name, f"{count:,}")
    pipeline = _table("Pipeline by stage", "stage", "deals", "EUR")
    for line in summary.pipeline:
        pipeline.add_row(line.stage, f"{line.deals:,}", f"{line.amount:,.0f}")
    planted = _table("Planted scenarios", "scenario", "deals")
    for name, count in summary.scenarios.items():
        planted.add_row(name, f"{count:,}")
    facts = _table("Note ground truth", "kind", "statements")
    for name, count in summary.note_facts.items():
        facts.add_row(name, f"{count:,}")
    console.print(Columns([rows, revenue, behaviours]))
    console.print(Columns([pipeline, planted, facts]))
    examples = Table(title="Ask about", title_justify="left")
    examples.add_column("who / what")
    examples.add_column("")
    for label, text in summary.examples.items():
        examples.add_row(label, text)
    console.print(examples)

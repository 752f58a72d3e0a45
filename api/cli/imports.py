"""``dealwise import DIR``: load a folder of canonical CSV files (see docs/import.md)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.cli.common import console, engine_for, err_console, fail, settings_with

if TYPE_CHECKING:
    from crm.importer import Problems, TableOutcome

SHOWN_PROBLEMS = 50


def register(app: typer.Typer) -> None:
    """Add the command to ``app``."""
    app.command("import")(import_)


class _Bar:
    """Adapts rich's progress bar to :class:`crm.importer.Progress`."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress

    def task(self, label: str, total: int) -> Callable[[int], None]:
        task_id = self._progress.add_task(label, total=total)
        return lambda n: self._progress.advance(task_id, n)


@contextmanager
def _progress_bar() -> Iterator[_Bar]:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), console=err_console, transient=True) as bar:
        yield _Bar(bar)


def import_(
    folder: Annotated[Path, typer.Argument(help="Folder of canonical CSV files.")],
    mapping: Annotated[
        Path | None, typer.Option("--mapping", help="YAML/JSON file mapping foreign exports.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and count, but write nothing.")
    ] = False,
) -> None:
    """Check every CSV in FOLDER and upsert them all in one transaction (nothing on error)."""
    from crm import migrate
    from crm.importer import MappingError, import_folder, load_mapping, table_specs

    if not folder.is_dir():
        raise fail(f"{folder} is not a folder")
    try:
        known = {s.table for s in table_specs()}
        mappings = load_mapping(mapping, known) if mapping else None
    except MappingError as exc:
        raise fail(str(exc)) from exc
    engine = engine_for(settings_with())
    try:
        migrate.upgrade(engine)
    except migrate.SchemaMismatch as exc:
        raise fail(str(exc)) from exc
    with _progress_bar() as bar:
        result = import_folder(engine, folder, mapping=mappings, dry_run=dry_run, progress=bar)
    for warning in result.warnings:
        err_console.print(f"[yellow]warning:[/] {warning}")
    if not result.ok:
        raise _report_problems(result.problems)
    _summary(result.tables, dry_run)


def _report_problems(problems: Problems) -> typer.Exit:
    for problem in problems.sorted()[:SHOWN_PROBLEMS]:
        err_console.print(str(problem), markup=False, highlight=False)
    hidden = problems.total - min(SHOWN_PROBLEMS, len(problems.kept))
    more = f" ({hidden:,} more not shown)" if hidden else ""
    return fail(f"{problems.total:,} problem(s){more}; nothing was written", code=1)


def _summary(tables: list[TableOutcome], dry_run: bool) -> None:
    title = "Dry run: nothing written" if dry_run else "Imported"
    table = Table(title=title)
    for name in ("file", "rows", "inserted", "updated", "unchanged"):
        table.add_column(name, justify="left" if name == "file" else "right")
    for t in tables:
        table.add_row(t.file, *(f"{n:,}" for n in (t.rows, t.inserted, t.updated, t.unchanged)))
    console.print(table)

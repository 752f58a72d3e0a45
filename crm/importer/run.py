"""Import a folder of canonical CSV files, all or nothing.

Everything is read and checked first; then every file is written in one transaction,
or nothing at all if any problem remains.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
from sqlalchemy import Connection
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from crm.importer.mapping import FileMapping
from crm.importer.problems import Problem, Problems
from crm.importer.read import read_source, source_name
from crm.importer.refs import KnownKeys, check_references, parents_first
from crm.importer.spec import table_specs
from crm.importer.validate import Checked, check_source
from crm.importer.write import TableOutcome, bulk_session, write_table


class Progress(Protocol):
    """Where an import reports progress (the CLI shows a rich progress bar)."""

    def task(self, label: str, total: int) -> Callable[[int], None]:
        """Start a task of ``total`` steps; return the function that advances it."""
        ...


class _Silent:
    def task(self, label: str, total: int) -> Callable[[int], None]:
        return lambda _n: None


@dataclass
class ImportResult:
    """The outcome of an import: problems (nothing written if any), warnings, per-table counts."""

    problems: Problems = field(default_factory=Problems)
    warnings: list[str] = field(default_factory=list)
    tables: list[TableOutcome] = field(default_factory=list)
    committed: bool = False

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems


def import_folder(
    engine: Engine,
    folder: Path,
    *,
    mapping: dict[str, FileMapping] | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Check every canonical CSV in ``folder`` and upsert them all, atomically.

    With ``dry_run`` the rows are written inside the transaction (so the database's own
    checks run and the counts are real) and then rolled back.
    """
    mapping = mapping or {}
    progress = progress or _Silent()
    result = ImportResult()
    _warn_unused_files(folder, mapping, result.warnings)
    with engine.connect() as conn, conn.begin() as transaction:
        checked = _check_all(conn, folder, mapping, result, progress)
        if result.problems:
            transaction.rollback()
            return result
        with bulk_session(conn):
            refused = _write_all(conn, checked, result, progress)
        if refused:
            transaction.rollback()
            return result
        if dry_run:
            transaction.rollback()
        else:
            transaction.commit()
            result.committed = True
    return result


def _write_all(
    conn: Connection,
    checked: list[tuple[Checked, np.ndarray]],
    result: ImportResult,
    progress: Progress,
) -> bool:
    """Write every checked file; on a database error record it and return True."""
    for item, order in checked:
        advance = progress.task(f"writing {item.file}", len(order))
        try:
            result.tables.append(write_table(conn, item, order, advance))
        except DBAPIError as exc:
            reason = f"the database refused the rows: {exc.orig}"
            result.problems.add(Problem(item.file, 0, "-", reason))
            result.tables.clear()
            return True
    return False


def _check_all(
    conn: Connection,
    folder: Path,
    mapping: dict[str, FileMapping],
    result: ImportResult,
    progress: Progress,
) -> list[tuple[Checked, np.ndarray]]:
    specs = table_specs()
    advance = progress.task("checking files", len(specs))
    keys = KnownKeys(conn)
    checked: list[tuple[Checked, np.ndarray]] = []
    for spec in specs:
        path = folder / source_name(spec, mapping.get(spec.table))
        if path.is_file():
            source = read_source(
                path, spec, mapping.get(spec.table), result.problems, result.warnings
            )
            if source is not None:
                item = check_source(source, result.problems)
                keys.add(item)
                check_references(item, keys, result.problems)
                checked.append((item, parents_first(item, result.problems)))
        elif spec.table in mapping and mapping[spec.table].file:
            result.problems.add(Problem(path.name, 0, "-", "file named in the mapping is missing"))
        advance(1)
    return checked


def _warn_unused_files(folder: Path, mapping: dict[str, FileMapping], warnings: list[str]) -> None:
    used = {source_name(s, mapping.get(s.table)) for s in table_specs()}
    for path in sorted(folder.glob("*.csv")):
        if path.name not in used:
            warnings.append(f"{path.name}: not a canonical file name, ignored")

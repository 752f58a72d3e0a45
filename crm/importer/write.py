"""Write checked rows with chunked ``INSERT ... ON CONFLICT DO UPDATE`` (SQLite, PostgreSQL).

A row whose values are all equal to the stored ones is left alone (the update has a
``WHERE ... IS DISTINCT FROM`` guard), so re-importing the same folder changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection, Table, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel

from crm.importer.convert import to_python
from crm.importer.validate import Checked

CHUNK_ROWS = 20_000
SQLITE_CACHE_KIB = 262_144


@contextmanager
def bulk_session(conn: Connection) -> Iterator[None]:
    """Give a SQLite connection a 256 MiB page cache while importing, then restore it.

    Index inserts then stay in memory instead of re-reading pages (about 20% less CPU
    for a million orders).
    """
    if conn.dialect.name != "sqlite":
        yield
        return
    previous = conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
    conn.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={int(previous)}")


@dataclass(frozen=True)
class TableOutcome:
    """What an import did to one table."""

    table: str
    file: str
    rows: int
    inserted: int
    updated: int

    @property
    def unchanged(self) -> int:
        """Rows that were already stored with the same values."""
        return self.rows - self.inserted - self.updated


def _columns(checked: Checked, order: np.ndarray) -> dict[str, list[object]]:
    """Database column -> Python values in ``order``; defaults fill empty cells and gaps."""
    columns: dict[str, list[object]] = {}
    for spec in checked.spec.columns:
        if spec.name in checked.values:
            values = to_python(checked.values[spec.name].iloc[order], spec.kind)
            if spec.default is not None:
                values = [spec.default if v is None else v for v in values]
            columns[spec.db] = values
        elif spec.default is not None:
            columns[spec.db] = [spec.default] * len(order)
    return columns


def _chunk(columns: dict[str, list[object]], start: int, stop: int) -> list[dict[str, Any]]:
    names = list(columns)
    rows = zip(*(values[start:stop] for values in columns.values()), strict=True)
    return [dict(zip(names, row, strict=True)) for row in rows]


def _upsert(conn: Connection, table: Table, key: list[str], given: list[str]) -> Any:
    """The upsert; it returns one row per row inserted or changed (drivers' rowcounts differ)."""
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(table)
    update = [c for c in given if c not in key]
    if not update:
        return stmt.on_conflict_do_nothing(index_elements=key).returning(table.c[key[0]])
    return stmt.on_conflict_do_update(
        index_elements=key,
        set_={c: stmt.excluded[c] for c in update},
        where=or_(*(table.c[c].is_distinct_from(stmt.excluded[c]) for c in update)),
    ).returning(table.c[key[0]])


def write_table(
    conn: Connection, checked: Checked, order: np.ndarray, advance: Callable[[int], None]
) -> TableOutcome:
    """Upsert every row of ``checked`` in chunks and count what changed."""
    table = SQLModel.metadata.tables[checked.spec.table]
    key = [checked.spec.column(k).db for k in checked.spec.key]
    given = [c.db for c in checked.given]
    columns = _columns(checked, order)
    stmt = _upsert(conn, table, key, given)
    before = conn.execute(select(func.count()).select_from(table)).scalar_one()
    changed = 0
    for start in range(0, len(order), CHUNK_ROWS):
        chunk = _chunk(columns, start, start + CHUNK_ROWS)
        changed += len(conn.execute(stmt, chunk).all())
        advance(len(chunk))
    after = conn.execute(select(func.count()).select_from(table)).scalar_one()
    inserted = after - before
    return TableOutcome(checked.spec.table, checked.file, len(order), inserted, changed - inserted)

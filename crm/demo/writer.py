"""Fast bulk load into an empty store, in one transaction.

Values are converted column by column with each column type's own SQLAlchemy bind
processor (so the stored form is exactly what the ORM writes and reads back), then sent
as plain tuples: ``executemany`` in chunks on SQLite, ``COPY ... FROM STDIN`` on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np
from sqlalchemy import Date, Table, text
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlmodel import SQLModel

from crm.demo.config import Columns
from crm.revision import wrote

CHUNK = 50_000
Progress = Callable[[str, int, int], None]
"""Called as ``progress(step, done, total)`` while generating and loading."""


def _values(column: np.ndarray, sql_type: Any, dialect: Dialect) -> list[Any]:
    """A column as values the driver accepts (after the type's bind processor)."""
    values: list[Any]
    if column.dtype.kind == "M":
        if isinstance(sql_type, Date):
            values = column.astype("datetime64[D]").tolist()
        else:
            stamps = column.astype("datetime64[us]").tolist()
            values = [None if s is None else s.replace(tzinfo=dt.UTC) for s in stamps]
    elif column.dtype.kind == "f":
        values = [None if v != v else v for v in column.tolist()]  # NaN -> NULL
        if sql_type.python_type is int:
            values = [None if v is None else int(v) for v in values]
    else:
        values = column.tolist()
    process = sql_type.dialect_impl(dialect).bind_processor(dialect)
    if process is None:
        return values
    return [None if v is None else process(v) for v in values]


def row_chunks(
    table: Table, columns: Columns, dialect: Dialect
) -> tuple[list[str], int, Iterator[list[tuple[Any, ...]]]]:
    """Column names, row count and lazily converted chunks of row tuples of one table.

    Converting chunk by chunk bounds memory at large scale. Private (``_``-prefixed) and
    unknown columns are dropped.
    """
    names = [c.name for c in table.columns if c.name in columns]
    total = len(columns[names[0]])

    def chunks() -> Iterator[list[tuple[Any, ...]]]:
        for start in range(0, total, CHUNK):
            lists = [
                _values(columns[name][start : start + CHUNK], table.columns[name].type, dialect)
                for name in names
            ]
            yield list(zip(*lists, strict=True))

    return names, total, chunks()


def _insert(conn: Connection, table: Table, names: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Send ``rows`` through the raw driver connection of ``conn`` (same transaction)."""
    wrote(conn, table.name)
    quote = conn.dialect.identifier_preparer.quote
    columns = ", ".join(quote(n) for n in names)
    raw: Any = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        with (
            raw.cursor() as cur,
            cur.copy(f"COPY {quote(table.name)} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" if conn.dialect.paramstyle == "qmark" else "%s" for _ in names)
    cur = raw.cursor()
    try:
        cur.executemany(f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({marks})", rows)
    finally:
        cur.close()


def _bulk_pragmas(conn: Connection) -> None:
    """SQLite: trade durability for speed during the one-off load."""
    if conn.dialect.name == "sqlite":
        for pragma in ("synchronous=OFF", "temp_store=MEMORY", "cache_size=-200000"):
            conn.execute(text(f"PRAGMA {pragma}"))


def write_tables(
    engine: Engine, tables: Mapping[str, Columns], progress: Progress | None = None
) -> dict[str, int]:
    """Insert every table (in foreign-key order) in one transaction; return rows per table.

    Secondary indexes are dropped for the load and rebuilt afterwards (much faster than
    maintaining them row by row); they are restored even when the load fails.
    """
    loaded = [t for t in SQLModel.metadata.sorted_tables if t.name in tables]
    try:
        with engine.begin() as conn:
            _bulk_pragmas(conn)
            for table in loaded:
                for index in table.indexes:
                    index.drop(conn)
            counts = {t.name: _load(conn, t, tables[t.name], progress) for t in loaded}
            for table in loaded:
                for index in table.indexes:
                    index.create(conn)
    except BaseException:
        _restore_indexes(engine, loaded)
        raise
    return counts


def _load(conn: Connection, table: Table, columns: Columns, progress: Progress | None) -> int:
    """Insert one table's rows in chunks; return how many."""
    names, total, chunks = row_chunks(table, _with_ids(table, columns), conn.dialect)
    done = 0
    for chunk in chunks:
        _insert(conn, table, names, chunk)
        done += len(chunk)
        if progress:
            progress(f"writing {table.name}", done, total)
    _advance_sequence(conn, table)
    return total


def _restore_indexes(engine: Engine, tables: list[Table]) -> None:
    """Recreate any index a failed load left dropped."""
    with engine.begin() as conn:
        for table in tables:
            for index in table.indexes:
                index.create(conn, checkfirst=True)


def _with_ids(table: Table, columns: Columns) -> Columns:
    """Give integer-id tables explicit ids 1..n, so reloads are identical."""
    if "id" in columns or "id" not in table.columns:
        return columns
    if table.columns["id"].type.python_type is not int:
        return columns
    n = len(next(iter(columns.values())))
    return {"id": np.arange(1, n + 1), **columns}


def _advance_sequence(conn: Connection, table: Table) -> None:
    """PostgreSQL: move an integer-id table's sequence past the ids just written."""
    if conn.dialect.name != "postgresql" or "id" not in table.columns:
        return
    if table.columns["id"].type.python_type is not int:
        return
    conn.execute(
        text(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
        )
    )


def empty_tables(engine: Engine) -> None:
    """Delete every row of every table (children first), in one transaction."""
    with engine.begin() as conn:
        for table in reversed(SQLModel.metadata.sorted_tables):
            conn.execute(table.delete())

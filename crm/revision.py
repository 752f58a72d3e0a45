"""When to trust a cached answer about the store: this process's writes and a timed re-check.

Caches of derived data (the offline planner's vocabulary, scored tables, pipeline
frames) are keyed by a *fingerprint* of the store: counts and maxima that change when
the data does. Computing one costs a few index or table scans, too much to repeat on
every request of a busy API. :func:`remembered` keeps a fingerprint for
:data:`RECHECK_SECONDS` and computes it again at once when this process has written to
the tables it reads since (any INSERT, UPDATE or DELETE run through SQLAlchemy, counted
again at commit). Writes by other processes (another API worker, a ``dealwise import`` in a
shell) are therefore seen within :data:`RECHECK_SECONDS`; this process's own writes,
including an import through the API, immediately.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

RECHECK_SECONDS = 5.0
T = TypeVar("T")

_lock = threading.Lock()
_writes: WeakKeyDictionary[Engine, Counter[str]] = WeakKeyDictionary()
_memo: WeakKeyDictionary[Engine, dict[str, tuple[int, float, Any]]] = WeakKeyDictionary()


def writes(engine: Engine, tables: Iterable[str]) -> int:
    """How many writes (statements, and commits after them) this process made to ``tables``."""
    with _lock:
        counts = _writes.get(engine)
        return sum(counts[t] for t in tables) if counts else 0


def remembered(engine: Engine, name: str, tables: Iterable[str], compute: Callable[[], T]) -> T:
    """``compute()``, reused for ``name`` until a re-check is due or ``tables`` are written.

    ``tables`` are the tables the fingerprint reads: this process's writes to others
    (audit rows, conversation turns) leave it valid.
    """
    seen, now = writes(engine, tables), time.monotonic()
    with _lock:
        hit = _memo.get(engine, {}).get(name)
    if hit is not None and hit[0] == seen and now - hit[1] < RECHECK_SECONDS:
        value: T = hit[2]
        return value
    value = compute()
    with _lock:
        _memo.setdefault(engine, {})[name] = (seen, now, value)
    return value


def forget() -> None:
    """Drop every remembered fingerprint (tests that edit the store behind SQLAlchemy)."""
    with _lock:
        _memo.clear()


def wrote(conn: Connection, table: str) -> None:
    """Record a write to ``table`` made on ``conn`` (raw driver cursors call this themselves)."""
    conn.info.setdefault("dealwise_wrote", set()).add(table)
    _count(conn.engine, [table])


def _count(engine: Engine, tables: Iterable[str]) -> None:
    with _lock:
        _writes.setdefault(engine, Counter()).update(tables)


@event.listens_for(Engine, "after_cursor_execute")
def _after_execute(
    conn: Connection, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
) -> None:
    if context is not None and (context.isinsert or context.isupdate or context.isdelete):
        table = getattr(getattr(context.compiled, "statement", None), "table", None)
        wrote(conn, getattr(table, "name", "?"))


@event.listens_for(Engine, "commit")
def _at_commit(conn: Connection) -> None:
    # A reader between the write and the commit saw the old data: look again after it.
    tables = conn.info.pop("dealwise_wrote", None)
    if tables:
        _count(conn.engine, tables)

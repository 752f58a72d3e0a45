"""In-process cache of learnt pipeline parameters (stage norms, stage win rates, win model).

Learnt parameters are fitted on the whole store (``Scope.everything``, the internal
"fitting" scope of :mod:`crm.scope`) and only ever applied to records in the caller's
scope; they expose aggregates (medians, rates, coefficients), never other reps' records.
The frames of the scoped pipeline queries (keyed by :func:`query_key`: their SQL and bound
values, so by scope too), which the stage tools share within one data version, live in a
second cache. Both are least-recently-used, and separate: however many per-deal or
per-owner frames pass through, they never push out a fitted model or a population-level
frame (stage norms, stage win rates, the win model), whose refit costs up to a minute.
Entries are keyed by the engine (weakly, so a disposed test store frees its entries),
a cheap fingerprint of the data and ``as_of``: any new stage change, deal, close-date
change or activity changes the fingerprint and forces a refit.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

import pandas as pd
from sqlalchemy import Row, func
from sqlmodel import select

from crm.models import Activity, CloseDateChange, ContactRoleFact, Opportunity, Stage, StageHistory
from crm.revision import remembered
from crm.scope import Scope
from tools.context import ToolContext

T = TypeVar("T")
_LRU = OrderedDict[Hashable, Any]
_FRAMES: WeakKeyDictionary[Any, _LRU] = WeakKeyDictionary()
_FITTED: WeakKeyDictionary[Any, _LRU] = WeakKeyDictionary()
_LOCK = threading.Lock()
MAX_FRAMES = 256
MAX_FRAME_BYTES = 256 << 20
"""Query frames kept per engine: at most MAX_FRAMES, holding at most MAX_FRAME_BYTES of
cells (8 bytes each: an object column counts its pointers). A one-deal frame weighs a few
kB, the company's deals and visits tens of MB, so a stream of deal reviews no longer
pushes the company's frames out as a fixed count of entries did."""
MAX_FITTED = 16
_SQL: _LRU = OrderedDict()
MAX_SQL = 256


def company(ctx: ToolContext) -> ToolContext:
    """The same context with the unrestricted fitting scope (for learning parameters only)."""
    return dataclasses.replace(ctx, scope=Scope.everything(ctx.scope.user_id))


def fingerprint(ctx: ToolContext) -> tuple[Any, ...]:
    """A cheap summary that changes whenever the pipeline data changes.

    Index-only maxima on the history tables (new rows), a count and an amount sum over
    opportunities (in-place edits of deals; read off the amount index) and the stages
    table as it is. Shared by the requests of a process through
    :func:`crm.revision.remembered`: computed again after this process writes to one of
    those tables, else every RECHECK_SECONDS (the count and sum read the 200k-entry
    amount index: ~10 ms, too much for every request of a busy API).
    """
    engine = ctx.session.get_bind().engine
    return remembered(engine, "pipeline", _READ, lambda: _fingerprint(ctx))


_READ = tuple(
    m.__tablename__
    for m in (Opportunity, StageHistory, CloseDateChange, Activity, ContactRoleFact, Stage)
)


def _fingerprint(ctx: ToolContext) -> tuple[Any, ...]:
    session = ctx.session
    parts: list[Any] = []
    for stmt in (
        # count and sum apart from max(id): together they would read every deal row, apart
        # the amount index and the primary key answer them
        select(func.count(), func.sum(Opportunity.amount_cents)),
        select(func.max(Opportunity.id)),
        select(func.max(StageHistory.id)),
        select(func.max(CloseDateChange.id)),
        select(func.max(Activity.occurred_at)),
        select(func.max(ContactRoleFact.id)),
    ):
        row = session.exec(stmt).one()
        parts.extend(tuple(row) if isinstance(row, Row) else (row,))
    # the pipeline definition itself (a handful of rows), so any edit of it shows
    stages = select(Stage.name, Stage.position, Stage.probability, Stage.outcome)
    parts.append(tuple(sorted(tuple(row) for row in session.exec(stages).all())))
    return tuple(parts)


class QueryKey(str):
    """A cache name made by :func:`query_key`: a scoped query's frame, not a fitted value."""

    __slots__ = ()


def query_key(stmt: Any) -> QueryKey:
    """A cache name for a SELECT: its SQL text and bound values (scope included).

    The SQL text is compiled once per statement shape (SQLAlchemy's structural cache key,
    which ignores bound values) and memoised in ``_SQL``; the bound values are then read
    off the cache key in their fixed order, so a repeated query costs no compilation.
    """
    cache_key = stmt._generate_cache_key()
    if cache_key is None:  # a construct SQLAlchemy cannot cache: compile it every time
        compiled = stmt.compile()
        return QueryKey(f"{compiled}|{sorted(compiled.params.items())!r}")
    with _LOCK:
        sql = _SQL.get(cache_key.key)
        if sql is not None:
            _SQL.move_to_end(cache_key.key)
    if sql is None:
        sql = str(stmt.compile())
        with _LOCK:
            _SQL[cache_key.key] = sql
            while len(_SQL) > MAX_SQL:
                _SQL.popitem(last=False)
    return QueryKey(f"{sql}|{[b.effective_value for b in cache_key.bindparams]!r}")


def cached(ctx: ToolContext, name: str, compute: Callable[[], T]) -> T:
    """``compute()`` once per (engine, ``name``, data fingerprint, as_of).

    Names made by :func:`query_key` go to the query-frame cache (MAX_FRAMES entries and
    MAX_FRAME_BYTES); any other name is a fitted, population-level value and goes to the
    fitted cache (MAX_FITTED entries), which query frames cannot evict. Both evict the
    least recently used entries. Cached values are shared: callers must treat them as
    read-only.
    """
    bind = ctx.session.get_bind()
    engine = getattr(bind, "engine", bind)
    frames = isinstance(name, QueryKey)
    tier, limit = (_FRAMES, MAX_FRAMES) if frames else (_FITTED, MAX_FITTED)
    key = (str(name), fingerprint(ctx), ctx.as_of)
    with _LOCK:
        entries = tier.setdefault(engine, OrderedDict())
        if key in entries:
            entries.move_to_end(key)
            return entries[key][0]  # type: ignore[no-any-return]
    value = compute()
    size = _bytes(value) if frames else 0
    with _LOCK:
        entries[key] = (value, size)
        entries.move_to_end(key)
        total = sum(weight for _, weight in entries.values())
        while len(entries) > limit or (total > MAX_FRAME_BYTES and len(entries) > 1):
            total -= entries.popitem(last=False)[1][1]
    return value


def _bytes(value: Any) -> int:
    """A cached frame's size as 8 bytes a cell (a number or a pointer; 0 for non-frames).

    Counted from the shape: ``DataFrame.memory_usage`` costs ~0.6 ms a call, several
    times per deal review.
    """
    if isinstance(value, tuple):
        return sum(_bytes(part) for part in value)
    if isinstance(value, pd.DataFrame):
        return 8 * value.shape[0] * max(value.shape[1], 1)
    if isinstance(value, pd.Series):
        return 8 * len(value)
    return 0

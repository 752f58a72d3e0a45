"""RFM: the scored population of a caller (one scan of the orders, cached) and ``account_rfm``.

:func:`rfm_table` is what other tools call (account 360, next-best-action, metrics by
segment). Figures per account over the window ``(as_of - window_days, as_of]``:

* ``recency_days`` = ``as_of - max(order_date)`` in days;
* ``frequency`` = distinct order dates (same-day orders count once), ``order_count`` = rows;
* ``monetary_total`` = sum of amounts, ``monetary_avg`` = total / frequency (per purchase day).

Only accounts in the caller's scope with at least one order in the window are scored,
so a rep's quintiles are those of the rep's own book (rules: :mod:`tools.rfm_rules`;
segment tools: :mod:`tools.rfm_segments`).

Cache: scoring 100k accounts takes seconds, so tables are cached per (engine, scope,
as_of, window, config). Every call re-validates the entry with two index look-ups (the
highest order id, and order date up to as_of); every :data:`REVALIDATE_SECONDS` it also compares the
order count. New orders with a higher id or a later date (including the caller's own
uncommitted ones) are seen at once; other changes (deletes, back-dated orders under a
lower id) within :data:`REVALIDATE_SECONDS`. :func:`clear_cache` forgets everything.
Entries die with their engine.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field
from sqlalchemy import func
from sqlmodel import col, select

from crm.models import Account, Order
from crm.revision import remembered
from tools.catalog import tool
from tools.context import ToolContext
from tools.errors import InsufficientHistory, InvalidArgument
from tools.order_summary import epoch_day, forget, order_days, store_order_days, to_dates
from tools.records import MAX_IDS, get_account
from tools.rfm_rules import DEFAULT_CONFIG, MEANINGS, RFMConfig, SegmentName, Tier, score_frame

COLUMNS = (
    "recency_days",
    "frequency",
    "order_count",
    "monetary_total",
    "monetary_avg",
    "r_score",
    "f_score",
    "m_score",
    "fm_score",
    "segment",
    "tier",
    "first_order_date",
    "last_order_date",
)
_PER_ENGINE = 8
REVALIDATE_SECONDS = 5.0
_cache: weakref.WeakKeyDictionary[Any, OrderedDict[tuple[Any, ...], _Entry]] = (
    weakref.WeakKeyDictionary()
)
_lock = threading.Lock()


def window_start(ctx: ToolContext, window_days: int | None) -> dt.date | None:
    """The last date *before* the window (orders must be later), or None for all history."""
    if window_days is None:
        return None
    if window_days < 1:
        raise InvalidArgument(f"window_days must be at least 1, got {window_days}")
    return ctx.as_of - dt.timedelta(days=window_days)


def order_filters(ctx: ToolContext, window_days: int | None) -> list[Any]:
    """SQL conditions selecting the orders that exist by ``as_of`` and lie in the window."""
    conditions: list[Any] = [col(Order.order_date) <= ctx.as_of]
    start = window_start(ctx, window_days)
    if start is not None:
        conditions.append(col(Order.order_date) > start)
    return conditions


def rfm_figures(ctx: ToolContext, *, window_days: int | None = None) -> pd.DataFrame:
    """Unscored RFM figures per scoped account, from the orders merged per day."""
    start = window_start(ctx, window_days)
    if ctx.scope.sees_all:
        days = store_order_days(ctx.session, ctx.as_of).since(start)
    else:
        owned = ctx.scope.owner_filter(col(Account.owner_id))
        days = order_days(ctx.session, ctx.as_of, after=start, owner_filter=owned)
    ends = days.ends()
    frequency = ends - days.starts
    first, last = days.day[days.starts], days.day[ends - 1]
    cents = days.per_account(days.amount).astype(np.float64)
    frame = pd.DataFrame(
        {
            "frequency": frequency,
            "order_count": days.per_account(days.orders).astype(np.int64),
            "first_order_date": to_dates(first),
            "last_order_date": to_dates(last),
            "recency_days": (epoch_day(ctx.as_of) - last).astype(np.int64),
            "monetary_total": (cents / 100).round(2),
            "monetary_avg": (cents / frequency / 100).round(2),
        },
        index=pd.Index(days.accounts, name="account_id"),
    )
    return frame


@dataclass
class _Entry:
    quick: tuple[Any, ...]
    count: int
    checked: float
    table: pd.DataFrame


def _quick_print(ctx: ToolContext) -> tuple[Any, ...]:
    """Highest order id, and highest order date up to as_of: two index look-ups."""
    last_id = ctx.session.execute(select(func.max(col(Order.id)))).scalar_one()
    last_day = ctx.session.execute(
        select(func.max(col(Order.order_date))).where(col(Order.order_date) <= ctx.as_of)
    ).scalar_one()
    return (last_id, last_day)


_ORDERS = (Order.__tablename__,)


def _count(ctx: ToolContext) -> int:
    return int(ctx.session.execute(select(func.count()).select_from(Order)).scalar_one())


def rfm_table(
    ctx: ToolContext, *, window_days: int | None = None, config: RFMConfig = DEFAULT_CONFIG
) -> pd.DataFrame:
    """The scored RFM table of the caller's scope, indexed by ``account_id``.

    Columns: see :data:`COLUMNS`. ``window_days`` overrides ``config.window_days``.
    The frame is shared with the cache: treat it as read-only (copy before changing it).
    """
    window = config.window_days if window_days is None else window_days
    bind = ctx.session.get_bind()
    key = (ctx.scope.owner_ids, ctx.as_of, window, config)
    # Remembered across requests (crm.revision): two index look-ups are a fifth of a
    # small account summary's work; other processes' new orders show within seconds.
    quick = remembered(bind.engine, f"rfm:{ctx.as_of}", _ORDERS, lambda: _quick_print(ctx))
    with _lock:
        hit = _cache.setdefault(bind, OrderedDict()).get(key)
    if hit is not None and hit.quick == quick:
        if time.monotonic() - hit.checked < REVALIDATE_SECONDS:
            return hit.table
        if _count(ctx) == hit.count:
            hit.checked = time.monotonic()
            return hit.table
    table = score_frame(rfm_figures(ctx, window_days=window), config)[list(COLUMNS)]
    entry = _Entry(quick, _count(ctx), time.monotonic(), table)
    with _lock:
        entries = _cache.setdefault(bind, OrderedDict())
        entries[key] = entry
        while len(entries) > _PER_ENGINE:
            entries.popitem(last=False)
    return table


def clear_cache() -> None:
    """Forget every cached table (tests, or after bulk edits that keep the fingerprint)."""
    with _lock:
        _cache.clear()
    forget()


def account_names(ctx: ToolContext, account_ids: list[str]) -> dict[str, str]:
    """Names of a few scoped accounts (ids outside the scope are left out)."""
    if not account_ids:
        return {}
    stmt = select(col(Account.id), col(Account.name)).where(
        col(Account.id).in_(account_ids), ctx.scope.owner_filter(col(Account.owner_id))
    )
    return {id_: name for id_, name in ctx.session.execute(stmt).all()}


class RFMFigures(BaseModel):
    """The RFM figures and scores of one account."""

    account_id: str = Field(description="Account id.")
    account_name: str = Field(description="Account name.")
    recency_days: int = Field(description="Days from the last order to as_of.")
    frequency: int = Field(description="Purchase days in the window (same-day orders once).")
    monetary_total: float = Field(description="Revenue in the window, currency units.")
    monetary_avg: float = Field(description="Revenue per purchase day, currency units.")
    r_score: int = Field(description="Recency score 1-5 (5 = most recent).")
    f_score: int = Field(description="Frequency score 1-5 (5 = most frequent).")
    m_score: int = Field(description="Monetary score 1-5 (5 = highest spend).")
    segment: SegmentName = Field(description="RFM segment (11-segment map).")
    tier: Tier = Field(description="Sales tier: high_value, potential or churn_risk.")
    last_order_date: dt.date = Field(description="Date of the last order in the window.")


class RFMScore(RFMFigures):
    """An account's RFM score with what it means and the orders behind it."""

    as_of: dt.date = Field(description="Analysis date the window ends at.")
    window_days: int | None = Field(description="Window length in days; null = all history.")
    currency: str = Field(description="Currency of the money figures.")
    rfm_code: str = Field(description="The three scores as one code, R then F then M (e.g. 545).")
    order_count: int = Field(description="Orders in the window (same-day orders each counted).")
    first_order_date: dt.date = Field(description="Date of the first order in the window.")
    segment_meaning: str = Field(description="What the segment says about the account.")
    tier_meaning: str = Field(description="What the tier says about the account.")
    population_size: int = Field(description="Accounts scored together (the caller's scope).")
    share_less_recent: float = Field(
        description="Share of scored accounts whose last order is older."
    )
    share_less_frequent: float = Field(description="Share of scored accounts with fewer purchases.")
    share_lower_spend: float = Field(description="Share of scored accounts with lower revenue.")
    order_ids: list[str] = Field(description="Ids of the orders behind the figures, newest first.")
    order_ids_total: int = Field(description="Total number of those orders (ids list is capped).")


def figures_of(row: pd.Series[Any], account_id: str, name: str) -> RFMFigures:
    """An :class:`RFMFigures` from one row of :func:`rfm_table`."""
    values = {k: row[k] for k in RFMFigures.model_fields if k in row.index}
    return RFMFigures(**values, account_id=account_id, account_name=name)


@tool
def account_rfm(ctx: ToolContext, *, account_id: str, window_days: int | None = None) -> RFMScore:
    """Score an account's recency, frequency and monetary value (RFM) and name its segment.

    Use for "how valuable / how engaged is this customer", "which RFM segment is X in".
    Scores are quintiles (1-5) of the caller's own scored accounts.

    Args:
        ctx: The caller's context (supplied by the runtime, never by the model).
        account_id: The account id (resolve names with find_account first).
        window_days: Only count orders of the last N days before as_of; omit for all history.
    """
    account = get_account(ctx, account_id)
    table = rfm_table(ctx, window_days=window_days)
    if account_id not in table.index:
        raise InsufficientHistory(f"account {account_id!r} has no orders in the window by as_of")
    row = cast("pd.Series[Any]", table.loc[account_id])
    orders = ctx.session.execute(
        select(col(Order.id))
        .where(col(Order.account_id) == account_id, *order_filters(ctx, window_days))
        .order_by(col(Order.order_date).desc(), col(Order.id).desc())
        .limit(MAX_IDS)
    ).scalars()
    n = len(table)
    return RFMScore(
        **figures_of(row, account_id, account.name).model_dump(),
        as_of=ctx.as_of,
        window_days=window_days,
        currency=ctx.currency,
        rfm_code=f"{row['r_score']}{row['f_score']}{row['m_score']}",
        order_count=int(row["order_count"]),
        first_order_date=row["first_order_date"],
        segment_meaning=MEANINGS[row["segment"]],
        tier_meaning=MEANINGS[row["tier"]],
        population_size=n,
        share_less_recent=float((table["recency_days"] > row["recency_days"]).sum() / n),
        share_less_frequent=float((table["frequency"] < row["frequency"]).sum() / n),
        share_lower_spend=float((table["monetary_total"] < row["monetary_total"]).sum() / n),
        order_ids=list(orders),
        order_ids_total=int(row["order_count"]),
    )

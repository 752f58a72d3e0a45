"""Orders merged per (account, day) into numpy arrays: the common input of RFM and CLV.

One plain ``SELECT`` of the order rows (no GROUP BY: on SQLite a sequential scan that
is filtered in numpy beats an index walk when most orders qualify), then vectorised
grouping: accounts and dates are factorised to integer codes, rows sorted by
(account, day) and reduced with :func:`numpy.add.reduceat`. Dates become whole days
since 1970-01-01, so no per-row date parsing happens in Python.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sqlalchemy import ColumnElement, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from crm.models import Account, Order

_EPOCH = dt.date(1970, 1, 1)
Ints = NDArray[np.int64]
Floats = NDArray[np.float64]
_CHUNK = 100_000
_KEEP = 2
_lock = threading.Lock()


def epoch_day(day: dt.date) -> int:
    """Whole days from 1970-01-01 to ``day``."""
    return (day - _EPOCH).days


def to_dates(days: Ints) -> NDArray[np.object_]:
    """``datetime.date`` objects from whole days since 1970-01-01 (inverse of epoch_day)."""
    return pd.to_datetime(days, unit="D").date


@dataclass(frozen=True)
class OrderDays:
    """One row per (account, order day), sorted by account then day.

    ``accounts`` are the distinct account ids (sorted); ``account`` indexes them per row
    and ``starts`` gives each account's first row. Money is in integer cents:
    ``amount`` the day's net amount, ``costed`` and ``cost`` the amount and cost of the
    orders that carry a cost; ``orders`` counts the day's orders and ``purchase`` says
    whether one of them has an amount of zero or more.
    """

    accounts: NDArray[np.object_]
    starts: Ints
    account: Ints
    day: Ints
    amount: Ints
    orders: Ints
    purchase: NDArray[np.bool_]
    costed: Ints
    cost: Ints

    def since(self, after: dt.date | None) -> OrderDays:
        """The rows dated after ``after`` (all rows when None), accounts re-indexed."""
        if after is None:
            return self
        keep = self.day > epoch_day(after)
        present, account = np.unique(self.account[keep], return_inverse=True)
        return OrderDays(
            accounts=self.accounts[present],
            starts=_starts(account),
            account=account.astype(np.int64),
            day=self.day[keep],
            amount=self.amount[keep],
            orders=self.orders[keep],
            purchase=self.purchase[keep],
            costed=self.costed[keep],
            cost=self.cost[keep],
        )

    def ends(self) -> Ints:
        """One past each account's last row."""
        return np.append(self.starts[1:], len(self.day)) if len(self.starts) else self.starts

    def per_account(self, values: NDArray[Any]) -> NDArray[Any]:
        """Sum of ``values`` (one per row) for each account, in ``accounts`` order."""
        if len(self.starts) == 0:
            return np.zeros(0, dtype=values.dtype)
        return np.add.reduceat(values, self.starts)


_memo: weakref.WeakKeyDictionary[Any, OrderedDict[tuple[Any, ...], OrderDays]] = (
    weakref.WeakKeyDictionary()
)


def store_order_days(session: Session, as_of: dt.date) -> OrderDays:
    """:func:`order_days` of the whole store up to ``as_of``, memoised per engine.

    Shared by the CLV summary and the unscoped RFM table, so scoring both reads the
    orders once. Re-validated by :func:`data_key` on every call; the memo keeps the
    latest :data:`_KEEP` entries per engine.
    """
    bind = session.get_bind()
    engine = getattr(bind, "engine", bind)
    key = (as_of, data_key(session, as_of))
    with _lock:
        hit = _memo.setdefault(engine, OrderedDict()).get(key)
    if hit is not None:
        return hit
    days = order_days(session, as_of)
    with _lock:
        entries = _memo.setdefault(engine, OrderedDict())
        entries[key] = days
        while len(entries) > _KEEP:
            entries.popitem(last=False)
    return days


def forget() -> None:
    """Drop the memo of :func:`store_order_days` (after edits that keep the data key)."""
    with _lock:
        _memo.clear()


def data_key(session: Session, as_of: dt.date) -> str:
    """A fingerprint of the orders up to ``as_of``: changes when an order is added or removed.

    Hashes the number of orders dated by ``as_of``, the latest such date and the
    smallest and largest order id: index-only queries, cheap on a million orders. An
    edit of an existing order's amount keeps the key; ``tools.clv_models.forget_memo``
    (which calls :func:`forget`) plus deleting its ``model_fits`` rows forces a refit then.
    """
    until = col(Order.order_date) <= as_of
    parts = (
        session.execute(select(func.count()).select_from(Order).where(until)).scalar(),
        session.execute(select(func.max(Order.order_date)).where(until)).scalar(),
        session.execute(select(func.min(Order.id))).scalar(),
        session.execute(select(func.max(Order.id))).scalar(),
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def order_days(
    session: Session,
    as_of: dt.date,
    *,
    after: dt.date | None = None,
    owner_filter: ColumnElement[bool] | None = None,
) -> OrderDays:
    """The orders dated in ``(after, as_of]`` (accounts matching ``owner_filter``), by day.

    ``owner_filter`` is a condition on ``Account.owner_id`` (the caller's scope).
    """
    stmt: Any = sa_select(
        col(Order.account_id), col(Order.order_date), col(Order.amount_cents), col(Order.cost_cents)
    )
    if owner_filter is not None:
        stmt = stmt.join(Account, col(Account.id) == col(Order.account_id)).where(owner_filter)
    account, accounts, day, amount, cost = _fetch(session, stmt)
    keep = day <= epoch_day(as_of)
    if after is not None:
        keep &= day > epoch_day(after)
    present, codes = np.unique(account[keep], return_inverse=True)
    return _group(codes.astype(np.int64), accounts[present], day[keep], amount[keep], cost[keep])


def _fetch(session: Session, stmt: Any) -> tuple[Ints, NDArray[np.object_], Ints, Ints, Floats]:
    """Account codes, the account ids they index (sorted), epoch days, amounts, costs.

    Reads the driver cursor in chunks of :data:`_CHUNK` rows and factorises each chunk,
    so no more than one chunk of Python row objects is alive at a time.
    """
    cursor = session.connection().execute(stmt).cursor
    accounts, dates, amounts, costs = [], [], [], []
    while cursor is not None and (rows := cursor.fetchmany(_CHUNK)):
        chunk = pd.DataFrame.from_records(rows, columns=["a", "d", "amount", "cost"])
        accounts.append(pd.factorize(chunk["a"]))
        dates.append(pd.factorize(chunk["d"]))
        amounts.append(chunk["amount"].to_numpy(dtype=np.int64))
        costs.append(chunk["cost"].astype(np.float64).to_numpy())
    account, ids = _merge_codes(accounts)
    day, dates_seen = _merge_codes(dates)
    epoch = pd.to_datetime(pd.Series(dates_seen)).to_numpy(dtype="datetime64[D]").astype(np.int64)
    cents = np.concatenate([np.zeros(0, dtype=np.int64), *amounts])
    cost = np.concatenate([np.zeros(0, dtype=np.float64), *costs])
    return account, np.asarray(ids, dtype=object), epoch[day], cents, cost


def _merge_codes(parts: list[tuple[Ints, Any]]) -> tuple[Ints, NDArray[Any]]:
    """One sorted factorisation from per-chunk ``(codes, uniques)`` pairs."""
    if not parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object)
    merged, values = pd.factorize(
        np.concatenate([np.asarray(u, dtype=object) for _, u in parts]), sort=True
    )
    offsets = np.cumsum([0, *(len(u) for _, u in parts[:-1])])
    codes = np.concatenate(
        [merged[offset + c] for (c, _), offset in zip(parts, offsets, strict=True)]
    )
    return codes.astype(np.int64), np.asarray(values)


def _group(
    account: Ints, accounts: NDArray[np.object_], day: Ints, amount: Ints, cost: Floats
) -> OrderDays:
    """Merge orders (one per row, ``account`` indexing ``accounts``) per (account, day)."""
    order = np.lexsort((day, account))
    account, day, amount, cost = account[order], day[order], amount[order], cost[order]
    has_cost = ~np.isnan(cost)
    new_day = np.ones(len(day), dtype=bool)
    new_day[1:] = (account[1:] != account[:-1]) | (day[1:] != day[:-1])
    rows = np.flatnonzero(new_day)
    account = account[rows]

    def total(values: NDArray[Any]) -> NDArray[Any]:
        return np.add.reduceat(values, rows) if len(rows) else values[:0]

    return OrderDays(
        accounts=accounts,
        starts=_starts(account),
        account=account,
        day=day[rows],
        amount=total(amount),
        orders=total(np.ones(len(day), dtype=np.int64)),
        purchase=total((amount >= 0).astype(np.int64)) > 0,
        costed=total(np.where(has_cost, amount, 0)),
        cost=np.rint(total(np.where(has_cost, cost, 0.0))).astype(np.int64),
    )


def _starts(account: NDArray[Any]) -> Ints:
    """Positions where a new account begins in rows sorted by account."""
    new_account = np.ones(len(account), dtype=bool)
    new_account[1:] = account[1:] != account[:-1]
    return np.flatnonzero(new_account)

"""Orders merged per (account, day): grouping, dates, scope, windows and the store memo."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from crm.models import Account, User
from tests.tools.builders_clv import CREATED, add_orders
from tools import order_summary
from tools.order_summary import OrderDays, epoch_day, order_days, store_order_days

AS_OF = dt.date(2024, 6, 30)


@pytest.fixture
def store(engine: Engine) -> Iterator[Session]:
    """Two accounts of rep r1 (A, B) and one of rep r2 (C), with a few orders each."""
    order_summary.forget()
    with Session(engine) as session:
        session.add_all([User(id=u, name=u, role="rep") for u in ("r1", "r2")])
        session.flush()
        for account, owner in (("A", "r1"), ("B", "r1"), ("C", "r2")):
            session.add(Account(id=account, name=account, owner_id=owner, created_at=CREATED))
        session.flush()
        add_orders(
            session,
            "A",
            [
                ("2024-01-10", 10.0, 4.0),
                ("2024-01-10", -3.0, None),
                ("2024-03-01", 5.0, None),
                ("2024-07-01", 99.0, 1.0),  # after as_of: does not exist
            ],
        )
        add_orders(session, "B", [("2024-02-01", -2.0, None)])
        add_orders(session, "C", [("2023-12-31", 7.0, 7.0)])
        yield session
    order_summary.forget()


def _rows(days: OrderDays) -> list[tuple[str, int, int, int, bool, int, int]]:
    """(account, day, amount, orders, purchase, costed, cost) per row, for comparison."""
    return [
        (str(days.accounts[a]), int(d), int(m), int(n), bool(p), int(c), int(k))
        for a, d, m, n, p, c, k in zip(
            days.account,
            days.day,
            days.amount,
            days.orders,
            days.purchase,
            days.costed,
            days.cost,
            strict=True,
        )
    ]


def test_epoch_day_counts_days_since_1970() -> None:
    assert epoch_day(dt.date(1970, 1, 1)) == 0
    assert epoch_day(dt.date(1970, 2, 1)) == 31
    assert list(order_summary.to_dates(np.array([0, 31]))) == [
        dt.date(1970, 1, 1),
        dt.date(1970, 2, 1),
    ]


def test_same_day_orders_merge_into_one_row_and_future_orders_are_dropped(
    store: Session,
) -> None:
    days = order_days(store, AS_OF)
    jan10, mar1, dec31 = (
        epoch_day(dt.date.fromisoformat(d)) for d in ("2024-01-10", "2024-03-01", "2023-12-31")
    )
    assert _rows(days) == [
        ("A", jan10, 700, 2, True, 1000, 400),
        ("A", mar1, 500, 1, True, 0, 0),
        ("B", epoch_day(dt.date(2024, 2, 1)), -200, 1, False, 0, 0),
        ("C", dec31, 700, 1, True, 700, 700),
    ]
    assert list(days.starts) == [0, 2, 3]
    assert list(days.ends()) == [2, 3, 4]
    assert list(days.per_account(days.amount)) == [1200, -200, 700]


def test_the_owner_filter_keeps_only_the_accounts_in_scope(store: Session) -> None:
    days = order_days(store, AS_OF, owner_filter=col(Account.owner_id).in_(["r2"]))
    assert list(days.accounts) == ["C"]
    assert list(days.starts) == [0]


def test_since_keeps_later_days_and_drops_accounts_left_without_rows(store: Session) -> None:
    days = order_days(store, AS_OF).since(dt.date(2024, 1, 31))
    assert list(days.accounts) == ["A", "B"]
    assert list(days.account) == [0, 1]
    assert list(days.amount) == [500, -200]
    assert list(days.starts) == [0, 1]


def test_an_empty_store_gives_no_rows(engine: Engine) -> None:
    with Session(engine) as session:
        days = order_days(session, AS_OF)
    assert len(days.accounts) == 0 and len(days.day) == 0
    assert len(days.ends()) == 0 and len(days.per_account(days.amount)) == 0


def test_the_store_memo_is_reused_until_a_new_order_changes_the_data_key(
    store: Session,
) -> None:
    first = store_order_days(store, AS_OF)
    assert store_order_days(store, AS_OF) is first
    add_orders(store, "B", [("2024-06-30", 1.0, None)])
    fresh = store_order_days(store, AS_OF)
    assert fresh is not first
    assert list(fresh.per_account(fresh.orders)) == [3, 2, 1]

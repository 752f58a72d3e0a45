"""A small book for the value-metrics tests: orders, surveys, tickets, activities, deals, spend.

Period under test: 2024-01-01 .. 2024-06-30 (182 days, as_of 2024-06-30); the previous
period is 2023-07-03 .. 2023-12-31. Users rep1 and rep2 (team A), mgr (team A), admin.

| account | owner | orders (date amount [cost]) |
|---|---|---|
| A1 | rep1 | 2023-09-01 100, 2023-11-01 100, 2024-02-01 300, 2024-04-01 100 [60] |
| A2 | rep1 | 2023-08-01 200, 2023-10-01 200 (silent since: churned) |
| A3 | rep2 | 2024-03-15 500 (new customer) |
| A4 | rep2 | 2023-12-20 50, 2024-06-01 50, 2024-06-10 -20 (refund) |
| A5 | rep2 | 2023-07-10 80 (one-time buyer, churned) |
| A6 | rep1 | only 2024-07-05 900, after as_of: a prospect |
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from crm.models import Activity, MarketingSpend, Opportunity, Order, Survey, Ticket
from tests.tools.builders_accounts import Book, at

START, END = dt.date(2024, 1, 1), dt.date(2024, 6, 30)


def _ticket(
    id_: str,
    account: str,
    kind: str,
    opened: dt.datetime,
    csat: int | None,
    first: dt.datetime | None = None,
    resolved: dt.datetime | None = None,
) -> Ticket:
    return Ticket(
        id=id_,
        account_id=account,
        kind=kind,
        opened_at=opened,
        first_response_at=first,
        resolved_at=resolved,
        csat=csat,
    )


def metrics_book(session: Session) -> Book:
    """The book of the module docstring, committed."""
    book = Book(session)
    book.user("admin", role="admin")
    book.user("mgr", role="manager", team="A")
    book.user("rep1", team="A")
    book.user("rep2", team="A")
    for account, owner in [("A1", "rep1"), ("A2", "rep1"), ("A3", "rep2")]:
        book.account(account, owner)
    for account, owner in [("A4", "rep2"), ("A5", "rep2"), ("A6", "rep1")]:
        book.account(account, owner)
    for account, day, amount in [
        ("A1", "2023-09-01", 100),
        ("A1", "2023-11-01", 100),
        ("A1", "2024-02-01", 300),
        ("A2", "2023-08-01", 200),
        ("A2", "2023-10-01", 200),
        ("A3", "2024-03-15", 500),
        ("A4", "2023-12-20", 50),
        ("A4", "2024-06-01", 50),
        ("A4", "2024-06-10", -20),
        ("A5", "2023-07-10", 80),
        ("A6", "2024-07-05", 900),
    ]:
        book.order(account, day, amount)
    book.add(
        Order(
            id="O-COST",
            account_id="A1",
            order_date=dt.date(2024, 4, 1),
            amount_cents=10_000,
            cost_cents=6_000,
        )
    )
    _service(book)
    _activities_and_deals(book)
    book.add(
        MarketingSpend(
            period_start=dt.date(2024, 1, 1),
            period_end=dt.date(2024, 3, 31),
            channel="search",
            amount_cents=910_000,
        ),
        MarketingSpend(
            period_start=dt.date(2024, 6, 1),
            period_end=dt.date(2024, 7, 30),
            channel="events",
            amount_cents=600_000,
        ),
        MarketingSpend(
            period_start=dt.date(2023, 12, 1),
            period_end=dt.date(2023, 12, 31),
            channel="search",
            amount_cents=100_000,
        ),
    )
    book.commit()
    return book


def _service(book: Book) -> None:
    scores = [("A1", 10), ("A1", 10), ("A1", 9), ("A1", 8), ("A3", 6), ("A3", 0), ("A4", 7)]
    book.add(
        *[
            Survey(id=f"S{i}", account_id=account, answered_at=at("2024-05-01"), nps=nps)
            for i, (account, nps) in enumerate(scores, start=1)
        ],
        Survey(id="S-OLD", account_id="A1", answered_at=at("2023-12-31"), nps=0),
        Survey(id="S-LATE", account_id="A1", answered_at=at("2024-07-01", 0), nps=0),
    )
    book.add(
        _ticket("T1", "A1", "complaint", at("2024-02-01", 9), 5, at("2024-02-01", 11),
                at("2024-02-02", 9)),
        _ticket("T2", "A1", "question", at("2024-03-01", 0), 4, at("2024-03-01", 6),
                at("2024-03-01", 12)),
        _ticket("T3", "A3", "complaint", at("2024-04-01", 0), 2, at("2024-04-01", 10)),
        _ticket("T4", "A4", "incident", at("2024-06-29", 0), None, at("2024-07-01", 1)),
        _ticket("T5", "A2", "complaint", at("2023-12-01"), 1, at("2023-12-01", 13)),
    )  # fmt: skip


def _activities_and_deals(book: Book) -> None:
    days = [("A1", "2024-01-05"), ("A1", "2024-02-05"), ("A1", "2024-06-30")]
    days += [("A6", "2024-03-03"), (None, "2024-03-03"), ("A1", "2023-12-30")]
    book.add(
        *[
            Activity(id=f"X{i}", kind="call", occurred_at=at(day, 8), account_id=account)
            for i, (account, day) in enumerate(days, start=1)
        ]
    )
    book.stages()
    for id_, account, owner, created, closed in [
        ("W1", "A1", "rep1", "2024-01-10", dt.date(2024, 3, 10)),
        ("W2", "A3", "rep2", "2023-12-01", dt.date(2024, 2, 29)),
        ("W3", "A2", "rep1", "2023-09-01", dt.date(2023, 11, 1)),
    ]:
        book.add(
            Opportunity(
                id=id_,
                name=id_,
                account_id=account,
                owner_id=owner,
                stage="Closed Won",
                amount_cents=100_000,
                created_at=at(created, 0),
                close_date=closed,
            )
        )

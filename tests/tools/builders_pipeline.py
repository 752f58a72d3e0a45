"""Tiny pipeline worlds for the stage-analysis, forecast and win-model tests."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from crm.models import (
    Account,
    Activity,
    CloseDateChange,
    Contact,
    Opportunity,
    Product,
    Stage,
    StageHistory,
    User,
)
from crm.scope import scope_for
from tools.context import ToolContext

AS_OF = dt.date(2026, 6, 30)
STAGES = [
    ("Prospecting", 1, 0.1, "open"),
    ("Qualification", 2, 0.2, "open"),
    ("Proposal", 3, 0.5, "open"),
    ("Negotiation", 4, 0.8, "open"),
    ("Closed Won", 5, 1.0, "won"),
    ("Closed Lost", 6, 0.0, "lost"),
]


def at(day: str, hour: int = 0) -> dt.datetime:
    """``YYYY-MM-DD`` at ``hour`` o'clock UTC."""
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=dt.UTC)


class World:
    """Adds users, accounts and deals with their stage history to a session."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._n = 0
        for name, position, probability, outcome in STAGES:
            session.add(
                Stage(name=name, position=position, probability=probability, outcome=outcome)
            )
        session.commit()

    def _next(self) -> int:
        self._n += 1
        return self._n

    def user(
        self, id_: str, *, team: str | None = None, role: str = "rep", manager: str | None = None
    ) -> str:
        self.session.add(User(id=id_, name=id_.title(), role=role, team=team, manager_id=manager))
        self.session.commit()
        return id_

    def account(self, id_: str, owner: str, *, industry: str | None = None) -> str:
        self.session.add(
            Account(
                id=id_, name=id_, owner_id=owner, industry=industry, created_at=at("2025-01-01")
            )
        )
        self.session.commit()
        return id_

    def product(self, id_: str) -> str:
        self.session.add(Product(id=id_, name=id_))
        self.session.commit()
        return id_

    def contact(self, id_: str, account: str) -> str:
        self.session.add(Contact(id=id_, account_id=account, name=id_))
        self.session.commit()
        return id_

    def deal(
        self,
        id_: str,
        owner: str,
        path: list[tuple[str, str]],
        *,
        amount: float = 1000.0,
        created: str | None = None,
        close: str | None = None,
        account: str | None = None,
        product: str | None = None,
        stage: str | None = None,
    ) -> str:
        """A deal whose stage history is ``path`` ([(stage, day), ...]).

        ``opportunities.stage`` is the last stage of the path unless ``stage`` is given.
        """
        self.session.add(
            Opportunity(
                id=id_,
                name=f"Deal {id_}",
                owner_id=owner,
                account_id=account,
                product_id=product,
                stage=stage or path[-1][0],
                amount_cents=round(amount * 100),
                created_at=at(created or path[0][1]),
                close_date=dt.date.fromisoformat(close) if close else None,
            )
        )
        self.session.flush()
        for name, day in path:
            self.session.add(StageHistory(opportunity_id=id_, stage=name, entered_at=at(day)))
        self.session.commit()
        return id_

    def activity(self, deal: str, day: str, *, contact: str | None = None) -> str:
        id_ = f"act{self._next()}"
        self.session.add(
            Activity(id=id_, kind="call", occurred_at=at(day, 12), opportunity_id=deal,
                     contact_id=contact)
        )  # fmt: skip
        self.session.commit()
        return id_

    def push(self, deal: str, day: str, previous: str, new: str) -> None:
        self.session.add(
            CloseDateChange(
                opportunity_id=deal,
                changed_at=at(day, 9),
                previous_close_date=dt.date.fromisoformat(previous),
                new_close_date=dt.date.fromisoformat(new),
            )
        )
        self.session.commit()

    def ctx(self, user: str = "admin", as_of: dt.date = AS_OF) -> ToolContext:
        return ToolContext(session=self.session, scope=scope_for(self.session, user), as_of=as_of)


def won(start: str, *steps: tuple[str, str]) -> list[tuple[str, str]]:
    """A path that starts in Prospecting on ``start`` and continues with ``steps``."""
    return [("Prospecting", start), *steps]


def stall_world(session: Session) -> World:
    """Three won deals (the stage norms), one lost, six open deals as of 2026-06-30, one future.

    Won time in stage (days): Prospecting 10, 20, 10 (median 10, p75 15); Qualification
    10, 20, 10 (median 10, p75 15); Proposal 20, 20, 10 (median 20, p75 20);
    Negotiation 10, 10, 10 (median 10, p75 10).
    """
    w = World(session)
    w.user("admin", role="admin")
    w.user("mgr", team="A", role="manager")
    w.user("rep1", team="A", manager="mgr")
    w.user("rep2", team="B")
    q, pr, n, cw = "Qualification", "Proposal", "Negotiation", "Closed Won"
    w.deal(
        "W1",
        "rep1",
        won(
            "2026-01-01",
            (q, "2026-01-11"),
            (pr, "2026-01-21"),
            (n, "2026-02-10"),
            (cw, "2026-02-20"),
        ),
        amount=30000,
        close="2026-02-20",
    )
    w.deal(
        "W2",
        "rep1",
        won(
            "2026-01-01",
            (q, "2026-01-21"),
            (pr, "2026-02-10"),
            (n, "2026-03-02"),
            (cw, "2026-03-12"),
        ),
        amount=10000,
        close="2026-03-12",
    )
    w.deal(
        "W3",
        "rep2",
        won(
            "2026-02-01",
            (q, "2026-02-11"),
            (pr, "2026-02-21"),
            (n, "2026-03-03"),
            (cw, "2026-03-13"),
        ),
        amount=20000,
        close="2026-03-13",
    )
    w.deal("L1", "rep2", won("2026-01-01", (q, "2026-01-05"), ("Closed Lost", "2026-02-01")),
           amount=7000, close="2026-02-01")  # fmt: skip
    w.deal("O1", "rep1", won("2026-05-01", (pr, "2026-06-20")), amount=10000, close="2026-07-15")
    w.activity("O1", "2026-06-25")
    w.deal("O2", "rep1", won("2026-03-01", (q, "2026-03-10")), amount=20000, close="2026-06-15")
    w.activity("O2", "2026-06-29")
    w.deal("O3", "rep2", won("2026-06-01", (n, "2026-06-10")), amount=40000, close="2026-08-31")
    w.push("O3", "2026-06-05", "2026-06-20", "2026-07-10")
    w.push("O3", "2026-06-15", "2026-07-10", "2026-07-31")
    w.push("O3", "2026-07-05", "2026-07-31", "2026-08-31")
    w.deal("O4", "rep2", won("2026-04-01"), amount=5000, close="2026-09-30")
    w.activity("O4", "2026-05-01")
    w.deal("O5", "rep1", won("2026-05-01", (cw, "2026-07-10")), amount=8000, close="2026-07-10")
    w.activity("O5", "2026-06-28")
    w.deal("O6", "rep2", [], stage=pr, created="2026-06-25", amount=12000, close="2026-07-31")
    w.deal("F1", "rep1", won("2026-07-05"), amount=99000, close="2026-09-30")
    return w

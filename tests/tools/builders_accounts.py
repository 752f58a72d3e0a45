"""Small account books for the RFM and account tests: users, accounts, orders and the rest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Engine
from sqlmodel import Session

from crm.models import Account, Contact, Order, Stage, User
from crm.scope import Scope, scope_for
from tools.context import ToolContext
from tools.rfm import clear_cache

AS_OF = dt.date(2024, 6, 30)


def at(day: str | dt.date, hour: int = 12) -> dt.datetime:
    """A date at ``hour`` o'clock UTC."""
    day = dt.date.fromisoformat(day) if isinstance(day, str) else day
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)


class Book:
    """Adds CRM records to a session with sensible defaults; ids are chosen by the test."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._orders = 0
        clear_cache()

    def user(self, id_: str, *, role: str = "rep", team: str | None = None) -> str:
        self.session.add(User(id=id_, name=f"User {id_}", role=role, team=team))
        self.session.flush()
        return id_

    def account(
        self, id_: str, owner: str | None, *, name: str | None = None, parent: str | None = None
    ) -> str:
        self.session.add(
            Account(
                id=id_,
                name=name or id_,
                owner_id=owner,
                parent_id=parent,
                industry="Software",
                country="DE",
                employees=120,
                created_at=at("2020-01-01"),
            )
        )
        self.session.flush()
        return id_

    def order(self, account: str, day: str | dt.date, amount: float, id_: str | None = None) -> str:
        self._orders += 1
        order_id = id_ or f"O{self._orders:04d}"
        day = dt.date.fromisoformat(day) if isinstance(day, str) else day
        self.session.add(
            Order(id=order_id, account_id=account, order_date=day, amount_cents=round(amount * 100))
        )
        self.session.flush()
        return order_id

    def contact(
        self,
        id_: str,
        account: str,
        *,
        title: str | None = None,
        email: str | None = None,
        phone: str | None = None,
    ) -> str:
        self.session.add(
            Contact(
                id=id_,
                account_id=account,
                name=f"Person {id_}",
                title=title,
                email=email,
                phone=phone,
            )
        )
        self.session.flush()
        return id_

    def add(self, *records: object) -> None:
        self.session.add_all(records)
        self.session.flush()

    def stages(self) -> None:
        self.add(
            Stage(name="Proposal", position=1, probability=0.5, outcome="open"),
            Stage(name="Closed Won", position=2, probability=1.0, outcome="won"),
        )

    def commit(self) -> None:
        self.session.commit()


def ctx_for(session: Session, user: str | None = None, as_of: dt.date = AS_OF) -> ToolContext:
    """The tool context of ``user`` (admin-like everything scope when None)."""
    scope = Scope.everything() if user is None else scope_for(session, user)
    return ToolContext(session=session, scope=scope, as_of=as_of)


@contextmanager
def book_on(engine: Engine) -> Iterator[Book]:
    """A :class:`Book` on a session of ``engine``."""
    with Session(engine) as session:
        yield Book(session)

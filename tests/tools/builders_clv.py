"""Stores for the CLV tests: the CDNOW sample as CRM orders, and small hand-made books."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool
from sqlmodel import Session

from crm.db import create_all, make_engine
from crm.models import Account, Order, User
from crm.scope import Scope, scope_for
from tools import bgnbd
from tools.clv_models import forget_memo
from tools.context import ToolContext

CDNOW = Path(__file__).parent.parent / "data" / "cdnow"
CDNOW_END = dt.date(1997, 9, 30)
"""Last day of the 39-week calibration period (Fader, Hardie & Lee 2005)."""
CREATED = dt.datetime(1996, 12, 1, tzinfo=dt.UTC)


def cdnow_transactions() -> pd.DataFrame:
    """The raw CDNOW sample: customer (1..2357), date, CDs, dollars."""
    raw = pd.read_csv(
        CDNOW / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["original_id", "customer", "date", "cds", "dollars"],
        dtype={"date": str},
    )
    raw["date"] = pd.to_datetime(raw["date"], format="%Y%m%d").dt.date
    return raw


def cdnow_summary() -> pd.DataFrame:
    """The published calibration summary (frequency, recency, T in weeks, monetary)."""
    return pd.read_csv(CDNOW / "cdnow_summary.csv")


def load_cdnow(engine: Engine) -> None:
    """Every CDNOW customer as an account (odd ids owned by rep ``r1``, even by ``r2``)."""
    raw = cdnow_transactions()
    with Session(engine) as session:
        session.add_all(
            [
                User(id="boss", name="Boss", role="admin"),
                User(id="r1", name="Rep One", role="rep"),
                User(id="r2", name="Rep Two", role="rep"),
            ]
        )
        session.flush()
        customers = sorted(raw["customer"].unique())
        session.execute(
            insert(Account),
            [
                {
                    "id": f"C{c}",
                    "name": f"Customer {c}",
                    "owner_id": "r1" if c % 2 else "r2",
                    "created_at": CREATED,
                }
                for c in customers
            ],
        )
        session.execute(
            insert(Order),
            [
                {
                    "id": f"O{i:05d}",
                    "account_id": f"C{row.customer}",
                    "order_date": row.date,
                    "amount_cents": round(row.dollars * 100),
                }
                for i, row in enumerate(raw.itertuples())
            ],
        )
        session.commit()
    forget_memo()


def context(session: Session, user: str | None = None, as_of: dt.date = CDNOW_END) -> ToolContext:
    """A tool context for ``user`` (or the unrestricted scope) on ``as_of``."""
    scope = Scope.everything() if user is None else scope_for(session, user)
    return ToolContext(session=session, scope=scope, as_of=as_of, currency="USD")


def add_orders(
    session: Session, account: str, orders: list[tuple[str, float, float | None]]
) -> None:
    """Add (date, amount, cost) orders to ``account`` with fresh ids."""
    for day, amount, cost in orders:
        n = session.info.get("orders", 0) + 1
        session.info["orders"] = n
        session.add(
            Order(
                id=f"X{account}-{n:04d}",
                account_id=account,
                order_date=dt.date.fromisoformat(day),
                amount_cents=round(amount * 100),
                cost_cents=None if cost is None else round(cost * 100),
            )
        )
    session.commit()


def memory_store() -> Engine:
    """A fresh in-memory SQLite store shared by one test module."""
    engine = make_engine("sqlite://", poolclass=StaticPool)
    create_all(engine)
    return engine


def simulated_book(engine: Engine, *, customers: int, as_of: dt.date, seed: int) -> None:
    """BG/NBD customers (weeks, r=0.5, α=6, a=0.9, b=3) as accounts and orders, owned by ``r1``.

    First purchases fall in the year before ``as_of``; repeat purchase days are spread
    uniformly between the first and the last one; amounts are Gamma-distributed.
    """
    rng = np.random.default_rng(seed)
    T = rng.integers(8, 52, size=customers).astype(float)
    x, t_x = bgnbd.simulate(bgnbd.BGNBDParams(0.5, 6.0, 0.9, 3.0), T, rng)
    orders: list[dict[str, object]] = []
    for i in range(customers):
        first = as_of - dt.timedelta(days=int(T[i] * 7))
        offsets = [0.0, t_x[i], *list(rng.uniform(0, t_x[i], int(x[i]) - 1))] if x[i] else [0.0]
        for k, weeks in enumerate(offsets):
            orders.append(
                {
                    "id": f"S{i:04d}-{k:03d}",
                    "account_id": f"A{i:04d}",
                    "order_date": first + dt.timedelta(days=int(weeks * 7)),
                    "amount_cents": int(rng.gamma(4.0, 2500.0)),
                }
            )
    with Session(engine) as session:
        session.add(User(id="r1", name="Rep One", role="rep"))
        session.flush()
        session.execute(
            insert(Account),
            [
                {"id": f"A{i:04d}", "name": f"Account {i}", "owner_id": "r1", "created_at": CREATED}
                for i in range(customers)
            ],
        )
        session.execute(insert(Order), orders)
        session.commit()
    forget_memo()

"""Per-customer purchase summaries for CLV, built from the orders table in one SQL query.

A *purchase* is a day on which a customer has at least one order of zero or positive
amount: orders of the same day are merged (as Fader, Hardie & Lee do with CDNOW), and
negative orders (refunds, credit notes) are not purchases. Only orders dated on or
before ``as_of`` exist. For each customer (an account with at least one purchase):

- ``x``: repeat purchases (purchase days after the first);
- ``t_x``: time from the first to the last purchase; ``T``: from the first purchase
  to ``as_of`` (both in the chosen unit, days or weeks);
- ``monetary``: mean net value of the repeat purchase days whose value is positive,
  over ``priced_repeats`` such days (the Gamma-Gamma input). Zero-value and refunded
  days still count as purchases in ``x`` but not in the mean, so no log(0) can arise;
  ``monetary`` is 0 when there is no such day;
- ``total``: net spend (refunds included) up to ``as_of``; ``costed_total`` and
  ``cost``: the spend and cost of the orders that carry a cost (for the gross margin);
- ``first_date``; ``bought_prev_year``: a purchase in [as_of − 2 years, as_of − 1 year).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any, Literal

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, case, func, select
from sqlmodel import Session, col

from crm.models import Order

TimeUnit = Literal["days", "weeks"]
DAYS_PER_UNIT: dict[str, float] = {"days": 1.0, "weeks": 7.0}
DAYS_PER_YEAR = 365.25


def _day_rows(as_of: dt.date, where: ColumnElement[bool] | None) -> Any:
    """One row per (account, order day): net amount, purchase flag, costs, first purchase day."""
    is_purchase = func.max(case((col(Order.amount_cents) >= 0, 1), else_=0))
    has_cost = col(Order.cost_cents).is_not(None)
    days: Any = (
        select(
            col(Order.account_id).label("account_id"),
            col(Order.order_date).label("day"),
            func.sum(Order.amount_cents).label("amount"),
            is_purchase.label("purchase"),
            func.sum(case((has_cost, Order.amount_cents), else_=0)).label("costed"),
            func.coalesce(func.sum(Order.cost_cents), 0).label("cost"),
        )
        .where(col(Order.order_date) <= as_of)
        .group_by(col(Order.account_id), col(Order.order_date))
    )
    if where is not None:
        days = days.where(where)
    sub = days.subquery()
    purchase_day = case((sub.c.purchase == 1, sub.c.day))
    first = func.min(purchase_day).over(partition_by=sub.c.account_id)
    return select(sub, first.label("first_day")).subquery()


def customer_summary(
    session: Session,
    as_of: dt.date,
    unit: TimeUnit,
    *,
    where: ColumnElement[bool] | None = None,
) -> pd.DataFrame:
    """The summary of every customer matching ``where`` (a condition on orders), by account.

    Returns a frame indexed by ``account_id`` with the columns described in the module
    docstring; empty when nobody bought.
    """
    d = _day_rows(as_of, where)
    year_ago, two_years_ago = as_of - dt.timedelta(days=365), as_of - dt.timedelta(days=730)
    bought = d.c.purchase == 1
    priced_repeat = bought & (d.c.day > d.c.first_day) & (d.c.amount > 0)
    in_prev_year = bought & (d.c.day >= two_years_ago) & (d.c.day < year_ago)
    stmt = (
        select(
            d.c.account_id,
            func.sum(d.c.purchase).label("days"),
            func.min(d.c.first_day).label("first_date"),
            func.max(case((bought, d.c.day))).label("last_date"),
            func.sum(d.c.amount).label("total"),
            func.sum(case((priced_repeat, d.c.amount), else_=0)).label("repeat_amount"),
            func.sum(case((priced_repeat, 1), else_=0)).label("priced_repeats"),
            func.sum(d.c.costed).label("costed_total"),
            func.sum(d.c.cost).label("cost"),
            func.sum(case((in_prev_year, 1), else_=0)).label("prev_year_days"),
        )
        .group_by(d.c.account_id)
        .having(func.sum(d.c.purchase) > 0)
    )
    raw = pd.DataFrame(session.execute(stmt).all(), columns=list(stmt.selected_columns.keys()))
    return _summarise(raw.set_index("account_id"), as_of, unit)


def _summarise(raw: pd.DataFrame, as_of: dt.date, unit: TimeUnit) -> pd.DataFrame:
    """Turn per-account aggregates (cents, dates) into x, t_x, T, monetary, money in units."""
    per_unit = DAYS_PER_UNIT[unit]
    first = pd.to_datetime(raw["first_date"])
    last = pd.to_datetime(raw["last_date"])
    end = pd.Timestamp(as_of)
    x = raw["days"].to_numpy(dtype=np.float64) - 1.0
    priced = raw["priced_repeats"].to_numpy(dtype=np.float64)
    repeat_cents = raw["repeat_amount"].to_numpy(dtype=np.float64)
    out = pd.DataFrame(
        {
            "x": x,
            "t_x": (last - first).dt.days.to_numpy(dtype=np.float64) / per_unit,
            "T": (end - first).dt.days.to_numpy(dtype=np.float64) / per_unit,
            "monetary": np.divide(
                repeat_cents / 100.0, priced, out=np.zeros_like(x), where=priced > 0
            ),
            "priced_repeats": priced,
            "total": raw["total"].to_numpy(dtype=np.float64) / 100.0,
            "costed_total": raw["costed_total"].to_numpy(dtype=np.float64) / 100.0,
            "cost": raw["cost"].to_numpy(dtype=np.float64) / 100.0,
            "first_date": first.dt.date,
            "bought_prev_year": raw["prev_year_days"].to_numpy() > 0,
        },
        index=raw.index,
    )
    out.index.name = "account_id"
    return out


def data_key(session: Session, as_of: dt.date) -> str:
    """A fingerprint of the orders up to ``as_of``: changes when an order is added or removed.

    Hashes the number of orders dated by ``as_of``, the latest such date and the
    smallest and largest order id: index-only queries, cheap on a million orders. An
    edit of an existing order's amount keeps the key; ``tools.clv_models.forget_memo``
    plus deleting its ``model_fits`` rows forces a refit then.
    """
    until = col(Order.order_date) <= as_of
    parts = (
        session.execute(select(func.count()).select_from(Order).where(until)).scalar(),
        session.execute(select(func.max(Order.order_date)).where(until)).scalar(),
        session.execute(select(func.min(Order.id))).scalar(),
        session.execute(select(func.max(Order.id))).scalar(),
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]

"""Per-customer purchase summaries for CLV, from the orders merged per day (one scan).

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
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from tools.order_summary import OrderDays, epoch_day, order_days, store_order_days, to_dates
from tools.order_summary import data_key as data_key  # re-exported: clv_models, benchmarks

TimeUnit = Literal["days", "weeks"]
DAYS_PER_UNIT: dict[str, float] = {"days": 1.0, "weeks": 7.0}
DAYS_PER_YEAR = 365.25


def customer_summary(
    session: Session,
    as_of: dt.date,
    unit: TimeUnit,
    owner_filter: ColumnElement[bool] | None = None,
) -> pd.DataFrame:
    """The summary of every customer of the store, indexed by ``account_id``.

    Columns as described in the module docstring; empty when nobody bought. With
    ``owner_filter`` (a condition on ``Account.owner_id``, the caller's scope) only those
    accounts' orders are read: each row depends on its own account's orders alone, so the
    rows are the store-wide summary's rows of those accounts.
    """
    if owner_filter is None:
        days = store_order_days(session, as_of)
    else:
        days = order_days(session, as_of, owner_filter=owner_filter)
    bought = days.purchase
    first_day, last_day = _purchase_span(days)
    priced_repeat = bought & (days.day > first_day[days.account]) & (days.amount > 0)
    year_ago, two_years_ago = epoch_day(as_of) - 365, epoch_day(as_of) - 730
    in_prev_year = bought & (days.day >= two_years_ago) & (days.day < year_ago)
    raw = pd.DataFrame(
        {
            "days": days.per_account(bought.astype(np.int64)),
            "first_day": first_day,
            "last_day": last_day,
            "total": days.per_account(days.amount),
            "repeat_amount": days.per_account(np.where(priced_repeat, days.amount, 0)),
            "priced_repeats": days.per_account(priced_repeat.astype(np.int64)),
            "costed_total": days.per_account(days.costed),
            "cost": days.per_account(days.cost),
            "prev_year_days": days.per_account(in_prev_year.astype(np.int64)),
        },
        index=pd.Index(days.accounts, name="account_id"),
    )
    return _summarise(raw[raw["days"] > 0], as_of, unit)


def _purchase_span(days: OrderDays) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """First and last purchase day per account (0 for accounts that never bought)."""
    first, last = np.zeros((2, len(days.accounts)), dtype=np.int64)
    rows = np.flatnonzero(days.purchase)
    if len(rows) == 0:
        return first, last
    account = days.account[rows]
    change = account[1:] != account[:-1]
    starts, ends = np.append(True, change), np.append(change, True)
    first[account[starts]] = days.day[rows[starts]]
    last[account[ends]] = days.day[rows[ends]]
    return first, last


def _summarise(raw: pd.DataFrame, as_of: dt.date, unit: TimeUnit) -> pd.DataFrame:
    """Turn per-account aggregates (cents, epoch days) into x, t_x, T, monetary, money."""
    per_unit = DAYS_PER_UNIT[unit]
    first = raw["first_day"].to_numpy(dtype=np.int64)
    last = raw["last_day"].to_numpy(dtype=np.int64)
    x = raw["days"].to_numpy(dtype=np.float64) - 1.0
    priced = raw["priced_repeats"].to_numpy(dtype=np.float64)
    repeat_cents = raw["repeat_amount"].to_numpy(dtype=np.float64)
    out = pd.DataFrame(
        {
            "x": x,
            "t_x": (last - first).astype(np.float64) / per_unit,
            "T": (epoch_day(as_of) - first).astype(np.float64) / per_unit,
            "monetary": np.divide(
                repeat_cents / 100.0, priced, out=np.zeros_like(x), where=priced > 0
            ),
            "priced_repeats": priced,
            "total": raw["total"].to_numpy(dtype=np.float64) / 100.0,
            "costed_total": raw["costed_total"].to_numpy(dtype=np.float64) / 100.0,
            "cost": raw["cost"].to_numpy(dtype=np.float64) / 100.0,
            "first_date": to_dates(first),
            "bought_prev_year": raw["prev_year_days"].to_numpy() > 0,
        },
        index=raw.index,
    )
    out.index.name = "account_id"
    return out

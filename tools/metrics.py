"""Value metrics of an account, RFM segment, rep's book, team or company over a period.

Populations (scope, account/segment/rep/team filters in :mod:`tools.service_metrics`):
*customers* are selected accounts with an order on or before the period's end; *active
customers* those with an order (amount ≥ 0) in the period. Orders dated after as_of do
not exist; the period ends at as_of at the latest (default: the 12 months ending there).

- revenue = net order amounts in the period (refunds, i.e. negative orders, included);
  orders = orders of amount ≥ 0; gross profit = amount − cost for orders with a cost,
  amount × the default gross margin for the others;
- revenue (gross profit) per customer = revenue (gross profit) ÷ active customers;
  average order value = revenue ÷ orders; purchase frequency = orders ÷ active customers
  ÷ years in the period; repurchase rate = active customers with ≥ 2 orders ÷ active;
- the *base* are customers with an order in the previous period of equal length;
  retention = base customers who ordered again in the period ÷ base;
- churn = base customers whose gap from their last order to the period's end exceeds
  ``max(churn_multiple × usual interval, 30 days)`` ÷ base. The usual interval is the
  mean gap between purchase days, (last − first) ÷ (purchase days − 1) (the "average
  purchase cycle", e.g. Kumar & Reinartz 2018, *Customer Relationship Management*, ch. 6);
  one-time buyers get the median usual interval of the selection's repeat customers
  (90 days when there are none);
- CAC = marketing spend in the period (spend rows prorated by overlapping days) ÷ new
  customers (first order ever in the period). Spend is company-level, so CAC is only
  given for the whole company to a caller who sees everything.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field
from sqlalchemy import and_, case, distinct, func
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from crm.models import Account, MarketingSpend, Order
from tools.catalog import tool
from tools.context import ToolContext
from tools.pipeline_data import fetch_frame
from tools.records import MAX_IDS, cents_to_money
from tools.rfm_rules import SegmentName
from tools.service_metrics import (
    DAYS_PER_MONTH,
    IdList,
    Median,
    Ratio,
    Selection,
    ServiceFigures,
    activity_counts,
    id_list,
    ratio,
    sales_cycle,
    select_accounts,
    select_period,
    service_figures,
)

MIN_CHURN_GAP_DAYS = 30
ONE_TIME_INTERVAL_DAYS = 90.0
DAYS_PER_YEAR = 365.25


def order_frame(ctx: ToolContext, sel: Selection) -> pd.DataFrame:
    """Per selected customer: purchase history up to the period's end, one GROUP BY query."""
    day, amount, cost = col(Order.order_date), col(Order.amount_cents), col(Order.cost_cents)
    purchase = amount >= 0
    in_period = and_(day >= sel.start, day <= sel.end)
    in_prev = and_(day >= sel.start - dt.timedelta(days=sel.days), day < sel.start)
    purchase_day = case((purchase, day))
    stmt: Any = (
        sa_select(
            col(Order.account_id),
            func.min(purchase_day).label("first_day"),
            func.max(purchase_day).label("last_day"),
            func.count(distinct(purchase_day)).label("purchase_days"),
            func.sum(case((in_period & purchase, 1), else_=0)).label("orders"),
            func.sum(case((in_period, amount), else_=0)).label("revenue"),
            func.sum(case((in_period & cost.is_not(None), amount - cost), else_=0)).label("profit"),
            func.sum(case((in_period & cost.is_(None), amount), else_=0)).label("uncosted"),
            func.sum(case((in_prev & purchase, 1), else_=0)).label("prev_orders"),
        )
        .join(Account, col(Account.id) == col(Order.account_id))
        .where(*sel.account_conditions, day <= sel.end)
        .group_by(col(Order.account_id))
    )
    frame = sel.keep(fetch_frame(ctx, stmt))
    for column in ("first_day", "last_day"):
        frame[column] = pd.to_datetime(frame[column])
    for column in ("orders", "revenue", "profit", "uncosted", "prev_orders", "purchase_days"):
        frame[column] = frame[column].astype(np.float64)
    return frame.sort_values(["revenue", "account_id"], ascending=[False, True])


def churned_mask(frame: pd.DataFrame, end: dt.date, multiple: float) -> pd.Series:
    """Customers whose gap since their last purchase exceeds their churn threshold."""
    repeat = frame["purchase_days"] >= 2
    span = (frame["last_day"] - frame["first_day"]).dt.days
    interval = span / (frame["purchase_days"] - 1).where(repeat)
    default = float(interval[repeat].median()) if repeat.any() else ONE_TIME_INTERVAL_DAYS
    threshold = (multiple * interval.fillna(default)).clip(lower=MIN_CHURN_GAP_DAYS)
    gap = (pd.Timestamp(end) - frame["last_day"]).dt.days
    churned: pd.Series = (gap > threshold) & frame["last_day"].notna()
    return churned


def marketing_spend_cents(ctx: ToolContext, sel: Selection) -> float:
    """Spend overlapping the period, each row prorated by its days inside the period."""
    stmt: Any = select(
        col(MarketingSpend.period_start),
        col(MarketingSpend.period_end),
        MarketingSpend.amount_cents,
    ).where(
        col(MarketingSpend.period_start) <= sel.end, col(MarketingSpend.period_end) >= sel.start
    )
    rows = fetch_frame(ctx, stmt)
    if rows.empty:
        return 0.0
    first, last = pd.to_datetime(rows["period_start"]), pd.to_datetime(rows["period_end"])
    start, end = pd.Timestamp(sel.start), pd.Timestamp(sel.end)
    inside = (last.where(last < end, end) - first.where(first > start, start)).dt.days + 1
    share = inside / ((last - first).dt.days + 1)
    return float((rows["amount_cents"].astype(float) * share).sum())


class ValueMetrics(BaseModel):
    """Customer value, retention, acquisition, satisfaction and service figures of a period."""

    selection: str = Field(description="Which accounts the figures cover.")
    start: dt.date = Field(description="First day of the period.")
    end: dt.date = Field(description="Last day of the period (never after as_of).")
    as_of: dt.date = Field(description="Analysis date.")
    currency: str = Field(description="Currency of the money figures.")
    accounts: int = Field(description="Selected accounts created by the period's end.")
    customers: int = Field(description="Selected accounts with an order by the period's end.")
    active_customers: IdList = Field(description="Customers with an order in the period.")
    orders: IdList = Field(description="Orders (amount ≥ 0) in the period, of top customers.")
    revenue: float = Field(description="Net order amounts in the period.")
    gross_profit: float = Field(description="Amount − cost (default margin where no cost).")
    revenue_per_customer: Ratio = Field(description="Revenue ÷ active customers.")
    gross_profit_per_customer: Ratio = Field(description="Gross profit ÷ active customers.")
    average_order_value: Ratio = Field(description="Revenue ÷ orders.")
    purchase_frequency: Ratio = Field(description="Orders per active customer per year.")
    repurchase_rate: Ratio = Field(description="Active customers with ≥ 2 orders ÷ active.")
    retention_rate: Ratio = Field(
        description="Customers of the previous period who ordered again ÷ those customers."
    )
    churn_rate: Ratio = Field(description="Previous-period customers churned by the end ÷ them.")
    churned: IdList = Field(description="The churned accounts.")
    churn_rule: str = Field(description="The churn definition with its parameters.")
    new_customers: IdList = Field(description="Accounts whose first order ever is in the period.")
    cac: Ratio | None = Field(description="Marketing spend ÷ new customers (company-level).")
    cac_note: str = Field(description="How CAC was computed, or why it is not given.")
    service: ServiceFigures = Field(description="NPS, CSAT, tickets and service times.")
    complaint_rate: Ratio = Field(description="Complaint tickets in the period ÷ customers.")
    contact_frequency: Ratio = Field(description="Activities ÷ (accounts × months in period).")
    sales_cycle_days: Median = Field(description="Median days created → won, deals won in period.")
    won_opportunities: IdList = Field(description="The deals won in the period.")


def _order_ids(ctx: ToolContext, sel: Selection, accounts: list[str]) -> list[str]:
    day = col(Order.order_date)
    stmt = (
        select(col(Order.id))
        .where(col(Order.account_id).in_(accounts), day >= sel.start, day <= sel.end)
        .where(col(Order.amount_cents) >= 0)
        .order_by(day.desc(), col(Order.id).desc())
        .limit(MAX_IDS)
    )
    return list(ctx.session.execute(stmt).scalars())


def _account_count(ctx: ToolContext, sel: Selection) -> int:
    stmt: Any = select(col(Account.id)).where(
        *sel.account_conditions, col(Account.created_at) < sel.end_at
    )
    return len(sel.keep(fetch_frame(ctx, stmt), "id"))


def _cac(ctx: ToolContext, sel: Selection, new_customers: int) -> tuple[Ratio | None, str]:
    if not (sel.company_wide and ctx.scope.sees_all):
        return None, "CAC is company-level: ask for the whole company as an admin."
    spend = cents_to_money(marketing_spend_cents(ctx, sel))
    note = "marketing spend in the period (prorated by days) ÷ customers with a first order in it"
    return ratio(spend, new_customers, digits=2), note


def compute_value_metrics(ctx: ToolContext, sel: Selection, churn_multiple: float) -> ValueMetrics:
    """Every value metric of ``sel`` (the body of :func:`value_metrics`)."""
    frame = order_frame(ctx, sel)
    active = frame[frame["orders"] > 0]
    base = frame["prev_orders"] > 0
    churned = frame[base & churned_mask(frame, sel.end, churn_multiple)]
    new = frame[frame["first_day"] >= pd.Timestamp(sel.start)]
    n_orders, revenue = float(frame["orders"].sum()), float(frame["revenue"].sum())
    profit = float(frame["profit"].sum() + ctx.default_gross_margin * frame["uncosted"].sum())
    n_active, service = len(active), service_figures(ctx, sel)
    accounts = _account_count(ctx, sel)
    cac, cac_note = _cac(ctx, sel, len(new))
    cycle, won = sales_cycle(ctx, sel)
    return ValueMetrics(
        selection=sel.label,
        start=sel.start,
        end=sel.end,
        as_of=ctx.as_of,
        currency=ctx.currency,
        accounts=accounts,
        customers=len(frame),
        active_customers=id_list(active["account_id"]),
        orders=IdList(
            ids=_order_ids(ctx, sel, active["account_id"].head(MAX_IDS).tolist()),
            total=int(n_orders),
        ),
        revenue=cents_to_money(revenue),
        gross_profit=cents_to_money(profit),
        revenue_per_customer=ratio(revenue / 100, n_active, digits=2),
        gross_profit_per_customer=ratio(profit / 100, n_active, digits=2),
        average_order_value=ratio(revenue / 100, n_orders, digits=2),
        purchase_frequency=ratio(n_orders, n_active * sel.days / DAYS_PER_YEAR, digits=2),
        repurchase_rate=ratio(float((active["orders"] >= 2).sum()), n_active),
        retention_rate=ratio(float((base & (frame["orders"] > 0)).sum()), float(base.sum())),
        churn_rate=ratio(len(churned), float(base.sum())),
        churned=id_list(churned["account_id"].sort_values()),
        churn_rule=(
            f"a customer of the previous {sel.days} days whose last purchase is more than "
            f"max({churn_multiple:g} × their mean gap between purchase days, "
            f"{MIN_CHURN_GAP_DAYS} days) before {sel.end}; one-time buyers use the median gap "
            f"of repeat customers ({ONE_TIME_INTERVAL_DAYS:g} days without any)"
        ),
        new_customers=id_list(new["account_id"].sort_values()),
        cac=cac,
        cac_note=cac_note,
        service=service,
        complaint_rate=ratio(service.complaints.total, len(frame)),
        contact_frequency=ratio(
            float(activity_counts(ctx, sel)["n"].sum()), accounts * sel.days / DAYS_PER_MONTH
        ),
        sales_cycle_days=cycle,
        won_opportunities=won,
    )


@tool
def value_metrics(
    ctx: ToolContext,
    *,
    account_id: str | None = None,
    segment: SegmentName | None = None,
    owner_id: str | None = None,
    team: str | None = None,
    period: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    churn_multiple: float = 2.0,
) -> ValueMetrics:
    """Measure customer value, retention, churn, CAC, NPS, CSAT and service over a period.

    Use for "what is our churn rate", "average order value of my book this year", "NPS
    and CSAT of the Champions", "how fast do we answer tickets", "how long is our sales
    cycle". Covers one account, an RFM segment, a rep's book, a team or everything you
    can see; every figure comes with its numerator and denominator.

    Args:
        ctx: The caller's context (supplied by the runtime, never by the model).
        account_id: Only this account (resolve names with find_account first).
        segment: Only accounts in this RFM segment (as of as_of), e.g. "At Risk".
        owner_id: Only accounts owned by this rep (a user id).
        team: Only accounts owned by members of this team.
        period: A period such as "this year", "last quarter", "2025", "last 90 days";
            default the 12 months ending at as_of.
        start: First day (YYYY-MM-DD) when no period is given.
        end: Last day (YYYY-MM-DD) when no period is given; capped at as_of.
        churn_multiple: A customer churned when silent for more than this many times
            their usual gap between purchases (default 2).
    """
    span = select_period(ctx, period, start, end)
    sel = select_accounts(
        ctx, span, account_id=account_id, segment=segment, owner_id=owner_id, team=team
    )
    return compute_value_metrics(ctx, sel, churn_multiple)

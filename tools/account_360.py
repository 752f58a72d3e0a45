"""``account_360``: everything about one account in one typed result.

Each part is one small scoped query (records dated after ``as_of`` do not exist):
firmographics and owner, contacts, an orders summary (:func:`order_totals`, shared with
the customer tree), RFM (:func:`tools.rfm.rfm_table`), CLV (:func:`tools.clv.account_clv`;
missing with the reason when the history is too short or the model did not fit), open
opportunities, the last activities, tickets and NPS.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd
from pydantic import BaseModel, Field
from sqlalchemy import Select, case, func
from sqlalchemy import select as sa_select
from sqlmodel import col

from crm.models import Order
from tools import account_360_queries as q
from tools.catalog import tool
from tools.context import ToolContext
from tools.errors import FitFailed, InsufficientHistory, NotFound
from tools.records import MAX_IDS, cents_to_money
from tools.rfm import rfm_table
from tools.rfm_rules import SegmentName, Tier


def year_before(day: dt.date) -> dt.date:
    """The same calendar day one year earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _totals_select(ctx: ToolContext) -> Select[str, int, int, Any, dt.date, dt.date]:
    """Per account: order count, total cents, last-12-months cents, first/last order date."""
    start = year_before(ctx.as_of)
    amount = col(Order.amount_cents)
    return (
        sa_select(
            col(Order.account_id),
            func.count(),
            func.sum(amount),
            func.sum(case((col(Order.order_date) > start, amount), else_=0)),
            func.min(col(Order.order_date)),
            func.max(col(Order.order_date)),
        )
        .where(col(Order.order_date) <= ctx.as_of)
        .group_by(col(Order.account_id))
    )


def order_totals(ctx: ToolContext, account_ids: Sequence[str]) -> pd.DataFrame:
    """Per account (index): order_count, total_cents, last_12m_cents, first/last order date.

    One GROUP BY over the given accounts' orders up to ``as_of``; accounts without orders
    are absent. The caller has checked that it may see these accounts.
    """
    stmt = _totals_select(ctx).where(col(Order.account_id).in_(list(account_ids)))
    columns = ["account_id", "order_count", "total_cents", "last_12m_cents", "first", "last"]
    return pd.DataFrame(ctx.session.execute(stmt).all(), columns=columns).set_index("account_id")


class OrdersSummary(BaseModel):
    """What the account bought up to as_of."""

    order_count: int = Field(description="Orders up to as_of.")
    total: float = Field(description="Revenue of all those orders, currency units.")
    last_12_months: float = Field(description="Revenue of the 12 months ending at as_of.")
    first_order_date: dt.date | None = Field(description="First order date; null if none.")
    last_order_date: dt.date | None = Field(description="Last order date; null if none.")
    order_ids: list[str] = Field(description="Ids of the latest orders, newest first (capped).")


class RFMSummary(BaseModel):
    """The account's RFM scores (quintiles of the caller's accounts)."""

    r_score: int = Field(description="Recency score 1-5 (5 = most recent).")
    f_score: int = Field(description="Frequency score 1-5.")
    m_score: int = Field(description="Monetary score 1-5.")
    segment: SegmentName = Field(description="RFM segment.")
    tier: Tier = Field(description="Sales tier.")


class CLVSummary(BaseModel):
    """Customer lifetime value figures (see the account_clv tool for details)."""

    formula_clv: float = Field(description="Annual spend x lifetime x gross margin.")
    predicted_clv: float | None = Field(description="Discounted BG/NBD + Gamma-Gamma CLV.")
    p_alive: float | None = Field(description="Probability the customer is still active.")
    expected_purchases: float | None = Field(description="Purchases expected next 52 weeks.")


class ContactSummary(BaseModel):
    """A person at the account."""

    contact_id: str = Field(description="Contact id.")
    name: str = Field(description="Name.")
    title: str | None = Field(description="Job title.")


class OpenOpportunity(BaseModel):
    """An open deal on the account."""

    opportunity_id: str = Field(description="Opportunity id.")
    name: str = Field(description="Deal name.")
    stage: str = Field(description="Current stage.")
    amount: float = Field(description="Deal amount, currency units.")
    close_date: dt.date | None = Field(description="Expected close date.")


class RecentActivity(BaseModel):
    """One of the latest activities."""

    activity_id: str = Field(description="Activity id.")
    kind: str = Field(description="call, email, meeting, note or task.")
    date: dt.date = Field(description="When it happened (UTC date).")
    subject: str | None = Field(description="Subject line.")


class ServiceSummary(BaseModel):
    """Service tickets and NPS up to as_of."""

    open_tickets: int = Field(description="Tickets opened by as_of and still open or pending.")
    average_csat: float | None = Field(description="Mean CSAT (1-5) of rated tickets.")
    rated_tickets: int = Field(description="Tickets with a CSAT rating.")
    latest_nps: int | None = Field(description="Latest NPS answer (0-10).")
    average_nps: float | None = Field(description="Mean NPS answer (0-10).")
    nps_answers: int = Field(description="NPS answers.")


class Account360(BaseModel):
    """One account seen from every side."""

    account_id: str = Field(description="Account id.")
    name: str = Field(description="Account name.")
    as_of: dt.date = Field(description="Analysis date.")
    currency: str = Field(description="Currency of the money figures.")
    industry: str | None = Field(description="Industry.")
    country: str | None = Field(description="Country.")
    employees: int | None = Field(description="Number of employees.")
    annual_revenue: float | None = Field(description="The company's own annual revenue.")
    parent_id: str | None = Field(description="Parent account id, if the caller may see it.")
    owner_id: str | None = Field(description="Owning user's id.")
    owner_name: str | None = Field(description="Owning user's name.")
    contacts: list[ContactSummary] = Field(description="Contacts (capped).")
    contacts_total: int = Field(description="Number of contacts.")
    orders: OrdersSummary = Field(description="Orders summary.")
    rfm: RFMSummary | None = Field(description="RFM scores; null without orders.")
    clv: CLVSummary | None = Field(description="Lifetime value; null when it cannot be computed.")
    clv_missing_reason: str | None = Field(description="Why clv is null, if it is.")
    open_opportunities: list[OpenOpportunity] = Field(description="Open deals visible to you.")
    open_pipeline: float = Field(description="Sum of the open deals' amounts.")
    last_activities: list[RecentActivity] = Field(description="Latest activities, newest first.")
    service: ServiceSummary = Field(description="Tickets and NPS.")


def _orders(ctx: ToolContext, account_id: str) -> OrdersSummary:
    params = {"account": account_id, "day": ctx.as_of, "year_start": year_before(ctx.as_of)}
    count, total, last_12m, first, last = ctx.session.execute(q.ORDER_TOTALS, params).one()
    ids: list[str] = list(ctx.session.execute(q.LATEST_ORDERS, params).scalars()) if count else []
    return OrdersSummary(
        order_count=int(count),
        total=cents_to_money(int(total or 0)),
        last_12_months=cents_to_money(int(last_12m or 0)),
        first_order_date=first,
        last_order_date=last,
        order_ids=ids,
    )


def _rfm(ctx: ToolContext, account_id: str) -> RFMSummary | None:
    table = rfm_table(ctx)
    if account_id not in table.index:
        return None
    row = table.loc[account_id]
    return RFMSummary(**{k: row[k] for k in RFMSummary.model_fields})


def _clv(ctx: ToolContext, account_id: str) -> tuple[CLVSummary | None, str | None]:
    from tools.clv import clv_figures

    try:
        clv = clv_figures(ctx, account_id)
    except (InsufficientHistory, FitFailed) as exc:
        return None, str(exc)
    return CLVSummary(**{k: clv[k] for k in CLVSummary.model_fields}), clv["model_issue"]


def _opportunities(ctx: ToolContext, account_id: str) -> list[OpenOpportunity]:
    owners = ctx.scope.owner_ids
    params: dict[str, object] = {"account": account_id, "end": ctx.as_of_end}
    if owners is not None:
        params["owners"] = sorted(owners)
    stmt = q.OPEN_DEALS_ALL if owners is None else q.OPEN_DEALS_SCOPED
    return [
        OpenOpportunity(
            opportunity_id=oid,
            name=name,
            stage=stage,
            amount=cents_to_money(cents),
            close_date=close_date,
        )
        for oid, name, stage, cents, close_date in ctx.session.execute(stmt, params)
    ]


def _activities(ctx: ToolContext, account_id: str) -> list[RecentActivity]:
    rows = ctx.session.execute(q.LAST_ACTIVITY_ROWS, {"account": account_id, "end": ctx.as_of_end})
    return [
        RecentActivity(activity_id=aid, kind=kind, date=at.date(), subject=subject)
        for aid, kind, at, subject in rows
    ]


def _service(ctx: ToolContext, account_id: str) -> ServiceSummary:
    row = ctx.session.execute(q.SERVICE, {"account": account_id, "end": ctx.as_of_end}).one()
    return ServiceSummary(
        open_tickets=int(row[0] or 0),
        average_csat=None if row[1] is None else round(float(row[1]), 2),
        rated_tickets=int(row[2]),
        average_nps=None if row[3] is None else round(float(row[3]), 2),
        nps_answers=int(row[4]),
        latest_nps=row[5],
    )


def _contacts(ctx: ToolContext, account_id: str) -> list[ContactSummary]:
    rows = ctx.session.execute(q.CONTACTS, {"account": account_id})
    return [ContactSummary(contact_id=cid, name=name, title=title) for cid, name, title in rows]


@tool
def account_360(ctx: ToolContext, *, account_id: str) -> Account360:
    """Summarise one account: profile, owner, contacts, orders, RFM, CLV, deals and service.

    Use for "tell me about X", "prepare me for a meeting with X" or "what is going on at X".
    Answers from the caller's view: deals owned by other teams are not listed.

    Args:
        ctx: The caller's context (supplied by the runtime, never by the model).
        account_id: The account id (resolve names with find_account first).
    """
    account = ctx.session.execute(q.ACCOUNT, {"account": account_id}).one_or_none()
    if account is None or not ctx.scope.allows(account.owner_id):
        raise NotFound("account", account_id)
    contacts = _contacts(ctx, account_id)
    opportunities = _opportunities(ctx, account_id)
    clv, clv_reason = _clv(ctx, account_id)
    revenue = account.annual_revenue_cents
    return Account360(
        account_id=account.id,
        name=account.name,
        as_of=ctx.as_of,
        currency=ctx.currency,
        industry=account.industry,
        country=account.country,
        employees=account.employees,
        annual_revenue=None if revenue is None else cents_to_money(revenue),
        parent_id=account.parent_id if ctx.scope.allows(account.parent_owner_id) else None,
        owner_id=account.owner_id,
        owner_name=account.owner_name,
        contacts=contacts[:MAX_IDS],
        contacts_total=len(contacts),
        orders=_orders(ctx, account_id),
        rfm=_rfm(ctx, account_id),
        clv=clv,
        clv_missing_reason=clv_reason,
        open_opportunities=opportunities,
        open_pipeline=round(sum(o.amount for o in opportunities), 2),
        last_activities=_activities(ctx, account_id),
        service=_service(ctx, account_id),
    )

"""Which accounts and period a value-metrics question covers, and its service figures.

A :class:`Selection` is a set of accounts (one account, an RFM segment, a rep's book, a
team, or everything the caller sees: always inside the caller's scope) and a period
``[start, end]`` of whole days whose end never passes ``as_of``. On it this module
measures what customers say and how they are served:

- NPS (Reichheld 2003, "The One Number You Need to Grow", HBR 81(12)): over the surveys
  answered in the period, ``100 × (promoters − detractors) ÷ responses`` with promoters
  scoring 9-10, passives 7-8 and detractors 0-6;
- CSAT: mean score (1-5) of the tickets opened in the period, and the share of
  satisfied answers (4 or 5);
- complaint rate: complaint tickets opened in the period per customer;
- first-response and resolution times: median hours from opening to the first answer
  (to resolution) of the tickets opened in the period and answered (resolved) by as_of;
- contact frequency: activities in the period per selected account per month
  (a month = 365.25 / 12 days);
- sales cycle: median days from creation to the win of the deals won in the period
  (the won-deal snapshot of :mod:`tools.pipeline_data`, shared with ``sales_velocity``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from pydantic import BaseModel, Field
from sqlalchemy import case, func
from sqlalchemy import select as sa_select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select

from crm.models import Account, Activity, Opportunity, Survey, Ticket, User
from tools.context import ToolContext
from tools.errors import InvalidArgument, NotFound
from tools.periods import Period, parse_period
from tools.pipeline_data import epoch_days, fetch_frame, opportunity_filter, snapshot, to_days
from tools.records import MAX_IDS, get_account
from tools.rfm import rfm_table
from tools.rfm_rules import SegmentName

DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class Selection:
    """The accounts and period of a metrics question (scope already applied)."""

    label: str
    account_conditions: tuple[ColumnElement[bool], ...]
    segment_ids: frozenset[str] | None
    account_id: str | None
    owner_id: str | None
    team: str | None
    start: dt.date
    end: dt.date

    @property
    def company_wide(self) -> bool:
        """True when no account, segment, rep or team narrows the selection."""
        return (self.account_id, self.segment_ids, self.owner_id, self.team) == (None,) * 4

    @property
    def start_at(self) -> dt.datetime:
        """First instant of the period (UTC)."""
        return dt.datetime(self.start.year, self.start.month, self.start.day, tzinfo=dt.UTC)

    @property
    def end_at(self) -> dt.datetime:
        """First instant after the period (UTC)."""
        day = self.end + dt.timedelta(days=1)
        return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)

    @property
    def days(self) -> int:
        """Length of the period in days."""
        return (self.end - self.start).days + 1

    def keep(self, frame: pd.DataFrame, column: str = "account_id") -> pd.DataFrame:
        """Rows of ``frame`` whose account is in the RFM segment (all rows without one)."""
        if self.segment_ids is None:
            return frame
        return frame[frame[column].isin(self.segment_ids)]


def select_period(
    ctx: ToolContext, period: str | None, start: dt.date | None, end: dt.date | None
) -> Period:
    """The period asked for, cut at as_of; by default the 12 months ending at ``end``/as_of.

    ``period`` text ("last quarter", "2025") wins over ``start``/``end``.
    """
    if period:
        span = parse_period(period, ctx.as_of)
    else:
        last = end or ctx.as_of
        first = start or parse_period("last 12 months", last).start
        span = Period(first, last, f"{first} to {last}")
    last = min(span.end, ctx.as_of)
    if last < span.start:
        raise InvalidArgument(f"the period {span.label!r} starts after as_of ({ctx.as_of})")
    return Period(span.start, last, span.label)


def select_accounts(
    ctx: ToolContext,
    span: Period,
    *,
    account_id: str | None = None,
    segment: SegmentName | None = None,
    owner_id: str | None = None,
    team: str | None = None,
) -> Selection:
    """The caller's accounts narrowed by account, RFM segment (as of as_of), rep and team."""
    conditions: list[ColumnElement[bool]] = [ctx.scope.owner_filter(col(Account.owner_id))]
    parts: list[str] = []
    if account_id is not None:
        conditions.append(col(Account.id) == get_account(ctx, account_id).id)
        parts.append(f"account {account_id}")
    if owner_id is not None:
        if not ctx.scope.allows(owner_id) or ctx.session.get(User, owner_id) is None:
            raise NotFound("user", owner_id)
        conditions.append(col(Account.owner_id) == owner_id)
        parts.append(f"rep {owner_id}")
    if team is not None:
        conditions.append(col(Account.owner_id).in_(select(User.id).where(User.team == team)))
        parts.append(f"team {team}")
    segment_ids = None
    if segment is not None:
        table = rfm_table(ctx)
        segment_ids = frozenset(str(i) for i in table.index[table["segment"] == segment])
        parts.append(f"segment {segment}")
    label = ", ".join(parts) or ("all accounts" if ctx.scope.sees_all else "all your accounts")
    return Selection(
        label, tuple(conditions), segment_ids, account_id, owner_id, team, span.start, span.end
    )


def scoped_frame(ctx: ToolContext, sel: Selection, columns: list[Any], where: list[Any]) -> Any:
    """Rows of ``columns`` joined to the selected accounts (``account_id`` must be selected)."""
    table = columns[0].table
    stmt: Any = (
        sa_select(*columns)
        .join(Account, col(Account.id) == table.c.account_id)
        .where(*sel.account_conditions, *where)
    )
    return sel.keep(fetch_frame(ctx, stmt))


class Ratio(BaseModel):
    """A figure computed as numerator ÷ denominator, with both inputs."""

    value: float | None = Field(description="The figure; null when the denominator is 0.")
    numerator: float = Field(description="What was counted or summed.")
    denominator: float = Field(description="What it was divided by.")


class Median(BaseModel):
    """A median with the number of values behind it."""

    value: float | None = Field(description="The median; null without values.")
    count: int = Field(description="How many values.")


class IdList(BaseModel):
    """Ids of the records behind a figure (capped) and their total number."""

    ids: list[str] = Field(description="Record ids (at most 50).")
    total: int = Field(description="How many records in all.")


def ratio(numerator: float, denominator: float, scale: float = 1.0, digits: int = 4) -> Ratio:
    """``scale × numerator ÷ denominator`` rounded, None when the denominator is 0."""
    value = round(scale * numerator / denominator, digits) if denominator else None
    return Ratio(value=value, numerator=round(numerator, 2), denominator=round(denominator, 4))


def median(values: pd.Series) -> Median:
    """The median of the non-null ``values`` (one decimal)."""
    present = values.dropna().astype(float)
    value = round(float(present.median()), 1) if len(present) else None
    return Median(value=value, count=len(present))


def id_list(ids: pd.Series) -> IdList:
    """The first :data:`MAX_IDS` of ``ids`` and their count."""
    return IdList(ids=[str(i) for i in ids.head(MAX_IDS)], total=len(ids))


class ServiceFigures(BaseModel):
    """What customers say and how they are served in the period."""

    nps: Ratio = Field(description="NPS (-100..100) = 100 × (promoters − detractors) ÷ responses.")
    promoters: int = Field(description="Survey answers of 9-10.")
    passives: int = Field(description="Survey answers of 7-8.")
    detractors: int = Field(description="Survey answers of 0-6.")
    survey_ids: IdList = Field(description="Surveys answered in the period.")
    csat_mean: Ratio = Field(description="Mean CSAT (1-5) = sum of scores ÷ rated tickets.")
    csat_satisfied_share: Ratio = Field(description="Share of CSAT answers of 4 or 5.")
    complaints: IdList = Field(description="Complaint tickets opened in the period.")
    first_response_hours: Median = Field(description="Median hours from opening to first answer.")
    resolution_hours: Median = Field(description="Median hours from opening to resolution.")
    ticket_ids: IdList = Field(description="Tickets opened in the period, newest first.")


def service_figures(ctx: ToolContext, sel: Selection) -> ServiceFigures:
    """NPS, CSAT, complaints and service times of the selection in the period."""
    surveys = scoped_frame(
        ctx,
        sel,
        [col(Survey.account_id), col(Survey.id), col(Survey.nps)],
        [col(Survey.answered_at) >= sel.start_at, col(Survey.answered_at) < sel.end_at],
    )
    promoters = int((surveys["nps"] >= 9).sum())
    detractors = int((surveys["nps"] <= 6).sum())
    tickets = _tickets(ctx, sel)
    rated = tickets["csat"].dropna().astype(float)
    return ServiceFigures(
        nps=ratio(promoters - detractors, len(surveys), scale=100, digits=1),
        promoters=promoters,
        passives=len(surveys) - promoters - detractors,
        detractors=detractors,
        survey_ids=id_list(surveys["id"].sort_values()),
        csat_mean=ratio(float(rated.sum()), len(rated), digits=2),
        csat_satisfied_share=ratio(float((rated >= 4).sum()), len(rated)),
        complaints=id_list(tickets.loc[tickets["kind"] == "complaint", "id"]),
        first_response_hours=median(tickets["response_hours"]),
        resolution_hours=median(tickets["resolution_hours"]),
        ticket_ids=id_list(tickets["id"]),
    )


def _hours_until(moment: Any, ctx: ToolContext) -> Any:
    """Hours from ticket opening to ``moment`` when it happened by as_of, else NULL."""
    elapsed = (epoch_days(moment) - epoch_days(Ticket.opened_at)) * 24.0
    return case((moment < ctx.as_of_end, elapsed))


def _tickets(ctx: ToolContext, sel: Selection) -> pd.DataFrame:
    columns = [
        col(Ticket.account_id),
        col(Ticket.id),
        col(Ticket.kind),
        col(Ticket.csat),
        _hours_until(col(Ticket.first_response_at), ctx).label("response_hours"),
        _hours_until(col(Ticket.resolved_at), ctx).label("resolution_hours"),
    ]
    opened = col(Ticket.opened_at)
    frame: pd.DataFrame = scoped_frame(
        ctx, sel, columns, [opened >= sel.start_at, opened < sel.end_at]
    )
    return frame.sort_values("id", ascending=False)


def activity_counts(ctx: ToolContext, sel: Selection) -> pd.DataFrame:
    """Activities (``n``) per selected account in the period; accounts without any left out."""
    occurred = col(Activity.occurred_at)
    stmt: Any = (
        sa_select(col(Activity.account_id), func.count().label("n"))
        .join(Account, col(Account.id) == col(Activity.account_id))
        .where(*sel.account_conditions, occurred >= sel.start_at, occurred < sel.end_at)
        .group_by(col(Activity.account_id))
    )
    return sel.keep(fetch_frame(ctx, stmt))


def sales_cycle(ctx: ToolContext, sel: Selection) -> tuple[Median, IdList]:
    """Median days created → won of the selection's deals won in the period, and their ids."""
    conditions = opportunity_filter(ctx, sel.owner_id, sel.team)
    if sel.account_id is not None:
        conditions.append(col(Opportunity.account_id) == sel.account_id)
    won = sel.keep(snapshot(ctx, ("won",), conditions))
    entered = won["entered"].astype(float)
    won = won[(entered >= to_days(sel.start_at)) & (entered < to_days(sel.end_at))]
    cycle = won["entered"].astype(float) - won["created"].astype(float)
    return median(cycle), id_list(won["id"].sort_values())

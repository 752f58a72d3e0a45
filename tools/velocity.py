"""Speed of the pipeline: sales velocity, and the deals that stalled or slipped.

Pipeline velocity (per day) = open deals × win rate × average won amount ÷ average
sales cycle length (days from creation to the win), the usual "sales velocity
equation" (e.g. HubSpot / Salesforce sales-velocity guides). Win rate is won ÷
(won + lost) over every deal closed by ``as_of`` in the selection.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from pydantic import BaseModel, Field
from sqlmodel import col, select

from crm.models import CloseDateChange
from tools.catalog import tool
from tools.context import ToolContext
from tools.errors import InvalidArgument
from tools.pipeline import (
    StageNorm,
    open_deals_frame,
    stage_norms,
    summarise_stage_days,
    won_stage_days,
)
from tools.pipeline_data import opportunity_filter, snapshot
from tools.records import MAX_IDS


class SalesVelocity(BaseModel):
    """Time in stage, sales cycle and pipeline velocity of won deals."""

    as_of: dt.date = Field(description="Analysis date.")
    currency: str = Field(description="Currency of the amounts.")
    stages: list[StageNorm] = Field(description="Median and p75 days won deals spent per stage.")
    won_deals: int = Field(description="Deals won by as_of.")
    lost_deals: int = Field(description="Deals lost by as_of.")
    win_rate: float | None = Field(description="won / (won + lost); empty with no closed deal.")
    average_won_amount: float | None = Field(description="Mean amount of the won deals.")
    cycle_days_mean: float | None = Field(description="Mean days from creation to win.")
    cycle_days_median: float | None = Field(description="Median days from creation to win.")
    open_deals: int = Field(description="Open deals as of as_of.")
    velocity_per_day: float | None = Field(
        description="open_deals × win_rate × average_won_amount ÷ cycle_days_mean."
    )
    won_opportunity_ids: list[str] = Field(description="Won deals behind the figures (≤ 50).")


@tool
def sales_velocity(
    ctx: ToolContext, *, owner_id: str | None = None, team: str | None = None
) -> SalesVelocity:
    """Measure how fast deals move: days per stage, sales cycle and pipeline velocity.

    Use for "how long do deals sit in proposal", "what is our sales cycle", "how much
    revenue does the pipeline produce per day".

    Args:
        ctx: The caller's context (supplied by the runtime, never by the model).
        owner_id: Only this rep's deals (a user id); default all deals you can see.
        team: Only deals owned by members of this team.
    """
    conditions = opportunity_filter(ctx, owner_id, team)
    closed = snapshot(ctx, ("won", "lost"), conditions)
    won = closed[closed["outcome"] == "won"]
    cycle = won["entered"].astype(float) - won["created"].astype(float)
    n_open = len(snapshot(ctx, ("open",), conditions))
    win_rate = len(won) / len(closed) if len(closed) else None
    avg_won = float(won["amount_cents"].mean()) / 100 if len(won) else None
    mean_cycle = float(cycle.mean()) if len(won) else None
    velocity = None
    if win_rate is not None and avg_won is not None and mean_cycle:
        velocity = round(n_open * win_rate * avg_won / mean_cycle, 2)
    return SalesVelocity(
        as_of=ctx.as_of,
        currency=ctx.currency,
        stages=list(summarise_stage_days(won_stage_days(ctx, conditions)).values()),
        won_deals=len(won),
        lost_deals=len(closed) - len(won),
        win_rate=None if win_rate is None else round(win_rate, 4),
        average_won_amount=None if avg_won is None else round(avg_won, 2),
        cycle_days_mean=None if mean_cycle is None else round(mean_cycle, 1),
        cycle_days_median=round(float(cycle.median()), 1) if len(won) else None,
        open_deals=n_open,
        velocity_per_day=velocity,
        won_opportunity_ids=won["id"].head(MAX_IDS).tolist(),
    )


class StalledDeal(BaseModel):
    """An open deal that stopped moving, with the evidence."""

    opportunity_id: str = Field(description="The deal.")
    name: str = Field(description="Deal name.")
    owner_id: str = Field(description="The rep who owns it.")
    stage: str = Field(description="Stage as of as_of.")
    amount: float = Field(description="Deal amount.")
    days_in_stage: int = Field(description="Calendar days in the current stage.")
    stage_p75_days: float | None = Field(description="p75 days won deals spent in that stage.")
    days_since_activity: int = Field(description="Days since the last activity (or creation).")
    last_activity_at: dt.datetime | None = Field(description="Latest activity on the deal.")
    reason: str = Field(description="Why it counts as stalled, in words.")


class StalledDeals(BaseModel):
    """Open deals stuck in their stage or without activity."""

    as_of: dt.date = Field(description="Analysis date.")
    inactive_days: int = Field(description="Inactivity threshold used (days).")
    deals: list[StalledDeal] = Field(description="Largest deals first, at most `limit`.")
    total_count: int = Field(description="All stalled deals (the list may be shorter).")
    total_amount: float = Field(description="Amount of all stalled deals.")


@tool
def stalled_deals(
    ctx: ToolContext,
    *,
    owner_id: str | None = None,
    team: str | None = None,
    inactive_days: int = 30,
    limit: int = 20,
) -> StalledDeals:
    """Find open deals that stalled: too long in their stage, or no recent activity.

    A deal is stalled when its days in the current stage exceed the 75th percentile
    of the time won deals spent there, or nothing was logged on it for more than
    `inactive_days`. Use for "which deals are stuck", "what needs attention".

    Args:
        ctx: The caller's context (supplied by the runtime, never by the model).
        owner_id: Only this rep's deals (a user id); default all deals you can see.
        team: Only deals owned by members of this team.
        inactive_days: Days without any activity after which a deal counts as stalled.
        limit: Most deals to list (largest first), 1 to 50.
    """
    check_limit(limit)
    if inactive_days < 1:
        raise InvalidArgument("inactive_days must be at least 1")
    deals = open_deals_frame(ctx, owner_id=owner_id, team=team, inactive_days=inactive_days)
    deals = deals[deals["is_stalled"]].sort_values(["amount", "id"], ascending=[False, True])
    p75 = {name: norm.p75_days for name, norm in stage_norms(ctx).items()}
    return StalledDeals(
        as_of=ctx.as_of,
        inactive_days=inactive_days,
        deals=[
            StalledDeal(
                opportunity_id=row["id"],
                name=row["name"],
                owner_id=row["owner_id"],
                stage=row["stage"],
                amount=round(row["amount"], 2),
                days_in_stage=row["days_in_stage"],
                stage_p75_days=p75.get(row["stage"]),
                days_since_activity=row["days_since_activity"],
                last_activity_at=_timestamp(row["last_activity_at"]),
                reason=row["stalled_reason"],
            )
            for row in deals.head(limit).to_dict("records")
        ],
        total_count=len(deals),
        total_amount=round(float(deals["amount"].sum()), 2),
    )


class ClosePush(BaseModel):
    """One change of a deal's expected close date."""

    changed_at: dt.datetime = Field(description="When the close date was changed.")
    previous_close_date: dt.date | None = Field(description="Close date before the change.")
    new_close_date: dt.date = Field(description="Close date after the change.")


class SlippedDeal(BaseModel):
    """An open deal whose close date passed or kept moving."""

    opportunity_id: str = Field(description="The deal.")
    name: str = Field(description="Deal name.")
    owner_id: str = Field(description="The rep who owns it.")
    stage: str = Field(description="Stage as of as_of.")
    amount: float = Field(description="Deal amount.")
    close_date: dt.date | None = Field(description="Expected close date as of as_of.")
    days_past_close: int | None = Field(description="Days since the close date, if it passed.")
    pushes: int = Field(description="Times the close date moved later.")
    changes: list[ClosePush] = Field(description="The close-date changes up to as_of.")
    reason: str = Field(description="Why it counts as slipped, in words.")


class SlippedDeals(BaseModel):
    """Open deals with a passed or repeatedly pushed close date."""

    as_of: dt.date = Field(description="Analysis date.")
    deals: list[SlippedDeal] = Field(description="Largest deals first, at most `limit`.")
    total_count: int = Field(description="All slipped deals (the list may be shorter).")
    total_amount: float = Field(description="Amount of all slipped deals.")


@tool
def slipped_deals(
    ctx: ToolContext,
    *,
    owner_id: str | None = None,
    team: str | None = None,
    limit: int = 20,
) -> SlippedDeals:
    """Find open deals whose close date has passed or was pushed more than once.

    Use for "which deals are slipping", "what should have closed already", forecast
    hygiene. A push is a close-date change to a later date.

    Args:
        ctx: The caller's context (supplied by the runtime, never by the model).
        owner_id: Only this rep's deals (a user id); default all deals you can see.
        team: Only deals owned by members of this team.
        limit: Most deals to list (largest first), 1 to 50.
    """
    check_limit(limit)
    deals = open_deals_frame(ctx, owner_id=owner_id, team=team)
    deals = deals[deals["is_slipped"]].sort_values(["amount", "id"], ascending=[False, True])
    shown = deals.head(limit).to_dict("records")
    changes = _close_changes(ctx, [row["id"] for row in shown])
    return SlippedDeals(
        as_of=ctx.as_of,
        deals=[
            SlippedDeal(
                opportunity_id=row["id"],
                name=row["name"],
                owner_id=row["owner_id"],
                stage=row["stage"],
                amount=round(row["amount"], 2),
                close_date=row["close_date"],
                days_past_close=_days_past(row["close_date"], ctx.as_of),
                pushes=row["close_date_pushes"],
                changes=changes.get(row["id"], []),
                reason=row["slipped_reason"],
            )
            for row in shown
        ],
        total_count=len(deals),
        total_amount=round(float(deals["amount"].sum()), 2),
    )


def check_limit(limit: int) -> None:
    """Refuse list sizes outside 1..MAX_IDS."""
    if not 1 <= limit <= MAX_IDS:
        raise InvalidArgument(f"limit must be between 1 and {MAX_IDS}")


def _close_changes(ctx: ToolContext, ids: list[str]) -> dict[str, list[ClosePush]]:
    rows = ctx.session.exec(
        select(CloseDateChange)
        .where(
            col(CloseDateChange.opportunity_id).in_(ids),
            col(CloseDateChange.changed_at) < ctx.as_of_end,
        )
        .order_by(col(CloseDateChange.changed_at))
    ).all()
    result: dict[str, list[ClosePush]] = {}
    for row in rows:
        result.setdefault(row.opportunity_id, []).append(
            ClosePush(
                changed_at=row.changed_at,
                previous_close_date=row.previous_close_date,
                new_close_date=row.new_close_date,
            )
        )
    return result


def _days_past(close: dt.date | None, as_of: dt.date) -> int | None:
    return (as_of - close).days if close is not None and close < as_of else None


def _timestamp(value: pd.Timestamp) -> dt.datetime | None:
    return None if pd.isna(value) else value.round("s").to_pydatetime()

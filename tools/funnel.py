"""Funnel conversion between consecutive stages, from stage history (cohort view).

The cohort of stage *k* is every deal that entered *k* in the period (once per deal,
whatever the number of entries). Of that cohort, "reached next" counts the deals that
later entered any open stage after *k* in pipeline order or were won (skipping a stage
counts as passing it); "won" / "lost" count the deals whose stage as of ``as_of`` is
won / lost. Overall win rate = won ÷ (won + lost) over the distinct deals of all
cohorts. Everything is computed as of ``as_of`` (see :mod:`tools.pipeline_data`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, Field
from sqlalchemy import select as sa_select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from crm.models import Account, Opportunity, User
from tools.catalog import tool
from tools.context import ToolContext
from tools.periods import period_bounds
from tools.pipeline_data import (
    fetch_frame,
    history_frame,
    opportunity_filter,
    people_frame,
    snapshot,
    stages_frame,
    to_days,
)
from tools.records import MAX_IDS, cents_to_money

GroupBy = Literal["none", "rep", "team", "product", "industry"]
_GROUP_COLUMNS = {
    "rep": col(Opportunity.owner_id),
    "team": col(User.team),
    "product": col(Opportunity.product_id),
    "industry": col(Account.industry),
}


class FunnelStep(BaseModel):
    """What became of the deals that entered one stage in the period."""

    stage: str = Field(description="Stage name (pipeline order).")
    entered: int = Field(description="Deals that entered the stage in the period.")
    reached_next: int = Field(description="Of those, deals that later moved past it or won.")
    won: int = Field(description="Of those, deals won by as_of.")
    lost: int = Field(description="Of those, deals lost by as_of.")
    conversion_to_next: float | None = Field(description="reached_next / entered.")
    win_share: float | None = Field(description="won / entered.")
    loss_share: float | None = Field(description="lost / entered.")


class FunnelGroup(BaseModel):
    """The funnel of one group (a rep, team, product or industry; or everything)."""

    group: str | None = Field(description="Group key (user id, team, product id, industry).")
    steps: list[FunnelStep] = Field(description="One step per open stage, in order.")
    deals: int = Field(description="Distinct deals in the cohorts.")
    won: int = Field(description="Of those, won by as_of.")
    lost: int = Field(description="Of those, lost by as_of.")
    win_rate: float | None = Field(description="won / (won + lost).")


class FunnelConversion(BaseModel):
    """Stage-to-stage conversion of the deals that entered stages in a period."""

    as_of: dt.date = Field(description="Analysis date.")
    start: dt.date | None = Field(description="First day of the period (empty: open).")
    end: dt.date | None = Field(description="Last day of the period (empty: open).")
    group_by: GroupBy = Field(description="How the groups are formed.")
    groups: list[FunnelGroup] = Field(description="Largest groups first.")
    win_rate: float | None = Field(description="Overall won / (won + lost) of the cohorts.")
    opportunity_ids: list[str] = Field(description="Deals in the cohorts (at most 50).")
    total_deals: int = Field(description="Distinct deals in the cohorts.")


@tool
def funnel_conversion(
    ctx: ToolContext,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    group_by: GroupBy = "none",
) -> FunnelConversion:
    """Show how deals convert from stage to stage, and the win rate, for a period.

    Use for "where do we lose deals", "conversion from proposal to negotiation",
    "win rate by rep / team / product / industry". Cohorts are the deals that
    entered each stage between start and end.

    Args:
        ctx: The caller's context (supplied by the runtime, never by the model).
        start: First day of the period (YYYY-MM-DD); default: no lower bound.
        end: Last day of the period (YYYY-MM-DD); default: as_of.
        group_by: Split by rep, team, product or industry; "none" for one funnel.
    """
    period = period_bounds(None, start, end or ctx.as_of, ctx.as_of)
    conditions = opportunity_filter(ctx)
    visits = history_frame(ctx, conditions)
    stages = stages_frame(ctx)
    cohort = stage_cohorts(visits, to_days(period.start), to_days(period.end) + 1)
    open_stages = stages.index[stages["outcome"] == "open"].tolist()
    if group_by == "none":
        groups = [_group(None, cohort, open_stages)] if len(cohort) else []
    else:
        keys = cohort["opportunity_id"].map(_group_keys(ctx, conditions, group_by))
        groups = [
            _group(key, part, open_stages)
            for key, part in cohort.groupby(keys, dropna=False, sort=False)
        ]
    groups.sort(key=lambda g: (-g.deals, str(g.group)))
    deals = cohort.drop_duplicates("deal")
    return FunnelConversion(
        as_of=ctx.as_of,
        start=start,
        end=end or ctx.as_of,
        group_by=group_by,
        groups=groups,
        win_rate=_rate(int(deals["won"].sum()), int(deals["lost"].sum())),
        opportunity_ids=deals["opportunity_id"].head(MAX_IDS).tolist(),
        total_deals=len(deals),
    )


def stage_cohorts(visits: pd.DataFrame, lo: float, hi: float) -> pd.DataFrame:
    """One row per (deal, open stage entered in [lo, hi)) with reached_next, won, lost flags.

    Columns: opportunity_id, deal (its integer code), stage and the flags. A stage entered
    more than once counts at its first entry in the period.
    """
    inside = visits[
        (visits["outcome"] == "open") & (visits["entered"] >= lo) & (visits["entered"] < hi)
    ]
    stage = inside["stage"].cat
    pair = inside["deal"].to_numpy() * len(stage.categories) + stage.codes.to_numpy()
    entered = inside[~pd.Series(pair).duplicated().to_numpy()]
    return pd.DataFrame(
        {
            "opportunity_id": entered["opportunity_id"],
            "deal": entered["deal"],
            "stage": entered["stage"],
            "reached_next": (entered["top"] > entered["position"]) | (entered["final"] == "won"),
            "won": entered["final"] == "won",
            "lost": entered["final"] == "lost",
        }
    )


def _group(key: object, part: pd.DataFrame, open_stages: list[str]) -> FunnelGroup:
    table = part.groupby("stage").agg(
        entered=("opportunity_id", "size"),
        reached_next=("reached_next", "sum"),
        won=("won", "sum"),
        lost=("lost", "sum"),
    )
    rows: dict[str, dict[str, int]] = (
        table.reindex(open_stages, fill_value=0).astype(int).to_dict("index")  # type: ignore[assignment]
    )
    steps = [
        FunnelStep(
            stage=stage,
            **row,
            conversion_to_next=_share(row["reached_next"], row["entered"]),
            win_share=_share(row["won"], row["entered"]),
            loss_share=_share(row["lost"], row["entered"]),
        )
        for stage, row in rows.items()
    ]
    deals = part.drop_duplicates("deal")
    won, lost = int(deals["won"].sum()), int(deals["lost"].sum())
    group = None if key is None or pd.isna(key) else str(key)  # type: ignore[call-overload]
    return FunnelGroup(
        group=group, steps=steps, deals=len(deals), won=won, lost=lost, win_rate=_rate(won, lost)
    )


def _group_keys(
    ctx: ToolContext, conditions: list[ColumnElement[bool]], group_by: str
) -> pd.Series:
    """Group key of every visible deal (owner, owner's team, product or account industry)."""
    stmt: Any = (
        sa_select(col(Opportunity.id).label("id"), _GROUP_COLUMNS[group_by].label("key"))
        .select_from(Opportunity)
        .outerjoin(User, col(User.id) == Opportunity.owner_id)
        .outerjoin(Account, col(Account.id) == Opportunity.account_id)
        .where(*conditions)
    )
    frame = fetch_frame(ctx, stmt)
    return pd.Series(frame["key"].to_numpy(), index=frame["id"].to_numpy())


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _rate(won: int, lost: int) -> float | None:
    return _share(won, won + lost)


class PerformanceRow(BaseModel):
    """Closed-deal results of one rep, one team or the whole selection."""

    level: Literal["rep", "team", "company"] = Field(description="What the row aggregates.")
    key: str | None = Field(description="User id (rep), team name (team) or empty (company).")
    name: str | None = Field(description="The rep's name (rep rows).")
    team: str | None = Field(description="The rep's team (rep rows) or the team (team rows).")
    rank: int | None = Field(description="Rank by won revenue within its level (1 = top).")
    won_deals: int = Field(description="Deals won in the period.")
    lost_deals: int = Field(description="Deals lost in the period.")
    win_rate: float | None = Field(description="won / (won + lost).")
    won_revenue: float = Field(description="Total amount of the won deals.")
    average_deal_size: float | None = Field(description="Mean amount of the won deals.")
    cycle_days: float | None = Field(description="Mean days from creation to win.")
    won_opportunity_ids: list[str] = Field(description="Won deals, largest first (≤ 50).")


class RepPerformance(BaseModel):
    """Reps and teams ranked by won revenue over a period."""

    as_of: dt.date = Field(description="Analysis date.")
    currency: str = Field(description="Currency of the amounts.")
    start: dt.date | None = Field(description="First close day counted (empty: open).")
    end: dt.date | None = Field(description="Last close day counted.")
    reps: list[PerformanceRow] = Field(description="One row per rep with closed deals, ranked.")
    teams: list[PerformanceRow] = Field(description="One row per team, ranked.")
    company: PerformanceRow = Field(description="Everything selected together.")


@tool
def rep_performance(
    ctx: ToolContext,
    *,
    team: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> RepPerformance:
    """Rank reps and teams by won revenue, with win rate, deal size and sales cycle.

    Counts deals closed (won or lost) between start and end. Use for "who are my top
    performers", "compare the teams", "what is Anna's win rate".

    Args:
        ctx: The caller's context (supplied by the runtime, never by the model).
        team: Only members of this team.
        start: First close day counted (YYYY-MM-DD); default: no lower bound.
        end: Last close day counted (YYYY-MM-DD); default: as_of.
    """
    period = period_bounds(None, start, end or ctx.as_of, ctx.as_of)
    closed = snapshot(ctx, ("won", "lost"), opportunity_filter(ctx, team=team))
    day = closed["entered"].astype(float)
    closed = closed[(day >= to_days(period.start)) & (day < to_days(period.end) + 1)]
    people = people_frame(ctx, closed["owner_id"].unique().tolist())
    closed = closed.merge(people, how="left", left_on="owner_id", right_index=True)
    closed = closed.sort_values("amount_cents", ascending=False)
    reps = _ranked("rep", closed, "owner_id")
    names, teams = people["name"].to_dict(), people["team"].to_dict()
    for row in reps:
        row.name, row.team = names.get(row.key), teams.get(row.key)
    return RepPerformance(
        as_of=ctx.as_of,
        currency=ctx.currency,
        start=start,
        end=end or ctx.as_of,
        reps=reps,
        teams=_ranked("team", closed, "team"),
        company=_performance("company", None, closed),
    )


def _ranked(level: Literal["rep", "team"], closed: pd.DataFrame, by: str) -> list[PerformanceRow]:
    rows = [
        _performance(level, None if pd.isna(key) else str(key), part)
        for key, part in closed.groupby(by, dropna=False, sort=False)
    ]
    rows.sort(key=lambda r: (-r.won_revenue, -(r.win_rate or 0), str(r.key)))
    for rank, row in enumerate(rows, start=1):
        row.rank = rank
    return rows


def _performance(level: Literal["rep", "team", "company"], key: str | None,
                 part: pd.DataFrame) -> PerformanceRow:  # fmt: skip
    won = part[part["outcome"] == "won"]
    cycle = won["entered"].astype(float) - won["created"].astype(float)
    return PerformanceRow(
        level=level,
        key=key,
        name=None,
        team=key if level == "team" else None,
        rank=None,
        won_deals=len(won),
        lost_deals=len(part) - len(won),
        win_rate=_rate(len(won), len(part) - len(won)),
        won_revenue=cents_to_money(int(won["amount_cents"].sum())),
        average_deal_size=cents_to_money(float(won["amount_cents"].mean())) if len(won) else None,
        cycle_days=round(float(cycle.mean()), 1) if len(won) else None,
        won_opportunity_ids=won["id"].head(MAX_IDS).tolist(),
    )

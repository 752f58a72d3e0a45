"""Deal tools: the health checklist of one deal and the manager's deal review.

The checklist, its weights and the unknown rule are in :mod:`tools.deal_checks`; the
committee merge rule in :mod:`crm.insights`; recommended actions come from
:mod:`tools.actions`. Finding a deal by name is :func:`tools.deal_search.find_opportunity`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, Field

from crm.insights import CommitteeGap, CommitteeMember, committee_gaps, committee_of, role_facts
from crm.models import Account, Opportunity, User
from tools.actions import Action, recommend
from tools.catalog import tool
from tools.context import ToolContext
from tools.deal_checks import (
    CheckItem,
    DealFacts,
    close_date_pushes,
    deal_activities,
    pricing_fact_ids,
    run_checklist,
    score,
)
from tools.errors import ToolError
from tools.pipeline import (
    StageVisit,
    deal_snapshot,
    deal_timeline,
    open_deals_frame,
    stage_norms,
)
from tools.pipeline_data import calendar_days, stages_frame
from tools.records import cents_to_money, get_opportunity
from tools.win_model import WinProbability, win_probability

Severity = Literal["high", "medium", "low"]
SEVERITY_ORDER: dict[str, int] = {"high": 0, "medium": 1, "low": 2}


class DealHealth(BaseModel):
    """A deal's health score and the checklist behind it."""

    opportunity_id: str = Field(description="The deal.")
    opportunity_name: str = Field(description="The deal's name.")
    stage: str = Field(description="Its stage as of the analysis date.")
    score: int = Field(description="Health 0-100: points met / points assessable × 100.")
    points_met: int = Field(description="Weight of the items met.")
    points_assessable: int = Field(description="Weight of the items that could be assessed.")
    items: list[CheckItem] = Field(description="Every checklist item: met, not met or unknown.")
    gaps: list[CommitteeGap] = Field(description="Gaps of the buying committee.")


class DealSummary(BaseModel):
    """The deal's own facts."""

    opportunity_id: str = Field(description="The deal.")
    name: str = Field(description="The deal's name.")
    account_id: str | None = Field(description="Its account.")
    account_name: str | None = Field(description="The account's name.")
    owner_id: str = Field(description="The rep who owns the deal.")
    owner_name: str | None = Field(description="The owner's name.")
    stage: str = Field(description="Stage as of the analysis date.")
    outcome: Literal["open", "won", "lost"] = Field(description="Whether the deal is still open.")
    amount: float = Field(description="Deal amount in the currency.")
    currency: str = Field(description="ISO currency code.")
    close_date: dt.date | None = Field(description="Expected (or actual) close date.")
    days_to_close: int | None = Field(description="Days from the analysis date to the close date.")
    created_at: dt.datetime = Field(description="When the deal was created (UTC).")
    age_days: int = Field(description="Days since creation.")
    days_in_stage: int = Field(description="Days in the current stage.")
    next_step: str | None = Field(description="The next step recorded on the deal.")
    next_step_date: dt.date | None = Field(description="When the next step is due.")
    close_date_pushes: int = Field(description="How many times the close date moved later.")


class Risk(BaseModel):
    """Something that threatens the deal."""

    code: str = Field(description="A checklist item id or a committee gap code.")
    severity: Severity = Field(description="high, medium or low.")
    message: str = Field(description="The risk in words.")
    evidence: list[str] = Field(description="Ids of the records behind it.")


class DealReview(BaseModel):
    """Everything a manager needs to review one deal."""

    deal: DealSummary = Field(description="The deal's facts.")
    timeline: list[StageVisit] = Field(description="Stage history, oldest first.")
    win: WinProbability | None = Field(
        description="Modelled win probability with the factors pushing it up and down."
    )
    win_note: str | None = Field(description="Why the win probability is missing, if it is.")
    health: DealHealth = Field(description="The health checklist and score.")
    risks: list[Risk] = Field(description="Risks, most severe first.")
    committee: list[CommitteeMember] = Field(description="The buying committee known so far.")
    actions: list[Action] = Field(description="Recommended next actions, best first.")

    def as_slack_blocks(self) -> list[dict[str, Any]]:
        """Slack Block Kit blocks: the deal's key facts, top risks and top actions."""
        deal = self.deal
        win = "n/a" if self.win is None else f"{self.win.probability:.0%}"
        fields = [
            f"*Account*\n{deal.account_name or '-'}", f"*Owner*\n{deal.owner_name or '-'}",
            f"*Stage*\n{deal.stage} ({deal.days_in_stage} days)",
            f"*Amount*\n{deal.amount:,.0f} {deal.currency}",
            f"*Close date*\n{deal.close_date or '-'}",
            f"*Win probability / health*\n{win} / {self.health.score}",
        ]  # fmt: skip
        blocks: list[dict[str, Any]] = [
            {"type": "header", "text": {"type": "plain_text", "text": f"Deal review: {deal.name}"}},
            {"type": "section", "fields": [{"type": "mrkdwn", "text": f} for f in fields]},
        ]
        for title, lines in (
            ("Risks", [f"[{r.severity}] {r.message}" for r in self.risks[:3]]),
            ("Next actions", [a.message for a in self.actions[:3]]),
        ):
            if lines:
                text = f"*{title}*\n" + "\n".join(f"• {line}" for line in lines)
                blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
        return blocks


def open_row(ctx: ToolContext, opp: Opportunity) -> pd.DataFrame:
    """The deal's row of the open-deal frame (cached); empty when it is closed."""
    return open_deals_frame(ctx, opportunity_id=opp.id)


def _position(
    ctx: ToolContext, opp: Opportunity, row: pd.DataFrame
) -> tuple[str, int, dt.date | None, bool]:
    """Stage, days in it, close date (all as of as_of) and whether the deal is open.

    Open deals come from their :func:`open_row`; closed ones from their snapshot row.
    """
    is_open = not row.empty
    if not is_open:
        row = deal_snapshot(ctx, opp.id)
        row = row.assign(days_in_stage=calendar_days(ctx.as_of, row["entered"]))
    close = row["close_date"].iloc[0]
    return (
        str(row["stage"].iloc[0]),
        int(row["days_in_stage"].iloc[0]),
        None if pd.isna(close) else pd.Timestamp(close).date(),
        is_open,
    )


def gather_facts(ctx: ToolContext, opp: Opportunity, row: pd.DataFrame | None = None) -> DealFacts:
    """Read everything the checklist needs about a visible deal (``row``: its open_row)."""
    row = open_row(ctx, opp) if row is None else row
    stage, days_in_stage, close, is_open = _position(ctx, opp, row)
    facts = role_facts(ctx.session, opportunity_id=opp.id, before=ctx.as_of_end)
    return DealFacts(
        opp=opp,
        stage=stage,
        days_in_stage=days_in_stage,
        close_date=close,
        is_open=is_open,
        norm=stage_norms(ctx).get(stage),
        committee=committee_of(ctx.session, facts, before=ctx.as_of_end),
        role_facts=facts,
        activities=deal_activities(ctx, opp),
        pushes=close_date_pushes(ctx, opp.id),
        pricing_fact_ids=pricing_fact_ids(ctx, opp.account_id),
        end=ctx.as_of_end,
    )


def health_of(ctx: ToolContext, facts: DealFacts) -> DealHealth:
    """Run the checklist on gathered facts."""
    items = run_checklist(facts)
    total, met, assessable = score(items)
    return DealHealth(
        opportunity_id=facts.opp.id,
        opportunity_name=facts.opp.name,
        stage=facts.stage,
        score=total,
        points_met=met,
        points_assessable=assessable,
        items=items,
        gaps=committee_gaps(facts.committee, before=ctx.as_of_end) if facts.committee else [],
    )


@tool
def deal_health(ctx: ToolContext, *, opportunity_id: str) -> DealHealth:
    """Score a deal's health 0-100 from an explicit checklist, with the evidence per item.

    Use for "how healthy is the Acme renewal" or "what is missing on this deal". Items:
    decision maker identified and engaged, champion, budget discussed, dated next step,
    two-way activity in 14 days, time in stage vs won deals, close date stable, competitor
    mentioned, three or more contacts engaged. Items that cannot be assessed are unknown
    and do not count against the score.

    Args:
        ctx: The caller's tool context (scope, as_of); the model never sends it.
        opportunity_id: The deal to score (find it with find_opportunity).
    """
    opp = get_opportunity(ctx, opportunity_id)
    return health_of(ctx, gather_facts(ctx, opp))


def risks_of(health: DealHealth) -> list[Risk]:
    """Failed checklist items and a high-influence blocker, most severe first."""
    risks = [
        Risk(code=item.id, severity=_severity(item.weight), message=item.detail,
             evidence=item.evidence)
        for item in health.items if item.met is False
    ]  # fmt: skip
    risks += [
        Risk(code=gap.code, severity="high", message=gap.message, evidence=gap.evidence)
        for gap in health.gaps
        if gap.code == "high_influence_blocker"
    ]
    return sorted(risks, key=lambda r: SEVERITY_ORDER[r.severity])


def _severity(weight: int) -> Severity:
    return "high" if weight >= 15 else "medium" if weight >= 10 else "low"


def _summary(ctx: ToolContext, facts: DealFacts) -> DealSummary:
    opp = facts.opp
    account = ctx.session.get(Account, opp.account_id) if opp.account_id else None
    owner = ctx.session.get(User, opp.owner_id)
    outcome = stages_frame(ctx)["outcome"].get(facts.stage, "open")
    close = facts.close_date
    return DealSummary(
        opportunity_id=opp.id,
        name=opp.name,
        account_id=opp.account_id,
        account_name=account.name if account else None,
        owner_id=opp.owner_id,
        owner_name=owner.name if owner else None,
        stage=facts.stage,
        outcome=outcome,
        amount=cents_to_money(opp.amount_cents),
        currency=ctx.currency,
        close_date=close,
        days_to_close=None if close is None else (close - ctx.as_of).days,
        created_at=opp.created_at,
        age_days=(ctx.as_of - opp.created_at.date()).days,
        days_in_stage=facts.days_in_stage,
        next_step=opp.next_step,
        next_step_date=opp.next_step_date,
        close_date_pushes=len(facts.pushes),
    )


def _win(ctx: ToolContext, opportunity_id: str) -> tuple[WinProbability | None, str | None]:
    """The win model's estimate, or why there is none."""
    try:
        return win_probability(ctx, opportunity_id=opportunity_id), None
    except ToolError as exc:
        return None, str(exc)


@tool
def deal_review(ctx: ToolContext, *, opportunity_id: str) -> DealReview:
    """Review one deal for a manager: facts, stage history, win odds, health, risks, actions.

    Use for "review the Acme renewal" or "prepare me for the pipeline call on this
    deal". One call returns the deal's facts, its stage timeline, the modelled win
    probability with its factors, the health checklist, ranked risks, the buying
    committee known from the notes and recommended next actions.

    Args:
        ctx: The caller's tool context (scope, as_of); the model never sends it.
        opportunity_id: The deal to review (find it with find_opportunity).
    """
    opp = get_opportunity(ctx, opportunity_id)
    row = open_row(ctx, opp)
    facts = gather_facts(ctx, opp, row)
    health = health_of(ctx, facts)
    win, win_note = _win(ctx, opp.id)
    return DealReview(
        deal=_summary(ctx, facts),
        timeline=deal_timeline(ctx, opp.id),
        win=win,
        win_note=win_note,
        health=health,
        risks=risks_of(health),
        committee=facts.committee,
        actions=recommend(
            ctx, "deal", opp.id, row, [], committee=(facts.role_facts, facts.committee)
        ).actions,
    )

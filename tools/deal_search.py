"""Find a deal by id or by a fuzzy name ("Acme renewal"): the ``find_opportunity`` tool.

Each scoped deal is compared as its own name and as "account name + deal name", both
normalised like account names (:func:`tools.accounts.normalise_name`), with rapidfuzz's
``token_set_ratio`` (word sets, so a deal name that already contains the account name is
not counted twice, and a query whose words all appear scores 100); the better of the two
is the deal's score. Scores below
:data:`tools.accounts.MIN_SCORE` are dropped; ties go to open deals, then larger ones.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field
from rapidfuzz import fuzz, process
from sqlalchemy import select as sa_select
from sqlmodel import col

from crm.models import Account, Opportunity, Stage
from tools.accounts import MIN_SCORE, normalise_name
from tools.catalog import tool
from tools.context import ToolContext
from tools.errors import InvalidArgument
from tools.pipeline_data import fetch_frame
from tools.records import cents_to_money


class OpportunityCandidate(BaseModel):
    """One deal that may be the one meant."""

    opportunity_id: str = Field(description="Deal id.")
    name: str = Field(description="Deal name.")
    account_name: str | None = Field(description="The deal's account.")
    stage: str = Field(description="Current stage.")
    is_open: bool = Field(description="Whether the deal is still open.")
    amount: float = Field(description="Deal amount in the currency.")
    close_date: dt.date | None = Field(description="Expected close date.")
    score: float = Field(description="Similarity to the query, 0-100 (100 = exact).")


class OpportunityMatches(BaseModel):
    """Deals matching a search, best first."""

    query: str = Field(description="The search as given.")
    resolved_opportunity_id: str | None = Field(
        description="The deal meant, when one candidate is clearly best; else null."
    )
    candidates: list[OpportunityCandidate] = Field(description="Matching deals, best first.")


def _deals(ctx: ToolContext) -> pd.DataFrame:
    stmt: Any = (
        sa_select(
            col(Opportunity.id), col(Opportunity.name), col(Account.name).label("account"),
            col(Opportunity.stage), col(Stage.outcome), col(Opportunity.amount_cents),
            col(Opportunity.close_date),
        )
        .outerjoin(Account, col(Account.id) == Opportunity.account_id)
        .join(Stage, col(Stage.name) == Opportunity.stage)
        .where(ctx.scope.owner_filter(col(Opportunity.owner_id)),
               col(Opportunity.created_at) < ctx.as_of_end)
    )  # fmt: skip
    return fetch_frame(ctx, stmt)


def rank_opportunities(ctx: ToolContext, query: str, limit: int) -> list[OpportunityCandidate]:
    """The caller's deals best matching ``query`` (an exact id scores 100), best first."""
    deals = _deals(ctx)
    if deals.empty:
        return []
    names = [normalise_name(n) for n in deals["name"]]
    full = [normalise_name(f"{a or ''} {n}") for a, n in zip(deals["account"], deals["name"],
                                                              strict=True)]  # fmt: skip
    target = normalise_name(query)
    scores = np.maximum(
        process.cdist([target], names, scorer=fuzz.token_set_ratio, processor=None)[0],
        process.cdist([target], full, scorer=fuzz.token_set_ratio, processor=None)[0],
    )
    deals = deals.assign(score=np.where(deals["id"] == query.strip(), 100.0, scores))
    deals = deals.assign(is_open=deals["outcome"] == "open")
    hits = deals[deals["score"] >= MIN_SCORE].sort_values(
        ["score", "is_open", "amount_cents", "id"], ascending=[False, False, False, True]
    )
    return [_candidate(row) for row in hits.head(limit).to_dict("records")]


def _candidate(row: dict[Any, Any]) -> OpportunityCandidate:
    close = row["close_date"]
    return OpportunityCandidate(
        opportunity_id=str(row["id"]),
        name=str(row["name"]),
        account_name=None if pd.isna(row["account"]) else str(row["account"]),
        stage=str(row["stage"]),
        is_open=bool(row["is_open"]),
        amount=cents_to_money(int(row["amount_cents"])),
        close_date=None if pd.isna(close) else pd.Timestamp(close).date(),
        score=round(float(row["score"]), 1),
    )


@tool
def find_opportunity(ctx: ToolContext, *, query: str, limit: int = 5) -> OpportunityMatches:
    """Find deals by id or by name, tolerating typos: "Acme renewal", "the Brightline deal".

    Use first whenever the user names a deal, to get the opportunity id that
    deal_review, deal_health and next_best_actions need. Matches the deal name and
    "account + deal name"; on a tie an open deal beats closed ones. When
    resolved_opportunity_id is null, ask the user which candidate they mean.

    Args:
        ctx: The caller's tool context (scope, as_of); the model never sends it.
        query: A deal id or (part of) a deal or account name.
        limit: Most candidates to return (1-20).
    """
    if not 1 <= limit <= 20:
        raise InvalidArgument(f"limit must be between 1 and 20, got {limit}")
    candidates = rank_opportunities(ctx, query, limit)
    clear = len(candidates) == 1 or (
        len(candidates) > 1
        and (candidates[0].score, candidates[0].is_open)
        > (candidates[1].score, candidates[1].is_open)
    )
    return OpportunityMatches(
        query=query,
        resolved_opportunity_id=candidates[0].opportunity_id if clear else None,
        candidates=candidates,
    )

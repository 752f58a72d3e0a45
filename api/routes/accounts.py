"""``/v1/accounts``: fuzzy search and every view of one account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.deps import CtxDep
from api.narrative import account_narrative
from knowledge.power_map import PowerMap, power_map
from tools.account_360 import Account360, account_360
from tools.account_tree import CustomerTree, customer_tree
from tools.accounts import AccountMatches, find_account
from tools.actions import NextBestActions, next_best_actions
from tools.clv import AccountCLV, account_clv
from tools.rfm import RFMScore, account_rfm

router = APIRouter(prefix="/v1/accounts", tags=["accounts"])


class AccountSummary(BaseModel):
    """An account 360 with a short narrative written from its figures."""

    narrative: str = Field(description="A few sentences; every number comes from `account`.")
    account: Account360 = Field(description="The account seen from every side.")


@router.get("", response_model=AccountMatches)
def search_accounts(
    ctx: CtxDep,
    query: Annotated[str, Query(min_length=1, max_length=200, description="Name or id.")],
    limit: Annotated[int, Query(ge=1, le=20, description="Most candidates.")] = 5,
) -> AccountMatches:
    """Find the accounts you may see whose name best matches the query (fuzzy)."""
    return find_account(ctx, query=query, limit=limit)


@router.get("/{account_id}/summary", response_model=AccountSummary)
def account_summary(ctx: CtxDep, account_id: str) -> AccountSummary:
    """Account 360 (orders, RFM, CLV, deals, activity, service) plus a short narrative."""
    view = account_360(ctx, account_id=account_id)
    return AccountSummary(narrative=account_narrative(view), account=view)


@router.get("/{account_id}/rfm", response_model=RFMScore)
def account_rfm_scores(
    ctx: CtxDep,
    account_id: str,
    window_days: Annotated[int | None, Query(ge=1, le=36500, description="Last N days.")] = None,
) -> RFMScore:
    """The account's recency, frequency and monetary scores and segment."""
    return account_rfm(ctx, account_id=account_id, window_days=window_days)


@router.get("/{account_id}/clv", response_model=AccountCLV)
def account_lifetime_value(
    ctx: CtxDep,
    account_id: str,
    horizon_weeks: Annotated[int, Query(ge=1, le=520, description="Horizon.")] = 52,
) -> AccountCLV:
    """The account's customer lifetime value (formula and BG/NBD + Gamma-Gamma)."""
    return account_clv(ctx, account_id=account_id, horizon_weeks=horizon_weeks)


@router.get("/{account_id}/power-map", response_model=PowerMap)
def account_power_map(ctx: CtxDep, account_id: str) -> PowerMap:
    """The account's buying committee from the notes, with its gaps."""
    return power_map(ctx, account_id=account_id)


@router.get("/{account_id}/next-actions", response_model=NextBestActions)
def account_next_actions(
    ctx: CtxDep,
    account_id: str,
    limit: Annotated[int, Query(ge=1, le=50, description="Most actions.")] = 10,
) -> NextBestActions:
    """The next best actions on the account and its open deals, most urgent first."""
    return next_best_actions(ctx, account_id=account_id, limit=limit)


@router.get("/{account_id}/tree", response_model=CustomerTree)
def account_tree(ctx: CtxDep, account_id: str) -> CustomerTree:
    """The account's group: parent, subsidiaries and their revenue."""
    return customer_tree(ctx, account_id=account_id)

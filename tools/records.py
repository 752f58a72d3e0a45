"""Scoped record access shared by the tools: every lookup applies the caller's scope.

A record outside the scope is reported exactly like a missing one
(:class:`tools.errors.NotFound`), so nothing leaks about other reps' books.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from crm.models import Account, Opportunity
from tools.context import ToolContext
from tools.errors import NotFound

MAX_IDS = 50
"""Most record ids a result lists for citation; results also carry the full count."""


def cents_to_money(cents: int | float | None) -> float:
    """Integer cents to currency units, rounded to cents."""
    return round((cents or 0) / 100, 2)


def visible_accounts(ctx: ToolContext) -> Any:
    """``SELECT accounts`` restricted to the caller's scope (extend with ``.where``)."""
    return select(Account).where(ctx.scope.owner_filter(Account.owner_id))


def visible_opportunities(ctx: ToolContext) -> Any:
    """``SELECT opportunities`` created by ``as_of`` and restricted to the caller's scope."""
    return select(Opportunity).where(
        ctx.scope.owner_filter(Opportunity.owner_id), Opportunity.created_at < ctx.as_of_end
    )


def get_account(ctx: ToolContext, account_id: str) -> Account:
    """The account with id ``account_id`` if the caller may see it."""
    account = ctx.session.get(Account, account_id)
    if account is None or not ctx.scope.allows(account.owner_id):
        raise NotFound("account", account_id)
    return account


def get_opportunity(ctx: ToolContext, opportunity_id: str) -> Opportunity:
    """The opportunity ``opportunity_id`` if the caller may see it and it exists by as_of."""
    opp = ctx.session.get(Opportunity, opportunity_id)
    if opp is None or not ctx.scope.allows(opp.owner_id) or opp.created_at >= ctx.as_of_end:
        raise NotFound("opportunity", opportunity_id)
    return opp

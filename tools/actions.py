"""Next-best-action: concrete, ranked actions for a deal, an account or a rep's book.

The engine evaluates the declarative rules of :mod:`tools.action_rules` on the signals
frames of :mod:`tools.action_signals` (vectorised: each rule's three expressions are
compiled once and evaluated over whole columns) and ranks the actions by
``weight × impact / (1 + urgency_days / 30)``.
"""

from __future__ import annotations

import string
from functools import lru_cache
from types import CodeType
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field
from sqlmodel import col, select

from crm.models import Account, Opportunity
from tools.action_rules import RULES, ActionRule
from tools.action_signals import KnownCommittee, account_signals, deal_signals
from tools.catalog import tool
from tools.context import ToolContext
from tools.errors import NotFound
from tools.pipeline import open_deals_frame
from tools.records import MAX_IDS, get_account, get_opportunity

_BASE_FIGURES = ("amount", "probability", "value")
UNKNOWN_URGENCY_DAYS = 90.0
"""Urgency of a deal without a close date."""
URGENCY_SCALE_DAYS = 30.0
"""An action whose urgency is this many days away ranks at half its impact."""


class Action(BaseModel):
    """One recommended action."""

    rule_id: str = Field(description="The rule that triggered it (see tools.action_rules).")
    subject: Literal["deal", "account"] = Field(description="What the action is about.")
    message: str = Field(description="The action in one sentence, with the signal behind it.")
    reason: str = Field(description="The rule's triggering condition in words.")
    impact: float = Field(description="Money at stake in the currency (value at risk or CLV).")
    urgency_days: int = Field(description="Days left to act; 0 means now.")
    rank_score: float = Field(description="weight × impact / (1 + urgency_days / 30).")
    opportunity_ids: list[str] = Field(description="Deals the action is about (capped).")
    account_ids: list[str] = Field(description="Accounts the action is about (capped).")
    evidence: list[str] = Field(description="Ids of the records and notes behind the signal.")
    figures: dict[str, Any] = Field(description="The signal values quoted in the message.")


class NextBestActions(BaseModel):
    """Ranked next-best-actions."""

    target: Literal["deal", "account", "book"] = Field(description="What was analysed.")
    target_id: str = Field(description="The deal, account or rep (owner) id.")
    currency: str = Field(description="Currency of the impacts.")
    actions: list[Action] = Field(description="Best first, at most `limit`.")
    total_actions: int = Field(description="How many actions triggered before the limit.")
    deals_considered: int = Field(description="Open deals whose signals were evaluated.")
    accounts_considered: int = Field(description="Accounts whose signals were evaluated.")


def evaluate(
    rules: tuple[ActionRule, ...], frames: dict[str, pd.DataFrame], limit: int = 50
) -> tuple[list[Action], int]:
    """The best ``limit`` actions the rules trigger on the signals frames, and how many fired.

    Ranking is vectorised; only the actions that make the cut are built.
    """
    scored: list[tuple[float, ActionRule, dict[str, Any]]] = []
    total = 0
    columns = {subject: _columns(frame) for subject, frame in frames.items()}
    for rule in rules:
        frame = frames.get(rule.applies_to, pd.DataFrame())
        hits = _hits(rule, frame, columns.get(rule.applies_to, {}))
        if hits.empty:
            continue
        rows = [_group(rule, hits)] if rule.group else _records(hits.nlargest(limit, "_rank"))
        total += 1 if rule.group else len(hits)
        scored += [(float(row["_rank"]), rule, row) for row in rows]
    scored.sort(key=lambda item: -item[0])
    return [_action(rule, row) for _, rule, row in scored[:limit]], total


def _hits(rule: ActionRule, frame: pd.DataFrame, columns: dict[str, pd.Series]) -> pd.DataFrame:
    """The rows triggering ``rule``, with their _impact, _urgency and _rank.

    ``columns`` are the frame's (:func:`_columns`, built once for all the rules).
    """
    if frame.empty:
        return frame
    mask = np.broadcast_to(np.asarray(_eval(rule.when, columns), dtype=bool), len(frame))
    if not mask.any():  # most rules, for one deal: skip indexing every column
        return frame.iloc[:0]
    hits = frame[mask]
    on_hits = _columns(hits)
    impact = _series(_eval(rule.impact, on_hits), hits, float).fillna(0.0)
    urgency = _series(_eval(rule.urgency, on_hits), hits, float).clip(lower=0)
    urgency = urgency.fillna(UNKNOWN_URGENCY_DAYS)
    return hits.assign(_impact=impact, _urgency=urgency, _rank=_rank(rule, impact, urgency))


def _rank(rule: ActionRule, impact: Any, urgency: Any) -> Any:
    """The rank score: the rule weight × impact / (1 + urgency / 30), scalars or Series."""
    return rule.weight * impact / (1 + urgency / URGENCY_SCALE_DAYS)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


@lru_cache(maxsize=256)
def _compiled(expression: str) -> CodeType:
    return compile(expression, f"<rule: {expression}>", "eval")


def _columns(frame: pd.DataFrame) -> dict[str, pd.Series]:
    """The frame's columns by name: the namespace rule expressions are evaluated in."""
    return {str(name): frame[name] for name in frame.columns}


def _eval(expression: str, columns: dict[str, pd.Series]) -> Any:
    """Evaluate a rule expression over ``columns`` (compiled once, no builtins)."""
    return eval(_compiled(expression), {"__builtins__": {}}, dict(columns))


def _series(value: Any, frame: pd.DataFrame, dtype: type) -> pd.Series:
    return pd.Series(np.broadcast_to(value, len(frame)), index=frame.index, dtype=dtype)


def _group(rule: ActionRule, hits: pd.DataFrame) -> dict[str, Any]:
    names = hits["deal"].tolist()
    shown = ", ".join(names[:5]) + (", …" if len(names) > 5 else "")
    return {
        "count": len(hits),
        "s": "" if len(hits) == 1 else "s",
        "names": shown,
        "_impact": float(hits["_impact"].sum()),
        "_urgency": float(hits["_urgency"].min()),
        "_rank": _rank(rule, float(hits["_impact"].sum()), float(hits["_urgency"].min())),
        "opportunity_id": hits["opportunity_id"].tolist(),
        "account_id": hits["account_id"].dropna().unique().tolist(),
        "evidence": [e for ev in hits["evidence"] for e in ev],
    }


def _action(rule: ActionRule, row: dict[str, Any]) -> Action:
    urgency = int(row["_urgency"])
    impact = round(float(row["_impact"]), 2)
    shown = {k: _plain(v) for k, v in row.items() if not k.startswith("_")}
    figures = {k: shown[k] for k in (*_fields(rule.template), *_BASE_FIGURES) if k in shown}
    return Action(
        rule_id=rule.id,
        subject=rule.applies_to,
        message=rule.template.format(**shown),
        reason=rule.description,
        impact=impact,
        urgency_days=urgency,
        rank_score=round(float(row["_rank"]), 2),
        opportunity_ids=_ids(row.get("opportunity_id")),
        account_ids=_ids(row.get("account_id")),
        evidence=list(dict.fromkeys(row.get("evidence", [])))[:MAX_IDS],
        figures=figures,
    )


def _fields(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


def _plain(value: Any) -> Any:
    """Numpy scalars to Python; whole floats to int so '21.0 days' reads '21 days'."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _ids(value: Any) -> list[str]:
    if value is None or (not isinstance(value, list) and pd.isna(value)):
        return []
    return [str(v) for v in (value if isinstance(value, list) else [value])][:MAX_IDS]


def _frames(
    ctx: ToolContext, opportunity_id: str | None, account_id: str | None, owner_id: str | None
) -> tuple[Literal["deal", "account", "book"], str, pd.DataFrame, list[str]]:
    """The open deals and the accounts the request covers."""
    if opportunity_id is not None:
        opp = get_opportunity(ctx, opportunity_id)
        return "deal", opp.id, open_deals_frame(ctx, opportunity_id=opp.id), []
    if account_id is not None:
        account = get_account(ctx, account_id)
        owners = ctx.session.exec(
            select(Opportunity.owner_id).distinct().where(
                col(Opportunity.account_id) == account.id,
                ctx.scope.owner_filter(col(Opportunity.owner_id)),
            )
        ).all()  # fmt: skip
        frames = [open_deals_frame(ctx, owner_id=o) for o in owners]
        deals = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["id"])
        return "account", account.id, deals[deals["account_id"] == account.id], [account.id]
    owner = owner_id or ctx.scope.user_id
    if not ctx.scope.allows(owner):
        raise NotFound("user", owner)
    deals = open_deals_frame(ctx, owner_id=owner)
    accounts = ctx.session.exec(
        select(Account.id).where(
            ctx.scope.owner_filter(col(Account.owner_id)), col(Account.owner_id) == owner
        )
    ).all()
    return "book", owner, deals, list(accounts)


@tool
def next_best_actions(
    ctx: ToolContext,
    *,
    opportunity_id: str | None = None,
    account_id: str | None = None,
    owner_id: str | None = None,
    limit: int = 10,
) -> NextBestActions:
    """Recommend the next best actions, ranked, for a deal, an account or a rep's book.

    Use for "what should I do next", "what should I do on the Acme renewal", "which
    accounts need attention". Each action is one concrete sentence with the signal that
    triggered it (no decision maker, stalled, close date passed, at-risk customer, ...),
    the money at stake, the urgency in days and the evidence ids. Without arguments it
    covers the caller's own book.

    Args:
        ctx: The caller's tool context (scope, as_of); the model never sends it.
        opportunity_id: One deal to advise on.
        account_id: One account (its open deals and the customer relationship).
        owner_id: A rep whose book to cover (default: the caller).
        limit: Most actions to return (1-50).
    """
    target, target_id, deals, accounts = _frames(ctx, opportunity_id, account_id, owner_id)
    return recommend(ctx, target, target_id, deals, accounts, limit)


def recommend(
    ctx: ToolContext,
    target: Literal["deal", "account", "book"],
    target_id: str,
    deals: pd.DataFrame,
    accounts: list[str],
    limit: int = 10,
    committee: KnownCommittee | None = None,
) -> NextBestActions:
    """Ranked actions for already-selected open deals and accounts (visible to the caller).

    ``deals`` are rows of :func:`tools.pipeline.open_deals_frame`; the deal review passes
    the row, the deal's role facts (:func:`crm.insights.role_facts`) and its merged
    committee, which it already built, instead of letting :func:`next_best_actions`
    reload and re-merge them.
    """
    limit = max(1, min(limit, 50))
    frames = {
        "deal": deal_signals(ctx, deals, committee),
        "account": account_signals(ctx, accounts),
    }
    actions, total = evaluate(RULES, frames, limit)
    return NextBestActions(
        target=target,
        target_id=target_id,
        currency=ctx.currency,
        actions=actions,
        total_actions=total,
        deals_considered=len(deals),
        accounts_considered=len(frames["account"]),
    )

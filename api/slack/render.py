"""The figures of typed tool results as Block Kit: key figures as fields, record lists.

Each renderer validates a tool's JSON result back into its result model (so a renamed
field fails loudly in the tests) and returns blocks; tools without a renderer are left
to the answer text. Every record list names the ids behind the figures.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from api.slack.kit import Block, section
from knowledge.power_map import PowerMap
from tools.account_360 import Account360
from tools.actions import NextBestActions
from tools.deals import DealReview
from tools.pipeline import PipelineByStage

LIST_ITEMS = 8


def money(amount: float | None, currency: str) -> str:
    """``EUR 1,234.50`` (or "n/a")."""
    return "n/a" if amount is None else f"{currency} {amount:,.2f}"


def _bullets(title: str, lines: list[str], total: int | None = None) -> list[Block]:
    if not lines:
        return []
    shown = lines[:LIST_ITEMS]
    more = (total if total is not None else len(lines)) - len(shown)
    tail = [f"_… and {more} more_"] if more > 0 else []
    return [section("\n".join([f"*{title}*", *(f"• {line}" for line in shown), *tail]))]


def deal_review(review: DealReview) -> list[Block]:
    """Deal facts, win probability and health as fields; risks and actions as lists."""
    deal = review.deal
    win = f"{review.win.probability:.0%}" if review.win else (review.win_note or "n/a")
    close = deal.close_date.isoformat() if deal.close_date else "n/a"
    if deal.days_to_close is not None:
        close += f" ({deal.days_to_close} days)"
    fields = [
        f"*Account*\n{deal.account_name or 'none'}",
        f"*Owner*\n{deal.owner_name or deal.owner_id}",
        f"*Stage*\n{deal.stage} ({deal.days_in_stage} days)",
        f"*Amount*\n{money(deal.amount, deal.currency)}",
        f"*Close date*\n{close}",
        f"*Win probability*\n{win}",
        f"*Health*\n{review.health.score}/100",
        f"*Close date pushes*\n{deal.close_date_pushes}",
    ]
    risks = [f"[{r.severity}] {r.message}" for r in review.risks]
    actions = [a.message for a in review.actions]
    committee = [f"{m.name} — {m.role.replace('_', ' ')}" for m in review.committee]
    return [
        section(f"*{deal.name}* · `{deal.opportunity_id}`", fields),
        *_bullets("Risks", risks),
        *_bullets("Next actions", actions),
        *_bullets("Buying committee", committee),
    ]


def pipeline(result: PipelineByStage) -> list[Block]:
    """One field per stage (count, amount, weighted) and the totals."""
    cur = result.currency
    fields = [
        f"*{row.stage}* ({row.probability:.0%})\n{row.count} deal(s) · {money(row.amount, cur)}"
        f"\nweighted {money(row.weighted_amount, cur)}"
        for row in result.stages
    ]
    totals = (
        f"*Open pipeline:* {money(result.total_amount, cur)} in {result.total_count} deal(s)"
        f" · weighted {money(result.total_weighted_amount, cur)}"
    )
    ids = [i for row in result.stages for i in row.opportunity_ids]
    blocks = [section(totals, fields)]
    if ids:
        blocks.append(section("Deals: " + ", ".join(f"`{i}`" for i in ids[:20])))
    return blocks


def account(result: Account360) -> list[Block]:
    """The account's key figures as fields and its open deals as a list."""
    cur = result.currency
    orders = result.orders
    fields = [
        f"*Owner*\n{result.owner_name or result.owner_id or 'none'}",
        f"*Industry*\n{result.industry or 'n/a'} · {result.country or 'n/a'}",
        f"*Orders*\n{orders.order_count} · {money(orders.total, cur)}",
        f"*Last order*\n{orders.last_order_date or 'never'}",
        f"*RFM segment*\n{result.rfm.segment if result.rfm else 'n/a'}",
        f"*CLV (formula)*\n{money(result.clv.formula_clv, cur) if result.clv else 'n/a'}",
        f"*Open pipeline*\n{money(result.open_pipeline, cur)}",
        f"*Open tickets*\n{result.service.open_tickets}",
    ]
    deals = [
        f"{o.name} · {o.stage} · {money(o.amount, cur)} · `{o.opportunity_id}`"
        for o in result.open_opportunities
    ]
    return [
        section(f"*{result.name}* · `{result.account_id}`", fields),
        *_bullets("Open deals", deals),
    ]


def actions(result: NextBestActions) -> list[Block]:
    """The ranked actions with their impact and urgency."""
    lines = [
        f"{a.message} _(impact {money(a.impact, result.currency)}, act within "
        f"{a.urgency_days} days)_"
        for a in result.actions
    ]
    return _bullets("Next best actions", lines, result.total_actions) or [
        section("No action triggered.")
    ]


def power_map(result: PowerMap) -> list[Block]:
    """Committee members with role, stance and influence; the gaps."""
    members = [
        f"{m.name}{f' ({m.title})' if m.title else ''} — {m.role.replace('_', ' ')}, "
        f"{m.stance or 'stance unknown'}, {m.influence or 'influence unknown'} influence"
        for m in result.members
    ]
    return [
        *_bullets("Buying committee", members),
        *_bullets("Gaps", [g.message for g in result.gaps]),
    ]


Renderer = tuple[type[BaseModel], Callable[[Any], list[Block]], Callable[[Any], str]]
RENDERERS: dict[str, Renderer] = {
    "deal_review": (DealReview, deal_review, lambda r: f"Deal review: {r.deal.name}"),
    "pipeline_by_stage": (PipelineByStage, pipeline, lambda r: "Open pipeline by stage"),
    "account_360": (Account360, account, lambda r: f"Account: {r.name}"),
    "next_best_actions": (NextBestActions, actions, lambda r: "Next best actions"),
    "power_map": (
        PowerMap,
        power_map,
        lambda r: f"Power map: {r.opportunity_name or r.account_name or 'committee'}",
    ),
}


def render_result(name: str, result: dict[str, Any]) -> list[Block]:
    """Blocks for the result of tool ``name`` (none for tools without a renderer)."""
    if name not in RENDERERS:
        return []
    model, render, _ = RENDERERS[name]
    return [{"type": "divider"}, *render(model.model_validate(result))]


def title_of(call: Any) -> str | None:
    """A header for a traced call with a rendered result, else None."""
    if call.name not in RENDERERS or call.result is None:
        return None
    model, _, title = RENDERERS[call.name]
    return title(model.model_validate(call.result))

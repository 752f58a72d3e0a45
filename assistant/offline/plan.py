"""From intent and entities to tool calls: which tools, with which arguments.

Most intents are one tool; a deal review runs ``deal_review``, ``power_map`` and
``next_best_actions`` on the same deal and the composer merges them. When a record the
tool needs cannot be pinned down, the plan carries a question back instead of calls;
when the question names an account outside the caller's book, the plan looks the name
up with ``find_account`` (scoped like every tool), which finds nothing; a deal named in
full outside the book gets "not in your book" with no call (a scoped deal search would
only list the caller's other, similarly named deals).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from assistant.offline.entities import Entities
from assistant.offline.followups import points_back
from assistant.offline.resolve import Pick, pick_account, pick_deal
from assistant.offline.vocab import Vocabulary

Args = dict[str, Any]
ACCOUNT_TOOLS = ("account_rfm", "account_360", "customer_tree", "account_clv", "account_note_facts")
DEAL_TOOLS = ("win_probability", "deal_health")
OWNER_TOOLS = ("pipeline_by_stage", "sales_velocity", "stalled_deals", "slipped_deals")
REVIEW = ("deal_review", "power_map", "next_best_actions")
DEFAULT_MOVES_DAYS = 90
_RISK_WORDS = re.compile(r"slip|lose|losing|churn|risk|leav")
_BEST_WORDS = re.compile(r"\bbest\b|\btop\b|\bbiggest\b")
_DEAL_WORDS = re.compile(r"\b(deal|opportunity|opp|renewal)\b")


@dataclass
class Plan:
    """The calls to make (in order), or a reply that needs no tool."""

    intent: str
    calls: list[tuple[str, Args]] = field(default_factory=list)
    reply: str | None = None
    foreign: str | None = None


@dataclass(frozen=True)
class Request:
    """Everything a plan is built from."""

    intent: str
    found: Entities
    vocab: Vocabulary
    focus: dict[str, str]
    as_of: dt.date
    question: str
    carried: bool = False


def build(req: Request) -> Plan:
    """The plan for one question."""
    if req.intent in ACCOUNT_TOOLS:
        return _with_account(req, req.intent)
    if req.intent in DEAL_TOOLS or req.intent == "deal_review":
        return _with_deal(req)
    builder = _BUILDERS.get(req.intent)
    if builder is None:
        return Plan(req.intent)
    return builder(req)


def not_in_book(name: str) -> str:
    """The answer when a question names an account or deal outside the caller's scope."""
    return (
        f"**{name}** is not in your book: I can only see the accounts and deals you own "
        "or manage, so I can't answer about it."
    )


def _lookup(req: Request, pick: Pick) -> Plan | None:
    if pick.lookup is not None:
        if pick.lookup_tool is None:
            return Plan(req.intent, reply=not_in_book(pick.lookup))
        return Plan(req.intent, [(pick.lookup_tool, {"query": pick.lookup})], foreign=pick.lookup)
    if pick.ask is not None:
        return Plan(req.intent, reply=pick.ask)
    return None


def _with_account(req: Request, tool: str) -> Plan:
    pick = pick_account(req.found, req.focus)
    return _lookup(req, pick) or Plan(req.intent, [(tool, {"account_id": pick.id})])


def _with_deal(req: Request) -> Plan:
    pick = pick_deal(req.found, req.vocab, req.focus)
    early = _lookup(req, pick)
    if early is not None:
        return early
    tools = REVIEW if req.intent == "deal_review" else (req.intent,)
    return Plan(req.intent, [(tool, {"opportunity_id": pick.id}) for tool in tools])


def _owner(req: Request) -> Args:
    args: Args = {}
    user = req.found.user
    if user is not None and user.unique:
        args["owner_id"] = user.unique.id
    elif req.found.team:
        args["team"] = req.found.team
    elif req.carried:
        args |= {k: req.focus[k] for k in ("owner_id", "team") if req.focus.get(k)}
    return args


def _ask_rep(req: Request) -> Plan | None:
    user = req.found.user
    if user is not None and not user.unique:
        names = "; ".join(n.name for n in user.names)
        return Plan(req.intent, reply=f"Which one do you mean: {names}?")
    return None


def _period_text(req: Request) -> str | None:
    if req.found.period_text:
        return req.found.period_text
    return req.focus.get("period") or None if req.carried else None


def _span(req: Request) -> Args:
    period = req.found.period
    if period is None:
        return {}
    return {"start": period.start.isoformat(), "end": period.end.isoformat()}


def _owner_tool(req: Request) -> Plan:
    return _ask_rep(req) or Plan(req.intent, [(req.intent, _owner(req))])


def _forecast(req: Request) -> Plan:
    args = _owner(req)
    period = _period_text(req)
    if period:
        args["period"] = period
    return _ask_rep(req) or Plan(req.intent, [("forecast", args)])


def _value_metrics(req: Request) -> Plan:
    args = _owner(req)
    if req.found.account is not None or req.found.foreign_account:
        pick = pick_account(req.found, {})
        early = _lookup(req, pick)
        if early is not None:
            return early
        args = {"account_id": pick.id}
    if req.found.segment and req.found.segment[0].isupper():
        args["segment"] = req.found.segment
    period = _period_text(req)
    if period:
        args["period"] = period
    return _ask_rep(req) or Plan(req.intent, [("value_metrics", args)])


def _funnel(req: Request) -> Plan:
    args = _span(req)
    if req.found.group_by:
        args["group_by"] = req.found.group_by
    return Plan(req.intent, [("funnel_conversion", args)])


def _rep_performance(req: Request) -> Plan:
    args = _span(req)
    if req.found.team:
        args["team"] = req.found.team
    return Plan(req.intent, [("rep_performance", args)])


def _segment_accounts(req: Request) -> Plan:
    segment = req.found.segment
    if segment is None:
        text = req.question.lower()
        segment = (
            "Champions" if _BEST_WORDS.search(text) and not _RISK_WORDS.search(text) else "At Risk"
        )
    args: Args = {"segment": segment}
    if req.found.top_n:
        args["limit"] = req.found.top_n
    return Plan(req.intent, [("rfm_segment_accounts", args)])


def _moves(req: Request) -> Plan:
    period = req.found.period
    since = period.start if period else req.as_of - dt.timedelta(days=DEFAULT_MOVES_DAYS)
    return Plan(req.intent, [("rfm_segment_moves", {"since": since.isoformat()})])


def _top_clv(req: Request) -> Plan:
    args: Args = {"limit": req.found.top_n} if req.found.top_n else {}
    return Plan(req.intent, [("top_clv_accounts", args)])


def _actions(req: Request) -> Plan:
    found, text = req.found, req.question.lower()
    named_deal = found.deal_ids or found.deal_names or found.foreign_deal
    if named_deal or found.product is not None or (found.account and _DEAL_WORDS.search(text)):
        return _with_deal(req)
    if found.account is not None or found.foreign_account:
        return _with_account(req, "next_best_actions")
    if found.user is not None:
        return _ask_rep(req) or Plan(req.intent, [(req.intent, _owner(req))])
    for key in ("opportunity_id", "account_id"):
        if req.focus.get(key) and points_back(found.masked):
            return Plan(req.intent, [(req.intent, {key: req.focus[key]})])
    return Plan(req.intent, [(req.intent, {})])


def _power_map(req: Request) -> Plan:
    if req.found.deal_ids or req.found.deal_names or req.found.foreign_deal:
        pick = pick_deal(req.found, req.vocab, req.focus)
        return _lookup(req, pick) or Plan(req.intent, [("power_map", {"opportunity_id": pick.id})])
    return _with_account(req, "power_map")


def _find_account(req: Request) -> Plan:
    found = req.found
    query = found.account_text or found.foreign_account
    if query is None and found.account is not None and found.account.unique:
        query = found.account.unique.id
    if query is None:
        return Plan(req.intent, reply="Which company should I look for?")
    return Plan(req.intent, [("find_account", {"query": query})])


def _find_opportunity(req: Request) -> Plan:
    found = req.found
    names = [
        found.account_text or found.foreign_account or "",
        found.product.name if found.product else "",
    ]
    query = " ".join(n for n in names if n) or (found.deal_ids[0] if found.deal_ids else "")
    if not query:
        return Plan(req.intent, reply="Which deal should I look for? Name the account or the deal.")
    return Plan(req.intent, [("find_opportunity", {"query": query})])


def _search_notes(req: Request) -> Plan:
    found = req.found
    args: Args = {"query": req.question}
    if found.contact is not None:
        args["contact_id"] = found.contact.id
    elif found.account is not None and found.account.unique:
        args["account_id"] = found.account.unique.id
    elif found.foreign_account:
        return _lookup(req, Pick(lookup=found.foreign_account)) or Plan(req.intent)
    if found.period is not None:
        args |= {"since": found.period.start.isoformat(), "until": found.period.end.isoformat()}
    return Plan(req.intent, [("search_notes", args)])


def _extract_note(req: Request) -> Plan:
    if req.found.note_id is None:
        return Plan(req.intent, reply="Which note? Give its id (e.g. ACT-00001).")
    return Plan(req.intent, [("extract_note", {"activity_id": req.found.note_id})])


def _no_args(req: Request) -> Plan:
    return Plan(req.intent, [(req.intent, {})])


_BUILDERS: dict[str, Callable[[Request], Plan]] = {
    **{tool: _owner_tool for tool in OWNER_TOOLS},
    "forecast": _forecast,
    "value_metrics": _value_metrics,
    "funnel_conversion": _funnel,
    "rep_performance": _rep_performance,
    "rfm_segment_accounts": _segment_accounts,
    "rfm_segment_moves": _moves,
    "top_clv_accounts": _top_clv,
    "next_best_actions": _actions,
    "power_map": _power_map,
    "find_account": _find_account,
    "find_opportunity": _find_opportunity,
    "search_notes": _search_notes,
    "extract_note": _extract_note,
    "duplicate_accounts": _no_args,
    "rfm_segment_distribution": _no_args,
    "clv_model_fit": _no_args,
}

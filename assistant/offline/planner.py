"""The offline planner: question -> entities -> intent -> tool calls -> templated answer."""

from __future__ import annotations

import re
from typing import Any

from assistant.answer import PlannerName, ToolCallRecord
from assistant.offline.compose import compose
from assistant.offline.entities import Entities, extract
from assistant.offline.followups import carried_intent, new_focus
from assistant.offline.helptext import help_text
from assistant.offline.intents import MIN_CONFIDENCE, IntentGuess, classify
from assistant.offline.plan import Plan, Request, build, not_in_book
from assistant.offline.vocab import vocabulary
from assistant.planner import PlannerOutput, Turn, run_tool
from tools.catalog import ToolSpec

NO_TOOL_INTENTS = frozenset({"out_of_scope", "help"})
TEAM_WORDS = re.compile(r"\b(team|teams|team's|reps|everyone|everybody|whole company)\b")
OWN_BOOK_LABELS = {"pipeline_by_stage": "Your pipeline", "forecast": "Your forecast"}
TEAM_TOOLS = frozenset(
    {"pipeline_by_stage", "forecast", "sales_velocity", "stalled_deals", "slipped_deals"}
    | {"rep_performance", "value_metrics", "funnel_conversion"}
)


class OfflinePlanner:
    """A deterministic planner that needs no LLM (the embedded default)."""

    name: PlannerName = "offline"

    def answer(self, turn: Turn) -> PlannerOutput:
        """Answer ``turn`` from the catalog's tools, or say what it can do."""
        ctx, focus = turn.ctx, turn.memory.focus
        vocab = vocabulary(ctx)
        found = extract(turn.question, vocab, ctx.as_of)
        intent, carried = read_intent(found, focus)
        if intent is None:
            return PlannerOutput(text=help_text(vocab, unsure=True), tool_calls=[])
        if intent in NO_TOOL_INTENTS:
            return PlannerOutput(text=help_text(vocab, unsure=False), tool_calls=[])
        plan = build(Request(intent, found, vocab, focus, ctx.as_of, turn.question, carried))
        if plan.reply is not None:
            return PlannerOutput(text=plan.reply, tool_calls=[])
        return self._run(turn, plan)

    def _run(self, turn: Turn, plan: Plan) -> PlannerOutput:
        records: list[ToolCallRecord] = []
        for tool, args in plan.calls:
            spec = turn.catalog.get(tool)
            if spec is None:
                continue
            records.append(_traced(spec, turn, args))
            if records[0].error is not None:  # the record is not there: stop, say so
                break
        if not records:
            return PlannerOutput(text=help_text(vocabulary(turn.ctx), unsure=True), tool_calls=[])
        if plan.foreign:
            text = not_in_book(plan.foreign)
        else:
            text = own_book_note(turn, records[0].name) + compose(records, turn.ctx.currency)
        return PlannerOutput(text=text, tool_calls=records, focus=_focus(plan, records))


def _traced(spec: ToolSpec, turn: Turn, args: dict[str, Any]) -> ToolCallRecord:
    """Run a tool through :func:`run_tool`; a crash becomes an error record, not a traceback."""
    try:
        return run_tool(spec, turn.ctx, args)[0]
    except Exception as exc:
        error = f"the {spec.name} tool failed ({type(exc).__name__})"
        return ToolCallRecord(name=spec.name, args=args, result=None, error=error, duration_ms=0.0)


def own_book_note(turn: Turn, tool: str) -> str:
    """A lead-in saying a rep's team-wide question was answered over the rep's own deals."""
    rep = turn.ctx.scope.role == "rep"
    if not rep or tool not in TEAM_TOOLS or not TEAM_WORDS.search(turn.question.lower()):
        return ""
    return f"{OWN_BOOK_LABELS.get(tool, 'Your figures')} (you see your own deals):\n\n"


def read_intent(found: Entities, focus: dict[str, str]) -> tuple[str | None, bool]:
    """The intent (``None`` when unsure) and whether it was carried over from the thread."""
    carried = carried_intent(found.masked, focus)
    if carried is not None:
        return carried, True
    guess: IntentGuess = classify(found.masked)
    if guess.confidence < MIN_CONFIDENCE:
        return None, False
    return guess.intent, False


def _focus(plan: Plan, records: list[ToolCallRecord]) -> dict[str, str]:
    first = records[0]
    if first.error is not None:
        return {}
    extra: dict[str, str] = {}
    result = first.result or {}
    deal = result.get("deal")
    if isinstance(deal, dict) and deal.get("account_id"):
        extra["account_id"] = str(deal["account_id"])
    return new_focus(plan.intent, first.args, extra)

"""The LLM planner: ``langchain.agents.create_agent`` over the catalog, plus the number guard.

One turn: the system prompt (``prompts/system.md``, plus ``prompts/thread_focus.md``
when the thread has entities in focus), the thread's recent turns, the question; the
agent calls tools for at most ``max_tool_rounds`` rounds. Then the number guard
(:func:`assistant.guard.ungrounded`) checks the final text against this turn's
evidence (the question, every tool call's arguments, results and error messages):

1. every figure grounded: done;
2. otherwise one retry, with the violations pointed out (``prompts/number_guard.md``);
   the tools stay available and the retry's calls join the evidence;
3. still ungrounded: each remaining figure is replaced by ``[figure removed]``
   (:func:`remove_figures`), so an invented number never reaches the user.

Any failure of the model (timeout, connection error, 429/5xx after the client's
retries, an empty reply, too many tool rounds) raises :class:`LLMFailure`; the
assistant then answers with the offline planner and shows ``LLMFailure.notice``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import openai
from langchain.agents import create_agent
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langgraph.errors import GraphRecursionError

from assistant.answer import PlannerName, ToolCallRecord
from assistant.guard import ungrounded
from assistant.llm.errors import LLMFailure
from assistant.llm.tools import catalog_tools
from assistant.planner import PlannerOutput, Turn
from crm.models import User
from prompts.render import render

COMPANY = "your company"
REMOVED = "[figure removed]"


class LLMPlanner:
    """Answers a turn with a tool-calling chat model (any LangChain ``BaseChatModel``)."""

    name: PlannerName = "llm"

    def __init__(self, model: BaseChatModel, *, max_tool_rounds: int = 6) -> None:
        self.model = model
        self.max_tool_rounds = max_tool_rounds

    def answer(self, turn: Turn) -> PlannerOutput:
        """Run the agent on ``turn``; raises :class:`LLMFailure` when the model fails."""
        trace: list[ToolCallRecord] = []
        agent = create_agent(
            self.model,
            catalog_tools(turn.catalog, turn.ctx, trace),
            system_prompt=system_prompt(turn),
        )
        messages = [*history(turn), HumanMessage(turn.question)]
        try:
            text, messages = self._run(agent, messages)
            bad = ungrounded(text, evidence(turn.question, trace))
            if bad:
                messages.append(HumanMessage(render("number_guard", violations=", ".join(bad))))
                text, messages = self._run(agent, messages)
                text = remove_figures(text, ungrounded(text, evidence(turn.question, trace)))
        except GraphRecursionError as exc:
            raise LLMFailure(
                f"the model needed more than {self.max_tool_rounds} tool rounds"
            ) from exc
        except LLMFailure:
            raise
        except Exception as exc:  # any model failure falls back; the audit keeps the cause
            raise LLMFailure(f"the language model failed: {reason(exc)}") from exc
        return PlannerOutput(text=text, tool_calls=trace, focus=focus_of(trace))

    def _run(self, agent: Any, messages: list[AnyMessage]) -> tuple[str, list[AnyMessage]]:
        # Each tool round is two graph steps (model, tools), the final reply one more, and
        # langgraph counts one step beyond that (measured: 1 round needs a limit of 4).
        limit = 2 * self.max_tool_rounds + 2
        state = agent.invoke({"messages": messages}, config={"recursion_limit": limit})
        out: list[AnyMessage] = list(state["messages"])
        final = out[-1]
        text = final.text.strip() if isinstance(final, AIMessage) else ""
        if not text:
            raise LLMFailure("the language model returned no answer")
        return text, out


def reason(exc: Exception) -> str:
    """A short, secret-free description of a model failure."""
    if isinstance(exc, openai.APITimeoutError):
        return "timed out"
    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code}"
    if isinstance(exc, openai.APIConnectionError):
        return "could not connect"
    return type(exc).__name__


def system_prompt(turn: Turn) -> str:
    """The system prompt for ``turn``'s caller, with the thread's focus when there is one."""
    ctx = turn.ctx
    user = ctx.session.get(User, ctx.scope.user_id)
    prompt = render(
        "system",
        company=COMPANY,
        caller_name=user.name if user else ctx.scope.user_id,
        caller_role=ctx.scope.role,
        as_of=ctx.as_of.isoformat(),
        currency=ctx.currency,
    )
    if turn.memory.focus:
        focus = ", ".join(f"{k}={v}" for k, v in sorted(turn.memory.focus.items()))
        prompt += "\n\n" + render("thread_focus", focus=focus)
    return prompt


def history(turn: Turn) -> list[AnyMessage]:
    """The thread's recent turns as chat messages."""
    out: list[AnyMessage] = []
    for question, answer in turn.memory.turns:
        out += [HumanMessage(question), AIMessage(answer)]
    return out


def evidence(question: str, trace: Sequence[ToolCallRecord]) -> list[Any]:
    """What the figures of the answer may come from: the question and every tool call."""
    return [question, *([c.args, c.result, c.error] for c in trace)]


def focus_of(trace: Sequence[ToolCallRecord]) -> dict[str, str]:
    """Entities the turn was about: ``*_id`` arguments and ``resolved_*_id`` results."""
    focus: dict[str, str] = {}
    for call in trace:
        if call.error is not None:
            continue
        resolved = {k: v for k, v in (call.result or {}).items() if k.startswith("resolved_")}
        for key, value in (call.args | resolved).items():
            name = key.removeprefix("resolved_")
            if name.endswith("_id") and isinstance(value, str) and value:
                focus[name] = value
    return focus


def remove_figures(text: str, figures: Sequence[str]) -> str:
    """``text`` with every occurrence of each figure in ``figures`` replaced by a marker."""
    for figure in sorted(set(figures), key=len, reverse=True):
        pattern = rf"(?<![\w.,]){re.escape(figure)}(?![\w%]|[.,]\d)"
        text = re.sub(pattern, REMOVED, text)
    return text

"""Helpers for the offline planner tests: ask as a demo user, check the figures are grounded."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from assistant.guard import ungrounded
from assistant.offline import OfflinePlanner
from assistant.planner import PlannerOutput, ThreadMemory, Turn
from tools.catalog import load_catalog
from tools.context import ToolContext

DEMO_AS_OF = dt.date(2026, 6, 30)


class Conversation:
    """One thread with the offline planner, as one caller."""

    def __init__(self, engine: Engine, caller: str, as_of: dt.date = DEMO_AS_OF) -> None:
        self.engine, self.caller, self.as_of = engine, caller, as_of
        self.memory = ThreadMemory(thread_id="t")
        self.planner = OfflinePlanner()

    def ask(self, question: str) -> PlannerOutput:
        """Answer ``question`` and remember the focus like ``assistant.memory`` does."""
        with Session(self.engine) as session:
            ctx = ToolContext.for_user(session, self.caller, self.as_of)
            out = self.planner.answer(Turn(question, ctx, load_catalog(), self.memory))
        self.memory.focus = {**self.memory.focus, **out.focus}
        self.memory.turns.append((question, out.text))
        return out


def evidence(question: str, out: PlannerOutput) -> list[Any]:
    """What an answer's figures may come from: the question and the turn's tool calls."""
    calls = [c.model_dump(mode="json") for c in out.tool_calls]
    return [question, *calls]


def ungrounded_in(question: str, out: PlannerOutput) -> list[str]:
    """Figures in the answer that no tool call of the turn backs."""
    return ungrounded(out.text, evidence(question, out))


def tools_of(out: PlannerOutput) -> list[str]:
    """Names of the tools called, in order."""
    return [c.name for c in out.tool_calls]

"""The contract between ``assistant.ask`` and the planners (LLM and offline).

A planner receives a :class:`Turn` — the question, the caller's tool context, the
catalog and the thread's memory — and returns a :class:`PlannerOutput`: the answer
text, the tool calls it made (through :func:`run_tool`, so every call is traced the
same way) and the entities in focus afterwards (for follow-ups).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from assistant.answer import PlannerName, ToolCallRecord
from tools.catalog import ToolSpec
from tools.context import ToolContext
from tools.errors import ToolError


@dataclass
class ThreadMemory:
    """What a thread remembers: recent turns and the entities in focus."""

    thread_id: str
    turns: list[tuple[str, str]] = field(default_factory=list)
    focus: dict[str, str] = field(default_factory=dict)


@dataclass
class Turn:
    """One question to answer."""

    question: str
    ctx: ToolContext
    catalog: Mapping[str, ToolSpec]
    memory: ThreadMemory


@dataclass
class PlannerOutput:
    """A planner's answer before citations and auditing are added."""

    text: str
    tool_calls: list[ToolCallRecord]
    focus: dict[str, str] = field(default_factory=dict)


class Planner(Protocol):
    """Anything that can answer a :class:`Turn`."""

    name: PlannerName

    def answer(self, turn: Turn) -> PlannerOutput:
        """Answer the turn using tools from ``turn.catalog``."""
        ...


def run_tool(
    spec: ToolSpec, ctx: ToolContext, args: Mapping[str, Any]
) -> tuple[ToolCallRecord, BaseModel | None]:
    """Call a tool and trace it; expected failures become an error record, not an exception."""
    start = time.perf_counter()
    result: BaseModel | None = None
    error: str | None = None
    try:
        result = spec.call(ctx, args)
    except ValidationError as exc:
        error = "bad arguments: " + "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()
        )
    except ToolError as exc:
        error = str(exc)
    record = ToolCallRecord(
        name=spec.name,
        args=dict(args),
        result=result.model_dump(mode="json") if result is not None else None,
        error=error,
        duration_ms=round((time.perf_counter() - start) * 1000, 2),
    )
    return record, result

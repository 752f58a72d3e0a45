"""What a turn returns: the answer text plus the trace that grounds it."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

PlannerName = Literal["llm", "offline"]


class ToolCallRecord(BaseModel):
    """One tool call of a turn, with its typed result as JSON."""

    name: str = Field(description="Catalog name of the tool.")
    args: dict[str, Any] = Field(description="Arguments the planner passed.")
    result: dict[str, Any] | None = Field(description="The tool's result (JSON), if it succeeded.")
    error: str | None = Field(default=None, description="The tool's error message, if it failed.")
    duration_ms: float = Field(description="How long the call took.")


class Citation(BaseModel):
    """A record or note passage behind the answer."""

    kind: Literal["record", "note"] = Field(description="A CRM record or a note passage.")
    table: str = Field(description="Table of the record (accounts, orders, activities, ...).")
    id: str = Field(description="Id of the record.")
    text: str | None = Field(default=None, description="The passage, for notes.")


class Answer(BaseModel):
    """The answer to one question: markdown text and the trace behind every figure in it."""

    text: str = Field(description="The answer, in markdown.")
    planner: PlannerName = Field(description="Which planner answered.")
    tool_calls: list[ToolCallRecord] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    thread_id: str = Field(description="Conversation thread; pass it back for follow-ups.")
    notice: str | None = Field(
        default=None,
        description="One-line notice, e.g. that the LLM failed and the offline "
        "planner answered instead.",
    )

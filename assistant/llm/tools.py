"""Catalog entries as LangChain tools, with the caller's context bound outside the schema.

The model sees each tool's name, description and the JSON schema of its input model;
the :class:`tools.context.ToolContext` (session, scope, as_of) is closed over, so no
argument the model sends can change whose data a tool reads. The schema is handed to
LangChain as a JSON schema (not the pydantic class) so that LangChain passes the raw
arguments through: :func:`assistant.planner.run_tool` validates them and traces bad
arguments like any other failure. A tool's failure goes back to the model as text it
can recover from ("error: account 'A9' not found or not yours").
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from langchain_core.tools import StructuredTool

from assistant.answer import ToolCallRecord
from assistant.planner import run_tool
from tools.catalog import ToolSpec
from tools.context import ToolContext


def catalog_tools(
    catalog: Mapping[str, ToolSpec], ctx: ToolContext, trace: list[ToolCallRecord]
) -> list[StructuredTool]:
    """One LangChain tool per catalog entry; each call is appended to ``trace``."""
    lock = threading.Lock()  # the agent may run tool calls in threads; a Session is not shared-safe
    return [
        StructuredTool(
            name=spec.name,
            description=spec.description,
            args_schema=spec.input_schema(),
            func=_runner(spec, ctx, trace, lock),
        )
        for spec in catalog.values()
    ]


def _runner(
    spec: ToolSpec, ctx: ToolContext, trace: list[ToolCallRecord], lock: threading.Lock
) -> Callable[..., str]:
    def run(**args: Any) -> str:
        with lock:
            record, result = run_tool(spec, ctx, args)
            trace.append(record)
        if result is None:
            return f"error: {record.error}"
        return result.model_dump_json()

    return run

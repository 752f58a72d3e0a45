"""Answer templates per tool result: concise text, human numbers, key records, a short why.

Every composer reads a tool result as JSON (``ToolCallRecord.result``) and writes only
figures found in it, so :func:`assistant.guard.ungrounded` finds nothing to flag.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from assistant.answer import ToolCallRecord
from assistant.offline.compose import accounts, deals, knowledge, pipeline, segments

Composer = Callable[[dict[str, Any]], str]
COMPOSERS: dict[str, Composer] = {
    name: getattr(module, name)
    for module in (accounts, segments, pipeline, deals, knowledge)
    for name in dir(module)
    if not name.startswith("_") and callable(getattr(module, name)) and name != "annotations"
    and getattr(getattr(module, name), "__module__", "") == module.__name__
}  # fmt: skip
SECTION_TITLES = {"power_map": "Who decides", "next_best_actions": "What to do next"}
NOT_YOURS = "not found or not yours"


def compose(records: list[ToolCallRecord], currency: str) -> str:
    """The answer text for a turn's tool calls (later calls become titled sections)."""
    parts = []
    for i, record in enumerate(records):
        text = _one(record, currency)
        title = SECTION_TITLES.get(record.name) if i else None
        parts.append(f"**{title}**\n{text}" if title else text)
    return "\n\n".join(parts)


def _one(record: ToolCallRecord, currency: str) -> str:
    if record.error is not None:
        return failure(record.error)
    composer = COMPOSERS.get(record.name)
    result = dict(record.result or {})
    result.setdefault("currency", currency)
    if composer is None:
        return f"{record.name} answered; see the trace for details."
    return composer(result)


def failure(error: str) -> str:
    """A tool error in a rep's words; a record outside the scope is "not in your book"."""
    if NOT_YOURS in error:
        return (
            "That is not in your book: I can only see the accounts, deals and reps you own "
            f"or manage ({error})."
        )
    return f"I could not work that out: {error}"

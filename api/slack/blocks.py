"""Block Kit messages from an :class:`assistant.answer.Answer`, clamped to Slack's limits.

A message is a header, the answer text, the figures of each tool result (see
:mod:`api.slack.render`), a context line ("as of 2026-11-22 · computed by deal_review,
win_probability") and a "Show details" button whose value carries the tool trace. Every
message also has a plain-text ``text`` fallback (notifications, screen readers).

The blocks are clamped to Slack's limits (:mod:`api.slack.kit`); a button's value holds
at most 2000 characters, so the trace keeps the calls that fit.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from api.slack.kit import MAX_SECTION, Block, clamp, context, cut, header, mrkdwn, section
from api.slack.render import render_result, title_of
from assistant.answer import Answer, ToolCallRecord

MAX_VALUE = 2000
MAX_FALLBACK = 4000
SHOW_DETAILS = "show_details"


@dataclass(frozen=True)
class Message:
    """A Slack message: the plain-text fallback and the blocks."""

    text: str
    blocks: list[Block]

    def payload(self) -> dict[str, Any]:
        """Keyword arguments for ``chat.postMessage`` / ``respond``."""
        return {"text": self.text, "blocks": self.blocks}


def text_sections(markdown: str) -> list[Block]:
    """The answer text as sections of at most 3000 characters, split at line ends."""
    chunks: list[str] = []
    for line in mrkdwn(markdown).splitlines() or [""]:
        if chunks and len(chunks[-1]) + len(line) + 1 <= MAX_SECTION:
            chunks[-1] += "\n" + line
        else:
            chunks.append(line)
    return [section(chunk) for chunk in chunks]


def trace_value(calls: list[ToolCallRecord]) -> str:
    """The tool trace as compact JSON for a button value (≤ 2000 characters)."""
    rows: list[list[Any]] = []
    for call in calls:
        row = [call.name, cut(json.dumps(call.args, default=str), 300), round(call.duration_ms)]
        if call.error:
            row.append(cut(call.error, 200))
        if len(json.dumps([*rows, row])) > MAX_VALUE:
            break
        rows.append(row)
    return json.dumps(rows)


def trace_blocks(value: str) -> list[Block]:
    """The tool trace (from a "Show details" button value) as sections."""
    lines = []
    for name, args, ms, *error in json.loads(value):
        line = f"• `{name}` `{args}` · {ms} ms"
        lines.append(line + (f"\n   error: {error[0]}" if error else ""))
    return [section("*Tool trace*"), section("\n".join(lines) or "No tools were called.")]


def details_button(value: str) -> Block:
    """The actions block with the "Show details" button."""
    button = {
        "type": "button",
        "action_id": SHOW_DETAILS,
        "text": {"type": "plain_text", "text": "Show details"},
        "value": value,
    }
    return {"type": "actions", "block_id": "details", "elements": [button]}


def answer_message(answer: Answer, as_of: dt.date) -> Message:
    """The Block Kit message of ``answer`` (figures as of ``as_of``)."""
    succeeded = [call for call in answer.tool_calls if call.result is not None]
    title = next((t for t in map(title_of, succeeded) if t), "Dealwise")
    blocks = [header(title), *text_sections(answer.text)]
    for call in succeeded:
        blocks.extend(render_result(call.name, call.result or {}))
    names = ", ".join(dict.fromkeys(call.name for call in answer.tool_calls)) or "no tools"
    notes = [f"as of {as_of.isoformat()} · computed by {names}"]
    if answer.notice:
        notes.append(answer.notice)
    blocks.append(context(*notes))
    if answer.tool_calls:
        blocks.append(details_button(trace_value(answer.tool_calls)))
    return Message(text=cut(answer.text, MAX_FALLBACK), blocks=clamp(blocks))


def plain_message(text: str) -> Message:
    """A one-section message (refusals, apologies)."""
    return Message(text=cut(text, MAX_FALLBACK), blocks=[section(cut(text, MAX_SECTION))])
